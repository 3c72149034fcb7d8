/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* noentryloader.so: a loader by its name (it would serve ".noentry")
 * that lacks flux_module_loader_main(), the one symbol a loader must
 * define.  Loading a .noentry file must fail with EINVAL and
 * "noentryloader.so does not define flux_module_loader_main()".
 */
#include <flux/core.h>

void flux_module_loader_fini (void)
{
}
