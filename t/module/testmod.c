/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* testmod: a C broker module for the broker's tests.
 *
 *   testmod.hello        -> {name}
 *   testmod.info         -> {name, uuid, args:[s...]}
 *   testmod.fail {errnum?}
 *                        responds, then makes mod_main return -1 with
 *                        errno errnum (default EIO): a runtime failure
 *   testmod.sleep {seconds}
 *                        blocks the module's reactor (responds first), so
 *                        it cannot see a shutdown request in time
 *   testmod.log {level, msg}
 *                        flux_log from the module
 *   testmod.subscribe {topic}
 *                        subscribe the module to events
 *   testmod.events       -> {topics:[s...]} events received so far
 *   testmod.disconnects  -> {count, senders:[userid...]} disconnect
 *                        requests received so far
 *   testmod.disconnect   (from the broker) counted as above
 *   event testmod.panic  makes mod_main return -1 with EPERM
 *
 * Arguments: --init-failure makes mod_main fail with EIO before it runs
 * the reactor; --init-error=TEXT does so with TEXT as the reported error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <flux/core.h>

struct testmod {
    int argc;
    char **argv;
    int fail_errnum;
    json_t *events;
    json_t *disconnects;
};

static void hello_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)arg;
    if (flux_respond_pack (h, msg, "{s:s}", "name", flux_module_name (h)) < 0)
        flux_log_error (h, "hello");
}

static void info_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct testmod *ctx = arg;
    json_t *args = json_array ();

    (void)mh;
    for (int i = 0; args && i < ctx->argc; i++)
        json_array_append_new (args, json_string (ctx->argv[i]));
    if (!args || flux_respond_pack (h, msg, "{s:s s:s s:o}",
                                    "name", flux_module_name (h),
                                    "uuid", flux_module_uuid (h),
                                    "args", args) < 0)
        flux_log_error (h, "info");
}

static void fail_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct testmod *ctx = arg;
    int errnum = EIO;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s?i}", "errnum", &errnum) < 0) {
        flux_respond_error (h, msg, errno, NULL);
        return;
    }
    ctx->fail_errnum = errnum;
    flux_respond (h, msg, NULL);
    flux_reactor_stop_error (flux_get_reactor (h));
}

static void sleep_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    double seconds;

    (void)mh;
    (void)arg;
    if (flux_request_unpack (msg, NULL, "{s:F}", "seconds", &seconds) < 0) {
        flux_respond_error (h, msg, errno, NULL);
        return;
    }
    flux_respond (h, msg, NULL);
    usleep ((useconds_t)(seconds * 1e6));
}

static void log_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    int level;
    const char *text;

    (void)mh;
    (void)arg;
    if (flux_request_unpack (msg, NULL, "{s:i s:s}",
                             "level", &level,
                             "msg", &text) < 0) {
        flux_respond_error (h, msg, errno, NULL);
        return;
    }
    flux_log (h, level, "%s", text);
    flux_respond (h, msg, NULL);
}

static void subscribe_cb (flux_t *h, flux_msg_handler_t *mh,
                          const flux_msg_t *msg, void *arg)
{
    const char *topic;

    (void)mh;
    (void)arg;
    if (flux_request_unpack (msg, NULL, "{s:s}", "topic", &topic) < 0
        || flux_event_subscribe (h, topic) < 0) {
        flux_respond_error (h, msg, errno, NULL);
        return;
    }
    flux_respond (h, msg, NULL);
}

static void events_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    struct testmod *ctx = arg;

    (void)mh;
    flux_respond_pack (h, msg, "{s:O}", "topics", ctx->events);
}

static void disconnects_cb (flux_t *h, flux_msg_handler_t *mh,
                            const flux_msg_t *msg, void *arg)
{
    struct testmod *ctx = arg;

    (void)mh;
    flux_respond_pack (h, msg, "{s:i s:O}",
                       "count", (int)json_array_size (ctx->disconnects),
                       "senders", ctx->disconnects);
}

static void disconnect_cb (flux_t *h, flux_msg_handler_t *mh,
                           const flux_msg_t *msg, void *arg)
{
    struct testmod *ctx = arg;
    uint32_t userid = FLUX_USERID_UNKNOWN;

    (void)h;
    (void)mh;
    (void)flux_msg_get_userid (msg, &userid);
    json_array_append_new (ctx->disconnects, json_integer (userid));
}

static void event_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct testmod *ctx = arg;
    const char *topic;

    (void)mh;
    if (flux_msg_get_topic (msg, &topic) < 0)
        return;
    if (!strcmp (topic, "testmod.panic")) {
        ctx->fail_errnum = EPERM;
        flux_reactor_stop_error (flux_get_reactor (h));
        return;
    }
    json_array_append_new (ctx->events, json_string (topic));
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "testmod.hello", hello_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "testmod.info", info_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.fail", fail_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.sleep", sleep_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.log", log_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.subscribe", subscribe_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.events", events_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.disconnects", disconnects_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "testmod.disconnect", disconnect_cb,
      FLUX_ROLE_ALL },
    { FLUX_MSGTYPE_EVENT, "*", event_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

int mod_main (flux_t *h, int argc, char **argv)
{
    struct testmod ctx = { .argc = argc, .argv = argv };
    flux_msg_handler_t **handlers = NULL;
    int rc = -1;

    for (int i = 0; i < argc; i++) {
        if (!strcmp (argv[i], "--init-failure")) {
            errno = EIO;
            return -1;
        }
        if (!strncmp (argv[i], "--init-error=", 13)) {
            flux_module_set_error (h, "%s", argv[i] + 13);
            errno = EINVAL;
            return -1;
        }
    }
    if (!(ctx.events = json_array ()) || !(ctx.disconnects = json_array ()))
        goto done;
    if (flux_event_subscribe (h, "testmod.panic") < 0
        || flux_msg_handler_addvec (h, htab, &ctx, &handlers) < 0)
        goto done;
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0) {
        errno = ctx.fail_errnum ? ctx.fail_errnum : ECONNRESET;
        goto done;
    }
    rc = 0;
done:
    flux_msg_handler_delvec (handlers);
    json_decref (ctx.events);
    json_decref (ctx.disconnects);
    return rc;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
