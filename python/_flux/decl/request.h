/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/request.h (variadic unpack is left out). */
int flux_request_decode (const flux_msg_t *msg, const char **topic,
                         const char **s);
int flux_request_decode_raw (const flux_msg_t *msg, const char **topic,
                             const void **data, size_t *len);
flux_msg_t *flux_request_encode (const char *topic, const char *s);
flux_msg_t *flux_request_encode_raw (const char *topic, const void *data,
                                     size_t len);
