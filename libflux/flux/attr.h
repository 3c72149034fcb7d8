/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Broker attributes.  Values of immutable attributes are cached on the
 * handle (filled from a module's welcome, or on first get), so later
 * gets need no RPC.
 */
#ifndef FLUX_ATTR_H
#define FLUX_ATTR_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_ATTRFLAG_IMMUTABLE = 1,
};

/* Returns the value (owned by the handle, valid until the handle is
 * closed) or NULL with errno (ENOENT if unset).
 */
const char *flux_attr_get (flux_t *h, const char *name);
/* Set attribute 'name' to 'value' with an RPC to the broker; value NULL
 * removes the attribute (N.B. flux-core fails with EINVAL).  Returns 0,
 * or -1 with errno: EINVAL for a NULL handle or name, else the broker's
 * (e.g. EPERM for an immutable attribute, ENOENT removing an unset one).
 */
int flux_attr_set (flux_t *h, const char *name, const char *value);

/* Set 'name' to 'value' (not NULL); force sets one that the broker
 * otherwise refuses to change at runtime.  Returns 0, or -1 with errno
 * and, if error is non-NULL, the broker's error text (or strerror).
 */
int flux_attr_set_ex (flux_t *h,
                      const char *name,
                      const char *value,
                      bool force,
                      flux_error_t *error);

/* Store 'value' (copied) in the handle's cache as immutable, as a
 * module's welcome does; value NULL removes it from the cache.  No RPC.
 * Returns 0, or -1 with errno EINVAL (NULL handle or name) or ENOMEM.
 */
int flux_attr_set_cacheonly (flux_t *h, const char *name, const char *value);

/* Iterate over the names of the cached (immutable) attributes, in the
 * order they were cached: first returns the first name, or NULL; next
 * the following one, or NULL at the end or before any first.  first
 * takes a snapshot of the names (owned by the handle, valid until the
 * next first or the close), so caching meanwhile does not disturb the
 * iteration.  NULL with errno EINVAL for a NULL handle.
 */
const char *flux_attr_cache_first (flux_t *h);
const char *flux_attr_cache_next (flux_t *h);

/* The attribute "size" as an integer.  Returns 0, or -1 with errno. */
int flux_get_size (flux_t *h, uint32_t *size);

/* The time rank 0's broker started (its attribute "broker.starttime"),
 * in seconds since the epoch.  Returns 0, or -1 with errno.
 */
int flux_get_instance_starttime (flux_t *h, double *starttime);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_ATTR_H */
