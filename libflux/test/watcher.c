/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for watchers: each kind really firing, timer reset/again,
 * signals, start/stop/destroy from callbacks, run flags, ref/unref and
 * reactor references, and the handle watcher over an interthread pair.
 *
 * Tests that could hang if the code were wrong arm a 'guard': an unref'd
 * timer that fails the run with ETIMEDOUT after a few seconds.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"

static void guard_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    (void)w;
    (void)revents;
    (void)arg;
    fprintf (stderr, "# guard timer expired\n");
    errno = ETIMEDOUT;
    flux_reactor_stop_error (r);
}

static flux_watcher_t *guard_create (flux_reactor_t *r)
{
    flux_watcher_t *w = flux_timer_watcher_create (r, 5., 0., guard_cb, NULL);
    assert_non_null (w);
    flux_watcher_unref (w);
    flux_watcher_start (w);
    return w;
}

static void count_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    int *count = arg;
    (void)r;
    (void)w;
    (void)revents;
    (*count)++;
}

static void test_cornercase (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w;
    assert_non_null (r);

    errno = 0;
    assert_null (flux_fd_watcher_create (NULL, 0, FLUX_POLLIN, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_fd_watcher_create (r, -1, FLUX_POLLIN, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_fd_watcher_create (r, 0, 0x100, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_timer_watcher_create (r, -1., 0., NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_timer_watcher_create (r, 0., -1., NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_signal_watcher_create (r, 0, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_signal_watcher_create (r, NSIG, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_prepare_watcher_create (NULL, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_check_watcher_create (NULL, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_idle_watcher_create (NULL, NULL, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_handle_watcher_create (r, NULL, FLUX_POLLIN, NULL, NULL));
    assert_int_equal (errno, EINVAL);

    /* accessors reject watchers of another kind */
    w = flux_idle_watcher_create (r, NULL, NULL);
    assert_non_null (w);
    errno = 0;
    assert_int_equal (flux_fd_watcher_get_fd (w), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_signal_watcher_get_signum (w), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_handle_watcher_get_flux (w));
    assert_int_equal (errno, EINVAL);
    flux_timer_watcher_reset (w, 1., 1.);   /* ignored */
    flux_timer_watcher_again (w);           /* ignored */
    assert_false (flux_watcher_is_active (w));
    assert_ptr_equal (flux_watcher_get_reactor (w), r);
    flux_watcher_destroy (w);

    /* NULL-safe, errno-preserving */
    errno = 42;
    flux_watcher_destroy (NULL);
    flux_watcher_start (NULL);
    flux_watcher_stop (NULL);
    flux_watcher_ref (NULL);
    flux_watcher_unref (NULL);
    assert_false (flux_watcher_is_active (NULL));
    assert_int_equal (errno, 42);
    assert_null (flux_watcher_get_reactor (NULL));

    flux_reactor_destroy (r);
}

struct fd_ctx {
    int count;
    int revents;
    char c;
};

static void fd_read_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                        void *arg)
{
    struct fd_ctx *ctx = arg;
    (void)r;
    ctx->count++;
    ctx->revents = revents;
    assert_int_equal (read (flux_fd_watcher_get_fd (w), &ctx->c, 1), 1);
    flux_watcher_stop (w);
}

static void fd_write_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                         void *arg)
{
    struct fd_ctx *ctx = arg;
    (void)r;
    ctx->count++;
    ctx->revents = revents;
    assert_int_equal (write (flux_fd_watcher_get_fd (w), "x", 1), 1);
    flux_watcher_stop (w);
}

static void test_fd (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    struct fd_ctx rctx = { 0 }, wctx = { 0 };
    flux_watcher_t *rw, *ww, *g;
    int pfd[2];

    assert_int_equal (pipe (pfd), 0);
    rw = flux_fd_watcher_create (r, pfd[0], FLUX_POLLIN, fd_read_cb, &rctx);
    ww = flux_fd_watcher_create (r, pfd[1], FLUX_POLLOUT, fd_write_cb, &wctx);
    assert_non_null (rw);
    assert_non_null (ww);
    assert_int_equal (flux_fd_watcher_get_fd (rw), pfd[0]);
    assert_int_equal (flux_fd_watcher_get_fd (ww), pfd[1]);
    g = guard_create (r);

    /* Created stopped: nothing fires, run returns at once. */
    assert_false (flux_watcher_is_active (rw));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (rctx.count + wctx.count, 0);

    /* The writer fires (pipe writable) and writes a byte; the reader
     * fires on it and reads it.
     */
    flux_watcher_start (rw);
    flux_watcher_start (ww);
    assert_true (flux_watcher_is_active (rw));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (wctx.count, 1);
    assert_int_equal (wctx.revents, FLUX_POLLOUT);
    assert_int_equal (rctx.count, 1);
    assert_int_equal (rctx.revents, FLUX_POLLIN);
    assert_int_equal (rctx.c, 'x');

    flux_watcher_destroy (rw);
    flux_watcher_destroy (ww);
    flux_watcher_destroy (g);
    close (pfd[0]);
    close (pfd[1]);
    flux_reactor_destroy (r);
}

static void test_timer_oneshot (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *g;
    int count = 0;
    double t0;

    w = flux_timer_watcher_create (r, 0.02, 0., count_cb, &count);
    assert_non_null (w);
    g = guard_create (r);
    flux_watcher_start (w);
    assert_true (flux_watcher_is_active (w));
    t0 = flux_reactor_time ();
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 1);
    assert_true (flux_reactor_time () - t0 >= 0.015);
    /* an expired one-shot timer is no longer active */
    assert_false (flux_watcher_is_active (w));

    /* and it can be started again */
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 2);

    flux_watcher_destroy (w);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void repeat_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    int *count = arg;
    (void)r;
    (void)revents;
    if (++(*count) == 3)
        flux_watcher_stop (w);
}

static void test_timer_repeat (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *g;
    int count = 0;

    w = flux_timer_watcher_create (r, 0.001, 0.002, repeat_cb, &count);
    assert_non_null (w);
    g = guard_create (r);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 3);
    flux_watcher_destroy (w);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void test_timer_reset (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *g;
    int count = 0;
    double t0;

    /* Reset of an active timer re-arms it and leaves it active. */
    w = flux_timer_watcher_create (r, 60., 0., count_cb, &count);
    assert_non_null (w);
    g = guard_create (r);
    flux_watcher_start (w);
    flux_timer_watcher_reset (w, 0.01, 0.);
    assert_true (flux_watcher_is_active (w));
    t0 = flux_reactor_time ();
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 1);
    assert_true (flux_reactor_time () - t0 < 4.);

    /* Reset of a stopped timer does not start it. */
    flux_timer_watcher_reset (w, 0.001, 0.);
    assert_false (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 1);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 2);

    /* Reset to a repeating timer. */
    count = 0;
    flux_watcher_destroy (w);
    w = flux_timer_watcher_create (r, 60., 0., repeat_cb, &count);
    flux_timer_watcher_reset (w, 0.001, 0.001);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 3);

    /* Invalid values are refused and change nothing. */
    errno = 0;
    flux_timer_watcher_reset (w, -1., 0.);
    assert_int_equal (errno, EINVAL);

    flux_watcher_destroy (w);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void test_timer_again (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *g;
    int count = 0;

    g = guard_create (r);

    /* again on a stopped repeating timer starts it (after 'repeat') */
    w = flux_timer_watcher_create (r, 60., 0.002, repeat_cb, &count);
    assert_non_null (w);
    flux_timer_watcher_again (w);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 3);
    flux_watcher_destroy (w);

    /* again on an active timer with repeat 0 stops it */
    w = flux_timer_watcher_create (r, 60., 0., count_cb, &count);
    flux_watcher_start (w);
    flux_timer_watcher_again (w);
    assert_false (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    flux_watcher_destroy (w);

    /* an unref'd timer restarted by again still does not count */
    count = 0;
    w = flux_timer_watcher_create (r, 60., 60., count_cb, &count);
    flux_watcher_unref (w);
    flux_watcher_start (w);
    flux_timer_watcher_again (w);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    flux_watcher_destroy (w);

    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

struct sig_ctx {
    int count;
    int signum;
};

static void sig_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                    void *arg)
{
    struct sig_ctx *ctx = arg;
    (void)revents;
    ctx->count++;
    ctx->signum = flux_signal_watcher_get_signum (w);
    flux_reactor_stop (r);
}

static void raise_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    raise (*(int *)arg);
}

/* periodic: once at an absolute time; on an interval until stopped;
 * by a reschedule callback, which stops it by returning the past.
 */
struct resched {
    int rescheduled;
    int fired;
};

static double resched_cb (flux_watcher_t *w, double now, void *arg)
{
    struct resched *rs = arg;
    (void)w;
    if (++rs->rescheduled > 3)
        return now - 1.; /* stop */
    return now + 0.01;
}

static void resched_fire_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    struct resched *rs = arg;
    (void)r;
    (void)w;
    (void)revents;
    rs->fired++;
}

static void test_periodic (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *g, *t;
    int count = 0;
    double t0, at;

    errno = 0;
    assert_null (flux_periodic_watcher_create (r, -1., 0., NULL, count_cb,
                                               &count));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_periodic_watcher_create (r, 0., -1., NULL, count_cb,
                                               &count));
    assert_int_equal (errno, EINVAL);
    g = guard_create (r);

    /* once, at an absolute wall-clock time */
    t0 = flux_reactor_time ();
    at = t0 + 0.05;
    w = flux_periodic_watcher_create (r, at, 0., NULL, count_cb, &count);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_true (flux_watcher_is_active (w));
    assert_true (fabs (flux_watcher_next_wakeup (w) - at) < 1e-6);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 1);
    assert_true (flux_reactor_time () >= at - 0.005);
    assert_false (flux_watcher_is_active (w));

    /* reset: every 10 ms from now, stopped by the callback after 3 */
    count = 0;
    flux_watcher_destroy (w);
    w = flux_periodic_watcher_create (r, 0., 0., NULL, repeat_cb, &count);
    assert_non_null (w);
    flux_periodic_watcher_reset (w, flux_reactor_time (), 0.01, NULL);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 3);
    flux_watcher_destroy (w);

    /* a reschedule callback: called at start and after each firing,
     * until it returns a time past, which stops the watcher
     */
    struct resched rs = { 0 };
    w = flux_periodic_watcher_create (r, 0., 0., resched_cb, resched_fire_cb,
                                      &rs);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_false (flux_watcher_is_active (w));
    assert_int_equal (rs.rescheduled, 4);
    assert_int_equal (rs.fired, 3);
    flux_watcher_destroy (w);

    /* next_wakeup of a timer is in reactor time; others EINVAL */
    t = flux_timer_watcher_create (r, 100., 0., count_cb, &count);
    assert_non_null (t);
    flux_watcher_start (t);
    flux_reactor_now_update (r);
    assert_true (fabs (flux_watcher_next_wakeup (t)
                       - (flux_reactor_now (r) + 100.)) < 0.5);
    flux_watcher_destroy (t);
    errno = 0;
    assert_true (flux_watcher_next_wakeup (g) > 0.); /* a timer too */
    t = flux_prepare_watcher_create (r, count_cb, &count);
    errno = 0;
    assert_true (flux_watcher_next_wakeup (t) == -1.);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_true (flux_watcher_next_wakeup (NULL) == -1.);
    assert_int_equal (errno, EINVAL);
    flux_watcher_destroy (t);

    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void test_signal (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_reactor_t *r2 = flux_reactor_create (0);
    struct sig_ctx ctx = { 0 };
    flux_watcher_t *w, *w2, *t, *g;
    int signum = SIGUSR1;

    w = flux_signal_watcher_create (r, SIGUSR1, sig_cb, &ctx);
    assert_non_null (w);
    assert_int_equal (flux_signal_watcher_get_signum (w), SIGUSR1);
    t = flux_timer_watcher_create (r, 0.001, 0., raise_cb, &signum);
    g = guard_create (r);
    flux_watcher_start (w);
    flux_watcher_start (t);
    assert_int_equal (flux_reactor_run (r, 0), 1); /* stopped; w active */
    assert_int_equal (ctx.count, 1);
    assert_int_equal (ctx.signum, SIGUSR1);

    /* A second watcher of the same signal in the same reactor is fine... */
    w2 = flux_signal_watcher_create (r, SIGUSR1, NULL, NULL);
    assert_non_null (w2);
    flux_watcher_destroy (w2);

    /* ...in another reactor it is refused, not a libev abort... */
    errno = 0;
    assert_null (flux_signal_watcher_create (r2, SIGUSR1, sig_cb, &ctx));
    assert_int_equal (errno, EBUSY);
    /* ...until the first reactor lets go of the signal. */
    flux_watcher_destroy (w);
    w2 = flux_signal_watcher_create (r2, SIGUSR1, sig_cb, &ctx);
    assert_non_null (w2);
    flux_watcher_destroy (w2);

    flux_watcher_destroy (t);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
    flux_reactor_destroy (r2);
}

