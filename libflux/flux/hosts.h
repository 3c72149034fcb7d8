/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Broker ranks and host names, from the "hostlist" attribute (an RFC 29
 * hostlist of the brokers' hosts in rank order), as flux-core's.
 */
#ifndef FLUX_HOSTS_H
#define FLUX_HOSTS_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns the host of broker 'rank': always a printable string (it
 * never fails), owned by the handle or static, valid until the handle
 * is closed: "any" for FLUX_NODEID_ANY, "upstream" for
 * FLUX_NODEID_UPSTREAM, "(null)" for a rank past the list or when the
 * attribute cannot be read or decoded.
 */
const char *flux_get_hostbyrank (flux_t *h, uint32_t rank);

/* Returns the lowest rank on 'host', or -1 with errno (ENOENT if no broker
 * runs there, EINVAL for a NULL argument, EINVAL for a hostlist attribute
 * that does not decode).  N.B. names compare as strings: flux-core also
 * matches "node01" with "node1".
 */
int flux_get_rankbyhost (flux_t *h, const char *host);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_HOSTS_H */
