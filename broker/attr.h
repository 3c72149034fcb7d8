/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_ATTR_H
#define BROKER_ATTR_H

#include <jansson.h>
#include <flux/core.h>

/* Attribute flags.  ATTR_IMMUTABLE is what attr.get reports as
 * FLUX_ATTRFLAG_IMMUTABLE (1): fixed before the first client connects
 * and cached by modules.  READONLY: attr.set may not change it, but the
 * command line may set it.  INTERNAL: only the broker sets it.  RUNTIME:
 * attr.set may change a value that is already set (without RUNTIME, an
 * unset attribute may still be set once).
 */
enum {
    ATTR_IMMUTABLE = FLUX_ATTRFLAG_IMMUTABLE,
    ATTR_READONLY = 0x100,
    ATTR_RUNTIME = 0x200,
    ATTR_INTERNAL = 0x400,
};

/* A setter validates and applies a new value (NULL: removal).  Returns 0
 * or -1 with errno, and the attribute keeps its old value on failure.
 */
typedef int (*attr_set_f)(const char *name, const char *value, void *arg);

struct attrs;

struct attrs *attrs_create (void);
void attrs_destroy (struct attrs *attrs);

/* Declare an attribute 'name' (or, ending in '*', a name pattern) with
 * flags, an initial value (may be NULL) and an optional setter.
 * Returns 0 or -1 with errno (EEXIST).
 */
int attrs_register (struct attrs *attrs, const char *name, const char *value,
                    int flags, attr_set_f set, void *arg);

/* Set from the command line (-S NAME=VALUE): any declared attribute that
 * is not INTERNAL.  Fails with ENOENT (unknown) or EPERM (internal), or
 * the setter's errno.
 */
int attrs_set_cmdline (struct attrs *attrs, const char *name,
                       const char *value);

/* Set by the broker itself: no checks except the setter's. */
int attrs_set_internal (struct attrs *attrs, const char *name,
                        const char *value);

/* Returns the value or NULL (errno ENOENT if unknown or unset); flags may
 * be NULL.  The string is owned by the table.
 */
const char *attrs_get (struct attrs *attrs, const char *name, int *flags);

/* True if the attribute is set to anything but "0" (or "" ). */
bool attrs_get_bool (struct attrs *attrs, const char *name);

/* An object of every immutable attribute that has a value, for the
 * welcome message of modules.  Caller must json_decref.
 */
json_t *attrs_immutables (struct attrs *attrs);

/* Cache every immutable attribute on handle 'h' (flux_attr_set_cacheonly),
 * so that the broker's own handle never sends itself an attr.get RPC.
 */
int attrs_cache_immutables (struct attrs *attrs, flux_t *h);

/* attr.get, attr.list, attr.set, attr.rm on the broker's handle. */
int attrs_register_handlers (struct attrs *attrs, flux_t *h);

#endif /* !BROKER_ATTR_H */
