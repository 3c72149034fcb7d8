/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* When a module leaves: removal (shutdown, interrupt, abandon) and what
 * a runtime failure does (the module's failure policy).
 *
 * A module that exits with an error when nobody asked it to, and after
 * its load was answered, has failed at run time.  What happens then is
 * the module's failure policy, chosen at load time (module.load key
 * "on-failure", which flux-core's broker ignores):
 *
 *   panic    (the default, flux-core's behaviour) log it and, unless
 *            broker.module-nopanic is set, shut the instance down with
 *            an error, as flux-core's broker panics.
 *   exit     log it; the module is gone, the broker lives.
 *   restart  log it and load the module again from the same path with
 *            the same arguments after a delay (broker.module-restart-
 *            delay seconds, doubling with each restart in a row), at
 *            most broker.module-restart-max times within
 *            broker.module-restart-window seconds; past that, as exit.
 *
 * A module with the restart policy keeps its name while it is down.
 * From FINALIZING on (when the broker stops routing to a module that is
 * leaving) requests to it are held by the broker instead of failing
 * with ENOSYS; once it has exited they are held by a stand-in peer that
 * owns the name service.  The new instance gets them in order of
 * arrival, after its welcome.  If it is not started again (removed,
 * shutdown, limit reached, a clean exit) they are answered ENOSYS.
 * Requests still in the old instance's queue come back too: FINALIZING
 * is answered {"requeue": true} and libflux hands them back to the
 * broker instead of answering them ENOSYS (handed_back in module.c).  A
 * request the old instance was handling when it failed is its own to
 * answer (a Python handler that raises answers with the error).
 * Its dynamic services, subscriptions and the state other services hold
 * for it (disconnects are sent) go with the old instance; the new one
 * registers its own.
 *
 * Removal is a request to NAME.shutdown, which stops the module's
 * reactor.  A module that ignores it for broker.module-remove-timeout
 * seconds is interrupted through its loader, if the loader can (Python
 * raises an exception in the thread); one that ignores that too is
 * abandoned: it is muted, its thread detached, and nothing is routed to
 * it again.  Its memory, and a C module's code, stay mapped, since the
 * thread may still be running in them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "module.h"
#include "module_thread.h"
#include "module_loader.h"
#include "module_exec.h"
#include "router.h"
#include "service.h"
#include "attr.h"

/* Indexed by enum failure_policy; the names module.load and module.list
 * use.
 */
const char *policy_names[] = { "panic", "exit", "restart" };

int parse_policy (const char *s, enum failure_policy *policy)
{
    for (size_t i = 0; i < sizeof (policy_names) / sizeof (policy_names[0]);
         i++) {
        if (!strcmp (s, policy_names[i])) {
            *policy = i;
            return 0;
        }
    }
    return -1;
}

/* Keep a request for the module's next instance (consumes msg).  Events
 * are dropped, as they are for a muted module.
 */
void hold_msg (struct module *m, flux_msg_t *msg, bool handed_back)
{
    struct pending *p;
    int type;
    char text[300];

    if (flux_msg_get_type (msg, &type) < 0 || type != FLUX_MSGTYPE_REQUEST) {
        flux_msg_decref (msg);
        return;
    }
    /* A module that stays down must not grow the broker without bound:
     * it may hold as many as its channel may (broker.module-queue-max).
     */
    if ((size_t)m->held_count >= m->mm->ctx->limits.module_queue_max) {
        (void)snprintf (text, sizeof (text),
                        "module %s is %s and holds %d requests already",
                        m->name, m->reload ? "being reloaded" : "restarting",
                        m->held_count);
        answer_error (m->mm, msg, EAGAIN, text);
        return;
    }
    if (!(p = calloc (1, sizeof (*p)))) {
        answer_error (m->mm, msg, ENOMEM, NULL);
        return;
    }
    p->msg = msg;
    if (!m->held_tail)
        m->held_tail = &m->held;
    if (!m->handback_tail)
        m->handback_tail = &m->held;
    if (handed_back) {
        p->next = *m->handback_tail;
        *m->handback_tail = p;
        if (m->held_tail == m->handback_tail)
            m->held_tail = &p->next;
        m->handback_tail = &p->next;
    }
    else {
        *m->held_tail = p;
        m->held_tail = &p->next;
    }
    m->held_count++;
}

static void held_reset (struct module *m)
{
    m->held_tail = NULL;
    m->handback_tail = NULL;
    m->held_count = 0;
}

void deliver_held (struct module *m)
{
    m->holding = false;
    while (m->held) {
        struct pending *p = m->held;
        m->held = p->next;
        router_deliver (m->peer, p->msg);
        free (p);
    }
    held_reset (m);
}

/* The module is not coming back: answer what was held for it. */
void held_fail (struct module *m, const char *why)
{
    char text[300];

    (void)snprintf (text, sizeof (text), "module %s %s", m->name, why);
    while (m->held) {
        struct pending *p = m->held;
        m->held = p->next;
        answer_error (m->mm, p->msg, ENOSYS, text);
        free (p);
    }
    held_reset (m);
    m->holding = false;
}

/* peer_send_f of the stand-in that owns a restarting module's name. */
static int standin_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    (void)p;
    hold_msg (arg, msg, false);
    return 1; // held, not delivered (see peer_send_f)
}

double remove_timeout (struct modmgr *mm)
{
    const char *s = attrs_get (mm->ctx->attrs,
                               "broker.module-remove-timeout", NULL);
    char *end;
    double t;

    if (!s)
        return 5.;
    t = strtod (s, &end);
    if (end == s || t < 0)
        return 5.;
    return t;
}

/* A module that did not exit: interrupt it, then abandon it. */
static void remove_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    struct module *m = arg;
    struct modmgr *mm = m->mm;
    flux_t *h = mm->ctx->h;

    (void)r;
    (void)revents;
    /* A process is sent SIGTERM, then SIGKILL, a timeout apart. */
    if (m->exec) {
        if (module_exec_escalate (m->exec) == 0) {
            flux_timer_watcher_reset (w, remove_timeout (mm), 0.);
            flux_watcher_start (w);
            return;
        }
    }
    else if (!m->interrupted) {
        m->interrupted = true;
        if (module_loader_interrupt (&m->thd->entry, m->thread) == 0)
            flux_log (h, LOG_WARNING,
                      "module %s did not exit after shutdown: interrupted",
                      m->name);
        else
            flux_log (h, LOG_WARNING,
                      "module %s did not exit after shutdown: %s",
                      m->name,
                      errno == ENOSYS ? "its loader cannot interrupt it"
                                      : strerror (errno));
        flux_timer_watcher_reset (w, remove_timeout (mm), 0.);
        flux_watcher_start (w);
        return;
    }
    flux_log (h, LOG_ERR,
              "module %s did not exit after shutdown: abandoning its thread",
              m->name);
    router_peer_mute (m->peer);
    router_peer_remove (m->peer);
    if (m->thread_started)
        (void)pthread_detach (m->thread);
    held_fail (m, "was abandoned");
    pending_respond (h, &m->rmmod);
    module_unlink (m);
    module_destroy (m, true);
    if (mm->draining) {
        mm->failed = true;
        shutdown_next (mm);
    }
}

