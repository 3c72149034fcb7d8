/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "jpath.h"

static void assert_json (json_t *o, const char *expected)
{
    json_t *want = json_loads (expected, 0, NULL);
    char *got = json_dumps (o, JSON_SORT_KEYS | JSON_COMPACT);

    assert_non_null (want);
    if (!json_equal (o, want))
        fail_msg ("got %s, want %s", got, expected);
    free (got);
    json_decref (want);
}

static void test_get (void **state)
{
    json_t *o = json_loads ("{\"a\":{\"b\":{\"c\":1}},\"s\":\"x\"}", 0, NULL);
    (void)state;

    assert_int_equal (json_integer_value (jpath_get (o, "a.b.c")), 1);
    assert_true (json_is_object (jpath_get (o, "a.b")));
    errno = 0;
    assert_null (jpath_get (o, "a.x"));
    assert_int_equal (errno, ENOENT);
    errno = 0;
    assert_null (jpath_get (o, "s.t"));
    assert_int_equal (errno, ENOENT);
    errno = 0;
    assert_null (jpath_get (o, "a..b"));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (jpath_get (o, ""));
    assert_int_equal (errno, EINVAL);
    json_decref (o);
}

static void test_set_del (void **state)
{
    json_t *o = json_object ();
    (void)state;

    assert_int_equal (jpath_set_new (o, "a.b", json_integer (1)), 0);
    assert_int_equal (jpath_set_new (o, "a.c", json_string ("x")), 0);
    assert_int_equal (jpath_set_new (o, "top", json_true ()), 0);
    assert_json (o, "{\"a\":{\"b\":1,\"c\":\"x\"},\"top\":true}");
    /* A non-object on the way is replaced. */
    assert_int_equal (jpath_set_new (o, "top.x", json_integer (2)), 0);
    assert_json (o, "{\"a\":{\"b\":1,\"c\":\"x\"},\"top\":{\"x\":2}}");
    assert_int_equal (jpath_del (o, "a.b"), 0);
    assert_int_equal (jpath_del (o, "nope.x"), 0);
    assert_json (o, "{\"a\":{\"c\":\"x\"},\"top\":{\"x\":2}}");
    errno = 0;
    assert_int_equal (jpath_set_new (o, "a.", json_integer (3)), -1);
    assert_int_equal (errno, EINVAL);
    json_decref (o);
}

static void test_merge (void **state)
{
    json_t *dst = json_loads ("{\"a\":{\"x\":1,\"y\":2},\"b\":1}", 0, NULL);
    json_t *src = json_loads ("{\"a\":{\"y\":3,\"z\":{\"q\":1}},\"b\":{\"c\":1}}",
                              0, NULL);
    (void)state;

    assert_int_equal (jpath_merge (dst, src), 0);
    assert_json (dst, "{\"a\":{\"x\":1,\"y\":3,\"z\":{\"q\":1}},"
                      "\"b\":{\"c\":1}}");
    /* src's objects were copied: changing dst leaves src alone. */
    assert_int_equal (jpath_set_new (dst, "b.d", json_integer (2)), 0);
    assert_json (src, "{\"a\":{\"y\":3,\"z\":{\"q\":1}},\"b\":{\"c\":1}}");
    errno = 0;
    assert_int_equal (jpath_merge (dst, json_array_get (src, 0)), -1);
    assert_int_equal (errno, EINVAL);
    json_decref (dst);
    json_decref (src);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_get),
        cmocka_unit_test (test_set_del),
        cmocka_unit_test (test_merge),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
