/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Base64 (RFC 4648), for the places the Flux protocols carry raw bytes
 * inside JSON: event.publish payloads and RFC 11 KVS values.
 */
#ifndef FLUX_UTIL_BASE64_H
#define FLUX_UTIL_BASE64_H

#include <stddef.h>

/* Encode with the standard alphabet and padding.  Returns a NUL-terminated
 * string the caller must free, or NULL with errno set (ENOMEM, EOVERFLOW).
 */
char *base64_encode (const void *data, size_t len);

/* Decode 's', standard or URL-safe alphabet, padding optional but only at
 * the end.  Returns the bytes (followed by a NUL not counted in *len, so
 * a string value reads as a C string) which the caller must free, or NULL
 * with errno EPROTO for input that is not base64, ENOMEM, or EINVAL for
 * a NULL argument.
 */
void *base64_decode (const char *s, size_t *len);

#endif /* !FLUX_UTIL_BASE64_H */
