/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: messages framed on a byte stream (flux_msg_sendfd/recvfd). */

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"
#include "message_private.h"

static void pair (int fds[2], bool nonblock)
{
    int type = SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0);
    assert_int_equal (socketpair (AF_UNIX, type, 0, fds), 0);
}

/* A request with a payload of 'size' bytes (a string if size > 0) and
 * a topic and route ids of the given lengths.
 */
static flux_msg_t *make_msg (size_t size, size_t topiclen)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    char *topic = malloc (topiclen + 1);
    assert_non_null (msg);
    memset (topic, 't', topiclen);
    topic[topiclen] = '\0';
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    free (topic);
    if (size > 0) {
        char *p = malloc (size);
        for (size_t i = 0; i < size; i++)
            p[i] = 'a' + i % 26;
        p[size - 1] = '\0';
        assert_int_equal (flux_msg_set_payload (msg, p, size), 0);
        free (p);
    }
    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_route_push (msg, "sender"), 0);
    assert_int_equal (flux_msg_route_push (msg, "hop"), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, 77), 0);
    return msg;
}

static void assert_same (const flux_msg_t *a, const flux_msg_t *b)
{
    ssize_t na = flux_msg_encode_size (a);
    ssize_t nb = flux_msg_encode_size (b);
    assert_true (na > 0);
    assert_int_equal (na, nb);
    uint8_t *ba = malloc (na);
    uint8_t *bb = malloc (nb);
    assert_int_equal (flux_msg_encode (a, ba, na), 0);
    assert_int_equal (flux_msg_encode (b, bb, nb), 0);
    assert_memory_equal (ba, bb, na);
    free (ba);
    free (bb);
}

static void test_cornercase (void **state)
{
    (void)state;
    struct flux_msg_iobuf iobuf;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);

    flux_msg_iobuf_init (NULL);
    flux_msg_iobuf_clean (NULL);
    flux_msg_iobuf_init (&iobuf);
    errno = 0;
    assert_int_equal (flux_msg_sendfd (-1, msg, &iobuf), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_msg_sendfd (1, NULL, &iobuf), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_msg_recvfd (-1, &iobuf));
    assert_int_equal (errno, EINVAL);
    flux_msg_iobuf_clean (&iobuf);
    flux_msg_destroy (msg);
}

/* Blocking socketpair, no iobuf: sizes straddling the 4 KiB fixed buffer
 * and the 255-byte part size boundary.
 */
static void test_roundtrip_blocking (void **state)
{
    (void)state;
    static const struct { size_t payload; size_t topic; } cases[] = {
        { 0, 1 }, { 10, 5 }, { 254, 254 }, { 255, 255 }, { 256, 3 },
        { 4000, 10 }, { 4096, 10 }, { 5000, 10 }, { 60000, 300 },
    };
    int fds[2];
    pair (fds, false);
    for (size_t k = 0; k < sizeof (cases) / sizeof (cases[0]); k++) {
        flux_msg_t *msg = make_msg (cases[k].payload, cases[k].topic);
        flux_msg_t *got;
        assert_int_equal (flux_msg_sendfd (fds[0], msg, NULL), 0);
        assert_non_null ((got = flux_msg_recvfd (fds[1], NULL)));
        assert_same (msg, got);
        flux_msg_destroy (got);
        flux_msg_destroy (msg);
    }
    close (fds[0]);
    close (fds[1]);
}

/* The bytes on the wire: native magic, big-endian length, encoding. */
static void test_wire_format (void **state)
{
    (void)state;
    int fds[2];
    uint8_t buf[64];
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    struct flux_msg_iobuf iobuf;

    pair (fds, false);
    assert_int_equal (flux_msg_set_topic (msg, "ab"), 0);
    flux_msg_iobuf_init (&iobuf);
    assert_int_equal (flux_msg_sendfd (fds[0], msg, &iobuf), 0);
    assert_int_equal (read (fds[1], buf, sizeof (buf)), 8 + 3 + 21);
    assert_memory_equal (buf, &magic, 4);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    assert_memory_equal (buf, "\x12\x00\xee\xff", 4); // what flux-core writes
#endif
    assert_memory_equal (buf + 4, "\x00\x00\x00\x18", 4);
    assert_memory_equal (buf + 8, "\x02" "ab" "\x14\x8e\x01\x04", 7);
    flux_msg_iobuf_clean (&iobuf);
    flux_msg_destroy (msg);
    close (fds[0]);
    close (fds[1]);
}

