/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for RPCs over an interthread pair, with a server thread
 * running its own reactor on the other end.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "flux/core.h"

struct server {
    flux_t *h;
    pthread_t thread;
    int noresponse_count;
    uint32_t last_nodeid;
    uint32_t last_matchtag;
    bool last_noresponse;
    bool last_streaming;
};

static void record (struct server *srv, const flux_msg_t *msg)
{
    uint8_t flags = 0;

    (void)flux_msg_get_nodeid (msg, &srv->last_nodeid);
    (void)flux_msg_get_matchtag (msg, &srv->last_matchtag);
    (void)flux_msg_get_flags (msg, &flags);
    srv->last_noresponse = (flags & FLUX_MSGFLAG_NORESPONSE) != 0;
    srv->last_streaming = (flags & FLUX_MSGFLAG_STREAMING) != 0;
}

static void echo_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    const char *s = NULL;
    (void)mh;

    record (arg, msg);
    if (flux_request_decode (msg, NULL, &s) < 0)
        (void)flux_respond_error (h, msg, errno, NULL);
    else
        (void)flux_respond (h, msg, s);
}

static void error_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    (void)mh;
    record (arg, msg);
    (void)flux_respond_error (h, msg, ENOTSUP, "the widget is unsupported");
}

static void stream_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    int count;
    (void)mh;

    record (arg, msg);
    if (flux_request_unpack (msg, NULL, "{s:i}", "count", &count) < 0)
        goto error;
    if (!flux_msg_is_streaming (msg)) {
        errno = EPROTO;
        goto error;
    }
    for (int i = 0; i < count; i++)
        (void)flux_respond_pack (h, msg, "{s:i}", "seq", i);
    errno = ENODATA;
error:
    (void)flux_respond_error (h, msg, errno, NULL);
}

static void noresponse_cb (flux_t *h, flux_msg_handler_t *mh,
                           const flux_msg_t *msg, void *arg)
{
    struct server *srv = arg;
    (void)h;
    (void)mh;
    record (srv, msg);
    srv->noresponse_count++;
}

static void count_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct server *srv = arg;
    (void)mh;
    (void)flux_respond_pack (h, msg, "{s:i s:i s:b s:b}",
                             "count", srv->noresponse_count,
                             "matchtag", (int)srv->last_matchtag,
                             "noresponse", srv->last_noresponse,
                             "streaming", srv->last_streaming);
}

/* Send 'count' events before the response, so they are queued on the
 * client ahead of it.
 */
static void events_first_cb (flux_t *h, flux_msg_handler_t *mh,
                             const flux_msg_t *msg, void *arg)
{
    int count;
    (void)mh;
    (void)arg;

    if (flux_request_unpack (msg, NULL, "{s:i}", "count", &count) < 0) {
        (void)flux_respond_error (h, msg, errno, NULL);
        return;
    }
    for (int i = 0; i < count; i++) {
        flux_msg_t *ev = flux_event_pack ("test.event", "{s:i}", "seq", i);
        if (!ev || flux_send (h, ev, 0) < 0)
            fail_msg ("server: error sending event");
        flux_msg_destroy (ev);
    }
    (void)flux_respond (h, msg, NULL);
}

static void stop_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)msg;
    (void)arg;
    flux_reactor_stop (flux_get_reactor (h));
}

