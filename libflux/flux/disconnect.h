/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Disconnect and cancel requests, as flux-core's: how a service finds
 * the requests a departed client or a cancel request is about.
 */
#ifndef FLUX_DISCONNECT_H
#define FLUX_DISCONNECT_H

#include "types.h"
#include "message.h"
#include "msglist.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns true if the disconnect request msg1 comes from the sender of msg2
 * (same first hop of the route) and its creds may act for msg2's userid
 * (the owner, or the same user).
 */
bool flux_disconnect_match (const flux_msg_t *msg1, const flux_msg_t *msg2);

/* Remove (and decref) every message of 'l' that the disconnect request
 * 'msg' matches.  Returns how many were removed (0 for a NULL list);
 * never fails.
 */
int flux_msglist_disconnect (struct flux_msglist *l, const flux_msg_t *msg);

/* Returns true if the cancel request msg1, payload {"matchtag":i}, matches
 * msg2 as a disconnect would and names msg2's matchtag.
 */
bool flux_cancel_match (const flux_msg_t *msg1, const flux_msg_t *msg2);

/* Answer the first message of 'l' that the cancel request 'msg' matches
 * with ENODATA, and remove it.  Returns 1 if one was, 0 if none, or -1
 * with errno if the response could not be sent (it stays in the list).
 */
int flux_msglist_cancel (flux_t *h,
                         struct flux_msglist *l,
                         const flux_msg_t *msg);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_DISCONNECT_H */
