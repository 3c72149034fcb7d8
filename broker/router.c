/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The router: every message in the broker passes through here.
 *
 * Peers are the places a message can come from or go to: each client
 * connection on the local socket, each module's channel, and the broker
 * itself, whose services run on its own handle at the far end of an
 * interthread channel, so that they are dispatched, role-checked and
 * answered exactly as a module's are.  A peer is known by a uuid.
 *
 * Requests go to the service named by the topic up to the first '.'.
 * Before that the router makes sure the request carries its sender's id
 * as the most recent hop of its route stack: the socket and the broker's
 * own channel have it pushed here (a guest's request that arrives with a
 * route stack of its own is refused with EPROTO, see guest_route_stack), while a module's channel pushes the
 * module uuid itself (router mode, FLUX_OPT_ROUTER_NAME), and pushes the
 * broker uuid on the way into the module.  A response therefore always
 * finds its next hop as the last id on its stack: it is popped by the
 * transport that delivers it (a module's channel pops it in router mode),
 * after the router has removed the broker uuid a module's response
 * still carries.  A response with an empty stack is for the broker.
 *
 * Events get a sequence number and go to every peer with a matching
 * prefix subscription; PRIVATE ones reach a guest only if the event's
 * userid is the guest's.  A peer's subscriptions are a hash table of
 * topics plus the list of their distinct lengths, so matching an event
 * costs one hash of the topic's first bytes and one lookup per distinct
 * length, however many subscriptions the peer holds; their number and
 * length are bounded (broker.max-subscriptions, broker.max-topic-length).
 *
 * The router remembers, per peer, the services it sent requests to (the
 * topic minus its last word), with the credentials it used.  When a peer
 * goes away each of them receives one PREFIX.disconnect request, so that
 * services can drop what they hold for it (RFC 6 "disconnect").  A peer
 * is freed on the next loop iteration, never from inside a callback that
 * may still be using it.
 *
 * Every request is answered exactly once, even when the peer it was
 * delivered to goes away: the router keeps, per module or client that
 * it routes requests to, the requests that still await their response
 * (a copy without payload, found by matchtag and route stack).  A
 * response ends its request (a streaming request ends with an error
 * response); a NORESPONSE request is not kept, nor one without a
 * matchtag (no RPC waits for it: log.append).  When the peer is removed
 * (a module that exits, fails or is abandoned, a client that
 * disconnects) each request it still holds is answered with ENOSYS, as
 * a request to a service that is gone is.  When the sender goes away
 * first, its requests are forgotten: their responses have nowhere to go.
 * The broker's own services hold requests too (a log follower, a config
 * watch): router_close(), when the broker exits, answers those.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "router.h"
#include "strmap.h"
#include "service.h"
#include "overlay.h"

struct sub {
    char *topic;
    size_t len;
    uint64_t hash;
    int count;
    struct sub *next;       /* in its bucket */
};

struct subs {
    struct sub **buckets;
    size_t nbuckets;        /* a power of two */
    size_t count;           /* distinct topics */
    size_t *lens;           /* their distinct lengths, ascending */
    size_t *lencount;       /* topics of each length */
    size_t nlens;
};

struct used {
    char *prefix;
    struct flux_msg_cred cred;
    struct used *next;
};

/* A request delivered to 'dest' that awaits its response. */
struct inflight {
    flux_msg_t *req;            // the request without its payload
    uint32_t matchtag;
    bool streaming;
    struct peer *dest;
    struct peer *from;          // NULL: the router's own request
    struct inflight *next;      // in dest's bucket
    struct inflight **prevp;
    struct inflight *from_next; // in from's list of requests sent
    struct inflight **from_prevp;
};

struct peer {
    struct router *router;
    char uuid[UUID_STR_LEN];
    enum peer_type type;
    struct flux_msg_cred cred;
    peer_send_f send;
    void *arg;
    bool removed;
    bool muted;
    double last_rx;
    struct subs *subs;
    struct used *used;
    struct inflight **inflight; // requests it holds, by matchtag
    size_t inflight_size;       // buckets, a power of 2 (0: none yet)
    size_t inflight_count;
    struct inflight *sent;      // requests it sent, held by others
    struct peer *next;
};

struct router {
    struct broker *ctx;
    struct peer *peers;
    struct strmap *byuuid;      // the peers, by uuid
    struct peer *dead;
    flux_watcher_t *reap_w;
    uint32_t seq;
    bool closing;               // router_close(): the broker is exiting
};

