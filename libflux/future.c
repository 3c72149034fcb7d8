/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Futures.
 *
 * A future is a queue of results, each a value or an error, plus the
 * means to wait for the head of that queue in one of two contexts:
 *
 *  - The "then" context is the main reactor and handle (the ones given
 *    with flux_future_set_flux or flux_future_set_reactor).  When the
 *    queue is not empty, the continuation is queued on the reactor
 *    (reactor_defer: run in the check phase, in the order queued, the
 *    loop not blocking meanwhile), so continuations run in the order
 *    their results arrived, and never from inside flux_future_fulfill: a producer
 *    may fulfil from anywhere, including from the continuation itself,
 *    without re-entering user code.  While a continuation waits for a
 *    result, the main reactor is held alive with active_incref, because
 *    what will produce that result (e.g. an RPC's response handler) may
 *    not count as an active watcher.
 *
 *  - The "now" context is created on the first flux_future_wait_for
 *    that has to wait: a private reactor (one that holds no file
 *    descriptor: a process may keep thousands of finished futures, see
 *    reactor_create_nofd) and, if the future has a handle,
 *    a clone of it that shares the connector.  Only the watchers of this
 *    future run while it waits, so a synchronous call never runs
 *    unrelated handlers behind the caller's back; messages the clone
 *    reads and does not consume are handed back to the main handle, in
 *    order, when the clone is destroyed along with the future.
 *
 * The init callback is what makes a result arrive in a context (for an
 * RPC, a response handler on that context's handle).  It is called once
 * per context, when the context is first used, and finds the context
 * with flux_future_get_flux / flux_future_get_reactor.
 *
 * A producer may also wait by itself (future_set_wait, in
 * future_private.h): a wait without a timeout then calls it instead of
 * making the "now" context, which for the most common future, an RPC
 * waited for once, is most of what the future costs (a reactor, a
 * clone, a message handler and a timer, made and destroyed for one
 * message).  It may decline, and the context is made as usual.
 *
 * flux_future_reset drops the head result, which is how a stream of
 * results (a streaming RPC) is consumed one at a time.
 *
 * The future takes a reference on its handle and reactor, so they stay
 * valid for the producer until the future is destroyed.  Aux items are
 * destroyed first, newest first, so that an item set by the init callback
 * (a message handler on the clone) goes before the clone and before the
 * items set when the future was made.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flux/future.h"
#include "flux/handle.h"
#include "flux/reactor.h"
#include "flux/watcher.h"
#include "reactor_defer.h"
#include "future_private.h"
#include "aux.h"

struct result {
    struct result *next;
    void *value;
    flux_free_f free_fn;
    int errnum;          /* 0: a value, else an error */
    char *errstr;        /* may be NULL */
};

struct now_context {
    flux_reactor_t *r;
    flux_t *h;           /* clone of the future's handle, or NULL */
    flux_watcher_t *timer;
    bool init_called;
    bool running;
    bool timed_out;
};

struct then_context {
    flux_reactor_t *r;
    flux_t *h;
    flux_future_t *f;
    struct reactor_deferred run; /* the continuation, queued on r */
    flux_watcher_t *timer;
    double timeout;
    flux_continuation_f cb;
    void *arg;
    bool init_called;
    bool holding_reactor; /* active_incref taken on r */
};

struct flux_future {
    int refcount;
    flux_t *h;
    flux_reactor_t *r;
    flux_future_init_f init;
    void *init_arg;
    struct result *head;
    struct result *tail;
    struct aux_item *aux; /* newest first */
    struct now_context *now;
    struct then_context *then;
    future_wait_f wait;
    void *wait_arg;
};

static void result_destroy (struct result *res)
{
    if (res) {
        int saved_errno = errno;
        if (res->free_fn)
            res->free_fn (res->value);
        free (res->errstr);
        free (res);
        errno = saved_errno;
    }
}

static bool is_ready (flux_future_t *f)
{
    return f->head != NULL;
}

/* Keep the main reactor alive exactly while a continuation waits. */
static void then_update_hold (flux_future_t *f)
{
    struct then_context *then = f->then;
    bool want;

    if (!then)
        return;
    want = then->cb != NULL && !is_ready (f);
    if (want && !then->holding_reactor) {
        flux_reactor_active_incref (then->r);
        then->holding_reactor = true;
    }
    else if (!want && then->holding_reactor) {
        flux_reactor_active_decref (then->r);
        then->holding_reactor = false;
    }
}

static void then_arm_timer (flux_future_t *f)
{
    struct then_context *then = f->then;

    if (then && then->timer) {
        flux_watcher_stop (then->timer);
        if (!is_ready (f)) {
            flux_timer_watcher_reset (then->timer, then->timeout, 0.);
            flux_watcher_start (then->timer);
        }
    }
}

static void then_run (void *arg);

/* Queue the continuation once (see the comment at the top). */
static void then_schedule (flux_future_t *f)
{
    reactor_defer (f->then->r, &f->then->run);
}

/* After the queue becomes non-empty: wake whichever context waits. */
static void post_fulfill (flux_future_t *f)
{
    if (f->now) {
        flux_watcher_stop (f->now->timer);
        if (f->now->running)
            flux_reactor_stop (f->now->r);
    }
    if (f->then) {
        if (f->then->timer)
            flux_watcher_stop (f->then->timer);
        if (f->then->cb)
            then_schedule (f);
        then_update_hold (f);
    }
}

static void enqueue (flux_future_t *f, struct result *res)
{
    if (f->tail)
        f->tail->next = res;
    else
        f->head = res;
    f->tail = res;
    post_fulfill (f);
}

void future_set_wait (flux_future_t *f, future_wait_f fn, void *arg)
{
    if (f) {
        f->wait = fn;
        f->wait_arg = arg;
    }
}

flux_future_t *flux_future_create (flux_future_init_f cb, void *arg)
{
    flux_future_t *f;

    if (!(f = calloc (1, sizeof (*f))))
        return NULL;
    f->refcount = 1;
    f->init = cb;
    f->init_arg = arg;
    return f;
}

static void now_context_destroy (struct now_context *now)
{
    if (now) {
        flux_watcher_destroy (now->timer);
        flux_close (now->h);
        flux_reactor_destroy (now->r);
        free (now);
    }
}

static void then_context_destroy (struct then_context *then)
{
    if (then) {
        if (then->holding_reactor)
            flux_reactor_active_decref (then->r);
        reactor_defer_cancel (then->r, &then->run);
        flux_watcher_destroy (then->timer);
        flux_reactor_decref (then->r);
        free (then);
    }
}

void flux_future_destroy (flux_future_t *f)
{
    if (f && --f->refcount == 0) {
        int saved_errno = errno;
        struct result *res;

        aux_destroy (&f->aux);
        while ((res = f->head)) {
            f->head = res->next;
            result_destroy (res);
        }
        now_context_destroy (f->now);
        then_context_destroy (f->then);
        flux_reactor_decref (f->r);
        flux_decref (f->h);
        free (f);
        errno = saved_errno;
    }
}

void flux_future_incref (flux_future_t *f)
{
    if (f)
        f->refcount++;
}

void flux_future_decref (flux_future_t *f)
{
    flux_future_destroy (f);
}

void flux_future_set_flux (flux_future_t *f, flux_t *h)
{
    flux_reactor_t *r;

    if (!f || !h || f->h == h)
        return;
    if (!(r = flux_get_reactor (h)))
        return;
    flux_incref (h);
    flux_decref (f->h);
    f->h = h;
    flux_future_set_reactor (f, r);
}

flux_t *flux_future_get_flux (flux_future_t *f)
{
    if (!f) {
        errno = EINVAL;
        return NULL;
    }
    if (f->now && f->now->running)
        return f->now->h;
    return f->h;
}

void flux_future_set_reactor (flux_future_t *f, flux_reactor_t *r)
{
    if (!f || !r || f->r == r)
        return;
    flux_reactor_incref (r);
    flux_reactor_decref (f->r);
    f->r = r;
}

flux_reactor_t *flux_future_get_reactor (flux_future_t *f)
{
    if (!f) {
        errno = EINVAL;
        return NULL;
    }
    if (f->now && f->now->running)
        return f->now->r;
    return f->r;
}

/* "then" context */

/* The queued continuation (see reactor_defer).  Its arg is the
 * then_context, which is cancelled from the queue if destroyed first.
 */
static void then_run (void *arg)
{
    struct then_context *then = arg;
    flux_future_t *f = then->f;

    /* N.B. the result may have been consumed synchronously since it was
     * fulfilled (wait_for + reset); then there is nothing to report.
     * The continuation may destroy f: touch nothing after it.
     */
    if (is_ready (f))
        then->cb (f, then->arg);
}

static void then_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                           int revents, void *arg)
{
    flux_future_t *f = arg;
    (void)r;
    (void)w;
    (void)revents;

    if (!is_ready (f))
        flux_future_fulfill_error (f, ETIMEDOUT, NULL);
}

static struct then_context *then_context_create (flux_future_t *f)
{
    struct then_context *then;

    if (!(then = calloc (1, sizeof (*then))))
        return NULL;
    then->f = f;
    then->run.fn = then_run;
    then->run.arg = then;
    then->r = f->r;
    flux_reactor_incref (then->r);
    then->h = f->h;
    return then;
}

int flux_future_then (flux_future_t *f, double timeout,
                      flux_continuation_f cb, void *arg)
{
    if (!f || !cb) {
        errno = EINVAL;
        return -1;
    }
    if (!f->r) {
        errno = EINVAL;
        return -1;
    }
    if (f->then && f->then->cb) {
        errno = EEXIST;
        return -1;
    }
    if (!f->then && !(f->then = then_context_create (f)))
        return -1;
    if (timeout >= 0.) {
        if (!f->then->timer
            && !(f->then->timer = flux_timer_watcher_create (f->then->r,
                                                             timeout,
                                                             0.,
                                                             then_timer_cb,
                                                             f)))
            return -1;
        f->then->timeout = timeout;
    }
    f->then->cb = cb;
    f->then->arg = arg;
    if (!f->then->init_called) {
        f->then->init_called = true;
        if (f->init)
            f->init (f, f->init_arg);
    }
    if (is_ready (f))
        then_schedule (f);
    else
        then_arm_timer (f);
    then_update_hold (f);
    return 0;
}

/* "now" context */

static void now_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                          int revents, void *arg)
{
    flux_future_t *f = arg;
    (void)w;
    (void)revents;

    f->now->timed_out = true;
    flux_reactor_stop (r);
}

