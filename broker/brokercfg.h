/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_BROKERCFG_H
#define BROKER_BROKERCFG_H

#include <jansson.h>
#include <flux/core.h>

#include "broker.h"

struct brokercfg;

/* The instance configuration, one JSON object: what config.get returns
 * and what each module is given in its welcome.  Without configuration
 * files it is {} (as flux-core's without -c).  config.get is open to
 * guests, as flux-core's.
 */
struct brokercfg *brokercfg_create (struct broker *ctx);
void brokercfg_destroy (struct brokercfg *cfg);

/* The current configuration object (borrowed). */
json_t *brokercfg_get (struct brokercfg *cfg);

#endif /* !BROKER_BROKERCFG_H */
