/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: message lists (msglist.h), disconnect and cancel matching
 * (disconnect.h), control messages (control.h) and the single-flag
 * message functions (end of message.h).  Written against flux-core's
 * behaviour independently of test/msglist.c, whose cases they add to
 * (cursor after append/push, references through pop, cancel answers).
 */
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
#include "errno_assert.h"

static flux_msg_t *request (const char *topic, uint32_t matchtag)
{
    flux_msg_t *msg = flux_request_encode (topic, NULL);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_matchtag (msg, matchtag), 0);
    return msg;
}

/* A request as the broker hands it to a service: a sender route and the
 * sender's credentials.
 */
static flux_msg_t *request_from (const char *sender, uint32_t userid,
                                 uint32_t rolemask, uint32_t matchtag)
{
    flux_msg_t *msg = request ("svc.method", matchtag);
    struct flux_msg_cred cred = { .userid = userid, .rolemask = rolemask };

    if (sender) {
        flux_msg_route_enable (msg);
        assert_int_equal (flux_msg_route_push (msg, sender), 0);
    }
    assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    return msg;
}

static const char *topic_of (const flux_msg_t *msg)
{
    const char *topic = NULL;
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    return topic;
}

static void test_msglist_errors (void **state)
{
    flux_msg_t *m = request ("a", 1);
    (void)state;

    assert_fails (flux_msglist_append (NULL, m), EINVAL);
    assert_fails (flux_msglist_push (NULL, m), EINVAL);
    struct flux_msglist *l = flux_msglist_create ();
    assert_non_null (l);
    assert_fails (flux_msglist_append (l, NULL), EINVAL);
    assert_fails (flux_msglist_push (l, NULL), EINVAL);
    assert_int_equal (flux_msglist_count (NULL), 0);
    assert_null (flux_msglist_first (NULL));
    assert_null (flux_msglist_next (NULL));
    assert_null (flux_msglist_last (NULL));
    assert_null (flux_msglist_pop (NULL));
    flux_msglist_delete (NULL);

    /* empty list */
    assert_int_equal (flux_msglist_count (l), 0);
    assert_null (flux_msglist_first (l));
    assert_null (flux_msglist_next (l));
    assert_null (flux_msglist_last (l));
    assert_null (flux_msglist_pop (l));
    flux_msglist_delete (l); /* no cursor: nothing happens */

    errno = EIO;
    flux_msglist_destroy (NULL);
    flux_msglist_destroy (l);
    assert_int_equal (errno, EIO);
    flux_msg_destroy (m);
}

static void test_msglist_order_refs (void **state)
{
    struct flux_msglist *l = flux_msglist_create ();
    flux_msg_t *a = request ("a", 1);
    flux_msg_t *b = request ("b", 2);
    flux_msg_t *c = request ("c", 3);
    const flux_msg_t *m;
    (void)state;

    assert_int_equal (flux_msglist_append (l, b), 0);
    assert_int_equal (flux_msglist_append (l, c), 0);
    assert_int_equal (flux_msglist_push (l, a), 0);
    assert_int_equal (flux_msglist_count (l), 3);
    /* the list holds a reference on each */
    assert_int_equal (flux_msg_refcount (a), 2);

    assert_string_equal (topic_of (flux_msglist_first (l)), "a");
    assert_string_equal (topic_of (flux_msglist_next (l)), "b");
    assert_string_equal (topic_of (flux_msglist_next (l)), "c");
    assert_null (flux_msglist_next (l));
    assert_string_equal (topic_of (flux_msglist_last (l)), "c");

    /* append resets the cursor: next then gives the first */
    flux_msg_t *d = request ("d", 4);
    assert_int_equal (flux_msglist_append (l, d), 0);
    assert_string_equal (topic_of (flux_msglist_next (l)), "a");
    assert_string_equal (topic_of (flux_msglist_last (l)), "d");

    /* pop with no cursor takes the first; the caller owns the ref */
    flux_msglist_first (l);
    flux_msglist_next (l);
    assert_int_equal (flux_msglist_push (l, d), 0); /* cursor reset */
    m = flux_msglist_pop (l);
    assert_ptr_equal (m, d);
    assert_int_equal (flux_msg_refcount (d), 3);
    flux_msg_decref (m);
    assert_int_equal (flux_msglist_count (l), 4);

    /* pop at the cursor takes that one and steps back */
    assert_string_equal (topic_of (flux_msglist_first (l)), "a");
    assert_string_equal (topic_of (flux_msglist_next (l)), "b");
    m = flux_msglist_pop (l);
    assert_ptr_equal (m, b);
    flux_msg_decref (m);
    assert_string_equal (topic_of (flux_msglist_next (l)), "c");
    assert_int_equal (flux_msglist_count (l), 3);

    /* destroy drops the list's references */
    flux_msglist_destroy (l);
    assert_int_equal (flux_msg_refcount (a), 1);
    assert_int_equal (flux_msg_refcount (b), 1);
    assert_int_equal (flux_msg_refcount (c), 1);
    assert_int_equal (flux_msg_refcount (d), 1);
    flux_msg_destroy (a);
    flux_msg_destroy (b);
    flux_msg_destroy (c);
    flux_msg_destroy (d);
}

