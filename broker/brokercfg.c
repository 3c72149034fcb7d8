/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The instance configuration and the config service.
 *
 * The configuration is read from TOML files once at start-up (before the
 * rundir exists, so a bad file leaves nothing behind) and cached on the
 * broker's handle, where flux_get_conf() finds it and from where each
 * module is given a copy in its welcome.
 *
 * config.reload (re-read the files) and config.load (a new object from
 * the request) update the instance as flux-core's config module does:
 * each loaded module, in module.list order, is sent NAME.config-reload
 * with the new object; a module without the method (ENOSYS) is skipped;
 * the first module to refuse stops the update, the modules already
 * updated are sent the old object back, and the request fails with
 * "error updating NAME: its reason".  Then the broker applies it (its
 * own part, [access], was checked before any module was asked) and
 * streaming config.get requests get the new object.  The broker cannot
 * wait for responses on its own reactor, so the update is a chain of
 * continuations; one runs at a time (another request meanwhile fails
 * with EBUSY).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "brokercfg.h"
#include "attr.h"
#include "errprintf.h"

struct update;

struct brokercfg {
    struct broker *ctx;
    flux_t *h;
    char *path;
    flux_conf_t *conf;          /* until the handle holds it */
    bool allow_guest_user;
    bool allow_root_owner;
    flux_msg_handler_t **handlers;
    struct flux_msglist *getters;
    struct update *update;      /* the update under way, if any */
};

struct update {
    struct brokercfg *cfg;
    const flux_msg_t *msg;      /* the config.reload/load request */
    flux_conf_t *conf;          /* the new configuration */
    bool allow_guest_user;
    bool allow_root_owner;
    json_t *names;              /* modules to update */
    size_t next;                /* index in names of the one asked now */
    flux_future_t *f;
};

/* The [access] table, as flux-core's connector-local reads it: booleans,
 * false when missing, no other keys (private-mode is accepted, as
 * flux-core's job-list reads it; it changes nothing here).
 */
static int parse_access (const flux_conf_t *conf, bool *guest, bool *root,
                         flux_error_t *error)
{
    flux_error_t e;
    int allow_guest_user = 0;
    int allow_root_owner = 0;
    int private_mode = 0;

    if (flux_conf_unpack (conf,
                          &e,
                          "{s?{s?b s?b s?b !}}",
                          "access",
                            "allow-guest-user", &allow_guest_user,
                            "allow-root-owner", &allow_root_owner,
                            "private-mode", &private_mode) < 0) {
        errprintf (error, "error parsing [access] configuration: %s",
                   e.text);
        errno = EINVAL;
        return -1;
    }
    *guest = allow_guest_user;
    *root = allow_root_owner;
    return 0;
}

static json_t *conf_obj (const flux_conf_t *conf)
{
    json_t *o = NULL;

    (void)flux_conf_unpack (conf, NULL, "o", &o);
    return o;
}

static const flux_conf_t *current_conf (struct brokercfg *cfg)
{
    return cfg->h ? flux_get_conf (cfg->h) : cfg->conf;
}

json_t *brokercfg_get (struct brokercfg *cfg)
{
    return conf_obj (current_conf (cfg));
}

static bool allow (struct brokercfg *cfg, const char *attr, bool conf)
{
    if (attrs_get (cfg->ctx->attrs, attr, NULL))
        return attrs_get_bool (cfg->ctx->attrs, attr);
    return conf;
}

bool brokercfg_allow_guest_user (struct brokercfg *cfg)
{
    return allow (cfg, "access.allow-guest-user", cfg->allow_guest_user);
}

bool brokercfg_allow_root_owner (struct brokercfg *cfg)
{
    return allow (cfg, "access.allow-root-owner", cfg->allow_root_owner);
}

/* Make 'conf' (its reference taken) the broker's configuration. */
static int apply (struct brokercfg *cfg, flux_conf_t *conf, bool guest,
                  bool root)
{
    const flux_msg_t *msg;

    if (flux_set_conf_new (cfg->h, conf) < 0) {
        flux_conf_decref (conf);
        return -1;
    }
    cfg->allow_guest_user = guest;
    cfg->allow_root_owner = root;
    flux_log (cfg->h, LOG_DEBUG, "configuration updated");
    for (msg = flux_msglist_first (cfg->getters); msg;
         msg = flux_msglist_next (cfg->getters)) {
        if (flux_respond_pack (cfg->h, msg, "O", conf_obj (conf)) < 0)
            flux_log_error (cfg->h, "error responding to config.get");
    }
    return 0;
}

