/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Message dispatch.
 *
 * Each handle has one dispatcher, kept in its aux under "flux::dispatch"
 * and created with the first message handler.  A handle watcher on the
 * handle's reactor fires while messages are pending; the dispatcher
 * reads them with a non-blocking flux_recv() and gives each to at most
 * one handler.  The watcher runs only while some handler is started, so
 * a reactor with nothing to dispatch can return.
 *
 * Finding the handler.  Only started handlers are indexed, and starting
 * one puts it first in its index, which gives "newest started wins":
 *   - handlers naming a matchtag (RPC responses) in a hash by matchtag;
 *   - handlers whose topic has no glob characters in a hash by topic,
 *     each entry a stack (a module can override a default method by
 *     registering the same topic again);
 *   - everything else (globs, no topic) in one list, newest first.
 * A response tries its matchtag, then the topic, then the globs; a
 * request or event tries the topic, then the globs.  Each candidate must
 * also pass flux_msg_cmp() (type mask, matchtag, topic).
 *
 * Roles.  The chosen handler's rolemask must overlap the message's.  A
 * request that fails gets EPERM with flux-core's words (below) unless it
 * is NORESPONSE; an event that fails is dropped.  Responses are not
 * checked: they answer something this handle sent, and their creds are
 * whatever the responder's connector stamped.  (flux-core checks them,
 * and its RPC code opens its response handlers to FLUX_ROLE_ALL to get
 * the same effect.)
 *
 * Unmatched messages.  A request that expects a response gets ENOSYS,
 * "Unknown service method 'TOPIC'"; events and responses are dropped.
 * On a clone, nothing is answered or dropped: the messages belong to the
 * parent, so they are kept, in order, and put back at the head of the
 * shared queue when the clone's handlers have all stopped or the clone
 * is destroyed.
 *
 * Lifetime.  Handlers may create, stop or destroy handlers (themselves
 * included) and even close the handle from inside a callback: after a
 * callback returns, the dispatcher touches neither the handler nor the
 * lookup it came from, and it holds a use count on itself for the
 * duration.  The dispatcher lives until the handle is destroyed and
 * every handler created on it has been destroyed.
 *
 * Batching.  Up to DISPATCH_BATCH messages are dispatched per watcher
 * callback, saving a loop iteration (and its poll syscalls) per message.
 * A clone dispatches one message per callback, as flux-core does, so a
 * synchronous wait stops reading as soon as its answer has arrived.  A
 * batch also ends at a handler that stops the reactor: the messages
 * after it wait for the next run, as with one message per callback (a
 * module that stops to be reloaded hands them to its next instance).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flux/handle.h"
#include "flux/reactor.h"
#include "flux/watcher.h"
#include "flux/response.h"
#include "reactor_private.h"
#include "flux/msg_handler.h"
#include "strmap.h"

#define DISPATCH_BATCH 16

enum handler_kind {
    KIND_RPC,
    KIND_EXACT,
    KIND_GLOB,
};

/* A chained hash of handler stacks, keyed by a string (topic) or a
 * matchtag.  An entry exists only while its stack is non-empty.
 */
struct hentry {
    char *topic;
    uint32_t matchtag;
    flux_msg_handler_t *first;
    struct hentry *next;
};

struct htab {
    struct hentry **buckets;
    size_t nbuckets;
    size_t count;
};

struct dispatch {
    flux_t *h;                  /* NULL once the handle is gone */
    flux_watcher_t *w;
    int usecount;               /* 1 for the handle + 1 per handler */
    int running_count;
    bool clone;
    struct htab rpc;
    struct htab exact;
    flux_msg_handler_t *globs;  /* newest first */
    flux_msg_t **unmatched;     /* clone only: kept for the parent */
    int nunmatched;
    int maxunmatched;
};

#define HANDLER_MAGIC 0x4d534748
struct flux_msg_handler {
    int magic;
    struct dispatch *d;
    struct flux_match match;
    char *topic;                /* owned copy of match.topic_glob */
    uint32_t rolemask;
    flux_msg_handler_f cb;
    void *arg;
    enum handler_kind kind;
    bool running;
    struct hentry *entry;       /* RPC/EXACT: the stack it is on */
    flux_msg_handler_t *prev;
    flux_msg_handler_t *next;
};

