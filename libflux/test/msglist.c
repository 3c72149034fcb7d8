/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for message lists and disconnect/cancel matching. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flux/core.h"

static flux_msg_t *req (const char *topic)
{
    flux_msg_t *msg;
    assert_non_null ((msg = flux_request_encode (topic, NULL)));
    return msg;
}

static const char *topic_of (const flux_msg_t *msg)
{
    const char *topic = NULL;
    if (!msg)
        return "(none)";
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    return topic;
}

static void test_order_and_cursor (void **state)
{
    struct flux_msglist *l;
    flux_msg_t *a = req ("a"), *b = req ("b"), *c = req ("c");
    const flux_msg_t *m;
    (void)state;

    assert_non_null ((l = flux_msglist_create ()));
    assert_int_equal (flux_msglist_count (l), 0);
    assert_null (flux_msglist_first (l));
    assert_null (flux_msglist_last (l));
    assert_null (flux_msglist_pop (l));
    flux_msglist_delete (l); /* no cursor: nothing */

    assert_int_equal (flux_msglist_append (l, b), 0);
    assert_int_equal (flux_msglist_append (l, c), 0);
    assert_int_equal (flux_msglist_push (l, a), 0);
    assert_int_equal (flux_msglist_count (l), 3);
    /* the list holds references: ours can go */
    flux_msg_decref (a);
    flux_msg_decref (b);
    flux_msg_decref (c);

    assert_string_equal (topic_of (flux_msglist_first (l)), "a");
    assert_string_equal (topic_of (flux_msglist_next (l)), "b");
    assert_string_equal (topic_of (flux_msglist_next (l)), "c");
    assert_null (flux_msglist_next (l));
    assert_string_equal (topic_of (flux_msglist_last (l)), "c");

    /* delete at the cursor while iterating forward */
    assert_string_equal (topic_of (flux_msglist_first (l)), "a");
    assert_string_equal (topic_of (flux_msglist_next (l)), "b");
    flux_msglist_delete (l);
    assert_int_equal (flux_msglist_count (l), 2);
    assert_string_equal (topic_of (flux_msglist_next (l)), "c");
    assert_null (flux_msglist_next (l));

    /* pop with the cursor on an item takes that one, else the first */
    assert_string_equal (topic_of (flux_msglist_last (l)), "c");
    assert_non_null ((m = flux_msglist_pop (l)));
    assert_string_equal (topic_of (m), "c");
    flux_msg_decref (m);
    assert_int_equal (flux_msglist_count (l), 1);
    assert_int_equal (flux_msglist_append (l, (m = req ("d"))), 0);
    flux_msg_decref (m);
    /* append unset the cursor (as flux-core's): next gives the first */
    assert_string_equal (topic_of (flux_msglist_next (l)), "a");
    assert_string_equal (topic_of (flux_msglist_next (l)), "d");
    assert_null (flux_msglist_next (l)); /* cursor past the end: unset */
    assert_string_equal (topic_of ((m = flux_msglist_pop (l))), "a");
    flux_msg_decref (m);
    assert_string_equal (topic_of ((m = flux_msglist_pop (l))), "d");
    flux_msg_decref (m);
    assert_null (flux_msglist_pop (l));
    assert_int_equal (flux_msglist_count (l), 0);

    /* destroy drops what is left */
    assert_int_equal (flux_msglist_append (l, (m = req ("e"))), 0);
    flux_msg_decref (m);
    errno = 42;
    flux_msglist_destroy (l);
    assert_int_equal (errno, 42);
}

