/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* KVS transactions (flux/kvs_txn.h): a JSON array of operations, sent
 * as is in kvs.commit's "ops".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvs_private.h"

struct flux_kvs_txn {
    json_t *ops;
};

flux_kvs_txn_t *flux_kvs_txn_create (void)
{
    flux_kvs_txn_t *txn;

    if (!(txn = calloc (1, sizeof (*txn))))
        return NULL;
    if (!(txn->ops = json_array ())) {
        free (txn);
        errno = ENOMEM;
        return NULL;
    }
    return txn;
}

void flux_kvs_txn_destroy (flux_kvs_txn_t *txn)
{
    if (txn) {
        int saved_errno = errno;
        json_decref (txn->ops);
        free (txn);
        errno = saved_errno;
    }
}

json_t *kvs_txn_ops (flux_kvs_txn_t *txn)
{
    return txn->ops;
}

/* Append {key, flags, dirent}; steals dirent (NULL: allocation failed,
 * errno set by its maker) in every case.
 */
static int add_op (flux_kvs_txn_t *txn, int flags, int allowed,
                   const char *key, json_t *dirent)
{
    json_t *op;

    if (!dirent)
        return -1;
    if (!txn || !key || !*key || (flags & ~allowed)) {
        json_decref (dirent);
        errno = EINVAL;
        return -1;
    }
    if (!(op = json_pack ("{s:s s:i s:o}", "key", key, "flags", flags,
                          "dirent", dirent))) {
        errno = ENOMEM;
        return -1;
    }
    if (json_array_append_new (txn->ops, op) < 0) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static int check (flux_kvs_txn_t *txn, const char *key)
{
    if (!txn || !key) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

int flux_kvs_txn_put_raw (flux_kvs_txn_t *txn, int flags, const char *key,
                          const void *data, size_t len)
{
    if (check (txn, key) < 0)
        return -1;
    return add_op (txn, flags, FLUX_KVS_APPEND, key,
                   treeobj_create_val (data, len));
}

int flux_kvs_txn_put (flux_kvs_txn_t *txn, int flags, const char *key,
                      const char *value)
{
    return flux_kvs_txn_put_raw (txn, flags, key, value,
                                 value ? strlen (value) : 0);
}

int flux_kvs_txn_vpack (flux_kvs_txn_t *txn, int flags, const char *key,
                        const char *fmt, va_list ap)
{
    json_t *val;
    char *s;
    int rc;

    if (!fmt) {
        errno = EINVAL;
        return -1;
    }
    /* N.B. pack first: "o" arguments are given away, whatever happens. */
    val = json_vpack_ex (NULL, 0, fmt, ap);
    if (check (txn, key) < 0) {
        json_decref (val);
        errno = EINVAL;
        return -1;
    }
    if (!val) {
        errno = EINVAL;
        return -1;
    }
    s = json_dumps (val, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref (val);
    if (!s) {
        errno = ENOMEM;
        return -1;
    }
    rc = flux_kvs_txn_put_raw (txn, flags, key, s, strlen (s));
    free (s);
    return rc;
}

int flux_kvs_txn_pack (flux_kvs_txn_t *txn, int flags, const char *key,
                       const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_kvs_txn_vpack (txn, flags, key, fmt, ap); // checks all
    va_end (ap);
    return rc;
}

int flux_kvs_txn_put_treeobj (flux_kvs_txn_t *txn, int flags,
                              const char *key, const char *treeobj)
{
    if (check (txn, key) < 0 || !treeobj) {
        errno = EINVAL;
        return -1;
    }
    return add_op (txn, flags, 0, key, treeobj_decode (treeobj));
}

int flux_kvs_txn_mkdir (flux_kvs_txn_t *txn, int flags, const char *key)
{
    if (check (txn, key) < 0)
        return -1;
    return add_op (txn, flags, 0, key, treeobj_create_dir ());
}

int flux_kvs_txn_unlink (flux_kvs_txn_t *txn, int flags, const char *key)
{
    if (check (txn, key) < 0)
        return -1;
    return add_op (txn, flags, 0, key, json_null ());
}

int flux_kvs_txn_symlink (flux_kvs_txn_t *txn, int flags, const char *key,
                          const char *ns, const char *target)
{
    if (check (txn, key) < 0 || !target) {
        errno = EINVAL;
        return -1;
    }
    return add_op (txn, flags, 0, key, treeobj_create_symlink (ns, target));
}

int flux_kvs_txn_clear (flux_kvs_txn_t *txn)
{
    if (!txn) {
        errno = EINVAL;
        return -1;
    }
    if (json_array_clear (txn->ops) < 0) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

bool flux_kvs_txn_is_empty (flux_kvs_txn_t *txn)
{
    return !txn || json_array_size (txn->ops) == 0;
}

/* Compaction.  One pass over the operations builds the new array; the
 * first append to each key stays where it is, and the later ones add
 * their bytes to it.  The joined values are written at the end.
 */

struct joined {
    const char *key;   /* owned by the old ops array */
    size_t index;      /* of the first append in the new array */
    char *buf;
    size_t len;
    int count;
};

static int join_append (struct joined *j, const json_t *dirent)
{
    void *data;
    size_t len;
    char *buf;

    if (treeobj_decode_val (dirent, &data, &len) < 0)
        return -1;
    if (len > 0) {
        if (!(buf = realloc (j->buf, j->len + len))) {
            free (data);
            return -1;
        }
        memcpy (buf + j->len, data, len);
        j->buf = buf;
        j->len += len;
    }
    free (data);
    j->count++;
    return 0;
}

int kvs_txn_compact (flux_kvs_txn_t *txn)
{
    size_t n = json_array_size (txn->ops);
    struct joined *joined;
    size_t njoined = 0;
    json_t *ops = NULL;
    int rc = -1;
    int saved_errno;

    if (n < 2)
        return 0;
    if (!(joined = calloc (n, sizeof (*joined))))
        return -1;
    if (!(ops = json_array ())) {
        errno = ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *op = json_array_get (txn->ops, i);
        const char *key;
        int flags;
        json_t *dirent;
        struct joined *j = NULL;

        if (json_unpack (op, "{s:s s:i s:o}", "key", &key, "flags", &flags,
                         "dirent", &dirent) < 0) {
            errno = EINVAL;
            goto done;
        }
        for (size_t k = 0; k < njoined; k++) {
            if (!strcmp (joined[k].key, key)) {
                j = &joined[k];
                break;
            }
        }
        if (j) {
            if (flags != FLUX_KVS_APPEND) {
                errno = EINVAL;
                goto done;
            }
            if (join_append (j, dirent) < 0)
                goto done;
            continue;
        }
        if (flags == FLUX_KVS_APPEND) {
            j = &joined[njoined++];
            j->key = key;
            j->index = json_array_size (ops);
            if (join_append (j, dirent) < 0)
                goto done;
        }
        if (json_array_append (ops, op) < 0) {
            errno = ENOMEM;
            goto done;
        }
    }
    for (size_t k = 0; k < njoined; k++) {
        json_t *op;

        if (joined[k].count < 2)
            continue;
        if (!(op = json_pack ("{s:s s:i s:o}", "key", joined[k].key,
                              "flags", FLUX_KVS_APPEND, "dirent",
                              treeobj_create_val (joined[k].buf,
                                                  joined[k].len)))) {
            errno = ENOMEM;
            goto done;
        }
        if (json_array_set_new (ops, joined[k].index, op) < 0) {
            errno = ENOMEM;
            goto done;
        }
    }
    json_decref (txn->ops);
    txn->ops = ops;
    ops = NULL;
    rc = 0;
done:
    saved_errno = errno;
    for (size_t k = 0; k < njoined; k++)
        free (joined[k].buf);
    free (joined);
    json_decref (ops);
    errno = saved_errno;
    return rc;
}
