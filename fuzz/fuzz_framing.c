/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* libFuzzer target: the socket frame readers on a non-blocking fd:
 * flux_msg_recvfd() with an iobuf, and the receive buffer
 * (flux_msg_rbuf_recv()) with which the broker's listener (conn_read in
 * broker/listener.c) and the local connector read their peers.  Each
 * input goes through both.
 *
 * Input: two bytes that choose how the stream is cut into writes, then
 * the bytes a peer writes (a stream of frames, as t/vectors holds).
 * The stream is written into a socketpair in those pieces; after each
 * write the reader is called until EAGAIN, as the listener's read
 * callback is; at the end the writer closes its end.
 *
 * The oracle is a plain parse of the whole stream at once (header check,
 * then flux_msg_decode of each frame): however the bytes are cut, the
 * reader must return the same messages in the same order, then fail as
 * the parse says: EPROTO for a bad header or an undecodable frame,
 * ECONNRESET at the end of the stream (with or without a partial frame).
 * Each message read is also sent back with flux_msg_sendfd() and read
 * again, which must give the same bytes.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "message_private.h"

struct expect {
    uint8_t **msgs;         /* encodings of the messages, in order */
    size_t *sizes;
    size_t count;
    int errnum;             /* how the reader must fail after them */
};

static uint32_t be32 (const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16
         | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void expect_add (struct expect *e, const flux_msg_t *msg)
{
    check ((e->msgs = realloc (e->msgs, (e->count + 1) * sizeof (*e->msgs))));
    check ((e->sizes = realloc (e->sizes,
                                (e->count + 1) * sizeof (*e->sizes))));
    e->msgs[e->count] = encode_or_die (msg, &e->sizes[e->count]);
    e->count++;
}

static void expect_free (struct expect *e)
{
    for (size_t i = 0; i < e->count; i++)
        free (e->msgs[i]);
    free (e->msgs);
    free (e->sizes);
}

/* The reference: frames parsed from the whole stream in memory. */
static void parse_stream (const uint8_t *p, size_t len, struct expect *e)
{
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    size_t off = 0;

    memset (e, 0, sizeof (*e));
    for (;;) {
        flux_msg_t *msg;
        uint32_t n;

        if (len - off < MESSAGE_IOBUF_HEADER_SIZE) {
            e->errnum = ECONNRESET; // end of stream, maybe mid-header
            return;
        }
        n = be32 (p + off + 4);
        if (memcmp (p + off, &magic, 4) != 0
            || n < 1 + FLUX_MSG_PROTO_SIZE
            || n > MESSAGE_MAX_ENCODED_SIZE) {
            e->errnum = EPROTO;
            return;
        }
        off += MESSAGE_IOBUF_HEADER_SIZE;
        if (len - off < n) {
            e->errnum = ECONNRESET; // end of stream mid-frame
            return;
        }
        if (!(msg = flux_msg_decode (p + off, n))) {
            check (errno == EPROTO);
            e->errnum = EPROTO;
            return;
        }
        expect_add (e, msg);
        flux_msg_destroy (msg);
        off += n;
    }
}

/* Chunk sizes: a small xorshift generator seeded by the input's first
 * two bytes, so that mutating the stream leaves its cutting alone.
 * The top bits of the seed pick a regime: one write, single bytes, or
 * pieces of 1..N bytes for an N the seed also picks.
 */
struct cutter {
    uint32_t state;
    int mode;
    size_t max;
};

static void cutter_init (struct cutter *c, uint8_t b0, uint8_t b1)
{
    c->state = ((uint32_t)b0 << 8 | b1) * 2654435761u | 1;
    c->mode = b0 >> 6;
    c->max = 1 + (b1 % 64) * ((b0 & 0x20) ? 64 : 1);
}

static size_t cutter_next (struct cutter *c, size_t left)
{
    size_t n;

    switch (c->mode) {
        case 0:
            n = left;
            break;
        case 1:
            n = 1;
            break;
        default:
            c->state ^= c->state << 13;
            c->state ^= c->state >> 17;
            c->state ^= c->state << 5;
            n = 1 + c->state % c->max;
            break;
    }
    return n < left ? n : left;
}

/* Send msg through flux_msg_sendfd and read it back with recvfd (no
 * iobuf: the blocking path); the bytes must not change.
 */
static void check_resend (const flux_msg_t *msg, const uint8_t *enc,
                          size_t size)
{
    int sv[2];
    flux_msg_t *back;
    uint8_t *enc2;
    size_t size2;

    /* Frames over the socket buffer would block the single thread. */
    if (size > 65536)
        return;
    check (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    check (flux_msg_sendfd (sv[0], msg, NULL) == 0);
    check ((back = flux_msg_recvfd (sv[1], NULL)) != NULL);
    enc2 = encode_or_die (back, &size2);
    check (size2 == size && memcmp (enc, enc2, size) == 0);
    free (enc2);
    flux_msg_destroy (back);
    close (sv[0]);
    close (sv[1]);
}

/* Read until EAGAIN or an error, comparing with the reference.  Returns
 * false once the reader has failed (its errno in *errnum).
 */
struct reader {
    bool buffered;          /* rbuf, else recvfd with an iobuf */
    struct flux_msg_iobuf io;
    struct flux_msg_rbuf rb;
};

static bool drain (int fd, struct reader *rd, const struct expect *e,
                   size_t *got, int *errnum)
{
    /* As the listener when the fd is readable: reading may be asked. */
    rd->rb.drained = false;
    for (;;) {
        flux_msg_t *msg;
        uint8_t *enc;
        size_t size;

        if (rd->buffered)
            msg = flux_msg_rbuf_recv (fd, &rd->rb, SIZE_MAX, NULL);
        else
            msg = flux_msg_recvfd (fd, &rd->io);
        if (!msg) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            *errnum = errno;
            return false;
        }
        /* As the listener did: a fresh iobuf for the next frame. */
        if (!rd->buffered) {
            flux_msg_iobuf_clean (&rd->io);
            flux_msg_iobuf_init (&rd->io);
        }
        check (*got < e->count);
        enc = encode_or_die (msg, &size);
        check (size == e->sizes[*got]);
        check (memcmp (enc, e->msgs[*got], size) == 0);
        check_resend (msg, enc, size);
        free (enc);
        flux_msg_destroy (msg);
        (*got)++;
    }
}

/* The stream cut as data[0..1] say, through one reader. */
static void run_stream (const uint8_t *data, const uint8_t *stream,
                        size_t len, const struct expect *e, bool buffered)
{
    struct cutter cut;
    struct reader rd = { .buffered = buffered };
    size_t off = 0, got = 0;
    int errnum = 0;
    bool open = true;
    int sv[2];

    cutter_init (&cut, data[0], data[1]);
    check (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    check (fcntl (sv[0], F_SETFL, O_NONBLOCK) == 0);
    check (fcntl (sv[1], F_SETFL, O_NONBLOCK) == 0);
    flux_msg_iobuf_init (&rd.io);
    flux_msg_rbuf_init (&rd.rb);

    while (open && off < len) {
        size_t n = cutter_next (&cut, len - off);
        while (open && n > 0) {
            ssize_t w = write (sv[0], stream + off, n);
            if (w < 0) {
                check (errno == EAGAIN); // socket buffer full: read first
                w = 0;
            }
            off += w;
            n -= w;
            open = drain (sv[1], &rd, e, &got, &errnum);
        }
    }
    if (open) {
        close (sv[0]);
        sv[0] = -1;
        open = drain (sv[1], &rd, e, &got, &errnum);
        check (!open); // end of stream is an error, never EAGAIN
    }
    check (got == e->count);
    check (errnum == e->errnum);

    flux_msg_iobuf_clean (&rd.io);
    flux_msg_rbuf_clean (&rd.rb);
    if (sv[0] >= 0)
        close (sv[0]);
    close (sv[1]);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    struct expect e;

    if (size < 2)
        return 0;
    parse_stream (data + 2, size - 2, &e);
    run_stream (data, data + 2, size - 2, &e, false);
    run_stream (data, data + 2, size - 2, &e, true);
    expect_free (&e);
    return 0;
}

// vi:ts=4 sw=4 expandtab