static void handle_cb (flux_reactor_t *r, flux_watcher_t *w,
                       int revents, void *arg);

/* Hash tables.
 */

/* strmap.h's FNV-1a, run to the string's end. */
static size_t hash_str (const char *s)
{
    uint64_t h = STRMAP_HASH_INIT;
    while (*s)
        h = strmap_hash_add (h, (unsigned char)*s++);
    return h;
}

static size_t hash_tag (uint32_t tag)
{
    return tag * 2654435761u;
}

static size_t entry_hash (const struct hentry *e)
{
    return e->topic ? hash_str (e->topic) : hash_tag (e->matchtag);
}

static void htab_free (struct htab *t)
{
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct hentry *e, *next;
        for (e = t->buckets[i]; e; e = next) {
            next = e->next;
            free (e->topic);
            free (e);
        }
    }
    free (t->buckets);
    memset (t, 0, sizeof (*t));
}

static int htab_grow (struct htab *t)
{
    size_t n = t->nbuckets ? t->nbuckets * 2 : 64;
    struct hentry **b;

    if (!(b = calloc (n, sizeof (b[0]))))
        return -1;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct hentry *e, *next;
        for (e = t->buckets[i]; e; e = next) {
            size_t j = entry_hash (e) & (n - 1);
            next = e->next;
            e->next = b[j];
            b[j] = e;
        }
    }
    free (t->buckets);
    t->buckets = b;
    t->nbuckets = n;
    return 0;
}

static struct hentry *htab_lookup (struct htab *t, const char *topic,
                                   uint32_t matchtag)
{
    struct hentry *e;

    if (t->nbuckets == 0)
        return NULL;
    e = t->buckets[(topic ? hash_str (topic) : hash_tag (matchtag))
                   & (t->nbuckets - 1)];
    for (; e; e = e->next) {
        if (topic ? (e->topic && !strcmp (e->topic, topic))
                  : (!e->topic && e->matchtag == matchtag))
            return e;
    }
    return NULL;
}

static struct hentry *htab_insert (struct htab *t, const char *topic,
                                   uint32_t matchtag)
{
    struct hentry *e;
    size_t i;

    if ((e = htab_lookup (t, topic, matchtag)))
        return e;
    if (t->count >= t->nbuckets && htab_grow (t) < 0)
        return NULL;
    if (!(e = calloc (1, sizeof (*e))))
        return NULL;
    if (topic && !(e->topic = strdup (topic))) {
        free (e);
        return NULL;
    }
    e->matchtag = matchtag;
    i = entry_hash (e) & (t->nbuckets - 1);
    e->next = t->buckets[i];
    t->buckets[i] = e;
    t->count++;
    return e;
}

static void htab_remove (struct htab *t, struct hentry *entry)
{
    struct hentry **prev;

    prev = &t->buckets[entry_hash (entry) & (t->nbuckets - 1)];
    for (; *prev; prev = &(*prev)->next) {
        if (*prev == entry) {
            *prev = entry->next;
            free (entry->topic);
            free (entry);
            t->count--;
            return;
        }
    }
}

/* Dispatcher.
 */

static void dispatch_requeue_unmatched (struct dispatch *d)
{
    if (d->h) {
        /* Last first, each at the head: they keep their order, ahead of
         * whatever arrived since.
         */
        for (int i = d->nunmatched - 1; i >= 0; i--)
            (void)flux_requeue (d->h, d->unmatched[i], FLUX_RQ_HEAD);
    }
    for (int i = 0; i < d->nunmatched; i++)
        flux_msg_destroy (d->unmatched[i]);
    d->nunmatched = 0;
}

static void dispatch_decref (struct dispatch *d)
{
    if (d && --d->usecount == 0) {
        int saved_errno = errno;
        dispatch_requeue_unmatched (d);
        free (d->unmatched);
        flux_watcher_destroy (d->w);
        htab_free (&d->rpc);
        htab_free (&d->exact);
        free (d);
        errno = saved_errno;
    }
}