static struct now_context *now_context_create (flux_future_t *f)
{
    struct now_context *now;

    if (!(now = calloc (1, sizeof (*now))))
        return NULL;
    if (!(now->r = reactor_create_nofd ()))
        goto error;
    if (!(now->timer = flux_timer_watcher_create (now->r,
                                                  0.,
                                                  0.,
                                                  now_timer_cb,
                                                  f)))
        goto error;
    if (f->h) {
        if (!(now->h = flux_clone (f->h)))
            goto error;
        if (flux_set_reactor (now->h, now->r) < 0)
            goto error;
    }
    return now;
error:
    now_context_destroy (now);
    return NULL;
}

int flux_future_wait_for (flux_future_t *f, double timeout)
{
    struct now_context *now;
    int rc;

    if (!f) {
        errno = EINVAL;
        return -1;
    }
    if (is_ready (f))
        return 0;
    if (f->now && f->now->running) {
        errno = EDEADLK;
        return -1;
    }
    /* N.B. Only before any "now" context exists: once made, its init
     * callback has run and the producer delivers through it.
     */
    if (timeout < 0. && f->wait && !f->now) {
        if ((rc = f->wait (f, f->wait_arg)) < 0)
            return -1;
        if (rc == 0) {
            if (!is_ready (f)) { // the result was lost (ENOMEM)
                errno = ENOMEM;
                return -1;
            }
            return 0;
        }
    }
    if (!f->now && !(f->now = now_context_create (f)))
        return -1;
    now = f->now;
    now->timed_out = false;
    if (timeout >= 0.) {
        flux_timer_watcher_reset (now->timer, timeout, 0.);
        flux_watcher_start (now->timer);
    }
    now->running = true;
    if (!now->init_called) {
        now->init_called = true;
        if (f->init)
            f->init (f, f->init_arg);
    }
    /* N.B. the producer's watchers might not count as active (e.g. a
     * message handler whose dispatcher watcher is unref'd), so hold the
     * loop while a producer exists.  Without an init callback nothing can
     * fulfil the future in this context: let the loop run dry instead of
     * waiting forever.
     */
    if (f->init)
        flux_reactor_active_incref (now->r);
    rc = 0;
    if (!is_ready (f))
        rc = flux_reactor_run (now->r, 0);
    if (f->init)
        flux_reactor_active_decref (now->r);
    now->running = false;
    flux_watcher_stop (now->timer);
    if (rc < 0)
        return -1;
    if (!is_ready (f)) {
        errno = ETIMEDOUT;
        return -1;
    }
    return 0;
}

