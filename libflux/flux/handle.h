/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The handle: a connection to a broker through a connector chosen by
 * URI scheme:
 *   local://PATH         client end of the broker's AF_UNIX socket
 *   interthread://NAME   one end of an in-process message channel
 * With a NULL uri, $FLUX_URI is used.
 */
#ifndef FLUX_HANDLE_H
#define FLUX_HANDLE_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_O_TRACE = 1,       /* print messages to stderr as sent/received */
    FLUX_O_CLONE = 2,       /* (internal) handle is a clone */
    FLUX_O_NONBLOCK = 4,    /* send/recv return EWOULDBLOCK, never block */
    FLUX_O_MATCHDEBUG = 8,  /* (unused, accepted for compatibility) */
    FLUX_O_TEST_NOSUB = 16, /* for tests: event (un)subscribe do nothing */
    FLUX_O_RPCTRACK = 32,   /* flux-core fails tracked RPCs when a handle
                             * reconnects; no connector here reconnects,
                             * so there is nothing to track */
    FLUX_O_NOREQUEUE = 64,  /* flux_requeue() fails with EINVAL (so what
                             * a clone reads and does not handle is
                             * dropped, as in flux-core) */
};

/* flux_requeue() */
enum {
    FLUX_RQ_HEAD = 1,
    FLUX_RQ_TAIL = 2,
};

/* Options (flux_opt_set/get).  Values are passed by pointer with size. */
#define FLUX_OPT_TESTING_USERID "flux::testing_userid"     /* uint32_t */
#define FLUX_OPT_TESTING_ROLEMASK "flux::testing_rolemask" /* uint32_t */
/* Broker end of an interthread channel (const char * uuid string): on
 * send, push this id on requests and events and pop the last hop of
 * responses; on receive, push the channel name on requests and events.
 */
#define FLUX_OPT_ROUTER_NAME "flux::router_name"
/* Messages waiting in the connector (size_t, get only; interthread):
 * sent by this end and not yet received by the other, and sent by the
 * other end and not yet received by this one.  flux module list shows a
 * module's as its Sendq and Recvq.
 */
#define FLUX_OPT_SEND_QUEUE_COUNT "flux::send_queue_count"
#define FLUX_OPT_RECV_QUEUE_COUNT "flux::recv_queue_count"

struct flux_msgcounters {
    int request_tx;
    int request_rx;
    int response_tx;
    int response_rx;
    int event_tx;
    int event_rx;
    int control_tx;
    int control_rx;
};

/* Open a handle.  Returns NULL with errno set on failure; flux_open_ex
 * also fills 'error' (may be NULL) with text a user can act on.  The
 * caller must flux_close() it.  Errors: ENOENT "FLUX_URI is not set"
 * (uri NULL, no $FLUX_URI) or an unknown scheme; EINVAL for a URI
 * without "://"; otherwise the connector's (e.g. ENOENT "connect
 * local://PATH: No such file or directory", EPERM when the broker
 * refuses, EADDRINUSE for a third interthread open).  At open,
 * $FLUX_HANDLE_TRACE (not "0") adds FLUX_O_TRACE, and
 * $FLUX_HANDLE_USERID / $FLUX_HANDLE_ROLEMASK set the testing options.
 */
flux_t *flux_open (const char *uri, int flags);
flux_t *flux_open_ex (const char *uri, int flags, flux_error_t *error);
/* close == decref; NULL-safe.  incref returns its argument (NULL for
 * NULL; it never fails); the last reference destroys the aux items,
 * then the connector.
 */
void flux_close (flux_t *h);
flux_t *flux_incref (flux_t *h);
void flux_decref (flux_t *h);

/* A clone shares the connector but has its own reactor, dispatcher and
 * aux; messages a clone's dispatcher does not consume are handed back to
 * the parent's queue when the clone is destroyed (used by futures to
 * wait synchronously without losing unrelated messages).  Returns the
 * clone (it holds a reference on orig; caller flux_close()s it), or NULL
 * with errno EINVAL for a NULL orig, or ENOMEM.
 */
flux_t *flux_clone (flux_t *orig);

/* The reactor is created on first use unless one was set.  set_reactor
 * (the handle takes a reference on r) returns 0, or -1 with errno
 * EINVAL (NULL h or r) or EEXIST if one is set already.  get_reactor
 * returns it (borrowed: owned by the handle, valid until its close), or
 * NULL with errno EINVAL for a NULL handle, or the error of creating it.
 */
int flux_set_reactor (flux_t *h, flux_reactor_t *r);
flux_reactor_t *flux_get_reactor (flux_t *h);

/* Named items hung on a handle (a clone has its own), owned by it:
 * destroyed (newest first) when the handle is, or when replaced.
 * aux_set with aux NULL deletes 'name'; name NULL stores an anonymous
 * item, kept only to be destroyed.  aux_set returns 0, or -1 with errno
 * EINVAL (NULL handle; name and aux both NULL) or ENOMEM.  aux_get
 * returns the item (owned by the handle), or NULL with errno EINVAL
 * (NULL handle or name) or ENOENT.
 */
int flux_aux_set (flux_t *h, const char *name, void *aux, flux_free_f destroy);
void *flux_aux_get (flux_t *h, const char *name);

/* FLUX_O_* flags of this handle (a clone has its own, plus FLUX_O_CLONE).
 * set and unset return 0, get returns the flags; all return -1 with
 * errno EINVAL for a NULL handle.
 */
