/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RPCs: a request sent at once, and a future its responses fulfil.
 *
 * The future's init callback registers, on the handle of whichever
 * context the future is used in, a message handler for responses that
 * carry the request's matchtag; each response fulfils the future with the
 * message itself (so flux_rpc_get* decode it later) or, for an error
 * response, with its errnum and text.  A synchronous get therefore reads
 * only through the future's clone of the handle, and an asynchronous
 * then through the main one; both may be used on one RPC.
 *
 * Matchtags: the response that ends the RPC (the only one, or for a
 * stream the first error) makes the matchtag reusable, and it is
 * returned to the handle when the future is destroyed.  If the future is
 * destroyed before that, responses may still be on the way, and a new
 * RPC given the same matchtag could take them for its own: the matchtag
 * is leaked instead, as flux-core does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "flux/rpc.h"
#include "flux/future.h"
#include "flux/handle.h"
#include "flux/message.h"
#include "flux/msg_handler.h"
#include "flux/request.h"
#include "flux/response.h"
#include "future_private.h"

#define RPC_AUX "flux::rpc"

struct flux_rpc {
    flux_t *h;          /* a reference, for the matchtag at destroy */
    uint32_t matchtag;
    uint32_t nodeid;
    int flags;
    bool sent;
    bool complete;      /* the final response arrived */
    flux_msg_handler_t *mh[2]; /* one per context; owned by the future */
};

static void rpc_destroy (void *arg)
{
    struct flux_rpc *rpc = arg;

    if (rpc) {
        int saved_errno = errno;
        if (rpc->matchtag != FLUX_MATCHTAG_NONE
            && (rpc->complete || !rpc->sent))
            flux_matchtag_free (rpc->h, rpc->matchtag);
        flux_decref (rpc->h);
        free (rpc);
        errno = saved_errno;
    }
}

static void msg_free (void *arg)
{
    flux_msg_decref (arg);
}

/* A response to the RPC, from either context's handler or from
 * rpc_wait.
 */
static void rpc_response (flux_future_t *f, struct flux_rpc *rpc,
                          const flux_msg_t *msg)
{
    int errnum = 0;

    if (rpc->complete)
        return;
    if (flux_msg_get_errnum (msg, &errnum) < 0)
        errnum = EPROTO;
    /* N.B. once complete, no handler for this matchtag may stay started
     * in either context: it would keep a reactor alive for nothing.
     */
    if (!(rpc->flags & FLUX_RPC_STREAMING) || errnum != 0) {
        rpc->complete = true;
        for (int i = 0; i < 2; i++) {
            if (rpc->mh[i])
                flux_msg_handler_stop (rpc->mh[i]);
        }
    }
    if (errnum != 0) {
        const char *errstr = NULL;
        if (flux_response_decode_error (msg, &errstr) < 0)
            errstr = NULL;
        flux_future_fulfill_error (f, errnum, errstr);
    }
    else
        flux_future_fulfill (f, (void *)flux_msg_incref (msg), msg_free);
}

static void response_cb (flux_t *h, flux_msg_handler_t *mh,
                         const flux_msg_t *msg, void *arg)
{
    flux_future_t *f = arg;
    struct flux_rpc *rpc = flux_future_aux_get (f, RPC_AUX);
    (void)h;
    (void)mh;

    if (rpc)
        rpc_response (f, rpc, msg);
}

/* A synchronous wait without a timeout (see future_set_wait): read the
 * response with flux_recv, which puts every other message it reads back
 * at the head of the handle's queue, in order, as the clone of the "now"
 * context would have when done; only this RPC's response is consumed,
 * and no watcher runs meanwhile, as in that context.  Declined when the
 * handle cannot block (FLUX_O_NONBLOCK), when no response will come, or
 * when the read is interrupted, so that the usual context deals with it.
 */
static int rpc_wait (flux_future_t *f, void *arg)
{
    struct flux_rpc *rpc = arg;
    struct flux_match match = FLUX_MATCH_RESPONSE;
    flux_t *h = flux_future_get_flux (f);
    flux_msg_t *msg;

    if (!h || rpc->complete || (rpc->flags & FLUX_RPC_NORESPONSE)
        || (flux_flags_get (h) & FLUX_O_NONBLOCK))
        return 1;
    match.matchtag = rpc->matchtag;
    if (!(msg = flux_recv (h, match, 0))) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 1;
        return -1;
    }
    rpc_response (f, rpc, msg);
    flux_msg_decref (msg);
    return 0;
}

