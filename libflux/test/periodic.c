/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: periodic watchers and flux_watcher_next_wakeup
 * (watcher.h).  Times are short (tens of milliseconds) and checked with
 * generous bounds, since the machine may be busy.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "flux/core.h"
#include "errno_assert.h"

struct ctx {
    int calls;
    int stop_after;         /* stop the watcher on this call, if > 0 */
    double fired[16];
    int reschedules;
    int past_on;            /* reschedule returns the past on this call */
    double step;
    double resched_now_min; /* smallest 'now' a reschedule got */
    bool destroy;
};

static void cb (flux_reactor_t *r, flux_watcher_t *w, int revents, void *arg)
{
    struct ctx *ctx = arg;

    assert_int_equal (revents, 0);
    if (ctx->calls < 16)
        ctx->fired[ctx->calls] = flux_reactor_time ();
    ctx->calls++;
    if (ctx->stop_after > 0 && ctx->calls == ctx->stop_after)
        flux_watcher_stop (w);
    if (ctx->destroy)
        flux_watcher_destroy (w);
    (void)r;
}

static double reschedule (flux_watcher_t *w, double now, void *arg)
{
    struct ctx *ctx = arg;

    assert_non_null (w);
    ctx->reschedules++;
    if (ctx->resched_now_min == 0. || now < ctx->resched_now_min)
        ctx->resched_now_min = now;
    if (ctx->reschedules == ctx->past_on)
        return now - 1.;
    return now + ctx->step;
}

static void test_create_errors (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    struct ctx ctx = { 0 };
    (void)state;

    assert_fails_null (flux_periodic_watcher_create (NULL, 0, 1, NULL, cb,
                                                     &ctx), EINVAL);
    assert_fails_null (flux_periodic_watcher_create (r, -1, 1, NULL, cb,
                                                     &ctx), EINVAL);
    assert_fails_null (flux_periodic_watcher_create (r, 0, -1, NULL, cb,
                                                     &ctx), EINVAL);
    assert_fails_null (flux_periodic_watcher_create (r, NAN, 1, NULL, cb,
                                                     &ctx), EINVAL);
    assert_fails_null (flux_periodic_watcher_create (r, 0, INFINITY, NULL,
                                                     cb, &ctx), EINVAL);

    /* next_wakeup and reset on other watchers */
    errno = 0;
    assert_true (flux_watcher_next_wakeup (NULL) == -1.);
    assert_int_equal (errno, EINVAL);
    flux_watcher_t *idle = flux_idle_watcher_create (r, cb, &ctx);
    assert_non_null (idle);
    errno = 0;
    assert_true (flux_watcher_next_wakeup (idle) == -1.);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    flux_periodic_watcher_reset (idle, 0, 1, NULL);
    assert_int_equal (errno, EINVAL);
    assert_false (flux_watcher_is_active (idle));
    errno = 0;
    flux_periodic_watcher_reset (NULL, 0, 1, NULL);
    assert_int_equal (errno, EINVAL);
    flux_watcher_destroy (idle);

    flux_watcher_t *w = flux_periodic_watcher_create (r, 0, 1, NULL, cb,
                                                      &ctx);
    assert_non_null (w);
    assert_ptr_equal (flux_watcher_get_reactor (w), r);
    assert_false (flux_watcher_is_active (w));
    errno = 0;
    flux_periodic_watcher_reset (w, 0, -1, NULL);
    assert_int_equal (errno, EINVAL);
    assert_false (flux_watcher_is_active (w));
    errno = 0;
    flux_periodic_watcher_reset (w, NAN, 1, NULL);
    assert_int_equal (errno, EINVAL);
    assert_false (flux_watcher_is_active (w));
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

static void test_oneshot (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    struct ctx ctx = { 0 };
    double at = flux_reactor_time () + 0.05;
    flux_watcher_t *w;
    (void)state;

    w = flux_periodic_watcher_create (r, at, 0, NULL, cb, &ctx);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_true (flux_watcher_is_active (w));
    double d = flux_watcher_next_wakeup (w) - at;
    assert_true (d < 1e-6 && d > -1e-6);
    /* the loop ends by itself once the one-shot has fired */
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 1);
    assert_true (ctx.fired[0] >= at - 0.001);
    assert_false (flux_watcher_is_active (w));

    /* a time in the past fires at once */
    flux_periodic_watcher_reset (w, flux_reactor_time () - 10., 0, NULL);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 2);

    /* unref'd: does not keep the loop running */
    flux_watcher_unref (w);
    flux_periodic_watcher_reset (w, flux_reactor_time () + 60., 0, NULL);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 2);
    flux_watcher_stop (w);
    flux_watcher_ref (w);
    /* unref'd one-shot that fires: the references stay balanced */
    flux_watcher_t *keep = flux_timer_watcher_create (r, 0.2, 0, cb, &ctx);
    flux_watcher_start (keep);
    flux_watcher_unref (w);
    flux_periodic_watcher_reset (w, flux_reactor_time () + 0.02, 0, NULL);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 4); /* the periodic, then the timer */
    assert_false (flux_watcher_is_active (w));
    flux_watcher_ref (w);
    flux_watcher_destroy (keep);
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

