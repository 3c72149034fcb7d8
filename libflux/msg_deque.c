/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* msg_deque: a ring buffer of message pointers with an eventfd.
 *
 * Two users: the handle's receive queue (one thread, no mutex) and each
 * direction of an interthread channel (a producer thread and a consumer
 * thread, so a mutex).  Messages are stored as objects: the queue holds
 * the reference the pusher gave up, and pop hands it to the caller.
 *
 * Wakeups are edge-style, as in flux-core: the eventfd is written only
 * when the queue goes from empty to non-empty, and msg_deque_pollevents()
 * reports the level (POLLIN while a message is queued).  A consumer that
 * asks for pollevents before it sleeps can therefore never miss a
 * message: either it sees POLLIN, or the queue was empty and the next
 * push writes the fd.  The write comes after the push and after the
 * mutex is released: the reader woken by it (on another core, at once)
 * would otherwise find the mutex still held by the writer's syscall and
 * sleep on it, two futex calls per message.  Written late, the wakeup
 * can only be spurious (the reader already took the message), never
 * missing, since the push is visible before the write.
 *
 * The eventfd is meant for an edge-triggered epoll set (the handle's
 * pollfd), where every write is an edge whatever the counter holds, so
 * pollevents does not drain it: draining an eventfd is itself an
 * EPOLLOUT edge, which would wake the reactor for nothing after every
 * poll.  Only msg_deque_wait(), which sleeps in a level-triggered
 * poll(), drains it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <poll.h>
#include <sys/eventfd.h>

#include "flux/reactor.h"
#include "msg_deque.h"

struct msg_deque {
    int flags;
    pthread_mutex_t lock;
    flux_msg_t **ring;
    size_t cap;     /* power of two, or 0 before the first push */
    size_t head;    /* index of the first message */
    size_t count;
    int efd;
};

static void lock (struct msg_deque *q)
{
    if (!(q->flags & MSG_DEQUE_SINGLE_THREAD))
        pthread_mutex_lock (&q->lock);
}

static void unlock (struct msg_deque *q)
{
    if (!(q->flags & MSG_DEQUE_SINGLE_THREAD))
        pthread_mutex_unlock (&q->lock);
}

struct msg_deque *msg_deque_create (int flags)
{
    struct msg_deque *q;

    if ((flags & ~MSG_DEQUE_SINGLE_THREAD)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(q = calloc (1, sizeof (*q))))
        return NULL;
    q->flags = flags;
    q->efd = -1;
    if (!(flags & MSG_DEQUE_SINGLE_THREAD))
        pthread_mutex_init (&q->lock, NULL);
    return q;
}

void msg_deque_destroy (struct msg_deque *q)
{
    if (q) {
        int saved_errno = errno;
        for (size_t i = 0; i < q->count; i++)
            flux_msg_destroy (q->ring[(q->head + i) & (q->cap - 1)]);
        free (q->ring);
        if (q->efd >= 0)
            (void)close (q->efd);
        if (!(q->flags & MSG_DEQUE_SINGLE_THREAD))
            pthread_mutex_destroy (&q->lock);
        free (q);
        errno = saved_errno;
    }
}

/* Called with the lock held. */
static int grow (struct msg_deque *q)
{
    size_t newcap = q->cap ? q->cap * 2 : 16;
    flux_msg_t **ring;

    if (!(ring = malloc (newcap * sizeof (ring[0]))))
        return -1;
    for (size_t i = 0; i < q->count; i++)
        ring[i] = q->ring[(q->head + i) & (q->cap - 1)];
    free (q->ring);
    q->ring = ring;
    q->cap = newcap;
    q->head = 0;
    return 0;
}

/* Wake the reader: 'efd' is the queue's eventfd as read under the lock
 * by a push that made the queue non-empty, or -1.  The fd stays open:
 * the pusher holds an end of the channel, and the queue lives as long.
 */
