/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The instance's run levels, in flux-core's order: rc1 starts the
 * instance's services, the initial program (rc2) is what `flux start
 * CMD` runs and whose exit ends the instance, rc3 stops the services.
 *
 * rc1 and rc3 are command lines (broker.rc1_path, broker.rc3_path), run
 * as $SHELL -c LINE in a process group of their own, stdin /dev/null,
 * and their stdout and stderr go to the broker log line by line
 * ("rc1.0: TEXT", stdout at LOG_INFO, stderr at LOG_ERR).  If rc1 fails
 * the initial program does not run, rc3 still does, and the exit code is
 * rc1's; otherwise it is the initial program's, or rc3's if that is the
 * first failure.  Each command's end is logged as flux-core's runat does:
 * "rc1.0: CMDLINE Exited (rc=0) 0.1s" (LOG_INFO if rc is 0, else
 * LOG_ERR), a signal named instead of "Exited" with rc 128+N.  N.B. as
 * in flux-core, a script is done when it has exited and its output is
 * all read: a background process it leaves must not keep its stdout or
 * stderr open.  A line that is one word with nothing a shell would
 * interpret (the standard rc1 and rc3: a path) is exec'd directly, as the
 * shell would exec it, without the shell's own start (a few ms each, on
 * every `flux start`).
 *
 * The initial program is exec'd directly, unless it is a single argument
 * that needs a shell (spaces or shell metacharacters), which runs as
 * $SHELL -c "..."; no command at all runs $SHELL.  It inherits stdio.
 * A command that is not found exits 127, one that cannot be executed
 * 126, as a shell reports them.  Unless stdin is a terminal (an
 * interactive shell must stay in the terminal's foreground process
 * group), it gets a process group of its own, so that signalling it
 * reaches the processes it started.
 *
 * Every command inherits the environment, less the variables that point
 * at an enclosing instance or job, plus FLUX_URI for this one; rc1 and
 * rc3 also find this installation's flux first on PATH, as the initial
 * program does when `flux start` runs the broker.
 *
 * SIGINT and SIGTERM to the broker: during rc1 or rc3, the first aborts
 * the script (SIGHUP to its process group, as flux-core), a second kills
 * it; during the initial program, the first is forwarded to it, a second
 * kills it.  Either way the instance then goes on to shut down as it
 * would have: rc3, module removal, exit.  The exit code is the initial
 * program's: 128+15 for one that SIGTERM kills, its own for one that
 * handles it (0 if it exits 0 and nothing else failed).  N.B. flux-core
 * sends rc2 SIGHUP instead (runat_abort), so flux-core's flux start
 * returns 129 for an initial program that dies of it; forwarding the
 * signal itself lets the program tell SIGTERM from a hangup.  Signals
 * that come while nothing runs (the broker removing modules between the
 * levels or after rc3) are logged and ignored, as flux-core's state
 * machine ignores them once it is shutting down.
 *
 * Between the initial program and rc3, the modules loaded since rc1
 * finished are removed, newest first (modmgr_remove_newer()): rc3
 * removes what rc1 loaded, and the modules loaded later may use those.
 *
 * The broker waits only for the command it started (waitpid on its pid):
 * a module may run child processes of its own and wait for them itself.
 *
 * When `flux start` runs the broker, it passes a pipe in
 * FLUX_START_NOTIFY_FD, and the broker writes to it what flux start needs
 * to clean up should the broker die without doing so itself (a module
 * that calls _exit() or crashes ends the whole process): "rundir PATH"
 * if the broker is to remove its rundir, "pgrp N" (or "pid N", for a
 * command in the broker's own process group) when a command starts,
 * "exited N" when it has been reaped, and "exit RC" once the run levels
 * are done and the broker shuts down on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runlevel.h"
#include "modmgr.h"
#include "overlay.h"
#include "state_machine.h"

extern char **environ;

/* A longer line is logged in pieces of this size. */
enum { LINEBUF_SIZE = 1024 };

struct linebuf {
    char data[LINEBUF_SIZE];
    size_t len;
};

struct runlevel;

/* One running command. */
struct proc {
    struct runlevel *rl;
    int level;
    char *cmdline;              // as the log shows it
    pid_t pid;
    bool own_pgrp;
    bool exited;
    int status;                 // waitpid() status, once exited
    bool aborted;
    int signals;                // SIGINT/SIGTERM received while it runs
    struct timespec t_start;
    int fd[2];                  // stdout, stderr read ends, or -1
    flux_watcher_t *w[2];
    struct linebuf buf[2];
};

struct runlevel {
    struct broker *ctx;
    int level;                  // 0 before rc1, 1-3 running, 4 done
    char *rc[4];                // [1], [3]: command lines, NULL for none
    char **argv;                // the initial program
    char *uri;
    int exit_rc;
    unsigned mark;              // modmgr_loads() when rc1 was done
    bool drained;               // modules loaded after rc1 are removed
    bool quorum;                // rank 0: the whole tree joined
    bool stop;                  // rank > 0: told to end the instance
    bool waiting;               // rank > 0: at level 2, until 'stop'
    bool children_gone;         // the subtree has left (before rc3)
    bool said_goodbye;          // left the parent (after rc3)
    struct proc *proc;
    flux_watcher_t *next_w;
    flux_watcher_t *chld_w;
    flux_watcher_t *int_w;
    flux_watcher_t *term_w;
    int notify_fd;              // flux start's pipe, or -1
};

static void run_next (struct runlevel *rl);
static void drained_cb (void *arg);

/* One line to flux start's pipe.  N.B. the pipe is non-blocking and the
 * few lines the broker writes fit in its buffer: flux start reads them
 * only once the broker has exited.
 */
static void notify (struct runlevel *rl, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

static void notify (struct runlevel *rl, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;

    if (rl->notify_fd < 0)
        return;
    va_start (ap, fmt);
    n = vsnprintf (buf, sizeof (buf), fmt, ap);
    va_end (ap);
    if (n > 0 && (size_t)n < sizeof (buf)) {
        if (write (rl->notify_fd, buf, n) < 0) {
            // flux start is gone or its pipe is full: nothing to tell
        }
    }
}

/* FLUX_START_NOTIFY_FD: a descriptor the initial program must not
 * inherit, nor find named in its environment.
 */
static int notify_open (void)
{
    const char *s = getenv ("FLUX_START_NOTIFY_FD");
    char *end;
    long fd;

    if (!s || !*s)
        return -1;
    errno = 0;
    fd = strtol (s, &end, 10);
    if (errno || *end || fd < 0 || fd > 65535
        || fcntl ((int)fd, F_SETFD, FD_CLOEXEC) < 0
        || fcntl ((int)fd, F_SETFL, O_NONBLOCK) < 0)
        return -1;
    return (int)fd;
}

/* Variables that belong to an enclosing instance or job, or to the
 * process manager or resource manager that started this one.
 */
static bool env_blocked (const char *var)
{
    static const char *prefixes[] = {
        "FLUX_URI=",
        "FLUX_JOB_",
        "FLUX_KVS_NAMESPACE=",
        "FLUX_PROXY_REMOTE=",
        "FLUX_ENCLOSING_ID=",
        "FLUX_TASK_",
        "FLUX_SHELL_",
        "FLUX_MODULE_URI=",
        "FLUX_HANDLE_USERID=",
        "FLUX_HANDLE_ROLEMASK=",
        "FLUX_FD_",
        "FLUX_START_NOTIFY_FD=",
        "FLUX_PMI_LIBRARY_PATH=",
        "I_MPI_PMI_LIBRARY=",
        "NOTIFY_SOCKET=",
        "PMI_",
        "PMIX_",
        "SLURM_",
        "PALS_",
    };
    for (size_t i = 0; i < sizeof (prefixes) / sizeof (prefixes[0]); i++) {
        if (!strncmp (var, prefixes[i], strlen (prefixes[i])))
            return true;
    }
    return false;
}

static void env_free (char **env)
{
    if (env) {
        for (size_t i = 0; env[i]; i++)
            free (env[i]);
        free (env);
    }
}

/* PATH with 'dir' first (unchanged if it is first already).  Caller
 * frees.
 */
static char *path_prepend (const char *path, const char *dir)
{
    size_t len = strlen (dir);
    char *s;

    if (!path || !*path)
        return strdup (dir);
    if (!strncmp (path, dir, len) && (path[len] == ':' || !path[len]))
        return strdup (path);
    if (asprintf (&s, "%s:%s", dir, path) < 0)
        return NULL;
    return s;
}

/* The environment of a command: every string is owned by the array.
 * 'flux_first' puts this installation's flux command first on PATH.
 */
static char **make_env (const char *uri, bool flux_first)
{
    const char *cmd_path = flux_conf_builtin_get ("cmd_path", FLUX_CONF_AUTO);
    char *path = NULL;
    size_t n = 0;
    size_t j = 0;
    char **env;

    while (environ[n])
        n++;
    if (!(env = calloc (n + 3, sizeof (env[0]))))
        return NULL;
    if (flux_first && cmd_path) {
        char *s = path_prepend (getenv ("PATH"), cmd_path);
        if (!s || asprintf (&path, "PATH=%s", s) < 0) {
            free (s);
            goto error;
        }
        free (s);
    }
    for (size_t i = 0; i < n; i++) {
        if (env_blocked (environ[i]))
            continue;
        if (path && !strncmp (environ[i], "PATH=", 5))
            continue;
        if (!(env[j++] = strdup (environ[i])))
            goto error;
    }
    if (path) {
        env[j++] = path;
        path = NULL;
    }
    if (asprintf (&env[j], "FLUX_URI=%s", uri) < 0) {
        env[j] = NULL;
        goto error;
    }
    return env;
error:
    free (path);
    env_free (env);
    errno = ENOMEM;
    return NULL;
}

static bool needs_shell (const char *s)
{
    return strpbrk (s, " \t\n|&;<>()$`\\\"'*?[#~=%{}!") != NULL;
}

