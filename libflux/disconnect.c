/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Matching disconnect and cancel requests to the requests they concern
 * (flux/disconnect.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "flux/disconnect.h"
#include "flux/message.h"
#include "flux/msglist.h"
#include "flux/request.h"
#include "flux/response.h"

bool flux_disconnect_match (const flux_msg_t *msg1, const flux_msg_t *msg2)
{
    struct flux_msg_cred cred;
    uint32_t userid;

    if (!msg1 || !msg2
        || !flux_msg_route_match_first (msg1, msg2)
        || flux_msg_get_cred (msg1, &cred) < 0
        || flux_msg_get_userid (msg2, &userid) < 0
        || flux_msg_cred_authorize (cred, userid) < 0)
        return false;
    return true;
}

int flux_msglist_disconnect (struct flux_msglist *l, const flux_msg_t *msg)
{
    const flux_msg_t *item;
    int count = 0;

    for (item = flux_msglist_first (l); item; item = flux_msglist_next (l)) {
        if (flux_disconnect_match (msg, item)) {
            flux_msglist_delete (l);
            count++;
        }
    }
    return count;
}

bool flux_cancel_match (const flux_msg_t *msg1, const flux_msg_t *msg2)
{
    int matchtag;
    uint32_t tag;

    if (!flux_disconnect_match (msg1, msg2)
        || flux_request_unpack (msg1, NULL, "{s:i}", "matchtag", &matchtag) < 0
        || flux_msg_get_matchtag (msg2, &tag) < 0)
        return false;
    return tag == (uint32_t)matchtag;
}

int flux_msglist_cancel (flux_t *h,
                         struct flux_msglist *l,
                         const flux_msg_t *msg)
{
    const flux_msg_t *item;

    for (item = flux_msglist_first (l); item; item = flux_msglist_next (l)) {
        if (flux_cancel_match (msg, item)) {
            if (flux_respond_error (h, item, ENODATA, NULL) < 0)
                return -1;
            flux_msglist_delete (l);
            return 1;
        }
    }
    return 0;
}

// vi:ts=4 sw=4 expandtab
