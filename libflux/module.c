/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The module side of the module protocol (RFC 5, flux/module.h).
 *
 * A module thread's life, as seen from its handle: a blocking receive of
 * the welcome request that the broker queued before the thread started;
 * default methods and a RUNNING report on the first reactor iteration;
 * the module's own code; then FINALIZING, answered by the broker once it
 * has muted the module, after which nothing new is routed here, so every
 * request still queued can be answered ENOSYS (or, if the broker says it
 * will restart the module, handed back to it); and last EXITED.
 *
 * Everything this file keeps lives in the handle's aux (name, uuid,
 * config, debug flags, error text, handlers), so a module has no state
 * apart from its handle and the broker can use the same default methods
 * on its own handle (name "broker").
 *
 * The default methods answer with the shapes flux-core's method.c uses,
 * so `flux ping`, `flux module stats` and `flux module debug` from
 * either implementation work against our modules.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <jansson.h>

#include "flux/module.h"
#include "flux/attr.h"
#include "flux/conf.h"
#include "flux/event.h"
#include "flux/flog.h"
#include "flux/future.h"
#include "flux/handle.h"
#include "flux/message.h"
#include "flux/msg_handler.h"
#include "flux/reactor.h"
#include "flux/request.h"
#include "flux/response.h"
#include "flux/rpc.h"
#include "flux/watcher.h"
#include "handle_private.h"

#define AUX_NAME "flux::name"
#define AUX_UUID "flux::uuid"
#define AUX_DEBUG "flux::debug_flags"
#define AUX_ERROR "flux::module_error"
#define AUX_RUNNING "flux::module_running"
#define AUX_PREPARE "flux::module_running_watcher"
#define AUX_METHODS_PREFIX "flux::module_methods::"

/* How long finalize waits for the broker to acknowledge FINALIZING. */
static const double finalizing_timeout = 10.;


/* flux-core hands a module its arguments as one string, joined with
 * spaces, and its broker splits that again on spaces.  Matching that
 * keeps modules portable between the two brokers.  NULL with errno 0
 * for no arguments.
 */
static char *args_join (json_t *args, flux_error_t *error)
{
    char *joined = NULL;
    size_t size = 0;
    size_t index;
    json_t *value;

    json_array_foreach (args, index, value) {
        if (!json_is_string (value)) {
            handle_errprintf (error, "welcome args must be strings");
            errno = EPROTO;
            return NULL;
        }
        size += json_string_length (value) + 1;
    }
    if (size == 0) {
        errno = 0;
        return NULL;
    }
    if (!(joined = calloc (1, size))) {
        handle_errprintf (error, "out of memory");
        return NULL;
    }
    json_array_foreach (args, index, value) {
        if (index > 0)
            strcat (joined, " ");
        strcat (joined, json_string_value (value));
    }
    return joined;
}

static int aux_set_string (flux_t *h, const char *key, const char *s)
{
    char *cpy;

    if (!(cpy = strdup (s)))
        return -1;
    if (flux_aux_set (h, key, cpy, free) < 0) {
        free (cpy);
        return -1;
    }
    return 0;
}

int flux_module_initialize (flux_t *h, char **argsp, flux_error_t *error)
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    flux_msg_t *msg = NULL;
    const char *name;
    const char *uuid;
    json_t *args = NULL;
    json_t *attrs = NULL;
    json_t *conf = NULL;
    flux_conf_t *cf;
    const char *key;
    json_t *value;
    char *joined = NULL;

    if (!h) {
        errno = EINVAL;
        handle_errprintf (error, "invalid argument");
        return -1;
    }
    match.topic_glob = "welcome";
    if (!(msg = flux_recv (h, match, 0))) {
        handle_errprintf (error, "error receiving welcome: %s",
                          strerror (errno));
        return -1;
    }
    /* N.B. flux-core's broker sends "args" null when there are none. */
    if (flux_request_unpack (msg,
                             NULL,
                             "{s:s s:s s?o s?o s?o}",
                             "name", &name,
                             "uuid", &uuid,
                             "args", &args,
                             "attrs", &attrs,
                             "conf", &conf) < 0
        || (args && !json_is_array (args) && !json_is_null (args))
        || (attrs && !json_is_object (attrs))
        || (conf && !json_is_object (conf))) {
        errno = EPROTO;
        handle_errprintf (error, "malformed welcome message");
        goto error;
    }
    if (aux_set_string (h, AUX_NAME, name) < 0
        || aux_set_string (h, AUX_UUID, uuid) < 0) {
        handle_errprintf (error, "error saving module name: %s",
                          strerror (errno));
        goto error;
    }
    flux_log_set_appname (h, name);
    json_object_foreach (attrs, key, value) {
        if (!json_is_string (value))
            continue;
        if (flux_attr_set_cacheonly (h, key, json_string_value (value)) < 0) {
            handle_errprintf (error,
                              "error caching attribute %s: %s",
                              key,
                              strerror (errno));
            goto error;
        }
    }
    if (conf) {
        if (!(cf = flux_conf_pack ("O", conf))
            || flux_set_conf_new (h, cf) < 0) {
            flux_conf_decref (cf);
            handle_errprintf (error, "error caching config: %s",
                              strerror (errno));
            goto error;
        }
    }
    if (argsp) {
        if (!(joined = args_join (args, error)) && errno != 0)
            goto error;
        *argsp = joined;
    }
    flux_msg_destroy (msg);
    return 0;
