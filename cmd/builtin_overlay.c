/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux overlay: the tree of brokers, as flux-core v0.88's command shows
 * it, line for line.
 *
 * status walks the tree from a rank (default 0) with overlay.health,
 * asking each broker with children for its children's states, and
 * prints each broker as "RANK HOST: STATE", indented by level with
 * flux-core's line-drawing connectors (not with --no-pretty); a leaf is
 * printed from its parent's answer.  -v adds "for DURATION" (the time
 * in that state), -vv the round trip of each broker's own answer and
 * asks each leaf too.  --summary prints the root's state alone, --down
 * only the subtrees that are not full.  Below a lost or offline broker
 * its descendants are filled in from the topology (overlay.topology),
 * in its state, unless --no-ghost.  --wait=STATE holds until the
 * subtree is in STATE (a streaming overlay.health), --timeout bounds
 * each answer (0.5s by default), --color marks lost (red), offline
 * (yellow) and ghosts (gray).
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
#include <unistd.h>
#include <jansson.h>
#include <flux/idset.h>

#include "cmd.h"

enum {
    OPT_SUMMARY = 0x100,
    OPT_DOWN,
    OPT_NO_PRETTY,
    OPT_NO_GHOST,
};

static const struct cmd_option status_opts[] = {
    { "rank", 'r', required_argument, "NODEID",
      "Check health of subtree rooted at NODEID (default 0)" },
    { "verbose", 'v', optional_argument, "[LEVEL]",
      "Increase reporting detail: 1=show time since current state was "
      "entered, 2=show round-trip RPC times." },
    { "timeout", 't', required_argument, "FSD",
      "Set RPC timeout, 0=disable (default 0.5s)" },
    { "summary", OPT_SUMMARY, no_argument, NULL,
      "Show only the root subtree status." },
    { "down", OPT_DOWN, no_argument, NULL,
      "Show only the partial/degraded subtrees." },
    { "no-pretty", OPT_NO_PRETTY, no_argument, NULL,
      "Do not indent entries and use line drawing characters to show "
      "overlay tree structure" },
    { "no-ghost", OPT_NO_GHOST, no_argument, NULL,
      "Do not fill in presumed state of nodes that are inaccessible "
      "behind offline/lost overlay parents" },
    { "color", 'L', optional_argument, "WHEN",
      "Colorize output when supported; WHEN can be 'always' (default if "
      "omitted), 'never', or 'auto' (default)." },
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
    bool pretty;
    bool ghost;
    bool color;
    json_t *topology;       /* the whole tree, from rank 0 */
    struct timespec start;
    char stack[64];         /* connectors of the levels above */
    int depth;
};

/* The line-drawing connectors of flux-core's tree. */
enum { PIPE = 1, TEE, ELBOW, BLANK, NIL };

static const char *connector_string (int c)
{
    switch (c) {
        case PIPE: return "│  ";
        case TEE: return "├─ ";
        case ELBOW: return "└─ ";
        case BLANK: return "   ";
    }
    return "";
}