static void test_msglist_delete_iter (void **state)
{
    struct flux_msglist *l = flux_msglist_create ();
    const flux_msg_t *m;
    char topic[8];
    int seen = 0;
    (void)state;

    for (int i = 0; i < 6; i++) {
        snprintf (topic, sizeof (topic), "%d", i);
        flux_msg_t *msg = request (topic, (uint32_t)i + 1);
        assert_int_equal (flux_msglist_append (l, msg), 0);
        flux_msg_destroy (msg); /* the list's reference remains */
    }
    /* delete the even ones while walking forward */
    for (m = flux_msglist_first (l); m; m = flux_msglist_next (l)) {
        seen++;
        if (atoi (topic_of (m)) % 2 == 0)
            flux_msglist_delete (l);
    }
    assert_int_equal (seen, 6);
    assert_int_equal (flux_msglist_count (l), 3);
    assert_string_equal (topic_of (flux_msglist_first (l)), "1");
    assert_string_equal (topic_of (flux_msglist_next (l)), "3");
    assert_string_equal (topic_of (flux_msglist_next (l)), "5");
    /* delete the last one, then the cursor is on "3" */
    flux_msglist_delete (l);
    assert_null (flux_msglist_next (l));
    assert_string_equal (topic_of (flux_msglist_last (l)), "3");
    /* delete everything through the cursor */
    while (flux_msglist_first (l))
        flux_msglist_delete (l);
    assert_int_equal (flux_msglist_count (l), 0);
    flux_msglist_destroy (l);
}