static const char *get_shell (void)
{
    const char *shell = getenv ("SHELL");
    return shell && *shell ? shell : "/bin/sh";
}

/* The signals the broker catches or ignores, which its commands get
 * with their default action.
 */
static const int default_sigs[] = { SIGINT, SIGTERM, SIGCHLD, SIGPIPE,
                                    SIGHUP, SIGQUIT };
#define NUM_DEFAULT_SIGS (sizeof (default_sigs) / sizeof (default_sigs[0]))

/* Start 'argv' as child_exec() would in a child of fork(), without
 * copying the broker: posix_spawnp() (glibc's shares the broker's memory
 * until the exec, as vfork does).  A fork copies the page tables of the
 * whole broker, an interpreter and its heap included, and the broker's
 * main thread waits for it: 2.7-3.0 ms per command where posix_spawn
 * takes 0.7-0.9 here (/bin/true from a process of 1-20 MB), for each of
 * the three commands of `flux start true`.  Returns the pid, or
 * -1 with errno if the command could not be started, or found, or run
 * (then proc_start() tries fork(), whose child says why, as a shell
 * would, and exits 127 or 126: the rare case keeps its one behaviour).
 */
static pid_t spawn (char **argv, char **env, bool own_pgrp, int out, int err)
{
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t fa;
    sigset_t none, dfl;
    short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    pid_t pid = -1;
    int e;

    if ((e = posix_spawnattr_init (&attr)) != 0) {
        errno = e;
        return -1;
    }
    if ((e = posix_spawn_file_actions_init (&fa)) != 0) {
        posix_spawnattr_destroy (&attr);
        errno = e;
        return -1;
    }
    sigemptyset (&none);
    sigemptyset (&dfl);
    for (size_t i = 0; i < NUM_DEFAULT_SIGS; i++)
        sigaddset (&dfl, default_sigs[i]);
    if (own_pgrp)
        flags |= POSIX_SPAWN_SETPGROUP;
    if ((e = posix_spawnattr_setflags (&attr, flags)) != 0
        || (e = posix_spawnattr_setsigmask (&attr, &none)) != 0
        || (e = posix_spawnattr_setsigdefault (&attr, &dfl)) != 0
        || (own_pgrp && (e = posix_spawnattr_setpgroup (&attr, 0)) != 0))
        goto done;
    if (out >= 0
        && ((e = posix_spawn_file_actions_addopen (&fa, STDIN_FILENO,
                                                   "/dev/null", O_RDONLY, 0))
            != 0
            || (e = posix_spawn_file_actions_adddup2 (&fa, out,
                                                      STDOUT_FILENO)) != 0
            || (e = posix_spawn_file_actions_adddup2 (&fa, err,
                                                      STDERR_FILENO)) != 0))
        goto done;
    e = posix_spawnp (&pid, argv[0], &fa, &attr, argv, env);
done:
    posix_spawn_file_actions_destroy (&fa);
    posix_spawnattr_destroy (&attr);
    if (e != 0) {
        errno = e;
        return -1;
    }
    return pid;
}

