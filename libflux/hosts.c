/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Ranks and hosts (flux/hosts.h).  The "hostlist" attribute is read and
 * expanded once per handle, into a JSON array of names kept in the
 * handle's aux (an immutable attribute cannot change).
 *
 * The RFC 29 forms decoded: comma-separated terms, each a name, or
 * PREFIX[RANGES]SUFFIX where RANGES is a comma-separated list of N or
 * LO-HI; a number written with a leading zero ("08") fixes the width
 * of every number of its range ("node[08-10]": node08 node09 node10).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "flux/attr.h"
#include "flux/handle.h"
#include "flux/hosts.h"
#include "flux/message.h"

#define AUX_HOSTS "flux::attr_hostlist"

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

/* Expand an RFC 29 hostlist into an array of names, or NULL. */
static json_t *hostlist_expand (const char *s)
{
    json_t *hosts;
    const char *term = s;
    const char *p;
    int depth = 0;

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
    return NULL;
}

static json_t *hosts_get (flux_t *h)
{
    json_t *hosts;
    const char *value;

    if ((hosts = flux_aux_get (h, AUX_HOSTS)))
        return hosts;
    if (!(value = flux_attr_get (h, "hostlist")))
        return NULL;
    if (!(hosts = hostlist_expand (value))) {
        errno = EINVAL;
        return NULL;
    }
    if (flux_aux_set (h, AUX_HOSTS, hosts, (flux_free_f)json_decref) < 0) {
        json_decref (hosts);
        return NULL;
    }
    return hosts;
}

const char *flux_get_hostbyrank (flux_t *h, uint32_t rank)
{
    json_t *hosts;
    json_t *o;

    if (rank == FLUX_NODEID_ANY)
        return "any";
    if (rank == FLUX_NODEID_UPSTREAM)
        return "upstream";
    if (!h || !(hosts = hosts_get (h)) || !(o = json_array_get (hosts, rank)))
        return "(null)";
    return json_string_value (o);
}

int flux_get_rankbyhost (flux_t *h, const char *host)
{
    json_t *hosts;
    json_t *o;
    size_t index;

    if (!h || !host) {
        errno = EINVAL;
        return -1;
    }
    if (!(hosts = hosts_get (h)))
        return -1;
    json_array_foreach (hosts, index, o) {
        if (!strcmp (json_string_value (o), host))
            return (int)index;
    }
    errno = ENOENT;
    return -1;
}

// vi:ts=4 sw=4 expandtab