/* Non-blocking socketpair: send a batch of large messages without
 * reading, so sendfd hits EAGAIN mid-frame and must resume from its
 * iobuf; drain with recvfd (which also sees partial frames) in between.
 */
static void test_partial_nonblocking (void **state)
{
    (void)state;
    enum { COUNT = 8, SIZE = 300000 };
    int fds[2];
    struct flux_msg_iobuf out, in;
    flux_msg_t *msgs[COUNT];
    int sent = 0, received = 0, eagain_send = 0, eagain_recv = 0;

    pair (fds, true);
    flux_msg_iobuf_init (&out);
    flux_msg_iobuf_init (&in);
    for (int i = 0; i < COUNT; i++) {
        msgs[i] = make_msg (SIZE + i, 10);
        assert_int_equal (flux_msg_set_matchtag (msgs[i], i + 1), 0);
    }
    while (received < COUNT) {
        if (sent < COUNT) {
            if (flux_msg_sendfd (fds[0], msgs[sent], &out) == 0)
                sent++;
            else {
                assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
                assert_true (out.done > 0 || out.size > 0);
                eagain_send++;
            }
        }
        flux_msg_t *got = flux_msg_recvfd (fds[1], &in);
        if (got) {
            assert_same (msgs[received], got);
            flux_msg_destroy (got);
            received++;
        }
        else {
            assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
            eagain_recv++;
        }
    }
    assert_true (eagain_send > 0); // partial writes really happened
    assert_true (eagain_recv > 0);
    for (int i = 0; i < COUNT; i++)
        flux_msg_destroy (msgs[i]);
    flux_msg_iobuf_clean (&out);
    flux_msg_iobuf_clean (&in);
    close (fds[0]);
    close (fds[1]);
}

/* A frame dribbled in one byte at a time: recvfd says EAGAIN until the
 * last byte, then returns the message.
 */
static void test_partial_read (void **state)
{
    (void)state;
    int fds[2], raw[2];
    uint8_t buf[8192];
    ssize_t n;
    struct flux_msg_iobuf in;
    flux_msg_t *msg = make_msg (5000, 20); // > 4 KiB: heap buffer
    flux_msg_t *got = NULL;

    pair (raw, false);
    assert_int_equal (flux_msg_sendfd (raw[0], msg, NULL), 0);
    assert_true ((n = read (raw[1], buf, sizeof (buf))) > 5000);
    close (raw[0]);
    close (raw[1]);

    pair (fds, true);
    flux_msg_iobuf_init (&in);
    for (ssize_t i = 0; i < n; i++) {
        errno = 0;
        assert_null (flux_msg_recvfd (fds[1], &in));
        assert_int_equal (errno, EAGAIN);
        assert_int_equal (write (fds[0], &buf[i], 1), 1);
    }
    assert_non_null ((got = flux_msg_recvfd (fds[1], &in)));
    assert_same (msg, got);
    flux_msg_destroy (got);
    flux_msg_destroy (msg);
    flux_msg_iobuf_clean (&in);
    close (fds[0]);
    close (fds[1]);
}

/* Without an iobuf, a non-blocking recv with nothing to read says EAGAIN
 * (nothing was consumed, so nothing is lost).
 */
static void test_noiobuf_nonblocking (void **state)
{
    (void)state;
    int fds[2];
    pair (fds, true);
    errno = 0;
    assert_null (flux_msg_recvfd (fds[1], NULL));
    assert_int_equal (errno, EAGAIN);
    close (fds[0]);
    close (fds[1]);
}