error:
    flux_msg_destroy (msg);
    return -1;
}

int flux_module_config_request_decode (const flux_msg_t *msg,
                                       flux_conf_t **confp)
{
    json_t *o;
    flux_conf_t *conf;

    if (!msg) {
        errno = EINVAL;
        return -1;
    }
    if (flux_request_unpack (msg, NULL, "o", &o) < 0)
        return -1;
    if (!json_is_object (o)) {
        errno = EPROTO;
        return -1;
    }
    if (!(conf = flux_conf_pack ("O", o)))
        return -1;
    if (confp)
        *confp = conf;
    else
        flux_conf_decref (conf);
    return 0;
}

const char *flux_module_name (flux_t *h)
{
    return h ? flux_aux_get (h, AUX_NAME) : NULL;
}

const char *flux_module_uuid (flux_t *h)
{
    return h ? flux_aux_get (h, AUX_UUID) : NULL;
}

/* Default methods */

static void respond_or_log (flux_t *h, const flux_msg_t *msg, int errnum,
                            const char *errstr)
{
    if (flux_respond_error (h, msg, errnum, errstr) < 0)
        flux_log_error (h, "error responding to request");
}

static void ping_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    const char *uuid = flux_aux_get (h, AUX_UUID);
    json_t *in;
    json_t *out = NULL;
    char *route = NULL;
    char *newroute = NULL;
    struct flux_msg_cred cred;
    uint32_t rank = 0;
    (void)mh;
    (void)arg;

    if (flux_request_unpack (msg, NULL, "o", &in) < 0
        || flux_msg_get_cred (msg, &cred) < 0)
        goto error;
    if (!(route = flux_msg_route_string (msg)))
        goto error;
    /* N.B. flux-core adds the "!" even to an empty route. */
    if (asprintf (&newroute, "%s!%.8s", route, uuid ? uuid : "") < 0) {
        newroute = NULL;
        goto error;
    }
    (void)flux_get_rank (h, &rank);
    if (!(out = json_copy (in))
        || json_object_set_new (out, "route", json_string (newroute)) < 0
        || json_object_set_new (out,
                                "userid",
                                json_integer (cred.userid)) < 0
        || json_object_set_new (out,
                                "rolemask",
                                json_integer (cred.rolemask)) < 0
        || json_object_set_new (out, "rank", json_integer (rank)) < 0) {
        errno = ENOMEM;
        goto error;
    }
    if (flux_respond_pack (h, msg, "O", out) < 0)
        flux_log_error (h, "error responding to ping");
    json_decref (out);
    free (route);
    free (newroute);
    return;
error:
    respond_or_log (h, msg, errno, NULL);
    json_decref (out);
    free (route);
    free (newroute);
}

static void stats_get_cb (flux_t *h, flux_msg_handler_t *mh,
                          const flux_msg_t *msg, void *arg)
{
    struct flux_msgcounters mcs;
    (void)mh;
    (void)arg;

    flux_get_msgcounters (h, &mcs);
    if (flux_respond_pack (h,
                           msg,
                           "{s:{s:i s:i s:i s:i} s:{s:i s:i s:i s:i}}",
                           "tx",
                             "request", mcs.request_tx,
                             "response", mcs.response_tx,
                             "event", mcs.event_tx,
                             "control", mcs.control_tx,
                           "rx",
                             "request", mcs.request_rx,
                             "response", mcs.response_rx,
                             "event", mcs.event_rx,
                             "control", mcs.control_rx) < 0)
        flux_log_error (h, "error responding to stats-get");
}

