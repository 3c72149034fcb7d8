/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The handle: what every user of libflux holds, in front of a connector.
 *
 * A connector only moves messages (bytes on a socket, or objects through
 * an in-process queue).  Everything a user can rely on whatever the
 * transport lives here: reference counting, named aux items, the
 * reactor, flags, matchtags, message counters, tracing, and a receive
 * queue that sits in front of the connector.
 *
 * The receive queue.  flux_recv() with a match must not lose the
 * messages it reads past, and flux_requeue() must be able to put a
 * message back.  Both go to a queue that flux_recv() reads before it asks
 * the connector.  Messages read past by a matching recv are put back at
 * the head, in their original order, so they stay ahead of anything
 * that arrives later.
 *
 * Polling.  A reactor waits on one fd per handle.  That fd must become
 * readable whenever flux_pollevents() may have changed: when the
 * connector has something, and also when a message is requeued, which
 * the connector knows nothing about.  As in flux-core, the handle owns
 * an epoll fd holding (edge-triggered) the queue's eventfd and the
 * connector's fd; flux_pollevents() consumes the edge and reports the
 * level of both.
 *
 * Clones.  A clone (flux_clone) has its own aux, reactor and thus its
 * own message dispatcher, but shares everything else with the handle it
 * was cloned from, by walking up to the root handle: connector, queue,
 * matchtags, counters.  Futures wait synchronously on a clone in a
 * temporary reactor; the clone's dispatcher keeps the messages it has no
 * handler for and puts them back at the head of the shared queue when
 * the clone goes away (msg_handler.c), so nothing is lost or reordered.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include "flux/handle.h"
#include "flux/connector.h"
#include "flux/reactor.h"
#include "flux/attr.h"
#include "msg_deque.h"
#include "handle_private.h"
#include "errprintf.h"
#include "aux.h"

/* Matchtags are 1..MATCHTAG_MAX.  flux-core's regular pool tops out at
 * 2^20 - 1 as well; the upper 12 bits were its "group" tags.
 */
#define MATCHTAG_MAX ((1u << 20) - 1)

struct tagpool {
    uint64_t *bits;     /* bit set = tag in use; bit 0 (NONE) always set */
    size_t nwords;
    uint32_t hint;      /* no free tag is below this */
    uint32_t used;
};

struct flux_handle {
    int refcount;
    int flags;
    flux_t *parent;             /* clone: the handle it was cloned from */
    struct aux_item *aux;
    flux_reactor_t *reactor;

    /* Used in the root handle only (clones reach it through root()). */
    const struct flux_handle_ops *ops;
    void *impl;
    struct msg_deque *queue;
    int pollfd;
    const struct handle_wakeup_ops *wakeup;
    struct tagpool tags;
    struct flux_msgcounters counters;
};

static flux_t *root (flux_t *h)
{
    while (h->parent)
        h = h->parent;
    return h;
}

int handle_errprintf (flux_error_t *error, const char *fmt, ...)
{
    va_list ap;

    va_start (ap, fmt);
    (void)verrprintf (error, fmt, ap);
    va_end (ap);
    return -1;
}

/* Aux items.
 */

int flux_aux_set (flux_t *h, const char *name, void *aux, flux_free_f destroy)
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    return aux_set (&h->aux, name, aux, destroy);
}

void *flux_aux_get (flux_t *h, const char *name)
{
    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    return aux_get (h->aux, name);
}

/* Create and destroy.
 */

flux_t *flux_handle_create (void *impl, const struct flux_handle_ops *ops,
                            int flags)
{
    flux_t *h;

    if (!ops || !ops->send || !ops->recv) {
        errno = EINVAL;
        return NULL;
    }
    if (!(h = calloc (1, sizeof (*h))))
        return NULL;
    h->refcount = 1;
    h->flags = flags & ~FLUX_O_CLONE;
    h->pollfd = -1;
    if (!(h->queue = msg_deque_create (MSG_DEQUE_SINGLE_THREAD))) {
        free (h);
        return NULL;
    }
    h->ops = ops;
    h->impl = impl;
    return h;
}

