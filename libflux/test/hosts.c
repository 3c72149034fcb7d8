/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for flux_get_hostbyrank / flux_get_rankbyhost, with the
 * "hostlist" attribute put in the handle's cache (no broker).
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

#include "flux/core.h"

static flux_t *with_hostlist (const char *hostlist)
{
    static int n;
    char uri[64];
    flux_t *h;

    snprintf (uri, sizeof (uri), "interthread://test-hosts-%d", n++);
    assert_non_null ((h = flux_open (uri, 0)));
    assert_int_equal (flux_attr_set_cacheonly (h, "hostlist", hostlist), 0);
    return h;
}

static void test_expand (void **state)
{
    flux_t *h = with_hostlist ("login,node[8-10],gpu[01-02,7]x,io[5]");
    static const char *expected[] = {
        "login", "node8", "node9", "node10", "gpu01x", "gpu02x", "gpu7x", /* each range its own width */
        "io5",
    };
    (void)state;

    for (uint32_t i = 0; i < sizeof (expected) / sizeof (expected[0]); i++) {
        assert_string_equal (flux_get_hostbyrank (h, i), expected[i]);
        assert_int_equal (flux_get_rankbyhost (h, expected[i]), (int)i);
    }
    assert_string_equal (flux_get_hostbyrank (h, 8), "(null)");
    assert_string_equal (flux_get_hostbyrank (h, FLUX_NODEID_ANY), "any");
    assert_string_equal (flux_get_hostbyrank (h, FLUX_NODEID_UPSTREAM),
                         "upstream");
    errno = 0;
    assert_int_equal (flux_get_rankbyhost (h, "nowhere"), -1);
    assert_int_equal (errno, ENOENT);
    errno = 0;
    assert_int_equal (flux_get_rankbyhost (h, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_get_rankbyhost (NULL, "login"), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (flux_get_hostbyrank (NULL, 0), "(null)");
    flux_close (h);
}

/* Several brokers on one host: the lowest rank. */
static void test_duplicates (void **state)
{
    flux_t *h = with_hostlist ("a,b,a,b");
    (void)state;

    assert_int_equal (flux_get_rankbyhost (h, "a"), 0);
    assert_int_equal (flux_get_rankbyhost (h, "b"), 1);
    assert_string_equal (flux_get_hostbyrank (h, 2), "a");
    flux_close (h);
}

static void test_bad_hostlist (void **state)
{
    static const char *bad[] = {
        "node[1-", "node[]", "node[3-1]", "node[a]", "a,,b", "x]", "n[1][2]",
        "n[1-2",
    };
    (void)state;

    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        flux_t *h = with_hostlist (bad[i]);
        assert_string_equal (flux_get_hostbyrank (h, 0), "(null)");
        errno = 0;
        assert_int_equal (flux_get_rankbyhost (h, "node1"), -1);
        assert_int_equal (errno, EINVAL);
        flux_close (h);
    }
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_expand),
        cmocka_unit_test (test_duplicates),
        cmocka_unit_test (test_bad_hostlist),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
