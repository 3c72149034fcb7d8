/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvsmod: a C broker module that uses flux-core's KVS client API, as
 * flux-core's modules do, for t0081.
 *
 *   at load           commits kvsmod.loaded = the module's name, and
 *                     waits for it (a synchronous RPC on the module's
 *                     handle, from its own thread)
 *   kvsmod.get {key}  -> {value}: an asynchronous lookup, answered from
 *                     its continuation; its error (errno) otherwise
 *   kvsmod.put {key, value} -> {seq}: a synchronous commit in a handler
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <flux/core.h>

static int put (flux_t *h, const char *key, const char *value, int *seq)
{
    flux_kvs_txn_t *txn;
    flux_future_t *f = NULL;
    int rc = -1;

    if ((txn = flux_kvs_txn_create ())
        && flux_kvs_txn_put (txn, 0, key, value) == 0
        && (f = flux_kvs_commit (h, NULL, 0, txn))
        && flux_kvs_commit_get_sequence (f, seq) == 0)
        rc = 0;
    flux_future_destroy (f);
    flux_kvs_txn_destroy (txn);
    return rc;
}

static void lookup_cb (flux_future_t *f, void *arg)
{
    flux_t *h = flux_future_get_flux (f);
    const flux_msg_t *msg = arg;
    const char *value;

    if (flux_kvs_lookup_get (f, &value) < 0) {
        if (flux_respond_error (h, msg, errno, NULL) < 0)
            flux_log_error (h, "kvsmod.get");
    }
    else if (flux_respond_pack (h, msg, "{s:s}", "value",
                                value ? value : "") < 0)
        flux_log_error (h, "kvsmod.get");
    flux_future_destroy (f);
}

static void get_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    const char *key;
    flux_future_t *f;
    (void)mh;
    (void)arg;

    if (flux_request_unpack (msg, NULL, "{s:s}", "key", &key) < 0
        || !(f = flux_kvs_lookup (h, NULL, 0, key)))
        goto error;
    /* The request lives as long as the lookup: an aux item of it. */
    if (flux_future_aux_set (f, NULL, (void *)flux_msg_incref (msg),
                             (flux_free_f)flux_msg_decref) < 0
        || flux_future_then (f, -1., lookup_cb, (void *)msg) < 0) {
        flux_future_destroy (f);
        goto error;
    }
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "kvsmod.get");
}

static void put_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    const char *key, *value;
    int seq;
    (void)mh;
    (void)arg;

    if (flux_request_unpack (msg, NULL, "{s:s s:s}", "key", &key,
                             "value", &value) < 0
        || put (h, key, value, &seq) < 0) {
        if (flux_respond_error (h, msg, errno, NULL) < 0)
            flux_log_error (h, "kvsmod.put");
        return;
    }
    if (flux_respond_pack (h, msg, "{s:i}", "seq", seq) < 0)
        flux_log_error (h, "kvsmod.put");
}

int mod_main (flux_t *h, int argc, char **argv)
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    flux_msg_handler_t *get = NULL, *putmh = NULL;
    int seq;
    int rc = -1;
    (void)argc;
    (void)argv;

    if (put (h, "kvsmod.loaded", flux_module_name (h), &seq) < 0) {
        flux_log_error (h, "committing kvsmod.loaded");
        return -1;
    }
    match.topic_glob = "kvsmod.get";
    if (!(get = flux_msg_handler_create (h, match, get_cb, NULL)))
        goto done;
    match.topic_glob = "kvsmod.put";
    if (!(putmh = flux_msg_handler_create (h, match, put_cb, NULL)))
        goto done;
    flux_msg_handler_start (get);
    flux_msg_handler_start (putmh);
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0)
        goto done;
    rc = 0;
done:
    flux_msg_handler_destroy (get);
    flux_msg_handler_destroy (putmh);
    return rc;
}
