/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Message internals shared between libflux files (not installed). */
#ifndef FLUX_MESSAGE_PRIVATE_H
#define FLUX_MESSAGE_PRIVATE_H

#include "flux/message.h"

/* Largest encoded message (the sum of its parts with their size fields)
 * that flux_msg_recvfd accepts: a guard against a corrupt or hostile
 * length allocating gigabytes.
 */
#define MESSAGE_MAX_ENCODED_SIZE (1024u * 1024u * 1024u)

/* Size of the socket frame header: magic then big-endian length. */
#define MESSAGE_IOBUF_HEADER_SIZE 8
#define MESSAGE_IOBUF_MAGIC 0xffee0012u

/* Destroy every aux item of 'msg' (their destructors run).  Used when a
 * message moves to another thread, where the items' owners do not live.
 * Preserves errno.
 */
void message_aux_clear (flux_msg_t *msg);

/* The encoders of requests, responses and events (request.c,
 * response.c, event.c) build a message in two steps:
 * message_create_topic() makes a message of 'type' with 'topic' (NULL:
 * EINVAL), with the ROUTE flag set on an empty stack if 'routed' (how
 * flux-core's clients send requests and events); message_fill_string()
 * or message_fill_raw() then adds the payload (s NULL, or data NULL with
 * len 0: none).  The fill functions take over 'msg': on failure they
 * destroy it and return NULL, and they pass a NULL msg through, so an
 * encoder is one expression.  Caller destroys what they return.
 */
flux_msg_t *message_create_topic (int type, const char *topic, bool routed);
flux_msg_t *message_fill_string (flux_msg_t *msg, const char *s);
flux_msg_t *message_fill_raw (flux_msg_t *msg, const void *data, size_t len);

/* The decoders of requests, responses and events share these.
 * message_check_decode() fails with EINVAL for a NULL msg, EPROTO if msg
 * is not of 'type', for a response with its errnum as errno if it is an
 * error response, and EPROTO if it has no topic; else sets *topic (may
 * be NULL).  message_decode_string() then gets the string payload (*s
 * NULL if none, EPROTO if not a string), message_decode_raw() the raw
 * payload (EINVAL if data or len is NULL; NULL/0 if none).  What they
 * return is owned by msg.
 */
int message_check_decode (const flux_msg_t *msg, int type, const char **topic);
int message_decode_string (const flux_msg_t *msg, int type,
                           const char **topic, const char **s);
int message_decode_raw (const flux_msg_t *msg, int type, const char **topic,
                        const void **data, size_t *len);

#endif /* !FLUX_MESSAGE_PRIVATE_H */
