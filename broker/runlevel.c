/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The initial program: what `flux start CMD` runs inside the instance,
 * and whose exit ends it.
 *
 * The command is exec'd directly, unless it is a single argument that
 * needs a shell (spaces or shell metacharacters), which runs as
 * $SHELL -c "..."; no command at all runs $SHELL.  It inherits stdio and
 * the environment, less the variables that point at an enclosing
 * instance, plus FLUX_URI for this one.  Its exit code becomes the
 * broker's: a signal gives 128+N, a command that is not found 127, one
 * that cannot be executed 126, as a shell reports them.
 *
 * Unless stdin is a terminal (an interactive shell must stay in the
 * terminal's foreground process group), the program gets a process group
 * of its own, so that signalling it reaches the processes it started.
 * The broker forwards SIGINT and SIGTERM to it; a second such signal
 * kills it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runlevel.h"

extern char **environ;

struct runlevel {
    struct broker *ctx;
    pid_t pid;
    bool own_pgrp;
    bool running;
    int signals;
    flux_watcher_t *chld_w;
    flux_watcher_t *int_w;
    flux_watcher_t *term_w;
};

/* Variables that belong to an enclosing instance or job. */
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
        "PMI_FD=",
        "PMI_RANK=",
        "PMI_SIZE=",
    };
    for (size_t i = 0; i < sizeof (prefixes) / sizeof (prefixes[0]); i++) {
        if (!strncmp (var, prefixes[i], strlen (prefixes[i])))
            return true;
    }
    return false;
}

static char **make_env (const char *uri)
{
    size_t n = 0;
    char **env;
    size_t j = 0;

    while (environ[n])
        n++;
    if (!(env = calloc (n + 2, sizeof (env[0]))))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (!env_blocked (environ[i]))
            env[j++] = environ[i];
    }
    if (asprintf (&env[j], "FLUX_URI=%s", uri) < 0) {
        free (env);
        return NULL;
    }
    return env;
}

static bool needs_shell (const char *s)
{
    return strpbrk (s, " \t\n|&;<>()$`\\\"'*?[#~=%{}!") != NULL;
}

static void child_exec (char **argv, char **env, bool own_pgrp)
{
    sigset_t none;
    const int sigs[] = { SIGINT, SIGTERM, SIGCHLD, SIGPIPE, SIGHUP, SIGQUIT };

    sigemptyset (&none);
    (void)sigprocmask (SIG_SETMASK, &none, NULL);
    for (size_t i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
        (void)signal (sigs[i], SIG_DFL);
    if (own_pgrp)
        (void)setpgid (0, 0);
    execvpe (argv[0], argv, env);
    fprintf (stderr, "flux-broker: %s: %s\n", argv[0], strerror (errno));
    _exit (errno == ENOENT ? 127 : 126);
}

bool runlevel_running (struct runlevel *rl)
{
    return rl && rl->running;
}

void runlevel_kill (struct runlevel *rl, int signum)
{
    if (rl && rl->running) {
        if (rl->own_pgrp)
            (void)kill (-rl->pid, signum);
        else
            (void)kill (rl->pid, signum);
    }
}

static void chld_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct runlevel *rl = arg;
    int status;
    pid_t pid;
    int rc;

    (void)r;
    (void)w;
    (void)revents;
    /* Reap everything: orphans re-parented to us are not ours to track. */
    while ((pid = waitpid (-1, &status, WNOHANG)) > 0) {
        if (pid != rl->pid || !rl->running)
            continue;
        rl->running = false;
        if (WIFEXITED (status))
            rc = WEXITSTATUS (status);
        else if (WIFSIGNALED (status))
            rc = 128 + WTERMSIG (status);
        else
            rc = 1;
        flux_log (rl->ctx->h, rc == 0 ? LOG_DEBUG : LOG_INFO,
                  "initial program exited with code %d", rc);
        broker_shutdown (rl->ctx, rc);
    }
}

static void signal_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct runlevel *rl = arg;
    int signum = flux_signal_watcher_get_signum (w);

    (void)r;
    (void)revents;
    if (!rl->running) {
        broker_shutdown (rl->ctx, 128 + signum);
        return;
    }
    if (rl->signals++ == 0) {
        flux_log (rl->ctx->h, LOG_INFO,
                  "forwarding signal %d to the initial program", signum);
        runlevel_kill (rl, signum);
    }
    else {
        flux_log (rl->ctx->h, LOG_NOTICE,
                  "signal %d again: killing the initial program", signum);
        runlevel_kill (rl, SIGKILL);
    }
}

void runlevel_destroy (struct runlevel *rl)
{
    if (rl) {
        int saved_errno = errno;
        flux_watcher_destroy (rl->chld_w);
        flux_watcher_destroy (rl->int_w);
        flux_watcher_destroy (rl->term_w);
        free (rl);
        errno = saved_errno;
    }
}

struct runlevel *runlevel_create (struct broker *ctx, int argc, char **argv,
                                  const char *uri)
{
    struct runlevel *rl;
    const char *shell = getenv ("SHELL");
    char *shell_argv[4] = { NULL };
    char **env = NULL;
    char **cmd = argv;

    if (!shell || !*shell)
        shell = "/bin/sh";
    if (argc == 0) {
        shell_argv[0] = (char *)shell;
        cmd = shell_argv;
    }
    else if (argc == 1 && needs_shell (argv[0])) {
        shell_argv[0] = (char *)shell;
        shell_argv[1] = "-c";
        shell_argv[2] = argv[0];
        cmd = shell_argv;
    }
    if (!(rl = calloc (1, sizeof (*rl))))
        return NULL;
    rl->ctx = ctx;
    rl->own_pgrp = !isatty (STDIN_FILENO);
    if (!(rl->chld_w = flux_signal_watcher_create (ctx->r, SIGCHLD,
                                                   chld_cb, rl))
        || !(rl->int_w = flux_signal_watcher_create (ctx->r, SIGINT,
                                                     signal_cb, rl))
        || !(rl->term_w = flux_signal_watcher_create (ctx->r, SIGTERM,
                                                      signal_cb, rl)))
        goto error;
    flux_watcher_start (rl->chld_w);
    flux_watcher_start (rl->int_w);
    flux_watcher_start (rl->term_w);
    if (!(env = make_env (uri)))
        goto error;
    fflush (stdout);
    fflush (stderr);
    if ((rl->pid = fork ()) < 0)
        goto error;
    if (rl->pid == 0)
        child_exec (cmd, env, rl->own_pgrp);
    if (rl->own_pgrp)
        (void)setpgid (rl->pid, rl->pid); // closes the race with the child
    rl->running = true;
    for (size_t i = 0; env[i]; i++) {
        if (!strncmp (env[i], "FLUX_URI=", 9)) {
            free (env[i]);
            break;
        }
    }
    free (env);
    return rl;
error:
    free (env);
    runlevel_destroy (rl);
    return NULL;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
