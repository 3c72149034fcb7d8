/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A module in a process of its own: the broker's side.
 *
 * module.c sets the module up as for a thread and then, in place of the
 * thread, calls module_exec_start().  That opens the module's end of
 * interthread://UUID here in the broker and relays it to a socketpair
 * whose other end is fd://N in `flux module-exec PATH`
 * (cmd/builtin_module_exec.c), which runs the module as a thread would.
 * Both directions are relayed as they are: the broker end of the
 * channel keeps doing what it does for a thread (routes, creds, queue
 * counts, module.debug's defer), so module list/stats/remove/debug work
 * unchanged.  A send that would block (the child does not read) holds
 * that one message back and stops reading the other side until the
 * socket drains, so a stuck module backs up into its own channel, as a
 * stuck thread does, and never blocks the broker.
 *
 * The process's end: it is reaped by pid, on SIGCHLD (the broker reaps
 * only the pids it started: see runlevel.c).  If it ended without
 * reporting EXITED, which a module that crashes or calls _exit() never
 * does, its death is reported for it: a module.status EXITED with
 * errnum EINVAL and how it ended ("loader (module-exec) killed by
 * Segmentation fault", "... exited with exit code 3"), sent from the
 * module's end, so module.c handles it as any module's failure.  When
 * its socket reaches EOF without EXITED the process can no longer
 * serve, so it is killed; its exit status is already fixed if it was
 * exiting.
 *
 * The requests it can no longer answer when it dies are the router's
 * to answer (it tracks what every peer holds): module.c has it answer
 * them EHOSTUNREACH "module disconnect", as flux-core's broker answers
 * them, when module_exec_died() says the process died.
 *
 * The child gets its own process group (a terminal's ^C is for the
 * broker, which removes modules in order) and PR_SET_PDEATHSIG SIGKILL
 * (it must not outlive a broker that crashed).  Signals from the broker
 * (module_exec_escalate, the kill timer) go to that group.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "module_exec.h"
#include "errprintf.h"

extern char **environ;

#define LOADER_NAME "module-exec"

struct module_exec;

/* One direction of the relay. */
struct relay {
    struct module_exec *mx;
    flux_t *from;
    flux_t *to;
    flux_watcher_t *in_w;   // 'from' readable
    flux_watcher_t *out_w;  // 'to' writable, while a message is held
    flux_msg_t *held;
    bool up;                // from the module to the broker
};

struct module_exec {
    flux_t *h;              // the broker's handle: reactor and log
    char *name;
    pid_t pid;
    flux_t *h_chan;         // the module's end of interthread://UUID
    flux_t *h_sock;         // the broker's end of the socketpair
    struct relay down;      // h_chan -> h_sock
    struct relay up;        // h_sock -> h_chan
    bool eof;               // the socket is closed or broken
    bool saw_exited;        // the module reported EXITED itself
    bool died;              // no: its death was reported for it
    bool reaped;
    int wstatus;
    bool released;
    int escalation;         // signals sent by module_exec_escalate
    flux_watcher_t *kill_timer;
    struct module_exec *next;
};

/* Every process not yet freed, and the SIGCHLD watcher that reaps them. */
static struct module_exec *children;
static flux_watcher_t *chld_w;

static void relay_stop (struct relay *rl)
{
    flux_watcher_stop (rl->in_w);
    flux_watcher_stop (rl->out_w);
}

static void relay_clean (struct relay *rl)
{
    flux_watcher_destroy (rl->in_w);
    flux_watcher_destroy (rl->out_w);
    rl->in_w = rl->out_w = NULL;
    if (rl->held) {
        flux_msg_decref (rl->held);
        rl->held = NULL;
    }
}

static void mx_unlink (struct module_exec *mx)
{
    for (struct module_exec **p = &children; *p; p = &(*p)->next) {
        if (*p == mx) {
            *p = mx->next;
            return;
        }
    }
}

static void mx_free (struct module_exec *mx)
{
    if (mx) {
        int saved_errno = errno;
        mx_unlink (mx);
        relay_clean (&mx->down);
        relay_clean (&mx->up);
        flux_watcher_destroy (mx->kill_timer);
        flux_close (mx->h_sock);
        flux_close (mx->h_chan);
        free (mx->name);
        free (mx);
        errno = saved_errno;
    }
}

static void signal_group (struct module_exec *mx, int signum)
{
    if (mx->pid > 0 && !mx->reaped) {
        if (kill (-mx->pid, signum) < 0)
            (void)kill (mx->pid, signum);
    }
}

/* How the process ended, in flux-core's words. */
static void describe_exit (int wstatus, char *buf, size_t len)
{
    if (WIFEXITED (wstatus) && WEXITSTATUS (wstatus) == 0)
        (void)snprintf (buf, len, "loader (%s) exited with exit code 0"
                        " but did not report module status", LOADER_NAME);
    else if (WIFEXITED (wstatus))
        (void)snprintf (buf, len, "loader (%s) exited with exit code %d",
                        LOADER_NAME, WEXITSTATUS (wstatus));
    else if (WIFSIGNALED (wstatus))
        (void)snprintf (buf, len, "loader (%s) killed by %s",
                        LOADER_NAME, strsignal (WTERMSIG (wstatus)));
    else
        (void)snprintf (buf, len, "loader (%s) completed with unknown status",
                        LOADER_NAME);
}

/* Note the module's own EXITED on its way to the broker. */
static void note_status (struct module_exec *mx, const flux_msg_t *msg)
{
    const char *topic;
    int type, status;

    if (flux_msg_get_type (msg, &type) == 0
        && type == FLUX_MSGTYPE_REQUEST
        && flux_msg_get_topic (msg, &topic) == 0
        && !strcmp (topic, "module.status")
        && flux_request_unpack (msg, NULL, "{s:i}", "status", &status) == 0
        && status == FLUX_MODSTATE_EXITED)
        mx->saw_exited = true;
}

/* Report the module EXITED for a process that could not. */
static void report_exited (struct module_exec *mx)
{
    char text[256];
    flux_msg_t *msg;

    describe_exit (mx->wstatus, text, sizeof (text));
    mx->died = true;
    if (!(msg = flux_request_encode ("module.status", NULL))
        || flux_msg_pack (msg, "{s:i s:i s:s}",
                          "status", FLUX_MODSTATE_EXITED,
                          "errnum", EINVAL,
                          "errstr", text) < 0
        || flux_msg_set_noresponse (msg) < 0
        || flux_send_new (mx->h_chan, &msg, 0) < 0) {
        flux_log_error (mx->h, "%s: error reporting module exit (%s)",
                        mx->name, text);
        flux_msg_destroy (msg);
        return;
    }
    mx->saw_exited = true;
}

static void on_eof (struct module_exec *mx)
{
    if (mx->eof)
        return;
    mx->eof = true;
    relay_stop (&mx->down);
    relay_stop (&mx->up);
    /* Without EXITED, a closed socket is a module that cannot serve
     * any more (the process is exiting, or closed its end by mistake).
     */
    if (!mx->saw_exited && !mx->reaped)
        signal_group (mx, SIGKILL);
}

/* Move up to 64 messages, until 'from' is empty or 'to' would block.
 * Returns 64 if there may be more.
 */
static int relay_pump (struct relay *rl)
{
    struct module_exec *mx = rl->mx;
    int i;

    for (i = 0; i < 64 && !mx->eof; i++) {
        flux_msg_t *msg = rl->held;
        bool fresh = !msg;  // a held message was noted already
        rl->held = NULL;
        if (!msg && !(msg = flux_recv (rl->from, FLUX_MATCH_ANY,
                                       FLUX_O_NONBLOCK))) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return i;
            if (rl->up)
                on_eof (mx); // the socket: EOF or broken
            else
                flux_log_error (mx->h, "%s: relay receive", mx->name);
            return i;
        }
        if (fresh && rl->up)
            note_status (mx, msg);
        if (flux_send_new (rl->to, &msg, FLUX_O_NONBLOCK) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                rl->held = msg;
                flux_watcher_stop (rl->in_w);
                flux_watcher_start (rl->out_w);
                return i;
            }
            flux_msg_decref (msg);
            if (!rl->up)
                on_eof (mx); // the socket: EPIPE, ECONNRESET
            else
                flux_log_error (mx->h, "%s: relay send", mx->name);
            return i;
        }
    }
    return i;
}

