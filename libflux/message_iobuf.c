/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Messages on a byte stream (flux-core librouter/sendfd.c).
 *
 * A frame is an 8-byte header, then the flux_msg_encode() bytes:
 *
 *   magic  4 bytes  0xffee0012 stored as a *native* uint32_t
 *   length 4 bytes  big-endian size of the encoded message
 *
 * N.B. the magic's byte order: RFC 3 says FF EE 00 12, but flux-core's
 * code writes the magic with memcpy of a host uint32_t, so on x86-64 the
 * bytes are 12 00 EE FF, and that is what the captured flux-core streams
 * in t/vectors show.  We copy the code, not the RFC: a flux-core
 * client must be able to talk to our broker and vice versa.  (Both ends
 * of a connection are on the same host, so native order is consistent.)
 *
 * Non-blocking fds: a frame may be written or read in pieces.  The
 * struct flux_msg_iobuf carries the partial state between calls: on
 * EAGAIN the caller waits for the fd and calls again (with the same
 * message for send).  Frames up to 4 KiB use the iobuf's fixed buffer;
 * larger ones a heap buffer, released when the frame completes or fails.
 * On receive that buffer starts at 64 KiB and doubles as bytes arrive,
 * up to the frame's length: the length field is the peer's word, and
 * eight bytes claiming 1 GiB must not make us reserve 1 GiB.
 * With iobuf == NULL a call that has started a frame finishes it, waiting
 * with poll() if it must, so a frame is never left half-written.
 *
 * recvfd's reads never go past the end of the current frame, so no
 * bytes of the next frame need to be kept between calls.  The receive
 * buffer at the end of this file (flux_msg_rbuf_*) reads ahead instead,
 * and keeps what it read of the next frames: the broker and the local
 * connector read with it.
 */

#if HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "flux/message.h"
#include "message_private.h"

void flux_msg_iobuf_init (struct flux_msg_iobuf *iobuf)
{
    if (iobuf) {
        iobuf->buf = NULL;
        iobuf->size = 0;
        iobuf->done = 0;
        iobuf->alloc = 0;
    }
}

void flux_msg_iobuf_clean (struct flux_msg_iobuf *iobuf)
{
    if (iobuf) {
        if (iobuf->buf && iobuf->buf != iobuf->buf_fixed)
            free (iobuf->buf);
        flux_msg_iobuf_init (iobuf);
    }
}

/* Wait for 'events' on fd (only used when the caller gave no iobuf). */
static int wait_fd (int fd, short events)
{
    struct pollfd pfd = { .fd = fd, .events = events };
    int rc;

    do {
        rc = poll (&pfd, 1, -1);
    } while (rc < 0 && errno == EINTR);
    return rc < 0 ? -1 : 0;
}

/* write(2), but without SIGPIPE on a socket whose peer has gone: the
 * broker must survive a client that disconnects mid-send.
 */
static ssize_t write_nosig (int fd, const void *buf, size_t len)
{
    ssize_t n = send (fd, buf, len, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK)
        n = write (fd, buf, len);
    return n;
}

/* The encoded size of msg, or -1 with errno EMSGSIZE if it is more
 * than a frame may carry.
 */
static ssize_t frame_len (const flux_msg_t *msg)
{
    ssize_t len;

    if ((len = flux_msg_encode_size (msg)) < 0)
        return -1;
    if ((size_t)len > MESSAGE_MAX_ENCODED_SIZE) {
        errno = EMSGSIZE;
        return -1;
    }
    return len;
}

/* Write the frame of msg, whose encoded size is len, at buf (which has
 * room for the header and len bytes).
 */
static int frame_write (const flux_msg_t *msg, size_t len, uint8_t *buf)
{
    uint32_t magic = MESSAGE_IOBUF_MAGIC;

    memcpy (buf, &magic, 4);
    buf[4] = (uint32_t)len >> 24;
    buf[5] = (uint32_t)len >> 16;
    buf[6] = (uint32_t)len >> 8;
    buf[7] = (uint32_t)len;
    return flux_msg_encode (msg, buf + MESSAGE_IOBUF_HEADER_SIZE, len);
}

