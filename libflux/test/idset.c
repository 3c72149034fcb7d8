/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: id sets (idset.h).  The text forms checked here are the
 * ones flux-core's libidset produces and accepts (RFC 22).
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

#include "flux/idset.h"
#include "errno_assert.h"

static void assert_encodes (const struct idset *s, int flags,
                            const char *expected)
{
    char *str = idset_encode (s, flags);
    assert_non_null (str);
    assert_string_equal (str, expected);
    free (str);
}

static struct idset *decode (const char *s)
{
    struct idset *set = idset_decode (s);
    if (!set)
        fail_msg ("idset_decode '%s': %s", s, strerror (errno));
    return set;
}

static void test_create (void **state)
{
    struct idset *s;
    (void)state;

    assert_fails_null (idset_create (0, IDSET_FLAG_BRACKETS), EINVAL);
    assert_fails_null (idset_create (0, 0x100), EINVAL);
    assert_fails_null (idset_create (IDSET_MAX_UNIVERSE + 1, 0), ERANGE);
    s = idset_create (0, 0);
    assert_non_null (s);
    assert_int_equal (idset_universe_size (s), 1024);
    assert_int_equal (idset_count (s), 0);
    assert_true (idset_empty (s));
    assert_int_equal (idset_first (s), IDSET_INVALID_ID);
    assert_int_equal (idset_last (s), IDSET_INVALID_ID);
    assert_encodes (s, 0, "");
    assert_encodes (s, IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE, "");
    errno = EIO;
    idset_destroy (s);
    idset_destroy (NULL);
    assert_int_equal (errno, EIO);

    /* NULL set */
    assert_int_equal (idset_universe_size (NULL), 0);
    assert_int_equal (idset_count (NULL), 0);
    assert_true (idset_empty (NULL));
    assert_false (idset_test (NULL, 0));
    assert_int_equal (idset_first (NULL), IDSET_INVALID_ID);
    assert_int_equal (idset_next (NULL, 0), IDSET_INVALID_ID);
    assert_int_equal (idset_last (NULL), IDSET_INVALID_ID);
    assert_int_equal (idset_prev (NULL, 1), IDSET_INVALID_ID);
    assert_fails (idset_set (NULL, 1), EINVAL);
    assert_fails (idset_clear (NULL, 1), EINVAL);
    assert_fails (idset_range_set (NULL, 1, 2), EINVAL);
    assert_fails (idset_range_clear (NULL, 1, 2), EINVAL);
    assert_fails_null (idset_copy (NULL), EINVAL);
    assert_fails_null (idset_encode (NULL, 0), EINVAL);
    s = idset_create (10, 0);
    assert_fails_null (idset_encode (s, IDSET_FLAG_AUTOGROW), EINVAL);
    idset_destroy (s);
}

