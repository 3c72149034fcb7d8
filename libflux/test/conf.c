/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for flux_conf_t and the config cached on a handle. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "flux/core.h"

static void test_create_pack_unpack (void **state)
{
    flux_conf_t *conf;
    flux_error_t error;
    const char *s = NULL;
    int i = 0;
    json_t *o = NULL;
    (void)state;

    assert_non_null ((conf = flux_conf_create ()));
    assert_int_equal (flux_conf_unpack (conf, NULL, "{}"), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "o", &o), 0);
    assert_true (json_is_object (o));
    assert_int_equal (json_object_size (o), 0);
    flux_conf_decref (conf);

    assert_non_null ((conf = flux_conf_pack ("{s:{s:s s:i}}",
                                             "a", "b", "text", "c", 42)));
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:{s:s s:i}}",
                                        "a", "b", &s, "c", &i), 0);
    assert_string_equal (s, "text");
    assert_int_equal (i, 42);
    /* optional keys that are absent leave the variable alone */
    i = 7;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s?{s?i}}",
                                        "x", "y", &i), 0);
    assert_int_equal (i, 7);
    flux_conf_decref (conf);
}

/* A missing key, a wrong type, a strict object with extra keys: EINVAL
 * with jansson's words.
 */
static void test_unpack_errors (void **state)
{
    flux_conf_t *conf;
    flux_error_t error;
    int i;
    const char *s;
    (void)state;

    assert_non_null ((conf = flux_conf_pack ("{s:i s:s}", "n", 1, "t", "x")));
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:i}",
                                        "missing", &i), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "Object item not found: missing");

    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:s}", "n", &s), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "Expected string, got integer");

    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, "{s:i !}", "n", &i),
                      -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "1 object item(s) left unpacked: t");

    /* no error buffer: still -1 and EINVAL */
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:i}", "missing", &i),
                      -1);
    assert_int_equal (errno, EINVAL);

    /* NULL conf, NULL or empty format */
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_conf_unpack (NULL, &error, "{s:i}", "n", &i), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, strerror (EINVAL));
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_conf_unpack (conf, &error, ""), -1);
    assert_int_equal (errno, EINVAL);
    flux_conf_decref (conf);
}

static void test_pack_errors (void **state)
{
    (void)state;

    errno = 0;
    assert_null (flux_conf_pack (NULL));
    assert_int_equal (errno, EINVAL);
    /* a config is an object */
    errno = 0;
    assert_null (flux_conf_pack ("[i]", 1));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_conf_pack ("{s:s}", "k", NULL));
    assert_int_equal (errno, EINVAL);
}

/* A copy is deep: changing what a copy holds leaves the original.
 * References: incref returns its argument, the last decref frees (run
 * under valgrind/ASan to see it), decref keeps errno.
 */
static void test_copy_refcount (void **state)
{
    flux_conf_t *conf;
    flux_conf_t *cpy;
    json_t *o;
    int i = 0;
    (void)state;

    assert_non_null ((conf = flux_conf_pack ("{s:{s:i}}", "a", "b", 1)));
    assert_non_null ((cpy = flux_conf_copy (conf)));
    assert_int_equal (flux_conf_unpack (cpy, NULL, "{s:o}", "a", &o), 0);
    assert_int_equal (json_object_set_new (o, "b", json_integer (2)), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:{s:i}}",
                                        "a", "b", &i), 0);
    assert_int_equal (i, 1);
    assert_int_equal (flux_conf_unpack (cpy, NULL, "{s:{s:i}}",
                                        "a", "b", &i), 0);
    assert_int_equal (i, 2);
    flux_conf_decref (cpy);

    assert_ptr_equal (flux_conf_incref (conf), conf);
    flux_conf_decref (conf);
    /* still alive after one decref of two */
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:{s:i}}",
                                        "a", "b", &i), 0);
    errno = 42;
    flux_conf_decref (conf);
    assert_int_equal (errno, 42);

    assert_null (flux_conf_incref (NULL));
    flux_conf_decref (NULL);
    errno = 0;
    assert_null (flux_conf_copy (NULL));
    assert_int_equal (errno, EINVAL);
}

