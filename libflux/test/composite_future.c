/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for composite futures (wait_all, wait_any): when they are
 * fulfilled, with which error, child names and their order, ownership,
 * in the then and the now contexts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flux/core.h"

/* A child fulfilled by a timer in its context after 'delay' seconds,
 * with errnum (0: success).
 */
struct delayed {
    double delay;
    int errnum;
    flux_watcher_t *w;
};

static void delayed_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                              int revents, void *arg)
{
    flux_future_t *f = arg;
    struct delayed *d = flux_future_aux_get (f, "test::delayed");

    (void)r;
    (void)w;
    (void)revents;
    if (d->errnum)
        flux_future_fulfill_error (f, d->errnum, NULL);
    else
        flux_future_fulfill (f, NULL, NULL);
}

static void delayed_destroy (void *arg)
{
    struct delayed *d = arg;
    flux_watcher_destroy (d->w);
    free (d);
}

static void delayed_init (flux_future_t *f, void *arg)
{
    struct delayed *d = arg;
    flux_reactor_t *r = flux_future_get_reactor (f);

    flux_watcher_destroy (d->w);
    d->w = flux_timer_watcher_create (r, d->delay, 0., delayed_timer_cb, f);
    assert_non_null (d->w);
    flux_watcher_start (d->w);
}

static flux_future_t *delayed (flux_reactor_t *r, double delay, int errnum)
{
    struct delayed *d = calloc (1, sizeof (*d));
    flux_future_t *f;

    assert_non_null (d);
    d->delay = delay;
    d->errnum = errnum;
    assert_non_null ((f = flux_future_create (delayed_init, d)));
    assert_int_equal (flux_future_aux_set (f, "test::delayed", d,
                                           delayed_destroy), 0);
    flux_future_set_reactor (f, r);
    return f;
}

static int calls;

static void count_cb (flux_future_t *f, void *arg)
{
    (void)f;
    (void)arg;
    calls++;
}

static void test_wait_all_then (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    flux_future_t *f = flux_future_wait_all_create ();

    (void)state;
    assert_non_null (f);
    flux_future_set_reactor (f, r);
    assert_int_equal (flux_future_push (f, "a", delayed (r, 0.01, 0)), 0);
    assert_int_equal (flux_future_push (f, "b", delayed (r, 0.05, 0)), 0);
    calls = 0;
    assert_int_equal (flux_future_then (f, -1., count_cb, NULL), 0);
    assert_false (flux_future_is_ready (f));
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (calls, 1);
    assert_int_equal (flux_future_get (f, NULL), 0);
    assert_true (flux_future_is_ready (flux_future_get_child (f, "a")));
    assert_true (flux_future_is_ready (flux_future_get_child (f, "b")));
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static void test_wait_all_error (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    flux_future_t *f = flux_future_wait_all_create ();

    (void)state;
    flux_future_set_reactor (f, r);
    assert_int_equal (flux_future_push (f, NULL, delayed (r, 0.01, EPERM)),
                      0);
    assert_int_equal (flux_future_push (f, NULL, delayed (r, 0.02, 0)), 0);
    /* blocking: the children run in the composite's "now" context */
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, EPERM);
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static void test_wait_any (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    flux_future_t *f = flux_future_wait_any_create ();

    (void)state;
    flux_future_set_reactor (f, r);
    assert_int_equal (flux_future_push (f, "slow", delayed (r, 30., 0)), 0);
    assert_int_equal (flux_future_push (f, "fast", delayed (r, 0.01, 0)),
                      0);
    assert_int_equal (flux_future_wait_for (f, 10.), 0);
    assert_int_equal (flux_future_get (f, NULL), 0);
    assert_true (flux_future_is_ready (flux_future_get_child (f, "fast")));
    assert_false (flux_future_is_ready (flux_future_get_child (f, "slow")));
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static void test_wait_any_error (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    flux_future_t *f = flux_future_wait_any_create ();

    (void)state;
    flux_future_set_reactor (f, r);
    assert_int_equal (flux_future_push (f, NULL, delayed (r, 0.01, ENOENT)),
                      0);
    assert_int_equal (flux_future_push (f, NULL, delayed (r, 30., 0)), 0);
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, ENOENT);
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static void test_empty (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    flux_future_t *all = flux_future_wait_all_create ();
    flux_future_t *any = flux_future_wait_any_create ();

    (void)state;
    flux_future_set_reactor (all, r);
    flux_future_set_reactor (any, r);
    /* "all" of nothing is fulfilled; "any" of nothing never is */
    assert_int_equal (flux_future_get (all, NULL), 0);
    assert_int_equal (flux_future_wait_for (any, 0.01), -1);
    assert_int_equal (errno, ETIMEDOUT);
    flux_future_destroy (all);
    flux_future_destroy (any);
    flux_reactor_destroy (r);
}

static void test_names (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    flux_future_t *f = flux_future_wait_all_create ();
    flux_future_t *dup = delayed (r, 1., 0);

    (void)state;
    assert_null (flux_future_first_child (f));
    assert_int_equal (flux_future_push (f, "x", delayed (r, 1., 0)), 0);
    assert_int_equal (flux_future_push (f, NULL, delayed (r, 1., 0)), 0);
    assert_int_equal (flux_future_push (f, NULL, delayed (r, 1., 0)), 0);
    assert_int_equal (flux_future_push (f, "x", dup), -1);
    assert_int_equal (errno, EEXIST);
    flux_future_destroy (dup); /* not taken */
    assert_string_equal (flux_future_first_child (f), "x");
    assert_string_equal (flux_future_next_child (f), "0");
    assert_string_equal (flux_future_next_child (f), "1");
    assert_null (flux_future_next_child (f));
    errno = 0;
    assert_null (flux_future_get_child (f, "nosuch"));
    assert_int_equal (errno, ENOENT);
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static void test_einval (void **state)
{
    flux_future_t *plain = flux_future_create (NULL, NULL);
    flux_future_t *f = flux_future_wait_all_create ();

    (void)state;
    errno = 0;
    assert_int_equal (flux_future_push (plain, "a", f), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_future_push (f, "a", NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_future_push (NULL, "a", plain), -1);
    errno = 0;
    assert_null (flux_future_first_child (plain));
    assert_int_equal (errno, EINVAL);
    assert_null (flux_future_next_child (NULL));
    assert_null (flux_future_get_child (f, NULL));
    assert_int_equal (errno, EINVAL);
    flux_future_destroy (plain);
    flux_future_destroy (f);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_wait_all_then),
        cmocka_unit_test (test_wait_all_error),
        cmocka_unit_test (test_wait_any),
        cmocka_unit_test (test_wait_any_error),
        cmocka_unit_test (test_empty),
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_einval),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
