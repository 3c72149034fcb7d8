/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A KVS directory as a lookup with FLUX_KVS_READDIR returned it: its
 * entries, read without more requests.
 */
#ifndef FLUX_KVS_DIR_H
#define FLUX_KVS_DIR_H

#include <stdbool.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct flux_kvsdir flux_kvsdir_t;
typedef struct flux_kvsitr flux_kvsitr_t;

/* A directory from the RFC 11 dir object json_str, found at key (and,
 * if rootref is not NULL, at that snapshot).  Returns it with refcount 1
 * (caller destroys; the handle is only remembered, not referenced), or
 * NULL with errno EINVAL (NULL key or json_str, json_str not a dir
 * object) or ENOMEM.  copy returns a new directory of the same entries
 * (refcount 1, caller destroys), or NULL with errno EINVAL (NULL dir) or
 * ENOMEM.  destroy is decref: the last one frees; destroy and incref
 * are NULL-safe.
 */
flux_kvsdir_t *flux_kvsdir_create (flux_t *handle, const char *rootref,
                                   const char *key, const char *json_str);
void flux_kvsdir_destroy (flux_kvsdir_t *dir);
flux_kvsdir_t *flux_kvsdir_copy (const flux_kvsdir_t *dir);
void flux_kvsdir_incref (flux_kvsdir_t *dir);

/* The entry names, in sorted order.  create returns an iterator (caller
 * destroys; it keeps the names valid even after the directory is
 * destroyed), or NULL with errno EINVAL (NULL dir) or ENOMEM.  next
 * returns the next name (owned by the iterator), or NULL at the end
 * (errno unchanged; it never fails).  rewind starts over.
 */
flux_kvsitr_t *flux_kvsitr_create (const flux_kvsdir_t *dir);
void flux_kvsitr_destroy (flux_kvsitr_t *itr);
const char *flux_kvsitr_next (flux_kvsitr_t *itr);
void flux_kvsitr_rewind (flux_kvsitr_t *itr);

/* get_size returns the number of entries, or -1 with errno EINVAL for a
 * NULL dir.  exists, isdir (a dir or dirref entry) and issymlink return
 * false for a NULL dir or name, or a missing entry.
 */
int flux_kvsdir_get_size (const flux_kvsdir_t *dir);
bool flux_kvsdir_exists (const flux_kvsdir_t *dir, const char *name);
bool flux_kvsdir_isdir (const flux_kvsdir_t *dir, const char *name);
bool flux_kvsdir_issymlink (const flux_kvsdir_t *dir, const char *name);

/* Return what the directory was created with (owned by it, valid until
 * it is destroyed): its key, its handle, its rootref (NULL if none); or
 * NULL for a NULL dir (errno unchanged: they never fail otherwise).
 */
const char *flux_kvsdir_key (const flux_kvsdir_t *dir);
void *flux_kvsdir_handle (const flux_kvsdir_t *dir);
const char *flux_kvsdir_rootref (const flux_kvsdir_t *dir);

/* Returns the full key of entry name (caller frees), or NULL with errno
 * EINVAL (NULL dir or name) or ENOMEM.
 */
char *flux_kvsdir_key_at (const flux_kvsdir_t *dir, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_DIR_H */