static const struct flux_msg_handler_spec server_tab[] = {
    { FLUX_MSGTYPE_REQUEST, "test.echo", echo_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "test.error", error_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "test.stream", stream_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "test.noresponse", noresponse_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "test.count", count_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "test.events-first", events_first_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "test.stop", stop_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

static void *server_thread (void *arg)
{
    struct server *srv = arg;
    flux_msg_handler_t **handlers = NULL;

    if (flux_msg_handler_addvec (srv->h, server_tab, srv, &handlers) < 0)
        fail_msg ("server: addvec: %s", strerror (errno));
    if (flux_reactor_run (flux_get_reactor (srv->h), 0) < 0)
        fail_msg ("server: reactor_run: %s", strerror (errno));
    flux_msg_handler_delvec (handlers);
    return NULL;
}

struct ctx {
    flux_t *h;
    struct server srv;
};

static int setup (void **state)
{
    static int seq;
    struct ctx *ctx;
    char uri[64];

    if (!(ctx = calloc (1, sizeof (*ctx))))
        return -1;
    snprintf (uri, sizeof (uri), "interthread://test-rpc-%d", seq++);
    if (!(ctx->h = flux_open (uri, 0)) || !(ctx->srv.h = flux_open (uri, 0)))
        return -1;
    if (pthread_create (&ctx->srv.thread, NULL, server_thread, &ctx->srv))
        return -1;
    *state = ctx;
    return 0;
}

static int teardown (void **state)
{
    struct ctx *ctx = *state;
    flux_future_t *f;

    if (!(f = flux_rpc (ctx->h, "test.stop", NULL, FLUX_NODEID_ANY,
                        FLUX_RPC_NORESPONSE)))
        return -1;
    flux_future_destroy (f);
    if (pthread_join (ctx->srv.thread, NULL))
        return -1;
    flux_close (ctx->srv.h);
    flux_close (ctx->h);
    free (ctx);
    return 0;
}

static void test_cornercase (void **state)
{
    struct ctx *ctx = *state;
    flux_msg_t *msg;

    errno = 0;
    assert_null (flux_rpc (NULL, "test.echo", NULL, FLUX_NODEID_ANY, 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_rpc (ctx->h, NULL, NULL, FLUX_NODEID_ANY, 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_rpc (ctx->h, "test.echo", NULL, FLUX_NODEID_ANY,
                           FLUX_RPC_NORESPONSE | FLUX_RPC_STREAMING));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_rpc (ctx->h, "test.echo", NULL, FLUX_NODEID_ANY, 0x10));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_rpc_pack (ctx->h, "test.echo", FLUX_NODEID_ANY, 0,
                                NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_rpc_raw (NULL, "test.echo", "x", 1, FLUX_NODEID_ANY,
                               0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_rpc_message (ctx->h, NULL, FLUX_NODEID_ANY, 0));
    assert_int_equal (errno, EINVAL);
    /* only a request can be sent as an RPC */
    assert_non_null ((msg = flux_event_encode ("test.echo", NULL)));
    errno = 0;
    assert_null (flux_rpc_message (ctx->h, msg, FLUX_NODEID_ANY, 0));
    assert_int_equal (errno, EINVAL);
    flux_msg_destroy (msg);

    errno = 0;
    assert_int_equal (flux_rpc_get (NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_rpc_get_unpack (NULL, "{}"), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_rpc_get_raw (NULL, NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_rpc_get_matchtag (NULL), FLUX_MATCHTAG_NONE);
    assert_int_equal (flux_rpc_get_nodeid (NULL), FLUX_NODEID_ANY);
}

static void test_sync (void **state)
{
    struct ctx *ctx = *state;
    flux_future_t *f;
    const char *s;
    const void *data;
    size_t len;
    int count;
    int matchtag;
    int streaming;

    assert_non_null ((f = flux_rpc (ctx->h, "test.echo", "{\"a\":42}",
                                    3, 0)));
    assert_int_equal (flux_rpc_get_nodeid (f), 3);
    assert_int_not_equal (flux_rpc_get_matchtag (f), FLUX_MATCHTAG_NONE);
    assert_int_equal (flux_rpc_get (f, &s), 0);
    assert_string_equal (s, "{\"a\":42}");
    assert_int_equal (ctx->srv.last_nodeid, 3);
    assert_int_equal (ctx->srv.last_matchtag, flux_rpc_get_matchtag (f));
    flux_future_destroy (f);

    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.echo",
                                         FLUX_NODEID_ANY, 0,
                                         "{s:i}", "count", 7)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "count", &count), 0);
    assert_int_equal (count, 7);
    /* a payload that is not what the caller expects is EPROTO */
    errno = 0;
    assert_int_equal (flux_rpc_get_unpack (f, "{s:s}", "nope", &s), -1);
    assert_int_equal (errno, EPROTO);
    flux_future_destroy (f);

    assert_non_null ((f = flux_rpc_raw (ctx->h, "test.echo", "hello", 6,
                                        FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_raw (f, &data, &len), 0);
    assert_int_equal (len, 6);
    assert_memory_equal (data, "hello", 6);
    flux_future_destroy (f);

    /* no payload */
    assert_non_null ((f = flux_rpc (ctx->h, "test.echo", NULL,
                                    FLUX_NODEID_ANY, 0)));
    s = "unchanged";
    assert_int_equal (flux_rpc_get (f, &s), 0);
    assert_null (s);
    flux_future_destroy (f);

    assert_non_null ((f = flux_rpc (ctx->h, "test.count", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i s:b}",
                                           "matchtag", &matchtag,
                                           "streaming", &streaming), 0);
    assert_int_not_equal (matchtag, FLUX_MATCHTAG_NONE);
    assert_false (streaming);
    flux_future_destroy (f);
}

static void test_error (void **state)
{
    struct ctx *ctx = *state;
    flux_future_t *f;
    const char *s = NULL;

    assert_non_null ((f = flux_rpc (ctx->h, "test.error", NULL,
                                    FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, &s), -1);
    assert_int_equal (errno, ENOTSUP);
    assert_string_equal (flux_future_error_string (f),
                         "the widget is unsupported");
    errno = 0;
    assert_int_equal (flux_rpc_get_unpack (f, "{}"), -1);
    assert_int_equal (errno, ENOTSUP);
    flux_future_destroy (f);

    /* An error without text: strerror. */
    assert_non_null ((f = flux_rpc (ctx->h, "test.stream", "{\"count\":1}",
                                    FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPROTO);
    assert_string_equal (flux_future_error_string (f), strerror (EPROTO));
    flux_future_destroy (f);
}

struct stream_state {
    int seqs[16];
    int count;
    int errnum;
    flux_reactor_t *r;
};

static void stream_continuation (flux_future_t *f, void *arg)
{
    struct stream_state *ss = arg;
    int seq;

    if (flux_rpc_get_unpack (f, "{s:i}", "seq", &seq) < 0) {
        ss->errnum = errno;
        flux_future_destroy (f);
        return;
    }
    if (ss->count < 16)
        ss->seqs[ss->count] = seq;
    ss->count++;
    flux_future_reset (f);
}

static void test_stream (void **state)
{
    struct ctx *ctx = *state;
    struct stream_state ss = { 0 };
    flux_future_t *f;
    flux_reactor_t *r = flux_get_reactor (ctx->h);
    int streaming;
    int seq;

    /* asynchronous: a continuation per response, ended by ENODATA; the
     * reactor returns once the stream is over.
     */
    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.stream",
                                         FLUX_NODEID_ANY, FLUX_RPC_STREAMING,
                                         "{s:i}", "count", 5)));
    assert_int_equal (flux_future_then (f, -1., stream_continuation, &ss), 0);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (ss.count, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal (ss.seqs[i], i);
    assert_int_equal (ss.errnum, ENODATA);
    assert_true (ctx->srv.last_streaming);
    assert_false (ctx->srv.last_noresponse);

    /* synchronous */
    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.stream",
                                         FLUX_NODEID_ANY, FLUX_RPC_STREAMING,
                                         "{s:i}", "count", 3)));
    for (int i = 0; i < 3; i++) {
        assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "seq", &seq), 0);
        assert_int_equal (seq, i);
        flux_future_reset (f);
    }
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, ENODATA);
    flux_future_destroy (f);

    /* what the server saw of the last stream request */
    assert_non_null ((f = flux_rpc (ctx->h, "test.count", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:b}",
                                           "streaming", &streaming), 0);
    assert_true (streaming);
    flux_future_destroy (f);
}

