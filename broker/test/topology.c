/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: the tree of brokers (topology.h).  The schemes, their rules
 * and their error texts are flux-core's (src/modules/overlay/topology.c,
 * v0.88); the expected trees here are worked out by hand or from the
 * scheme's definition, never by calling the code under test twice.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topology.h"
#include "errno_assert.h"

static struct topology *create (const char *uri, int size, json_t *hosts)
{
    flux_error_t error;
    struct topology *topo = topology_create (uri, size, hosts, &error);
    if (!topo)
        fail_msg ("topology_create %s %d: %s", uri, size, error.text);
    return topo;
}

/* The creation fails with EINVAL and exactly 'text'. */
static void assert_refused (const char *uri, int size, json_t *hosts,
                            const char *text)
{
    flux_error_t error = { .text = "" };

    errno = 0;
    assert_null (topology_create (uri, size, hosts, &error));
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, text);
}

/* Whatever the scheme, the queries agree with the parents: children are
 * the ranks whose parent is r, in order; a level is one more than the
 * parent's; descendants are the children and theirs; a route from r to
 * a rank below it is the child of r on the way up; maxlevel the greatest
 * level.  Also: the descendants of all ranks add up to the levels of all
 * ranks (each rank is below each of its 'level' ancestors).
 */
static void check_consistent (const struct topology *topo)
{
    int size = topology_size (topo);
    int *kids = calloc ((size_t)size, sizeof (int));
    int maxlevel = 0;
    long sum_desc = 0, sum_level = 0;

    assert_non_null (kids);
    assert_int_equal (topology_parent (topo, 0), -1);
    assert_int_equal (topology_level (topo, 0), 0);
    for (int r = 0; r < size; r++) {
        int n = topology_children (topo, r, kids, size);
        int desc = 0;
        int k = 0;

        assert_true (n >= 0);
        for (int i = 1; i < size; i++) {
            if (topology_parent (topo, i) == r)
                assert_int_equal (kids[k++], i);
        }
        assert_int_equal (n, k);
        for (int j = 0; j < n; j++)
            desc += 1 + topology_descendants (topo, kids[j]);
        assert_int_equal (topology_descendants (topo, r), desc);
        if (r > 0) {
            int p = topology_parent (topo, r);
            assert_true (p >= 0 && p < size);
            assert_int_equal (topology_level (topo, r),
                              topology_level (topo, p) + 1);
            assert_int_equal (topology_route (topo, p, r), r);
        }
        assert_fails (topology_route (topo, r, r), ENOENT);
        if (topology_level (topo, r) > maxlevel)
            maxlevel = topology_level (topo, r);
        sum_desc += topology_descendants (topo, r);
        sum_level += topology_level (topo, r);
    }
    assert_int_equal (topology_maxlevel (topo), maxlevel);
    assert_int_equal (sum_desc, sum_level);
    assert_int_equal (topology_descendants (topo, 0), size - 1);
    free (kids);
}

static void test_cornercase (void **state)
{
    struct topology *topo;
    int kids[1];
    (void)state;

    assert_fails (topology_size (NULL), EINVAL);
    assert_fails (topology_parent (NULL, 0), EINVAL);
    assert_fails (topology_children (NULL, 0, NULL, 0), EINVAL);
    assert_fails (topology_level (NULL, 0), EINVAL);
    assert_fails (topology_maxlevel (NULL), EINVAL);
    assert_fails (topology_descendants (NULL, 0), EINVAL);
    assert_fails (topology_route (NULL, 0, 1), EINVAL);
    assert_fails_null (topology_subtree (NULL, 0), EINVAL);
    topology_destroy (NULL);

    /* A NULL error is allowed. */
    errno = 0;
    assert_null (topology_create ("nosuch", 1, NULL, NULL));
    assert_int_equal (errno, EINVAL);

    topo = create ("kary:2", 3, NULL);
    assert_fails (topology_parent (topo, 3), EINVAL);
    assert_fails (topology_parent (topo, -1), EINVAL);
    assert_fails (topology_level (topo, 3), EINVAL);
    assert_fails (topology_descendants (topo, -1), EINVAL);
    assert_fails (topology_children (topo, 3, NULL, 0), EINVAL);
    assert_fails (topology_route (topo, 0, 3), EINVAL);
    assert_fails (topology_route (topo, 3, 1), EINVAL);
    assert_fails_null (topology_subtree (topo, 3), EINVAL);
    /* Two children do not fit in one slot; counting needs none. */
    assert_fails (topology_children (topo, 0, kids, 1), EOVERFLOW);
    assert_int_equal (topology_children (topo, 0, NULL, 0), 2);
    topology_destroy (topo);
}

