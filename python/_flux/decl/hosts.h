/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/hosts.h (flux_get_size is in decl/attr.h, as flux-core's attr.h declares it). */
const char *flux_get_hostbyrank (flux_t *h, uint32_t rank);
int flux_get_rankbyhost (flux_t *h, const char *host);