static int frame_encode (const flux_msg_t *msg, struct flux_msg_iobuf *iobuf)
{
    ssize_t len;
    size_t total;
    uint8_t *buf;

    if ((len = frame_len (msg)) < 0)
        return -1;
    total = MESSAGE_IOBUF_HEADER_SIZE + len;
    if (total <= sizeof (iobuf->buf_fixed))
        buf = iobuf->buf_fixed;
    else if (!(buf = malloc (total)))
        return -1;
    if (frame_write (msg, len, buf) < 0) {
        int saved_errno = errno;
        if (buf != iobuf->buf_fixed)
            free (buf);
        errno = saved_errno;
        return -1;
    }
    iobuf->buf = buf;
    iobuf->size = total;
    iobuf->done = 0;
    iobuf->alloc = buf == iobuf->buf_fixed ? sizeof (iobuf->buf_fixed) : total;
    return 0;
}

int flux_msg_sendfd (int fd, const flux_msg_t *msg,
                     struct flux_msg_iobuf *iobuf)
{
    struct flux_msg_iobuf local;
    struct flux_msg_iobuf *io = iobuf ? iobuf : &local;

    if (fd < 0 || !msg) {
        errno = EINVAL;
        return -1;
    }
    if (!iobuf)
        flux_msg_iobuf_init (&local);
    if (!io->buf) {
        if (frame_encode (msg, io) < 0)
            return -1;
    }
    while (io->done < io->size) {
        ssize_t n = write_nosig (fd, io->buf + io->done, io->size - io->done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                if (iobuf)
                    return -1; // partial state kept for the next call
                if (wait_fd (fd, POLLOUT) == 0)
                    continue;
            }
            goto error;
        }
        io->done += n;
    }
    flux_msg_iobuf_clean (io);
    return 0;
error:
    {
        int saved_errno = errno;
        flux_msg_iobuf_clean (io);
        errno = saved_errno;
    }
    return -1;
}

/* First size of a receive buffer for a frame over the fixed buffer.
 * (The framing fuzzer builds with a smaller one, so that its inputs of
 * a few KiB reach recv_grow.)
 */
#ifndef RECV_INITIAL_ALLOC
#define RECV_INITIAL_ALLOC (64u * 1024u)
#endif

/* Check a complete header; on success set the iobuf to read the whole
 * frame, moving to a heap buffer if it does not fit the fixed one (of
 * RECV_INITIAL_ALLOC at most: recv_grow makes room as bytes arrive).
 */
/* Check the 8-byte header at p: the length of the message it announces
 * in *lenp, or -1 with errno EPROTO (bad magic or length) or EMSGSIZE
 * (over the caller's 'max', *lenp set too).
 */
