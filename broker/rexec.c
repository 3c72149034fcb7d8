/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* rexec.c: the broker's subprocess server, flux-core's "rexec" service
 * (RFC 42, as flux-core's libsubprocess server speaks it), which
 * `flux exec` uses to run a command on chosen ranks.  Owner only.
 *
 *   rexec.exec {"cmd":{"cmdline":[s], "env":{}, "opts":{}, "channels":[],
 *               "cwd"?:s, "label"?:s}, "flags":i, "local_flags"?:i}
 *     streaming: {"type":"started","pid":i}; {"type":"add-credit",
 *     "channels":{"stdin":N}} (flag WRITE_CREDIT); {"type":"output",
 *     "pid":i,"io":IO} per line of stdout/stderr (flags STDOUT, STDERR),
 *     then an IO with "eof":true for each; {"type":"finished",
 *     "status":WAITSTATUS}; then ENODATA.  A command that cannot be
 *     started is one error response ("error launching process: ...").
 *     Without STREAMING the process runs in the background: "started"
 *     only, its output dropped.
 *   rexec.write {"matchtag":i, "io":IO} (no response): stdin data or eof
 *     for the process the same sender started with that matchtag.
 *   rexec.kill {"pid":i, "signum":i}: to its process group.
 *   rexec.list: {"rank":i, "procs":[{"pid":i, "cmd":s, "label":s,
 *     "state":"R"|"Z"}]}.
 *   rexec.disconnect (from the router): the sender's processes get
 *     SIGKILL.
 * IO is flux-core's ioencode object: {"stream":s, "rank":s, "data"?:s,
 * "encoding"?:"base64", "eof"?:true}; data is the text if it is UTF-8,
 * else base64.  The command runs in a process group of its own, with the
 * environment it was sent, but FLUX_URI this broker's (and no
 * FLUX_PROXY_REMOTE, NOTIFY_SOCKET or INVOCATION_ID), in 'cwd' (or /tmp
 * if that fails, saying so on its stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "ioencode.h"
#include "rexec_flags.h"
#include "attr.h"
#include "rexec.h"

#define STDIN_BUFSIZE (4 * 1024 * 1024)
#define LINE_MAX_BYTES (64 * 1024)

struct rexec;

struct proc;

struct stream {
    struct proc *p;
    const char *name;
    int fd;
    flux_watcher_t *w;
    char *buf;              /* a partial line */
    size_t len;
    bool forward;
    bool eof_sent;
};

struct proc {
    struct rexec *rx;
    pid_t pid;
    char *argv0;
    char *label;
    flux_msg_t *req;        /* the exec request (streaming), or NULL */
    uint32_t matchtag;
    char *sender;           /* first hop of the request */
    struct stream out[2];   /* stdout, stderr */
    int stdin_fd;
    flux_watcher_t *stdin_w;
    char *inbuf;            /* stdin not yet written */
    size_t inlen;
    bool stdin_eof;
    bool credit;
    bool exited;
    int status;
    struct proc *next;
};

struct rexec {
    struct broker *ctx;
    flux_msg_handler_t **handlers;
    flux_watcher_t *chld_w;
    struct proc *procs;
    char rank[16];
};

static void respond_io (struct proc *p, struct stream *s, const char *data,
                        size_t len, bool eof)
{
    json_t *io;

    if (!p->req)
        return;
    if (!(io = ioencode (s->name, p->rx->rank, data, len, eof))
        || flux_respond_pack (p->rx->ctx->h, p->req, "{s:s s:i s:O}",
                              "type", "output", "pid", (int)p->pid,
                              "io", io) < 0)
        flux_log_error (p->rx->ctx->h, "error responding to rexec.exec");
    json_decref (io);
}

static void proc_destroy (struct proc *p)
{
    if (p) {
        for (int i = 0; i < 2; i++) {
            flux_watcher_destroy (p->out[i].w);
            if (p->out[i].fd >= 0)
                close (p->out[i].fd);
            free (p->out[i].buf);
        }
        flux_watcher_destroy (p->stdin_w);
        if (p->stdin_fd >= 0)
            close (p->stdin_fd);
        free (p->inbuf);
        flux_msg_decref (p->req);
        free (p->sender);
        free (p->argv0);
        free (p->label);
        free (p);
    }
}

static void proc_unlink (struct proc *p)
{
    for (struct proc **pp = &p->rx->procs; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            return;
        }
    }
}

