/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* testmod: a C broker module for the broker's tests.
 *
 * (NAME is "testmod", or what --name gave)
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
#include <stdio.h>
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
    if (flux_msg_has_payload (msg)
        && flux_request_unpack (msg, NULL, "{s?i}", "errnum", &errnum) < 0) {
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

/* Methods are registered under the module's name, so that a second copy
 * loaded with --name NAME answers NAME.hello.
 */
static const struct {
    const char *method;
    flux_msg_handler_f cb;
    uint32_t rolemask;
} methods[] = {
    { "hello", hello_cb, FLUX_ROLE_USER },
    { "info", info_cb, 0 },
    { "fail", fail_cb, 0 },
    { "sleep", sleep_cb, 0 },
    { "log", log_cb, 0 },
    { "subscribe", subscribe_cb, 0 },
    { "events", events_cb, 0 },
    { "disconnects", disconnects_cb, 0 },
    { "disconnect", disconnect_cb, FLUX_ROLE_ALL },
};
enum { NMETHODS = sizeof (methods) / sizeof (methods[0]) };

static int handlers_create (flux_t *h, struct testmod *ctx,
                            flux_msg_handler_t *handlers[])
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    char topic[256];

    for (int i = 0; i < NMETHODS; i++) {
        snprintf (topic, sizeof (topic), "%s.%s", flux_module_name (h),
                  methods[i].method);
        match.topic_glob = topic;
        if (!(handlers[i] = flux_msg_handler_create (h, match,
                                                     methods[i].cb, ctx)))
            return -1;
        flux_msg_handler_allow_rolemask (handlers[i], methods[i].rolemask);
        flux_msg_handler_start (handlers[i]);
    }
    match = FLUX_MATCH_EVENT;
    match.topic_glob = "*";
    if (!(handlers[NMETHODS] = flux_msg_handler_create (h, match, event_cb,
                                                        ctx)))
        return -1;
    flux_msg_handler_start (handlers[NMETHODS]);
    return 0;
}

int mod_main (flux_t *h, int argc, char **argv)
{
    struct testmod ctx = { .argc = argc, .argv = argv };
    flux_msg_handler_t *handlers[NMETHODS + 1] = { NULL };
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
        || handlers_create (h, &ctx, handlers) < 0)
        goto done;
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0) {
        errno = ctx.fail_errnum ? ctx.fail_errnum : ECONNRESET;
        goto done;
    }
    rc = 0;
done:
    for (int i = 0; i < NMETHODS + 1; i++)
        flux_msg_handler_destroy (handlers[i]);
    json_decref (ctx.events);
    json_decref (ctx.disconnects);
    return rc;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
