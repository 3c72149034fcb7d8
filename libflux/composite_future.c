/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Composite futures (wait_all, wait_any), built on the public future
 * API alone.  The composite keeps its children in push order in an aux
 * item, so they go with it.  Its init callback runs once per context
 * (see future.c): it moves each child into that context (the
 * composite's handle and reactor, which in a blocking get are the
 * private ones of its "now" context) and sets child_cb as the child's
 * continuation; child_cb fulfils the composite when the rule is met.
 * A child's result stays in the child for the caller to read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux/future.h"
#include "flux/handle.h"

#define COMPOSITE_AUX "flux::composite"

struct child {
    struct child *next;
    char *name;
    flux_future_t *f;
};

struct composite {
    bool any;
    struct child *head;
    struct child *tail;
    struct child *cursor;  /* first_child / next_child */
    int seq;               /* names of anonymous children */
};

static void composite_destroy (void *arg)
{
    struct composite *cf = arg;
    struct child *c;

    while ((c = cf->head)) {
        cf->head = c->next;
        flux_future_destroy (c->f);
        free (c->name);
        free (c);
    }
    free (cf);
}

static struct composite *composite_get (flux_future_t *f)
{
    struct composite *cf;

    if (!f || !(cf = flux_future_aux_get (f, COMPOSITE_AUX))) {
        errno = EINVAL;
        return NULL;
    }
    return cf;
}

/* wait_all: every child ready, *errnum that of a failed one (or 0). */
static bool all_ready (struct composite *cf, int *errnum)
{
    *errnum = 0;
    for (struct child *c = cf->head; c; c = c->next) {
        if (!flux_future_is_ready (c->f))
            return false;
        if (*errnum == 0 && flux_future_get (c->f, NULL) < 0)
            *errnum = errno;
    }
    return true;
}

static void child_cb (flux_future_t *child, void *arg)
{
    flux_future_t *f = arg;
    struct composite *cf = composite_get (f);
    int errnum = 0;

    if (!cf || flux_future_is_ready (f))
        return;
    if (cf->any) {
        if (flux_future_get (child, NULL) < 0)
            errnum = errno;
    }
    else if (!all_ready (cf, &errnum))
        return;
    if (errnum)
        flux_future_fulfill_error (f, errnum, NULL);
    else
        flux_future_fulfill (f, NULL, NULL);
}

static void composite_init (flux_future_t *f, void *arg)
{
    struct composite *cf = arg;
    flux_reactor_t *r = flux_future_get_reactor (f);
    flux_t *h = flux_future_get_flux (f);

    if (!cf->head) {
        if (!cf->any)
            flux_future_fulfill (f, NULL, NULL);
        return;
    }
    for (struct child *c = cf->head; c; c = c->next) {
        if (h)
            flux_future_set_flux (c->f, h);
        if (r)
            flux_future_set_reactor (c->f, r);
        if (flux_future_then (c->f, -1., child_cb, f) < 0) {
            flux_future_fulfill_error (f, errno, NULL);
            return;
        }
    }
}

static flux_future_t *composite_create (bool any)
{
    struct composite *cf;
    flux_future_t *f;

    if (!(cf = calloc (1, sizeof (*cf))))
        return NULL;
    cf->any = any;
    if (!(f = flux_future_create (composite_init, cf))) {
        free (cf);
        return NULL;
    }
    if (flux_future_aux_set (f, COMPOSITE_AUX, cf, composite_destroy) < 0) {
        composite_destroy (cf);
        flux_future_destroy (f);
        return NULL;
    }
    return f;
}

flux_future_t *flux_future_wait_all_create (void)
{
    return composite_create (false);
}

flux_future_t *flux_future_wait_any_create (void)
{
    return composite_create (true);
}

static struct child *child_find (struct composite *cf, const char *name)
{
    for (struct child *c = cf->head; c; c = c->next) {
        if (!strcmp (c->name, name))
            return c;
    }
    return NULL;
}

int flux_future_push (flux_future_t *f, const char *name,
                      flux_future_t *child)
{
    struct composite *cf;
    struct child *c;
    char anon[32];

    if (!child || !(cf = composite_get (f))) {
        errno = EINVAL;
        return -1;
    }
    if (!name) {
        snprintf (anon, sizeof (anon), "%d", cf->seq++);
        name = anon;
    }
    if (child_find (cf, name)) {
        errno = EEXIST;
        return -1;
    }
    if (!(c = calloc (1, sizeof (*c))))
        return -1;
    if (!(c->name = strdup (name))) {
        free (c);
        return -1;
    }
    c->f = child;
    if (cf->tail)
        cf->tail->next = c;
    else
        cf->head = c;
    cf->tail = c;
    return 0;
}

const char *flux_future_first_child (flux_future_t *f)
{
    struct composite *cf;

    if (!(cf = composite_get (f)))
        return NULL;
    cf->cursor = cf->head;
    return cf->cursor ? cf->cursor->name : NULL;
}

const char *flux_future_next_child (flux_future_t *f)
{
    struct composite *cf;

    if (!(cf = composite_get (f)))
        return NULL;
    if (cf->cursor)
        cf->cursor = cf->cursor->next;
    return cf->cursor ? cf->cursor->name : NULL;
}

flux_future_t *flux_future_get_child (flux_future_t *f, const char *name)
{
    struct composite *cf;
    struct child *c;

    if (!name || !(cf = composite_get (f))) {
        errno = EINVAL;
        return NULL;
    }
    if (!(c = child_find (cf, name))) {
        errno = ENOENT;
        return NULL;
    }
    return c->f;
}