static void test_cornercase (void **state)
{
    flux_msg_t *a = req ("a");
    (void)state;

    errno = 0;
    assert_int_equal (flux_msglist_append (NULL, a), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_msglist_push (NULL, a), -1);
    assert_int_equal (errno, EINVAL);
    struct flux_msglist *l = flux_msglist_create ();
    assert_non_null (l);
    errno = 0;
    assert_int_equal (flux_msglist_append (l, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_msglist_count (NULL), 0);
    assert_null (flux_msglist_first (NULL));
    assert_null (flux_msglist_next (NULL));
    assert_null (flux_msglist_last (NULL));
    assert_null (flux_msglist_pop (NULL));
    flux_msglist_delete (NULL);
    flux_msglist_destroy (NULL);
    flux_msglist_destroy (l);
    flux_msg_decref (a);
}

/* A request from 'sender' as 'userid' with 'rolemask', tag 'matchtag'. */
static flux_msg_t *from (const char *topic, const char *payload,
                         const char *sender, uint32_t userid,
                         uint32_t rolemask, uint32_t matchtag)
{
    flux_msg_t *msg;
    struct flux_msg_cred cred = { .userid = userid, .rolemask = rolemask };

    assert_non_null ((msg = flux_request_encode (topic, payload)));
    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_route_push (msg, sender), 0);
    assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, matchtag), 0);
    return msg;
}

static void test_disconnect (void **state)
{
    struct flux_msglist *l = flux_msglist_create ();
    flux_msg_t *m;
    flux_msg_t *dis;
    (void)state;

    assert_non_null (l);
    m = from ("svc.watch", NULL, "client1", 100, FLUX_ROLE_USER, 1);
    assert_int_equal (flux_msglist_append (l, m), 0);
    flux_msg_decref (m);
    m = from ("svc.watch", NULL, "client2", 100, FLUX_ROLE_USER, 2);
    assert_int_equal (flux_msglist_append (l, m), 0);
    flux_msg_decref (m);
    m = from ("svc.watch", NULL, "client1", 100, FLUX_ROLE_USER, 3);
    assert_int_equal (flux_msglist_append (l, m), 0);
    flux_msg_decref (m);

    /* another user from the same connection may not */
    dis = from ("svc.disconnect", NULL, "client1", 200, FLUX_ROLE_USER, 0);
    assert_false (flux_disconnect_match (dis, flux_msglist_first (l)));
    assert_int_equal (flux_msglist_disconnect (l, dis), 0);
    flux_msg_decref (dis);
    /* the owner may */
    dis = from ("svc.disconnect", NULL, "client1", 0, FLUX_ROLE_OWNER, 0);
    assert_true (flux_disconnect_match (dis, flux_msglist_first (l)));
    flux_msg_decref (dis);
    /* the same user, same sender: both of client1's go */
    dis = from ("svc.disconnect", NULL, "client1", 100, FLUX_ROLE_USER, 0);
    assert_int_equal (flux_msglist_disconnect (l, dis), 2);
    flux_msg_decref (dis);
    assert_int_equal (flux_msglist_count (l), 1);
    assert_false (flux_disconnect_match (NULL, flux_msglist_first (l)));
    flux_msglist_destroy (l);
}

static void test_cancel (void **state)
{
    struct flux_msglist *l = flux_msglist_create ();
    flux_t *server, *client;
    flux_msg_t *m, *cancel;
    flux_msg_t *resp;
    int errnum;
    uint32_t tag;
    (void)state;

    assert_non_null (l);
    assert_non_null ((server = flux_open ("interthread://msglist-cancel", 0)));
    assert_non_null ((client = flux_open ("interthread://msglist-cancel", 0)));
    /* requests as the server sees them from the client: route = client */
    m = from ("svc.watch", NULL, "msglist-cancel", 100, FLUX_ROLE_USER, 5);
    assert_int_equal (flux_msglist_append (l, m), 0);
    flux_msg_decref (m);
    m = from ("svc.watch", NULL, "msglist-cancel", 100, FLUX_ROLE_USER, 6);
    assert_int_equal (flux_msglist_append (l, m), 0);
    flux_msg_decref (m);

    cancel = from ("svc.cancel", "{\"matchtag\":6}", "msglist-cancel", 100,
                   FLUX_ROLE_USER, 0);
    assert_false (flux_cancel_match (cancel, flux_msglist_first (l)));
    assert_true (flux_cancel_match (cancel, flux_msglist_next (l)));
    assert_int_equal (flux_msglist_cancel (server, l, cancel), 1);
    assert_int_equal (flux_msglist_count (l), 1);
    assert_int_equal (flux_msglist_cancel (server, l, cancel), 0);
    flux_msg_decref (cancel);
    /* no matchtag in the payload: no match */
    cancel = from ("svc.cancel", "{}", "msglist-cancel", 100,
                   FLUX_ROLE_USER, 0);
    assert_false (flux_cancel_match (cancel, flux_msglist_first (l)));
    flux_msg_decref (cancel);

    /* the canceled request was answered ENODATA */
    assert_non_null ((resp = flux_recv (client, FLUX_MATCH_RESPONSE,
                                        FLUX_O_NONBLOCK)));
    assert_int_equal (flux_msg_get_errnum (resp, &errnum), 0);
    assert_int_equal (errnum, ENODATA);
    assert_int_equal (flux_msg_get_matchtag (resp, &tag), 0);
    assert_int_equal (tag, 6);
    flux_msg_decref (resp);

    flux_msglist_destroy (l);
    flux_close (client);
    flux_close (server);
}

