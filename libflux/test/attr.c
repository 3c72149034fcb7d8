/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for the attribute functions: the cache and its iteration,
 * with no broker, and the RPCs against a thread that plays the broker's
 * attr service on the other end of an interthread channel.
 */
#include <errno.h>
#include <pthread.h>
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

static void test_cache_iteration (void **state)
{
    flux_t *h;
    const char *name;
    (void)state;

    errno = 0;
    assert_null (flux_attr_cache_first (NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_attr_cache_next (NULL));
    assert_int_equal (errno, EINVAL);

    assert_non_null ((h = flux_open ("interthread://test-attr-cache", 0)));
    /* nothing cached; next before any first */
    assert_null (flux_attr_cache_next (h));
    assert_null (flux_attr_cache_first (h));
    assert_null (flux_attr_cache_next (h));

    assert_int_equal (flux_attr_set_cacheonly (h, "rank", "0"), 0);
    assert_int_equal (flux_attr_set_cacheonly (h, "size", "1"), 0);
    assert_int_equal (flux_attr_set_cacheonly (h, "hostname", "node0"), 0);
    assert_string_equal (flux_attr_cache_first (h), "rank");
    assert_string_equal (flux_attr_cache_next (h), "size");
    /* changing the cache does not disturb an iteration under way */
    assert_int_equal (flux_attr_set_cacheonly (h, "late", "x"), 0);
    assert_int_equal (flux_attr_set_cacheonly (h, "rank", NULL), 0);
    assert_string_equal (flux_attr_cache_next (h), "hostname");
    assert_null (flux_attr_cache_next (h));
    assert_null (flux_attr_cache_next (h));

    /* a new first sees the cache as it is now */
    int count = 0;
    bool saw_late = false;
    for (name = flux_attr_cache_first (h); name;
         name = flux_attr_cache_next (h)) {
        assert_string_not_equal (name, "rank");
        if (!strcmp (name, "late"))
            saw_late = true;
        count++;
    }
    assert_int_equal (count, 3);
    assert_true (saw_late);
    /* cached values need no RPC (none could be answered here) */
    assert_string_equal (flux_attr_get (h, "hostname"), "node0");

    errno = 0;
    assert_int_equal (flux_attr_set_cacheonly (NULL, "a", "b"), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_attr_set_cacheonly (h, NULL, "b"), -1);
    assert_int_equal (errno, EINVAL);
    flux_close (h);
}

/* The broker's side: answer attr.set and attr.get until "stop". */
struct fake {
    flux_t *h;
    int forced;         /* attr.set requests that had force true */
};

static void *fake_broker (void *arg)
{
    struct fake *fb = arg;
    flux_msg_t *msg;
    const char *topic;

    while ((msg = flux_recv (fb->h, FLUX_MATCH_REQUEST, 0))) {
        assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
        if (!strcmp (topic, "stop")) {
            flux_msg_destroy (msg);
            break;
        }
        if (!strcmp (topic, "attr.set")) {
            const char *name;
            const char *value;
            int force = 0;
            assert_int_equal (flux_request_unpack (msg, NULL,
                                                   "{s:s s:s s?b !}",
                                                   "name", &name,
                                                   "value", &value,
                                                   "force", &force), 0);
            if (force)
                fb->forced++;
            if (!strcmp (name, "ro") && !force)
                assert_int_equal (flux_respond_error (fb->h, msg, EPERM,
                                                      "ro may not be set"),
                                  0);
            else if (!strcmp (name, "bare"))
                assert_int_equal (flux_respond_error (fb->h, msg, ENOENT,
                                                      NULL), 0);
            else
                assert_int_equal (flux_respond (fb->h, msg, NULL), 0);
        }
        else if (!strcmp (topic, "attr.get")) {
            const char *name;
            uint32_t nodeid;
            assert_int_equal (flux_request_unpack (msg, NULL, "{s:s}",
                                                   "name", &name), 0);
            assert_int_equal (flux_msg_get_nodeid (msg, &nodeid), 0);
            if (!strcmp (name, "size"))
                assert_int_equal (flux_respond_pack (fb->h, msg, "{s:s s:i}",
                                                     "value", "3",
                                                     "flags", 1), 0);
            else if (!strcmp (name, "broker.starttime")) {
                /* asked of rank 0 */
                assert_int_equal (nodeid, 0);
                assert_int_equal (flux_respond_pack (fb->h, msg, "{s:s s:i}",
                                                     "value", "1234.5",
                                                     "flags", 1), 0);
            }
            else
                assert_int_equal (flux_respond_error (fb->h, msg, ENOENT,
                                                      NULL), 0);
        }
        flux_msg_destroy (msg);
    }
    return NULL;
}

static void test_rpcs (void **state)
{
    struct fake fb = { 0 };
    pthread_t t;
    flux_t *h;
    flux_error_t error;
    uint32_t size = 0;
    double starttime = 0.;
    flux_future_t *f;
    (void)state;

    assert_non_null ((fb.h = flux_open ("interthread://test-attr-rpc", 0)));
    assert_non_null ((h = flux_open ("interthread://test-attr-rpc", 0)));
    assert_int_equal (pthread_create (&t, NULL, fake_broker, &fb), 0);

    assert_int_equal (flux_attr_set_ex (h, "test.a", "1", false, &error), 0);
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_attr_set_ex (h, "ro", "1", false, &error), -1);
    assert_int_equal (errno, EPERM);
    assert_string_equal (error.text, "ro may not be set");
    assert_int_equal (flux_attr_set_ex (h, "ro", "1", true, &error), 0);
    /* no text from the broker: strerror */
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_attr_set_ex (h, "bare", "1", false, &error), -1);
    assert_int_equal (errno, ENOENT);
    assert_string_equal (error.text, strerror (ENOENT));
    /* without an error buffer */
    errno = 0;
    assert_int_equal (flux_attr_set_ex (h, "ro", "1", false, NULL), -1);
    assert_int_equal (errno, EPERM);
    /* a value is required, as in flux-core */
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_attr_set_ex (h, "test.a", NULL, false, &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, strerror (EINVAL));
    errno = 0;
    assert_int_equal (flux_attr_set_ex (NULL, "a", "b", false, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_attr_set_ex (h, NULL, "b", false, NULL), -1);
    assert_int_equal (errno, EINVAL);

    assert_int_equal (flux_get_size (h, &size), 0);
    assert_int_equal (size, 3);
    errno = 0;
    assert_int_equal (flux_get_size (h, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (flux_get_instance_starttime (h, &starttime), 0);
    assert_true (starttime == 1234.5);
    assert_int_equal (flux_get_instance_starttime (h, NULL), 0);
    errno = 0;
    assert_int_equal (flux_get_instance_starttime (NULL, &starttime), -1);
    assert_int_equal (errno, EINVAL);

    assert_non_null ((f = flux_rpc (h, "stop", NULL, FLUX_NODEID_ANY,
                                    FLUX_RPC_NORESPONSE)));
    flux_future_destroy (f);
    assert_int_equal (pthread_join (t, NULL), 0);
    assert_int_equal (fb.forced, 1);
    flux_close (h);
    flux_close (fb.h);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cache_iteration),
        cmocka_unit_test (test_rpcs),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