static void test_errors (void **state)
{
    (void)state;

    assert_refused ("kary:2", 0, NULL, "invalid topology size 0");
    assert_refused ("kary:2", -5, NULL, "invalid topology size -5");
    assert_refused ("nosuch", 1, NULL, "unknown topology scheme 'nosuch'");
    assert_refused ("tree:3", 4, NULL, "unknown topology scheme 'tree'");
    assert_refused ("", 4, NULL, "unknown topology scheme ''");
    assert_refused ("karyx:2", 4, NULL, "unknown topology scheme 'karyx'");
    assert_refused (NULL, 4, NULL, "topology URI is missing");
    static const char *bad_k[] = {
        "kary", "kary:", "kary:x", "kary:-1", "kary:1.5", "kary:2x",
        "kary: 2", "kary:99999999999",
    };
    for (size_t i = 0; i < sizeof (bad_k) / sizeof (bad_k[0]); i++)
        assert_refused (bad_k[i], 4, NULL,
                        "kary k value must be an integer >= 0");
    assert_refused ("mincrit:x", 4, NULL,
                    "mincrit k value must be an integer >= 0");
    assert_refused ("mincrit:-2", 4, NULL,
                    "mincrit k value must be an integer >= 0");
    assert_refused ("binomial:3", 4, NULL,
                    "unknown binomial topology directive: '3'");
    assert_refused ("custom:x", 4, NULL,
                    "unknown custom topology directive: 'x'");
}

/* kary:K at the sizes the broker will meet, against the rule itself. */
static void test_kary (void **state)
{
    static const int sizes[] = { 1, 2, 7, 33, 1000 };
    static const int ks[] = { 1, 2, 3, 32 };
    char uri[32];
    (void)state;

    for (size_t s = 0; s < sizeof (sizes) / sizeof (sizes[0]); s++) {
        for (size_t j = 0; j < sizeof (ks) / sizeof (ks[0]); j++) {
            struct topology *topo;
            snprintf (uri, sizeof (uri), "kary:%d", ks[j]);
            topo = create (uri, sizes[s], NULL);
            assert_int_equal (topology_size (topo), sizes[s]);
            for (int i = 1; i < sizes[s]; i++)
                assert_int_equal (topology_parent (topo, i), (i - 1) / ks[j]);
            check_consistent (topo);
            topology_destroy (topo);
        }
    }
}

static void test_kary_values (void **state)
{
    struct topology *topo;
    int kids[4];
    (void)state;

    /* 0; 1 2; 3 4 5 6 */
    topo = create ("kary:2", 7, NULL);
    assert_int_equal (topology_children (topo, 0, kids, 4), 2);
    assert_int_equal (kids[0], 1);
    assert_int_equal (kids[1], 2);
    assert_int_equal (topology_children (topo, 2, kids, 4), 2);
    assert_int_equal (kids[0], 5);
    assert_int_equal (kids[1], 6);
    assert_int_equal (topology_children (topo, 3, kids, 4), 0);
    assert_int_equal (topology_level (topo, 2), 1);
    assert_int_equal (topology_level (topo, 3), 2);
    assert_int_equal (topology_maxlevel (topo), 2);
    assert_int_equal (topology_descendants (topo, 0), 6);
    assert_int_equal (topology_descendants (topo, 1), 2);
    assert_int_equal (topology_descendants (topo, 6), 0);
    assert_int_equal (topology_route (topo, 0, 6), 2);
    assert_int_equal (topology_route (topo, 0, 3), 1);
    assert_int_equal (topology_route (topo, 1, 4), 4);
    assert_fails (topology_route (topo, 1, 5), ENOENT);
    assert_fails (topology_route (topo, 3, 0), ENOENT);
    assert_fails (topology_route (topo, 3, 1), ENOENT);
    topology_destroy (topo);

    /* 2^9 <= 1000 < 2^10: ranks 511..999 are at level 9. */
    topo = create ("kary:2", 1000, NULL);
    assert_int_equal (topology_maxlevel (topo), 9);
    assert_int_equal (topology_level (topo, 510), 8);
    assert_int_equal (topology_level (topo, 511), 9);
    assert_int_equal (topology_level (topo, 999), 9);
    assert_int_equal (topology_parent (topo, 999), 499);
    /* Below 1: 3 4, 7..10, 15..22, ... half of each full level below
     * it (2+4+...+128 = 254) and of level 9: 511..766 (256 of 489).
     * 999 goes up 499 249 124 61 30 14 6 2.
     */
    assert_int_equal (topology_descendants (topo, 1), 254 + 256);
    assert_int_equal (topology_descendants (topo, 2), 254 + 489 - 256);
    assert_int_equal (topology_route (topo, 0, 999), 2);
    assert_fails (topology_route (topo, 1, 999), ENOENT);
    assert_int_equal (topology_route (topo, 2, 999), 6);
    assert_int_equal (topology_route (topo, 6, 999), 14);
    topology_destroy (topo);

    /* kary:32: 1..32 under 0, 33..1000 under them. */
    topo = create ("kary:32", 1000, NULL);
    assert_int_equal (topology_maxlevel (topo), 2);
    assert_int_equal (topology_children (topo, 0, NULL, 0), 32);
    assert_int_equal (topology_children (topo, 1, NULL, 0), 32);
    assert_int_equal (topology_parent (topo, 33), 1);
    assert_int_equal (topology_parent (topo, 999), 31);
    /* 31 has 999 - 993 + 1 = 7 children (993..999); 32 has none. */
    assert_int_equal (topology_descendants (topo, 31), 7);
    assert_int_equal (topology_descendants (topo, 32), 0);
    assert_int_equal (topology_route (topo, 0, 999), 31);
    topology_destroy (topo);

    topo = create ("kary:32", 33, NULL);
    assert_int_equal (topology_maxlevel (topo), 1);
    assert_int_equal (topology_children (topo, 0, NULL, 0), 32);
    topology_destroy (topo);

    topo = create ("kary:32", 1, NULL);
    assert_int_equal (topology_maxlevel (topo), 0);
    assert_int_equal (topology_descendants (topo, 0), 0);
    assert_int_equal (topology_children (topo, 0, NULL, 0), 0);
    topology_destroy (topo);

    /* kary:1 is a chain. */
    topo = create ("kary:1", 33, NULL);
    assert_int_equal (topology_maxlevel (topo), 32);
    assert_int_equal (topology_route (topo, 0, 32), 1);
    assert_int_equal (topology_descendants (topo, 30), 2);
    topology_destroy (topo);
}

