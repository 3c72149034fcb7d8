/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for the handle itself, over an interthread pair: aux items,
 * flags, reactor, matchtags, the receive queue (requeue, recv with a
 * match), counters, tracing, clones and rank.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"

struct pair {
    flux_t *h;
    flux_t *peer;
};

static int setup (void **state)
{
    static int n;
    char uri[64];
    struct pair *p = calloc (1, sizeof (*p));

    if (!p)
        return -1;
    snprintf (uri, sizeof (uri), "interthread://handle-%d", n++);
    if (!(p->h = flux_open (uri, 0)) || !(p->peer = flux_open (uri, 0)))
        return -1;
    *state = p;
    return 0;
}

static int teardown (void **state)
{
    struct pair *p = *state;
    flux_close (p->peer);
    flux_close (p->h);
    free (p);
    return 0;
}

static void send_event (flux_t *h, const char *topic)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
}

static void send_response (flux_t *h, const char *topic, uint32_t matchtag)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_RESPONSE);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, matchtag), 0);
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
}

/* Receive the next message without blocking and check its topic. */
static void expect_topic (flux_t *h, const char *expected)
{
    flux_msg_t *msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    const char *topic;
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, expected);
    flux_msg_destroy (msg);
}

static void expect_empty (flux_t *h)
{
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
}

