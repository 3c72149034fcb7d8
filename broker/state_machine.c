/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* state_machine.c: the broker's state and its service (see
 * state_machine.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_machine.h"

static const char *names[] = {
    "load-builtins", "join", "config-sync", "init", "quorum", "run",
    "cleanup", "shutdown", "finalize", "goodbye", "unload-builtins", "exit",
};

struct state_machine {
    struct broker *ctx;
    enum broker_state state;
    double since;
    flux_msg_handler_t **handlers;
    struct flux_msglist *monitors;
    struct flux_msglist *waiters;
    flux_future_t *parent_f;
    void (*parent_cb)(void *arg);
    void *parent_arg;
};

/* Tell one monitor the state; true if its stream has ended. */
static bool monitor_update (struct state_machine *sm, const flux_msg_t *msg)
{
    flux_t *h = sm->ctx->h;
    int final = STATE_EXIT;

    (void)flux_request_unpack (msg, NULL, "{s?i}", "final", &final);
    if ((int)sm->state > final) {
        if (flux_respond_error (h, msg, ENODATA, NULL) < 0)
            flux_log_error (h, "error responding to state-machine.monitor");
        return true;
    }
    if (flux_respond_pack (h, msg, "{s:i}", "state", (int)sm->state) < 0)
        flux_log_error (h, "error responding to state-machine.monitor");
    if (!flux_msg_is_streaming (msg))
        return true;
    if ((int)sm->state == final) {
        if (flux_respond_error (h, msg, ENODATA, NULL) < 0)
            flux_log_error (h, "error responding to state-machine.monitor");
        return true;
    }
    return false;
}

/* A broker of rank > 0 entering RUN joins the group broker.online, as
 * flux-core's groups module reports it (upstream, no response): rank 0
 * of flux-core counts it for its quorum.  Ours counts joined children
 * (overlay_wait_full) and has no groups service; the update then ends
 * there, unanswered.
 */
static void join_online (struct state_machine *sm)
{
    flux_future_t *f;
    char rank[16];

    (void)snprintf (rank, sizeof (rank), "%u", (unsigned)sm->ctx->rank);
    if ((f = flux_rpc_pack (sm->ctx->h, "groups.update", FLUX_NODEID_UPSTREAM,
                            FLUX_RPC_NORESPONSE, "{s:{s:[{s:s s:b}]}}",
                            "update", "broker.online", "ranks", rank,
                            "set", 1)))
        flux_future_destroy (f);
}

void state_machine_set (struct state_machine *sm, enum broker_state state)
{
    const flux_msg_t *msg;
    double now;

    if (!sm || state == sm->state)
        return;
    if (state == STATE_RUN && sm->ctx->rank > 0)
        join_online (sm);
    now = flux_reactor_now (sm->ctx->r);
    flux_log (sm->ctx->h, LOG_DEBUG, "%s->%s %.3fs", names[sm->state],
              names[state], now - sm->since);
    sm->state = state;
    sm->since = now;
    for (msg = flux_msglist_first (sm->monitors); msg;
         msg = flux_msglist_next (sm->monitors)) {
        if (monitor_update (sm, msg))
            flux_msglist_delete (sm->monitors);
    }
    for (msg = flux_msglist_first (sm->waiters); msg;
         msg = flux_msglist_next (sm->waiters)) {
        if (state >= STATE_RUN) {
            if ((state == STATE_RUN ? flux_respond (sm->ctx->h, msg, NULL)
                 : flux_respond_error (sm->ctx->h, msg, ENOENT,
                                       "broker has surpassed RUN state"))
                < 0)
                flux_log_error (sm->ctx->h,
                                "error responding to state-machine.wait");
            flux_msglist_delete (sm->waiters);
        }
    }
}

enum broker_state state_machine_get (struct state_machine *sm)
{
    return sm ? sm->state : STATE_JOIN;
}

