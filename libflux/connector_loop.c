/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* loop://: a connector whose sent messages come back to the sender.
 *
 * For tests, as flux-core's: a request sent on a loop handle is received
 * on it, so one handle can play both client and server.  Messages go
 * through one single-thread msg_deque: send queues a copy (send_new the
 * message itself), recv pops; the queue's eventfd makes the handle
 * pollable, so message handlers and futures run in a reactor as on any
 * other connector.  A receive on an empty queue fails with EWOULDBLOCK
 * rather than block: nothing else could ever fill it.
 *
 * Messages sent without credentials get userid getuid() and rolemask
 * OWNER, which FLUX_OPT_TESTING_USERID/ROLEMASK replace.  The path after
 * "loop://" is ignored.  The attributes rank (0) and size (1) are
 * cached, so flux_get_rank() works without a broker.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flux/handle.h"
#include "flux/connector.h"
#include "flux/attr.h"
#include "msg_deque.h"
#include "handle_private.h"

struct loop {
    struct msg_deque *queue;
    struct flux_msg_cred cred;
};

static int op_pollfd (void *impl)
{
    struct loop *ctx = impl;
    return msg_deque_pollfd (ctx->queue);
}

static int op_pollevents (void *impl)
{
    struct loop *ctx = impl;
    return msg_deque_pollevents (ctx->queue);
}

static int op_send_new (void *impl, flux_msg_t **msg, int flags)
{
    struct loop *ctx = impl;

    (void)flags;
    if (connector_cred_stamp (*msg, &ctx->cred) < 0
        || msg_deque_push_back (ctx->queue, *msg) < 0)
        return -1;
    *msg = NULL;
    return 0;
}

static int op_send (void *impl, const flux_msg_t *msg, int flags)
{
    flux_msg_t *cpy;

    if (!(cpy = flux_msg_copy (msg, true)))
        return -1;
    if (op_send_new (impl, &cpy, flags) < 0) {
        flux_msg_destroy (cpy);
        return -1;
    }
    return 0;
}

static flux_msg_t *op_recv (void *impl, int flags)
{
    struct loop *ctx = impl;

    (void)flags;
    return msg_deque_pop_front (ctx->queue);
}

static int op_setopt (void *impl, const char *option,
                      const void *val, size_t len)
{
    struct loop *ctx = impl;
    int rc = connector_cred_setopt (&ctx->cred, option, val, len);

    if (rc == 0) {
        errno = EINVAL;
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

static int op_getopt (void *impl, const char *option, void *val, size_t len)
{
    struct loop *ctx = impl;
    int rc = connector_cred_getopt (&ctx->cred, option, val, len);

    if (rc == 0) {
        errno = EINVAL;
        return -1;
    }
    return rc < 0 ? -1 : 0;
}

static void op_fini (void *impl)
{
    struct loop *ctx = impl;

    if (ctx) {
        int saved_errno = errno;
        msg_deque_destroy (ctx->queue);
        free (ctx);
        errno = saved_errno;
    }
}

static const struct flux_handle_ops handle_ops = {
    .pollfd = op_pollfd,
    .pollevents = op_pollevents,
    .send = op_send,
    .send_new = op_send_new,
    .recv = op_recv,
    .setopt = op_setopt,
    .getopt = op_getopt,
    .impl_destroy = op_fini,
};

flux_t *connector_loop_open (const char *path, int flags,
                             flux_error_t *error)
{
    struct loop *ctx;
    flux_t *h;

    (void)path;
    if (!(ctx = calloc (1, sizeof (*ctx)))
        || !(ctx->queue = msg_deque_create (MSG_DEQUE_SINGLE_THREAD))) {
        handle_errprintf (error, "loop://: %s", strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    ctx->cred.userid = getuid ();
    ctx->cred.rolemask = FLUX_ROLE_OWNER;
    if (!(h = flux_handle_create (ctx, &handle_ops, flags))) {
        handle_errprintf (error, "loop://: %s", strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    /* No broker answers attr.get here: a loop handle is rank 0 of a
     * one-broker instance, as flux-core's says.
     */
    if (flux_attr_set_cacheonly (h, "rank", "0") < 0
        || flux_attr_set_cacheonly (h, "size", "1") < 0) {
        handle_errprintf (error, "loop://: %s", strerror (errno));
        flux_close (h);
        return NULL;
    }
    return h;
}