/* prepare, check, idle: record the order in which they fire */
struct trace {
    char buf[64];
    int len;
};

static void trace_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct trace *tr = arg;
    (void)r;
    (void)w;
    (void)revents;
    if (tr->len < (int)sizeof (tr->buf) - 1)
        tr->buf[tr->len++] = 'T';
}

static void prep_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct trace *tr = arg;
    (void)r;
    (void)w;
    (void)revents;
    if (tr->len < (int)sizeof (tr->buf) - 1)
        tr->buf[tr->len++] = 'P';
}

static void check_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct trace *tr = arg;
    (void)r;
    (void)w;
    (void)revents;
    if (tr->len < (int)sizeof (tr->buf) - 1)
        tr->buf[tr->len++] = 'C';
}

static void test_prepare_check (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    struct trace tr = { .len = 0 };
    flux_watcher_t *p, *c, *t, *g;

    p = flux_prepare_watcher_create (r, prep_cb, &tr);
    c = flux_check_watcher_create (r, check_cb, &tr);
    t = flux_timer_watcher_create (r, 0.01, 0., trace_cb, &tr);
    assert_non_null (p);
    assert_non_null (c);
    assert_non_null (t);
    g = guard_create (r);
    /* prepare and check would keep the loop alive: unref them so that
     * the one-shot timer decides when run returns.
     */
    flux_watcher_unref (p);
    flux_watcher_unref (c);
    flux_watcher_start (p);
    flux_watcher_start (c);
    flux_watcher_start (t);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    /* each iteration: prepare, block, check; the timer fires after the
     * check of the iteration that woke up for it.
     */
    assert_true (tr.len >= 3);
    assert_int_equal (tr.buf[0], 'P');
    assert_int_equal (tr.buf[1], 'C');
    assert_non_null (strstr (tr.buf, "PCT"));
    flux_watcher_destroy (p);
    flux_watcher_destroy (c);
    flux_watcher_destroy (t);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void idle_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    int *count = arg;
    (void)r;
    (void)revents;
    if (++(*count) == 5)
        flux_watcher_stop (w);
}

