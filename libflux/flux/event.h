/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Events.  A subscription is a prefix match on the topic ("" matches
 * everything).
 */
#ifndef FLUX_EVENT_H
#define FLUX_EVENT_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_EVENT_PRIVATE = 1,
};

/* Synchronous RPCs to event.subscribe / event.unsubscribe.  Return 0,
 * or -1 with errno: EINVAL for a NULL handle or topic, else the RPC's
 * (the broker's errno).  With the handle flag FLUX_O_TEST_NOSUB they
 * send nothing and return 0.
 */
int flux_event_subscribe (flux_t *h, const char *topic);
int flux_event_unsubscribe (flux_t *h, const char *topic);
/* The same RPCs, asynchronous: returns a future for the response (flags are
 * flux_rpc's, e.g. FLUX_RPC_NORESPONSE), or NULL with errno (EINVAL for
 * a NULL handle or topic).  Caller destroys the future.
 */
flux_future_t *flux_event_subscribe_ex (flux_t *h, const char *topic,
                                        int flags);
flux_future_t *flux_event_unsubscribe_ex (flux_t *h, const char *topic,
                                          int flags);

/* Encode/decode event messages.  encode, encode_raw and pack return a
 * new event message (caller destroys; routed, with an empty route stack)
 * or NULL with errno EINVAL for a NULL or empty topic (or a NULL fmt,
 * or a pack error), ENOMEM.  decode, decode_raw and unpack return 0, or
 * -1 with errno EINVAL (NULL msg, or NULL fmt) or EPROTO (not an event,
 * no topic; for decode a payload that is not a string; for unpack no
 * JSON payload, or one that does not match fmt).  The topic and payload
 * they set are owned by msg.  topic, s, data and len may be NULL if not
 * wanted.
 */
flux_msg_t *flux_event_encode (const char *topic, const char *s);
flux_msg_t *flux_event_encode_raw (const char *topic, const void *data,
                                   size_t len);
flux_msg_t *flux_event_pack (const char *topic, const char *fmt, ...);
int flux_event_decode (const flux_msg_t *msg, const char **topic,
                       const char **s);
int flux_event_decode_raw (const flux_msg_t *msg, const char **topic,
                           const void **data, size_t *len);
int flux_event_unpack (const flux_msg_t *msg, const char **topic,
                       const char *fmt, ...);

/* Publish through the event.publish service.  Returns a future
 * (caller destroys) fulfilled with the sequence number, or NULL with
 * errno EINVAL for a NULL handle, a NULL or empty topic, flags other
 * than FLUX_EVENT_PRIVATE, or data NULL with len > 0 (pack: a NULL fmt
 * or a pack error).  get_seq returns 0 with *seq set (seq may be NULL),
 * or -1 with errno (EINVAL for a NULL future; else the error response's
 * errno, or EPROTO for a response without "seq").
 */
flux_future_t *flux_event_publish (flux_t *h, const char *topic, int flags,
                                   const char *s);
flux_future_t *flux_event_publish_pack (flux_t *h, const char *topic,
                                        int flags, const char *fmt, ...);
flux_future_t *flux_event_publish_raw (flux_t *h, const char *topic,
                                       int flags, const void *data,
                                       size_t len);
int flux_event_publish_get_seq (flux_future_t *f, int *seq);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_EVENT_H */
