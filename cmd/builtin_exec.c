/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux exec: run a command on ranks of the instance, as flux-core's,
 * through each broker's rexec service (broker/rexec.c, RFC 42).
 *
 * One streaming rexec.exec per rank, nodeid that rank, carrying the
 * command line, this environment and working directory.  What each
 * process writes comes back line by line and is written to our stdout or
 * stderr (with -l, after "RANK: "); our stdin goes to every process
 * (rexec.write), or EOF at once with -n.  SIGINT and SIGTERM are passed
 * on (rexec.kill).  The exit code is the highest of the ranks': the
 * command's, 128+N for a signal, 127 if it was not found, 126 if it could
 * not be run, 68 if the rank could not be reached; a summary line per
 * code ("[1-3]: Exit 2") goes to stderr unless -q.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>
#include <flux/idset.h>

#include "cmd.h"
#include "ioencode.h"
#include "rexec_flags.h"

extern char **environ;

static const struct cmd_option exec_opts[] = {
    { "rank", 'r', required_argument, "IDSET",
      "Specify specific target ranks.  Default is \"all\"" },
    { "exclude", 'x', required_argument, "IDSET",
      "Exclude ranks from target list" },
    { "dir", 'd', required_argument, "PATH",
      "Set the working directory to PATH (\"none\": none)" },
    { "label-io", 'l', no_argument, NULL,
      "Label lines of output with the source RANK" },
    { "noinput", 'n', no_argument, NULL,
      "Redirect stdin from /dev/null" },
    { "verbose", 'v', no_argument, NULL, "Run with more verbosity" },
    { "quiet", 'q', no_argument, NULL,
      "Suppress extraneous output (e.g. per-rank error exit status)" },
    CMD_OPTION_END,
};

static const struct cmd_parser exec_parser = {
    .prog = "flux-exec",
    .cmdline = "flux exec",
    .usage = "[OPTIONS] COMMAND...",
    .doc = "Execute COMMAND on ranks of the instance.",
    .opts = exec_opts,
    .posix = true,
};

struct task {
    struct exec_ctx *ctx;
    unsigned int rank;
    flux_future_t *f;
    int pid;
    bool started;
    bool finished;  /* "finished" came: 'code' is known */
    bool done;      /* the stream has ended */
    int code;
};

struct exec_ctx {
    flux_t *h;
    const char *argv0;
    bool label;
    bool verbose;
    struct task *tasks;
    int ntasks;
    int running;
    int unstarted;
    flux_watcher_t *stdin_w;
    bool stdin_open;
};

static void task_done (struct task *t, int code)
{
    if (t->done)
        return;
    t->done = true;
    t->code = code;
    if (!t->started)
        t->ctx->unstarted--;
    t->ctx->running--;
    if (t->ctx->running == 0)
        flux_reactor_stop (flux_get_reactor (t->ctx->h));
}

static int launch_code (int errnum)
{
    switch (errnum) {
        case EPERM:
        case EACCES:
            return 126;
        case ENOENT:
            return 127;
        case EHOSTUNREACH:
            return 68;
        default:
            return 1;
    }
}

static void write_output (struct task *t, json_t *io)
{
    const char *stream;
    char *data;
    size_t len;
    bool eof;
    FILE *f;

    if (iodecode (io, &stream, &data, &len, &eof) < 0 || !data)
        return;
    f = !strcmp (stream, "stderr") ? stderr : stdout;
    if (t->ctx->label)
        fprintf (f, "%u: ", t->rank);
    fwrite (data, 1, len, f);
    fflush (f);
    free (data);
}

static void stdin_start (struct exec_ctx *ctx);

static void exec_continuation (flux_future_t *f, void *arg)
{
    struct task *t = arg;
    const char *type;
    json_t *io = NULL;
    int pid = -1, status = 0;

    if (flux_rpc_get_unpack (f, "{s:s s?i s?i s?o}", "type", &type,
                             "pid", &pid, "status", &status, "io", &io) < 0) {
        if (errno == ENODATA)
            task_done (t, t->finished ? t->code : 1);
        else if (!t->started) {
            int errnum = errno;
            cmd_msg ("flux-exec", "Error: rank %u: %s: %s", t->rank,
                     t->ctx->argv0, cmd_future_strerror (f, errnum));
            task_done (t, launch_code (errnum));
            if (t->ctx->unstarted == 0)
                stdin_start (t->ctx);
        }
        else {
            cmd_msg ("flux-exec", "Error: rank %u: %s", t->rank,
                     cmd_future_strerror (f, errno));
            task_done (t, 1);
        }
        return;
    }
    if (!strcmp (type, "started")) {
        t->started = true;
        t->pid = pid;
        if (--t->ctx->unstarted == 0)
            stdin_start (t->ctx);
    }
    else if (!strcmp (type, "output") && io)
        write_output (t, io);
    else if (!strcmp (type, "finished")) {
        /* N.B. output may still follow; the stream ends with ENODATA. */
        t->finished = true;
        t->code = WIFSIGNALED (status) ? 128 + WTERMSIG (status)
                                       : WEXITSTATUS (status);
    }
    flux_future_reset (f);
}

