/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Ranks and hosts (flux/hosts.h).  The "hostlist" attribute is read and
 * expanded once per handle, into a JSON array of names kept in the
 * handle's aux (an immutable attribute cannot change).
 *
 * The RFC 29 forms are decoded by libutil's hostlist_decode.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "flux/attr.h"
#include "flux/handle.h"
#include "flux/hosts.h"
#include "flux/message.h"
#include "hostlist.h"

#define AUX_HOSTS "flux::attr_hostlist"

static json_t *hosts_get (flux_t *h)
{
    json_t *hosts;
    const char *value;

    if ((hosts = flux_aux_get (h, AUX_HOSTS)))
        return hosts;
    if (!(value = flux_attr_get (h, "hostlist")))
        return NULL;
    if (!(hosts = hostlist_decode (value))) {
        errno = EINVAL;
        return NULL;
    }
    if (flux_aux_set (h, AUX_HOSTS, hosts, (flux_free_f)json_decref) < 0) {
        json_decref (hosts);
        return NULL;
    }
    return hosts;
}

const char *flux_get_hostbyrank (flux_t *h, uint32_t rank)
{
    json_t *hosts;
    json_t *o;

    if (rank == FLUX_NODEID_ANY)
        return "any";
    if (rank == FLUX_NODEID_UPSTREAM)
        return "upstream";
    if (!h || !(hosts = hosts_get (h)) || !(o = json_array_get (hosts, rank)))
        return "(null)";
    return json_string_value (o);
}

int flux_get_rankbyhost (flux_t *h, const char *host)
{
    json_t *hosts;
    json_t *o;
    size_t index;

    if (!h || !host) {
        errno = EINVAL;
        return -1;
    }
    if (!(hosts = hosts_get (h)))
        return -1;
    json_array_foreach (hosts, index, o) {
        if (!strcmp (json_string_value (o), host))
            return (int)index;
    }
    errno = ENOENT;
    return -1;
}

// vi:ts=4 sw=4 expandtab
