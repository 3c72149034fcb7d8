/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The module protocol end to end: this thread plays the broker on the
 * router end of an interthread channel, a second thread plays a module
 * that uses flux_module_initialize, _register_handlers and _finalize the
 * way the broker's module thread does.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "flux/core.h"

static const char *broker_uuid = "b0b0b0b0-1111-2222-3333-444444444444";
static const char *module_uuid = "cafecafe-5555-6666-7777-888888888888";

struct module {
    char uri[128];
    bool explicit_running;  /* call flux_module_set_running (twice) */
    int exit_errnum;        /* passed to flux_module_finalize */
    const char *exit_error; /* flux_module_set_error text, or NULL */
    pthread_t thread;

    /* What the module saw, checked by the test after the join. */
    int init_rc;
    char args[64];
    int fanout;             /* tbon.fanout from flux_get_conf */
    char name[32];
    char uuid[64];
    char appname[64];
    char cached_attr[32];
    int register_rc;
    char register_error[160];
    int finalize_rc;
};

/* A method of the test module: report flux_module_debug_test. */
static void check_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    int flag;
    int clear;
    (void)mh;
    (void)arg;

    if (flux_request_unpack (msg, NULL, "{s:i s:b}",
                             "flag", &flag, "clear", &clear) < 0)
        (void)flux_respond_error (h, msg, errno, NULL);
    else
        (void)flux_respond_pack (h, msg, "{s:b}",
                                 "set", flux_module_debug_test (h, flag,
                                                                clear));
}

/* Another: answer with the module's config object. */
static void conf_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    json_t *o;
    (void)mh;
    (void)arg;

    if (flux_conf_unpack (flux_get_conf (h), NULL, "o", &o) < 0)
        (void)flux_respond_error (h, msg, errno, NULL);
    else
        (void)flux_respond_pack (h, msg, "O", o);
}

/* Registered under the module's name with addvec_ex. */
static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "check", check_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "conf", conf_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

static void *module_thread (void *arg)
{
    struct module *m = arg;
    flux_error_t error;
    flux_msg_handler_t **handlers = NULL;
    flux_t *h;
    char *args = NULL;
    const char *s;

    if (!(h = flux_open (m->uri, 0)))
        return NULL;
    m->init_rc = flux_module_initialize (h, &args, &error);
    if (m->init_rc < 0)
        goto done;
    snprintf (m->args, sizeof (m->args), "%s", args ? args : "(null)");
    free (args);
    if (flux_conf_unpack (flux_get_conf (h), NULL, "{s:{s:i}}",
                          "tbon", "fanout", &m->fanout) < 0)
        m->fanout = -1;
    snprintf (m->name, sizeof (m->name), "%s", flux_module_name (h));
    snprintf (m->uuid, sizeof (m->uuid), "%s", flux_module_uuid (h));
    snprintf (m->appname, sizeof (m->appname), "%s",
              flux_log_get_appname (h));
    /* N.B. the broker end answers no attr.get: this must come from the
     * cache the welcome filled, or the thread would hang.
     */
    if ((s = flux_attr_get (h, "test-im.color")))
        snprintf (m->cached_attr, sizeof (m->cached_attr), "%s", s);

    m->register_rc = flux_module_register_handlers (h, &error);
    if (m->register_rc < 0) {
        snprintf (m->register_error, sizeof (m->register_error), "%s",
                  error.text);
        goto done;
    }
    if (flux_msg_handler_addvec_ex (h, "testmod", htab, NULL, &handlers) < 0)
        goto done;
    if (m->explicit_running) {
        (void)flux_module_set_running (h);
        (void)flux_module_set_running (h);
    }
    (void)flux_reactor_run (flux_get_reactor (h), 0);
    if (m->exit_error)
        flux_module_set_error (h, "%s", m->exit_error);
    m->finalize_rc = flux_module_finalize (h, m->exit_errnum, &error);
done:
    flux_msg_handler_delvec (handlers);
    flux_close (h);
    return NULL;
}