/* Send what stdin holds (or its end) to every process still running. */
static void broadcast (struct exec_ctx *ctx, const char *data, size_t len,
                       bool eof)
{
    for (int i = 0; i < ctx->ntasks; i++) {
        struct task *t = &ctx->tasks[i];
        json_t *io;
        flux_future_t *f;
        uint32_t matchtag;
        if (t->done || !t->f)
            continue;
        matchtag = flux_rpc_get_matchtag (t->f);
        if (!(io = ioencode ("stdin", "0", data, len, eof)))
            continue;
        if ((f = flux_rpc_pack (ctx->h, "rexec.write", t->rank,
                                FLUX_RPC_NORESPONSE, "{s:i s:o}",
                                "matchtag", (int)matchtag, "io", io)))
            flux_future_destroy (f);
    }
}

static void stdin_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct exec_ctx *ctx = arg;
    char buf[65536];
    ssize_t n;

    (void)r;
    (void)revents;
    n = read (STDIN_FILENO, buf, sizeof (buf));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        broadcast (ctx, NULL, 0, true);
        flux_watcher_stop (w);
        return;
    }
    broadcast (ctx, buf, n, false);
}

static void stdin_start (struct exec_ctx *ctx)
{
    if (ctx->stdin_w)
        flux_watcher_start (ctx->stdin_w);
    else
        broadcast (ctx, NULL, 0, true);
}

static void signal_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct exec_ctx *ctx = arg;
    int signum = flux_signal_watcher_get_signum (w);

    (void)r;
    (void)revents;
    if (ctx->verbose)
        cmd_msg ("flux-exec", "sending signal %d to %d running processes",
                 signum, ctx->running);
    for (int i = 0; i < ctx->ntasks; i++) {
        struct task *t = &ctx->tasks[i];
        flux_future_t *f;
        if (t->done || !t->started)
            continue;
        if ((f = flux_rpc_pack (ctx->h, "rexec.kill", t->rank, 0,
                                "{s:i s:i}", "pid", t->pid,
                                "signum", signum)))
            flux_future_destroy (f);
    }
}

static json_t *env_object (void)
{
    json_t *o = json_object ();

    for (char **e = environ; o && e && *e; e++) {
        char *eq = strchr (*e, '=');
        if (!eq || !strncmp (*e, "FLUX_PROXY_REMOTE=", 18))
            continue;
        char *key = strndup (*e, eq - *e);
        if (key)
            json_object_set_new (o, key, json_string (eq + 1));
        free (key);
    }
    return o;
}

/* One summary line per distinct non-zero code: "IDSET: Exit N". */
static void summarize (struct exec_ctx *ctx)
{
    for (int i = 0; i < ctx->ntasks; i++) {
        int code = ctx->tasks[i].code;
        struct idset *ids;
        bool seen = false;
        char *s;
        if (code == 0 || !ctx->tasks[i].started)
            continue;
        for (int j = 0; j < i; j++) {
            if (ctx->tasks[j].started && ctx->tasks[j].code == code)
                seen = true;
        }
        if (seen || !(ids = idset_create (0, IDSET_FLAG_AUTOGROW)))
            continue;
        for (int j = i; j < ctx->ntasks; j++) {
            if (ctx->tasks[j].started && ctx->tasks[j].code == code)
                idset_set (ids, ctx->tasks[j].rank);
        }
        if ((s = idset_encode (ids, IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE))) {
            if (code > 128)
                fprintf (stderr, "%s: %s\n", s, strsignal (code - 128));
            else
                fprintf (stderr, "%s: Exit %d\n", s, code);
        }
        free (s);
        idset_destroy (ids);
    }
}