static void test_set_clear (void **state)
{
    struct idset *s = idset_create (100, 0);
    (void)state;

    assert_fails (idset_set (s, UINT_MAX), EINVAL);
    assert_fails (idset_set (s, IDSET_INVALID_ID), EINVAL);
    assert_fails (idset_clear (s, IDSET_INVALID_ID), EINVAL);
    /* no autogrow: outside the universe */
    assert_fails (idset_set (s, 100), EINVAL);
    assert_int_equal (idset_clear (s, 100), 0);
    assert_int_equal (idset_universe_size (s), 100);

    assert_int_equal (idset_set (s, 0), 0);
    assert_int_equal (idset_set (s, 0), 0); /* again: counted once */
    assert_int_equal (idset_set (s, 99), 0);
    assert_int_equal (idset_set (s, 64), 0);
    assert_int_equal (idset_set (s, 63), 0);
    assert_int_equal (idset_count (s), 4);
    assert_true (idset_test (s, 63));
    assert_false (idset_test (s, 62));
    assert_false (idset_test (s, 1000));
    assert_false (idset_test (s, IDSET_INVALID_ID));
    assert_int_equal (idset_first (s), 0);
    assert_int_equal (idset_next (s, 0), 63);
    assert_int_equal (idset_next (s, 63), 64);
    assert_int_equal (idset_next (s, 64), 99);
    assert_int_equal (idset_next (s, 99), IDSET_INVALID_ID);
    assert_int_equal (idset_next (s, 5000), IDSET_INVALID_ID);
    assert_int_equal (idset_last (s), 99);
    assert_int_equal (idset_prev (s, 99), 64);
    assert_int_equal (idset_prev (s, 64), 63);
    assert_int_equal (idset_prev (s, 63), 0);
    assert_int_equal (idset_prev (s, 0), IDSET_INVALID_ID);
    assert_int_equal (idset_prev (s, 5000), 99);
    assert_encodes (s, 0, "0,63,64,99");
    assert_encodes (s, IDSET_FLAG_RANGE, "0,63-64,99");
    assert_encodes (s, IDSET_FLAG_RANGE | IDSET_FLAG_BRACKETS, "[0,63-64,99]");

    assert_int_equal (idset_clear (s, 63), 0);
    assert_int_equal (idset_clear (s, 63), 0);
    assert_int_equal (idset_count (s), 3);
    assert_false (idset_empty (s));

    /* ranges, given either way round */
    assert_int_equal (idset_range_set (s, 20, 10), 0);
    assert_int_equal (idset_count (s), 14);
    assert_encodes (s, IDSET_FLAG_RANGE, "0,10-20,64,99");
    assert_int_equal (idset_range_clear (s, 15, 12), 0);
    assert_encodes (s, IDSET_FLAG_RANGE, "0,10-11,16-20,64,99");
    assert_fails (idset_range_set (s, 98, 100), EINVAL);
    assert_fails (idset_range_set (s, 1, UINT_MAX), EINVAL);
    assert_fails (idset_range_clear (s, IDSET_INVALID_ID, 1), EINVAL);
    assert_int_equal (idset_range_clear (s, 90, 5000), 0);
    assert_encodes (s, IDSET_FLAG_RANGE, "0,10-11,16-20,64");
    assert_int_equal (idset_range_clear (s, 200, 5000), 0);
    assert_int_equal (idset_count (s), 9);

    /* one id: never brackets */
    idset_clear_all (s);
    assert_true (idset_empty (s));
    assert_int_equal (idset_set (s, 7), 0);
    assert_encodes (s, IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE, "7");
    assert_int_equal (idset_set (s, 8), 0);
    assert_encodes (s, IDSET_FLAG_BRACKETS | IDSET_FLAG_RANGE, "[7-8]");
    assert_encodes (s, IDSET_FLAG_BRACKETS, "[7,8]");
    idset_destroy (s);
}

static void test_autogrow (void **state)
{
    struct idset *s = idset_create (4, IDSET_FLAG_AUTOGROW);
    (void)state;

    assert_int_equal (idset_set (s, 2), 0);
    assert_int_equal (idset_set (s, 5), 0);
    assert_int_equal (idset_universe_size (s), 8);
    assert_int_equal (idset_set (s, 100), 0);
    assert_int_equal (idset_universe_size (s), 128);
    assert_int_equal (idset_range_set (s, 126, 130), 0);
    assert_int_equal (idset_universe_size (s), 256);
    assert_encodes (s, IDSET_FLAG_RANGE, "2,5,100,126-130");
    assert_int_equal (idset_count (s), 8);
    /* clear does not grow */
    assert_int_equal (idset_clear (s, 100000), 0);
    assert_int_equal (idset_universe_size (s), 256);
    /* beyond the largest universe (INT_MAX is the largest id; setting it
     * would take a 256 MiB bitmap, too much for a unit test)
     */
    assert_fails (idset_set (s, (unsigned int)INT_MAX + 1), ERANGE);
    assert_int_equal (idset_universe_size (s), 256);
    idset_destroy (s);
}

static void test_copy_equal (void **state)
{
    struct idset *a = decode ("1-5,9");
    struct idset *b, *c;
    (void)state;

    b = idset_copy (a);
    assert_non_null (b);
    assert_true (idset_equal (a, b));
    assert_int_equal (idset_set (b, 10), 0);
    assert_false (idset_equal (a, b));
    assert_false (idset_test (a, 10));
    /* equality ignores the universe size */
    c = idset_create (10, 0);
    assert_int_equal (idset_decode_add (c, "1-5,9", -1, NULL), 0);
    assert_true (idset_equal (a, c));
    assert_int_equal (idset_set (c, 0), 0);
    assert_int_equal (idset_clear (c, 9), 0);
    assert_int_equal (idset_count (c), 6);
    assert_false (idset_equal (a, c)); /* same count, other ids */
    assert_false (idset_equal (a, NULL));
    assert_false (idset_equal (NULL, a));
    idset_destroy (a);
    idset_destroy (b);
    idset_destroy (c);
}