static void test_disconnect_match (void **state)
{
    flux_msg_t *disc = request_from ("client1", 100, FLUX_ROLE_USER, 0);
    flux_msg_t *same = request_from ("client1", 100, FLUX_ROLE_USER, 5);
    flux_msg_t *other = request_from ("client2", 100, FLUX_ROLE_USER, 6);
    flux_msg_t *otheruser = request_from ("client1", 101, FLUX_ROLE_USER, 7);
    flux_msg_t *owner = request_from ("client1", 0, FLUX_ROLE_OWNER, 0);
    flux_msg_t *noroute1 = request_from (NULL, 100, FLUX_ROLE_USER, 0);
    flux_msg_t *noroute2 = request_from (NULL, 100, FLUX_ROLE_USER, 8);
    (void)state;

    assert_true (flux_disconnect_match (disc, same));
    assert_false (flux_disconnect_match (disc, other));
    assert_false (flux_disconnect_match (disc, otheruser));
    /* the owner may disconnect anyone's requests from its sender */
    assert_true (flux_disconnect_match (owner, otheruser));
    assert_false (flux_disconnect_match (owner, other));
    /* no route on either side: same sender (local) */
    assert_true (flux_disconnect_match (noroute1, noroute2));
    assert_false (flux_disconnect_match (noroute1, same));
    assert_false (flux_disconnect_match (NULL, same));
    assert_false (flux_disconnect_match (disc, NULL));

    struct flux_msglist *l = flux_msglist_create ();
    assert_int_equal (flux_msglist_append (l, same), 0);
    assert_int_equal (flux_msglist_append (l, other), 0);
    assert_int_equal (flux_msglist_append (l, otheruser), 0);
    assert_int_equal (flux_msglist_append (l, same), 0);
    /* NULL list or message: nothing matches */
    assert_int_equal (flux_msglist_disconnect (NULL, disc), 0);
    assert_int_equal (flux_msglist_disconnect (l, NULL), 0);
    assert_int_equal (flux_msglist_count (l), 4);
    assert_int_equal (flux_msglist_disconnect (l, disc), 2);
    assert_int_equal (flux_msglist_count (l), 2);
    assert_int_equal (flux_msglist_disconnect (l, disc), 0);
    assert_int_equal (flux_msglist_disconnect (l, owner), 1);
    assert_ptr_equal (flux_msglist_first (l), other);
    flux_msglist_destroy (l);
    assert_int_equal (flux_msg_refcount (same), 1);

    flux_msg_destroy (disc);
    flux_msg_destroy (same);
    flux_msg_destroy (other);
    flux_msg_destroy (otheruser);
    flux_msg_destroy (owner);
    flux_msg_destroy (noroute1);
    flux_msg_destroy (noroute2);
}

static flux_msg_t *cancel_request (const char *sender, uint32_t userid,
                                   int matchtag)
{
    flux_msg_t *msg = request_from (sender, userid, FLUX_ROLE_USER, 0);
    assert_int_equal (flux_msg_pack (msg, "{s:i}", "matchtag", matchtag), 0);
    return msg;
}

