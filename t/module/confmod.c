/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* confmod: a C module that reads the instance configuration.
 *
 *   confmod.get            -> the config object cached on the module's
 *                             handle (flux_get_conf), as it stands now
 *   confmod.value          -> {value} of [confmod] value (an integer),
 *                             read with flux_conf_unpack, or ENOENT
 *
 * With argument --strict, the module overrides confmod.config-reload:
 * it refuses a configuration whose [confmod] value is negative with
 * EINVAL "value must be >= 0", as a module author checks a new config
 * before taking it; otherwise it takes it (flux_set_conf_new).
 */
#include <errno.h>
#include <string.h>
#include <jansson.h>
#include <flux/core.h>

static void get_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    json_t *o;

    (void)mh;
    (void)arg;
    if (flux_conf_unpack (flux_get_conf (h), NULL, "o", &o) < 0
        || flux_respond_pack (h, msg, "O", o) < 0)
        flux_respond_error (h, msg, errno, NULL);
}

static void value_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    flux_error_t error;
    int value;

    (void)mh;
    (void)arg;
    if (flux_conf_unpack (flux_get_conf (h), &error, "{s:{s:i}}",
                          "confmod", "value", &value) < 0) {
        flux_respond_error (h, msg, ENOENT, error.text);
        return;
    }
    flux_respond_pack (h, msg, "{s:i}", "value", value);
}

static void reload_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    flux_conf_t *conf;
    int value = 0;

    (void)mh;
    (void)arg;
    if (flux_module_config_request_decode (msg, &conf) < 0) {
        flux_respond_error (h, msg, errno, NULL);
        return;
    }
    if (flux_conf_unpack (conf, NULL, "{s?{s?i}}",
                          "confmod", "value", &value) < 0 || value < 0) {
        flux_conf_decref (conf);
        flux_respond_error (h, msg, EINVAL, "value must be >= 0");
        return;
    }
    if (flux_set_conf_new (h, conf) < 0) {
        flux_conf_decref (conf);
        flux_respond_error (h, msg, errno, NULL);
        return;
    }
    flux_respond (h, msg, NULL);
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "confmod.get", get_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "confmod.value", value_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

static const struct flux_msg_handler_spec strict_htab[] = {
    { FLUX_MSGTYPE_REQUEST, "confmod.config-reload", reload_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

int mod_main (flux_t *h, int argc, char **argv)
{
    flux_msg_handler_t **handlers = NULL;
    flux_msg_handler_t **strict = NULL;
    int rc = -1;

    if (flux_msg_handler_addvec (h, htab, NULL, &handlers) < 0)
        goto done;
    if (argc > 0 && !strcmp (argv[0], "--strict")
        && flux_msg_handler_addvec (h, strict_htab, NULL, &strict) < 0)
        goto done;
    rc = flux_reactor_run (flux_get_reactor (h), 0) < 0 ? -1 : 0;
done:
    flux_msg_handler_delvec (strict);
    flux_msg_handler_delvec (handlers);
    return rc;
}
