/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for message dispatch, over an interthread pair: a "server"
 * handle with handlers driven by its reactor, a "client" handle that
 * sends and reads what the server answers.
 */
#include <errno.h>
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
    flux_t *server;
    flux_t *client;
};

static int setup (void **state)
{
    static int n;
    char uri[64];
    struct pair *p = calloc (1, sizeof (*p));

    if (!p)
        return -1;
    snprintf (uri, sizeof (uri), "interthread://msg_handler-%d", n++);
    if (!(p->server = flux_open (uri, 0)) || !(p->client = flux_open (uri, 0)))
        return -1;
    *state = p;
    return 0;
}

static int teardown (void **state)
{
    struct pair *p = *state;
    flux_close (p->client);
    flux_close (p->server);
    free (p);
    return 0;
}

/* Let the server's reactor dispatch everything pending. */
static void run_server (struct pair *p)
{
    flux_reactor_t *r = flux_get_reactor (p->server);
    for (int i = 0; i < 20; i++)
        assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
}

static void send_request (flux_t *h, const char *topic, uint32_t matchtag,
                          uint32_t rolemask, bool noresponse)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, matchtag), 0);
    if (rolemask != FLUX_ROLE_NONE) {
        struct flux_msg_cred cred = { .userid = 5000, .rolemask = rolemask };
        assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    }
    if (noresponse)
        assert_int_equal (flux_msg_set_noresponse (msg), 0);
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
}

static void send_event (flux_t *h, const char *topic, uint32_t rolemask)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    if (rolemask != FLUX_ROLE_NONE) {
        struct flux_msg_cred cred = { .userid = 5000, .rolemask = rolemask };
        assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    }
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
}

/* The client expects one response: check errnum and error text (NULL
 * for a success).
 */
static void expect_response (flux_t *h, uint32_t matchtag, int errnum,
                             const char *errstr)
{
    flux_msg_t *msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    int e;
    uint32_t tag;
    const char *s = NULL;

    assert_non_null (msg);
    assert_true (flux_msg_cmp (msg, FLUX_MATCH_RESPONSE));
    assert_int_equal (flux_msg_get_matchtag (msg, &tag), 0);
    assert_int_equal (tag, matchtag);
    assert_int_equal (flux_msg_get_errnum (msg, &e), 0);
    assert_int_equal (e, errnum);
    if (errstr) {
        assert_int_equal (flux_msg_get_string (msg, &s), 0);
        assert_non_null (s);
        assert_string_equal (s, errstr);
    }
    flux_msg_destroy (msg);
}

static void expect_nothing (flux_t *h)
{
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
}

/* A handler that records its name and answers with success. */
#define MAXCALLS 64
static const char *calls[MAXCALLS];
static int ncalls;

static void record_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    (void)mh;
    if (ncalls < MAXCALLS)
        calls[ncalls++] = arg;
    if (flux_msg_cmp (msg, FLUX_MATCH_REQUEST))
        assert_int_equal (flux_respond (h, msg, NULL), 0);
}

static flux_msg_handler_t *handler (flux_t *h, int typemask,
                                    const char *topic, const char *name)
{
    struct flux_match match = FLUX_MATCH_ANY;
    flux_msg_handler_t *mh;

    match.typemask = typemask;
    match.topic_glob = topic;
    mh = flux_msg_handler_create (h, match, record_cb, (void *)name);
    assert_non_null (mh);
    flux_msg_handler_start (mh);
    return mh;
}

