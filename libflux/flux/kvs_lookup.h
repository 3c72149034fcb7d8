/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* KVS lookups: kvs.lookup, or kvs-watch.lookup for FLUX_KVS_WATCH,
 * FLUX_KVS_WAITCREATE and FLUX_KVS_STREAM (a stream of responses: call
 * flux_future_reset after each; it ends with an error, ENODATA after
 * flux_kvs_lookup_cancel).
 *
 * ns NULL: the FLUX_KVS_NAMESPACE environment variable, else "primary".
 * Accessors decode the response's tree object; what they return is
 * owned by the future and valid until it is reset or destroyed.
 * Errors: the lookup's (ENOENT missing key, EISDIR a directory read as a
 * value, ENOTDIR a value read with READDIR, ENOTSUP no such namespace),
 * EINVAL for a value read as another kind.
 */
#ifndef FLUX_KVS_LOOKUP_H
#define FLUX_KVS_LOOKUP_H

#include <stddef.h>
#include "types.h"
#include "kvs_dir.h"

#ifdef __cplusplus
extern "C" {
#endif

flux_future_t *flux_kvs_lookup (flux_t *h, const char *ns, int flags,
                                const char *key);
/* At a snapshot: treeobj is the RFC 11 dirref of a root (e.g. from
 * flux_kvs_commit_get_treeobj).  Watch flags are invalid here.
 */
flux_future_t *flux_kvs_lookupat (flux_t *h, int flags, const char *key,
                                  const char *treeobj);

int flux_kvs_lookup_get (flux_future_t *f, const char **value);
int flux_kvs_lookup_get_unpack (flux_future_t *f, const char *fmt, ...);
int flux_kvs_lookup_get_raw (flux_future_t *f, const void **data,
                             size_t *len);
int flux_kvs_lookup_get_treeobj (flux_future_t *f, const char **treeobj);
int flux_kvs_lookup_get_dir (flux_future_t *f, const flux_kvsdir_t **dir);
int flux_kvs_lookup_get_symlink (flux_future_t *f, const char **ns,
                                 const char **target);
const char *flux_kvs_lookup_get_key (flux_future_t *f);

/* End a watch (FLUX_KVS_WATCH, WAITCREATE or STREAM): its stream then
 * ends with ENODATA.  EINVAL for a future that is not such a lookup.
 */
int flux_kvs_lookup_cancel (flux_future_t *f);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_LOOKUP_H */