static void signal_nonempty (int efd)
{
    if (efd >= 0) {
        uint64_t one = 1;
        /* N.B. fails only if the counter would overflow, i.e. the fd is
         * readable already: nothing to do then.
         */
        (void)write (efd, &one, sizeof (one));
    }
}

static int push (struct msg_deque *q, flux_msg_t *msg, bool front)
{
    int efd;

    if (!q || !msg) {
        errno = EINVAL;
        return -1;
    }
    lock (q);
    if (q->count == q->cap && grow (q) < 0) {
        unlock (q);
        errno = ENOMEM;
        return -1;
    }
    if (front) {
        q->head = (q->head + q->cap - 1) & (q->cap - 1);
        q->ring[q->head] = msg;
    }
    else
        q->ring[(q->head + q->count) & (q->cap - 1)] = msg;
    q->count++;
    efd = q->count == 1 ? q->efd : -1;
    unlock (q);
    signal_nonempty (efd);
    return 0;
}

int msg_deque_push_back (struct msg_deque *q, flux_msg_t *msg)
{
    return push (q, msg, false);
}

int msg_deque_push_front (struct msg_deque *q, flux_msg_t *msg)
{
    return push (q, msg, true);
}

flux_msg_t *msg_deque_pop_front (struct msg_deque *q)
{
    flux_msg_t *msg = NULL;

    if (!q) {
        errno = EINVAL;
        return NULL;
    }
    lock (q);
    if (q->count > 0) {
        msg = q->ring[q->head];
        q->head = (q->head + 1) & (q->cap - 1);
        q->count--;
    }
    unlock (q);
    if (!msg)
        errno = EWOULDBLOCK;
    return msg;
}

int msg_deque_remove_if (struct msg_deque *q,
                         bool (*match)(const flux_msg_t *msg, void *arg),
                         void *arg)
{
    size_t kept = 0;
    int removed = 0;

    if (!q || !match)
        return 0;
    lock (q);
    for (size_t i = 0; i < q->count; i++) {
        flux_msg_t *msg = q->ring[(q->head + i) & (q->cap - 1)];
        if (match (msg, arg)) {
            flux_msg_destroy (msg);
            removed++;
        }
        else
            q->ring[(q->head + kept++) & (q->cap - 1)] = msg;
    }
    q->count = kept;
    unlock (q);
    return removed;
}

size_t msg_deque_count (struct msg_deque *q)
{
    size_t count = 0;
    if (q) {
        lock (q);
        count = q->count;
        unlock (q);
    }
    return count;
}

bool msg_deque_empty (struct msg_deque *q)
{
    return msg_deque_count (q) == 0;
}

int msg_deque_pollfd (struct msg_deque *q)
{
    int fd;

    if (!q) {
        errno = EINVAL;
        return -1;
    }
    lock (q);
    if (q->efd < 0) {
        q->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
        /* Messages queued before the fd existed must still wake a
         * poller that arrives now.
         */
        if (q->efd >= 0 && q->count > 0) {
            uint64_t one = 1;
            (void)write (q->efd, &one, sizeof (one));
        }
    }
    fd = q->efd;
    unlock (q);
    return fd;
}

int msg_deque_pollevents (struct msg_deque *q)
{
    int events = FLUX_POLLOUT;

    if (!q) {
        errno = EINVAL;
        return -1;
    }
    lock (q);
    if (q->count > 0)
        events |= FLUX_POLLIN;
    unlock (q);
    return events;
}

int msg_deque_wait (struct msg_deque *q)
{
    struct pollfd pfd = { .events = POLLIN };
    uint64_t val;

    if ((pfd.fd = msg_deque_pollfd (q)) < 0)
        return -1;
    while (msg_deque_empty (q)) {
        if (poll (&pfd, 1, -1) < 0 && errno != EINTR)
            return -1;
        (void)read (pfd.fd, &val, sizeof (val));
    }
    return 0;
}
