/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Clients on the local socket.
 *
 * A connection is authenticated once, when it is accepted: the kernel
 * tells us the peer's uid (SO_PEERCRED), and the uid decides a role.  The
 * instance owner (and root, if allow-root-owner is set: [access] in the
 * configuration, or the access.* attribute, brokercfg.h) is OWNER;
 * anyone else is a guest (USER) if allow-guest-user is set, and is
 * refused otherwise.  The answer is the one byte flux-core's connector
 * reads: 0 to accept, an errno to refuse.  Every accepted connection is
 * also LOCAL.
 *
 * From then on the connection's role governs every message it sends:
 * a guest's credentials are overwritten with the connection's, so a
 * guest cannot claim to be someone else; an owner's are only filled in
 * where left unset, which lets the owner's test tools act as a guest
 * (FLUX_HANDLE_USERID/ROLEMASK) to exercise the access checks.
 *
 * The broker never blocks on a client: the socket is non-blocking, a
 * partial frame in either direction is kept in the connection's iobuf
 * and resumed when the fd is ready, and messages that cannot be written
 * yet wait in a queue.  A client that sends a malformed frame is logged
 * and dropped; one that goes away, even mid-frame, is simply cleaned up
 * (the router sends disconnects for it).
 *
 * Limits (doc/design.md, "Limits"): a frame whose header announces more
 * than broker.max-message-size is refused before its body is read, and
 * the client dropped; a client whose queue would grow past
 * broker.client-queue-max bytes (it sends requests and does not read the
 * answers) is dropped too.  Either way one log line names the client,
 * and nothing it held is kept.  The first message of an empty queue is
 * always taken, so one large answer still reaches its client.  While
 * the broker's own services are backlogged no client is read, so that
 * several flooding clients cannot pile requests up inside the broker.
 *
 * Reading: each connection has a receive buffer (flux_msg_rbuf), so one
 * read() takes every frame waiting, and a short read says the socket is
 * empty without a second read() to hear EAGAIN.  At most 16 frames are
 * handed to the router per connection per reactor turn; frames left in
 * the buffer then (the socket may be empty: its watcher would not fire)
 * are read next turn by the listener's check watcher, which also counts
 * the turns, with an idle watcher started so the loop does not sleep
 * meanwhile.
 *
 * Writing: a message for a client waits in its queue until the end of
 * the reactor turn (a prepare watcher, before the loop sleeps), when
 * what the turn queued is encoded into one buffer (flux_msg_wbuf, up
 * to 64 KiB of frames at a time) and sent with one send(): with many
 * requests in flight, one syscall for the answers of a turn instead of
 * one each.  What is left when the broker stops is written as far as
 * the socket takes it, as before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "listener.h"
#include "router.h"
#include "attr.h"
#include "brokercfg.h"

struct outmsg {
    flux_msg_t *msg;
    size_t size;    /* its encoded size, counted in outq_bytes */
    struct outmsg *next;
};

struct conn {
    struct listener *l;
    int fd;
    uid_t uid;
    struct flux_msg_cred cred;
    flux_watcher_t *rw;
    flux_watcher_t *ww;
    struct flux_msg_rbuf inbuf;
    struct flux_msg_wbuf outbuf;
    size_t outbuf_counted;  /* of outq_bytes, those now in outbuf */
    struct outmsg *outq;
    struct outmsg **outq_tail;
    size_t outq_bytes;      /* queued and in outbuf, not yet written */
    bool flushing;          /* on the listener's flush list */
    struct conn *flush_next;
    struct peer *peer;
    bool closed;
    unsigned int turn;      /* the listener's turn when 'budget' was set */
    int budget;             /* frames it may still read in that turn */
    bool pending;           /* on the listener's pending list */
    struct conn *pending_next;
    struct conn *next;
};

