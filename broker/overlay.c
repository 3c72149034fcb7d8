/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* overlay.c: the links of the tree of brokers (see overlay.h).
 *
 * Route stacks across a link, as flux-core keeps them:
 *  - up (child to parent): the DEALER sends the message as it is; the
 *    parent's ROUTER puts the child's identity (its uuid) on top.
 *  - down, a request: this broker pushes its own uuid, then the child's,
 *    which the ROUTER takes off to pick the child; the child's answer
 *    comes back with both on top, and both are removed here.
 *  - down, a response: its top is the child's uuid (pushed on the way
 *    up), which the ROUTER takes off.
 * So a message from a peer reaches the router with the hop it came by
 * removed, and the router pushes that peer's uuid again, as it does for
 * every peer (router.c).  Every message that crosses a link has the
 * ROUTE flag set, events and control messages included, so that the
 * ROUTER's identity frame lands on the route stack.
 *
 * Credentials cross with the message; the LOCAL role does not (it is
 * dropped from whatever a peer sends).
 *
 * Liveness: a child is lost when a send to it fails (ROUTER_MANDATORY:
 * EHOSTUNREACH), which the heartbeat events rank 0 multicasts make
 * happen soon after a child dies; its pending requests fail with
 * EHOSTUNREACH.  A child silent for tbon.torpid_max is logged torpid; a
 * broker that sent nothing to its parent for tbon.torpid_min sends a
 * HEARTBEAT.  Subtree states are flux-core's: a leaf is full, an
 * interior broker partial until every child is full, degraded once one
 * is lost; changes go to the parent as STATUS control messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include <jansson.h>
#include <zmq.h>

#include "errprintf.h"
#include "fsd.h"
#include "attr.h"
#include "router.h"
#include "topology.h"
#include "zmsg.h"
#include "zwatch.h"
#include "zmq_lazy.h"
#include "overlay.h"

/* The flux-core overlay protocol this one follows: a hello carries its
 * version, and flux-core admits a child whose major.minor is its own.
 */
#define PROTOCOL_MAJOR 0
#define PROTOCOL_MINOR 88
#define PROTOCOL_PATCH 0
#define PROTOCOL_VERSION \
    ((PROTOCOL_MAJOR << 16) | (PROTOCOL_MINOR << 8) | PROTOCOL_PATCH)

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_DOMAIN "flux"
#define KEY_LEN 41          /* Z85 key and its NUL */

#define TORPID_MIN_DEFAULT 5.
#define TORPID_MAX_DEFAULT 30.
#define CONNECT_TIMEOUT_DEFAULT 30.
#define GOODBYE_TIMEOUT 5.
#define SYNC_PERIOD 1.

struct child {
    struct overlay *ov;
    int rank;
    char pubkey[KEY_LEN];
    char uuid[UUID_STR_LEN];
    int status;
    double status_time;
    double lastseen;
    bool torpid;
    bool probe;             /* a broker of ours: takes a HEARTBEAT probe */
    char error[256];
    struct peer *peer;      /* while online */
};

struct waiter {
    void (*cb)(void *arg);
    void *arg;
};

struct overlay {
    struct broker *ctx;
    int rank;
    int size;
    void *zctx;
    char pubkey[KEY_LEN];
    char seckey[KEY_LEN];

    void *zap;
    struct zwatch *zap_w;

    void *bind_sock;
    struct zwatch *bind_w;
    void *bind_mon;         /* the ROUTER's disconnect events */
    struct zwatch *bind_mon_w;
    int probes;             /* sync periods left to probe children */
    char *bind_uri;
    char *bind_path;        /* the ipc socket file, removed at the end */
    struct child *children;
    int nchildren;
    bool spurn_hello;

    void *parent_sock;
    struct zwatch *parent_w;
    void *parent_mon;       /* the DEALER's disconnect events */
    struct zwatch *parent_mon_w;
    char *parent_uri;
    char parent_pubkey[KEY_LEN];
    char parent_uuid[UUID_STR_LEN];
    struct peer *parent_peer;
    bool goodbye_sent;
    double lastsent;

    int status;
    double status_time;
    uint32_t event_seq;

    double torpid_min;
    double torpid_max;
    double connect_timeout;
    flux_watcher_t *sync_w;
    flux_watcher_t *goodbye_w;

    struct waiter full;
    struct waiter empty;
    struct waiter bye;

    flux_msg_handler_t **handlers;
    struct flux_msglist *health_watchers;   /* streaming overlay.health */
};

static const char *status_names[] = {
    "unknown", "full", "partial", "degraded", "lost", "offline",
};

static const char *status_name (int status)
{
    if (status < 0 || status > SUBTREE_OFFLINE)
        return "unknown";
    return status_names[status];
}

static bool status_online (int status)
{
    return status == SUBTREE_FULL || status == SUBTREE_PARTIAL
           || status == SUBTREE_DEGRADED;
}

static double now (struct overlay *ov)
{
    return flux_reactor_now (ov->ctx->r);
}

static void waiter_fire (struct waiter *w)
{
    if (w->cb) {
        void (*cb)(void *) = w->cb;
        w->cb = NULL;
        cb (w->arg);
    }
}

static int duration_attr (struct overlay *ov, const char *name, double dflt,
                          double *value, flux_error_t *error)
{
    const char *s = attrs_get (ov->ctx->attrs, name, NULL);
    char buf[32];

    *value = dflt;
    if (s && fsd_parse (s, value) < 0) {
        errno = EINVAL;
        return errprintf (error, "%s=%s: not a duration (FSD)", name, s);
    }
    (void)snprintf (buf, sizeof (buf), "%gs", *value);
    return attrs_set_internal (ov->ctx->attrs, name, buf);
}

/* -- status -------------------------------------------------------- */

static int subtree_status (struct overlay *ov)
{
    int status = SUBTREE_FULL;

    for (int i = 0; i < ov->nchildren; i++) {
        switch (ov->children[i].status) {
            case SUBTREE_PARTIAL:
            case SUBTREE_OFFLINE:
            case SUBTREE_UNKNOWN:
                if (status == SUBTREE_FULL)
                    status = SUBTREE_PARTIAL;
                break;
            case SUBTREE_DEGRADED:
            case SUBTREE_LOST:
                status = SUBTREE_DEGRADED;
                break;
        }
    }
    return status;
}

static int parent_send_control (struct overlay *ov, int type, int status);
static void health_notify (struct overlay *ov);

/* After any child's status changed. */
static void status_update (struct overlay *ov)
{
    int status = subtree_status (ov);
    bool any_online = false;

    if (status != ov->status) {
        ov->status = status;
        ov->status_time = now (ov);
        if (ov->parent_peer && !ov->goodbye_sent)
            (void)parent_send_control (ov, OVERLAY_CONTROL_STATUS, status);
    }
    health_notify (ov);
    if (status == SUBTREE_FULL)
        waiter_fire (&ov->full);
    for (int i = 0; i < ov->nchildren; i++) {
        if (status_online (ov->children[i].status))
            any_online = true;
    }
    if (!any_online)
        waiter_fire (&ov->empty);
}

