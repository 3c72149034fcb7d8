/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base64.h"

/* RFC 4648 section 10 test vectors. */
static const struct {
    const char *plain;
    const char *encoded;
} rfc4648[] = {
    { "", "" },
    { "f", "Zg==" },
    { "fo", "Zm8=" },
    { "foo", "Zm9v" },
    { "foob", "Zm9vYg==" },
    { "fooba", "Zm9vYmE=" },
    { "foobar", "Zm9vYmFy" },
};

static void test_rfc4648_vectors (void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof (rfc4648) / sizeof (rfc4648[0]); i++) {
        size_t len;
        char *enc = base64_encode (rfc4648[i].plain, strlen (rfc4648[i].plain));
        char *dec = base64_decode (rfc4648[i].encoded, &len);
        assert_non_null (enc);
        assert_string_equal (enc, rfc4648[i].encoded);
        assert_non_null (dec);
        assert_int_equal (len, strlen (rfc4648[i].plain));
        assert_memory_equal (dec, rfc4648[i].plain, len);
        assert_int_equal (dec[len], '\0');
        free (enc);
        free (dec);
    }
}

static void test_binary_roundtrip (void **state)
{
    unsigned char buf[256];
    (void)state;
    for (int i = 0; i < 256; i++)
        buf[i] = (unsigned char)(255 - i);
    for (size_t n = 0; n <= sizeof (buf); n += 17) {
        size_t len;
        char *enc = base64_encode (buf, n);
        unsigned char *dec = base64_decode (enc, &len);
        assert_non_null (dec);
        assert_int_equal (len, n);
        assert_memory_equal (dec, buf, n);
        free (enc);
        free (dec);
    }
}

static void test_lenient_forms (void **state)
{
    size_t len;
    char *dec;
    (void)state;
    /* unpadded, and the URL-safe alphabet: 0xfb 0xff = "+/8=" / "-_8" */
    dec = base64_decode ("Zm9vYg", &len);
    assert_non_null (dec);
    assert_int_equal (len, 4);
    assert_memory_equal (dec, "foob", 4);
    free (dec);
    dec = base64_decode ("-_8", &len);
    assert_non_null (dec);
    assert_int_equal (len, 2);
    assert_int_equal ((unsigned char)dec[0], 0xfb);
    assert_int_equal ((unsigned char)dec[1], 0xff);
    free (dec);
}

static void test_malformed (void **state)
{
    const char *bad[] = {
        "Zm9v!", "Zm=9v", "Zg===", "Z", "Zm9vY", "Zg=", "Z m9v", "Zm9v\n",
    };
    size_t len;
    (void)state;
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        errno = 0;
        assert_null (base64_decode (bad[i], &len));
        assert_int_equal (errno, EPROTO);
    }
    errno = 0;
    assert_null (base64_decode (NULL, &len));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (base64_encode (NULL, 3));
    assert_int_equal (errno, EINVAL);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_rfc4648_vectors),
        cmocka_unit_test (test_binary_roundtrip),
        cmocka_unit_test (test_lenient_forms),
        cmocka_unit_test (test_malformed),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
