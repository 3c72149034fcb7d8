/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The event service: subscriptions and event.publish.
 *
 * Subscriptions belong to peers in the router (see router.c), so they
 * vanish with the peer.  The subscriber is the first hop of the request's
 * route, whoever relayed it.  event.publish takes its payload as base64
 * (any bytes, as flux-core sends them) and publishes with the requestor's
 * credentials, so a PRIVATE event from a guest reaches only that guest
 * and the instance owner.
 *
 * A peer holds at most broker.max-subscriptions topics of at most
 * broker.max-topic-length bytes (router.c): past either, event.subscribe
 * fails (ENOSPC, EINVAL) with a text naming the limit.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "event.h"
#include "router.h"

struct event_service {
    struct broker *ctx;
    flux_msg_handler_t **handlers;
};

static struct peer *requestor (struct event_service *ev, const flux_msg_t *msg)
{
    return router_peer_lookup (ev->ctx->router, flux_msg_route_first (msg));
}

static void subscribe_cb (flux_t *h,
                          flux_msg_handler_t *mh,
                          const flux_msg_t *msg,
                          void *arg)
{
    struct event_service *ev = arg;
    const struct broker_limits *lim = &ev->ctx->limits;
    const char *topic;
    struct peer *p;
    char text[160];
    const char *errstr = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s}", "topic", &topic) < 0)
        goto error;
    if (!(p = requestor (ev, msg))) {
        errno = EPROTO;
        goto error;
    }
    if (strlen (topic) > lim->max_topic_length) {
        (void)snprintf (text, sizeof (text),
                        "subscription topic is %zu bytes, more than"
                        " broker.max-topic-length (%zu)",
                        strlen (topic), lim->max_topic_length);
        errstr = text;
        errno = EINVAL;
        goto error;
    }
    if (router_subscribe (p, topic) < 0) {
        if (errno == ENOSPC) {
            (void)snprintf (text, sizeof (text),
                            "too many event subscriptions: at most %zu"
                            " per connection (broker.max-subscriptions)",
                            lim->max_subscriptions);
            errstr = text;
        }
        goto error;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to event.subscribe");
    return;
error:
    if (flux_respond_error (h, msg, errno, errstr) < 0)
        flux_log_error (h, "error responding to event.subscribe");
}

static void unsubscribe_cb (flux_t *h,
                            flux_msg_handler_t *mh,
                            const flux_msg_t *msg,
                            void *arg)
{
    struct event_service *ev = arg;
    const char *topic;
    struct peer *p;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s}", "topic", &topic) < 0)
        goto error;
    if (!(p = requestor (ev, msg))) {
        errno = EPROTO;
        goto error;
    }
    if (router_unsubscribe (p, topic) < 0)
        goto error;
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to event.unsubscribe");
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to event.unsubscribe");
}

static void publish_cb (flux_t *h,
                        flux_msg_handler_t *mh,
                        const flux_msg_t *msg,
                        void *arg)
{
    struct event_service *ev = arg;
    const char *topic;
    int flags;
    const char *payload = NULL;
    void *data = NULL;
    size_t len = 0;
    flux_msg_t *event = NULL;
    struct flux_msg_cred cred;
    const char *errstr = NULL;
    int seq;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s:i s?s}",
                             "topic", &topic,
                             "flags", &flags,
                             "payload", &payload) < 0)
        goto error;
    if ((flags & ~FLUX_EVENT_PRIVATE)) {
        errstr = "invalid event flags";
        errno = EPROTO;
        goto error;
    }
    if (payload && !(data = base64_decode (payload, &len))) {
        errstr = "payload is not valid base64";
        goto error;
    }
    if (!(event = flux_event_encode_raw (topic, data, len))
        || flux_msg_get_cred (msg, &cred) < 0
        || flux_msg_set_cred (event, cred) < 0
        || ((flags & FLUX_EVENT_PRIVATE) && flux_msg_set_private (event) < 0))
        goto error;
    seq = router_publish (ev->ctx->router, event);
    event = NULL;
    if (seq < 0)
        goto error;
    if (flux_respond_pack (h, msg, "{s:i}", "seq", seq) < 0)
        flux_log_error (h, "error responding to event.publish");
    free (data);
    return;
error:
    if (flux_respond_error (h, msg, errno, errstr) < 0)
        flux_log_error (h, "error responding to event.publish");
    flux_msg_destroy (event);
    free (data);
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "event.subscribe", subscribe_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "event.unsubscribe", unsubscribe_cb,
      FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "event.publish", publish_cb, FLUX_ROLE_USER },
    FLUX_MSGHANDLER_TABLE_END,
};

void event_service_destroy (struct event_service *ev)
{
    if (ev) {
        int saved_errno = errno;
        flux_msg_handler_delvec (ev->handlers);
        free (ev);
        errno = saved_errno;
    }
}

struct event_service *event_service_create (struct broker *ctx)
{
    struct event_service *ev;

    if (!(ev = calloc (1, sizeof (*ev))))
        return NULL;
    ev->ctx = ctx;
    if (flux_msg_handler_addvec (ctx->h, htab, ev, &ev->handlers) < 0) {
        event_service_destroy (ev);
        return NULL;
    }
    return ev;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
