/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvs.getroot: the current root of a namespace (ns NULL: as lookup). */
#ifndef FLUX_KVS_GETROOT_H
#define FLUX_KVS_GETROOT_H

#include <stdint.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* flags must be 0 (EINVAL otherwise). */
flux_future_t *flux_kvs_getroot (flux_t *h, const char *ns, int flags);
/* The root as an RFC 11 dirref (for flux_kvs_lookupat). */
int flux_kvs_getroot_get_treeobj (flux_future_t *f, const char **treeobj);
int flux_kvs_getroot_get_blobref (flux_future_t *f, const char **blobref);
int flux_kvs_getroot_get_sequence (flux_future_t *f, int *seq);
int flux_kvs_getroot_get_owner (flux_future_t *f, uint32_t *owner);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_GETROOT_H */
