/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* ioencode.c: pieces of a stream as JSON (see ioencode.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "ioencode.h"

json_t *ioencode (const char *stream, const char *rank, const void *data,
                  size_t len, bool eof)
{
    json_t *io;

    if (!(io = json_pack ("{s:s s:s}", "stream", stream, "rank", rank)))
        goto nomem;
    if (data && len > 0) {
        json_t *s = json_stringn (data, len);
        if (!s) {
            char *b64 = base64_encode (data, len);
            if (!b64 || json_object_set_new (io, "encoding",
                                             json_string ("base64")) < 0) {
                free (b64);
                goto nomem;
            }
            s = json_string (b64);
            free (b64);
        }
        if (json_object_set_new (io, "data", s) < 0)
            goto nomem;
    }
    if (eof && json_object_set_new (io, "eof", json_true ()) < 0)
        goto nomem;
    return io;
nomem:
    json_decref (io);
    errno = ENOMEM;
    return NULL;
}

int iodecode (json_t *io, const char **stream, char **data, size_t *len,
              bool *eof)
{
    const char *s, *rank, *d = NULL, *encoding = NULL;
    int e = 0;

    if (json_unpack (io, "{s:s s:s s?s s?s s?b}", "stream", &s,
                     "rank", &rank, "data", &d, "encoding", &encoding,
                     "eof", &e) < 0
        || (!d && !e)) {
        errno = EPROTO;
        return -1;
    }
    *data = NULL;
    *len = 0;
    if (d && encoding && !strcmp (encoding, "base64")) {
        if (!(*data = base64_decode (d, len))) {
            errno = EPROTO;
            return -1;
        }
    }
    else if (d) {
        if (!(*data = strdup (d)))
            return -1;
        *len = strlen (d);
    }
    *stream = s;
    *eof = e;
    return 0;
}
