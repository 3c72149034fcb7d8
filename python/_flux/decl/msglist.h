/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/msglist.h and flux/disconnect.h. */
struct flux_msglist;

struct flux_msglist *flux_msglist_create (void);
void flux_msglist_destroy (struct flux_msglist *l);
int flux_msglist_push (struct flux_msglist *l, const flux_msg_t *msg);
int flux_msglist_append (struct flux_msglist *l, const flux_msg_t *msg);
void flux_msglist_delete (struct flux_msglist *l);
const flux_msg_t *flux_msglist_pop (struct flux_msglist *l);
const flux_msg_t *flux_msglist_first (struct flux_msglist *l);
const flux_msg_t *flux_msglist_next (struct flux_msglist *l);
const flux_msg_t *flux_msglist_last (struct flux_msglist *l);
int flux_msglist_count (struct flux_msglist *l);

bool flux_disconnect_match (const flux_msg_t *msg1, const flux_msg_t *msg2);
int flux_msglist_disconnect (struct flux_msglist *l, const flux_msg_t *msg);
bool flux_cancel_match (const flux_msg_t *msg1, const flux_msg_t *msg2);
int flux_msglist_cancel (flux_t *h, struct flux_msglist *l,
                         const flux_msg_t *msg);
