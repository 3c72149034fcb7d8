/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_SERVICE_H
#define BROKER_SERVICE_H

#include <jansson.h>
#include <flux/core.h>

#include "broker.h"
#include "router.h"

struct services *services_create (struct broker *ctx);
void services_destroy (struct services *svc);

/* Register 'name' to be served by 'owner'.  EEXIST if taken, EINVAL for
 * an empty name or one containing '.'.
 */
int services_add (struct services *svc, const char *name, struct peer *owner);

/* The peer serving 'topic' (the part before the first '.'), or NULL. */
struct peer *services_lookup (struct services *svc, const char *topic);

/* Forget every service owned by 'owner'. */
void services_remove_peer (struct services *svc, struct peer *owner);

/* Names of the services owned by 'owner', 'first' (if owned) first.
 * Caller must json_decref.
 */
json_t *services_list_peer (struct services *svc, struct peer *owner,
                            const char *first);

/* service.add, service.remove */
int services_register_handlers (struct services *svc, flux_t *h);

#endif /* !BROKER_SERVICE_H */
