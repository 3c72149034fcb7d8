/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* pmi_wire.c: reading the words of a simple PMI line (see pmi_wire.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pmi_wire.h"

int pmi_wire_get (const char *line, const char *key, char *buf, size_t size)
{
    size_t klen = strlen (key);
    const char *p = line;

    while (p && *p) {
        while (*p == ' ')
            p++;
        const char *end = strchr (p, ' ');
        if (!strncmp (p, key, klen) && p[klen] == '=') {
            const char *v = p + klen + 1;
            size_t n;
            /* 'value' is last and takes the rest of the line. */
            if (!strcmp (key, "value") || !end)
                n = strlen (v);
            else
                n = end - v;
            if (n >= size) {
                errno = EOVERFLOW;
                return -1;
            }
            memcpy (buf, v, n);
            buf[n] = '\0';
            return 0;
        }
        /* Past 'value=' nothing is a word of its own. */
        if (!strncmp (p, "value=", 6))
            break;
        p = end;
    }
    errno = ENOENT;
    return -1;
}

int pmi_wire_get_int (const char *line, const char *key, int *value)
{
    char buf[32];
    char *end;
    long v;

    if (pmi_wire_get (line, key, buf, sizeof (buf)) < 0)
        return -1;
    errno = 0;
    v = strtol (buf, &end, 10);
    if (errno != 0 || end == buf || *end != '\0' || v < -2147483647L
        || v > 2147483647L) {
        errno = EINVAL;
        return -1;
    }
    *value = (int)v;
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
