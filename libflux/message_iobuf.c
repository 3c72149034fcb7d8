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
 * Reads never go past the end of the current frame, so no bytes of the
 * next frame need to be kept between calls.
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

static int frame_encode (const flux_msg_t *msg, struct flux_msg_iobuf *iobuf)
{
    uint32_t magic = MESSAGE_IOBUF_MAGIC;
    ssize_t len;
    size_t total;
    uint8_t *buf;

    if ((len = flux_msg_encode_size (msg)) < 0)
        return -1;
    if ((size_t)len > MESSAGE_MAX_ENCODED_SIZE) {
        errno = EMSGSIZE;
        return -1;
    }
    total = MESSAGE_IOBUF_HEADER_SIZE + len;
    if (total <= sizeof (iobuf->buf_fixed))
        buf = iobuf->buf_fixed;
    else if (!(buf = malloc (total)))
        return -1;
    memcpy (buf, &magic, 4);
    buf[4] = (uint32_t)len >> 24;
    buf[5] = (uint32_t)len >> 16;
    buf[6] = (uint32_t)len >> 8;
    buf[7] = (uint32_t)len;
    if (flux_msg_encode (msg, buf + MESSAGE_IOBUF_HEADER_SIZE, len) < 0) {
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
static int header_parse (struct flux_msg_iobuf *io, size_t max,
                         size_t *lenp)
{
    uint32_t magic;
    uint32_t len;
    size_t total;

    memcpy (&magic, io->buf, 4);
    len = (uint32_t)io->buf[4] << 24 | (uint32_t)io->buf[5] << 16
        | (uint32_t)io->buf[6] << 8 | (uint32_t)io->buf[7];
    /* The smallest message is a lone PROTO part: 1 + 20 bytes. */
    if (magic != MESSAGE_IOBUF_MAGIC
        || len < 1 + FLUX_MSG_PROTO_SIZE
        || len > MESSAGE_MAX_ENCODED_SIZE) {
        errno = EPROTO;
        return -1;
    }
    /* The caller's limit, checked before a byte of the body is read. */
    if (len > max) {
        if (lenp)
            *lenp = len;
        errno = EMSGSIZE;
        return -1;
    }
    total = MESSAGE_IOBUF_HEADER_SIZE + (size_t)len;
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

// vi:ts=4 sw=4 expandtab