static void route_response (struct router *router, struct peer *from,
                            flux_msg_t *msg);

static void subs_destroy (struct subs *ss)
{
    if (ss) {
        for (size_t i = 0; i < ss->nbuckets; i++) {
            struct sub *s = ss->buckets[i];
            while (s) {
                struct sub *next = s->next;
                free (s->topic);
                free (s);
                s = next;
            }
        }
        free (ss->buckets);
        free (ss->lens);
        free (ss->lencount);
        free (ss);
    }
}

static void used_destroy (struct used *u)
{
    while (u) {
        struct used *next = u->next;
        free (u->prefix);
        free (u);
        u = next;
    }
}

static void inflight_unlink (struct inflight *f)
{
    if ((*f->prevp = f->next))
        f->next->prevp = f->prevp;
    f->dest->inflight_count--;
    if (f->from_prevp && (*f->from_prevp = f->from_next))
        f->from_next->from_prevp = f->from_prevp;
}

static void inflight_destroy (struct inflight *f)
{
    inflight_unlink (f);
    flux_msg_decref (f->req);
    free (f);
}

/* Forget every request held by p or sent by p. */
static void inflight_clear (struct peer *p)
{
    while (p->sent)
        inflight_destroy (p->sent);
    for (size_t i = 0; i < p->inflight_size; i++) {
        while (p->inflight[i])
            inflight_destroy (p->inflight[i]);
    }
}

static void peer_destroy (struct peer *p)
{
    if (p) {
        int saved_errno = errno;
        subs_destroy (p->subs);
        used_destroy (p->used);
        inflight_clear (p);
        free (p->inflight);
        free (p);
        errno = saved_errno;
    }
}

static void reap_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct router *router = arg;

    (void)r;
    (void)revents;
    while (router->dead) {
        struct peer *p = router->dead;
        router->dead = p->next;
        peer_destroy (p);
    }
    flux_watcher_stop (w);
}

void router_destroy (struct router *router)
{
    if (router) {
        int saved_errno = errno;
        struct peer *p;
        /* Requests link two peers: unlink them all before freeing any. */
        for (p = router->peers; p; p = p->next)
            inflight_clear (p);
        for (p = router->dead; p; p = p->next)
            inflight_clear (p);
        while ((p = router->peers)) {
            router->peers = p->next;
            peer_destroy (p);
        }
        while ((p = router->dead)) {
            router->dead = p->next;
            peer_destroy (p);
        }
        strmap_destroy (router->byuuid);
        flux_watcher_destroy (router->reap_w);
        free (router);
        errno = saved_errno;
    }
}

struct router *router_create (struct broker *ctx)
{
    struct router *router;

    if (!(router = calloc (1, sizeof (*router))))
        return NULL;
    router->ctx = ctx;
    if (!(router->byuuid = strmap_create ())
        || !(router->reap_w = flux_prepare_watcher_create (ctx->r,
                                                           reap_cb,
                                                           router))) {
        router_destroy (router);
        return NULL;
    }
    return router;
}

struct peer *router_peer_add (struct router *router,
                              const char *uuid,
                              enum peer_type type,
                              struct flux_msg_cred cred,
                              peer_send_f send,
                              void *arg)
{
    struct peer *p;

    if (!router || !uuid || strlen (uuid) >= UUID_STR_LEN || !send) {
        errno = EINVAL;
        return NULL;
    }
    if (!(p = calloc (1, sizeof (*p))))
        return NULL;
    p->router = router;
    strcpy (p->uuid, uuid);
    p->type = type;
    p->cred = cred;
    p->send = send;
    p->arg = arg;
    p->last_rx = flux_reactor_now (router->ctx->r);
    if (strmap_insert (router->byuuid, p->uuid, p) < 0) {
        free (p);
        return NULL;
    }
    p->next = router->peers;
    router->peers = p;
    return p;
}

struct peer *router_peer_lookup (struct router *router, const char *uuid)
{
    if (!router || !uuid)
        return NULL;
    return strmap_lookup (router->byuuid, uuid, strlen (uuid));
}

const char *router_peer_uuid (struct peer *p)
{
    return p ? p->uuid : NULL;
}

struct flux_msg_cred router_owner_cred (void)
{
    struct flux_msg_cred cred = {
        .userid = getuid (),
        .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL,
    };
    return cred;
}