struct ctx {
    flux_t *h;          /* the broker end */
    struct module m;
};

static int ctx_seq;

/* Open the broker end, queue the welcome, start the module thread. */
static struct ctx *broker_start (bool explicit_running, int exit_errnum,
                                 const char *exit_error)
{
    struct ctx *ctx;
    flux_msg_t *welcome;

    assert_non_null ((ctx = calloc (1, sizeof (*ctx))));
    snprintf (ctx->m.uri, sizeof (ctx->m.uri), "interthread://%s-%d",
              module_uuid, ctx_seq++);
    ctx->m.explicit_running = explicit_running;
    ctx->m.exit_errnum = exit_errnum;
    ctx->m.exit_error = exit_error;
    assert_non_null ((ctx->h = flux_open (ctx->m.uri, 0)));
    assert_int_equal (flux_opt_set (ctx->h, FLUX_OPT_ROUTER_NAME,
                                    broker_uuid, strlen (broker_uuid) + 1),
                      0);
    assert_non_null ((welcome = flux_request_encode ("welcome", NULL)));
    assert_int_equal (flux_msg_pack (welcome,
                                     "{s:s s:s s:s s:[sss] s:{s:s s:s}"
                                     " s:{s:{s:i}}}",
                                     "name", "testmod",
                                     "uuid", module_uuid,
                                     "path", "/nowhere/testmod.so",
                                     "args", "--one", "two three", "",
                                     "attrs",
                                       "rank", "0",
                                       "test-im.color", "blue",
                                     "conf", "tbon", "fanout", 2), 0);
    assert_int_equal (flux_msg_set_noresponse (welcome), 0);
    assert_int_equal (flux_send (ctx->h, welcome, 0), 0);
    flux_msg_destroy (welcome);
    assert_int_equal (pthread_create (&ctx->m.thread, NULL, module_thread,
                                      &ctx->m), 0);
    return ctx;
}

/* Receive the next request with 'topic' (others stay queued). */
static flux_msg_t *broker_recv (struct ctx *ctx, const char *topic)
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    flux_msg_t *msg;

    match.topic_glob = topic;
    assert_non_null ((msg = flux_recv (ctx->h, match, 0)));
    return msg;
}

/* The broker subscribes a module's channel to NAME.stats-clear itself,
 * so the module sends no event.subscribe (and need not wait for one).
 */
