/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Watchers: one generic object (reactor reference, callback, ref state)
 * with the libev watcher of each kind as trailing implementation data,
 * reached through a small ops table.
 *
 * Reference accounting.  A libev loop runs while its active count is
 * non-zero; ev_start/ev_stop add and remove one.  An unref'd watcher
 * takes its one back with ev_unref after every start and returns it with
 * ev_ref before every stop, so the count stays balanced whatever order
 * the user calls start/stop/ref/unref in.  The one case where libev
 * stops a watcher by itself, a one-shot timer expiring, is balanced in
 * the timer callback.
 *
 * Handle watcher.  flux_pollfd() is edge-triggered (readable when the
 * handle's pollevents may have changed) and messages may already sit in
 * the handle's queue when the loop is about to block, so waiting on the
 * fd alone could sleep with work pending.  As in flux-core, a prepare
 * watcher asks for the levels before the loop blocks: if the wanted
 * events are pending it starts an idle watcher (the loop then polls with
 * no timeout) and a check watcher, which after the loop wakes stops both
 * and calls the user.  An io watcher on the fd stays started as long as
 * the handle watcher is (flux-core starts it only when there is no
 * work): stopping and restarting it costs libev an epoll_ctl each time
 * it comes back (an ADD that fails with EEXIST), which was about one
 * syscall per message in the broker.  When it fires, its callback
 * consumes the edge, reads the levels and calls the user.  So an idle
 * handle costs one prepare callback per turn of the loop, which reads
 * the levels without a syscall or a lock (handle_pollevents_levels).
 * Levels are always read after the edge is consumed, so no change is
 * missed, and an edge left unconsumed costs at most one early wakeup.
 *
 * The fd: for an interthread handle, the eventfd of the channel itself
 * (handle_wakeup_fd), watched level-triggered and read down to zero to
 * consume it, which turns it into an edge; the handle's own pollfd, a
 * nested epoll of that eventfd and of the queue's, is then never made,
 * unless someone asks flux_pollfd() (a module thread had 3 descriptors
 * for this, now 1).  Requeued messages need no fd of their own: they
 * are put back by the thread that runs the loop, and the prepare sees
 * them; the same goes for a message pushed onto the channel by that
 * thread (the broker's own handle and the router's end of it), whose
 * push writes no fd once the prepare has said which thread reads
 * (msg_deque_reader_here).  For other handles, flux_pollfd(), consumed with
 * flux_pollevents() (an epoll_wait).
 * The four sub-watchers are unref'd; the composite holds one reference
 * of its own while started, so it counts as one active watcher.
 *
 * Signals.  libev lets a signal be watched by one loop per process at a
 * time and asserts otherwise.  A signal watcher claims its signal for its
 * reactor from create to destroy; creating one on another reactor fails
 * with EBUSY instead of aborting the process.
 *
 * A callback may stop, start or destroy any watcher, its own included:
 * nothing here touches a watcher after calling its callback, and stop
 * (hence destroy) cancels a callback already pending in the iteration.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdalign.h>
#include <stdlib.h>

#include "flux/handle.h"
#include "reactor_private.h"
#include "handle_private.h"

struct flux_watcher {
    flux_reactor_t *r;
    const struct watcher_ops *ops;
    flux_watcher_f fn;
    void *arg;
    bool unreferenced;
    alignas (max_align_t) unsigned char data[];
};

flux_watcher_t *watcher_create (flux_reactor_t *r,
                                size_t datasize,
                                const struct watcher_ops *ops,
                                flux_watcher_f cb,
                                void *arg)
{
    flux_watcher_t *w;

    if (!r || !ops) {
        errno = EINVAL;
        return NULL;
    }
    if (!(w = calloc (1, sizeof (*w) + datasize)))
        return NULL;
    w->r = r;
    w->ops = ops;
    w->fn = cb;
    w->arg = arg;
    flux_reactor_incref (r);
    return w;
}

void *watcher_get_data (flux_watcher_t *w)
{
    return w ? w->data : NULL;
}

void watcher_call (flux_watcher_t *w, int revents)
{
    if (w->fn)
        w->fn (w->r, w, revents, w->arg);
}

bool flux_watcher_is_active (flux_watcher_t *w)
{
    return w ? w->ops->is_active (w) : false;
}

void flux_watcher_start (flux_watcher_t *w)
{
    if (!w || w->ops->is_active (w))
        return;
    w->ops->start (w);
    if (w->unreferenced && w->ops->is_active (w))
        ev_unref (reactor_get_loop (w->r));
}

/* N.B. ops->stop runs even on an inactive watcher: an expired one-shot
 * timer is inactive but its callback may still be pending in this loop
 * iteration, and libev's stop functions cancel that.
 */
void flux_watcher_stop (flux_watcher_t *w)
{
    if (!w)
        return;
    if (w->unreferenced && w->ops->is_active (w))
        ev_ref (reactor_get_loop (w->r));
    w->ops->stop (w);
}

void flux_watcher_ref (flux_watcher_t *w)
{
    if (!w || !w->unreferenced)
        return;
    w->unreferenced = false;
    if (w->ops->is_active (w))
        ev_ref (reactor_get_loop (w->r));
}

void flux_watcher_unref (flux_watcher_t *w)
{
    if (!w || w->unreferenced)
        return;
    w->unreferenced = true;
    if (w->ops->is_active (w))
        ev_unref (reactor_get_loop (w->r));
}

void flux_watcher_destroy (flux_watcher_t *w)
{
    if (w) {
        int saved_errno = errno;
        flux_watcher_stop (w);
        if (w->ops->destroy)
            w->ops->destroy (w);
        flux_reactor_decref (w->r);
        free (w);
        errno = saved_errno;
    }
}

flux_reactor_t *flux_watcher_get_reactor (flux_watcher_t *w)
{
    if (!w) {
        errno = EINVAL;
        return NULL;
    }
    return w->r;
}

/* Wrap a libev call that may start or stop an unref'd watcher by itself
 * (ev_timer_again): give back its reference first, take it again after.
 */
static void unref_guard_begin (flux_watcher_t *w)
{
    if (w->unreferenced && w->ops->is_active (w))
        ev_ref (reactor_get_loop (w->r));
}

static void unref_guard_end (flux_watcher_t *w)
{
    if (w->unreferenced && w->ops->is_active (w))
        ev_unref (reactor_get_loop (w->r));
}

/* fd watcher */

static int events_to_libev (int events)
{
    int e = 0;
    if (events & FLUX_POLLIN)
        e |= EV_READ;
    if (events & FLUX_POLLOUT)
        e |= EV_WRITE;
    return e;
}

static int libev_to_events (int revents)
{
    int e = 0;
    if (revents & EV_READ)
        e |= FLUX_POLLIN;
    if (revents & EV_WRITE)
        e |= FLUX_POLLOUT;
    if (revents & EV_ERROR)
        e |= FLUX_POLLERR;
    return e;
}

static void fd_start (flux_watcher_t *w)
{
    ev_io_start (reactor_get_loop (w->r), watcher_get_data (w));
}

static void fd_stop (flux_watcher_t *w)
{
    ev_io_stop (reactor_get_loop (w->r), watcher_get_data (w));
}

static bool fd_is_active (flux_watcher_t *w)
{
    return ev_is_active ((ev_io *)watcher_get_data (w));
}

static const struct watcher_ops fd_ops = {
    .start = fd_start,
    .stop = fd_stop,
    .is_active = fd_is_active,
};

static void fd_cb (struct ev_loop *loop, ev_io *io, int revents)
{
    (void)loop;
    watcher_call (io->data, libev_to_events (revents));
}

flux_watcher_t *flux_fd_watcher_create (flux_reactor_t *r,
                                        int fd,
                                        int events,
                                        flux_watcher_f cb,
                                        void *arg)
{
    flux_watcher_t *w;
    ev_io *io;

    if (fd < 0 || (events & ~(FLUX_POLLIN | FLUX_POLLOUT | FLUX_POLLERR))) {
        errno = EINVAL;
        return NULL;
    }
    if (!(w = watcher_create (r, sizeof (*io), &fd_ops, cb, arg)))
        return NULL;
    io = watcher_get_data (w);
    ev_io_init (io, fd_cb, fd, events_to_libev (events));
    io->data = w;
    return w;
}

int flux_fd_watcher_get_fd (flux_watcher_t *w)
{
    if (!w || w->ops != &fd_ops) {
        errno = EINVAL;
        return -1;
    }
    return ((ev_io *)watcher_get_data (w))->fd;
}

/* timer watcher */

static void timer_start (flux_watcher_t *w)
{
    ev_timer_start (reactor_get_loop (w->r), watcher_get_data (w));
}

static void timer_stop (flux_watcher_t *w)
{
    ev_timer_stop (reactor_get_loop (w->r), watcher_get_data (w));
}

static bool timer_is_active (flux_watcher_t *w)
{
    return ev_is_active ((ev_timer *)watcher_get_data (w));
}

static const struct watcher_ops timer_ops = {
    .start = timer_start,
    .stop = timer_stop,
    .is_active = timer_is_active,
};

static void timer_cb (struct ev_loop *loop, ev_timer *t, int revents)
{
    flux_watcher_t *w = t->data;

    (void)revents;
    /* N.B. libev stopped an expired one-shot timer itself, dropping the
     * loop reference an unref'd watcher had already given back.
     */
    if (w->unreferenced && !ev_is_active (t))
        ev_ref (loop);
    watcher_call (w, 0);
}

static bool timer_args_valid (double after, double repeat)
{
    return isfinite (after) && after >= 0. && isfinite (repeat) && repeat >= 0.;
}

flux_watcher_t *flux_timer_watcher_create (flux_reactor_t *r,
                                           double after,
                                           double repeat,
                                           flux_watcher_f cb,
                                           void *arg)
{
    flux_watcher_t *w;
    ev_timer *t;

    if (!timer_args_valid (after, repeat)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(w = watcher_create (r, sizeof (*t), &timer_ops, cb, arg)))
        return NULL;
    t = watcher_get_data (w);
    ev_timer_init (t, timer_cb, after, repeat);
    t->data = w;
    return w;
}

/* Unlike flux-core (where resetting an active timer is undefined), an
 * active timer is re-armed with the new values and stays active.
 * Invalid values are ignored (errno EINVAL).
 */
void flux_timer_watcher_reset (flux_watcher_t *w, double after, double repeat)
{
    bool active;

    if (!w || w->ops != &timer_ops || !timer_args_valid (after, repeat)) {
        errno = EINVAL;
        return;
    }
    active = flux_watcher_is_active (w);
    flux_watcher_stop (w); /* N.B. also drops a pending expiry */
    ev_timer_set ((ev_timer *)watcher_get_data (w), after, repeat);
    if (active)
        flux_watcher_start (w);
}

/* ev_timer_again: restart a repeating timer 'repeat' seconds from now,
 * or stop it if repeat is 0.
 */
void flux_timer_watcher_again (flux_watcher_t *w)
{
    if (!w || w->ops != &timer_ops) {
        errno = EINVAL;
        return;
    }
    unref_guard_begin (w);
    ev_timer_again (reactor_get_loop (w->r), watcher_get_data (w));
    unref_guard_end (w);
}

/* periodic watcher: ev_periodic, at wall-clock times.  A reschedule
 * callback that returns a time in the past stops the watcher; libev
 * forbids touching the loop from inside that callback, so the stop is
 * done by a prepare watcher of its own, before the loop next blocks.
 */

struct periodic {
    ev_periodic evw;
    ev_prepare stopper;
    flux_reschedule_f reschedule_cb;
    double interval;
};

static void periodic_start (flux_watcher_t *w)
{
    struct periodic *p = watcher_get_data (w);
    ev_periodic_start (reactor_get_loop (w->r), &p->evw);
}

static void periodic_stop (flux_watcher_t *w)
{
    struct periodic *p = watcher_get_data (w);
    struct ev_loop *loop = reactor_get_loop (w->r);

    ev_periodic_stop (loop, &p->evw);
    ev_prepare_stop (loop, &p->stopper);
}

static bool periodic_is_active (flux_watcher_t *w)
{
    struct periodic *p = watcher_get_data (w);
    return ev_is_active (&p->evw);
}

static const struct watcher_ops periodic_ops = {
    .start = periodic_start,
    .stop = periodic_stop,
    .is_active = periodic_is_active,
};

static void periodic_cb (struct ev_loop *loop, ev_periodic *pw, int revents)
{
    flux_watcher_t *w = pw->data;

    (void)revents;
    /* N.B. with no interval and no reschedule callback libev stops the
     * watcher after it fires, as it does an expired one-shot timer.
     */
    if (w->unreferenced && !ev_is_active (pw))
        ev_ref (loop);
    watcher_call (w, 0);
}

static void periodic_stopper_cb (struct ev_loop *loop, ev_prepare *pw,
                                 int revents)
{
    flux_watcher_t *w = pw->data;

    (void)revents;
    ev_prepare_stop (loop, pw);
    flux_watcher_stop (w);
}

static ev_tstamp periodic_reschedule_cb (ev_periodic *pw, ev_tstamp now)
{
    flux_watcher_t *w = pw->data;
    struct periodic *p = watcher_get_data (w);
    double next;

    next = p->reschedule_cb (w, (double)now, w->arg);
    if (next < now) {
        ev_prepare_start (reactor_get_loop (w->r), &p->stopper);
        return now + 1e30;
    }
    return next;
}

static void periodic_set (struct periodic *p, double offset, double interval,
                          flux_reschedule_f reschedule_cb)
{
    p->interval = interval;
    p->reschedule_cb = reschedule_cb;
    ev_periodic_set (&p->evw,
                     offset,
                     interval,
                     reschedule_cb ? periodic_reschedule_cb : NULL);
}

flux_watcher_t *flux_periodic_watcher_create (flux_reactor_t *r,
                                              double offset,
                                              double interval,
                                              flux_reschedule_f reschedule_cb,
                                              flux_watcher_f cb,
                                              void *arg)
{
    flux_watcher_t *w;
    struct periodic *p;

    if (!isfinite (offset) || offset < 0.
        || !isfinite (interval) || interval < 0.) {
        errno = EINVAL;
        return NULL;
    }
    if (!(w = watcher_create (r, sizeof (*p), &periodic_ops, cb, arg)))
        return NULL;
    p = watcher_get_data (w);
    ev_periodic_init (&p->evw, periodic_cb, 0., 0., NULL);
    periodic_set (p, offset, interval, reschedule_cb);
    p->evw.data = w;
    ev_prepare_init (&p->stopper, periodic_stopper_cb);
    p->stopper.data = w;
    return w;
}

/* As flux-core: the watcher is (re)started with the new schedule
 * (ev_periodic_again), whether or not it was active.
 */
void flux_periodic_watcher_reset (flux_watcher_t *w,
                                  double next_wakeup,
                                  double interval,
                                  flux_reschedule_f reschedule_cb)
{
    struct periodic *p;

    if (!w || w->ops != &periodic_ops || !isfinite (next_wakeup)
        || !isfinite (interval) || interval < 0.) {
        errno = EINVAL;
        return;
    }
    p = watcher_get_data (w);
    flux_watcher_stop (w);
    periodic_set (p, next_wakeup, interval, reschedule_cb);
    flux_watcher_start (w);
}

double flux_watcher_next_wakeup (flux_watcher_t *w)
{
    if (w && w->ops == &periodic_ops) {
        struct periodic *p = watcher_get_data (w);
        return (double)ev_periodic_at (&p->evw);
    }
    if (w && w->ops == &timer_ops) {
        struct ev_loop *loop = reactor_get_loop (w->r);
        return (double)(ev_now (loop)
                        + ev_timer_remaining (loop, watcher_get_data (w)));
    }
    errno = EINVAL;
    return -1.;
}

/* signal watcher */

static pthread_mutex_t sigclaim_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    flux_reactor_t *r;
    int count;
} sigclaim[NSIG];