flux_msg_t *router_msg_own (flux_msg_t *msg)
{
    flux_msg_t *cpy;

    if (!msg || flux_msg_refcount (msg) <= 1)
        return msg;
    cpy = flux_msg_copy (msg, true);
    flux_msg_decref (msg);
    return cpy;
}

int router_recv_from (struct peer *p, flux_t *h,
                      bool (*take)(flux_msg_t *msg, void *arg), void *arg)
{
    for (int i = 0; i < 64; i++) {
        flux_msg_t *msg;
        if (!(msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK)))
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        if (take && take (msg, arg))
            continue;
        router_recv (p, msg);
    }
    return 0;
}

double router_peer_last_rx (struct peer *p)
{
    return p->last_rx;
}

void router_peer_mute (struct peer *p)
{
    if (p)
        p->muted = true;
}

/* The prefix a disconnect goes to: the topic minus its last word. */
static char *topic_prefix (const char *topic)
{
    const char *dot = strrchr (topic, '.');
    if (!dot || dot == topic)
        return NULL;
    return strndup (topic, dot - topic);
}

static void record_use (struct peer *p, const char *topic,
                        const flux_msg_t *msg)
{
    struct used *u;
    char *prefix;
    const char *last = strrchr (topic, '.');

    if (p->type == PEER_BROKER || (last && !strcmp (last, ".disconnect")))
        return;
    if (!(prefix = topic_prefix (topic)))
        return;
    for (u = p->used; u; u = u->next) {
        if (!strcmp (u->prefix, prefix)) {
            free (prefix);
            return;
        }
    }
    if (!(u = calloc (1, sizeof (*u)))) {
        free (prefix);
        return;
    }
    u->prefix = prefix;
    if (flux_msg_get_cred (msg, &u->cred) < 0)
        u->cred = p->cred;
    u->next = p->used;
    p->used = u;
}

/* Answer a request the router cannot deliver.  Consumes msg. */
static void respond_error (struct router *router, flux_msg_t *msg,
                           int errnum, const char *text)
{
    flux_msg_t *rsp;

    if (flux_msg_is_noresponse (msg)) {
        flux_msg_destroy (msg);
        return;
    }
    if (!(rsp = flux_response_derive (msg, errnum))
        || (text && flux_msg_set_string (rsp, text) < 0)) {
        flux_msg_destroy (rsp);
        flux_msg_destroy (msg);
        return;
    }
    flux_msg_destroy (msg);
    route_response (router, NULL, rsp);
}

/* The requests a peer holds: a hash table by matchtag (a client's
 * matchtags count up from 1, so the low bits spread them), grown to
 * keep about one request per bucket.
 */
static int inflight_grow (struct peer *p)
{
    size_t size = p->inflight_size ? p->inflight_size * 2 : 16;
    struct inflight **tab;

    if (!(tab = calloc (size, sizeof (tab[0]))))
        return -1;
    for (size_t i = 0; i < p->inflight_size; i++) {
        struct inflight *f, *next;
        for (f = p->inflight[i]; f; f = next) {
            struct inflight **head = &tab[f->matchtag & (size - 1)];
            next = f->next;
            if ((f->next = *head))
                f->next->prevp = &f->next;
            *head = f;
            f->prevp = head;
        }
    }
    free (p->inflight);
    p->inflight = tab;
    p->inflight_size = size;
    return 0;
}

/* Remember that 'msg', a request from 'from' (NULL: the router's own),
 * is about to be delivered to 'dest'.  Returns the record, or NULL if
 * the request needs none (or memory ran out: it is delivered anyway).
 */
static struct inflight *inflight_add (struct peer *from, struct peer *dest,
                                      const flux_msg_t *msg)
{
    struct inflight *f;
    struct inflight **head;

    uint32_t matchtag;

    /* N.B. nor one without a matchtag, as flux-core's rpc_track: no RPC
     * waits for it (log.append is sent so, and never answered).
     */
    if (flux_msg_is_noresponse (msg)
        || flux_msg_get_matchtag (msg, &matchtag) < 0
        || matchtag == FLUX_MATCHTAG_NONE)
        return NULL;
    if (dest->inflight_count >= dest->inflight_size
        && inflight_grow (dest) < 0)
        return NULL;
    if (!(f = calloc (1, sizeof (*f))))
        return NULL;
    if (!(f->req = flux_msg_copy (msg, false))) {
        free (f);
        return NULL;
    }
    f->matchtag = matchtag;
    f->streaming = flux_msg_is_streaming (msg);
    f->dest = dest;
    head = &dest->inflight[f->matchtag & (dest->inflight_size - 1)];
    if ((f->next = *head))
        f->next->prevp = &f->next;
    *head = f;
    f->prevp = head;
    dest->inflight_count++;
    if ((f->from = from)) {
        if ((f->from_next = from->sent))
            f->from_next->from_prevp = &f->from_next;
        from->sent = f;
        f->from_prevp = &from->sent;
    }
    return f;
}

