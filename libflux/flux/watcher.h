/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Watchers: callbacks registered on a reactor.  A watcher holds a
 * reference on its reactor.  Watchers are created stopped.
 *
 * Every *_create returns a new watcher (caller flux_watcher_destroy()s
 * it), or NULL with errno EINVAL (a NULL reactor, or the invalid
 * arguments each names) or ENOMEM.
 */
#ifndef FLUX_WATCHER_H
#define FLUX_WATCHER_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* revents is a mask of FLUX_POLLIN/OUT/ERR (fd and handle watchers), or
 * 0 for the others.
 */
typedef void (*flux_watcher_f)(flux_reactor_t *r,
                               flux_watcher_t *w,
                               int revents,
                               void *arg);

/* start and stop are NULL-safe no-ops on a watcher already in that
 * state.  is_active returns whether it is started (false for NULL).
 */
void flux_watcher_start (flux_watcher_t *w);
void flux_watcher_stop (flux_watcher_t *w);
bool flux_watcher_is_active (flux_watcher_t *w);
/* An unref'd watcher does not keep the reactor running on its own. */
void flux_watcher_ref (flux_watcher_t *w);
void flux_watcher_unref (flux_watcher_t *w);
/* Stop and free.  NULL-safe; preserves errno. */
void flux_watcher_destroy (flux_watcher_t *w);
/* Returns the watcher's reactor (borrowed: the watcher holds a
 * reference), or NULL with errno EINVAL for a NULL watcher.
 */
flux_reactor_t *flux_watcher_get_reactor (flux_watcher_t *w);

/* events: FLUX_POLLIN | FLUX_POLLOUT (FLUX_POLLERR always reported);
 * create returns a new watcher (caller destroys), or NULL with errno
 * EINVAL (NULL reactor, fd < 0, other bits) or ENOMEM.  The fd stays
 * the caller's.
 * get_fd returns it, or -1 with errno EINVAL for a NULL watcher or one
 * of another kind.
 */
flux_watcher_t *flux_fd_watcher_create (flux_reactor_t *r,
                                        int fd,
                                        int events,
                                        flux_watcher_f cb,
                                        void *arg);
int flux_fd_watcher_get_fd (flux_watcher_t *w);

/* Fire after 'after' seconds, then every 'repeat' seconds if > 0.
 * create returns a new watcher (caller destroys), or NULL with errno
 * EINVAL (NULL reactor; after or repeat negative or not finite) or
 * ENOMEM.  reset changes both, and the watcher stays started if it was;
 * again restarts the repeat period.  Both only set errno EINVAL for a
 * NULL watcher or one of another kind (reset: or bad values).
 */
flux_watcher_t *flux_timer_watcher_create (flux_reactor_t *r,
                                           double after,
                                           double repeat,
                                           flux_watcher_f cb,
                                           void *arg);
void flux_timer_watcher_reset (flux_watcher_t *w, double after, double repeat);
void flux_timer_watcher_again (flux_watcher_t *w);

/* Periodic: fire at wall-clock times (seconds since the epoch), as
 * libev's ev_periodic.  With reschedule_cb NULL: at 'offset' if
 * interval is 0 (once), else at offset + k * interval for every k
 * (e.g. offset 0 interval 60: on each minute).  With reschedule_cb: at
 * the time it returns, called with the current time each time the
 * watcher fires or starts; a time in the past stops the watcher.
 * offset and interval must be finite and >= 0.
 */
typedef double (*flux_reschedule_f)(flux_watcher_t *w, double now,
                                    void *arg);
/* Returns a new watcher (caller destroys), or NULL with errno EINVAL
 * (NULL reactor, bad offset or interval) or ENOMEM.
 */
flux_watcher_t *flux_periodic_watcher_create (flux_reactor_t *r,
                                              double offset,
                                              double interval,
                                              flux_reschedule_f reschedule_cb,
                                              flux_watcher_f cb,
                                              void *arg);
/* New schedule, as create's; the watcher is started with it. */
void flux_periodic_watcher_reset (flux_watcher_t *w,
                                  double next_wakeup,
                                  double interval,
                                  flux_reschedule_f reschedule_cb);

/* Returns when a timer or periodic watcher fires next, in the time base
 * of flux_reactor_now (timers) or the wall clock (periodic); -1. with
 * errno EINVAL for another kind of watcher.
 */
double flux_watcher_next_wakeup (flux_watcher_t *w);

/* N.B. a signal may be watched by one reactor per process at a time:
 * create returns a new watcher (caller destroys), or NULL with errno
 * EINVAL (NULL reactor, signum out of range), EBUSY (another reactor
 * watches it) or ENOMEM.  get_signum returns
 * the signal, or -1 with errno EINVAL for a NULL watcher or one of
 * another kind.
 */
flux_watcher_t *flux_signal_watcher_create (flux_reactor_t *r,
                                            int signum,
                                            flux_watcher_f cb,
                                            void *arg);
int flux_signal_watcher_get_signum (flux_watcher_t *w);

/* prepare: before the loop blocks; check: after it wakes;
 * idle: on every iteration while active (the loop does not block).
 * Each returns a new watcher (caller destroys), or NULL with errno
 * EINVAL (NULL reactor) or ENOMEM.
 */
flux_watcher_t *flux_prepare_watcher_create (flux_reactor_t *r,
                                             flux_watcher_f cb,
                                             void *arg);
flux_watcher_t *flux_check_watcher_create (flux_reactor_t *r,
                                           flux_watcher_f cb,
                                           void *arg);
flux_watcher_t *flux_idle_watcher_create (flux_reactor_t *r,
                                          flux_watcher_f cb,
                                          void *arg);

/* Fires when the handle has the requested events (FLUX_POLLIN/OUT)
 * pending: built on flux_pollfd()/flux_pollevents() with prepare, check
 * and idle watchers, so messages already queued in the handle are seen
 * without waiting on the fd.  create returns a new watcher (caller
 * destroys), or NULL with errno EINVAL (NULL reactor or h, other event
 * bits), ENOMEM, or flux_pollfd's; the handle stays
 * the caller's and must outlive the watcher.  get_flux returns it
 * (borrowed), or NULL with errno EINVAL for a NULL watcher or one of
 * another kind.
 */
flux_watcher_t *flux_handle_watcher_create (flux_reactor_t *r,
                                            flux_t *h,
                                            int events,
                                            flux_watcher_f cb,
                                            void *arg);
flux_t *flux_handle_watcher_get_flux (flux_watcher_t *w);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_WATCHER_H */
