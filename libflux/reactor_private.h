/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Internals shared by reactor.c and watcher.c.  This is the only header
 * that may include <ev.h>: libev types never reach the public API.
 */
#ifndef FLUX_REACTOR_PRIVATE_H
#define FLUX_REACTOR_PRIVATE_H

#include <ev.h>

#include "flux/types.h"
#include "flux/reactor.h"
#include "flux/watcher.h"

/* The libev loop of a reactor (borrowed: valid while 'r' is). */
struct ev_loop *reactor_get_loop (flux_reactor_t *r);

/* True once flux_reactor_stop() (or _error) was called in the current
 * flux_reactor_run(): a callback that handles a batch of events (the
 * message dispatcher) stops at the one that stopped the reactor, as if
 * it handled one event per callback, as flux-core's does.
 */
bool reactor_stopping (flux_reactor_t *r);

/* One kind of watcher.  start/stop/is_active are required.  A watcher
 * kind whose start/stop do not change the loop's active count by one
 * (a composite of unref'd sub-watchers) must do that itself, so the
 * generic ref/unref accounting in watcher.c stays right.
 */
struct watcher_ops {
    void (*start)(flux_watcher_t *w);
    void (*stop)(flux_watcher_t *w);
    bool (*is_active)(flux_watcher_t *w);
    void (*destroy)(flux_watcher_t *w); /* optional: free impl resources */
};

/* Create a watcher with 'datasize' zeroed bytes of implementation data
 * (watcher_get_data).  Takes a reference on 'r'.  Returns NULL with
 * errno set.  Caller destroys with flux_watcher_destroy().
 */
flux_watcher_t *watcher_create (flux_reactor_t *r,
                                size_t datasize,
                                const struct watcher_ops *ops,
                                flux_watcher_f cb,
                                void *arg);
void *watcher_get_data (flux_watcher_t *w);

/* Call the user callback of 'w'.  'w' may be destroyed by the callback:
 * callers must not touch it afterwards.
 */
void watcher_call (flux_watcher_t *w, int revents);

#endif /* !FLUX_REACTOR_PRIVATE_H */