/* Runs in the child of fork(): never returns. */
static void child_exec (char **argv, char **env, struct proc *p, int out,
                        int err)
{
    sigset_t none;

    sigemptyset (&none);
    (void)sigprocmask (SIG_SETMASK, &none, NULL);
    for (size_t i = 0; i < NUM_DEFAULT_SIGS; i++)
        (void)signal (default_sigs[i], SIG_DFL);
    if (p->own_pgrp)
        (void)setpgid (0, 0);
    if (out >= 0) {
        int null = open ("/dev/null", O_RDONLY);
        if (null < 0
            || dup2 (null, STDIN_FILENO) < 0
            || dup2 (out, STDOUT_FILENO) < 0
            || dup2 (err, STDERR_FILENO) < 0)
            _exit (126);
    }
    execvpe (argv[0], argv, env);
    fprintf (stderr, "flux-broker: %s: %s\n", argv[0], strerror (errno));
    _exit (errno == ENOENT ? 127 : 126);
}

static double since (const struct timespec *t0)
{
    struct timespec now;

    clock_gettime (CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t0->tv_sec) + (now.tv_nsec - t0->tv_nsec) * 1e-9;
}

static void log_end (struct runlevel *rl, struct proc *p, int rc,
                     const char *how)
{
    flux_log (rl->ctx->h, rc == 0 ? LOG_INFO : LOG_ERR,
              "rc%d.0: %s %s (rc=%d) %.1fs",
              p->level, p->cmdline, how, rc, since (&p->t_start));
}