static void broker_expect_no_subscribe (struct ctx *ctx)
{
    struct flux_match match = FLUX_MATCH_REQUEST;

    match.topic_glob = "event.subscribe";
    errno = 0;
    assert_null (flux_recv (ctx->h, match, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
}

static void broker_expect_status (struct ctx *ctx, int status,
                                  flux_msg_t **msgp)
{
    flux_msg_t *msg = broker_recv (ctx, "module.status");
    int st;

    assert_int_equal (flux_request_unpack (msg, NULL, "{s:i}",
                                           "status", &st), 0);
    assert_int_equal (st, status);
    if (msgp)
        *msgp = msg;
    else
        flux_msg_destroy (msg);
}

static void broker_finish (struct ctx *ctx)
{
    assert_int_equal (pthread_join (ctx->m.thread, NULL), 0);
    flux_close (ctx->h);
    free (ctx);
}

static void test_cornercase (void **state)
{
    char *args = NULL;
    flux_error_t error;
    flux_conf_t *conf;
    (void)state;

    errno = 0;
    memset (&error, 0, sizeof (error));
    assert_int_equal (flux_module_initialize (NULL, &args, &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "invalid argument");
    assert_null (args);
    errno = 0;
    assert_int_equal (flux_module_register_handlers (NULL, &error), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_module_register_default_methods (NULL, "x", NULL),
                      -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_module_set_running (NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    memset (&error, 0, sizeof (error));
    assert_int_equal (flux_module_finalize (NULL, 0, &error), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "invalid argument");
    errno = 0;
    assert_int_equal (flux_module_config_request_decode (NULL, &conf), -1);
    assert_int_equal (errno, EINVAL);
    assert_false (flux_module_debug_test (NULL, 1, false));
    assert_null (flux_module_name (NULL));
    assert_null (flux_module_uuid (NULL));
    flux_module_set_error (NULL, "x");
}

/* A welcome that is not one is refused with EPROTO and text. */
static void test_bad_welcome (void **state)
{
    flux_t *b, *h;
    flux_msg_t *msg;
    flux_error_t error;
    (void)state;

    assert_non_null ((b = flux_open ("interthread://bad-welcome", 0)));
    assert_non_null ((h = flux_open ("interthread://bad-welcome", 0)));
    assert_non_null ((msg = flux_request_encode ("welcome", "{\"name\":1}")));
    assert_int_equal (flux_send (b, msg, 0), 0);
    flux_msg_destroy (msg);
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_module_initialize (h, NULL, &error), -1);
    assert_int_equal (errno, EPROTO);
    assert_string_equal (error.text, "malformed welcome message");
    assert_null (flux_module_name (h));
    /* without a welcome there is no module to register handlers for */
    errno = 0;
    assert_int_equal (flux_module_register_handlers (h, &error), -1);
    assert_int_equal (errno, EINVAL);
    flux_close (h);
    flux_close (b);
}

static flux_msg_t *request_as (const char *topic, const char *s,
                               uint32_t userid, uint32_t rolemask)
{
    flux_msg_t *msg;
    struct flux_msg_cred cred = { .userid = userid, .rolemask = rolemask };

    assert_non_null ((msg = flux_request_encode (topic, s)));
    assert_int_equal (flux_msg_set_cred (msg, cred), 0);
    return msg;
}

static void test_protocol (void **state)
{
    struct ctx *ctx = broker_start (false, EHOSTDOWN, "the widget broke");
    struct module m;
    flux_msg_t *msg;
    flux_msg_t *finalizing;
    flux_future_t *f;
    flux_future_t *late;
    const char *route;
    const char *pad;
    const char *errstr;
    char expected_route[32];
    int seq, userid, rolemask, rank, flags, set, errnum;
    json_t *tx, *rx, *o;
    double utime;
    int reqrx, resptx;
    (void)state;

    /* RUNNING from the first reactor iteration, with NORESPONSE */
    broker_expect_status (ctx, FLUX_MODSTATE_RUNNING, &msg);
    broker_expect_no_subscribe (ctx);
    assert_true (flux_msg_is_noresponse (msg));
    flux_msg_destroy (msg);

    /* ping: the payload comes back with route, creds and rank */
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.ping",
                                         FLUX_NODEID_ANY, 0,
                                         "{s:i s:s}", "seq", 42, "pad", "xx")));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i s:s s:s s:i s:i s:i}",
                                           "seq", &seq,
                                           "pad", &pad,
                                           "route", &route,
                                           "userid", &userid,
                                           "rolemask", &rolemask,
                                           "rank", &rank), 0);
    assert_int_equal (seq, 42);
    assert_string_equal (pad, "xx");
    snprintf (expected_route, sizeof (expected_route), "%.8s!%.8s",
              broker_uuid, module_uuid);
    assert_string_equal (route, expected_route);
    assert_int_equal (userid, (int)getuid ());
    assert_int_equal (rolemask, FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL);
    assert_int_equal (rank, 0);
    flux_future_destroy (f);

    /* a ping payload that is not a JSON object: EPROTO, as flux-core */
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.ping", "xxx",
                                    FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPROTO);
    flux_future_destroy (f);

    /* roles: a guest may ping and read stats, not clear them */
    msg = request_as ("testmod.ping", "{}", 4242, FLUX_ROLE_USER);
    assert_non_null ((f = flux_rpc_message (ctx->h, msg, FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i s:i}",
                                           "userid", &userid,
                                           "rolemask", &rolemask), 0);
    assert_int_equal (userid, 4242);
    assert_int_equal (rolemask, FLUX_ROLE_USER);
    flux_future_destroy (f);
    flux_msg_destroy (msg);
    msg = request_as ("testmod.stats-get", NULL, 4242, FLUX_ROLE_USER);
    assert_non_null ((f = flux_rpc_message (ctx->h, msg, FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    flux_msg_destroy (msg);
    msg = request_as ("testmod.stats-clear", NULL, 4242, FLUX_ROLE_USER);
    assert_non_null ((f = flux_rpc_message (ctx->h, msg, FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPERM);
    flux_future_destroy (f);
    flux_msg_destroy (msg);
    msg = request_as ("testmod.debug", "{\"op\":\"set\",\"flags\":1}",
                      4242, FLUX_ROLE_USER);
    assert_non_null ((f = flux_rpc_message (ctx->h, msg, FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPERM);
    flux_future_destroy (f);
    flux_msg_destroy (msg);

    /* stats-get */
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.stats-get", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:o s:o}",
                                           "tx", &tx, "rx", &rx), 0);
    assert_true (json_integer_value (json_object_get (rx, "request")) >= 5);
    assert_true (json_integer_value (json_object_get (tx, "response")) >= 4);
    assert_true (json_is_integer (json_object_get (tx, "request")));
    assert_true (json_is_integer (json_object_get (tx, "event")));
    assert_true (json_is_integer (json_object_get (tx, "control")));
    assert_true (json_is_integer (json_object_get (rx, "response")));
    assert_true (json_is_integer (json_object_get (rx, "event")));
    assert_true (json_is_integer (json_object_get (rx, "control")));
    flux_future_destroy (f);

    /* the stats-clear event zeroes the counters, as the request does */
    assert_non_null ((msg = flux_event_encode ("testmod.stats-clear", NULL)));
    assert_int_equal (flux_send (ctx->h, msg, 0), 0);
    flux_msg_destroy (msg);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.stats-get", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:{s:i} s:{s:i}}",
                                           "tx", "response", &resptx,
                                           "rx", "request", &reqrx), 0);
    assert_int_equal (resptx, 0);
    assert_int_equal (reqrx, 1);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.stats-clear", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.stats-get", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:{s:i} s:{s:i}}",
                                           "tx", "response", &resptx,
                                           "rx", "request", &reqrx), 0);
    /* cleared, then the stats-clear response was counted */
    assert_int_equal (resptx, 1);
    assert_int_equal (reqrx, 1);
    flux_future_destroy (f);

    /* debug flags, and flux_module_debug_test in the module */
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.debug",
                                         FLUX_NODEID_ANY, 0, "{s:s s:i}",
                                         "op", "setbit", "flags", 4)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "flags", &flags), 0);
    assert_int_equal (flags, 4);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.debug",
                                         FLUX_NODEID_ANY, 0, "{s:s s:i}",
                                         "op", "setbit", "flags", 1)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "flags", &flags), 0);
    assert_int_equal (flags, 5);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.debug",
                                         FLUX_NODEID_ANY, 0, "{s:s s:i}",
                                         "op", "clrbit", "flags", 4)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "flags", &flags), 0);
    assert_int_equal (flags, 1);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.check",
                                         FLUX_NODEID_ANY, 0, "{s:i s:b}",
                                         "flag", 1, "clear", 1)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:b}", "set", &set), 0);
    assert_true (set);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.check",
                                         FLUX_NODEID_ANY, 0, "{s:i s:b}",
                                         "flag", 1, "clear", 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:b}", "set", &set), 0);
    assert_false (set);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.debug",
                                         FLUX_NODEID_ANY, 0, "{s:s s:i}",
                                         "op", "set", "flags", 0x30)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "flags", &flags), 0);
    assert_int_equal (flags, 0x30);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.debug",
                                         FLUX_NODEID_ANY, 0, "{s:s s:i}",
                                         "op", "clr", "flags", 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i}", "flags", &flags), 0);
    assert_int_equal (flags, 0);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.debug",
                                         FLUX_NODEID_ANY, 0, "{s:s s:i}",
                                         "op", "flip", "flags", 1)));
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPROTO);
    assert_string_equal (flux_future_error_string (f),
                         "op must be setbit, clrbit, set, or clr");
    flux_future_destroy (f);

    /* rusage */
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.rusage",
                                         FLUX_NODEID_ANY, 0, "{s:s}",
                                         "who", "thread")));
    assert_int_equal (flux_rpc_get_unpack (f, "o", &o), 0);
    assert_int_equal (json_object_size (o), 16);
    assert_true (json_is_real (json_object_get (o, "utime")));
    assert_true (json_is_real (json_object_get (o, "stime")));
    utime = json_real_value (json_object_get (o, "utime"));
    assert_true (utime >= 0.);
    assert_true (json_integer_value (json_object_get (o, "maxrss")) > 0);
    const char *fields[] = { "ixrss", "idrss", "isrss", "minflt", "majflt",
                             "nswap", "inblock", "oublock", "msgsnd",
                             "msgrcv", "nsignals", "nvcsw", "nivcsw" };
    for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
        assert_true (json_is_integer (json_object_get (o, fields[i])));
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.rusage", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "o", &o), 0);
    assert_int_equal (json_object_size (o), 16);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc_pack (ctx->h, "testmod.rusage",
                                         FLUX_NODEID_ANY, 0, "{s:s}",
                                         "who", "everybody")));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_string_equal (flux_future_error_string (f),
                         "everybody is unsupported");
    flux_future_destroy (f);

    /* the config: the welcome's, then config-reload replaces it, and
     * config-update is the same; a payload that is not an object is
     * refused
     */
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.conf", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:{s:i}}",
                                           "tbon", "fanout", &flags), 0);
    assert_int_equal (flags, 2);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.config-reload",
                                    "{\"a\":{\"b\":7}}", FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.conf", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "o", &o), 0);
    assert_int_equal (json_object_size (o), 1);
    assert_int_equal (json_integer_value (json_object_get (
                          json_object_get (o, "a"), "b")), 7);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.config-update",
                                    "{\"c\":3}", FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get (f, NULL), 0);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.conf", NULL,
                                    FLUX_NODEID_ANY, 0)));
    assert_int_equal (flux_rpc_get_unpack (f, "{s:i !}", "c", &flags), 0);
    assert_int_equal (flags, 3);
    flux_future_destroy (f);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.config-reload", "[1]",
                                    FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPROTO);
    assert_string_equal (flux_future_error_string (f),
                         "Failed to parse testmod.config-reload request");
    flux_future_destroy (f);
    msg = request_as ("testmod.config-reload", "{}", 4242, FLUX_ROLE_USER);
    assert_non_null ((f = flux_rpc_message (ctx->h, msg, FLUX_NODEID_ANY, 0)));
    errno = 0;
    assert_int_equal (flux_rpc_get (f, NULL), -1);
    assert_int_equal (errno, EPERM);
    flux_future_destroy (f);
    flux_msg_destroy (msg);

    /* shutdown: the module stops its reactor and finalizes */
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.shutdown", NULL,
                                    FLUX_NODEID_ANY, FLUX_RPC_NORESPONSE)));
    flux_future_destroy (f);
    broker_expect_status (ctx, FLUX_MODSTATE_FINALIZING, &finalizing);
    assert_false (flux_msg_is_noresponse (finalizing));

    /* Requests that reach the module after it stopped are answered
     * ENOSYS once the broker acknowledges FINALIZING; a NORESPONSE one is
     * dropped.
     */
    assert_non_null ((late = flux_rpc (ctx->h, "testmod.ping", "{}",
                                       FLUX_NODEID_ANY, 0)));
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.ping", "{}",
                                    FLUX_NODEID_ANY, FLUX_RPC_NORESPONSE)));
    flux_future_destroy (f);
    assert_int_equal (flux_respond (ctx->h, finalizing, NULL), 0);
    flux_msg_destroy (finalizing);
    errno = 0;
    assert_int_equal (flux_rpc_get (late, NULL), -1);
    assert_int_equal (errno, ENOSYS);
    flux_future_destroy (late);

    broker_expect_status (ctx, FLUX_MODSTATE_EXITED, &msg);
    assert_true (flux_msg_is_noresponse (msg));
    assert_int_equal (flux_request_unpack (msg, NULL, "{s:i s:s}",
                                           "errnum", &errnum,
                                           "errstr", &errstr), 0);
    assert_int_equal (errnum, EHOSTDOWN);
    assert_string_equal (errstr, "the widget broke");
    flux_msg_destroy (msg);

    m = ctx->m;
    broker_finish (ctx);
    assert_int_equal (m.init_rc, 0);
    assert_int_equal (m.register_rc, 0);
    assert_int_equal (m.finalize_rc, 0);
}

