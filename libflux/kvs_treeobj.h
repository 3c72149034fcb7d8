/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RFC 11 tree objects, as the KVS client builds and reads them (not
 * installed, not exported).
 *
 * A tree object is a JSON object {"ver":1, "type":T, "data":D}:
 *   val      D: the value, base64
 *   valref   D: array of blobrefs, the value is their concatenation
 *   dir      D: object, entry name -> tree object
 *   dirref   D: array of one blobref, naming a dir object
 *   symlink  D: {"target": key, "namespace"?: name}
 * Encoded for the wire and for hashing compact with sorted keys, as
 * flux-core encodes them, so equal objects have equal blobrefs.
 */
#ifndef FLUX_KVS_TREEOBJ_H
#define FLUX_KVS_TREEOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define KVS_PRIVATE __attribute__ ((visibility ("hidden")))

/* New objects (refcount 1, the caller's), or NULL with errno set.
 * val copies its data (NULL with len 0: the empty value); symlink's ns
 * may be NULL.
 */
KVS_PRIVATE json_t *treeobj_create_val (const void *data, size_t len);
KVS_PRIVATE json_t *treeobj_create_dir (void);
KVS_PRIVATE json_t *treeobj_create_dirref (const char *blobref);
KVS_PRIVATE json_t *treeobj_create_symlink (const char *ns,
                                            const char *target);

/* 0 if obj is a valid tree object (a dir: every entry, recursively),
 * else -1 with errno EINVAL.
 */
KVS_PRIVATE int treeobj_validate (const json_t *obj);

/* The type name of a valid object, or NULL (errno EINVAL). */
KVS_PRIVATE const char *treeobj_type (const json_t *obj);
KVS_PRIVATE bool treeobj_is (const json_t *obj, const char *type);

/* The data member, owned by obj. */
KVS_PRIVATE json_t *treeobj_data (const json_t *obj);

/* A val's bytes, followed by a NUL not counted in *len; NULL (and
 * *len 0) for the empty value.  The caller frees *data.  -1 with errno
 * EINVAL if obj is not a val, EPROTO if its data is not base64.
 */
KVS_PRIVATE int treeobj_decode_val (const json_t *obj, void **data,
                                    size_t *len);

/* A symlink's namespace (NULL if it has none) and target, owned by obj;
 * -1 with errno EINVAL if obj is not a symlink.
 */
KVS_PRIVATE int treeobj_get_symlink (const json_t *obj, const char **ns,
                                     const char **target);

/* Number of entries of a dir, of blobrefs of a valref or dirref; 1 for
 * val and symlink; -1 with errno EINVAL for an invalid object.
 */
KVS_PRIVATE int treeobj_count (const json_t *obj);

/* Encoded text (caller frees), or NULL with errno ENOMEM. */
KVS_PRIVATE char *treeobj_encode (const json_t *obj);

/* Decode and validate text; NULL with errno EINVAL if it is not a tree
 * object.  The caller owns the result (json_decref).
 */
KVS_PRIVATE json_t *treeobj_decode (const char *s);

#endif /* !FLUX_KVS_TREEOBJ_H */
