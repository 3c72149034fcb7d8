/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The tree of brokers as an array of parents.
 *
 * An instance of 'size' brokers is a tree rooted at rank 0, and all that
 * defines it is each rank's parent: one int per rank, in the one
 * allocation that also holds the tree.  Every query (children, level,
 * descendants, routes, the JSON subtree) walks that array, so there is
 * nothing else to keep consistent.  The sizes are those of an instance
 * (thousands of ranks), where O(size) per query is cheap and the broker
 * asks once at start-up.
 *
 * The schemes and their rules are flux-core's (src/modules/overlay/
 * topology.c of v0.88), and so are the error texts, so that a user sees
 * the same refusal from either broker.  Every rank starts as a child of
 * rank 0, so a scheme sets only the parents that differ.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "errprintf.h"
#include "topology.h"

struct topology {
    int size;
    int parent[];       /* parent[0] is -1 */
};

typedef int (*scheme_init_f)(struct topology *topo, const char *arg,
                             json_t *hosts, flux_error_t *error);

/* K of "kary:K" and "mincrit:K": decimal digits only, up to INT_MAX.
 * N.B. flux-core's strtoul also takes "-1" (and wraps it to a flat tree);
 * a sign here is refused as flux-core's text says it should be.
 */
static int parse_k (const char *s, int *kp)
{
    long long v = 0;

    if (!s || *s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return -1;
    }
    *kp = (int)v;
    return 0;
}

static int kary_init (struct topology *topo, const char *arg,
                      json_t *hosts, flux_error_t *error)
{
    int k;

    (void)hosts;
    if (parse_k (arg, &k) < 0)
        return errprintf (error, "kary k value must be an integer >= 0");
    if (k > 0) {
        for (int i = 1; i < topo->size; i++)
            topo->parent[i] = (i - 1) / k;
    }
    return 0;
}

/* The fanout from k routers to the leaves that remain. */
static int mincrit_fanout (int size, int k)
{
    int leaves = size - 1 - k;
    return leaves / k + (leaves % k > 0 ? 1 : 0);
}

/* flux-core's choice: flat while rank 0 alone can serve every rank within
 * max_fanout, else the fewest routers (at least 2: one would only move
 * rank 0's work to rank 1) that keep each router's fanout within it.
 */
static int mincrit_choose_k (int size, int max_fanout)
{
    int k = 0;

    if (size > max_fanout + 1) {
        k = 2;
        while (mincrit_fanout (size, k) > max_fanout)
            k++;
    }
    return k;
}

/* Rank 0, then routers 1..k (children of 0), then the leaves dealt to
 * the routers in turn: at most three levels.
 */
static int mincrit_init (struct topology *topo, const char *arg,
                         json_t *hosts, flux_error_t *error)
{
    int k;

    (void)hosts;
    if (arg && *arg != '\0') {
        if (parse_k (arg, &k) < 0)
            return errprintf (error,
                              "mincrit k value must be an integer >= 0");
    }
    else
        k = mincrit_choose_k (topo->size, 1024);
    if (k > 0) {
        for (int i = k + 1; i < topo->size; i++)
            topo->parent[i] = (i - k - 1) % k + 1;
    }
    return 0;
}

/* The binomial tree of order k at 'root': its children are root + 2^j for
 * j < k, each the root of a tree of order j (cut at size).
 */
static void binomial_generate (struct topology *topo, int root, int k)
{
    for (int j = 0; j < k; j++) {
        long child = (long)root + (1L << j);
        if (child < topo->size) {
            topo->parent[child] = root;
            binomial_generate (topo, (int)child, j);
        }
    }
}

static int binomial_init (struct topology *topo, const char *arg,
                          json_t *hosts, flux_error_t *error)
{
    int k = 0;

    (void)hosts;
    if (arg && *arg != '\0')
        return errprintf (error, "unknown binomial topology directive: '%s'",
                          arg);
    while ((1L << k) < topo->size)
        k++;
    binomial_generate (topo, 0, k);
    return 0;
}

/* True if 'rank' is below 'ancestor' in the tree as set so far. */
static bool is_below (const struct topology *topo, int rank, int ancestor)
{
    while ((rank = topo->parent[rank]) >= 0) {
        if (rank == ancestor)
            return true;
    }
    return false;
}

static int host_rank (json_t *hosts, const char *name)
{
    size_t index;
    json_t *entry;
    const char *host;

    json_array_foreach (hosts, index, entry) {
        if (json_unpack (entry, "{s:s}", "host", &host) == 0
            && strcmp (host, name) == 0)
            return (int)index;
    }
    return -1;
}

/* Parents named per host, in rank order.  N.B. every rank starts under
 * rank 0 and each parent is checked against the parents set before it,
 * so the edge that would close a cycle is the one refused.
 */
