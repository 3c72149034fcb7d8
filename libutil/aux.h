/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A list of named values with destructors, behind flux_aux_set/get,
 * flux_msg_aux_set/get and flux_future_aux_set/get (as flux-core's
 * libutil aux.c is).  Not Flux API: libflux does not export it.
 *
 * An owner holds a 'struct aux_item *' initialized to NULL.  Items are
 * kept newest first, and aux_destroy() destroys them in that order.
 */
#ifndef FLUX_UTIL_AUX_H
#define FLUX_UTIL_AUX_H

typedef void (*aux_free_f)(void *arg);

struct aux_item;

/* Store 'val' under 'key', with 'free_fn' (may be NULL) to destroy it.
 * A value already stored under 'key' is unlinked and destroyed (after
 * the new one is linked, so its destructor sees the list as it will
 * be).  A NULL 'val' only deletes 'key'.  A NULL 'key' stores an
 * anonymous item, which aux_get never finds: it is kept only to be
 * destroyed with the list.  Destructors run with errno preserved.
 * Returns 0 on success, -1 on failure with errno set: EINVAL if 'head'
 * is NULL or both 'key' and 'val' are NULL, ENOMEM (the list is then
 * unchanged).  'key' is copied.
 */
int aux_set (struct aux_item **head, const char *key, void *val,
             aux_free_f free_fn);

/* Return the value stored under 'key' (owned by the list, valid until
 * replaced or destroyed), or NULL with errno set: EINVAL if 'key' is
 * NULL, ENOENT if there is none.
 */
void *aux_get (struct aux_item *head, const char *key);

/* Destroy every item, newest first.  Each item is unlinked before its
 * destructor runs, so a destructor sees the items that remain, and an
 * item a destructor adds is destroyed too.  *head is NULL after.
 * Preserves errno.
 */
void aux_destroy (struct aux_item **head);

#endif /* !FLUX_UTIL_AUX_H */
