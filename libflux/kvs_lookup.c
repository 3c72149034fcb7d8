/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* KVS lookups (flux/kvs_lookup.h).
 *
 * The request is kvs.lookup {key, namespace, flags} (lookupat: {key,
 * flags, rootdir}), or kvs-watch.lookup with the same payload for the
 * watch flags, streaming for WATCH and STREAM.  The response is {val:
 * treeobj}, or for WATCH_INITIAL_SENTINEL one empty response.
 *
 * What the accessors decode is cached in a struct lookup, an aux item
 * of the future, and thrown away when a new response (after a reset)
 * carries a different object.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flux/rpc.h"
#include "flux/future.h"
#include "flux/message.h"
#include "flux/response.h"
#include "kvs_private.h"

#define LOOKUP_AUX "flux::kvs_lookup"

#define WATCH_ONLY_FLAGS (FLUX_KVS_WATCH_FULL | FLUX_KVS_WATCH_UNIQ \
                          | FLUX_KVS_WATCH_APPEND \
                          | FLUX_KVS_WATCH_INITIAL_SENTINEL)
#define WATCH_SERVICE_FLAGS (FLUX_KVS_WATCH | FLUX_KVS_WAITCREATE \
                             | FLUX_KVS_STREAM)

struct lookup {
    flux_t *h;
    char *key;
    char *atref;       /* lookupat's treeobj, or NULL */
    int flags;
    /* decoded from the current response */
    json_t *treeobj;   /* NULL: none yet, or the sentinel */
    char *treeobj_str;
    bool val_decoded;
    void *val;
    size_t val_len;
    json_t *val_json;
    flux_kvsdir_t *dir;
};

static void lookup_clear (struct lookup *l)
{
    json_decref (l->treeobj);
    l->treeobj = NULL;
    free (l->treeobj_str);
    l->treeobj_str = NULL;
    free (l->val);
    l->val = NULL;
    l->val_len = 0;
    l->val_decoded = false;
    json_decref (l->val_json);
    l->val_json = NULL;
    flux_kvsdir_destroy (l->dir);
    l->dir = NULL;
}

static void lookup_destroy (void *arg)
{
    struct lookup *l = arg;

    if (l) {
        int saved_errno = errno;
        lookup_clear (l);
        free (l->key);
        free (l->atref);
        free (l);
        errno = saved_errno;
    }
}

static struct lookup *lookup_create (flux_t *h, int flags, const char *key,
                                     const char *atref)
{
    struct lookup *l;

    if (!(l = calloc (1, sizeof (*l))))
        return NULL;
    l->h = h;
    l->flags = flags;
    if (!(l->key = strdup (key)) || (atref && !(l->atref = strdup (atref)))) {
        lookup_destroy (l);
        errno = ENOMEM;
        return NULL;
    }
    return l;
}

/* The flags flux-core accepts: watch-only flags need WATCH; WATCH,
 * WAITCREATE and STREAM need the kvs-watch service (not lookupat); of
 * the rest only TREEOBJ, READDIR, READDIR|TREEOBJ and READLINK.
 */
static bool flags_valid (int flags, bool watch_ok)
{
    if ((flags & WATCH_SERVICE_FLAGS) && !watch_ok)
        return false;
    if ((flags & WATCH_ONLY_FLAGS) && !(flags & FLUX_KVS_WATCH))
        return false;
    flags &= ~(WATCH_SERVICE_FLAGS | WATCH_ONLY_FLAGS);
    return flags == 0 || flags == FLUX_KVS_TREEOBJ
           || flags == FLUX_KVS_READDIR
           || flags == (FLUX_KVS_READDIR | FLUX_KVS_TREEOBJ)
           || flags == FLUX_KVS_READLINK;
}

static flux_future_t *attach (flux_future_t *f, struct lookup *l)
{
    if (!f) {
        lookup_destroy (l);
        return NULL;
    }
    if (flux_future_aux_set (f, LOOKUP_AUX, l, lookup_destroy) < 0) {
        lookup_destroy (l);
        flux_future_destroy (f);
        return NULL;
    }
    return f;
}

flux_future_t *flux_kvs_lookup (flux_t *h, const char *ns, int flags,
                                const char *key)
{
    struct lookup *l;
    const char *topic = "kvs.lookup";
    int rpc_flags = 0;

    if (!h || !key || !*key || !flags_valid (flags, true)) {
        errno = EINVAL;
        return NULL;
    }
    if (!ns)
        ns = kvs_default_namespace ();
    if (flags & WATCH_SERVICE_FLAGS)
        topic = "kvs-watch.lookup";
    if (flags & (FLUX_KVS_WATCH | FLUX_KVS_STREAM))
        rpc_flags = FLUX_RPC_STREAMING;
    if (!(l = lookup_create (h, flags, key, NULL)))
        return NULL;
    return attach (flux_rpc_pack (h, topic, FLUX_NODEID_ANY, rpc_flags,
                                  "{s:s s:s s:i}", "key", key,
                                  "namespace", ns, "flags", flags),
                   l);
}

flux_future_t *flux_kvs_lookupat (flux_t *h, int flags, const char *key,
                                  const char *treeobj)
{
    struct lookup *l;
    json_t *root;
    flux_future_t *f;

    if (!h || !key || !*key || !treeobj || !flags_valid (flags, false)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(root = treeobj_decode (treeobj)))
        return NULL;
    if (!(l = lookup_create (h, flags, key, treeobj))) {
        json_decref (root);
        return NULL;
    }
    f = flux_rpc_pack (h, "kvs.lookup", FLUX_NODEID_ANY, 0,
                       "{s:s s:i s:O}", "key", key, "flags", flags,
                       "rootdir", root);
    json_decref (root);
    return attach (f, l);
}

