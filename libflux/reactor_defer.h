/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Deferred calls on a reactor, for libflux's own use (not installed).
 * Kept apart from reactor_private.h so that users need not see <ev.h>.
 */
#ifndef FLUX_REACTOR_DEFER_H
#define FLUX_REACTOR_DEFER_H

#include "flux/types.h"

/* Queue fn(arg) to run in the reactor's check phase, after the callbacks
 * of the current iteration, in the order queued; the loop does not block
 * while any call is queued.  Returns 0, or -1 with errno (EINVAL, ENOMEM).
 * reactor_defer_cancel removes every queued call whose arg is 'arg' (its
 * object is going away).
 */
int reactor_defer (flux_reactor_t *r, void (*fn)(void *arg), void *arg);
void reactor_defer_cancel (flux_reactor_t *r, void *arg);

#endif /* !FLUX_REACTOR_DEFER_H */