/* The instance's exit code, as flux-core's state machine keeps it: a
 * failed rc1 sets it; the initial program and rc3 set it only if it
 * is still 0.
 */
static void record_exit (struct runlevel *rl, int level, int rc)
{
    if (rc == 0)
        return;
    if (level == 1 || rl->exit_rc == 0)
        rl->exit_rc = rc;
}

/* N.B. a process group outlives its leader: what a script left behind
 * (holding its output open) is still reached once the script has exited.
 */
static void proc_kill (struct proc *p, int signum)
{
    if (p && p->pid > 0) {
        if (p->own_pgrp)
            (void)kill (-p->pid, signum);
        else if (!p->exited)
            (void)kill (p->pid, signum);
    }
}

static void proc_destroy (struct proc *p)
{
    if (p) {
        int saved_errno = errno;
        for (int i = 0; i < 2; i++) {
            flux_watcher_destroy (p->w[i]);
            if (p->fd[i] >= 0)
                close (p->fd[i]);
        }
        free (p->cmdline);
        free (p);
        errno = saved_errno;
    }
}

/* The command has exited and its output is read: log how it ended,
 * record its exit code, and go on to the next level.
 */
static void proc_done (struct runlevel *rl, struct proc *p)
{
    int rc;

    if (WIFEXITED (p->status)) {
        rc = WEXITSTATUS (p->status);
        if (rc == 0 && p->aborted) {
            rc = 1;
            log_end (rl, p, rc, "aborted after exit with rc=0");
        }
        else
            log_end (rl, p, rc, "Exited");
    }
    else if (WIFSIGNALED (p->status)) {
        rc = 128 + WTERMSIG (p->status);
        log_end (rl, p, rc, strsignal (WTERMSIG (p->status)));
    }
    else {
        rc = 1;
        log_end (rl, p, rc, "???");
    }
    record_exit (rl, p->level, rc);
    rl->proc = NULL;
    proc_destroy (p);
    run_next (rl);
}

