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

int flux_request_decode (const flux_msg_t *msg, const char **topic,
                         const char **s)
{
    return message_decode_string (msg, FLUX_MSGTYPE_REQUEST, topic, s);
}

int flux_request_unpack (const flux_msg_t *msg, const char **topic,
                         const char *fmt, ...)
{
    va_list ap;
    const char *ts;
    int rc;

    if (message_check_decode (msg, FLUX_MSGTYPE_REQUEST, &ts) < 0)
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
    return message_decode_raw (msg, FLUX_MSGTYPE_REQUEST, topic, data, len);
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