/* -- children ------------------------------------------------------ */

static struct child *child_by_uuid (struct overlay *ov, const char *uuid)
{
    if (!uuid)
        return NULL;
    for (int i = 0; i < ov->nchildren; i++) {
        struct child *c = &ov->children[i];
        if (status_online (c->status) && !strcmp (c->uuid, uuid))
            return c;
    }
    return NULL;
}

static struct child *child_by_rank (struct overlay *ov, int rank)
{
    for (int i = 0; i < ov->nchildren; i++) {
        if (ov->children[i].rank == rank)
            return &ov->children[i];
    }
    return NULL;
}

static void child_set_status (struct overlay *ov, struct child *c,
                              int status)
{
    if (c->status == status)
        return;
    c->status = status;
    c->status_time = now (ov);
    if (!status_online (status)) {
        c->torpid = false;
        if (c->peer) {
            struct peer *p = c->peer;
            c->peer = NULL;
            router_peer_lost (p, EHOSTUNREACH, "overlay disconnect");
        }
    }
    status_update (ov);
}

/* The child cannot be reached: its requests fail, its subtree is lost. */
static void child_lost (struct overlay *ov, struct child *c, const char *why)
{
    flux_log (ov->ctx->h, LOG_ERR, "rank %d (%s) %s: subtree lost", c->rank,
              c->uuid, why);
    snprintf (c->error, sizeof (c->error), "%s", why);
    child_set_status (ov, c, SUBTREE_LOST);
}

/* Send msg (not consumed) to the child on the ROUTER; its uuid must be
 * the top of the stack.
 */
static int child_sendmsg (struct overlay *ov, struct child *c,
                          const flux_msg_t *msg)
{
    if (zmsg_send (ov->bind_sock, msg) < 0) {
        int saved_errno = errno;
        if (errno == EHOSTUNREACH)
            child_lost (ov, c, "is unreachable");
        errno = saved_errno;
        return -1;
    }
    return 0;
}

/* msg (route-enabled here, not consumed) to each child online, or
 * with 'probes' only to those that take a probe: its uuid pushed for
 * the ROUTER, and taken off again for the next.
 */
static void send_each_child (struct overlay *ov, flux_msg_t *msg,
                             bool probes)
{
    flux_msg_route_enable (msg);
    for (int i = 0; i < ov->nchildren; i++) {
        struct child *c = &ov->children[i];
        if (!c->peer || (probes && !c->probe)
            || flux_msg_route_push (msg, c->uuid) < 0)
            continue;
        (void)child_sendmsg (ov, c, msg);
        (void)flux_msg_route_delete_last (msg);
    }
}

/* peer_send_f of a child. */
static int child_peer_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    struct child *c = arg;
    struct overlay *ov = c->ov;
    int type;
    int rc;

    (void)p;
    if (!(msg = router_msg_own (msg)) || flux_msg_get_type (msg, &type) < 0)
        goto error;
    flux_msg_route_enable (msg);
    if (type == FLUX_MSGTYPE_REQUEST
        && (flux_msg_route_push (msg, ov->ctx->uuid) < 0
            || flux_msg_route_push (msg, c->uuid) < 0))
        goto error;
    if (type == FLUX_MSGTYPE_EVENT && flux_msg_route_push (msg, c->uuid) < 0)
        goto error;
    rc = child_sendmsg (ov, c, msg);
    flux_msg_decref (msg);
    return rc;
error:
    flux_msg_decref (msg);
    return -1;
}

static void send_disconnect (struct overlay *ov, const char *uuid)
{
    flux_msg_t *msg;

    if (!(msg = flux_control_encode (OVERLAY_CONTROL_DISCONNECT, 0)))
        return;
    flux_msg_route_enable (msg);
    if (flux_msg_route_push (msg, uuid) == 0)
        (void)zmsg_send (ov->bind_sock, msg);
    flux_msg_destroy (msg);
}

/* Answer a request from a child's link directly (hello, goodbye):
 * 'uuid' is the link's identity, the top of the response's stack.
 */
static void child_respond (struct overlay *ov, const flux_msg_t *req,
                           const char *uuid, int errnum, const char *text,
                           json_t *payload)
{
    flux_msg_t *rsp;

    if (!(rsp = flux_response_derive (req, errnum)))
        return;
    if ((errnum && text && flux_msg_set_string (rsp, text) < 0)
        || (!errnum && payload && flux_msg_pack (rsp, "O", payload) < 0)
        || flux_msg_route_push (rsp, uuid) < 0) {
        flux_msg_destroy (rsp);
        return;
    }
    (void)zmsg_send (ov->bind_sock, rsp);
    flux_msg_destroy (rsp);
}

