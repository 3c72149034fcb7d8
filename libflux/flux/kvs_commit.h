/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvs.commit: apply a transaction to a namespace (ns NULL: as lookup).
 * Flags (<flux/kvs.h>): FLUX_KVS_NO_MERGE, FLUX_KVS_SYNC, and
 * FLUX_KVS_TXN_COMPACT, which is done here, before sending: appends to
 * one key are joined into one (EINVAL if the key is also written
 * after its first append); it changes the transaction.
 */
#ifndef FLUX_KVS_COMMIT_H
#define FLUX_KVS_COMMIT_H

#include "types.h"
#include "kvs_txn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the RPC's future (caller destroys), or NULL with errno
 * EINVAL (NULL h or txn, or the compaction above refuses the
 * transaction) or ENOMEM.
 */
flux_future_t *flux_kvs_commit (flux_t *h, const char *ns, int flags,
                                flux_kvs_txn_t *txn);

/* The new root: as an RFC 11 dirref, as a blobref, its sequence.  Each
 * waits for the response, then returns 0 with the out argument set
 * (strings owned by the future, valid until it is destroyed), or -1
 * with errno EINVAL (NULL argument), the commit's error (e.g. EPERM),
 * or EPROTO for a malformed response.
 */
int flux_kvs_commit_get_treeobj (flux_future_t *f, const char **treeobj);
int flux_kvs_commit_get_rootref (flux_future_t *f, const char **rootref);
int flux_kvs_commit_get_sequence (flux_future_t *f, int *rootseq);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_COMMIT_H */
