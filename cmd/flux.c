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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
    { "overlay", cmd_overlay, "Show the tree of brokers and its health",
      false },
    { "exec", cmd_exec, "Execute a command on ranks of the instance",
      false },
    { "modprobe", cmd_modprobe, "Load (rc1) or remove (rc3) the standard "
      "modules on their ranks", false },
    { "keygen", cmd_keygen, "Generate a CURVE certificate for the tree of "
      "a config-booted instance", false },
    { "kvs", cmd_kvs, "Operate on the key-value store (the kvs module)",
      false },
    { "module-exec", cmd_module_exec, "Run a broker module in its own "
                                      "process (for the broker)", true },
    { "python", cmd_python, "Run the Python interpreter the flux "
                            "bindings were built for", false },
    { "version", cmd_version, "Print the version", false },
    { "help", cmd_help, "Print this list, or with COMMAND its manual "
                        "page", false },
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
    fprintf (f, "\nRun 'flux COMMAND --help' for the options of a command,"
             " 'flux help COMMAND'\nfor its manual page.\n");
}

/* flux help TOPIC shows a manual page, as flux-core's does.  flux-core
 * runs "man flux-TOPIC" and exits with man's status, which is 16 (man-db's
 * "no manual entry") when there is no such page.  This one knows where its own pages are
 * (from the build tree, the man builder's output, FLUX_BUILDDIR/doc;
 * once installed, the installed mandir) and gives man the file itself
 * (man -l), so that no MANPATH is needed.  If man is not on PATH, or
 * the page is not there (the docs were not built), it says so and where
 * the page would be, prints the command's --help instead, and exits 16:
 * the page was not shown.
 */
enum {
    HELP_EXIT_NOPAGE = 16,
};

static const struct subcommand *subcommand_lookup (const char *name)
{
    for (const struct subcommand *s = subcommands; s->name; s++) {
        if (!strcmp (s->name, name))
            return s;
    }
    return NULL;
}

/* The path of manual page NAME in 'section', in the build tree or the
 * installed mandir (whichever this flux runs from).  Caller frees.
 */
static char *help_page_path (const char *name, int section)
{
    char *path;
    int rc;

    if (flux_conf_intree ())
        rc = asprintf (&path, "%s/doc/%s.%d", FLUX_BUILDDIR, name, section);
    else
        rc = asprintf (&path, "%s/man%d/%s.%d", FLUX_INSTALL_MANDIR,
                       section, name, section);
    return rc < 0 ? NULL : path;
}

/* The first executable 'prog' in $PATH, or NULL.  Caller frees. */
static char *help_find_program (const char *prog)
{
    const char *path = getenv ("PATH");
    char *cpy, *dir, *saveptr = NULL;
    char *found = NULL;

    if (!path || !(cpy = strdup (path)))
        return NULL;
    for (dir = strtok_r (cpy, ":", &saveptr); dir && !found;
         dir = strtok_r (NULL, ":", &saveptr)) {
        char *p;
        if (asprintf (&p, "%s/%s", *dir ? dir : ".", prog) < 0)
            break;
        if (access (p, X_OK) == 0)
            found = p;
        else
            free (p);
    }
    free (cpy);
    return found;
}

/* Run man -l PATH; returns what flux help exits with: man's status, or
 * 1 if man could not run or was killed.
 */
static int help_run_man (const char *man, const char *page)
{
    pid_t pid;
    int status;

    fflush (stdout);
    if ((pid = fork ()) < 0) {
        fprintf (stderr, "flux-help: fork: %s\n", strerror (errno));
        return CMD_EXIT_ERROR;
    }
    if (pid == 0) {
        execl (man, "man", "-l", page, (char *)NULL);
        fprintf (stderr, "flux-help: %s: %s\n", man, strerror (errno));
        _exit (127);
    }
    while (waitpid (pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fprintf (stderr, "flux-help: waitpid: %s\n", strerror (errno));
            return CMD_EXIT_ERROR;
        }
    }
    if (WIFEXITED (status))
        return WEXITSTATUS (status);
    fprintf (stderr, "flux-help: man: %s\n",
             WIFSIGNALED (status) ? strsignal (WTERMSIG (status)) : "failed");
    return CMD_EXIT_ERROR;
}

/* The command's own help, in place of its page.  N.B. a subcommand's
 * --help exits, so it runs in a child: flux help still exits 16.
 */
static void help_command (const struct subcommand *s)
{
    pid_t pid;

    fflush (stdout);
    fflush (stderr);
    if (s->fn == cmd_help) {
        usage (stdout);
        return;
    }
    if (s->fn == cmd_version) {
        printf ("Usage: flux version\n%s.\n", s->doc);
        return;
    }
    if ((pid = fork ()) < 0) {
        fprintf (stderr, "flux-help: fork: %s\n", strerror (errno));
        return;
    }
    if (pid == 0) {
        char *av[] = { (char *)s->name, "--help", NULL };
        exit (s->fn (2, av));
    }
    while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static int cmd_help (int argc, char **argv)
{
    const struct subcommand *s;
    const char *topic;
    char *name = NULL;
    char *page = NULL;
    char *man = NULL;
    int rc = CMD_EXIT_ERROR;

    if (argc < 2) {
        usage (stdout);
        return 0;
    }
    /* "flux help ping" and "flux help flux-ping" are the same page;
     * "flux help flux" is flux(1).
     */
    topic = argv[1];
    if (!strncmp (topic, "flux", 4) && (topic[4] == '\0' || topic[4] == '-'))
        name = strdup (topic);
    else if (asprintf (&name, "flux-%s", topic) < 0)
        name = NULL;
    if (!name)
        goto nomem;
    s = subcommand_lookup (!strncmp (name, "flux-", 5) ? name + 5 : "");
    /* A command's page is in section 1; another topic's may be in 7. */
    if (!(page = help_page_path (name, 1)))
        goto nomem;
    if (!s && strcmp (name, "flux") != 0 && access (page, R_OK) < 0) {
        free (page);
        if (!(page = help_page_path (name, 7)))
            goto nomem;
        if (access (page, R_OK) < 0) {
            fprintf (stderr, "flux: unknown command '%s'\n", topic);
            goto done;
        }
    }
    if (access (page, R_OK) < 0) {
        fprintf (stderr, "flux-help: no manual page %s: %s does not "
                 "exist\n", name, page);
        goto fallback;
    }
    if (!(man = help_find_program ("man"))) {
        fprintf (stderr, "flux-help: man is not on PATH: the manual page "
                 "%s is %s\n", name, page);
        goto fallback;
    }
    rc = help_run_man (man, page);
    goto done;
fallback:
    if (s)
        help_command (s);
    else
        usage (stdout);
    rc = HELP_EXIT_NOPAGE;
done:
    free (man);
    free (page);
    free (name);
    return rc;
nomem:
    fprintf (stderr, "flux-help: %s\n", strerror (ENOMEM));
    rc = CMD_EXIT_ERROR;
    goto done;
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
    const struct subcommand *s;
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
    if ((s = subcommand_lookup (name)))
        return s->fn (argc - 1, argv + 1);
    fprintf (stderr, "flux: unknown command '%s'\n", name);
    return CMD_EXIT_ERROR;
}

/* vi: ts=4 sw=4 expandtab
 */