static int custom_init (struct topology *topo, const char *arg,
                        json_t *hosts, flux_error_t *error)
{
    size_t rank;
    json_t *entry;
    const char *host;
    const char *parent;
    int prank;

    if (arg && *arg != '\0')
        return errprintf (error, "unknown custom topology directive: '%s'",
                          arg);
    if (!hosts)
        return 0;
    if (!json_is_array (hosts))
        return errprintf (error, "hosts must be an array");
    /* N.B. flux-core refuses only an entry with a parent beyond size;
     * any other mismatch is refused here too, with its text.
     */
    if (json_array_size (hosts) != (size_t)topo->size)
        return errprintf (error, "topology size does not match host array"
                          " size");
    json_array_foreach (hosts, rank, entry) {
        if (json_unpack (entry, "{s:s s:s}", "host", &host,
                         "parent", &parent) < 0)
            continue;
        if (rank == 0)
            return errprintf (error, "Config file [bootstrap] hosts: rank 0"
                              " (%s) may not have a parent in a tree"
                              " topology", host);
        if ((prank = host_rank (hosts, parent)) < 0)
            return errprintf (error, "Config file [bootstrap] hosts: invalid"
                              " parent \"%s\" for %s (rank %zu)",
                              parent, host, rank);
        if ((size_t)prank == rank || is_below (topo, prank, (int)rank))
            return errprintf (error, "Config file [bootstrap] hosts: parent"
                              " \"%s\" for %s (rank %zu) violates rule"
                              " against cycles", parent, host, rank);
        topo->parent[rank] = prank;
    }
    return 0;
}

static const struct {
    const char *name;
    scheme_init_f init;
} schemes[] = {
    { "kary", kary_init },
    { "mincrit", mincrit_init },
    { "binomial", binomial_init },
    { "custom", custom_init },
};

void topology_destroy (struct topology *topo)
{
    int saved_errno = errno;
    free (topo);
    errno = saved_errno;
}

struct topology *topology_create (const char *uri, int size, json_t *hosts,
                                  flux_error_t *error)
{
    struct topology *topo = NULL;
    const char *colon;
    size_t len;
    scheme_init_f init = NULL;

    if (!uri) {
        errprintf (error, "topology URI is missing");
        goto inval;
    }
    if (size < 1) {
        errprintf (error, "invalid topology size %d", size);
        goto inval;
    }
    len = (colon = strchr (uri, ':')) ? (size_t)(colon - uri) : strlen (uri);
    for (size_t i = 0; i < sizeof (schemes) / sizeof (schemes[0]); i++) {
        if (strlen (schemes[i].name) == len
            && strncmp (schemes[i].name, uri, len) == 0)
            init = schemes[i].init;
    }
    if (!init) {
        errprintf (error, "unknown topology scheme '%.*s'", (int)len, uri);
        goto inval;
    }
    if (!(topo = calloc (1, sizeof (*topo) + sizeof (int) * (size_t)size))) {
        errprintf (error, "out of memory");
        return NULL;
    }
    topo->size = size;
    topo->parent[0] = -1;
    if (init (topo, colon ? colon + 1 : NULL, hosts, error) < 0)
        goto inval;
    return topo;
inval:
    topology_destroy (topo);
    errno = EINVAL;
    return NULL;
}

static bool valid (const struct topology *topo, int rank)
{
    if (!topo || rank < 0 || rank >= topo->size) {
        errno = EINVAL;
        return false;
    }
    return true;
}

int topology_size (const struct topology *topo)
{
    if (!topo) {
        errno = EINVAL;
        return -1;
    }
    return topo->size;
}

int topology_parent (const struct topology *topo, int rank)
{
    if (!valid (topo, rank))
        return -1;
    return topo->parent[rank];
}

int topology_children (const struct topology *topo, int rank,
                       int *children, int len)
{
    int count = 0;

    if (!valid (topo, rank))
        return -1;
    for (int i = 1; i < topo->size; i++) {
        if (topo->parent[i] != rank)
            continue;
        if (children) {
            if (count >= len) {
                errno = EOVERFLOW;
                return -1;
            }
            children[count] = i;
        }
        count++;
    }
    return count;
}

int topology_level (const struct topology *topo, int rank)
{
    int level = 0;

    if (!valid (topo, rank))
        return -1;
    while ((rank = topo->parent[rank]) >= 0)
        level++;
    return level;
}

int topology_maxlevel (const struct topology *topo)
{
    int max = 0;

    if (!topo) {
        errno = EINVAL;
        return -1;
    }
    for (int i = 1; i < topo->size; i++) {
        int level = topology_level (topo, i);
        if (level > max)
            max = level;
    }
    return max;
}

int topology_descendants (const struct topology *topo, int rank)
{
    int count = 0;

    if (!valid (topo, rank))
        return -1;
    for (int i = 1; i < topo->size; i++) {
        if (is_below (topo, i, rank))
            count++;
    }
    return count;
}

int topology_route (const struct topology *topo, int rank, int dst)
{
    if (!valid (topo, rank) || !valid (topo, dst))
        return -1;
    for (int d = dst; topo->parent[d] >= 0; d = topo->parent[d]) {
        if (topo->parent[d] == rank)
            return d;
    }
    errno = ENOENT;
    return -1;
}

json_t *topology_subtree (const struct topology *topo, int rank)
{
    json_t *children;
    json_t *o;

    if (!valid (topo, rank))
        return NULL;
    if (!(children = json_array ()))
        goto nomem;
    for (int i = 1; i < topo->size; i++) {
        json_t *child;
        if (topo->parent[i] != rank)
            continue;
        if (!(child = topology_subtree (topo, i))) {
            json_decref (children);
            return NULL;
        }
        if (json_array_append_new (children, child) < 0) {
            json_decref (children);
            goto nomem;
        }
    }
    o = json_pack ("{s:i s:i s:O}", "rank", rank,
                   "size", topology_descendants (topo, rank) + 1,
                   "children", children);
    json_decref (children);
    if (!o)
        goto nomem;
    return o;
nomem:
    errno = ENOMEM;
    return NULL;
}
