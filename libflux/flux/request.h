/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef FLUX_REQUEST_H
#define FLUX_REQUEST_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decode a request: fails with EPROTO if msg is not a request, or
 * (decode) if a payload is present but not a string.  topic and s may be
 * NULL; *s is NULL when there is no payload.
 */
int flux_request_decode (const flux_msg_t *msg, const char **topic,
                         const char **s);
int flux_request_unpack (const flux_msg_t *msg, const char **topic,
                         const char *fmt, ...);
int flux_request_decode_raw (const flux_msg_t *msg, const char **topic,
                             const void **data, size_t *len);

/* Encode a request with a string (or raw) payload.  Caller destroys. */
flux_msg_t *flux_request_encode (const char *topic, const char *s);
flux_msg_t *flux_request_encode_raw (const char *topic, const void *data,
                                     size_t len);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_REQUEST_H */