/* Done once it has exited and each forwarded stream has ended. */
static void proc_check_done (struct proc *p)
{
    if (!p->exited)
        return;
    for (int i = 0; i < 2; i++) {
        if (p->out[i].fd >= 0)
            return;
    }
    if (p->req && flux_respond_error (p->rx->ctx->h, p->req, ENODATA, NULL)
                  < 0)
        flux_log_error (p->rx->ctx->h, "error responding to rexec.exec");
    proc_unlink (p);
    proc_destroy (p);
}

static void stream_close (struct proc *p, struct stream *s)
{
    if (s->len > 0)
        respond_io (p, s, s->buf, s->len, false);
    s->len = 0;
    if (s->forward && !s->eof_sent) {
        respond_io (p, s, NULL, 0, true);
        s->eof_sent = true;
    }
    flux_watcher_destroy (s->w);
    s->w = NULL;
    if (s->fd >= 0)
        close (s->fd);
    s->fd = -1;
}

/* Forward each whole line (or a full buffer) of what the child wrote. */
static void output_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct stream *s = arg;
    struct proc *p = s->p;
    char chunk[4096];
    ssize_t n;

    (void)r;
    (void)w;
    (void)revents;
    n = read (s->fd, chunk, sizeof (chunk));
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        stream_close (p, s);
        proc_check_done (p);
        return;
    }
    if (!s->forward)
        return;
    char *nb = realloc (s->buf, s->len + n);
    if (!nb)
        return;
    s->buf = nb;
    memcpy (s->buf + s->len, chunk, n);
    s->len += n;
    for (;;) {
        char *nl = memchr (s->buf, '\n', s->len);
        size_t take;
        if (nl)
            take = nl - s->buf + 1;
        else if (s->len >= LINE_MAX_BYTES)
            take = s->len;
        else
            break;
        respond_io (p, s, s->buf, take, false);
        memmove (s->buf, s->buf + take, s->len - take);
        s->len -= take;
    }
}

static void send_credit (struct proc *p, size_t n)
{
    if (p->req && p->credit && n > 0
        && flux_respond_pack (p->rx->ctx->h, p->req, "{s:s s:{s:i}}",
                              "type", "add-credit",
                              "channels", "stdin", (int)n) < 0)
        flux_log_error (p->rx->ctx->h, "error responding to rexec.exec");
}

static void stdin_close (struct proc *p)
{
    flux_watcher_destroy (p->stdin_w);
    p->stdin_w = NULL;
    if (p->stdin_fd >= 0)
        close (p->stdin_fd);
    p->stdin_fd = -1;
}

/* Write what is buffered for the child's stdin, as it takes it. */
static void stdin_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct proc *p = arg;
    ssize_t n = 0;

    (void)r;
    (void)revents;
    if (p->inlen > 0) {
        n = write (p->stdin_fd, p->inbuf, p->inlen);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            p->inlen = 0;
            stdin_close (p);
            return;
        }
        memmove (p->inbuf, p->inbuf + n, p->inlen - n);
        p->inlen -= n;
        send_credit (p, n);
    }
    if (p->inlen == 0) {
        flux_watcher_stop (w);
        if (p->stdin_eof)
            stdin_close (p);
    }
}

static void chld_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct rexec *rx = arg;

    (void)r;
    (void)w;
    (void)revents;
    for (struct proc *p = rx->procs, *next; p; p = next) {
        int status;
        next = p->next;
        if (p->exited || waitpid (p->pid, &status, WNOHANG) != p->pid)
            continue;
        p->exited = true;
        p->status = status;
        if (p->req && flux_respond_pack (rx->ctx->h, p->req, "{s:s s:i}",
                                         "type", "finished",
                                         "status", status) < 0)
            flux_log_error (rx->ctx->h, "error responding to rexec.exec");
        stdin_close (p);
        proc_check_done (p);
    }
}