static void test_idle (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *t, *g;
    int count = 0;
    int tcount = 0;
    double t0;

    /* An idle watcher runs on every iteration and the loop never blocks:
     * with a 60 s timer also active, five iterations take no time.
     */
    w = flux_idle_watcher_create (r, idle_cb, &count);
    t = flux_timer_watcher_create (r, 60., 0., count_cb, &tcount);
    assert_non_null (w);
    g = guard_create (r);
    flux_watcher_start (w);
    flux_watcher_start (t);
    t0 = flux_reactor_time ();
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_ONCE), 2);
    assert_int_equal (count, 1);
    flux_watcher_stop (t);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 5);
    assert_true (flux_reactor_time () - t0 < 4.);
    assert_int_equal (tcount, 0);
    flux_watcher_destroy (w);
    flux_watcher_destroy (t);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void test_run_flags (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w, *t, *g;
    int count = 0;
    int tcount = 0;

    g = guard_create (r);
    /* NOWAIT: one iteration that does not block; the idle watcher runs
     * once and stays active.
     */
    w = flux_idle_watcher_create (r, count_cb, &count);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_NOWAIT), 1);
    assert_int_equal (count, 1);
    flux_watcher_destroy (w);

    /* NOWAIT does not wait for a pending timer. */
    t = flux_timer_watcher_create (r, 0.05, 0., count_cb, &tcount);
    flux_watcher_start (t);
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_NOWAIT), 1);
    assert_int_equal (tcount, 0);
    /* ONCE blocks until it fires, then returns (nothing left active). */
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_ONCE), 0);
    assert_int_equal (tcount, 1);
    flux_watcher_destroy (t);

    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