static void hello_cb (struct overlay *ov, const flux_msg_t *msg,
                      const char *uuid)
{
    json_int_t rank;
    int version, status;
    const char *hello_uuid;
    const char *hostname = NULL;
    struct child *c;
    struct flux_msg_cred owner = router_owner_cred ();
    char text[256];
    json_t *o;

    int probe = 0;

    if (flux_request_unpack (msg, NULL, "{s:I s:i s:s s:i s?s s?b}",
                             "rank", &rank,
                             "version", &version,
                             "uuid", &hello_uuid,
                             "status", &status,
                             "hostname", &hostname,
                             "probe", &probe) < 0) {
        child_respond (ov, msg, uuid, EPROTO, NULL, NULL);
        return;
    }
    if (flux_msg_authorize (msg, FLUX_USERID_UNKNOWN) < 0) {
        flux_log (ov->ctx->h, LOG_ERR, "overlay.hello from rank %d denied: "
                  "not the instance owner", (int)rank);
        child_respond (ov, msg, uuid, EPERM, NULL, NULL);
        return;
    }
    if (!(c = child_by_rank (ov, (int)rank))) {
        (void)snprintf (text, sizeof (text), "rank %d is not a child of rank "
                        "%d: mismatched config?", (int)rank, ov->rank);
        flux_log (ov->ctx->h, LOG_ERR, "overlay.hello: %s", text);
        child_respond (ov, msg, uuid, EINVAL, text, NULL);
        return;
    }
    if (((version >> 16) & 0xff) != PROTOCOL_MAJOR
        || ((version >> 8) & 0xff) != PROTOCOL_MINOR) {
        (void)snprintf (text, sizeof (text), "client (%d.%d.%d) version "
                        "mismatched with server (%d.%d.%d)",
                        (version >> 16) & 0xff, (version >> 8) & 0xff,
                        version & 0xff, PROTOCOL_MAJOR, PROTOCOL_MINOR,
                        PROTOCOL_PATCH);
        flux_log (ov->ctx->h, LOG_ERR, "rank %d: %s", (int)rank, text);
        snprintf (c->error, sizeof (c->error), "%s", text);
        child_respond (ov, msg, uuid, EINVAL, text, NULL);
        return;
    }
    if (strlen (hello_uuid) >= UUID_STR_LEN || strcmp (hello_uuid, uuid)) {
        child_respond (ov, msg, uuid, EPROTO, "hello uuid is not the "
                       "identity of the connection", NULL);
        return;
    }
    if (status_online (c->status)) {
        flux_log (ov->ctx->h, LOG_ERR, "rank %d reconnected after crash",
                  c->rank);
        child_set_status (ov, c, SUBTREE_LOST);
    }
    snprintf (c->uuid, sizeof (c->uuid), "%s", uuid);
    if (!(c->peer = router_peer_add (ov->ctx->router, c->uuid, PEER_CHILD,
                                     owner, child_peer_send, c))) {
        child_respond (ov, msg, uuid, errno, NULL, NULL);
        return;
    }
    c->lastseen = now (ov);
    c->probe = probe;
    c->error[0] = '\0';
    if (!(o = json_pack ("{s:s}", "uuid", ov->ctx->uuid))) {
        child_respond (ov, msg, uuid, ENOMEM, NULL, NULL);
        return;
    }
    child_respond (ov, msg, uuid, 0, NULL, o);
    json_decref (o);
    flux_log (ov->ctx->h, LOG_DEBUG, "rank %d (%s) joined", c->rank,
              hostname ? hostname : "?");
    child_set_status (ov, c, status_online (status) ? status
                                                    : SUBTREE_PARTIAL);
}

static void goodbye_cb (struct overlay *ov, struct child *c,
                        const flux_msg_t *msg)
{
    char uuid[UUID_STR_LEN];

    snprintf (uuid, sizeof (uuid), "%s", c->uuid);
    child_respond (ov, msg, uuid, 0, NULL, NULL);
    snprintf (c->error, sizeof (c->error), "administrative shutdown");
    flux_log (ov->ctx->h, LOG_DEBUG, "rank %d said goodbye", c->rank);
    child_set_status (ov, c, SUBTREE_OFFLINE);
}

/* An event from below: rank 0 publishes it, others pass it up. */
static void child_event (struct overlay *ov, flux_msg_t *msg)
{
    if (ov->rank == 0) {
        flux_msg_route_disable (msg);
        (void)router_publish (ov->ctx->router, msg);
        return;
    }
    if (ov->parent_peer)
        (void)router_peer_send (ov->parent_peer, msg);
    else
        flux_msg_destroy (msg);
}

static void child_recv (struct overlay *ov, flux_msg_t *msg)
{
    const char *uuid = flux_msg_route_last (msg);
    char id[UUID_STR_LEN];
    struct child *c;
    uint32_t rolemask;
    const char *topic;
    int type;

    if (!uuid || strlen (uuid) >= sizeof (id)
        || flux_msg_get_type (msg, &type) < 0) {
        flux_msg_destroy (msg);
        return;
    }
    snprintf (id, sizeof (id), "%s", uuid);
    (void)flux_msg_route_delete_last (msg);
    if (flux_msg_get_rolemask (msg, &rolemask) == 0)
        (void)flux_msg_set_rolemask (msg, rolemask & ~FLUX_ROLE_LOCAL);
    if (!(c = child_by_uuid (ov, id))) {
        if (type == FLUX_MSGTYPE_REQUEST && !ov->spurn_hello
            && flux_msg_get_topic (msg, &topic) == 0
            && !strcmp (topic, "overlay.hello"))
            hello_cb (ov, msg, id);
        else
            send_disconnect (ov, id);
        flux_msg_destroy (msg);
        return;
    }
    c->lastseen = now (ov);
    if (c->torpid) {
        c->torpid = false;
        flux_log (ov->ctx->h, LOG_NOTICE, "rank %d is responsive now",
                  c->rank);
    }
    switch (type) {
        case FLUX_MSGTYPE_CONTROL: {
            int ctype, status;
            if (flux_control_decode (msg, &ctype, &status) == 0
                && ctype == OVERLAY_CONTROL_STATUS) {
                if (status_online (status))
                    child_set_status (ov, c, status);
                else if (status == SUBTREE_OFFLINE)
                    child_set_status (ov, c, SUBTREE_OFFLINE);
            }
            flux_msg_destroy (msg);
            break;
        }
        case FLUX_MSGTYPE_REQUEST:
            if (flux_msg_get_topic (msg, &topic) == 0
                && !strcmp (topic, "overlay.goodbye")) {
                goodbye_cb (ov, c, msg);
                flux_msg_destroy (msg);
                break;
            }
            router_recv (c->peer, msg);
            break;
        case FLUX_MSGTYPE_RESPONSE: {
            /* The uuid this broker pushed when it sent the request down. */
            const char *last = flux_msg_route_last (msg);
            if (last && !strcmp (last, ov->ctx->uuid))
                (void)flux_msg_route_delete_last (msg);
            router_recv (c->peer, msg);
            break;
        }
        case FLUX_MSGTYPE_EVENT:
            child_event (ov, msg);
            break;
        default:
            flux_msg_destroy (msg);
            break;
    }
}

/* Up to a batch of messages from a link (the rest on the next loop
 * iteration, so that one busy link does not starve the others).
 */
static void recv_batch (struct overlay *ov, void *sock,
                        void (*recv)(struct overlay *ov, flux_msg_t *msg),
                        const char *who)
{
    for (int i = 0; i < 64; i++) {
        flux_msg_t *msg;
        if (!(msg = zmsg_recv (sock))) {
            if (errno != EAGAIN)
                flux_log_error (ov->ctx->h, "overlay: malformed message "
                                "from %s", who);
            return;
        }
        recv (ov, msg);
    }
}

static void bind_cb (struct zwatch *zw, void *sock, void *arg)
{
    (void)zw;
    recv_batch (arg, sock, child_recv, "a child");
}

/* -- parent -------------------------------------------------------- */

static int parent_sendmsg (struct overlay *ov, flux_msg_t *msg)
{
    flux_msg_route_enable (msg);
    if (zmsg_send (ov->parent_sock, msg) < 0)
        return -1;
    ov->lastsent = now (ov);
    return 0;
}

static int parent_send_control (struct overlay *ov, int type, int status)
{
    flux_msg_t *msg;
    int rc;

    if (!ov->parent_sock || !(msg = flux_control_encode (type, status)))
        return -1;
    rc = parent_sendmsg (ov, msg);
    flux_msg_destroy (msg);
    return rc;
}