static void test_eof (void **state)
{
    (void)state;
    int fds[2];
    struct flux_msg_iobuf in;

    /* EOF between frames */
    pair (fds, false);
    close (fds[0]);
    flux_msg_iobuf_init (&in);
    errno = 0;
    assert_null (flux_msg_recvfd (fds[1], &in));
    assert_int_equal (errno, ECONNRESET);
    close (fds[1]);

    /* EOF in the middle of a frame (header complete, body short) */
    pair (fds, false);
    assert_int_equal (write (fds[0], "\x12\x00\xee\xff\x00\x00\x00\x40" "abc",
                             11), 11);
    close (fds[0]);
    errno = 0;
    assert_null (flux_msg_recvfd (fds[1], &in));
    assert_int_equal (errno, ECONNRESET);
    assert_null (in.buf); // cleaned after the error
    flux_msg_iobuf_clean (&in);
    close (fds[1]);

    /* the peer is gone: send fails with EPIPE, without SIGPIPE */
    pair (fds, false);
    close (fds[1]);
    flux_msg_t *msg = make_msg (10, 3);
    errno = 0;
    assert_int_equal (flux_msg_sendfd (fds[0], msg, NULL), -1);
    assert_int_equal (errno, EPIPE);
    flux_msg_destroy (msg);
    close (fds[0]);
}

/* Write raw bytes, then expect recvfd to fail with EPROTO. */
static void expect_eproto (const char *name, const void *data, size_t len)
{
    int fds[2];
    struct flux_msg_iobuf in;

    pair (fds, false);
    assert_int_equal (write (fds[0], data, len), (ssize_t)len);
    flux_msg_iobuf_init (&in);
    errno = 0;
    flux_msg_t *msg = flux_msg_recvfd (fds[1], &in);
    if (msg || errno != EPROTO)
        fail_msg ("%s: expected EPROTO, got %s (errno %d)", name,
                  msg ? "a message" : "failure", errno);
    assert_null (in.buf);
    flux_msg_iobuf_clean (&in);
    close (fds[0]);
    close (fds[1]);
}

#define PROTO_EVENT "\x14\x8e\x01\x04\x00\xff\xff\xff\xff\x00\x00\x00\x00" \
                    "\x00\x00\x00\x00\x00\x00\x00\x00"

static void test_bad_frames (void **state)
{
    (void)state;
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    uint8_t good[8 + 21];
    uint8_t tmp[64];

    memcpy (good, &magic, 4);
    memcpy (good + 4, "\x00\x00\x00\x15", 4);
    memcpy (good + 8, PROTO_EVENT, 21);

    /* the reference frame itself is fine */
    {
        int fds[2];
        pair (fds, false);
        assert_int_equal (write (fds[0], good, sizeof (good)), sizeof (good));
        flux_msg_t *msg = flux_msg_recvfd (fds[1], NULL);
        assert_non_null (msg);
        flux_msg_destroy (msg);
        close (fds[0]);
        close (fds[1]);
    }

    /* bad magic: RFC byte order, and garbage */
    memcpy (tmp, good, sizeof (good));
    memcpy (tmp, "\xff\xee\x00\x12", 4);
    expect_eproto ("RFC-order magic", tmp, sizeof (good));
    memcpy (tmp, "GET ", 4);
    expect_eproto ("garbage magic", tmp, sizeof (good));

    /* length too small to hold a PROTO part */
    memcpy (tmp, good, sizeof (good));
    memcpy (tmp + 4, "\x00\x00\x00\x00", 4);
    expect_eproto ("zero length", tmp, 8);
    memcpy (tmp + 4, "\x00\x00\x00\x14", 4);
    expect_eproto ("length 20", tmp, 8 + 20);

    /* oversized: rejected from the header, before any allocation */
    memcpy (tmp + 4, "\x40\x00\x00\x01", 4); // 1 GiB + 1
    expect_eproto ("1 GiB + 1", tmp, 8);
    memcpy (tmp + 4, "\xff\xff\xff\xff", 4);
    expect_eproto ("4 GiB", tmp, 8);

    /* a length that cuts the encoding short (truncated message) */
    uint8_t trunc[8 + 2 + 21];
    memcpy (trunc, &magic, 4);
    memcpy (trunc + 4, "\x00\x00\x00\x16", 4); // 22: one byte short
    memcpy (trunc + 8, "\x01" "t" PROTO_EVENT, 23);
    expect_eproto ("truncated encoding", trunc, 8 + 22);

    /* corrupt encoding: bad PROTO magic, unknown type, missing topic */
    memcpy (tmp, good, sizeof (good));
    tmp[9] = 0x8f;
    expect_eproto ("bad PROTO magic", tmp, sizeof (good));
    memcpy (tmp, good, sizeof (good));
    tmp[11] = 0x03;
    expect_eproto ("bad type", tmp, sizeof (good));
    memcpy (tmp, good, sizeof (good));
    tmp[12] = FLUX_MSGFLAG_TOPIC;
    expect_eproto ("topic flag without topic", tmp, sizeof (good));
}