static void stats_clear_cb (flux_t *h, flux_msg_handler_t *mh,
                            const flux_msg_t *msg, void *arg)
{
    int type = 0;
    (void)mh;
    (void)arg;

    flux_clr_msgcounters (h);
    if (flux_msg_get_type (msg, &type) == 0
        && type == FLUX_MSGTYPE_REQUEST
        && flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to stats-clear");
}

static double tv_to_double (struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1E-6;
}

static void rusage_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    const char *who = NULL;
    const char *errstr = NULL;
    flux_error_t error;
    struct rusage ru;
    int rwho;
    (void)mh;
    (void)arg;

    /* N.B. flux-core's own callers send a payload; accept none too. */
    if (flux_msg_has_payload (msg)
        && flux_request_unpack (msg, NULL, "{s?s}", "who", &who) < 0)
        goto error;
    if (!who || !strcmp (who, "self"))
        rwho = RUSAGE_SELF;
    else if (!strcmp (who, "children"))
        rwho = RUSAGE_CHILDREN;
    else if (!strcmp (who, "thread"))
        rwho = RUSAGE_THREAD;
    else {
        handle_errprintf (&error, "%s is unsupported", who);
        errstr = error.text;
        errno = EINVAL;
        goto error;
    }
    if (getrusage (rwho, &ru) < 0)
        goto error;
    if (flux_respond_pack (h,
                           msg,
                           "{s:f s:f s:I s:I s:I s:I s:I s:I s:I s:I s:I"
                           " s:I s:I s:I s:I s:I}",
                           "utime", tv_to_double (ru.ru_utime),
                           "stime", tv_to_double (ru.ru_stime),
                           "maxrss", (json_int_t)ru.ru_maxrss,
                           "ixrss", (json_int_t)ru.ru_ixrss,
                           "idrss", (json_int_t)ru.ru_idrss,
                           "isrss", (json_int_t)ru.ru_isrss,
                           "minflt", (json_int_t)ru.ru_minflt,
                           "majflt", (json_int_t)ru.ru_majflt,
                           "nswap", (json_int_t)ru.ru_nswap,
                           "inblock", (json_int_t)ru.ru_inblock,
                           "oublock", (json_int_t)ru.ru_oublock,
                           "msgsnd", (json_int_t)ru.ru_msgsnd,
                           "msgrcv", (json_int_t)ru.ru_msgrcv,
                           "nsignals", (json_int_t)ru.ru_nsignals,
                           "nvcsw", (json_int_t)ru.ru_nvcsw,
                           "nivcsw", (json_int_t)ru.ru_nivcsw) < 0)
        flux_log_error (h, "error responding to rusage");
    return;
error:
    respond_or_log (h, msg, errno, errstr);
}

static int *debug_flags_get (flux_t *h)
{
    int *flags = flux_aux_get (h, AUX_DEBUG);

    if (!flags) {
        if (!(flags = calloc (1, sizeof (*flags))))
            return NULL;
        if (flux_aux_set (h, AUX_DEBUG, flags, free) < 0) {
            free (flags);
            return NULL;
        }
    }
    return flags;
}

static void debug_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    const char *op;
    const char *errstr = NULL;
    int flags;
    int *debug_flags;
    (void)mh;
    (void)arg;

    if (flux_request_unpack (msg,
                             NULL,
                             "{s:s s:i}",
                             "op", &op,
                             "flags", &flags) < 0)
        goto error;
    if (!(debug_flags = debug_flags_get (h)))
        goto error;
    if (!strcmp (op, "setbit"))
        *debug_flags |= flags;
    else if (!strcmp (op, "clrbit"))
        *debug_flags &= ~flags;
    else if (!strcmp (op, "set"))
        *debug_flags = flags;
    else if (!strcmp (op, "clr"))
        *debug_flags = 0;
    else {
        errstr = "op must be setbit, clrbit, set, or clr";
        errno = EPROTO;
        goto error;
    }
    if (flux_respond_pack (h, msg, "{s:i}", "flags", *debug_flags) < 0)
        flux_log_error (h, "error responding to debug");
    return;
error:
    respond_or_log (h, msg, errno, errstr);
}

static void config_reload_cb (flux_t *h, flux_msg_handler_t *mh,
                              const flux_msg_t *msg, void *arg)
{
    flux_conf_t *conf;
    const char *topic = "unknown";
    const char *errstr = NULL;
    flux_error_t error;
    (void)mh;
    (void)arg;

    if (flux_module_config_request_decode (msg, &conf) < 0) {
        /* N.B. flux-core's words */
        int saved_errno = errno;
        (void)flux_msg_get_topic (msg, &topic);
        handle_errprintf (&error, "Failed to parse %s request", topic);
        errstr = error.text;
        errno = saved_errno;
        goto error;
    }
    if (flux_set_conf_new (h, conf) < 0) {
        flux_conf_decref (conf);
        goto error;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to config-reload");
    return;
error:
    respond_or_log (h, msg, errno, errstr);
}

static void shutdown_cb (flux_t *h, flux_msg_handler_t *mh,
                         const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)msg;
    (void)arg;

    flux_reactor_stop (flux_get_reactor (h));
}

