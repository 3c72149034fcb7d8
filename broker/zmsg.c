/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* zmsg.c: Flux messages on ZeroMQ sockets, one part per frame.
 *
 * The parts are exactly the frames of flux_msg_encode() (RFC 3: each is
 * a size, one byte or 0xff and four big-endian bytes, then its bytes),
 * so a message is encoded once into a buffer and sent a part at a time,
 * and a received message is put back into that form for
 * flux_msg_decode(), which checks it as it checks one read from a
 * socket.  Each costs one copy of the message; the messages between
 * brokers are small next to what a copy costs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "zmsg.h"

/* Messages this small are encoded on the stack. */
#define ZMSG_STACK_SIZE 1024

/* The part at buf[*off], advancing *off; the encoder made buf, so the
 * sizes are right.
 */
static const uint8_t *next_part (const uint8_t *buf, size_t *off,
                                 size_t *len)
{
    size_t o = *off;
    size_t n = buf[o++];

    if (n == 0xff) {
        n = (size_t)buf[o] << 24 | (size_t)buf[o + 1] << 16
            | (size_t)buf[o + 2] << 8 | (size_t)buf[o + 3];
        o += 4;
    }
    *len = n;
    *off = o + n;
    return buf + o;
}

int zmsg_send (void *sock, const flux_msg_t *msg)
{
    uint8_t fixed[ZMSG_STACK_SIZE];
    uint8_t *buf = fixed;
    ssize_t size;
    size_t off = 0;
    int rc = -1;

    if (!sock || (size = flux_msg_encode_size (msg)) < 0) {
        errno = EINVAL;
        return -1;
    }
    if (size > (ssize_t)sizeof (fixed) && !(buf = malloc (size)))
        return -1;
    if (flux_msg_encode (msg, buf, size) < 0)
        goto done;
    while (off < (size_t)size) {
        size_t len;
        const uint8_t *part = next_part (buf, &off, &len);
        int flags = ZMQ_DONTWAIT | (off < (size_t)size ? ZMQ_SNDMORE : 0);
        if (zmq_send (sock, part, len, flags) < 0)
            goto done;
    }
    rc = 0;
done:
    if (buf != fixed) {
        int saved_errno = errno;
        free (buf);
        errno = saved_errno;
    }
    return rc;
}

/* The encoded size of a part of 'len' bytes. */
static size_t part_size (size_t len)
{
    return (len < 0xff ? 1 : 5) + len;
}

flux_msg_t *zmsg_recv (void *sock)
{
    zmq_msg_t *parts = NULL;
    int nparts = 0;
    int more = 1;
    size_t size = 0;
    uint8_t *buf = NULL;
    flux_msg_t *msg = NULL;

    while (more) {
        zmq_msg_t *p;
        size_t sz = sizeof (more);
        if (!(p = realloc (parts, (nparts + 1) * sizeof (*p))))
            goto error;
        parts = p;
        zmq_msg_init (&parts[nparts]);
        if (zmq_msg_recv (&parts[nparts], sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&parts[nparts]);
            /* N.B. the parts of a message arrive together: only the
             * first can be missing.
             */
            goto error;
        }
        size += part_size (zmq_msg_size (&parts[nparts]));
        nparts++;
        if (zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &sz) < 0)
            goto error;
    }
    if (size > UINT32_MAX) {
        errno = EPROTO;
        goto error;
    }
    if (!(buf = malloc (size)))
        goto error;
    uint8_t *q = buf;
    for (int i = 0; i < nparts; i++) {
        size_t len = zmq_msg_size (&parts[i]);
        if (len < 0xff)
            *q++ = len;
        else {
            *q++ = 0xff;
            *q++ = len >> 24;
            *q++ = len >> 16;
            *q++ = len >> 8;
            *q++ = len;
        }
        memcpy (q, zmq_msg_data (&parts[i]), len);
        q += len;
    }
    msg = flux_msg_decode (buf, size);
error:
    {
        int saved_errno = errno;
        for (int i = 0; i < nparts; i++)
            zmq_msg_close (&parts[i]);
        free (parts);
        free (buf);
        errno = saved_errno;
    }
    return msg;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
