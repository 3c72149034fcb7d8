/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* tbon.c: the topology a broker is part of, chosen as flux-core's
 * broker chooses it, and the tbon.* attributes that publish it.
 *
 * Until brokers link into a tree this is a tree of one (size 1), but
 * the URI is validated as flux-core validates it: `flux start
 * -Stbon.topo=bogus` fails at start-up with flux-core's reason, and the
 * attributes read the same as flux-core's on every rank.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "errprintf.h"
#include "attr.h"
#include "brokercfg.h"
#include "topology.h"
#include "tbon.h"

#define TBON_TOPO_DEFAULT "kary:32"

/* The URI the configuration asks for, or the default.  'buf' holds a
 * kary:K made from tbon.fanout (flux-core's legacy attribute).
 */
static int choose_uri (struct broker *ctx, char *buf, size_t size,
                       const char **urip, flux_error_t *error)
{
    json_t *conf = brokercfg_get (ctx->config);
    const char *uri = TBON_TOPO_DEFAULT;
    const char *fanout, *topo;
    json_error_t jerror;

    if (json_is_object (json_object_get (conf, "bootstrap")))
        uri = "custom";
    /* N.B. jansson's own text, as flux-core's flux_conf_unpack gives it:
     * "Expected string, got integer".
     */
    if (json_unpack_ex (conf, &jerror, 0, "{s?{s?s}}",
                        "tbon", "topo", &uri) < 0)
        return errprintf (error, "Config file error [tbon]: %s",
                          jerror.text);
    if ((fanout = attrs_get (ctx->attrs, "tbon.fanout", NULL))) {
        if (snprintf (buf, size, "kary:%s", fanout) >= (int)size)
            return errprintf (error, "tbon.fanout=%s: value too long",
                              fanout);
        uri = buf;
    }
    if ((topo = attrs_get (ctx->attrs, "tbon.topo", NULL)))
        uri = topo;
    *urip = uri;
    return 0;
}

static int set_int (struct broker *ctx, const char *name, int value)
{
    char buf[32];

    (void)snprintf (buf, sizeof (buf), "%d", value);
    return attrs_set_internal (ctx->attrs, name, buf);
}

int tbon_set_rank_size (struct broker *ctx, int rank, int size,
                        flux_error_t *error)
{
    if (set_int (ctx, "rank", rank) < 0 || set_int (ctx, "size", size) < 0)
        return errprintf (error, "rank/size attributes: %s",
                          strerror (errno));
    ctx->rank = rank;
    return 0;
}

int tbon_setup (struct broker *ctx, json_t *hosts, flux_error_t *error)
{
    char buf[64];
    const char *uri = NULL;
    const char *s;
    int size, rank;
    flux_error_t topo_error;

    if (choose_uri (ctx, buf, sizeof (buf), &uri, error) < 0)
        return -1;
    size = (s = attrs_get (ctx->attrs, "size", NULL)) ? atoi (s) : 1;
    rank = (s = attrs_get (ctx->attrs, "rank", NULL)) ? atoi (s) : 0;
    /* N.B. custom takes its parents from the [bootstrap] hosts of a
     * config-booted instance; without them the tree is flat.
     */
    if (!(ctx->topo = topology_create (uri, size, hosts, &topo_error)))
        return errprintf (error, "error creating '%s' topology: %s", uri,
                          topo_error.text);
    if (attrs_set_internal (ctx->attrs, "tbon.topo", uri) < 0
        || set_int (ctx, "tbon.level", topology_level (ctx->topo, rank)) < 0
        || set_int (ctx, "tbon.maxlevel", topology_maxlevel (ctx->topo)) < 0
        || set_int (ctx, "tbon.descendants",
                    topology_descendants (ctx->topo, rank)) < 0)
        return errprintf (error, "tbon attributes: %s", strerror (errno));
    return 0;
}

void tbon_destroy (struct broker *ctx)
{
    topology_destroy (ctx->topo);
    ctx->topo = NULL;
}
