/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for the reactor: create/destroy and refcounts, run flags,
 * stop and stop_error, time, the active reference count, and a reactor
 * without a descriptor of its own.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"
#include "fdcount.h"

static void test_cornercase (void **state)
{
    (void)state;
    errno = 0;
    assert_null (flux_reactor_create (1));
    assert_int_equal (errno, EINVAL);

    errno = 0;
    assert_int_equal (flux_reactor_run (NULL, 0), -1);
    assert_int_equal (errno, EINVAL);

    flux_reactor_t *r = flux_reactor_create (0);
    assert_non_null (r);
    errno = 0;
    assert_int_equal (flux_reactor_run (r, 0x100), -1);
    assert_int_equal (errno, EINVAL);
    flux_reactor_destroy (r);

    /* NULL-safe and errno-preserving */
    errno = 42;
    flux_reactor_destroy (NULL);
    flux_reactor_stop (NULL);
    flux_reactor_stop_error (NULL);
    flux_reactor_incref (NULL);
    flux_reactor_active_incref (NULL);
    flux_reactor_active_decref (NULL);
    assert_int_equal (errno, 42);
}

static void test_run_empty (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    assert_non_null (r);
    /* nothing to watch: every run mode returns at once with 0 */
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_NOWAIT), 0);
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_ONCE), 0);
    flux_reactor_destroy (r);
}

static void test_refcount (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    assert_non_null (r);
    flux_reactor_incref (r);
    flux_reactor_decref (r);
    /* still usable after one of two references is dropped */
    assert_int_equal (flux_reactor_run (r, 0), 0);
    errno = 7;
    flux_reactor_destroy (r);
    assert_int_equal (errno, 7);
}

static int stop_errnum;

static void stop_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    int *count = arg;
    (void)w;
    (void)revents;
    (*count)++;
    flux_reactor_stop (r);
}

static void stop_error_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                           void *arg)
{
    int *count = arg;
    (void)w;
    (void)revents;
    (*count)++;
    errno = stop_errnum;
    flux_reactor_stop_error (r);
}

static void test_stop (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w;
    int count = 0;

    /* A repeating timer stays active: run returns 1 active watcher. */
    w = flux_timer_watcher_create (r, 0.001, 0.001, stop_cb, &count);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 1);
    assert_int_equal (count, 1);
    /* and the reactor can run again after stop */
    assert_int_equal (flux_reactor_run (r, 0), 1);
    assert_int_equal (count, 2);
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

static void test_stop_error (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w;
    int count = 0;

    w = flux_timer_watcher_create (r, 0.001, 0.001, stop_error_cb, &count);
    assert_non_null (w);
    flux_watcher_start (w);

    /* errno 0 at stop_error: ECANCELED */
    stop_errnum = 0;
    errno = 0;
    assert_int_equal (flux_reactor_run (r, 0), -1);
    assert_int_equal (errno, ECANCELED);
    assert_int_equal (count, 1);

    /* errno set at stop_error: that errno */
    stop_errnum = ENOENT;
    errno = 0;
    assert_int_equal (flux_reactor_run (r, 0), -1);
    assert_int_equal (errno, ENOENT);
    assert_int_equal (count, 2);

    /* the error does not stick to the next run */
    flux_watcher_stop (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);

    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

static void test_time (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    double t0 = flux_reactor_time ();
    double now = flux_reactor_now (r);

    assert_true (t0 > 1e9); /* wall clock, in seconds since the epoch */
    assert_true (now > 0.);
    usleep (20000);
    /* now is cached until updated */
    assert_true (flux_reactor_now (r) == now);
    flux_reactor_now_update (r);
    assert_true (flux_reactor_now (r) >= now + 0.015);
    assert_true (flux_reactor_time () >= t0 + 0.015);
    flux_reactor_destroy (r);
}

struct active_ctx {
    int count;
};

static void active_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct active_ctx *ctx = arg;
    (void)w;
    (void)revents;
    if (++ctx->count == 3)
        flux_reactor_active_decref (r);
}

static void test_active_ref (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    struct active_ctx ctx = { 0 };
    flux_watcher_t *w;

    /* An unref'd repeating timer alone does not keep the loop running... */
    w = flux_timer_watcher_create (r, 0.001, 0.001, active_cb, &ctx);
    assert_non_null (w);
    flux_watcher_unref (w);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_true (ctx.count <= 1);

    /* ...but an active reference does, until dropped by the callback. */
    ctx.count = 0;
    flux_reactor_active_incref (r);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.count, 3);

    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
}

static void readable_cb (flux_reactor_t *r, flux_watcher_t *w,
                         int revents, void *arg)
{
    int *count = arg;
    char c;

    (void)r;
    if ((revents & FLUX_POLLIN)
        && read (flux_fd_watcher_get_fd (w), &c, 1) == 1)
        (*count)++;
}

/* FLUX_REACTOR_NOFD: no descriptor while it lives, and it watches fds
 * as any reactor does.
 */
static void test_nofd (void **state)
{
    int base = fd_count ();
    int count = 0;
    int fds[2];
    (void)state;

    errno = 0;
    assert_null (flux_reactor_create (FLUX_REACTOR_NOFD | 1));
    assert_int_equal (errno, EINVAL);

    flux_reactor_t *r = flux_reactor_create (FLUX_REACTOR_NOFD);
    assert_non_null (r);
    assert_int_equal (fd_count (), base);
    flux_reactor_t *r2 = flux_reactor_create (0);
    assert_non_null (r2);
    assert_int_equal (fd_count (), base + 1); // epoll's
    flux_reactor_destroy (r2);

    assert_int_equal (pipe (fds), 0);
    flux_watcher_t *w = flux_fd_watcher_create (r, fds[0], FLUX_POLLIN,
                                                readable_cb, &count);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_int_equal (write (fds[1], "xy", 2), 2);
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_ONCE), 1);
    assert_int_equal (count, 1);
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_ONCE), 1);
    assert_int_equal (count, 2);
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
    (void)close (fds[0]);
    (void)close (fds[1]);
    assert_int_equal (fd_count (), base);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_run_empty),
        cmocka_unit_test (test_refcount),
        cmocka_unit_test (test_nofd),
        cmocka_unit_test (test_stop),
        cmocka_unit_test (test_stop_error),
        cmocka_unit_test (test_time),
        cmocka_unit_test (test_active_ref),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
