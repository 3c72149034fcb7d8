/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Handle internals shared between libflux files (not installed). */
#ifndef FLUX_HANDLE_PRIVATE_H
#define FLUX_HANDLE_PRIVATE_H

#include <stddef.h>
#include "flux/types.h"
#include "flux/message.h"
#include "flux/connector.h"

/* Connector constructors, chosen by flux_open_ex() from the URI scheme.
 * 'path' is the URI without "scheme://".  Return a handle the caller
 * must close, or NULL with errno set and 'error' (may be NULL) filled.
 */
flux_t *connector_local_open (const char *path, int flags,
                              flux_error_t *error);
flux_t *connector_interthread_open (const char *path, int flags,
                                    flux_error_t *error);
flux_t *connector_loop_open (const char *path, int flags,
                             flux_error_t *error);
flux_t *connector_fd_open (const char *path, int flags, flux_error_t *error);

/* In-process connectors' testing credentials (connector_cred.c).
 * setopt/getopt handle FLUX_OPT_TESTING_USERID and _ROLEMASK: they
 * return 1 if 'option' was one of those, 0 if not (not handled), -1
 * with errno EINVAL for a bad value.  stamp gives 'msg' the fields of
 * 'cred' that it has unset (userid UNKNOWN, rolemask NONE).
 */
int connector_cred_setopt (struct flux_msg_cred *cred, const char *option,
                           const void *val, size_t len);
int connector_cred_getopt (const struct flux_msg_cred *cred,
                           const char *option, void *val, size_t len);
int connector_cred_stamp (flux_msg_t *msg, const struct flux_msg_cred *cred);

/* Fill error->text (if error is not NULL) from a printf format.
 * Preserves errno.  Returns -1 so callers can 'return handle_errprintf'.
 */
int handle_errprintf (flux_error_t *error, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Print one message to stderr as FLUX_O_TRACE does; 'prefix' says where
 * it was seen (e.g. "send", "recv").
 */
void handle_trace_msg (const char *prefix, const flux_msg_t *msg);

/* flux_pollevents() without consuming the pollfd's edge: no syscall for
 * an interthread handle.  The handle watcher uses it whenever its io
 * watcher on the pollfd did not fire, so that an idle handle costs a
 * broker loop iteration nothing (see watcher.c).  Returns FLUX_POLL*
 * bits, or -1 with errno set.
 */
int handle_pollevents_levels (flux_t *h);

/* A connector whose pollfd is an eventfd written when its receive
 * queue goes from empty to non-empty (interthread) says so here, with
 * a function that clears it.  The handle watcher then watches that fd
 * itself (level-triggered, cleared before the level is read) instead
 * of the handle's nested epoll, which is made only if someone asks for
 * flux_pollfd(): two descriptors fewer per handle.
 */
struct handle_wakeup_ops {
    void (*clear)(void *impl);
    /* msg_deque_reader_here() and msg_deque_always_signal() on the
     * receive queue: the watcher's prepare says which thread reads, and
     * flux_pollfd() turns that off for good.
     */
    void (*reader_here)(void *impl);
    void (*always_signal)(void *impl);
};
void handle_set_wakeup (flux_t *h, const struct handle_wakeup_ops *ops);

/* The connector's wakeup fd (see above), or -1 if it has none, the
 * call that clears it, and the one that says this thread reads it.
 */
int handle_wakeup_fd (flux_t *h);
void handle_wakeup_clear (flux_t *h);
void handle_wakeup_reader_here (flux_t *h);

/* The connector state of h's root handle if its ops are 'ops', else
 * NULL (errno EINVAL).
 */
void *handle_get_impl (flux_t *h, const struct flux_handle_ops *ops);

#endif /* !FLUX_HANDLE_PRIVATE_H */
