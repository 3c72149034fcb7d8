/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Dynamic services: thin wrappers over the broker's service.add and
 * service.remove methods.  The broker knows who asks from the request's
 * first route hop, so the payload names only the service.
 */
#include <errno.h>

#include "flux/service.h"
#include "flux/message.h"
#include "flux/rpc.h"

static flux_future_t *service_rpc (flux_t *h, const char *topic,
                                   const char *name)
{
    if (!h || !name) {
        errno = EINVAL;
        return NULL;
    }
    return flux_rpc_pack (h, topic, FLUX_NODEID_ANY, 0,
                          "{s:s}", "service", name);
}

flux_future_t *flux_service_register (flux_t *h, const char *name)
{
    return service_rpc (h, "service.add", name);
}

flux_future_t *flux_service_unregister (flux_t *h, const char *name)
{
    return service_rpc (h, "service.remove", name);
}