/* peer_send_f of the parent.  A response keeps the parent's uuid on
 * top: the parent removes it (and the identity its ROUTER adds).
 */
static int parent_peer_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    struct overlay *ov = arg;
    int rc;

    (void)p;
    if (ov->goodbye_sent) {
        flux_msg_decref (msg);
        errno = EHOSTUNREACH;
        return -1;
    }
    if (!(msg = router_msg_own (msg)))
        return -1;
    rc = parent_sendmsg (ov, msg);
    flux_msg_decref (msg);
    return rc;
}

static void parent_event (struct overlay *ov, flux_msg_t *msg)
{
    uint32_t seq;

    if (flux_msg_get_seq (msg, &seq) == 0) {
        if (ov->event_seq > 0 && seq > ov->event_seq + 1)
            flux_log (ov->ctx->h, LOG_ERR, "lost event(s) %u-%u",
                      ov->event_seq + 1, seq - 1);
        else if (ov->event_seq > 0 && seq <= ov->event_seq)
            flux_log (ov->ctx->h, LOG_DEBUG, "duplicate event %u", seq);
        if (seq > ov->event_seq)
            ov->event_seq = seq;
    }
    flux_msg_route_disable (msg);
    router_distribute (ov->ctx->router, msg);
}

/* No more parent: what was sent to it fails with EHOSTUNREACH. */
static void parent_drop (struct overlay *ov)
{
    if (ov->parent_peer) {
        struct peer *p = ov->parent_peer;
        ov->parent_peer = NULL;
        router_peer_lost (p, EHOSTUNREACH, "overlay disconnect");
    }
}

static void parent_lost (struct overlay *ov, const char *why)
{
    flux_log (ov->ctx->h, LOG_CRIT, "%s", why);
    parent_drop (ov);
    broker_panic (ov->ctx, why);
}

static void goodbye_done (struct overlay *ov)
{
    flux_watcher_stop (ov->goodbye_w);
    parent_drop (ov);
    waiter_fire (&ov->bye);
}

static void parent_recv (struct overlay *ov, flux_msg_t *msg)
{
    uint32_t rolemask;
    const char *topic;
    int type;

    if (flux_msg_get_type (msg, &type) < 0) {
        flux_msg_destroy (msg);
        return;
    }
    if (flux_msg_get_rolemask (msg, &rolemask) == 0)
        (void)flux_msg_set_rolemask (msg, rolemask & ~FLUX_ROLE_LOCAL);
    switch (type) {
        case FLUX_MSGTYPE_CONTROL: {
            int ctype, status;
            if (flux_control_decode (msg, &ctype, &status) == 0
                && ctype == OVERLAY_CONTROL_DISCONNECT && ov->parent_peer
                && !ov->goodbye_sent) {
                char why[256];
                (void)snprintf (why, sizeof (why), "%s (rank %d) sent "
                                "disconnect control message",
                                ov->parent_uri, topology_parent (ov->ctx->topo,
                                                                 ov->rank));
                parent_lost (ov, why);
            }
            flux_msg_destroy (msg);
            break;
        }
        case FLUX_MSGTYPE_REQUEST: {
            /* The uuid the parent pushed, which the router pushes back. */
            const char *last = flux_msg_route_last (msg);
            if (!ov->parent_peer || !last
                || strcmp (last, ov->parent_uuid) != 0) {
                flux_msg_destroy (msg);
                break;
            }
            (void)flux_msg_route_delete_last (msg);
            router_recv (ov->parent_peer, msg);
            break;
        }
        case FLUX_MSGTYPE_RESPONSE:
            if (ov->goodbye_sent && flux_msg_get_topic (msg, &topic) == 0
                && !strcmp (topic, "overlay.goodbye")
                && flux_msg_route_count (msg) == 0) {
                flux_msg_destroy (msg);
                goodbye_done (ov);
                break;
            }
            if (ov->parent_peer)
                router_recv (ov->parent_peer, msg);
            else
                flux_msg_destroy (msg);
            break;
        case FLUX_MSGTYPE_EVENT:
            parent_event (ov, msg);
            break;
        default:
            flux_msg_destroy (msg);
            break;
    }
}

static void parent_cb (struct zwatch *zw, void *sock, void *arg)
{
    (void)zw;
    recv_batch (arg, sock, parent_recv, "the parent");
}

/* -- ZAP: admit only the keys we were given ------------------------ */

static bool key_known (struct overlay *ov, const char *pubkey)
{
    for (int i = 0; i < ov->nchildren; i++) {
        if (!strcmp (ov->children[i].pubkey, pubkey))
            return true;
    }
    return false;
}

static void zap_cb (struct zwatch *zw, void *sock, void *arg)
{
    struct overlay *ov = arg;
    zmq_msg_t part[16];
    int n = 0;
    int more = 1;

    (void)zw;
    while (more && n < 16) {
        size_t sz = sizeof (more);
        zmq_msg_init (&part[n]);
        if (zmq_msg_recv (&part[n], sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&part[n]);
            break;
        }
        n++;
        if (zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &sz) < 0)
            more = 0;
    }
    if (n == 0)
        return;
    /* version, request id, domain, address, identity, mechanism, key */
    if (n >= 7 && zmq_msg_size (&part[0]) == 3
        && !memcmp (zmq_msg_data (&part[0]), "1.0", 3)
        && zmq_msg_size (&part[5]) == 5
        && !memcmp (zmq_msg_data (&part[5]), "CURVE", 5)
        && zmq_msg_size (&part[6]) == 32) {
        char key[KEY_LEN];
        bool ok;
        zmq_z85_encode (key, zmq_msg_data (&part[6]), 32);
        ok = key_known (ov, key);
        if (!ok)
            flux_log (ov->ctx->h, LOG_ERR, "overlay auth: No access for key "
                      "%s", key);
        zmq_send (sock, "1.0", 3, ZMQ_SNDMORE);
        zmq_send (sock, zmq_msg_data (&part[1]), zmq_msg_size (&part[1]),
                  ZMQ_SNDMORE);
        zmq_send (sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send (sock, ok ? "OK" : "No access", ok ? 2 : 9, ZMQ_SNDMORE);
        zmq_send (sock, ok ? key : "", ok ? 40 : 0, ZMQ_SNDMORE);
        zmq_send (sock, "", 0, 0);
    }
    else
        flux_log (ov->ctx->h, LOG_ERR, "overlay: ZAP request decode error");
    for (int i = 0; i < n; i++)
        zmq_msg_close (&part[i]);
}

/* -- liveness ------------------------------------------------------ */

