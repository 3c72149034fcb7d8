/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Dotted paths into JSON objects (see jpath.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jpath.h"

/* The next component of *pathp (copied into a new string the caller
 * frees), advancing *pathp past it and its dot; *last says whether it
 * was the final one.  NULL with errno EINVAL for an empty component.
 */
static char *next_component (const char **pathp, int *last)
{
    const char *p = *pathp;
    const char *dot = strchr (p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen (p);
    char *s;

    if (len == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (!(s = strndup (p, len)))
        return NULL;
    *last = !dot;
    *pathp = dot ? dot + 1 : p + len;
    return s;
}

json_t *jpath_get (json_t *o, const char *path)
{
    int last = 0;

    if (!o || !path) {
        errno = EINVAL;
        return NULL;
    }
    while (!last) {
        char *key;
        if (!(key = next_component (&path, &last)))
            return NULL;
        o = json_is_object (o) ? json_object_get (o, key) : NULL;
        free (key);
        if (!o) {
            errno = ENOENT;
            return NULL;
        }
    }
    return o;
}

int jpath_set_new (json_t *o, const char *path, json_t *val)
{
    int last = 0;

    if (!o || !path || !val || !json_is_object (o)) {
        errno = EINVAL;
        goto error;
    }
    while (1) {
        char *key;
        json_t *next;
        if (!(key = next_component (&path, &last)))
            goto error;
        if (last) {
            int rc = json_object_set_new (o, key, val);
            free (key);
            if (rc < 0) {
                errno = ENOMEM;
                return -1;
            }
            return 0;
        }
        if (!json_is_object ((next = json_object_get (o, key)))) {
            if (!(next = json_object ())
                || json_object_set_new (o, key, next) < 0) {
                free (key);
                errno = ENOMEM;
                goto error;
            }
        }
        free (key);
        o = next;
    }
error:
    json_decref (val);
    return -1;
}

int jpath_del (json_t *o, const char *path)
{
    int last = 0;

    if (!o || !path) {
        errno = EINVAL;
        return -1;
    }
    while (1) {
        char *key;
        if (!(key = next_component (&path, &last)))
            return -1;
        if (last) {
            if (json_is_object (o))
                (void)json_object_del (o, key);
            free (key);
            return 0;
        }
        o = json_is_object (o) ? json_object_get (o, key) : NULL;
        free (key);
        if (!o)
            return 0;
    }
}

int jpath_merge (json_t *dst, json_t *src)
{
    const char *key;
    json_t *val;

    if (!json_is_object (dst) || !json_is_object (src)) {
        errno = EINVAL;
        return -1;
    }
    json_object_foreach (src, key, val) {
        json_t *old = json_object_get (dst, key);
        if (json_is_object (val) && json_is_object (old)) {
            if (jpath_merge (old, val) < 0)
                return -1;
        }
        else if (json_is_object (val)) {
            /* N.B. a copy, so a later merge into dst never reaches
             * into src.
             */
            if (json_object_set_new (dst, key, json_deep_copy (val)) < 0)
                goto nomem;
        }
        else if (json_object_set (dst, key, val) < 0)
            goto nomem;
    }
    return 0;
nomem:
    errno = ENOMEM;
    return -1;
}