/* Same route stack, for a response and the request it answers: the
 * first hop (the original sender, unique to it) and the last (the peer
 * it came from) and their number.
 */
static bool same_route (const flux_msg_t *req, const flux_msg_t *rsp)
{
    int count = flux_msg_route_count (req);
    const char *a, *b;

    if (count != flux_msg_route_count (rsp))
        return false;
    if (count <= 0)
        return true;
    a = flux_msg_route_last (req);
    b = flux_msg_route_last (rsp);
    if (!a || !b || strcmp (a, b) != 0)
        return false;
    a = flux_msg_route_first (req);
    b = flux_msg_route_first (rsp);
    return a && b && !strcmp (a, b);
}

/* 'rsp' comes from 'from': if it ends a request that peer holds, forget
 * the request.  The route stack must be the one the request had.
 */
static bool inflight_response (struct peer *from, const flux_msg_t *rsp)
{
    uint32_t matchtag;
    struct inflight *f;

    if (flux_msg_get_matchtag (rsp, &matchtag) < 0)
        return false;
    for (f = from->inflight[matchtag & (from->inflight_size - 1)]; f;
         f = f->next) {
        if (f->matchtag == matchtag && same_route (f->req, rsp)) {
            int errnum = 0;
            if (f->streaming
                && (flux_msg_get_errnum (rsp, &errnum) < 0 || errnum == 0))
                return true;
            inflight_destroy (f);
            return true;
        }
    }
    return false;
}

/* Answer the request 'f' stands for with an error, and forget it.  The
 * text is 'why', or by default says what happened to its peer.
 */
static void inflight_fail (struct router *router, struct inflight *f,
                           int errnum, const char *why)
{
    flux_msg_t *req = f->req;
    struct peer *dest = f->dest;
    const char *topic = "?";
    char text[256];

    f->req = NULL;
    inflight_destroy (f);
    (void)flux_msg_get_topic (req, &topic);
    if (why)
        (void)snprintf (text, sizeof (text), "%s", why);
    else if (dest->type == PEER_BROKER)
        (void)snprintf (text, sizeof (text), "broker is shutting down");
    else if (errnum == ENOSYS)
        (void)snprintf (text, sizeof (text),
                        "%.*s went away before responding to %s (%s)",
                        (int)strcspn (topic, "."), topic, topic,
                        dest->type == PEER_MODULE ? "its module exited"
                                    : "its client disconnected");
    else
        (void)snprintf (text, sizeof (text),
                        "error delivering %s: %s", topic, strerror (errnum));
    respond_error (router, req, errnum, text);
}

static int peer_send (struct peer *p, flux_msg_t *msg)
{
    return p->send (p, msg, p->arg);
}

/* Send request 'msg' (consumed) to 'dest', waiting for its answer. */
static void deliver_request (struct router *router, struct peer *from,
                             struct peer *dest, flux_msg_t *msg)
{
    struct inflight *f = inflight_add (from, dest, msg);
    int rc = peer_send (dest, msg);

    if (rc < 0) {
        int saved_errno = errno;
        if (dest->type != PEER_CONN)
            flux_log_error (router->ctx->h, "error sending request to %.8s",
                            dest->uuid);
        /* N.B. a peer removed by its failed send has answered f. */
        if (f && !dest->removed)
            inflight_fail (router, f, saved_errno, NULL);
    }
    else if (rc > 0 && f)
        inflight_destroy (f); // the peer's owner answers it, or holds it
}

void router_deliver (struct peer *dest, flux_msg_t *msg)
{
    const char *first;
    struct peer *from = NULL;

    if (!dest || dest->removed) {
        flux_msg_decref (msg);
        return;
    }
    if ((first = flux_msg_route_first (msg)))
        from = router_peer_lookup (dest->router, first);
    deliver_request (dest->router, from, dest, msg);
}