/* The handle is going away (its aux is being destroyed). */
static void dispatch_handle_destroyed (void *arg)
{
    struct dispatch *d = arg;

    dispatch_requeue_unmatched (d);
    flux_watcher_destroy (d->w);
    d->w = NULL;
    d->h = NULL;
    dispatch_decref (d);
}

static struct dispatch *dispatch_get (flux_t *h)
{
    struct dispatch *d;
    flux_reactor_t *r;

    if ((d = flux_aux_get (h, "flux::dispatch")))
        return d;
    if (!(r = flux_get_reactor (h)))
        return NULL;
    if (!(d = calloc (1, sizeof (*d))))
        return NULL;
    d->h = h;
    d->usecount = 1;
    d->clone = (flux_flags_get (h) & FLUX_O_CLONE) ? true : false;
    if (!(d->w = flux_handle_watcher_create (r, h, FLUX_POLLIN, handle_cb, d)))
        goto error;
    if (flux_aux_set (h, "flux::dispatch", d, dispatch_handle_destroyed) < 0)
        goto error;
    return d;
error:
    dispatch_decref (d);
    return NULL;
}

static int keep_unmatched (struct dispatch *d, flux_msg_t *msg)
{
    if (d->nunmatched == d->maxunmatched) {
        int n = d->maxunmatched ? d->maxunmatched * 2 : 16;
        flux_msg_t **v = realloc (d->unmatched, n * sizeof (v[0]));
        if (!v)
            return -1;
        d->unmatched = v;
        d->maxunmatched = n;
    }
    d->unmatched[d->nunmatched++] = msg;
    return 0;
}

static flux_msg_handler_t *find_in (flux_msg_handler_t *mh,
                                    const flux_msg_t *msg)
{
    for (; mh; mh = mh->next) {
        if (flux_msg_cmp (msg, mh->match))
            return mh;
    }
    return NULL;
}

static flux_msg_handler_t *lookup (struct dispatch *d,
                                   const flux_msg_t *msg,
                                   int type)
{
    flux_msg_handler_t *mh = NULL;
    struct hentry *e;
    const char *topic;
    uint32_t matchtag;

    if (type == FLUX_MSGTYPE_RESPONSE
        && flux_msg_get_matchtag (msg, &matchtag) == 0
        && matchtag != FLUX_MATCHTAG_NONE
        && (e = htab_lookup (&d->rpc, NULL, matchtag)))
        mh = find_in (e->first, msg);
    if (!mh
        && flux_msg_get_topic (msg, &topic) == 0
        && (e = htab_lookup (&d->exact, topic, 0)))
        mh = find_in (e->first, msg);
    if (!mh)
        mh = find_in (d->globs, msg);
    return mh;
}

static bool wants_response (const flux_msg_t *msg, int type)
{
    return type == FLUX_MSGTYPE_REQUEST && !flux_msg_is_noresponse (msg);
}

/* Dispatch one message, consuming the caller's reference. */
static void dispatch_message (struct dispatch *d, flux_msg_t *msg)
{
    flux_msg_handler_t *mh;
    int type;

    if (flux_msg_get_type (msg, &type) < 0)
        goto done; // N.B. cannot happen for a decoded message
    if ((mh = lookup (d, msg, type))) {
        uint32_t rolemask = FLUX_ROLE_NONE;
        if (type != FLUX_MSGTYPE_RESPONSE
            && (flux_msg_get_rolemask (msg, &rolemask) < 0
                || !(rolemask & mh->rolemask))) {
            if (wants_response (msg, type)) {
                const char *errstr = mh->rolemask == FLUX_ROLE_OWNER
                    ? "Request requires owner credentials"
                    : "Request rejected due to insufficient privilege";
                (void)flux_respond_error (d->h, msg, EPERM, errstr);
            }
            goto done;
        }
        mh->cb (d->h, mh, msg, mh->arg);
        goto done;
    }
    if (d->clone) {
        if (keep_unmatched (d, msg) == 0)
            return;
        goto done;
    }
    if (wants_response (msg, type)) {
        const char *topic = NULL;
        char errstr[256];
        (void)flux_msg_get_topic (msg, &topic);
        snprintf (errstr, sizeof (errstr), "Unknown service method '%s'",
                  topic ? topic : "");
        (void)flux_respond_error (d->h, msg, ENOSYS, errstr);
    }
done:
    flux_msg_destroy (msg);
}