static void proc_check_done (struct proc *p)
{
    if (p->exited && !p->w[0] && !p->w[1])
        proc_done (p->rl, p);
}

static void log_output (struct proc *p, int stream, const char *s, size_t n)
{
    flux_log (p->rl->ctx->h, stream == 0 ? LOG_INFO : LOG_ERR,
              "rc%d.0: %.*s", p->level, (int)n, s);
}

/* Log each complete line of 'stream' (and, at EOF, what is left). */
static void output_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct proc *p = arg;
    int stream = (w == p->w[0]) ? 0 : 1;
    struct linebuf *lb = &p->buf[stream];
    ssize_t n;
    char *nl;

    (void)r;
    (void)revents;
    n = read (p->fd[stream], lb->data + lb->len, sizeof (lb->data) - lb->len);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n > 0) {
        char *start = lb->data;
        lb->len += n;
        while ((nl = memchr (start, '\n', lb->len - (start - lb->data)))) {
            log_output (p, stream, start, nl - start);
            start = nl + 1;
        }
        lb->len -= start - lb->data;
        memmove (lb->data, start, lb->len);
        if (lb->len == sizeof (lb->data)) {
            log_output (p, stream, lb->data, lb->len);
            lb->len = 0;
        }
        return;
    }
    /* EOF, or an error that ends this stream. */
    if (lb->len > 0)
        log_output (p, stream, lb->data, lb->len);
    lb->len = 0;
    flux_watcher_destroy (p->w[stream]);
    p->w[stream] = NULL;
    close (p->fd[stream]);
    p->fd[stream] = -1;
    proc_check_done (p);
}

/* Start 'argv' for 'level'.  'capture': log its stdout and stderr.
 * Returns 0, or -1 with errno (nothing started).
 */
static int proc_start (struct runlevel *rl, int level, char **argv,
                       const char *cmdline, bool capture, bool own_pgrp)
{
    struct proc *p;
    int pfd[2][2] = { { -1, -1 }, { -1, -1 } };
    char **env = NULL;

    if (!(p = calloc (1, sizeof (*p))))
        return -1;
    p->rl = rl;
    p->level = level;
    p->own_pgrp = own_pgrp;
    p->fd[0] = p->fd[1] = -1;
    if (!(p->cmdline = strdup (cmdline)))
        goto error;
    if (capture) {
        for (int i = 0; i < 2; i++) {
            if (pipe2 (pfd[i], O_CLOEXEC) < 0)
                goto error;
            p->fd[i] = pfd[i][0];
            if (fcntl (p->fd[i], F_SETFL, O_NONBLOCK) < 0
                || !(p->w[i] = flux_fd_watcher_create (rl->ctx->r, p->fd[i],
                                                       FLUX_POLLIN,
                                                       output_cb, p)))
                goto error;
        }
    }
    if (!(env = make_env (rl->uri, capture)))
        goto error;
    fflush (stdout);
    fflush (stderr);
    clock_gettime (CLOCK_MONOTONIC, &p->t_start);
    if ((p->pid = spawn (argv, env, own_pgrp, pfd[0][1], pfd[1][1])) < 0) {
        if ((p->pid = fork ()) < 0)
            goto error;
        if (p->pid == 0)
            child_exec (argv, env, p, pfd[0][1], pfd[1][1]);
    }
    if (own_pgrp)
        (void)setpgid (p->pid, p->pid); // closes the race with the child
    for (int i = 0; i < 2; i++) {
        if (pfd[i][1] >= 0)
            close (pfd[i][1]);
        if (p->w[i])
            flux_watcher_start (p->w[i]);
    }
    env_free (env);
    rl->proc = p;
    notify (rl, "%s %d\n", own_pgrp ? "pgrp" : "pid", (int)p->pid);
    return 0;
error:
    env_free (env);
    for (int i = 0; i < 2; i++) {
        if (pfd[i][1] >= 0)
            close (pfd[i][1]);
    }
    proc_destroy (p);
    return -1;
}