/* The handle's config: an empty one until set; set gives the handle
 * the reference and replaces (and drops) the previous one; set NULL
 * goes back to empty.
 */
static void test_handle_conf (void **state)
{
    flux_t *h;
    const flux_conf_t *conf;
    flux_conf_t *mine;
    json_t *o;
    int i = 0;
    (void)state;

    errno = 0;
    assert_null (flux_get_conf (NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_set_conf_new (NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);

    assert_non_null ((h = flux_open ("interthread://test-conf", 0)));
    assert_non_null ((conf = flux_get_conf (h)));
    assert_int_equal (flux_conf_unpack (conf, NULL, "o", &o), 0);
    assert_int_equal (json_object_size (o), 0);
    /* the same object each time */
    assert_ptr_equal (flux_get_conf (h), conf);

    assert_non_null ((mine = flux_conf_pack ("{s:i}", "v", 1)));
    assert_int_equal (flux_set_conf_new (h, mine), 0);
    assert_ptr_equal (flux_get_conf (h), mine);
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), NULL, "{s:i}",
                                        "v", &i), 0);
    assert_int_equal (i, 1);

    /* a reader that keeps it past the next set takes a reference */
    conf = flux_conf_incref (flux_get_conf (h));
    assert_non_null ((mine = flux_conf_pack ("{s:i}", "v", 2)));
    assert_int_equal (flux_set_conf_new (h, mine), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:i}", "v", &i), 0);
    assert_int_equal (i, 1);
    flux_conf_decref (conf);
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), NULL, "{s:i}",
                                        "v", &i), 0);
    assert_int_equal (i, 2);

    assert_int_equal (flux_set_conf_new (h, NULL), 0);
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), NULL, "o", &o), 0);
    assert_int_equal (json_object_size (o), 0);
    flux_close (h);
}

/* flux_conf_vunpack / vpack through a variadic wrapper of our own. */
static int my_unpack (const flux_conf_t *conf, flux_error_t *error,
                      const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_conf_vunpack (conf, error, fmt, ap);
    va_end (ap);
    return rc;
}

static flux_conf_t *my_pack (const char *fmt, ...)
{
    va_list ap;
    flux_conf_t *conf;

    va_start (ap, fmt);
    conf = flux_conf_vpack (fmt, ap);
    va_end (ap);
    return conf;
}

static void test_va (void **state)
{
    flux_conf_t *conf;
    flux_error_t error;
    int i = 0;
    (void)state;

    assert_non_null ((conf = my_pack ("{s:i}", "k", 9)));
    assert_int_equal (my_unpack (conf, &error, "{s:i}", "k", &i), 0);
    assert_int_equal (i, 9);
    assert_int_equal (my_unpack (conf, &error, "{s:i}", "j", &i), -1);
    assert_string_equal (error.text, "Object item not found: j");
    flux_conf_decref (conf);
}

/* Write 'text' to DIR/NAME. */
static void write_file (const char *dir, const char *name, const char *text)
{
    char path[1024];
    FILE *f;

    snprintf (path, sizeof (path), "%s/%s", dir, name);
    assert_non_null ((f = fopen (path, "w")));
    fputs (text, f);
    fclose (f);
}

static void assert_conf (const flux_conf_t *conf, const char *expected)
{
    json_t *o;
    json_t *want = json_loads (expected, 0, NULL);
    char *got;

    assert_non_null (want);
    assert_int_equal (flux_conf_unpack (conf, NULL, "o", &o), 0);
    got = json_dumps (o, JSON_COMPACT | JSON_SORT_KEYS);
    if (!json_equal (o, want))
        fail_msg ("got %s, want %s", got, expected);
    free (got);
    json_decref (want);
}

static void rm_dir (const char *dir)
{
    char cmd[1100];
    snprintf (cmd, sizeof (cmd), "rm -rf '%s'", dir);
    assert_int_equal (system (cmd), 0);
}

