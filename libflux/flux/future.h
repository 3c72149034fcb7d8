/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Futures: a result that arrives later, consumed either asynchronously
 * (flux_future_then: a continuation runs in the handle's reactor) or
 * synchronously (flux_future_get / flux_future_wait_for: a temporary
 * reactor and a clone of the handle are used, so other messages keep
 * their place and are dispatched later by the main reactor).
 *
 * The init callback, given at create, is called once per context the
 * future is used in ("then" context: the main reactor and handle; "now"
 * context: the temporary ones), and does whatever makes the result
 * arrive in that context, e.g. registers a message handler on
 * flux_future_get_flux(f) driven by flux_future_get_reactor(f).
 */
#ifndef FLUX_FUTURE_H
#define FLUX_FUTURE_H

#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*flux_continuation_f)(flux_future_t *f, void *arg);
typedef void (*flux_future_init_f)(flux_future_t *f, void *arg);

/* Create a future (refcount 1) whose init 'cb' (may be NULL) gets 'arg'.
 * Returns it (caller must destroy), or NULL with errno ENOMEM.
 * destroy drops a reference; the last one destroys the aux items, then
 * any results.  destroy, incref and decref are NULL-safe; destroy and
 * decref keep errno.
 */
flux_future_t *flux_future_create (flux_future_init_f cb, void *arg);
void flux_future_destroy (flux_future_t *f);
void flux_future_incref (flux_future_t *f);
void flux_future_decref (flux_future_t *f);

/* Run cb in the main reactor when fulfilled (again after each reset),
 * or fail it with ETIMEDOUT if 'timeout' seconds (>= 0) pass first.
 * Returns 0, or -1 with errno: EINVAL for a NULL future or cb, or a
 * future with no reactor (set one with flux_future_set_reactor or a
 * handle with flux_future_set_flux); EEXIST for a second then; ENOMEM.
 */
int flux_future_then (flux_future_t *f, double timeout,
                      flux_continuation_f cb, void *arg);

/* Wait until fulfilled or timeout (< 0: forever).  Returns 0, or -1
 * with errno ETIMEDOUT.
 */
int flux_future_wait_for (flux_future_t *f, double timeout);
bool flux_future_is_ready (flux_future_t *f);

/* Forget the current result so the next one (a stream) can arrive. */
void flux_future_reset (flux_future_t *f);

/* Wait forever if needed, then return 0 with *result set (may be NULL),
 * or -1 with errno from fulfill_error.  *result is owned by the future.
 */
int flux_future_get (flux_future_t *f, const void **result);

/* Fulfil with a result (destroyed with free_fn when the future is
 * destroyed or reset) or with an error (errstr may be NULL).  Results
 * fulfilled while one is pending are queued, in order.
 */
void flux_future_fulfill (flux_future_t *f, void *result, flux_free_f free_fn);
void flux_future_fulfill_error (flux_future_t *f, int errnum,
                                const char *errstr);

/* Returns the text of the error the future was fulfilled with, or
 * strerror of its errnum, or NULL (errno unchanged) if it did not fail
 * or f is NULL.  Owned by the future (or static), valid until reset or
 * destroy.
 */
const char *flux_future_error_string (flux_future_t *f);

/* The handle and reactor of the current context: inside a synchronous
 * get/wait_for, the temporary ones, else the ones set (set_flux also
 * sets the reactor to the handle's).  get_flux and get_reactor return
 * them (borrowed: owned by the future, which holds a reference), or NULL
 * if none was set, or NULL with errno EINVAL for a NULL future.
 */
void flux_future_set_flux (flux_future_t *f, flux_t *h);
flux_t *flux_future_get_flux (flux_future_t *f);
void flux_future_set_reactor (flux_future_t *f, flux_reactor_t *r);
flux_reactor_t *flux_future_get_reactor (flux_future_t *f);

/* Named items hung on a future, destroyed with it (newest first) or
 * when replaced; the future owns them.  aux_set with aux NULL deletes
 * 'name'; name NULL stores an anonymous item, kept only to be
 * destroyed, which needs a destructor.  aux_set returns 0, or -1 with
 * errno EINVAL (NULL future; name and aux both NULL; name NULL without
 * destroy) or ENOMEM.  aux_get returns the item (owned by the future),
 * or NULL with errno EINVAL (NULL future or name) or ENOENT.
 */
int flux_future_aux_set (flux_future_t *f, const char *name,
                         void *aux, flux_free_f destroy);
void *flux_future_aux_get (flux_future_t *f, const char *name);

/* Composite futures.  A wait_all future is fulfilled when every child
 * is (with the errno of a child that failed, if one did; at once if it
 * has none), a wait_any future when the first child is (with that
 * child's errno if it failed).  push adds a child under 'name' (NULL:
 * "0", "1", ... in push order) and takes ownership of it: it is
 * destroyed with the composite; a name already used fails with EEXIST.
 * The children are started, in the composite's context, when a result
 * of the composite is first wanted (then or get), so give the
 * composite a handle (flux_future_set_flux) first.  first_child and
 * next_child iterate over the names in push order; get_child returns
 * the child of that name, or NULL.
 */
flux_future_t *flux_future_wait_all_create (void);
flux_future_t *flux_future_wait_any_create (void);
int flux_future_push (flux_future_t *cf, const char *name, flux_future_t *f);
const char *flux_future_first_child (flux_future_t *cf);
const char *flux_future_next_child (flux_future_t *cf);
flux_future_t *flux_future_get_child (flux_future_t *cf, const char *name);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_FUTURE_H */