static int sigclaim_get (int signum, flux_reactor_t *r)
{
    int rc = 0;

    pthread_mutex_lock (&sigclaim_lock);
    if (sigclaim[signum].r && sigclaim[signum].r != r) {
        errno = EBUSY;
        rc = -1;
    }
    else {
        sigclaim[signum].r = r;
        sigclaim[signum].count++;
    }
    pthread_mutex_unlock (&sigclaim_lock);
    return rc;
}

static void sigclaim_put (int signum)
{
    pthread_mutex_lock (&sigclaim_lock);
    if (--sigclaim[signum].count == 0)
        sigclaim[signum].r = NULL;
    pthread_mutex_unlock (&sigclaim_lock);
}

static void signal_start (flux_watcher_t *w)
{
    ev_signal_start (reactor_get_loop (w->r), watcher_get_data (w));
}

static void signal_stop (flux_watcher_t *w)
{
    ev_signal_stop (reactor_get_loop (w->r), watcher_get_data (w));
}

static bool signal_is_active (flux_watcher_t *w)
{
    return ev_is_active ((ev_signal *)watcher_get_data (w));
}

static void signal_destroy (flux_watcher_t *w)
{
    sigclaim_put (((ev_signal *)watcher_get_data (w))->signum);
}

static const struct watcher_ops signal_ops = {
    .start = signal_start,
    .stop = signal_stop,
    .is_active = signal_is_active,
    .destroy = signal_destroy,
};

