/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Broker attributes, with a per-handle cache.
 *
 * Immutable attributes (flags & FLUX_ATTRFLAG_IMMUTABLE in the attr.get
 * response, or anything stored with flux_attr_set_cacheonly, as a
 * module's welcome does) are answered from the cache with no RPC.
 * Others are fetched every time.
 *
 * flux_attr_get promises that the string it returns lives as long as the
 * handle.  So a value, once handed out, is never freed before the handle:
 * when a name gets a different value, the old string moves to a
 * 'retired' list.  A value that did not change keeps its string, so a
 * caller polling a mutable attribute does not grow memory.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "flux/attr.h"
#include "flux/future.h"
#include "flux/handle.h"
#include "flux/message.h"
#include "flux/rpc.h"

#define ATTR_AUX "flux::attr_cache"

struct attr_cache {
    json_t *immutable;  /* name -> string, answered without an RPC */
    json_t *current;    /* name -> string, last value fetched */
    json_t *retired;    /* strings handed out, then replaced */
    json_t *names;      /* flux_attr_cache_first's snapshot of names */
    size_t next;        /* index in names of flux_attr_cache_next */
};

static void attr_cache_destroy (void *arg)
{
    struct attr_cache *cache = arg;

    if (cache) {
        int saved_errno = errno;
        json_decref (cache->immutable);
        json_decref (cache->current);
        json_decref (cache->retired);
        json_decref (cache->names);
        free (cache);
        errno = saved_errno;
    }
}

static struct attr_cache *attr_cache_get (flux_t *h)
{
    struct attr_cache *cache;

    if ((cache = flux_aux_get (h, ATTR_AUX)))
        return cache;
    if (!(cache = calloc (1, sizeof (*cache))))
        return NULL;
    if (!(cache->immutable = json_object ())
        || !(cache->current = json_object ())
        || !(cache->retired = json_array ()))
        goto nomem;
    if (flux_aux_set (h, ATTR_AUX, cache, attr_cache_destroy) < 0)
        goto error;
    return cache;
nomem:
    errno = ENOMEM;
error:
    attr_cache_destroy (cache);
    return NULL;
}

/* Store 'value' under 'name' in 'dict', keeping any string handed out
 * before alive.  Returns the stored string (owned by the cache).
 */
static const char *store (struct attr_cache *cache, json_t *dict,
                          const char *name, const char *value)
{
    json_t *old = json_object_get (dict, name);
    json_t *o;

    if (old && !strcmp (json_string_value (old), value))
        return json_string_value (old);
    if (!(o = json_string (value)))
        goto nomem;
    if (old && json_array_append (cache->retired, old) < 0) {
        json_decref (o);
        goto nomem;
    }
    if (json_object_set_new (dict, name, o) < 0)
        goto nomem;
    return json_string_value (o);
nomem:
    errno = ENOMEM;
    return NULL;
}

/* Forget 'name' in 'dict' (the string stays alive until the handle goes). */
static int forget (struct attr_cache *cache, json_t *dict, const char *name)
{
    json_t *old = json_object_get (dict, name);

    if (old) {
        if (json_array_append (cache->retired, old) < 0) {
            errno = ENOMEM;
            return -1;
        }
        (void)json_object_del (dict, name);
    }
    return 0;
}

const char *flux_attr_get (flux_t *h, const char *name)
{
    struct attr_cache *cache;
    flux_future_t *f;
    const char *value;
    const char *result;
    int flags;
    json_t *o;

    if (!h || !name) {
        errno = EINVAL;
        return NULL;
    }
    if (!(cache = attr_cache_get (h)))
        return NULL;
    if ((o = json_object_get (cache->immutable, name)))
        return json_string_value (o);
    if (!(f = flux_rpc_pack (h, "attr.get", FLUX_NODEID_ANY, 0,
                             "{s:s}", "name", name))
        || flux_rpc_get_unpack (f, "{s:s s:i}",
                                "value", &value,
                                "flags", &flags) < 0)
        goto error;
    if ((flags & FLUX_ATTRFLAG_IMMUTABLE)) {
        if (!(result = store (cache, cache->immutable, name, value))
            || forget (cache, cache->current, name) < 0)
            goto error;
    }
    else if (!(result = store (cache, cache->current, name, value)))
        goto error;
    flux_future_destroy (f);
    return result;
error:
    flux_future_destroy (f); /* preserves errno */
    return NULL;
}

int flux_attr_set_ex (flux_t *h,
                      const char *name,
                      const char *value,
                      bool force,
                      flux_error_t *error)
{
    flux_future_t *f = NULL;

    if (!h || !name || !value) {
        errno = EINVAL;
        goto error;
    }
    if (force)
        f = flux_rpc_pack (h, "attr.set", FLUX_NODEID_ANY, 0,
                           "{s:s s:s s:b}",
                           "name", name,
                           "value", value,
                           "force", 1);
    else
        f = flux_rpc_pack (h, "attr.set", FLUX_NODEID_ANY, 0,
                           "{s:s s:s}", "name", name, "value", value);
    if (!f || flux_future_get (f, NULL) < 0)
        goto error;
    flux_future_destroy (f);
    return 0;
error:
    if (error) {
        int saved_errno = errno;
        const char *s = f ? flux_future_error_string (f) : NULL;
        snprintf (error->text,
                  sizeof (error->text),
                  "%s",
                  s ? s : strerror (saved_errno));
        errno = saved_errno;
    }
    flux_future_destroy (f);
    return -1;
}

int flux_attr_set (flux_t *h, const char *name, const char *value)
{
    flux_future_t *f;

    if (!h || !name) {
        errno = EINVAL;
        return -1;
    }
    if (value)
        f = flux_rpc_pack (h, "attr.set", FLUX_NODEID_ANY, 0,
                           "{s:s s:s}", "name", name, "value", value);
    else
        f = flux_rpc_pack (h, "attr.rm", FLUX_NODEID_ANY, 0,
                           "{s:s}", "name", name);
    if (!f || flux_future_get (f, NULL) < 0) {
        flux_future_destroy (f);
        return -1;
    }
    flux_future_destroy (f);
    return 0;
}

int flux_attr_set_cacheonly (flux_t *h, const char *name, const char *value)
{
    struct attr_cache *cache;

    if (!h || !name) {
        errno = EINVAL;
        return -1;
    }
    if (!(cache = attr_cache_get (h)))
        return -1;
    if (!value)
        return forget (cache, cache->immutable, name);
    if (!store (cache, cache->immutable, name, value))
        return -1;
    return 0;
}

/* The names are copied into a snapshot, so that what they point to lives
 * until the next flux_attr_cache_first or the handle's close, whatever
 * the cache does meanwhile.
 */
const char *flux_attr_cache_first (flux_t *h)
{
    struct attr_cache *cache;
    const char *name;
    json_t *value;
    json_t *names;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    if (!(cache = attr_cache_get (h)))
        return NULL;
    if (!(names = json_array ()))
        goto nomem;
    json_object_foreach (cache->immutable, name, value) {
        if (json_array_append_new (names, json_string (name)) < 0) {
            json_decref (names);
            goto nomem;
        }
    }
    json_decref (cache->names);
    cache->names = names;
    cache->next = 0;
    return flux_attr_cache_next (h);
nomem:
    errno = ENOMEM;
    return NULL;
}

const char *flux_attr_cache_next (flux_t *h)
{
    struct attr_cache *cache;
    json_t *o;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    if (!(cache = flux_aux_get (h, ATTR_AUX))
        || !(o = json_array_get (cache->names, cache->next)))
        return NULL;
    cache->next++;
    return json_string_value (o);
}

int flux_get_size (flux_t *h, uint32_t *size)
{
    const char *value;
    char *end;
    unsigned long n;

    if (!h || !size) {
        errno = EINVAL;
        return -1;
    }
    if (!(value = flux_attr_get (h, "size")))
        return -1;
    errno = 0;
    n = strtoul (value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || n > UINT32_MAX) {
        errno = EPROTO;
        return -1;
    }
    *size = (uint32_t)n;
    return 0;
}

int flux_get_instance_starttime (flux_t *h, double *starttime)
{
    flux_future_t *f;
    const char *value;
    char *end;
    double t;

    if (!h) {
        errno = EINVAL;
        return -1;
    }
    /* N.B. asked of rank 0, the only broker that knows it for sure. */
    if (!(f = flux_rpc_pack (h, "attr.get", 0, 0,
                             "{s:s}", "name", "broker.starttime"))
        || flux_rpc_get_unpack (f, "{s:s}", "value", &value) < 0)
        goto error;
    errno = 0;
    t = strtod (value, &end);
    if (errno != 0 || end == value) {
        errno = EPROTO;
        goto error;
    }
    flux_future_destroy (f);
    if (starttime)
        *starttime = t;
    return 0;
error:
    flux_future_destroy (f);
    return -1;
}