/* After a bad frame the iobuf can be reused for the next connection. */
static void test_reuse_after_error (void **state)
{
    (void)state;
    int fds[2];
    struct flux_msg_iobuf in;

    flux_msg_iobuf_init (&in);
    pair (fds, false);
    assert_int_equal (write (fds[0], "\xde\xad\xbe\xef\x00\x00\x10\x00", 8), 8);
    assert_null (flux_msg_recvfd (fds[1], &in));
    assert_int_equal (errno, EPROTO);
    close (fds[0]);
    close (fds[1]);

    pair (fds, false);
    flux_msg_t *msg = make_msg (6000, 4);
    assert_int_equal (flux_msg_sendfd (fds[0], msg, NULL), 0);
    flux_msg_t *got = flux_msg_recvfd (fds[1], &in);
    assert_non_null (got);
    assert_same (msg, got);
    flux_msg_destroy (got);
    flux_msg_destroy (msg);
    flux_msg_iobuf_clean (&in);
    close (fds[0]);
    close (fds[1]);
}

/* A pipe is not a socket: sendfd falls back to write(2). */
static void test_pipe (void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
    flux_msg_t *msg = make_msg (100, 4);
    assert_int_equal (flux_msg_sendfd (fds[1], msg, NULL), 0);
    flux_msg_t *got = flux_msg_recvfd (fds[0], NULL);
    assert_non_null (got);
    assert_same (msg, got);
    flux_msg_destroy (got);
    flux_msg_destroy (msg);
    close (fds[0]);
    close (fds[1]);
}

/* recvfd_max: a frame over the limit is EMSGSIZE with its size, and
 * only its header is read; one at the limit passes.
 */
static void test_recvfd_max (void **state)
{
    (void)state;
    int fds[2];
    struct flux_msg_iobuf iobuf;
    flux_msg_t *msg = make_msg (5000, 10);
    ssize_t size = flux_msg_encode_size (msg);
    flux_msg_t *got;
    size_t len = 0;

    assert_true (size > 0);
    pair (fds, true);
    flux_msg_iobuf_init (&iobuf);
    assert_int_equal (flux_msg_sendfd (fds[0], msg, NULL), 0);
    errno = 0;
    assert_null (flux_msg_recvfd_max (fds[1], &iobuf, size - 1, &len));
    assert_int_equal (errno, EMSGSIZE);
    assert_int_equal (len, size);
    assert_null (iobuf.buf);
    /* The whole body is still in the socket: none of it was read. */
    char *rest = malloc (size + 8);
    assert_int_equal (read (fds[1], rest, size + 8), size);
    free (rest);
    assert_int_equal (flux_msg_sendfd (fds[0], msg, NULL), 0);
    assert_non_null ((got = flux_msg_recvfd_max (fds[1], &iobuf, size,
                                                 NULL)));
    assert_same (msg, got);
    flux_msg_destroy (got);
    flux_msg_iobuf_clean (&iobuf);
    flux_msg_destroy (msg);
}