/* Start rc1 or rc3: returns 0 if it runs, -1 if there is none or it
 * could not start (logged, and a failure).
 */
static int start_script (struct runlevel *rl, int level)
{
    char *shell_argv[] = { (char *)get_shell (), "-c", rl->rc[level], NULL };
    char *direct_argv[] = { rl->rc[level], NULL };
    char **argv = shell_argv;
    struct proc p = { .level = level, .cmdline = rl->rc[level] };

    if (!rl->rc[level])
        return -1;
    /* N.B. execvpe() searches PATH as the shell would, and runs a file
     * without a #! line with /bin/sh, as the shell would too.
     */
    if (!needs_shell (rl->rc[level]))
        argv = direct_argv;
    clock_gettime (CLOCK_MONOTONIC, &p.t_start);
    if (proc_start (rl, level, argv, rl->rc[level], true, true) < 0) {
        int saved_errno = errno;
        log_end (rl, &p, 1, "error starting command");
        flux_log (rl->ctx->h, LOG_ERR, "rc%d: %s", level,
                  strerror (saved_errno));
        record_exit (rl, level, 1);
        return -1;
    }
    return 0;
}

/* The initial program's command line as the log shows it: flux-core's
 * runat shows "$SHELL -c CMD" as CMD.
 */
static char *join_argv (char **argv)
{
    size_t len = 1;
    char *s;

    if (argv[0] && argv[1] && !strcmp (argv[1], "-c") && argv[2])
        argv += 2;
    for (size_t i = 0; argv[i]; i++)
        len += strlen (argv[i]) + 1;
    if (!(s = calloc (1, len)))
        return NULL;
    for (size_t i = 0; argv[i]; i++) {
        if (i > 0)
            strcat (s, " ");
        strcat (s, argv[i]);
    }
    return s;
}

static int start_initial_program (struct runlevel *rl)
{
    char *cmdline;
    int rc;

    if (!(cmdline = join_argv (rl->argv))
        || proc_start (rl, 2, rl->argv, cmdline, false,
                       !isatty (STDIN_FILENO)) < 0) {
        struct proc p = { .level = 2, .cmdline = cmdline ? cmdline : "???" };
        int saved_errno = errno;
        clock_gettime (CLOCK_MONOTONIC, &p.t_start);
        log_end (rl, &p, 1, "error starting command");
        flux_log (rl->ctx->h, LOG_ERR, "rc2: %s", strerror (saved_errno));
        record_exit (rl, 2, 1);
        rc = -1;
    }
    else
        rc = 0;
    free (cmdline);
    return rc;
}

/* Go up one level (skipping those with nothing to run) until something
 * runs; past rc3, the broker shuts down.
 */
