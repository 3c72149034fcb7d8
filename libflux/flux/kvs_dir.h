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
 * if rootref is not NULL, at that snapshot).  Refcount 1; NULL with
 * errno EINVAL if json_str is not a dir object.
 */
flux_kvsdir_t *flux_kvsdir_create (flux_t *handle, const char *rootref,
                                   const char *key, const char *json_str);
void flux_kvsdir_destroy (flux_kvsdir_t *dir);   /* decref, NULL-safe */
flux_kvsdir_t *flux_kvsdir_copy (const flux_kvsdir_t *dir);
void flux_kvsdir_incref (flux_kvsdir_t *dir);

/* The entry names, in sorted order; next returns NULL at the end. */
flux_kvsitr_t *flux_kvsitr_create (const flux_kvsdir_t *dir);
void flux_kvsitr_destroy (flux_kvsitr_t *itr);
const char *flux_kvsitr_next (flux_kvsitr_t *itr);
void flux_kvsitr_rewind (flux_kvsitr_t *itr);

int flux_kvsdir_get_size (const flux_kvsdir_t *dir);
bool flux_kvsdir_exists (const flux_kvsdir_t *dir, const char *name);
bool flux_kvsdir_isdir (const flux_kvsdir_t *dir, const char *name);
bool flux_kvsdir_issymlink (const flux_kvsdir_t *dir, const char *name);

const char *flux_kvsdir_key (const flux_kvsdir_t *dir);
void *flux_kvsdir_handle (const flux_kvsdir_t *dir);
const char *flux_kvsdir_rootref (const flux_kvsdir_t *dir);

/* The full key of entry name (caller frees), or NULL with errno. */
char *flux_kvsdir_key_at (const flux_kvsdir_t *dir, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_DIR_H */
