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
/* value NULL removes the attribute. */
int flux_attr_set (flux_t *h, const char *name, const char *value);
/* Store 'value' in the handle's cache, as a module's welcome does. */
int flux_attr_set_cacheonly (flux_t *h, const char *name, const char *value);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_ATTR_H */