struct listener {
    struct broker *ctx;
    char *path;
    bool bound;     /* path is our socket: unlink it when done */
    int fd;
    flux_watcher_t *w;
    struct conn *conns;
    struct conn *dead;
    flux_watcher_t *reap_w;
    struct conn *pending;   /* to read next turn: batch used up */
    unsigned int turn;      /* reactor turns, counted by check_w */
    flux_watcher_t *check_w;
    flux_watcher_t *idle_w;
    struct conn *flushq;    /* to write before the loop sleeps */
    flux_watcher_t *flush_w;
};

static void outq_clear (struct conn *c)
{
    while (c->outq) {
        struct outmsg *o = c->outq;
        c->outq = o->next;
        flux_msg_decref (o->msg);
        free (o);
    }
    c->outq_tail = &c->outq;
    c->outq_bytes = 0;
}

static void conn_free (struct conn *c)
{
    if (c) {
        int saved_errno = errno;
        flux_watcher_destroy (c->rw);
        flux_watcher_destroy (c->ww);
        outq_clear (c);
        flux_msg_rbuf_clean (&c->inbuf);
        flux_msg_wbuf_clean (&c->outbuf);
        if (c->fd >= 0)
            (void)close (c->fd);
        free (c);
        errno = saved_errno;
    }
}

/* Close now, free later: this may run inside the conn's own callback,
 * or while the router walks its peers.
 */
static void conn_close (struct conn *c)
{
    struct listener *l = c->l;
    struct conn **cp;

    if (c->closed)
        return;
    c->closed = true;
    if (c->pending) {
        for (cp = &l->pending; *cp; cp = &(*cp)->pending_next) {
            if (*cp == c) {
                *cp = c->pending_next;
                break;
            }
        }
        c->pending = false;
    }
    if (c->flushing) {
        for (cp = &l->flushq; *cp; cp = &(*cp)->flush_next) {
            if (*cp == c) {
                *cp = c->flush_next;
                break;
            }
        }
        c->flushing = false;
    }
    flux_watcher_stop (c->rw);
    flux_watcher_stop (c->ww);
    (void)close (c->fd);
    c->fd = -1;
    router_peer_remove (c->peer);
    for (cp = &l->conns; *cp; cp = &(*cp)->next) {
        if (*cp == c) {
            *cp = c->next;
            break;
        }
    }
    c->next = l->dead;
    l->dead = c;
    flux_watcher_start (l->reap_w);
}

static void reap_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    struct listener *l = arg;

    (void)r;
    (void)revents;
    while (l->dead) {
        struct conn *c = l->dead;
        l->dead = c->next;
        conn_free (c);
    }
    flux_watcher_stop (w);
}

/* Frames encoded into the send buffer at a time, at most (but always
 * one message, however large).
 */
#define OUTBUF_BATCH (64 * 1024)

/* Write queued messages until the socket would block: the buffer's
 * frames first, then the next messages of the queue, encoded together.
 */
static int conn_flush (struct conn *c)
{
    for (;;) {
        if (c->outbuf.head == c->outbuf.tail) {
            c->outq_bytes -= c->outbuf_counted;
            c->outbuf_counted = 0;
            if (!c->outq)
                break;
            while (c->outq && (c->outbuf_counted == 0
                               || c->outbuf.tail < OUTBUF_BATCH)) {
                struct outmsg *o = c->outq;
                if (flux_msg_wbuf_add (&c->outbuf, o->msg) < 0)
                    return -1;
                c->outbuf_counted += o->size;
                c->outq = o->next;
                flux_msg_decref (o->msg);
                free (o);
            }
            if (!c->outq)
                c->outq_tail = &c->outq;
        }
        if (flux_msg_wbuf_write (c->fd, &c->outbuf) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                flux_watcher_start (c->ww);
                return 0;
            }
            return -1;
        }
    }
    flux_watcher_stop (c->ww);
    return 0;
}

