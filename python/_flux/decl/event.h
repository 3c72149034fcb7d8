/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/event.h (variadic pack/unpack are left out). */
#define FLUX_EVENT_PRIVATE ...

int flux_event_subscribe (flux_t *h, const char *topic);
int flux_event_unsubscribe (flux_t *h, const char *topic);
flux_msg_t *flux_event_encode (const char *topic, const char *s);
flux_msg_t *flux_event_encode_raw (const char *topic, const void *data,
                                   size_t len);
int flux_event_decode (const flux_msg_t *msg, const char **topic,
                       const char **s);
int flux_event_decode_raw (const flux_msg_t *msg, const char **topic,
                           const void **data, size_t *len);
flux_future_t *flux_event_publish (flux_t *h, const char *topic, int flags,
                                   const char *s);
flux_future_t *flux_event_publish_raw (flux_t *h, const char *topic,
                                       int flags, const void *data,
                                       size_t len);
int flux_event_publish_get_seq (flux_future_t *f, int *seq);