flux_t *flux_clone (flux_t *orig)
{
    flux_t *h;

    if (!orig) {
        errno = EINVAL;
        return NULL;
    }
    if (!(h = calloc (1, sizeof (*h))))
        return NULL;
    h->refcount = 1;
    h->flags = orig->flags | FLUX_O_CLONE;
    h->pollfd = -1;
    h->parent = flux_incref (orig);
    return h;
}

static void handle_destroy (flux_t *h)
{
    /* N.B. aux goes first: a clone's dispatcher hands its unconsumed
     * messages back to the shared queue from its destructor, which needs
     * the parent (and the root) alive.
     */
    aux_destroy (&h->aux);
    flux_reactor_decref (h->reactor);
    if (h->parent)
        flux_decref (h->parent);
    else {
        if (h->ops->impl_destroy)
            h->ops->impl_destroy (h->impl);
        msg_deque_destroy (h->queue);
        if (h->pollfd >= 0)
            (void)close (h->pollfd);
        free (h->tags.bits);
    }
    free (h);
}

flux_t *flux_incref (flux_t *h)
{
    if (h)
        h->refcount++;
    return h;
}

void flux_decref (flux_t *h)
{
    if (h && --h->refcount == 0) {
        int saved_errno = errno;
        handle_destroy (h);
        errno = saved_errno;
    }
}

void flux_close (flux_t *h)
{
    flux_decref (h);
}

/* Reactor, flags, options.
 */

int flux_set_reactor (flux_t *h, flux_reactor_t *r)
{
    if (!h || !r) {
        errno = EINVAL;
        return -1;
    }
    if (h->reactor) {
        errno = EEXIST;
        return -1;
    }
    flux_reactor_incref (r);
    h->reactor = r;
    return 0;
}

flux_reactor_t *flux_get_reactor (flux_t *h)
{
    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    if (!h->reactor)
        h->reactor = flux_reactor_create (0);
    return h->reactor;
}

int flux_flags_set (flux_t *h, int flags)
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    h->flags |= (flags & ~FLUX_O_CLONE);
    return 0;
}

int flux_flags_unset (flux_t *h, int flags)
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    h->flags &= ~(flags & ~FLUX_O_CLONE);
    return 0;
}

int flux_flags_get (flux_t *h)
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    return h->flags;
}

int flux_opt_set (flux_t *h, const char *option, const void *val, size_t len)
{
    if (!h || !option) {
        errno = EINVAL;
        return -1;
    }
    h = root (h);
    if (!h->ops->setopt) {
        errno = EINVAL;
        return -1;
    }
    return h->ops->setopt (h->impl, option, val, len);
}

int flux_opt_get (flux_t *h, const char *option, void *val, size_t len)
{
    if (!h || !option) {
        errno = EINVAL;
        return -1;
    }
    h = root (h);
    if (!h->ops->getopt) {
        errno = EINVAL;
        return -1;
    }
    return h->ops->getopt (h->impl, option, val, len);
}

/* Tracing and counters.
 */