/* Before the loop sleeps: write what this turn queued for each client. */
static void flush_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct listener *l = arg;
    struct conn *list = l->flushq;

    (void)r;
    (void)revents;
    l->flushq = NULL;
    flux_watcher_stop (w);
    while (list) {
        struct conn *c = list;
        list = c->flush_next;
        /* N.B. as in pending_cb: one closed meanwhile is not flushing. */
        if (c->flushing) {
            c->flushing = false;
            if (conn_flush (c) < 0)
                conn_close (c);
        }
    }
}

static void conn_write_cb (flux_reactor_t *r, flux_watcher_t *w,
                           int revents, void *arg)
{
    struct conn *c = arg;

    (void)r;
    (void)w;
    (void)revents;
    if (conn_flush (c) < 0)
        conn_close (c);
}

/* peer_send_f for a connection.  Responses leave with their last hop
 * (this connection) popped; messages without credentials carry the
 * broker's, as flux-core's do.
 */
static int conn_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    struct conn *c = arg;
    struct outmsg *o;
    int type;
    struct flux_msg_cred cred;
    ssize_t size;
    size_t limit = c->l->ctx->limits.client_queue_max;

    (void)p;
    if (c->closed) {
        flux_msg_decref (msg);
        errno = ECONNRESET;
        return -1;
    }
    if (flux_msg_get_type (msg, &type) < 0
        || flux_msg_get_cred (msg, &cred) < 0)
        goto error;
    if (type == FLUX_MSGTYPE_RESPONSE
        || cred.userid == FLUX_USERID_UNKNOWN
        || cred.rolemask == FLUX_ROLE_NONE) {
        if (!(msg = router_msg_own (msg)))
            goto error;
        if (type == FLUX_MSGTYPE_RESPONSE)
            (void)flux_msg_route_delete_last (msg);
        if (cred.userid == FLUX_USERID_UNKNOWN)
            cred.userid = router_owner_cred ().userid;
        if (cred.rolemask == FLUX_ROLE_NONE)
            cred.rolemask = router_owner_cred ().rolemask;
        if (flux_msg_set_cred (msg, cred) < 0)
            goto error;
    }
    if ((size = flux_msg_encode_size (msg)) < 0)
        goto error;
    if (c->outq_bytes > 0 && c->outq_bytes + size > limit) {
        flux_log (c->l->ctx->h, LOG_ERR,
                  "dropping client %s (uid %d): %zu bytes queued for it"
                  " and not read, over broker.client-queue-max (%zu)",
                  router_peer_uuid (c->peer), (int)c->uid,
                  c->outq_bytes + size, limit);
        flux_msg_decref (msg);
        conn_close (c);
        errno = ENOBUFS;
        return -1;
    }
    if (!(o = calloc (1, sizeof (*o))))
        goto error;
    o->msg = msg;
    o->size = size;
    c->outq_bytes += size;
    *c->outq_tail = o;
    c->outq_tail = &o->next;
    /* Written at the end of the turn, unless the socket is full (then
     * its write watcher is on).
     */
    if (!c->flushing && !flux_watcher_is_active (c->ww)) {
        c->flushing = true;
        c->flush_next = c->l->flushq;
        c->l->flushq = c;
        flux_watcher_start (c->l->flush_w);
    }
    return 0;
error:
    flux_msg_decref (msg);
    return -1;
}

/* Stamp ingress credentials (see the comment at the top). */
static int stamp_cred (struct conn *c, flux_msg_t *msg)
{
    struct flux_msg_cred cred;

    if (!(c->cred.rolemask & FLUX_ROLE_OWNER))
        return flux_msg_set_cred (msg, c->cred);
    if (flux_msg_get_cred (msg, &cred) < 0)
        return -1;
    if (cred.userid == FLUX_USERID_UNKNOWN)
        cred.userid = c->cred.userid;
    if (cred.rolemask == FLUX_ROLE_NONE)
        cred.rolemask = c->cred.rolemask;
    return flux_msg_set_cred (msg, cred);
}

