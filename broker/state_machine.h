/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The broker's state, numbered and named as flux-core v0.88's broker
 * numbers its states, and the state-machine service that reports it:
 * flux-core's child brokers watch their parent with it (and so do ours),
 * so that a tree may mix the two.
 *
 *   state-machine.monitor {"final"?:i}  (owner; streaming optional)
 *     {"state":i} now and at each change; ENODATA after the final state
 *     (default EXIT), or at once if the broker is past it
 *   state-machine.get  (user)  {"state":s, "duration":f}
 *   state-machine.wait (user)  answered once the broker is in RUN;
 *     ENOENT once it is past RUN
 *
 * The run levels (runlevel.c) set the state; the states a broker of
 * ours goes through: JOIN (joining the parent, before the reactor runs),
 * INIT (rc1), QUORUM (rank 0: waiting for the whole tree), RUN (the
 * initial program on rank 0; serving, elsewhere), CLEANUP (removing the
 * modules loaded since rc1), SHUTDOWN (waiting for the children to
 * leave), FINALIZE (rc3), GOODBYE (leaving the parent), EXIT.
 */
#ifndef BROKER_STATE_MACHINE_H
#define BROKER_STATE_MACHINE_H

#include "broker.h"

enum broker_state {
    STATE_LOAD_BUILTINS = 0,
    STATE_JOIN = 1,
    STATE_CONFIG_SYNC = 2,
    STATE_INIT = 3,
    STATE_QUORUM = 4,
    STATE_RUN = 5,
    STATE_CLEANUP = 6,
    STATE_SHUTDOWN = 7,
    STATE_FINALIZE = 8,
    STATE_GOODBYE = 9,
    STATE_UNLOAD_BUILTINS = 10,
    STATE_EXIT = 11,
};

struct state_machine;

/* In STATE_JOIN, with the handlers registered on ctx->h. */
struct state_machine *state_machine_create (struct broker *ctx);
void state_machine_destroy (struct state_machine *sm);

/* Enter 'state' (logged, and told to every monitor). */
void state_machine_set (struct state_machine *sm, enum broker_state state);

enum broker_state state_machine_get (struct state_machine *sm);

/* On a broker of rank > 0: watch the parent's state
 * (state-machine.monitor, UPSTREAM, final SHUTDOWN), and call cb(arg)
 * once the parent is in SHUTDOWN or past it.
 */
int state_machine_monitor_parent (struct state_machine *sm,
                                  void (*cb)(void *arg), void *arg);

#endif /* !BROKER_STATE_MACHINE_H */

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