static int header_check (const uint8_t *p, size_t max, size_t *lenp)
{
    uint32_t magic;
    uint32_t len;

    memcpy (&magic, p, 4);
    len = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16
        | (uint32_t)p[6] << 8 | (uint32_t)p[7];
    /* The smallest message is a lone PROTO part: 1 + 20 bytes. */
    if (magic != MESSAGE_IOBUF_MAGIC
        || len < 1 + FLUX_MSG_PROTO_SIZE
        || len > MESSAGE_MAX_ENCODED_SIZE) {
        errno = EPROTO;
        return -1;
    }
    *lenp = len;
    /* The caller's limit, checked before a buffer for the body exists. */
    if (len > max) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

static int header_parse (struct flux_msg_iobuf *io, size_t max,
                         size_t *lenp)
{
    size_t len;
    size_t total;

    if (header_check (io->buf, max, &len) < 0) {
        if (errno == EMSGSIZE && lenp)
            *lenp = len;
        return -1;
    }
    total = MESSAGE_IOBUF_HEADER_SIZE + len;
    if (total > sizeof (io->buf_fixed)) {
        size_t alloc = total < RECV_INITIAL_ALLOC ? total : RECV_INITIAL_ALLOC;
        uint8_t *buf;
        if (!(buf = malloc (alloc)))
            return -1;
        memcpy (buf, io->buf, MESSAGE_IOBUF_HEADER_SIZE);
        io->buf = buf;
        io->alloc = alloc;
    }
    io->size = total;
    return 0;
}

/* The buffer is full but the frame is not: double it (up to the frame's
 * size), so what is allocated stays within twice what was received.
 */
static int recv_grow (struct flux_msg_iobuf *io)
{
    size_t alloc = io->alloc * 2;
    uint8_t *buf;

    if (alloc > io->size)
        alloc = io->size;
    if (!(buf = realloc (io->buf, alloc)))
        return -1;
    io->buf = buf;
    io->alloc = alloc;
    return 0;
}

flux_msg_t *flux_msg_recvfd (int fd, struct flux_msg_iobuf *iobuf)
{
    return flux_msg_recvfd_max (fd, iobuf, MESSAGE_MAX_ENCODED_SIZE, NULL);
}

flux_msg_t *flux_msg_recvfd_max (int fd, struct flux_msg_iobuf *iobuf,
                                 size_t max, size_t *lenp)
{
    struct flux_msg_iobuf local;
    struct flux_msg_iobuf *io = iobuf ? iobuf : &local;
    flux_msg_t *msg;

    if (fd < 0) {
        errno = EINVAL;
        return NULL;
    }
    if (!iobuf)
        flux_msg_iobuf_init (&local);
    if (!io->buf) {
        io->buf = io->buf_fixed;
        io->size = MESSAGE_IOBUF_HEADER_SIZE; // header first, then frame
        io->done = 0;
        io->alloc = sizeof (io->buf_fixed);
    }
    for (;;) {
        while (io->done < io->size) {
            size_t end = io->alloc < io->size ? io->alloc : io->size;
            ssize_t n;
            if (io->done == end) {
                if (recv_grow (io) < 0)
                    goto error;
                end = io->alloc;
            }
            n = read (fd, io->buf + io->done, end - io->done);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    /* Without an iobuf, nothing read yet means nothing
                     * lost: report EAGAIN.  Once a frame has begun,
                     * finish it.
                     */
                    if (iobuf || io->done == 0)
                        goto error;
                    if (wait_fd (fd, POLLIN) == 0)
                        continue;
                }
                goto error;
            }
            if (n == 0) {
                errno = ECONNRESET;
                goto error;
            }
            io->done += n;
        }
        if (io->size > MESSAGE_IOBUF_HEADER_SIZE)
            break;
        if (header_parse (io, max, lenp) < 0)
            goto error;
    }
    if (!(msg = flux_msg_decode (io->buf + MESSAGE_IOBUF_HEADER_SIZE,
                                 io->size - MESSAGE_IOBUF_HEADER_SIZE))) {
        if (errno != ENOMEM)
            errno = EPROTO;
        goto error;
    }
    flux_msg_iobuf_clean (io);
    return msg;
error:
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (!iobuf)
            flux_msg_iobuf_clean (io);
        return NULL; // partial state kept in iobuf
    }
    {
        int saved_errno = errno;
        flux_msg_iobuf_clean (io);
        errno = saved_errno;
    }
    return NULL;
}

/* The receive buffer (flux/message.h).  Why: a client's request used to
 * cost the broker three read() calls (header, body, and the EAGAIN that
 * ends the batch); now a batch of frames costs one, and the EAGAIN is
 * known from a short read without asking the kernel again.
 */

#ifndef RBUF_INITIAL_ALLOC
#define RBUF_INITIAL_ALLOC (16u * 1024u)
#endif

void flux_msg_rbuf_init (struct flux_msg_rbuf *rb)
{
    if (rb)
        memset (rb, 0, sizeof (*rb));
}

void flux_msg_rbuf_clean (struct flux_msg_rbuf *rb)
{
    if (rb) {
        free (rb->buf);
        flux_msg_rbuf_init (rb);
    }
}