bool flux_future_is_ready (flux_future_t *f)
{
    return f && is_ready (f);
}

void flux_future_reset (flux_future_t *f)
{
    struct result *res;

    if (!f || !(res = f->head))
        return;
    if (!(f->head = res->next))
        f->tail = NULL;
    result_destroy (res);
    if (f->then && f->then->cb) {
        if (is_ready (f))
            then_schedule (f);
        else
            then_arm_timer (f);
        then_update_hold (f);
    }
}

int flux_future_get (flux_future_t *f, const void **result)
{
    if (!f) {
        errno = EINVAL;
        return -1;
    }
    if (flux_future_wait_for (f, -1.) < 0)
        return -1;
    if (f->head->errnum) {
        errno = f->head->errnum;
        return -1;
    }
    if (result)
        *result = f->head->value;
    return 0;
}

void flux_future_fulfill (flux_future_t *f, void *result, flux_free_f free_fn)
{
    struct result *res;

    if (!f)
        return;
    if (!(res = calloc (1, sizeof (*res)))) {
        /* N.B. the waiter must still wake up, so report the lost result
         * as an error rather than not at all.
         */
        if (free_fn)
            free_fn (result);
        flux_future_fulfill_error (f, ENOMEM, NULL);
        return;
    }
    res->value = result;
    res->free_fn = free_fn;
    enqueue (f, res);
}