static void test_cornercase (void **state)
{
    (void)state;

    errno = 0;
    assert_null (flux_handle_create (NULL, NULL, 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_aux_set (NULL, "x", NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_aux_get (NULL, "x"));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_clone (NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_pollfd (NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_pollevents (NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_requeue (NULL, NULL, FLUX_RQ_HEAD), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_get_reactor (NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_send_new (NULL, NULL, 0), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_matchtag_alloc (NULL), FLUX_MATCHTAG_NONE);

    /* NULL-safe and errno-preserving */
    errno = 42;
    flux_close (NULL);
    flux_decref (NULL);
    assert_null (flux_incref (NULL));
    flux_matchtag_free (NULL, 1);
    assert_int_equal (errno, 42);
}

static int aux_freed;
static void aux_free (void *arg)
{
    (void)arg;
    aux_freed++;
}

static void test_aux (void **state)
{
    struct pair *p = *state;
    int a, b;

    aux_freed = 0;
    errno = 0;
    assert_null (flux_aux_get (p->h, "nope"));
    assert_int_equal (errno, ENOENT);
    assert_int_equal (flux_aux_set (p->h, "a", &a, aux_free), 0);
    assert_ptr_equal (flux_aux_get (p->h, "a"), &a);
    /* replacing destroys the old value */
    assert_int_equal (flux_aux_set (p->h, "a", &b, aux_free), 0);
    assert_int_equal (aux_freed, 1);
    assert_ptr_equal (flux_aux_get (p->h, "a"), &b);
    /* NULL deletes */
    assert_int_equal (flux_aux_set (p->h, "a", NULL, NULL), 0);
    assert_int_equal (aux_freed, 2);
    assert_null (flux_aux_get (p->h, "a"));
    /* anonymous items are destroyed with the handle */
    assert_int_equal (flux_aux_set (p->h, NULL, &a, aux_free), 0);
    assert_int_equal (flux_aux_set (p->h, "b", &b, aux_free), 0);

    /* refcount: the handle lives until the last reference goes */
    assert_ptr_equal (flux_incref (p->h), p->h);
    flux_decref (p->h);
    assert_int_equal (aux_freed, 2);
    errno = 0;
    assert_int_equal (flux_aux_set (p->h, NULL, NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    flux_close (p->h);
    p->h = NULL;
    assert_int_equal (aux_freed, 4);
}

static void test_flags_reactor (void **state)
{
    struct pair *p = *state;

    assert_int_equal (flux_flags_get (p->h), 0);
    assert_int_equal (flux_flags_set (p->h, FLUX_O_NONBLOCK | FLUX_O_TRACE),
                      0);
    assert_int_equal (flux_flags_get (p->h), FLUX_O_NONBLOCK | FLUX_O_TRACE);
    assert_int_equal (flux_flags_unset (p->h, FLUX_O_TRACE), 0);
    assert_int_equal (flux_flags_get (p->h), FLUX_O_NONBLOCK);
    /* FLUX_O_CLONE cannot be set by hand */
    assert_int_equal (flux_flags_set (p->h, FLUX_O_CLONE), 0);
    assert_int_equal (flux_flags_get (p->h), FLUX_O_NONBLOCK);

    /* created on first use, then the same one */
    flux_reactor_t *r = flux_get_reactor (p->h);
    assert_non_null (r);
    assert_ptr_equal (flux_get_reactor (p->h), r);
    errno = 0;
    assert_int_equal (flux_set_reactor (p->h, r), -1);
    assert_int_equal (errno, EEXIST);

    /* a set reactor is used (and outlives the caller's reference) */
    flux_reactor_t *r2 = flux_reactor_create (0);
    assert_int_equal (flux_set_reactor (p->peer, r2), 0);
    flux_reactor_destroy (r2);
    assert_ptr_equal (flux_get_reactor (p->peer), r2);
    assert_true (flux_reactor_run (r2, FLUX_REACTOR_NOWAIT) >= 0);
}

static void test_matchtags (void **state)
{
    struct pair *p = *state;
    uint32_t avail = flux_matchtag_avail (p->h);
    uint32_t t1, t2, t3;

    assert_true (avail > 1000);
    t1 = flux_matchtag_alloc (p->h);
    t2 = flux_matchtag_alloc (p->h);
    t3 = flux_matchtag_alloc (p->h);
    assert_int_equal (t1, 1);
    assert_int_equal (t2, 2);
    assert_int_equal (t3, 3);
    assert_int_equal (flux_matchtag_avail (p->h), avail - 3);
    flux_matchtag_free (p->h, t2);
    assert_int_equal (flux_matchtag_avail (p->h), avail - 2);
    /* freed tags are reused, lowest first */
    assert_int_equal (flux_matchtag_alloc (p->h), 2);
    /* freeing twice, or freeing NONE, changes nothing */
    flux_matchtag_free (p->h, t3);
    flux_matchtag_free (p->h, t3);
    flux_matchtag_free (p->h, FLUX_MATCHTAG_NONE);
    assert_int_equal (flux_matchtag_avail (p->h), avail - 2);

    /* many tags: all distinct, never NONE */
    for (int i = 0; i < 5000; i++) {
        uint32_t t = flux_matchtag_alloc (p->h);
        assert_int_not_equal (t, FLUX_MATCHTAG_NONE);
        assert_int_equal (t, i + 3);
    }
    assert_int_equal (flux_matchtag_avail (p->h), avail - 5002);

    /* exhaustion: NONE with EBUSY, until a tag is freed */
    {
        uint32_t t, n = flux_matchtag_avail (p->h);
        for (uint32_t i = 0; i < n; i++)
            assert_int_not_equal (flux_matchtag_alloc (p->h),
                                  FLUX_MATCHTAG_NONE);
        assert_int_equal (flux_matchtag_avail (p->h), 0);
        errno = 0;
        assert_int_equal (flux_matchtag_alloc (p->h), FLUX_MATCHTAG_NONE);
        assert_int_equal (errno, EBUSY);
        flux_matchtag_free (p->h, 777);
        assert_int_equal (flux_matchtag_alloc (p->h), 777);
        for (t = 5003; t < 5003 + n; t++)
            flux_matchtag_free (p->h, t);
        assert_int_equal (flux_matchtag_avail (p->h), avail - 5002);
    }

    /* a clone shares the pool */
    flux_t *c = flux_clone (p->h);
    assert_int_equal (flux_matchtag_alloc (c), 5003);
    flux_close (c);

    /* freeing a tag drops queued responses carrying it */
    send_response (p->peer, "late", 1);
    send_response (p->peer, "other", 2);
    flux_msg_t *msg = flux_recv (p->h, FLUX_MATCH_EVENT, FLUX_O_NONBLOCK);
    assert_null (msg); // both read past, now in the handle's queue
    flux_matchtag_free (p->h, 1);
    expect_topic (p->h, "other");
    expect_empty (p->h);
}

static void test_requeue (void **state)
{
    struct pair *p = *state;
    flux_msg_t *m1 = flux_msg_create (FLUX_MSGTYPE_EVENT);
    flux_msg_t *m2 = flux_msg_create (FLUX_MSGTYPE_EVENT);

    assert_int_equal (flux_msg_set_topic (m1, "rq.1"), 0);
    assert_int_equal (flux_msg_set_topic (m2, "rq.2"), 0);
    errno = 0;
    assert_int_equal (flux_requeue (p->h, m1, 0), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_requeue (p->h, m1, FLUX_RQ_HEAD | FLUX_RQ_TAIL),
                      -1);
    assert_int_equal (errno, EINVAL);

    /* the queue comes before the connector */
    send_event (p->peer, "conn.1");
    assert_int_equal (flux_requeue (p->h, m1, FLUX_RQ_TAIL), 0);
    assert_int_equal (flux_requeue (p->h, m2, FLUX_RQ_HEAD), 0);
    /* the handle holds its own reference */
    flux_msg_destroy (m1);
    flux_msg_destroy (m2);
    assert_true (flux_pollevents (p->h) & FLUX_POLLIN);
    expect_topic (p->h, "rq.2");
    expect_topic (p->h, "rq.1");
    expect_topic (p->h, "conn.1");
    expect_empty (p->h);
}

static void test_recv_match (void **state)
{
    struct pair *p = *state;
    struct flux_match match = FLUX_MATCH_RESPONSE;
    flux_msg_t *msg;
    const char *topic;

    send_event (p->peer, "ev.1");
    send_response (p->peer, "rsp.5", 5);
    send_event (p->peer, "ev.2");
    send_response (p->peer, "rsp.6", 6);
    send_event (p->peer, "ev.3");

    /* the matching message is taken; those read past keep their place */
    match.matchtag = 6;
    msg = flux_recv (p->h, match, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, "rsp.6");
    flux_msg_destroy (msg);

    /* nothing matches: EWOULDBLOCK, and nothing is lost */
    match.matchtag = 7;
    errno = 0;
    assert_null (flux_recv (p->h, match, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);

    /* later arrivals queue behind */
    send_event (p->peer, "ev.4");
    msg = flux_recv (p->h, FLUX_MATCH_RESPONSE, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, "rsp.5");
    flux_msg_destroy (msg);

    match = FLUX_MATCH_EVENT;
    match.topic_glob = "ev.[34]";
    msg = flux_recv (p->h, match, FLUX_O_NONBLOCK);
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, "ev.3");
    flux_msg_destroy (msg);

    expect_topic (p->h, "ev.1");
    expect_topic (p->h, "ev.2");
    expect_topic (p->h, "ev.4");
    expect_empty (p->h);
}

static void test_counters (void **state)
{
    struct pair *p = *state;
    struct flux_msgcounters mcs;
    flux_msg_t *msg;

    flux_clr_msgcounters (p->h);
    flux_clr_msgcounters (p->peer);
    msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_int_equal (flux_msg_set_topic (msg, "count"), 0);
    assert_int_equal (flux_send (p->h, msg, 0), 0);
    assert_int_equal (flux_send (p->h, msg, 0), 0);
    assert_int_equal (flux_send_new (p->h, &msg, 0), 0);
    send_event (p->h, "count.ev");
    send_response (p->peer, "count.rsp", 1);

    flux_get_msgcounters (p->h, &mcs);
    assert_int_equal (mcs.request_tx, 3);
    assert_int_equal (mcs.event_tx, 1);
    assert_int_equal (mcs.request_rx, 0);

    for (int i = 0; i < 4; i++)
        flux_msg_destroy (flux_recv (p->peer, FLUX_MATCH_ANY, 0));
    flux_get_msgcounters (p->peer, &mcs);
    assert_int_equal (mcs.request_rx, 3);
    assert_int_equal (mcs.event_rx, 1);
    assert_int_equal (mcs.response_tx, 1);

    /* read past by a match: counted once, when returned */
    send_event (p->peer, "count.ev2");
    flux_msg_destroy (flux_recv (p->h, FLUX_MATCH_RESPONSE, 0));
    flux_get_msgcounters (p->h, &mcs);
    assert_int_equal (mcs.response_rx, 1);
    assert_int_equal (mcs.event_rx, 0);

    /* a clone shares the counters */
    flux_t *c = flux_clone (p->h);
    flux_msg_destroy (flux_recv (c, FLUX_MATCH_ANY, 0));
    flux_close (c);
    flux_get_msgcounters (p->h, &mcs);
    assert_int_equal (mcs.event_rx, 1);

    flux_clr_msgcounters (p->h);
    flux_get_msgcounters (p->h, &mcs);
    assert_int_equal (mcs.request_tx, 0);
    assert_int_equal (mcs.response_rx, 0);
}

/* Run fn with stderr sent to a temp file; return what was written. */
static char *capture_stderr (void (*fn)(struct pair *p), struct pair *p)
{
    char path[] = "/tmp/test_handle_trace.XXXXXX";
    int fd = mkstemp (path);
    int saved = dup (STDERR_FILENO);
    static char buf[4096];
    ssize_t n;

    assert_true (fd >= 0);
    fflush (stderr);
    dup2 (fd, STDERR_FILENO);
    fn (p);
    fflush (stderr);
    dup2 (saved, STDERR_FILENO);
    close (saved);
    n = pread (fd, buf, sizeof (buf) - 1, 0);
    assert_true (n >= 0);
    buf[n] = '\0';
    close (fd);
    unlink (path);
    return buf;
}

static void traced_exchange (struct pair *p)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_int_equal (flux_msg_set_topic (msg, "trace.me"), 0);
    assert_int_equal (flux_msg_set_string (msg, "hello"), 0);
    assert_int_equal (flux_send_new (p->h, &msg, 0), 0);
    send_event (p->peer, "trace.back");
    flux_msg_destroy (flux_recv (p->h, FLUX_MATCH_ANY, 0));
}

static void test_trace (void **state)
{
    struct pair *p = *state;
    char *out;

    out = capture_stderr (traced_exchange, p);
    assert_string_equal (out, "");

    assert_int_equal (flux_flags_set (p->h, FLUX_O_TRACE), 0);
    out = capture_stderr (traced_exchange, p);
    assert_non_null (strstr (out, "send request trace.me"));
    assert_non_null (strstr (out, "hello"));
    assert_non_null (strstr (out, "recv event trace.back"));
    flux_msg_destroy (flux_recv (p->peer, FLUX_MATCH_ANY, 0));
    flux_msg_destroy (flux_recv (p->peer, FLUX_MATCH_ANY, 0));
}

/* A clone shares the queue: what it does not take stays, in order. */
static void test_clone (void **state)
{
    struct pair *p = *state;
    flux_t *c = flux_clone (p->h);
    int x;

    assert_non_null (c);
    assert_int_equal (flux_flags_get (c) & FLUX_O_CLONE, FLUX_O_CLONE);
    assert_int_equal (flux_pollfd (c), flux_pollfd (p->h));

    /* own aux and reactor */
    assert_int_equal (flux_aux_set (c, "x", &x, NULL), 0);
    assert_null (flux_aux_get (p->h, "x"));
    assert_ptr_not_equal (flux_get_reactor (c), flux_get_reactor (p->h));

    send_event (p->peer, "c.1");
    send_response (p->peer, "c.rsp", 3);
    send_event (p->peer, "c.2");
    flux_msg_t *msg = flux_recv (c, FLUX_MATCH_RESPONSE, 0);
    assert_non_null (msg);
    flux_msg_destroy (msg);

    /* the parent outlives its own close while the clone holds it */
    flux_t *parent = p->h;
    flux_incref (parent);
    flux_close (p->h);
    p->h = parent;
    flux_close (c);
    expect_topic (p->h, "c.1");
    expect_topic (p->h, "c.2");
    expect_empty (p->h);

    /* sends through a clone go out on the shared connector */
    c = flux_clone (p->h);
    send_event (c, "from.clone");
    expect_topic (p->peer, "from.clone");
    flux_close (c);
}

static void test_rank (void **state)
{
    struct pair *p = *state;
    uint32_t rank = 42;

    errno = 0;
    assert_int_equal (flux_get_rank (p->h, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_attr_set_cacheonly (p->h, "rank", "0"), 0);
    assert_int_equal (flux_get_rank (p->h, &rank), 0);
    assert_int_equal (rank, 0);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test_setup_teardown (test_aux, setup, teardown),
        cmocka_unit_test_setup_teardown (test_flags_reactor, setup, teardown),
        cmocka_unit_test_setup_teardown (test_matchtags, setup, teardown),
        cmocka_unit_test_setup_teardown (test_requeue, setup, teardown),
        cmocka_unit_test_setup_teardown (test_recv_match, setup, teardown),
        cmocka_unit_test_setup_teardown (test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown (test_trace, setup, teardown),
        cmocka_unit_test_setup_teardown (test_clone, setup, teardown),
        cmocka_unit_test_setup_teardown (test_rank, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