static void test_cornercase (void **state)
{
    struct pair *p = *state;

    errno = 0;
    assert_null (flux_msg_handler_create (NULL, FLUX_MATCH_ANY, record_cb,
                                          NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_msg_handler_create (p->server, FLUX_MATCH_ANY, NULL,
                                          NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_msg_handler_addvec (p->server, NULL, NULL, NULL),
                      -1);
    assert_int_equal (errno, EINVAL);

    errno = 42;
    flux_msg_handler_destroy (NULL);
    flux_msg_handler_start (NULL);
    flux_msg_handler_stop (NULL);
    flux_msg_handler_allow_rolemask (NULL, 0);
    flux_msg_handler_deny_rolemask (NULL, 0);
    flux_msg_handler_delvec (NULL);
    assert_int_equal (errno, 42);
}

static void test_exact_vs_glob (void **state)
{
    struct pair *p = *state;
    ncalls = 0;

    flux_msg_handler_t *exact = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                         "foo.bar", "exact");
    flux_msg_handler_t *glob1 = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                         "foo.*", "glob1");
    flux_msg_handler_t *glob2 = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                         "*", "glob2");

    /* exact beats a newer glob; the newest started glob wins */
    send_request (p->client, "foo.bar", 1, FLUX_ROLE_NONE, false);
    send_request (p->client, "foo.baz", 2, FLUX_ROLE_NONE, false);
    run_server (p);
    assert_int_equal (ncalls, 2);
    assert_string_equal (calls[0], "exact");
    assert_string_equal (calls[1], "glob2");
    expect_response (p->client, 1, 0, NULL);
    expect_response (p->client, 2, 0, NULL);

    /* restarting glob1 makes it the newest started */
    flux_msg_handler_stop (glob1);
    flux_msg_handler_start (glob1);
    send_request (p->client, "foo.baz", 3, FLUX_ROLE_NONE, false);
    send_request (p->client, "other", 4, FLUX_ROLE_NONE, false);
    run_server (p);
    assert_int_equal (ncalls, 4);
    assert_string_equal (calls[2], "glob1");
    assert_string_equal (calls[3], "glob2");
    expect_response (p->client, 3, 0, NULL);
    expect_response (p->client, 4, 0, NULL);

    /* a stopped handler gets nothing */
    flux_msg_handler_stop (exact);
    flux_msg_handler_stop (glob1);
    send_request (p->client, "foo.bar", 5, FLUX_ROLE_NONE, false);
    run_server (p);
    assert_int_equal (ncalls, 5);
    assert_string_equal (calls[4], "glob2");
    expect_response (p->client, 5, 0, NULL);

    /* type mask: an event handler does not see requests */
    flux_msg_handler_destroy (glob2);
    flux_msg_handler_t *ev = handler (p->server, FLUX_MSGTYPE_EVENT,
                                      "foo.bar", "event");
    send_request (p->client, "foo.bar", 6, FLUX_ROLE_NONE, false);
    send_event (p->client, "foo.bar", FLUX_ROLE_NONE);
    run_server (p);
    assert_int_equal (ncalls, 6);
    assert_string_equal (calls[5], "event");
    expect_response (p->client, 6, ENOSYS,
                     "Unknown service method 'foo.bar'");
    expect_nothing (p->client);

    flux_msg_handler_destroy (ev);
    flux_msg_handler_destroy (exact);
    flux_msg_handler_destroy (glob1);
}

static void test_newest_wins (void **state)
{
    struct pair *p = *state;
    ncalls = 0;

    flux_msg_handler_t *old = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                       "svc.ping", "old");
    flux_msg_handler_t *new = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                       "svc.ping", "new");
    send_request (p->client, "svc.ping", 1, FLUX_ROLE_NONE, false);
    run_server (p);
    flux_msg_handler_destroy (new);
    send_request (p->client, "svc.ping", 2, FLUX_ROLE_NONE, false);
    run_server (p);
    assert_int_equal (ncalls, 2);
    assert_string_equal (calls[0], "new");
    assert_string_equal (calls[1], "old");
    expect_response (p->client, 1, 0, NULL);
    expect_response (p->client, 2, 0, NULL);
    flux_msg_handler_destroy (old);
}

