/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Copy a key (a value or a whole directory, as its tree object) to
 * another key, possibly in another namespace; move: copy, then unlink
 * the source.  NULL namespaces: as lookup.  The future is fulfilled
 * with the last commit's response (flux_kvs_commit_get_* read it), or
 * fails with the first step's error.
 * N.B. a move is two commits: the copy can succeed and the unlink fail.
 */
#ifndef FLUX_KVS_COPY_H
#define FLUX_KVS_COPY_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Both return the future (caller destroys), or NULL with errno EINVAL
 * (NULL h, NULL or empty key) or ENOMEM.
 */
flux_future_t *flux_kvs_copy (flux_t *h, const char *srcns,
                              const char *srckey, const char *dstns,
                              const char *dstkey, int commit_flags);
flux_future_t *flux_kvs_move (flux_t *h, const char *srcns,
                              const char *srckey, const char *dstns,
                              const char *dstkey, int commit_flags);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_COPY_H */
