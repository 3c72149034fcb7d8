/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* boot_config.c: bootstrap from the [bootstrap] table of the
 * configuration, as flux-core's config boot (flux-config-bootstrap(5)):
 *
 *   [bootstrap]
 *   curve_cert = "/etc/flux/system/curve.cert"   # flux keygen
 *   default_port = 8050
 *   default_bind = "tcp://127.0.0.1:%p"
 *   default_connect = "tcp://%h:%p"
 *   hosts = [
 *     { host = "fake0", bind = "tcp://127.0.0.1:8050",
 *       connect = "tcp://127.0.0.1:8050" },
 *     { host = "fake[1-3]", parent = "fake0" },
 *   ]
 *
 * The rank is the index of the broker's hostname attribute in the hosts
 * (names may be hostlists, expanded in order; a repeated host fills in
 * what its first entry lacks), the size their number.  %h in bind or
 * connect is the entry's host, %p default_port, %% a '%'.  There is no
 * collective step: a broker that restarts finds its parent where the
 * file says and joins it again.  Every broker has the one certificate:
 * a parent admits its own public key, a child expects it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <zmq.h>

#include "errprintf.h"
#include "hostlist.h"
#include "zcert.h"
#include "attr.h"
#include "brokercfg.h"
#include "overlay.h"
#include "topology.h"
#include "tbon.h"
#include "boot_config.h"
#include "zmq_lazy.h"

struct boot_config {
    json_t *hosts;          /* [{host, bind?, connect?, parent?}], expanded */
    const char *curve_cert;
    int port;
    const char *dflt_bind;
    const char *dflt_connect;
    json_t *conf;           /* a reference to the configuration */
};

void boot_config_destroy (struct boot_config *bc)
{
    if (bc) {
        int saved_errno = errno;
        json_decref (bc->hosts);
        json_decref (bc->conf);
        free (bc);
        errno = saved_errno;
    }
}

/* Add an entry for each host 'entry' names, or fill in the first entry
 * of a host already there.
 */
static int add_entry (json_t *hosts, json_t *entry, flux_error_t *error)
{
    const char *host;
    json_t *names;
    json_t *name;
    size_t i;
    json_error_t jerror;

    if (json_unpack_ex (entry, &jerror, JSON_STRICT,
                        "{s:s s?s s?s s?s}", "host", &host,
                        "bind", &(const char *){ NULL },
                        "connect", &(const char *){ NULL },
                        "parent", &(const char *){ NULL }) < 0) {
        errno = EINVAL;
        return errprintf (error, "Config file error [bootstrap] hosts: %s",
                          jerror.text);
    }
    if (!(names = hostlist_decode (host)) || json_array_size (names) == 0) {
        json_decref (names);
        errno = EINVAL;
        return errprintf (error, "Config file error [bootstrap] hosts: "
                          "'%s' is not a hostlist", host);
    }
    json_array_foreach (names, i, name) {
        json_t *o = NULL;
        size_t j;
        json_t *e;
        const char *key;
        json_t *value;
        json_array_foreach (hosts, j, e) {
            if (json_equal (json_object_get (e, "host"), name)) {
                o = e;
                break;
            }
        }
        if (!o) {
            if (!(o = json_pack ("{s:O}", "host", name))
                || json_array_append_new (hosts, o) < 0) {
                json_decref (names);
                return errprintf (error, "out of memory");
            }
        }
        json_object_foreach (entry, key, value) {
            if (strcmp (key, "host") != 0 && !json_object_get (o, key))
                (void)json_object_set (o, key, value);
        }
    }
    json_decref (names);
    return 0;
}

int boot_config_init (struct broker *ctx, struct boot_config **bcp,
                      flux_error_t *error)
{
    json_t *conf = brokercfg_get (ctx->config);
    json_t *hosts = NULL;
    struct boot_config *bc;
    json_error_t jerror;
    const char *hostname = attrs_get (ctx->attrs, "hostname", NULL);
    int enable_ipv6 = 0;
    int rank = -1;
    size_t i;
    json_t *entry;

    *bcp = NULL;
    if (!json_is_object (json_object_get (conf, "bootstrap")))
        return 0;
    if (!(bc = calloc (1, sizeof (*bc))))
        return errprintf (error, "out of memory");
    bc->port = -1;
    bc->conf = json_incref (conf);
    if (json_unpack_ex (conf, &jerror, 0, "{s:{s?s s?i s?s s?s s?b s?o !}}",
                        "bootstrap",
                          "curve_cert", &bc->curve_cert,
                          "default_port", &bc->port,
                          "default_bind", &bc->dflt_bind,
                          "default_connect", &bc->dflt_connect,
                          "enable_ipv6", &enable_ipv6,
                          "hosts", &hosts) < 0) {
        errprintf (error, "Config file error [bootstrap]: %s", jerror.text);
        goto error;
    }
    if (!(bc->hosts = json_array ())) {
        errprintf (error, "out of memory");
        goto error;
    }
    if (hosts && !json_is_array (hosts)) {
        errprintf (error, "Config file error [bootstrap]: hosts must be an "
                   "array of tables");
        goto error;
    }
    json_array_foreach (hosts, i, entry) {
        if (add_entry (bc->hosts, entry, error) < 0)
            goto error;
    }
    /* N.B. no hosts: an instance of one. */
    if (json_array_size (bc->hosts) == 0) {
        *bcp = bc;
        return 0;
    }
    json_array_foreach (bc->hosts, i, entry) {
        if (!strcmp (json_string_value (json_object_get (entry, "host")),
                     hostname)) {
            rank = (int)i;
            break;
        }
    }
    if (rank < 0) {
        errno = ENOENT;
        errprintf (error, "Config file error [bootstrap]: %s not found in "
                   "hosts", hostname);
        goto error;
    }
    if (tbon_set_rank_size (ctx, rank, json_array_size (bc->hosts),
                            error) < 0)
        goto error;
    *bcp = bc;
    return 0;
error:
    boot_config_destroy (bc);
    return -1;
}

