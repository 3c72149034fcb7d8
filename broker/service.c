/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The service table: which peer answers requests for a service name.
 *
 * Three kinds of owner share one namespace: the broker (broker, log,
 * attr, event, service, module), each module (its own name), and any
 * client or module that asks for more with service.add.  The owner of a
 * dynamic service is the peer service.add came from (the last hop of its
 * route, the one a client cannot write), and only that peer may remove it; when the owner goes
 * away the router drops its services.  Guests may only add names that
 * start with "UID-", so they cannot capture requests meant for the
 * instance's own services.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "strmap.h"

struct service {
    char *name;
    struct peer *owner;
    struct service *next;
    struct service **prevp;     // what points at it in the list
};

/* The services in the order of registration, which listings keep, and
 * by name, which requests are routed by.
 */
struct services {
    struct broker *ctx;
    struct service *head;
    struct service **tail;
    struct strmap *byname;
    flux_msg_handler_t **handlers;
};

void services_destroy (struct services *svc)
{
    if (svc) {
        int saved_errno = errno;
        struct service *s = svc->head;
        while (s) {
            struct service *next = s->next;
            free (s->name);
            free (s);
            s = next;
        }
        strmap_destroy (svc->byname);
        flux_msg_handler_delvec (svc->handlers);
        free (svc);
        errno = saved_errno;
    }
}

struct services *services_create (struct broker *ctx)
{
    struct services *svc;

    if (!(svc = calloc (1, sizeof (*svc))))
        return NULL;
    svc->ctx = ctx;
    svc->tail = &svc->head;
    if (!(svc->byname = strmap_create ())) {
        free (svc);
        return NULL;
    }
    return svc;
}

static struct service *lookup (struct services *svc, const char *name,
                               size_t len)
{
    return strmap_lookup (svc->byname, name, len);
}

static void service_unlink (struct services *svc, struct service *s)
{
    (void)strmap_remove (svc->byname, s->name, s);
    if ((*s->prevp = s->next))
        s->next->prevp = s->prevp;
    else
        svc->tail = s->prevp;
    free (s->name);
    free (s);
}

int services_add (struct services *svc, const char *name, struct peer *owner)
{
    struct service *s;

    if (!svc || !name || !owner || !*name || strchr (name, '.')) {
        errno = EINVAL;
        return -1;
    }
    if (lookup (svc, name, strlen (name))) {
        errno = EEXIST;
        return -1;
    }
    if (!(s = calloc (1, sizeof (*s))) || !(s->name = strdup (name))
        || strmap_insert (svc->byname, s->name, s) < 0) {
        if (s)
            free (s->name);
        free (s);
        errno = ENOMEM;
        return -1;
    }
    s->owner = owner;
    /* Append, so that listings keep the order of registration. */
    s->prevp = svc->tail;
    *svc->tail = s;
    svc->tail = &s->next;
    return 0;
}

static int service_remove (struct services *svc, const char *name,
                           struct peer *owner)
{
    struct service *s;

    if (!(s = lookup (svc, name, strlen (name)))) {
        errno = ENOENT;
        return -1;
    }
    if (s->owner != owner) {
        errno = EINVAL;
        return -1;
    }
    service_unlink (svc, s);
    return 0;
}

struct peer *services_lookup (struct services *svc, const char *topic)
{
    const char *dot;
    struct service *s;

    if (!svc || !topic)
        return NULL;
    dot = strchr (topic, '.');
    if (!(s = lookup (svc, topic, dot ? (size_t)(dot - topic)
                                      : strlen (topic))))
        return NULL;
    return s->owner;
}

void services_remove_peer (struct services *svc, struct peer *owner)
{
    struct service *s = svc->head;

    while (s) {
        struct service *next = s->next;
        if (s->owner == owner)
            service_unlink (svc, s);
        s = next;
    }
}

json_t *services_list_peer (struct services *svc, struct peer *owner,
                            const char *first)
{
    json_t *a;
    json_t *o;

    if (!(a = json_array ()))
        goto nomem;
    if (first) {
        struct service *s = lookup (svc, first, strlen (first));
        if (s && s->owner == owner) {
            if (!(o = json_string (first)) || json_array_append_new (a, o) < 0)
                goto nomem;
        }
    }
    for (struct service *s = svc->head; s; s = s->next) {
        if (s->owner != owner || (first && !strcmp (s->name, first)))
            continue;
        if (!(o = json_string (s->name)) || json_array_append_new (a, o) < 0)
            goto nomem;
    }
    return a;
nomem:
    json_decref (a);
    errno = ENOMEM;
    return NULL;
}

