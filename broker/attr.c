/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Broker attributes: a table of named string values.
 *
 * Every name a user may set is declared up front, with flags that say
 * when it may change: immutable values (rank, broker.uuid, rundir...) are
 * fixed before any module starts, because modules receive them in their
 * welcome and never ask again; runtime values (log levels, test.*) may
 * change at any time through attr.set, and a declared setter applies the
 * change to the part of the broker that owns it (the log ring, say), or
 * refuses it.  Declaring names up front is what lets attr.set answer
 * "unknown attribute" for a typo instead of storing it.
 *
 * A declaration ending in '*' is a pattern: "test.*" declares every name
 * under "test.", each materialised as its own entry on first set.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"

struct attr {
    char *name;
    char *value;
    int flags;
    attr_set_f set;
    void *arg;
    struct attr *next;
};

struct attrs {
    struct attr *head;
    struct attr **tail;
    flux_msg_handler_t **handlers;
};

static void attr_destroy (struct attr *a)
{
    if (a) {
        int saved_errno = errno;
        free (a->name);
        free (a->value);
        free (a);
        errno = saved_errno;
    }
}

void attrs_destroy (struct attrs *attrs)
{
    if (attrs) {
        int saved_errno = errno;
        struct attr *a = attrs->head;
        while (a) {
            struct attr *next = a->next;
            attr_destroy (a);
            a = next;
        }
        flux_msg_handler_delvec (attrs->handlers);
        free (attrs);
        errno = saved_errno;
    }
}

struct attrs *attrs_create (void)
{
    struct attrs *attrs;

    if (!(attrs = calloc (1, sizeof (*attrs))))
        return NULL;
    attrs->tail = &attrs->head;
    return attrs;
}

static bool is_pattern (const char *name)
{
    size_t len = strlen (name);
    return len > 0 && name[len - 1] == '*';
}

static struct attr *lookup_exact (struct attrs *attrs, const char *name)
{
    for (struct attr *a = attrs->head; a; a = a->next) {
        if (!strcmp (a->name, name))
            return a;
    }
    return NULL;
}

static struct attr *lookup_pattern (struct attrs *attrs, const char *name)
{
    for (struct attr *a = attrs->head; a; a = a->next) {
        size_t len = strlen (a->name);
        if (is_pattern (a->name) && strlen (name) >= len
            && !strncmp (a->name, name, len - 1))
            return a;
    }
    return NULL;
}

static struct attr *attr_append (struct attrs *attrs,
                                 const char *name,
                                 const char *value,
                                 int flags,
                                 attr_set_f set,
                                 void *arg)
{
    struct attr *a;

    if (!(a = calloc (1, sizeof (*a)))
        || !(a->name = strdup (name))
        || (value && !(a->value = strdup (value)))) {
        attr_destroy (a);
        errno = ENOMEM;
        return NULL;
    }
    a->flags = flags;
    a->set = set;
    a->arg = arg;
    *attrs->tail = a;
    attrs->tail = &a->next;
    return a;
}

int attrs_register (struct attrs *attrs, const char *name, const char *value,
                    int flags, attr_set_f set, void *arg)
{
    if (!attrs || !name) {
        errno = EINVAL;
        return -1;
    }
    if (lookup_exact (attrs, name)) {
        errno = EEXIST;
        return -1;
    }
    if (!attr_append (attrs, name, value, flags, set, arg))
        return -1;
    return 0;
}

/* Find the entry for 'name', materialising it from a pattern if needed.
 * ENOENT if the name is not declared.
 */
static struct attr *lookup_create (struct attrs *attrs, const char *name)
{
    struct attr *a, *p;

    if ((a = lookup_exact (attrs, name)) && !is_pattern (name))
        return a;
    if (is_pattern (name) || !(p = lookup_pattern (attrs, name))) {
        errno = ENOENT;
        return NULL;
    }
    return attr_append (attrs, name, NULL, p->flags, p->set, p->arg);
}

static int attr_update (struct attr *a, const char *value)
{
    char *cpy = NULL;

    if (value && !(cpy = strdup (value)))
        return -1;
    if (a->set && a->set (a->name, value, a->arg) < 0) {
        free (cpy);
        return -1;
    }
    free (a->value);
    a->value = cpy;
    return 0;
}

int attrs_set_cmdline (struct attrs *attrs, const char *name,
                       const char *value)
{
    struct attr *a;

    if (!attrs || !name) {
        errno = EINVAL;
        return -1;
    }
    if (!(a = lookup_create (attrs, name)))
        return -1;
    if ((a->flags & ATTR_INTERNAL)) {
        errno = EPERM;
        return -1;
    }
    return attr_update (a, value);
}

int attrs_set_internal (struct attrs *attrs, const char *name,
                        const char *value)
{
    struct attr *a;

    if (!attrs || !name) {
        errno = EINVAL;
        return -1;
    }
    if (!(a = lookup_create (attrs, name)))
        return -1;
    return attr_update (a, value);
}

const char *attrs_get (struct attrs *attrs, const char *name, int *flags)
{
    struct attr *a;

    if (!attrs || !name || is_pattern (name)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(a = lookup_exact (attrs, name)) || !a->value) {
        errno = ENOENT;
        return NULL;
    }
    if (flags)
        *flags = a->flags;
    return a->value;
}

bool attrs_get_bool (struct attrs *attrs, const char *name)
{
    const char *s = attrs_get (attrs, name, NULL);
    return s && *s && strcmp (s, "0") != 0;
}

