/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* What the KVS client's files share (not installed, not exported). */
#ifndef FLUX_KVS_PRIVATE_H
#define FLUX_KVS_PRIVATE_H

#include <jansson.h>
#include "flux/kvs.h"
#include "kvs_treeobj.h"

/* The namespace when a call gives none: $FLUX_KVS_NAMESPACE, else
 * "primary".
 */
KVS_PRIVATE const char *kvs_default_namespace (void);

/* The transaction's operations array, owned by txn: each operation
 * {"key":s, "flags":i, "dirent":treeobj or null}.
 */
KVS_PRIVATE json_t *kvs_txn_ops (flux_kvs_txn_t *txn);

/* FLUX_KVS_TXN_COMPACT: join the appends to each key into its first
 * append.  -1 with errno EINVAL (txn unchanged) if a key appended to
 * is then written or unlinked in the same transaction.
 */
KVS_PRIVATE int kvs_txn_compact (flux_kvs_txn_t *txn);

/* A directory from a dir object (json_incref'd, not copied). */
KVS_PRIVATE flux_kvsdir_t *kvs_dir_from_obj (flux_t *h, const char *rootref,
                                             const char *key,
                                             json_t *dirobj);

/* The dirref text of a blobref, as commit and getroot return it
 * (caller frees); NULL with errno.
 */
KVS_PRIVATE char *kvs_dirref_encode (const char *blobref);

#endif /* !FLUX_KVS_PRIVATE_H */
