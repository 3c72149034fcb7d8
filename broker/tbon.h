/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The broker's place in the tree of brokers: the topology it is part of
 * and the tbon.* attributes that describe it, as flux-core exports them.
 */
#ifndef BROKER_TBON_H
#define BROKER_TBON_H

#include <jansson.h>
#include <flux/core.h>

#include "broker.h"

/* Choose the topology URI and build the tree, once the configuration
 * is read and the size and rank are known.  The URI is, in ascending
 * precedence, "kary:32" ("custom" when the configuration has a
 * [bootstrap] table), [tbon] topo, -S tbon.fanout=K (kary:K) and -S
 * tbon.topo ('hosts', the expanded [bootstrap] hosts or NULL, names
 * the parents of custom).  Sets tbon.topo, tbon.level, tbon.maxlevel and
 * tbon.descendants, and keeps the tree in ctx->topo (tbon_destroy
 * frees it).  Returns 0, or -1 with the reason in 'error' (a
 * configuration error or an invalid URI).
 */
int tbon_setup (struct broker *ctx, json_t *hosts, flux_error_t *error);

/* The rank and size attributes (and ctx->rank), as a boot method found
 * them.  Returns 0, or -1 with 'error'.
 */
int tbon_set_rank_size (struct broker *ctx, int rank, int size,
                        flux_error_t *error);

void tbon_destroy (struct broker *ctx);

#endif /* !BROKER_TBON_H */
