/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Bootstrap from a simple PMI server (flux start --test-size, or any
 * launcher that sets PMI_FD, PMI_RANK and PMI_SIZE), as flux-core's
 * boot_pmi.c does: each broker publishes a business card under its
 * rank, {"host":s, "pubkey":s, "uri":[s...]}, and reads its parent's
 * (where to connect, whose CURVE key to expect) and its children's
 * (whose keys to admit).
 */
#ifndef BROKER_BOOT_PMI_H
#define BROKER_BOOT_PMI_H

#include <flux/core.h>

#include "broker.h"

struct boot_pmi;

/* Connect to the PMI server if the environment names one: sets the
 * rank and size attributes.  Returns 0 with *bp NULL if there is none
 * (a singleton), 0 with *bp set, or -1 with the reason in 'error'.
 */
int boot_pmi_init (struct broker *ctx, struct boot_pmi **bp,
                   flux_error_t *error);

/* Exchange business cards and wire the overlay (ctx->overlay, created
 * and bound): its parent's endpoint and key, its children's keys, and
 * the hostlist attribute.  Returns 0, or -1 with 'error'.
 */
int boot_pmi_exchange (struct broker *ctx, struct boot_pmi *bp,
                       flux_error_t *error);

/* Finalize and close.  NULL-safe. */
void boot_pmi_destroy (struct boot_pmi *bp);

#endif /* !BROKER_BOOT_PMI_H */

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
