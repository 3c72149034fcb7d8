/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* hostlist.c: names into RFC 29's compressed form (see hostlist.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist.h"

struct name {
    const char *s;
    size_t prefix;      /* length before the trailing digits */
    size_t digits;      /* number of trailing digits (0: none) */
    unsigned long n;
};

static void split (const char *s, struct name *nm)
{
    size_t len = strlen (s);
    size_t i = len;

    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    nm->s = s;
    nm->prefix = i;
    nm->digits = len - i;
    /* N.B. a number too long to hold stays part of the name. */
    if (nm->digits == 0 || nm->digits > 9)
        nm->digits = 0, nm->prefix = len;
    nm->n = nm->digits ? strtoul (s + i, NULL, 10) : 0;
}

/* b follows a in a range: same prefix, same width, one more. */
static bool follows (const struct name *a, const struct name *b)
{
    return a->digits && b->digits && a->prefix == b->prefix
           && !strncmp (a->s, b->s, a->prefix) && b->n == a->n + 1
           && (b->digits == a->digits
               || (a->s[a->prefix] != '0' && b->s[b->prefix] != '0'));
}

static int append (char **buf, size_t *len, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int append (char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start (ap, fmt);
    n = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (n < 0)
        return -1;
    char *nb = realloc (*buf, *len + n + 1);
    if (!nb) {
        free (s);
        return -1;
    }
    memcpy (nb + *len, s, n + 1);
    *buf = nb;
    *len += n;
    free (s);
    return 0;
}

char *hostlist_encode (json_t *hosts)
{
    size_t count = json_array_size (hosts);
    struct name *names;
    char *buf = NULL;
    size_t len = 0;

    if (!json_is_array (hosts)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(names = calloc (count + 1, sizeof (names[0]))))
        return NULL;
    for (size_t i = 0; i < count; i++) {
        const char *s = json_string_value (json_array_get (hosts, i));
        if (!s) {
            free (names);
            errno = EINVAL;
            return NULL;
        }
        split (s, &names[i]);
    }
    if (!(buf = strdup ("")))
        goto error;
    for (size_t i = 0; i < count; ) {
        size_t j = i;
        while (j + 1 < count && follows (&names[j], &names[j + 1]))
            j++;
        const char *sep = i ? "," : "";
        const struct name *a = &names[i], *b = &names[j];
        int rc;
        if (j == i)
            rc = append (&buf, &len, "%s%s", sep, a->s);
        else
            rc = append (&buf, &len, "%s%.*s[%s-%s]", sep, (int)a->prefix,
                         a->s, a->s + a->prefix, b->s + b->prefix);
        if (rc < 0)
            goto error;
        i = j + 1;
    }
    free (names);
    return buf;
error:
    free (names);
    free (buf);
    errno = ENOMEM;
    return NULL;
}
