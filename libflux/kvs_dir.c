/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* KVS directories (flux/kvs_dir.h): a dir object with the key and,
 * optionally, the snapshot it was read at.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvs_private.h"

struct flux_kvsdir {
    int refcount;
    flux_t *h;         /* not referenced, as flux-core: a plain pointer */
    char *rootref;     /* may be NULL */
    char *key;
    json_t *dirobj;
};

struct flux_kvsitr {
    const char **names; /* owned by the directory's object */
    size_t count;
    size_t next;
    json_t *dirobj;     /* a reference, so names stay valid */
};

flux_kvsdir_t *kvs_dir_from_obj (flux_t *h, const char *rootref,
                                 const char *key, json_t *dirobj)
{
    flux_kvsdir_t *dir;

    if (!key || treeobj_validate (dirobj) < 0
        || !treeobj_is (dirobj, "dir")) {
        errno = EINVAL;
        return NULL;
    }
    if (!(dir = calloc (1, sizeof (*dir))))
        return NULL;
    dir->refcount = 1;
    dir->h = h;
    if ((rootref && !(dir->rootref = strdup (rootref)))
        || !(dir->key = strdup (key))) {
        free (dir->rootref);
        free (dir);
        errno = ENOMEM;
        return NULL;
    }
    dir->dirobj = json_incref (dirobj);
    return dir;
}

flux_kvsdir_t *flux_kvsdir_create (flux_t *handle, const char *rootref,
                                   const char *key, const char *json_str)
{
    json_t *obj;
    flux_kvsdir_t *dir;

    if (!key || !json_str || !(obj = treeobj_decode (json_str))) {
        errno = EINVAL;
        return NULL;
    }
    dir = kvs_dir_from_obj (handle, rootref, key, obj);
    json_decref (obj);
    return dir;
}

void flux_kvsdir_incref (flux_kvsdir_t *dir)
{
    if (dir)
        dir->refcount++;
}

void flux_kvsdir_destroy (flux_kvsdir_t *dir)
{
    if (dir && --dir->refcount == 0) {
        int saved_errno = errno;
        free (dir->rootref);
        free (dir->key);
        json_decref (dir->dirobj);
        free (dir);
        errno = saved_errno;
    }
}

flux_kvsdir_t *flux_kvsdir_copy (const flux_kvsdir_t *dir)
{
    if (!dir) {
        errno = EINVAL;
        return NULL;
    }
    return kvs_dir_from_obj (dir->h, dir->rootref, dir->key, dir->dirobj);
}

int flux_kvsdir_get_size (const flux_kvsdir_t *dir)
{
    if (!dir) {
        errno = EINVAL;
        return -1;
    }
    return treeobj_count (dir->dirobj);
}

static json_t *entry (const flux_kvsdir_t *dir, const char *name)
{
    if (!dir || !name)
        return NULL;
    return json_object_get (treeobj_data (dir->dirobj), name);
}

bool flux_kvsdir_exists (const flux_kvsdir_t *dir, const char *name)
{
    return entry (dir, name) != NULL;
}

bool flux_kvsdir_isdir (const flux_kvsdir_t *dir, const char *name)
{
    json_t *obj = entry (dir, name);
    return obj && (treeobj_is (obj, "dir") || treeobj_is (obj, "dirref"));
}

bool flux_kvsdir_issymlink (const flux_kvsdir_t *dir, const char *name)
{
    json_t *obj = entry (dir, name);
    return obj && treeobj_is (obj, "symlink");
}

const char *flux_kvsdir_key (const flux_kvsdir_t *dir)
{
    return dir ? dir->key : NULL;
}

void *flux_kvsdir_handle (const flux_kvsdir_t *dir)
{
    return dir ? dir->h : NULL;
}

const char *flux_kvsdir_rootref (const flux_kvsdir_t *dir)
{
    return dir ? dir->rootref : NULL;
}

char *flux_kvsdir_key_at (const flux_kvsdir_t *dir, const char *name)
{
    size_t klen, nlen;
    char *s;

    if (!dir || !name) {
        errno = EINVAL;
        return NULL;
    }
    /* The root "." has no prefix; a key ending in "." needs no other. */
    klen = strlen (dir->key);
    if (!strcmp (dir->key, "."))
        klen = 0;
    nlen = strlen (name);
    if (!(s = malloc (klen + 1 + nlen + 1)))
        return NULL;
    memcpy (s, dir->key, klen);
    if (klen > 0 && dir->key[klen - 1] != '.')
        s[klen++] = '.';
    memcpy (s + klen, name, nlen + 1);
    return s;
}

static int cmp_names (const void *a, const void *b)
{
    return strcmp (*(const char *const *)a, *(const char *const *)b);
}

flux_kvsitr_t *flux_kvsitr_create (const flux_kvsdir_t *dir)
{
    flux_kvsitr_t *itr;
    json_t *data;
    const char *name;
    json_t *value;

    if (!dir) {
        errno = EINVAL;
        return NULL;
    }
    data = treeobj_data (dir->dirobj);
    if (!(itr = calloc (1, sizeof (*itr))))
        return NULL;
    if (json_object_size (data) > 0
        && !(itr->names = calloc (json_object_size (data),
                                  sizeof (*itr->names)))) {
        free (itr);
        return NULL;
    }
    json_object_foreach (data, name, value) {
        (void)value;
        itr->names[itr->count++] = name;
    }
    if (itr->count > 1)
        qsort (itr->names, itr->count, sizeof (*itr->names), cmp_names);
    itr->dirobj = json_incref (dir->dirobj);
    return itr;
}

void flux_kvsitr_destroy (flux_kvsitr_t *itr)
{
    if (itr) {
        int saved_errno = errno;
        free (itr->names);
        json_decref (itr->dirobj);
        free (itr);
        errno = saved_errno;
    }
}

const char *flux_kvsitr_next (flux_kvsitr_t *itr)
{
    if (!itr || itr->next >= itr->count)
        return NULL;
    return itr->names[itr->next++];
}

void flux_kvsitr_rewind (flux_kvsitr_t *itr)
{
    if (itr)
        itr->next = 0;
}