void handle_trace_msg (const char *prefix, const flux_msg_t *msg)
{
    int type = 0;
    uint8_t flags = 0;
    struct flux_msg_cred cred = { FLUX_USERID_UNKNOWN, FLUX_ROLE_NONE };
    const char *topic = NULL;
    const void *data = NULL;
    size_t size = 0;
    char *route = NULL;
    uint32_t aux1 = 0, aux2 = 0;
    int errnum = 0;

    (void)flux_msg_get_type (msg, &type);
    (void)flux_msg_get_flags (msg, &flags);
    (void)flux_msg_get_cred (msg, &cred);
    (void)flux_msg_get_topic (msg, &topic);
    (void)flux_msg_get_payload (msg, &data, &size);
    if ((flags & FLUX_MSGFLAG_ROUTE))
        route = flux_msg_route_string (msg);

    fprintf (stderr, "flux-trace %s %s %s flags=0x%02x userid=%u rolemask=0x%x",
             prefix,
             flux_msg_typestr (type),
             topic ? topic : "-",
             flags,
             cred.userid,
             cred.rolemask);
    switch (type) {
        case FLUX_MSGTYPE_REQUEST:
            (void)flux_msg_get_nodeid (msg, &aux1);
            (void)flux_msg_get_matchtag (msg, &aux2);
            fprintf (stderr, " nodeid=%u matchtag=%u", aux1, aux2);
            break;
        case FLUX_MSGTYPE_RESPONSE:
            (void)flux_msg_get_errnum (msg, &errnum);
            (void)flux_msg_get_matchtag (msg, &aux2);
            fprintf (stderr, " errnum=%d matchtag=%u", errnum, aux2);
            break;
        case FLUX_MSGTYPE_EVENT:
            (void)flux_msg_get_seq (msg, &aux1);
            fprintf (stderr, " seq=%u", aux1);
            break;
    }
    if (route)
        fprintf (stderr, " route=%s", route);
    if (size > 0) {
        const char *s = data;
        int n = size > 80 ? 80 : (int)size;
        bool printable = true;
        for (int i = 0; i < n; i++) {
            if ((s[i] < 0x20 || s[i] > 0x7e) && !(s[i] == 0 && i == n - 1))
                printable = false;
        }
        if (printable)
            fprintf (stderr, " payload[%zu]=%.*s%s", size, n, s,
                     size > (size_t)n ? "..." : "");
        else
            fprintf (stderr, " payload[%zu]", size);
    }
    fprintf (stderr, "\n");
    free (route);
}

static void count_msg (flux_t *r, const flux_msg_t *msg, bool tx)
{
    int type;

    if (flux_msg_get_type (msg, &type) < 0)
        return;
    switch (type) {
        case FLUX_MSGTYPE_REQUEST:
            tx ? r->counters.request_tx++ : r->counters.request_rx++;
            break;
        case FLUX_MSGTYPE_RESPONSE:
            tx ? r->counters.response_tx++ : r->counters.response_rx++;
            break;
        case FLUX_MSGTYPE_EVENT:
            tx ? r->counters.event_tx++ : r->counters.event_rx++;
            break;
        case FLUX_MSGTYPE_CONTROL:
            tx ? r->counters.control_tx++ : r->counters.control_rx++;
            break;
    }
}

void flux_get_msgcounters (flux_t *h, struct flux_msgcounters *mcs)
{
    if (h && mcs)
        *mcs = root (h)->counters;
}

void flux_clr_msgcounters (flux_t *h)
{
    if (h)
        memset (&root (h)->counters, 0, sizeof (root (h)->counters));
}

/* Send and receive.
 */

int flux_send (flux_t *h, const flux_msg_t *msg, int flags)
{
    flux_t *r;

    if (!h || !msg) {
        errno = EINVAL;
        return -1;
    }
    flags |= h->flags;
    r = root (h);
    if ((flags & FLUX_O_TRACE))
        handle_trace_msg ("send", msg);
    if (r->ops->send (r->impl, msg, flags) < 0)
        return -1;
    count_msg (r, msg, true);
    return 0;
}

int flux_send_new (flux_t *h, flux_msg_t **msg, int flags)
{
    flux_t *r;
    int type;

    if (!h || !msg || !*msg) {
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_refcount (*msg) > 1) {
        errno = EINVAL;
        return -1;
    }
    flags |= h->flags;
    r = root (h);
    if (!r->ops->send_new) {
        if (flux_send (h, *msg, flags) < 0)
            return -1;
        flux_msg_destroy (*msg);
        *msg = NULL;
        return 0;
    }
    if (flux_msg_get_type (*msg, &type) < 0)
        return -1;
    if ((flags & FLUX_O_TRACE))
        handle_trace_msg ("send", *msg);
    if (r->ops->send_new (r->impl, msg, flags) < 0)
        return -1;
    *msg = NULL;
    switch (type) {
        case FLUX_MSGTYPE_REQUEST: r->counters.request_tx++; break;
        case FLUX_MSGTYPE_RESPONSE: r->counters.response_tx++; break;
        case FLUX_MSGTYPE_EVENT: r->counters.event_tx++; break;
        case FLUX_MSGTYPE_CONTROL: r->counters.control_tx++; break;
    }
    return 0;
}

