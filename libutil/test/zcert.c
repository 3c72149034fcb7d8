/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "zcert.h"

#define PUB "abcdefghijklmnopqrstuvwxyz0123456789ABCD"
#define SEC "0123456789abcdefghijklmnopqrstuvwxyz=&[]"

static void test_roundtrip (void **state)
{
    char path[] = "/tmp/zcert-test-XXXXXX";
    char pub[ZCERT_KEY_LEN], sec[ZCERT_KEY_LEN], name[64];
    flux_error_t error;
    struct stat sb;
    json_t *meta = json_pack ("{s:s s:s}", "name", "fake0",
                              "keygen.hostname", "vm");
    int fd = mkstemp (path);
    (void)state;

    assert_true (fd >= 0);
    close (fd);
    chmod (path, 0644);
    assert_int_equal (zcert_write (path, PUB, SEC, meta, &error), 0);
    assert_int_equal (stat (path, &sb), 0);
    assert_int_equal (sb.st_mode & 0777, 0600);
    assert_int_equal (zcert_read (path, pub, sec, name, sizeof (name),
                                  &error), 0);
    assert_string_equal (pub, PUB);
    assert_string_equal (sec, SEC);
    assert_string_equal (name, "fake0");

    /* a secret key others may read is refused */
    chmod (path, 0640);
    errno = 0;
    assert_int_equal (zcert_read (path, pub, sec, NULL, 0, &error), -1);
    assert_int_equal (errno, EPERM);
    assert_non_null (strstr (error.text, "readable by group/other"));

    /* garbage */
    FILE *f = fopen (path, "w");
    fprintf (f, "curve\n    public-key = nope\n");
    fclose (f);
    chmod (path, 0600);
    errno = 0;
    assert_int_equal (zcert_read (path, pub, sec, NULL, 0, &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_non_null (strstr (error.text, ":2: parse error"));
    unlink (path);
    json_decref (meta);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_roundtrip),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
