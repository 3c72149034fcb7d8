/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_RUNLEVEL_H
#define BROKER_RUNLEVEL_H

#include "broker.h"

struct runlevel;

/* Start the initial program: argv (argc may be 0 for $SHELL) with
 * FLUX_URI=uri.  When it exits, broker_shutdown() is called with its
 * exit code.  SIGINT and SIGTERM to the broker are forwarded to it; a
 * second one kills it.  Returns NULL with errno if it cannot start.
 */
struct runlevel *runlevel_create (struct broker *ctx, int argc, char **argv,
                                  const char *uri);
void runlevel_destroy (struct runlevel *rl);

/* Kill the initial program (and its process group, if it has its own)
 * with 'signum'.  No-op once it has exited.
 */
void runlevel_kill (struct runlevel *rl, int signum);

/* True while the initial program is running. */
bool runlevel_running (struct runlevel *rl);

#endif /* !BROKER_RUNLEVEL_H */