static void test_unmatched (void **state)
{
    struct pair *p = *state;
    ncalls = 0;

    flux_msg_handler_t *mh = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                      "known", "known");
    send_request (p->client, "nosuch.method", 7, FLUX_ROLE_NONE, false);
    send_request (p->client, "nosuch.quiet", 8, FLUX_ROLE_NONE, true);
    send_event (p->client, "nosuch.event", FLUX_ROLE_NONE);
    flux_msg_t *rsp = flux_msg_create (FLUX_MSGTYPE_RESPONSE);
    assert_int_equal (flux_msg_set_topic (rsp, "stray"), 0);
    assert_int_equal (flux_msg_set_matchtag (rsp, 99), 0);
    assert_int_equal (flux_send_new (p->client, &rsp, 0), 0);
    run_server (p);
    assert_int_equal (ncalls, 0);
    expect_response (p->client, 7, ENOSYS,
                     "Unknown service method 'nosuch.method'");
    expect_nothing (p->client);
    /* all consumed by the server */
    errno = 0;
    assert_null (flux_recv (p->server, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
    flux_msg_handler_destroy (mh);
}

static void test_rolemask (void **state)
{
    struct pair *p = *state;
    ncalls = 0;

    flux_msg_handler_t *owner = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                         "owner.only", "owner");
    flux_msg_handler_t *admin = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                         "admin.too", "admin");
    flux_msg_handler_allow_rolemask (admin, FLUX_ROLE_ADMIN);
    flux_msg_handler_t *guest = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                         "guest.ok", "guest");
    flux_msg_handler_allow_rolemask (guest, FLUX_ROLE_USER);
    flux_msg_handler_t *ev = handler (p->server, FLUX_MSGTYPE_EVENT,
                                      "owner.event", "event");

    send_request (p->client, "owner.only", 1, FLUX_ROLE_USER, false);
    send_request (p->client, "admin.too", 2, FLUX_ROLE_USER, false);
    send_request (p->client, "guest.ok", 3, FLUX_ROLE_USER, false);
    send_request (p->client, "owner.only", 4, FLUX_ROLE_USER, true);
    send_event (p->client, "owner.event", FLUX_ROLE_USER);
    send_request (p->client, "admin.too", 5, FLUX_ROLE_ADMIN, false);
    send_request (p->client, "owner.only", 6, FLUX_ROLE_NONE, false);
    run_server (p);

    assert_int_equal (ncalls, 3);
    assert_string_equal (calls[0], "guest");
    assert_string_equal (calls[1], "admin");
    assert_string_equal (calls[2], "owner"); // stamped OWNER|LOCAL
    expect_response (p->client, 1, EPERM,
                     "Request requires owner credentials");
    expect_response (p->client, 2, EPERM,
                     "Request rejected due to insufficient privilege");
    expect_response (p->client, 3, 0, NULL);
    expect_response (p->client, 5, 0, NULL);
    expect_response (p->client, 6, 0, NULL);
    expect_nothing (p->client);

    /* deny removes bits but keeps OWNER */
    flux_msg_handler_deny_rolemask (guest, FLUX_ROLE_ALL);
    send_request (p->client, "guest.ok", 7, FLUX_ROLE_USER, false);
    send_request (p->client, "guest.ok", 8, FLUX_ROLE_OWNER, false);
    run_server (p);
    expect_response (p->client, 7, EPERM,
                     "Request requires owner credentials");
    expect_response (p->client, 8, 0, NULL);

    flux_msg_handler_destroy (owner);
    flux_msg_handler_destroy (admin);
    flux_msg_handler_destroy (guest);
    flux_msg_handler_destroy (ev);
}

/* Handlers that destroy themselves, or another handler, mid-dispatch. */
static flux_msg_handler_t *victim;
static int self_calls;

static void self_destroy_cb (flux_t *h, flux_msg_handler_t *mh,
                             const flux_msg_t *msg, void *arg)
{
    (void)arg;
    self_calls++;
    assert_int_equal (flux_respond (h, msg, NULL), 0);
    flux_msg_handler_destroy (mh);
    flux_msg_handler_destroy (victim);
    victim = NULL;
}

