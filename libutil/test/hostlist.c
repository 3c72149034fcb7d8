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

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_encode),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
