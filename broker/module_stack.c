/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Where a live module is: module.stack {name} -> {name, stack}, for
 * `flux module stack NAME`.
 *
 * The module cannot be asked itself: the interesting module is the one
 * stuck in a handler, whose reactor does not run.  Its loader is asked
 * instead (flux_module_loader_stack): pyloader formats the Python stack
 * of each of the module's threads on a thread of its own, which waits
 * for the GIL as long as it must, and writes it to one end of a socket
 * pair.  The broker reads the other end in its reactor and answers at
 * EOF, so it never waits for the module, or for Python, itself; past
 * broker.module-remove-timeout it answers ETIMEDOUT and closes its end
 * (the loader's late write then fails, and is dropped).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "module.h"
#include "module_thread.h"
#include "errprintf.h"

struct stack_job {
    struct modmgr *mm;
    char *name;
    flux_msg_t *request;
    int fd;
    flux_watcher_t *reader;
    flux_watcher_t *timer;
    char *text;
    size_t len;
    struct stack_job *next;
};

static void job_destroy (struct stack_job *job)
{
    if (job) {
        int saved_errno = errno;
        flux_watcher_destroy (job->reader);
        flux_watcher_destroy (job->timer);
        if (job->fd >= 0)
            (void)close (job->fd);
        flux_msg_decref (job->request);
        free (job->text);
        free (job->name);
        free (job);
        errno = saved_errno;
    }
}

static void job_unlink (struct stack_job *job)
{
    for (struct stack_job **p = &job->mm->stacks; *p; p = &(*p)->next) {
        if (*p == job) {
            *p = job->next;
            break;
        }
    }
}

/* Answer (with the text read, or errnum and a text) and forget it. */
static void job_finish (struct stack_job *job, int errnum, const char *errstr)
{
    flux_t *h = job->mm->ctx->h;
    int rc;

    if (errnum)
        rc = flux_respond_error (h, job->request, errnum, errstr);
    else
        rc = flux_respond_pack (h, job->request, "{s:s s:s#}",
                                "name", job->name,
                                "stack", job->text ? job->text : "",
                                job->len);
    if (rc < 0)
        flux_log_error (h, "error responding to module.stack");
    job_unlink (job);
    job_destroy (job);
}

static void read_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct stack_job *job = arg;
    char buf[4096];
    ssize_t n;
    char *p;

    (void)r;
    (void)w;
    (void)revents;
    if ((n = read (job->fd, buf, sizeof (buf))) < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return;
        job_finish (job, errno, "reading the module's stack");
        return;
    }
    if (n == 0) {
        job_finish (job, 0, NULL);
        return;
    }
    if (!(p = realloc (job->text, job->len + n + 1))) {
        job_finish (job, ENOMEM, NULL);
        return;
    }
    memcpy (p + job->len, buf, n);
    job->len += n;
    p[job->len] = '\0';
    job->text = p;
}

static void timeout_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                        void *arg)
{
    struct stack_job *job = arg;
    char text[300];

    (void)r;
    (void)w;
    (void)revents;
    (void)snprintf (text, sizeof (text),
                    "module %s: no stack within %gs: the interpreter is not"
                    " letting go of its lock (a thread stuck in C code?)",
                    job->name, remove_timeout (job->mm));
    job_finish (job, ETIMEDOUT, text);
}

int module_stack (struct module *m, const flux_msg_t *msg,
                  flux_error_t *error)
{
    struct modmgr *mm = m->mm;
    flux_reactor_t *r = mm->ctx->r;
    struct stack_job *job;
    int sv[2];

    if (m->exec_mode || !m->thd || !m->thread_started) {
        errprintf (error, "module %s %s", m->name,
                   m->exec_mode ? "runs as a process (--exec): its stack"
                                  " is not the broker's to show"
                                : "has no running instance");
        errno = m->exec_mode ? ENOSYS : EAGAIN;
        return -1;
    }
    if (!(job = calloc (1, sizeof (*job))))
        return -1;
    job->fd = -1;
    job->mm = mm;
    if (!(job->name = strdup (m->name))
        || socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        goto error;
    job->fd = sv[0];
    if (module_loader_stack (&m->thd->entry, m->thread, sv[1]) < 0) {
        int e = errno;
        (void)close (sv[1]);
        if (e == ENOSYS)
            errprintf (error, "module %s: its loader cannot show a stack"
                       " (a C module has none but gdb's)", m->name);
        else if (e == ESRCH)
            errprintf (error, "module %s is not running Python now (still"
                       " starting, or leaving)", m->name);
        errno = e;
        goto error;
    }
    if (!(job->reader = flux_fd_watcher_create (r, job->fd, FLUX_POLLIN,
                                                read_cb, job))
        || !(job->timer = flux_timer_watcher_create (r, remove_timeout (mm),
                                                     0., timeout_cb, job)))
        goto error;
    job->request = (flux_msg_t *)flux_msg_incref (msg);
    flux_watcher_start (job->reader);
    flux_watcher_start (job->timer);
    job->next = mm->stacks;
    mm->stacks = job;
    return 0;
error:
    job_destroy (job);
    return -1;
}

void module_stacks_destroy (struct modmgr *mm)
{
    while (mm->stacks) {
        struct stack_job *job = mm->stacks;
        mm->stacks = job->next;
        job_destroy (job);
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