/* A HEARTBEAT to each child online: the ROUTER refuses a send to a
 * child whose connection has gone (EHOSTUNREACH), which makes it lost.
 * Only to the children that said in their hello that they take it
 * ("probe": ours): flux-core's log any control message from a parent
 * but DISCONNECT as an error, and are found lost when an event is next
 * sent to them, as flux-core's parent finds them.
 */
static void probe_children (struct overlay *ov)
{
    flux_msg_t *msg;

    if (!(msg = flux_control_encode (OVERLAY_CONTROL_HEARTBEAT, 0)))
        return;
    send_each_child (ov, msg, true);
    flux_msg_destroy (msg);
}

/* Drain one socket monitor event; returns its number, or -1. */
static int monitor_event (void *sock)
{
    zmq_msg_t part;
    uint16_t event = 0;
    int more = 1;
    int n = 0;

    while (more) {
        size_t sz = sizeof (more);
        zmq_msg_init (&part);
        if (zmq_msg_recv (&part, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close (&part);
            return n ? event : -1;
        }
        if (n++ == 0 && zmq_msg_size (&part) >= sizeof (event))
            memcpy (&event, zmq_msg_data (&part), sizeof (event));
        zmq_msg_close (&part);
        if (zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &sz) < 0)
            more = 0;
    }
    return event;
}

/* A child's connection closed (its broker exited or died): find out
 * which at once, and again for a few seconds in case the ROUTER had not
 * let go of it yet.
 */
static void bind_mon_cb (struct zwatch *zw, void *sock, void *arg)
{
    struct overlay *ov = arg;

    (void)zw;
    while (monitor_event (sock) >= 0)
        ;
    probe_children (ov);
    ov->probes = 3;
}

/* The parent's connection closed: without a parent this broker cannot
 * serve the instance (flux-core's broker exits too).
 */
static void parent_mon_cb (struct zwatch *zw, void *sock, void *arg)
{
    struct overlay *ov = arg;

    (void)zw;
    while (monitor_event (sock) >= 0)
        ;
    if (ov->parent_peer && !ov->goodbye_sent)
        parent_lost (ov, "lost connection to the parent");
}

/* Events of 'sock' on a PAIR socket.  Returns it, or NULL. */
static void *monitor_open (struct overlay *ov, void *sock, const char *name)
{
    char uri[128];
    void *mon;

    (void)snprintf (uri, sizeof (uri), "inproc://overlay-%s-%d", name,
                    ov->rank);
    if (zmq_socket_monitor (sock, uri, ZMQ_EVENT_DISCONNECTED) < 0
        || !(mon = zmq_socket (ov->zctx, ZMQ_PAIR)))
        return NULL;
    if (zmq_connect (mon, uri) < 0) {
        zmq_close (mon);
        return NULL;
    }
    return mon;
}

static void sync_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct overlay *ov = arg;
    double t = now (ov);

    (void)r;
    (void)w;
    (void)revents;
    if (ov->parent_peer && !ov->goodbye_sent
        && t - ov->lastsent > ov->torpid_min)
        (void)parent_send_control (ov, OVERLAY_CONTROL_HEARTBEAT, 0);
    if (ov->probes > 0) {
        ov->probes--;
        probe_children (ov);
    }
    for (int i = 0; i < ov->nchildren; i++) {
        struct child *c = &ov->children[i];
        if (status_online (c->status) && !c->torpid && ov->torpid_max > 0
            && t - c->lastseen >= ov->torpid_max) {
            c->torpid = true;
            flux_log (ov->ctx->h, LOG_ERR, "rank %d has been unresponsive "
                      "for %.1fs", c->rank, t - c->lastseen);
        }
    }
}

static void goodbye_timeout_cb (flux_reactor_t *r, flux_watcher_t *w,
                                int revents, void *arg)
{
    struct overlay *ov = arg;

    (void)r;
    (void)w;
    (void)revents;
    flux_log (ov->ctx->h, LOG_ERR, "overlay.goodbye: no answer from the "
              "parent");
    goodbye_done (ov);
}

/* -- set-up -------------------------------------------------------- */

static int sockopt_int (void *sock, int opt, int value)
{
    return zmq_setsockopt (sock, opt, &value, sizeof (value));
}

int overlay_bind (struct overlay *ov, const char *bind_uri,
                  flux_error_t *error)
{
    char uri[512];
    char endpoint[512];
    size_t size = sizeof (endpoint);

    if (ov->nchildren == 0 || ov->bind_sock)
        return 0;
    if (!(ov->zap = zmq_socket (ov->zctx, ZMQ_REP))
        || zmq_bind (ov->zap, ZAP_ENDPOINT) < 0)
        return errprintf (error, "ZAP handler: %s", zmq_strerror (errno));
    if (bind_uri)
        snprintf (uri, sizeof (uri), "%s", bind_uri);
    else if ((size_t)snprintf (uri, sizeof (uri), "ipc://%s/tbon-%d",
                               ov->ctx->rundir, ov->rank) >= sizeof (uri)
             || strlen (uri) - strlen ("ipc://") > 107) {
        errno = ENAMETOOLONG;
        return errprintf (error, "%s: path too long for a socket", uri);
    }
    if (!(ov->bind_sock = zmq_socket (ov->zctx, ZMQ_ROUTER))
        || sockopt_int (ov->bind_sock, ZMQ_SNDHWM, 0) < 0
        || sockopt_int (ov->bind_sock, ZMQ_RCVHWM, 0) < 0
        || sockopt_int (ov->bind_sock, ZMQ_LINGER, 5) < 0
        || sockopt_int (ov->bind_sock, ZMQ_ROUTER_MANDATORY, 1) < 0
        || zmq_setsockopt (ov->bind_sock, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN,
                           strlen (ZAP_DOMAIN)) < 0
        || sockopt_int (ov->bind_sock, ZMQ_CURVE_SERVER, 1) < 0
        || zmq_setsockopt (ov->bind_sock, ZMQ_CURVE_SECRETKEY, ov->seckey,
                           KEY_LEN) < 0
        || zmq_bind (ov->bind_sock, uri) < 0
        || zmq_getsockopt (ov->bind_sock, ZMQ_LAST_ENDPOINT, endpoint,
                           &size) < 0)
        return errprintf (error, "bind %s: %s", uri, zmq_strerror (errno));
    if (!(ov->bind_uri = strdup (endpoint))
        || (!strncmp (endpoint, "ipc://", 6)
            && !(ov->bind_path = strdup (endpoint + strlen ("ipc://")))))
        return errprintf (error, "out of memory");
    /* N.B. config boot names the endpoint children connect to itself. */
    if (!bind_uri
        && attrs_set_internal (ov->ctx->attrs, "tbon.endpoint", endpoint) < 0)
        return errprintf (error, "tbon.endpoint: %s", strerror (errno));
    return 0;
}