/* The length in a frame header is the peer's word.  A header claiming
 * 512 MiB followed by a few bytes must not make recvfd allocate 512 MiB
 * (fuzz/fuzz_framing.c found that it did: one malloc of the whole
 * claimed length before any of it arrived).  The buffer grows with the
 * bytes received instead, and a big frame that does arrive in pieces
 * still comes out whole.
 */
static void test_length_not_trusted (void **state)
{
    (void)state;
    int fds[2];
    struct flux_msg_iobuf in;
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    uint8_t hdr[8 + 100];
    static uint8_t more[100000];
    size_t received;

    memset (hdr, 'x', sizeof (hdr));
    memcpy (hdr, &magic, 4);
    memcpy (hdr + 4, "\x20\x00\x00\x00", 4); // 512 MiB
    pair (fds, true);
    flux_msg_iobuf_init (&in);
    assert_int_equal (write (fds[0], hdr, sizeof (hdr)), sizeof (hdr));
    errno = 0;
    assert_null (flux_msg_recvfd (fds[1], &in));
    assert_int_equal (errno, EAGAIN);
    assert_non_null (in.buf);
    assert_ptr_not_equal (in.buf, in.buf_fixed);
    assert_true (malloc_usable_size (in.buf) < 1024 * 1024);

    memset (more, 'y', sizeof (more));
    assert_int_equal (write (fds[0], more, sizeof (more)), sizeof (more));
    errno = 0;
    assert_null (flux_msg_recvfd (fds[1], &in));
    assert_int_equal (errno, EAGAIN);
    received = sizeof (hdr) + sizeof (more);
    assert_int_equal (in.done, received);
    assert_true (malloc_usable_size (in.buf) <= 2 * received + 65536);
    flux_msg_iobuf_clean (&in);
    close (fds[0]);
    close (fds[1]);

    /* A 300 kB message, written in 4 KiB pieces, read whole. */
    flux_msg_t *msg = make_msg (300000, 10);
    flux_msg_t *got = NULL;
    ssize_t len = flux_msg_encode_size (msg);
    uint8_t *frame = malloc (8 + len);
    assert_non_null (frame);
    memcpy (frame, &magic, 4);
    frame[4] = (uint32_t)len >> 24;
    frame[5] = (uint32_t)len >> 16;
    frame[6] = (uint32_t)len >> 8;
    frame[7] = (uint32_t)len;
    assert_int_equal (flux_msg_encode (msg, frame + 8, len), 0);
    pair (fds, true);
    flux_msg_iobuf_init (&in);
    for (ssize_t off = 0; off < 8 + len; off += 4096) {
        ssize_t n = 8 + len - off < 4096 ? 8 + len - off : 4096;
        assert_null (got);
        assert_int_equal (write (fds[0], frame + off, n), n);
        if (!(got = flux_msg_recvfd (fds[1], &in)))
            assert_int_equal (errno, EAGAIN);
    }
    assert_non_null (got);
    assert_same (msg, got);
    flux_msg_destroy (got);
    flux_msg_destroy (msg);
    free (frame);
    flux_msg_iobuf_clean (&in);
    close (fds[0]);
    close (fds[1]);
}

/* The receive buffer (flux_msg_rbuf): frames as the broker and the local
 * connector read them.
 */

/* The frame of msg (header and encoding), in a new buffer; its size in
 * *sizep.
 */
static uint8_t *frame_of (const flux_msg_t *msg, size_t *sizep)
{
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    ssize_t len = flux_msg_encode_size (msg);
    uint8_t *frame;

    assert_true (len > 0);
    assert_non_null ((frame = malloc (8 + len)));
    memcpy (frame, &magic, 4);
    frame[4] = (uint32_t)len >> 24;
    frame[5] = (uint32_t)len >> 16;
    frame[6] = (uint32_t)len >> 8;
    frame[7] = (uint32_t)len;
    assert_int_equal (flux_msg_encode (msg, frame + 8, len), 0);
    *sizep = 8 + len;
    return frame;
}

