/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A singly linked list, newest first: owners keep a handful of items,
 * so a search is cheaper than any index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aux.h"

struct aux_item {
    struct aux_item *next;
    char *key;              /* NULL for an anonymous item */
    void *val;
    aux_free_f free_fn;
};

static void item_destroy (struct aux_item *item)
{
    int saved_errno = errno;

    if (item->free_fn)
        item->free_fn (item->val);
    free (item->key);
    free (item);
    errno = saved_errno;
}

/* Unlink and return the item stored under 'key', or NULL.
 */
static struct aux_item *item_unlink (struct aux_item **head, const char *key)
{
    for (struct aux_item **pp = head; *pp != NULL; pp = &(*pp)->next) {
        struct aux_item *item = *pp;
        if (item->key && !strcmp (item->key, key)) {
            *pp = item->next;
            return item;
        }
    }
    return NULL;
}

int aux_set (struct aux_item **head, const char *key, void *val,
             aux_free_f free_fn)
{
    struct aux_item *item = NULL;
    struct aux_item *old = NULL;

    if (!head || (!key && !val)) {
        errno = EINVAL;
        return -1;
    }
    /* Allocate before touching the list, so a failure leaves it as it
     * was, old value included.
     */
    if (val) {
        if (!(item = calloc (1, sizeof (*item))))
            return -1;
        if (key && !(item->key = strdup (key))) {
            free (item);
            return -1;
        }
        item->val = val;
        item->free_fn = free_fn;
    }
    if (key)
        old = item_unlink (head, key);
    if (item) {
        item->next = *head;
        *head = item;
    }
    /* Last: the destructor may call aux_set or aux_get on this list. */
    if (old)
        item_destroy (old);
    return 0;
}

void *aux_get (struct aux_item *head, const char *key)
{
    if (!key) {
        errno = EINVAL;
        return NULL;
    }
    for (struct aux_item *item = head; item != NULL; item = item->next) {
        if (item->key && !strcmp (item->key, key))
            return item->val;
    }
    errno = ENOENT;
    return NULL;
}

void aux_destroy (struct aux_item **head)
{
    struct aux_item *item;

    if (!head)
        return;
    while ((item = *head)) {
        *head = item->next;
        item_destroy (item);
    }
}
