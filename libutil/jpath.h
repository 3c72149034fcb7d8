/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Dotted paths into JSON objects ("tbon.topo"), as flux-core's jpath:
 * for `flux config get KEY`, `--conf KEY=VAL` and merging config files.
 */
#ifndef FLUX_UTIL_JPATH_H
#define FLUX_UTIL_JPATH_H

#include <jansson.h>

/* The value at 'path' in object 'o' (borrowed), or NULL with errno
 * ENOENT (not set; a non-object on the way counts as not set) or
 * EINVAL (NULL argument, an empty path component).
 */
json_t *jpath_get (json_t *o, const char *path);

/* Set 'path' in 'o' to 'val' (the reference on val is taken, also on
 * failure), creating the objects on the way and replacing any
 * non-object found there.  Returns 0, or -1 with errno (EINVAL, ENOMEM).
 */
int jpath_set_new (json_t *o, const char *path, json_t *val);

/* Remove 'path' from 'o'; absent is not an error.  Returns 0, or -1
 * with errno EINVAL.
 */
int jpath_del (json_t *o, const char *path);

/* Merge object 'src' into object 'dst': an object in both is merged
 * key by key, any other value in src replaces dst's (src values are
 * shared, not copied).  Returns 0, or -1 with errno (EINVAL, ENOMEM).
 */
int jpath_merge (json_t *dst, json_t *src);

#endif /* !FLUX_UTIL_JPATH_H */
