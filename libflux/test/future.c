/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for futures without a handle ("pure" futures): results and
 * errors, streams, timeouts, the then and now contexts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <cmocka.h>

#include "flux/core.h"

/* Continuation bookkeeping shared by the tests. */
struct calls {
    int count;
    int values[8];
    int errnums[8];
    char errstr[8][64];
    bool destroy_on_error;
    bool reset;
};

static void record_cb (flux_future_t *f, void *arg)
{
    struct calls *c = arg;
    const void *result = NULL;
    int i = c->count++;

    if (i >= 8)
        fail_msg ("too many continuation calls");
    if (flux_future_get (f, &result) < 0) {
        c->errnums[i] = errno;
        snprintf (c->errstr[i], sizeof (c->errstr[i]), "%s",
                  flux_future_error_string (f));
        if (c->destroy_on_error) {
            flux_future_destroy (f);
            return;
        }
    }
    else
        c->values[i] = result ? *(const int *)result : -1;
    if (c->reset)
        flux_future_reset (f);
}

static int *intdup (int i)
{
    int *p = malloc (sizeof (*p));
    assert_non_null (p);
    *p = i;
    return p;
}

static void test_cornercase (void **state)
{
    flux_future_t *f;
    const void *result;
    (void)state;

    errno = 0;
    assert_int_equal (flux_future_then (NULL, -1., record_cb, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_future_wait_for (NULL, 0.), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_future_get (NULL, &result), -1);
    assert_int_equal (errno, EINVAL);
    assert_false (flux_future_is_ready (NULL));
    assert_null (flux_future_error_string (NULL));
    errno = 0;
    assert_int_equal (flux_future_aux_set (NULL, "a", NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_null (flux_future_get_flux (NULL));
    assert_null (flux_future_get_reactor (NULL));
    flux_future_reset (NULL);
    flux_future_fulfill (NULL, NULL, NULL);
    flux_future_fulfill_error (NULL, EPERM, NULL);
    flux_future_incref (NULL);
    flux_future_decref (NULL);
    errno = 42;
    flux_future_destroy (NULL);
    assert_int_equal (errno, 42);

    assert_non_null ((f = flux_future_create (NULL, NULL)));
    /* then needs a reactor: a pure future has none until given one */
    errno = 0;
    assert_int_equal (flux_future_then (f, -1., record_cb, NULL), -1);
    assert_int_equal (errno, EINVAL);
    /* then needs a continuation */
    errno = 0;
    assert_int_equal (flux_future_then (f, -1., NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_null (flux_future_get_flux (f));
    assert_null (flux_future_get_reactor (f));
    assert_false (flux_future_is_ready (f));
    assert_null (flux_future_error_string (f));
    /* aux with no name must have something to destroy */
    errno = 0;
    assert_int_equal (flux_future_aux_set (f, NULL, NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_future_aux_get (f, "nope"));
    assert_int_equal (errno, ENOENT);
    /* Nothing can fulfil a future without init in the now context:
     * waiting returns at once instead of hanging.
     */
    errno = 0;
    assert_int_equal (flux_future_wait_for (f, -1.), -1);
    assert_int_equal (errno, ETIMEDOUT);
    errno = 43;
    flux_future_destroy (f);
    assert_int_equal (errno, 43);
}

static void test_result_and_errors (void **state)
{
    flux_future_t *f;
    const void *result;
    (void)state;

    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_fulfill (f, intdup (7), free);
    assert_true (flux_future_is_ready (f));
    assert_int_equal (flux_future_wait_for (f, 0.), 0);
    assert_int_equal (flux_future_get (f, &result), 0);
    assert_int_equal (*(const int *)result, 7);
    assert_null (flux_future_error_string (f));
    /* get does not consume: the same result again */
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_reset (f);
    assert_false (flux_future_is_ready (f));

    flux_future_fulfill_error (f, ENOENT, "no such widget");
    errno = 0;
    assert_int_equal (flux_future_get (f, &result), -1);
    assert_int_equal (errno, ENOENT);
    assert_string_equal (flux_future_error_string (f), "no such widget");
    flux_future_reset (f);

    flux_future_fulfill_error (f, EPERM, NULL);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, EPERM);
    assert_string_equal (flux_future_error_string (f), strerror (EPERM));
    flux_future_reset (f);

    /* errnum 0 is not a success in disguise */
    flux_future_fulfill_error (f, 0, NULL);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, EINVAL);
    flux_future_destroy (f);
}

static void test_fulfil_before_then (void **state)
{
    flux_reactor_t *r;
    flux_future_t *f;
    struct calls c = { 0 };
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_set_reactor (f, r);
    assert_ptr_equal (flux_future_get_reactor (f), r);
    flux_future_fulfill (f, intdup (1), free);
    assert_int_equal (flux_future_then (f, -1., record_cb, &c), 0);
    /* never from inside then or fulfil: only from the reactor */
    assert_int_equal (c.count, 0);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (c.count, 1);
    assert_int_equal (c.values[0], 1);

    errno = 0;
    assert_int_equal (flux_future_then (f, -1., record_cb, &c), -1);
    assert_int_equal (errno, EEXIST);

    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static void fulfil_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    flux_future_t *f = arg;
    (void)r;
    (void)w;
    (void)revents;
    flux_future_fulfill (f, intdup (2), free);
}

/* The only thing that will fulfil f is an unref'd timer: the loop must
 * still run until then because a continuation is waiting.
 */
static void test_fulfil_after_then_keeps_reactor_alive (void **state)
{
    flux_reactor_t *r;
    flux_future_t *f;
    flux_watcher_t *w;
    struct calls c = { 0 };
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_set_reactor (f, r);
    assert_non_null ((w = flux_timer_watcher_create (r, 0.01, 0.,
                                                     fulfil_timer_cb, f)));
    flux_watcher_start (w);
    flux_watcher_unref (w);
    assert_int_equal (flux_future_then (f, -1., record_cb, &c), 0);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (c.count, 1);
    assert_int_equal (c.values[0], 2);
    flux_watcher_destroy (w);
    flux_future_destroy (f);

    /* A then with no producer, on a future destroyed before it was
     * fulfilled, must not keep the loop alive.
     */
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_set_reactor (f, r);
    assert_int_equal (flux_future_then (f, -1., record_cb, &c), 0);
    flux_future_destroy (f);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (c.count, 1);
    flux_reactor_destroy (r);
}

/* Continuations run in the order their futures were fulfilled, also when
 * the results arrive in one callback (as an RPC batch does): `flux ping
 * -i 0` printed seq=1 before seq=0 when each future had its own check
 * watcher, which libev runs last in, first out.
 */
#define NORDER 8

struct order {
    int ran[NORDER];
    int count;
    flux_future_t *f[NORDER];
    flux_future_t *destroyed_early;
};

static void order_cb (flux_future_t *f, void *arg)
{
    struct order *o = arg;

    for (int i = 0; i < NORDER; i++) {
        if (o->f[i] == f && o->count < NORDER)
            o->ran[o->count++] = i;
    }
}

static void fulfil_all_cb (flux_reactor_t *r, flux_watcher_t *w,
                           int revents, void *arg)
{
    struct order *o = arg;
    (void)r;
    (void)w;
    (void)revents;

    for (int i = 0; i < NORDER; i++)
        flux_future_fulfill (o->f[i], NULL, NULL);
    /* one of them goes away before its continuation could run */
    flux_future_destroy (o->destroyed_early);
}

static void test_continuations_in_fulfil_order (void **state)
{
    flux_reactor_t *r;
    flux_watcher_t *w;
    struct order o = { .count = 0 };
    int expect = 0;
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    /* then() in reverse, so neither then order nor creation order can
     * pass for fulfilment order
     */
    for (int i = 0; i < NORDER; i++) {
        assert_non_null ((o.f[i] = flux_future_create (NULL, NULL)));
        flux_future_set_reactor (o.f[i], r);
    }
    for (int i = NORDER - 1; i >= 0; i--)
        assert_int_equal (flux_future_then (o.f[i], -1., order_cb, &o), 0);
    o.destroyed_early = o.f[3];
    assert_non_null ((w = flux_timer_watcher_create (r, 0., 0.,
                                                     fulfil_all_cb, &o)));
    flux_watcher_start (w);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (o.count, NORDER - 1);
    for (int i = 0; i < o.count; i++, expect++) {
        if (expect == 3)
            expect++;
        assert_int_equal (o.ran[i], expect);
    }
    flux_watcher_destroy (w);
    for (int i = 0; i < NORDER; i++) {
        if (i != 3)
            flux_future_destroy (o.f[i]);
    }
    flux_reactor_destroy (r);
}

static void test_stream (void **state)
{
    flux_reactor_t *r;
    flux_future_t *f;
    struct calls c = { .reset = true, .destroy_on_error = true };
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_set_reactor (f, r);
    flux_future_fulfill (f, intdup (10), free);
    flux_future_fulfill (f, intdup (11), free);
    assert_int_equal (flux_future_then (f, -1., record_cb, &c), 0);
    flux_future_fulfill (f, intdup (12), free);
    flux_future_fulfill_error (f, ENODATA, NULL);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (c.count, 4);
    assert_int_equal (c.values[0], 10);
    assert_int_equal (c.values[1], 11);
    assert_int_equal (c.values[2], 12);
    assert_int_equal (c.errnums[3], ENODATA);
    assert_string_equal (c.errstr[3], strerror (ENODATA));
    flux_reactor_destroy (r);

    /* Synchronously: results come out in order, one per reset. */
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    for (int i = 0; i < 3; i++)
        flux_future_fulfill (f, intdup (20 + i), free);
    for (int i = 0; i < 3; i++) {
        const void *result;
        assert_int_equal (flux_future_get (f, &result), 0);
        assert_int_equal (*(const int *)result, 20 + i);
        flux_future_reset (f);
    }
    assert_false (flux_future_is_ready (f));
    flux_future_destroy (f);
}

static void test_then_timeout (void **state)
{
    flux_reactor_t *r;
    flux_future_t *f;
    struct calls c = { 0 };
    double t0;
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_set_reactor (f, r);
    t0 = flux_reactor_time ();
    assert_int_equal (flux_future_then (f, 0.05, record_cb, &c), 0);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_true (flux_reactor_time () - t0 >= 0.04);
    assert_int_equal (c.count, 1);
    assert_int_equal (c.errnums[0], ETIMEDOUT);
    assert_string_equal (c.errstr[0], strerror (ETIMEDOUT));

    /* After reset the timer is armed again for the next result. */
    flux_future_reset (f);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (c.count, 2);
    assert_int_equal (c.errnums[1], ETIMEDOUT);
    flux_future_destroy (f);

    /* A result in time means no timeout. */
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    flux_future_set_reactor (f, r);
    flux_future_fulfill (f, intdup (3), free);
    assert_int_equal (flux_future_then (f, 0.01, record_cb, &c), 0);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (c.count, 3);
    assert_int_equal (c.values[2], 3);
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

/* An init callback that records its context and starts a producer (a
 * timer fulfilling after 'delay' seconds) in it.
 */
struct producer {
    int init_count;
    flux_reactor_t *reactors[4];
    double delay;
};

static void init_cb (flux_future_t *f, void *arg)
{
    struct producer *p = arg;
    flux_reactor_t *r = flux_future_get_reactor (f);
    flux_watcher_t *w;

    p->reactors[p->init_count++] = r;
    if (p->delay < 0.)
        return;
    if (!(w = flux_timer_watcher_create (r, p->delay, 0., fulfil_timer_cb, f))
        || flux_future_aux_set (f, NULL, w,
                                (flux_free_f)flux_watcher_destroy) < 0) {
        flux_future_fulfill_error (f, errno, "init failed");
        return;
    }
    flux_watcher_start (w);
}

static void test_wait_for (void **state)
{
    struct producer p = { .delay = -1. };
    flux_future_t *f;
    const void *result;
    double t0;
    (void)state;

    /* init that produces nothing: wait_for times out, and the future can
     * still be fulfilled and waited for afterwards.
     */
    assert_non_null ((f = flux_future_create (init_cb, &p)));
    t0 = flux_reactor_time ();
    errno = 0;
    assert_int_equal (flux_future_wait_for (f, 0.05), -1);
    assert_int_equal (errno, ETIMEDOUT);
    assert_true (flux_reactor_time () - t0 >= 0.04);
    assert_false (flux_future_is_ready (f));
    assert_int_equal (flux_future_wait_for (f, 0.01), -1);
    assert_int_equal (p.init_count, 1);
    assert_non_null (p.reactors[0]);
    flux_future_fulfill (f, intdup (5), free);
    assert_int_equal (flux_future_wait_for (f, 0.), 0);
    flux_future_destroy (f);

    /* A producer in the now context: get waits for it. */
    memset (&p, 0, sizeof (p));
    p.delay = 0.01;
    assert_non_null ((f = flux_future_create (init_cb, &p)));
    assert_int_equal (flux_future_get (f, &result), 0);
    assert_int_equal (*(const int *)result, 2);
    assert_int_equal (p.init_count, 1);
    flux_future_destroy (f);
}

/* then and wait_for on one future: init runs once in each context, each
 * with its own reactor, and the continuation still sees the result that
 * arrived while waiting synchronously.
 */
static void test_then_and_wait_for (void **state)
{
    struct producer p = { .delay = 0.01 };
    struct calls c = { .destroy_on_error = true };
    flux_reactor_t *r;
    flux_future_t *f;
    const void *result;
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    assert_non_null ((f = flux_future_create (init_cb, &p)));
    flux_future_set_reactor (f, r);
    assert_int_equal (flux_future_then (f, -1., record_cb, &c), 0);
    assert_int_equal (p.init_count, 1);
    assert_ptr_equal (p.reactors[0], r);
    assert_ptr_equal (flux_future_get_reactor (f), r);

    assert_int_equal (flux_future_get (f, &result), 0);
    assert_int_equal (*(const int *)result, 2);
    assert_int_equal (p.init_count, 2);
    assert_non_null (p.reactors[1]);
    assert_ptr_not_equal (p.reactors[1], r);
    assert_ptr_equal (flux_future_get_reactor (f), r);
    assert_int_equal (c.count, 0);

    /* Consume and wait again: no third init. */
    flux_future_reset (f);
    assert_int_equal (flux_future_wait_for (f, 0.01), -1);
    assert_int_equal (errno, ETIMEDOUT);
    assert_int_equal (p.init_count, 2);

    /* The main context's producer fulfils it and the continuation runs. */
    assert_true (flux_reactor_run (r, FLUX_REACTOR_ONCE) >= 0);
    while (c.count == 0)
        assert_true (flux_reactor_run (r, FLUX_REACTOR_ONCE) >= 0);
    assert_int_equal (c.count, 1);
    assert_int_equal (c.values[0], 2);
    flux_future_destroy (f);
    flux_reactor_destroy (r);
}

static int destroyed;

static void count_destroy (void *arg)
{
    (void)arg;
    destroyed++;
}

static void test_refcount_and_aux (void **state)
{
    flux_future_t *f;
    int a, b;
    (void)state;

    destroyed = 0;
    assert_non_null ((f = flux_future_create (NULL, NULL)));
    assert_int_equal (flux_future_aux_set (f, "x", &a, count_destroy), 0);
    assert_ptr_equal (flux_future_aux_get (f, "x"), &a);
    /* replacing destroys the old value */
    assert_int_equal (flux_future_aux_set (f, "x", &b, count_destroy), 0);
    assert_int_equal (destroyed, 1);
    assert_ptr_equal (flux_future_aux_get (f, "x"), &b);
    /* anonymous items are only destroyed */
    assert_int_equal (flux_future_aux_set (f, NULL, &a, count_destroy), 0);
    /* setting NULL deletes */
    assert_int_equal (flux_future_aux_set (f, "y", &a, count_destroy), 0);
    assert_int_equal (flux_future_aux_set (f, "y", NULL, NULL), 0);
    assert_int_equal (destroyed, 2);
    assert_null (flux_future_aux_get (f, "y"));

    flux_future_incref (f);
    flux_future_destroy (f);
    assert_int_equal (destroyed, 2);
    assert_ptr_equal (flux_future_aux_get (f, "x"), &b);
    flux_future_decref (f);
    assert_int_equal (destroyed, 4);
}

/* Many finished synchronous futures, kept alive, in a process limited to
 * 1024 descriptors: each wait's private reactor must not keep one, or
 * the waits fail (or libev aborts) past about a thousand.
 */
static int count_fds (void)
{
    DIR *d = opendir ("/proc/self/fd");
    struct dirent *ent;
    int n = 0;

    if (!d)
        fail_msg ("opendir /proc/self/fd: %s", strerror (errno));
    while ((ent = readdir (d)))
        if (ent->d_name[0] != '.')
            n++;
    closedir (d);
    return n;
}

static void fulfil_kept_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    flux_future_fulfill (arg, NULL, NULL);
}

/* The producer: a timer on whichever reactor the context gives. */
static void timer_init_cb (flux_future_t *f, void *arg)
{
    flux_watcher_t *w;
    (void)arg;

    w = flux_timer_watcher_create (flux_future_get_reactor (f), 0., 0.,
                                   fulfil_kept_cb, f);
    if (!w
        || flux_future_aux_set (f, NULL, w,
                                (flux_free_f)flux_watcher_destroy) < 0) {
        flux_watcher_destroy (w);
        flux_future_fulfill_error (f, errno, NULL);
        return;
    }
    flux_watcher_start (w);
}

#define KEPT_FUTURES 5000

static void test_many_finished_futures (void **state)
{
    static flux_future_t *fs[KEPT_FUTURES];
    struct rlimit saved, lim;
    int before, after;
    int i;
    (void)state;

    assert_int_equal (getrlimit (RLIMIT_NOFILE, &saved), 0);
    lim = saved;
    if (lim.rlim_cur == RLIM_INFINITY || lim.rlim_cur > 1024)
        lim.rlim_cur = 1024;
    assert_int_equal (setrlimit (RLIMIT_NOFILE, &lim), 0);

    before = count_fds ();
    for (i = 0; i < KEPT_FUTURES; i++) {
        assert_non_null ((fs[i] = flux_future_create (timer_init_cb, NULL)));
        if (flux_future_get (fs[i], NULL) < 0)
            fail_msg ("future %d: flux_future_get: %s", i, strerror (errno));
    }
    after = count_fds ();
    if (after - before > 8)
        fail_msg ("%d finished futures hold %d descriptors",
                  KEPT_FUTURES, after - before);
    /* each may still be waited on again, and is ready at once */
    for (i = 0; i < KEPT_FUTURES; i++)
        assert_int_equal (flux_future_wait_for (fs[i], 0.), 0);
    for (i = 0; i < KEPT_FUTURES; i++)
        flux_future_destroy (fs[i]);
    assert_int_equal (setrlimit (RLIMIT_NOFILE, &saved), 0);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_result_and_errors),
        cmocka_unit_test (test_fulfil_before_then),
        cmocka_unit_test (test_fulfil_after_then_keeps_reactor_alive),
        cmocka_unit_test (test_continuations_in_fulfil_order),
        cmocka_unit_test (test_stream),
        cmocka_unit_test (test_then_timeout),
        cmocka_unit_test (test_wait_for),
        cmocka_unit_test (test_then_and_wait_for),
        cmocka_unit_test (test_refcount_and_aux),
        cmocka_unit_test (test_many_finished_futures),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