static void test_self_destroy (void **state)
{
    struct pair *p = *state;
    struct flux_match match = FLUX_MATCH_REQUEST;
    ncalls = 0;
    self_calls = 0;

    victim = handler (p->server, FLUX_MSGTYPE_REQUEST, "victim", "victim");
    match.topic_glob = "selfish";
    flux_msg_handler_t *mh = flux_msg_handler_create (p->server, match,
                                                      self_destroy_cb, NULL);
    assert_non_null (mh);
    flux_msg_handler_start (mh);

    /* A bystander keeps the dispatcher reading after both are gone. */
    flux_msg_handler_t *bystander = handler (p->server, FLUX_MSGTYPE_EVENT,
                                             "bystander", "bystander");
    send_request (p->client, "selfish", 1, FLUX_ROLE_NONE, false);
    send_request (p->client, "selfish", 2, FLUX_ROLE_NONE, false);
    send_request (p->client, "victim", 3, FLUX_ROLE_NONE, false);
    run_server (p);
    assert_int_equal (self_calls, 1);
    assert_int_equal (ncalls, 0);
    expect_response (p->client, 1, 0, NULL);
    expect_response (p->client, 2, ENOSYS,
                     "Unknown service method 'selfish'");
    expect_response (p->client, 3, ENOSYS,
                     "Unknown service method 'victim'");

    /* With no handler running, the dispatcher leaves messages alone. */
    flux_msg_handler_destroy (bystander);
    send_request (p->client, "selfish", 4, FLUX_ROLE_NONE, false);
    run_server (p);
    flux_msg_t *msg = flux_recv (p->server, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    flux_msg_destroy (msg);
    expect_nothing (p->client);
}

static void test_order (void **state)
{
    struct pair *p = *state;
    ncalls = 0;

    flux_msg_handler_t *mh = handler (p->server, FLUX_MSGTYPE_REQUEST,
                                      "ordered", "ordered");
    for (int i = 1; i <= 50; i++)
        send_request (p->client, "ordered", i, FLUX_ROLE_NONE, false);
    run_server (p);
    for (int i = 1; i <= 50; i++)
        expect_response (p->client, i, 0, NULL);
    flux_msg_handler_destroy (mh);
}

static int rpc_calls;
static void rpc_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    (void)h;
    (void)mh;
    (void)msg;
    (void)arg;
    rpc_calls++;
}

static void send_response (flux_t *h, const char *topic, uint32_t matchtag)
{
    flux_msg_t *rsp = flux_msg_create (FLUX_MSGTYPE_RESPONSE);
    assert_non_null (rsp);
    assert_int_equal (flux_msg_set_topic (rsp, topic), 0);
    assert_int_equal (flux_msg_set_matchtag (rsp, matchtag), 0);
    assert_int_equal (flux_send_new (h, &rsp, 0), 0);
}

static void test_response_matchtag (void **state)
{
    struct pair *p = *state;
    struct flux_match match = FLUX_MATCH_RESPONSE;
    ncalls = 0;
    rpc_calls = 0;

    match.matchtag = 42;
    flux_msg_handler_t *mh = flux_msg_handler_create (p->server, match,
                                                      rpc_cb, NULL);
    flux_msg_handler_start (mh);
    /* a topic handler for responses, used when no matchtag matches */
    flux_msg_handler_t *topic = handler (p->server, FLUX_MSGTYPE_RESPONSE,
                                         "svc.op", "topic");

    /* N.B. responses bypass the role check: creds NONE/USER pass */
    send_response (p->client, "svc.op", 42);
    send_response (p->client, "svc.op", 43);
    send_response (p->client, "other", 44);
    run_server (p);
    assert_int_equal (rpc_calls, 1);
    assert_int_equal (ncalls, 1);
    assert_string_equal (calls[0], "topic");
    expect_nothing (p->client);

    flux_msg_handler_destroy (mh);
    flux_msg_handler_destroy (topic);
}