static void test_cancel (void **state)
{
    flux_t *h1 = flux_open ("interthread://test-msglist-cancel", 0);
    flux_t *h2 = flux_open ("interthread://test-msglist-cancel", 0);
    flux_msg_t *r5 = request_from ("client1", 100, FLUX_ROLE_USER, 5);
    flux_msg_t *r6 = request_from ("client1", 100, FLUX_ROLE_USER, 6);
    flux_msg_t *r5b = request_from ("client2", 100, FLUX_ROLE_USER, 5);
    flux_msg_t *c5 = cancel_request ("client1", 100, 5);
    flux_msg_t *c9 = cancel_request ("client1", 100, 9);
    flux_msg_t *c5other = cancel_request ("client1", 101, 5);
    flux_msg_t *nopayload = request_from ("client1", 100, FLUX_ROLE_USER, 0);
    (void)state;

    assert_non_null (h1);
    assert_non_null (h2);
    assert_true (flux_cancel_match (c5, r5));
    assert_false (flux_cancel_match (c5, r6));
    assert_false (flux_cancel_match (c5, r5b));    /* other sender */
    assert_false (flux_cancel_match (c5other, r5)); /* other user */
    assert_false (flux_cancel_match (nopayload, r5));
    assert_false (flux_cancel_match (NULL, r5));

    struct flux_msglist *l = flux_msglist_create ();
    assert_int_equal (flux_msglist_append (l, r6), 0);
    assert_int_equal (flux_msglist_append (l, r5), 0);
    assert_int_equal (flux_msglist_append (l, r5b), 0);
    /* no handle to answer with: the answer fails and the item stays */
    assert_fails (flux_msglist_cancel (NULL, l, c5), EINVAL);
    assert_int_equal (flux_msglist_count (l), 3);
    assert_int_equal (flux_msglist_cancel (h1, NULL, c5), 0);
    assert_int_equal (flux_msglist_cancel (h1, l, NULL), 0);
    assert_int_equal (flux_msglist_cancel (h1, l, c9), 0);
    assert_int_equal (flux_msglist_count (l), 3);
    assert_int_equal (flux_msglist_cancel (h1, l, c5), 1);
    assert_int_equal (flux_msglist_count (l), 2);

    /* the canceled request was answered with ENODATA */
    flux_msg_t *rsp = flux_recv (h2, FLUX_MATCH_RESPONSE, FLUX_O_NONBLOCK);
    assert_non_null (rsp);
    int errnum = 0;
    uint32_t tag = 0;
    assert_int_equal (flux_msg_get_errnum (rsp, &errnum), 0);
    assert_int_equal (errnum, ENODATA);
    assert_int_equal (flux_msg_get_matchtag (rsp, &tag), 0);
    assert_int_equal (tag, 5);
    flux_msg_destroy (rsp);
    errno = 0;
    assert_null (flux_recv (h2, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EAGAIN);
    assert_int_equal (flux_msglist_cancel (h1, l, c5), 0);

    /* a matching item that cannot be answered: the error is returned
     * and the item stays
     */
    flux_msg_t *notreq = flux_msg_copy (r6, true);
    assert_int_equal (flux_msg_set_type (notreq, FLUX_MSGTYPE_RESPONSE), 0);
    assert_int_equal (flux_msg_set_matchtag (notreq, 9), 0);
    assert_int_equal (flux_msglist_push (l, notreq), 0);
    errno = 0;
    assert_int_equal (flux_msglist_cancel (h1, l, c9), -1);
    assert_int_not_equal (errno, 0);
    assert_int_equal (flux_msglist_count (l), 3);

    flux_msglist_destroy (l);
    flux_msg_destroy (notreq);
    flux_msg_destroy (r5);
    flux_msg_destroy (r6);
    flux_msg_destroy (r5b);
    flux_msg_destroy (c5);
    flux_msg_destroy (c9);
    flux_msg_destroy (c5other);
    flux_msg_destroy (nopayload);
    flux_close (h1);
    flux_close (h2);
}

static void test_control (void **state)
{
    int type = -1, status = -1;
    flux_msg_t *msg;
    (void)state;

    msg = flux_control_encode (3, 42);
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_type (msg, &type), 0);
    assert_int_equal (type, FLUX_MSGTYPE_CONTROL);
    assert_int_equal (flux_control_decode (msg, &type, &status), 0);
    assert_int_equal (type, 3);
    assert_int_equal (status, 42);
    assert_int_equal (flux_control_decode (msg, NULL, NULL), 0);
    status = 0;
    assert_int_equal (flux_control_decode (msg, NULL, &status), 0);
    assert_int_equal (status, 42);

    /* survives the wire encoding */
    ssize_t size = flux_msg_encode_size (msg);
    assert_true (size > 0);
    void *buf = malloc ((size_t)size);
    assert_non_null (buf);
    assert_int_equal (flux_msg_encode (msg, buf, (size_t)size), 0);
    flux_msg_t *cpy = flux_msg_decode (buf, (size_t)size);
    assert_non_null (cpy);
    assert_int_equal (flux_control_decode (cpy, &type, &status), 0);
    assert_int_equal (type, 3);
    assert_int_equal (status, 42);
    flux_msg_destroy (cpy);
    free (buf);
    flux_msg_destroy (msg);

    msg = flux_control_encode (-1, -7);
    assert_non_null (msg);
    assert_int_equal (flux_control_decode (msg, &type, &status), 0);
    assert_int_equal (type, -1);
    assert_int_equal (status, -7);
    flux_msg_destroy (msg);

    assert_fails (flux_control_decode (NULL, &type, &status), EINVAL);
    msg = request ("a", 1);
    assert_fails (flux_control_decode (msg, &type, &status), EPROTO);
    flux_msg_destroy (msg);
}