static void test_parse_dir (void **state)
{
    char dir[] = "/tmp/conf-test-XXXXXX";
    char path[1100];
    flux_error_t error;
    flux_conf_t *conf;
    (void)state;

    assert_non_null (mkdtemp (dir));
    /* An empty directory is an empty config. */
    assert_non_null ((conf = flux_conf_parse (dir, &error)));
    assert_conf (conf, "{}");
    flux_conf_decref (conf);

    write_file (dir, "a.toml", "[t]\nx = 1\ny = 'a'\n");
    write_file (dir, "b.toml", "[t]\ny = 'b'\n[u]\nz = true\n");
    write_file (dir, "c.json", "{not toml or json");
    assert_non_null ((conf = flux_conf_parse (dir, &error)));
    assert_conf (conf, "{\"t\":{\"x\":1,\"y\":\"b\"},\"u\":{\"z\":true}}");
    flux_conf_decref (conf);

    /* One file, TOML or JSON. */
    snprintf (path, sizeof (path), "%s/a.toml", dir);
    assert_non_null ((conf = flux_conf_parse (path, &error)));
    assert_conf (conf, "{\"t\":{\"x\":1,\"y\":\"a\"}}");
    flux_conf_decref (conf);
    write_file (dir, "ok.json", "{\"j\": [1]}");
    snprintf (path, sizeof (path), "%s/ok.json", dir);
    assert_non_null ((conf = flux_conf_parse (path, &error)));
    assert_conf (conf, "{\"j\":[1]}");
    flux_conf_decref (conf);

    /* A bad file: FILE:LINE: reason. */
    write_file (dir, "z.toml", "a = 1\n\n[oops\n");
    errno = 0;
    assert_null (flux_conf_parse (dir, &error));
    assert_int_equal (errno, EINVAL);
    snprintf (path, sizeof (path), "%s/z.toml:3: ", dir);
    assert_true (strncmp (error.text, path, strlen (path)) == 0);

    rm_dir (dir);
    errno = 0;
    assert_null (flux_conf_parse (dir, &error));
    assert_int_equal (errno, ENOENT);
    snprintf (path, sizeof (path), "stat: %s: %s", dir, strerror (ENOENT));
    assert_string_equal (error.text, path);

    errno = 0;
    assert_null (flux_conf_parse (NULL, &error));
    assert_int_equal (errno, EINVAL);
}

static void test_update (void **state)
{
    flux_error_t error;
    flux_conf_t *conf = flux_conf_create ();
    (void)state;

    assert_non_null (conf);
    assert_int_equal (flux_conf_update (conf, "a.b=3", &error), 0);
    assert_int_equal (flux_conf_update (conf, "a.s=text", &error), 0);
    assert_int_equal (flux_conf_update (conf, "{\"j\":{\"k\":1}}", &error),
                      0);
    assert_int_equal (flux_conf_update (conf, "[j]\nl = 2\n", &error), 0);
    assert_conf (conf, "{\"a\":{\"b\":3,\"s\":\"text\"},"
                       "\"j\":{\"k\":1,\"l\":2}}");
    errno = 0;
    assert_int_equal (flux_conf_update (conf, "=3", &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "value must have a key in KEY=VAL");
    errno = 0;
    assert_int_equal (flux_conf_update (conf, "[x\n", &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_true (strncmp (error.text, "line 1: ", 8) == 0);
    errno = 0;
    assert_int_equal (flux_conf_update (conf, "/nonexistent.toml", &error),
                      -1);
    assert_int_equal (errno, ENOENT);
    assert_int_equal (flux_conf_update (NULL, "a=1", &error), -1);
    flux_conf_decref (conf);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_create_pack_unpack),
        cmocka_unit_test (test_unpack_errors),
        cmocka_unit_test (test_pack_errors),
        cmocka_unit_test (test_copy_refcount),
        cmocka_unit_test (test_handle_conf),
        cmocka_unit_test (test_va),
        cmocka_unit_test (test_parse_dir),
        cmocka_unit_test (test_update),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
