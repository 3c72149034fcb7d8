/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "argsplit.h"

static void test_none (void **state)
{
    (void)state;
    const char *inputs[] = { NULL, "", "  \t\n " };
    for (size_t i = 0; i < sizeof (inputs) / sizeof (inputs[0]); i++) {
        int argc = -1;
        char **argv = argsplit (inputs[i], &argc);
        assert_non_null (argv);
        assert_int_equal (argc, 0);
        assert_null (argv[0]);
        free (argv);
    }
}

static void test_words (void **state)
{
    (void)state;
    int argc;
    char **argv = argsplit ("  a bb\tccc\n\nd  ", &argc);

    assert_non_null (argv);
    assert_int_equal (argc, 4);
    assert_string_equal (argv[0], "a");
    assert_string_equal (argv[1], "bb");
    assert_string_equal (argv[2], "ccc");
    assert_string_equal (argv[3], "d");
    assert_null (argv[4]);
    free (argv);
}

/* The most words a string can hold: one character each. */
static void test_most_words (void **state)
{
    (void)state;
    int argc;
    char **argv = argsplit ("a b c d e f g h i j k", &argc);

    assert_non_null (argv);
    assert_int_equal (argc, 11);
    assert_string_equal (argv[10], "k");
    assert_null (argv[11]);
    free (argv);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_none),
        cmocka_unit_test (test_words),
        cmocka_unit_test (test_most_words),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