int overlay_set_cert (struct overlay *ov, const char *pubkey,
                      const char *seckey, flux_error_t *error)
{
    if (strlen (pubkey) != KEY_LEN - 1 || strlen (seckey) != KEY_LEN - 1) {
        errno = EINVAL;
        return errprintf (error, "not a CURVE key pair");
    }
    memcpy (ov->pubkey, pubkey, KEY_LEN);
    memcpy (ov->seckey, seckey, KEY_LEN);
    return 0;
}

struct overlay *overlay_create (struct broker *ctx, flux_error_t *error)
{
    struct overlay *ov;
    int n;

    if (!(ov = calloc (1, sizeof (*ov)))) {
        errprintf (error, "out of memory");
        return NULL;
    }
    ov->ctx = ctx;
    ov->rank = ctx->rank;
    ov->size = topology_size (ctx->topo);
    ov->status = SUBTREE_FULL;
    if (duration_attr (ov, "tbon.torpid_min", TORPID_MIN_DEFAULT,
                       &ov->torpid_min, error) < 0
        || duration_attr (ov, "tbon.torpid_max", TORPID_MAX_DEFAULT,
                          &ov->torpid_max, error) < 0
        || duration_attr (ov, "tbon.connect_timeout",
                          CONNECT_TIMEOUT_DEFAULT, &ov->connect_timeout,
                          error) < 0)
        goto error;
    /* N.B. A broker alone makes no link: libzmq is not even opened (nor
     * are CURVE keys made, which no one would ask for).
     */
    if (ov->size > 1 && zmq_lazy_open (error) < 0)
        goto error;
    if (ov->size > 1 && !(ov->zctx = zmq_ctx_new ())) {
        errprintf (error, "zmq_ctx_new: %s", zmq_strerror (errno));
        goto error;
    }
    if (ov->size > 1 && zmq_curve_keypair (ov->pubkey, ov->seckey) < 0) {
        errprintf (error, "CURVE keys: %s (is libzmq built with "
                   "libsodium?)", zmq_strerror (errno));
        goto error;
    }
    if ((n = topology_children (ctx->topo, ov->rank, NULL, 0)) > 0) {
        int *ranks = calloc (n, sizeof (*ranks));
        if (!ranks || !(ov->children = calloc (n, sizeof (ov->children[0])))
            || topology_children (ctx->topo, ov->rank, ranks, n) < 0) {
            free (ranks);
            errprintf (error, "out of memory");
            goto error;
        }
        for (int i = 0; i < n; i++) {
            ov->children[i].ov = ov;
            ov->children[i].rank = ranks[i];
            ov->children[i].status = SUBTREE_OFFLINE;
        }
        free (ranks);
        ov->nchildren = n;
        ov->status = SUBTREE_PARTIAL;
    }
    return ov;
error:
    overlay_destroy (ov);
    return NULL;
}

const char *overlay_bind_uri (struct overlay *ov)
{
    return ov ? ov->bind_uri : NULL;
}

const char *overlay_pubkey (struct overlay *ov)
{
    return ov ? ov->pubkey : NULL;
}

int overlay_authorize (struct overlay *ov, int rank, const char *pubkey,
                       flux_error_t *error)
{
    struct child *c = child_by_rank (ov, rank);

    if (!c || strlen (pubkey) != KEY_LEN - 1) {
        errno = EINVAL;
        return errprintf (error, "rank %d: not a child, or a bad key", rank);
    }
    snprintf (c->pubkey, sizeof (c->pubkey), "%s", pubkey);
    return 0;
}

int overlay_set_parent (struct overlay *ov, const char *uri,
                        const char *pubkey, flux_error_t *error)
{
    if (strlen (pubkey) != KEY_LEN - 1) {
        errno = EINVAL;
        return errprintf (error, "the parent's key is not a CURVE key");
    }
    free (ov->parent_uri);
    if (!(ov->parent_uri = strdup (uri)))
        return errprintf (error, "out of memory");
    snprintf (ov->parent_pubkey, sizeof (ov->parent_pubkey), "%s", pubkey);
    if (attrs_set_internal (ov->ctx->attrs, "tbon.parent-endpoint", uri) < 0)
        return errprintf (error, "tbon.parent-endpoint: %s",
                          strerror (errno));
    return 0;
}

/* Connect, say hello, and wait (blocking: nothing else runs yet) for
 * the answer, which names the parent's uuid.
 */
