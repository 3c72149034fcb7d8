/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Remote procedure calls: a request whose response(s) fulfil a future.
 * An error response fails the future with its errnum and text.  With
 * FLUX_RPC_STREAMING, each response fulfils it in turn (call
 * flux_future_reset after each), ended by an error, by convention
 * ENODATA; the matchtag is freed only then.  With FLUX_RPC_NORESPONSE no
 * matchtag is used and the future is fulfilled at once.
 */
#ifndef FLUX_RPC_H
#define FLUX_RPC_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_RPC_NORESPONSE = 1,
    FLUX_RPC_STREAMING = 2,
};

/* s may be NULL (no payload).  Returns a future the caller destroys, or
 * NULL with errno set: EINVAL (NULL h or topic, bad flags, both
 * NORESPONSE and STREAMING, a pack error), EAGAIN (no matchtag free),
 * ENOMEM, or flux_send's.  nodeid FLUX_NODEID_UPSTREAM sends to the
 * parent of this rank (flux_get_rank's errors too).
 */
flux_future_t *flux_rpc (flux_t *h, const char *topic, const char *s,
                         uint32_t nodeid, int flags);
flux_future_t *flux_rpc_pack (flux_t *h, const char *topic, uint32_t nodeid,
                              int flags, const char *fmt, ...);
flux_future_t *flux_rpc_raw (flux_t *h, const char *topic, const void *data,
                             size_t len, uint32_t nodeid, int flags);
/* Send a copy of 'msg' (a request; the copy gets nodeid and matchtag;
 * msg stays the caller's) as an RPC.  Returns as flux_rpc does (EINVAL
 * also for a msg that is not a request).
 */
flux_future_t *flux_rpc_message (flux_t *h, const flux_msg_t *msg,
                                 uint32_t nodeid, int flags);

/* Wait for the response, then decode it.  Return 0 with the results
 * set (owned by the future, valid until it is reset or destroyed; NULL
 * or 0 for a NORESPONSE RPC), or -1 with errno: EINVAL for a NULL
 * future (or fmt), an error response's errnum (its text is
 * flux_future_error_string(f)), EPROTO for a payload that is not a
 * string (get), or that is not JSON or does not match fmt, or no
 * response at all (get_unpack).
 */
int flux_rpc_get (flux_future_t *f, const char **s);
int flux_rpc_get_unpack (flux_future_t *f, const char *fmt, ...);
int flux_rpc_get_raw (flux_future_t *f, const void **data, size_t *len);

/* Return the RPC's matchtag (FLUX_MATCHTAG_NONE for NORESPONSE, or a
 * future that is not an RPC's) and the nodeid it was sent to
 * (FLUX_NODEID_ANY for a future that is not an RPC's).  Never fail.
 */
uint32_t flux_rpc_get_matchtag (flux_future_t *f);
uint32_t flux_rpc_get_nodeid (flux_future_t *f);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_RPC_H */
