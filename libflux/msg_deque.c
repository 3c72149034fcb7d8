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
 * poll(), drains it, or a reader that watches the fd level-triggered
 * (msg_deque_clear, the handle watcher of an interthread handle).
 *
 * The count is read without the mutex (msg_deque_count, pollevents):
 * the level is asked for before every turn of a module's loop, and
 * taking the mutex there made the reader contend with the pusher.  A
 * reader sees at least the count its own last pop left (a pop happens
 * on the reader's thread), and a push that makes the queue non-empty
 * writes the eventfd after storing the count, so a stale zero can only
 * hide a message whose wakeup is on its way.
 *
 * A push needs no wakeup when it is made by the reader's own thread,
 * if that thread reads from a loop that asks for the level before it
 * sleeps (msg_deque_reader_here): the thread is awake, so the level is
 * seen.  That is the broker's own handle and the router's end of its
 * channel, both read on the main thread: an eventfd write, an
 * epoll_wait and a read fewer each way of every request to a broker
 * service.  The reader is named by a number each thread draws once
 * (thread_id(); never reused, unlike a thread-local's address or a
 * pthread_t once the thread is gone), compared under the lock.
 *
 * A ready set (msg_readyset) lets one reader wait on many queues with
 * one eventfd; see msg_deque.h.  Locks nest queue first, then set.
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

struct msg_readyset {
    pthread_mutex_t lock;
    int refcount;               /* atomic: owner, members, wakers */
    int efd;
    struct msg_deque *first;    /* listed members, in order */
    struct msg_deque **last;
};

struct msg_deque {
    int flags;
    pthread_mutex_t lock;
    flux_msg_t **ring;
    size_t cap;     /* power of two, or 0 before the first push */
    size_t head;    /* index of the first message */
    size_t count;   /* written under the lock, read with or without it */
    int efd;
    /* The reader's thread (its thread_id(), 0 for none), if it said
     * so, and whether someone waits on the fd alone (both set under the
     * lock; reader is read without it too, atomically).
     */
    uint64_t reader;
    bool always_signal;
    /* Ready set membership (under the lock; the list links under rs's) */
    struct msg_readyset *rs;
    void *rs_arg;
    bool listed;
    struct msg_deque *rs_next;
};

/* This thread's number, drawn at its first call: 1, 2, ... */
static uint64_t thread_id (void)
{
    static uint64_t last;
    static _Thread_local uint64_t id;

    if (id == 0)
        id = __atomic_add_fetch (&last, 1, __ATOMIC_RELAXED);
    return id;
}

static size_t count_get (struct msg_deque *q)
{
    return __atomic_load_n (&q->count, __ATOMIC_ACQUIRE);
}

static void count_set (struct msg_deque *q, size_t count)
{
    __atomic_store_n (&q->count, count, __ATOMIC_RELEASE);
}

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
        (void)msg_deque_set_readyset (q, NULL, NULL);
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

static void readyset_ref (struct msg_readyset *rs)
{
    (void)__atomic_add_fetch (&rs->refcount, 1, __ATOMIC_RELAXED);
}

void msg_readyset_decref (struct msg_readyset *rs)
{
    if (rs && __atomic_sub_fetch (&rs->refcount, 1, __ATOMIC_ACQ_REL) == 0) {
        int saved_errno = errno;
        (void)close (rs->efd);
        pthread_mutex_destroy (&rs->lock);
        free (rs);
        errno = saved_errno;
    }
}

/* Put q on its set's list if it is not there.  Called with q's lock
 * held.  Returns the set, with a reference for the caller, if its
 * eventfd must be written (the list was empty), else NULL.
 */
static struct msg_readyset *readyset_list (struct msg_deque *q)
{
    struct msg_readyset *rs = q->rs;
    struct msg_readyset *wake = NULL;

    if (!rs)
        return NULL;
    pthread_mutex_lock (&rs->lock);
    if (!q->listed) {
        if (!rs->first) {
            readyset_ref (rs);
            wake = rs;
        }
        q->rs_next = NULL;
        *rs->last = q;
        rs->last = &q->rs_next;
        q->listed = true;
    }
    pthread_mutex_unlock (&rs->lock);
    return wake;
}

/* Write the set's eventfd (no lock held) and drop the reference
 * readyset_list gave.
 */
static void readyset_wake (struct msg_readyset *rs)
{
    if (rs) {
        signal_nonempty (rs->efd);
        msg_readyset_decref (rs);
    }
}

static int push (struct msg_deque *q, flux_msg_t *msg, bool front)
{
    int efd = -1;
    struct msg_readyset *wake = NULL;

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
    count_set (q, q->count + 1);
    if (q->count == 1) {
        if (__atomic_load_n (&q->reader, __ATOMIC_RELAXED) != thread_id ())
            efd = q->efd;
        wake = readyset_list (q);
    }
    unlock (q);
    signal_nonempty (efd);
    readyset_wake (wake);
    return 0;
}

void msg_deque_reader_here (struct msg_deque *q)
{
    /* N.B. the steady state, once per turn of the reader's loop, takes
     * no lock: only this thread stores its own number.
     */
    uint64_t self = thread_id ();

    if (!q || __atomic_load_n (&q->reader, __ATOMIC_RELAXED) == self)
        return;
    lock (q);
    if (!q->always_signal)
        __atomic_store_n (&q->reader, self, __ATOMIC_RELAXED);
    unlock (q);
}

void msg_deque_always_signal (struct msg_deque *q)
{
    if (!q)
        return;
    lock (q);
    q->always_signal = true;
    __atomic_store_n (&q->reader, 0, __ATOMIC_RELAXED);
    unlock (q);
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
        count_set (q, q->count - 1);
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
    count_set (q, kept);
    unlock (q);
    return removed;
}

size_t msg_deque_count (struct msg_deque *q)
{
    return q ? count_get (q) : 0;
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
    if (count_get (q) > 0)
        events |= FLUX_POLLIN;
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

void msg_deque_clear (struct msg_deque *q)
{
    int efd;
    uint64_t val;

    if (!q)
        return;
    lock (q);
    efd = q->efd;
    unlock (q);
    if (efd >= 0)
        (void)read (efd, &val, sizeof (val));
}

struct msg_readyset *msg_readyset_create (void)
{
    struct msg_readyset *rs;

    if (!(rs = calloc (1, sizeof (*rs))))
        return NULL;
    if ((rs->efd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
        int saved_errno = errno;
        free (rs);
        errno = saved_errno;
        return NULL;
    }
    pthread_mutex_init (&rs->lock, NULL);
    rs->refcount = 1;
    rs->last = &rs->first;
    return rs;
}

int msg_readyset_fd (struct msg_readyset *rs)
{
    if (!rs) {
        errno = EINVAL;
        return -1;
    }
    return rs->efd;
}

void msg_readyset_clear (struct msg_readyset *rs)
{
    uint64_t val;

    if (rs)
        (void)read (rs->efd, &val, sizeof (val));
}

void *msg_readyset_pop (struct msg_readyset *rs)
{
    struct msg_deque *q;
    void *arg = NULL;

    if (!rs)
        return NULL;
    pthread_mutex_lock (&rs->lock);
    if ((q = rs->first)) {
        if (!(rs->first = q->rs_next))
            rs->last = &rs->first;
        q->rs_next = NULL;
        q->listed = false;
        arg = q->rs_arg;
    }
    pthread_mutex_unlock (&rs->lock);
    return arg;
}

/* Take q off rs's list.  Called with both locks held. */
static void readyset_unlist (struct msg_readyset *rs, struct msg_deque *q)
{
    struct msg_deque **pp;

    if (!q->listed)
        return;
    for (pp = &rs->first; *pp; pp = &(*pp)->rs_next) {
        if (*pp == q) {
            if (!(*pp = q->rs_next))
                rs->last = pp;
            break;
        }
    }
    q->rs_next = NULL;
    q->listed = false;
}

int msg_deque_set_readyset (struct msg_deque *q, struct msg_readyset *rs,
                            void *arg)
{
    struct msg_readyset *old = NULL;
    struct msg_readyset *wake = NULL;

    if (!q || (rs && !arg)) {
        errno = EINVAL;
        return -1;
    }
    lock (q);
    if (rs && q->rs) {
        unlock (q);
        errno = EEXIST;
        return -1;
    }
    if (rs) {
        readyset_ref (rs);
        q->rs = rs;
        q->rs_arg = arg;
        /* Messages queued before it joined must still be seen. */
        if (q->count > 0)
            wake = readyset_list (q);
    }
    else if ((old = q->rs)) {
        pthread_mutex_lock (&old->lock);
        readyset_unlist (old, q);
        pthread_mutex_unlock (&old->lock);
        q->rs = NULL;
        q->rs_arg = NULL;
    }
    unlock (q);
    readyset_wake (wake);
    msg_readyset_decref (old);
    return 0;
}