/* Callbacks that change watchers, their own included. */
struct cb_ctx {
    flux_watcher_t *other;
    int count;
};

static void destroy_self_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    struct cb_ctx *ctx = arg;
    (void)r;
    (void)revents;
    ctx->count++;
    flux_watcher_destroy (w);
}

static void start_other_cb (flux_reactor_t *r, flux_watcher_t *w,
                            int revents, void *arg)
{
    struct cb_ctx *ctx = arg;
    (void)r;
    (void)revents;
    ctx->count++;
    flux_watcher_stop (w);
    flux_watcher_start (ctx->other);
}

static void destroy_other_cb (flux_reactor_t *r, flux_watcher_t *w,
                              int revents, void *arg)
{
    struct cb_ctx *ctx = arg;
    (void)r;
    (void)w;
    (void)revents;
    ctx->count++;
    flux_watcher_destroy (ctx->other);
    ctx->other = NULL;
    flux_watcher_stop (w);
}

static void test_callback_changes (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    struct cb_ctx a = { 0 }, b = { 0 }, c = { 0 };
    flux_watcher_t *w, *w2, *g;
    int count = 0;

    g = guard_create (r);

    /* An idle watcher destroys itself from its callback. */
    w = flux_idle_watcher_create (r, destroy_self_cb, &a);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (a.count, 1);

    /* A prepare watcher stops itself and starts a one-shot timer, which
     * the loop then waits for.
     */
    b.other = flux_timer_watcher_create (r, 0.001, 0., count_cb, &count);
    w = flux_prepare_watcher_create (r, start_other_cb, &b);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (b.count, 1);
    assert_int_equal (count, 1);
    flux_watcher_destroy (w);
    flux_watcher_destroy (b.other);

    /* A timer destroys another active watcher whose event is pending in
     * the same iteration.
     */
    count = 0;
    c.other = flux_timer_watcher_create (r, 0.002, 0., count_cb, &count);
    w2 = flux_timer_watcher_create (r, 0.001, 0., destroy_other_cb, &c);
    flux_watcher_start (c.other);
    flux_watcher_start (w2);
    usleep (5000); /* both due by the first iteration */
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (c.count, 1);
    assert_int_equal (count, 0);
    flux_watcher_destroy (w2);

    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

static void test_reactor_reference (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w;
    int count = 0;

    /* The watcher keeps the reactor alive after the caller drops it. */
    w = flux_timer_watcher_create (r, 0.001, 0., count_cb, &count);
    assert_non_null (w);
    flux_reactor_destroy (r);
    r = flux_watcher_get_reactor (w);
    assert_non_null (r);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 1);
    flux_watcher_destroy (w); /* the reactor goes with it */
}