static void respond_error (flux_t *h, const flux_msg_t *msg, int errnum,
                           const char *text, const char *topic)
{
    if (flux_respond_error (h, msg, errnum, text) < 0)
        flux_log_error (h, "error responding to %s", topic);
}

/* Updates */

static void update_destroy (struct update *u)
{
    if (u) {
        int saved_errno = errno;
        if (u->cfg && u->cfg->update == u)
            u->cfg->update = NULL;
        flux_future_destroy (u->f);
        flux_msg_decref (u->msg);
        flux_conf_decref (u->conf);
        json_decref (u->names);
        free (u);
        errno = saved_errno;
    }
}

static void update_fail (struct update *u, int errnum, const char *text)
{
    respond_error (u->cfg->h, u->msg, errnum, text, "config update");
    update_destroy (u);
}

static void revert_continuation (flux_future_t *f, void *arg)
{
    const char *name = arg;

    if (flux_future_get (f, NULL) < 0 && errno != ENOSYS)
        flux_log (flux_future_get_flux (f), LOG_ERR,
                  "error reverting %s: %s", name,
                  flux_future_error_string (f) ? flux_future_error_string (f)
                                               : strerror (errno));
    flux_future_destroy (f);
}

/* Send the current (old) configuration back to the modules before
 * u->next, which took the new one.  Each answer is only logged.
 */
static void revert (struct update *u)
{
    flux_t *h = u->cfg->h;
    json_t *old = conf_obj (flux_get_conf (h));

    for (size_t i = 0; i < u->next; i++) {
        const char *name = json_string_value (json_array_get (u->names, i));
        char topic[256];
        flux_future_t *f;
        char *arg = NULL;

        (void)snprintf (topic, sizeof (topic), "%s.config-reload", name);
        if (!(f = flux_rpc_pack (h, topic, FLUX_NODEID_ANY, 0, "O", old)))
            goto fail;
        if (!(arg = strdup (name))
            || flux_future_aux_set (f, "name", arg, free) < 0) {
            free (arg);
            goto fail;
        }
        if (flux_future_then (f, -1., revert_continuation, arg) < 0)
            goto fail;
        continue;
fail:
        flux_log_error (h, "error reverting %s", name);
        flux_future_destroy (f);
    }
}

static void update_next (struct update *u);

static void module_continuation (flux_future_t *f, void *arg)
{
    struct update *u = arg;
    const char *name = json_string_value (json_array_get (u->names, u->next));
    flux_error_t error;

    if (flux_future_get (f, NULL) < 0 && errno != ENOSYS) {
        int errnum = errno;
        const char *text = flux_future_error_string (f);
        errprintf (&error, "error updating %s: %s", name,
                   text ? text : strerror (errnum));
        revert (u);
        update_fail (u, errnum, error.text);
        return;
    }
    flux_future_destroy (f);
    u->f = NULL;
    u->next++;
    update_next (u);
}

/* Ask the next module, or, when all have agreed, apply and answer. */
static void update_next (struct update *u)
{
    struct brokercfg *cfg = u->cfg;
    char topic[256];
    const char *name;

    if (u->next < json_array_size (u->names)) {
        name = json_string_value (json_array_get (u->names, u->next));
        if (snprintf (topic, sizeof (topic), "%s.config-reload", name)
                >= (int)sizeof (topic)) {
            update_fail (u, EOVERFLOW, "module name too long");
            return;
        }
        if (!(u->f = flux_rpc_pack (cfg->h, topic, FLUX_NODEID_ANY, 0,
                                    "O", conf_obj (u->conf)))
            || flux_future_then (u->f, -1., module_continuation, u) < 0) {
            int errnum = errno;
            revert (u);
            update_fail (u, errnum, NULL);
        }
        return;
    }
    if (apply (cfg, u->conf, u->allow_guest_user, u->allow_root_owner) < 0) {
        u->conf = NULL;
        update_fail (u, errno, "error caching the configuration");
        return;
    }
    u->conf = NULL;
    if (flux_respond (cfg->h, u->msg, NULL) < 0)
        flux_log_error (cfg->h, "error responding to config update");
    update_destroy (u);
}