/* The queue first, then the connector. */
static flux_msg_t *recv_any (flux_t *r, int flags)
{
    flux_msg_t *msg;

    if ((msg = msg_deque_pop_front (r->queue)))
        return msg;
    return r->ops->recv (r->impl, flags);
}

/* Put messages read past back at the head, last first, so they keep
 * their order ahead of later arrivals.  Steals the messages.
 */
static void requeue_deferred (flux_t *r, flux_msg_t **v, int n)
{
    int saved_errno = errno;
    for (int i = n - 1; i >= 0; i--) {
        if (msg_deque_push_front (r->queue, v[i]) < 0)
            flux_msg_destroy (v[i]); // N.B. ENOMEM: nothing better to do
    }
    errno = saved_errno;
}

flux_msg_t *flux_recv (flux_t *h, struct flux_match match, int flags)
{
    flux_t *r;
    flux_msg_t *msg;
    flux_msg_t **deferred = NULL;
    int ndeferred = 0;
    int maxdeferred = 0;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    flags |= h->flags;
    r = root (h);
    for (;;) {
        if (!(msg = recv_any (r, flags))) {
            if (errno == EAGAIN)
                errno = EWOULDBLOCK;
            goto error;
        }
        if (flux_msg_cmp (msg, match))
            break;
        if (ndeferred == maxdeferred) {
            int newmax = maxdeferred ? maxdeferred * 2 : 16;
            flux_msg_t **v = realloc (deferred, newmax * sizeof (v[0]));
            if (!v) {
                flux_msg_destroy (msg);
                errno = ENOMEM;
                goto error;
            }
            deferred = v;
            maxdeferred = newmax;
        }
        deferred[ndeferred++] = msg;
    }
    requeue_deferred (r, deferred, ndeferred);
    free (deferred);
    count_msg (r, msg, false);
    if ((flags & FLUX_O_TRACE))
        handle_trace_msg ("recv", msg);
    return msg;
error:
    requeue_deferred (r, deferred, ndeferred);
    {
        int saved_errno = errno;
        free (deferred);
        errno = saved_errno;
    }
    return NULL;
}

int flux_requeue (flux_t *h, const flux_msg_t *msg, int flags)
{
    flux_t *r;
    flux_msg_t *cpy;
    int rc;

    if (!h || !msg || (flags != FLUX_RQ_HEAD && flags != FLUX_RQ_TAIL)
        || (flux_flags_get (h) & FLUX_O_NOREQUEUE)) {
        errno = EINVAL;
        return -1;
    }
    r = root (h);
    /* N.B. the queue stores non-const messages; it only ever hands the
     * reference back out, never modifies the message.
     */
    cpy = (flux_msg_t *)flux_msg_incref (msg);
    if (flags == FLUX_RQ_HEAD)
        rc = msg_deque_push_front (r->queue, cpy);
    else
        rc = msg_deque_push_back (r->queue, cpy);
    if (rc < 0) {
        flux_msg_decref (cpy);
        return -1;
    }
    return 0;
}

/* Polling.
 */

void handle_set_wakeup (flux_t *h, const struct handle_wakeup_ops *ops)
{
    root (h)->wakeup = ops;
}

int handle_wakeup_fd (flux_t *h)
{
    flux_t *r = root (h);

    if (!r->wakeup || !r->ops->pollfd)
        return -1;
    return r->ops->pollfd (r->impl);
}

void handle_wakeup_clear (flux_t *h)
{
    flux_t *r = root (h);

    if (r->wakeup)
        r->wakeup->clear (r->impl);
}

void handle_wakeup_reader_here (flux_t *h)
{
    flux_t *r = root (h);

    if (r->wakeup && r->wakeup->reader_here)
        r->wakeup->reader_here (r->impl);
}

