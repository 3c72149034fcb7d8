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
 * waiting, and the handle reports POLLIN while a whole one is buffered.
 * A blocking send or recv waits in poll() for the socket, so the
 * handle's own semantics decide blocking, not the fd's.
 *
 * A blocking recv first spins for a moment (FLUX_LOCAL_SPIN_US, default
 * 50 us; 0 turns it off): it polls the socket without sleeping, and
 * sleeps in poll() only if nothing came.  The answer to a request is
 * usually that close, and waking a thread that slept costs more: on the
 * test machine (a VM) a sleeping client took about 50 us to wake, the
 * larger part of a sequential RPC to the broker (a Python script's
 * round trip to a Python module went from 105 to 40 us).  The spin is
 * bounded per wait, and off when this process may run on one CPU only,
 * where it would only keep the broker from answering.
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
#include <sched.h>
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

#define SPIN_US_DEFAULT 50
#define SPIN_US_MAX 100000

/* Every SPIN_PROBE-th wait spins again after spins stopped paying. */
#define SPIN_PROBE 16

struct local {
    int fd;
    int spin_max_us;    // FLUX_LOCAL_SPIN_US, or its default
    int spin_us;        // how long the next blocking recv spins
    unsigned int waits; // since the spin went down to 0
    unsigned int requests_out; // sent, expecting a response, not answered
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

/* FLUX_LOCAL_SPIN_US if it is a number from 0 to SPIN_US_MAX, else the
 * default; 0 on a single CPU.
 */
static int spin_us_get (void)
{
    const char *s = getenv ("FLUX_LOCAL_SPIN_US");
    cpu_set_t cpus;
    char *end;
    long us;

    if (s && *s) {
        errno = 0;
        us = strtol (s, &end, 10);
        if (errno == 0 && *end == '\0' && us >= 0 && us <= SPIN_US_MAX)
            return us;
    }
    if (sched_getaffinity (0, sizeof (cpus), &cpus) == 0
        && CPU_COUNT (&cpus) < 2)
        return 0;
    return SPIN_US_DEFAULT;
}

/* Poll the socket without sleeping for up to 'us' microseconds,
 * yielding the CPU between polls (to a thread of this process that may be
 * the one to answer).  Returns 1 if it became readable (or failed: the
 * recv that follows says how), 0 if the time ran out.
 */
static int spin_readable (int fd, int us)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    struct timespec t0, t;
    long spun_ns;

    clock_gettime (CLOCK_MONOTONIC, &t0);
    do {
        int n = poll (&pfd, 1, 0);
        if (n != 0 && !(n < 0 && errno == EINTR))
            return 1;
        (void)sched_yield ();
        clock_gettime (CLOCK_MONOTONIC, &t);
        spun_ns = (t.tv_sec - t0.tv_sec) * 1000000000L
                  + (t.tv_nsec - t0.tv_nsec);
    } while (spun_ns < us * 1000L);
    return 0;
}

/* Wait until the socket is readable: spin first, then sleep in poll().
 *
 * N.B. the spin adapts.  A spin the answer ends goes back to its full
 * length; one that runs out is halved, down to none.  When the broker is
 * saturated (many requests in flight, every core busy) the answer is
 * rarely that close and a spinning client only takes a core from the
 * broker.  With none left, every SPIN_PROBE-th wait spins in full again,
 * to notice when spinning pays once more.  And it spins only while at
 * most one request is in flight (requests sent that expect a response,
 * less the responses received, a count streaming responses make only
 * approximate): with a fixed spin, 64 requests in flight to a Python
 * module lost a quarter of their rate, the client spinning on a core the
 * broker and the module's thread needed.
 */
static int wait_readable (struct local *ctx)
{
    int us = ctx->spin_us;

    /* N.B. with more than one request in flight the wait overlaps with
     * the broker's work on the others, and sleeping costs nothing.
     */
    if (ctx->requests_out > 1)
        return wait_fd (ctx->fd, POLLIN);

    if (us == 0 && ctx->spin_max_us > 0
        && ++ctx->waits % SPIN_PROBE == 0)
        us = ctx->spin_max_us;
    if (us > 0) {
        if (spin_readable (ctx->fd, us)) {
            ctx->spin_us = ctx->spin_max_us;
            return 0;
        }
        ctx->spin_us = us / 2;
    }
    return wait_fd (ctx->fd, POLLIN);
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

static bool expects_response (const flux_msg_t *msg)
{
    int type;
    return flux_msg_get_type (msg, &type) == 0
           && type == FLUX_MSGTYPE_REQUEST
           && !flux_msg_is_noresponse (msg);
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
    if (expects_response (msg))
        ctx->requests_out++;
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
        if (wait_readable (ctx) < 0)
            return NULL;
    }
    if (ctx->requests_out > 0) {
        int type;
        if (flux_msg_get_type (msg, &type) == 0
            && type == FLUX_MSGTYPE_RESPONSE)
            ctx->requests_out--;
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

/* The broker's one-byte answer: 0 or an errno.  Returns 0 or -1.
 * N.B. the broker answers as it accepts: the wait spins first, as a
 * blocking recv does, and saves a command the wakeup.
 */
static int read_auth (int fd, int spin_us)
{
    unsigned char c;
    ssize_t n;

    if (spin_us > 0)
        (void)spin_readable (fd, spin_us);
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
    ctx->spin_max_us = ctx->spin_us = spin_us_get ();
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
    if (read_auth (ctx->fd, ctx->spin_max_us) < 0) {
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
