/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The reactor: an event loop (libev underneath, never visible here).
 * Each thread owns at most one running reactor; work crosses threads only
 * as messages.
 */
#ifndef FLUX_REACTOR_H
#define FLUX_REACTOR_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_REACTOR_NOWAIT = 1, /* run one non-blocking iteration */
    FLUX_REACTOR_ONCE = 2,   /* run one blocking iteration */
};

enum {
    FLUX_POLLIN = 1,
    FLUX_POLLOUT = 2,
    FLUX_POLLERR = 4,
};

/* flux_reactor_create() (not in flux-core) */
enum {
    /* The reactor waits with poll(2) and opens no descriptor of its own
     * (epoll keeps one per reactor).  For a thread that watches a few
     * descriptors, as a broker module's does: the broker runs thousands
     * of module threads, and the process's descriptors are limited.
     */
    FLUX_REACTOR_NOFD = 0x100,
};

/* Create a reactor (refcount 1).  Flags are 0 or FLUX_REACTOR_NOFD.
 * Returns it (caller must destroy), or NULL with errno EINVAL (other
 * flags) or ENOMEM.  destroy == decref: the last reference frees it;
 * destroy, incref and decref are NULL-safe.
 */
flux_reactor_t *flux_reactor_create (int flags);
void flux_reactor_destroy (flux_reactor_t *r);
void flux_reactor_incref (flux_reactor_t *r);
void flux_reactor_decref (flux_reactor_t *r);

/* Run until no active watchers remain, or until stopped.
 * Returns the number of active watchers (>= 0), or -1 if
 * flux_reactor_stop_error() was called (errno is ECANCELED unless set).
 */
int flux_reactor_run (flux_reactor_t *r, int flags);
void flux_reactor_stop (flux_reactor_t *r);
void flux_reactor_stop_error (flux_reactor_t *r);

/* now returns the loop time in seconds (cached per iteration; 0 for a
 * NULL reactor), now_update refreshes it, time returns the wall clock
 * time.  They never fail.
 */
double flux_reactor_now (flux_reactor_t *r);
void flux_reactor_now_update (flux_reactor_t *r);
double flux_reactor_time (void);

/* Keep the loop alive without an active watcher (e.g. a pending RPC). */
void flux_reactor_active_incref (flux_reactor_t *r);
void flux_reactor_active_decref (flux_reactor_t *r);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_REACTOR_H */