bool flux_module_debug_test (flux_t *h, int flag, bool clear)
{
    int *flags;

    if (!h || !(flags = flux_aux_get (h, AUX_DEBUG)))
        return false;
    if (!(*flags & flag))
        return false;
    if (clear)
        *flags &= ~flag;
    return true;
}

struct method {
    int typemask;
    const char *method;
    flux_msg_handler_f cb;
    uint32_t rolemask; /* allowed besides OWNER */
};

static const struct method methods[] = {
    { FLUX_MSGTYPE_REQUEST, "ping", ping_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "stats-get", stats_get_cb, FLUX_ROLE_ALL },
    { FLUX_MSGTYPE_REQUEST, "stats-clear", stats_clear_cb, 0 },
    { FLUX_MSGTYPE_EVENT, "stats-clear", stats_clear_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "rusage", rusage_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "debug", debug_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "config-reload", config_reload_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "config-update", config_reload_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "shutdown", shutdown_cb, 0 },
};
#define METHODS_COUNT (sizeof (methods) / sizeof (methods[0]))

static void handlers_destroy (void *arg)
{
    flux_msg_handler_t **handlers = arg;

    if (handlers) {
        int saved_errno = errno;
        for (size_t i = 0; handlers[i]; i++)
            flux_msg_handler_destroy (handlers[i]);
        free (handlers);
        errno = saved_errno;
    }
}

int flux_module_register_default_methods (flux_t *h, const char *name,
                                          flux_error_t *error)
{
    flux_msg_handler_t **handlers;
    char key[256];
    char topic[256];

    if (!h || !name || strlen (name) == 0
        || snprintf (key, sizeof (key), "%s%s", AUX_METHODS_PREFIX, name)
           >= (int)sizeof (key)) {
        errno = EINVAL;
        handle_errprintf (error, "invalid argument");
        return -1;
    }
    if (!(handlers = calloc (METHODS_COUNT + 1, sizeof (*handlers))))
        goto error;
    for (size_t i = 0; i < METHODS_COUNT; i++) {
        struct flux_match match = FLUX_MATCH_ANY;
        if (snprintf (topic,
                      sizeof (topic),
                      "%s.%s",
                      name,
                      methods[i].method) >= (int)sizeof (topic)) {
            errno = EINVAL;
            goto error;
        }
        match.typemask = methods[i].typemask;
        match.topic_glob = topic;
        if (!(handlers[i] = flux_msg_handler_create (h,
                                                     match,
                                                     methods[i].cb,
                                                     NULL)))
            goto error;
        if (methods[i].rolemask)
            flux_msg_handler_allow_rolemask (handlers[i], methods[i].rolemask);
    }
    if (flux_aux_set (h, key, handlers, handlers_destroy) < 0)
        goto error;
    for (size_t i = 0; i < METHODS_COUNT; i++)
        flux_msg_handler_start (handlers[i]);
    return 0;
error:
    handle_errprintf (error,
                      "error registering %s default methods: %s",
                      name,
                      strerror (errno));
    handlers_destroy (handlers);
    return -1;
}

static int send_status (flux_t *h, int status, int errnum, const char *errstr,
                        int flags, flux_future_t **fp)
{
    flux_future_t *f;

    if (errstr)
        f = flux_rpc_pack (h,
                           "module.status",
                           FLUX_NODEID_ANY,
                           flags,
                           "{s:i s:i s:s}",
                           "status", status,
                           "errnum", errnum,
                           "errstr", errstr);
    else if (status == FLUX_MODSTATE_EXITED)
        f = flux_rpc_pack (h,
                           "module.status",
                           FLUX_NODEID_ANY,
                           flags,
                           "{s:i s:i}",
                           "status", status,
                           "errnum", errnum);
    else
        f = flux_rpc_pack (h,
                           "module.status",
                           FLUX_NODEID_ANY,
                           flags,
                           "{s:i}",
                           "status", status);
    if (!f)
        return -1;
    if (fp)
        *fp = f;
    else
        flux_future_destroy (f);
    return 0;
}

