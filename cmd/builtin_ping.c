/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux ping: time round trips to a service's ping method.
 *
 * Output is flux-core's, line for line: a header naming the target
 * ("flux-ping any!svc"), then one line per response.  Requests are sent
 * from a timer (every --interval seconds) and answered in continuations,
 * so a slow response does not delay the next request; the reactor
 * returns once --count requests are sent and all are answered.  The
 * send time travels in the request and comes back in the response, so
 * nothing is kept per request but the future itself.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd.h"

static const struct cmd_option ping_opts[] = {
    { "rank", 'r', required_argument, "RANK",
      "Find target on a specific broker rank" },
    { "pad", 'p', required_argument, "N",
      "Include in the payload a string of length N bytes" },
    { "interval", 'i', required_argument, "N",
      "Specify the delay, in seconds, between successive requests" },
    { "count", 'c', required_argument, "N",
      "Specify the number of requests to send" },
    { "batch", 'b', no_argument, NULL,
      "Begin processing responses after all requests are sent" },
    { "userid", 'u', no_argument, NULL,
      "Include userid and rolemask in ping output" },
    CMD_OPTION_END,
};

static const struct cmd_parser ping_parser = {
    .prog = "flux-ping",
    .cmdline = "flux ping",
    .usage = "[OPTIONS] [RANK!]SERVICE",
    .doc = "Send SERVICE.ping requests and print each round trip time.",
    .opts = ping_opts,
};

struct ping_ctx {
    flux_t *h;
    double interval;
    uint32_t nodeid;
    char *topic;
    char *pad;
    int count;
    int send_count;
    bool userid;
};

static double monotime_ms_since (int64_t sec, int64_t nsec)
{
    struct timespec now;

    clock_gettime (CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - sec) * 1e3
           + (double)(now.tv_nsec - nsec) * 1e-6;
}

static const char *rank_bang (uint32_t rank, char *buf, size_t size)
{
    if (rank == FLUX_NODEID_ANY)
        return "";
    if (rank == FLUX_NODEID_UPSTREAM)
        return "upstream!";
    snprintf (buf, size, "%" PRIu32 "!", rank);
    return buf;
}

static void ping_continuation (flux_future_t *f, void *arg)
{
    struct ping_ctx *ctx = arg;
    const char *route = "";
    const char *pad;
    int64_t sec, nsec;
    int seq;
    int userid = -1;
    int rolemask = 0;
    int rank = (int)ctx->nodeid;
    char rbuf[32];
    char ubuf[64] = "";

    if (flux_rpc_get_unpack (f, "{s:i s:I s:I s:s s?s s?i s?i s?i}",
                             "seq", &seq,
                             "time.tv_sec", &sec,
                             "time.tv_nsec", &nsec,
                             "pad", &pad,
                             "route", &route,
                             "userid", &userid,
                             "rolemask", &rolemask,
                             "rank", &rank) < 0)
        cmd_die ("flux-ping", "%s%s: %s",
                 rank_bang (ctx->nodeid, rbuf, sizeof (rbuf)),
                 ctx->topic, cmd_future_strerror (f, errno));
    if (strcmp (ctx->pad, pad) != 0)
        cmd_die ("flux-ping", "%s%s: padding contents invalid",
                 rank_bang (ctx->nodeid, rbuf, sizeof (rbuf)), ctx->topic);
    if (ctx->userid)
        snprintf (ubuf, sizeof (ubuf), " userid=%" PRIu32 " rolemask=0x%"
                  PRIx32, (uint32_t)userid, (uint32_t)rolemask);
    printf ("%s%s pad=%zu%s seq=%d time=%0.3f ms (%s)\n",
            rank_bang ((uint32_t)rank, rbuf, sizeof (rbuf)),
            ctx->topic,
            strlen (ctx->pad),
            ubuf,
            seq,
            monotime_ms_since (sec, nsec),
            route);
    fflush (stdout);
    flux_future_destroy (f);
}

static void send_ping (struct ping_ctx *ctx)
{
    struct timespec t0;
    flux_future_t *f;

    clock_gettime (CLOCK_MONOTONIC, &t0);
    if (!(f = flux_rpc_pack (ctx->h, ctx->topic, ctx->nodeid, 0,
                             "{s:i s:I s:I s:s}",
                             "seq", ctx->send_count,
                             "time.tv_sec", (json_int_t)t0.tv_sec,
                             "time.tv_nsec", (json_int_t)t0.tv_nsec,
                             "pad", ctx->pad))
        || flux_future_then (f, -1., ping_continuation, ctx) < 0)
        cmd_die ("flux-ping", "%s: %s", ctx->topic, strerror (errno));
    ctx->send_count++;
}

static void timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                      int revents, void *arg)
{
    struct ping_ctx *ctx = arg;

    (void)r;
    (void)revents;
    send_ping (ctx);
    if (ctx->count && ctx->send_count == ctx->count)
        flux_watcher_stop (w);
    else if (ctx->interval == 0.) {
        /* N.B. a timer with repeat 0 does not repeat: re-arm it. */
        flux_timer_watcher_reset (w, 0., 0.);
        flux_watcher_start (w);
    }
}

/* flux-core looks the name up as a host first (an attr.get of
 * "hostlist"); a failure means "not a host".  Returns the rank or -1.
 */
