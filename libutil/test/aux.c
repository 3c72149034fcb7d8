/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests of the aux list behind the handle's, message's and future's
 * aux items: replace, delete, anonymous items, destruction order, errno,
 * and destructors that use the list they are being removed from.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aux.h"
#include "errno_assert.h"

/* Destructors record the order they ran in. */
static char order[16];
static int norder;

static void record (void *arg)
{
    const char *s = arg;
    if (norder < (int)sizeof (order) - 1)
        order[norder++] = s[0];
    order[norder] = '\0';
}

static void reset (void)
{
    norder = 0;
    order[0] = '\0';
}

static void test_invalid (void **state)
{
    (void)state;
    struct aux_item *head = NULL;

    assert_fails (aux_set (NULL, "a", "a", NULL), EINVAL);
    assert_fails (aux_set (&head, NULL, NULL, NULL), EINVAL);
    assert_fails (aux_set (&head, NULL, NULL, record), EINVAL);
    assert_fails_null (aux_get (head, NULL), EINVAL);
    assert_fails_null (aux_get (NULL, "a"), ENOENT);
    assert_null (head);
    aux_destroy (NULL);
}

static void test_set_get_replace_delete (void **state)
{
    (void)state;
    struct aux_item *head = NULL;

    reset ();
    assert_int_equal (aux_set (&head, "a", "1", record), 0);
    assert_int_equal (aux_set (&head, "b", "2", record), 0);
    assert_string_equal (aux_get (head, "a"), "1");
    assert_string_equal (aux_get (head, "b"), "2");
    assert_fails_null (aux_get (head, "c"), ENOENT);

    /* Replacing destroys the old value, once. */
    assert_int_equal (aux_set (&head, "a", "3", record), 0);
    assert_string_equal (order, "1");
    assert_string_equal (aux_get (head, "a"), "3");

    /* A NULL value deletes; deleting a missing key is not an error. */
    assert_int_equal (aux_set (&head, "b", NULL, NULL), 0);
    assert_string_equal (order, "12");
    assert_fails_null (aux_get (head, "b"), ENOENT);
    assert_int_equal (aux_set (&head, "nope", NULL, NULL), 0);
    assert_string_equal (order, "12");

    /* The key is copied. */
    char key[] = "k";
    assert_int_equal (aux_set (&head, key, "4", record), 0);
    key[0] = 'x';
    assert_string_equal (aux_get (head, "k"), "4");
    assert_fails_null (aux_get (head, "x"), ENOENT);

    aux_destroy (&head);
    assert_null (head);
    assert_string_equal (order, "1243");
}

/* Anonymous items are never found, and are destroyed with the list in
 * the same newest-first order as named ones.  A value with no destructor
 * is simply dropped.
 */
static void test_anonymous_and_order (void **state)
{
    (void)state;
    struct aux_item *head = NULL;

    reset ();
    assert_int_equal (aux_set (&head, "a", "a", record), 0);
    assert_int_equal (aux_set (&head, NULL, "b", record), 0);
    assert_int_equal (aux_set (&head, "c", "c", record), 0);
    assert_int_equal (aux_set (&head, NULL, "d", record), 0);
    assert_int_equal (aux_set (&head, "e", "e", NULL), 0);
    assert_string_equal (aux_get (head, "e"), "e");
    assert_string_equal (order, "");

    errno = 42;
    aux_destroy (&head);
    assert_int_equal (errno, 42);
    assert_null (head);
    assert_string_equal (order, "dcba");
}

/* A destructor that uses the list its item was in. */
static struct aux_item *shared_head;
static int seen_b;

static void set_on_destroy (void *arg)
{
    record (arg);
    seen_b = aux_get (shared_head, "b") != NULL;
    errno = EIO;   /* must not leak out */
    assert_int_equal (aux_set (&shared_head, "z", "z", record), 0);
}

static void test_destructor_sets (void **state)
{
    (void)state;

    /* On replace: the destructor sees the new list and may add to it. */
    reset ();
    shared_head = NULL;
    assert_int_equal (aux_set (&shared_head, "b", "b", record), 0);
    assert_int_equal (aux_set (&shared_head, "a", "1", set_on_destroy), 0);
    errno = 0;
    assert_int_equal (aux_set (&shared_head, "a", "2", record), 0);
    assert_int_equal (errno, 0);
    assert_string_equal (order, "1");
    assert_true (seen_b);
    assert_string_equal (aux_get (shared_head, "a"), "2");
    assert_string_equal (aux_get (shared_head, "z"), "z");

    /* On delete, likewise. */
    assert_int_equal (aux_set (&shared_head, "y", "y", set_on_destroy), 0);
    assert_int_equal (aux_set (&shared_head, "z", NULL, NULL), 0);
    assert_string_equal (order, "1z");
    assert_int_equal (aux_set (&shared_head, "y", NULL, NULL), 0);
    assert_string_equal (order, "1zy");
    assert_string_equal (aux_get (shared_head, "z"), "z");

    /* On destroy: the remaining items are still there, and the item the
     * destructor adds is destroyed too, so nothing leaks.
     */
    reset ();
    assert_int_equal (aux_set (&shared_head, "z", NULL, NULL), 0);
    assert_int_equal (aux_set (&shared_head, "x", "x", set_on_destroy), 0);
    seen_b = 0;
    errno = 7;
    aux_destroy (&shared_head);
    assert_int_equal (errno, 7);
    assert_true (seen_b);
    assert_null (shared_head);
    /* z (deleted above), then x, whose z is destroyed next, then 2, b */
    assert_string_equal (order, "zxz2b");
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_invalid),
        cmocka_unit_test (test_set_get_replace_delete),
        cmocka_unit_test (test_anonymous_and_order),
        cmocka_unit_test (test_destructor_sets),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
