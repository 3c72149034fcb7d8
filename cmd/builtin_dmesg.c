/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux dmesg: print the broker's log ring buffer.
 *
 * log.dmesg is a streaming RPC: one response per log entry, each a raw
 * RFC 5424 line, ended by ENODATA (never, with --follow).  Lines are
 * decoded with flux_log_decode and printed as flux-core does:
 *   TIMESTAMP APPNAME.SEVERITY[RANK]: MESSAGE
 * A line that does not decode is printed as it came, so nothing logged
 * is hidden from the user.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_REVERSE "\033[7m"
#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_BLUE "\033[34m"

static const struct cmd_option dmesg_opts[] = {
    { "clear", 'C', no_argument, NULL, "Clear the ring buffer" },
    { "read-clear", 'c', no_argument, NULL,
      "Clear the ring buffer contents after printing" },
    { "follow", 'f', no_argument, NULL, "Track new entries as are logged" },
    { "new", 'n', no_argument, NULL, "Show only new log messages" },
    { "human", 'H', no_argument, NULL, "Human readable output" },
    { "delta", 'd', no_argument, NULL,
      "With --human, show timestamp delta between messages" },
    { "color", 'L', optional_argument, "WHEN",
      "Colorize output when supported; WHEN can be 'always' (default if "
      "omitted), 'never', or 'auto' (default)." },
    CMD_OPTION_END,
};

static const struct cmd_parser dmesg_parser = {
    .prog = "flux-dmesg",
    .cmdline = "flux dmesg",
    .usage = "[OPTIONS]",
    .doc = "Print or clear the broker's log ring buffer.",
    .opts = dmesg_opts,
};

struct dmesg_ctx {
    bool color;
    bool human;
    bool delta;
    struct tm last_tm;
    struct timeval last_tv;
    bool have_last;
};

static const char *months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static const char *color (struct dmesg_ctx *ctx, const char *s)
{
    return ctx->color ? s : "";
}

static const char *severity_color (struct dmesg_ctx *ctx, int severity)
{
    switch (severity) {
        case LOG_EMERG:
        case LOG_ALERT:
            return color (ctx, ANSI_REVERSE ANSI_RED);
        case LOG_CRIT:
            return color (ctx, ANSI_BOLD ANSI_RED);
        case LOG_ERR:
            return color (ctx, ANSI_RED);
        case LOG_WARNING:
            return color (ctx, ANSI_BOLD);
        case LOG_DEBUG:
            return color (ctx, ANSI_BLUE);
    }
    return "";
}

/* Parse "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (UTC). */
static int timestamp_parse (const char *s, struct tm *tm, struct timeval *tv)
{
    struct tm t;
    const char *p;
    time_t sec;
    long usec = 0;

    memset (&t, 0, sizeof (t));
    if (!(p = strptime (s, "%Y-%m-%dT%H:%M:%S", &t)))
        return -1;
    if (*p == '.') {
        long mult = 100000;
        for (p++; *p >= '0' && *p <= '9'; p++) {
            usec += (*p - '0') * mult;
            mult /= 10;
        }
    }
    if (*p != 'Z')
        return -1;
    if ((sec = timegm (&t)) == (time_t)-1)
        return -1;
    if (!localtime_r (&sec, tm))
        return -1;
    tv->tv_sec = sec;
    tv->tv_usec = usec;
    return 0;
}

static void print_iso_timestamp (struct dmesg_ctx *ctx, const char *ts)
{
    struct tm tm;
    struct timeval tv;
    char buf[64];
    long off;

    /* In UTC (as under the test suite) the logged text is what we would
     * print; elsewhere show local time with its offset, as flux-core.
     */
    if (timestamp_parse (ts, &tm, &tv) < 0
        || tm.tm_gmtoff == 0
        || strftime (buf, sizeof (buf), "%Y-%m-%dT%T", &tm) == 0) {
        printf ("%s%s%s ", color (ctx, ANSI_GREEN), ts,
                color (ctx, ANSI_RESET));
        return;
    }
    off = tm.tm_gmtoff / 60;
    printf ("%s%s.%06ld%c%02ld:%02ld%s ",
            color (ctx, ANSI_GREEN), buf, (long)tv.tv_usec,
            off < 0 ? '-' : '+', labs (off) / 60, labs (off) % 60,
            color (ctx, ANSI_RESET));
}

