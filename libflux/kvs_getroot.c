/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvs.getroot (flux/kvs_getroot.h): {namespace, flags} -> {rootref,
 * rootseq, owner, flags}.
 */
#include <errno.h>
#include <stdlib.h>

#include "flux/message.h"
#include "flux/rpc.h"
#include "flux/future.h"
#include "kvs_private.h"

#define GETROOT_AUX "flux::kvs_getroot"

flux_future_t *flux_kvs_getroot (flux_t *h, const char *ns, int flags)
{
    if (!h || flags) {
        errno = EINVAL;
        return NULL;
    }
    if (!ns)
        ns = kvs_default_namespace ();
    return flux_rpc_pack (h, "kvs.getroot", FLUX_NODEID_ANY, 0,
                          "{s:s s:i}", "namespace", ns, "flags", flags);
}

static int decode (flux_future_t *f, const char **rootref, int *rootseq,
                   uint32_t *owner)
{
    const char *ref;
    int seq, own, flags;

    if (!f) {
        errno = EINVAL;
        return -1;
    }
    if (flux_rpc_get_unpack (f, "{s:s s:i s:i s:i}", "rootref", &ref,
                             "rootseq", &seq, "owner", &own,
                             "flags", &flags) < 0)
        return -1;
    if (rootref)
        *rootref = ref;
    if (rootseq)
        *rootseq = seq;
    if (owner)
        *owner = (uint32_t)own;
    return 0;
}

int flux_kvs_getroot_get_blobref (flux_future_t *f, const char **blobref)
{
    if (!blobref) {
        errno = EINVAL;
        return -1;
    }
    return decode (f, blobref, NULL, NULL);
}

int flux_kvs_getroot_get_sequence (flux_future_t *f, int *seq)
{
    if (!seq) {
        errno = EINVAL;
        return -1;
    }
    return decode (f, NULL, seq, NULL);
}

int flux_kvs_getroot_get_owner (flux_future_t *f, uint32_t *owner)
{
    if (!owner) {
        errno = EINVAL;
        return -1;
    }
    return decode (f, NULL, NULL, owner);
}

int flux_kvs_getroot_get_treeobj (flux_future_t *f, const char **treeobj)
{
    const char *rootref;
    char *s;

    if (!treeobj) {
        errno = EINVAL;
        return -1;
    }
    if (decode (f, &rootref, NULL, NULL) < 0)
        return -1;
    if (!(s = flux_future_aux_get (f, GETROOT_AUX))) {
        if (!(s = kvs_dirref_encode (rootref)))
            return -1;
        if (flux_future_aux_set (f, GETROOT_AUX, s, free) < 0) {
            free (s);
            return -1;
        }
    }
    *treeobj = s;
    return 0;
}
