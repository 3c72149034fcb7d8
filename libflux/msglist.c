/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Message lists (flux/msglist.h): a circular doubly linked list around a
 * sentinel node; the cursor is the sentinel when unset.
 */
#include <errno.h>
#include <stdlib.h>

#include "flux/message.h"
#include "flux/msglist.h"

struct node {
    struct node *prev;
    struct node *next;
    const flux_msg_t *msg;
};

struct flux_msglist {
    struct node head;       /* sentinel: head.next is the first */
    struct node *cursor;
    int count;
};

struct flux_msglist *flux_msglist_create (void)
{
    struct flux_msglist *l;

    if (!(l = calloc (1, sizeof (*l)))) {
        errno = ENOMEM;
        return NULL;
    }
    l->head.next = l->head.prev = &l->head;
    l->cursor = &l->head;
    return l;
}

/* Unlink n (not the sentinel) and return its message, whose reference
 * the caller now holds.  A cursor on n moves back one.
 */
static const flux_msg_t *unlink_node (struct flux_msglist *l, struct node *n)
{
    const flux_msg_t *msg = n->msg;

    if (l->cursor == n)
        l->cursor = n->prev;
    n->prev->next = n->next;
    n->next->prev = n->prev;
    free (n);
    l->count--;
    return msg;
}

void flux_msglist_destroy (struct flux_msglist *l)
{
    if (l) {
        int saved_errno = errno;
        while (l->head.next != &l->head)
            flux_msg_decref (unlink_node (l, l->head.next));
        free (l);
        errno = saved_errno;
    }
}

static int insert_after (struct flux_msglist *l, struct node *where,
                         const flux_msg_t *msg)
{
    struct node *n;

    if (!l || !msg) {
        errno = EINVAL;
        return -1;
    }
    if (!(n = calloc (1, sizeof (*n)))) {
        errno = ENOMEM;
        return -1;
    }
    n->msg = flux_msg_incref (msg);
    n->prev = where;
    n->next = where->next;
    where->next->prev = n;
    where->next = n;
    l->count++;
    l->cursor = &l->head;   /* as flux-core's (zlistx): adding unsets it */
    return 0;
}

int flux_msglist_push (struct flux_msglist *l, const flux_msg_t *msg)
{
    return insert_after (l, l ? &l->head : NULL, msg);
}

int flux_msglist_append (struct flux_msglist *l, const flux_msg_t *msg)
{
    return insert_after (l, l ? l->head.prev : NULL, msg);
}

void flux_msglist_delete (struct flux_msglist *l)
{
    if (l && l->cursor != &l->head)
        flux_msg_decref (unlink_node (l, l->cursor));
}

const flux_msg_t *flux_msglist_pop (struct flux_msglist *l)
{
    struct node *n;

    if (!l)
        return NULL;
    n = l->cursor != &l->head ? l->cursor : l->head.next;
    if (n == &l->head)
        return NULL;
    return unlink_node (l, n);
}

static const flux_msg_t *at_cursor (struct flux_msglist *l)
{
    return l->cursor == &l->head ? NULL : l->cursor->msg;
}

const flux_msg_t *flux_msglist_first (struct flux_msglist *l)
{
    if (!l)
        return NULL;
    l->cursor = l->head.next;
    return at_cursor (l);
}

const flux_msg_t *flux_msglist_next (struct flux_msglist *l)
{
    if (!l)
        return NULL;
    l->cursor = l->cursor->next;
    return at_cursor (l);
}

const flux_msg_t *flux_msglist_last (struct flux_msglist *l)
{
    if (!l)
        return NULL;
    l->cursor = l->head.prev;
    return at_cursor (l);
}

int flux_msglist_count (struct flux_msglist *l)
{
    return l ? l->count : 0;
}

// vi:ts=4 sw=4 expandtab
