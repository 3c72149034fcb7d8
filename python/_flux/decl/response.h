/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/response.h (variadic pack is left out). */
int flux_response_decode (const flux_msg_t *msg, const char **topic,
                          const char **s);
int flux_response_decode_raw (const flux_msg_t *msg, const char **topic,
                              const void **data, size_t *len);
int flux_response_decode_error (const flux_msg_t *msg, const char **errstr);
flux_msg_t *flux_response_derive (const flux_msg_t *request, int errnum);
flux_msg_t *flux_response_encode (const char *topic, const char *s);
flux_msg_t *flux_response_encode_raw (const char *topic, const void *data,
                                      size_t len);
flux_msg_t *flux_response_encode_error (const char *topic, int errnum,
                                        const char *errstr);
int flux_respond (flux_t *h, const flux_msg_t *request, const char *s);
int flux_respond_raw (flux_t *h, const flux_msg_t *request,
                      const void *data, size_t len);
int flux_respond_error (flux_t *h, const flux_msg_t *request,
                        int errnum, const char *errstr);
