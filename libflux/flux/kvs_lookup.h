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

/* Look up key.  Returns the RPC's future (caller destroys), or NULL
 * with errno EINVAL (NULL h, NULL or empty key, flags that are not a
 * valid combination) or ENOMEM.
 */
flux_future_t *flux_kvs_lookup (flux_t *h, const char *ns, int flags,
                                const char *key);
/* At a snapshot: treeobj is the RFC 11 dirref of a root (e.g. from
 * flux_kvs_commit_get_treeobj).  Returns the future (caller destroys),
 * or NULL with errno EINVAL (as lookup's, a NULL or undecodable treeobj,
 * or watch flags, which are invalid here) or ENOMEM.
 */
flux_future_t *flux_kvs_lookupat (flux_t *h, int flags, const char *key,
                                  const char *treeobj);

/* Accessors: each waits for the response, then returns 0 with the out
 * arguments set (owned by the future, valid until reset or destroy), or
 * -1 with errno: EINVAL for a future that is not a lookup's, the
 * lookup's error (above), EPROTO for a malformed response, EINVAL for a
 * value of another kind.  get: the value as a NUL-terminated string;
 * get_unpack: the value parsed as JSON with a jansson format (EINVAL if
 * it is not JSON or does not match); get_raw: its bytes; get_treeobj:
 * the RFC 11 object text; get_dir: a directory (READDIR); get_symlink:
 * its namespace (NULL if none) and target (READLINK).  For the
 * WATCH_INITIAL_SENTINEL response, get and get_raw give NULL; the
 * others fail with EINVAL.
 */
int flux_kvs_lookup_get (flux_future_t *f, const char **value);
int flux_kvs_lookup_get_unpack (flux_future_t *f, const char *fmt, ...);
int flux_kvs_lookup_get_raw (flux_future_t *f, const void **data,
                             size_t *len);
int flux_kvs_lookup_get_treeobj (flux_future_t *f, const char **treeobj);
int flux_kvs_lookup_get_dir (flux_future_t *f, const flux_kvsdir_t **dir);
int flux_kvs_lookup_get_symlink (flux_future_t *f, const char **ns,
                                 const char **target);
/* Returns the key looked up (owned by the future, valid until it is
 * destroyed), or NULL with errno EINVAL for a future that is not a
 * lookup's.
 */
const char *flux_kvs_lookup_get_key (flux_future_t *f);

/* End a watch (FLUX_KVS_WATCH, WAITCREATE or STREAM): its stream then
 * ends with ENODATA.  EINVAL for a future that is not such a lookup.
 */
int flux_kvs_lookup_cancel (flux_future_t *f);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_LOOKUP_H */
