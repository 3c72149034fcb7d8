/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Dynamic services (service.add / service.remove): requests whose topic
 * starts with "NAME." are routed to the handle that registered NAME.
 */
#ifndef FLUX_SERVICE_H
#define FLUX_SERVICE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return the RPC's future (caller destroys), or NULL with errno EINVAL
 * for a NULL h or name.  The future is fulfilled with an empty
 * response, or an error (EEXIST, EINVAL for a name with '.', EPERM for
 * a guest without the "UID-" prefix, ENOENT when removing an unknown
 * name).
 */
flux_future_t *flux_service_register (flux_t *h, const char *name);
flux_future_t *flux_service_unregister (flux_t *h, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_SERVICE_H */