static void test_noresponse (void **state)
{
    struct ctx *ctx = *state;
    uint32_t avail = flux_matchtag_avail (ctx->h);
    flux_future_t *f;
    const char *s = "unchanged";
    int count;
    int matchtag;
    int noresponse;

    assert_non_null ((f = flux_rpc (ctx->h, "test.noresponse", NULL,
                                    FLUX_NODEID_ANY, FLUX_RPC_NORESPONSE)));
    /* fulfilled at once, with nothing */
    assert_true (flux_future_is_ready (f));
    assert_int_equal (flux_rpc_get (f, &s), 0);
    assert_null (s);
    assert_int_equal (flux_rpc_get_matchtag (f), FLUX_MATCHTAG_NONE);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail);
    flux_future_destroy (f);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail);

    /* the server saw it, without matchtag and with NORESPONSE */
    assert_non_null ((f = flux_rpc (ctx->h, "test.count", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i s:i s:b}",
                                           "count", &count,
                                           "matchtag", &matchtag,
                                           "noresponse", &noresponse), 0);
    flux_future_destroy (f);
    assert_int_equal (count, 1);
    assert_int_equal (matchtag, FLUX_MATCHTAG_NONE);
    assert_true (noresponse);
}

static void test_matchtag (void **state)
{
    struct ctx *ctx = *state;
    uint32_t avail = flux_matchtag_avail (ctx->h);
    uint32_t tag;
    flux_future_t *f;
    flux_future_t *f2;

    /* Completed and destroyed: the matchtag is back, and reused. */
    assert_non_null ((f = flux_rpc (ctx->h, "test.echo", NULL,
                                    FLUX_NODEID_ANY, 0)));
    tag = flux_rpc_get_matchtag (f);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail - 1);
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail);
    assert_non_null ((f = flux_rpc (ctx->h, "test.echo", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_matchtag (f), tag);
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);

    /* Destroyed before its response: the matchtag is never reused. */
    assert_non_null ((f = flux_rpc (ctx->h, "test.echo", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_matchtag (f), tag);
    flux_future_destroy (f);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail - 1);
    assert_non_null ((f = flux_rpc (ctx->h, "test.echo", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_not_equal (flux_rpc_get_matchtag (f), tag);
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);

    /* A stream keeps its matchtag until the error that ends it. */
    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.stream",
                                         FLUX_NODEID_ANY, FLUX_RPC_STREAMING,
                                         "{s:i}", "count", 2)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail - 2);
    assert_non_null ((f2 = flux_rpc_pack (ctx->h, "test.stream",
                                          FLUX_NODEID_ANY, FLUX_RPC_STREAMING,
                                          "{s:i}", "count", 1)));
    assert_int_equal (flux_rpc_get (f2, NULL), 0);
    flux_future_reset (f2);
    errno = 0;
    assert_int_equal (flux_rpc_get (f2, NULL), -1);
    assert_int_equal (errno, ENODATA);
    flux_future_destroy (f2);
    assert_int_equal (flux_matchtag_avail (ctx->h), avail - 2);
}

/* A connector whose every send fails, as a socket whose peer is gone. */
static int failing_send (void *impl, const flux_msg_t *msg, int flags)
{
    (void)impl;
    (void)msg;
    (void)flags;
    errno = EPIPE;
    return -1;
}

static flux_msg_t *failing_recv (void *impl, int flags)
{
    (void)impl;
    (void)flags;
    errno = EAGAIN;
    return NULL;
}

static const struct flux_handle_ops failing_ops = {
    .send = failing_send,
    .recv = failing_recv,
};

/* An RPC whose request cannot be sent fails with the send's errno, and
 * its matchtag is free again: no response can ever carry it.
 */
static void test_matchtag_send_fails (void **state)
{
    static int impl;
    flux_t *h;
    uint32_t avail;
    (void)state;

    assert_non_null ((h = flux_handle_create (&impl, &failing_ops, 0)));
    avail = flux_matchtag_avail (h);
    for (int i = 0; i < 3; i++) {
        errno = 0;
        assert_null (flux_rpc (h, "test.echo", NULL, FLUX_NODEID_ANY, 0));
        assert_int_equal (errno, EPIPE);
        assert_int_equal (flux_matchtag_avail (h), avail);
    }
    flux_close (h);
}

struct events {
    int seqs[16];
    int count;
};

static void event_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct events *ev = arg;
    int seq;
    (void)mh;

    if (flux_event_unpack (msg, NULL, "{s:i}", "seq", &seq) < 0)
        fail_msg ("bad event");
    if (ev->count < 16)
        ev->seqs[ev->count] = seq;
    if (++ev->count == 4)
        flux_reactor_stop (flux_get_reactor (h));
}