/* Frames of msgs[0..n) back to back, in one new buffer. */
static uint8_t *frames_of (flux_msg_t **msgs, int n, size_t *sizep)
{
    uint8_t *all = NULL;
    size_t total = 0;

    for (int i = 0; i < n; i++) {
        size_t size;
        uint8_t *f = frame_of (msgs[i], &size);
        assert_non_null ((all = realloc (all, total + size)));
        memcpy (all + total, f, size);
        total += size;
        free (f);
    }
    *sizep = total;
    return all;
}

/* The next message of rb is the same as want. */
static void recv_same (int fd, struct flux_msg_rbuf *rb, size_t max,
                       const flux_msg_t *want)
{
    flux_msg_t *got = flux_msg_rbuf_recv (fd, rb, max, NULL);

    assert_non_null (got);
    assert_same (want, got);
    flux_msg_destroy (got);
}

/* 50 frames in one write come out of one read: once the read was short
 * (drained), no more read() is made, so a frame written after it stays
 * in the socket until the reader says the fd is readable again.  The
 * buffer is given back once empty.
 */
static void test_rbuf_many_frames (void **state)
{
    (void)state;
    int fds[2];
    flux_msg_t *msgs[50];
    struct flux_msg_rbuf rb;
    uint8_t *all;
    size_t size;

    for (int i = 0; i < 50; i++)
        msgs[i] = make_msg (10 + i * 7, 5 + i);
    all = frames_of (msgs, 50, &size);
    pair (fds, true);
    flux_msg_rbuf_init (&rb);
    assert_false (flux_msg_rbuf_ready (&rb, SIZE_MAX));
    assert_int_equal (write (fds[0], all, size), size);
    for (int i = 0; i < 50; i++) {
        recv_same (fds[1], &rb, SIZE_MAX, msgs[i]);
        assert_true (rb.drained); // all came in the first read
        assert_true (flux_msg_rbuf_ready (&rb, SIZE_MAX) == (i < 49));
    }
    assert_null (rb.buf);
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
    assert_int_equal (errno, EAGAIN);

    assert_int_equal (write (fds[0], all, 20), 20);
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
    assert_int_equal (errno, EAGAIN);
    assert_int_equal (rb.tail, 0); // not read: drained was set
    rb.drained = false;
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
    assert_int_equal (errno, EAGAIN);
    assert_int_equal (rb.tail - rb.head, 20);
    flux_msg_rbuf_clean (&rb);
    for (int i = 0; i < 50; i++)
        flux_msg_destroy (msgs[i]);
    free (all);
    close (fds[0]);
    close (fds[1]);
}

/* A frame that arrives byte by byte is whole at its last byte, and not
 * before; the frame after it, written with that last byte, is kept.
 */
static void test_rbuf_split (void **state)
{
    (void)state;
    int fds[2];
    flux_msg_t *msgs[2] = { make_msg (100, 10), make_msg (0, 3) };
    struct flux_msg_rbuf rb;
    uint8_t *all;
    size_t size, first;

    free (frame_of (msgs[0], &first));
    all = frames_of (msgs, 2, &size);
    pair (fds, true);
    flux_msg_rbuf_init (&rb);
    for (size_t i = 0; i < first - 1; i++) {
        assert_int_equal (write (fds[0], all + i, 1), 1);
        rb.drained = false;
        errno = 0;
        assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
        assert_int_equal (errno, EAGAIN);
        assert_false (flux_msg_rbuf_ready (&rb, SIZE_MAX));
    }
    assert_int_equal (write (fds[0], all + first - 1, size - first + 1),
                      size - first + 1);
    rb.drained = false;
    recv_same (fds[1], &rb, SIZE_MAX, msgs[0]);
    assert_true (flux_msg_rbuf_ready (&rb, SIZE_MAX));
    recv_same (fds[1], &rb, SIZE_MAX, msgs[1]);
    flux_msg_rbuf_clean (&rb);
    flux_msg_destroy (msgs[0]);
    flux_msg_destroy (msgs[1]);
    free (all);
    close (fds[0]);
    close (fds[1]);
}

