/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* RFC 11 tree objects (see kvs_treeobj.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "kvs_treeobj.h"

static json_t *create (const char *type, json_t *data)
{
    json_t *obj;

    if (!data) {
        errno = ENOMEM;
        return NULL;
    }
    if (!(obj = json_pack ("{s:i s:s s:o}", "ver", 1, "type", type,
                           "data", data))) {
        errno = ENOMEM;
        return NULL;
    }
    return obj;
}

json_t *treeobj_create_val (const void *data, size_t len)
{
    char *s;
    json_t *obj;

    if (!data && len > 0) {
        errno = EINVAL;
        return NULL;
    }
    if (!(s = base64_encode (data ? data : "", len)))
        return NULL;
    obj = create ("val", json_string (s));
    free (s);
    return obj;
}

json_t *treeobj_create_dir (void)
{
    return create ("dir", json_object ());
}

json_t *treeobj_create_dirref (const char *blobref)
{
    if (!blobref || !*blobref) {
        errno = EINVAL;
        return NULL;
    }
    return create ("dirref", json_pack ("[s]", blobref));
}

json_t *treeobj_create_symlink (const char *ns, const char *target)
{
    json_t *data;

    if (!target || !*target) {
        errno = EINVAL;
        return NULL;
    }
    if (ns)
        data = json_pack ("{s:s s:s}", "namespace", ns, "target", target);
    else
        data = json_pack ("{s:s}", "target", target);
    return create ("symlink", data);
}

static int invalid (void)
{
    errno = EINVAL;
    return -1;
}

static int validate_blobrefs (const json_t *data, bool just_one)
{
    size_t i;
    json_t *ref;

    if (!json_is_array (data) || json_array_size (data) == 0
        || (just_one && json_array_size (data) != 1))
        return invalid ();
    json_array_foreach (data, i, ref) {
        const char *s = json_string_value (ref);
        const char *dash;
        if (!s || !(dash = strchr (s, '-')) || dash == s || !dash[1])
            return invalid ();
    }
    return 0;
}

static int validate (const json_t *obj, int depth)
{
    const char *type;
    json_t *data;

    if (depth > 256 || !(type = treeobj_type (obj)))
        return invalid ();
    data = json_object_get (obj, "data");
    if (!strcmp (type, "val")) {
        if (!json_is_string (data))
            return invalid ();
    }
    else if (!strcmp (type, "valref"))
        return validate_blobrefs (data, false);
    else if (!strcmp (type, "dirref"))
        return validate_blobrefs (data, true);
    else if (!strcmp (type, "dir")) {
        const char *name;
        json_t *entry;

        if (!json_is_object (data))
            return invalid ();
        json_object_foreach (data, name, entry) {
            if (validate (entry, depth + 1) < 0)
                return -1;
        }
    }
    else { /* symlink */
        json_t *target = json_object_get (data, "target");
        json_t *ns = json_object_get (data, "namespace");
        if (!json_is_object (data) || !json_is_string (target)
            || (ns && !json_is_string (ns)))
            return invalid ();
    }
    return 0;
}

int treeobj_validate (const json_t *obj)
{
    return validate (obj, 0);
}

const char *treeobj_type (const json_t *obj)
{
    static const char *types[] = {
        "val", "valref", "dir", "dirref", "symlink",
    };
    const char *type;
    json_int_t ver;

    if (!json_is_object (obj)
        || !json_is_integer (json_object_get (obj, "ver"))
        || !json_object_get (obj, "data"))
        goto error;
    ver = json_integer_value (json_object_get (obj, "ver"));
    if (ver != 1
        || !(type = json_string_value (json_object_get (obj, "type"))))
        goto error;
    for (size_t i = 0; i < sizeof (types) / sizeof (types[0]); i++) {
        if (!strcmp (type, types[i]))
            return types[i];
    }
error:
    errno = EINVAL;
    return NULL;
}

bool treeobj_is (const json_t *obj, const char *type)
{
    const char *t = treeobj_type (obj);
    return t && !strcmp (t, type);
}

json_t *treeobj_data (const json_t *obj)
{
    json_t *data;

    if (!json_is_object (obj) || !(data = json_object_get (obj, "data"))) {
        errno = EINVAL;
        return NULL;
    }
    return data;
}

int treeobj_decode_val (const json_t *obj, void **data, size_t *len)
{
    const char *s;
    void *buf;
    size_t n;

    if (!treeobj_is (obj, "val")
        || !(s = json_string_value (json_object_get (obj, "data")))) {
        errno = EINVAL;
        return -1;
    }
    if (!(buf = base64_decode (s, &n)))
        return -1;
    if (n == 0) {
        free (buf);
        buf = NULL;
    }
    if (data)
        *data = buf;
    else
        free (buf);
    if (len)
        *len = n;
    return 0;
}

int treeobj_get_symlink (const json_t *obj, const char **ns,
                         const char **target)
{
    json_t *data;
    const char *t;

    if (!treeobj_is (obj, "symlink")
        || !(data = json_object_get (obj, "data"))
        || !(t = json_string_value (json_object_get (data, "target")))) {
        errno = EINVAL;
        return -1;
    }
    if (ns)
        *ns = json_string_value (json_object_get (data, "namespace"));
    if (target)
        *target = t;
    return 0;
}

int treeobj_count (const json_t *obj)
{
    const char *type;
    json_t *data;

    if (treeobj_validate (obj) < 0)
        return -1;
    type = treeobj_type (obj);
    data = json_object_get (obj, "data");
    if (!strcmp (type, "dir"))
        return (int)json_object_size (data);
    if (!strcmp (type, "valref") || !strcmp (type, "dirref"))
        return (int)json_array_size (data);
    return 1;
}

char *treeobj_encode (const json_t *obj)
{
    char *s;

    if (!(s = json_dumps (obj, JSON_COMPACT | JSON_SORT_KEYS))) {
        errno = ENOMEM;
        return NULL;
    }
    return s;
}

json_t *treeobj_decode (const char *s)
{
    json_t *obj;

    if (!s || !(obj = json_loads (s, 0, NULL))) {
        errno = EINVAL;
        return NULL;
    }
    if (treeobj_validate (obj) < 0) {
        json_decref (obj);
        errno = EINVAL;
        return NULL;
    }
    return obj;
}