bool flux_msg_rbuf_ready (const struct flux_msg_rbuf *rb, size_t max)
{
    size_t len;

    if (!rb || rb->tail - rb->head < MESSAGE_IOBUF_HEADER_SIZE)
        return false;
    if (header_check (rb->buf + rb->head, max, &len) < 0)
        return true; // the error is what recv returns now
    return rb->tail - rb->head >= MESSAGE_IOBUF_HEADER_SIZE + len;
}

/* Make room for one read of the frame that needs 'need' bytes in all:
 * move what is buffered to the front; when the buffer is full and the
 * frame is larger, double it (up to the frame's size).
 */
static int rbuf_room (struct flux_msg_rbuf *rb, size_t need)
{
    size_t alloc;
    uint8_t *buf;

    if (rb->head > 0) {
        memmove (rb->buf, rb->buf + rb->head, rb->tail - rb->head);
        rb->tail -= rb->head;
        rb->head = 0;
    }
    if (rb->tail < rb->alloc)
        return 0;
    if (rb->alloc == 0)
        alloc = RBUF_INITIAL_ALLOC;
    else {
        alloc = rb->alloc * 2;
        if (alloc > need)
            alloc = need;
    }
    if (!(buf = realloc (rb->buf, alloc)))
        return -1;
    rb->buf = buf;
    rb->alloc = alloc;
    return 0;
}

/* The frame at buf + off, of which 'avail' bytes are there (buf may be
 * NULL if none are): 1 with the message
 * in *msgp (caller destroys) and the frame's size in *needp; 0 if the
 * frame is not whole yet, *needp the size it will have (at least its
 * header); -1 with errno EPROTO, ENOMEM or EMSGSIZE (the size announced
 * in *lenp if lenp is not NULL).
 */
static inline int frame_take (const uint8_t *buf, size_t off,
                              size_t avail, size_t max, size_t *lenp,
                              flux_msg_t **msgp, size_t *needp)
{
    const uint8_t *p;
    size_t len;

    *needp = MESSAGE_IOBUF_HEADER_SIZE;
    if (avail < MESSAGE_IOBUF_HEADER_SIZE)
        return 0;
    p = buf + off;
    if (header_check (p, max, &len) < 0) {
        if (errno == EMSGSIZE && lenp)
            *lenp = len;
        return -1;
    }
    *needp += len;
    if (avail < *needp)
        return 0;
    if (!(*msgp = flux_msg_decode (p + MESSAGE_IOBUF_HEADER_SIZE, len))) {
        if (errno != ENOMEM)
            errno = EPROTO;
        return -1;
    }
    return 1;
}

/* One read() of up to 'size' bytes into buf: the count, or -1 with
 * errno (EAGAIN, ECONNRESET at EOF, read()'s).  A short read says the
 * fd is empty for now: rb is marked drained.
 */
static inline ssize_t rbuf_read (int fd, struct flux_msg_rbuf *rb,
                                 uint8_t *buf, size_t size)
{
    ssize_t n;

    do {
        n = read (fd, buf, size);
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        errno = ECONNRESET;
        return -1;
    }
    if (n > 0 && (size_t)n < size)
        rb->drained = true;
    return n;
}

/* rbuf_recv for a buffer that holds nothing and has no memory, the
 * state of a connection between requests: the read goes to the stack,
 * so a lone frame, the usual case, is decoded from there, and only what
 * follows it is copied into a buffer of rb's own.  Why: the 16 KiB
 * block each read used to allocate, and free once handed out, cost
 * about a tenth of the broker's instructions per request (glibc serves
 * blocks that size from its bins, not its per-thread cache, and first
 * consolidates its lists of small free chunks).
 */