static void test_addvec (void **state)
{
    struct pair *p = *state;
    const struct flux_msg_handler_spec tab[] = {
        { FLUX_MSGTYPE_REQUEST, "vec.a", record_cb, 0 },
        { FLUX_MSGTYPE_REQUEST, "vec.b", record_cb, FLUX_ROLE_USER },
        FLUX_MSGHANDLER_TABLE_END,
    };
    flux_msg_handler_t **handlers = NULL;
    ncalls = 0;

    assert_int_equal (flux_msg_handler_addvec (p->server, tab, "vec",
                                               &handlers), 0);
    assert_non_null (handlers);
    send_request (p->client, "vec.a", 1, FLUX_ROLE_USER, false);
    send_request (p->client, "vec.b", 2, FLUX_ROLE_USER, false);
    run_server (p);
    assert_int_equal (ncalls, 1);
    expect_response (p->client, 1, EPERM,
                     "Request requires owner credentials");
    expect_response (p->client, 2, 0, NULL);
    flux_msg_handler_delvec (handlers);

    send_request (p->client, "vec.a", 3, FLUX_ROLE_NONE, false);
    flux_msg_handler_t *any = handler (p->server, FLUX_MSGTYPE_EVENT,
                                       "x", "x");
    run_server (p);
    expect_response (p->client, 3, ENOSYS, "Unknown service method 'vec.a'");
    flux_msg_handler_destroy (any);
}

/* With a service name, each topic is a method of that service: the
 * table's "get" matches "svc.get" and not "get"; globs work under it;
 * the rolemasks are kept.
 */
