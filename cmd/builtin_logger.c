/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux logger: write to the broker log, as a program would with
 * flux_log().  The words of the command line make one message; without
 * any, each line of stdin is a message.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const struct cmd_option logger_opts[] = {
    { "severity", 's', required_argument, "SEVERITY",
      "Specify severity (emerg, alert, crit, err, warning, notice, info, "
      "debug); default notice" },
    { "appname", 'n', required_argument, "NAME",
      "Set the application name (default: logger)" },
    CMD_OPTION_END,
};

static const struct cmd_parser logger_parser = {
    .prog = "flux-logger",
    .cmdline = "flux logger",
    .usage = "[OPTIONS] [MESSAGE...]",
    .doc = "Log MESSAGE (or each line of stdin) to the broker log.",
    .opts = logger_opts,
};

static void log_message (flux_t *h, int severity, const char *msg)
{
    if (flux_log (h, severity, "%s", msg) < 0)
        cmd_die ("flux-logger", "%s", strerror (errno));
}

int cmd_logger (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&logger_parser, argc, argv);
    int severity = LOG_NOTICE;
    const char *appname = "logger";
    const char *arg;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-logger", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 's':
                if ((severity = flux_log_severity_fromstr (arg)) < 0)
                    cmd_usage_error (&logger_parser,
                                     "invalid severity '%s'", arg);
                break;
            case 'n':
                appname = arg;
                break;
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);

    h = cmd_open ("flux-logger");
    flux_log_set_appname (h, appname);
    if (n < argc) {
        size_t len = 0;
        char *msg;

        for (int i = n; i < argc; i++)
            len += strlen (argv[i]) + 1;
        if (!(msg = calloc (1, len)))
            cmd_die ("flux-logger", "out of memory");
        for (int i = n; i < argc; i++) {
            if (i > n)
                strcat (msg, " ");
            strcat (msg, argv[i]);
        }
        log_message (h, severity, msg);
        free (msg);
    }
    else {
        char *line = NULL;
        size_t size = 0;
        ssize_t len;

        while ((len = getline (&line, &size, stdin)) >= 0) {
            if (len > 0 && line[len - 1] == '\n')
                line[len - 1] = '\0';
            log_message (h, severity, line);
        }
        free (line);
    }
    flux_close (h);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
