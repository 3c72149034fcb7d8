/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux kvs eventlog append|get|wait-event, as flux-core's.
 *
 * An eventlog (RFC 18) is a KVS value made of lines, one JSON object a
 * line: {"timestamp":T,"name":N,"context":{...}}, the context being
 * optional.  append adds one line with a FLUX_KVS_APPEND commit; get
 * and wait-event read it, with --watch (and always for wait-event)
 * through a FLUX_KVS_WATCH|FLUX_KVS_WATCH_APPEND lookup, which answers
 * first with the whole log, then with each appended piece.
 *
 * An entry prints as flux-core's eventlog formatter prints it:
 * "TIMESTAMP NAME KEY=VALUE..." (the timestamp "%lf", each context
 * value as compact JSON), or with --human the timestamp as "[MonDD
 * HH:MM]" at each new minute and "[+SSSS.SSSSSS]" seconds since that
 * line within it; with --unformatted the RFC 18 line as it was stored.
 * --color adds flux-core's ANSI colors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd.h"
#include "kvs.h"

#define COLOR_NAME      "\033[33m"
#define COLOR_TIME      "\033[32m"
#define COLOR_TIMEBREAK "\033[1m\033[32m"
#define COLOR_KEY       "\033[34m"
#define COLOR_VALUE     "\033[35m"
#define COLOR_VALUE_NUM "\033[37m"
#define COLOR_EXCEPTION "\033[1m\033[31m"
#define COLOR_RESET     "\033[0m"

static const struct cmd_option append_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "timestamp", 't', required_argument, "SECONDS",
      "Specify timestamp in seconds since epoch" },
    CMD_OPTION_END,
};

static const struct cmd_option get_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "waitcreate", 'W', no_argument, NULL,
      "Wait for creation to occur on watch" },
    { "watch", 'w', no_argument, NULL, "Monitor eventlog" },
    { "count", 'c', required_argument, "COUNT",
      "Display at most COUNT events" },
    { "unformatted", 'u', no_argument, NULL, "Show event in RFC 18 form" },
    { "human", 'H', no_argument, NULL, "Display human-readable output" },
    { "color", 'L', optional_argument, "WHEN",
      "Colorize output when supported; WHEN can be 'always' "
      "(default if omitted), 'never', or 'auto' (default)" },
    { "stream", 'S', no_argument, NULL,
      "Return potentially large values in multiple responses" },
    CMD_OPTION_END,
};

static const struct cmd_option wait_event_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "waitcreate", 'W', no_argument, NULL,
      "Wait for creation to occur on eventlog" },
    { "timeout", 't', required_argument, "DURATION",
      "timeout after DURATION" },
    { "unformatted", 'u', no_argument, NULL, "Show event in RFC 18 form" },
    { "quiet", 'q', no_argument, NULL, "Do not output matched event" },
    { "verbose", 'v', no_argument, NULL,
      "Output all events before matched event" },
    { "human", 'H', no_argument, NULL, "Display human-readable output" },
    { "color", 'L', optional_argument, "WHEN",
      "Colorize output when supported; WHEN can be 'always' "
      "(default if omitted), 'never', or 'auto' (default)" },
    CMD_OPTION_END,
};

static const struct cmd_parser append_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs eventlog append",
    .usage = "[-N ns] [-t SECONDS] KEY NAME [CONTEXT ...]",
    .doc = "Append to eventlog.",
    .opts = append_opts,
};

static const struct cmd_parser get_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs eventlog get",
    .usage = "[-N ns] [-u] [-W] [-w] [-c COUNT] [-H] [-S] "
             "[-L auto|always|never] KEY",
    .doc = "Get eventlog.",
    .opts = get_opts,
};

static const struct cmd_parser wait_event_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs eventlog wait-event",
    .usage = "[-N ns] [-t seconds] [-u] [-W] [-q] [-v] "
             "[-L auto|always|never] KEY EVENT",
    .doc = "Wait for an event.",
    .opts = wait_event_opts,
};