static void stop_reactor_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    int *count = arg;
    (void)w;
    (void)revents;
    if (++(*count) == 2)
        flux_reactor_stop (r);
}

static void test_ref_unref (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *rep, *once, *idle, *g;
    int count = 0, ocount = 0, icount = 0;

    g = guard_create (r);

    /* An unref'd repeating timer runs while a ref'd one-shot keeps the
     * loop alive, and does not keep it alive after.
     */
    rep = flux_timer_watcher_create (r, 0.001, 0.001, count_cb, &count);
    once = flux_timer_watcher_create (r, 0.03, 0., count_cb, &ocount);
    flux_watcher_unref (rep);
    flux_watcher_start (rep);
    flux_watcher_start (once);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ocount, 1);
    assert_true (count >= 1);
    assert_true (flux_watcher_is_active (rep));

    /* unref and ref toggled while active: it counts again. */
    flux_watcher_unref (rep);   /* already unref'd: no change */
    flux_watcher_ref (rep);
    flux_watcher_destroy (rep);
    count = 0;
    rep = flux_timer_watcher_create (r, 0.001, 0.001, stop_reactor_cb, &count);
    flux_watcher_start (rep);
    flux_watcher_unref (rep);
    flux_watcher_ref (rep);
    flux_watcher_ref (rep);     /* already ref'd: no change */
    assert_int_equal (flux_reactor_run (r, 0), 1);
    assert_int_equal (count, 2);
    /* stopping an unref'd watcher gives its reference back right */
    flux_watcher_unref (rep);
    flux_watcher_stop (rep);
    flux_watcher_destroy (rep);

    /* An unref'd one-shot timer that expires leaves the count balanced:
     * afterwards a self-stopping idle watcher still ends the loop.
     */
    count = 0;
    rep = flux_timer_watcher_create (r, 0.001, 0., count_cb, &count);
    flux_watcher_unref (rep);
    flux_watcher_start (rep);
    flux_timer_watcher_reset (once, 0.02, 0.);
    flux_watcher_start (once);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (count, 1);
    idle = flux_idle_watcher_create (r, idle_cb, &icount);
    flux_watcher_start (idle);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (icount, 5);

    flux_watcher_destroy (idle);
    flux_watcher_destroy (rep);
    flux_watcher_destroy (once);
    flux_watcher_destroy (g);
    flux_reactor_destroy (r);
}