static void test_set_ops (void **state)
{
    struct idset *a = decode ("0-3,8");
    struct idset *b = decode ("2-5,2000");
    struct idset *r;
    char *s;
    (void)state;

    r = idset_union (a, b);
    assert_non_null (r);
    assert_encodes (r, IDSET_FLAG_RANGE, "0-5,8,2000");
    idset_destroy (r);
    r = idset_union (a, NULL);
    assert_encodes (r, IDSET_FLAG_RANGE, "0-3,8");
    idset_destroy (r);
    assert_fails_null (idset_union (NULL, b), EINVAL);

    r = idset_difference (a, b);
    assert_encodes (r, IDSET_FLAG_RANGE, "0-1,8");
    idset_destroy (r);
    r = idset_difference (b, a);
    assert_encodes (r, IDSET_FLAG_RANGE, "4-5,2000");
    idset_destroy (r);
    r = idset_difference (a, NULL);
    assert_true (idset_equal (r, a));
    idset_destroy (r);
    assert_fails_null (idset_difference (NULL, b), EINVAL);

    r = idset_intersect (a, b);
    assert_encodes (r, IDSET_FLAG_RANGE, "2-3");
    idset_destroy (r);
    r = idset_intersect (b, a);
    assert_encodes (r, IDSET_FLAG_RANGE, "2-3");
    idset_destroy (r);
    assert_fails_null (idset_intersect (a, NULL), EINVAL);
    assert_fails_null (idset_intersect (NULL, a), EINVAL);

    assert_true (idset_has_intersection (a, b));
    struct idset *far = decode ("2000");
    assert_false (idset_has_intersection (a, far));
    assert_true (idset_has_intersection (b, far));
    assert_false (idset_has_intersection (a, NULL));
    idset_destroy (far);

    /* in place */
    assert_int_equal (idset_add (a, b), 0);
    s = idset_encode (a, IDSET_FLAG_RANGE);
    assert_string_equal (s, "0-5,8,2000");
    free (s);
    assert_int_equal (idset_add (a, NULL), 0);
    assert_fails (idset_add (NULL, b), EINVAL);
    assert_int_equal (idset_subtract (a, b), 0);
    assert_encodes (a, IDSET_FLAG_RANGE, "0-1,8");
    assert_int_equal (idset_subtract (a, NULL), 0);
    assert_fails (idset_subtract (NULL, b), EINVAL);
    assert_int_equal (idset_clear_all (a), 0);
    assert_true (idset_empty (a));

    /* add into a set that cannot grow */
    struct idset *small = idset_create (4, 0);
    assert_fails (idset_add (small, b), EINVAL);
    idset_destroy (small);

    idset_destroy (a);
    idset_destroy (b);
}

static void test_decode (void **state)
{
    const char *good[][2] = {
        { "", "" },
        { "[]", "" },
        { "0", "0" },
        { "[0]", "0" },
        { "0-3", "0-3" },
        { "[0-3,5]", "0-3,5" },
        { "1,2,3,7", "1-3,7" },
        { "1,,2", "1-2" },
        { "0-2,4-6,2000", "0-2,4-6,2000" },
    };
    const char *bad[] = {
        "a", "-1", "1-", "-", "3-1", "2-2", "01", "0-03", "1,0", "0-3,2",
        "[0", "0]", "[[0]]", "[0][1]", "1 ", " 1", "+1", "1.5", "0x1",
        "4294967296", "2147483648", "1-2147483648",
    };
    idset_error_t error;
    (void)state;

    for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++) {
        struct idset *s = decode (good[i][0]);
        assert_encodes (s, IDSET_FLAG_RANGE, good[i][1]);
        idset_destroy (s);
    }
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        errno = 0;
        struct idset *s = idset_decode (bad[i]);
        if (s)
            fail_msg ("'%s' decoded", bad[i]);
        if (errno != EINVAL && errno != ERANGE)
            fail_msg ("'%s': errno %d", bad[i], errno);
    }
    assert_fails_null (idset_decode (NULL), EINVAL);
    assert_fails_null (idset_decode ("2147483648"), ERANGE);

    /* error texts */
    assert_null (idset_decode_ex ("1,x", -1, 0, 0, &error));
    assert_string_equal (error.text, "error parsing range 'x'");
    assert_null (idset_decode_ex ("3,1", -1, 0, 0, &error));
    assert_string_equal (error.text, "range '1' is out of order");
    assert_null (idset_decode_ex ("[1", -1, 0, 0, &error));
    assert_string_equal (error.text, "mismatched or nested brackets");
    assert_null (idset_decode_ex (NULL, -1, 0, 0, &error));
    assert_string_equal (error.text, "input is NULL");
    /* fixed size, no autogrow: an id beyond it */
    errno = 0;
    assert_null (idset_decode_ex ("1-20", -1, 10, 0, &error));
    assert_int_equal (errno, EINVAL);
    assert_true (strstr (error.text, "error appending '1-20'") != NULL);
    errno = 0;
    assert_null (idset_decode_ex ("0", -1, 0, 0x100, &error));
    assert_int_equal (errno, EINVAL);

    /* len */
    struct idset *s = idset_decode_ex ("1-3,7", 3, 0, 0, NULL);
    assert_non_null (s);
    assert_encodes (s, IDSET_FLAG_RANGE, "1-3");
    idset_destroy (s);
    s = idset_ndecode ("5,6,77", 3);
    assert_encodes (s, IDSET_FLAG_RANGE, "5-6");
    idset_destroy (s);

    /* size < 0: fit exactly */
    s = idset_decode_ex ("1,70", -1, -1, 0, NULL);
    assert_non_null (s);
    assert_int_equal (idset_universe_size (s), 71);
    assert_fails (idset_set (s, 71), EINVAL);
    idset_destroy (s);
    assert_null (idset_decode_ex ("", -1, -1, 0, &error));
    assert_string_equal (error.text, "cannot create an empty idset");
    s = idset_decode_ex ("", -1, -1, IDSET_FLAG_AUTOGROW, NULL);
    assert_non_null (s);
    assert_int_equal (idset_universe_size (s), 1);
    idset_destroy (s);
    s = idset_decode_ex ("3", -1, 8, 0, NULL);
    assert_int_equal (idset_universe_size (s), 8);
    idset_destroy (s);
}

