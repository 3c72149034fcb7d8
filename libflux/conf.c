/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Built-in paths.  Each name has two values, one for the build tree and
 * one for the install prefix, both fixed at configure time; which one
 * applies is decided once per process from /proc/self/exe.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "flux/conf.h"

struct builtin {
    const char *name;
    const char *intree;
    const char *installed;
};

static const struct builtin builtins[] = {
    { "broker_path", FLUX_BUILDDIR "/broker/flux-broker",
                     FLUX_INSTALL_LIBEXECDIR "/flux-broker" },
    { "cmd_path", FLUX_BUILDDIR "/cmd", FLUX_INSTALL_BINDIR },
    { "module_path", FLUX_BUILDDIR "/modules", FLUX_INSTALL_MODULEDIR },
    { "loader_path", FLUX_BUILDDIR "/modules/pyloader",
                     FLUX_INSTALL_LOADERDIR },
    { "python_path", FLUX_SRCDIR "/python:" FLUX_BUILDDIR "/python",
                     FLUX_INSTALL_PYTHONDIR },
    { "python", FLUX_PYTHON, FLUX_PYTHON },
    { "version", PACKAGE_VERSION, PACKAGE_VERSION },
};

static pthread_once_t intree_once = PTHREAD_ONCE_INIT;
static bool intree;

static void intree_init (void)
{
    char exe[PATH_MAX + 1];
    ssize_t n;
    size_t len = strlen (FLUX_BUILDDIR);

    if ((n = readlink ("/proc/self/exe", exe, sizeof (exe) - 1)) < 0)
        return;
    exe[n] = '\0';
    intree = strncmp (exe, FLUX_BUILDDIR, len) == 0 && exe[len] == '/';
}

bool flux_conf_intree (void)
{
    pthread_once (&intree_once, intree_init);
    return intree;
}

const char *flux_conf_builtin_get (const char *name,
                                   enum flux_conf_flags flags)
{
    bool use_intree;

    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    if (flags == FLUX_CONF_AUTO)
        use_intree = flux_conf_intree ();
    else
        use_intree = (flags == FLUX_CONF_INTREE);
    for (size_t i = 0; i < sizeof (builtins) / sizeof (builtins[0]); i++) {
        if (!strcmp (builtins[i].name, name))
            return use_intree ? builtins[i].intree : builtins[i].installed;
    }
    errno = EINVAL;
    return NULL;
}