json_t *attrs_immutables (struct attrs *attrs)
{
    json_t *o;

    if (!(o = json_object ()))
        goto nomem;
    for (struct attr *a = attrs->head; a; a = a->next) {
        json_t *v;
        if (!(a->flags & ATTR_IMMUTABLE) || !a->value || is_pattern (a->name))
            continue;
        if (!(v = json_string (a->value))
            || json_object_set_new (o, a->name, v) < 0) {
            json_decref (v);
            goto nomem;
        }
    }
    return o;
nomem:
    json_decref (o);
    errno = ENOMEM;
    return NULL;
}

int attrs_cache_immutables (struct attrs *attrs, flux_t *h)
{
    for (struct attr *a = attrs->head; a; a = a->next) {
        if (!(a->flags & ATTR_IMMUTABLE) || !a->value || is_pattern (a->name))
            continue;
        if (flux_attr_set_cacheonly (h, a->name, a->value) < 0)
            return -1;
    }
    return 0;
}

static void get_cb (flux_t *h,
                    flux_msg_handler_t *mh,
                    const flux_msg_t *msg,
                    void *arg)
{
    struct attrs *attrs = arg;
    const char *name;
    const char *value;
    int flags = 0;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s}", "name", &name) < 0)
        goto error;
    if (!(value = attrs_get (attrs, name, &flags)))
        goto error;
    if (flux_respond_pack (h, msg, "{s:s s:i}",
                           "value", value,
                           "flags", flags & ATTR_IMMUTABLE) < 0)
        flux_log_error (h, "error responding to attr.get");
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to attr.get");
}

static void list_cb (flux_t *h,
                     flux_msg_handler_t *mh,
                     const flux_msg_t *msg,
                     void *arg)
{
    struct attrs *attrs = arg;
    json_t *names;

    (void)mh;
    if (!(names = json_array ())) {
        errno = ENOMEM;
        goto error;
    }
    for (struct attr *a = attrs->head; a; a = a->next) {
        json_t *s;
        if (is_pattern (a->name) || !a->value)
            continue;
        if (!(s = json_string (a->name))
            || json_array_append_new (names, s) < 0) {
            json_decref (s);
            json_decref (names);
            errno = ENOMEM;
            goto error;
        }
    }
    if (flux_respond_pack (h, msg, "{s:o}", "names", names) < 0)
        flux_log_error (h, "error responding to attr.list");
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to attr.list");
}

/* Set (value a string) or remove (value null, or attr.rm).  Errors as
 * flux-core: setting an undeclared name is ENOENT "unknown attribute",
 * changing a value that may not change is EINVAL "attribute may not be
 * updated"; removing a name that has no value succeeds, removing an
 * immutable one is EPERM.  (Removing one the broker itself keeps, e.g.
 * rundir, is EPERM too: the broker relies on those.)
 */
static int attr_change (struct attrs *attrs, const char *name,
                        const char *value, bool force, const char **errstr)
{
    struct attr *a;

    if (!(a = lookup_exact (attrs, name)) && !lookup_pattern (attrs, name)) {
        if (!value)
            return 0;
        *errstr = "unknown attribute";
        errno = ENOENT;
        return -1;
    }
    if (!value) {
        if (!a || !a->value)
            return 0;
        if ((a->flags & (ATTR_IMMUTABLE | ATTR_INTERNAL))) {
            errno = EPERM;
            return -1;
        }
    }
    if (!(a = lookup_create (attrs, name)))
        return -1;
    if ((a->flags & (ATTR_IMMUTABLE | ATTR_READONLY | ATTR_INTERNAL))
        || (!(a->flags & ATTR_RUNTIME) && (a->value || !value) && !force)) {
        *errstr = "attribute may not be updated";
        errno = EINVAL;
        return -1;
    }
    if (attr_update (a, value) < 0) {
        if (errno == EINVAL)
            *errstr = "invalid value for attribute";
        return -1;
    }
    return 0;
}

static void set_cb (flux_t *h,
                    flux_msg_handler_t *mh,
                    const flux_msg_t *msg,
                    void *arg)
{
    struct attrs *attrs = arg;
    const char *name;
    json_t *o;
    const char *value = NULL;
    int force = 0;
    const char *errstr = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s:o s?b}",
                             "name", &name,
                             "value", &o,
                             "force", &force) < 0)
        goto error;
    /* A null value removes the attribute (older clients). */
    if (!json_is_null (o) && !(value = json_string_value (o))) {
        errstr = "value must be a string";
        errno = EPROTO;
        goto error;
    }
    if (attr_change (attrs, name, value, force, &errstr) < 0)
        goto error;
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to attr.set");
    return;
error:
    if (flux_respond_error (h, msg, errno, errstr) < 0)
        flux_log_error (h, "error responding to attr.set");
}

static void rm_cb (flux_t *h,
                   flux_msg_handler_t *mh,
                   const flux_msg_t *msg,
                   void *arg)
{
    struct attrs *attrs = arg;
    const char *name;
    const char *errstr = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s}", "name", &name) < 0)
        goto error;
    if (attr_change (attrs, name, NULL, false, &errstr) < 0)
        goto error;
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to attr.rm");
    return;
error:
    if (flux_respond_error (h, msg, errno, errstr) < 0)
        flux_log_error (h, "error responding to attr.rm");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "attr.get", get_cb, FLUX_ROLE_ALL },
    { FLUX_MSGTYPE_REQUEST, "attr.list", list_cb, FLUX_ROLE_ALL },
    { FLUX_MSGTYPE_REQUEST, "attr.set", set_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "attr.rm", rm_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

int attrs_register_handlers (struct attrs *attrs, flux_t *h)
{
    return flux_msg_handler_addvec (h, htab, attrs, &attrs->handlers);
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