void *handle_get_impl (flux_t *h, const struct flux_handle_ops *ops)
{
    flux_t *r;

    if (!h || (r = root (h))->ops != ops) {
        errno = EINVAL;
        return NULL;
    }
    return r->impl;
}

int flux_pollfd (flux_t *h)
{
    flux_t *r;
    struct epoll_event ev;
    int fd;

    if (!h) {
        errno = EINVAL;
        return -1;
    }
    r = root (h);
    if (r->pollfd >= 0)
        return r->pollfd;
    /* Someone may wait on this fd alone: from now on every push that
     * makes the queue non-empty writes it, whichever thread makes it.
     */
    if (r->wakeup && r->wakeup->always_signal)
        r->wakeup->always_signal (r->impl);
    if ((r->pollfd = epoll_create1 (EPOLL_CLOEXEC)) < 0)
        return -1;
    /* N.B. the queue is always writable: only its POLLIN edges matter. */
    if ((fd = msg_deque_pollfd (r->queue)) < 0)
        goto error;
    ev.data.fd = fd;
    ev.events = EPOLLET | EPOLLIN;
    if (epoll_ctl (r->pollfd, EPOLL_CTL_ADD, fd, &ev) < 0)
        goto error;
    if (r->ops->pollfd) {
        if ((fd = r->ops->pollfd (r->impl)) < 0)
            goto error;
        ev.data.fd = fd;
        ev.events = EPOLLET | EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP;
        if (epoll_ctl (r->pollfd, EPOLL_CTL_ADD, fd, &ev) < 0)
            goto error;
    }
    return r->pollfd;
error:
    {
        int saved_errno = errno;
        (void)close (r->pollfd);
        r->pollfd = -1;
        errno = saved_errno;
    }
    return -1;
}

int handle_pollevents_levels (flux_t *h)
{
    flux_t *r;
    int events = 0;
    int e;

    if (!h) {
        errno = EINVAL;
        return -1;
    }
    r = root (h);
    if (r->ops->pollevents) {
        if ((events = r->ops->pollevents (r->impl)) < 0)
            return -1;
    }
    if ((e = msg_deque_pollevents (r->queue)) < 0)
        return -1;
    if ((e & FLUX_POLLIN))
        events |= FLUX_POLLIN;
    return events;
}

int flux_pollevents (flux_t *h)
{
    flux_t *r;

    if (!h) {
        errno = EINVAL;
        return -1;
    }
    r = root (h);
    /* Consume the edge first, then read levels: anything that changes
     * after this point makes the fd readable again.
     */
    if (r->pollfd >= 0) {
        struct epoll_event ev[2];
        (void)epoll_wait (r->pollfd, ev, 2, 0);
    }
    return handle_pollevents_levels (h);
}

/* Matchtags: the lowest free tag is handed out, as flux-core's tagpool
 * does, so tags stay small and freed tags are reused.
 */

uint32_t flux_matchtag_alloc (flux_t *h)
{
    struct tagpool *tp;
    size_t w;
    uint32_t tag;

    if (!h) {
        errno = EINVAL;
        return FLUX_MATCHTAG_NONE;
    }
    tp = &root (h)->tags;
    if (!tp->bits) {
        if (!(tp->bits = calloc (1, sizeof (tp->bits[0]))))
            return FLUX_MATCHTAG_NONE;
        tp->nwords = 1;
        tp->bits[0] = 1; // FLUX_MATCHTAG_NONE is never handed out
        tp->hint = 1;
    }
    for (w = tp->hint / 64; w < tp->nwords; w++) {
        if (tp->bits[w] != UINT64_MAX)
            break;
    }
    if (w == tp->nwords) {
        size_t newn = tp->nwords * 2;
        uint64_t *bits;
        if (w * 64 > MATCHTAG_MAX) {
            errno = EBUSY;
            return FLUX_MATCHTAG_NONE;
        }
        if (!(bits = realloc (tp->bits, newn * sizeof (bits[0]))))
            return FLUX_MATCHTAG_NONE;
        memset (bits + tp->nwords, 0, (newn - tp->nwords) * sizeof (bits[0]));
        tp->bits = bits;
        tp->nwords = newn;
    }
    tag = w * 64 + __builtin_ctzll (~tp->bits[w]);
    if (tag > MATCHTAG_MAX) {
        errno = EBUSY;
        return FLUX_MATCHTAG_NONE;
    }
    tp->bits[w] |= 1ull << (tag % 64);
    tp->used++;
    tp->hint = tag + 1;
    return tag;
}