/* A module with no running instance (waiting to be restarted, its
 * restart or its reload failed) leaves for good.
 */
void module_gone (struct module *m, const char *why)
{
    struct modmgr *mm = m->mm;

    held_fail (m, why);
    router_peer_remove (m->standin);
    m->standin = NULL;
    pending_respond (mm->ctx->h, &m->rmmod);
    module_unlink (m);
    module_destroy (m, false);
    if (mm->draining)
        shutdown_next (mm);
}

/* A broker attribute as a number, or 'dflt' if unset or not a number
 * >= 'min'.
 */
static double attr_number (struct modmgr *mm, const char *name,
                           double dflt, double min)
{
    const char *s = attrs_get (mm->ctx->attrs, name, NULL);
    char *end;
    double v;

    if (!s)
        return dflt;
    v = strtod (s, &end);
    if (end == s || *end != '\0' || v < min)
        return dflt;
    return v;
}

/* The restart attributes' defaults: 5 restarts in 60 s, the first after
 * 0.1 s, each later one after twice the delay of the one before.
 */
#define RESTART_MAX_DEFAULT 5
#define RESTART_WINDOW_DEFAULT 60.
#define RESTART_DELAY_DEFAULT 0.1
#define RESTART_DELAY_CAP 60.

static void restart_cb (flux_reactor_t *r, flux_watcher_t *w,
                        int revents, void *arg)
{
    struct module *m = arg;
    struct modmgr *mm = m->mm;
    flux_t *h = mm->ctx->h;
    struct module_entry entry = { 0 };
    flux_error_t error = { .text = "" };

    (void)r;
    (void)w;
    (void)revents;
    if (m->unload_requested) {
        module_gone (m, "was removed while restarting");
        return;
    }
    if (mm->stopping || mm->draining) {
        module_gone (m, "was not restarted: the broker is shutting down");
        return;
    }
    /* The stand-in gives the name back to the new instance; requests
     * it held stay in m->held and go to that instance below.
     */
    router_peer_remove (m->standin);
    m->standin = NULL;
    /* With --exec, the module's code is opened in its new process. */
    if (!m->exec_mode && module_loader_open (m->path, &entry, &error) < 0) {
        flux_log (h, LOG_ERR, "module %s: restart: %s", m->name,
                  *error.text ? error.text : strerror (errno));
        goto gone;
    }
    if (instance_start (m, &entry, &error) < 0) {
        flux_log (h, LOG_ERR, "module %s: restart: %s", m->name,
                  *error.text ? error.text : strerror (errno));
        module_loader_close (&entry);
        goto gone;
    }
    m->restarts++;
    flux_log (h, LOG_INFO, "module %s restarted (%d restart%s since load)",
              m->name, m->restarts, m->restarts == 1 ? "" : "s");
    deliver_held (m);
    return;
gone:
    flux_log (h, LOG_CRIT, "%s module runtime failure: not restarted",
              m->name);
    module_gone (m, "could not be restarted");
}

