/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux overlay: the tree of brokers, as flux-core's command shows it.
 *
 * status walks the tree from a rank (default 0) with overlay.health,
 * asking each online broker it reaches for its children's states;
 * how much it prints is flux-core's -v levels:
 *   0  the root's state ("full")
 *   1  the lost and offline brokers ("3: lost"), or "full"
 *   2  also each broker whose subtree is not full
 *   3  every broker
 * --pretty indents by level with a line-drawing corner, --hostnames
 * names brokers by host, --since adds "for DURATION", --times the round
 * trip of each broker's answer, --color marks lost (red) and offline
 * (yellow), --ghost fills in the brokers below a lost or offline one
 * from the topology (overlay.topology), --wait=STATE holds until the
 * subtree is in STATE (a streaming overlay.health).
 * gethostbyrank IDSET, parentof RANK and disconnect RANK
 * (overlay.disconnect-subtree, sent to RANK's parent) are flux-core's
 * too.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>
#include <flux/idset.h>

#include "cmd.h"

static const struct cmd_option status_opts[] = {
    { "rank", 'r', required_argument, "NODEID",
      "Check health of subtree rooted at NODEID (default 0)" },
    { "verbose", 'v', optional_argument, "[LEVEL]",
      "Increase reporting detail (1=lost/offline nodes, "
      "2=degraded/partial trees, 3=full)" },
    { "timeout", 't', required_argument, "FSD",
      "Set RPC timeout (default none)" },
    { "hostnames", 'H', no_argument, NULL,
      "Display hostnames instead of ranks" },
    { "times", 'T', no_argument, NULL, "Show round trip RPC times" },
    { "pretty", 'p', no_argument, NULL,
      "Indent entries and use line drawing characters to show overlay "
      "tree structure" },
    { "ghost", 'g', no_argument, NULL,
      "Fill in presumed state of nodes that are inaccessible behind "
      "offline/lost overlay parents" },
    { "color", 'c', no_argument, NULL,
      "Use color to highlight offline/lost nodes" },
    { "since", 's', no_argument, NULL,
      "Show time since current state was entered" },
    { "wait", 'w', required_argument, "STATE",
      "Wait until subtree enters STATE before reporting (full, partial, "
      "offline, degraded, lost)" },
    CMD_OPTION_END,
};

static const struct cmd_parser status_parser = {
    .prog = "flux-overlay",
    .cmdline = "flux overlay status",
    .usage = "[OPTIONS]",
    .doc = "Display overlay subtree health status.",
    .opts = status_opts,
};

static const struct cmd_option disconnect_opts[] = {
    { "parent", 'r', required_argument, "NODEID",
      "Set parent rank to NODEID (default: determine from topology)" },
    CMD_OPTION_END,
};

static const struct cmd_parser disconnect_parser = {
    .prog = "flux-overlay",
    .cmdline = "flux overlay disconnect",
    .usage = "[OPTIONS] RANK",
    .doc = "Disconnect a subtree rooted at RANK.",
    .opts = disconnect_opts,
};

static const struct cmd_option no_opts[] = {
    CMD_OPTION_END,
};

static const struct cmd_parser gethost_parser = {
    .prog = "flux-overlay",
    .cmdline = "flux overlay gethostbyrank",
    .usage = "IDSET",
    .doc = "Look up hostname(s) for rank(s).",
    .opts = no_opts,
};

static const struct cmd_parser parentof_parser = {
    .prog = "flux-overlay",
    .cmdline = "flux overlay parentof",
    .usage = "RANK",
    .doc = "Show the parent of RANK.",
    .opts = no_opts,
};

static const struct cmd_parser overlay_parser = {
    .prog = "flux-overlay",
    .cmdline = "flux overlay",
    .usage = "COMMAND [OPTIONS]",
    .doc = "Manage the overlay network (the tree of brokers).\n"
           "Commands: status, gethostbyrank, parentof, disconnect.",
    .opts = no_opts,
    .posix = true,
};

struct status {
    flux_t *h;
    int verbose;
    double timeout;
    const char *wait;
    bool hostnames;
    bool times;
    bool pretty;
    bool ghost;
    bool color;
    bool since;
    struct timespec start;
};

struct node {
    int rank;
    const char *status;
    double duration;
    bool ghost;
};

/* Whether to print a node, and whether to walk below it. */
typedef bool (*visit_f)(struct status *ctx, const struct node *node,
                        bool parent, int level);

static double ms_since (const struct timespec *t0)
{
    struct timespec t;

    clock_gettime (CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static const char *indent (struct status *ctx, int level, char *buf,
                           size_t size)
{
    if (!ctx->pretty || level == 0)
        return "";
    /* N.B. the VT100 line-drawing set: "m" is the lower-left corner. */
    snprintf (buf, size, "%*s\033(0m\033(B", level - 1, "");
    return buf;
}

static const char *name (struct status *ctx, int rank, char *buf,
                         size_t size)
{
    const char *host;

    if (ctx->hostnames && (host = flux_get_hostbyrank (ctx->h, rank))
        && strcmp (host, "(null)") != 0)
        snprintf (buf, size, "%s", host);
    else
        snprintf (buf, size, "%d", rank);
    return buf;
}

static const char *colorize (struct status *ctx, const struct node *node,
                             char *buf, size_t size)
{
    const char *color = NULL;

    if (ctx->color) {
        if (node->ghost)
            color = "\033[90m";
        else if (!strcmp (node->status, "lost"))
            color = "\033[31m";
        else if (!strcmp (node->status, "offline"))
            color = "\033[33m";
    }
    if (!color)
        return node->status;
    snprintf (buf, size, "%s%s\033[39m", color, node->status);
    return buf;
}

/* " for 1.5m": flux-core's --since, a duration in its largest unit. */
static const char *since (struct status *ctx, const struct node *node,
                          char *buf, size_t size)
{
    double d = node->duration;

    if (!ctx->since || d <= 0)
        return "";
    if (d < 60)
        snprintf (buf, size, " for %.3gs", d);
    else if (d < 3600)
        snprintf (buf, size, " for %.3gm", d / 60);
    else if (d < 86400)
        snprintf (buf, size, " for %.3gh", d / 3600);
    else
        snprintf (buf, size, " for %.3gd", d / 86400);
    return buf;
}

static const char *rpctime (struct status *ctx, bool parent, char *buf,
                            size_t size)
{
    if (!ctx->times || !parent)
        return "";
    snprintf (buf, size, " (%.3f ms)", ms_since (&ctx->start));
    return buf;
}

static void print_node (struct status *ctx, const struct node *node,
                        bool parent, int level, bool with_name)
{
    char ibuf[64], nbuf[128], cbuf[64], sbuf[64], tbuf[64];

    printf ("%s%s%s%s%s%s\n",
            indent (ctx, level, ibuf, sizeof (ibuf)),
            with_name ? name (ctx, node->rank, nbuf, sizeof (nbuf)) : "",
            with_name ? ": " : "",
            colorize (ctx, node, cbuf, sizeof (cbuf)),
            since (ctx, node, sbuf, sizeof (sbuf)),
            rpctime (ctx, parent, tbuf, sizeof (tbuf)));
}

static bool is (const struct node *node, const char *status)
{
    return !strcmp (node->status, status);
}

/* -v0: the root's state, nothing below. */
static bool show_top (struct status *ctx, const struct node *node,
                      bool parent, int level)
{
    print_node (ctx, node, parent, level, false);
    return false;
}

/* -v1: follow what is not full; print the lost and offline. */
static bool show_badleaves (struct status *ctx, const struct node *node,
                            bool parent, int level)
{
    if (level == 0 && is (node, "full"))
        print_node (ctx, node, parent, level, false);
    else if (is (node, "lost") || is (node, "offline"))
        print_node (ctx, node, parent, level, true);
    return !is (node, "full");
}

/* -v2: follow what is not full; print it all. */
static bool show_badtrees (struct status *ctx, const struct node *node,
                           bool parent, int level)
{
    if (parent || is (node, "lost") || is (node, "offline"))
        print_node (ctx, node, parent, level, true);
    return !is (node, "full");
}

/* -v3: every broker. */
static bool show_all (struct status *ctx, const struct node *node,
                      bool parent, int level)
{
    if (parent || is (node, "lost") || is (node, "offline"))
        print_node (ctx, node, parent, level, true);
    return true;
}

/* The brokers below a lost or offline one, presumed in its state. */
static void ghostwalk (struct status *ctx, json_t *topo, int level,
                       const char *status, visit_f visit)
{
    json_t *children, *entry;
    size_t i;
    struct node node = { .status = status, .duration = -1, .ghost = true };

    if (json_unpack (topo, "{s:o}", "children", &children) < 0)
        return;
    json_array_foreach (children, i, entry) {
        if (json_unpack (entry, "{s:i}", "rank", &node.rank) < 0)
            return;
        if (visit (ctx, &node, false, level + 1))
            ghostwalk (ctx, entry, level + 1, status, visit);
    }
}

static void ghost (struct status *ctx, int parent, int child, int level,
                   const char *status, visit_f visit)
{
    flux_future_t *f;
    json_t *topo;

    if (!ctx->ghost)
        return;
    if ((f = flux_rpc_pack (ctx->h, "overlay.topology", parent, 0, "{s:i}",
                            "rank", child))
        && flux_future_wait_for (f, ctx->timeout) == 0
        && flux_rpc_get_unpack (f, "o", &topo) == 0)
        ghostwalk (ctx, topo, level, status, visit);
    flux_future_destroy (f);
}

/* overlay.health of 'rank', waiting for --wait's state if given. */
static flux_future_t *health (struct status *ctx, int rank)
{
    flux_future_t *f;
    const char *status;

    if (!(f = flux_rpc (ctx->h, "overlay.health", NULL, rank,
                        ctx->wait ? FLUX_RPC_STREAMING : 0)))
        return NULL;
    for (;;) {
        if (flux_future_wait_for (f, ctx->timeout) < 0
            || flux_rpc_get_unpack (f, "{s:s}", "status", &status) < 0) {
            flux_future_destroy (f);
            return NULL;
        }
        if (!ctx->wait || !strcmp (ctx->wait, status))
            return f;
        flux_future_reset (f);
    }
}

static int walk (struct status *ctx, int rank, int level, visit_f visit)
{
    struct node node = { 0 };
    flux_future_t *f;
    json_t *children;
    int rc = 0;

    clock_gettime (CLOCK_MONOTONIC, &ctx->start);
    if (!(f = health (ctx, rank))
        || flux_rpc_get_unpack (f, "{s:i s:s s:F s:o}",
                                "rank", &node.rank,
                                "status", &node.status,
                                "duration", &node.duration,
                                "children", &children) < 0) {
        char ibuf[64], nbuf[128], tbuf[64];
        const char *why = cmd_future_strerror (f, errno);
        if (level == 0)
            cmd_die ("flux-overlay", "%s", why);
        printf ("%s%s: %s%s\n", indent (ctx, level, ibuf, sizeof (ibuf)),
                name (ctx, rank, nbuf, sizeof (nbuf)), why,
                rpctime (ctx, true, tbuf, sizeof (tbuf)));
        flux_future_destroy (f);
        return -1;
    }
    if (visit (ctx, &node, true, level)) {
        json_t *entry;
        size_t i;
        json_array_foreach (children, i, entry) {
            struct node child = { 0 };
            if (json_unpack (entry, "{s:i s:s s:F}",
                             "rank", &child.rank,
                             "status", &child.status,
                             "duration", &child.duration) < 0)
                cmd_die ("flux-overlay", "error parsing child array entry");
            if (!visit (ctx, &child, false, level + 1))
                continue;
            if (is (&child, "offline") || is (&child, "lost")
                || walk (ctx, child.rank, level + 1, visit) < 0)
                ghost (ctx, node.rank, child.rank, level + 1, child.status,
                       visit);
        }
    }
    flux_future_destroy (f);
    return rc;
}

static int overlay_status (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&status_parser, argc, argv);
    struct status ctx = { .timeout = -1 };
    static const char *states[] = {
        "full", "partial", "degraded", "lost", "offline", NULL,
    };
    visit_f visit;
    const char *arg;
    int rank = 0;
    int c;

    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'r':
                if (cmd_parse_uint (arg, &rank) < 0)
                    cmd_usage_error (&status_parser, "--rank requires a "
                                     "rank, got '%s'", arg);
                break;
            case 'v':
                /* -v, -vv, -vvv, -v2, --verbose=2 */
                if (!arg)
                    ctx.verbose++;
                else if (strspn (arg, "v") == strlen (arg))
                    ctx.verbose += 1 + strlen (arg);
                else if (cmd_parse_uint (arg, &ctx.verbose) < 0)
                    cmd_usage_error (&status_parser, "--verbose requires a "
                                     "level, got '%s'", arg);
                break;
            case 't':
                if (cmd_parse_duration (arg, &ctx.timeout) < 0)
                    cmd_usage_error (&status_parser, "--timeout requires a "
                                     "duration, got '%s'", arg);
                break;
            case 'H':
                ctx.hostnames = true;
                break;
            case 'T':
                ctx.times = true;
                break;
            case 'p':
                ctx.pretty = true;
                break;
            case 'g':
                ctx.ghost = true;
                break;
            case 'c':
                ctx.color = true;
                break;
            case 's':
                ctx.since = true;
                break;
            case 'w':
                ctx.wait = arg;
                break;
        }
    }
    if (cmd_getopt_index (g) < argc)
        cmd_usage_error (&status_parser, "unexpected argument '%s'",
                         argv[cmd_getopt_index (g)]);
    cmd_getopt_destroy (g);
    if (ctx.wait) {
        int i;
        for (i = 0; states[i] && strcmp (states[i], ctx.wait); i++)
            ;
        if (!states[i])
            cmd_die ("flux-overlay", "invalid --wait state");
    }
    if (ctx.verbose <= 0)
        visit = show_top;
    else if (ctx.verbose == 1)
        visit = show_badleaves;
    else if (ctx.verbose == 2)
        visit = show_badtrees;
    else
        visit = show_all;
    ctx.h = cmd_open ("flux-overlay");
    (void)walk (&ctx, rank, 0, visit);
    flux_close (ctx.h);
    return 0;
}