/* Messages waiting in the broker's own channel (its services' queue)
 * past which no client is read this turn: clients flooding the broker's
 * services are then held back in their sockets, not in the broker, and
 * each is cut off at its own client-queue-max as the answers come.
 */
#define BROKER_BACKLOG_MAX 1024

static bool broker_backlogged (struct broker *ctx)
{
    size_t count;

    return flux_opt_get (ctx->h_router, FLUX_OPT_SEND_QUEUE_COUNT,
                         &count, sizeof (count)) == 0
        && count >= BROKER_BACKLOG_MAX;
}

/* Read the next turn: the batch was used up with frames perhaps still
 * buffered, or the broker was backlogged.
 */
static void conn_set_pending (struct conn *c)
{
    if (!c->pending && !c->closed) {
        c->pending = true;
        c->pending_next = c->l->pending;
        c->l->pending = c;
        flux_watcher_start (c->l->idle_w);
    }
}

/* Hand the frames of a connection to the router: at most 16 in a turn.
 * Bounded, so one busy client cannot starve the others; and no more
 * than the broker's own dispatcher takes in one turn (16), so that a
 * client's requests do not pile up in the broker's channel faster than
 * its services answer them: a client that never reads is then cut off
 * at broker.client-queue-max with about as much again in flight, not
 * three times as much (64 here: 224 MB of broker RSS at the default
 * limit, 16: 72 MB).
 */
static void conn_read (struct conn *c)
{
    struct listener *l = c->l;
    flux_t *h = l->ctx->h;
    size_t max = l->ctx->limits.max_message_size;

    if (c->turn != l->turn) {
        c->turn = l->turn;
        c->budget = 16;
    }
    if (broker_backlogged (l->ctx)) {
        /* Tried again next turn: by the fd's watcher if the socket has
         * more, by the pending list if the buffer has.
         */
        if (c->inbuf.tail > c->inbuf.head)
            conn_set_pending (c);
        return;
    }
    while (c->budget > 0 && !c->closed) {
        flux_msg_t *msg;
        size_t len;

        if (!(msg = flux_msg_rbuf_recv (c->fd, &c->inbuf, max, &len))) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EMSGSIZE) {
                flux_log (h, LOG_ERR,
                          "dropping client %s (uid %d): message of %zu"
                          " bytes is over broker.max-message-size (%zu)",
                          router_peer_uuid (c->peer), (int)c->uid,
                          len, max);
                conn_close (c);
                return;
            }
            /* N.B. a client that just goes is not worth a log line: in
             * a busy instance those would push everything else out of
             * the ring.
             */
            if (errno != ECONNRESET && errno != EPIPE)
                flux_log (h, LOG_ERR,
                          "dropping client %.8s (uid %d): "
                          "error reading message: %s",
                          router_peer_uuid (c->peer),
                          (int)c->uid,
                          strerror (errno));
            conn_close (c);
            return;
        }
        c->budget--;
        if (stamp_cred (c, msg) < 0) {
            flux_msg_destroy (msg);
            continue;
        }
        router_recv (c->peer, msg);
    }
    conn_set_pending (c);
}

static void conn_read_cb (flux_reactor_t *r, flux_watcher_t *w,
                          int revents, void *arg)
{
    struct conn *c = arg;

    (void)r;
    (void)w;
    if ((revents & FLUX_POLLERR) && !(revents & FLUX_POLLIN)) {
        conn_close (c);
        return;
    }
    c->inbuf.drained = false; // the socket has bytes: read may be asked
    conn_read (c);
}

/* After each poll, before the io callbacks: a new turn, and the
 * connections whose batch ran out last turn are read again.
 */
static void pending_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                        void *arg)
{
    struct listener *l = arg;
    struct conn *list = l->pending;

    (void)r;
    (void)w;
    (void)revents;
    l->turn++;
    l->pending = NULL;
    flux_watcher_stop (l->idle_w);
    while (list) {
        struct conn *c = list;
        list = c->pending_next;
        /* N.B. a connection closed meanwhile is still allocated (freed
         * by reap_cb, before the loop blocks), and no longer pending.
         */
        if (c->pending) {
            c->pending = false;
            conn_read (c);
        }
    }
}