static void run_next (struct runlevel *rl)
{
    while (rl->level < 3) {
        rl->level++;
        if (rl->level == 1)
            state_machine_set (rl->ctx->sm, STATE_INIT);
        if (rl->level == 2) {
            rl->mark = modmgr_loads (rl->ctx->modmgr);
            /* Another rank runs no initial program: it serves until its
             * parent shuts down (runlevel_stop).
             */
            if (rl->ctx->rank > 0) {
                state_machine_set (rl->ctx->sm, STATE_RUN);
                if (!rl->stop) {
                    rl->waiting = true;
                    return;
                }
                continue;
            }
            /* rc1 failed (or a module panicked): no initial program. */
            if (rl->exit_rc != 0)
                continue;
            /* The initial program runs once every broker has joined. */
            if (!rl->quorum) {
                rl->quorum = true;
                state_machine_set (rl->ctx->sm, STATE_QUORUM);
                if (overlay_wait_full (rl->ctx->overlay, drained_cb, rl)) {
                    rl->level--;
                    return;
                }
                rl->level--;
                continue;
            }
            state_machine_set (rl->ctx->sm, STATE_RUN);
            if (start_initial_program (rl) == 0)
                return;
        }
        else if (rl->level == 3 && !rl->children_gone) {
            /* The brokers below go first: their rc3 may still need this
             * one's services.  SHUTDOWN tells the children (they watch
             * this broker's state), who tell theirs; each waits for its
             * own children.
             */
            rl->children_gone = true;
            state_machine_set (rl->ctx->sm, STATE_CLEANUP);
            state_machine_set (rl->ctx->sm, STATE_SHUTDOWN);
            if (overlay_wait_children (rl->ctx->overlay, drained_cb, rl)) {
                rl->level--;
                return;
            }
            rl->level--;
            continue;
        }
        else if (rl->level == 3 && !rl->drained) {
            state_machine_set (rl->ctx->sm, STATE_FINALIZE);
            /* Modules loaded after rc1 go first, newest first: rc3
             * removes rc1's, in the reverse of their order.
             */
            rl->drained = true;
            if (modmgr_remove_newer (rl->ctx->modmgr, rl->mark,
                                     drained_cb, rl) > 0) {
                rl->level--;
                return;
            }
            if (start_script (rl, rl->level) == 0)
                return;
        }
        else if (start_script (rl, rl->level) == 0)
            return;
    }
    if (!rl->said_goodbye) {
        rl->said_goodbye = true;
        state_machine_set (rl->ctx->sm, STATE_GOODBYE);
        if (overlay_goodbye (rl->ctx->overlay, drained_cb, rl))
            return;
    }
    state_machine_set (rl->ctx->sm, STATE_EXIT);
    rl->level = 4;
    notify (rl, "exit %d\n", rl->exit_rc);
    broker_shutdown (rl->ctx, rl->exit_rc);
}

/* Stop serving at level 2 (rank > 0), or at the first chance. */
static void stop_serving (struct runlevel *rl)
{
    rl->stop = true;
    if (rl->waiting) {
        rl->waiting = false;
        run_next (rl);
    }
}

void runlevel_stop (struct runlevel *rl)
{
    if (!rl || rl->ctx->rank == 0 || rl->stop)
        return;
    stop_serving (rl);
}

static void drained_cb (void *arg)
{
    run_next (arg);
}

static void next_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    run_next (arg);
}

static void chld_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct runlevel *rl = arg;
    struct proc *p = rl->proc;
    int status;

    (void)r;
    (void)w;
    (void)revents;
    /* Reap only the command this runs (one at a time): a module's thread
     * may start children of its own (Python's subprocess) and wait for
     * them itself; waitpid(-1) here would take their exit status.
     */
    if (!p || p->pid <= 0 || p->exited)
        return;
    if (waitpid (p->pid, &status, WNOHANG) == p->pid) {
        notify (rl, "exited %d\n", (int)p->pid);
        p->exited = true;
        p->status = status;
        proc_check_done (p);
    }
}

static void signal_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct runlevel *rl = arg;
    struct proc *p = rl->proc;
    int signum = flux_signal_watcher_get_signum (w);

    (void)r;
    (void)revents;
    if (!p) {
        /* A broker of rank > 0 serving at level 2 ends, as flux-core's
         * does in RUN without an initial program.
         */
        if (rl->waiting) {
            flux_log (rl->ctx->h, LOG_INFO, "signal %d: shutting down",
                      signum);
            stop_serving (rl);
            return;
        }
        flux_log (rl->ctx->h, LOG_INFO, "ignored signal %d", signum);
        return;
    }
    if (p->signals++ > 0) {
        flux_log (rl->ctx->h, LOG_NOTICE, "signal %d again: killing %s",
                  signum, p->level == 2 ? "the initial program"
                                        : p->level == 1 ? "rc1" : "rc3");
        proc_kill (p, SIGKILL);
    }
    else if (p->level == 2) {
        flux_log (rl->ctx->h, LOG_INFO,
                  "forwarding signal %d to the initial program", signum);
        proc_kill (p, signum);
    }
    else {
        flux_log (rl->ctx->h, LOG_INFO, "signal %d: aborting rc%d",
                  signum, p->level);
        p->aborted = true;
        proc_kill (p, SIGHUP);
    }
}

