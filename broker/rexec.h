/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The rexec service: run commands for flux exec (see rexec.c). */
#ifndef BROKER_REXEC_H
#define BROKER_REXEC_H

#include "broker.h"

struct rexec;

/* Register rexec.* on ctx->h.  NULL with errno on failure. */
struct rexec *rexec_create (struct broker *ctx);

/* Kill what still runs (SIGKILL to each process group) and reap it.
 * NULL-safe.
 */
void rexec_destroy (struct rexec *rx);

#endif /* !BROKER_REXEC_H */