static void list_continuation (flux_future_t *f, void *arg)
{
    struct update *u = arg;
    json_t *mods;
    json_t *entry;
    size_t i;

    if (flux_rpc_get_unpack (f, "{s:o}", "mods", &mods) < 0
        || !json_is_array (mods)) {
        update_fail (u, errno ? errno : EPROTO, "module.list failed");
        return;
    }
    if (!(u->names = json_array ()))
        goto nomem;
    json_array_foreach (mods, i, entry) {
        json_t *name = json_object_get (entry, "name");
        if (!json_is_string (name)) {
            update_fail (u, EPROTO, "malformed module.list response");
            return;
        }
        if (json_array_append (u->names, name) < 0)
            goto nomem;
    }
    flux_future_destroy (f);
    u->f = NULL;
    update_next (u);
    return;
nomem:
    update_fail (u, ENOMEM, NULL);
}

static bool conf_equal (const flux_conf_t *a, const flux_conf_t *b)
{
    return json_equal (conf_obj (a), conf_obj (b));
}

/* Begin updating the instance to 'conf' (its reference taken), answering
 * 'msg' when done.
 */
static void update_start (struct brokercfg *cfg, const flux_msg_t *msg,
                          flux_conf_t *conf)
{
    struct update *u;
    flux_error_t error;
    bool guest, root;

    if (conf_equal (conf, flux_get_conf (cfg->h))) {
        flux_conf_decref (conf);
        if (flux_respond (cfg->h, msg, NULL) < 0)
            flux_log_error (cfg->h, "error responding to config update");
        return;
    }
    if (parse_access (conf, &guest, &root, &error) < 0) {
        flux_conf_decref (conf);
        char text[sizeof (error.text) + 32];
        (void)snprintf (text, sizeof (text), "error updating broker: %s",
                        error.text);
        respond_error (cfg->h, msg, EINVAL, text, "config update");
        return;
    }
    if (cfg->update) {
        flux_conf_decref (conf);
        respond_error (cfg->h, msg, EBUSY,
                       "a configuration update is already in progress",
                       "config update");
        return;
    }
    if (!(u = calloc (1, sizeof (*u)))) {
        flux_conf_decref (conf);
        respond_error (cfg->h, msg, ENOMEM, NULL, "config update");
        return;
    }
    u->cfg = cfg;
    u->msg = flux_msg_incref (msg);
    u->conf = conf;
    u->allow_guest_user = guest;
    u->allow_root_owner = root;
    cfg->update = u;
    if (!(u->f = flux_rpc (cfg->h, "module.list", NULL, FLUX_NODEID_ANY, 0))
        || flux_future_then (u->f, -1., list_continuation, u) < 0)
        update_fail (u, errno, "module.list failed");
}

/* Handlers */

static void get_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    struct brokercfg *cfg = arg;

    (void)mh;
    if (flux_request_decode (msg, NULL, NULL) < 0)
        goto error;
    if (flux_respond_pack (h, msg, "O", brokercfg_get (cfg)) < 0)
        flux_log_error (h, "error responding to config.get");
    /* A streaming request gets every later configuration too. */
    if (flux_msg_is_streaming (msg)
        && flux_msglist_append (cfg->getters, msg) < 0)
        goto error;
    return;
error:
    respond_error (h, msg, errno, NULL, "config.get");
}

static void disconnect_cb (flux_t *h, flux_msg_handler_t *mh,
                           const flux_msg_t *msg, void *arg)
{
    struct brokercfg *cfg = arg;

    (void)h;
    (void)mh;
    (void)flux_msglist_disconnect (cfg->getters, msg);
}

static void reload_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    struct brokercfg *cfg = arg;
    flux_error_t error;
    char text[sizeof (error.text) + 32];
    flux_conf_t *conf;

    (void)mh;
    if (flux_request_decode (msg, NULL, NULL) < 0) {
        respond_error (h, msg, errno, NULL, "config.reload");
        return;
    }
    /* N.B. as flux-core: without a config path there is nothing to
     * re-read, and that is not an error.
     */
    if (!cfg->path) {
        if (flux_respond (h, msg, NULL) < 0)
            flux_log_error (h, "error responding to config.reload");
        return;
    }
    if (!(conf = flux_conf_parse (cfg->path, &error))) {
        int errnum = errno;
        (void)snprintf (text, sizeof (text), "Config file error: %s",
                        error.text);
        respond_error (h, msg, errnum, text, "config.reload");
        return;
    }
    update_start (cfg, msg, conf);
}