/* The role of a new connection, or -1 with errno EPERM. */
static int conn_role (struct listener *l, uid_t uid, uint32_t *rolemask)
{
    struct brokercfg *cfg = l->ctx->config;

    if (uid == getuid ()
        || (uid == 0 && brokercfg_allow_root_owner (cfg)))
        *rolemask = router_owner_cred ().rolemask;
    else if (brokercfg_allow_guest_user (cfg))
        *rolemask = FLUX_ROLE_USER | FLUX_ROLE_LOCAL;
    else {
        errno = EPERM;
        return -1;
    }
    return 0;
}

static void conn_accept (struct listener *l, int fd)
{
    struct ucred ucred;
    socklen_t len = sizeof (ucred);
    struct conn *c = NULL;
    uint32_t rolemask;
    uuid_t uuid;
    char uuid_str[UUID_STR_LEN];
    unsigned char byte;

    if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &ucred, &len) < 0) {
        flux_log_error (l->ctx->h, "SO_PEERCRED");
        (void)close (fd);
        return;
    }
    if (conn_role (l, ucred.uid, &rolemask) < 0) {
        byte = EPERM;
        flux_log (l->ctx->h, LOG_DEBUG, "refusing connection from uid %d",
                  (int)ucred.uid);
        (void)write (fd, &byte, 1);
        (void)close (fd);
        return;
    }
    if (!(c = calloc (1, sizeof (*c))))
        goto error;
    c->l = l;
    c->fd = fd;
    c->uid = ucred.uid;
    c->cred.userid = ucred.uid;
    c->cred.rolemask = rolemask;
    c->outq_tail = &c->outq;
    flux_msg_rbuf_init (&c->inbuf);
    flux_msg_wbuf_init (&c->outbuf);
    uuid_generate (uuid);
    uuid_unparse (uuid, uuid_str);
    if (!(c->rw = flux_fd_watcher_create (l->ctx->r, fd, FLUX_POLLIN,
                                          conn_read_cb, c))
        || !(c->ww = flux_fd_watcher_create (l->ctx->r, fd, FLUX_POLLOUT,
                                             conn_write_cb, c))
        || !(c->peer = router_peer_add (l->ctx->router, uuid_str, PEER_CONN,
                                        c->cred, conn_send, c)))
        goto error;
    byte = 0;
    if (write (fd, &byte, 1) != 1) {
        router_peer_remove (c->peer);
        c->peer = NULL;
        /* A client that went at once (as another broker's probe of the
         * rundir does, listener_probe) is not an error.
         */
        if (errno == EPIPE || errno == ECONNRESET) {
            c->fd = -1;
            conn_free (c);
            (void)close (fd);
            return;
        }
        goto error;
    }
    flux_watcher_start (c->rw);
    c->next = l->conns;
    l->conns = c;
    return;
error:
    flux_log_error (l->ctx->h, "error accepting connection");
    if (c) {
        c->fd = -1;
        conn_free (c);
    }
    (void)close (fd);
}

static void listen_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                       void *arg)
{
    struct listener *l = arg;

    (void)r;
    (void)w;
    (void)revents;
    for (int i = 0; i < 16; i++) {
        int fd = accept4 (l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                flux_log_error (l->ctx->h, "accept");
            return;
        }
        conn_accept (l, fd);
    }
}

