/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* TOML to JSON: a C interface to the toml++ parser.
 *
 * A TOML document becomes a JSON object with flux-core's mapping:
 * tables are objects, arrays are arrays, strings, integers, floats and
 * booleans are themselves, and an offset or local date-time is the
 * object {"iso-8601-ts": "YYYY-MM-DDTHH:MM:SSZ"} (UTC, whole seconds).
 * A value JSON cannot hold (a local date or time alone, nan, inf, a
 * date-time before 1970) is an error naming its line.
 */
#ifndef LIBUTIL_TOMLJSON_H
#define LIBUTIL_TOMLJSON_H

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tomljson_error {
    char filename[1024];    /* "" when parsing a string */
    int line;               /* 1-based, -1 if the error has no place */
    int column;             /* 1-based, -1 if unknown */
    char text[256];         /* the reason, without file or line */
};

/* Parse the file at 'path' (a string of 'len' bytes) into a new JSON
 * object (one reference).  NULL on failure with errno (the file's for
 * an unreadable file, EINVAL for bad TOML, ENOMEM) and, if error is
 * non-NULL, the place and reason filled in.
 */
json_t *tomljson_parse_file (const char *path, struct tomljson_error *error);
json_t *tomljson_parse_string (const char *s, size_t len,
                               struct tomljson_error *error);

#ifdef __cplusplus
}
#endif

#endif /* !LIBUTIL_TOMLJSON_H */