/* After a runtime failure of a module with the restart policy: hand its
 * name to a stand-in that holds requests, and arm the restart timer.
 * Returns -1 if the module is not to be restarted (limit reached, or
 * out of resources): then it exits.  The instance is already gone.
 */
static int restart_schedule (struct module *m)
{
    struct modmgr *mm = m->mm;
    struct broker *ctx = mm->ctx;
    double now = flux_reactor_now (ctx->r);
    int max = (int)attr_number (mm, "broker.module-restart-max",
                                RESTART_MAX_DEFAULT, 0);
    double window = attr_number (mm, "broker.module-restart-window",
                                 RESTART_WINDOW_DEFAULT, 0);
    double delay = attr_number (mm, "broker.module-restart-delay",
                                RESTART_DELAY_DEFAULT, 0);
    struct flux_msg_cred owner = router_owner_cred ();
    char uuid_str[UUID_STR_LEN];
    uuid_t uuid;

    if (m->restarts_window == 0 || now - m->window_start > window) {
        m->window_start = now;
        m->restarts_window = 0;
    }
    if (m->restarts_window >= max) {
        flux_log (ctx->h, LOG_ERR,
                  "module %s failed %d time%s within %gs: not restarted",
                  m->name, m->restarts_window + 1,
                  m->restarts_window ? "s" : "", window);
        return -1;
    }
    for (int i = 0; i < m->restarts_window && delay < RESTART_DELAY_CAP; i++)
        delay *= 2;
    if (delay > RESTART_DELAY_CAP)
        delay = RESTART_DELAY_CAP;
    uuid_generate (uuid);
    uuid_unparse (uuid, uuid_str);
    if (!(m->standin = router_peer_add (ctx->router, uuid_str, PEER_MODULE,
                                        owner, standin_send, m))
        || services_add (ctx->services, m->name, m->standin) < 0)
        goto error;
    if (!m->restart_timer
        && !(m->restart_timer = flux_timer_watcher_create (ctx->r,
                                                           delay,
                                                           0.,
                                                           restart_cb,
                                                           m)))
        goto error;
    flux_timer_watcher_reset (m->restart_timer, delay, 0.);
    flux_watcher_start (m->restart_timer);
    m->restarts_window++;
    m->holding = true;
    flux_log (ctx->h, LOG_ERR,
              "module %s failed: restarting in %gs (restart %d of %d"
              " allowed within %gs)",
              m->name, delay, m->restarts_window, max, window);
    return 0;
error:
    flux_log_error (ctx->h, "module %s: cannot schedule a restart", m->name);
    router_peer_remove (m->standin);
    m->standin = NULL;
    return -1;
}

