/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvs.commit (flux/kvs_commit.h): {namespace, flags, ops} -> {rootref,
 * rootseq}.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flux/message.h"
#include "flux/rpc.h"
#include "flux/future.h"
#include "kvs_private.h"

#define COMMIT_AUX "flux::kvs_commit"

flux_future_t *flux_kvs_commit (flux_t *h, const char *ns, int flags,
                                flux_kvs_txn_t *txn)
{
    if (!h || !txn) {
        errno = EINVAL;
        return NULL;
    }
    if (!ns)
        ns = kvs_default_namespace ();
    if (flags & FLUX_KVS_TXN_COMPACT) {
        if (kvs_txn_compact (txn) < 0)
            return NULL;
        flags &= ~FLUX_KVS_TXN_COMPACT;
    }
    return flux_rpc_pack (h, "kvs.commit", FLUX_NODEID_ANY, 0,
                          "{s:s s:i s:O}", "namespace", ns, "flags", flags,
                          "ops", kvs_txn_ops (txn));
}

static int decode (flux_future_t *f, const char **rootref, int *rootseq)
{
    const char *ref;
    int seq;

    if (flux_rpc_get_unpack (f, "{s:s s:i}", "rootref", &ref,
                             "rootseq", &seq) < 0)
        return -1;
    if (rootref)
        *rootref = ref;
    if (rootseq)
        *rootseq = seq;
    return 0;
}

int flux_kvs_commit_get_rootref (flux_future_t *f, const char **rootref)
{
    if (!f || !rootref) {
        errno = EINVAL;
        return -1;
    }
    return decode (f, rootref, NULL);
}

int flux_kvs_commit_get_sequence (flux_future_t *f, int *rootseq)
{
    if (!f || !rootseq) {
        errno = EINVAL;
        return -1;
    }
    return decode (f, NULL, rootseq);
}

/* The dirref text is made once and kept as an aux item of f. */
int flux_kvs_commit_get_treeobj (flux_future_t *f, const char **treeobj)
{
    const char *rootref;
    char *s;

    if (!f || !treeobj) {
        errno = EINVAL;
        return -1;
    }
    if (decode (f, &rootref, NULL) < 0)
        return -1;
    if (!(s = flux_future_aux_get (f, COMMIT_AUX))) {
        if (!(s = kvs_dirref_encode (rootref)))
            return -1;
        if (flux_future_aux_set (f, COMMIT_AUX, s, free) < 0) {
            free (s);
            return -1;
        }
    }
    *treeobj = s;
    return 0;
}