void runlevel_panic (struct runlevel *rl)
{
    if (!rl)
        return;
    rl->exit_rc = 1;
    if (rl->proc && rl->proc->level == 1) {
        rl->proc->aborted = true;
        proc_kill (rl->proc, SIGHUP);
    }
    else if (rl->proc && rl->proc->level == 2)
        proc_kill (rl->proc, SIGKILL);
    /* A broker of rank > 0 serving at level 2 (its parent is lost, say)
     * has no initial program to end: it shuts down now.
     */
    stop_serving (rl);
}

void runlevel_destroy (struct runlevel *rl)
{
    if (rl) {
        int saved_errno = errno;
        proc_destroy (rl->proc);
        flux_watcher_destroy (rl->next_w);
        flux_watcher_destroy (rl->chld_w);
        flux_watcher_destroy (rl->int_w);
        flux_watcher_destroy (rl->term_w);
        if (rl->argv) {
            for (size_t i = 0; rl->argv[i]; i++)
                free (rl->argv[i]);
            free (rl->argv);
        }
        free (rl->rc[1]);
        free (rl->rc[3]);
        free (rl->uri);
        if (rl->notify_fd >= 0)
            close (rl->notify_fd);
        free (rl);
        errno = saved_errno;
    }
}

/* A copy of the initial program's argv, with $SHELL put in front where
 * a shell is needed.
 */
static char **make_argv (int argc, char **argv)
{
    const char *shell = get_shell ();
    int n = 0;
    char **v;

    if (!(v = calloc (argc + 3, sizeof (v[0]))))
        return NULL;
    if (argc == 0)
        v[n++] = strdup (shell);
    else if (argc == 1 && needs_shell (argv[0])) {
        v[n++] = strdup (shell);
        v[n++] = strdup ("-c");
        v[n++] = strdup (argv[0]);
    }
    else {
        for (int i = 0; i < argc; i++)
            v[n++] = strdup (argv[i]);
    }
    for (int i = 0; i < n; i++) {
        if (!v[i]) {
            for (int j = 0; j < n; j++)
                free (v[j]);
            free (v);
            errno = ENOMEM;
            return NULL;
        }
    }
    return v;
}

struct runlevel *runlevel_create (struct broker *ctx,
                                  const char *rc1,
                                  int argc,
                                  char **argv,
                                  const char *rc3,
                                  const char *uri)
{
    struct runlevel *rl;

    if (!(rl = calloc (1, sizeof (*rl))))
        return NULL;
    rl->ctx = ctx;
    if ((rl->notify_fd = notify_open ()) >= 0 && ctx->rundir_cleanup)
        notify (rl, "rundir %s\n", ctx->rundir);
    if ((rc1 && *rc1 && !(rl->rc[1] = strdup (rc1)))
        || (rc3 && *rc3 && !(rl->rc[3] = strdup (rc3)))
        || !(rl->uri = strdup (uri))
        || !(rl->argv = make_argv (argc, argv)))
        goto error;
    /* N.B. the first level starts from the reactor, so that everything
     * the levels do (down to broker_shutdown()) happens while it runs.
     */
    if (!(rl->next_w = flux_timer_watcher_create (ctx->r, 0., 0.,
                                                  next_cb, rl))
        || !(rl->chld_w = flux_signal_watcher_create (ctx->r, SIGCHLD,
                                                      chld_cb, rl))
        || !(rl->int_w = flux_signal_watcher_create (ctx->r, SIGINT,
                                                     signal_cb, rl))
        || !(rl->term_w = flux_signal_watcher_create (ctx->r, SIGTERM,
                                                      signal_cb, rl)))
        goto error;
    flux_watcher_start (rl->next_w);
    flux_watcher_start (rl->chld_w);
    flux_watcher_start (rl->int_w);
    flux_watcher_start (rl->term_w);
    return rl;
error:
    runlevel_destroy (rl);
    return NULL;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
