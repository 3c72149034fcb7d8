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
#include <poll.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd.h"
#include "hostlist.h"
#include "pmi_server.h"

enum {
    OPT_TEST_SIZE = 256,
    OPT_TEST_EXIT_TIMEOUT,
    OPT_TEST_HOSTS,
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
      "Start an instance of N brokers on this machine" },
    { "test-exit-timeout", OPT_TEST_EXIT_TIMEOUT, required_argument, "FSD",
      "After a broker exits, kill the others after FSD (default 20s)" },
    { "test-hosts", OPT_TEST_HOSTS, required_argument, "HOSTLIST",
      "Give the brokers these host names (-Shostname), one each" },
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

/* -Shostname=HOST for rank 'rank' of --test-hosts. */
static void argvec_add_hostname (struct argvec *a, json_t *hosts, int rank)
{
    char *opt;

    if (asprintf (&opt, "-Shostname=%s",
                  json_string_value (json_array_get (hosts, rank))) < 0)
        cmd_die ("flux-start", "out of memory");
    argvec_add (a, opt);
    free (opt);
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
        /* N.B. only what was killed: waitpid(-1) would take the exit
         * status of another broker of the instance (run_brokers).
         */
        for (int i = 0; i < l->n; i++) {
            if (l->ids[i] == 0)
                continue;
            while (waitpid (l->ids[i], NULL, WNOHANG) > 0)
                ;
            if (kill (l->ids[i], 0) == 0)
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

/* In the broker's process after fork: the notify pipe's write end and,
 * for a broker of a larger instance, its PMI descriptor, rank and size
 * in the environment; then exec.  Never returns.
 */
static void exec_broker (char **av, const sigset_t *old, pid_t parent,
                         int notify_fd, int pmi_fd, int rank, int size)
{
    char s[16];

    restore_signals ();
    (void)sigprocmask (SIG_SETMASK, old, NULL);
    /* flux start killed (even by SIGKILL): so is the broker. */
    (void)prctl (PR_SET_PDEATHSIG, SIGKILL);
    if (getppid () != parent)
        _exit (1);
    snprintf (s, sizeof (s), "%d", notify_fd);
    if (fcntl (notify_fd, F_SETFD, 0) < 0
        || setenv ("FLUX_START_NOTIFY_FD", s, 1) < 0)
        goto error;
    if (pmi_fd >= 0) {
        snprintf (s, sizeof (s), "%d", pmi_fd);
        if (fcntl (pmi_fd, F_SETFD, 0) < 0 || setenv ("PMI_FD", s, 1) < 0)
            goto error;
        snprintf (s, sizeof (s), "%d", rank);
        if (setenv ("PMI_RANK", s, 1) < 0)
            goto error;
        snprintf (s, sizeof (s), "%d", size);
        if (setenv ("PMI_SIZE", s, 1) < 0)
            goto error;
    }
    /* N.B. a wrapper is looked up on PATH (--wrap=valgrind,...). */
    execvp (av[0], av);
    fprintf (stderr, "flux-start: %s: %s\n", av[0], strerror (errno));
    _exit (1);
error:
    fprintf (stderr, "flux-start: %s\n", strerror (errno));
    _exit (1);
}

/* flux start's exit code for a broker's wait status, with the message
 * flux-core's prints for one that did not end on its own.
 */
static int broker_exit_code (int rank, pid_t pid, int status,
                             struct leftovers *l)
{
    int rc;

    if (WIFSIGNALED (status)) {
        rc = 128 + WTERMSIG (status);
        (void)leftovers_clean (l);
        fprintf (stderr, "flux-start: %d (pid %d) %s\n", rank, (int)pid,
                 strsignal (WTERMSIG (status)));
    }
    else {
        rc = WIFEXITED (status) ? WEXITSTATUS (status) : 1;
        /* N.B. even after the run levels are done: a module may end the
         * broker process (_exit) while it removes the modules, before
         * the rundir is gone.  A broker that cleaned up leaves nothing.
         */
        if (leftovers_clean (l) && !l->done)
            fprintf (stderr, "flux-start: %d (pid %d) exited with rc=%d\n",
                     rank, (int)pid, rc);
    }
    return rc;
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
    if (pid == 0)
        exec_broker (av, &old, parent, pfd[1], -1, 0, 1);
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
    rc = broker_exit_code (0, pid, status, &l);
    free (l.rundir);
    return rc;
}

/* One broker of a --test-size instance. */
struct broker_proc {
    pid_t pid;
    int notify_fd;
    bool exited;
    int rc;
    struct leftovers l;
};

static int sigchld_pipe[2] = { -1, -1 };

static void sigchld_cb (int signum)
{
    int saved_errno = errno;

    (void)signum;
    (void)write (sigchld_pipe[1], "", 1);
    errno = saved_errno;
}

/* Reap what has exited: a broker (its exit code recorded) or an orphan
 * of the instance.  Returns the number of brokers that exited.
 */
static int reap (struct broker_proc *b, int size)
{
    int count = 0;
    int status;
    pid_t w;

    while ((w = waitpid (-1, &status, WNOHANG)) > 0) {
        for (int r = 0; r < size; r++) {
            if (b[r].pid != w || b[r].exited)
                continue;
            b[r].exited = true;
            if (fcntl (b[r].notify_fd, F_SETFL, O_NONBLOCK) == 0)
                leftovers_read (&b[r].l, b[r].notify_fd);
            close (b[r].notify_fd);
            b[r].rc = broker_exit_code (r, w, status, &b[r].l);
            count++;
        }
    }
    return count;
}

/* Run an instance of 'size' brokers on this machine, as flux-core's
 * flux start --test-size does: each gets PMI_FD, PMI_RANK and PMI_SIZE
 * of the simple PMI server here, through which they find each other
 * (broker/boot_pmi.c); only rank 0 runs the initial program (prog).
 * Signals go to rank 0, whose end ends the instance.  Once a broker has
 * exited, the others are killed if they are still there 'timeout'
 * seconds later.  Returns the largest exit code.
 */
static int run_brokers (int size, struct argvec *common, char **prog,
                        double timeout, json_t *hosts)
{
    struct broker_proc *b;
    struct pmi_server *ps;
    struct sigaction sa;
    struct pollfd *fds;
    sigset_t mask;
    sigset_t old;
    pid_t parent = getpid ();
    int running = size;
    double deadline = -1;
    int rc = 0;

    (void)prctl (PR_SET_CHILD_SUBREAPER, 1);
    if (!(b = calloc (size, sizeof (*b)))
        || !(fds = calloc (size + 1, sizeof (*fds)))
        || !(ps = pmi_server_create (size)))
        cmd_die ("flux-start", "%s", strerror (errno));
    if (pipe2 (sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        cmd_die ("flux-start", "pipe: %s", strerror (errno));
    memset (&sa, 0, sizeof (sa));
    sa.sa_handler = sigchld_cb;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset (&sa.sa_mask);
    (void)sigaction (SIGCHLD, &sa, NULL);
    forward_signals (&mask);
    (void)sigprocmask (SIG_BLOCK, &mask, &old);
    fflush (stdout);
    fflush (stderr);
    for (int r = 0; r < size; r++) {
        struct argvec av = { 0 };
        int pfd[2];
        for (int i = 0; i < common->n; i++)
            argvec_add (&av, common->v[i]);
        if (hosts)
            argvec_add_hostname (&av, hosts, r);
        for (int i = 0; r == 0 && prog[i]; i++)
            argvec_add (&av, prog[i]);
        if (pipe2 (pfd, O_CLOEXEC) < 0)
            cmd_die ("flux-start", "pipe: %s", strerror (errno));
        if ((b[r].pid = fork ()) < 0)
            cmd_die ("flux-start", "fork: %s", strerror (errno));
        if (b[r].pid == 0)
            exec_broker (av.v, &old, parent, pfd[1],
                         pmi_server_client_fd (ps, r), r, size);
        close (pfd[1]);
        b[r].notify_fd = pfd[0];
        argvec_free (&av);
    }
    broker_pid = b[0].pid;
    (void)sigprocmask (SIG_SETMASK, &old, NULL);
    pmi_server_close_clients (ps);
    while (running > 0) {
        int n = 0;
        int ms = -1;
        for (int r = 0; r < size; r++) {
            if (pmi_server_fd (ps, r) >= 0) {
                fds[n].fd = pmi_server_fd (ps, r);
                fds[n].events = POLLIN;
                n++;
            }
        }
        fds[n].fd = sigchld_pipe[0];
        fds[n].events = POLLIN;
        if (deadline >= 0) {
            double left = deadline - flux_reactor_time ();
            ms = left > 0 ? (int)(left * 1000) + 1 : 0;
        }
        if (poll (fds, n + 1, ms) < 0 && errno != EINTR)
            cmd_die ("flux-start", "poll: %s", strerror (errno));
        for (int i = 0; i < n; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            for (int r = 0; r < size; r++) {
                if (pmi_server_fd (ps, r) == fds[i].fd) {
                    (void)pmi_server_read (ps, r);
                    break;
                }
            }
        }
        if (fds[n].revents & POLLIN) {
            char buf[64];
            while (read (sigchld_pipe[0], buf, sizeof (buf)) > 0)
                ;
        }
        running -= reap (b, size);
        if (b[0].exited)
            broker_pid = -1;
        if (running > 0 && running < size && deadline < 0)
            deadline = flux_reactor_time () + timeout;
        if (deadline >= 0 && flux_reactor_time () >= deadline) {
            for (int r = 0; r < size; r++) {
                if (!b[r].exited && kill (b[r].pid, SIGKILL) == 0)
                    fprintf (stderr, "flux-start: Exit timeout: killed "
                             "rank %d\n", r);
            }
            deadline = flux_reactor_time () + 3600;
        }
    }
    for (int r = 0; r < size; r++) {
        if (b[r].rc > rc)
            rc = b[r].rc;
        free (b[r].l.rundir);
    }
    pmi_server_destroy (ps);
    close (sigchld_pipe[0]);
    close (sigchld_pipe[1]);
    free (fds);
    free (b);
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
    const char *test_opt = NULL;
    json_t *hosts = NULL;
    double exit_timeout = 20.;
    int size = 0;
    int ncommon;
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
            case OPT_TEST_SIZE:
                if (cmd_parse_uint (arg, &size) < 0 || size < 1)
                    cmd_usage_error (&start_parser,
                                     "--test-size requires a positive "
                                     "integer, got '%s'", arg);
                break;
            case OPT_TEST_HOSTS:
                json_decref (hosts);
                if (!(hosts = hostlist_decode (arg)))
                    cmd_usage_error (&start_parser, "--test-hosts: '%s' is "
                                     "not a hostlist", arg);
                test_opt = "--test-hosts";
                break;
            case OPT_TEST_EXIT_TIMEOUT:
                if (cmd_parse_duration (arg, &exit_timeout) < 0)
                    cmd_usage_error (&start_parser,
                                     "--test-exit-timeout requires a "
                                     "duration (FSD), got '%s'", arg);
                test_opt = "--test-exit-timeout";
                break;
        }
    }
    if (test_opt && size == 0)
        cmd_usage_error (&start_parser, "%s requires --test-size", test_opt);
    if (hosts && (int)json_array_size (hosts) != size)
        cmd_usage_error (&start_parser, "--test-hosts names %zu hosts for "
                         "--test-size=%d", json_array_size (hosts), size);
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    ncommon = av.n;
    /* N.B. the broker stops option parsing here too; "--" keeps a
     * command that starts with '-' from being taken for an option.
     */
    if (n < argc && argv[n][0] == '-')
        argvec_add (&av, "--");
    for (; n < argc; n++)
        argvec_add (&av, argv[n]);

    setup_environment ();
    if (wrap.n > 0) {
        ncommon += wrap.n;
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
    int rc;
    if (size > 1) {
        struct argvec common = { 0 };
        for (int i = 0; i < ncommon; i++)
            argvec_add (&common, av.v[i]);
        rc = run_brokers (size, &common, av.v + ncommon, exit_timeout,
                          hosts);
        argvec_free (&common);
    }
    else if (hosts) {
        struct argvec one = { 0 };
        for (int i = 0; i <= av.n; i++) {
            if (i == ncommon)
                argvec_add_hostname (&one, hosts, 0);
            if (i < av.n)
                argvec_add (&one, av.v[i]);
        }
        rc = run_broker (one.v);
        argvec_free (&one);
    }
    else
        rc = run_broker (av.v);
    json_decref (hosts);
    argvec_free (&av);
    return rc;
}

/* vi: ts=4 sw=4 expandtab
 */
