/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A future that follows the instance heartbeat (the heartbeat.pulse
 * event the heartbeat module publishes): fulfilled at each pulse, but
 * not again within 'minimum' seconds (> 0) of the last time.  Reset it
 * to wait for the next; a continuation timeout bounds the time between
 * two.  Returns NULL with errno EINVAL if h is NULL.
 */
#ifndef FLUX_SYNC_H
#define FLUX_SYNC_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

flux_future_t *flux_sync_create (flux_t *h, double minimum);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_SYNC_H */