static bool is_response_to (const flux_msg_t *msg, void *arg)
{
    uint32_t matchtag = *(uint32_t *)arg;
    struct flux_match match = FLUX_MATCH_RESPONSE;

    match.matchtag = matchtag;
    return flux_msg_cmp (msg, match);
}

void flux_matchtag_free (flux_t *h, uint32_t matchtag)
{
    struct tagpool *tp;
    flux_t *r;

    if (!h || matchtag == FLUX_MATCHTAG_NONE || matchtag > MATCHTAG_MAX)
        return;
    r = root (h);
    tp = &r->tags;
    if (matchtag / 64 >= tp->nwords
        || !(tp->bits[matchtag / 64] & (1ull << (matchtag % 64))))
        return;
    /* Responses to the old owner of the tag must not reach the next one.
     */
    (void)msg_deque_remove_if (r->queue, is_response_to, &matchtag);
    tp->bits[matchtag / 64] &= ~(1ull << (matchtag % 64));
    tp->used--;
    if (matchtag < tp->hint)
        tp->hint = matchtag;
}

uint32_t flux_matchtag_avail (flux_t *h)
{
    if (!h)
        return 0;
    return MATCHTAG_MAX - root (h)->tags.used;
}

/* Rank.
 */

int flux_get_rank (flux_t *h, uint32_t *rank)
{
    const char *s;
    char *endptr;
    unsigned long v;

    if (!h || !rank) {
        errno = EINVAL;
        return -1;
    }
    if (!(s = flux_attr_get (h, "rank")))
        return -1;
    errno = 0;
    v = strtoul (s, &endptr, 10);
    if (errno != 0 || *s == '\0' || *endptr != '\0' || v > UINT32_MAX) {
        errno = EINVAL;
        return -1;
    }
    *rank = v;
    return 0;
}

/* Open.
 */

static int set_testing_opt (flux_t *h, const char *env, const char *option,
                            int base, flux_error_t *error)
{
    const char *s = getenv (env);
    char *endptr;
    unsigned long v;
    uint32_t val;

    if (!s)
        return 0;
    errno = 0;
    v = strtoul (s, &endptr, base);
    if (errno != 0 || *s == '\0' || *endptr != '\0' || v > UINT32_MAX) {
        errno = EINVAL;
        return handle_errprintf (error, "%s=%s: invalid value", env, s);
    }
    val = v;
    if (flux_opt_set (h, option, &val, sizeof (val)) < 0)
        return handle_errprintf (error, "%s: %s", env, strerror (errno));
    return 0;
}

/* Path-like URIs name an instance relative to the enclosing one
 * ($FLUX_URI), as flux-core's: "." that instance, ".." its parent,
 * "../.." the grandparent, "/" the root.  Each step up reads the
 * parent-uri attribute; an instance whose instance-level is 0 is the
 * root, and asking past the root gives the root.  Returns the URI
 * (caller frees) or NULL with errno and 'error' set.
 */