static void handle_cb (flux_reactor_t *r, flux_watcher_t *w,
                       int revents, void *arg)
{
    struct dispatch *d = arg;
    int batch = d->clone ? 1 : DISPATCH_BATCH;

    (void)w;
    (void)revents;
    d->usecount++;
    for (int i = 0; i < batch; i++) {
        flux_msg_t *msg;

        if (!d->h || d->running_count == 0 || reactor_stopping (r))
            break;
        if (!(msg = flux_recv (d->h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK))) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                flux_reactor_stop_error (r);
            break;
        }
        dispatch_message (d, msg);
    }
    dispatch_decref (d);
}

/* Handlers.
 */

static bool has_glob_chars (const char *s)
{
    return strpbrk (s, "*?[\\") != NULL;
}

static void list_insert_head (flux_msg_handler_t **head,
                              flux_msg_handler_t *mh)
{
    mh->prev = NULL;
    mh->next = *head;
    if (*head)
        (*head)->prev = mh;
    *head = mh;
}

static void list_remove (flux_msg_handler_t **head, flux_msg_handler_t *mh)
{
    if (mh->prev)
        mh->prev->next = mh->next;
    else
        *head = mh->next;
    if (mh->next)
        mh->next->prev = mh->prev;
    mh->prev = mh->next = NULL;
}

flux_msg_handler_t *flux_msg_handler_create (flux_t *h,
                                             const struct flux_match match,
                                             flux_msg_handler_f cb,
                                             void *arg)
{
    struct dispatch *d;
    flux_msg_handler_t *mh;

    if (!h || !cb) {
        errno = EINVAL;
        return NULL;
    }
    if (!(d = dispatch_get (h)))
        return NULL;
    if (!(mh = calloc (1, sizeof (*mh))))
        return NULL;
    mh->magic = HANDLER_MAGIC;
    mh->match = match;
    if (match.topic_glob) {
        if (!(mh->topic = strdup (match.topic_glob))) {
            free (mh);
            errno = ENOMEM;
            return NULL;
        }
        mh->match.topic_glob = mh->topic;
    }
    if (match.matchtag != FLUX_MATCHTAG_NONE)
        mh->kind = KIND_RPC;
    else if (mh->topic && !has_glob_chars (mh->topic))
        mh->kind = KIND_EXACT;
    else
        mh->kind = KIND_GLOB;
    mh->rolemask = FLUX_ROLE_OWNER;
    mh->cb = cb;
    mh->arg = arg;
    mh->d = d;
    d->usecount++;
    return mh;
}

void flux_msg_handler_start (flux_msg_handler_t *mh)
{
    struct dispatch *d;

    if (!mh || mh->running)
        return;
    if (mh->magic != HANDLER_MAGIC) {
        fprintf (stderr, "flux_msg_handler_start: invalid handler\n");
        abort ();
    }
    d = mh->d;
    switch (mh->kind) {
        case KIND_RPC:
        case KIND_EXACT:
            if (mh->kind == KIND_RPC)
                mh->entry = htab_insert (&d->rpc, NULL, mh->match.matchtag);
            else
                mh->entry = htab_insert (&d->exact, mh->topic, 0);
            if (!mh->entry)
                return; // N.B. ENOMEM: the handler stays stopped
            list_insert_head (&mh->entry->first, mh);
            break;
        case KIND_GLOB:
            list_insert_head (&d->globs, mh);
            break;
    }
    mh->running = true;
    if (d->running_count++ == 0 && d->w)
        flux_watcher_start (d->w);
}