json_t *boot_config_hosts (struct boot_config *bc)
{
    return bc && json_array_size (bc->hosts) > 0 ? bc->hosts : NULL;
}

/* The entry's 'key' (bind, connect) or the default, with %h and %p
 * put in, into buf.  Returns 0, -1 if there is none.
 */
static int entry_uri (struct boot_config *bc, int rank, const char *key,
                      char *buf, size_t size, flux_error_t *error)
{
    json_t *entry = json_array_get (bc->hosts, rank);
    const char *host = json_string_value (json_object_get (entry, "host"));
    const char *fmt = json_string_value (json_object_get (entry, key));
    size_t n = 0;

    if (!fmt)
        fmt = !strcmp (key, "bind") ? bc->dflt_bind : bc->dflt_connect;
    if (!fmt) {
        errno = EINVAL;
        return errprintf (error, "%s URI is undefined for rank %d", key,
                          rank);
    }
    for (const char *p = fmt; *p; p++) {
        char tmp[32];
        const char *ins = NULL;
        if (*p == '%' && p[1] == 'h')
            ins = host;
        else if (*p == '%' && p[1] == 'p') {
            (void)snprintf (tmp, sizeof (tmp), "%d", bc->port);
            ins = tmp;
        }
        else if (*p == '%' && p[1] == '%')
            ins = "%";
        if (ins) {
            n += snprintf (buf + (n < size ? n : size),
                           n < size ? size - n : 0, "%s", ins);
            p++;
        }
        else if (n + 1 < size)
            buf[n++] = *p;
        else
            n++;
    }
    if (n >= size) {
        errno = EOVERFLOW;
        return errprintf (error, "%s URI of rank %d is too long", key, rank);
    }
    buf[n] = '\0';
    if (!strstr (buf, "://")
        || (strncmp (buf, "tcp://", 6) != 0 && strncmp (buf, "ipc://", 6))
        || strstr (buf, ":*")) {
        errno = EINVAL;
        return errprintf (error, "%s URI %s of rank %d: a tcp:// or ipc:// "
                          "URI without a wildcard port is required", key,
                          buf, rank);
    }
    return 0;
}

int boot_config_exchange (struct broker *ctx, struct boot_config *bc,
                          flux_error_t *error)
{
    int size = json_array_size (bc->hosts);
    int rank = ctx->rank;
    int parent = topology_parent (ctx->topo, rank);
    int n = topology_children (ctx->topo, rank, NULL, 0);
    char pub[ZCERT_KEY_LEN], sec[ZCERT_KEY_LEN], check[ZCERT_KEY_LEN];
    char uri[512];
    char *hostlist;
    json_t *names;
    json_t *entry;
    size_t i;

    if (size <= 1)
        return 0;
    if (!bc->curve_cert) {
        errno = EINVAL;
        return errprintf (error, "Config file error [bootstrap]: "
                          "curve_cert is required for an instance of more "
                          "than one broker");
    }
    if (zcert_read (bc->curve_cert, pub, sec, NULL, 0, error) < 0
        || zmq_lazy_open (error) < 0)
        return -1;
    if (zmq_curve_public (check, sec) < 0 || strcmp (check, pub) != 0) {
        errno = EINVAL;
        return errprintf (error, "%s: the public key is not the secret "
                          "key's", bc->curve_cert);
    }
    if (overlay_set_cert (ctx->overlay, pub, sec, error) < 0)
        return -1;
    if (n > 0) {
        /* Every child has the one certificate. */
        for (int r = 0; r < size; r++) {
            if (topology_parent (ctx->topo, r) == rank
                && overlay_authorize (ctx->overlay, r, pub, error) < 0)
                return -1;
        }
        if (entry_uri (bc, rank, "bind", uri, sizeof (uri), error) < 0
            || overlay_bind (ctx->overlay, uri, error) < 0
            || entry_uri (bc, rank, "connect", uri, sizeof (uri), error) < 0)
            return -1;
        if (attrs_set_internal (ctx->attrs, "tbon.endpoint", uri) < 0)
            return errprintf (error, "tbon.endpoint: %s", strerror (errno));
    }
    if (parent >= 0
        && (entry_uri (bc, parent, "connect", uri, sizeof (uri), error) < 0
            || overlay_set_parent (ctx->overlay, uri, pub, error) < 0))
        return -1;
    if (!(names = json_array ()))
        return errprintf (error, "out of memory");
    json_array_foreach (bc->hosts, i, entry)
        (void)json_array_append (names, json_object_get (entry, "host"));
    hostlist = hostlist_encode (names);
    json_decref (names);
    if (!hostlist || attrs_set_internal (ctx->attrs, "hostlist", hostlist)
                     < 0) {
        free (hostlist);
        return errprintf (error, "hostlist: %s", strerror (errno));
    }
    free (hostlist);
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