/* What initialize gave the module: run a module through its whole life
 * with set_running, and exit 0 without error text.
 */
static void test_welcome_and_set_running (void **state)
{
    struct ctx *ctx = broker_start (true, 0, NULL);
    struct module m;
    flux_msg_t *msg;
    flux_msg_t *finalizing;
    flux_future_t *f;
    int errnum;
    const char *errstr;
    (void)state;

    broker_expect_status (ctx, FLUX_MODSTATE_RUNNING, NULL);
    assert_non_null ((f = flux_rpc (ctx->h, "testmod.shutdown", NULL,
                                    FLUX_NODEID_ANY, FLUX_RPC_NORESPONSE)));
    flux_future_destroy (f);
    /* N.B. a second RUNNING (from set_running twice, or from the prepare
     * watcher after it) would come before FINALIZING and fail here.
     */
    broker_expect_status (ctx, FLUX_MODSTATE_FINALIZING, &finalizing);
    assert_int_equal (flux_respond (ctx->h, finalizing, NULL), 0);
    flux_msg_destroy (finalizing);
    broker_expect_status (ctx, FLUX_MODSTATE_EXITED, &msg);
    assert_int_equal (flux_request_unpack (msg, NULL, "{s:i}",
                                           "errnum", &errnum), 0);
    assert_int_equal (errnum, 0);
    assert_int_equal (flux_msg_unpack (msg, "{s:s}", "errstr", &errstr), -1);
    flux_msg_destroy (msg);

    m = ctx->m;
    broker_finish (ctx);
    assert_int_equal (m.init_rc, 0);
    assert_string_equal (m.name, "testmod");
    assert_string_equal (m.uuid, module_uuid);
    assert_string_equal (m.appname, "testmod");
    assert_string_equal (m.cached_attr, "blue");
    /* args are joined with spaces and split again, as flux-core does */
    assert_string_equal (m.args, "--one two three ");
    /* the welcome's conf, through flux_get_conf */
    assert_int_equal (m.fanout, 2);
    assert_int_equal (m.finalize_rc, 0);
}

