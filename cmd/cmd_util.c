/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Helpers shared by the subcommands.
 *
 * Option parsing is getopt_long driven by one table per subcommand, the
 * same table that prints --help, so the help can never drift from what
 * is accepted.  getopt's own messages are turned off (opterr = 0): they
 * would name the program "flux" or the subcommand's argv[0], where a
 * user should see the "flux-CMD: cause" form flux-core prints, with a
 * hint at --help, and exit code 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fsd.h"

/* N.B. cmd_die(), cmd_usage_error() and --help exit from wherever they
 * are called, with the command's handle, futures and parser still held.
 * The exit reclaims them: they are not lost memory.  In an
 * AddressSanitizer build, LeakSanitizer is told to skip its exit-time
 * check on those paths only; a command that returns from its cmd_X()
 * function has freed everything, and is still checked.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CMD_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CMD_LSAN 1
#endif
#endif
#ifdef CMD_LSAN
static volatile int exiting_early;

int __lsan_is_turned_off (void);
int __lsan_is_turned_off (void)
{
    return exiting_early;
}
#define cmd_exit_early(code) do { \
    exiting_early = 1; \
    exit (code); \
} while (0)
#else
#define cmd_exit_early(code) exit (code)
#endif

struct cmd_getopt {
    const struct cmd_parser *p;
    int argc;
    char **argv;
    struct option *longopts;
    char *shortopts;
};

static int option_count (const struct cmd_option *opts)
{
    int n = 0;
    while (opts && opts[n].name)
        n++;
    return n;
}

void cmd_print_help (const struct cmd_parser *p, FILE *f)
{
    const struct cmd_option *o;

    fprintf (f, "Usage: %s %s\n", p->cmdline, p->usage);
    if (p->doc)
        fprintf (f, "%s\n", p->doc);
    fprintf (f, "\nOptions:\n");
    for (o = p->opts; o && o->name; o++) {
        char left[64];
        char sopt[8] = "    ";
        const char *eq = "";
        const char *info = "";
        const char *lb = "";
        const char *rb = "";

        if (o->key < 256)
            snprintf (sopt, sizeof (sopt), "-%c, ", o->key);
        if (o->has_arg != no_argument) {
            info = o->arginfo ? o->arginfo : "ARG";
            eq = "=";
            if (o->has_arg == optional_argument) {
                lb = "[";
                rb = "]";
            }
        }
        snprintf (left, sizeof (left), "%s--%s%s%s%s%s",
                  sopt, o->name, lb, eq, info, rb);
        if (strlen (left) > 27)
            fprintf (f, "  %s\n  %-27s %s\n", left, "", o->usage);
        else
            fprintf (f, "  %-27s %s\n", left, o->usage);
    }
    fprintf (f, "  %-27s %s\n", "-h, --help", "Display this message.");
}

/* "PROG: message" on stderr, after what stdout holds so far. */
static void vmsg (const char *prog, const char *fmt, va_list ap)
{
    fflush (stdout);
    fprintf (stderr, "%s: ", prog);
    vfprintf (stderr, fmt, ap);
}

void cmd_msg (const char *prog, const char *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    vmsg (prog, fmt, ap);
    va_end (ap);
    fprintf (stderr, "\n");
}

void cmd_die (const char *prog, const char *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    vmsg (prog, fmt, ap);
    va_end (ap);
    fprintf (stderr, "\n");
    cmd_exit_early (CMD_EXIT_ERROR);
}

void cmd_usage_error (const struct cmd_parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    vmsg (p->prog, fmt, ap);
    va_end (ap);
    fprintf (stderr, "\nTry '%s --help' for more information.\n",
             p->cmdline);
    cmd_exit_early (CMD_EXIT_USAGE);
}

void cmd_getopt_destroy (struct cmd_getopt *g)
{
    if (g) {
        int saved_errno = errno;
        free (g->longopts);
        free (g->shortopts);
        free (g);
        errno = saved_errno;
    }
}