static const struct cmd_parser eventlog_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs eventlog",
    .usage = "COMMAND [OPTIONS] ARGS",
    .doc = "Manipulate a KVS eventlog.  Commands:\n"
           "   append          Append to eventlog\n"
           "   get             Get eventlog\n"
           "   wait-event      Wait for an event",
    .posix = true,
};

/* Formatting entries ------------------------------------------------- */

struct formatter {
    bool unformatted;
    bool human;
    bool color;
    struct tm last_tm;      /* --human: the minute last printed */
    double last_ts;         /* --human: the timestamp that began it */
};

static const char *color (const struct formatter *fmt, const char *s)
{
    return fmt->color ? s : "";
}

/* --color[=WHEN], as flux-core's optparse_get_color(): no WHEN is
 * "always", the default "auto" (a tty), or "never" if $NO_COLOR is set.
 */
static void formatter_init (struct formatter *fmt,
                            const struct cmd_parser *p,
                            const struct kvs_opts *o)
{
    const char *no_color = getenv ("NO_COLOR");
    const char *when = no_color && *no_color ? "never" : "auto";

    memset (fmt, 0, sizeof (*fmt));
    if (o->set['L'])
        when = o->arg['L'] ? o->arg['L'] : "always";
    if (!strcmp (when, "always"))
        fmt->color = true;
    else if (!strcmp (when, "auto"))
        fmt->color = isatty (STDOUT_FILENO);
    else if (strcmp (when, "never") != 0)
        cmd_usage_error (p, "Invalid argument to --color: '%s'", when);
    fmt->unformatted = o->set['u'];
    fmt->human = o->set['H'];
    if (fmt->unformatted && (fmt->human || !strcmp (when, "always")))
        cmd_usage_error (p, "Do not specify --unformatted with --human "
                         "or --color=always");
}