/* Frames ahead of one over the limit, in the same read, come out; then
 * EMSGSIZE with the announced size, from the header alone: the buffer
 * did not grow for its body.
 */
static void test_rbuf_over_limit_after_frames (void **state)
{
    (void)state;
    int fds[2];
    flux_msg_t *msgs[3] = { make_msg (50, 4), make_msg (60, 4),
                            make_msg (5000, 4) };
    struct flux_msg_rbuf rb;
    uint8_t *all;
    size_t size, len = 0;

    all = frames_of (msgs, 3, &size);
    pair (fds, true);
    flux_msg_rbuf_init (&rb);
    assert_int_equal (write (fds[0], all, size), size);
    for (int i = 0; i < 2; i++) {
        recv_same (fds[1], &rb, 1000, msgs[i]);
    }
    assert_true (flux_msg_rbuf_ready (&rb, 1000)); // the refusal is ready
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, 1000, &len));
    assert_int_equal (errno, EMSGSIZE);
    assert_int_equal (len, flux_msg_encode_size (msgs[2]));
    assert_int_equal (rb.alloc, 16 * 1024);
    flux_msg_rbuf_clean (&rb);
    for (int i = 0; i < 3; i++)
        flux_msg_destroy (msgs[i]);
    free (all);
    close (fds[0]);
    close (fds[1]);
}

/* A peer that writes frames and half of another, then goes: the whole
 * frames come out, then ECONNRESET.
 */
static void test_rbuf_eof_with_bytes_buffered (void **state)
{
    (void)state;
    int fds[2];
    flux_msg_t *msgs[4];
    struct flux_msg_rbuf rb;
    uint8_t *all;
    size_t size, last;

    for (int i = 0; i < 4; i++)
        msgs[i] = make_msg (30, 6);
    all = frames_of (msgs, 4, &size);
    free (frame_of (msgs[3], &last));
    pair (fds, true);
    flux_msg_rbuf_init (&rb);
    assert_int_equal (write (fds[0], all, size - last / 2),
                      size - last / 2);
    close (fds[0]);
    for (int i = 0; i < 3; i++) {
        rb.drained = false;
        recv_same (fds[1], &rb, SIZE_MAX, msgs[i]);
    }
    rb.drained = false;
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
    assert_int_equal (errno, ECONNRESET);
    flux_msg_rbuf_clean (&rb);
    for (int i = 0; i < 4; i++)
        flux_msg_destroy (msgs[i]);
    free (all);
    close (fds[1]);
}

/* A header claiming 512 MiB with a few bytes reserves no more than the
 * first buffer; a 300 kB frame written in 4 KiB pieces comes out whole,
 * the buffer growing while it is full, and never past the frame.  A bad
 * header is EPROTO.
 */
static void test_rbuf_large_and_bad (void **state)
{
    (void)state;
    int fds[2];
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    uint8_t hdr[8 + 100];
    struct flux_msg_rbuf rb;
    flux_msg_t *msg = make_msg (300000, 10);
    flux_msg_t *got = NULL;
    uint8_t *frame;
    size_t size;

    memset (hdr, 'x', sizeof (hdr));
    memcpy (hdr, &magic, 4);
    memcpy (hdr + 4, "\x20\x00\x00\x00", 4); // 512 MiB
    pair (fds, true);
    flux_msg_rbuf_init (&rb);
    assert_int_equal (write (fds[0], hdr, sizeof (hdr)), sizeof (hdr));
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
    assert_int_equal (errno, EAGAIN);
    assert_int_equal (rb.alloc, 16 * 1024);
    flux_msg_rbuf_clean (&rb);
    close (fds[0]);
    close (fds[1]);

    frame = frame_of (msg, &size);
    pair (fds, true);
    flux_msg_rbuf_init (&rb);
    for (size_t off = 0; off < size; off += 4096) {
        size_t n = size - off < 4096 ? size - off : 4096;
        assert_null (got);
        assert_int_equal (write (fds[0], frame + off, n), n);
        rb.drained = false;
        if (!(got = flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL)))
            assert_int_equal (errno, EAGAIN);
        assert_true (rb.alloc <= size);
    }
    assert_non_null (got);
    assert_same (msg, got);
    flux_msg_destroy (got);
    flux_msg_rbuf_clean (&rb);

    memcpy (hdr, "\xff\xee\x00\x12", 4); // RFC byte order: not ours
    assert_int_equal (write (fds[0], hdr, 16), 16);
    errno = 0;
    assert_null (flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL));
    assert_int_equal (errno, EPROTO);
    flux_msg_rbuf_clean (&rb);
    flux_msg_destroy (msg);
    free (frame);
    close (fds[0]);
    close (fds[1]);
}