/* Called once in each context the future is used in. */
static void initialize_cb (flux_future_t *f, void *arg)
{
    struct flux_rpc *rpc = arg;
    struct flux_match match = FLUX_MATCH_RESPONSE;
    flux_msg_handler_t *mh;
    flux_t *h;

    if (rpc->flags & FLUX_RPC_NORESPONSE)
        return;
    if (!(h = flux_future_get_flux (f)))
        goto error;
    match.matchtag = rpc->matchtag;
    if (!(mh = flux_msg_handler_create (h, match, response_cb, f)))
        goto error;
    if (flux_future_aux_set (f,
                             NULL,
                             mh,
                             (flux_free_f)flux_msg_handler_destroy) < 0) {
        flux_msg_handler_destroy (mh);
        goto error;
    }
    flux_msg_handler_allow_rolemask (mh, FLUX_ROLE_ALL);
    rpc->mh[rpc->mh[0] ? 1 : 0] = mh;
    if (!rpc->complete)
        flux_msg_handler_start (mh);
    return;
error:
    flux_future_fulfill_error (f, errno, NULL);
}

/* Send request *msgp, which this takes whatever happens (*msgp is NULL
 * after), and return its future.  flux_rpc() and the like give it the
 * message they encoded, flux_rpc_message() a copy of its caller's: one
 * copy of every request fewer than when the first went through the
 * second.
 */
static flux_future_t *rpc_send_new (flux_t *h, flux_msg_t **msgp,
                                    uint32_t nodeid, int flags)
{
    struct flux_rpc *rpc = NULL;
    flux_future_t *f = NULL;
    flux_msg_t *msg = *msgp;
    int type;
    uint8_t msgflags;

    *msgp = NULL;
    if (!h || !msg
        || (flags & ~(FLUX_RPC_NORESPONSE | FLUX_RPC_STREAMING))
        || ((flags & FLUX_RPC_NORESPONSE) && (flags & FLUX_RPC_STREAMING))
        || flux_msg_get_type (msg, &type) < 0
        || type != FLUX_MSGTYPE_REQUEST) {
        flux_msg_destroy (msg);
        errno = EINVAL;
        return NULL;
    }
    if (!(rpc = calloc (1, sizeof (*rpc))))
        goto error;
    rpc->h = flux_incref (h);
    rpc->flags = flags;
    if (!(f = flux_future_create (initialize_cb, rpc))) {
        rpc_destroy (rpc);
        goto error;
    }
    if (flux_future_aux_set (f, RPC_AUX, rpc, rpc_destroy) < 0) {
        rpc_destroy (rpc);
        goto error;
    }
    flux_future_set_flux (f, h);
    future_set_wait (f, rpc_wait, rpc);
    if (nodeid == FLUX_NODEID_UPSTREAM) {
        if (flux_msg_get_flags (msg, &msgflags) < 0
            || flux_msg_set_flags (msg, msgflags | FLUX_MSGFLAG_UPSTREAM) < 0
            || flux_get_rank (h, &nodeid) < 0)
            goto error;
    }
    rpc->nodeid = nodeid;
    if (flux_msg_set_nodeid (msg, nodeid) < 0)
        goto error;
    if (flags & FLUX_RPC_NORESPONSE) {
        if (flux_msg_set_noresponse (msg) < 0
            || flux_msg_set_matchtag (msg, FLUX_MATCHTAG_NONE) < 0)
            goto error;
    }
    else {
        if ((rpc->matchtag = flux_matchtag_alloc (h)) == FLUX_MATCHTAG_NONE) {
            errno = EAGAIN;
            goto error;
        }
        if (flux_msg_set_matchtag (msg, rpc->matchtag) < 0)
            goto error;
        if ((flags & FLUX_RPC_STREAMING) && flux_msg_set_streaming (msg) < 0)
            goto error;
    }
    if (flux_send_new (h, &msg, 0) < 0)
        goto error;
    rpc->sent = true;
    if (flags & FLUX_RPC_NORESPONSE)
        flux_future_fulfill (f, NULL, NULL);
    return f;
error:
    flux_msg_destroy (msg);
    flux_future_destroy (f);
    return NULL;
}

