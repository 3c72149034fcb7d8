/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux start: become the broker.
 *
 * Without a process manager to talk to, flux start does what flux-core's
 * does for a size-1 instance: it execs flux-broker with the attribute
 * settings and the initial program, so the broker's exit code (the
 * initial program's) is this command's.  Before the exec it prepends
 * this installation's directories to PATH, PYTHONPATH and
 * FLUX_MODULE_PATH: the initial program then runs this 'flux', Python
 * finds this 'flux' package, and modules are found by name, with no
 * environment set up by the user, from the build tree as from an install.
 * -c/--config-path and --conf pass to the broker, which reads the
 * configuration (brokercfg.c).
 * --wrap puts a program such as valgrind in front of the broker, as
 * flux-core's does: the exec'd program is then the wrapper, which runs
 * the broker in the same process.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

enum {
    OPT_TEST_SIZE = 256,
    OPT_WRAP,
    OPT_CONF,
};

static const struct cmd_option start_opts[] = {
    { "setattr", 'S', required_argument, "ATTR=VAL",
      "Set broker attribute ATTR to VAL" },
    { "config-path", 'c', required_argument, "PATH",
      "Set broker config from PATH (default: none)" },
    { "conf", OPT_CONF, required_argument, "VALUE",
      "Update broker config from VALUE" },
    { "broker-opts", 'o', required_argument, "OPTS",
      "Add comma-separated options to the broker command line" },
    { "verbose", 'v', no_argument, NULL,
      "Be verbose: print the broker command line to stderr" },
    { "noexec", 'X', no_argument, NULL,
      "Print the broker command line, do not run it" },
    { "test-size", OPT_TEST_SIZE, required_argument, "N",
      "Number of brokers (only 1 is supported)" },
    { "wrap", OPT_WRAP, required_argument, "ARGS",
      "Wrap broker execution in comma-separated arguments" },
    CMD_OPTION_END,
};

static const struct cmd_parser start_parser = {
    .prog = "flux-start",
    .cmdline = "flux start",
    .usage = "[OPTIONS] [COMMAND [ARGS...]]",
    .doc = "Start a Flux instance and run COMMAND in it (an interactive "
           "shell if none);\nexit with COMMAND's exit code.",
    .opts = start_opts,
    .posix = true,
};

struct argvec {
    char **v;
    int n;
    int size;
};

static void argvec_add (struct argvec *a, const char *s)
{
    if (a->n + 2 > a->size) {
        int size = a->size ? a->size * 2 : 32;
        char **v = realloc (a->v, size * sizeof (v[0]));
        if (!v)
            cmd_die ("flux-start", "out of memory");
        a->v = v;
        a->size = size;
    }
    if (!(a->v[a->n++] = strdup (s)))
        cmd_die ("flux-start", "out of memory");
    a->v[a->n] = NULL;
}

static void argvec_free (struct argvec *a)
{
    for (int i = 0; i < a->n; i++)
        free (a->v[i]);
    free (a->v);
    a->v = NULL;
    a->n = a->size = 0;
}

/* -o and --wrap take a comma-separated list, as flux-core's do. */
static void argvec_add_split (struct argvec *a, const char *s)
{
    char *cpy = strdup (s);
    char *saveptr = NULL;
    char *tok;

    if (!cpy)
        cmd_die ("flux-start", "out of memory");
    for (tok = strtok_r (cpy, ",", &saveptr); tok;
         tok = strtok_r (NULL, ",", &saveptr))
        argvec_add (a, tok);
    free (cpy);
}

static void setup_environment (void)
{
    static const struct {
        const char *var;
        const char *conf;
    } paths[] = {
        { "PATH", "cmd_path" },
        { "PYTHONPATH", "python_path" },
        { "FLUX_MODULE_PATH", "module_path" },
    };

    for (size_t i = 0; i < sizeof (paths) / sizeof (paths[0]); i++) {
        const char *dirs = flux_conf_builtin_get (paths[i].conf,
                                                  FLUX_CONF_AUTO);
        if (!dirs || cmd_env_prepend (paths[i].var, dirs) < 0)
            cmd_die ("flux-start", "cannot set %s: %s",
                     paths[i].var, strerror (errno));
    }
}

int cmd_start (int argc, char **argv)
{
    struct cmd_getopt *g;
    struct argvec wrap = { 0 };
    struct argvec av = { 0 };
    const char *broker;
    const char *arg;
    bool verbose = false;
    bool noexec = false;
    int c;
    int n;

    if (!(broker = flux_conf_builtin_get ("broker_path", FLUX_CONF_AUTO)))
        cmd_die ("flux-start", "cannot find flux-broker: %s",
                 strerror (errno));
    argvec_add (&av, broker);
    if (!(g = cmd_getopt_create (&start_parser, argc, argv)))
        cmd_die ("flux-start", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'S': {
                char *s;
                if (!strchr (arg, '='))
                    cmd_usage_error (&start_parser,
                                     "-S requires ATTR=VAL, got '%s'", arg);
                if (asprintf (&s, "-S%s", arg) < 0)
                    cmd_die ("flux-start", "out of memory");
                argvec_add (&av, s);
                free (s);
                break;
            }
            case 'c':
            case OPT_CONF: {
                char *s;
                if (asprintf (&s, c == 'c' ? "--config-path=%s"
                                           : "--conf=%s", arg) < 0)
                    cmd_die ("flux-start", "out of memory");
                argvec_add (&av, s);
                free (s);
                break;
            }
            case 'o':
                argvec_add_split (&av, arg);
                break;
            case 'v':
                verbose = true;
                break;
            case 'X':
                noexec = true;
                break;
            case OPT_WRAP:
                argvec_add_split (&wrap, arg);
                break;
            case OPT_TEST_SIZE: {
                int size;
                if (cmd_parse_uint (arg, &size) < 0 || size < 1)
                    cmd_usage_error (&start_parser,
                                     "--test-size requires a positive "
                                     "integer, got '%s'", arg);
                if (size != 1)
                    cmd_die ("flux-start", "--test-size=%d: only an "
                             "instance of size 1 is supported", size);
                break;
            }
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    /* N.B. the broker stops option parsing here too; "--" keeps a
     * command that starts with '-' from being taken for an option.
     */
    if (n < argc && argv[n][0] == '-')
        argvec_add (&av, "--");
    for (; n < argc; n++)
        argvec_add (&av, argv[n]);

    setup_environment ();
    if (wrap.n > 0) {
        for (int i = 0; i < av.n; i++)
            argvec_add (&wrap, av.v[i]);
        argvec_free (&av);
        av = wrap;
    }
    if (verbose || noexec) {
        for (int i = 0; i < av.n; i++)
            fprintf (stderr, "%s%s", i ? " " : "", av.v[i]);
        fprintf (stderr, "\n");
    }
    if (noexec) {
        argvec_free (&av);
        return 0;
    }
    /* N.B. a wrapper is looked up on PATH (--wrap=valgrind,...). */
    execvp (av.v[0], av.v);
    cmd_die ("flux-start", "%s: %s", av.v[0], strerror (errno));
}

/* vi: ts=4 sw=4 expandtab
 */