static void test_decode_helpers (void **state)
{
    idset_error_t error;
    size_t count = 99;
    unsigned int maxid = 99;
    (void)state;

    assert_true (idset_decode_empty ("", -1));
    assert_true (idset_decode_empty ("[]", -1));
    assert_true (idset_decode_empty ("3", 0));
    assert_false (idset_decode_empty ("3", -1));
    assert_false (idset_decode_empty ("x", -1));
    assert_false (idset_decode_empty (NULL, -1));

    assert_int_equal (idset_decode_info ("0-3,7", -1, &count, &maxid, NULL), 0);
    assert_int_equal (count, 5);
    assert_int_equal (maxid, 7);
    assert_int_equal (idset_decode_info ("", -1, &count, &maxid, NULL), 0);
    assert_int_equal (count, 0);
    assert_int_equal (maxid, IDSET_INVALID_ID);
    assert_int_equal (idset_decode_info ("[0-2147483647]", -1, &count, NULL,
                                         NULL), 0);
    assert_int_equal (count, (size_t)INT_MAX + 1);
    assert_int_equal (idset_decode_info ("1", -1, NULL, NULL, NULL), 0);
    assert_fails (idset_decode_info ("2-1", -1, &count, &maxid, &error),
                  EINVAL);
    assert_string_equal (error.text, "error parsing range '2-1'");

    struct idset *s = idset_create (0, IDSET_FLAG_AUTOGROW);
    assert_int_equal (idset_decode_add (s, "0-9", -1, NULL), 0);
    assert_int_equal (idset_decode_add (s, "[20-21]", -1, NULL), 0);
    assert_int_equal (idset_decode_subtract (s, "2-3,5,100", -1, NULL), 0);
    assert_encodes (s, IDSET_FLAG_RANGE, "0-1,4,6-9,20-21");
    assert_fails (idset_decode_subtract (s, "5,2", -1, &error), EINVAL);
    assert_string_equal (error.text, "range '2' is out of order");
    assert_fails (idset_decode_add (s, "z", -1, NULL), EINVAL);
    assert_fails (idset_decode_add (NULL, "1", -1, NULL), EINVAL);
    assert_fails (idset_decode_subtract (NULL, "1", -1, NULL), EINVAL);
    assert_fails (idset_decode_subtract (s, NULL, -1, NULL), EINVAL);
    assert_encodes (s, IDSET_FLAG_RANGE, "0-1,4,6-9,20-21");
    idset_destroy (s);
}