static int rank_byhost (flux_t *h, const char *name)
{
    flux_future_t *f;
    const char *hosts;
    int rank = -1;

    if (!(f = flux_rpc_pack (h, "attr.get", FLUX_NODEID_ANY, 0,
                             "{s:s}", "name", "hostlist")))
        return -1;
    if (flux_rpc_get_unpack (f, "{s:s}", "value", &hosts) == 0) {
        char *cpy = strdup (hosts);
        char *saveptr = NULL;
        int i = 0;
        for (char *tok = cpy ? strtok_r (cpy, ",", &saveptr) : NULL;
             tok; tok = strtok_r (NULL, ",", &saveptr), i++) {
            if (!strcmp (tok, name)) {
                rank = i;
                break;
            }
        }
        free (cpy);
    }
    flux_future_destroy (f);
    return rank;
}

static int parse_nodeid (flux_t *h, const char *s, uint32_t *nodeid,
                         char *str, size_t size, char *suffix,
                         size_t suffix_size)
{
    int rank;

    suffix[0] = '\0';
    if (!strcmp (s, "any")) {
        *nodeid = FLUX_NODEID_ANY;
        snprintf (str, size, "any");
        return 0;
    }
    if (!strcmp (s, "upstream")) {
        *nodeid = FLUX_NODEID_UPSTREAM;
        snprintf (str, size, "upstream");
        return 0;
    }
    if ((rank = rank_byhost (h, s)) >= 0) {
        *nodeid = (uint32_t)rank;
        snprintf (str, size, "%s", s);
        snprintf (suffix, suffix_size, " (rank %d)", rank);
        return 0;
    }
    if (cmd_parse_uint (s, &rank) == 0) {
        *nodeid = (uint32_t)rank;
        snprintf (str, size, "%d", rank);
        return 0;
    }
    return -1;
}

int cmd_ping (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&ping_parser, argc, argv);
    struct ping_ctx ctx = { .interval = 1., .nodeid = FLUX_NODEID_ANY };
    const char *rank = NULL;
    const char *arg;
    char *target;
    char *service;
    char nodeidstr[256];
    char suffix[64];
    bool batch = false;
    int pad_bytes = 0;
    flux_watcher_t *tw = NULL;
    int c, n;

    if (!g)
        cmd_die ("flux-ping", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'r':
                rank = arg;
                break;
            case 'p':
                if (cmd_parse_uint (arg, &pad_bytes) < 0)
                    cmd_die ("flux-ping", "pad must be >= 0");
                break;
            case 'i':
                if (cmd_parse_duration (arg, &ctx.interval) < 0)
                    cmd_die ("flux-ping", "interval must be >= 0");
                break;
            case 'c':
                if (cmd_parse_uint (arg, &ctx.count) < 0)
                    cmd_die ("flux-ping", "count must be >= 0");
                break;
            case 'b':
                batch = true;
                break;
            case 'u':
                ctx.userid = true;
                break;
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&ping_parser, "exactly one TARGET is required");
    if (batch && ctx.count == 0)
        cmd_die ("flux-ping", "--batch should only be used with --count");
    if (rank) {
        if (strchr (argv[n], '!'))
            cmd_die ("flux-ping", "--rank and TARGET both try to specify "
                     "a nodeid");
        if (asprintf (&target, "%s!%s", rank, argv[n]) < 0)
            cmd_die ("flux-ping", "out of memory");
    }
    else if (!(target = strdup (argv[n])))
        cmd_die ("flux-ping", "out of memory");
    if (!(ctx.pad = calloc (1, pad_bytes + 1)))
        cmd_die ("flux-ping", "out of memory");
    memset (ctx.pad, 'p', pad_bytes);

    ctx.h = cmd_open ("flux-ping");

    /* TARGET is NODEID!SERVICE, SERVICE (any rank), or NODEID (the
     * broker service on that rank).
     */
    if ((service = strchr (target, '!'))) {
        *service++ = '\0';
        if (parse_nodeid (ctx.h, target, &ctx.nodeid, nodeidstr,
                          sizeof (nodeidstr), suffix, sizeof (suffix)) < 0)
            cmd_die ("flux-ping", "invalid nodeid/host: '%s'", target);
    }
    else if (parse_nodeid (ctx.h, target, &ctx.nodeid, nodeidstr,
                           sizeof (nodeidstr), suffix, sizeof (suffix)) < 0) {
        service = target;
        ctx.nodeid = FLUX_NODEID_ANY;
        snprintf (nodeidstr, sizeof (nodeidstr), "any");
    }
    else
        service = "broker";
    if (!*service)
        cmd_usage_error (&ping_parser, "SERVICE may not be empty");
    if (asprintf (&ctx.topic, "%s.ping", service) < 0)
        cmd_die ("flux-ping", "out of memory");
    printf ("flux-ping %s!%s%s\n", nodeidstr, service, suffix);
    fflush (stdout);

    if (batch) {
        while (ctx.send_count < ctx.count) {
            send_ping (&ctx);
            usleep ((useconds_t)(ctx.interval * 1e6));
        }
    }
    else {
        if (!(tw = flux_timer_watcher_create (flux_get_reactor (ctx.h),
                                              0., ctx.interval,
                                              timer_cb, &ctx)))
            cmd_die ("flux-ping", "error creating timer: %s",
                     strerror (errno));
        flux_watcher_start (tw);
    }
    if (flux_reactor_run (flux_get_reactor (ctx.h), 0) < 0)
        cmd_die ("flux-ping", "reactor: %s", strerror (errno));

    flux_watcher_destroy (tw);
    free (ctx.topic);
    free (ctx.pad);
    free (target);
    flux_close (ctx.h);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
