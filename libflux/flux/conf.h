/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Where the parts of the system are: in the build tree when the running
 * program is one built there, else under the install prefix.  This is
 * what lets a user run build/cmd/flux with no environment set up.
 */
#ifndef FLUX_CONF_H
#define FLUX_CONF_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

enum flux_conf_flags {
    FLUX_CONF_INSTALLED = 0,
    FLUX_CONF_INTREE = 1,
    FLUX_CONF_AUTO = 2,
};

/* Names:
 *   "broker_path"  the flux-broker program
 *   "cmd_path"     the directory holding the flux command
 *   "module_path"  colon-separated directories searched for modules
 *   "loader_path"  the directory holding module loaders (pyloader.so)
 *   "python_path"  colon-separated PYTHONPATH entries for the flux package
 *   "python"       the Python interpreter the bindings were built for
 *   "version"      the package version
 * Returns a static string, or NULL with errno EINVAL for an unknown name.
 */
const char *flux_conf_builtin_get (const char *name,
                                   enum flux_conf_flags flags);

/* True if the running program was built in, and runs from, the build
 * tree.
 */
bool flux_conf_intree (void);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_CONF_H */
