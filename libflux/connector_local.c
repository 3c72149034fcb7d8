/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* local://PATH: the client end of a broker's AF_UNIX stream socket.
 *
 * Connecting follows flux-core (REFERENCE 1.6): a CLOEXEC socket,
 * connect() retried with a doubling backoff (a broker may still be
 * creating its socket), then a blocking read of the broker's one-byte
 * answer: 0 accepts, any other value is the errno of the refusal, EOF
 * means the broker hung up (ECONNRESET).  After that the socket is
 * non-blocking and messages travel in flux-core's framing
 * (flux_msg_sendfd and a receive buffer, flux_msg_rbuf, message_iobuf.c),
 * which resume partial writes and reads; one read() takes every frame
 * waiting, and the handle reports POLLIN while a whole one is buffered.  A blocking send or recv waits in poll() for the socket,
 * so the handle's own semantics decide blocking, not the fd's.
 *
 * Credentials are the broker's business: it stamps messages from this
 * connection with the peer's uid and role.  Only when the testsuite
 * options FLUX_OPT_TESTING_USERID/ROLEMASK are set do messages leave
 * with creds, which a broker honors from an owner connection (this is
 * how flux-core's tests simulate guests).
 *
 * fd://N is the same connector on a file descriptor the caller already
 * connected (e.g. one end of a socketpair whose other end is a handle
 * too, or a broker's connection): no connect, no one-byte answer, and
 * the descriptor is closed with the handle, as flux-core's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "flux/handle.h"
#include "flux/connector.h"
#include "flux/reactor.h"
#include "handle_private.h"
#include "message_private.h"

#define RETRY_COUNT_DEFAULT 5
#define RETRY_BACKOFF_START 0.016
#define RETRY_BACKOFF_MAX 2.0

struct local {
    int fd;
    struct flux_msg_rbuf inbuf;
    struct flux_msg_iobuf outbuf;
    bool testing;
    struct flux_msg_cred testing_cred;
};

static int wait_fd (int fd, short events)
{
    struct pollfd pfd = { .fd = fd, .events = events };

    if (poll (&pfd, 1, -1) < 0 && errno != EINTR)
        return -1;
    return 0;
}

static int op_pollfd (void *impl)
{
    struct local *ctx = impl;
    return ctx->fd;
}

static int op_pollevents (void *impl)
{
    struct local *ctx = impl;
    struct pollfd pfd = { .fd = ctx->fd, .events = POLLIN | POLLOUT };
    int events = 0;

    if (poll (&pfd, 1, 0) < 0)
        return FLUX_POLLERR;
    if ((pfd.revents & POLLIN))
        events |= FLUX_POLLIN;
    if ((pfd.revents & POLLOUT))
        events |= FLUX_POLLOUT;
    /* N.B. a hung-up peer is reported as readable too, so a reader
     * collects the ECONNRESET rather than never being told.
     */
    if ((pfd.revents & (POLLERR | POLLHUP)))
        events |= FLUX_POLLERR | FLUX_POLLIN;
    /* Frames already read from the socket are as good as its bytes. */
    if (flux_msg_rbuf_ready (&ctx->inbuf, MESSAGE_MAX_ENCODED_SIZE))
        events |= FLUX_POLLIN;
    return events;
}

static int op_send (void *impl, const flux_msg_t *msg, int flags)
{
    struct local *ctx = impl;
    flux_msg_t *cpy = NULL;
    int rc = -1;

    if (ctx->testing) {
        if (!(cpy = flux_msg_copy (msg, true))
            || flux_msg_set_cred (cpy, ctx->testing_cred) < 0)
            goto done;
        msg = cpy;
    }
    while (flux_msg_sendfd (ctx->fd, msg, &ctx->outbuf) < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            goto done;
        if ((flags & FLUX_O_NONBLOCK)) {
            errno = EWOULDBLOCK;
            goto done;
        }
        if (wait_fd (ctx->fd, POLLOUT) < 0)
            goto done;
    }
    rc = 0;
done:
    flux_msg_destroy (cpy);
    return rc;
}

static flux_msg_t *op_recv (void *impl, int flags)
{
    struct local *ctx = impl;
    flux_msg_t *msg;

    /* N.B. the socket is read whenever nothing whole is buffered: a short
     * read says it was empty then, not that it still is, and a caller
     * may have slept since.
     */
    for (;;) {
        ctx->inbuf.drained = false;
        if ((msg = flux_msg_rbuf_recv (ctx->fd, &ctx->inbuf,
                                       MESSAGE_MAX_ENCODED_SIZE, NULL)))
            break;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return NULL;
        if ((flags & FLUX_O_NONBLOCK)) {
            errno = EWOULDBLOCK;
            return NULL;
        }
        if (wait_fd (ctx->fd, POLLIN) < 0)
            return NULL;
    }
    return msg;
}

static int op_setopt (void *impl, const char *option,
                      const void *val, size_t len)
{
    struct local *ctx = impl;
    uint32_t v;

    if (!val || len != sizeof (v)) {
        errno = EINVAL;
        return -1;
    }
    memcpy (&v, val, sizeof (v));
    if (!strcmp (option, FLUX_OPT_TESTING_USERID))
        ctx->testing_cred.userid = v;
    else if (!strcmp (option, FLUX_OPT_TESTING_ROLEMASK))
        ctx->testing_cred.rolemask = v;
    else {
        errno = EINVAL;
        return -1;
    }
    ctx->testing = true;
    return 0;
}

static int op_getopt (void *impl, const char *option, void *val, size_t len)
{
    struct local *ctx = impl;

    if (!val || len != sizeof (uint32_t)) {
        errno = EINVAL;
        return -1;
    }
    if (!strcmp (option, FLUX_OPT_TESTING_USERID))
        memcpy (val, &ctx->testing_cred.userid, len);
    else if (!strcmp (option, FLUX_OPT_TESTING_ROLEMASK))
        memcpy (val, &ctx->testing_cred.rolemask, len);
    else {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static void op_fini (void *impl)
{
    struct local *ctx = impl;

    if (ctx) {
        int saved_errno = errno;
        if (ctx->fd >= 0)
            (void)close (ctx->fd);
        flux_msg_rbuf_clean (&ctx->inbuf);
        flux_msg_iobuf_clean (&ctx->outbuf);
        free (ctx);
        errno = saved_errno;
    }
}

static const struct flux_handle_ops handle_ops = {
    .pollfd = op_pollfd,
    .pollevents = op_pollevents,
    .send = op_send,
    .recv = op_recv,
    .setopt = op_setopt,
    .getopt = op_getopt,
    .impl_destroy = op_fini,
};

static int retry_count (void)
{
    const char *s = getenv ("FLUX_LOCAL_CONNECTOR_RETRY_COUNT");
    char *endptr;
    long n;

    if (s) {
        errno = 0;
        n = strtol (s, &endptr, 10);
        if (errno == 0 && *s && *endptr == '\0' && n >= 0 && n < 1000)
            return n;
    }
    return RETRY_COUNT_DEFAULT;
}

static void sleep_seconds (double t)
{
    struct timespec ts = {
        .tv_sec = (time_t)t,
        .tv_nsec = (long)((t - (time_t)t) * 1e9),
    };
    while (nanosleep (&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Connect, retrying.  Returns a connected CLOEXEC fd or -1 with errno. */
static int connect_retry (const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int retries = retry_count ();
    double backoff = RETRY_BACKOFF_START;

    if (strlen (path) >= sizeof (addr.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy (addr.sun_path, path);
    for (int attempt = 0; ; attempt++) {
        int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -1;
        if (connect (fd, (struct sockaddr *)&addr, sizeof (addr)) == 0)
            return fd;
        int saved_errno = errno;
        (void)close (fd);
        errno = saved_errno;
        if (attempt >= retries)
            return -1;
        sleep_seconds (backoff);
        backoff *= 2;
        if (backoff > RETRY_BACKOFF_MAX)
            backoff = RETRY_BACKOFF_MAX;
    }
}

/* The broker's one-byte answer: 0 or an errno.  Returns 0 or -1. */
static int read_auth (int fd)
{
    unsigned char c;
    ssize_t n;

    while ((n = read (fd, &c, 1)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        return -1;
    if (n == 0) {
        errno = ECONNRESET;
        return -1;
    }
    if (c != 0) {
        errno = c;
        return -1;
    }
    return 0;
}

static struct local *local_create (void)
{
    struct local *ctx;

    if (!(ctx = calloc (1, sizeof (*ctx))))
        return NULL;
    ctx->fd = -1;
    ctx->testing_cred.userid = FLUX_USERID_UNKNOWN;
    ctx->testing_cred.rolemask = FLUX_ROLE_NONE;
    flux_msg_rbuf_init (&ctx->inbuf);
    flux_msg_iobuf_init (&ctx->outbuf);
    return ctx;
}

/* Make ctx->fd non-blocking and the handle over it; on failure ctx is
 * destroyed (its fd closed).  'uri' names it in error texts.
 */
static flux_t *local_handle (struct local *ctx, int flags, const char *uri,
                             flux_error_t *error)
{
    int fl;
    flux_t *h;

    if ((fl = fcntl (ctx->fd, F_GETFL)) < 0
        || fcntl (ctx->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        handle_errprintf (error, "%s: fcntl: %s", uri, strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    if (!(h = flux_handle_create (ctx, &handle_ops, flags))) {
        handle_errprintf (error, "%s: %s", uri, strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    return h;
}

flux_t *connector_local_open (const char *path, int flags,
                              flux_error_t *error)
{
    struct local *ctx;
    char uri[4096];

    if (!path || *path == '\0') {
        errno = EINVAL;
        handle_errprintf (error, "local:// needs a socket path");
        return NULL;
    }
    snprintf (uri, sizeof (uri), "local://%s", path);
    if (!(ctx = local_create ())) {
        handle_errprintf (error, "%s: %s", uri, strerror (errno));
        return NULL;
    }
    if ((ctx->fd = connect_retry (path)) < 0) {
        handle_errprintf (error, "connect %s: %s", uri, strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    if (read_auth (ctx->fd) < 0) {
        handle_errprintf (error, "%s: broker refused connection: %s",
                          uri, strerror (errno));
        op_fini (ctx);
        return NULL;
    }
    return local_handle (ctx, flags, uri, error);
}

flux_t *connector_fd_open (const char *path, int flags, flux_error_t *error)
{
    struct local *ctx;
    char *endptr;
    long fd;

    if (!path || *path == '\0') {
        errno = EINVAL;
        handle_errprintf (error, "URI path is not set");
        return NULL;
    }
    errno = 0;
    fd = strtol (path, &endptr, 10);
    if (errno != 0 || *endptr != '\0' || fd < 0 || fd > INT_MAX
        || fcntl ((int)fd, F_GETFD) < 0) {
        errno = EINVAL;
        handle_errprintf (error, "error parsing file descriptor");
        return NULL;
    }
    if (!(ctx = local_create ())) {
        handle_errprintf (error, "fd://%s: %s", path, strerror (errno));
        return NULL;
    }
    ctx->fd = (int)fd;
    return local_handle (ctx, flags, "fd://", error);
}

// vi:ts=4 sw=4 expandtab
