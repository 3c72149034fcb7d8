/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sha1.h"

/* FIPS 180 examples, and lengths around the padding boundaries (55, 56
 * and 64 bytes end in one or two padding blocks).
 */
static void test_vectors (void **state)
{
    static const struct {
        size_t repeat; /* 0: the string as is, else 'a' repeated */
        const char *s;
        const char *ref;
    } v[] = {
        { 0, "", "sha1-da39a3ee5e6b4b0d3255bfef95601890afd80709" },
        { 0, "abc", "sha1-a9993e364706816aba3e25717850c26c9cd0d89d" },
        { 0, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "sha1-84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
        { 55, NULL, "sha1-c1c8bbdc22796e28c0e15163d20899b65621d65a" },
        { 56, NULL, "sha1-c2db330f6083854c99d4b5bfb6e8f29f201be699" },
        { 64, NULL, "sha1-0098ba824b5c16427bd7a1122a5a442a25ec644d" },
        { 1000, NULL, "sha1-291e9a6c66994949b57ba5e650361e98fc36b1ba" },
    };
    (void)state;

    for (size_t i = 0; i < sizeof (v) / sizeof (v[0]); i++) {
        char buf[SHA1_BLOBREF_SIZE];
        char *data = NULL;
        size_t len;

        if (v[i].repeat) {
            data = malloc (v[i].repeat);
            assert_non_null (data);
            memset (data, 'a', v[i].repeat);
            len = v[i].repeat;
        }
        else
            len = strlen (v[i].s);
        sha1_blobref (data ? data : v[i].s, len, buf);
        assert_string_equal (buf, v[i].ref);
        free (data);
    }
}

/* The blobref a KVS gives its empty root directory (RFC 11 encoding). */
static void test_empty_dir (void **state)
{
    const char *dir = "{\"data\":{},\"type\":\"dir\",\"ver\":1}";
    char buf[SHA1_BLOBREF_SIZE];
    (void)state;

    sha1_blobref (dir, strlen (dir), buf);
    assert_string_equal (buf, "sha1-c0a9faf907dda6216fd73bf81d0b3b21a1a8cb91");
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_vectors),
        cmocka_unit_test (test_empty_dir),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
