/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A ZeroMQ socket watched by a Flux reactor.
 *
 * ZeroMQ's ZMQ_FD is edge-triggered: it signals that the socket's
 * state changed, not that a message waits, and it may not signal again
 * while messages are left unread.  So the watcher asks ZMQ_EVENTS
 * itself: before the loop sleeps (prepare), an idle watcher keeps it
 * from sleeping while a message waits; after it wakes (check), the
 * callback runs once if one does.  The fd only wakes the loop.  The
 * callback reads as many messages as it likes; what it leaves is seen
 * on the next iteration.
 */
#ifndef BROKER_ZWATCH_H
#define BROKER_ZWATCH_H

#include <flux/core.h>

struct zwatch;

typedef void (*zwatch_f)(struct zwatch *zw, void *sock, void *arg);

/* Watch 'sock' (not owned) for input in 'r'; started.  Returns NULL with
 * errno on failure.
 */
struct zwatch *zwatch_create (flux_reactor_t *r, void *sock, zwatch_f cb,
                              void *arg);

/* NULL-safe; preserves errno. */
void zwatch_destroy (struct zwatch *zw);

#endif /* !BROKER_ZWATCH_H */

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