/* Flat trees: kary:0, and custom or mincrit where they say so. */
static void test_flat (void **state)
{
    static const char *uris[] = { "kary:0", "custom", "mincrit:0", "mincrit" };
    static const int sizes[] = { 1, 2, 7, 33, 1000 };
    (void)state;

    for (size_t u = 0; u < sizeof (uris) / sizeof (uris[0]); u++) {
        for (size_t s = 0; s < sizeof (sizes) / sizeof (sizes[0]); s++) {
            struct topology *topo = create (uris[u], sizes[s], NULL);
            for (int i = 1; i < sizes[s]; i++) {
                assert_int_equal (topology_parent (topo, i), 0);
                assert_int_equal (topology_level (topo, i), 1);
                assert_int_equal (topology_descendants (topo, i), 0);
                assert_int_equal (topology_route (topo, 0, i), i);
            }
            assert_int_equal (topology_maxlevel (topo), sizes[s] > 1 ? 1 : 0);
            assert_int_equal (topology_children (topo, 0, NULL, 0),
                              sizes[s] - 1);
            check_consistent (topo);
            topology_destroy (topo);
        }
    }
}

static void test_binomial (void **state)
{
    /* Order 3: 1, 2 (3), 4 (5, 6 (7)). */
    static const int parent8[] = { -1, 0, 0, 2, 0, 4, 4, 6 };
    static const int sizes[] = { 1, 2, 7, 8, 33, 1000 };
    struct topology *topo;
    (void)state;

    for (int size = 1; size <= 8; size++) {
        topo = create ("binomial", size, NULL);
        for (int i = 0; i < size; i++)
            assert_int_equal (topology_parent (topo, i), parent8[i]);
        topology_destroy (topo);
    }
    topo = create ("binomial", 8, NULL);
    assert_int_equal (topology_maxlevel (topo), 3);
    assert_int_equal (topology_descendants (topo, 4), 3);
    assert_int_equal (topology_route (topo, 0, 7), 4);
    topology_destroy (topo);
    /* Rank i's parent is i with its lowest set bit cleared. */
    for (size_t s = 0; s < sizeof (sizes) / sizeof (sizes[0]); s++) {
        topo = create ("binomial:", sizes[s], NULL);
        for (int i = 1; i < sizes[s]; i++)
            assert_int_equal (topology_parent (topo, i), i & (i - 1));
        check_consistent (topo);
        topology_destroy (topo);
    }
    topo = create ("binomial", 1000, NULL);
    assert_int_equal (topology_maxlevel (topo), 9); /* 511 = 9 bits */
    assert_int_equal (topology_children (topo, 0, NULL, 0), 10);
    topology_destroy (topo);
}

