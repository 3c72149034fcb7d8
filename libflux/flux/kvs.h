/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The flags of the KVS protocol, with flux-core's values: lookup and
 * watch flags (kvs.lookup, kvs-watch.lookup) and commit flags
 * (kvs.commit).  The KVS itself is a Python broker module
 * (modules/kvs), used through flux.kvs and `flux kvs`.
 */
#ifndef FLUX_KVS_H
#define FLUX_KVS_H

#ifdef __cplusplus
extern "C" {
#endif

enum kvs_op {
    FLUX_KVS_READDIR = 1,
    FLUX_KVS_READLINK = 2,
    FLUX_KVS_WATCH = 4,
    FLUX_KVS_WAITCREATE = 8,
    FLUX_KVS_TREEOBJ = 16,
    FLUX_KVS_APPEND = 32,
    FLUX_KVS_WATCH_FULL = 64,
    FLUX_KVS_WATCH_UNIQ = 128,
    FLUX_KVS_WATCH_APPEND = 256,
    FLUX_KVS_STREAM = 512,
    FLUX_KVS_WATCH_INITIAL_SENTINEL = 1024,
};

enum {
    FLUX_KVS_NO_MERGE = 1,     /* commit: never merged with another */
    FLUX_KVS_TXN_COMPACT = 2,  /* txn: fold operations on one key */
    FLUX_KVS_SYNC = 4,         /* commit: reach the backing store first */
};

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_KVS_H */