static void test_initfull_alloc (void **state)
{
    struct idset *s = idset_create (4, IDSET_FLAG_INITFULL);
    unsigned int id;
    (void)state;

    assert_int_equal (idset_count (s), 4);
    assert_encodes (s, IDSET_FLAG_RANGE, "0-3");
    /* set beyond a full set: a no-op */
    assert_int_equal (idset_set (s, 10), 0);
    assert_int_equal (idset_universe_size (s), 4);
    assert_fails (idset_alloc (s, NULL), EINVAL);
    for (unsigned int i = 0; i < 4; i++) {
        assert_int_equal (idset_alloc (s, &id), 0);
        assert_int_equal (id, i);
    }
    assert_true (idset_empty (s));
    assert_fails (idset_alloc (s, &id), EINVAL); /* cannot grow */
    idset_free (s, 2);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (id, 2);
    assert_int_equal (idset_free_check (s, 1), 0);
    assert_fails (idset_free_check (s, 1), EEXIST);
    assert_fails (idset_free_check (s, 4), EINVAL);
    assert_fails (idset_free_check (NULL, 1), EINVAL);
    idset_free (s, 100); /* ignored */
    idset_free (NULL, 1);
    assert_int_equal (idset_count (s), 1);
    idset_destroy (s);

    /* alloc needs INITFULL */
    s = idset_create (4, 0);
    assert_fails (idset_alloc (s, &id), EINVAL);
    assert_fails (idset_free_check (s, 1), EINVAL);
    idset_destroy (s);

    /* full and growing: new ids arrive set; clearing beyond grows */
    s = idset_create (2, IDSET_FLAG_INITFULL | IDSET_FLAG_AUTOGROW);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (id, 2);
    assert_int_equal (idset_universe_size (s), 4);
    assert_encodes (s, IDSET_FLAG_RANGE, "3");
    assert_int_equal (idset_clear (s, 6), 0);
    assert_int_equal (idset_universe_size (s), 8);
    assert_encodes (s, IDSET_FLAG_RANGE, "3-5,7");
    assert_int_equal (idset_range_clear (s, 4, 5), 0);
    assert_encodes (s, IDSET_FLAG_RANGE, "3,7");
    idset_destroy (s);

    /* larger full sets, filled a word at a time */
    s = idset_create (1000, IDSET_FLAG_INITFULL | IDSET_FLAG_AUTOGROW);
    assert_int_equal (idset_count (s), 1000);
    assert_encodes (s, IDSET_FLAG_RANGE, "0-999");
    assert_int_equal (idset_range_clear (s, 10, 900), 0);
    assert_int_equal (idset_clear (s, 1500), 0); /* grows to 2000, full */
    assert_int_equal (idset_universe_size (s), 2000);
    assert_int_equal (idset_count (s), 2000 - 891 - 1);
    assert_encodes (s, IDSET_FLAG_RANGE, "0-9,901-1499,1501-1999");
    assert_int_equal (idset_last (s), 1999);
    idset_destroy (s);

    /* round-robin */
    s = idset_create (3, IDSET_FLAG_INITFULL | IDSET_FLAG_ALLOC_RR);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (id, 0);
    idset_free (s, 0);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (id, 1);
    idset_free (s, 1);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (id, 2);
    idset_free (s, 2);
    assert_int_equal (idset_alloc (s, &id), 0);
    assert_int_equal (id, 0);
    idset_destroy (s);

    /* lazy count is accepted and still exact */
    s = idset_create (0, IDSET_FLAG_COUNT_LAZY);
    assert_int_equal (idset_range_set (s, 3, 9), 0);
    assert_int_equal (idset_set (s, 3), 0);
    assert_int_equal (idset_count (s), 7);
    idset_destroy (s);
}

static void test_long_encode (void **state)
{
    struct idset *s = idset_create (0, IDSET_FLAG_AUTOGROW);
    char *str;
    (void)state;

    for (unsigned int i = 0; i < 20000; i += 2)
        assert_int_equal (idset_set (s, i), 0);
    str = idset_encode (s, IDSET_FLAG_RANGE | IDSET_FLAG_BRACKETS);
    assert_non_null (str);
    assert_true (!strncmp (str, "[0,2,4,", 7));
    assert_string_equal (str + strlen (str) - 7, ",19998]");
    struct idset *back = idset_decode (str);
    assert_non_null (back);
    assert_true (idset_equal (s, back));
    assert_int_equal (idset_count (back), 10000);
    free (str);
    idset_destroy (back);
    idset_destroy (s);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_create),
        cmocka_unit_test (test_set_clear),
        cmocka_unit_test (test_autogrow),
        cmocka_unit_test (test_copy_equal),
        cmocka_unit_test (test_set_ops),
        cmocka_unit_test (test_decode),
        cmocka_unit_test (test_decode_helpers),
        cmocka_unit_test (test_initfull_alloc),
        cmocka_unit_test (test_long_encode),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