static int join_parent (struct overlay *ov, flux_error_t *error)
{
    flux_msg_t *msg = NULL;
    const char *uuid;
    zmq_pollitem_t item;
    double deadline;
    int errnum;

    if (!(ov->parent_sock = zmq_socket (ov->zctx, ZMQ_DEALER))
        || sockopt_int (ov->parent_sock, ZMQ_SNDHWM, 0) < 0
        || sockopt_int (ov->parent_sock, ZMQ_RCVHWM, 0) < 0
        || sockopt_int (ov->parent_sock, ZMQ_LINGER, 5) < 0
        || zmq_setsockopt (ov->parent_sock, ZMQ_IDENTITY, ov->ctx->uuid,
                           strlen (ov->ctx->uuid)) < 0
        || zmq_setsockopt (ov->parent_sock, ZMQ_ZAP_DOMAIN, ZAP_DOMAIN,
                           strlen (ZAP_DOMAIN)) < 0
        || zmq_setsockopt (ov->parent_sock, ZMQ_CURVE_SERVERKEY,
                           ov->parent_pubkey, KEY_LEN) < 0
        || zmq_setsockopt (ov->parent_sock, ZMQ_CURVE_PUBLICKEY, ov->pubkey,
                           KEY_LEN) < 0
        || zmq_setsockopt (ov->parent_sock, ZMQ_CURVE_SECRETKEY, ov->seckey,
                           KEY_LEN) < 0
        || zmq_connect (ov->parent_sock, ov->parent_uri) < 0)
        return errprintf (error, "connect %s: %s", ov->parent_uri,
                          zmq_strerror (errno));
    if (!(msg = flux_request_encode ("overlay.hello", NULL))
        || flux_msg_pack (msg, "{s:I s:i s:s s:i s:s s:b}",
                          "rank", (json_int_t)ov->rank,
                          "version", PROTOCOL_VERSION,
                          "uuid", ov->ctx->uuid,
                          "status", ov->status,
                          "hostname", attrs_get (ov->ctx->attrs, "hostname",
                                                 NULL),
                          /* flux-core's parent ignores it */
                          "probe", 1) < 0
        || flux_msg_set_rolemask (msg, FLUX_ROLE_OWNER) < 0
        || parent_sendmsg (ov, msg) < 0) {
        flux_msg_destroy (msg);
        return errprintf (error, "overlay.hello: %s", strerror (errno));
    }
    flux_msg_destroy (msg);
    msg = NULL;
    item.socket = ov->parent_sock;
    item.events = ZMQ_POLLIN;
    deadline = flux_reactor_time () + ov->connect_timeout;
    for (;;) {
        double left = deadline - flux_reactor_time ();
        int type;
        const char *topic;
        if (left <= 0) {
            errno = ETIMEDOUT;
            return errprintf (error, "overlay.hello: no answer from %s "
                              "within %gs", ov->parent_uri,
                              ov->connect_timeout);
        }
        if (zmq_poll (&item, 1, (long)(left * 1000) + 1) < 0) {
            if (errno == EINTR)
                continue;
            return errprintf (error, "overlay.hello: %s",
                              zmq_strerror (errno));
        }
        if (!(item.revents & ZMQ_POLLIN))
            continue;
        if (!(msg = zmsg_recv (ov->parent_sock)))
            continue;
        if (flux_msg_get_type (msg, &type) == 0
            && type == FLUX_MSGTYPE_RESPONSE
            && flux_msg_get_topic (msg, &topic) == 0
            && !strcmp (topic, "overlay.hello"))
            break;
        if (type == FLUX_MSGTYPE_CONTROL) {
            flux_msg_destroy (msg);
            errno = ECONNREFUSED;
            return errprintf (error, "overlay.hello: the parent sent a "
                              "disconnect");
        }
        flux_msg_destroy (msg); // nothing else before the answer counts
    }
    if (flux_msg_get_errnum (msg, &errnum) == 0 && errnum != 0) {
        const char *text = NULL;
        (void)flux_msg_get_string (msg, &text);
        errprintf (error, "overlay.hello: %s",
                   text ? text : strerror (errnum));
        flux_msg_destroy (msg);
        errno = errnum;
        return -1;
    }
    if (flux_msg_unpack (msg, "{s:s}", "uuid", &uuid) < 0
        || strlen (uuid) >= sizeof (ov->parent_uuid)) {
        flux_msg_destroy (msg);
        errno = EPROTO;
        return errprintf (error, "overlay.hello: the answer names no uuid");
    }
    snprintf (ov->parent_uuid, sizeof (ov->parent_uuid), "%s", uuid);
    flux_msg_destroy (msg);
    if (!(ov->parent_peer = router_peer_add (ov->ctx->router,
                                             ov->parent_uuid, PEER_PARENT,
                                             router_owner_cred (),
                                             parent_peer_send, ov))
        || !(ov->parent_w = zwatch_create (ov->ctx->r, ov->parent_sock,
                                           parent_cb, ov))
        || !(ov->parent_mon = monitor_open (ov, ov->parent_sock, "parent"))
        || !(ov->parent_mon_w = zwatch_create (ov->ctx->r, ov->parent_mon,
                                               parent_mon_cb, ov)))
        return errprintf (error, "overlay: %s", strerror (errno));
    return 0;
}

int overlay_start (struct overlay *ov, flux_error_t *error)
{
    if (ov->zap && !(ov->zap_w = zwatch_create (ov->ctx->r, ov->zap, zap_cb,
                                                ov)))
        return errprintf (error, "overlay: %s", strerror (errno));
    if (ov->bind_sock
        && (!(ov->bind_w = zwatch_create (ov->ctx->r, ov->bind_sock, bind_cb,
                                          ov))
            || !(ov->bind_mon = monitor_open (ov, ov->bind_sock, "children"))
            || !(ov->bind_mon_w = zwatch_create (ov->ctx->r, ov->bind_mon,
                                                 bind_mon_cb, ov))))
        return errprintf (error, "overlay: %s", strerror (errno));
    if (ov->parent_uri && join_parent (ov, error) < 0)
        return -1;
    if (!(ov->sync_w = flux_timer_watcher_create (ov->ctx->r, SYNC_PERIOD,
                                                  SYNC_PERIOD, sync_cb, ov))
        || !(ov->goodbye_w = flux_timer_watcher_create (ov->ctx->r,
                                                        GOODBYE_TIMEOUT, 0.,
                                                        goodbye_timeout_cb,
                                                        ov)))
        return errprintf (error, "overlay: %s", strerror (errno));
    flux_watcher_start (ov->sync_w);
    ov->status_time = now (ov);
    return 0;
}

void overlay_destroy (struct overlay *ov)
{
    if (ov) {
        int saved_errno = errno;
        flux_msg_handler_delvec (ov->handlers);
        flux_msglist_destroy (ov->health_watchers);
        flux_watcher_destroy (ov->sync_w);
        flux_watcher_destroy (ov->goodbye_w);
        zwatch_destroy (ov->zap_w);
        zwatch_destroy (ov->bind_w);
        zwatch_destroy (ov->parent_w);
        zwatch_destroy (ov->bind_mon_w);
        zwatch_destroy (ov->parent_mon_w);
        if (ov->bind_mon)
            zmq_close (ov->bind_mon);
        if (ov->parent_mon)
            zmq_close (ov->parent_mon);
        if (ov->bind_sock)
            zmq_close (ov->bind_sock);
        if (ov->parent_sock)
            zmq_close (ov->parent_sock);
        if (ov->zap)
            zmq_close (ov->zap);
        if (ov->zctx)
            zmq_ctx_term (ov->zctx);
        if (ov->bind_path)
            (void)unlink (ov->bind_path);
        free (ov->bind_path);
        free (ov->bind_uri);
        free (ov->parent_uri);
        free (ov->children);
        free (ov);
        errno = saved_errno;
    }
}

/* -- routing hooks ------------------------------------------------- */

struct peer *overlay_route (struct overlay *ov, uint32_t nodeid)
{
    int child;
    struct child *c;

    if (!ov || nodeid >= (uint32_t)ov->size) {
        errno = EHOSTUNREACH;
        return NULL;
    }
    if ((child = topology_route (ov->ctx->topo, ov->rank, nodeid)) >= 0) {
        if (!(c = child_by_rank (ov, child)) || !c->peer) {
            errno = EHOSTUNREACH;
            return NULL;
        }
        return c->peer;
    }
    if (!ov->parent_peer) {
        errno = EHOSTUNREACH;
        return NULL;
    }
    return ov->parent_peer;
}

struct peer *overlay_parent (struct overlay *ov)
{
    return ov ? ov->parent_peer : NULL;
}

void overlay_mcast (struct overlay *ov, const flux_msg_t *msg)
{
    flux_msg_t *cpy;

    if (!ov || ov->nchildren == 0 || !(cpy = flux_msg_copy (msg, true)))
        return;
    send_each_child (ov, cpy, false);
    flux_msg_destroy (cpy);
}

int overlay_wait_full (struct overlay *ov, void (*cb)(void *arg), void *arg)
{
    if (!ov || ov->status == SUBTREE_FULL)
        return 0;
    ov->full.cb = cb;
    ov->full.arg = arg;
    return 1;
}

