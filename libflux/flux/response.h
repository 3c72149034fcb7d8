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

/* Decode a response.  decode and decode_raw return 0, or -1 with errno
 * EINVAL (NULL msg), EPROTO (not a response, no topic, for decode a
 * payload that is not a string), or for an error response its errnum.
 * decode_error returns 0 with *errstr set to an error response's text,
 * or -1 with errno EINVAL (NULL argument, a response that is not an
 * error), EPROTO (not a response) or ENOENT (no text).  What they set
 * is owned by msg.
 */
int flux_response_decode (const flux_msg_t *msg, const char **topic,
                          const char **s);
int flux_response_decode_raw (const flux_msg_t *msg, const char **topic,
                              const void **data, size_t *len);
int flux_response_decode_error (const flux_msg_t *msg, const char **errstr);

/* Return a new response (caller destroys), or NULL with errno EINVAL
 * (NULL request or topic, a negative errnum, derive from a message that
 * is not a request) or ENOMEM.  derive makes the response of 'request'
 * (as above); encode_* make one from a topic.  errnum 0 in encode_error
 * becomes EINVAL.
 */
flux_msg_t *flux_response_derive (const flux_msg_t *request, int errnum);
flux_msg_t *flux_response_encode (const char *topic, const char *s);
flux_msg_t *flux_response_encode_raw (const char *topic, const void *data,
                                      size_t len);
flux_msg_t *flux_response_encode_error (const char *topic, int errnum,
                                        const char *errstr);

/* Send the response to 'request' with a string, JSON or raw payload.
 * Return 0 (also for a NORESPONSE request, with nothing sent), or -1
 * with errno EINVAL (NULL h or request, not a request, a pack error)
 * or flux_send's.
 */
int flux_respond (flux_t *h, const flux_msg_t *request, const char *s);
int flux_respond_pack (flux_t *h, const flux_msg_t *request,
                       const char *fmt, ...);
int flux_respond_raw (flux_t *h, const flux_msg_t *request,
                      const void *data, size_t len);
/* errstr may be NULL (no payload).  errnum 0 becomes EINVAL.  Returns
 * as flux_respond does (EINVAL also for a negative errnum).
 */
int flux_respond_error (flux_t *h, const flux_msg_t *request,
                        int errnum, const char *errstr);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_RESPONSE_H */