static void monitor_cb (flux_t *h, flux_msg_handler_t *mh,
                        const flux_msg_t *msg, void *arg)
{
    struct state_machine *sm = arg;

    (void)mh;
    if (!monitor_update (sm, msg)
        && flux_msglist_append (sm->monitors, msg) < 0
        && flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to state-machine.monitor");
}

static void get_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    struct state_machine *sm = arg;

    (void)mh;
    if (flux_respond_pack (h, msg, "{s:s s:f}", "state", names[sm->state],
                           "duration",
                           flux_reactor_now (sm->ctx->r) - sm->since) < 0)
        flux_log_error (h, "error responding to state-machine.get");
}

static void wait_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct state_machine *sm = arg;
    int rc;

    (void)mh;
    if (sm->state == STATE_RUN)
        rc = flux_respond (h, msg, NULL);
    else if (sm->state > STATE_RUN)
        rc = flux_respond_error (h, msg, ENOENT,
                                 "broker has surpassed RUN state");
    else if ((rc = flux_msglist_append (sm->waiters, msg)) < 0)
        rc = flux_respond_error (h, msg, errno, NULL);
    if (rc < 0)
        flux_log_error (h, "error responding to state-machine.wait");
}

static void disconnect_cb (flux_t *h, flux_msg_handler_t *mh,
                           const flux_msg_t *msg, void *arg)
{
    struct state_machine *sm = arg;

    (void)h;
    (void)mh;
    (void)flux_msglist_disconnect (sm->monitors, msg);
    (void)flux_msglist_disconnect (sm->waiters, msg);
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "state-machine.monitor", monitor_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "state-machine.get", get_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "state-machine.wait", wait_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "state-machine.disconnect", disconnect_cb,
      FLUX_ROLE_USER },
    FLUX_MSGHANDLER_TABLE_END,
};

/* The parent's state: its SHUTDOWN (or a stream that ends past it)
 * ends this broker's service too.
 */
static void parent_cb (flux_future_t *f, void *arg)
{
    struct state_machine *sm = arg;
    int state;

    if (flux_rpc_get_unpack (f, "{s:i}", "state", &state) < 0) {
        if (errno != ENODATA)
            flux_log (sm->ctx->h, LOG_ERR, "state-machine.monitor: %s",
                      flux_future_error_string (f)
                          ? flux_future_error_string (f)
                          : strerror (errno));
        /* N.B. ENODATA: the parent is at its final state or past it
         * (flux-core's child waits forever there; this one does not).
         */
        state = STATE_SHUTDOWN;
    }
    else
        flux_future_reset (f);
    if (state >= STATE_SHUTDOWN && sm->parent_cb) {
        void (*cb)(void *) = sm->parent_cb;
        sm->parent_cb = NULL;
        cb (sm->parent_arg);
    }
}

int state_machine_monitor_parent (struct state_machine *sm,
                                  void (*cb)(void *arg), void *arg)
{
    sm->parent_cb = cb;
    sm->parent_arg = arg;
    if (!(sm->parent_f = flux_rpc_pack (sm->ctx->h, "state-machine.monitor",
                                        FLUX_NODEID_UPSTREAM,
                                        FLUX_RPC_STREAMING, "{s:i}",
                                        "final", STATE_SHUTDOWN))
        || flux_future_then (sm->parent_f, -1., parent_cb, sm) < 0)
        return -1;
    return 0;
}

struct state_machine *state_machine_create (struct broker *ctx)
{
    struct state_machine *sm;

    if (!(sm = calloc (1, sizeof (*sm))))
        return NULL;
    sm->ctx = ctx;
    sm->state = STATE_JOIN;
    sm->since = flux_reactor_now (ctx->r);
    if (!(sm->monitors = flux_msglist_create ())
        || !(sm->waiters = flux_msglist_create ())
        || flux_msg_handler_addvec (ctx->h, htab, sm, &sm->handlers) < 0) {
        state_machine_destroy (sm);
        return NULL;
    }
    return sm;
}

void state_machine_destroy (struct state_machine *sm)
{
    if (sm) {
        int saved_errno = errno;
        flux_future_destroy (sm->parent_f);
        flux_msg_handler_delvec (sm->handlers);
        flux_msglist_destroy (sm->monitors);
        flux_msglist_destroy (sm->waiters);
        free (sm);
        errno = saved_errno;
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