static void load_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct brokercfg *cfg = arg;
    json_t *o;
    flux_conf_t *conf;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "o", &o) < 0
        || !json_is_object (o)
        || !(conf = flux_conf_pack ("O", o))) {
        respond_error (h, msg, EPROTO, "error decoding config.load request",
                       "config.load");
        return;
    }
    update_start (cfg, msg, conf);
}

/* The broker's own part of an update (overrides the default method,
 * which would skip the [access] check).
 */
static void broker_reload_cb (flux_t *h, flux_msg_handler_t *mh,
                              const flux_msg_t *msg, void *arg)
{
    struct brokercfg *cfg = arg;
    flux_conf_t *conf;
    flux_error_t error;
    bool guest, root;

    (void)mh;
    if (flux_module_config_request_decode (msg, &conf) < 0) {
        respond_error (h, msg, errno, "Failed to parse broker.config-reload "
                       "request", "broker.config-reload");
        return;
    }
    if (parse_access (conf, &guest, &root, &error) < 0) {
        flux_conf_decref (conf);
        respond_error (h, msg, EINVAL, error.text, "broker.config-reload");
        return;
    }
    if (apply (cfg, conf, guest, root) < 0) {
        respond_error (h, msg, errno, NULL, "broker.config-reload");
        return;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to broker.config-reload");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "config.get", get_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "config.disconnect", disconnect_cb,
      FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "config.reload", reload_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "config.load", load_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "broker.config-reload", broker_reload_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

struct brokercfg *brokercfg_create (struct broker *ctx,
                                    const char *path,
                                    const char **values,
                                    int nvalues,
                                    flux_error_t *error)
{
    struct brokercfg *cfg;
    flux_error_t e;

    if (!(cfg = calloc (1, sizeof (*cfg)))
        || !(cfg->getters = flux_msglist_create ()))
        goto nomem;
    cfg->ctx = ctx;
    if (path) {
        if (!(cfg->conf = flux_conf_parse (path, &e))) {
            errprintf (error, "Config file error: %s", e.text);
            goto error;
        }
        if (!(cfg->path = strdup (path)))
            goto nomem;
        if (attrs_set_internal (ctx->attrs, "config.path", path) < 0) {
            errprintf (error, "setattr config.path: %s", strerror (errno));
            goto error;
        }
    }
    else if (!(cfg->conf = flux_conf_create ()))
        goto nomem;
    for (int i = 0; i < nvalues; i++) {
        if (flux_conf_update (cfg->conf, values[i], &e) < 0) {
            errprintf (error, "--conf: %s", e.text);
            goto error;
        }
    }
    if (parse_access (cfg->conf, &cfg->allow_guest_user,
                      &cfg->allow_root_owner, error) < 0)
        goto error;
    return cfg;
nomem:
    errno = ENOMEM;
    errprintf (error, "%s", strerror (ENOMEM));
error:
    brokercfg_destroy (cfg);
    return NULL;
}

int brokercfg_register_handlers (struct brokercfg *cfg, flux_t *h)
{
    if (flux_set_conf_new (h, cfg->conf) < 0)
        return -1;
    cfg->conf = NULL;
    cfg->h = h;
    return flux_msg_handler_addvec (h, htab, cfg, &cfg->handlers);
}

void brokercfg_destroy (struct brokercfg *cfg)
{
    if (cfg) {
        int saved_errno = errno;
        const flux_msg_t *msg;
        if (cfg->update)
            update_fail (cfg->update, ENOSYS, "broker is shutting down");
        if (cfg->h) {
            while ((msg = flux_msglist_pop (cfg->getters))) {
                respond_error (cfg->h, msg, ENODATA, NULL, "config.get");
                flux_msg_decref (msg);
            }
        }
        flux_msglist_destroy (cfg->getters);
        flux_msg_handler_delvec (cfg->handlers);
        flux_conf_decref (cfg->conf);
        free (cfg->path);
        free (cfg);
        errno = saved_errno;
    }
}
