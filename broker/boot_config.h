/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Bootstrap from the configuration's [bootstrap] table, as flux-core's
 * config boot (see boot_config.c).
 */
#ifndef BROKER_BOOT_CONFIG_H
#define BROKER_BOOT_CONFIG_H

#include <jansson.h>
#include <flux/core.h>

#include "broker.h"

struct boot_config;

/* If the configuration has a [bootstrap] table, read it and set the rank
 * and size attributes (*bc set); else 0 with *bc NULL.  Returns -1 with
 * the reason in 'error' (a key it does not know, a host name not in
 * hosts...).
 */
int boot_config_init (struct broker *ctx, struct boot_config **bc,
                      flux_error_t *error);

/* The hosts, expanded, for a custom topology (their parent keys); NULL
 * for an instance of one.  Owned by bc.
 */
json_t *boot_config_hosts (struct boot_config *bc);

/* Load the certificate and wire the overlay (ctx->overlay): bind to this
 * rank's bind URI, admit the certificate's key, connect to the parent's
 * connect URI; tbon.endpoint and hostlist.  Returns 0, or -1 with
 * 'error'.
 */
int boot_config_exchange (struct broker *ctx, struct boot_config *bc,
                          flux_error_t *error);

/* NULL-safe. */
void boot_config_destroy (struct boot_config *bc);

#endif /* !BROKER_BOOT_CONFIG_H */