static void signal_cb (struct ev_loop *loop, ev_signal *s, int revents)
{
    (void)loop;
    (void)revents;
    watcher_call (s->data, 0);
}

flux_watcher_t *flux_signal_watcher_create (flux_reactor_t *r,
                                            int signum,
                                            flux_watcher_f cb,
                                            void *arg)
{
    flux_watcher_t *w;
    ev_signal *s;

    if (!r || signum <= 0 || signum >= NSIG) {
        errno = EINVAL;
        return NULL;
    }
    if (sigclaim_get (signum, r) < 0)
        return NULL;
    if (!(w = watcher_create (r, sizeof (*s), &signal_ops, cb, arg))) {
        int saved_errno = errno;
        sigclaim_put (signum);
        errno = saved_errno;
        return NULL;
    }
    s = watcher_get_data (w);
    ev_signal_init (s, signal_cb, signum);
    s->data = w;
    return w;
}

int flux_signal_watcher_get_signum (flux_watcher_t *w)
{
    if (!w || w->ops != &signal_ops) {
        errno = EINVAL;
        return -1;
    }
    return ((ev_signal *)watcher_get_data (w))->signum;
}

/* prepare, check and idle watchers */

static void prepare_start (flux_watcher_t *w)
{
    ev_prepare_start (reactor_get_loop (w->r), watcher_get_data (w));
}

