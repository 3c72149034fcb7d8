/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Responses are built from their request: a copy without payload that
 * keeps route stack, topic and matchtag, with type RESPONSE, creds reset
 * and errnum set.  Responding to a NORESPONSE request does nothing and
 * succeeds.
 */
#ifndef FLUX_RESPONSE_H
#define FLUX_RESPONSE_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decode a response.  An error response fails with its errnum as errno;
 * decode_error then gives its text (ENOENT if it has none).
 */
int flux_response_decode (const flux_msg_t *msg, const char **topic,
                          const char **s);
int flux_response_decode_raw (const flux_msg_t *msg, const char **topic,
                              const void **data, size_t *len);
int flux_response_decode_error (const flux_msg_t *msg, const char **errstr);

/* Caller destroys.  errnum 0 in encode_error becomes EINVAL. */
flux_msg_t *flux_response_derive (const flux_msg_t *request, int errnum);
flux_msg_t *flux_response_encode (const char *topic, const char *s);
flux_msg_t *flux_response_encode_raw (const char *topic, const void *data,
                                      size_t len);
flux_msg_t *flux_response_encode_error (const char *topic, int errnum,
                                        const char *errstr);

int flux_respond (flux_t *h, const flux_msg_t *request, const char *s);
int flux_respond_pack (flux_t *h, const flux_msg_t *request,
                       const char *fmt, ...);
int flux_respond_raw (flux_t *h, const flux_msg_t *request,
                      const void *data, size_t len);
/* errstr may be NULL (no payload).  errnum 0 becomes EINVAL. */
int flux_respond_error (flux_t *h, const flux_msg_t *request,
                        int errnum, const char *errstr);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_RESPONSE_H */
