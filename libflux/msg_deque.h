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

#endif /* !FLUX_MSG_DEQUE_H */