void flux_future_fulfill_error (flux_future_t *f, int errnum,
                                const char *errstr)
{
    struct result *res;

    if (!f)
        return;
    if (errnum == 0)
        errnum = EINVAL;
    /* A result that cannot be allocated is dropped; nothing better can be
     * done without memory.
     */
    if (!(res = calloc (1, sizeof (*res))))
        return;
    res->errnum = errnum;
    if (errstr)
        res->errstr = strdup (errstr);
    enqueue (f, res);
}

const char *flux_future_error_string (flux_future_t *f)
{
    if (!f || !f->head || f->head->errnum == 0)
        return NULL;
    if (f->head->errstr)
        return f->head->errstr;
    return strerror (f->head->errnum);
}

int flux_future_aux_set (flux_future_t *f, const char *name,
                         void *aux, flux_free_f destroy)
{
    /* An anonymous item is kept only to be destroyed with the future
     * (how the composite and RPC code tie watchers to it): without a
     * destructor it would be a no-op, so it is refused, as flux-core does.
     */
    if (!f || (!name && !destroy)) {
        errno = EINVAL;
        return -1;
    }
    return aux_set (&f->aux, name, aux, destroy);
}

void *flux_future_aux_get (flux_future_t *f, const char *name)
{
    if (!f) {
        errno = EINVAL;
        return NULL;
    }
    return aux_get (f->aux, name);
}

/* vi: ts=4 sw=4 expandtab
 */
