/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* fcmod: a C broker module written the way a flux-core module author
 * writes one, against flux-core's API only: <flux/core.h> (which must
 * also bring stdio, stdlib, string and errno: this file includes no
 * standard header of its own), MOD_NAME, a static handler table
 * registered with flux_msg_handler_addvec_ex under the module's name,
 * the attribute cache, and the config from the welcome.
 *
 * Methods (NAME is "fcmod", or what --name gave):
 *   NAME.args    -> {argc, argv:[s...]}  what mod_main was given
 *   NAME.attrs   -> {names:[s...], values:{name:value}, rank, size}
 *                   the cached attributes, by flux_attr_cache_first/next
 *   NAME.conf    -> the whole config object (flux_get_conf)
 *   NAME.fanout  -> {fanout} from the config's tbon.fanout, or EINVAL
 *                   with flux_conf_unpack's error text
 *   NAME.name    -> {name, default} the service name the table was
 *                   registered under, and whether it is "fcmod" (allowed
 *                   to guests)
 *   NAME.host    -> {host, rank} flux_get_hostbyrank (0), and
 *                   flux_get_rankbyhost of that host
 */
#include <flux/core.h>
#include <jansson.h>

struct fcmod {
    int argc;
    char **argv;
    const char *name;
};

static void args_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct fcmod *ctx = arg;
    json_t *argv;
    (void)mh;

    if (!(argv = json_array ()))
        goto nomem;
    for (int i = 0; i < ctx->argc; i++) {
        if (json_array_append_new (argv, json_string (ctx->argv[i])) < 0) {
            json_decref (argv);
            goto nomem;
        }
    }
    if (flux_respond_pack (h, msg, "{s:i s:o}",
                           "argc", ctx->argc,
                           "argv", argv) < 0)
        flux_log_error (h, "error responding to args");
    return;
nomem:
    if (flux_respond_error (h, msg, ENOMEM, NULL) < 0)
        flux_log_error (h, "error responding to args");
}

static void attrs_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    json_t *names = json_array ();
    json_t *values = json_object ();
    const char *name;
    const char *value;
    uint32_t rank, size;
    (void)mh;
    (void)arg;

    if (!names || !values)
        goto nomem;
    name = flux_attr_cache_first (h);
    while (name) {
        if (!(value = flux_attr_get (h, name)))
            goto error;
        if (json_array_append_new (names, json_string (name)) < 0
            || json_object_set_new (values, name, json_string (value)) < 0)
            goto nomem;
        name = flux_attr_cache_next (h);
    }
    if (flux_get_rank (h, &rank) < 0 || flux_get_size (h, &size) < 0)
        goto error;
    if (flux_respond_pack (h, msg, "{s:O s:O s:i s:i}",
                           "names", names,
                           "values", values,
                           "rank", (int)rank,
                           "size", (int)size) < 0)
        flux_log_error (h, "error responding to attrs");
    json_decref (names);
    json_decref (values);
    return;
nomem:
    errno = ENOMEM;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to attrs");
    json_decref (names);
    json_decref (values);
}

static void conf_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    flux_error_t error;
    json_t *o;
    (void)mh;
    (void)arg;

    if (flux_conf_unpack (flux_get_conf (h), &error, "o", &o) < 0) {
        if (flux_respond_error (h, msg, errno, error.text) < 0)
            flux_log_error (h, "error responding to conf");
        return;
    }
    if (flux_respond_pack (h, msg, "O", o) < 0)
        flux_log_error (h, "error responding to conf");
}

static void fanout_cb (flux_t *h, flux_msg_handler_t *mh,
                       const flux_msg_t *msg, void *arg)
{
    flux_error_t error;
    int fanout;
    (void)mh;
    (void)arg;

    if (flux_conf_unpack (flux_get_conf (h),
                          &error,
                          "{s:{s:i}}",
                          "tbon",
                            "fanout", &fanout) < 0) {
        if (flux_respond_error (h, msg, errno, error.text) < 0)
            flux_log_error (h, "error responding to fanout");
        return;
    }
    if (flux_respond_pack (h, msg, "{s:i}", "fanout", fanout) < 0)
        flux_log_error (h, "error responding to fanout");
}

static void name_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct fcmod *ctx = arg;
    (void)mh;

    /* N.B. strcmp without <string.h>: flux/core.h brings it */
    if (flux_respond_pack (h, msg, "{s:s s:b}",
                           "name", ctx->name,
                           "default", strcmp (ctx->name, "fcmod") == 0) < 0)
        flux_log_error (h, "error responding to name");
}

static void host_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    const char *host = flux_get_hostbyrank (h, 0);
    int rank = flux_get_rankbyhost (h, host);
    (void)mh;
    (void)arg;

    if (flux_respond_pack (h, msg, "{s:s s:i}", "host", host, "rank", rank)
        < 0)
        flux_log_error (h, "error responding to host");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "args", args_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "attrs", attrs_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "conf", conf_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "fanout", fanout_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "name", name_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "host", host_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

int mod_main (flux_t *h, int argc, char **argv)
{
    struct fcmod ctx = { .argc = argc, .argv = argv };
    flux_msg_handler_t **handlers = NULL;
    int rc = -1;

    if (!(ctx.name = flux_aux_get (h, "flux::name"))) {
        flux_log (h, LOG_ERR, "module has no name");
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_handler_addvec_ex (h, ctx.name, htab, &ctx, &handlers) < 0) {
        flux_log_error (h, "flux_msg_handler_addvec_ex");
        return -1;
    }
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0) {
        flux_log_error (h, "flux_reactor_run");
        goto done;
    }
    rc = 0;
done:
    flux_msg_handler_delvec (handlers);
    return rc;
}

MOD_NAME ("fcmod");

// vi:ts=4 sw=4 expandtab
