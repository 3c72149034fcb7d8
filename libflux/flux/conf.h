/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Configuration.
 *
 * flux_conf_t: an instance configuration, a JSON object, read from TOML
 * files (flux_conf_parse; `flux start -c DIR`).  A module receives
 * the broker's in its welcome (flux_module_initialize caches it on the
 * handle) and an update in a NAME.config-reload request, which the
 * default methods apply with flux_set_conf_new.
 *
 * Built-in paths: where the parts of the system are, in the build tree
 * when the running program is one built there, else under the install
 * prefix.  This is what lets a user run build/cmd/flux with no
 * environment set up.
 */
#ifndef FLUX_CONF_H
#define FLUX_CONF_H

#include <stdarg.h>
#include <stdbool.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flux_conf flux_conf_t;

/* A new, empty config object with one reference, or NULL with errno.
 * flux_conf_copy makes a deep copy (one reference) of 'conf'.
 * incref/decref count references; the last decref frees.  incref
 * returns its argument; both are NULL-safe and decref keeps errno.
 */
flux_conf_t *flux_conf_create (void);
flux_conf_t *flux_conf_copy (const flux_conf_t *conf);
const flux_conf_t *flux_conf_incref (const flux_conf_t *conf);
void flux_conf_decref (const flux_conf_t *conf);

/* A new config object (one reference) from 'path': a directory gives
 * every *.toml file in it, merged in alphabetical order (a table in two
 * files is merged key by key; a key set in both has the value of the
 * later file); a file is TOML, or JSON if its name ends in ".json".
 * TOML values map to JSON as tomljson.h says (datetimes become
 * {"iso-8601-ts": "...Z"}).  NULL on failure with errno and error text
 * "FILE:LINE: reason" for a file that does not parse, "FILE: reason"
 * when there is no line, "stat: PATH: reason" for a missing path.
 * Returns the object (caller decrefs).
 */
flux_conf_t *flux_conf_parse (const char *path, flux_error_t *error);

/* Update 'conf' in place from 'value' (flux-broker --conf=VALUE):
 *   KEY=VAL   set dotted KEY to VAL, as JSON if it parses, else a string
 *   text with a newline, or starting with '{': inline TOML, or JSON
 *             object if it starts with '{'; merged into conf
 *   else      the path of a TOML (or .json) file, merged into conf
 * Returns 0, or -1 with errno and error text.
 */
int flux_conf_update (flux_conf_t *conf, const char *value,
                      flux_error_t *error);

/* Read the config with a jansson unpack format (json_unpack_ex with no
 * flags).  Borrowed values ("s", "o") live as long as 'conf'.  Returns
 * 0, or -1 with errno EINVAL and, if error is non-NULL, jansson's text
 * (e.g. "Object item not found: key"); EINVAL "Invalid argument" for a
 * NULL conf or an empty or NULL format.
 */
int flux_conf_vunpack (const flux_conf_t *conf,
                       flux_error_t *error,
                       const char *fmt,
                       va_list ap);
int flux_conf_unpack (const flux_conf_t *conf,
                      flux_error_t *error,
                      const char *fmt,
                      ...);

/* A new config object (one reference, caller decrefs) built with a
 * jansson pack format, which must make an object.  Returns it, or NULL
 * with errno EINVAL for a NULL fmt, a pack error, or a result that is
 * not an object (ENOMEM if out of memory).
 */
flux_conf_t *flux_conf_vpack (const char *fmt, va_list ap);
flux_conf_t *flux_conf_pack (const char *fmt, ...);

/* The config cached on the handle (flux-core declares these two in
 * handle.h).  flux_get_conf returns the one set last, or, if none was,
 * an empty one it creates; it belongs to the handle (valid until the
 * next set or the close; incref it to keep it longer), NULL only with
 * errno (EINVAL for a NULL handle).  flux_set_conf_new gives 'conf' (one
 * reference) to the handle, which decrefs the previous one; conf NULL
 * drops the cached one.  Returns 0, or -1 with errno.
 */
const flux_conf_t *flux_get_conf (flux_t *h);
int flux_set_conf_new (flux_t *h, const flux_conf_t *conf);

enum flux_conf_flags {
    FLUX_CONF_INSTALLED = 0,
    FLUX_CONF_INTREE = 1,
    FLUX_CONF_AUTO = 2,
};

/* Names:
 *   "broker_path"  the flux-broker program
 *   "cmd_path"     the directory holding the flux command
 *   "module_path"  colon-separated directories searched for modules
 *   "loader_path"  colon-separated directories holding module loaders
 *                  (pyloader.so); $FLUX_MODULE_LOADER_PATH goes first
 *   "python_path"  colon-separated PYTHONPATH entries for the flux package
 *   "python"       the Python interpreter the bindings were built for
 *   "version"      the package version
 * Returns a static string, or NULL with errno EINVAL for an unknown name.
 */
const char *flux_conf_builtin_get (const char *name,
                                   enum flux_conf_flags flags);

/* Returns true if the running program was built in, and runs from, the
 * build tree (decided once per process).
 */
bool flux_conf_intree (void);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_CONF_H */