static void print_timestamp (struct formatter *fmt, double ts)
{
    static const char *months[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun",
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    };
    time_t t = (time_t)ts;
    struct tm tm;

    if (!fmt->human) {
        printf ("%s%lf%s", color (fmt, COLOR_TIME), ts,
                color (fmt, COLOR_RESET));
        return;
    }
    if (ts < 0 || !localtime_r (&t, &tm)) {
        printf ("%s[%+11.6f]%s", color (fmt, COLOR_TIME), ts,
                color (fmt, COLOR_RESET));
        return;
    }
    if (tm.tm_year == fmt->last_tm.tm_year
        && tm.tm_mon == fmt->last_tm.tm_mon
        && tm.tm_mday == fmt->last_tm.tm_mday
        && tm.tm_hour == fmt->last_tm.tm_hour
        && tm.tm_min == fmt->last_tm.tm_min) {
        printf ("%s[%+11.6f]%s", color (fmt, COLOR_TIME),
                ts - fmt->last_ts, color (fmt, COLOR_RESET));
        return;
    }
    fmt->last_ts = ts;
    fmt->last_tm = tm;
    printf ("%s[%s%02d %02d:%02d]%s", color (fmt, COLOR_TIMEBREAK),
            months[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min,
            color (fmt, COLOR_RESET));
}

/* An RFC 18 entry, or NULL: a JSON object with a string "name", a
 * number "timestamp" and, if any, an object "context".
 */
static bool entry_valid (json_t *entry)
{
    json_t *context = json_object_get (entry, "context");

    return json_is_object (entry)
        && json_is_string (json_object_get (entry, "name"))
        && json_is_number (json_object_get (entry, "timestamp"))
        && (!context || json_is_object (context));
}

static void print_entry (struct formatter *fmt, json_t *entry)
{
    const char *name = json_string_value (json_object_get (entry, "name"));
    json_t *context = json_object_get (entry, "context");
    const char *key;
    json_t *value;

    if (fmt->unformatted) {
        char *s = json_dumps (entry, JSON_COMPACT);
        if (!s)
            cmd_die (kvs_prog, "out of memory");
        printf ("%s\n", s);
        free (s);
        return;
    }
    print_timestamp (fmt, json_number_value (json_object_get (entry,
                                                              "timestamp")));
    printf (" %s%s%s",
            color (fmt, !strcmp (name, "exception") ? COLOR_EXCEPTION
                                                    : COLOR_NAME),
            name, color (fmt, COLOR_RESET));
    json_object_foreach (context, key, value) {
        char *s = json_dumps (value, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!s)
            cmd_die (kvs_prog, "out of memory");
        printf (" %s%s%s=%s%s%s",
                color (fmt, COLOR_KEY), key, color (fmt, COLOR_RESET),
                color (fmt, json_is_number (value) ? COLOR_VALUE_NUM
                                                   : COLOR_VALUE),
                s, color (fmt, COLOR_RESET));
        free (s);
    }
    printf ("\n");
}

/* The entries of eventlog text s (the whole log or an appended piece),
 * as a JSON array; exits on an improperly formatted log.
 */
static json_t *eventlog_decode (const char *s)
{
    json_t *a = json_array ();
    const char *line = s ? s : "";
    const char *nl;

    if (!a)
        cmd_die (kvs_prog, "out of memory");
    if (*line && !strchr (line, '\n'))
        cmd_die (kvs_prog, "cannot decode improperly formatted eventlog");
    while ((nl = strchr (line, '\n'))) {
        json_t *entry = json_loadb (line, nl - line, 0, NULL);
        if (!entry_valid (entry) || json_array_append_new (a, entry) < 0)
            cmd_die (kvs_prog, "cannot decode improperly formatted "
                     "eventlog");
        line = nl + 1;
    }
    return a;
}

/* append -------------------------------------------------------------- */

static void eventlog_append (flux_t *h, const struct kvs_opts *o,
                             int argc, char **argv)
{
    int i = o->optind;
    const char *key = argv[i++];
    const char *name = argv[i++];
    double timestamp = 0.;
    json_t *entry, *context = NULL;
    flux_kvs_txn_t *txn;
    flux_future_t *f;
    char *s;

    if (o->arg['t']) {
        char *end;
        timestamp = strtod (o->arg['t'], &end);
        if (end == o->arg['t'] || *end)
            cmd_usage_error (&append_parser, "invalid timestamp '%s'",
                             o->arg['t']);
    }
    if (timestamp < 0.)
        cmd_die (kvs_prog, "eventlog_entry_create: %s", strerror (EINVAL));
    if (timestamp == 0.) {
        struct timespec ts;
        clock_gettime (CLOCK_REALTIME, &ts);
        timestamp = ts.tv_sec + 1E-9 * ts.tv_nsec;
    }
    if (i < argc) {
        /* The context is the remaining arguments joined by spaces, a
         * JSON object.
         */
        size_t len = 0;
        char *text, *p;
        for (int j = i; j < argc; j++)
            len += strlen (argv[j]) + 1;
        if (!(p = text = malloc (len)))
            cmd_die (kvs_prog, "out of memory");
        for (int j = i; j < argc; j++)
            p += sprintf (p, "%s%s", j > i ? " " : "", argv[j]);
        context = json_loads (text, 0, NULL);
        free (text);
        if (!json_is_object (context))
            cmd_die (kvs_prog, "eventlog_entry_create: %s",
                     strerror (EINVAL));
    }
    if (!*name)
        cmd_die (kvs_prog, "eventlog_entry_create: %s", strerror (EINVAL));
    if (context)
        entry = json_pack ("{s:f s:s s:o}", "timestamp", timestamp,
                           "name", name, "context", context);
    else
        entry = json_pack ("{s:f s:s}", "timestamp", timestamp,
                           "name", name);
    if (!entry || !(s = json_dumps (entry, JSON_COMPACT)))
        cmd_die (kvs_prog, "out of memory");
    json_decref (entry);
    if (!(txn = flux_kvs_txn_create ())
        || !(s = realloc (s, strlen (s) + 2)))
        cmd_die (kvs_prog, "out of memory");
    strcat (s, "\n");
    if (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, key, s) < 0)
        cmd_die (kvs_prog, "flux_kvs_txn_put: %s", strerror (errno));
    if (!(f = flux_kvs_commit (h, o->arg['N'], 0, txn))
        || flux_future_get (f, NULL) < 0)
        cmd_die (kvs_prog, "flux_kvs_commit: %s",
                 cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    flux_kvs_txn_destroy (txn);
    free (s);
}

/* get ------------------------------------------------------------------ */

struct get_ctx {
    const struct kvs_opts *o;
    struct formatter fmt;
    int maxcount;
    int count;
};

static void get_continuation (flux_future_t *f, void *arg)
{
    struct get_ctx *ctx = arg;
    bool watch = ctx->o->set['w'];
    bool stream = ctx->o->set['S'];
    bool limit_reached = false;
    const char *s;
    json_t *a, *entry;
    size_t i;

    /* The end of a cancelled watch or of a stream. */
    if ((watch || stream) && flux_rpc_get (f, NULL) < 0 && errno == ENODATA) {
        flux_future_destroy (f);
        return;
    }
    if (flux_kvs_lookup_get (f, &s) < 0)
        cmd_die (kvs_prog, "flux_kvs_lookup_get: %s",
                 cmd_future_strerror (f, errno));
    a = eventlog_decode (s);
    json_array_foreach (a, i, entry) {
        if (!watch || ctx->maxcount == 0 || ctx->count < ctx->maxcount)
            print_entry (&ctx->fmt, entry);
        if (watch && ctx->maxcount > 0 && ++ctx->count == ctx->maxcount)
            limit_reached = true;
    }
    json_decref (a);
    fflush (stdout);
    if (watch) {
        flux_future_reset (f);
        if (limit_reached && flux_kvs_lookup_cancel (f) < 0)
            cmd_die (kvs_prog, "flux_kvs_lookup_cancel: %s",
                     strerror (errno));
    }
    else if (stream)
        flux_future_reset (f);
    else
        flux_future_destroy (f);
}

static void eventlog_get (flux_t *h, struct get_ctx *ctx, const char *key)
{
    const struct kvs_opts *o = ctx->o;
    flux_future_t *f;
    int flags = 0;

    if (o->set['w'])
        flags |= FLUX_KVS_WATCH | FLUX_KVS_WATCH_APPEND;
    if (o->set['W'])
        flags |= FLUX_KVS_WAITCREATE;
    if (o->set['S'])
        flags |= FLUX_KVS_STREAM;
    if (!(f = flux_kvs_lookup (h, o->arg['N'], flags, key))
        || flux_future_then (f, -1., get_continuation, ctx) < 0)
        cmd_die (kvs_prog, "flux_kvs_lookup: %s", strerror (errno));
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0)
        cmd_die (kvs_prog, "flux_reactor_run: %s", strerror (errno));
}