void router_peer_fail_held (struct peer *p, int errnum, const char *text)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->inflight_size; i++) {
        while (p->inflight[i])
            inflight_fail (p->router, p->inflight[i], errnum, text);
    }
}

void router_forget (struct peer *p, const flux_msg_t *req)
{
    uint32_t matchtag;

    if (!p || p->inflight_count == 0
        || flux_msg_get_matchtag (req, &matchtag) < 0)
        return;
    for (struct inflight *f = p->inflight[matchtag & (p->inflight_size - 1)];
         f; f = f->next) {
        if (f->matchtag == matchtag && same_route (f->req, req)) {
            inflight_destroy (f);
            return;
        }
    }
}

/* A request for rank 'nodeid' (not this one), or going up from its
 * sender: to the peer the overlay names, EHOSTUNREACH if none.  Never
 * back to the peer it came from: one that came down from the parent
 * (for a rank not below) does not go back up (no loops).
 */
static void route_remote (struct router *router, struct peer *from,
                          flux_msg_t *msg, uint32_t nodeid,
                          const char *topic)
{
    struct peer *dest;

    if (nodeid == router->ctx->rank)
        dest = overlay_parent (router->ctx->overlay);
    else
        dest = overlay_route (router->ctx->overlay, nodeid);
    if (!dest || dest == from || dest->removed) {
        respond_error (router, msg, EHOSTUNREACH, NULL);
        return;
    }
    if (from)
        record_use (from, topic, msg);
    deliver_request (router, from, dest, msg);
}

/* Deliver a request whose route stack is complete.  'from' is NULL for
 * requests the router makes itself (disconnects).
 */
static void route_request (struct router *router, struct peer *from,
                           flux_msg_t *msg)
{
    const char *topic;
    uint32_t nodeid;
    uint8_t flags = 0;
    struct peer *dest;
    uint32_t matchtag;
    char text[256];

    if (flux_msg_get_topic (msg, &topic) < 0) {
        respond_error (router, msg, EPROTO, NULL);
        return;
    }
    if (flux_msg_get_nodeid (msg, &nodeid) < 0
        || flux_msg_get_flags (msg, &flags) < 0) {
        respond_error (router, msg, EPROTO, NULL);
        return;
    }
    /* Another rank's, or up from its sender: the overlay's (RFC 3). */
    if ((flags & FLUX_MSGFLAG_UPSTREAM) ? nodeid == router->ctx->rank
                                        : (nodeid != FLUX_NODEID_ANY
                                           && nodeid != router->ctx->rank)) {
        route_remote (router, from, msg, nodeid, topic);
        return;
    }
    /* Events are sequenced at rank 0: publishing is its business. */
    if (router->ctx->rank > 0 && nodeid == FLUX_NODEID_ANY
        && !strcmp (topic, "event.publish")) {
        route_remote (router, from, msg, 0, topic);
        return;
    }
    dest = services_lookup (router->ctx->services, topic);
    /* N.B. what needs no answer (the broker's last log lines) still goes. */
    if (dest && dest->type == PEER_BROKER && router->closing
        && !flux_msg_is_noresponse (msg)
        && flux_msg_get_matchtag (msg, &matchtag) == 0
        && matchtag != FLUX_MATCHTAG_NONE) {
        respond_error (router, msg, ENOSYS, "broker is shutting down");
        return;
    }
    if (!dest || dest->removed || dest->muted) {
        struct peer *parent;
        /* ANY, or an ancestor's for an UPSTREAM request: up the tree.
         * N.B. never down: an UPSTREAM request that no broker above
         * its sender serves ends with ENOSYS at rank 0 (flux-core
         * v0.88 can send it back down, and bounce it forever).
         */
        if ((parent = overlay_parent (router->ctx->overlay))
            && parent != from) {
            if (from)
                record_use (from, topic, msg);
            deliver_request (router, from, parent, msg);
            return;
        }
        (void)snprintf (text, sizeof (text),
                        "No service matching %s is registered", topic);
        respond_error (router, msg, ENOSYS, text);
        return;
    }
    if (from)
        record_use (from, topic, msg);
    deliver_request (router, from, dest, msg);
}

