/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* KVS namespaces and versions (flux/kvs.h), and what the client's files
 * share (kvs_private.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flux/attr.h"
#include "flux/message.h"
#include "flux/rpc.h"
#include "flux/future.h"
#include "kvs_private.h"
#include "sha1.h"

const char *kvs_default_namespace (void)
{
    const char *ns = getenv ("FLUX_KVS_NAMESPACE");
    return ns ? ns : KVS_PRIMARY_NAMESPACE;
}

char *kvs_dirref_encode (const char *blobref)
{
    json_t *o;
    char *s;

    if (!(o = treeobj_create_dirref (blobref)))
        return NULL;
    s = treeobj_encode (o);
    json_decref (o);
    return s;
}

/* The blobref of an empty dir object, which every KVS has (it is where
 * the primary namespace starts), under the instance's content.hash.
 * N.B. our broker has no content store and no content.hash attribute:
 * sha1 then, the hash our KVS names its directories with.
 */
static int empty_dir_blobref (flux_t *h, char *buf)
{
    const char *hash = flux_attr_get (h, "content.hash");
    json_t *dir;
    char *s;

    if (hash && strcmp (hash, "sha1") != 0) {
        errno = EINVAL;
        return -1;
    }
    if (!(dir = treeobj_create_dir ()))
        return -1;
    s = treeobj_encode (dir);
    json_decref (dir);
    if (!s)
        return -1;
    sha1_blobref (s, strlen (s), buf);
    free (s);
    return 0;
}

flux_future_t *flux_kvs_namespace_create_with (flux_t *h, const char *ns,
                                               const char *rootref,
                                               uint32_t owner, int flags)
{
    if (!h || !ns || !rootref || flags) {
        errno = EINVAL;
        return NULL;
    }
    return flux_rpc_pack (h, "kvs.namespace-create", 0, 0,
                          "{s:s s:s s:i s:i}", "namespace", ns,
                          "rootref", rootref, "owner", (int)owner,
                          "flags", flags);
}

flux_future_t *flux_kvs_namespace_create (flux_t *h, const char *ns,
                                          uint32_t owner, int flags)
{
    char rootref[SHA1_BLOBREF_SIZE];

    if (!h || !ns || flags) {
        errno = EINVAL;
        return NULL;
    }
    if (empty_dir_blobref (h, rootref) < 0)
        return NULL;
    return flux_kvs_namespace_create_with (h, ns, rootref, owner, flags);
}

flux_future_t *flux_kvs_namespace_remove (flux_t *h, const char *ns)
{
    if (!h || !ns) {
        errno = EINVAL;
        return NULL;
    }
    return flux_rpc_pack (h, "kvs.namespace-remove", 0, 0, "{s:s}",
                          "namespace", ns);
}

int flux_kvs_get_version (flux_t *h, const char *ns, int *versionp)
{
    flux_future_t *f;
    int version;
    int rc = -1;

    if (!h) {
        errno = EINVAL;
        return -1;
    }
    if (!ns)
        ns = kvs_default_namespace ();
    if (!(f = flux_rpc_pack (h, "kvs.getroot", FLUX_NODEID_ANY, 0, "{s:s}",
                             "namespace", ns)))
        return -1;
    if (flux_rpc_get_unpack (f, "{s:i}", "rootseq", &version) == 0) {
        if (versionp)
            *versionp = version;
        rc = 0;
    }
    flux_future_destroy (f);
    return rc;
}

int flux_kvs_wait_version (flux_t *h, const char *ns, int version)
{
    flux_future_t *f;
    int rc;

    if (!h) {
        errno = EINVAL;
        return -1;
    }
    if (!ns)
        ns = kvs_default_namespace ();
    if (!(f = flux_rpc_pack (h, "kvs.wait-version", FLUX_NODEID_ANY, 0,
                             "{s:i s:s}", "rootseq", version,
                             "namespace", ns)))
        return -1;
    rc = flux_future_get (f, NULL);
    flux_future_destroy (f);
    return rc;
}