static void test_addvec_ex (void **state)
{
    struct pair *p = *state;
    const struct flux_msg_handler_spec tab[] = {
        { FLUX_MSGTYPE_REQUEST, "get", record_cb, FLUX_ROLE_USER },
        { FLUX_MSGTYPE_REQUEST, "put", record_cb, 0 },
        { FLUX_MSGTYPE_EVENT, "ev.*", record_cb, 0 },
        FLUX_MSGHANDLER_TABLE_END,
    };
    flux_msg_handler_t **handlers = NULL;
    flux_msg_handler_t **none = NULL;
    ncalls = 0;

    errno = 0;
    assert_int_equal (flux_msg_handler_addvec_ex (NULL, "svc", tab, NULL,
                                                  &handlers), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_msg_handler_addvec_ex (p->server, "svc", NULL,
                                                  NULL, &handlers), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_msg_handler_addvec_ex (p->server, "svc", tab,
                                                  NULL, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_null (handlers);

    assert_int_equal (flux_msg_handler_addvec_ex (p->server, "svc", tab,
                                                  "svc", &handlers), 0);
    assert_non_null (handlers);
    assert_non_null (handlers[2]);
    assert_null (handlers[3]);
    send_request (p->client, "svc.get", 1, FLUX_ROLE_USER, false);
    send_request (p->client, "get", 2, FLUX_ROLE_OWNER, false);
    send_request (p->client, "svc.put", 3, FLUX_ROLE_USER, false);
    send_request (p->client, "svc.put", 4, FLUX_ROLE_OWNER, false);
    send_event (p->client, "svc.ev.one", FLUX_ROLE_OWNER);
    send_event (p->client, "ev.two", FLUX_ROLE_OWNER);
    run_server (p);
    expect_response (p->client, 1, 0, NULL);
    expect_response (p->client, 2, ENOSYS, "Unknown service method 'get'");
    expect_response (p->client, 3, EPERM,
                     "Request requires owner credentials");
    expect_response (p->client, 4, 0, NULL);
    expect_nothing (p->client);
    /* svc.get, svc.put from the owner, the svc.ev.one event */
    assert_int_equal (ncalls, 3);
    flux_msg_handler_delvec (handlers);

    /* an empty table gives an empty array */
    const struct flux_msg_handler_spec empty[] = {
        FLUX_MSGHANDLER_TABLE_END,
    };
    assert_int_equal (flux_msg_handler_addvec_ex (p->server, "svc", empty,
                                                  NULL, &none), 0);
    assert_non_null (none);
    assert_null (none[0]);
    flux_msg_handler_delvec (none);
    flux_msg_handler_delvec (NULL);
}

/* Messages a clone's dispatcher has no handler for go back to the
 * parent, in order, ahead of later arrivals.
 */
static void clone_rpc_cb (flux_t *h, flux_msg_handler_t *mh,
                          const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)msg;
    (void)arg;
    rpc_calls++;
    flux_reactor_stop (flux_get_reactor (h));
}

static void test_clone (void **state)
{
    struct pair *p = *state;
    struct flux_match match = FLUX_MATCH_RESPONSE;
    flux_msg_t *msg;
    const char *topic;
    rpc_calls = 0;
    ncalls = 0;

    /* The parent has a running handler; it must not see anything while
     * the clone waits.
     */
    flux_msg_handler_t *parent_mh = handler (p->server, FLUX_MSGTYPE_EVENT,
                                             "*", "parent");
    flux_t *c = flux_clone (p->server);
    assert_non_null (c);
    assert_true (flux_flags_get (c) & FLUX_O_CLONE);
    flux_reactor_t *r = flux_reactor_create (0);
    assert_int_equal (flux_set_reactor (c, r), 0);
    errno = 0;
    assert_int_equal (flux_set_reactor (c, r), -1);
    assert_int_equal (errno, EEXIST);
    match.matchtag = 77;
    flux_msg_handler_t *mh = flux_msg_handler_create (c, match,
                                                      clone_rpc_cb, NULL);
    flux_msg_handler_start (mh);

    send_event (p->client, "ev.1", FLUX_ROLE_NONE);
    send_request (p->client, "req.1", 1, FLUX_ROLE_NONE, false);
    send_response (p->client, "rsp", 77);
    send_event (p->client, "ev.2", FLUX_ROLE_NONE);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (rpc_calls, 1);
    assert_int_equal (ncalls, 0);
    expect_nothing (p->client); // the request was not answered ENOSYS

    flux_msg_handler_destroy (mh);
    flux_close (c);
    flux_reactor_destroy (r);

    msg = flux_recv (p->server, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, "ev.1");
    assert_int_equal (flux_requeue (p->server, msg, FLUX_RQ_HEAD), 0);
    flux_msg_destroy (msg);

    /* The parent's dispatcher now sees them in order. */
    run_server (p);
    assert_int_equal (ncalls, 2);
    assert_string_equal (calls[0], "parent");
    expect_response (p->client, 1, ENOSYS, "Unknown service method 'req.1'");
    flux_msg_handler_destroy (parent_mh);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown (test_cornercase, setup, teardown),
        cmocka_unit_test_setup_teardown (test_exact_vs_glob, setup, teardown),
        cmocka_unit_test_setup_teardown (test_newest_wins, setup, teardown),
        cmocka_unit_test_setup_teardown (test_unmatched, setup, teardown),
        cmocka_unit_test_setup_teardown (test_rolemask, setup, teardown),
        cmocka_unit_test_setup_teardown (test_self_destroy, setup, teardown),
        cmocka_unit_test_setup_teardown (test_order, setup, teardown),
        cmocka_unit_test_setup_teardown (test_response_matchtag, setup,
                                         teardown),
        cmocka_unit_test_setup_teardown (test_addvec, setup, teardown),
        cmocka_unit_test_setup_teardown (test_addvec_ex, setup, teardown),
        cmocka_unit_test_setup_teardown (test_clone, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