/* The environment for the child: what the client sent, FLUX_URI ours. */
static char **make_env (struct rexec *rx, json_t *env)
{
    size_t n = json_object_size (env);
    char **v = calloc (n + 2, sizeof (v[0]));
    const char *key;
    json_t *value;
    size_t i = 0;
    static const char *drop[] = {
        "FLUX_URI", "FLUX_PROXY_REMOTE", "NOTIFY_SOCKET", "INVOCATION_ID",
    };

    if (!v)
        return NULL;
    json_object_foreach (env, key, value) {
        bool skip = !json_is_string (value);
        for (size_t d = 0; d < sizeof (drop) / sizeof (drop[0]); d++) {
            if (!strcmp (key, drop[d]))
                skip = true;
        }
        if (skip || asprintf (&v[i], "%s=%s", key,
                              json_string_value (value)) < 0) {
            v[i] = NULL;
            continue;
        }
        i++;
    }
    if (asprintf (&v[i], "FLUX_URI=%s",
                  attrs_get (rx->ctx->attrs, "local-uri", NULL)) < 0)
        v[i] = NULL;
    return v;
}

static void free_strv (char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free (v[i]);
    free (v);
}

static int set_nonblock (int fd)
{
    int flags = fcntl (fd, F_GETFL);
    return flags < 0 ? -1 : fcntl (fd, F_SETFL, flags | O_NONBLOCK);
}

/* Fork and exec; errno of a failed exec comes back through 'errpipe'.
 * Returns the pid, or -1 with errno.
 */
static pid_t spawn (char **argv, char **env, const char *cwd, int in,
                    int out, int err)
{
    int errpipe[2];
    int e = 0;
    pid_t pid;

    if (pipe2 (errpipe, O_CLOEXEC) < 0)
        return -1;
    if ((pid = fork ()) < 0) {
        int saved_errno = errno;
        close (errpipe[0]);
        close (errpipe[1]);
        errno = saved_errno;
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset (&none);
        (void)sigprocmask (SIG_SETMASK, &none, NULL);
        (void)signal (SIGPIPE, SIG_DFL);
        (void)setpgid (0, 0);
        if (dup2 (in, 0) < 0 || dup2 (out, 1) < 0 || dup2 (err, 2) < 0)
            _exit (127);
        if (cwd && chdir (cwd) < 0) {
            dprintf (2, "Could not change dir to %s: %s. Going to /tmp "
                     "instead\n", cwd, strerror (errno));
            (void)chdir ("/tmp");
        }
        environ = env;
        execvp (argv[0], argv);
        e = errno;
        (void)write (errpipe[1], &e, sizeof (e));
        _exit (127);
    }
    close (errpipe[1]);
    while (read (errpipe[0], &e, sizeof (e)) < 0 && errno == EINTR)
        ;
    close (errpipe[0]);
    if (e != 0) {
        (void)waitpid (pid, NULL, 0);
        errno = e;
        return -1;
    }
    return pid;
}

static int stream_open (struct proc *p, int i, const char *name, int fd,
                        bool forward)
{
    struct stream *s = &p->out[i];

    s->p = p;
    s->name = name;
    s->fd = fd;
    s->forward = forward;
    if (set_nonblock (fd) < 0
        || !(s->w = flux_fd_watcher_create (p->rx->ctx->r, fd, FLUX_POLLIN,
                                            output_cb, s)))
        return -1;
    flux_watcher_start (s->w);
    return 0;
}

