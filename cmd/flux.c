/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux: one program, many subcommands, as flux-core's front end.
 *
 * Every subcommand is built in (a table below) rather than exec'd as a
 * separate flux-CMD program: there is then exactly one binary to find,
 * and it knows from /proc/self/exe (flux_conf_builtin_get) whether it
 * runs from the build tree or an install prefix.  Subcommands report
 * errors as "flux-CMD: cause" like flux-core's, exit 1 on an error and
 * 2 on a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cmd.h"

static int cmd_help (int argc, char **argv);
static int cmd_version (int argc, char **argv);

struct subcommand {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *doc;
    bool hidden;
};

static const struct subcommand subcommands[] = {
    { "start", cmd_start, "Start a Flux instance (a broker) and run a "
                          "command in it", false },
    { "module", cmd_module, "Load, remove, list and inspect broker "
                            "modules", false },
    { "ping", cmd_ping, "Send echo requests to a service", false },
    { "dmesg", cmd_dmesg, "Print or clear the broker's log ring buffer",
      false },
    { "logger", cmd_logger, "Write a message to the broker log", false },
    { "event", cmd_event, "Publish and subscribe to events", false },
    { "getattr", cmd_getattr, "Get a broker attribute", false },
    { "setattr", cmd_setattr, "Set a broker attribute", false },
    { "lsattr", cmd_lsattr, "List broker attributes", false },
    { "config", cmd_config, "Manage configuration", false },
    { "kvs", cmd_kvs, "Operate on the key-value store (the kvs module)",
      false },
    { "module-exec", cmd_module_exec, "Run a broker module in its own "
                                      "process (for the broker)", true },
    { "python", cmd_python, "Run the Python interpreter the flux "
                            "bindings were built for", false },
    { "version", cmd_version, "Print the version", false },
    { "help", cmd_help, "Print this help", false },
    { NULL, NULL, NULL, false },
};

static void usage (FILE *f)
{
    fprintf (f, "Usage: flux [--version] [--help] COMMAND [ARGS...]\n\n");
    fprintf (f, "Commands:\n");
    for (const struct subcommand *s = subcommands; s->name; s++) {
        if (!s->hidden)
            fprintf (f, "  %-10s %s\n", s->name, s->doc);
    }
    fprintf (f, "\nRun 'flux COMMAND --help' for the options of a command.\n");
}

static int cmd_help (int argc, char **argv)
{
    /* 'flux help CMD' is 'flux CMD --help'. */
    if (argc > 1) {
        for (const struct subcommand *s = subcommands; s->name; s++) {
            if (!strcmp (s->name, argv[1]) && s->fn != cmd_help) {
                char *av[] = { argv[1], "--help", NULL };
                return s->fn (2, av);
            }
        }
        fprintf (stderr, "flux: unknown command '%s'\n", argv[1]);
        return CMD_EXIT_ERROR;
    }
    usage (stdout);
    return 0;
}

static int cmd_version (int argc, char **argv)
{
    const char *uri = getenv ("FLUX_URI");

    (void)argc;
    (void)argv;
    printf ("commands:    \t\t%s\n", PACKAGE_VERSION);
    printf ("libflux-core:\t\t%s\n",
            flux_conf_builtin_get ("version", FLUX_CONF_AUTO));
    /* Inside an instance, also the broker's (any failure is quiet:
     * the version of the commands is what was asked for).
     */
    if (uri && *uri) {
        flux_t *h;
        const char *v;
        if ((h = flux_open (NULL, 0))) {
            if ((v = flux_attr_get (h, "version")))
                printf ("broker:      \t\t%s\n", v);
            flux_close (h);
        }
    }
    printf ("build-options:\t\t%s\n",
            flux_conf_intree () ? "+in-tree" : "+installed");
    return 0;
}

int main (int argc, char *argv[])
{
    const char *name;

    if (argc < 2) {
        usage (stderr);
        return CMD_EXIT_ERROR;
    }
    name = argv[1];
    if (!strcmp (name, "--help") || !strcmp (name, "-h"))
        name = "help";
    else if (!strcmp (name, "--version") || !strcmp (name, "-V"))
        name = "version";
    else if (name[0] == '-') {
        fprintf (stderr, "flux: unknown option '%s'\n", name);
        usage (stderr);
        return CMD_EXIT_USAGE;
    }
    for (const struct subcommand *s = subcommands; s->name; s++) {
        if (!strcmp (s->name, name))
            return s->fn (argc - 1, argv + 1);
    }
    fprintf (stderr, "flux: unknown command '%s'\n", name);
    return CMD_EXIT_ERROR;
}

/* vi: ts=4 sw=4 expandtab
 */