/* subscribe_ex/unsubscribe_ex send the RPC with the flags given. */
static void test_event_subscribe_ex (void **state)
{
    flux_t *b, *h;
    flux_future_t *f;
    flux_msg_t *msg;
    const char *topic;
    (void)state;

    errno = 0;
    assert_null (flux_event_subscribe_ex (NULL, "x", 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_event_unsubscribe_ex (NULL, "x", 0));
    assert_int_equal (errno, EINVAL);
    assert_non_null ((b = flux_open ("interthread://event-sub-ex", 0)));
    assert_non_null ((h = flux_open ("interthread://event-sub-ex", 0)));
    errno = 0;
    assert_null (flux_event_subscribe_ex (h, NULL, 0));
    assert_int_equal (errno, EINVAL);

    assert_non_null ((f = flux_event_subscribe_ex (h, "hb",
                                                   FLUX_RPC_NORESPONSE)));
    flux_future_destroy (f);
    assert_non_null ((msg = flux_recv (b, FLUX_MATCH_REQUEST, 0)));
    assert_string_equal (topic_of (msg), "event.subscribe");
    assert_true (flux_msg_is_noresponse (msg));
    assert_int_equal (flux_request_unpack (msg, NULL, "{s:s}",
                                           "topic", &topic), 0);
    assert_string_equal (topic, "hb");
    flux_msg_decref (msg);

    assert_non_null ((f = flux_event_unsubscribe_ex (h, "hb", 0)));
    assert_non_null ((msg = flux_recv (b, FLUX_MATCH_REQUEST, 0)));
    assert_string_equal (topic_of (msg), "event.unsubscribe");
    assert_false (flux_msg_is_noresponse (msg));
    assert_int_equal (flux_respond_error (b, msg, EPERM, "nope"), 0);
    flux_msg_decref (msg);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, EPERM);
    flux_future_destroy (f);
    flux_close (h);
    flux_close (b);
}

/* Control messages (flux/control.h), here with the other small
 * message helpers.
 */
static void test_control (void **state)
{
    flux_msg_t *msg;
    int type = 0, status = 0;
    int msgtype;
    (void)state;

    assert_non_null ((msg = flux_control_encode (3, 42)));
    assert_int_equal (flux_msg_get_type (msg, &msgtype), 0);
    assert_int_equal (msgtype, FLUX_MSGTYPE_CONTROL);
    assert_int_equal (flux_control_decode (msg, &type, &status), 0);
    assert_int_equal (type, 3);
    assert_int_equal (status, 42);
    assert_int_equal (flux_control_decode (msg, NULL, NULL), 0);
    flux_msg_destroy (msg);

    assert_non_null ((msg = flux_request_encode ("x", NULL)));
    errno = 0;
    assert_int_equal (flux_control_decode (msg, &type, &status), -1);
    assert_int_equal (errno, EPROTO);
    flux_msg_destroy (msg);
    errno = 0;
    assert_int_equal (flux_control_decode (NULL, &type, &status), -1);
    assert_int_equal (errno, EINVAL);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_order_and_cursor),
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_disconnect),
        cmocka_unit_test (test_cancel),
        cmocka_unit_test (test_event_subscribe_ex),
        cmocka_unit_test (test_control),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