struct node {
    int rank;
    const char *status;
    double duration;
    const char *error;
    bool ghost;
    int connector;
    bool have_children;
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

/* Every connector on the stack but the last (the next level's). */
static const char *indent (struct status *ctx, int level, char *buf,
                           size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    if (!ctx->pretty || level == 0)
        return buf;
    for (int i = 0; i + 1 < ctx->depth; i++)
        n += snprintf (buf + n, n < size ? size - n : 0, "%s",
                       connector_string (ctx->stack[i]));
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

/* " for DURATION" (-v): flux-core's FSD, 6 significant digits. */
static const char *since (struct status *ctx, const struct node *node,
                          char *buf, size_t size)
{
    double d = node->duration;

    if (ctx->verbose < 1 || d <= 0)
        return "";
    if (d < 0.1)
        snprintf (buf, size, " for %.6gms", d * 1e3);
    else if (d < 60)
        snprintf (buf, size, " for %.6gs", d);
    else if (d < 3600)
        snprintf (buf, size, " for %.6gm", d / 60);
    else if (d < 86400)
        snprintf (buf, size, " for %.6gh", d / 3600);
    else
        snprintf (buf, size, " for %.6gd", d / 86400);
    return buf;
}

/* " (0.373 ms)" (-vv): the round trip of the broker's own answer. */
static const char *rpctime (struct status *ctx, bool parent, char *buf,
                            size_t size)
{
    if (ctx->verbose < 2 || !parent)
        return "";
    snprintf (buf, size, " (%.3f ms)", ms_since (&ctx->start));
    return buf;
}

/* "RANK HOST: STATE[ for D][ ERROR][ (T ms)]" */
static void print_node (struct status *ctx, const struct node *node,
                        bool parent, int level, bool with_name)
{
    char ibuf[256], cbuf[64], sbuf[64], tbuf[64];
    const char *host = flux_get_hostbyrank (ctx->h, node->rank);

    printf ("%s%s", indent (ctx, level, ibuf, sizeof (ibuf)),
            ctx->pretty ? connector_string (node->connector) : "");
    if (with_name)
        printf ("%d %s: ", node->rank, host ? host : "(null)");
    printf ("%s%s%s%s%s\n",
            colorize (ctx, node, cbuf, sizeof (cbuf)),
            since (ctx, node, sbuf, sizeof (sbuf)),
            node->error && *node->error ? " " : "",
            node->error ? node->error : "",
            rpctime (ctx, parent, tbuf, sizeof (tbuf)));
}

static bool is (const struct node *node, const char *status)
{
    return !strcmp (node->status, status);
}

/* --summary: the root's state, nothing below. */
static bool show_top (struct status *ctx, const struct node *node,
                      bool parent, int level)
{
    print_node (ctx, node, parent, level, false);
    return false;
}

/* --down: follow what is not full; print it. */
static bool show_badtrees (struct status *ctx, const struct node *node,
                           bool parent, int level)
{
    if (is (node, "full"))
        return false;
    if (parent || is (node, "lost") || is (node, "offline")
        || (!node->have_children && ctx->verbose < 2))
        print_node (ctx, node, parent, level, true);
    return node->have_children || ctx->verbose >= 2;
}

/* The default: every broker.  A leaf is printed from its parent's
 * answer, unless -vv asks each broker for its own.
 */
static bool show_all (struct status *ctx, const struct node *node,
                      bool parent, int level)
{
    if (parent || is (node, "lost") || is (node, "offline")
        || (!node->have_children && ctx->verbose < 2))
        print_node (ctx, node, parent, level, true);
    return node->have_children || ctx->verbose >= 2;
}

/* The subtree of 'rank' in the topology rank 0 reports, or NULL. */
static json_t *subtree (json_t *topo, int rank)
{
    json_t *children, *entry, *found;
    size_t i;
    int r;

    if (!topo || json_unpack (topo, "{s:i s:o}", "rank", &r,
                              "children", &children) < 0)
        return NULL;
    if (r == rank)
        return topo;
    json_array_foreach (children, i, entry) {
        if ((found = subtree (entry, rank)))
            return found;
    }
    return NULL;
}

static bool has_children (struct status *ctx, int rank)
{
    json_t *t = subtree (ctx->topology, rank);
    return t && json_array_size (json_object_get (t, "children")) > 0;
}

static void push (struct status *ctx, int c)
{
    if (ctx->depth < (int)sizeof (ctx->stack))
        ctx->stack[ctx->depth] = c;
    ctx->depth++;
}

static void pop (struct status *ctx)
{
    if (ctx->depth > 0)
        ctx->depth--;
}

/* The brokers below a lost or offline one, presumed in its state. */
static void ghostwalk (struct status *ctx, json_t *topo, int level,
                       const char *status, visit_f visit)
{
    json_t *children, *entry;
    size_t i, total;
    struct node node = { .status = status, .duration = -1, .ghost = true };

    if (!topo || json_unpack (topo, "{s:o}", "children", &children) < 0)
        return;
    total = json_array_size (children);
    json_array_foreach (children, i, entry) {
        if (json_unpack (entry, "{s:i}", "rank", &node.rank) < 0)
            return;
        push (ctx, i == total - 1 ? BLANK : PIPE);
        node.connector = i == total - 1 ? ELBOW : TEE;
        node.have_children = json_array_size (json_object_get (entry,
                                              "children")) > 0;
        if (visit (ctx, &node, false, level + 1))
            ghostwalk (ctx, entry, level + 1, status, visit);
        pop (ctx);
    }
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

static int walk (struct status *ctx, int rank, int level, int connector,
                 visit_f visit)
{
    struct node node = { .rank = rank, .connector = connector };
    flux_future_t *f;
    json_t *children;

    clock_gettime (CLOCK_MONOTONIC, &ctx->start);
    if (!(f = health (ctx, rank))
        || flux_rpc_get_unpack (f, "{s:i s:s s:F s:o}",
                                "rank", &node.rank,
                                "status", &node.status,
                                "duration", &node.duration,
                                "children", &children) < 0) {
        char ibuf[256], tbuf[64];
        const char *why = cmd_future_strerror (f, errno);
        const char *host = flux_get_hostbyrank (ctx->h, rank);
        if (level == 0)
            cmd_die ("flux-overlay", "%s", why);
        printf ("%s%s%d %s: %s%s\n", indent (ctx, level, ibuf, sizeof (ibuf)),
                ctx->pretty ? connector_string (connector) : "", rank,
                host ? host : "(null)", why,
                rpctime (ctx, true, tbuf, sizeof (tbuf)));
        flux_future_destroy (f);
        return -1;
    }
    node.have_children = has_children (ctx, node.rank);
    if (visit (ctx, &node, true, level)) {
        json_t *entry;
        size_t i, total = json_array_size (children);
        json_array_foreach (children, i, entry) {
            struct node child = { 0 };
            if (json_unpack (entry, "{s:i s:s s:F s?s}",
                             "rank", &child.rank,
                             "status", &child.status,
                             "duration", &child.duration,
                             "error", &child.error) < 0)
                cmd_die ("flux-overlay", "error parsing child array entry");
            child.have_children = has_children (ctx, child.rank);
            push (ctx, i == total - 1 ? BLANK : PIPE);
            child.connector = i == total - 1 ? ELBOW : TEE;
            if (visit (ctx, &child, false, level + 1)
                && (is (&child, "offline") || is (&child, "lost")
                    || walk (ctx, child.rank, level + 1, child.connector,
                             visit) < 0)
                && ctx->ghost)
                ghostwalk (ctx, subtree (ctx->topology, child.rank),
                           level + 1, child.status, visit);
            pop (ctx);
        }
    }
    flux_future_destroy (f);
    return 0;
}

static int overlay_status (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&status_parser, argc, argv);
    struct status ctx = { .timeout = 0.5, .pretty = true, .ghost = true };
    static const char *states[] = {
        "full", "partial", "degraded", "lost", "offline", NULL,
    };
    visit_f visit = show_all;
    const char *color = "auto";
    const char *arg;
    flux_future_t *f;
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
            case OPT_SUMMARY:
                visit = show_top;
                break;
            case OPT_DOWN:
                visit = show_badtrees;
                break;
            case OPT_NO_PRETTY:
                ctx.pretty = false;
                break;
            case OPT_NO_GHOST:
                ctx.ghost = false;
                break;
            case 'L':
                color = arg ? arg : "always";
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
    if (ctx.timeout == 0)
        ctx.timeout = -1; // none
    if (!strcmp (color, "always"))
        ctx.color = true;
    else if (!strcmp (color, "auto"))
        ctx.color = isatty (STDOUT_FILENO);
    else if (strcmp (color, "never") != 0)
        cmd_die ("flux-overlay", "--color: invalid value '%s'", color);
    if (ctx.wait) {
        int i;
        for (i = 0; states[i] && strcmp (states[i], ctx.wait); i++)
            ;
        if (!states[i])
            cmd_die ("flux-overlay", "invalid --wait state");
    }
    ctx.h = cmd_open ("flux-overlay");
    if (!(f = flux_rpc_pack (ctx.h, "overlay.topology", 0, 0, "{s:i}",
                             "rank", 0))
        || flux_rpc_get_unpack (f, "O", &ctx.topology) < 0)
        cmd_die ("flux-overlay", "error fetching overlay topology: %s",
                 cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    (void)walk (&ctx, rank, 0, NIL, visit);
    json_decref (ctx.topology);
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