/* wait-event ------------------------------------------------------------ */

struct wait_ctx {
    const struct kvs_opts *o;
    struct formatter fmt;
    const char *key;
    const char *event;
    bool got_event;
};

static void wait_continuation (flux_future_t *f, void *arg)
{
    struct wait_ctx *ctx = arg;
    const char *s;
    json_t *a, *entry;
    size_t i;

    if (flux_kvs_lookup_get (f, &s) < 0) {
        if (errno == ENOENT)
            cmd_die (kvs_prog, "eventlog path %s not found", ctx->key);
        if (errno == ETIMEDOUT)
            cmd_die (kvs_prog, "wait-event timeout on event '%s'",
                     ctx->event);
        if (errno == ENODATA) {
            flux_future_destroy (f);
            if (!ctx->got_event)
                cmd_die (kvs_prog, "event '%s' never received", ctx->event);
            return;
        }
        cmd_die (kvs_prog, "flux_kvs_lookup_get: %s",
                 cmd_future_strerror (f, errno));
    }
    a = eventlog_decode (s);
    json_array_foreach (a, i, entry) {
        const char *name;
        /* N.B. What arrives between the cancel and its ENODATA is not
         * printed: the event was found.
         */
        if (ctx->got_event)
            break;
        name = json_string_value (json_object_get (entry, "name"));
        if (!strcmp (name, ctx->event)) {
            if (!ctx->o->set['q'])
                print_entry (&ctx->fmt, entry);
            ctx->got_event = true;
            if (flux_kvs_lookup_cancel (f) < 0)
                cmd_die (kvs_prog, "flux_kvs_lookup_cancel: %s",
                         strerror (errno));
        }
        else if (ctx->o->set['v'])
            print_entry (&ctx->fmt, entry);
    }
    json_decref (a);
    fflush (stdout);
    flux_future_reset (f);
}

