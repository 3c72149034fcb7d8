/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The broker's context: one per process, owned by main() in broker.c and
 * shared by the parts that make up the broker.  Every part runs on the
 * broker's main thread; only module_thread.c code runs elsewhere, and it
 * touches nothing here.
 */
#ifndef BROKER_BROKER_H
#define BROKER_BROKER_H

#include <uuid/uuid.h>
#include <flux/core.h>

struct attrs;
struct router;
struct services;
struct logbuf;
struct modmgr;
struct listener;
struct runlevel;
struct overlay;
struct rexec;
struct state_machine;

/* What one client, guest or module may make the broker hold (see
 * doc/design.md, "Limits").  Each is an attribute (broker.c, limits[]),
 * settable on the command line and at run time; the parts read them
 * here, on every check.
 */
struct broker_limits {
    size_t max_message_size;    /* broker.max-message-size: one frame */
    size_t client_queue_max;    /* broker.client-queue-max: bytes queued
                                   toward one connection */
    size_t module_queue_max;    /* broker.module-queue-max: messages
                                   queued toward one module */
    size_t max_subscriptions;   /* broker.max-subscriptions: event
                                   subscriptions of one peer */
    size_t max_topic_length;    /* broker.max-topic-length: bytes of a
                                   subscription's topic */
};

struct broker {
    flux_reactor_t *r;
    char uuid[UUID_STR_LEN];
    /* The broker's own services run on 'h', one end of an interthread
     * channel; 'h_router' is the other end, a peer of the router like
     * any module.
     */
    flux_t *h;
    flux_t *h_router;
    flux_watcher_t *h_router_w;
    flux_msg_handler_t **handlers;

    struct attrs *attrs;
    struct brokercfg *config;
    struct router *router;
    struct services *services;
    struct logbuf *logbuf;
    struct modmgr *modmgr;
    struct listener *listener;
    struct runlevel *runlevel;
    struct broker_limits limits;
    struct topology *topo;      /* tbon.c */
    struct overlay *overlay;    /* overlay.c */
    struct rexec *rexec;        /* rexec.c */
    struct state_machine *sm;   /* state_machine.c */
    uint32_t rank;              /* the rank attribute, as a number (0
                                   until a boot method sets it) */

    char *rundir;
    bool rundir_cleanup;
    int exit_rc;
    bool shutting_down;
    bool verbose;
};

/* Stop the reactor and begin shutdown with exit code 'rc' (the first
 * code given wins).  Called when rc3 is done (runlevel.c).
 */
void broker_shutdown (struct broker *ctx, int rc);

/* A module failed at run time and nopanic is not set: abort rc1 or kill
 * the initial program, run rc3, and exit with an error once modules are
 * unloaded.
 */
void broker_panic (struct broker *ctx, const char *reason);

#endif /* !BROKER_BROKER_H */
