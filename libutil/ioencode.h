/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux-core's ioencode object, how the rexec protocol (RFC 42) carries a
 * piece of a stream: {"stream":s, "rank":s, "data"?:s,
 * "encoding"?:"base64", "eof"?:true}.  data is the bytes as a JSON
 * string when they are UTF-8, else base64 with "encoding":"base64".
 */
#ifndef LIBUTIL_IOENCODE_H
#define LIBUTIL_IOENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Encode len bytes of data (none if len is 0) and eof.  Caller decrefs;
 * NULL with errno on failure.
 */
json_t *ioencode (const char *stream, const char *rank, const void *data,
                  size_t len, bool eof);

/* Decode: *stream is owned by io; *data (NULL if none) is the caller's
 * to free, *len its size.  Returns 0, or -1 with errno EPROTO.
 */
int iodecode (json_t *io, const char **stream, char **data, size_t *len,
              bool *eof);

#endif /* !LIBUTIL_IOENCODE_H */
