/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvs.getroot: the current root of a namespace (ns NULL: as lookup). */
#ifndef FLUX_KVS_GETROOT_H
#define FLUX_KVS_GETROOT_H

#include <stdint.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the RPC's future (caller destroys), or NULL with errno EINVAL
 * (NULL h, flags not 0).
 */
flux_future_t *flux_kvs_getroot (flux_t *h, const char *ns, int flags);
/* Read the response: the root as an RFC 11 dirref (for
 * flux_kvs_lookupat), as a blobref, its sequence number, its owner.
 * Each waits for the response, then returns 0 with the out argument set
 * (strings owned by the future, valid until it is destroyed), or -1
 * with errno EINVAL (NULL argument), the RPC's error (e.g. ENOTSUP for
 * a namespace that does not exist, EPERM), or EPROTO for a malformed
 * response.
 */
int flux_kvs_getroot_get_treeobj (flux_future_t *f, const char **treeobj);
int flux_kvs_getroot_get_blobref (flux_future_t *f, const char **blobref);
int flux_kvs_getroot_get_sequence (flux_future_t *f, int *seq);
int flux_kvs_getroot_get_owner (flux_future_t *f, uint32_t *owner);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_GETROOT_H */