int cmd_exec (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&exec_parser, argc, argv);
    struct exec_ctx ctx = { 0 };
    const char *ranks = "all", *exclude = NULL, *dir = NULL;
    bool noinput = false, quiet = false;
    struct idset *targets;
    flux_watcher_t *sig[2];
    char *cwd = NULL;
    const char *arg;
    json_t *cmdline, *env;
    uint32_t size;
    int c, n, rc = 0;

    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'r': ranks = arg; break;
            case 'x': exclude = arg; break;
            case 'd': dir = arg; break;
            case 'l': ctx.label = true; break;
            case 'n': noinput = true; break;
            case 'v': ctx.verbose = true; break;
            case 'q': quiet = true; break;
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n >= argc)
        cmd_usage_error (&exec_parser, "COMMAND is required");
    ctx.argv0 = argv[n];
    ctx.h = cmd_open ("flux-exec");
    if (flux_get_size (ctx.h, &size) < 0)
        cmd_die ("flux-exec", "error getting size: %s", strerror (errno));
    if (!strcmp (ranks, "all")) {
        if (!(targets = idset_create (size, 0))
            || (size > 0 && idset_range_set (targets, 0, size - 1) < 0))
            cmd_die ("flux-exec", "out of memory");
    }
    else if (!(targets = idset_decode (ranks)))
        cmd_die ("flux-exec", "Invalid --rank option: %s", ranks);
    if (exclude) {
        struct idset *x = idset_decode (exclude);
        if (!x)
            cmd_die ("flux-exec", "Invalid --exclude option: %s", exclude);
        (void)idset_subtract (targets, x);
        idset_destroy (x);
    }
    if (idset_count (targets) == 0)
        cmd_die ("flux-exec", "No targets specified");
    if (idset_last (targets) >= size)
        cmd_die ("flux-exec", "One or more invalid --ranks specified: %s",
                 ranks);
    if (!dir)
        cwd = get_current_dir_name ();
    else if (strcmp (dir, "none") != 0)
        cwd = strdup (dir);
    if (!(cmdline = json_array ()) || !(env = env_object ()))
        cmd_die ("flux-exec", "out of memory");
    for (int i = n; i < argc; i++)
        json_array_append_new (cmdline, json_string (argv[i]));
    ctx.ntasks = idset_count (targets);
    if (!(ctx.tasks = calloc (ctx.ntasks, sizeof (ctx.tasks[0]))))
        cmd_die ("flux-exec", "out of memory");
    ctx.running = ctx.unstarted = ctx.ntasks;
    if (!noinput) {
        int flags = fcntl (STDIN_FILENO, F_GETFL);
        if (flags >= 0 && fcntl (STDIN_FILENO, F_SETFL, flags | O_NONBLOCK)
                          == 0)
            ctx.stdin_w = flux_fd_watcher_create (flux_get_reactor (ctx.h),
                                                  STDIN_FILENO, FLUX_POLLIN,
                                                  stdin_cb, &ctx);
    }
    unsigned int rank = idset_first (targets);
    for (int i = 0; i < ctx.ntasks; i++, rank = idset_next (targets, rank)) {
        struct task *t = &ctx.tasks[i];
        json_t *cmd = json_pack ("{s:O s:O s:{} s:[]}", "cmdline", cmdline,
                                 "env", env, "opts", "channels");
        t->ctx = &ctx;
        t->rank = rank;
        if (cwd)
            json_object_set_new (cmd, "cwd", json_string (cwd));
        if (!(t->f = flux_rpc_pack (ctx.h, "rexec.exec", rank,
                                    FLUX_RPC_STREAMING, "{s:o s:i s:i}",
                                    "cmd", cmd,
                                    "flags", REXEC_STDOUT | REXEC_STDERR
                                             | REXEC_WRITE_CREDIT,
                                    "local_flags", 0))
            || flux_future_then (t->f, -1., exec_continuation, t) < 0)
            cmd_die ("flux-exec", "rexec.exec: %s", strerror (errno));
    }
    if (ctx.verbose)
        cmd_msg ("flux-exec", "Sent all requests");
    sig[0] = flux_signal_watcher_create (flux_get_reactor (ctx.h), SIGINT,
                                         signal_cb, &ctx);
    sig[1] = flux_signal_watcher_create (flux_get_reactor (ctx.h), SIGTERM,
                                         signal_cb, &ctx);
    flux_watcher_start (sig[0]);
    flux_watcher_start (sig[1]);
    if (flux_reactor_run (flux_get_reactor (ctx.h), 0) < 0)
        cmd_die ("flux-exec", "reactor: %s", strerror (errno));
    for (int i = 0; i < ctx.ntasks; i++) {
        if (ctx.tasks[i].code > rc)
            rc = ctx.tasks[i].code;
        flux_future_destroy (ctx.tasks[i].f);
    }
    if (!quiet)
        summarize (&ctx);
    flux_watcher_destroy (sig[0]);
    flux_watcher_destroy (sig[1]);
    flux_watcher_destroy (ctx.stdin_w);
    if (!noinput) {
        int flags = fcntl (STDIN_FILENO, F_GETFL);
        if (flags >= 0)
            (void)fcntl (STDIN_FILENO, F_SETFL, flags & ~O_NONBLOCK);
    }
    free (ctx.tasks);
    free (cwd);
    json_decref (cmdline);
    json_decref (env);
    idset_destroy (targets);
    flux_close (ctx.h);
    return rc;
}

/* vi: ts=4 sw=4 expandtab
 */