static void test_flags (void **state)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    uint8_t flags;
    (void)state;

    assert_false (flux_msg_has_flag (NULL, FLUX_MSGFLAG_PRIVATE));
    assert_fails (flux_msg_set_flag (NULL, FLUX_MSGFLAG_PRIVATE), EINVAL);
    assert_fails (flux_msg_set_flag (msg, 0x100), EINVAL);
    assert_fails (flux_msg_set_flag (msg, -1), EINVAL);

    assert_false (flux_msg_has_flag (msg, FLUX_MSGFLAG_PRIVATE));
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_PRIVATE), 0);
    assert_true (flux_msg_has_flag (msg, FLUX_MSGFLAG_PRIVATE));
    assert_true (flux_msg_is_private (msg));
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_USER1), 0);
    assert_true (flux_msg_has_flag (msg, FLUX_MSGFLAG_USER1));
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_UPSTREAM), 0);
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_PRIVATE | FLUX_MSGFLAG_USER1
                             | FLUX_MSGFLAG_UPSTREAM);
    /* has_flag with several bits: any of them */
    assert_true (flux_msg_has_flag (msg, FLUX_MSGFLAG_USER1
                                         | FLUX_MSGFLAG_STREAMING));

    /* STREAMING and NORESPONSE exclude each other */
    assert_fails (flux_msg_set_flag (msg, FLUX_MSGFLAG_STREAMING
                                          | FLUX_MSGFLAG_NORESPONSE), EINVAL);
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_STREAMING), 0);
    assert_true (flux_msg_is_streaming (msg));
    assert_fails (flux_msg_set_flag (msg, FLUX_MSGFLAG_NORESPONSE), EINVAL);
    assert_false (flux_msg_has_flag (msg, FLUX_MSGFLAG_NORESPONSE));

    /* content flags follow content */
    assert_fails (flux_msg_set_flag (msg, FLUX_MSGFLAG_TOPIC), EINVAL);
    assert_fails (flux_msg_set_flag (msg, FLUX_MSGFLAG_PAYLOAD), EINVAL);
    assert_false (flux_msg_has_flag (msg, FLUX_MSGFLAG_TOPIC));
    assert_int_equal (flux_msg_set_topic (msg, "t"), 0);
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_TOPIC), 0);
    assert_true (flux_msg_has_flag (msg, FLUX_MSGFLAG_TOPIC));
    assert_false (flux_msg_has_flag (msg, FLUX_MSGFLAG_ROUTE));
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_ROUTE), 0);
    assert_true (flux_msg_has_flag (msg, FLUX_MSGFLAG_ROUTE));
    assert_int_equal (flux_msg_route_count (msg), 0);
    assert_int_equal (flux_msg_route_push (msg, "hop"), 0);
    flux_msg_destroy (msg);

    /* NORESPONSE on a fresh message */
    msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_int_equal (flux_msg_set_flag (msg, FLUX_MSGFLAG_NORESPONSE), 0);
    assert_true (flux_msg_is_noresponse (msg));
    flux_msg_destroy (msg);
}

static void test_is_local (void **state)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    (void)state;

    assert_false (flux_msg_is_local (NULL));
    assert_false (flux_msg_is_local (msg));
    assert_int_equal (flux_msg_set_rolemask (msg, FLUX_ROLE_OWNER), 0);
    assert_false (flux_msg_is_local (msg));
    assert_int_equal (flux_msg_set_rolemask (msg, FLUX_ROLE_USER
                                                  | FLUX_ROLE_LOCAL), 0);
    assert_true (flux_msg_is_local (msg));
    assert_int_equal (flux_msg_set_rolemask (msg, FLUX_ROLE_ALL), 0);
    assert_true (flux_msg_is_local (msg));
    flux_msg_destroy (msg);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_msglist_errors),
        cmocka_unit_test (test_msglist_order_refs),
        cmocka_unit_test (test_msglist_delete_iter),
        cmocka_unit_test (test_disconnect_match),
        cmocka_unit_test (test_cancel),
        cmocka_unit_test (test_control),
        cmocka_unit_test (test_flags),
        cmocka_unit_test (test_is_local),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
