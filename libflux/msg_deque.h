/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A double-ended queue of messages with a pollable "not empty" signal,
 * used for a handle's receive queue and for each direction of an
 * interthread channel (not installed).
 */
#ifndef FLUX_MSG_DEQUE_H
#define FLUX_MSG_DEQUE_H

#include <stdbool.h>
#include <stddef.h>
#include "flux/message.h"

enum {
    /* No mutex: the queue is used from one thread only. */
    MSG_DEQUE_SINGLE_THREAD = 1,
};

/* Returns a new empty queue, or NULL with errno set.  Caller destroys. */
struct msg_deque *msg_deque_create (int flags);

/* Destroy the queue and every message still in it.  NULL-safe,
 * preserves errno.
 */
void msg_deque_destroy (struct msg_deque *q);

/* Add a message.  The queue steals the caller's reference on success;
 * on failure (ENOMEM, EINVAL) the caller still owns it.
 */
int msg_deque_push_back (struct msg_deque *q, flux_msg_t *msg);
int msg_deque_push_front (struct msg_deque *q, flux_msg_t *msg);

/* Remove the first message and return it (caller owns it), or NULL
 * with errno EWOULDBLOCK if the queue is empty.
 */
flux_msg_t *msg_deque_pop_front (struct msg_deque *q);

/* Remove (and destroy) every queued message for which match() returns
 * true.  Returns the number removed.
 */
int msg_deque_remove_if (struct msg_deque *q,
                         bool (*match)(const flux_msg_t *msg, void *arg),
                         void *arg);

size_t msg_deque_count (struct msg_deque *q);
bool msg_deque_empty (struct msg_deque *q);

/* An eventfd, created on first call and owned by the queue, that becomes
 * readable when the queue goes from empty to non-empty.  Returns -1 with
 * errno on failure.
 */
int msg_deque_pollfd (struct msg_deque *q);

/* Return FLUX_POLLOUT (the queue is unbounded) plus FLUX_POLLIN if it
 * holds a message.  Does not drain the eventfd (see msg_deque.c).
 */
int msg_deque_pollevents (struct msg_deque *q);

/* Block until the queue holds a message (another thread pushes it).
 * Returns 0, or -1 with errno set.
 */
int msg_deque_wait (struct msg_deque *q);

/* Say that the calling thread reads q from a reactor loop that asks
 * for its level before sleeping (a handle watcher's prepare): a push
 * made on this thread then writes no eventfd, since this thread is
 * awake and will look before it sleeps.  Until another thread says so,
 * or msg_deque_always_signal(), for good, when someone waits on the fd
 * alone (flux_pollfd).
 */
void msg_deque_reader_here (struct msg_deque *q);
void msg_deque_always_signal (struct msg_deque *q);

/* Read the eventfd down to zero, if the queue has one.  For a reader
 * that watches the fd level-triggered (a libev io watcher): once read,
 * the fd becomes readable again only at the next push that makes the
 * queue non-empty, as an edge would.  Read it before asking for the
 * level, never after, or a push in between would go unseen.
 */
void msg_deque_clear (struct msg_deque *q);

/* A ready list shared by many queues with one eventfd, for a reader of
 * many queues (the broker, one per module) that should not need a
 * descriptor for each.  A member queue is appended to the list when a
 * push makes it non-empty (and when it joins holding messages); the
 * eventfd is written when the list goes from empty to non-empty, after
 * every lock is released.  The reader clears the fd first, then pops
 * members until none is left; a member popped is listed again at its
 * next push onto an empty queue, so a reader that leaves messages in
 * it must come back to it by itself.  Reference counted: each member
 * holds one, so the list outlives the queues in it.
 */
struct msg_readyset;

struct msg_readyset *msg_readyset_create (void);
void msg_readyset_decref (struct msg_readyset *rs);
int msg_readyset_fd (struct msg_readyset *rs);
void msg_readyset_clear (struct msg_readyset *rs);

/* The 'arg' of the first listed member (which leaves the list), or
 * NULL if there is none.
 */
void *msg_readyset_pop (struct msg_readyset *rs);

/* Make q a member of rs with 'arg' (not NULL), or, with rs NULL, take
 * it out of the set it is in (and off its list).  A queue is in one set
 * at most.  Returns 0, or -1 with errno EINVAL or EEXIST.
 */
int msg_deque_set_readyset (struct msg_deque *q, struct msg_readyset *rs,
                            void *arg);

#endif /* !FLUX_MSG_DEQUE_H */
