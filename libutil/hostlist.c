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

/* The maximum number of hosts one range may expand to. */
#define MAX_RANGE 1000000

static int parse_uint (const char *s, size_t len, unsigned long *vp)
{
    unsigned long v = 0;

    if (len == 0 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *vp = v;
    return 0;
}

/* Append PREFIX<number>SUFFIX for each number of one range "LO[-HI]". */
static int expand_range (json_t *hosts,
                         const char *prefix, size_t prefix_len,
                         const char *range, size_t range_len,
                         const char *suffix, size_t suffix_len)
{
    const char *dash = memchr (range, '-', range_len);
    size_t lo_len = dash ? (size_t)(dash - range) : range_len;
    unsigned long lo, hi;
    int width;
    char *name;

    if (parse_uint (range, lo_len, &lo) < 0)
        return -1;
    if (dash) {
        if (parse_uint (dash + 1, range_len - lo_len - 1, &hi) < 0)
            return -1;
    }
    else
        hi = lo;
    if (hi < lo || hi - lo >= MAX_RANGE)
        return -1;
    width = (lo_len > 1 && range[0] == '0') ? (int)lo_len : 0;
    for (unsigned long n = lo; n <= hi; n++) {
        if (asprintf (&name, "%.*s%0*lu%.*s",
                      (int)prefix_len, prefix,
                      width, n,
                      (int)suffix_len, suffix) < 0)
            return -1;
        if (json_array_append_new (hosts, json_string (name)) < 0) {
            free (name);
            return -1;
        }
        free (name);
    }
    return 0;
}

/* One term: NAME or PREFIX[RANGES]SUFFIX. */
static int expand_term (json_t *hosts, const char *s, size_t len)
{
    const char *open = memchr (s, '[', len);
    const char *close;
    const char *r;
    const char *end;

    if (len == 0)
        return -1;
    if (!open) {
        if (memchr (s, ']', len))
            return -1;
        char *name = strndup (s, len);
        if (!name || json_array_append_new (hosts, json_string (name)) < 0) {
            free (name);
            return -1;
        }
        free (name);
        return 0;
    }
    if (!(close = memchr (open, ']', len - (size_t)(open - s)))
        || close == open + 1
        || memchr (close + 1, '[', len - (size_t)(close + 1 - s))
        || memchr (close + 1, ']', len - (size_t)(close + 1 - s)))
        return -1;
    for (r = open + 1; r < close; r = end + 1) {
        if (!(end = memchr (r, ',', (size_t)(close - r))))
            end = close;
        if (expand_range (hosts,
                          s, (size_t)(open - s),
                          r, (size_t)(end - r),
                          close + 1, len - (size_t)(close + 1 - s)) < 0)
            return -1;
    }
    return 0;
}

json_t *hostlist_decode (const char *s)
{
    json_t *hosts;
    const char *term = s;
    const char *p;
    int depth = 0;

    if (!s) {
        errno = EINVAL;
        return NULL;
    }
    if (!(hosts = json_array ()))
        return NULL;
    if (*s == '\0')
        return hosts;
    for (p = s; ; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        if ((*p == ',' && depth == 0) || *p == '\0') {
            if (depth != 0 || expand_term (hosts, term, (size_t)(p - term)) < 0)
                goto error;
            if (*p == '\0')
                break;
            term = p + 1;
        }
    }
    return hosts;
error:
    json_decref (hosts);
    errno = EINVAL;
    return NULL;
}