int overlay_wait_children (struct overlay *ov, void (*cb)(void *arg),
                           void *arg)
{
    if (!ov)
        return 0;
    ov->spurn_hello = true;
    probe_children (ov); // one that died without a word is lost now
    /* Cut off from rank 0 (whose stop event will not come), this broker
     * takes its subtree down with it: each child told to go, as a lost
     * parent tells it, and not waited for.
     */
    if (ov->rank > 0 && !ov->parent_peer) {
        for (int i = 0; i < ov->nchildren; i++) {
            struct child *c = &ov->children[i];
            if (status_online (c->status)) {
                send_disconnect (ov, c->uuid);
                snprintf (c->error, sizeof (c->error), "parent shut down");
                child_set_status (ov, c, SUBTREE_OFFLINE);
            }
        }
        return 0;
    }
    for (int i = 0; i < ov->nchildren; i++) {
        if (status_online (ov->children[i].status)) {
            ov->empty.cb = cb;
            ov->empty.arg = arg;
            return 1;
        }
    }
    return 0;
}

int overlay_goodbye (struct overlay *ov, void (*cb)(void *arg), void *arg)
{
    flux_msg_t *msg;

    if (!ov || !ov->parent_peer || ov->goodbye_sent)
        return 0;
    if (!(msg = flux_request_encode ("overlay.goodbye", NULL))
        || flux_msg_set_rolemask (msg, FLUX_ROLE_OWNER) < 0
        || parent_sendmsg (ov, msg) < 0) {
        flux_msg_destroy (msg);
        return 0;
    }
    flux_msg_destroy (msg);
    ov->goodbye_sent = true;
    ov->bye.cb = cb;
    ov->bye.arg = arg;
    flux_watcher_start (ov->goodbye_w);
    return 1;
}

/* -- services ------------------------------------------------------ */

/* The health of this broker's subtree, as flux-core's overlay.health
 * gives it.  Caller decrefs.
 */
static json_t *health_encode (struct overlay *ov)
{
    double t = now (ov);
    json_t *children;

    if (!(children = json_array ()))
        return NULL;
    for (int i = 0; i < ov->nchildren; i++) {
        struct child *c = &ov->children[i];
        json_t *o = json_pack ("{s:i s:s s:f}", "rank", c->rank,
                               "status", status_name (c->status),
                               "duration", c->status_time > 0
                                           ? t - c->status_time : 0.);
        if (!o || (c->error[0] && !status_online (c->status)
                   && json_object_set_new (o, "error",
                                           json_string (c->error)) < 0)
            || json_array_append_new (children, o) < 0) {
            json_decref (o);
            json_decref (children);
            return NULL;
        }
    }
    return json_pack ("{s:i s:s s:f s:o}",
                      "rank", ov->rank,
                      "status", status_name (ov->status),
                      "duration", t - ov->status_time,
                      "children", children);
}

static void health_respond (struct overlay *ov, const flux_msg_t *msg)
{
    json_t *o;

    if (!(o = health_encode (ov))
        || flux_respond_pack (ov->ctx->h, msg, "O", o) < 0)
        flux_log_error (ov->ctx->h, "error responding to overlay.health");
    json_decref (o);
}

/* A streaming overlay.health is answered again at each change. */
static void health_notify (struct overlay *ov)
{
    const flux_msg_t *msg;

    if (!ov->health_watchers)
        return;
    msg = flux_msglist_first (ov->health_watchers);
    while (msg) {
        health_respond (ov, msg);
        msg = flux_msglist_next (ov->health_watchers);
    }
}

static void health_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    struct overlay *ov = arg;

    (void)mh;
    health_respond (ov, msg);
    if (flux_msg_is_streaming (msg)
        && flux_msglist_append (ov->health_watchers, msg) < 0
        && flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to overlay.health");
}

/* A client gone: its streaming requests go (the router sends this). */
static void disconnect_cb (flux_t *h, flux_msg_handler_t *mh,
                           const flux_msg_t *msg, void *arg)
{
    struct overlay *ov = arg;

    (void)h;
    (void)mh;
    (void)flux_msglist_disconnect (ov->health_watchers, msg);
}

/* {"rank":i}: this broker's or a direct child's subtree of the tree. */
static void topology_cb (flux_t *h, flux_msg_handler_t *mh,
                         const flux_msg_t *msg, void *arg)
{
    struct overlay *ov = arg;
    const char *errmsg = NULL;
    json_t *o = NULL;
    int rank;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:i}", "rank", &rank) < 0)
        goto error;
    if (rank != ov->rank && !child_by_rank (ov, rank)) {
        errno = ENOENT;
        errmsg = "requested rank is not this broker or its direct child";
        goto error;
    }
    if (!(o = topology_subtree (ov->ctx->topo, rank)))
        goto error;
    if (flux_respond_pack (h, msg, "O", o) < 0)
        flux_log_error (h, "error responding to overlay.topology");
    json_decref (o);
    return;
error:
    if (flux_respond_error (h, msg, errno, errmsg) < 0)
        flux_log_error (h, "error responding to overlay.topology");
}

/* {"rank":i}: cut an online child off (flux overlay disconnect). */
static void disconnect_subtree_cb (flux_t *h, flux_msg_handler_t *mh,
                                   const flux_msg_t *msg, void *arg)
{
    struct overlay *ov = arg;
    char errbuf[128];
    const char *errmsg = NULL;
    struct child *c;
    int rank;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:i}", "rank", &rank) < 0)
        goto error;
    if (!(c = child_by_rank (ov, rank))) {
        errno = ENOENT;
        errmsg = "requested rank is not this broker's direct child";
        goto error;
    }
    if (!status_online (c->status)) {
        (void)snprintf (errbuf, sizeof (errbuf), "rank %d is already %s",
                        rank, status_name (c->status));
        errno = EINVAL;
        errmsg = errbuf;
        goto error;
    }
    send_disconnect (ov, c->uuid);
    snprintf (c->error, sizeof (c->error), "administrative disconnect");
    child_set_status (ov, c, SUBTREE_LOST);
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to overlay.disconnect-subtree");
    return;
error:
    if (flux_respond_error (h, msg, errno, errmsg) < 0)
        flux_log_error (h, "error responding to overlay.disconnect-subtree");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "overlay.health", health_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "overlay.topology", topology_cb,
      FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "overlay.disconnect-subtree",
      disconnect_subtree_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "overlay.disconnect", disconnect_cb,
      FLUX_ROLE_USER },
    FLUX_MSGHANDLER_TABLE_END,
};

int overlay_register_handlers (struct overlay *ov, flux_t *h)
{
    if (!(ov->health_watchers = flux_msglist_create ()))
        return -1;
    return flux_msg_handler_addvec (h, htab, ov, &ov->handlers);
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