int flux_flags_set (flux_t *h, int flags);
int flux_flags_unset (flux_t *h, int flags);
int flux_flags_get (flux_t *h);

/* Set or get a connector option (FLUX_OPT_* above; val points to a
 * value of 'len' bytes).  Return 0, or -1 with errno EINVAL (NULL h or
 * option, an option the connector does not know, a wrong len or a NULL
 * val) or ENOENT (FLUX_OPT_ROUTER_NAME on an end that has none).
 */
int flux_opt_set (flux_t *h, const char *option, const void *val, size_t len);
int flux_opt_get (flux_t *h, const char *option, void *val, size_t len);

/* Send a message (the handle does not take it over).  Requests and
 * events with unset creds are given the connector's.  Returns 0, or -1
 * with errno EINVAL (NULL h or msg) or the connector's (EAGAIN under
 * FLUX_O_NONBLOCK, ECONNRESET once the other end is gone...).
 * send_new steals *msg on success (setting *msg to NULL); it fails with
 * EINVAL if the message has other references.
 */
int flux_send (flux_t *h, const flux_msg_t *msg, int flags);
int flux_send_new (flux_t *h, flux_msg_t **msg, int flags);

/* Receive the first message matching 'match'.  Messages that do not
 * match are kept and requeued, in order, ahead of later arrivals.
 * Blocks unless flags or the handle have FLUX_O_NONBLOCK (then EAGAIN).
 * Returns a message the caller must destroy, or NULL with errno set.
 */
flux_msg_t *flux_recv (flux_t *h, struct flux_match match, int flags);

/* Put a message back at the head (FLUX_RQ_HEAD) or tail (FLUX_RQ_TAIL)
 * of the receive queue (the handle takes a reference).  Returns 0, or
 * -1 with errno EINVAL (NULL h or msg, other flags, or a handle with
 * FLUX_O_NOREQUEUE) or ENOMEM.
 */
int flux_requeue (flux_t *h, const flux_msg_t *msg, int flags);

/* pollfd returns a file descriptor (owned by the handle, closed with
 * it) that becomes readable when flux_pollevents() may have changed
 * (edge-triggered); pollevents returns the current FLUX_POLL* bits.
 * Both return -1 with errno EINVAL for a NULL handle; pollfd also with
 * the errno of epoll_create1/epoll_ctl.
 */
int flux_pollfd (flux_t *h);
int flux_pollevents (flux_t *h);

typedef struct flux_readyset flux_readyset_t;

/* A ready set: one descriptor for the receive side of many handles
 * (interthread:// only; not in flux-core).  The broker reads every
 * module's channel through one, instead of a pollfd per module.
 *
 * A handle added with 'arg' (not NULL) is put on the set's list when a
 * message arrives while its receive queue is empty (and when added
 * holding messages); the set's fd becomes readable when the list goes
 * from empty to non-empty.  The reader calls flux_readyset_clear()
 * when the fd is readable, then flux_readyset_pop() until it returns
 * NULL; each arg popped names a handle to read with flux_recv().  A
 * handle popped is listed again only when a message arrives to an
 * empty queue: a reader that leaves messages in it comes back to it by
 * itself.  The fd belongs to the set.
 *
 * create returns a set (the caller destroys it; it lives on, invisible,
 * until its last handle is removed) or NULL with errno.  add returns 0,
 * or -1 with errno EINVAL (NULL set, handle or arg, or a handle of
 * another connector) or EEXIST (the handle is in a set already).
 * remove takes the handle out (closing the handle does too).  fd
 * returns the descriptor, or -1 with errno EINVAL.  pop returns an arg,
 * or NULL when none is listed.
 */
flux_readyset_t *flux_readyset_create (void);
void flux_readyset_destroy (flux_readyset_t *rs);
int flux_readyset_add (flux_readyset_t *rs, flux_t *h, void *arg);
void flux_readyset_remove (flux_readyset_t *rs, flux_t *h);
int flux_readyset_fd (flux_readyset_t *rs);
void flux_readyset_clear (flux_readyset_t *rs);
void *flux_readyset_pop (flux_readyset_t *rs);

/* Matchtags for RPCs (shared by a handle and its clones).  alloc
 * returns the lowest free tag in 1..2^20-1, or FLUX_MATCHTAG_NONE with
 * errno EBUSY when all are in use, EINVAL for a NULL handle, ENOMEM.
 * Freeing a tag also drops queued responses that carry it.  avail
 * returns how many tags are free (0 for a NULL handle).
 */
uint32_t flux_matchtag_alloc (flux_t *h);
void flux_matchtag_free (flux_t *h, uint32_t matchtag);
uint32_t flux_matchtag_avail (flux_t *h);

/* Messages sent and received through the handle (shared with its
 * clones): get copies them into *mcs, clr zeroes them.  NULL-safe.
 */
void flux_get_msgcounters (flux_t *h, struct flux_msgcounters *mcs);
void flux_clr_msgcounters (flux_t *h);

/* The broker rank (attribute "rank"); always 0 for a single broker.
 * Returns 0 with *rank set, or -1 with errno EINVAL (NULL h or rank, or
 * a value that is not a number), or flux_attr_get's.
 */
int flux_get_rank (flux_t *h, uint32_t *rank);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_HANDLE_H */
