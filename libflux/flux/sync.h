/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Synchronizing with the instance heartbeat (the heartbeat.pulse event
 * the heartbeat module publishes), as flux-core's flux_sync_create.
 */
#ifndef FLUX_SYNC_H
#define FLUX_SYNC_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns a future (caller destroys) fulfilled at each pulse, but not
 * again within 'minimum' seconds (> 0) of the last time.  Reset it to
 * wait for the next; a continuation timeout bounds the time between
 * two.  NULL with errno EINVAL if h is NULL, or ENOMEM.
 */
flux_future_t *flux_sync_create (flux_t *h, double minimum);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_SYNC_H */
