/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for flux_sync_create on a loop:// handle, where the test
 * plays the broker: it sends heartbeat.pulse events with sequence
 * numbers, and they come back to the handle.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "flux/core.h"

static void pulse (flux_t *h, uint32_t seq)
{
    flux_msg_t *msg = flux_event_encode ("heartbeat.pulse", NULL);

    assert_non_null (msg);
    assert_int_equal (flux_msg_set_seq (msg, seq), 0);
    assert_int_equal (flux_send (h, msg, 0), 0);
    flux_msg_destroy (msg);
}

static void drain (flux_t *h)
{
    for (int i = 0; i < 20; i++)
        (void)flux_reactor_run (flux_get_reactor (h), FLUX_REACTOR_NOWAIT);
}

static int count;

static void count_cb (flux_future_t *f, void *arg)
{
    (void)arg;
    assert_int_equal (flux_future_get (f, NULL), 0);
    count++;
    flux_future_reset (f);
}

static void test_each_new_pulse (void **state)
{
    flux_t *h = flux_open ("loop://", 0);
    flux_future_t *f;

    (void)state;
    assert_non_null (h);
    assert_non_null ((f = flux_sync_create (h, 0.)));
    count = 0;
    assert_int_equal (flux_future_then (f, -1., count_cb, NULL), 0);
    drain (h);
    assert_int_equal (count, 0);
    pulse (h, 1);
    drain (h);
    assert_int_equal (count, 1);
    pulse (h, 1);           /* the same pulse again: not counted */
    pulse (h, 2);
    pulse (h, 3);
    drain (h);
    assert_int_equal (count, 3);
    flux_future_destroy (f);
    flux_close (h);
}

static void test_minimum (void **state)
{
    flux_t *h = flux_open ("loop://", 0);
    flux_future_t *f;

    (void)state;
    assert_non_null ((f = flux_sync_create (h, 3600.)));
    count = 0;
    assert_int_equal (flux_future_then (f, -1., count_cb, NULL), 0);
    pulse (h, 1);
    pulse (h, 2);           /* within the minimum of the first */
    drain (h);
    assert_int_equal (count, 1);
    flux_future_destroy (f);
    flux_close (h);
}

static void test_blocking_get (void **state)
{
    flux_t *h = flux_open ("loop://", 0);
    flux_future_t *f;

    (void)state;
    assert_non_null ((f = flux_sync_create (h, 0.)));
    pulse (h, 7);
    assert_int_equal (flux_future_wait_for (f, 10.), 0);
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_reset (f);
    /* no new pulse: the one seen is not seen again */
    assert_int_equal (flux_future_wait_for (f, 0.05), -1);
    assert_int_equal (errno, ETIMEDOUT);
    flux_future_destroy (f);
    flux_close (h);
}

static void test_einval (void **state)
{
    (void)state;
    errno = 0;
    assert_null (flux_sync_create (NULL, 0.));
    assert_int_equal (errno, EINVAL);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_each_new_pulse),
        cmocka_unit_test (test_minimum),
        cmocka_unit_test (test_blocking_get),
        cmocka_unit_test (test_einval),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