static void exec_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct rexec *rx = arg;
    json_t *cmd, *cmdline, *env, *opts, *channels;
    const char *cwd = NULL, *label = NULL;
    int flags, local_flags = 0;
    char **argv = NULL, **envv = NULL;
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
    struct proc *p = NULL;
    const char *errmsg = NULL;
    char errbuf[256];
    bool streaming = flux_msg_is_streaming (msg);
    size_t i;
    json_t *a;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:o s:i s?i}", "cmd", &cmd,
                             "flags", &flags, "local_flags", &local_flags) < 0
        || json_unpack (cmd, "{s:o s:o s:o s:o s?s s?s}",
                        "cmdline", &cmdline, "env", &env, "opts", &opts,
                        "channels", &channels, "cwd", &cwd,
                        "label", &label) < 0
        || !json_is_array (cmdline) || !json_is_object (env)) {
        errno = EPROTO;
        errmsg = "invalid request payload";
        goto error;
    }
    (void)opts;
    if (json_array_size (cmdline) == 0) {
        errno = EPROTO;
        errmsg = "command string is empty";
        goto error;
    }
    if (json_array_size (channels) > 0) {
        errno = EINVAL;
        errmsg = "auxiliary channels are not supported";
        goto error;
    }
    if (!(argv = calloc (json_array_size (cmdline) + 1, sizeof (argv[0]))))
        goto error;
    json_array_foreach (cmdline, i, a) {
        if (!json_is_string (a) || !(argv[i] = strdup (json_string_value (a))))
        {
            errno = EPROTO;
            errmsg = "invalid request payload";
            goto error;
        }
    }
    if (!(envv = make_env (rx, json_object_size (env) ? env : NULL)))
        goto error;
    if (!(p = calloc (1, sizeof (*p))))
        goto error;
    p->rx = rx;
    p->stdin_fd = -1;
    p->out[0].fd = p->out[1].fd = -1;
    if (pipe2 (in, O_CLOEXEC) < 0 || pipe2 (out, O_CLOEXEC) < 0
        || pipe2 (err, O_CLOEXEC) < 0)
        goto error;
    if ((p->pid = spawn (argv, envv, cwd, in[0], out[1], err[1])) < 0) {
        (void)snprintf (errbuf, sizeof (errbuf), "error launching process: "
                        "%s", strerror (errno));
        errmsg = errbuf;
        goto error;
    }
    close (in[0]);
    close (out[1]);
    close (err[1]);
    in[0] = out[1] = err[1] = -1;
    p->argv0 = strdup (argv[0]);
    p->label = label ? strdup (label) : NULL;
    p->sender = strdup (flux_msg_route_first (msg) ? flux_msg_route_first (msg)
                                                   : "");
    (void)flux_msg_get_matchtag (msg, &p->matchtag);
    p->credit = (flags & REXEC_WRITE_CREDIT) && streaming;
    if (streaming)
        p->req = (flux_msg_t *)flux_msg_incref (msg);
    p->stdin_fd = in[1];
    in[1] = -1;
    if (set_nonblock (p->stdin_fd) < 0
        || !(p->stdin_w = flux_fd_watcher_create (rx->ctx->r, p->stdin_fd,
                                                  FLUX_POLLOUT, stdin_cb, p))
        || stream_open (p, 0, "stdout", out[0],
                        streaming && (flags & REXEC_STDOUT)) < 0
        || stream_open (p, 1, "stderr", err[0],
                        streaming && (flags & REXEC_STDERR)) < 0) {
        out[0] = err[0] = -1;
        p->next = rx->procs;
        rx->procs = p;
        (void)kill (p->pid, SIGKILL);
        flux_log_error (h, "rexec: %s", p->argv0);
        free_strv (argv);
        free_strv (envv);
        return;
    }
    out[0] = err[0] = -1;
    p->next = rx->procs;
    rx->procs = p;
    if (flux_respond_pack (h, msg, "{s:s s:i}", "type", "started",
                           "pid", (int)p->pid) < 0)
        flux_log_error (h, "error responding to rexec.exec");
    send_credit (p, STDIN_BUFSIZE);
    free_strv (argv);
    free_strv (envv);
    return;
error:
    {
        int saved_errno = errno;
        for (int k = 0; k < 2; k++) {
            if (in[k] >= 0)
                close (in[k]);
            if (out[k] >= 0)
                close (out[k]);
            if (err[k] >= 0)
                close (err[k]);
        }
        free (p);
        free_strv (argv);
        free_strv (envv);
        errno = saved_errno;
    }
    if (flux_respond_error (h, msg, errno ? errno : EPROTO, errmsg) < 0)
        flux_log_error (h, "error responding to rexec.exec");
}

static struct proc *find_by_request (struct rexec *rx, const char *sender,
                                     uint32_t matchtag)
{
    for (struct proc *p = rx->procs; p; p = p->next) {
        if (p->matchtag == matchtag && p->sender && sender
            && !strcmp (p->sender, sender))
            return p;
    }
    return NULL;
}

