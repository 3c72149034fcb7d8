/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux start: run the broker, and clean up after it if it dies.
 *
 * flux start runs flux-broker with the attribute settings and the
 * initial program, waits for it, and exits with its exit code (the
 * initial program's), 128+N if a signal N killed it.  It stays the
 * broker's parent, rather than exec the broker as flux-core's does for a
 * size-1 instance, so that nothing of the instance outlives the broker:
 * a module that calls _exit() or crashes ends the broker process without
 * its cleanup, and then flux start kills the process groups of the
 * commands the broker was running (the initial program and what it
 * started) and removes the rundir.  The broker tells it what those are
 * through a pipe (FLUX_START_NOTIFY_FD, see broker/runlevel.c).
 * N.B. PR_SET_PDEATHSIG in the initial program would not do: it reaches
 * the direct child only, not the processes of its process group.
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 sent to flux
 * start (by kill) are passed to the broker; from the terminal, the
 * broker gets them itself, in the same process group.  If flux start is
 * killed, so is the broker (PR_SET_PDEATHSIG), as when they were one
 * process.  Before it runs the broker it prepends
 * this installation's directories to PATH, PYTHONPATH and
 * FLUX_MODULE_PATH: the initial program then runs this 'flux', Python
 * finds this 'flux' package, and modules are found by name, with no
 * environment set up by the user, from the build tree as from an install.
 * -c/--config-path and --conf pass to the broker, which reads the
 * configuration (brokercfg.c).
 * --wrap puts a program such as valgrind in front of the broker, as
 * flux-core's does: the exec'd program is then the wrapper, which runs
 * the broker in the same process.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"

enum {
    OPT_TEST_SIZE = 256,
    OPT_WRAP,
    OPT_CONF,
};

static const struct cmd_option start_opts[] = {
    { "setattr", 'S', required_argument, "ATTR=VAL",
      "Set broker attribute ATTR to VAL" },
    { "config-path", 'c', required_argument, "PATH",
      "Set broker config from PATH (default: none)" },
    { "conf", OPT_CONF, required_argument, "VALUE",
      "Update broker config from VALUE" },
    { "broker-opts", 'o', required_argument, "OPTS",
      "Add comma-separated options to the broker command line" },
    { "verbose", 'v', no_argument, NULL,
      "Be verbose: print the broker command line to stderr" },
    { "noexec", 'X', no_argument, NULL,
      "Print the broker command line, do not run it" },
    { "test-size", OPT_TEST_SIZE, required_argument, "N",
      "Number of brokers (only 1 is supported)" },
    { "wrap", OPT_WRAP, required_argument, "ARGS",
      "Wrap broker execution in comma-separated arguments" },
    CMD_OPTION_END,
};

static const struct cmd_parser start_parser = {
    .prog = "flux-start",
    .cmdline = "flux start",
    .usage = "[OPTIONS] [COMMAND [ARGS...]]",
    .doc = "Start a Flux instance and run COMMAND in it (an interactive "
           "shell if none);\nexit with COMMAND's exit code.",
    .opts = start_opts,
    .posix = true,
};

struct argvec {
    char **v;
    int n;
    int size;
};

static void argvec_add (struct argvec *a, const char *s)
{
    if (a->n + 2 > a->size) {
        int size = a->size ? a->size * 2 : 32;
        char **v = realloc (a->v, size * sizeof (v[0]));
        if (!v)
            cmd_die ("flux-start", "out of memory");
        a->v = v;
        a->size = size;
    }
    if (!(a->v[a->n++] = strdup (s)))
        cmd_die ("flux-start", "out of memory");
    a->v[a->n] = NULL;
}

static void argvec_free (struct argvec *a)
{
    for (int i = 0; i < a->n; i++)
        free (a->v[i]);
    free (a->v);
    a->v = NULL;
    a->n = a->size = 0;
}

/* -o and --wrap take a comma-separated list, as flux-core's do. */
static void argvec_add_split (struct argvec *a, const char *s)
{
    char *cpy = strdup (s);
    char *saveptr = NULL;
    char *tok;

    if (!cpy)
        cmd_die ("flux-start", "out of memory");
    for (tok = strtok_r (cpy, ",", &saveptr); tok;
         tok = strtok_r (NULL, ",", &saveptr))
        argvec_add (a, tok);
    free (cpy);
}

static void setup_environment (void)
{
    static const struct {
        const char *var;
        const char *conf;
    } paths[] = {
        { "PATH", "cmd_path" },
        { "PYTHONPATH", "python_path" },
        { "FLUX_MODULE_PATH", "module_path" },
    };

    for (size_t i = 0; i < sizeof (paths) / sizeof (paths[0]); i++) {
        const char *dirs = flux_conf_builtin_get (paths[i].conf,
                                                  FLUX_CONF_AUTO);
        if (!dirs || cmd_env_prepend (paths[i].var, dirs) < 0)
            cmd_die ("flux-start", "cannot set %s: %s",
                     paths[i].var, strerror (errno));
    }
}

static volatile pid_t broker_pid = -1;

static const int forward_sigs[] = {
    SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
};
enum { NSIGS = sizeof (forward_sigs) / sizeof (forward_sigs[0]) };
static struct sigaction saved_sigs[NSIGS];

/* A signal sent with kill() goes on to the broker; one the kernel sent
 * (the terminal's ^C) has reached the broker's process group already.
 */
static void forward_cb (int signum, siginfo_t *si, void *uctx)
{
    int saved_errno = errno;

    (void)uctx;
    if (broker_pid > 0 && si->si_code <= 0)
        (void)kill (broker_pid, signum);
    errno = saved_errno;
}

static void forward_signals (sigset_t *mask)
{
    struct sigaction sa;

    memset (&sa, 0, sizeof (sa));
    sa.sa_sigaction = forward_cb;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset (&sa.sa_mask);
    sigemptyset (mask);
    for (int i = 0; i < NSIGS; i++) {
        int sig = forward_sigs[i];
        /* A signal ignored by whoever started us stays ignored, but for
         * SIGINT and SIGTERM, which the broker handles whatever it
         * inherits (a background job of sh ignores SIGINT).
         */
        if (sigaction (sig, &sa, &saved_sigs[i]) < 0)
            continue;
        if (saved_sigs[i].sa_handler == SIG_IGN
            && sig != SIGINT && sig != SIGTERM)
            (void)sigaction (sig, &saved_sigs[i], NULL);
        else
            sigaddset (mask, sig);
    }
}

/* In the broker's process, before exec: the dispositions flux start
 * found, so that the broker inherits what it would have without us.
 */
static void restore_signals (void)
{
    for (int i = 0; i < NSIGS; i++)
        (void)sigaction (forward_sigs[i], &saved_sigs[i], NULL);
}

/* What the broker reported through the notify pipe. */
struct leftovers {
    char *rundir;               // to remove, or NULL
    pid_t ids[16];              // > 0: a pid, < 0: a process group
    int n;
    bool done;                  // the broker reached its shutdown itself
};

static void leftovers_forget (struct leftovers *l, pid_t pid)
{
    for (int i = 0; i < l->n; i++) {
        if (l->ids[i] == pid || l->ids[i] == -pid)
            l->ids[i] = 0;
    }
}

static void leftovers_line (struct leftovers *l, const char *line)
{
    int id;

    if (!strncmp (line, "rundir ", 7)) {
        free (l->rundir);
        l->rundir = strdup (line + 7);
    }
    else if (sscanf (line, "pgrp %d", &id) == 1 && id > 1
             && l->n < (int)(sizeof (l->ids) / sizeof (l->ids[0])))
        l->ids[l->n++] = -id;
    else if (sscanf (line, "pid %d", &id) == 1 && id > 1
             && l->n < (int)(sizeof (l->ids) / sizeof (l->ids[0])))
        l->ids[l->n++] = id;
    else if (sscanf (line, "exited %d", &id) == 1)
        leftovers_forget (l, id);
    else if (!strncmp (line, "exit ", 5))
        l->done = true;
}

/* N.B. the broker has exited: what it wrote is all in the pipe. */
static void leftovers_read (struct leftovers *l, int fd)
{
    char buf[8192];
    size_t len = 0;
    ssize_t n;
    char *line;
    char *nl;

    while (len < sizeof (buf) - 1
           && (n = read (fd, buf + len, sizeof (buf) - 1 - len)) > 0)
        len += n;
    buf[len] = '\0';
    for (line = buf; (nl = strchr (line, '\n')); line = nl + 1) {
        *nl = '\0';
        leftovers_line (l, line);
    }
}

static int rm_entry (const char *path, const struct stat *sb, int flag,
                     struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    (void)remove (path);
    return 0;
}

/* Kill what is left of the commands the broker ran, remove its rundir.
 * Returns true if there was anything to clean up.
 */
static bool leftovers_clean (struct leftovers *l)
{
    bool found = false;

    for (int i = 0; i < l->n; i++) {
        if (l->ids[i] != 0 && kill (l->ids[i], SIGKILL) == 0)
            found = true;
    }
    /* The killed are orphans, ours to reap (PR_SET_CHILD_SUBREAPER): reap
     * them, so that they are gone, not zombies, once flux start returns.
     * N.B. bounded: a process stuck in the kernel does not hold us.
     */
    for (int tries = 0; found && tries < 500; tries++) {
        bool left = false;
        while (waitpid (-1, NULL, WNOHANG) > 0)
            ;
        for (int i = 0; i < l->n; i++) {
            if (l->ids[i] != 0 && kill (l->ids[i], 0) == 0)
                left = true;
        }
        if (!left)
            break;
        usleep (10000);
    }
    if (l->rundir && access (l->rundir, F_OK) == 0) {
        (void)nftw (l->rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        found = true;
    }
    return found;
}

/* Run the broker (av), wait for it, and return flux start's exit code. */
static int run_broker (char **av)
{
    struct leftovers l = { 0 };
    sigset_t mask;
    sigset_t old;
    int pfd[2];
    int status;
    pid_t pid;
    pid_t parent = getpid ();
    int rc;

    /* What the instance's processes leave as orphans comes to us, not
     * init: flux start can then reap what it kills.
     */
    (void)prctl (PR_SET_CHILD_SUBREAPER, 1);
    if (pipe2 (pfd, O_CLOEXEC) < 0)
        cmd_die ("flux-start", "pipe: %s", strerror (errno));
    forward_signals (&mask);
    /* Hold the signals until broker_pid is set: none is lost. */
    (void)sigprocmask (SIG_BLOCK, &mask, &old);
    fflush (stdout);
    fflush (stderr);
    if ((pid = fork ()) < 0)
        cmd_die ("flux-start", "fork: %s", strerror (errno));
    if (pid == 0) {
        char fdstr[16];
        restore_signals ();
        (void)sigprocmask (SIG_SETMASK, &old, NULL);
        /* flux start killed (even by SIGKILL): so is the broker. */
        (void)prctl (PR_SET_PDEATHSIG, SIGKILL);
        if (getppid () != parent)
            _exit (1);
        snprintf (fdstr, sizeof (fdstr), "%d", pfd[1]);
        if (fcntl (pfd[1], F_SETFD, 0) < 0
            || setenv ("FLUX_START_NOTIFY_FD", fdstr, 1) < 0) {
            fprintf (stderr, "flux-start: %s\n", strerror (errno));
            _exit (1);
        }
        /* N.B. a wrapper is looked up on PATH (--wrap=valgrind,...). */
        execvp (av[0], av);
        fprintf (stderr, "flux-start: %s: %s\n", av[0], strerror (errno));
        _exit (1);
    }
    broker_pid = pid;
    (void)sigprocmask (SIG_SETMASK, &old, NULL);
    close (pfd[1]);
    /* N.B. orphans that came to us (see above) are reaped on the way. */
    for (;;) {
        int st;
        pid_t w = waitpid (-1, &st, 0);
        if (w == pid) {
            status = st;
            break;
        }
        if (w < 0 && errno != EINTR)
            cmd_die ("flux-start", "waitpid: %s", strerror (errno));
    }
    broker_pid = -1;
    if (fcntl (pfd[0], F_SETFL, O_NONBLOCK) == 0)
        leftovers_read (&l, pfd[0]);
    close (pfd[0]);
    if (WIFSIGNALED (status)) {
        rc = 128 + WTERMSIG (status);
        (void)leftovers_clean (&l);
        fprintf (stderr, "flux-start: 0 (pid %d) %s\n", (int)pid,
                 strsignal (WTERMSIG (status)));
    }
    else {
        rc = WIFEXITED (status) ? WEXITSTATUS (status) : 1;
        /* N.B. even after the run levels are done: a module may end the
         * broker process (_exit) while it removes the modules, before
         * the rundir is gone.  A broker that cleaned up leaves nothing.
         */
        if (leftovers_clean (&l) && !l.done)
            fprintf (stderr, "flux-start: 0 (pid %d) exited with rc=%d\n",
                     (int)pid, rc);
    }
    free (l.rundir);
    return rc;
}

int cmd_start (int argc, char **argv)
{
    struct cmd_getopt *g;
    struct argvec wrap = { 0 };
    struct argvec av = { 0 };
    const char *broker;
    const char *arg;
    bool verbose = false;
    bool noexec = false;
    int c;
    int n;

    if (!(broker = flux_conf_builtin_get ("broker_path", FLUX_CONF_AUTO)))
        cmd_die ("flux-start", "cannot find flux-broker: %s",
                 strerror (errno));
    argvec_add (&av, broker);
    if (!(g = cmd_getopt_create (&start_parser, argc, argv)))
        cmd_die ("flux-start", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'S': {
                char *s;
                if (!strchr (arg, '='))
                    cmd_usage_error (&start_parser,
                                     "-S requires ATTR=VAL, got '%s'", arg);
                if (asprintf (&s, "-S%s", arg) < 0)
                    cmd_die ("flux-start", "out of memory");
                argvec_add (&av, s);
                free (s);
                break;
            }
            case 'c':
            case OPT_CONF: {
                char *s;
                if (asprintf (&s, c == 'c' ? "--config-path=%s"
                                           : "--conf=%s", arg) < 0)
                    cmd_die ("flux-start", "out of memory");
                argvec_add (&av, s);
                free (s);
                break;
            }
            case 'o':
                argvec_add_split (&av, arg);
                break;
            case 'v':
                verbose = true;
                break;
            case 'X':
                noexec = true;
                break;
            case OPT_WRAP:
                argvec_add_split (&wrap, arg);
                break;
            case OPT_TEST_SIZE: {
                int size;
                if (cmd_parse_uint (arg, &size) < 0 || size < 1)
                    cmd_usage_error (&start_parser,
                                     "--test-size requires a positive "
                                     "integer, got '%s'", arg);
                if (size != 1)
                    cmd_die ("flux-start", "--test-size=%d: only an "
                             "instance of size 1 is supported", size);
                break;
            }
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    /* N.B. the broker stops option parsing here too; "--" keeps a
     * command that starts with '-' from being taken for an option.
     */
    if (n < argc && argv[n][0] == '-')
        argvec_add (&av, "--");
    for (; n < argc; n++)
        argvec_add (&av, argv[n]);

    setup_environment ();
    if (wrap.n > 0) {
        for (int i = 0; i < av.n; i++)
            argvec_add (&wrap, av.v[i]);
        argvec_free (&av);
        av = wrap;
    }
    if (verbose || noexec) {
        for (int i = 0; i < av.n; i++)
            fprintf (stderr, "%s%s", i ? " " : "", av.v[i]);
        fprintf (stderr, "\n");
    }
    if (noexec) {
        argvec_free (&av);
        return 0;
    }
    int rc = run_broker (av.v);
    argvec_free (&av);
    return rc;
}

/* vi: ts=4 sw=4 expandtab
 */
