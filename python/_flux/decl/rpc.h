/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/rpc.h (variadic pack/unpack are left out). */
#define FLUX_RPC_NORESPONSE ...
#define FLUX_RPC_STREAMING ...

flux_future_t *flux_rpc (flux_t *h, const char *topic, const char *s,
                         uint32_t nodeid, int flags);
flux_future_t *flux_rpc_raw (flux_t *h, const char *topic, const void *data,
                             size_t len, uint32_t nodeid, int flags);
flux_future_t *flux_rpc_message (flux_t *h, const flux_msg_t *msg,
                                 uint32_t nodeid, int flags);
int flux_rpc_get (flux_future_t *f, const char **s);
int flux_rpc_get_raw (flux_future_t *f, const void **data, size_t *len);
uint32_t flux_rpc_get_matchtag (flux_future_t *f);
uint32_t flux_rpc_get_nodeid (flux_future_t *f);