/* Events that arrive while the caller waits synchronously are not
 * dispatched during the wait, and are dispatched afterwards, in order.
 */
static void test_sync_get_keeps_other_messages (void **state)
{
    struct ctx *ctx = *state;
    struct events ev = { 0 };
    struct flux_match match = FLUX_MATCH_EVENT;
    flux_msg_handler_t *mh;
    flux_future_t *f;

    match.topic_glob = "test.event";
    assert_non_null ((mh = flux_msg_handler_create (ctx->h, match, event_cb,
                                                    &ev)));
    flux_msg_handler_start (mh);

    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.events-first",
                                         FLUX_NODEID_ANY, 0,
                                         "{s:i}", "count", 2)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.events-first",
                                         FLUX_NODEID_ANY, 0,
                                         "{s:i}", "count", 2)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_int_equal (ev.count, 0);

    assert_true (flux_reactor_run (flux_get_reactor (ctx->h), 0) >= 0);
    assert_int_equal (ev.count, 4);
    assert_int_equal (ev.seqs[0], 0);
    assert_int_equal (ev.seqs[1], 1);
    assert_int_equal (ev.seqs[2], 0);
    assert_int_equal (ev.seqs[3], 1);
    flux_msg_handler_destroy (mh);
}

/* Synchronous gets in another order than the requests were sent: the
 * wait for the second reads the first's response past and puts it back,
 * and the get of the first finds it.  A wait with a timeout (the "now"
 * context) before a plain get, and a get of an RPC with a then
 * continuation, give the same answers.
 */
