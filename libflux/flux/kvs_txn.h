/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* KVS transactions: an ordered list of operations, each setting a key
 * to an RFC 11 tree object (or unlinking it), applied all or nothing by
 * flux_kvs_commit.  Values are stored as given (put: a string, NULL
 * for the empty value; pack: the JSON text of what fmt builds; put_raw:
 * bytes).  Flags: FLUX_KVS_APPEND for put, pack and put_raw, none for
 * the others (EINVAL).
 */
#ifndef FLUX_KVS_TXN_H
#define FLUX_KVS_TXN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flux_kvs_txn flux_kvs_txn_t;

/* Returns a new, empty transaction (caller destroys), or NULL with
 * errno ENOMEM.  destroy is NULL-safe and keeps errno.
 */
flux_kvs_txn_t *flux_kvs_txn_create (void);
void flux_kvs_txn_destroy (flux_kvs_txn_t *txn);

/* Add an operation (the transaction copies what it needs).  All return
 * 0, or -1 with errno EINVAL (NULL txn, NULL or empty key, flags not
 * allowed, a NULL fmt or target, a pack error, a treeobj that is not an
 * RFC 11 object) or ENOMEM.
 */
int flux_kvs_txn_put (flux_kvs_txn_t *txn, int flags, const char *key,
                      const char *value);
int flux_kvs_txn_vpack (flux_kvs_txn_t *txn, int flags, const char *key,
                        const char *fmt, va_list ap);
int flux_kvs_txn_pack (flux_kvs_txn_t *txn, int flags, const char *key,
                       const char *fmt, ...);
int flux_kvs_txn_put_raw (flux_kvs_txn_t *txn, int flags, const char *key,
                          const void *data, size_t len);
/* treeobj: the text of any RFC 11 object (a dirref copies a subtree).
 * These return 0 or -1 with errno, as put does.
 */
int flux_kvs_txn_put_treeobj (flux_kvs_txn_t *txn, int flags,
                              const char *key, const char *treeobj);
int flux_kvs_txn_mkdir (flux_kvs_txn_t *txn, int flags, const char *key);
int flux_kvs_txn_unlink (flux_kvs_txn_t *txn, int flags, const char *key);
/* ns may be NULL: the target is in the namespace of the link.  Returns
 * 0 or -1 with errno, as put does.
 */
int flux_kvs_txn_symlink (flux_kvs_txn_t *txn, int flags, const char *key,
                          const char *ns, const char *target);

/* clear drops every operation: returns 0, or -1 with errno EINVAL (NULL
 * txn) or ENOMEM.  is_empty returns true if there is none (or txn is
 * NULL).
 */
int flux_kvs_txn_clear (flux_kvs_txn_t *txn);
bool flux_kvs_txn_is_empty (flux_kvs_txn_t *txn);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_TXN_H */