int module_remove (struct module *m, bool cancel)
{
    if (m->unload_requested)
        return 0;
    if (!m->thd) {
        /* Down, waiting to be restarted: no thread to stop.  It goes
         * from the restart timer, now, but not from this call: callers
         * (modmgr_shutdown) expect a module to leave later.
         */
        m->unload_requested = true;
        flux_timer_watcher_reset (m->restart_timer, 0., 0.);
        flux_watcher_start (m->restart_timer);
        return 0;
    }
    m->unload_requested = true;
    /* A reload waiting for the old instance to answer reload-prepare is
     * given up; one already past it ends with the module (reload_swap).
     */
    if (m->reload && !m->holding)
        reload_cancel (m, "was removed during reload");
    send_shutdown (m);
    return arm_remove_timer (m, cancel);
}

int arm_remove_timer (struct module *m, bool cancel)
{
    struct modmgr *mm = m->mm;

    if (!m->remove_timer
        && !(m->remove_timer = flux_timer_watcher_create (mm->ctx->r,
                                                          remove_timeout (mm),
                                                          0.,
                                                          remove_timer_cb,
                                                          m)))
        return -1;
    flux_timer_watcher_reset (m->remove_timer,
                              cancel ? 0. : remove_timeout (mm), 0.);
    flux_watcher_start (m->remove_timer);
    return 0;
}

void module_exited (struct module *m)
{
    struct modmgr *mm = m->mm;
    struct broker *ctx = mm->ctx;
    flux_t *h = ctx->h;
    const char *errstr = m->errstr ? m->errstr : strerror (m->errnum);
    bool failed = m->errnum != 0 && !m->unload_requested && !m->insmod;
    enum failure_policy policy = m->policy;
    char *name = NULL;

    flux_log (h, LOG_DEBUG, "module %s exited", m->name);
    if (m->errnum)
        flux_log (h, LOG_ERR, "%s: %s", m->name, errstr);
    /* A module process that died answers what it held as flux-core's
     * broker does; the router answers the rest of what a module leaves
     * with ENOSYS.
     */
    if (module_exec_died (m->exec))
        router_peer_fail_held (m->peer, EHOSTUNREACH, "module disconnect");
    router_peer_remove (m->peer);
    m->peer = NULL;
    if (m->insmod) {
        if (m->errnum) {
            if (flux_respond_error (h, m->insmod, m->errnum, errstr) < 0)
                flux_log_error (h, "error responding to module.load");
        }
        else if (flux_respond (h, m->insmod, NULL) < 0)
            flux_log_error (h, "error responding to module.load");
        flux_msg_decref (m->insmod);
        m->insmod = NULL;
    }
    pending_respond (h, &m->rmmod);
    if (m->thread_started) {
        int e = pthread_join (m->thread, NULL);
        if (e != 0)
            flux_log (h, LOG_ERR, "%s: pthread_join: %s", m->name,
                      strerror (e));
    }
    modmgr_trim_later (mm);
    free (m->errstr);
    m->errstr = NULL;
    if (reload_swap (m))
        return;
    if (failed && policy == POLICY_RESTART && !mm->stopping
        && !mm->draining) {
        instance_release (m, false);
        if (restart_schedule (m) == 0)
            return;
    }
    held_fail (m, failed ? "failed" : "has exited");
    if (failed)
        name = strdup (m->name);
    if (mm->draining && m->errnum != 0)
        mm->failed = true;
    module_unlink (m);
    module_destroy (m, false);
    if (failed) {
        if (policy == POLICY_PANIC) {
            flux_log (h, LOG_CRIT, "%s module runtime failure",
                      name ? name : "unknown");
            if (!attrs_get_bool (ctx->attrs, "broker.module-nopanic"))
                broker_panic (ctx, "module runtime failure");
        }
        else
            flux_log (h, LOG_CRIT, "%s module runtime failure: the module"
                      " exits, the broker goes on (on-failure=%s)",
                      name ? name : "unknown", policy_names[policy]);
        free (name);
    }
    if (mm->draining)
        shutdown_next (mm);
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
