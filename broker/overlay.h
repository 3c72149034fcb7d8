/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The overlay: this broker's links to its parent and children in the
 * tree of brokers (TBON), on ZeroMQ as flux-core's overlay makes them,
 * so that the two can share a tree.
 *
 * Toward the children a ROUTER is bound, the CURVE server, admitting
 * only the keys it was given (a ZAP handler); toward the parent a
 * DEALER connects, its identity the broker's uuid, the parent's key
 * expected.  A child joins with overlay.hello (flux-core's version
 * check), leaves with overlay.goodbye; a message from a peer that has
 * not joined is answered with a DISCONNECT control message.  Each link
 * is a peer of the router (router.c), which routes requests by rank
 * (overlay_route) and events down the tree (overlay_mcast).
 */
#ifndef BROKER_OVERLAY_H
#define BROKER_OVERLAY_H

#include <flux/core.h>

#include "broker.h"

struct overlay;
struct peer;

/* flux-core's subtree states (flux overlay status). */
enum {
    SUBTREE_UNKNOWN = 0,
    SUBTREE_FULL = 1,
    SUBTREE_PARTIAL = 2,
    SUBTREE_DEGRADED = 3,
    SUBTREE_LOST = 4,
    SUBTREE_OFFLINE = 5,
};

/* flux-core's control message types. */
enum {
    OVERLAY_CONTROL_HEARTBEAT = 0,
    OVERLAY_CONTROL_STATUS = 1,
    OVERLAY_CONTROL_DISCONNECT = 2,
};

/* The overlay of a broker of rank 'rank' in ctx->topo, with a fresh
 * CURVE key pair.  Returns NULL with the reason in 'error'.
 */
struct overlay *overlay_create (struct broker *ctx, flux_error_t *error);
void overlay_destroy (struct overlay *ov);

/* Use this key pair instead (a config-booted instance's certificate). */
int overlay_set_cert (struct overlay *ov, const char *pubkey,
                      const char *seckey, flux_error_t *error);

/* If the rank has children, bind its ROUTER to 'uri', or by default to
 * ipc://RUNDIR/tbon-RANK, which becomes tbon.endpoint.  Returns 0, or
 * -1 with 'error'.
 */
int overlay_bind (struct overlay *ov, const char *uri, flux_error_t *error);

/* The endpoint children connect to (NULL if there are none), and this
 * broker's public key (Z85).
 */
const char *overlay_bind_uri (struct overlay *ov);
const char *overlay_pubkey (struct overlay *ov);

/* Admit the child 'rank' whose public key is 'pubkey'. */
int overlay_authorize (struct overlay *ov, int rank, const char *pubkey,
                       flux_error_t *error);

/* Where the parent listens and its key (tbon.parent-endpoint). */
int overlay_set_parent (struct overlay *ov, const char *uri,
                        const char *pubkey, flux_error_t *error);

/* Connect to the parent and join (overlay.hello), waiting up to
 * tbon.connect_timeout for its answer; then serve the links in the
 * broker's reactor.  Returns 0, or -1 with 'error'.
 */
int overlay_start (struct overlay *ov, flux_error_t *error);

/* The peer a request for 'nodeid' (not this rank) goes to next: the
 * child whose subtree holds it, or the parent.  Returns NULL with
 * errno EHOSTUNREACH if there is no way there (a lost child, a rank
 * past the size, the root asked for an ancestor).
 */
struct peer *overlay_route (struct overlay *ov, uint32_t nodeid);

/* The parent's peer, or NULL at rank 0 (or before the join). */
struct peer *overlay_parent (struct overlay *ov);

/* Send event 'msg' (not consumed, sequenced) to each child online. */
void overlay_mcast (struct overlay *ov, const flux_msg_t *msg);

/* Call cb(arg) once the whole subtree is online.  Returns 1 if waiting,
 * 0 if it is online already (cb is not called).
 */
int overlay_wait_full (struct overlay *ov, void (*cb)(void *arg), void *arg);

/* Refuse new children, and call cb(arg) once no child is online.
 * Returns 1 if waiting, 0 if none is (cb is not called).
 */
int overlay_wait_children (struct overlay *ov, void (*cb)(void *arg),
                           void *arg);

/* Leave the parent (overlay.goodbye) and call cb(arg) when it has
 * answered, or after a few seconds.  Returns 1 if waiting, 0 if there is
 * no parent to leave (cb is not called).
 */
int overlay_goodbye (struct overlay *ov, void (*cb)(void *arg), void *arg);

/* Register overlay.health (streaming: answered again at each change),
 * overlay.topology, overlay.disconnect-subtree and overlay.disconnect on
 * the broker's handle.
 */
int overlay_register_handlers (struct overlay *ov, flux_t *h);

#endif /* !BROKER_OVERLAY_H */

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
