/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux module-exec PATH: run one broker module in this process.
 *
 * The broker runs this for flux module load --exec (broker/module_exec.c)
 * with FLUX_MODULE_URI naming this process's end of its connection to
 * the broker (fd://N).  The module's life is that of a module thread
 * (broker/module_thread.c): read the welcome, register the built-in
 * methods, run the module's code with the handle, report how it ended
 * (RFC 5 status EXITED), exit.  The code is found by the same loader
 * table as in the broker (broker/module_loader.c), so a .so runs its
 * mod_main() and a .py runs through pyloader.so.
 *
 * Exit code: 0 if the module ended without error, 1 if it failed (the
 * broker has been told how, in the EXITED status), 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <flux/core.h>

#include "cmd.h"
#include "module_loader.h"

static const char *prog = "flux-module-exec";

static const struct cmd_option exec_opts[] = {
    CMD_OPTION_END,
};

static const struct cmd_parser exec_parser = {
    .prog = "flux-module-exec",
    .cmdline = "flux module-exec",
    .usage = "PATH",
    .doc = "Run a broker module in this process (the broker runs this for"
           " flux module load --exec, with FLUX_MODULE_URI set).",
    .opts = exec_opts,
    .posix = true,
};

/* The connection must not leak into processes the module starts. */
static void set_cloexec (const char *uri)
{
    int fd, fl;

    if (strncmp (uri, "fd://", 5) != 0)
        return;
    fd = atoi (uri + 5);
    if ((fl = fcntl (fd, F_GETFD)) >= 0)
        (void)fcntl (fd, F_SETFD, fl | FD_CLOEXEC);
}

int cmd_module_exec (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&exec_parser, argc, argv);
    const char *path;
    const char *env;
    char *uri;
    flux_t *h;
    flux_error_t error = { .text = "" };
    struct module_entry entry;
    char *args = NULL;
    int errnum = 0;
    int n;

    if (!g)
        cmd_die (prog, "%s", strerror (errno));
    while (cmd_getopt_next (g, NULL) != -1)
        ;
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&exec_parser, "exactly one module PATH is required");
    path = argv[n];
    if (!(env = getenv ("FLUX_MODULE_URI")) || !*env)
        cmd_die (prog, "FLUX_MODULE_URI is not set: this command is run by"
                 " the broker for flux module load --exec");
    if (!(uri = strdup (env)))
        cmd_die (prog, "out of memory");
    (void)unsetenv ("FLUX_MODULE_URI");
    if (!(h = flux_open_ex (uri, 0, &error)))
        cmd_die (prog, "%s", error.text);
    set_cloexec (uri);
    free (uri);

    if ((errnum = module_entry_begin (h, &args)))
        goto done;
    /* ps and top show the module's name (15 characters at most). */
    (void)prctl (PR_SET_NAME, flux_module_name (h));
    if (module_loader_open (path, &entry, &error) < 0) {
        errnum = errno;
        flux_module_set_error (h, "%s", error.text);
        goto done;
    }
    errnum = module_entry_run (&entry, h, path, args);
done:
    if (flux_module_finalize (h, errnum, &error) < 0)
        fprintf (stderr, "%s: %s: finalize: %s\n", prog, path, error.text);
    flux_close (h);
    free (args);
    /* As the broker does at its exit: a loader's fini (Python flushes
     * sys.stdout and sys.stderr there).  A C module is not dlclose'd:
     * the process ends here.
     */
    module_loader_fini_all ();
    return errnum ? 1 : 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