/* The send buffer: frames added together leave in one write and read
 * back the same, in order; on a full socket the rest is kept, and a
 * later call finishes it and gives the memory back.
 */
static void test_wbuf (void **state)
{
    (void)state;
    int fds[2];
    flux_msg_t *msgs[3] = { make_msg (10, 3), make_msg (300, 30),
                            make_msg (0, 1) };
    flux_msg_t *big = make_msg (1000000, 5);
    struct flux_msg_wbuf wb;
    struct flux_msg_rbuf rb;
    flux_msg_t *got = NULL;
    size_t expected = 0;

    pair (fds, true);
    flux_msg_wbuf_init (&wb);
    flux_msg_rbuf_init (&rb);
    for (int i = 0; i < 3; i++) {
        assert_int_equal (flux_msg_wbuf_add (&wb, msgs[i]), 0);
        expected += 8 + flux_msg_encode_size (msgs[i]);
    }
    assert_int_equal (wb.tail, expected);
    assert_int_equal (flux_msg_wbuf_write (fds[0], &wb), 0);
    assert_null (wb.buf);
    for (int i = 0; i < 3; i++) {
        recv_same (fds[1], &rb, SIZE_MAX, msgs[i]);
    }

    /* 1 MB does not fit the socket: EAGAIN, the rest kept. */
    assert_int_equal (flux_msg_wbuf_add (&wb, big), 0);
    errno = 0;
    assert_int_equal (flux_msg_wbuf_write (fds[0], &wb), -1);
    assert_int_equal (errno, EAGAIN);
    assert_true (wb.head > 0 && wb.head < wb.tail);
    got = NULL;
    while (!got) {
        rb.drained = false;
        if (!(got = flux_msg_rbuf_recv (fds[1], &rb, SIZE_MAX, NULL))) {
            assert_int_equal (errno, EAGAIN);
            if (flux_msg_wbuf_write (fds[0], &wb) < 0)
                assert_int_equal (errno, EAGAIN);
        }
    }
    assert_same (big, got);
    flux_msg_destroy (got);
    assert_null (wb.buf);

    assert_int_equal (flux_msg_wbuf_add (&wb, NULL), -1);
    assert_int_equal (errno, EINVAL);
    flux_msg_wbuf_clean (&wb);
    flux_msg_rbuf_clean (&rb);
    for (int i = 0; i < 3; i++)
        flux_msg_destroy (msgs[i]);
    flux_msg_destroy (big);
    close (fds[0]);
    close (fds[1]);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_roundtrip_blocking),
        cmocka_unit_test (test_wire_format),
        cmocka_unit_test (test_partial_nonblocking),
        cmocka_unit_test (test_partial_read),
        cmocka_unit_test (test_noiobuf_nonblocking),
        cmocka_unit_test (test_eof),
        cmocka_unit_test (test_bad_frames),
        cmocka_unit_test (test_reuse_after_error),
        cmocka_unit_test (test_pipe),
        cmocka_unit_test (test_recvfd_max),
        cmocka_unit_test (test_length_not_trusted),
        cmocka_unit_test (test_rbuf_many_frames),
        cmocka_unit_test (test_rbuf_split),
        cmocka_unit_test (test_rbuf_over_limit_after_frames),
        cmocka_unit_test (test_rbuf_eof_with_bytes_buffered),
        cmocka_unit_test (test_rbuf_large_and_bad),
        cmocka_unit_test (test_wbuf),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