static void eventlog_wait_event (flux_t *h, struct wait_ctx *ctx,
                                 double timeout)
{
    int flags = FLUX_KVS_WATCH | FLUX_KVS_WATCH_APPEND;
    flux_future_t *f;

    if (ctx->o->set['W'])
        flags |= FLUX_KVS_WAITCREATE;
    if (!(f = flux_kvs_lookup (h, ctx->o->arg['N'], flags, ctx->key))
        || flux_future_then (f, timeout, wait_continuation, ctx) < 0)
        cmd_die (kvs_prog, "flux_kvs_lookup: %s", strerror (errno));
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0)
        cmd_die (kvs_prog, "flux_reactor_run: %s", strerror (errno));
}

/* Dispatch ----------------------------------------------------------------- */

int kvs_eventlog (int argc, char **argv)
{
    static const struct cmd_parser *parsers[] = {
        &append_parser, &get_parser, &wait_event_parser,
    };
    static const char *names[] = { "append", "get", "wait-event" };
    const struct cmd_parser *p = NULL;
    struct kvs_opts o;
    flux_t *h;
    int n;

    n = cmd_subcommand (&eventlog_parser, argc, argv, NULL);
    for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
        if (!strcmp (names[i], argv[n]))
            p = parsers[i];
    if (!p)
        cmd_usage_error (&eventlog_parser, "unknown command '%s'", argv[n]);
    argc -= n;
    argv += n;
    kvs_parse (p, argc, argv, &o);
    if (p == &append_parser) {
        if (argc - o.optind < 2)
            cmd_usage_error (p, "specify KEY and NAME");
        h = cmd_open (kvs_prog);
        eventlog_append (h, &o, argc, argv);
    }
    else if (p == &get_parser) {
        struct get_ctx ctx = { .o = &o };
        if (argc - o.optind != 1)
            cmd_usage_error (p, "specify one KEY");
        if (o.arg['c'] && cmd_parse_uint (o.arg['c'], &ctx.maxcount) < 0)
            cmd_usage_error (p, "invalid count '%s'", o.arg['c']);
        formatter_init (&ctx.fmt, p, &o);
        h = cmd_open (kvs_prog);
        eventlog_get (h, &ctx, argv[o.optind]);
    }
    else {
        struct wait_ctx ctx = { .o = &o };
        double timeout = -1.;
        if (argc - o.optind != 2)
            cmd_usage_error (p, "specify KEY and EVENT");
        if (o.arg['t'] && cmd_parse_duration (o.arg['t'], &timeout) < 0)
            cmd_usage_error (p, "invalid duration '%s'", o.arg['t']);
        ctx.key = argv[o.optind];
        ctx.event = argv[o.optind + 1];
        formatter_init (&ctx.fmt, p, &o);
        h = cmd_open (kvs_prog);
        eventlog_wait_event (h, &ctx, timeout);
    }
    flux_close (h);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
