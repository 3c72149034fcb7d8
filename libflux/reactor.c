/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The reactor is a thin, reference-counted wrapper around one libev loop.
 *
 * Each reactor owns its own loop (ev_loop_new), never the libev default
 * loop: the broker runs one reactor per module thread, and libev loops
 * may not be shared between threads.  The price is that libev lets only
 * one loop per process watch a given signal; watcher.c arbitrates that.
 *
 * Watchers hold a reference on their reactor, so a reactor outlives every
 * watcher created on it, whatever order the user destroys them in.
 *
 * Deferred calls (reactor_defer, for libflux's own use) run in the check
 * phase in the order they were queued, from one check watcher, with an
 * idle watcher so the loop does not block while any is queued.  Futures
 * schedule their continuations this way: with a check watcher each, two
 * results that arrived in order could run their continuations in the
 * reverse order, since libev invokes pending watchers last in, first out.
 *
 * flux_reactor_stop_error() breaks the loop and makes flux_reactor_run()
 * return -1.  The errno run returns with is the one current when
 * stop_error was called (the reason a callback gave up), or ECANCELED if
 * errno was 0 then: callers that have no reason to give (e.g. Python
 * trampolines) set errno to 0 first.
 */
#include <errno.h>
#include <stdlib.h>

#include "reactor_private.h"
#include "reactor_defer.h"

struct flux_reactor {
    struct ev_loop *loop;
    int refcount;
    int errnum; /* 0, or the errno given by stop_error */
    bool stopping; /* stop was called in this run (reactor_stopping) */
    struct reactor_deferred *defer_head;
    struct reactor_deferred *defer_tail;
    unsigned long defer_seq;
    ev_check defer_check;
    ev_idle defer_idle;
};

static void defer_stop_if_empty (flux_reactor_t *r)
{
    if (!r->defer_head) {
        ev_check_stop (r->loop, &r->defer_check);
        ev_idle_stop (r->loop, &r->defer_idle);
    }
}

/* Run the calls queued before this pass, in order; calls they queue wait
 * for the next iteration.  A call may queue or cancel others, or free
 * its own node: nothing here touches a node after calling it.
 */
static void defer_check_cb (struct ev_loop *loop, ev_check *w, int revents)
{
    flux_reactor_t *r = w->data;
    unsigned long last = r->defer_seq;
    struct reactor_deferred *d;

    (void)loop;
    (void)revents;
    while ((d = r->defer_head) && d->seq <= last) {
        if (!(r->defer_head = d->next))
            r->defer_tail = NULL;
        d->next = NULL;
        d->queued = false;
        d->fn (d->arg);
    }
    defer_stop_if_empty (r);
}

static void defer_idle_cb (struct ev_loop *loop, ev_idle *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
}

void reactor_defer (flux_reactor_t *r, struct reactor_deferred *d)
{
    if (!r || !d || d->queued)
        return;
    d->queued = true;
    d->seq = ++r->defer_seq;
    d->next = NULL;
    if (r->defer_tail)
        r->defer_tail->next = d;
    else
        r->defer_head = d;
    r->defer_tail = d;
    ev_check_start (r->loop, &r->defer_check);
    ev_idle_start (r->loop, &r->defer_idle);
}

void reactor_defer_cancel (flux_reactor_t *r, struct reactor_deferred *d)
{
    struct reactor_deferred **pp;

    if (!r || !d || !d->queued)
        return;
    r->defer_tail = NULL;
    for (pp = &r->defer_head; *pp; ) {
        if (*pp == d) {
            *pp = d->next;
            d->next = NULL;
            d->queued = false;
        }
        else {
            r->defer_tail = *pp;
            pp = &(*pp)->next;
        }
    }
    defer_stop_if_empty (r);
}

static flux_reactor_t *reactor_new (unsigned int evflags)
{
    flux_reactor_t *r;

    if (!(r = calloc (1, sizeof (*r))))
        return NULL;
    r->refcount = 1;
    /* N.B. EVFLAG_NOENV: $LIBEV_FLAGS must not change how the broker
     * behaves.
     */
    if (!(r->loop = ev_loop_new (evflags | EVFLAG_NOENV))) {
        free (r);
        errno = ENOMEM;
        return NULL;
    }
    ev_check_init (&r->defer_check, defer_check_cb);
    r->defer_check.data = r;
    ev_idle_init (&r->defer_idle, defer_idle_cb);
    r->defer_idle.data = r;
    return r;
}

flux_reactor_t *flux_reactor_create (int flags)
{
    if ((flags & ~FLUX_REACTOR_NOFD)) {
        errno = EINVAL;
        return NULL;
    }
    if ((flags & FLUX_REACTOR_NOFD))
        return reactor_create_nofd ();
    return reactor_new (EVFLAG_AUTO);
}

/* poll(2) keeps its set in memory: the loop opens no descriptor (epoll
 * would open one per loop, for as long as the loop lives).
 */
flux_reactor_t *reactor_create_nofd (void)
{
    return reactor_new (EVBACKEND_POLL);
}

void flux_reactor_incref (flux_reactor_t *r)
{
    if (r)
        r->refcount++;
}

void flux_reactor_decref (flux_reactor_t *r)
{
    if (r && --r->refcount == 0) {
        int saved_errno = errno;
        /* Nodes belong to their owners: just take them off the queue. */
        while (r->defer_head) {
            struct reactor_deferred *d = r->defer_head;
            r->defer_head = d->next;
            d->next = NULL;
            d->queued = false;
        }
        r->defer_tail = NULL;
        defer_stop_if_empty (r);
        ev_loop_destroy (r->loop);
        free (r);
        errno = saved_errno;
    }
}

void flux_reactor_destroy (flux_reactor_t *r)
{
    flux_reactor_decref (r);
}

struct ev_loop *reactor_get_loop (flux_reactor_t *r)
{
    return r ? r->loop : NULL;
}

int flux_reactor_run (flux_reactor_t *r, int flags)
{
    int ev_flags = 0;
    int count;

    if (!r || (flags & ~(FLUX_REACTOR_NOWAIT | FLUX_REACTOR_ONCE))) {
        errno = EINVAL;
        return -1;
    }
    if (flags & FLUX_REACTOR_NOWAIT)
        ev_flags |= EVRUN_NOWAIT;
    if (flags & FLUX_REACTOR_ONCE)
        ev_flags |= EVRUN_ONCE;
    r->errnum = 0;
    r->stopping = false;
    count = ev_run (r->loop, ev_flags);
    r->stopping = false;
    if (r->errnum) {
        errno = r->errnum;
        r->errnum = 0;
        return -1;
    }
    return count;
}

bool reactor_stopping (flux_reactor_t *r)
{
    return r && r->stopping;
}

void flux_reactor_stop (flux_reactor_t *r)
{
    if (r) {
        r->stopping = true;
        ev_break (r->loop, EVBREAK_ALL);
    }
}

void flux_reactor_stop_error (flux_reactor_t *r)
{
    if (r) {
        r->errnum = errno ? errno : ECANCELED;
        r->stopping = true;
        ev_break (r->loop, EVBREAK_ALL);
    }
}

double flux_reactor_now (flux_reactor_t *r)
{
    return r ? ev_now (r->loop) : 0.;
}

void flux_reactor_now_update (flux_reactor_t *r)
{
    if (r)
        ev_now_update (r->loop);
}

double flux_reactor_time (void)
{
    return ev_time ();
}

void flux_reactor_active_incref (flux_reactor_t *r)
{
    if (r)
        ev_ref (r->loop);
}

void flux_reactor_active_decref (flux_reactor_t *r)
{
    if (r)
        ev_unref (r->loop);
}
