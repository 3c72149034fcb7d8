/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "pmi_wire.h"

static void test_words (void **state)
{
    char buf[64];
    int n;
    (void)state;

    const char *line = "cmd=get_result rc=0 value={\"uri\":[\"ipc://a b\"],"
                       "\"pubkey\":\"x=y&z\"}";
    assert_int_equal (pmi_wire_get (line, "cmd", buf, sizeof (buf)), 0);
    assert_string_equal (buf, "get_result");
    assert_int_equal (pmi_wire_get_int (line, "rc", &n), 0);
    assert_int_equal (n, 0);
    /* value runs to the end of the line, spaces and '=' included */
    assert_int_equal (pmi_wire_get (line, "value", buf, sizeof (buf)), 0);
    assert_string_equal (buf, "{\"uri\":[\"ipc://a b\"],\"pubkey\":\"x=y&z\"}");
    /* words inside the value are not words of the line */
    errno = 0;
    assert_int_equal (pmi_wire_get (line, "b\"]", buf, sizeof (buf)), -1);
    assert_int_equal (errno, ENOENT);
    /* a key is a whole word: 'c' is not 'cmd' */
    assert_int_equal (pmi_wire_get ("cmd=x", "c", buf, sizeof (buf)), -1);
    /* too long for the buffer */
    errno = 0;
    assert_int_equal (pmi_wire_get ("cmd=init pmi_version=1", "pmi_version",
                                    buf, 1), -1);
    assert_int_equal (errno, EOVERFLOW);
    /* not an integer */
    assert_int_equal (pmi_wire_get_int ("rc=x", "rc", &n), -1);
    assert_int_equal (pmi_wire_get_int ("rc=-1", "rc", &n), 0);
    assert_int_equal (n, -1);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_words),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
