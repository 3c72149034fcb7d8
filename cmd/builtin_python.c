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