static void relay_in_cb (flux_reactor_t *r, flux_watcher_t *w,
                         int revents, void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    (void)relay_pump (arg);
}

static void relay_out_cb (flux_reactor_t *r, flux_watcher_t *w,
                          int revents, void *arg)
{
    struct relay *rl = arg;

    (void)r;
    (void)revents;
    flux_watcher_stop (w);
    flux_watcher_start (rl->in_w);
    (void)relay_pump (rl);
}

static int relay_init (struct relay *rl, struct module_exec *mx,
                       flux_t *from, flux_t *to, bool up)
{
    flux_reactor_t *r = flux_get_reactor (mx->h);

    rl->mx = mx;
    rl->from = from;
    rl->to = to;
    rl->up = up;
    if (!(rl->in_w = flux_handle_watcher_create (r, from, FLUX_POLLIN,
                                                 relay_in_cb, rl))
        || !(rl->out_w = flux_handle_watcher_create (r, to, FLUX_POLLOUT,
                                                     relay_out_cb, rl)))
        return -1;
    return 0;
}

static void reaped (struct module_exec *mx, int wstatus)
{
    mx->reaped = true;
    mx->wstatus = wstatus;
    /* Whatever the module sent before it died is still in the socket:
     * relay it first (its log lines, perhaps its own EXITED).
     */
    if (!mx->released) {
        while (relay_pump (&mx->up) == 64 && !mx->up.held)
            ;
    }
    on_eof (mx);
    if (mx->released) {
        mx_free (mx);
        return;
    }
    if (!mx->saw_exited)
        report_exited (mx);
    else if (!(WIFEXITED (wstatus) && WEXITSTATUS (wstatus) == 0)) {
        char text[256];
        describe_exit (wstatus, text, sizeof (text));
        flux_log (mx->h, LOG_WARNING, "%s: after exiting: %s",
                  mx->name, text);
    }
}