void flux_msg_handler_stop (flux_msg_handler_t *mh)
{
    struct dispatch *d;

    if (!mh || !mh->running)
        return;
    d = mh->d;
    switch (mh->kind) {
        case KIND_RPC:
        case KIND_EXACT:
            list_remove (&mh->entry->first, mh);
            if (!mh->entry->first)
                htab_remove (mh->kind == KIND_RPC ? &d->rpc : &d->exact,
                             mh->entry);
            mh->entry = NULL;
            break;
        case KIND_GLOB:
            list_remove (&d->globs, mh);
            break;
    }
    mh->running = false;
    if (--d->running_count == 0) {
        if (d->w)
            flux_watcher_stop (d->w);
        /* A clone with nothing left to wait for gives the parent its
         * messages back now, not only when the clone is destroyed.
         */
        dispatch_requeue_unmatched (d);
    }
}

void flux_msg_handler_destroy (flux_msg_handler_t *mh)
{
    if (mh) {
        int saved_errno = errno;
        if (mh->magic != HANDLER_MAGIC) {
            fprintf (stderr, "flux_msg_handler_destroy: invalid handler\n");
            abort ();
        }
        flux_msg_handler_stop (mh);
        mh->magic = ~HANDLER_MAGIC;
        dispatch_decref (mh->d);
        free (mh->topic);
        free (mh);
        errno = saved_errno;
    }
}

void flux_msg_handler_allow_rolemask (flux_msg_handler_t *mh,
                                      uint32_t rolemask)
{
    if (mh)
        mh->rolemask |= rolemask;
}

void flux_msg_handler_deny_rolemask (flux_msg_handler_t *mh,
                                     uint32_t rolemask)
{
    if (mh) {
        mh->rolemask &= ~rolemask;
        mh->rolemask |= FLUX_ROLE_OWNER;
    }
}

static bool at_end (const struct flux_msg_handler_spec *spec)
{
    return spec->typemask == 0 && spec->topic_glob == NULL
        && spec->cb == NULL && spec->rolemask == 0;
}

int flux_msg_handler_addvec_ex (flux_t *h,
                                const char *service_name,
                                const struct flux_msg_handler_spec tab[],
                                void *arg,
                                flux_msg_handler_t **msg_handlers[])
{
    flux_msg_handler_t **v;
    int count = 0;

    if (!h || !tab || !msg_handlers) {
        errno = EINVAL;
        return -1;
    }
    while (!at_end (&tab[count]))
        count++;
    if (!(v = calloc (count + 1, sizeof (v[0]))))
        return -1;
    for (int i = 0; i < count; i++) {
        char *topic = NULL;
        struct flux_match match = {
            .typemask = tab[i].typemask,
            .matchtag = FLUX_MATCHTAG_NONE,
            .topic_glob = tab[i].topic_glob,
        };
        /* N.B. as in flux-core, a NULL topic_glob under a service name
         * becomes "NAME.(null)", which matches nothing real.
         */
        if (service_name) {
            if (asprintf (&topic,
                          "%s.%s",
                          service_name,
                          tab[i].topic_glob ? tab[i].topic_glob : "(null)")
                < 0) {
                errno = ENOMEM;
                goto error;
            }
            match.topic_glob = topic;
        }
        v[i] = flux_msg_handler_create (h, match, tab[i].cb, arg);
        if (topic) {
            int saved_errno = errno;
            free (topic); /* create copied it */
            errno = saved_errno;
        }
        if (!v[i])
            goto error;
        flux_msg_handler_allow_rolemask (v[i], tab[i].rolemask);
        flux_msg_handler_start (v[i]);
    }
    *msg_handlers = v;
    return 0;
error:
    flux_msg_handler_delvec (v);
    return -1;
}

int flux_msg_handler_addvec (flux_t *h,
                             const struct flux_msg_handler_spec tab[],
                             void *arg,
                             flux_msg_handler_t **msg_handlers[])
{
    return flux_msg_handler_addvec_ex (h, NULL, tab, arg, msg_handlers);
}

void flux_msg_handler_delvec (flux_msg_handler_t *msg_handlers[])
{
    if (msg_handlers) {
        int saved_errno = errno;
        for (int i = 0; msg_handlers[i] != NULL; i++)
            flux_msg_handler_destroy (msg_handlers[i]);
        free (msg_handlers);
        errno = saved_errno;
    }
}

// vi:ts=4 sw=4 expandtab