static struct lookup *get_lookup (flux_future_t *f)
{
    struct lookup *l;

    if (!f || !(l = flux_future_aux_get (f, LOOKUP_AUX))) {
        errno = EINVAL;
        return NULL;
    }
    return l;
}

/* Wait for the response and make l's cache describe it.  *sentinel is
 * set for the empty response of WATCH_INITIAL_SENTINEL (no object).
 */
static int lookup_update (flux_future_t *f, struct lookup *l,
                          bool *sentinel)
{
    const flux_msg_t *msg;
    const void *result;
    const char *s;
    json_t *val;

    *sentinel = false;
    if (flux_future_get (f, &result) < 0)
        return -1;
    msg = result;
    if ((l->flags & FLUX_KVS_WATCH_INITIAL_SENTINEL)
        && flux_response_decode (msg, NULL, &s) == 0 && !s) {
        lookup_clear (l);
        *sentinel = true;
        return 0;
    }
    if (flux_msg_unpack (msg, "{s:o}", "val", &val) < 0
        || treeobj_validate (val) < 0) {
        errno = EPROTO;
        return -1;
    }
    if (!l->treeobj || !json_equal (l->treeobj, val)) {
        lookup_clear (l);
        l->treeobj = json_incref (val);
    }
    return 0;
}

static int decode_val (struct lookup *l)
{
    if (!l->val_decoded) {
        if (treeobj_decode_val (l->treeobj, &l->val, &l->val_len) < 0)
            return -1;
        l->val_decoded = true;
    }
    return 0;
}

static struct lookup *ready (flux_future_t *f, bool *sentinel)
{
    struct lookup *l;

    if (!(l = get_lookup (f)) || lookup_update (f, l, sentinel) < 0)
        return NULL;
    return l;
}

int flux_kvs_lookup_get (flux_future_t *f, const char **value)
{
    struct lookup *l;
    bool sentinel;

    if (!(l = ready (f, &sentinel)))
        return -1;
    if (!sentinel && decode_val (l) < 0)
        return -1;
    if (value)
        *value = sentinel ? NULL : l->val;
    return 0;
}

int flux_kvs_lookup_get_raw (flux_future_t *f, const void **data,
                             size_t *len)
{
    struct lookup *l;
    bool sentinel;

    if (!(l = ready (f, &sentinel)))
        return -1;
    if (!sentinel && decode_val (l) < 0)
        return -1;
    if (data)
        *data = sentinel ? NULL : l->val;
    if (len)
        *len = sentinel ? 0 : l->val_len;
    return 0;
}

int flux_kvs_lookup_get_unpack (flux_future_t *f, const char *fmt, ...)
{
    struct lookup *l;
    bool sentinel;
    va_list ap;
    int rc;

    if (!fmt) {
        errno = EINVAL;
        return -1;
    }
    if (!(l = ready (f, &sentinel)))
        return -1;
    if (sentinel) {
        errno = EINVAL;
        return -1;
    }
    if (decode_val (l) < 0)
        return -1;
    if (!l->val_json
        && !(l->val_json = json_loadb (l->val ? l->val : "", l->val_len,
                                       JSON_DECODE_ANY, NULL))) {
        errno = EINVAL;
        return -1;
    }
    va_start (ap, fmt);
    rc = json_vunpack_ex (l->val_json, NULL, 0, fmt, ap);
    va_end (ap);
    if (rc < 0)
        errno = EINVAL;
    return rc;
}

int flux_kvs_lookup_get_treeobj (flux_future_t *f, const char **treeobj)
{
    struct lookup *l;
    bool sentinel;

    if (!(l = ready (f, &sentinel)))
        return -1;
    if (sentinel) {
        errno = EINVAL;
        return -1;
    }
    if (!l->treeobj_str && !(l->treeobj_str = treeobj_encode (l->treeobj)))
        return -1;
    if (treeobj)
        *treeobj = l->treeobj_str;
    return 0;
}

int flux_kvs_lookup_get_dir (flux_future_t *f, const flux_kvsdir_t **dirp)
{
    struct lookup *l;
    bool sentinel;

    if (!(l = ready (f, &sentinel)))
        return -1;
    if (sentinel) {
        errno = EINVAL;
        return -1;
    }
    if (!l->dir && !(l->dir = kvs_dir_from_obj (l->h, l->atref, l->key,
                                                l->treeobj)))
        return -1;
    if (dirp)
        *dirp = l->dir;
    return 0;
}

int flux_kvs_lookup_get_symlink (flux_future_t *f, const char **ns,
                                 const char **target)
{
    struct lookup *l;
    bool sentinel;

    if (!(l = ready (f, &sentinel)))
        return -1;
    if (sentinel) {
        errno = EINVAL;
        return -1;
    }
    return treeobj_get_symlink (l->treeobj, ns, target);
}

const char *flux_kvs_lookup_get_key (flux_future_t *f)
{
    struct lookup *l;

    if (!(l = get_lookup (f)))
        return NULL;
    return l->key;
}

int flux_kvs_lookup_cancel (flux_future_t *f)
{
    struct lookup *l;
    flux_future_t *f2;

    if (!(l = get_lookup (f)) || !(l->flags & WATCH_SERVICE_FLAGS)) {
        errno = EINVAL;
        return -1;
    }
    if (!(f2 = flux_rpc_pack (flux_future_get_flux (f), "kvs-watch.cancel",
                              FLUX_NODEID_ANY, FLUX_RPC_NORESPONSE,
                              "{s:i}", "matchtag",
                              (int)flux_rpc_get_matchtag (f))))
        return -1;
    flux_future_destroy (f2);
    return 0;
}
