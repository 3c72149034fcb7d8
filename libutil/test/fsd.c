/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fsd.h"

static void test_parse (void **state)
{
    double v;
    (void)state;

    assert_int_equal (fsd_parse ("5", &v), 0);
    assert_true (v == 5.);
    assert_int_equal (fsd_parse ("2.5s", &v), 0);
    assert_true (v == 2.5);
    assert_int_equal (fsd_parse ("250ms", &v), 0);
    assert_true (v == 0.25);
    assert_int_equal (fsd_parse ("1m", &v), 0);
    assert_true (v == 60.);
    assert_int_equal (fsd_parse ("2h", &v), 0);
    assert_true (v == 7200.);
    assert_int_equal (fsd_parse ("1d", &v), 0);
    assert_true (v == 86400.);
    const char *bad[] = { "", "x", "-1", "5x", "1us", "nan", "inf", NULL };
    for (int i = 0; bad[i]; i++) {
        errno = 0;
        assert_int_equal (fsd_parse (bad[i], &v), -1);
        assert_int_equal (errno, EINVAL);
    }
    assert_int_equal (fsd_parse (NULL, &v), -1);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_parse),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