/* Send 'payload' as a welcome into a fresh channel; return the module
 * end, and the broker end in *bp.
 */
static flux_t *welcome_only (const char *uri, const char *payload,
                             flux_t **bp)
{
    flux_t *b, *h;
    flux_msg_t *msg;

    assert_non_null ((b = flux_open (uri, 0)));
    assert_non_null ((h = flux_open (uri, 0)));
    assert_non_null ((msg = flux_request_encode ("welcome", payload)));
    assert_int_equal (flux_send (b, msg, 0), 0);
    flux_msg_destroy (msg);
    *bp = b;
    return h;
}

/* flux-core's broker sends args null when there are none: the module
 * gets NULL.  The conf and the attributes are cached; the attribute
 * cache iterates in the welcome's order.
 */
static void test_welcome_flux_core (void **state)
{
    flux_t *b, *h;
    flux_error_t error;
    char *args = (char *)"unset";
    const char *name;
    int fanout = 0;
    (void)state;

    h = welcome_only ("interthread://welcome-fc",
                      "{\"args\":null,"
                      "\"attrs\":{\"rank\":\"0\",\"size\":\"1\","
                      "\"hostlist\":\"node0\"},"
                      "\"conf\":{\"tbon\":{\"fanout\":4}},"
                      "\"name\":\"kvs\",\"uuid\":\"1234\"}",
                      &b);
    memset (&error, 0, sizeof (error));
    assert_int_equal (flux_module_initialize (h, &args, &error), 0);
    assert_null (args);
    assert_string_equal (flux_module_name (h), "kvs");
    assert_int_equal (flux_conf_unpack (flux_get_conf (h), &error,
                                        "{s:{s:i}}", "tbon", "fanout",
                                        &fanout), 0);
    assert_int_equal (fanout, 4);
    assert_non_null ((name = flux_attr_cache_first (h)));
    assert_string_equal (name, "rank");
    assert_string_equal (flux_attr_cache_next (h), "size");
    assert_string_equal (flux_attr_cache_next (h), "hostlist");
    assert_null (flux_attr_cache_next (h));
    assert_null (flux_attr_cache_next (h));
    flux_close (h);
    flux_close (b);
}