/* The single operand of a subcommand without options. */
static const char *operand (const struct cmd_parser *p, int argc,
                            char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (p, argc, argv);
    const char *arg;
    int n;

    while (cmd_getopt_next (g, &arg) != -1)
        ;
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_die ("flux-overlay", "%s is required", p->usage);
    return argv[n];
}

static int overlay_gethostbyrank (int argc, char **argv)
{
    const char *s = operand (&gethost_parser, argc, argv);
    struct idset *ranks;
    flux_t *h;
    unsigned int rank;
    const char *sep = "";

    if (!(ranks = idset_decode (s)))
        cmd_die ("flux-overlay", "IDSET could not be decoded");
    h = cmd_open ("flux-overlay");
    for (rank = idset_first (ranks); rank != IDSET_INVALID_ID;
         rank = idset_next (ranks, rank)) {
        const char *host = flux_get_hostbyrank (h, rank);
        if (!host || !strcmp (host, "(null)"))
            cmd_die ("flux-overlay", "rank %u is not found in host map",
                     rank);
        printf ("%s%s", sep, host);
        sep = ",";
    }
    printf ("\n");
    idset_destroy (ranks);
    flux_close (h);
    return 0;
}

/* The parent of 'rank' in the topology rank 0 reports. */
static int parent_of (flux_t *h, int rank)
{
    flux_future_t *f;
    json_t *topo;
    int size;
    int parent = -1;

    if (!(f = flux_rpc_pack (h, "overlay.topology", 0, 0, "{s:i}",
                             "rank", 0))
        || flux_rpc_get_unpack (f, "o", &topo) < 0
        || json_unpack (topo, "{s:i}", "size", &size) < 0)
        cmd_die ("flux-overlay", "error fetching overlay topology: %s",
                 cmd_future_strerror (f, errno));
    if (rank < 0 || rank >= size)
        cmd_die ("flux-overlay", "%d is not a valid rank in this instance",
                 rank);
    if (rank == 0)
        cmd_die ("flux-overlay", "%d has no parent", rank);
    /* Breadth first: a list of subtrees still to look in. */
    json_t *todo = json_array ();
    json_array_append (todo, topo);
    while (parent < 0 && json_array_size (todo) > 0) {
        json_t *t = json_incref (json_array_get (todo, 0));
        json_t *children, *entry;
        int r, child;
        size_t i;
        json_array_remove (todo, 0);
        if (json_unpack (t, "{s:i s:o}", "rank", &r, "children", &children)
            == 0) {
            json_array_foreach (children, i, entry) {
                if (json_unpack (entry, "{s:i}", "rank", &child) == 0
                    && child == rank)
                    parent = r;
                json_array_append (todo, entry);
            }
        }
        json_decref (t);
    }
    json_decref (todo);
    flux_future_destroy (f);
    return parent;
}