static void chld_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct module_exec *mx = children;

    (void)r;
    (void)w;
    (void)revents;
    (void)arg;
    /* Only our own pids: others (run levels, a module's children) are
     * reaped by whoever started them.
     */
    while (mx) {
        struct module_exec *next = mx->next;
        int wstatus;
        if (!mx->reaped && waitpid (mx->pid, &wstatus, WNOHANG) == mx->pid)
            reaped (mx, wstatus);
        mx = next;
    }
}

/* The environment of the child: ours, with FLUX_MODULE_URI=fd://FD.
 * One allocation: the pointer array, then the new string.
 */
static char **make_env (int fd)
{
    size_t n = 0;
    size_t j = 0;
    char **env;
    char *uri;

    while (environ[n])
        n++;
    if (!(env = calloc (1, (n + 2) * sizeof (env[0]) + 64)))
        return NULL;
    uri = (char *)(env + n + 2);
    (void)snprintf (uri, 64, "FLUX_MODULE_URI=fd://%d", fd);
    for (size_t i = 0; i < n; i++) {
        if (strncmp (environ[i], "FLUX_MODULE_URI=", 16) != 0)
            env[j++] = environ[i];
    }
    env[j++] = uri;
    env[j] = NULL;
    return env;
}

/* Runs in the child of fork(): async-signal-safe calls only (the broker
 * has other threads).  Never returns.
 */
