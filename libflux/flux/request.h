/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef FLUX_REQUEST_H
#define FLUX_REQUEST_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decode a request.  Return 0, or -1 with errno EINVAL (NULL msg;
 * unpack: a NULL or empty fmt) or EPROTO (msg is not a request, has no
 * topic, a payload that is not a string for decode; for unpack no JSON
 * payload, or one that does not match fmt).  topic, s, data and len
 * may be NULL; *s is NULL when there is no payload.  What they set is
 * owned by msg.
 */
int flux_request_decode (const flux_msg_t *msg, const char **topic,
                         const char **s);
int flux_request_unpack (const flux_msg_t *msg, const char **topic,
                         const char *fmt, ...);
int flux_request_decode_raw (const flux_msg_t *msg, const char **topic,
                             const void **data, size_t *len);

/* Encode a request with a string (or raw) payload (NULL: none), routed
 * with an empty route stack, nodeid ANY.  Returns it (caller destroys),
 * or NULL with errno EINVAL (NULL topic) or ENOMEM.
 */
flux_msg_t *flux_request_encode (const char *topic, const char *s);
flux_msg_t *flux_request_encode_raw (const char *topic, const void *data,
                                     size_t len);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_REQUEST_H */
