/* SPDX-License-Identifier: LGPL-3.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "ioencode.h"

static void roundtrip (const char *data, size_t len, bool eof,
                       const char *encoding)
{
    json_t *io = ioencode ("stdout", "3", data, len, eof);
    const char *stream;
    char *out;
    size_t outlen;
    bool e;

    assert_non_null (io);
    assert_string_equal (json_string_value (json_object_get (io, "rank")),
                         "3");
    if (encoding)
        assert_string_equal (json_string_value (json_object_get (io,
                                                "encoding")), encoding);
    else
        assert_null (json_object_get (io, "encoding"));
    assert_true (eof == (json_object_get (io, "eof") != NULL));
    assert_int_equal (iodecode (io, &stream, &out, &outlen, &e), 0);
    assert_string_equal (stream, "stdout");
    assert_int_equal (outlen, len);
    if (len)
        assert_memory_equal (out, data, len);
    assert_true (e == eof);
    free (out);
    json_decref (io);
}

static void test_codec (void **state)
{
    (void)state;
    roundtrip ("hello\n", 6, false, NULL);
    roundtrip ("\xff\xfe\x00z", 4, false, "base64");   // not UTF-8
    roundtrip (NULL, 0, true, NULL);
    roundtrip ("last", 4, true, NULL);

    json_t *bad = json_pack ("{s:s s:s}", "stream", "stdout", "rank", "0");
    const char *stream;
    char *data;
    size_t len;
    bool eof;
    errno = 0;
    assert_int_equal (iodecode (bad, &stream, &data, &len, &eof), -1);
    assert_int_equal (errno, EPROTO);   // neither data nor eof
    json_decref (bad);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_codec),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