static void prepare_stop (flux_watcher_t *w)
{
    ev_prepare_stop (reactor_get_loop (w->r), watcher_get_data (w));
}

static bool prepare_is_active (flux_watcher_t *w)
{
    return ev_is_active ((ev_prepare *)watcher_get_data (w));
}

static const struct watcher_ops prepare_ops = {
    .start = prepare_start,
    .stop = prepare_stop,
    .is_active = prepare_is_active,
};

static void prepare_cb (struct ev_loop *loop, ev_prepare *p, int revents)
{
    (void)loop;
    (void)revents;
    watcher_call (p->data, 0);
}

flux_watcher_t *flux_prepare_watcher_create (flux_reactor_t *r,
                                             flux_watcher_f cb,
                                             void *arg)
{
    flux_watcher_t *w;
    ev_prepare *p;

    if (!(w = watcher_create (r, sizeof (*p), &prepare_ops, cb, arg)))
        return NULL;
    p = watcher_get_data (w);
    ev_prepare_init (p, prepare_cb);
    p->data = w;
    return w;
}

static void check_start (flux_watcher_t *w)
{
    ev_check_start (reactor_get_loop (w->r), watcher_get_data (w));
}

static void check_stop (flux_watcher_t *w)
{
    ev_check_stop (reactor_get_loop (w->r), watcher_get_data (w));
}