flux_future_t *flux_rpc_message (flux_t *h, const flux_msg_t *msg,
                                 uint32_t nodeid, int flags)
{
    flux_msg_t *cpy;

    if (!h || !msg) {
        errno = EINVAL;
        return NULL;
    }
    if (!(cpy = flux_msg_copy (msg, true)))
        return NULL;
    return rpc_send_new (h, &cpy, nodeid, flags);
}

flux_future_t *flux_rpc (flux_t *h, const char *topic, const char *s,
                         uint32_t nodeid, int flags)
{
    flux_msg_t *msg;

    if (!h || !topic) {
        errno = EINVAL;
        return NULL;
    }
    if (!(msg = flux_request_encode (topic, s)))
        return NULL;
    return rpc_send_new (h, &msg, nodeid, flags);
}

flux_future_t *flux_rpc_raw (flux_t *h, const char *topic, const void *data,
                             size_t len, uint32_t nodeid, int flags)
{
    flux_msg_t *msg;

    if (!h || !topic) {
        errno = EINVAL;
        return NULL;
    }
    if (!(msg = flux_request_encode_raw (topic, data, len)))
        return NULL;
    return rpc_send_new (h, &msg, nodeid, flags);
}

flux_future_t *flux_rpc_pack (flux_t *h, const char *topic, uint32_t nodeid,
                              int flags, const char *fmt, ...)
{
    flux_msg_t *msg = NULL;
    va_list ap;
    int rc;

    /* N.B. pack even when the request cannot be made: "o" arguments
     * are given away, and flux_msg_vpack releases them on every path.
     */
    if (!h || !topic)
        errno = EINVAL;
    else
        msg = flux_request_encode (topic, NULL);
    if (!msg) {
        int saved_errno = errno;
        va_start (ap, fmt);
        (void)flux_msg_vpack (NULL, fmt, ap);
        va_end (ap);
        errno = saved_errno;
        return NULL;
    }
    va_start (ap, fmt);
    rc = flux_msg_vpack (msg, fmt, ap);
    va_end (ap);
    if (rc < 0) {
        flux_msg_destroy (msg);
        return NULL;
    }
    return rpc_send_new (h, &msg, nodeid, flags);
}

/* The response message, or NULL for a NORESPONSE RPC. */
static int rpc_get_msg (flux_future_t *f, const flux_msg_t **msg)
{
    const void *result = NULL;

    if (!f) {
        errno = EINVAL;
        return -1;
    }
    if (flux_future_get (f, &result) < 0)
        return -1;
    *msg = result;
    return 0;
}

int flux_rpc_get (flux_future_t *f, const char **s)
{
    const flux_msg_t *msg;

    if (rpc_get_msg (f, &msg) < 0)
        return -1;
    if (!msg) {
        if (s)
            *s = NULL;
        return 0;
    }
    return flux_response_decode (msg, NULL, s);
}

int flux_rpc_get_raw (flux_future_t *f, const void **data, size_t *len)
{
    const flux_msg_t *msg;

    if (rpc_get_msg (f, &msg) < 0)
        return -1;
    if (!msg) {
        if (data)
            *data = NULL;
        if (len)
            *len = 0;
        return 0;
    }
    return flux_response_decode_raw (msg, NULL, data, len);
}

int flux_rpc_get_unpack (flux_future_t *f, const char *fmt, ...)
{
    const flux_msg_t *msg;
    va_list ap;
    int rc;

    if (!fmt) {
        errno = EINVAL;
        return -1;
    }
    if (rpc_get_msg (f, &msg) < 0)
        return -1;
    if (!msg) {
        errno = EPROTO;
        return -1;
    }
    va_start (ap, fmt);
    rc = flux_msg_vunpack (msg, fmt, ap);
    va_end (ap);
    return rc;
}

uint32_t flux_rpc_get_matchtag (flux_future_t *f)
{
    struct flux_rpc *rpc = flux_future_aux_get (f, RPC_AUX);

    return rpc ? rpc->matchtag : FLUX_MATCHTAG_NONE;
}

uint32_t flux_rpc_get_nodeid (flux_future_t *f)
{
    struct flux_rpc *rpc = flux_future_aux_get (f, RPC_AUX);

    return rpc ? rpc->nodeid : FLUX_NODEID_ANY;
}

/* vi: ts=4 sw=4 expandtab
 */
