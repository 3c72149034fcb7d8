/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_RUNLEVEL_H
#define BROKER_RUNLEVEL_H

#include "broker.h"

struct runlevel;

/* The instance's life, as flux-core's broker runs it: rc1 (start-up),
 * then the initial program (rc2) if rc1 succeeded, then rc3 (shut-down)
 * in every case.  rc1 and rc3 are shell command lines, run as
 * $SHELL -c LINE, NULL or "" for none; argv is the initial program
 * (argc may be 0 for $SHELL).  Each gets FLUX_URI=uri.  When rc3 is
 * done, broker_shutdown() is called with the instance's exit code:
 * rc1's if it failed, else the initial program's, else rc3's.
 *
 * Nothing runs until the reactor does.  Returns NULL with errno if the
 * watchers cannot be created; a command that cannot start is logged
 * and counts as a failure (exit code 1), as in flux-core.
 */
struct runlevel *runlevel_create (struct broker *ctx,
                                  const char *rc1,
                                  int argc,
                                  char **argv,
                                  const char *rc3,
                                  const char *uri);
void runlevel_destroy (struct runlevel *rl);

/* A module failed at run time: the exit code becomes 1, rc1 is aborted
 * (SIGHUP) or the initial program killed (SIGKILL, with its process
 * group if it has its own); rc3 still runs.
 */
void runlevel_panic (struct runlevel *rl);

/* A broker of rank > 0 runs no initial program: it serves at level 2
 * until its parent shuts down (it watches the parent's state, as
 * flux-core's brokers do, state_machine.c), when the broker calls this;
 * then it goes on to shut down as rank 0 does (its children first, rc3,
 * goodbye).  Rank 0 ignores it.
 */
void runlevel_stop (struct runlevel *rl);

#endif /* !BROKER_RUNLEVEL_H */