/* A conf that is not an object, or args that are not strings, are
 * refused as malformed.
 */
static void test_welcome_bad_conf (void **state)
{
    flux_t *b, *h;
    flux_error_t error;
    char *args = NULL;
    (void)state;

    h = welcome_only ("interthread://welcome-badconf",
                      "{\"name\":\"x\",\"uuid\":\"1\",\"conf\":[1]}", &b);
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_module_initialize (h, &args, &error), -1);
    assert_int_equal (errno, EPROTO);
    assert_string_equal (error.text, "malformed welcome message");
    assert_null (args);
    flux_close (h);
    flux_close (b);

    h = welcome_only ("interthread://welcome-badargs",
                      "{\"name\":\"x\",\"uuid\":\"1\",\"args\":[1]}", &b);
    memset (&error, 0, sizeof (error));
    errno = 0;
    assert_int_equal (flux_module_initialize (h, &args, &error), -1);
    assert_int_equal (errno, EPROTO);
    assert_string_equal (error.text, "welcome args must be strings");
    assert_null (args);
    flux_close (h);
    flux_close (b);
}

/* config-reload requests, decoded directly. */
static void test_config_request_decode (void **state)
{
    flux_msg_t *msg;
    flux_conf_t *conf = NULL;
    int v = 0;
    (void)state;

    assert_non_null ((msg = flux_request_encode ("x.config-reload",
                                                 "{\"v\":5}")));
    assert_int_equal (flux_module_config_request_decode (msg, &conf), 0);
    assert_int_equal (flux_conf_unpack (conf, NULL, "{s:i}", "v", &v), 0);
    assert_int_equal (v, 5);
    flux_conf_decref (conf);
    assert_int_equal (flux_module_config_request_decode (msg, NULL), 0);
    flux_msg_destroy (msg);

    assert_non_null ((msg = flux_request_encode ("x.config-reload", "42")));
    errno = 0;
    assert_int_equal (flux_module_config_request_decode (msg, &conf), -1);
    assert_int_equal (errno, EPROTO);
    flux_msg_destroy (msg);

    assert_non_null ((msg = flux_request_encode ("x.config-reload", NULL)));
    errno = 0;
    assert_int_equal (flux_module_config_request_decode (msg, &conf), -1);
    assert_int_equal (errno, EPROTO);
    flux_msg_destroy (msg);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_bad_welcome),
        cmocka_unit_test (test_protocol),
        cmocka_unit_test (test_welcome_and_set_running),
        cmocka_unit_test (test_welcome_flux_core),
        cmocka_unit_test (test_welcome_bad_conf),
        cmocka_unit_test (test_config_request_decode),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

/* vi: ts=4 sw=4 expandtab
 */
