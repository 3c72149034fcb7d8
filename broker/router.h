/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_ROUTER_H
#define BROKER_ROUTER_H

#include <uuid/uuid.h>
#include <flux/core.h>

#include "broker.h"

enum peer_type {
    PEER_BROKER,    /* the broker's own service handle */
    PEER_CONN,      /* a client on the local socket */
    PEER_MODULE,    /* a module thread's channel */
    PEER_PARENT,    /* the overlay's link to the parent broker */
    PEER_CHILD,     /* the overlay's link to a child broker */
};

struct peer;

/* Deliver 'msg' to the peer's transport.  Always consumes msg (the
 * message may be shared: call flux_msg_copy before changing a message
 * whose refcount is above 1).  Returns 0 if it was delivered, 1 if the
 * peer's owner took a request without delivering it (answered it with
 * an error, or held it for later: the router does not wait for the
 * peer to answer it), or -1 with errno if the peer can no longer be
 * reached.
 */
typedef int (*peer_send_f)(struct peer *p, flux_msg_t *msg, void *arg);

struct router *router_create (struct broker *ctx);
void router_destroy (struct router *router);

/* Add a peer identified by 'uuid' with connection credentials 'cred'.
 * Returns the peer (owned by the router) or NULL with errno.
 */
struct peer *router_peer_add (struct router *router,
                              const char *uuid,
                              enum peer_type type,
                              struct flux_msg_cred cred,
                              peer_send_f send,
                              void *arg);

/* The peer is gone: route nothing more to it, drop its subscriptions and
 * its dynamic services, and send one PREFIX.disconnect request to each
 * service it used.  The peer is freed later, on the next reactor
 * iteration, so it is safe to call from the peer's own callbacks.
 */
void router_peer_remove (struct peer *p);

/* router_peer_remove(), for a peer that is lost rather than gone: the
 * requests it holds fail with 'errnum' (and 'text', may be NULL) where
 * a removed peer's fail with ENOSYS (the overlay: EHOSTUNREACH).
 */
void router_peer_lost (struct peer *p, int errnum, const char *text);

/* Send msg (consumed) to p as the router would, without routing it.
 * Returns p's send result.
 */
int router_peer_send (struct peer *p, flux_msg_t *msg);

struct peer *router_peer_lookup (struct router *router, const char *uuid);
const char *router_peer_uuid (struct peer *p);
/* Loop time the router last received a message from the peer. */
double router_peer_last_rx (struct peer *p);
/* A muted peer receives no requests (they fail with ENOSYS) and no
 * events; responses still reach it.
 */
void router_peer_mute (struct peer *p);

/* Deliver request 'msg' (consumed) to 'dest' as router_recv would
 * have, waiting for its answer (see router.c): for requests a peer's
 * owner held (its send returned 1) and hands on now.
 */
void router_deliver (struct peer *dest, flux_msg_t *msg);

/* Answer every request 'p' holds (delivered, not yet answered) with
 * 'errnum' and 'text', now, as router_peer_remove() would with ENOSYS.
 */
void router_peer_fail_held (struct peer *p, int errnum, const char *text);

/* A request delivered to 'p' comes back to the broker unanswered
 * (a module hands back what it had queued): 'p' holds it no more.
 */
void router_forget (struct peer *p, const flux_msg_t *req);

/* Route a message received from peer 'from' (consumes msg).  Ingress
 * credentials must already be stamped.
 */
void router_recv (struct peer *from, flux_msg_t *msg);

/* Route what waits on 'h', the broker's end of p's channel, as from p:
 * up to 64 messages, one reactor turn's worth, so that one busy peer
 * cannot starve the others (the handle watcher calls again while more
 * wait).  'take', if not NULL, sees each message first and returns true
 * if it consumed it.  Returns 0 once the channel is empty or 64 were
 * taken, or -1 with errno if receiving failed.
 */
int router_recv_from (struct peer *p, flux_t *h,
                      bool (*take)(flux_msg_t *msg, void *arg), void *arg);

/* The credential of what the broker itself sends, and of its trusted
 * peers: the instance owner's uid, with roles OWNER|LOCAL.
 */
struct flux_msg_cred router_owner_cred (void);

/* 'msg' (consumed) as one its holder may change, for a peer_send_f about
 * to modify it (pop a route, stamp a credential): msg itself if no one
 * else holds a reference, else a copy.  NULL with errno if out of memory.
 */
flux_msg_t *router_msg_own (flux_msg_t *msg);

/* The broker is exiting, its modules gone: answer every request its own
 * services still hold with ENOSYS "broker is shutting down", and so any
 * request for them from now on; drop what they send after that.
 */
void router_close (struct router *router);

/* Event subscriptions of a peer: prefix matches, counted.  subscribe
 * fails with EINVAL for a topic over broker.max-topic-length and ENOSPC
 * for a new topic when the peer holds broker.max-subscriptions;
 * unsubscribe with ENOENT for a topic the peer does not hold.
 */
int router_subscribe (struct peer *p, const char *topic);
int router_unsubscribe (struct peer *p, const char *topic);

/* Give 'msg' (an event, consumed) the next sequence number and send a
 * copy to every subscriber, and down the tree.  Returns the sequence
 * number or -1.  Only rank 0 sequences: on another rank the event goes
 * to the parent as it is, and 0 is returned.
 */
int router_publish (struct router *router, flux_msg_t *msg);

/* Deliver event msg (consumed), already sequenced by rank 0, to this
 * broker's subscribers and down the tree (the overlay's children).
 */
void router_distribute (struct router *router, flux_msg_t *msg);

#endif /* !BROKER_ROUTER_H */