static void test_mincrit (void **state)
{
    struct topology *topo;
    (void)state;

    /* 2 routers, leaves dealt in turn: 3 4 5 6 7 8 9 -> 1 2 1 2 1 2 1. */
    topo = create ("mincrit:2", 10, NULL);
    assert_int_equal (topology_parent (topo, 1), 0);
    assert_int_equal (topology_parent (topo, 2), 0);
    for (int i = 3; i < 10; i++)
        assert_int_equal (topology_parent (topo, i), i % 2 == 1 ? 1 : 2);
    assert_int_equal (topology_maxlevel (topo), 2);
    assert_int_equal (topology_descendants (topo, 1), 4);
    assert_int_equal (topology_descendants (topo, 2), 3);
    check_consistent (topo);
    topology_destroy (topo);

    /* More routers than ranks: all under 0. */
    topo = create ("mincrit:50", 7, NULL);
    assert_int_equal (topology_maxlevel (topo), 1);
    topology_destroy (topo);

    /* Chosen k: flat up to 1025 ranks (1024 for rank 0 to serve)... */
    topo = create ("mincrit", 1025, NULL);
    assert_int_equal (topology_maxlevel (topo), 1);
    topology_destroy (topo);
    /* ...then 2 routers for 1026 (1023 leaves, 512 per router at most). */
    topo = create ("mincrit", 1026, NULL);
    assert_int_equal (topology_children (topo, 0, NULL, 0), 2);
    assert_int_equal (topology_descendants (topo, 1), 512);
    assert_int_equal (topology_descendants (topo, 2), 511);
    assert_int_equal (topology_maxlevel (topo), 2);
    topology_destroy (topo);
    /* 3 routers once 2 cannot hold the leaves within 1024 each. */
    topo = create ("mincrit", 2052, NULL);
    assert_int_equal (topology_children (topo, 0, NULL, 0), 3);
    check_consistent (topo);
    topology_destroy (topo);
}

/* {"host": name, "parent": parent} or, for parent NULL, {"host": name}. */
static json_t *hosts_array (const char *const pairs[][2], int n)
{
    json_t *a = json_array ();
    assert_non_null (a);
    for (int i = 0; i < n; i++) {
        json_t *o = pairs[i][1]
            ? json_pack ("{s:s s:s}", "host", pairs[i][0],
                         "parent", pairs[i][1])
            : json_pack ("{s:s}", "host", pairs[i][0]);
        assert_non_null (o);
        assert_int_equal (json_array_append_new (a, o), 0);
    }
    return a;
}

/* assert_refused with a [bootstrap] hosts array made of 'pairs'. */
static void assert_hosts_refused (const char *const pairs[][2], int n,
                                  const char *text)
{
    json_t *hosts = hosts_array (pairs, n);

    assert_refused ("custom", n, hosts, text);
    json_decref (hosts);
}

static void test_custom (void **state)
{
    static const char *const tree[][2] = {
        { "a", NULL }, { "b", "a" }, { "c", "b" }, { "d", NULL },
        { "e", "c" }, { "f", "d" },
    };
    json_t *hosts = hosts_array (tree, 6);
    struct topology *topo = create ("custom", 6, hosts);
    static const int parents[] = { -1, 0, 1, 0, 2, 3 };
    (void)state;

    for (int i = 0; i < 6; i++)
        assert_int_equal (topology_parent (topo, i), parents[i]);
    assert_int_equal (topology_maxlevel (topo), 3);
    assert_int_equal (topology_level (topo, 4), 3);
    assert_int_equal (topology_descendants (topo, 1), 2);
    assert_int_equal (topology_route (topo, 0, 4), 1);
    assert_int_equal (topology_route (topo, 3, 5), 5);
    check_consistent (topo);
    topology_destroy (topo);
    /* The hosts array is borrowed: still ours, unchanged. */
    assert_int_equal (hosts->refcount, 1);
    json_decref (hosts);

    /* A parent later in the array than its child is fine. */
    static const char *const later[][2] = {
        { "a", NULL }, { "b", "c" }, { "c", NULL },
    };
    hosts = hosts_array (later, 3);
    topo = create ("custom", 3, hosts);
    assert_int_equal (topology_parent (topo, 1), 2);
    assert_int_equal (topology_parent (topo, 2), 0);
    topology_destroy (topo);
    json_decref (hosts);
}

