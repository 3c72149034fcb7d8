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

/* Synchronous RPCs to event.subscribe / event.unsubscribe. */
int flux_event_subscribe (flux_t *h, const char *topic);
int flux_event_unsubscribe (flux_t *h, const char *topic);
/* The same RPCs, asynchronous: a future for the response (flags are
 * flux_rpc's, e.g. FLUX_RPC_NORESPONSE), or NULL with errno (EINVAL for
 * a NULL handle or topic).  Caller destroys the future.
 */
flux_future_t *flux_event_subscribe_ex (flux_t *h, const char *topic,
                                        int flags);
flux_future_t *flux_event_unsubscribe_ex (flux_t *h, const char *topic,
                                          int flags);

/* Encode/decode event messages (caller destroys what encode returns). */
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

/* Publish through the event.publish service; the future is fulfilled
 * with the sequence number (flux_event_publish_get_seq).
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