static void route_response (struct router *router, struct peer *from,
                            flux_msg_t *msg)
{
    const char *last;
    struct peer *dest;

    /* The broker uuid pushed by a module channel on the way in. */
    if (from && from->type == PEER_MODULE
        && (last = flux_msg_route_last (msg))
        && !strcmp (last, router->ctx->uuid))
        (void)flux_msg_route_delete_last (msg);
    bool matched = false;
    if (from && from->inflight_count > 0)
        matched = inflight_response (from, msg);
    /* After router_close(), what the broker's services still send goes
     * to requests already answered.
     */
    if (router->closing && from && from->type == PEER_BROKER && !matched) {
        flux_msg_destroy (msg);
        return;
    }
    if (!(last = flux_msg_route_last (msg)))
        dest = router_peer_lookup (router, router->ctx->uuid);
    else
        dest = router_peer_lookup (router, last);
    if (!dest || dest->removed) {
        flux_msg_destroy (msg);
        return;
    }
    (void)peer_send (dest, msg);
}

/* A guest's request must not arrive with routes of its own: services
 * take the hops on a request as the peers it came through (service.add
 * and event.subscribe act for the connection that sent them, disconnects
 * and watchers are keyed by the first hop), so a route stack a guest
 * wrote could make a request pass for another peer's, or the broker's.
 * The instance owner's clients may relay (their own clients' requests
 * carry their hops, as flux-core's proxies send them); services that
 * act for a peer use the hop the router pushed, which a client cannot
 * write.
 */
static bool guest_route_stack (struct peer *from, const flux_msg_t *msg)
{
    return from->type == PEER_CONN
        && !(from->cred.rolemask & FLUX_ROLE_OWNER)
        && flux_msg_route_count (msg) > 0;
}

void router_recv (struct peer *from, flux_msg_t *msg)
{
    struct router *router;
    int type;

    if (!from || !msg) {
        flux_msg_destroy (msg);
        return;
    }
    router = from->router;
    if (from->removed || flux_msg_get_type (msg, &type) < 0) {
        flux_msg_destroy (msg);
        return;
    }
    from->last_rx = flux_reactor_now (router->ctx->r);
    switch (type) {
        case FLUX_MSGTYPE_REQUEST:
            if (from->type != PEER_MODULE) {
                bool forged = guest_route_stack (from, msg);
                if (forged)
                    flux_msg_route_clear (msg);
                flux_msg_route_enable (msg);
                if (flux_msg_route_push (msg, from->uuid) < 0) {
                    flux_msg_destroy (msg);
                    return;
                }
                if (forged) {
                    respond_error (router, msg, EPROTO,
                                   "a request from a guest may not carry"
                                   " a route stack");
                    return;
                }
            }
            route_request (router, from, msg);
            break;
        case FLUX_MSGTYPE_RESPONSE:
            route_response (router, from, msg);
            break;
        case FLUX_MSGTYPE_EVENT:
            (void)router_publish (router, msg);
            break;
        default:
            flux_msg_destroy (msg);
            break;
    }
}

static void send_disconnects (struct peer *p)
{
    struct used *u;

    for (u = p->used; u; u = u->next) {
        flux_msg_t *msg;
        char topic[512];

        (void)snprintf (topic, sizeof (topic), "%s.disconnect", u->prefix);
        if (!(msg = flux_request_encode (topic, NULL))
            || flux_msg_set_noresponse (msg) < 0
            || flux_msg_set_cred (msg, u->cred) < 0) {
            flux_msg_destroy (msg);
            continue;
        }
        flux_msg_route_enable (msg);
        if (flux_msg_route_push (msg, p->uuid) < 0) {
            flux_msg_destroy (msg);
            continue;
        }
        route_request (p->router, NULL, msg);
    }
}

int router_peer_send (struct peer *p, flux_msg_t *msg)
{
    if (!p || p->removed) {
        flux_msg_decref (msg);
        errno = EHOSTUNREACH;
        return -1;
    }
    return peer_send (p, msg);
}

void router_peer_remove (struct peer *p)
{
    router_peer_lost (p, ENOSYS, NULL);
}

