/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_BROKERCFG_H
#define BROKER_BROKERCFG_H

#include <stdbool.h>
#include <jansson.h>
#include <flux/core.h>

#include "broker.h"

struct brokercfg;

/* The instance configuration: one JSON object, read at start-up from
 * the TOML files of 'path' (flux-broker -c PATH, or $FLUX_CONF_DIR; NULL
 * for none: then it is {}), then updated by each of 'values'
 * (--conf=VALUE, flux_conf_update).  Sets the config.path attribute to
 * 'path'.  Checks the parts the broker itself reads ([access]).  NULL
 * on failure with errno and the reason in 'error', e.g.
 * "Config file error: conf/a.toml:3: expected '='".
 */
struct brokercfg *brokercfg_create (struct broker *ctx,
                                    const char *path,
                                    const char **values,
                                    int nvalues,
                                    flux_error_t *error);
void brokercfg_destroy (struct brokercfg *cfg);

/* Cache the configuration on the broker's handle (flux_get_conf) and
 * serve config.get (open to guests, streaming as flux-core's),
 * config.reload and config.load (owner), and broker.config-reload,
 * which must override the default method: call after
 * flux_module_register_default_methods (h, "broker").
 */
int brokercfg_register_handlers (struct brokercfg *cfg, flux_t *h);

/* The current configuration object (borrowed, valid until the next
 * update): what each module is given in its welcome.
 */
json_t *brokercfg_get (struct brokercfg *cfg);

/* Guest access, [access] allow-guest-user and allow-root-owner, unless
 * the attribute of the same name (access.allow-guest-user...) is set on
 * the command line, which then decides, as before configuration files.
 */
bool brokercfg_allow_guest_user (struct brokercfg *cfg);
bool brokercfg_allow_root_owner (struct brokercfg *cfg);

#endif /* !BROKER_BROKERCFG_H */