static void child_exec (const char *prog, char **argv, char **env, int fd,
                        pid_t parent)
{
    static const char msg[] = "flux-broker: cannot execute flux"
                              " module-exec\n";
    const int sigs[] = { SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGHUP,
                         SIGQUIT, SIGUSR1, SIGUSR2 };
    sigset_t none;
    int fl;

    (void)setpgid (0, 0);
    (void)prctl (PR_SET_PDEATHSIG, SIGKILL);
    if (getppid () != parent)
        _exit (126);
    for (size_t i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
        (void)signal (sigs[i], SIG_DFL);
    sigemptyset (&none);
    (void)sigprocmask (SIG_SETMASK, &none, NULL);
    if ((fl = fcntl (fd, F_GETFD)) < 0
        || fcntl (fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
        _exit (126);
    execve (prog, argv, env);
    (void)write (STDERR_FILENO, msg, sizeof (msg) - 1);
    _exit (errno == ENOENT ? 127 : 126);
}

struct module_exec *module_exec_start (flux_t *h,
                                       const char *uuid,
                                       const char *name,
                                       const char *path,
                                       flux_error_t *error)
{
    const char *cmd_path = flux_conf_builtin_get ("cmd_path", FLUX_CONF_AUTO);
    flux_reactor_t *r = flux_get_reactor (h);
    struct module_exec *mx;
    char uri[64 + 64];
    char prog[4096];
    char *argv[4];
    char **env = NULL;
    int sv[2] = { -1, -1 };
    pid_t parent = getpid ();

    if (!cmd_path) {
        errprintf (error, "cannot find the flux command");
        errno = ENOENT;
        return NULL;
    }
    (void)snprintf (prog, sizeof (prog), "%s/flux", cmd_path);
    if (!(mx = calloc (1, sizeof (*mx))))
        return NULL;
    mx->h = h;
    if (!(mx->name = strdup (name)))
        goto error;
    if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        errprintf (error, "socketpair: %s", strerror (errno));
        goto error;
    }
    (void)snprintf (uri, sizeof (uri), "fd://%d", sv[0]);
    if (!(mx->h_sock = flux_open_ex (uri, 0, error)))
        goto error;
    sv[0] = -1; // the handle owns it
    (void)snprintf (uri, sizeof (uri), "interthread://%s", uuid);
    if (!(mx->h_chan = flux_open_ex (uri, 0, error))
        || flux_set_reactor (mx->h_chan, r) < 0
        || flux_set_reactor (mx->h_sock, r) < 0
        || relay_init (&mx->down, mx, mx->h_chan, mx->h_sock, false) < 0
        || relay_init (&mx->up, mx, mx->h_sock, mx->h_chan, true) < 0)
        goto error;
    if (!chld_w) {
        if (!(chld_w = flux_signal_watcher_create (r, SIGCHLD, chld_cb,
                                                   NULL))) {
            errprintf (error, "SIGCHLD watcher: %s", strerror (errno));
            goto error;
        }
        flux_watcher_start (chld_w);
    }
    argv[0] = prog;
    argv[1] = LOADER_NAME;
    argv[2] = (char *)path;
    argv[3] = NULL;
    if (!(env = make_env (sv[1])))
        goto error;
    if ((mx->pid = fork ()) < 0) {
        errprintf (error, "fork: %s", strerror (errno));
        goto error;
    }
    if (mx->pid == 0)
        child_exec (prog, argv, env, sv[1], parent);
    free (env);
    (void)close (sv[1]);
    mx->next = children;
    children = mx;
    flux_watcher_start (mx->down.in_w);
    flux_watcher_start (mx->up.in_w);
    flux_log (h, LOG_DEBUG, "%s %s pid=%d", LOADER_NAME, name, (int)mx->pid);
    return mx;
error:
    free (env);
    if (sv[0] >= 0)
        (void)close (sv[0]);
    if (sv[1] >= 0)
        (void)close (sv[1]);
    mx_free (mx);
    return NULL;
}

pid_t module_exec_pid (const struct module_exec *mx)
{
    return mx ? mx->pid : -1;
}

bool module_exec_died (const struct module_exec *mx)
{
    return mx && mx->died;
}

int module_exec_escalate (struct module_exec *mx)
{
    int signum;

    if (!mx || mx->escalation >= 2)
        return -1;
    signum = mx->escalation++ == 0 ? SIGTERM : SIGKILL;
    flux_log (mx->h, LOG_WARNING,
              "module %s did not exit after shutdown:"
              " sending SIG%s to pid %d",
              mx->name, sigabbrev_np (signum), (int)mx->pid);
    signal_group (mx, signum);
    return 0;
}

static void kill_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                           int revents, void *arg)
{
    struct module_exec *mx = arg;

    (void)r;
    (void)w;
    (void)revents;
    flux_log (mx->h, LOG_WARNING, "%s: pid %d still running after exit:"
              " killing it", mx->name, (int)mx->pid);
    signal_group (mx, SIGKILL);
}

void module_exec_release (struct module_exec *mx, double timeout)
{
    if (!mx || mx->released)
        return;
    mx->released = true;
    relay_stop (&mx->down);
    relay_stop (&mx->up);
    if (mx->reaped) {
        mx_free (mx);
        return;
    }
    /* Stop relaying: the broker end of the channel is going away.  The
     * child sees EOF if it is still reading.
     */
    relay_clean (&mx->down);
    relay_clean (&mx->up);
    flux_close (mx->h_sock);
    mx->h_sock = NULL;
    mx->eof = true;
    if ((mx->kill_timer = flux_timer_watcher_create (flux_get_reactor (mx->h),
                                                     timeout, 0.,
                                                     kill_timer_cb, mx)))
        flux_watcher_start (mx->kill_timer);
    else
        signal_group (mx, SIGKILL);
}

/* Wait up to 'tries' times 10 ms for every child to be reaped. */
static void reap_all (int tries)
{
    for (int i = 0; i < tries; i++) {
        bool left = false;
        for (struct module_exec *mx = children; mx; mx = mx->next) {
            int wstatus;
            if (!mx->reaped && waitpid (mx->pid, &wstatus, WNOHANG) == 0)
                left = true;
            else
                mx->reaped = true;
        }
        if (!left)
            return;
        struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
        (void)nanosleep (&ts, NULL);
    }
}

void module_exec_fini_all (void)
{
    struct module_exec *mx;
    bool unreleased = false;

    /* Processes whose module has exited are finishing on their own (a
     * Python module flushes its output): give them a moment.  Those of
     * modules still loaded get SIGKILL at once.  The waits are bounded,
     * so that a process stuck in the kernel cannot hang the broker's
     * exit.
     */
    for (mx = children; mx; mx = mx->next) {
        if (!mx->released) {
            signal_group (mx, SIGKILL);
            unreleased = true;
        }
    }
    reap_all (unreleased ? 100 : 200);
    for (mx = children; mx; mx = mx->next)
        signal_group (mx, SIGKILL);
    reap_all (100);
    while ((mx = children))
        mx_free (mx);
    flux_watcher_destroy (chld_w);
    chld_w = NULL;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