int flux_module_set_running (flux_t *h)
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    if (flux_aux_get (h, AUX_RUNNING))
        return 0;
    if (send_status (h,
                     FLUX_MODSTATE_RUNNING,
                     0,
                     NULL,
                     FLUX_RPC_NORESPONSE,
                     NULL) < 0)
        return -1;
    /* N.B. any non-NULL value marks it; nothing to free. */
    if (flux_aux_set (h, AUX_RUNNING, (void *)h, NULL) < 0)
        return -1;
    return 0;
}

static void running_prepare_cb (flux_reactor_t *r, flux_watcher_t *w,
                                int revents, void *arg)
{
    flux_t *h = arg;
    (void)r;
    (void)revents;

    flux_watcher_stop (w);
    if (flux_module_set_running (h) < 0)
        flux_log_error (h, "error reporting RUNNING status");
}

int flux_module_register_handlers (flux_t *h, flux_error_t *error)
{
    const char *name;
    flux_watcher_t *w;
    flux_reactor_t *r;

    if (!h) {
        errno = EINVAL;
        handle_errprintf (error, "invalid argument");
        return -1;
    }
    if (!(name = flux_module_name (h))) {
        errno = EINVAL;
        handle_errprintf (error,
                          "module name unknown: no welcome was received");
        return -1;
    }
    if (flux_module_register_default_methods (h, name, error) < 0)
        return -1;
    if (!(r = flux_get_reactor (h))
        || !(w = flux_prepare_watcher_create (r, running_prepare_cb, h))) {
        handle_errprintf (error, "error creating watcher: %s",
                          strerror (errno));
        return -1;
    }
    if (flux_aux_set (h, AUX_PREPARE, w, (flux_free_f)flux_watcher_destroy)
        < 0) {
        handle_errprintf (error, "error saving watcher: %s", strerror (errno));
        flux_watcher_destroy (w);
        return -1;
    }
    flux_watcher_start (w);
    return 0;
}

void flux_module_set_error (flux_t *h, const char *fmt, ...)
{
    char *s;
    va_list ap;
    int rc;
    int saved_errno = errno;

    if (!h || !fmt)
        return;
    va_start (ap, fmt);
    rc = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (rc >= 0 && flux_aux_set (h, AUX_ERROR, s, free) < 0)
        free (s);
    errno = saved_errno;
}

int flux_module_finalize (flux_t *h, int errnum, flux_error_t *error)
{
    flux_future_t *f = NULL;
    flux_msg_t *msg;
    int saved_errno = 0;
    const char *s = NULL;
    int requeue = 0;

    if (!h) {
        errno = EINVAL;
        handle_errprintf (error, "invalid argument");
        return -1;
    }
    /* Wait for the broker to mute this module, so that no request
     * arrives after the queue is drained below.  Then drop the future
     * before draining, so that anything its clone of the handle read
     * while waiting is back on the handle's queue.
     */
    if (send_status (h, FLUX_MODSTATE_FINALIZING, 0, NULL, 0, &f) < 0
        || flux_future_wait_for (f, finalizing_timeout) < 0
        || flux_rpc_get (f, &s) < 0) {
        saved_errno = errno;
        handle_errprintf (error,
                          "module status (FINALIZING): %s",
                          strerror (saved_errno));
        flux_log_error (h, "module.status FINALIZING");
    }
    else if (s) {
        /* Our broker answers {"requeue": true} when it will start the
         * module again (its failure policy is restart): then the queued
         * requests go back to it, unchanged, for the next instance.
         * flux-core's broker answers with no payload.
         */
        json_t *o = json_loads (s, 0, NULL);
        if (!o || json_unpack (o, "{s?b}", "requeue", &requeue) < 0)
            requeue = 0;
        json_decref (o);
    }
    flux_future_destroy (f);
    while ((msg = flux_recv (h, FLUX_MATCH_REQUEST, FLUX_O_NONBLOCK))) {
        if (requeue && flux_send_new (h, &msg, 0) == 0)
            continue;
        if (!flux_msg_is_noresponse (msg)
            && flux_respond_error (h, msg, ENOSYS, NULL) < 0)
            flux_log_error (h, "error responding to queued request");
        flux_msg_destroy (msg);
    }
    if (send_status (h,
                     FLUX_MODSTATE_EXITED,
                     errnum,
                     flux_aux_get (h, AUX_ERROR),
                     FLUX_RPC_NORESPONSE,
                     NULL) < 0) {
        if (saved_errno == 0) {
            saved_errno = errno;
            handle_errprintf (error,
                              "module status (EXITED): %s",
                              strerror (saved_errno));
        }
        flux_log_error (h, "module.status EXITED");
    }
    if (saved_errno != 0) {
        errno = saved_errno;
        return -1;
    }
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