/* The requestor of service.add/remove: the peer the request came from,
 * i.e. the last hop, which the router (for a connection or the broker)
 * or the module's channel pushed.  Never the first hop: that is whatever
 * the sender (or a relay) wrote, and a client could name the broker, or
 * another client, there and leave a service behind that outlives it.
 */
static struct peer *requestor (struct services *svc, const flux_msg_t *msg)
{
    return router_peer_lookup (svc->ctx->router, flux_msg_route_last (msg));
}

/* Guests may only use names that begin with their "UID-". */
static int check_name (const flux_msg_t *msg, const char *name,
                       char *errbuf, size_t size)
{
    struct flux_msg_cred cred;
    char prefix[32];

    if (!*name || strchr (name, '.')) {
        (void)snprintf (errbuf, size,
                        "service name may not be empty or contain '.'");
        errno = EINVAL;
        return -1;
    }
    if (flux_msg_get_cred (msg, &cred) < 0)
        return -1;
    if (!(cred.rolemask & FLUX_ROLE_OWNER)) {
        (void)snprintf (prefix, sizeof (prefix), "%u-", (unsigned)cred.userid);
        if (strncmp (name, prefix, strlen (prefix)) != 0) {
            (void)snprintf (errbuf, size,
                            "guest service names must begin with %s", prefix);
            errno = EPERM;
            return -1;
        }
    }
    return 0;
}

/* The service NAME of a service.add or service.remove request, checked
 * against what its sender may name, and the peer that sent it.  NULL
 * with errno (and errbuf filled, if there is more to say).
 */
static struct peer *decode_request (struct services *svc,
                                    const flux_msg_t *msg,
                                    const char **name,
                                    char *errbuf,
                                    size_t size)
{
    struct peer *owner;

    if (flux_request_unpack (msg, NULL, "{s:s}", "service", name) < 0
        || check_name (msg, *name, errbuf, size) < 0)
        return NULL;
    if (!(owner = requestor (svc, msg))) {
        errno = EPROTO;
        return NULL;
    }
    return owner;
}

static void add_cb (flux_t *h,
                    flux_msg_handler_t *mh,
                    const flux_msg_t *msg,
                    void *arg)
{
    struct services *svc = arg;
    const char *name;
    struct peer *owner;
    char errbuf[160] = "";

    (void)mh;
    if (!(owner = decode_request (svc, msg, &name, errbuf, sizeof (errbuf))))
        goto error;
    if (services_add (svc, name, owner) < 0) {
        if (errno == EEXIST)
            (void)snprintf (errbuf, sizeof (errbuf),
                            "service %s is already registered", name);
        goto error;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to service.add");
    return;
error:
    if (flux_respond_error (h, msg, errno, *errbuf ? errbuf : NULL) < 0)
        flux_log_error (h, "error responding to service.add");
}

static void remove_cb (flux_t *h,
                       flux_msg_handler_t *mh,
                       const flux_msg_t *msg,
                       void *arg)
{
    struct services *svc = arg;
    const char *name;
    struct peer *owner;
    char errbuf[160] = "";

    (void)mh;
    if (!(owner = decode_request (svc, msg, &name, errbuf, sizeof (errbuf))))
        goto error;
    if (service_remove (svc, name, owner) < 0) {
        if (errno == ENOENT)
            (void)snprintf (errbuf, sizeof (errbuf),
                            "service %s is not registered", name);
        else
            (void)snprintf (errbuf, sizeof (errbuf),
                            "requestor did not register service %s", name);
        goto error;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to service.remove");
    return;
error:
    if (flux_respond_error (h, msg, errno, *errbuf ? errbuf : NULL) < 0)
        flux_log_error (h, "error responding to service.remove");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "service.add", add_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "service.remove", remove_cb, FLUX_ROLE_USER },
    FLUX_MSGHANDLER_TABLE_END,
};

int services_register_handlers (struct services *svc, flux_t *h)
{
    return flux_msg_handler_addvec (h, htab, svc, &svc->handlers);
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
