/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Deferred calls on a reactor, and other reactor internals for
 * libflux's own use (not installed).
 * Kept apart from reactor_private.h so that users need not see <ev.h>.
 */
#ifndef FLUX_REACTOR_DEFER_H
#define FLUX_REACTOR_DEFER_H

#include <stdbool.h>

#include "flux/types.h"

/* A deferred call, owned by the caller (e.g. embedded in the object it
 * calls back), so queueing it allocates nothing and cannot fail.  Set fn
 * and arg once; the rest belongs to the reactor.
 */
struct reactor_deferred {
    void (*fn)(void *arg);
    void *arg;
    bool queued;
    unsigned long seq;
    struct reactor_deferred *next;
};

/* Queue d to run fn(arg) in the reactor's check phase, after the
 * callbacks of the current iteration, in the order queued; the loop does
 * not block while any call is queued.  A call already queued stays where
 * it is.  reactor_defer_cancel takes d off the queue if it is on it (its
 * owner is going away).  d->queued is false again when fn is called.
 */
void reactor_defer (flux_reactor_t *r, struct reactor_deferred *d);
void reactor_defer_cancel (flux_reactor_t *r, struct reactor_deferred *d);

/* A reactor like flux_reactor_create (0)'s, whose loop holds no file
 * descriptor of its own (libev's poll backend): for the private loop
 * of a synchronous wait, which lives as long as its future, and is
 * only ever asked to watch a few descriptors.  A process may keep
 * thousands of finished futures; with one epoll descriptor each, it
 * would run out of descriptors, and libev aborts when it does.
 */
flux_reactor_t *reactor_create_nofd (void);

#endif /* !FLUX_REACTOR_DEFER_H */
