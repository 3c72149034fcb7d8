/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests of strmap, the broker's look-up by name or uuid: insert,
 * lookup by a prefix's length, the newest of a key inserted twice,
 * remove of one entry, growth past many buckets, errno.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strmap.h"
#include "errno_assert.h"

static void test_invalid (void **state)
{
    (void)state;
    struct strmap *map = strmap_create ();
    int x;

    assert_non_null (map);
    assert_fails (strmap_insert (NULL, "a", &x), EINVAL);
    assert_fails (strmap_insert (map, NULL, &x), EINVAL);
    assert_fails (strmap_remove (NULL, "a", &x), EINVAL);
    assert_fails (strmap_remove (map, "a", &x), ENOENT);
    assert_null (strmap_lookup (NULL, "a", 1));
    assert_null (strmap_lookup (map, NULL, 1));
    assert_int_equal (strmap_count (NULL), 0);
    strmap_destroy (map);
    strmap_destroy (NULL);
}

static void test_lookup_by_prefix (void **state)
{
    (void)state;
    struct strmap *map = strmap_create ();
    int kvs, kv;

    assert_int_equal (strmap_insert (map, "kvs", &kvs), 0);
    assert_int_equal (strmap_insert (map, "kv", &kv), 0);
    /* A topic's first word, as the router looks a service up. */
    assert_ptr_equal (strmap_lookup (map, "kvs.lookup", 3), &kvs);
    assert_ptr_equal (strmap_lookup (map, "kvs.lookup", 2), &kv);
    assert_null (strmap_lookup (map, "kvs.lookup", 1));
    assert_null (strmap_lookup (map, "kvs.lookup", 4));
    assert_null (strmap_lookup (map, "", 0));
    assert_int_equal (strmap_count (map), 2);
    strmap_destroy (map);
}

static void test_newest_and_remove (void **state)
{
    (void)state;
    struct strmap *map = strmap_create ();
    int a, b;

    assert_int_equal (strmap_insert (map, "uuid", &a), 0);
    assert_int_equal (strmap_insert (map, "uuid", &b), 0);
    assert_ptr_equal (strmap_lookup (map, "uuid", 4), &b);
    /* Removing the older leaves the newer; removing that, none. */
    assert_int_equal (strmap_remove (map, "uuid", &a), 0);
    assert_ptr_equal (strmap_lookup (map, "uuid", 4), &b);
    assert_fails (strmap_remove (map, "uuid", &a), ENOENT);
    assert_int_equal (strmap_remove (map, "uuid", &b), 0);
    assert_null (strmap_lookup (map, "uuid", 4));
    assert_int_equal (strmap_count (map), 0);
    strmap_destroy (map);
}

/* 20,000 keys: many doublings, every one found, half removed. */
static void test_many (void **state)
{
    (void)state;
    enum { N = 20000 };
    static char keys[N][16];
    struct strmap *map = strmap_create ();

    for (int i = 0; i < N; i++) {
        snprintf (keys[i], sizeof (keys[i]), "m%d", i);
        assert_int_equal (strmap_insert (map, keys[i], keys[i]), 0);
    }
    assert_int_equal (strmap_count (map), N);
    for (int i = 0; i < N; i++)
        assert_ptr_equal (strmap_lookup (map, keys[i], strlen (keys[i])),
                          keys[i]);
    for (int i = 0; i < N; i += 2)
        assert_int_equal (strmap_remove (map, keys[i], keys[i]), 0);
    for (int i = 0; i < N; i++) {
        void *v = strmap_lookup (map, keys[i], strlen (keys[i]));
        if (i % 2)
            assert_ptr_equal (v, keys[i]);
        else
            assert_null (v);
    }
    assert_int_equal (strmap_count (map), N / 2);
    strmap_destroy (map);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_invalid),
        cmocka_unit_test (test_lookup_by_prefix),
        cmocka_unit_test (test_newest_and_remove),
        cmocka_unit_test (test_many),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