struct cmd_getopt *cmd_getopt_create (const struct cmd_parser *p,
                                      int argc, char **argv)
{
    struct cmd_getopt *g;
    int n = option_count (p->opts);
    char *s;

    if (!(g = calloc (1, sizeof (*g)))
        || !(g->longopts = calloc (n + 2, sizeof (g->longopts[0])))
        || !(g->shortopts = calloc (1, 3 * n + 8)))
        goto error;
    g->p = p;
    g->argc = argc;
    g->argv = argv;
    s = g->shortopts;
    if (p->posix)
        *s++ = '+';
    *s++ = ':';     /* report a missing argument as ':' not '?' */
    for (int i = 0; i < n; i++) {
        const struct cmd_option *o = &p->opts[i];
        g->longopts[i].name = o->name;
        g->longopts[i].has_arg = o->has_arg;
        g->longopts[i].val = o->key;
        if (o->key < 256) {
            *s++ = (char)o->key;
            if (o->has_arg == required_argument)
                *s++ = ':';
            else if (o->has_arg == optional_argument) {
                *s++ = ':';
                *s++ = ':';
            }
        }
    }
    *s++ = 'h';
    g->longopts[n].name = "help";
    g->longopts[n].val = 'h';
    optind = 0;     /* N.B. 0 makes glibc reinitialize, e.g. for '+' */
    opterr = 0;
    return g;
error:
    cmd_getopt_destroy (g);
    return NULL;
}

int cmd_getopt_next (struct cmd_getopt *g, const char **optargp)
{
    int c;
    int prev = optind ? optind : 1;

    c = getopt_long (g->argc, g->argv, g->shortopts, g->longopts, NULL);
    if (optargp)
        *optargp = optarg;
    switch (c) {
        case 'h':
            cmd_print_help (g->p, stdout);
            cmd_exit_early (0);
        case '?':
            if (optopt && optopt < 256)
                cmd_usage_error (g->p, "invalid option '-%c'", optopt);
            cmd_usage_error (g->p, "unrecognized option '%s'",
                             g->argv[prev]);
        case ':':
            if (optopt && optopt < 256
                && strncmp (g->argv[prev], "--", 2) != 0)
                cmd_usage_error (g->p, "option '-%c' requires an argument",
                                 optopt);
            cmd_usage_error (g->p, "option '%s' requires an argument",
                             g->argv[prev]);
    }
    return c;
}

int cmd_getopt_index (struct cmd_getopt *g)
{
    (void)g;
    return optind;
}

int cmd_subcommand (const struct cmd_parser *p, int argc, char **argv,
                    const char *what)
{
    struct cmd_getopt *g = cmd_getopt_create (p, argc, argv);
    int n;

    if (!g)
        cmd_die (p->prog, "%s", strerror (errno));
    while (cmd_getopt_next (g, NULL) != -1)
        ;
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n == argc)
        cmd_usage_error (p, "missing COMMAND%s%s", what ? " " : "",
                         what ? what : "");
    return n;
}

flux_t *cmd_open (const char *prog)
{
    flux_error_t error;
    flux_t *h;

    memset (&error, 0, sizeof (error));
    if (!(h = flux_open_ex (NULL, 0, &error))) {
        cmd_die (prog, "Unable to connect to Flux: %s",
                 error.text[0] ? error.text : strerror (errno));
    }
    return h;
}

const char *cmd_future_strerror (flux_future_t *f, int errnum)
{
    const char *s = f ? flux_future_error_string (f) : NULL;
    return s ? s : strerror (errnum);
}

int cmd_env_prepend (const char *name, const char *dirs)
{
    const char *old = getenv (name);
    size_t len = strlen (dirs);
    char *s;
    int rc;

    if (!old || !*old)
        return setenv (name, dirs, 1);
    if (!strncmp (old, dirs, len) && (old[len] == ':' || old[len] == '\0'))
        return 0;
    if (asprintf (&s, "%s:%s", dirs, old) < 0)
        return -1;
    rc = setenv (name, s, 1);
    free (s);
    return rc;
}

int cmd_parse_duration (const char *s, double *d)
{
    return fsd_parse (s, d);
}

int cmd_parse_uint (const char *s, int *n)
{
    char *end;
    long v;

    if (!s || !*s)
        goto inval;
    errno = 0;
    v = strtol (s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 0 || v > 0x7fffffff)
        goto inval;
    *n = (int)v;
    return 0;
inval:
    errno = EINVAL;
    return -1;
}

/* vi: ts=4 sw=4 expandtab
 */