void router_peer_lost (struct peer *p, int errnum, const char *text)
{
    struct router *router;
    struct peer **pp;

    if (!p || p->removed)
        return;
    router = p->router;
    p->removed = true;
    services_remove_peer (router->ctx->services, p);
    /* What p sent has no one to answer; what it held is answered. */
    while (p->sent)
        inflight_destroy (p->sent);
    router_peer_fail_held (p, errnum, text);
    subs_destroy (p->subs);
    p->subs = NULL;
    send_disconnects (p);
    for (pp = &router->peers; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    (void)strmap_remove (router->byuuid, p->uuid, p);
    p->next = router->dead;
    router->dead = p;
    flux_watcher_start (router->reap_w);
}

void router_close (struct router *router)
{
    struct peer *p;

    if (!router || router->closing)
        return;
    router->closing = true;
    if ((p = router_peer_lookup (router, router->ctx->uuid)))
        router_peer_fail_held (p, ENOSYS, NULL);
}

/* N.B. Topics hash with strmap.h's FNV-1a, which subscribed() runs one
 * byte at a time to hash a topic's prefixes as it goes.
 */

/* The subscription to the first 'len' bytes of 'topic', or NULL. */
static struct sub *subs_find (struct subs *ss, const char *topic,
                              size_t len, uint64_t hash)
{
    struct sub *s = ss->buckets[hash & (ss->nbuckets - 1)];

    for (; s; s = s->next) {
        if (s->hash == hash && s->len == len
            && !memcmp (s->topic, topic, len))
            return s;
    }
    return NULL;
}

static int subs_grow (struct subs *ss)
{
    size_t n = ss->nbuckets ? ss->nbuckets * 2 : 8;
    struct sub **b;

    if (!(b = calloc (n, sizeof (b[0]))))
        return -1;
    for (size_t i = 0; i < ss->nbuckets; i++) {
        struct sub *s = ss->buckets[i];
        while (s) {
            struct sub *next = s->next;
            s->next = b[s->hash & (n - 1)];
            b[s->hash & (n - 1)] = s;
            s = next;
        }
    }
    free (ss->buckets);
    ss->buckets = b;
    ss->nbuckets = n;
    return 0;
}

/* Count one more (delta 1) or one less (-1) topic of length 'len'. */
static int subs_len_update (struct subs *ss, size_t len, int delta)
{
    size_t i;

    for (i = 0; i < ss->nlens && ss->lens[i] < len; i++)
        ;
    if (i < ss->nlens && ss->lens[i] == len) {
        if (delta > 0)
            ss->lencount[i]++;
        else if (--ss->lencount[i] == 0) {
            memmove (&ss->lens[i], &ss->lens[i + 1],
                     (ss->nlens - i - 1) * sizeof (ss->lens[0]));
            memmove (&ss->lencount[i], &ss->lencount[i + 1],
                     (ss->nlens - i - 1) * sizeof (ss->lencount[0]));
            ss->nlens--;
        }
        return 0;
    }
    if (delta < 0)
        return 0;
    size_t *l = realloc (ss->lens, (ss->nlens + 1) * sizeof (l[0]));
    if (!l)
        return -1;
    ss->lens = l;
    size_t *c = realloc (ss->lencount, (ss->nlens + 1) * sizeof (c[0]));
    if (!c)
        return -1;
    ss->lencount = c;
    memmove (&ss->lens[i + 1], &ss->lens[i],
             (ss->nlens - i) * sizeof (ss->lens[0]));
    memmove (&ss->lencount[i + 1], &ss->lencount[i],
             (ss->nlens - i) * sizeof (ss->lencount[0]));
    ss->lens[i] = len;
    ss->lencount[i] = 1;
    ss->nlens++;
    return 0;
}

/* N.B. a topic longer than broker.max-topic-length is EINVAL; a new
 * topic when the peer holds broker.max-subscriptions is ENOSPC (the
 * same topic again is only counted).
 */
int router_subscribe (struct peer *p, const char *topic)
{
    const struct broker_limits *lim;
    struct subs *ss;
    struct sub *s;
    size_t len;
    uint64_t hash;

    if (!p || !topic || p->removed) {
        errno = EINVAL;
        return -1;
    }
    lim = &p->router->ctx->limits;
    if ((len = strlen (topic)) > lim->max_topic_length) {
        errno = EINVAL;
        return -1;
    }
    hash = strmap_hash (topic, len);
    if (!p->subs && !(p->subs = calloc (1, sizeof (*p->subs))))
        return -1;
    ss = p->subs;
    if (ss->nbuckets && (s = subs_find (ss, topic, len, hash))) {
        s->count++;
        return 0;
    }
    if (ss->count >= lim->max_subscriptions) {
        errno = ENOSPC;
        return -1;
    }
    if ((ss->count >= ss->nbuckets && subs_grow (ss) < 0)
        || !(s = calloc (1, sizeof (*s)))) {
        errno = ENOMEM;
        return -1;
    }
    if (!(s->topic = strdup (topic))
        || subs_len_update (ss, len, 1) < 0) {
        free (s->topic);
        free (s);
        errno = ENOMEM;
        return -1;
    }
    s->len = len;
    s->hash = hash;
    s->count = 1;
    s->next = ss->buckets[hash & (ss->nbuckets - 1)];
    ss->buckets[hash & (ss->nbuckets - 1)] = s;
    ss->count++;
    return 0;
}

int router_unsubscribe (struct peer *p, const char *topic)
{
    struct subs *ss;
    struct sub **sp;
    size_t len;
    uint64_t hash;

    if (!p || !topic) {
        errno = EINVAL;
        return -1;
    }
    if (!(ss = p->subs) || ss->nbuckets == 0)
        goto noent;
    len = strlen (topic);
    hash = strmap_hash (topic, len);
    for (sp = &ss->buckets[hash & (ss->nbuckets - 1)]; *sp;
         sp = &(*sp)->next) {
        struct sub *s = *sp;
        if (s->hash == hash && s->len == len && !strcmp (s->topic, topic)) {
            if (--s->count == 0) {
                *sp = s->next;
                (void)subs_len_update (ss, len, -1);
                ss->count--;
                free (s->topic);
                free (s);
            }
            return 0;
        }
    }
noent:
    errno = ENOENT;
    return -1;
}

/* True if some subscription of p is a prefix of topic: hash the topic's
 * bytes once, looking up each distinct subscription length on the way.
 */
static bool subscribed (struct peer *p, const char *topic)
{
    struct subs *ss = p->subs;
    uint64_t h = STRMAP_HASH_INIT;
    size_t pos = 0;

    if (!ss || ss->count == 0)
        return false;
    for (size_t i = 0; i < ss->nlens; i++) {
        size_t want = ss->lens[i];
        while (pos < want) {
            if (topic[pos] == '\0')
                return false;
            h = strmap_hash_add (h, (unsigned char)topic[pos++]);
        }
        if (subs_find (ss, topic, want, h))
            return true;
    }
    return false;
}

int router_publish (struct router *router, flux_msg_t *msg)
{
    int seq;

    /* Not rank 0: up to be sequenced, as it is. */
    if (router->ctx->rank > 0) {
        struct peer *parent = overlay_parent (router->ctx->overlay);
        if (!parent) {
            flux_msg_destroy (msg);
            errno = EHOSTUNREACH;
            return -1;
        }
        return router_peer_send (parent, msg) < 0 ? -1 : 0;
    }
    seq = ++router->seq;
    /* Routes mean nothing to an event once it is published. */
    flux_msg_route_disable (msg);
    if (flux_msg_set_seq (msg, seq) < 0) {
        flux_msg_destroy (msg);
        return -1;
    }
    router_distribute (router, msg);
    return seq;
}

void router_distribute (struct router *router, flux_msg_t *msg)
{
    const char *topic;
    struct flux_msg_cred cred;
    bool private;

    if (flux_msg_get_topic (msg, &topic) < 0
        || flux_msg_get_cred (msg, &cred) < 0) {
        flux_msg_destroy (msg);
        return;
    }
    /* Every broker below gets every event (flux-core's overlay does not
     * prune by subscription); each serves its own subscribers.
     */
    overlay_mcast (router->ctx->overlay, msg);
    private = flux_msg_is_private (msg);
    /* N.B. a failed send may remove the peer (moving it to the dead
     * list), so take the next one first; removed peers are skipped.
     */
    for (struct peer *p = router->peers, *next; p; p = next) {
        flux_msg_t *cpy;

        next = p->next;

        if (p->removed || p->muted || p->type == PEER_PARENT
            || p->type == PEER_CHILD || !subscribed (p, topic))
            continue;
        if (private && flux_msg_cred_authorize (p->cred, cred.userid) < 0)
            continue;
        /* Socket peers only read the message; a channel takes over its
         * own copy (and a module's pushes a route onto it).
         */
        if (p->type == PEER_CONN)
            cpy = (flux_msg_t *)flux_msg_incref (msg);
        else
            cpy = flux_msg_copy (msg, true);
        if (!cpy)
            continue;
        (void)peer_send (p, cpy);
    }
    flux_msg_destroy (msg);
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
