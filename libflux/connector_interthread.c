/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* interthread://NAME: an in-process message channel between two threads.
 *
 * The broker gives each module thread one of these.  The first open of
 * NAME creates the channel, the second pairs with it, a third fails with
 * EADDRINUSE; the channel goes away when its last end closes.  Channels
 * live in a global list under a mutex.  Each direction is a msg_deque
 * (mutex-protected, unbounded) whose eventfd wakes the reader when the
 * deque goes from empty to non-empty.  Sends never block: the broker can
 * queue the welcome before the module thread has even opened its end.
 *
 * Messages cross as objects, never encoded: send_new moves the caller's
 * reference into the deque (so it refuses a message with other
 * references, which another thread could still touch), plain send moves
 * a copy.  Aux items are destroyed before the move, since their owners
 * live on the sending thread.
 *
 * Credentials: a message sent with userid UNKNOWN or rolemask NONE gets
 * the end's creds, getuid() and OWNER|LOCAL, so a module acts as the
 * instance owner (FLUX_OPT_TESTING_USERID/ROLEMASK replace those creds).
 *
 * Router mode, on the broker's end only (FLUX_OPT_ROUTER_NAME = broker
 * uuid): requests and events the broker sends get the broker uuid
 * pushed, responses it sends lose their last hop (the module's own id,
 * pushed on the way in); requests and events received from the module
 * get the channel name, the module uuid, pushed, so the broker can tell
 * which module sent them and route the answers back.
 *
 * Descriptors.  An end costs none until asked: the eventfd of its
 * receive queue is made by the first pollfd (the handle watcher of a
 * module's reactor watches it directly, see handle_set_wakeup), and an
 * end in a ready set (flux_readyset_add, the broker's end of every
 * module channel) is announced on the set's one eventfd instead.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flux/handle.h"
#include "flux/connector.h"
#include "flux/reactor.h"
#include "message_private.h"
#include "msg_deque.h"
#include "handle_private.h"

struct channel {
    char *name;
    bool open[2];
    struct msg_deque *queue[2]; /* queue[i]: messages sent by end i */
    struct channel *next;
};

struct interthread {
    struct channel *chan;
    int end;
    struct msg_deque *send;
    struct msg_deque *recv;
    char *router;
    struct flux_msg_cred cred;
};

static pthread_mutex_t channels_lock = PTHREAD_MUTEX_INITIALIZER;
static struct channel *channels;

static void channel_destroy (struct channel *chan)
{
    if (chan) {
        int saved_errno = errno;
        msg_deque_destroy (chan->queue[0]);
        msg_deque_destroy (chan->queue[1]);
        free (chan->name);
        free (chan);
        errno = saved_errno;
    }
}

static struct channel *channel_create (const char *name)
{
    struct channel *chan;

    if (!(chan = calloc (1, sizeof (*chan))))
        return NULL;
    if (!(chan->name = strdup (name))
        || !(chan->queue[0] = msg_deque_create (0))
        || !(chan->queue[1] = msg_deque_create (0))) {
        channel_destroy (chan);
        errno = ENOMEM;
        return NULL;
    }
    return chan;
}

/* Claim a free end of channel 'name', creating the channel if needed.
 * Returns the end (0 or 1) or -1 with errno set.
 */
static int channel_attach (const char *name, struct channel **chanp)
{
    struct channel *chan;
    int end = -1;

    pthread_mutex_lock (&channels_lock);
    for (chan = channels; chan; chan = chan->next) {
        if (!strcmp (chan->name, name))
            break;
    }
    if (!chan) {
        if (!(chan = channel_create (name)))
            goto done;
        chan->next = channels;
        channels = chan;
    }
    if (!chan->open[0])
        end = 0;
    else if (!chan->open[1])
        end = 1;
    else {
        errno = EADDRINUSE;
        goto done;
    }
    chan->open[end] = true;
    *chanp = chan;
done:
    pthread_mutex_unlock (&channels_lock);
    return end;
}

static void channel_detach (struct channel *chan, int end)
{
    struct channel **prev;

    pthread_mutex_lock (&channels_lock);
    chan->open[end] = false;
    if (!chan->open[0] && !chan->open[1]) {
        for (prev = &channels; *prev; prev = &(*prev)->next) {
            if (*prev == chan) {
                *prev = chan->next;
                break;
            }
        }
        channel_destroy (chan);
    }
    pthread_mutex_unlock (&channels_lock);
}

static int op_pollfd (void *impl)
{
    struct interthread *ctx = impl;
    return msg_deque_pollfd (ctx->recv);
}

static void op_wakeup_clear (void *impl)
{
    struct interthread *ctx = impl;
    msg_deque_clear (ctx->recv);
}

static void op_wakeup_reader_here (void *impl)
{
    struct interthread *ctx = impl;
    msg_deque_reader_here (ctx->recv);
}

static void op_wakeup_always_signal (void *impl)
{
    struct interthread *ctx = impl;
    msg_deque_always_signal (ctx->recv);
}

static const struct handle_wakeup_ops wakeup_ops = {
    .clear = op_wakeup_clear,
    .reader_here = op_wakeup_reader_here,
    .always_signal = op_wakeup_always_signal,
};

static int op_pollevents (void *impl)
{
    struct interthread *ctx = impl;
    return msg_deque_pollevents (ctx->recv);
}

static int route_push (flux_msg_t *msg, const char *id)
{
    uint8_t flags;

    if (flux_msg_get_flags (msg, &flags) < 0)
        return -1;
    if (!(flags & FLUX_MSGFLAG_ROUTE))
        flux_msg_route_enable (msg);
    return flux_msg_route_push (msg, id);
}

static int op_send_new (void *impl, flux_msg_t **msg, int flags)
{
    struct interthread *ctx = impl;
    int type;

    (void)flags;
    if (flux_msg_refcount (*msg) > 1) {
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_get_type (*msg, &type) < 0
        || connector_cred_stamp (*msg, &ctx->cred) < 0)
        return -1;
    if (ctx->router) {
        switch (type) {
            case FLUX_MSGTYPE_REQUEST:
            case FLUX_MSGTYPE_EVENT:
                if (route_push (*msg, ctx->router) < 0)
                    return -1;
                break;
            case FLUX_MSGTYPE_RESPONSE:
                if (flux_msg_route_delete_last (*msg) < 0)
                    return -1;
                break;
        }
    }
    message_aux_clear (*msg);
    if (msg_deque_push_back (ctx->send, *msg) < 0)
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
    struct interthread *ctx = impl;
    flux_msg_t *msg;
    int type;

    while (!(msg = msg_deque_pop_front (ctx->recv))) {
        if ((flags & FLUX_O_NONBLOCK)) {
            errno = EWOULDBLOCK;
            return NULL;
        }
        if (msg_deque_wait (ctx->recv) < 0)
            return NULL;
    }
    if (ctx->router && flux_msg_get_type (msg, &type) == 0
        && (type == FLUX_MSGTYPE_REQUEST || type == FLUX_MSGTYPE_EVENT)) {
        if (route_push (msg, ctx->chan->name) < 0) {
            flux_msg_destroy (msg);
            return NULL;
        }
    }
    return msg;
}

static int op_setopt (void *impl, const char *option,
                      const void *val, size_t len)
{
    struct interthread *ctx = impl;
    int rc;

    if ((rc = connector_cred_setopt (&ctx->cred, option, val, len)) != 0)
        return rc < 0 ? -1 : 0;
    if (!strcmp (option, FLUX_OPT_ROUTER_NAME)) {
        char *s;
        if (!val || len == 0) {
            errno = EINVAL;
            return -1;
        }
        /* The bytes of the id, with or without its NUL. */
        if (!(s = strndup (val, len)))
            return -1;
        free (ctx->router);
        ctx->router = s;
    }
    else {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int op_getopt (void *impl, const char *option, void *val, size_t len)
{
    struct interthread *ctx = impl;
    int rc;

    if ((rc = connector_cred_getopt (&ctx->cred, option, val, len)) != 0)
        return rc < 0 ? -1 : 0;
    if (!strcmp (option, FLUX_OPT_SEND_QUEUE_COUNT)
        || !strcmp (option, FLUX_OPT_RECV_QUEUE_COUNT)) {
        struct msg_deque *q = !strcmp (option, FLUX_OPT_SEND_QUEUE_COUNT)
                              ? ctx->send : ctx->recv;
        size_t count;
        if (!val || len != sizeof (size_t)) {
            errno = EINVAL;
            return -1;
        }
        count = msg_deque_count (q);
        memcpy (val, &count, len);
    }
    else if (!strcmp (option, FLUX_OPT_ROUTER_NAME)) {
        if (!ctx->router) {
            errno = ENOENT;
            return -1;
        }
        if (!val || len < strlen (ctx->router) + 1) {
            errno = EINVAL;
            return -1;
        }
        strcpy (val, ctx->router);
    }
    else {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static void op_fini (void *impl)
{
    struct interthread *ctx = impl;

    if (ctx) {
        int saved_errno = errno;
        /* N.B. the queue outlives this end while the other is open. */
        (void)msg_deque_set_readyset (ctx->recv, NULL, NULL);
        if (ctx->chan)
            channel_detach (ctx->chan, ctx->end);
        free (ctx->router);
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

flux_t *connector_interthread_open (const char *path, int flags,
                                    flux_error_t *error)
{
    struct interthread *ctx;
    flux_t *h;

    if (!path || *path == '\0') {
        errno = EINVAL;
        handle_errprintf (error, "interthread:// needs a channel name");
        return NULL;
    }
    if (!(ctx = calloc (1, sizeof (*ctx)))) {
        handle_errprintf (error, "interthread://%s: %s", path,
                          strerror (errno));
        return NULL;
    }
    ctx->cred.userid = getuid ();
    ctx->cred.rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL;
    if ((ctx->end = channel_attach (path, &ctx->chan)) < 0) {
        handle_errprintf (error, "interthread://%s: %s", path,
                          strerror (errno));
        free (ctx);
        return NULL;
    }
    ctx->send = ctx->chan->queue[ctx->end];
    ctx->recv = ctx->chan->queue[!ctx->end];
    if (!(h = flux_handle_create (ctx, &handle_ops, flags))) {
        handle_errprintf (error, "interthread://%s: %s", path,
                          strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    handle_set_wakeup (h, &wakeup_ops);
    return h;
}

/* Ready sets (flux/handle.h): a thin skin over msg_readyset, whose
 * members are the receive queues of interthread ends.
 */

flux_readyset_t *flux_readyset_create (void)
{
    return (flux_readyset_t *)msg_readyset_create ();
}

void flux_readyset_destroy (flux_readyset_t *rs)
{
    msg_readyset_decref ((struct msg_readyset *)rs);
}

int flux_readyset_add (flux_readyset_t *rs, flux_t *h, void *arg)
{
    struct interthread *ctx;

    if (!rs || !arg || !(ctx = handle_get_impl (h, &handle_ops))) {
        errno = EINVAL;
        return -1;
    }
    return msg_deque_set_readyset (ctx->recv, (struct msg_readyset *)rs,
                                   arg);
}

void flux_readyset_remove (flux_readyset_t *rs, flux_t *h)
{
    struct interthread *ctx;

    if (rs && (ctx = handle_get_impl (h, &handle_ops))) {
        int saved_errno = errno;
        (void)msg_deque_set_readyset (ctx->recv, NULL, NULL);
        errno = saved_errno;
    }
}

int flux_readyset_fd (flux_readyset_t *rs)
{
    return msg_readyset_fd ((struct msg_readyset *)rs);
}

void flux_readyset_clear (flux_readyset_t *rs)
{
    msg_readyset_clear ((struct msg_readyset *)rs);
}

void *flux_readyset_pop (flux_readyset_t *rs)
{
    return msg_readyset_pop ((struct msg_readyset *)rs);
}

// vi:ts=4 sw=4 expandtab