static bool check_is_active (flux_watcher_t *w)
{
    return ev_is_active ((ev_check *)watcher_get_data (w));
}

static const struct watcher_ops check_ops = {
    .start = check_start,
    .stop = check_stop,
    .is_active = check_is_active,
};

static void check_cb (struct ev_loop *loop, ev_check *c, int revents)
{
    (void)loop;
    (void)revents;
    watcher_call (c->data, 0);
}

flux_watcher_t *flux_check_watcher_create (flux_reactor_t *r,
                                           flux_watcher_f cb,
                                           void *arg)
{
    flux_watcher_t *w;
    ev_check *c;

    if (!(w = watcher_create (r, sizeof (*c), &check_ops, cb, arg)))
        return NULL;
    c = watcher_get_data (w);
    ev_check_init (c, check_cb);
    c->data = w;
    return w;
}

static void idle_start (flux_watcher_t *w)
{
    ev_idle_start (reactor_get_loop (w->r), watcher_get_data (w));
}

static void idle_stop (flux_watcher_t *w)
{
    ev_idle_stop (reactor_get_loop (w->r), watcher_get_data (w));
}

static bool idle_is_active (flux_watcher_t *w)
{
    return ev_is_active ((ev_idle *)watcher_get_data (w));
}

static const struct watcher_ops idle_ops = {
    .start = idle_start,
    .stop = idle_stop,
    .is_active = idle_is_active,
};