static void test_sync_get_out_of_order (void **state)
{
    struct ctx *ctx = *state;
    flux_future_t *f[3];
    int count;

    for (int i = 0; i < 3; i++)
        assert_non_null ((f[i] = flux_rpc_pack (ctx->h, "test.echo",
                                                FLUX_NODEID_ANY, 0,
                                                "{s:i}", "count", i)));
    assert_int_equal (flux_future_wait_for (f[2], 5.), 0);
    assert_int_equal (flux_rpc_get_unpack (f[2], "{s:i}", "count", &count),
                      0);
    assert_int_equal (count, 2);
    assert_int_equal (flux_rpc_get_unpack (f[1], "{s:i}", "count", &count),
                      0);
    assert_int_equal (count, 1);
    assert_int_equal (flux_rpc_get_unpack (f[0], "{s:i}", "count", &count),
                      0);
    assert_int_equal (count, 0);
    for (int i = 0; i < 3; i++)
        flux_future_destroy (f[i]);
}

struct both {
    int calls;
    int value;
};

static void both_continuation (flux_future_t *f, void *arg)
{
    struct both *b = arg;

    b->calls++;
    if (flux_rpc_get_unpack (f, "{s:i}", "count", &b->value) < 0)
        b->value = -1;
}

/* then and a synchronous get on one RPC: the response is seen once, by
 * whichever context reads it, and the continuation still runs.
 */
static void test_then_and_get (void **state)
{
    struct ctx *ctx = *state;
    struct both b = { 0 };
    flux_future_t *f;
    int count;

    assert_non_null ((f = flux_rpc_pack (ctx->h, "test.echo",
                                         FLUX_NODEID_ANY, 0,
                                         "{s:i}", "count", 9)));
    assert_int_equal (flux_future_then (f, 5., both_continuation, &b), 0);
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "count", &count), 0);
    assert_int_equal (count, 9);
    assert_true (flux_reactor_run (flux_get_reactor (ctx->h), 0) >= 0);
    assert_int_equal (b.calls, 1);
    assert_int_equal (b.value, 9);
    flux_future_destroy (f);
}

static void timeout_continuation (flux_future_t *f, void *arg)
{
    int *errnum = arg;

    if (flux_rpc_get (f, NULL) < 0)
        *errnum = errno;
    flux_future_destroy (f);
}

static void test_timeouts (void **state)
{
    struct ctx *ctx = *state;
    flux_future_t *f;
    int errnum = 0;

    /* the server never answers a NORESPONSE-style handler: use one that
     * does not respond, sent as an ordinary RPC
     */
    assert_non_null ((f = flux_rpc (ctx->h, "test.noresponse", NULL,
                                    FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_future_wait_for (f, 0.05), -1);
    assert_int_equal (errno, ETIMEDOUT);
    assert_false (flux_future_is_ready (f));
    flux_future_destroy (f);

    assert_non_null ((f = flux_rpc (ctx->h, "test.noresponse", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_future_then (f, 0.05, timeout_continuation,
                                        &errnum), 0);
    assert_true (flux_reactor_run (flux_get_reactor (ctx->h), 0) >= 0);
    assert_int_equal (errnum, ETIMEDOUT);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_cornercase, setup, teardown),
        cmocka_unit_test_setup_teardown (test_sync, setup, teardown),
        cmocka_unit_test_setup_teardown (test_error, setup, teardown),
        cmocka_unit_test_setup_teardown (test_stream, setup, teardown),
        cmocka_unit_test_setup_teardown (test_noresponse, setup, teardown),
        cmocka_unit_test_setup_teardown (test_matchtag, setup, teardown),
        cmocka_unit_test (test_matchtag_send_fails),
        cmocka_unit_test_setup_teardown (test_sync_get_keeps_other_messages,
                                         setup, teardown),
        cmocka_unit_test_setup_teardown (test_sync_get_out_of_order, setup,
                                         teardown),
        cmocka_unit_test_setup_teardown (test_then_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown (test_timeouts, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
