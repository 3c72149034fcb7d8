/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <jansson.h>

#include "hostlist.h"

static void check (const char *json, const char *want)
{
    json_t *hosts = json_loads (json, 0, NULL);
    char *s;

    assert_non_null (hosts);
    assert_non_null ((s = hostlist_encode (hosts)));
    assert_string_equal (s, want);
    free (s);
    json_decref (hosts);
}

static void test_encode (void **state)
{
    (void)state;
    check ("[]", "");
    check ("[\"vm\"]", "vm");
    check ("[\"vm\",\"vm\",\"vm\"]", "vm,vm,vm");
    check ("[\"fake0\",\"fake1\",\"fake2\",\"fake3\"]", "fake[0-3]");
    check ("[\"fake0\",\"fake2\"]", "fake0,fake2");
    check ("[\"n08\",\"n09\",\"n10\"]", "n[08-10]");
    check ("[\"a1\",\"b2\",\"b3\",\"c\"]", "a1,b[2-3],c");
    check ("[\"n9\",\"n10\"]", "n[9-10]");
    json_t *bad = json_pack ("[i]", 1);
    assert_null (hostlist_encode (bad));
    json_decref (bad);
}

static void test_decode (void **state)
{
    json_t *hosts;
    char *s;
    (void)state;

    assert_non_null ((hosts = hostlist_decode ("fake[0-2],n[08-10],x")));
    assert_int_equal (json_array_size (hosts), 7);
    assert_string_equal (json_string_value (json_array_get (hosts, 3)), "n08");
    assert_non_null ((s = hostlist_encode (hosts)));
    assert_string_equal (s, "fake[0-2],n[08-10],x");
    free (s);
    json_decref (hosts);
    assert_null (hostlist_decode ("a[1-"));
    assert_null (hostlist_decode ("a]"));
    assert_null (hostlist_decode (NULL));
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_encode),
        cmocka_unit_test (test_decode),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
