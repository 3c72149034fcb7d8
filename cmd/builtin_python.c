/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux python: the interpreter the bindings were built for, with the
 * flux package of this installation first on its path.  All arguments
 * are the interpreter's (flux python --help is Python's help).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#if defined(__SANITIZE_ADDRESS__)
#define PYTHON_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PYTHON_ASAN 1
#endif
#endif

#ifdef PYTHON_ASAN
#include <dlfcn.h>

void __asan_init (void);

/* In an AddressSanitizer build the _flux._core extension is instrumented
 * but python3 is not, and ASan refuses to start unless its runtime is the
 * first library of the process: preload the runtime this command runs
 * with.  A runtime linked statically into this program cannot be shared
 * with python3, and is left alone.
 */
static void preload_asan_runtime (void)
{
    Dl_info info;

    if (dladdr ((void *)__asan_init, &info) == 0
        || !info.dli_fname
        || !strstr (info.dli_fname, ".so"))
        return;
    if (cmd_env_prepend ("LD_PRELOAD", info.dli_fname) < 0)
        cmd_die ("flux-python", "cannot set LD_PRELOAD: %s",
                 strerror (errno));
}
#endif

int cmd_python (int argc, char **argv)
{
    const char *python = flux_conf_builtin_get ("python", FLUX_CONF_AUTO);
    const char *pypath = flux_conf_builtin_get ("python_path",
                                                FLUX_CONF_AUTO);
    char **av;

    if (!python || !pypath)
        cmd_die ("flux-python", "no configured interpreter");
    if (cmd_env_prepend ("PYTHONPATH", pypath) < 0)
        cmd_die ("flux-python", "cannot set PYTHONPATH: %s",
                 strerror (errno));
#ifdef PYTHON_ASAN
    preload_asan_runtime ();
#endif
    if (!(av = calloc (argc + 1, sizeof (av[0]))))
        cmd_die ("flux-python", "out of memory");
    av[0] = (char *)python;
    for (int i = 1; i < argc; i++)
        av[i] = argv[i];
    execv (python, av);
    cmd_die ("flux-python", "%s: %s", python, strerror (errno));
}

/* vi: ts=4 sw=4 expandtab
 */