static void test_custom_errors (void **state)
{
    json_t *hosts;
    (void)state;

    static const char *const root[][2] = { { "a", "b" }, { "b", NULL } };
    assert_hosts_refused (root, 2, "Config file [bootstrap] hosts:"
                          " rank 0 (a) may not have a parent in a tree"
                          " topology");

    static const char *const unknown[][2] = { { "a", NULL }, { "b", "zz" } };
    hosts = hosts_array (unknown, 2);
    assert_refused ("custom", 2, hosts, "Config file [bootstrap] hosts:"
                    " invalid parent \"zz\" for b (rank 1)");
    assert_refused ("custom", 3, hosts,
                    "topology size does not match host array size");
    assert_refused ("custom", 1, hosts,
                    "topology size does not match host array size");
    json_decref (hosts);

    static const char *const self[][2] = {
        { "a", NULL }, { "b", NULL }, { "c", "c" },
    };
    assert_hosts_refused (self, 3, "Config file [bootstrap] hosts:"
                          " parent \"c\" for c (rank 2) violates rule"
                          " against cycles");

    static const char *const two[][2] = {
        { "a", NULL }, { "b", "c" }, { "c", "b" },
    };
    assert_hosts_refused (two, 3, "Config file [bootstrap] hosts:"
                          " parent \"b\" for c (rank 2) violates rule"
                          " against cycles");

    /* b -> c -> d -> e -> b: the edge that closes it is refused. */
    static const char *const four[][2] = {
        { "a", NULL }, { "b", "c" }, { "c", "d" }, { "d", "e" },
        { "e", "b" }, { "f", "a" },
    };
    assert_hosts_refused (four, 6, "Config file [bootstrap] hosts:"
                          " parent \"b\" for e (rank 4) violates rule"
                          " against cycles");

    hosts = json_object ();
    assert_refused ("custom", 1, hosts, "hosts must be an array");
    json_decref (hosts);
}

static void assert_json (json_t *o, const char *expected)
{
    json_t *e = json_loads (expected, 0, NULL);
    char *s = json_dumps (o, JSON_SORT_KEYS | JSON_COMPACT);

    assert_non_null (e);
    assert_non_null (o);
    if (!json_equal (o, e))
        fail_msg ("got %s, expected %s", s, expected);
    free (s);
    json_decref (e);
}

static void test_subtree (void **state)
{
    struct topology *topo = create ("kary:2", 5, NULL);
    json_t *o;
    (void)state;

    o = topology_subtree (topo, 0);
    assert_json (o, "{\"rank\":0,\"size\":5,\"children\":["
                 "{\"rank\":1,\"size\":3,\"children\":["
                 "{\"rank\":3,\"size\":1,\"children\":[]},"
                 "{\"rank\":4,\"size\":1,\"children\":[]}]},"
                 "{\"rank\":2,\"size\":1,\"children\":[]}]}");
    json_decref (o);
    o = topology_subtree (topo, 1);
    assert_json (o, "{\"rank\":1,\"size\":3,\"children\":["
                 "{\"rank\":3,\"size\":1,\"children\":[]},"
                 "{\"rank\":4,\"size\":1,\"children\":[]}]}");
    json_decref (o);
    o = topology_subtree (topo, 4);
    assert_json (o, "{\"rank\":4,\"size\":1,\"children\":[]}");
    json_decref (o);
    topology_destroy (topo);

    topo = create ("kary:32", 1, NULL);
    o = topology_subtree (topo, 0);
    assert_json (o, "{\"rank\":0,\"size\":1,\"children\":[]}");
    json_decref (o);
    topology_destroy (topo);

    /* A large tree: the sizes of the children add up. */
    topo = create ("kary:2", 1000, NULL);
    o = topology_subtree (topo, 0);
    assert_non_null (o);
    assert_int_equal (json_integer_value (json_object_get (o, "size")), 1000);
    json_t *kids = json_object_get (o, "children");
    assert_int_equal (json_array_size (kids), 2);
    assert_int_equal (json_integer_value (json_object_get (
                          json_array_get (kids, 0), "size")), 1 + 510);
    assert_int_equal (json_integer_value (json_object_get (
                          json_array_get (kids, 1), "size")), 1 + 487);
    json_decref (o);
    topology_destroy (topo);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_errors),
        cmocka_unit_test (test_kary),
        cmocka_unit_test (test_kary_values),
        cmocka_unit_test (test_flat),
        cmocka_unit_test (test_binomial),
        cmocka_unit_test (test_mincrit),
        cmocka_unit_test (test_custom),
        cmocka_unit_test (test_custom_errors),
        cmocka_unit_test (test_subtree),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