static void test_interval (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    struct ctx ctx = { .stop_after = 3 };
    double start = flux_reactor_time ();
    flux_watcher_t *w;
    (void)state;

    /* offset 0, interval 0.02: wakeups on multiples of 0.02 s */
    w = flux_periodic_watcher_create (r, 0, 0.02, NULL, cb, &ctx);
    assert_non_null (w);
    flux_watcher_start (w);
    double next = flux_watcher_next_wakeup (w);
    assert_true (next >= start - 0.001 && next <= start + 0.021);
    double q = next / 0.02;
    double frac = q - (double)(long long)(q + 0.5);
    assert_true (frac < 1e-3 && frac > -1e-3);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 3);
    assert_true (ctx.fired[2] - ctx.fired[0] >= 0.03);
    assert_false (flux_watcher_is_active (w));
    flux_watcher_destroy (w);

    /* a callback may destroy its watcher */
    struct ctx ctx2 = { .destroy = true };
    w = flux_periodic_watcher_create (r, 0, 0.01, NULL, cb, &ctx2);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx2.calls, 1);
    flux_reactor_destroy (r);
}

static void test_reschedule (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    struct ctx ctx = { .past_on = 4, .step = 0.01 };
    double start = flux_reactor_time ();
    flux_watcher_t *w;
    (void)state;

    /* offset and interval are ignored when a reschedule callback is set */
    w = flux_periodic_watcher_create (r, 1e9, 1000., reschedule, cb, &ctx);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_int_equal (ctx.reschedules, 1); /* asked at start */
    double next = flux_watcher_next_wakeup (w);
    assert_true (next > start && next < start + 1.);
    /* asked again after each wakeup; the 4th answer is in the past, so
     * the 3rd wakeup is the last and the loop ends
     */
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.reschedules, 4);
    assert_int_equal (ctx.calls, 3);
    assert_false (flux_watcher_is_active (w));
    assert_true (ctx.resched_now_min >= start - 1.);

    /* a past answer at start: stopped before anything fires */
    struct ctx ctx2 = { .past_on = 1, .step = 0.01 };
    flux_watcher_t *w2 = flux_periodic_watcher_create (r, 0, 0, reschedule,
                                                       cb, &ctx2);
    flux_watcher_start (w2);
    assert_true (flux_watcher_is_active (w2));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx2.calls, 0);
    assert_false (flux_watcher_is_active (w2));
    /* and it can be started again */
    ctx2.past_on = 3;
    ctx2.reschedules = 0;
    flux_watcher_start (w2);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx2.calls, 2);

    /* reset drops the reschedule callback: plain interval now */
    ctx.calls = 0;
    ctx.stop_after = 2;
    ctx.reschedules = 0;
    flux_periodic_watcher_reset (w, 0, 0.01, NULL);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 2);
    assert_int_equal (ctx.reschedules, 0);

    /* and reset may bring one in */
    ctx.calls = 0;
    ctx.stop_after = 0;
    ctx.past_on = 3;
    flux_periodic_watcher_reset (w, 0, 0, reschedule);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.calls, 2);
    assert_int_equal (ctx.reschedules, 3);

    /* stopped by the user with a stop already pending: all quiet */
    flux_watcher_destroy (w2);
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

static void test_timer_next_wakeup (void **state)
{
    flux_reactor_t *r = flux_reactor_create (0);
    struct ctx ctx = { 0 };
    flux_watcher_t *w;
    (void)state;

    w = flux_timer_watcher_create (r, 10., 0., cb, &ctx);
    assert_non_null (w);
    flux_watcher_start (w);
    double now = flux_reactor_now (r);
    double next = flux_watcher_next_wakeup (w);
    assert_true (next > now + 9. && next <= now + 10.001);
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_create_errors),
        cmocka_unit_test (test_oneshot),
        cmocka_unit_test (test_interval),
        cmocka_unit_test (test_reschedule),
        cmocka_unit_test (test_timer_next_wakeup),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
