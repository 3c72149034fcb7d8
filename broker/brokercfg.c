/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The instance configuration and the config.get service. */
#include <errno.h>
#include <stdlib.h>

#include "brokercfg.h"

struct brokercfg {
    json_t *conf;
    flux_msg_handler_t **handlers;
};

static void get_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    struct brokercfg *cfg = arg;

    (void)mh;
    if (flux_request_decode (msg, NULL, NULL) < 0)
        goto error;
    if (flux_respond_pack (h, msg, "O", cfg->conf) < 0)
        flux_log_error (h, "error responding to config.get");
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to config.get");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "config.get", get_cb, FLUX_ROLE_USER },
    FLUX_MSGHANDLER_TABLE_END,
};

struct brokercfg *brokercfg_create (struct broker *ctx)
{
    struct brokercfg *cfg;

    if (!(cfg = calloc (1, sizeof (*cfg))))
        return NULL;
    if (!(cfg->conf = json_object ())) {
        errno = ENOMEM;
        goto error;
    }
    if (flux_msg_handler_addvec (ctx->h, htab, cfg, &cfg->handlers) < 0)
        goto error;
    return cfg;
error:
    brokercfg_destroy (cfg);
    return NULL;
}

void brokercfg_destroy (struct brokercfg *cfg)
{
    if (cfg) {
        int saved_errno = errno;
        flux_msg_handler_delvec (cfg->handlers);
        json_decref (cfg->conf);
        free (cfg);
        errno = saved_errno;
    }
}

json_t *brokercfg_get (struct brokercfg *cfg)
{
    return cfg->conf;
}