static int overlay_parentof (int argc, char **argv)
{
    const char *s = operand (&parentof_parser, argc, argv);
    flux_t *h = cmd_open ("flux-overlay");
    int rank;

    if (cmd_parse_uint (s, &rank) < 0)
        cmd_die ("flux-overlay", "%s is not a valid rank in this instance",
                 s);
    printf ("%d\n", parent_of (h, rank));
    flux_close (h);
    return 0;
}

static int overlay_disconnect (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&disconnect_parser, argc, argv);
    const char *arg;
    int parent = -1;
    int rank;
    int c, n;
    flux_t *h;
    flux_future_t *f;

    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        if (c == 'r' && cmd_parse_uint (arg, &parent) < 0)
            cmd_usage_error (&disconnect_parser, "--parent requires a rank, "
                             "got '%s'", arg);
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_die ("flux-overlay", "RANK is required");
    if (cmd_parse_uint (argv[n], &rank) < 0)
        cmd_die ("flux-overlay", "%s is not a valid rank", argv[n]);
    h = cmd_open ("flux-overlay");
    if (parent < 0)
        parent = parent_of (h, rank);
    cmd_msg ("flux-overlay", "asking rank %d to disconnect child rank %d",
             parent, rank);
    if (!(f = flux_rpc_pack (h, "overlay.disconnect-subtree", parent, 0,
                             "{s:i}", "rank", rank))
        || flux_rpc_get (f, NULL) < 0)
        cmd_die ("flux-overlay", "overlay.disconnect-subtree: %s",
                 cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

int cmd_overlay (int argc, char **argv)
{
    int n = cmd_subcommand (&overlay_parser, argc, argv,
                            "(status, gethostbyrank, parentof or "
                            "disconnect)");

    if (!strcmp (argv[n], "status"))
        return overlay_status (argc - n, argv + n);
    if (!strcmp (argv[n], "gethostbyrank"))
        return overlay_gethostbyrank (argc - n, argv + n);
    if (!strcmp (argv[n], "parentof"))
        return overlay_parentof (argc - n, argv + n);
    if (!strcmp (argv[n], "disconnect"))
        return overlay_disconnect (argc - n, argv + n);
    cmd_usage_error (&overlay_parser, "unknown command '%s'", argv[n]);
}

/* vi: ts=4 sw=4 expandtab
 */