void listener_destroy (struct listener *l)
{
    if (l) {
        int saved_errno = errno;
        /* What the last turns queued, as far as the sockets take it
         * (the loop will not sleep again to flush it).
         */
        for (struct conn *c = l->conns; c; c = c->next)
            (void)conn_flush (c);
        while (l->conns)
            conn_close (l->conns);
        while (l->dead) {
            struct conn *c = l->dead;
            l->dead = c->next;
            conn_free (c);
        }
        flux_watcher_destroy (l->reap_w);
        flux_watcher_destroy (l->check_w);
        flux_watcher_destroy (l->idle_w);
        flux_watcher_destroy (l->flush_w);
        flux_watcher_destroy (l->w);
        if (l->fd >= 0)
            (void)close (l->fd);
        if (l->bound)
            (void)unlink (l->path);
        free (l->path);
        free (l);
        errno = saved_errno;
    }
}

int listener_probe (const char *path)
{
    struct sockaddr_un addr;
    struct stat sb;
    int fd;
    int rc;

    if (lstat (path, &sb) < 0)
        return errno == ENOENT ? 0 : 1;
    if (!S_ISSOCK (sb.st_mode)) {
        errno = EEXIST;
        return -1;
    }
    if (strlen (path) >= sizeof (addr.sun_path))
        return 1;
    memset (&addr, 0, sizeof (addr));
    addr.sun_family = AF_UNIX;
    strcpy (addr.sun_path, path);
    /* N.B. non-blocking: a listener whose backlog is full (EAGAIN) is
     * as alive as one that accepts.  Only ECONNREFUSED (nobody has it
     * open) or ENOENT (gone meanwhile) say the socket may be replaced;
     * anything else (EACCES...) cannot be told from a live broker.
     */
    if ((fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                      0)) < 0)
        return 1;
    if (connect (fd, (struct sockaddr *)&addr, sizeof (addr)) == 0)
        rc = 1;
    else
        rc = (errno == ECONNREFUSED || errno == ENOENT) ? 0 : 1;
    (void)close (fd);
    return rc;
}

struct listener *listener_create (struct broker *ctx, const char *path)
{
    struct listener *l;
    struct sockaddr_un addr;
    int probe;

    if (strlen (path) >= sizeof (addr.sun_path)) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    if (!(l = calloc (1, sizeof (*l))))
        return NULL;
    l->ctx = ctx;
    l->fd = -1;
    if (!(l->path = strdup (path)))
        goto error;
    memset (&addr, 0, sizeof (addr));
    addr.sun_family = AF_UNIX;
    strcpy (addr.sun_path, path);
    if ((l->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                         0)) < 0)
        goto error;
    /* bind() never replaces a file, so a live broker's socket is safe
     * unless the probe says it is stale; then it is unlinked and the
     * bind tried once more.
     */
    if (bind (l->fd, (struct sockaddr *)&addr, sizeof (addr)) < 0) {
        if (errno != EADDRINUSE)
            goto error;
        if ((probe = listener_probe (path)) != 0) {
            if (probe > 0)
                errno = EADDRINUSE;
            goto error;
        }
        if ((unlink (path) < 0 && errno != ENOENT)
            || bind (l->fd, (struct sockaddr *)&addr, sizeof (addr)) < 0)
            goto error;
    }
    l->bound = true;
    if (chmod (path, 0777) < 0
        || listen (l->fd, 1024) < 0)
        goto error;
    if (!(l->w = flux_fd_watcher_create (ctx->r, l->fd, FLUX_POLLIN,
                                         listen_cb, l))
        || !(l->reap_w = flux_prepare_watcher_create (ctx->r, reap_cb, l))
        || !(l->check_w = flux_check_watcher_create (ctx->r, pending_cb, l))
        || !(l->idle_w = flux_idle_watcher_create (ctx->r, NULL, NULL))
        || !(l->flush_w = flux_prepare_watcher_create (ctx->r, flush_cb, l)))
        goto error;
    /* Neither keeps the loop alive: the connections' watchers do. */
    flux_watcher_unref (l->check_w);
    flux_watcher_unref (l->idle_w);
    flux_watcher_unref (l->flush_w);
    flux_watcher_start (l->check_w);
    flux_watcher_start (l->w);
    return l;
error:
    listener_destroy (l);
    return NULL;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