/* handle watcher over an interthread pair */

struct hw_ctx {
    int count;
    int revents;
    int stop_at;
};

/* Receive one message per callback, so later ones are found already
 * queued (the prepare/idle path), not signalled on the fd.
 */
static void hw_recv_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                        void *arg)
{
    struct hw_ctx *ctx = arg;
    flux_t *h = flux_handle_watcher_get_flux (w);
    flux_msg_t *msg;
    (void)r;

    ctx->revents = revents;
    msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    flux_msg_destroy (msg);
    if (++ctx->count == ctx->stop_at)
        flux_watcher_stop (w);
}

static void send_event (flux_t *h, const char *topic)
{
    flux_msg_t *msg = flux_event_encode (topic, NULL);
    assert_non_null (msg);
    assert_int_equal (flux_send (h, msg, 0), 0);
    flux_msg_destroy (msg);
}

static void *late_sender (void *arg)
{
    usleep (50000);
    send_event (arg, "late");
    return NULL;
}

static void hw_destroy_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                           void *arg)
{
    struct hw_ctx *ctx = arg;
    (void)r;
    ctx->revents = revents;
    ctx->count++;
    flux_watcher_destroy (w);
}

static void test_handle (void **state)
{
    (void)state;
    flux_reactor_t *r = flux_reactor_create (0);
    struct hw_ctx ctx = { .stop_at = 3 };
    flux_watcher_t *w, *g;
    flux_t *h1, *h2;
    pthread_t t;

    h1 = flux_open ("interthread://watchertest", 0);
    h2 = flux_open ("interthread://watchertest", 0);
    assert_non_null (h1);
    assert_non_null (h2);
    g = guard_create (r);

    w = flux_handle_watcher_create (r, h2, FLUX_POLLIN, hw_recv_cb, &ctx);
    assert_non_null (w);
    assert_ptr_equal (flux_handle_watcher_get_flux (w), h2);

    /* Nothing queued: a started handle watcher keeps the loop alive, so
     * NOWAIT reports it active and the callback does not run.
     */
    flux_watcher_start (w);
    assert_true (flux_watcher_is_active (w));
    assert_int_equal (flux_reactor_run (r, FLUX_REACTOR_NOWAIT), 1);
    assert_int_equal (ctx.count, 0);

    /* Three messages queued before the loop runs: one per callback. */
    send_event (h1, "a");
    send_event (h1, "b");
    send_event (h1, "c");
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.count, 3);
    assert_int_equal (ctx.revents, FLUX_POLLIN);
    assert_false (flux_watcher_is_active (w));

    /* A message sent by another thread while the loop sleeps wakes it. */
    ctx.count = 0;
    ctx.stop_at = 1;
    flux_watcher_start (w);
    assert_int_equal (pthread_create (&t, NULL, late_sender, h1), 0);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (pthread_join (t, NULL), 0);
    assert_int_equal (ctx.count, 1);

    /* unref'd, it no longer keeps the loop alive */
    flux_watcher_unref (w);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.count, 1);
    flux_watcher_destroy (w);

    /* POLLOUT: an interthread handle can always send; the watcher
     * destroys itself from its callback.
     */
    ctx.count = 0;
    w = flux_handle_watcher_create (r, h2, FLUX_POLLOUT, hw_destroy_cb, &ctx);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_int_equal (flux_reactor_run (r, 0), 0);
    assert_int_equal (ctx.count, 1);
    assert_true (ctx.revents & FLUX_POLLOUT);

    flux_watcher_destroy (g);
    flux_close (h1);
    flux_close (h2);
    flux_reactor_destroy (r);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_fd),
        cmocka_unit_test (test_timer_oneshot),
        cmocka_unit_test (test_timer_repeat),
        cmocka_unit_test (test_timer_reset),
        cmocka_unit_test (test_timer_again),
        cmocka_unit_test (test_periodic),
        cmocka_unit_test (test_signal),
        cmocka_unit_test (test_prepare_check),
        cmocka_unit_test (test_idle),
        cmocka_unit_test (test_run_flags),
        cmocka_unit_test (test_callback_changes),
        cmocka_unit_test (test_reactor_reference),
        cmocka_unit_test (test_ref_unref),
        cmocka_unit_test (test_handle),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
