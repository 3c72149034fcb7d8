/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: messages (message.h), their byte encoding, requests and
 * responses (request.h, response.h).  Corner cases first.
 */

#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "flux/core.h"
#include "message_private.h"
#include "errno_assert.h"

static int aux_destroyed;
static void aux_destroy (void *arg)
{
    aux_destroyed++;
    errno = EIO; // callers must not see this
    free (arg);
}

/* Encode msg, decode the bytes, and return the decoded copy. */
static flux_msg_t *roundtrip (const flux_msg_t *msg)
{
    ssize_t size = flux_msg_encode_size (msg);
    assert_true (size > 0);
    uint8_t *buf = malloc (size);
    assert_non_null (buf);
    assert_int_equal (flux_msg_encode (msg, buf, size), 0);
    flux_msg_t *cpy = flux_msg_decode (buf, size);
    assert_non_null (cpy);
    free (buf);
    return cpy;
}

static void test_cornercase (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    struct flux_msg_cred cred = { 0 };
    const char *s;
    const void *d;
    size_t sz;
    int i, j;
    uint32_t u;
    uint8_t fl;
    uint8_t buf[64];
    assert_non_null (msg);

    assert_fails_null (flux_msg_create (0), EINVAL);
    assert_fails_null (flux_msg_create (3), EINVAL);
    assert_fails_null (flux_msg_create (FLUX_MSGTYPE_ANY), EINVAL);
    errno = 42;
    flux_msg_destroy (NULL);
    flux_msg_decref (NULL);
    assert_int_equal (errno, 42);
    assert_fails_null (flux_msg_incref (NULL), EINVAL);
    assert_fails (flux_msg_refcount (NULL), EINVAL);
    assert_fails_null (flux_msg_copy (NULL, true), EINVAL);
    assert_fails (flux_msg_aux_set (NULL, "a", "b", NULL), EINVAL);
    assert_fails (flux_msg_aux_set (msg, NULL, NULL, NULL), EINVAL);
    assert_fails_null (flux_msg_aux_get (NULL, "a"), EINVAL);
    assert_fails_null (flux_msg_aux_get (msg, NULL), EINVAL);
    assert_fails (flux_msg_encode_size (NULL), EINVAL);
    assert_fails (flux_msg_encode (NULL, buf, sizeof (buf)), EINVAL);
    assert_fails (flux_msg_encode (msg, NULL, sizeof (buf)), EINVAL);
    assert_fails (flux_msg_encode (msg, buf, 1), EINVAL);
    assert_fails_null (flux_msg_decode (NULL, 10), EINVAL);
    assert_fails (flux_msg_set_type (NULL, FLUX_MSGTYPE_EVENT), EINVAL);
    assert_fails (flux_msg_set_type (msg, 0), EINVAL);
    assert_fails (flux_msg_set_type (msg, 0x10), EINVAL);
    assert_fails (flux_msg_get_type (NULL, &i), EINVAL);
    assert_fails (flux_msg_get_type (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_flags (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_flags (NULL, &fl), EINVAL);
    assert_fails (flux_msg_get_flags (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_private (NULL), EINVAL);
    assert_false (flux_msg_is_private (NULL));
    assert_fails (flux_msg_set_streaming (NULL), EINVAL);
    assert_false (flux_msg_is_streaming (NULL));
    assert_fails (flux_msg_set_noresponse (NULL), EINVAL);
    assert_false (flux_msg_is_noresponse (NULL));
    assert_fails (flux_msg_set_topic (NULL, "a"), EINVAL);
    assert_fails (flux_msg_get_topic (NULL, &s), EINVAL);
    assert_fails (flux_msg_get_topic (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_payload (NULL, NULL, 0), EINVAL);
    assert_fails (flux_msg_set_payload (msg, NULL, 1), EINVAL);
    assert_fails (flux_msg_get_payload (NULL, &d, &sz), EINVAL);
    assert_false (flux_msg_has_payload (NULL));
    assert_fails (flux_msg_set_string (NULL, "a"), EINVAL);
    assert_fails (flux_msg_get_string (NULL, &s), EINVAL);
    assert_fails (flux_msg_get_string (msg, NULL), EINVAL);
    assert_fails (flux_msg_pack (NULL, "{}"), EINVAL);
    assert_fails (flux_msg_pack (msg, NULL), EINVAL);
    assert_fails (flux_msg_pack (msg, ""), EINVAL);
    assert_fails (flux_msg_unpack (NULL, "{}"), EINVAL);
    assert_fails (flux_msg_unpack (msg, NULL), EINVAL);
    assert_non_null (flux_msg_last_error (NULL));
    assert_fails (flux_msg_set_nodeid (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_nodeid (NULL, &u), EINVAL);
    assert_fails (flux_msg_get_nodeid (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_userid (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_userid (NULL, &u), EINVAL);
    assert_fails (flux_msg_get_userid (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_rolemask (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_rolemask (NULL, &u), EINVAL);
    assert_fails (flux_msg_get_rolemask (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_cred (NULL, cred), EINVAL);
    assert_fails (flux_msg_get_cred (NULL, &cred), EINVAL);
    assert_fails (flux_msg_get_cred (msg, NULL), EINVAL);
    assert_fails (flux_msg_authorize (NULL, 0), EINVAL);
    assert_fails (flux_msg_set_errnum (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_errnum (NULL, &i), EINVAL);
    assert_fails (flux_msg_set_seq (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_seq (NULL, &u), EINVAL);
    assert_fails (flux_msg_set_matchtag (NULL, 0), EINVAL);
    assert_fails (flux_msg_get_matchtag (NULL, &u), EINVAL);
    assert_fails (flux_msg_get_matchtag (msg, NULL), EINVAL);
    assert_fails (flux_msg_set_control (NULL, 0, 0), EINVAL);
    assert_fails (flux_msg_get_control (NULL, &i, &j), EINVAL);
    assert_false (flux_msg_cmp (NULL, FLUX_MATCH_ANY));
    flux_msg_route_enable (NULL);
    flux_msg_route_disable (NULL);
    flux_msg_route_clear (NULL);
    assert_fails (flux_msg_route_push (NULL, "a"), EINVAL);
    assert_fails (flux_msg_route_push (msg, NULL), EINVAL);
    assert_fails (flux_msg_route_delete_last (NULL), EINVAL);
    assert_null (flux_msg_route_first (NULL));
    assert_null (flux_msg_route_last (NULL));
    assert_fails (flux_msg_route_count (NULL), EINVAL);
    assert_fails_null (flux_msg_route_string (NULL), EINVAL);
    assert_string_equal (flux_msg_typestr (0), "unknown");
    assert_string_equal (flux_msg_typestr (FLUX_MSGTYPE_ANY), "unknown");

    assert_fails (flux_request_decode (NULL, NULL, NULL), EINVAL);
    assert_fails (flux_request_decode_raw (msg, NULL, NULL, &sz), EINVAL);
    assert_fails (flux_request_decode_raw (msg, NULL, &d, NULL), EINVAL);
    assert_fails_null (flux_request_encode (NULL, NULL), EINVAL);
    assert_fails_null (flux_request_encode_raw ("a", NULL, 1), EINVAL);
    assert_fails (flux_response_decode (NULL, NULL, NULL), EINVAL);
    assert_fails (flux_response_decode_error (NULL, &s), EINVAL);
    assert_fails_null (flux_response_derive (NULL, 0), EINVAL);
    assert_fails_null (flux_response_encode (NULL, NULL), EINVAL);
    assert_fails_null (flux_response_encode_raw ("a", NULL, 1), EINVAL);
    assert_fails_null (flux_response_encode_error (NULL, EPERM, NULL), EINVAL);
    assert_fails (flux_respond (NULL, msg, NULL), EINVAL);
    assert_fails (flux_respond_error (NULL, msg, EPERM, NULL), EINVAL);

    flux_msg_destroy (msg);
}

static void test_defaults (void **state)
{
    (void)state;
    static const int types[] = {
        FLUX_MSGTYPE_REQUEST, FLUX_MSGTYPE_RESPONSE,
        FLUX_MSGTYPE_EVENT, FLUX_MSGTYPE_CONTROL,
    };
    static const char *names[] = { "request", "response", "event", "control" };

    for (size_t k = 0; k < 4; k++) {
        flux_msg_t *msg = flux_msg_create (types[k]);
        uint32_t u;
        int type;
        uint8_t flags;
        assert_non_null (msg);
        assert_int_equal (flux_msg_get_type (msg, &type), 0);
        assert_int_equal (type, types[k]);
        assert_string_equal (flux_msg_typestr (type), names[k]);
        assert_int_equal (flux_msg_get_userid (msg, &u), 0);
        assert_int_equal (u, FLUX_USERID_UNKNOWN);
        assert_int_equal (flux_msg_get_rolemask (msg, &u), 0);
        assert_int_equal (u, FLUX_ROLE_NONE);
        assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
        assert_int_equal (flags, 0);
        assert_int_equal (flux_msg_refcount (msg), 1);
        assert_false (flux_msg_has_payload (msg));
        flux_msg_destroy (msg);
    }
}

static void test_type_fields (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    uint32_t u;
    int i, j;

    /* request: nodeid ANY, matchtag NONE; errnum/seq/control refused */
    assert_int_equal (flux_msg_get_nodeid (msg, &u), 0);
    assert_int_equal (u, FLUX_NODEID_ANY);
    assert_int_equal (flux_msg_get_matchtag (msg, &u), 0);
    assert_int_equal (u, FLUX_MATCHTAG_NONE);
    assert_fails (flux_msg_set_nodeid (msg, FLUX_NODEID_UPSTREAM), EINVAL);
    assert_int_equal (flux_msg_set_nodeid (msg, 3), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, 42), 0);
    assert_fails (flux_msg_get_errnum (msg, &i), EPROTO);
    assert_fails (flux_msg_set_errnum (msg, 1), EPROTO);
    assert_fails (flux_msg_get_seq (msg, &u), EPROTO);
    assert_fails (flux_msg_set_seq (msg, 1), EPROTO);
    assert_fails (flux_msg_get_control (msg, &i, &j), EPROTO);
    assert_fails (flux_msg_set_control (msg, 1, 1), EPROTO);

    /* becoming a response keeps the matchtag and zeroes errnum */
    assert_int_equal (flux_msg_set_type (msg, FLUX_MSGTYPE_RESPONSE), 0);
    assert_int_equal (flux_msg_get_errnum (msg, &i), 0);
    assert_int_equal (i, 0);
    assert_int_equal (flux_msg_get_matchtag (msg, &u), 0);
    assert_int_equal (u, 42);
    assert_fails (flux_msg_get_nodeid (msg, &u), EPROTO);
    assert_fails (flux_msg_set_nodeid (msg, 1), EPROTO);
    assert_fails (flux_msg_set_errnum (msg, -1), EINVAL);
    assert_int_equal (flux_msg_set_errnum (msg, ENOSYS), 0);
    assert_int_equal (flux_msg_get_errnum (msg, &i), 0);
    assert_int_equal (i, ENOSYS);

    /* back to request: nodeid ANY and matchtag NONE again */
    assert_int_equal (flux_msg_set_type (msg, FLUX_MSGTYPE_REQUEST), 0);
    assert_int_equal (flux_msg_get_nodeid (msg, &u), 0);
    assert_int_equal (u, FLUX_NODEID_ANY);
    assert_int_equal (flux_msg_get_matchtag (msg, &u), 0);
    assert_int_equal (u, FLUX_MATCHTAG_NONE);

    assert_int_equal (flux_msg_set_type (msg, FLUX_MSGTYPE_EVENT), 0);
    assert_int_equal (flux_msg_get_seq (msg, &u), 0);
    assert_int_equal (u, 0);
    assert_int_equal (flux_msg_set_seq (msg, 99), 0);
    assert_int_equal (flux_msg_get_seq (msg, &u), 0);
    assert_int_equal (u, 99);
    assert_fails (flux_msg_get_matchtag (msg, &u), EPROTO);
    assert_fails (flux_msg_set_matchtag (msg, 1), EPROTO);

    assert_int_equal (flux_msg_set_type (msg, FLUX_MSGTYPE_CONTROL), 0);
    assert_int_equal (flux_msg_set_control (msg, 7, 8), 0);
    assert_int_equal (flux_msg_get_control (msg, &i, &j), 0);
    assert_int_equal (i, 7);
    assert_int_equal (j, 8);
    assert_fails (flux_msg_get_control (msg, NULL, &j), EINVAL);
    assert_fails (flux_msg_get_control (msg, &i, NULL), EINVAL);
    flux_msg_destroy (msg);
}

static void test_flags (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    uint8_t flags;

    assert_false (flux_msg_is_streaming (msg));
    assert_false (flux_msg_is_noresponse (msg));
    assert_false (flux_msg_is_private (msg));

    assert_int_equal (flux_msg_set_streaming (msg), 0);
    assert_true (flux_msg_is_streaming (msg));
    assert_int_equal (flux_msg_set_noresponse (msg), 0);
    assert_true (flux_msg_is_noresponse (msg));
    assert_false (flux_msg_is_streaming (msg));
    assert_int_equal (flux_msg_set_streaming (msg), 0);
    assert_false (flux_msg_is_noresponse (msg));

    assert_fails (flux_msg_set_flags (msg, FLUX_MSGFLAG_STREAMING
                                           | FLUX_MSGFLAG_NORESPONSE),
                  EINVAL);
    assert_true (flux_msg_is_streaming (msg)); // unchanged by the failure

    assert_int_equal (flux_msg_set_private (msg), 0);
    assert_true (flux_msg_is_private (msg));

    assert_int_equal (flux_msg_set_flags (msg, FLUX_MSGFLAG_USER1
                                               | FLUX_MSGFLAG_UPSTREAM), 0);
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_USER1 | FLUX_MSGFLAG_UPSTREAM);

    /* TOPIC, PAYLOAD and ROUTE follow the content, not set_flags */
    assert_int_equal (flux_msg_set_topic (msg, "a.b"), 0);
    assert_int_equal (flux_msg_set_string (msg, "x"), 0);
    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_USER1 | FLUX_MSGFLAG_UPSTREAM
                             | FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD
                             | FLUX_MSGFLAG_ROUTE);
    assert_int_equal (flux_msg_set_flags (msg, 0), 0);
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD
                             | FLUX_MSGFLAG_ROUTE);
    flux_msg_t *msg2 = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_set_flags (msg2, 0xff & ~FLUX_MSGFLAG_STREAMING),
                      0);
    assert_int_equal (flux_msg_get_flags (msg2, &flags), 0);
    assert_int_equal (flags, 0xff & ~(FLUX_MSGFLAG_STREAMING
                                      | FLUX_MSGFLAG_TOPIC
                                      | FLUX_MSGFLAG_PAYLOAD
                                      | FLUX_MSGFLAG_ROUTE));
    const char *topic;
    assert_fails (flux_msg_get_topic (msg2, &topic), EPROTO);
    flux_msg_destroy (msg2);

    assert_int_equal (flux_msg_set_topic (msg, NULL), 0);
    assert_int_equal (flux_msg_set_payload (msg, NULL, 0), 0);
    flux_msg_route_disable (msg);
    assert_int_equal (flux_msg_get_flags (msg, &flags), 0);
    assert_int_equal (flags, 0);
    flux_msg_destroy (msg);
}

static void test_refcount_copy_aux (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    flux_msg_t *cpy;

    assert_ptr_equal (flux_msg_incref (msg), msg);
    assert_int_equal (flux_msg_refcount (msg), 2);
    flux_msg_decref (msg);
    assert_int_equal (flux_msg_refcount (msg), 1);

    /* aux: set, get, replace (old destroyed), delete, missing */
    aux_destroyed = 0;
    assert_int_equal (flux_msg_aux_set (msg, "a", strdup ("1"), aux_destroy), 0);
    assert_int_equal (flux_msg_aux_set (msg, "b", strdup ("2"), aux_destroy), 0);
    assert_string_equal (flux_msg_aux_get (msg, "a"), "1");
    assert_string_equal (flux_msg_aux_get (msg, "b"), "2");
    errno = 0;
    assert_int_equal (flux_msg_aux_set (msg, "a", strdup ("3"), aux_destroy), 0);
    assert_int_equal (errno, 0); // the destructor's EIO does not leak
    assert_int_equal (aux_destroyed, 1);
    assert_string_equal (flux_msg_aux_get (msg, "a"), "3");
    assert_int_equal (flux_msg_aux_set (msg, "b", NULL, NULL), 0);
    assert_int_equal (aux_destroyed, 2);
    assert_fails_null (flux_msg_aux_get (msg, "b"), ENOENT);
    assert_fails_null (flux_msg_aux_get (msg, "nope"), ENOENT);
    /* anonymous items are destroyed with the message */
    assert_int_equal (flux_msg_aux_set (msg, NULL, strdup ("4"), aux_destroy), 0);

    assert_int_equal (flux_msg_set_topic (msg, "foo.bar"), 0);
    assert_int_equal (flux_msg_set_string (msg, "payload"), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, 5), 0);
    assert_int_equal (flux_msg_set_userid (msg, 1000), 0);
    assert_int_equal (flux_msg_set_streaming (msg), 0);
    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_route_push (msg, "r1"), 0);
    assert_int_equal (flux_msg_route_push (msg, "r2"), 0);

    for (int withpayload = 0; withpayload < 2; withpayload++) {
        const char *s;
        uint32_t u;
        assert_non_null ((cpy = flux_msg_copy (msg, withpayload)));
        assert_int_equal (flux_msg_refcount (cpy), 1);
        assert_fails_null (flux_msg_aux_get (cpy, "a"), ENOENT);
        assert_int_equal (flux_msg_get_topic (cpy, &s), 0);
        assert_string_equal (s, "foo.bar");
        assert_int_equal (flux_msg_has_payload (cpy), withpayload);
        assert_int_equal (flux_msg_get_string (cpy, &s), 0);
        if (withpayload)
            assert_string_equal (s, "payload");
        else
            assert_null (s);
        assert_int_equal (flux_msg_get_matchtag (cpy, &u), 0);
        assert_int_equal (u, 5);
        assert_int_equal (flux_msg_get_userid (cpy, &u), 0);
        assert_int_equal (u, 1000);
        assert_true (flux_msg_is_streaming (cpy));
        assert_int_equal (flux_msg_route_count (cpy), 2);
        assert_string_equal (flux_msg_route_first (cpy), "r1");
        assert_string_equal (flux_msg_route_last (cpy), "r2");
        /* the copy is independent */
        assert_int_equal (flux_msg_set_topic (cpy, "other"), 0);
        assert_int_equal (flux_msg_get_topic (msg, &s), 0);
        assert_string_equal (s, "foo.bar");
        flux_msg_destroy (cpy);
    }

    errno = 0;
    flux_msg_destroy (msg);
    assert_int_equal (errno, 0); // destroy preserves errno
    assert_int_equal (aux_destroyed, 4);
}

static void test_aux_clear (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    aux_destroyed = 0;
    assert_int_equal (flux_msg_aux_set (msg, "a", strdup ("1"), aux_destroy), 0);
    assert_int_equal (flux_msg_aux_set (msg, NULL, strdup ("2"), aux_destroy), 0);
    errno = 0;
    message_aux_clear (msg);
    assert_int_equal (errno, 0);
    assert_int_equal (aux_destroyed, 2);
    assert_fails_null (flux_msg_aux_get (msg, "a"), ENOENT);
    flux_msg_destroy (msg);
    assert_int_equal (aux_destroyed, 2);
}

static void test_topic_payload (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    const char *s;
    const void *d;
    size_t sz;

    assert_fails (flux_msg_get_topic (msg, &s), EPROTO);
    assert_int_equal (flux_msg_set_topic (msg, "a.b"), 0);
    assert_int_equal (flux_msg_get_topic (msg, &s), 0);
    assert_string_equal (s, "a.b");
    assert_int_equal (flux_msg_set_topic (msg, NULL), 0);
    assert_fails (flux_msg_get_topic (msg, &s), EPROTO);

    assert_fails (flux_msg_get_payload (msg, &d, &sz), EPROTO);
    s = "junk";
    assert_int_equal (flux_msg_get_string (msg, &s), 0);
    assert_null (s);

    assert_int_equal (flux_msg_set_payload (msg, "\x01\x02\x03", 3), 0);
    assert_true (flux_msg_has_payload (msg));
    assert_int_equal (flux_msg_get_payload (msg, &d, &sz), 0);
    assert_int_equal (sz, 3);
    assert_memory_equal (d, "\x01\x02\x03", 3);
    assert_int_equal (flux_msg_get_payload (msg, NULL, NULL), 0);
    assert_fails (flux_msg_get_string (msg, &s), EPROTO); // no NUL

    /* a zero-length payload is a payload */
    assert_int_equal (flux_msg_set_payload (msg, "", 0), 0);
    assert_true (flux_msg_has_payload (msg));
    assert_int_equal (flux_msg_get_payload (msg, &d, &sz), 0);
    assert_int_equal (sz, 0);
    assert_fails (flux_msg_get_string (msg, &s), EPROTO);

    assert_int_equal (flux_msg_set_string (msg, "hello"), 0);
    assert_int_equal (flux_msg_get_payload (msg, &d, &sz), 0);
    assert_int_equal (sz, 6); // trailing NUL included
    assert_int_equal (flux_msg_get_string (msg, &s), 0);
    assert_string_equal (s, "hello");

    assert_int_equal (flux_msg_set_string (msg, NULL), 0);
    assert_false (flux_msg_has_payload (msg));
    flux_msg_destroy (msg);
}

static void test_json (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    const char *s;
    const void *d;
    size_t sz;
    int i;

    /* no payload */
    assert_fails (flux_msg_unpack (msg, "{s:i}", "a", &i), EPROTO);
    assert_true (strlen (flux_msg_last_error (msg)) > 0);

    /* pack: compact text with its trailing NUL, insertion order kept */
    assert_int_equal (flux_msg_pack (msg, "{s:s s:i}", "value", "0",
                                     "flags", 1), 0);
    assert_int_equal (flux_msg_get_payload (msg, &d, &sz), 0);
    assert_int_equal (sz, strlen ("{\"value\":\"0\",\"flags\":1}") + 1);
    assert_memory_equal (d, "{\"value\":\"0\",\"flags\":1}", sz);
    assert_string_equal (flux_msg_last_error (msg), "");

    /* unpack, twice (cached) */
    for (int k = 0; k < 2; k++) {
        s = NULL;
        i = 0;
        assert_int_equal (flux_msg_unpack (msg, "{s:s s:i}", "value", &s,
                                           "flags", &i), 0);
        assert_string_equal (s, "0");
        assert_int_equal (i, 1);
    }
    /* a missing key fails with EPROTO and text */
    assert_fails (flux_msg_unpack (msg, "{s:i}", "nokey", &i), EPROTO);
    assert_non_null (strstr (flux_msg_last_error (msg), "nokey"));

    /* a new payload replaces the cached parse */
    assert_int_equal (flux_msg_set_string (msg, "{\"value\":\"new\"}"), 0);
    assert_string_equal (flux_msg_last_error (msg), "");
    assert_int_equal (flux_msg_unpack (msg, "{s:s}", "value", &s), 0);
    assert_string_equal (s, "new");

    /* pack refuses non-objects */
    assert_fails (flux_msg_pack (msg, "[i]", 1), EINVAL);
    assert_fails (flux_msg_pack (msg, "s", "x"), EINVAL);
    assert_fails (flux_msg_pack (msg, "{s:f}", "x", 0.0 / 0.0), EINVAL);

    /* unpack refuses non-objects, bad JSON and non-strings */
    assert_int_equal (flux_msg_set_string (msg, "[1,2]"), 0);
    assert_fails (flux_msg_unpack (msg, "[ii]", &i, &i), EPROTO);
    assert_non_null (strstr (flux_msg_last_error (msg), "object"));
    assert_int_equal (flux_msg_set_string (msg, "{\"a\":"), 0);
    assert_fails (flux_msg_unpack (msg, "{}"), EPROTO);
    assert_non_null (strstr (flux_msg_last_error (msg), "JSON"));
    assert_int_equal (flux_msg_set_payload (msg, "{}", 2), 0); // no NUL
    assert_fails (flux_msg_unpack (msg, "{}"), EPROTO);
    flux_msg_destroy (msg);
}

static void test_cred (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    struct flux_msg_cred cred;

    assert_int_equal (flux_msg_get_cred (msg, &cred), 0);
    assert_int_equal (cred.userid, FLUX_USERID_UNKNOWN);
    assert_int_equal (cred.rolemask, FLUX_ROLE_NONE);
    assert_fails (flux_msg_authorize (msg, FLUX_USERID_UNKNOWN), EPERM);

    cred.userid = 100;
    cred.rolemask = FLUX_ROLE_OWNER;
    assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    assert_int_equal (flux_msg_authorize (msg, 100), 0);
    assert_int_equal (flux_msg_authorize (msg, 42), 0); // owner: anyone

    cred.rolemask = FLUX_ROLE_USER;
    assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    assert_int_equal (flux_msg_authorize (msg, 100), 0);
    assert_fails (flux_msg_authorize (msg, 42), EPERM);

    cred.userid = FLUX_USERID_UNKNOWN;
    assert_fails (flux_msg_cred_authorize (cred, FLUX_USERID_UNKNOWN), EPERM);
    cred.userid = 100;
    cred.rolemask = FLUX_ROLE_LOCAL | FLUX_ROLE_ADMIN;
    assert_fails (flux_msg_cred_authorize (cred, 100), EPERM);
    flux_msg_destroy (msg);
}

/* flux_msg_cmp's topic glob gives fnmatch's answer (no flags) for every
 * pair here, the forms it decides without fnmatch (a plain topic, a
 * prefix and one trailing star) and those it hands over included.
 */
static void test_cmp_glob_as_fnmatch (void **state)
{
    (void)state;
    const char *globs[] = {
        "kvs.get", "kvs.get.", "kvs", "kvs.*", "kvs*", "*", "k*", "kvs.g*",
        "kvs.get*", "kvs.get.*", "*.get", "kvs.?et", "kvs.[gp]et",
        "kvs.\\*", "kvs\\.get", "a/*", "*/b", ".*", "kvs.*.x", "",
    };
    const char *topics[] = {
        "kvs.get", "kvs.get.x", "kvs", "kvs.", "kvs.put", "kvs*", "kvs.*",
        "a/b", "a/.b", ".hidden", "kvsget", "kvs.get.", "k", "",
    };
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    struct flux_match match = FLUX_MATCH_ANY;

    assert_non_null (msg);
    for (size_t t = 0; t < sizeof (topics) / sizeof (topics[0]); t++) {
        assert_int_equal (flux_msg_set_topic (msg, topics[t]), 0);
        for (size_t g = 0; g < sizeof (globs) / sizeof (globs[0]); g++) {
            bool want = fnmatch (globs[g], topics[t], 0) == 0;
            match.topic_glob = globs[g];
            /* An empty glob and "*" match anything, as in flux-core. */
            if (globs[g][0] == '\0')
                want = true;
            if (flux_msg_cmp (msg, match) != want)
                fail_msg ("glob '%s' topic '%s': want %s", globs[g],
                          topics[t], want ? "match" : "no match");
        }
    }
    flux_msg_destroy (msg);
}

static void test_cmp (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    struct flux_match match = FLUX_MATCH_ANY;

    /* no topic: only a NULL, empty or "*" glob matches */
    assert_true (flux_msg_cmp (msg, match));
    match.topic_glob = "*";
    assert_true (flux_msg_cmp (msg, match));
    match.topic_glob = "foo.*";
    assert_false (flux_msg_cmp (msg, match));

    assert_int_equal (flux_msg_set_topic (msg, "foo.bar"), 0);
    assert_true (flux_msg_cmp (msg, match));
    match.topic_glob = "foo.ba?";
    assert_true (flux_msg_cmp (msg, match));
    match.topic_glob = "bar.*";
    assert_false (flux_msg_cmp (msg, match));
    match.topic_glob = "foo";
    assert_false (flux_msg_cmp (msg, match));

    match = FLUX_MATCH_EVENT;
    assert_false (flux_msg_cmp (msg, match));
    match = FLUX_MATCH_REQUEST;
    assert_true (flux_msg_cmp (msg, match));
    match.typemask = FLUX_MSGTYPE_REQUEST | FLUX_MSGTYPE_EVENT;
    assert_true (flux_msg_cmp (msg, match));

    match.matchtag = 7;
    assert_false (flux_msg_cmp (msg, match));
    assert_int_equal (flux_msg_set_matchtag (msg, 7), 0);
    assert_true (flux_msg_cmp (msg, match));

    /* events have no matchtag: a matchtag in the match excludes them */
    flux_msg_t *ev = flux_msg_create (FLUX_MSGTYPE_EVENT);
    match.typemask = FLUX_MSGTYPE_ANY;
    assert_false (flux_msg_cmp (ev, match));
    flux_msg_destroy (ev);
    flux_msg_destroy (msg);
}

static void test_route (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    flux_msg_t *msg2 = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    char *s;

    /* no ROUTE flag */
    assert_fails (flux_msg_route_push (msg, "a"), EPROTO);
    assert_fails (flux_msg_route_delete_last (msg), EPROTO);
    assert_fails (flux_msg_route_count (msg), EPROTO);
    assert_fails_null (flux_msg_route_string (msg), EPROTO);
    assert_null (flux_msg_route_first (msg));
    assert_null (flux_msg_route_last (msg));
    assert_true (flux_msg_route_match_first (msg, msg2));

    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_route_count (msg), 0);
    assert_non_null ((s = flux_msg_route_string (msg)));
    assert_string_equal (s, "");
    free (s);
    assert_int_equal (flux_msg_route_delete_last (msg), 0); // empty: no-op

    assert_int_equal (flux_msg_route_push (msg, "0123456789abcdef"), 0);
    assert_int_equal (flux_msg_route_push (msg, "hop2"), 0);
    assert_int_equal (flux_msg_route_push (msg, "fedcba9876543210"), 0);
    assert_int_equal (flux_msg_route_count (msg), 3);
    assert_string_equal (flux_msg_route_first (msg), "0123456789abcdef");
    assert_string_equal (flux_msg_route_last (msg), "fedcba9876543210");
    assert_non_null ((s = flux_msg_route_string (msg)));
    assert_string_equal (s, "01234567!hop2!fedcba98");
    free (s);
    flux_msg_route_enable (msg); // idempotent: the stack survives
    assert_int_equal (flux_msg_route_count (msg), 3);

    assert_false (flux_msg_route_match_first (msg, msg2));
    flux_msg_route_enable (msg2);
    assert_int_equal (flux_msg_route_push (msg2, "0123456789abcdef"), 0);
    assert_true (flux_msg_route_match_first (msg, msg2));
    assert_int_equal (flux_msg_route_delete_last (msg2), 0);
    assert_int_equal (flux_msg_route_push (msg2, "other"), 0);
    assert_false (flux_msg_route_match_first (msg, msg2));

    assert_int_equal (flux_msg_route_delete_last (msg), 0);
    assert_string_equal (flux_msg_route_last (msg), "hop2");
    assert_int_equal (flux_msg_route_count (msg), 2);

    flux_msg_route_clear (msg);
    assert_int_equal (flux_msg_route_count (msg), 0);
    assert_null (flux_msg_route_first (msg));

    assert_int_equal (flux_msg_route_push (msg, "x"), 0);
    flux_msg_route_disable (msg);
    assert_fails (flux_msg_route_count (msg), EPROTO);
    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_route_count (msg), 0); // disable cleared it

    /* many hops, to grow the array */
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf (id, sizeof (id), "id%d", i);
        assert_int_equal (flux_msg_route_push (msg, id), 0);
    }
    assert_int_equal (flux_msg_route_count (msg), 100);
    assert_string_equal (flux_msg_route_first (msg), "id0");
    assert_string_equal (flux_msg_route_last (msg), "id99");
    flux_msg_destroy (msg);
    flux_msg_destroy (msg2);
}

/* The encoding of msg, in a new buffer; its size in *sizep. */
static void *encoded (const flux_msg_t *msg, size_t *sizep)
{
    ssize_t size = flux_msg_encode_size (msg);
    void *buf;

    assert_true (size > 0);
    assert_non_null ((buf = malloc (size)));
    assert_int_equal (flux_msg_encode (msg, buf, size), 0);
    *sizep = size;
    return buf;
}

/* Parts of a decoded or copied message live in the block allocated with
 * it, parts set later in its rest or on the heap: replacing, pushing and
 * popping each many times, past the block's room, keeps every value and
 * frees nothing twice (this runs under ASan and valgrind too).
 */
static void test_parts_in_and_out_of_block (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_request_encode ("a.b", "{\"x\":1}");
    flux_msg_t *dec, *cpy;
    char id[64], big[5000];
    const char *s;
    void *buf, *buf2;
    size_t size, size2;

    assert_non_null (msg);
    assert_int_equal (flux_msg_route_push (msg, "first"), 0);
    assert_int_equal (flux_msg_route_push (msg, "second"), 0);
    buf = encoded (msg, &size);
    assert_non_null ((dec = flux_msg_decode (buf, size)));
    free (buf);
    for (int i = 0; i < 40; i++) {
        snprintf (id, sizeof (id), "hop-%d-%s", i, i % 2 ? "x" : "longer-id");
        assert_int_equal (flux_msg_route_push (dec, id), 0);
    }
    for (int i = 0; i < 30; i++)
        assert_int_equal (flux_msg_route_delete_last (dec), 0);
    assert_int_equal (flux_msg_route_count (dec), 12);
    assert_string_equal (flux_msg_route_first (dec), "first");
    assert_string_equal (flux_msg_route_last (dec), "hop-9-x");
    memset (big, 'b', sizeof (big) - 1);
    big[sizeof (big) - 1] = '\0';
    for (int i = 0; i < 6; i++) {
        assert_int_equal (flux_msg_set_topic (dec, i % 2 ? big : "t"), 0);
        assert_int_equal (flux_msg_set_string (dec, i % 3 ? "{}" : big), 0);
    }
    assert_int_equal (flux_msg_set_topic (dec, "c.d"), 0);
    assert_int_equal (flux_msg_set_payload (dec, "", 0), 0);
    assert_int_equal (flux_msg_set_string (dec, "{\"y\":2}"), 0);
    assert_int_equal (flux_msg_get_string (dec, &s), 0);
    assert_string_equal (s, "{\"y\":2}");
    assert_non_null ((cpy = flux_msg_copy (dec, true)));
    buf = encoded (dec, &size);
    buf2 = encoded (cpy, &size2);
    assert_int_equal (size, size2);
    assert_memory_equal (buf, buf2, size);
    free (buf);
    free (buf2);
    flux_msg_route_clear (cpy);
    assert_int_equal (flux_msg_route_push (cpy, "only"), 0);
    assert_string_equal (flux_msg_route_last (cpy), "only");
    assert_int_equal (flux_msg_get_topic (cpy, &s), 0);
    assert_string_equal (s, "c.d");
    flux_msg_destroy (dec);
    flux_msg_destroy (cpy);
    flux_msg_destroy (msg);
}

static void test_encode_roundtrip (void **state)
{
    (void)state;
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_RESPONSE);
    flux_msg_t *cpy;
    const char *s;
    const void *d;
    size_t sz;
    uint32_t u;
    int i;
    uint8_t flags;
    char big[1000];

    /* a bare message is one 21-byte part: size byte + PROTO */
    ssize_t size = flux_msg_encode_size (msg);
    assert_int_equal (size, 21);
    uint8_t buf[21];
    assert_int_equal (flux_msg_encode (msg, buf, sizeof (buf)), 0);
    assert_memory_equal (buf, "\x14\x8e\x01\x02\x00\xff\xff\xff\xff"
                              "\x00\x00\x00\x00\x00\x00\x00\x00"
                              "\x00\x00\x00\x00", 21);

    /* every field, routes in order, a payload in the long size form */
    memset (big, 'x', sizeof (big));
    assert_int_equal (flux_msg_set_topic (msg, "a.b"), 0);
    assert_int_equal (flux_msg_set_payload (msg, big, sizeof (big)), 0);
    assert_int_equal (flux_msg_set_errnum (msg, ENOENT), 0);
    assert_int_equal (flux_msg_set_matchtag (msg, 0x01020304), 0);
    assert_int_equal (flux_msg_set_userid (msg, 0xdeadbeef), 0);
    assert_int_equal (flux_msg_set_rolemask (msg, FLUX_ROLE_USER), 0);
    assert_int_equal (flux_msg_set_flags (msg, FLUX_MSGFLAG_USER1), 0);
    flux_msg_route_enable (msg);
    assert_int_equal (flux_msg_route_push (msg, "first"), 0);
    assert_int_equal (flux_msg_route_push (msg, "last"), 0);
    size = flux_msg_encode_size (msg);
    assert_int_equal (size, (1 + 4) + (1 + 5) + 1 + (1 + 3)
                            + (5 + sizeof (big)) + 21);
    uint8_t *b = malloc (size);
    assert_int_equal (flux_msg_encode (msg, b, size), 0);
    assert_memory_equal (b, "\x04last\x05" "first\x00\x03" "a.b\xff\x00\x00\x03\xe8",
                         20);
    free (b);

    cpy = roundtrip (msg);
    assert_int_equal (flux_msg_get_type (cpy, &i), 0);
    assert_int_equal (i, FLUX_MSGTYPE_RESPONSE);
    assert_int_equal (flux_msg_get_flags (cpy, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_USER1 | FLUX_MSGFLAG_ROUTE
                             | FLUX_MSGFLAG_TOPIC | FLUX_MSGFLAG_PAYLOAD);
    assert_int_equal (flux_msg_get_topic (cpy, &s), 0);
    assert_string_equal (s, "a.b");
    assert_int_equal (flux_msg_get_payload (cpy, &d, &sz), 0);
    assert_int_equal (sz, sizeof (big));
    assert_memory_equal (d, big, sz);
    assert_int_equal (flux_msg_get_errnum (cpy, &i), 0);
    assert_int_equal (i, ENOENT);
    assert_int_equal (flux_msg_get_matchtag (cpy, &u), 0);
    assert_int_equal (u, 0x01020304);
    assert_int_equal (flux_msg_get_userid (cpy, &u), 0);
    assert_int_equal (u, 0xdeadbeef);
    assert_int_equal (flux_msg_get_rolemask (cpy, &u), 0);
    assert_int_equal (u, FLUX_ROLE_USER);
    assert_int_equal (flux_msg_route_count (cpy), 2);
    assert_string_equal (flux_msg_route_first (cpy), "first");
    assert_string_equal (flux_msg_route_last (cpy), "last");
    flux_msg_destroy (cpy);

    /* part sizes around the 255 boundary */
    static const size_t sizes[] = { 0, 1, 253, 254, 255, 256, 70000 };
    for (size_t k = 0; k < sizeof (sizes) / sizeof (sizes[0]); k++) {
        char *p = calloc (1, sizes[k] + 1);
        memset (p, 'y', sizes[k]);
        assert_int_equal (flux_msg_set_payload (msg, p, sizes[k]), 0);
        assert_int_equal (flux_msg_set_topic (msg, p), 0);
        assert_int_equal (flux_msg_encode_size (msg),
                          (1 + 4) + (1 + 5) + 1
                          + 2 * ((sizes[k] < 255 ? 1 : 5) + sizes[k]) + 21);
        cpy = roundtrip (msg);
        assert_int_equal (flux_msg_get_payload (cpy, &d, &sz), 0);
        assert_int_equal (sz, sizes[k]);
        assert_memory_equal (d, p, sz);
        assert_int_equal (flux_msg_get_topic (cpy, &s), 0);
        assert_string_equal (s, p);
        flux_msg_destroy (cpy);
        free (p);
    }

    /* a message without ROUTE flag has no delimiter */
    flux_msg_t *ev = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_set_topic (ev, "t"), 0);
    assert_int_equal (flux_msg_set_seq (ev, 9), 0);
    assert_int_equal (flux_msg_encode_size (ev), 2 + 21);
    cpy = roundtrip (ev);
    assert_fails (flux_msg_route_count (cpy), EPROTO);
    assert_int_equal (flux_msg_get_seq (cpy, &u), 0);
    assert_int_equal (u, 9);
    flux_msg_destroy (cpy);
    flux_msg_destroy (ev);
    flux_msg_destroy (msg);
}

/* A valid encoding to corrupt: request, 2 routes, topic, payload. */
static size_t valid_encoding (uint8_t *buf, size_t size)
{
    flux_msg_t *msg = flux_request_encode ("svc.method", "{\"a\":1}");
    assert_non_null (msg);
    assert_int_equal (flux_msg_route_push (msg, "r1"), 0);
    assert_int_equal (flux_msg_route_push (msg, "r2"), 0);
    ssize_t n = flux_msg_encode_size (msg);
    assert_true (n > 0 && (size_t)n <= size);
    assert_int_equal (flux_msg_encode (msg, buf, n), 0);
    flux_msg_destroy (msg);
    return n;
}

/* Decode a copy of exactly 'size' bytes on the heap, so that any read
 * past the end is caught by ASan/valgrind.
 */
static flux_msg_t *decode_exact (const void *buf, size_t size)
{
    void *cpy = malloc (size ? size : 1);
    memcpy (cpy, buf, size);
    flux_msg_t *msg = flux_msg_decode (cpy, size);
    int saved_errno = errno;
    free (cpy);
    errno = saved_errno;
    return msg;
}

#define PROTO(type, flags) \
    "\x14\x8e\x01" type flags "\xff\xff\xff\xff\x00\x00\x00\x00" \
    "\xff\xff\xff\xff\x00\x00\x00\x01"

static void test_decode_malformed (void **state)
{
    (void)state;
    uint8_t buf[256];
    size_t n = valid_encoding (buf, sizeof (buf));
    flux_msg_t *msg;

    /* the valid one decodes */
    assert_non_null ((msg = decode_exact (buf, n)));
    flux_msg_destroy (msg);

    /* every truncation fails with EPROTO */
    for (size_t len = 0; len < n; len++)
        assert_fails_null (decode_exact (buf, len), EPROTO);

    /* every single-byte change either decodes or fails with EPROTO */
    for (size_t off = 0; off < n; off++) {
        for (int v = 0; v < 256; v += 17) {
            uint8_t tmp[256];
            memcpy (tmp, buf, n);
            tmp[off] ^= v;
            errno = 0;
            msg = decode_exact (tmp, n);
            if (!msg)
                assert_int_equal (errno, EPROTO);
            flux_msg_destroy (msg);
        }
    }

    /* hand-made bad frames */
    static const struct {
        const char *name;
        const char *data;
        size_t len;
    } bad[] = {
        { "empty", "", 0 },
        { "proto too short", "\x13\x8e\x01\x01\x00\xff\xff\xff\xff"
          "\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00", 20 },
        { "proto too long", "\x15\x8e\x01\x01\x00\xff\xff\xff\xff"
          "\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x01\x00", 22 },
        { "bad magic", "\x14\x8f\x01\x01\x00\xff\xff\xff\xff"
          "\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x01", 21 },
        { "bad version", "\x14\x8e\x02\x01\x00\xff\xff\xff\xff"
          "\x00\x00\x00\x00\xff\xff\xff\xff\x00\x00\x00\x01", 21 },
        { "type 0", PROTO ("\x00", "\x00"), 21 },
        { "type 3", PROTO ("\x03", "\x00"), 21 },
        { "type 0x10", PROTO ("\x10", "\x00"), 21 },
        { "streaming and noresponse", PROTO ("\x01", "\x44"), 21 },
        { "topic flag, no topic", PROTO ("\x01", "\x01"), 21 },
        { "payload flag, no payload", PROTO ("\x01", "\x02"), 21 },
        { "route flag, no delimiter", PROTO ("\x01", "\x08"), 21 },
        { "route flag, ids but no delimiter",
          "\x01" "a" "\x01" "b" PROTO ("\x01", "\x08"), 25 },
        { "topic and payload flags, one part",
          "\x01" "t" PROTO ("\x01", "\x03"), 23 },
        { "a part no flag accounts for", "\x01" "t" PROTO ("\x01", "\x00"), 23 },
        { "two topics", "\x01" "t" "\x01" "u" PROTO ("\x01", "\x01"), 25 },
        { "NUL in topic", "\x02" "t\x00" PROTO ("\x01", "\x01"), 24 },
        { "NUL in route id",
          "\x02" "a\x00" "\x00" PROTO ("\x01", "\x08"), 25 },
        { "long size truncated", "\xff\x00\x00", 3 },
        { "long size past end", "\xff\x00\x00\x01\x00" "abc", 8 },
        { "long size near 4 GiB", "\xff\xff\xff\xff\xff" "abc", 8 },
        { "part past end", "\x30" "abc", 4 },
        { "proto then trailing byte", PROTO ("\x01", "\x00") "\x01", 22 },
    };
    for (size_t k = 0; k < sizeof (bad) / sizeof (bad[0]); k++) {
        errno = 0;
        msg = decode_exact (bad[k].data, bad[k].len);
        if (msg || errno != EPROTO)
            fail_msg ("%s: decoded or wrong errno (%d)", bad[k].name, errno);
    }

    /* and the hand-made good ones decode */
    assert_non_null ((msg = decode_exact ("\x00" "\x01" "t"
                                          PROTO ("\x01", "\x09"), 24)));
    assert_int_equal (flux_msg_route_count (msg), 0);
    flux_msg_destroy (msg);
    assert_non_null ((msg = decode_exact ("\x00" PROTO ("\x01", "\x02"), 22)));
    assert_true (flux_msg_has_payload (msg)); // an empty payload part
    flux_msg_destroy (msg);
    assert_non_null ((msg = decode_exact ("\x00\x00" PROTO ("\x01", "\x0a"),
                                          23)));
    assert_int_equal (flux_msg_route_count (msg), 0); // delimiter, then
    assert_true (flux_msg_has_payload (msg));         // an empty payload
    flux_msg_destroy (msg);
    /* a long size form for a short part is accepted */
    assert_non_null ((msg = decode_exact ("\xff\x00\x00\x00\x01" "t"
                                          PROTO ("\x01", "\x01"), 27)));
    flux_msg_destroy (msg);
}

static void test_request (void **state)
{
    (void)state;
    flux_msg_t *msg;
    const char *topic;
    const char *s;
    const void *d;
    size_t len;
    uint32_t u;
    int i;

    assert_non_null ((msg = flux_request_encode ("a.b", NULL)));
    assert_int_equal (flux_msg_route_count (msg), 0); // ROUTE, empty stack
    assert_int_equal (flux_msg_get_nodeid (msg, &u), 0);
    assert_int_equal (u, FLUX_NODEID_ANY);
    assert_int_equal (flux_msg_get_userid (msg, &u), 0);
    assert_int_equal (u, FLUX_USERID_UNKNOWN);
    assert_int_equal (flux_msg_get_rolemask (msg, &u), 0);
    assert_int_equal (u, FLUX_ROLE_NONE);
    s = "junk";
    assert_int_equal (flux_request_decode (msg, &topic, &s), 0);
    assert_string_equal (topic, "a.b");
    assert_null (s);
    assert_int_equal (flux_request_decode (msg, NULL, NULL), 0);
    assert_int_equal (flux_request_decode_raw (msg, &topic, &d, &len), 0);
    assert_null (d);
    assert_int_equal (len, 0);
    assert_fails (flux_request_unpack (msg, NULL, "{}"), EPROTO);
    flux_msg_destroy (msg);

    assert_non_null ((msg = flux_request_encode ("a.b", "{\"x\":3}")));
    assert_int_equal (flux_request_decode (msg, NULL, &s), 0);
    assert_string_equal (s, "{\"x\":3}");
    assert_int_equal (flux_request_unpack (msg, &topic, "{s:i}", "x", &i), 0);
    assert_string_equal (topic, "a.b");
    assert_int_equal (i, 3);
    flux_msg_destroy (msg);

    assert_non_null ((msg = flux_request_encode_raw ("a.b", "\x01\x02", 2)));
    assert_int_equal (flux_request_decode_raw (msg, NULL, &d, &len), 0);
    assert_int_equal (len, 2);
    assert_memory_equal (d, "\x01\x02", 2);
    assert_fails (flux_request_decode (msg, NULL, &s), EPROTO); // not a string
    flux_msg_destroy (msg);

    /* not a request, or no topic */
    msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    flux_msg_set_topic (msg, "a");
    assert_fails (flux_request_decode (msg, NULL, NULL), EPROTO);
    flux_msg_destroy (msg);
    msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_fails (flux_request_decode (msg, NULL, NULL), EPROTO);
    flux_msg_destroy (msg);
}

static void test_response (void **state)
{
    (void)state;
    flux_msg_t *req;
    flux_msg_t *rsp;
    const char *topic;
    const char *s;
    const void *d;
    size_t len;
    uint32_t u;
    int i;
    uint8_t flags;

    assert_non_null ((req = flux_request_encode ("svc.m", "{\"a\":1}")));
    assert_int_equal (flux_msg_set_matchtag (req, 42), 0);
    assert_int_equal (flux_msg_set_cred (req, (struct flux_msg_cred){
                                              .userid = 100,
                                              .rolemask = FLUX_ROLE_USER }),
                      0);
    assert_int_equal (flux_msg_set_streaming (req), 0);
    assert_int_equal (flux_msg_route_push (req, "client"), 0);
    assert_int_equal (flux_msg_route_push (req, "broker"), 0);

    assert_fails_null (flux_response_derive (req, -1), EINVAL);
    assert_non_null ((rsp = flux_response_derive (req, 0)));
    assert_int_equal (flux_msg_get_type (rsp, &i), 0);
    assert_int_equal (i, FLUX_MSGTYPE_RESPONSE);
    assert_false (flux_msg_has_payload (rsp));
    assert_int_equal (flux_msg_get_matchtag (rsp, &u), 0);
    assert_int_equal (u, 42);
    assert_int_equal (flux_msg_get_userid (rsp, &u), 0);
    assert_int_equal (u, FLUX_USERID_UNKNOWN);
    assert_int_equal (flux_msg_get_rolemask (rsp, &u), 0);
    assert_int_equal (u, FLUX_ROLE_NONE);
    assert_int_equal (flux_msg_route_count (rsp), 2);
    assert_string_equal (flux_msg_route_first (rsp), "client");
    assert_string_equal (flux_msg_route_last (rsp), "broker");
    assert_int_equal (flux_msg_get_flags (rsp, &flags), 0);
    assert_int_equal (flags, FLUX_MSGFLAG_ROUTE | FLUX_MSGFLAG_TOPIC
                             | FLUX_MSGFLAG_STREAMING);
    assert_int_equal (flux_response_decode (rsp, &topic, &s), 0);
    assert_string_equal (topic, "svc.m");
    assert_null (s);
    assert_fails (flux_response_decode_error (rsp, &s), EINVAL); // success
    assert_fails_null (flux_response_derive (rsp, 0), EINVAL);
    flux_msg_destroy (rsp);

    assert_non_null ((rsp = flux_response_derive (req, ENOENT)));
    assert_fails (flux_response_decode (rsp, NULL, NULL), ENOENT);
    assert_fails (flux_response_decode_raw (rsp, NULL, &d, &len), ENOENT);
    assert_fails (flux_response_decode_error (rsp, &s), ENOENT); // no text
    assert_int_equal (flux_msg_set_string (rsp, "no such thing"), 0);
    assert_int_equal (flux_response_decode_error (rsp, &s), 0);
    assert_string_equal (s, "no such thing");
    flux_msg_destroy (rsp);
    flux_msg_destroy (req);

    assert_non_null ((rsp = flux_response_encode ("a.b", "{\"x\":1}")));
    assert_int_equal (flux_response_decode (rsp, &topic, &s), 0);
    assert_string_equal (topic, "a.b");
    assert_string_equal (s, "{\"x\":1}");
    assert_fails (flux_msg_route_count (rsp), EPROTO);
    flux_msg_destroy (rsp);

    assert_non_null ((rsp = flux_response_encode_raw ("a.b", "\x00\x01", 2)));
    assert_int_equal (flux_response_decode_raw (rsp, NULL, &d, &len), 0);
    assert_int_equal (len, 2);
    assert_memory_equal (d, "\x00\x01", 2);
    flux_msg_destroy (rsp);

    assert_non_null ((rsp = flux_response_encode_error ("a.b", 0, NULL)));
    assert_int_equal (flux_msg_get_errnum (rsp, &i), 0);
    assert_int_equal (i, EINVAL); // 0 became EINVAL
    assert_fails (flux_response_decode_error (rsp, &s), ENOENT);
    flux_msg_destroy (rsp);
    assert_non_null ((rsp = flux_response_encode_error ("a.b", EPERM, "nope")));
    assert_fails (flux_response_decode (rsp, &topic, &s), EPERM);
    assert_int_equal (flux_response_decode_error (rsp, &s), 0);
    assert_string_equal (s, "nope");
    flux_msg_destroy (rsp);

    /* not a response */
    req = flux_request_encode ("a.b", NULL);
    assert_fails (flux_response_decode (req, NULL, NULL), EPROTO);
    assert_fails (flux_response_decode_error (req, &s), EPROTO);
    flux_msg_destroy (req);
}

/* flux_respond*() through an interthread channel: the response arrives
 * at the other end, derived from the request; NORESPONSE sends nothing.
 */
static flux_msg_t *respond_recv (flux_t *h)
{
    flux_msg_t *msg = flux_recv (h, FLUX_MATCH_RESPONSE, FLUX_O_NONBLOCK);
    if (!msg)
        fail_msg ("flux_recv: %s", strerror (errno));
    return msg;
}

static void test_respond (void **state)
{
    (void)state;
    flux_t *h1 = flux_open ("interthread://test-message-respond", 0);
    flux_t *h2 = flux_open ("interthread://test-message-respond", 0);
    flux_msg_t *req;
    flux_msg_t *rsp;
    const char *topic;
    const char *s;
    const void *d;
    size_t len;
    uint32_t u;
    int i;

    assert_non_null (h1);
    assert_non_null (h2);
    assert_non_null ((req = flux_request_encode ("svc.m", "{\"q\":1}")));
    assert_int_equal (flux_msg_set_matchtag (req, 5), 0);

    assert_int_equal (flux_respond (h1, req, "{\"a\":2}"), 0);
    rsp = respond_recv (h2);
    assert_int_equal (flux_response_decode (rsp, &topic, &s), 0);
    assert_string_equal (topic, "svc.m");
    assert_string_equal (s, "{\"a\":2}");
    assert_int_equal (flux_msg_get_matchtag (rsp, &u), 0);
    assert_int_equal (u, 5);
    flux_msg_destroy (rsp);

    assert_int_equal (flux_respond (h1, req, NULL), 0);
    rsp = respond_recv (h2);
    assert_int_equal (flux_response_decode (rsp, NULL, &s), 0);
    assert_null (s);
    flux_msg_destroy (rsp);

    assert_int_equal (flux_respond_pack (h1, req, "{s:i}", "b", 3), 0);
    rsp = respond_recv (h2);
    assert_int_equal (flux_msg_unpack (rsp, "{s:i}", "b", &i), 0);
    assert_int_equal (i, 3);
    flux_msg_destroy (rsp);
    errno = 0;
    assert_int_equal (flux_respond_pack (h1, req, "[i]", 1), -1);
    assert_int_equal (errno, EINVAL);

    assert_int_equal (flux_respond_raw (h1, req, "\x00\x01", 2), 0);
    rsp = respond_recv (h2);
    assert_int_equal (flux_response_decode_raw (rsp, NULL, &d, &len), 0);
    assert_int_equal (len, 2);
    assert_memory_equal (d, "\x00\x01", 2);
    flux_msg_destroy (rsp);

    assert_int_equal (flux_respond_error (h1, req, ENOENT, "gone"), 0);
    rsp = respond_recv (h2);
    errno = 0;
    assert_int_equal (flux_response_decode (rsp, NULL, NULL), -1);
    assert_int_equal (errno, ENOENT);
    assert_int_equal (flux_response_decode_error (rsp, &s), 0);
    assert_string_equal (s, "gone");
    flux_msg_destroy (rsp);

    assert_int_equal (flux_respond_error (h1, req, 0, NULL), 0);
    rsp = respond_recv (h2);
    assert_int_equal (flux_msg_get_errnum (rsp, &i), 0);
    assert_int_equal (i, EINVAL); // errnum 0 became EINVAL
    assert_false (flux_msg_has_payload (rsp));
    flux_msg_destroy (rsp);

    /* a response is not a request */
    rsp = flux_response_encode ("svc.m", NULL);
    errno = 0;
    assert_int_equal (flux_respond (h1, rsp, NULL), -1);
    assert_int_equal (errno, EINVAL);
    flux_msg_destroy (rsp);

    /* NORESPONSE: success, and nothing is sent */
    assert_int_equal (flux_msg_set_noresponse (req), 0);
    assert_int_equal (flux_respond (h1, req, "x"), 0);
    assert_int_equal (flux_respond_pack (h1, req, "{}"), 0);
    assert_int_equal (flux_respond_raw (h1, req, "x", 1), 0);
    assert_int_equal (flux_respond_error (h1, req, EPERM, "no"), 0);
    errno = 0;
    assert_null (flux_recv (h2, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_true (errno == EAGAIN || errno == EWOULDBLOCK);

    flux_msg_destroy (req);
    flux_close (h1);
    flux_close (h2);
}

/* flux_respond_pack() takes ownership of an "o" argument on every path,
 * as jansson does: a NORESPONSE request, a bad handle, a message that is
 * not a request, or no message at all must still release it (and so do
 * flux_rpc_pack, flux_event_pack, flux_kvs_txn_pack), or every
 * such call leaks what the handler built (e.g. attr.list's names).
 * We keep a reference of our own and watch the count drop back to it.
 */
static void test_respond_pack_steals (void **state)
{
    (void)state;
    flux_t *h1 = flux_open ("interthread://test-message-steals", 0);
    flux_t *h2 = flux_open ("interthread://test-message-steals", 0);
    flux_msg_t *req;
    flux_msg_t *rsp;
    json_t *o;

    assert_non_null (h1);
    assert_non_null (h2);
    assert_non_null ((o = json_pack ("[s,s]", "a", "b")));
    assert_non_null ((req = flux_request_encode ("svc.m", NULL)));

    /* sent: the reference given is consumed */
    json_incref (o);
    assert_int_equal (flux_respond_pack (h1, req, "{s:o}", "v", o), 0);
    assert_int_equal (o->refcount, 1);
    rsp = respond_recv (h2);
    flux_msg_destroy (rsp);

    /* not a request: an error, and still consumed */
    rsp = flux_response_encode ("svc.m", NULL);
    json_incref (o);
    errno = 0;
    assert_int_equal (flux_respond_pack (h1, rsp, "{s:o}", "v", o), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (o->refcount, 1);
    flux_msg_destroy (rsp);

    /* no handle: an error, and still consumed */
    json_incref (o);
    errno = 0;
    assert_int_equal (flux_respond_pack (NULL, req, "{s:o}", "v", o), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (o->refcount, 1);

    /* no message to pack into: an error, and still consumed */
    json_incref (o);
    errno = 0;
    assert_int_equal (flux_msg_pack (NULL, "{s:o}", "v", o), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (o->refcount, 1);

    /* the other packers, when they fail before packing anything */
    json_incref (o);
    errno = 0;
    assert_null (flux_rpc_pack (NULL, "svc.m", FLUX_NODEID_ANY, 0,
                                "{s:o}", "v", o));
    assert_int_equal (errno, EINVAL);
    assert_int_equal (o->refcount, 1);
    json_incref (o);
    errno = 0;
    assert_null (flux_event_pack ("", "{s:o}", "v", o));
    assert_int_equal (errno, EINVAL);
    assert_int_equal (o->refcount, 1);
    json_incref (o);
    errno = 0;
    assert_int_equal (flux_kvs_txn_pack (NULL, 0, "k", "o", o), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (o->refcount, 1);

    /* NORESPONSE: success, nothing sent, and consumed */
    assert_int_equal (flux_msg_set_noresponse (req), 0);
    for (int i = 0; i < 3; i++) {
        json_incref (o);
        assert_int_equal (flux_respond_pack (h1, req, "{s:o}", "v", o), 0);
        assert_int_equal (o->refcount, 1);
    }
    /* ...including a fresh object nobody else holds (valgrind sees it) */
    assert_int_equal (flux_respond_pack (h1, req, "{s:o}",
                                         "v", json_pack ("{s:i}", "x", 1)),
                      0);
    errno = 0;
    assert_null (flux_recv (h2, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_true (errno == EAGAIN || errno == EWOULDBLOCK);

    json_decref (o);
    flux_msg_destroy (req);
    flux_close (h1);
    flux_close (h2);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_defaults),
        cmocka_unit_test (test_type_fields),
        cmocka_unit_test (test_flags),
        cmocka_unit_test (test_refcount_copy_aux),
        cmocka_unit_test (test_aux_clear),
        cmocka_unit_test (test_topic_payload),
        cmocka_unit_test (test_json),
        cmocka_unit_test (test_cred),
        cmocka_unit_test (test_cmp),
        cmocka_unit_test (test_cmp_glob_as_fnmatch),
        cmocka_unit_test (test_parts_in_and_out_of_block),
        cmocka_unit_test (test_route),
        cmocka_unit_test (test_encode_roundtrip),
        cmocka_unit_test (test_decode_malformed),
        cmocka_unit_test (test_request),
        cmocka_unit_test (test_response),
        cmocka_unit_test (test_respond),
        cmocka_unit_test (test_respond_pack_steals),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