static void idle_cb (struct ev_loop *loop, ev_idle *i, int revents)
{
    (void)loop;
    (void)revents;
    watcher_call (i->data, 0);
}

flux_watcher_t *flux_idle_watcher_create (flux_reactor_t *r,
                                          flux_watcher_f cb,
                                          void *arg)
{
    flux_watcher_t *w;
    ev_idle *i;

    if (!(w = watcher_create (r, sizeof (*i), &idle_ops, cb, arg)))
        return NULL;
    i = watcher_get_data (w);
    ev_idle_init (i, idle_cb);
    i->data = w;
    return w;
}

/* handle watcher (see the comment at the top) */

struct hwatcher {
    flux_t *h;
    int events;
    bool active;
    bool direct;            /* fd_w watches the connector's wakeup fd */
    flux_watcher_t *prepare_w;
    flux_watcher_t *check_w;
    flux_watcher_t *idle_w;
    flux_watcher_t *fd_w;
};

static void handle_start (flux_watcher_t *w)
{
    struct hwatcher *hw = watcher_get_data (w);

    flux_watcher_start (hw->prepare_w);
    flux_watcher_start (hw->fd_w);
    ev_ref (reactor_get_loop (w->r));
    hw->active = true;
}

static void handle_stop (flux_watcher_t *w)
{
    struct hwatcher *hw = watcher_get_data (w);

    flux_watcher_stop (hw->prepare_w);
    flux_watcher_stop (hw->check_w);
    flux_watcher_stop (hw->idle_w);
    flux_watcher_stop (hw->fd_w);
    if (hw->active)
        ev_unref (reactor_get_loop (w->r));
    hw->active = false;
}

static bool handle_is_active (flux_watcher_t *w)
{
    return ((struct hwatcher *)watcher_get_data (w))->active;
}

static void handle_destroy (flux_watcher_t *w)
{
    struct hwatcher *hw = watcher_get_data (w);

    flux_watcher_destroy (hw->prepare_w);
    flux_watcher_destroy (hw->check_w);
    flux_watcher_destroy (hw->idle_w);
    flux_watcher_destroy (hw->fd_w);
}

static const struct watcher_ops handle_ops = {
    .start = handle_start,
    .stop = handle_stop,
    .is_active = handle_is_active,
    .destroy = handle_destroy,
};

/* The events of interest that are pending now (POLLERR always counts;
 * a failing pollevents is reported as POLLERR).  'consume' says whether
 * to consume the edge of the fd first (see the comment at the top).
 */
static int handle_revents (struct hwatcher *hw, bool consume)
{
    int events;

    if (consume && hw->direct)
        handle_wakeup_clear (hw->h);
    events = consume && !hw->direct ? flux_pollevents (hw->h)
                                    : handle_pollevents_levels (hw->h);
    if (events < 0)
        events = FLUX_POLLERR;
    return events & (hw->events | FLUX_POLLERR);
}

