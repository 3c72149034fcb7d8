/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The flags of the KVS protocol, with flux-core's values: lookup and
 * watch flags (kvs.lookup, kvs-watch.lookup) and commit flags
 * (kvs.commit).  The KVS itself is a Python broker module
 * (modules/kvs), used through flux.kvs and `flux kvs`, and from C
 * through flux-core's client API declared here and in the headers
 * below (libflux/kvs_*.c).
 */
#ifndef FLUX_KVS_H
#define FLUX_KVS_H

#include <stdint.h>
#include "types.h"
#include "kvs_dir.h"
#include "kvs_lookup.h"
#include "kvs_getroot.h"
#include "kvs_txn.h"
#include "kvs_commit.h"
#include "kvs_copy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum kvs_op {
    FLUX_KVS_READDIR = 1,
    FLUX_KVS_READLINK = 2,
    FLUX_KVS_WATCH = 4,
    FLUX_KVS_WAITCREATE = 8,
    FLUX_KVS_TREEOBJ = 16,
    FLUX_KVS_APPEND = 32,
    FLUX_KVS_WATCH_FULL = 64,
    FLUX_KVS_WATCH_UNIQ = 128,
    FLUX_KVS_WATCH_APPEND = 256,
    FLUX_KVS_STREAM = 512,
    FLUX_KVS_WATCH_INITIAL_SENTINEL = 1024,
};

enum {
    FLUX_KVS_NO_MERGE = 1,     /* commit: never merged with another */
    FLUX_KVS_TXN_COMPACT = 2,  /* txn: fold operations on one key */
    FLUX_KVS_SYNC = 4,         /* commit: reach the backing store first */
};

#define KVS_PRIMARY_NAMESPACE "primary"

/* kvs.namespace-create of an empty namespace owned by owner
 * (FLUX_USERID_UNKNOWN: the instance owner); _with: whose root is the
 * existing directory rootref (a blobref).  Returns the RPC's future
 * (caller destroys), or NULL with errno EINVAL (NULL h, ns or rootref,
 * flags not 0).  The future fails with EEXIST if the namespace exists.
 */
flux_future_t *flux_kvs_namespace_create (flux_t *h, const char *ns,
                                          uint32_t owner, int flags);
flux_future_t *flux_kvs_namespace_create_with (flux_t *h, const char *ns,
                                               const char *rootref,
                                               uint32_t owner, int flags);
/* kvs.namespace-remove.  Returns the RPC's future (caller destroys),
 * or NULL with errno EINVAL (NULL h or ns).  The future fails with
 * ENOTSUP if the namespace does not exist, EINVAL for the primary one.
 */
flux_future_t *flux_kvs_namespace_remove (flux_t *h, const char *ns);

/* Synchronous: the namespace's root sequence number (its version), and
 * waiting until it reaches version.  ns NULL: as lookup.  Return 0 (get:
 * with *versionp set, if not NULL), or -1 with errno EINVAL (NULL h) or
 * the RPC's (e.g. ENOTSUP for a namespace that does not exist, EPROTO).
 */
int flux_kvs_get_version (flux_t *h, const char *ns, int *versionp);
int flux_kvs_wait_version (flux_t *h, const char *ns, int version);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_H */
