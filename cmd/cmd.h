/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Shared by the flux command and its subcommands: option parsing with
 * generated --help, error reporting in flux-core's "flux-CMD: cause"
 * form, and opening a handle with the connection error a user can act on.
 */
#ifndef FLUX_CMD_H
#define FLUX_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <flux/core.h>

/* Exit codes: 1 for an error at run time, 2 for a usage error. */
enum {
    CMD_EXIT_ERROR = 1,
    CMD_EXIT_USAGE = 2,
};

/* One option of a (sub)command.  'key' is the short option character,
 * or a value >= 256 for a long-only option.  has_arg is one of getopt's
 * no_argument, required_argument, optional_argument (an optional
 * argument must be attached: -LWHEN or --color=WHEN).
 */
struct cmd_option {
    const char *name;
    int key;
    int has_arg;
    const char *arginfo;
    const char *usage;
};

#define CMD_OPTION_END { NULL, 0, 0, NULL, NULL }

/* A parser for one (sub)command.  'prog' names it in messages
 * ("flux-ping"), 'usage' is the synopsis after "Usage: flux CMD",
 * 'doc' one sentence on what it does.  With 'posix' set, parsing stops
 * at the first non-option argument so that what follows (module
 * arguments, a command line) passes through untouched.
 */
struct cmd_parser {
    const char *prog;
    const char *cmdline;    /* "flux ping" */
    const char *usage;
    const char *doc;
    const struct cmd_option *opts;
    bool posix;
};

/* Parse argv[1..] (argv[0] is the subcommand name) in a getopt loop.
 * Returns the next option's key with *optargp set (NULL if none), or
 * -1 when options are done; then *optindp is the index of the first
 * non-option argument.  --help/-h prints help to stdout and exits 0; an
 * unknown option or a missing argument prints one line and a hint to
 * stderr and exits CMD_EXIT_USAGE.
 */
struct cmd_getopt;
struct cmd_getopt *cmd_getopt_create (const struct cmd_parser *p,
                                      int argc, char **argv);
int cmd_getopt_next (struct cmd_getopt *g, const char **optargp);
int cmd_getopt_index (struct cmd_getopt *g);
void cmd_getopt_destroy (struct cmd_getopt *g);

/* For a command of subcommands ("flux kvs [OPTIONS] COMMAND ..."): take
 * the options of 'p' (--help), and return the index in argv of COMMAND.
 * No COMMAND is a usage error: "missing COMMAND" and 'what' after it,
 * if not NULL (e.g. "(pub or sub)").
 */
int cmd_subcommand (const struct cmd_parser *p, int argc, char **argv,
                    const char *what);

/* Print the help of 'p' to 'f'. */
void cmd_print_help (const struct cmd_parser *p, FILE *f);

/* Usage error: print "PROG: MSG" and "Try 'CMDLINE --help'", exit 2. */
void cmd_usage_error (const struct cmd_parser *p, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3), noreturn));

/* Print "PROG: MSG" to stderr. cmd_die exits CMD_EXIT_ERROR after. */
void cmd_msg (const char *prog, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
void cmd_die (const char *prog, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3), noreturn));

/* Open a handle on $FLUX_URI or exit with
 * "PROG: Unable to connect to Flux: TEXT".  Caller closes it.
 */
flux_t *cmd_open (const char *prog);

/* The error text of a failed future: the server's text if any, else
 * strerror(errnum).
 */
const char *cmd_future_strerror (flux_future_t *f, int errnum);

/* Set environment variable 'name' to 'dirs' followed by its current
 * value (colon-separated), unless it already begins with 'dirs'.
 * Returns 0 or -1 with errno.
 */
int cmd_env_prepend (const char *name, const char *dirs);

/* Parse a duration in Flux Standard Duration form: a non-negative
 * number with an optional suffix ms, s, m, h or d (seconds if none).
 * Returns 0 with *d set, or -1 with errno EINVAL.
 */
int cmd_parse_duration (const char *s, double *d);

/* Parse a non-negative decimal int; returns 0 or -1 with EINVAL. */
int cmd_parse_uint (const char *s, int *n);

/* Subcommand entry points: argv[0] is the subcommand name. */
int cmd_start (int argc, char **argv);
int cmd_module (int argc, char **argv);
int cmd_ping (int argc, char **argv);
int cmd_dmesg (int argc, char **argv);
int cmd_logger (int argc, char **argv);
int cmd_event (int argc, char **argv);
int cmd_getattr (int argc, char **argv);
int cmd_setattr (int argc, char **argv);
int cmd_lsattr (int argc, char **argv);
int cmd_kvs (int argc, char **argv);
int cmd_module_exec (int argc, char **argv);
int cmd_python (int argc, char **argv);
int cmd_config (int argc, char **argv);
int cmd_overlay (int argc, char **argv);
int cmd_keygen (int argc, char **argv);
int cmd_exec (int argc, char **argv);
int cmd_modprobe (int argc, char **argv);

#endif /* !FLUX_CMD_H */