static void handle_prepare_cb (flux_reactor_t *r,
                               flux_watcher_t *prepare_w,
                               int revents,
                               void *arg)
{
    struct hwatcher *hw = watcher_get_data (arg);

    (void)r;
    (void)prepare_w;
    (void)revents;
    /* This thread looks at the level before its loop sleeps: its own
     * pushes need not write the fd (msg_deque_reader_here).
     */
    if (hw->direct)
        handle_wakeup_reader_here (hw->h);
    if (handle_revents (hw, false)) {
        flux_watcher_start (hw->idle_w);
        flux_watcher_start (hw->check_w);
    }
}

/* The handle had work when the loop was about to block. */
static void handle_check_cb (flux_reactor_t *r,
                             flux_watcher_t *check_w,
                             int revents,
                             void *arg)
{
    flux_watcher_t *w = arg;
    struct hwatcher *hw = watcher_get_data (w);
    bool consume;

    (void)r;
    (void)check_w;
    /* N.B. check watchers run before the io callbacks of the same
     * iteration: if the fd fired too, consume its edge here and cancel
     * its callback, so the user is called once.
     */
    consume = ev_clear_pending (reactor_get_loop (hw->fd_w->r),
                                watcher_get_data (hw->fd_w)) != 0;
    flux_watcher_stop (hw->idle_w);
    flux_watcher_stop (hw->check_w);
    if ((revents = handle_revents (hw, consume)))
        watcher_call (w, revents);
}

/* The fd fired while the handle had no work at prepare time. */
static void handle_fd_cb (flux_reactor_t *r,
                          flux_watcher_t *fd_w,
                          int revents,
                          void *arg)
{
    flux_watcher_t *w = arg;
    struct hwatcher *hw = watcher_get_data (w);

    (void)r;
    (void)fd_w;
    if ((revents = handle_revents (hw, true)))
        watcher_call (w, revents);
}

flux_watcher_t *flux_handle_watcher_create (flux_reactor_t *r,
                                            flux_t *h,
                                            int events,
                                            flux_watcher_f cb,
                                            void *arg)
{
    flux_watcher_t *w;
    struct hwatcher *hw;
    bool direct = false;
    int fd;

    if (!r || !h || (events & ~(FLUX_POLLIN | FLUX_POLLOUT | FLUX_POLLERR))) {
        errno = EINVAL;
        return NULL;
    }
    if ((fd = handle_wakeup_fd (h)) >= 0)
        direct = true;
    else if ((fd = flux_pollfd (h)) < 0)
        return NULL;
    if (!(w = watcher_create (r, sizeof (*hw), &handle_ops, cb, arg)))
        return NULL;
    hw = watcher_get_data (w);
    hw->h = h;
    hw->events = events;
    hw->direct = direct;
    if (!(hw->prepare_w = flux_prepare_watcher_create (r, handle_prepare_cb, w))
        || !(hw->check_w = flux_check_watcher_create (r, handle_check_cb, w))
        || !(hw->idle_w = flux_idle_watcher_create (r, NULL, NULL))
        || !(hw->fd_w = flux_fd_watcher_create (r, fd, FLUX_POLLIN,
                                                handle_fd_cb, w)))
        goto error;
    /* The prepare runs after every other prepare of the loop (lowest
     * priority, before it is started), so a message one of them sends
     * on this thread is seen: its push wrote no fd (above).
     */
    ev_set_priority ((ev_prepare *)watcher_get_data (hw->prepare_w),
                     EV_MINPRI);
    flux_watcher_unref (hw->prepare_w);
    flux_watcher_unref (hw->check_w);
    flux_watcher_unref (hw->idle_w);
    flux_watcher_unref (hw->fd_w);
    return w;
error:
    flux_watcher_destroy (w);
    return NULL;
}

flux_t *flux_handle_watcher_get_flux (flux_watcher_t *w)
{
    if (!w || w->ops != &handle_ops) {
        errno = EINVAL;
        return NULL;
    }
    return ((struct hwatcher *)watcher_get_data (w))->h;
}
