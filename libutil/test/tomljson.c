/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "tomljson.h"

static json_t *parse (const char *s, struct tomljson_error *error)
{
    return tomljson_parse_string (s, strlen (s), error);
}

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

static void test_types (void **state)
{
    struct tomljson_error error;
    json_t *o;
    (void)state;

    o = parse ("s = \"x\"\n"
               "i = 42\n"
               "f = 1.5\n"
               "b = true\n"
               "a = [1, \"two\", [3]]\n"
               "[t.u]\n"
               "k = -1\n"
               "[[arr]]\n"
               "n = 1\n"
               "[[arr]]\n"
               "n = 2\n",
               &error);
    assert_non_null (o);
    assert_json (o, "{\"s\":\"x\",\"i\":42,\"f\":1.5,\"b\":true,"
                    "\"a\":[1,\"two\",[3]],\"t\":{\"u\":{\"k\":-1}},"
                    "\"arr\":[{\"n\":1},{\"n\":2}]}");
    json_decref (o);
}

/* flux-core's form: {"iso-8601-ts": UTC, whole seconds}. */
static void test_datetime (void **state)
{
    struct tomljson_error error;
    json_t *o;
    (void)state;

    o = parse ("z = 1979-05-27T07:32:00Z\n"
               "off = 1979-05-27T00:32:00-07:00\n"
               "local = 1979-05-27T07:32:00.999\n", &error);
    assert_non_null (o);
    assert_json (o, "{\"z\":{\"iso-8601-ts\":\"1979-05-27T07:32:00Z\"},"
                    "\"off\":{\"iso-8601-ts\":\"1979-05-27T07:32:00Z\"},"
                    "\"local\":{\"iso-8601-ts\":\"1979-05-27T07:32:00Z\"}}");
    json_decref (o);

    errno = 0;
    assert_null (parse ("a = 1\nd = 1979-05-27\n", &error));
    assert_int_equal (errno, EINVAL);
    assert_int_equal (error.line, 2);
    assert_non_null (strstr (error.text, "local date"));

    assert_null (parse ("t = 07:32:00\n", &error));
    assert_int_equal (error.line, 1);

    assert_null (parse ("x = nan\n", &error));
    assert_non_null (strstr (error.text, "nan"));
}

static void test_syntax_error (void **state)
{
    struct tomljson_error error;
    (void)state;

    errno = 0;
    assert_null (parse ("[a]\nb = 1\nbad-toml\n", &error));
    assert_int_equal (errno, EINVAL);
    assert_int_equal (error.line, 3);
    assert_true (error.column > 0);
    assert_string_equal (error.filename, "");
    assert_true (strlen (error.text) > 0);

    /* A key set twice is an error in TOML itself. */
    assert_null (parse ("a = 1\na = 2\n", &error));
    assert_int_equal (error.line, 2);
}

static void test_file (void **state)
{
    struct tomljson_error error;
    char path[] = "/tmp/tomljson-XXXXXX";
    int fd = mkstemp (path);
    FILE *f;
    json_t *o;
    (void)state;

    assert_true (fd >= 0);
    assert_non_null ((f = fdopen (fd, "w")));
    fprintf (f, "[x]\ny = \"z\"\n\n= 3\n");
    fclose (f);
    assert_null (tomljson_parse_file (path, &error));
    assert_string_equal (error.filename, path);
    assert_int_equal (error.line, 4);

    assert_non_null ((f = fopen (path, "w")));
    fprintf (f, "[x]\ny = \"z\"\n");
    fclose (f);
    assert_non_null ((o = tomljson_parse_file (path, &error)));
    assert_json (o, "{\"x\":{\"y\":\"z\"}}");
    json_decref (o);
    unlink (path);

    errno = 0;
    assert_null (tomljson_parse_file (path, &error));
    assert_int_equal (errno, ENOENT);
    assert_int_equal (error.line, -1);
    assert_string_equal (error.text, strerror (ENOENT));

    errno = 0;
    assert_null (tomljson_parse_file (NULL, &error));
    assert_int_equal (errno, EINVAL);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_types),
        cmocka_unit_test (test_datetime),
        cmocka_unit_test (test_syntax_error),
        cmocka_unit_test (test_file),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