static flux_msg_t *rbuf_recv_unbuffered (int fd, struct flux_msg_rbuf *rb,
                                         size_t max, size_t *lenp)
{
    uint8_t stack[RBUF_INITIAL_ALLOC];
    flux_msg_t *msg = NULL;
    size_t used = 0;
    ssize_t n;

    if ((n = rbuf_read (fd, rb, stack, sizeof (stack))) < 0)
        return NULL;
    if (frame_take (stack, 0, n, max, NULL, &msg, &used) == 1) {
        if (used == (size_t)n)
            return msg;
    }
    else
        used = 0;
    /* The rest, or a frame not whole yet (or one to refuse, which the
     * buffered path below does as ever), go to rb's own buffer.
     */
    if (!(rb->buf = malloc (RBUF_INITIAL_ALLOC))) {
        flux_msg_destroy (msg);
        return NULL;
    }
    rb->alloc = RBUF_INITIAL_ALLOC;
    memcpy (rb->buf, stack + used, n - used);
    rb->tail = n - used;
    if (msg)
        return msg;
    return flux_msg_rbuf_recv (fd, rb, max, lenp);
}

flux_msg_t *flux_msg_rbuf_recv (int fd, struct flux_msg_rbuf *rb,
                                size_t max, size_t *lenp)
{
    if (fd < 0 || !rb) {
        errno = EINVAL;
        return NULL;
    }
    for (;;) {
        flux_msg_t *msg;
        size_t need;
        ssize_t n;
        int rc;

        rc = frame_take (rb->buf, rb->head, rb->tail - rb->head, max, lenp,
                         &msg, &need);
        if (rc < 0)
            return NULL;
        if (rc == 1) {
            rb->head += need;
            /* Nothing left, nothing waiting: give the memory back (an
             * idle connection holds no buffer).
             */
            if (rb->head == rb->tail && rb->drained) {
                free (rb->buf);
                rb->buf = NULL;
                rb->alloc = rb->head = rb->tail = 0;
            }
            return msg;
        }
        if (rb->drained) {
            errno = EAGAIN;
            return NULL;
        }
        if (rb->alloc == 0)
            return rbuf_recv_unbuffered (fd, rb, max, lenp);
        if (rbuf_room (rb, need) < 0)
            return NULL;
        if ((n = rbuf_read (fd, rb, rb->buf + rb->tail,
                            rb->alloc - rb->tail)) < 0)
            return NULL; // EAGAIN: what is buffered stays
        rb->tail += n;
    }
}

/* The send buffer (flux/message.h).  Why: the broker wrote each answer
 * to a client with its own send(); with many requests in flight, the
 * answers of one reactor turn now leave together.
 */

void flux_msg_wbuf_init (struct flux_msg_wbuf *wb)
{
    if (wb)
        memset (wb, 0, sizeof (*wb));
}

void flux_msg_wbuf_clean (struct flux_msg_wbuf *wb)
{
    if (wb) {
        free (wb->buf);
        flux_msg_wbuf_init (wb);
    }
}

int flux_msg_wbuf_add (struct flux_msg_wbuf *wb, const flux_msg_t *msg)
{
    ssize_t len;
    size_t need;

    if (!wb || !msg) {
        errno = EINVAL;
        return -1;
    }
    if ((len = frame_len (msg)) < 0)
        return -1;
    need = wb->tail + MESSAGE_IOBUF_HEADER_SIZE + len;
    if (need > wb->alloc) {
        /* Small to start: glibc's per-thread cache serves blocks up
         * to about 1 KiB, so the one answer of a turn, the usual case,
         * costs a cheap malloc and free (4 KiB went to its bins).
         */
        size_t alloc = wb->alloc ? wb->alloc : 256;
        uint8_t *buf;
        while (alloc < need)
            alloc *= 2;
        if (!(buf = realloc (wb->buf, alloc)))
            return -1;
        wb->buf = buf;
        wb->alloc = alloc;
    }
    if (frame_write (msg, len, wb->buf + wb->tail) < 0)
        return -1;
    wb->tail = need;
    return 0;
}

int flux_msg_wbuf_write (int fd, struct flux_msg_wbuf *wb)
{
    if (fd < 0 || !wb) {
        errno = EINVAL;
        return -1;
    }
    while (wb->head < wb->tail) {
        ssize_t n = write_nosig (fd, wb->buf + wb->head, wb->tail - wb->head);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1; // EAGAIN: the rest is kept
        }
        wb->head += n;
    }
    flux_msg_wbuf_clean (wb);
    return 0;
}

// vi:ts=4 sw=4 expandtab