static void write_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct rexec *rx = arg;
    const char *stream;
    json_t *io;
    int matchtag;
    struct proc *p;
    char *data;
    size_t len;
    bool eof;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:i s:o}", "matchtag", &matchtag,
                             "io", &io) < 0
        || iodecode (io, &stream, &data, &len, &eof) < 0) {
        flux_log_error (h, "rexec.write: malformed request");
        return;
    }
    if ((p = find_by_request (rx, flux_msg_route_first (msg),
                              (uint32_t)matchtag))
        && p->stdin_fd >= 0 && !p->stdin_eof) {
        char *nb;
        if (len > 0 && (nb = realloc (p->inbuf, p->inlen + len))) {
            memcpy (nb + p->inlen, data, len);
            p->inbuf = nb;
            p->inlen += len;
        }
        if (eof)
            p->stdin_eof = true;
        flux_watcher_start (p->stdin_w);
    }
    free (data);
}

static void kill_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct rexec *rx = arg;
    int pid, signum;
    char errbuf[128];
    const char *errmsg = NULL;
    struct proc *p;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:i s:i}", "pid", &pid,
                             "signum", &signum) < 0)
        goto error;
    for (p = rx->procs; p && p->pid != pid; p = p->next)
        ;
    if (!p || p->exited) {
        (void)snprintf (errbuf, sizeof (errbuf), "pid %d does not belong "
                        "to any subprocess", pid);
        errno = ESRCH;
        errmsg = errbuf;
        goto error;
    }
    if (kill (-p->pid, signum) < 0 && kill (p->pid, signum) < 0)
        goto error;
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to rexec.kill");
    return;
error:
    if (flux_respond_error (h, msg, errno, errmsg) < 0)
        flux_log_error (h, "error responding to rexec.kill");
}

static void list_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct rexec *rx = arg;
    json_t *procs = json_array ();

    (void)mh;
    for (struct proc *p = rx->procs; p && procs; p = p->next) {
        json_t *o = json_pack ("{s:i s:s s:s s:s}", "pid", (int)p->pid,
                               "cmd", p->argv0 ? p->argv0 : "",
                               "label", p->label ? p->label : "",
                               "state", p->exited ? "Z" : "R");
        if (!o || json_array_append_new (procs, o) < 0) {
            json_decref (o);
            json_decref (procs);
            procs = NULL;
        }
    }
    if (!procs
        || flux_respond_pack (h, msg, "{s:i s:o}", "rank", (int)rx->ctx->rank,
                              "procs", procs) < 0)
        flux_log_error (h, "error responding to rexec.list");
}

/* A client gone: its processes with it. */
static void disconnect_cb (flux_t *h, flux_msg_handler_t *mh,
                           const flux_msg_t *msg, void *arg)
{
    struct rexec *rx = arg;
    const char *sender = flux_msg_route_first (msg);

    (void)h;
    (void)mh;
    for (struct proc *p = rx->procs; p; p = p->next) {
        if (!p->exited && sender && p->sender && !strcmp (p->sender, sender)) {
            (void)kill (-p->pid, SIGKILL);
            flux_msg_decref (p->req);
            p->req = NULL;
        }
    }
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "rexec.exec", exec_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "rexec.write", write_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "rexec.kill", kill_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "rexec.list", list_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "rexec.disconnect", disconnect_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

struct rexec *rexec_create (struct broker *ctx)
{
    struct rexec *rx;

    if (!(rx = calloc (1, sizeof (*rx))))
        return NULL;
    rx->ctx = ctx;
    (void)snprintf (rx->rank, sizeof (rx->rank), "%u", (unsigned)ctx->rank);
    if (flux_msg_handler_addvec (ctx->h, htab, rx, &rx->handlers) < 0
        || !(rx->chld_w = flux_signal_watcher_create (ctx->r, SIGCHLD,
                                                      chld_cb, rx))) {
        rexec_destroy (rx);
        return NULL;
    }
    flux_watcher_start (rx->chld_w);
    return rx;
}

void rexec_destroy (struct rexec *rx)
{
    if (rx) {
        int saved_errno = errno;
        while (rx->procs) {
            struct proc *p = rx->procs;
            rx->procs = p->next;
            if (!p->exited) {
                (void)kill (-p->pid, SIGKILL);
                (void)waitpid (p->pid, NULL, 0);
            }
            proc_destroy (p);
        }
        flux_watcher_destroy (rx->chld_w);
        flux_msg_handler_delvec (rx->handlers);
        free (rx);
        errno = saved_errno;
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
