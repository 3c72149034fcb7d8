/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Message lists, as flux-core's: an ordered list of messages (e.g.
 * requests a module answers later) with one cursor.
 *
 * Ownership: append and push take a reference on the message
 * (flux_msg_incref); delete and destroy drop it; pop hands the list's
 * reference to the caller, who must flux_msg_decref it.
 *
 * The cursor: first, next and last move it and return the message
 * there (NULL past the end, and the cursor is then unset).  delete
 * removes the message at the cursor and moves the cursor back one, so
 * the next 'next' returns the message after the deleted one: deleting
 * while iterating forward is safe.  delete with no cursor does nothing.
 * pop removes the message at the cursor, or the first one if the cursor
 * is unset, so `while ((msg = flux_msglist_pop (l)))` empties a list.
 * append and push unset the cursor, as flux-core's do: a 'next' after
 * them returns the first message.
 */
#ifndef FLUX_MSGLIST_H
#define FLUX_MSGLIST_H

#include "types.h"
#include "message.h"

#ifdef __cplusplus
extern "C" {
#endif

struct flux_msglist;

/* Returns a new, empty list (caller destroys, which decrefs every
 * message left), or NULL with errno ENOMEM.
 */
struct flux_msglist *flux_msglist_create (void);
/* NULL-safe, keeps errno. */
void flux_msglist_destroy (struct flux_msglist *l);

/* Add at the start (push) or the end (append).  Returns 0, or -1 with
 * errno (EINVAL for a NULL list or message).
 */
int flux_msglist_push (struct flux_msglist *l, const flux_msg_t *msg);
int flux_msglist_append (struct flux_msglist *l, const flux_msg_t *msg);

/* The cursor, as above.  first, next and last return the message there
 * (borrowed: the list's reference, valid while it is in the list); pop
 * returns one whose reference the caller now owns (decref it).  All
 * return NULL at the end, for an empty or NULL list; errno is left as
 * it was (they never fail otherwise).  delete is NULL-safe.
 */
void flux_msglist_delete (struct flux_msglist *l);
const flux_msg_t *flux_msglist_pop (struct flux_msglist *l);
const flux_msg_t *flux_msglist_first (struct flux_msglist *l);
const flux_msg_t *flux_msglist_next (struct flux_msglist *l);
const flux_msg_t *flux_msglist_last (struct flux_msglist *l);

/* Returns the number of messages: 0 for a NULL list; never fails. */
int flux_msglist_count (struct flux_msglist *l);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_MSGLIST_H */
