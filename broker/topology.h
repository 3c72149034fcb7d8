/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The tree of brokers (TBON) of an instance, from a topology URI and the
 * instance size: who is whose parent.  Pure: no broker state, no I/O.
 */
#ifndef BROKER_TOPOLOGY_H
#define BROKER_TOPOLOGY_H

#include <jansson.h>
#include <flux/types.h>

struct topology;

/* Build the tree of 'size' ranks that 'uri' names (flux-core's schemes):
 *   kary:K      complete K-ary tree, the parent of i is (i-1)/K;
 *               kary:0 is flat (rank 0 the parent of all)
 *   binomial    a binomial tree
 *   mincrit[:K] rank 0, K routers (chosen from size if absent), leaves
 *   custom      parents named per host in 'hosts' (the [bootstrap] hosts
 *               array, entries {"host": NAME, "parent"?: NAME}); flat if
 *               'hosts' is NULL
 * 'hosts' is borrowed (not kept, not decref'd) and may be NULL.
 * Returns a tree the caller must topology_destroy, or NULL with errno
 * EINVAL (or ENOMEM) and the reason in 'error' (may be NULL).
 */
struct topology *topology_create (const char *uri, int size, json_t *hosts,
                                  flux_error_t *error);

/* NULL-safe; preserves errno. */
void topology_destroy (struct topology *topo);

/* Queries about any rank.  Each returns -1 with errno EINVAL for a NULL
 * tree or a rank outside [0, size).
 */
int topology_size (const struct topology *topo);

/* The parent of 'rank', -1 for rank 0. */
int topology_parent (const struct topology *topo, int rank);

/* The number of children of 'rank'; if 'children' is not NULL, up to 'len'
 * of them in ascending order are stored there (EOVERFLOW if more).
 */
int topology_children (const struct topology *topo, int rank,
                       int *children, int len);

/* Edges from rank 0 to 'rank' (0 for rank 0), and the greatest of them. */
int topology_level (const struct topology *topo, int rank);
int topology_maxlevel (const struct topology *topo);

/* The number of ranks below 'rank', not counting itself. */
int topology_descendants (const struct topology *topo, int rank);

/* The child of 'rank' through which descendant 'dst' is reached: -1 (errno
 * ENOENT) if 'dst' is not below 'rank'.
 */
int topology_route (const struct topology *topo, int rank, int dst);

/* The subtree at 'rank' as flux-core's topology_get_json_subtree_at makes
 * it: {"rank":N, "size":S, "children":[subtree...]}, size counting 'rank'
 * itself.  Caller must json_decref.  NULL with errno on failure.
 */
json_t *topology_subtree (const struct topology *topo, int rank);

#endif /* !BROKER_TOPOLOGY_H */