static char *resolve_path_uri (const char *path, flux_error_t *error)
{
    const char *env = getenv ("FLUX_URI");
    int up = 0;
    char *copy, *tok, *save = NULL;
    char *uri;

    if (path[0] == '/') {
        if (strcmp (path, "/") != 0) {
            errno = EINVAL;
            handle_errprintf (error, "%s: invalid URI", path);
            return NULL;
        }
        up = INT_MAX;
    }
    else {
        if (!(copy = strdup (path)))
            return NULL;
        for (tok = strtok_r (copy, "/", &save); tok;
             tok = strtok_r (NULL, "/", &save)) {
            if (!strcmp (tok, ".."))
                up++;
            else if (strcmp (tok, ".") != 0) {
                errno = EINVAL;
                handle_errprintf (error, "%s: invalid URI path element '%s'",
                                  path, tok);
                free (copy);
                return NULL;
            }
        }
        free (copy);
    }
    if (!env) {
        errno = ENOENT;
        handle_errprintf (error, "%s: FLUX_URI is not set", path);
        return NULL;
    }
    if (!(uri = strdup (env)))
        return NULL;
    while (up-- > 0) {
        flux_t *h;
        const char *level, *parent;
        char *next;

        if (!(h = flux_open_ex (uri, 0, error)))
            goto error;
        if (!(level = flux_attr_get (h, "instance-level"))) {
            handle_errprintf (error, "Failed to get instance-level "
                              "attribute: %s", strerror (errno));
            flux_close (h);
            goto error;
        }
        if (!strcmp (level, "0")) {
            flux_close (h);
            break;
        }
        if (!(parent = flux_attr_get (h, "parent-uri"))
            || !(next = strdup (parent))) {
            handle_errprintf (error, "Failed to get parent-uri attribute: "
                              "%s", strerror (errno));
            flux_close (h);
            goto error;
        }
        flux_close (h);
        free (uri);
        uri = next;
    }
    return uri;
error:
    free (uri);
    return NULL;
}

flux_t *flux_open_ex (const char *uri, int flags, flux_error_t *error)
{
    const char *path;
    flux_t *h = NULL;
    const char *s;
    char *resolved = NULL;
    const int valid_flags = FLUX_O_TRACE | FLUX_O_CLONE | FLUX_O_NONBLOCK
                            | FLUX_O_MATCHDEBUG | FLUX_O_TEST_NOSUB
                            | FLUX_O_RPCTRACK | FLUX_O_NOREQUEUE;

    if (error)
        error->text[0] = '\0';
    if ((flags & ~valid_flags)) {
        errno = EINVAL;
        handle_errprintf (error, "invalid flags specified");
        return NULL;
    }
    if (!uri)
        uri = getenv ("FLUX_URI");
    else if (uri[0] == '.' || uri[0] == '/') {
        if (!(resolved = resolve_path_uri (uri, error)))
            return NULL;
        uri = resolved;
    }
    if (!uri) {
        /* N.B. flux-core falls back to a built-in rundir; we have none,
         * and "no such socket" is what that fallback would end in.
         */
        errno = ENOENT;
        handle_errprintf (error, "FLUX_URI is not set");
        return NULL;
    }
    if ((s = getenv ("FLUX_HANDLE_TRACE")) && strcmp (s, "0") != 0)
        flags |= FLUX_O_TRACE;
    if (!(path = strstr (uri, "://"))) {
        errno = EINVAL;
        handle_errprintf (error, "%s: malformed URI (expected SCHEME://PATH)",
                          uri);
        free (resolved);
        return NULL;
    }
    path += 3;
    if (!strncmp (uri, "local://", 8))
        h = connector_local_open (path, flags, error);
    else if (!strncmp (uri, "interthread://", 14))
        h = connector_interthread_open (path, flags, error);
    else if (!strncmp (uri, "loop://", 7))
        h = connector_loop_open (path, flags, error);
    else if (!strncmp (uri, "fd://", 5))
        h = connector_fd_open (path, flags, error);
    else {
        errno = ENOENT;
        handle_errprintf (error, "Unable to find connector name '%.*s'",
                          (int)(path - 3 - uri), uri);
        free (resolved);
        return NULL;
    }
    free (resolved);
    if (!h)
        return NULL;
    if (set_testing_opt (h, "FLUX_HANDLE_USERID",
                         FLUX_OPT_TESTING_USERID, 10, error) < 0
        || set_testing_opt (h, "FLUX_HANDLE_ROLEMASK",
                            FLUX_OPT_TESTING_ROLEMASK, 0, error) < 0) {
        flux_close (h);
        return NULL;
    }
    return h;
}

flux_t *flux_open (const char *uri, int flags)
{
    return flux_open_ex (uri, flags, NULL);
}

// vi:ts=4 sw=4 expandtab
