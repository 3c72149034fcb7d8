/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Request encoding and decoding.
 *
 * A request leaves its sender with the ROUTE flag set and an empty route
 * stack, as flux-core's clients send it (flags 0x09/0x0b with an empty
 * delimiter part in the captured frames): each hop towards the service
 * pushes its id, and the response retraces them.
 */

#if HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <stdarg.h>

#include "flux/request.h"
#include "message_private.h"

static int request_check (const flux_msg_t *msg, const char **topic)
{
    int type;
    const char *ts;

    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_get_type (msg, &type) < 0)
        return -1;
    if (type != FLUX_MSGTYPE_REQUEST) {
        errno = EPROTO;
        return -1;
    }
    if (flux_msg_get_topic (msg, &ts) < 0)
        return -1;
    if (topic)
        *topic = ts;
    return 0;
}

int flux_request_decode (const flux_msg_t *msg, const char **topic,
                         const char **s)
{
    const char *ts;
    const char *str;

    if (request_check (msg, &ts) < 0)
        return -1;
    if (flux_msg_get_string (msg, &str) < 0)
        return -1;
    if (topic)
        *topic = ts;
    if (s)
        *s = str;
    return 0;
}

int flux_request_unpack (const flux_msg_t *msg, const char **topic,
                         const char *fmt, ...)
{
    va_list ap;
    const char *ts;
    int rc;

    if (request_check (msg, &ts) < 0)
        return -1;
    va_start (ap, fmt);
    rc = flux_msg_vunpack (msg, fmt, ap);
    va_end (ap);
    if (rc < 0)
        return -1;
    if (topic)
        *topic = ts;
    return 0;
}

int flux_request_decode_raw (const flux_msg_t *msg, const char **topic,
                             const void **data, size_t *len)
{
    const char *ts;
    const void *d = NULL;
    size_t l = 0;

    if (!data || !len) {
        errno = EINVAL;
        return -1;
    }
    if (request_check (msg, &ts) < 0)
        return -1;
    if (flux_msg_has_payload (msg)
        && flux_msg_get_payload (msg, &d, &l) < 0)
        return -1;
    if (topic)
        *topic = ts;
    *data = d;
    *len = l;
    return 0;
}

flux_msg_t *flux_request_encode (const char *topic, const char *s)
{
    return message_fill_string (
        message_create_topic (FLUX_MSGTYPE_REQUEST, topic, true), s);
}

flux_msg_t *flux_request_encode_raw (const char *topic, const void *data,
                                     size_t len)
{
    return message_fill_raw (
        message_create_topic (FLUX_MSGTYPE_REQUEST, topic, true), data, len);
}

// vi:ts=4 sw=4 expandtab