static void print_human_timestamp (struct dmesg_ctx *ctx, const char *ts)
{
    struct tm tm;
    struct timeval tv;

    if (timestamp_parse (ts, &tm, &tv) < 0) {
        printf ("%s[%s]%s ", color (ctx, ANSI_GREEN), ts,
                color (ctx, ANSI_RESET));
        return;
    }
    if (ctx->have_last
        && tm.tm_year == ctx->last_tm.tm_year
        && tm.tm_mon == ctx->last_tm.tm_mon
        && tm.tm_mday == ctx->last_tm.tm_mday
        && tm.tm_hour == ctx->last_tm.tm_hour
        && tm.tm_min == ctx->last_tm.tm_min) {
        double dt = (tv.tv_sec - ctx->last_tv.tv_sec)
                    + (tv.tv_usec - ctx->last_tv.tv_usec) / 1e6;
        printf ("%s[%+11.6f]%s ", color (ctx, ANSI_GREEN), dt,
                color (ctx, ANSI_RESET));
        if (ctx->delta)
            ctx->last_tv = tv;
    }
    else {
        printf ("%s[%s%02d %02d:%02d]%s ",
                color (ctx, ANSI_BOLD ANSI_GREEN),
                months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
                color (ctx, ANSI_RESET));
        ctx->last_tv = tv;
        ctx->last_tm = tm;
        ctx->have_last = true;
    }
}

static void dmesg_print (struct dmesg_ctx *ctx, const char *buf, size_t len)
{
    struct flux_log_entry e;

    if (flux_log_decode (buf, len, &e) < 0) {
        printf ("%.*s\n", (int)len, buf);
    }
    else {
        const char *sev = flux_log_severity_tostr (e.severity);
        size_t msglen = e.msglen;

        /* A trailing newline is the line's end, not part of the message. */
        while (msglen > 0 && (e.msg[msglen - 1] == '\n'
                              || e.msg[msglen - 1] == '\r'))
            msglen--;
        if (ctx->human)
            print_human_timestamp (ctx, e.timestamp);
        else
            print_iso_timestamp (ctx, e.timestamp);
        printf ("%s%s.%s[%lu]%s: %s%.*s%s\n",
                color (ctx, ANSI_YELLOW),
                e.appname,
                sev ? sev : "unknown",
                strtoul (e.hostname, NULL, 10),
                color (ctx, ANSI_RESET),
                severity_color (ctx, e.severity),
                (int)msglen, e.msg,
                color (ctx, ANSI_RESET));
    }
    fflush (stdout);
}

int cmd_dmesg (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&dmesg_parser, argc, argv);
    struct dmesg_ctx ctx = { 0 };
    bool clear = false;
    bool read_clear = false;
    bool follow = false;
    bool new = false;
    const char *when = "auto";
    const char *arg;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-dmesg", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'C':
                clear = true;
                break;
            case 'c':
                read_clear = true;
                break;
            case 'f':
                follow = true;
                break;
            case 'n':
                new = true;
                break;
            case 'H':
                ctx.human = true;
                break;
            case 'd':
                ctx.delta = true;
                break;
            case 'L':
                when = arg ? arg : "always";
                break;
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc)
        cmd_usage_error (&dmesg_parser, "flux-dmesg accepts no free "
                         "arguments");
    if (ctx.delta && !ctx.human)
        cmd_usage_error (&dmesg_parser, "--delta can only be used with "
                         "--human");
    if (!strcmp (when, "always"))
        ctx.color = true;
    else if (!strcmp (when, "never"))
        ctx.color = false;
    else if (!strcmp (when, "auto"))
        ctx.color = isatty (STDOUT_FILENO);
    else
        cmd_usage_error (&dmesg_parser, "Invalid argument to --color: '%s'",
                         when);
    tzset ();

    h = cmd_open ("flux-dmesg");
    if (!clear) {
        flux_future_t *f;
        const void *buf;
        size_t len;

        if (!(f = flux_rpc_pack (h, "log.dmesg", FLUX_NODEID_ANY,
                                 FLUX_RPC_STREAMING, "{s:b s:b}",
                                 "follow", follow ? 1 : 0,
                                 "nobacklog", new ? 1 : 0)))
            cmd_die ("flux-dmesg", "log.dmesg: %s", strerror (errno));
        while (flux_rpc_get_raw (f, &buf, &len) == 0) {
            /* The line may or may not carry a trailing NUL. */
            if (len > 0 && ((const char *)buf)[len - 1] == '\0')
                len--;
            dmesg_print (&ctx, buf, len);
            flux_future_reset (f);
        }
        if (errno != ENODATA)
            cmd_die ("flux-dmesg", "log.dmesg: %s",
                     cmd_future_strerror (f, errno));
        flux_future_destroy (f);
    }
    if (clear || read_clear) {
        flux_future_t *f;

        if (!(f = flux_rpc (h, "log.clear", NULL, FLUX_NODEID_ANY, 0))
            || flux_future_get (f, NULL) < 0)
            cmd_die ("flux-dmesg", "log.clear: %s",
                     cmd_future_strerror (f, errno));
        flux_future_destroy (f);
    }
    flux_close (h);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
