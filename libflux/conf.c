/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Config objects, and built-in paths.
 *
 * A flux_conf_t is a reference-counted JSON object.  The handle keeps one
 * in its aux under "flux::conf_object" (the same key flux-core uses).
 *
 * Built-in paths: each name has two values, one for the build tree and
 * one for the install prefix, both fixed at configure time; which one
 * applies is decided once per process from /proc/self/exe.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "config.h"
#include "flux/conf.h"
#include "flux/handle.h"
#include "handle_private.h"

#define AUX_CONF "flux::conf_object"

struct flux_conf {
    json_t *obj;
    int refcount;
};


/* Takes the reference on obj, which must be an object. */
static flux_conf_t *conf_wrap (json_t *obj)
{
    flux_conf_t *conf;

    if (!(conf = calloc (1, sizeof (*conf)))) {
        json_decref (obj);
        return NULL;
    }
    conf->obj = obj;
    conf->refcount = 1;
    return conf;
}

flux_conf_t *flux_conf_create (void)
{
    json_t *obj;

    if (!(obj = json_object ())) {
        errno = ENOMEM;
        return NULL;
    }
    return conf_wrap (obj);
}

flux_conf_t *flux_conf_copy (const flux_conf_t *conf)
{
    json_t *obj;

    if (!conf) {
        errno = EINVAL;
        return NULL;
    }
    if (!(obj = json_deep_copy (conf->obj))) {
        errno = ENOMEM;
        return NULL;
    }
    return conf_wrap (obj);
}

/* N.B. the const in these two follows flux-core: a reader holding a
 * const pointer (from flux_get_conf) may keep it alive.
 */
const flux_conf_t *flux_conf_incref (const flux_conf_t *conf)
{
    if (conf)
        ((flux_conf_t *)conf)->refcount++;
    return conf;
}

void flux_conf_decref (const flux_conf_t *const_conf)
{
    flux_conf_t *conf = (flux_conf_t *)const_conf;

    if (conf && --conf->refcount == 0) {
        int saved_errno = errno;
        json_decref (conf->obj);
        free (conf);
        errno = saved_errno;
    }
}

int flux_conf_vunpack (const flux_conf_t *conf,
                       flux_error_t *error,
                       const char *fmt,
                       va_list ap)
{
    json_error_t jerror;

    if (!conf || !fmt || *fmt == '\0') {
        errno = EINVAL;
        handle_errprintf (error, "%s", strerror (EINVAL));
        return -1;
    }
    if (json_vunpack_ex (conf->obj, &jerror, 0, fmt, ap) < 0) {
        errno = EINVAL;
        handle_errprintf (error, "%s", jerror.text);
        return -1;
    }
    return 0;
}

int flux_conf_unpack (const flux_conf_t *conf,
                      flux_error_t *error,
                      const char *fmt,
                      ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_conf_vunpack (conf, error, fmt, ap);
    va_end (ap);
    return rc;
}

flux_conf_t *flux_conf_vpack (const char *fmt, va_list ap)
{
    json_t *obj;

    if (!fmt) {
        errno = EINVAL;
        return NULL;
    }
    if (!(obj = json_vpack_ex (NULL, 0, fmt, ap))) {
        errno = EINVAL;
        return NULL;
    }
    if (!json_is_object (obj)) {
        json_decref (obj);
        errno = EINVAL;
        return NULL;
    }
    return conf_wrap (obj);
}

flux_conf_t *flux_conf_pack (const char *fmt, ...)
{
    va_list ap;
    flux_conf_t *conf;

    if (!fmt) {
        errno = EINVAL;
        return NULL;
    }
    va_start (ap, fmt);
    conf = flux_conf_vpack (fmt, ap);
    va_end (ap);
    return conf;
}

const flux_conf_t *flux_get_conf (flux_t *h)
{
    flux_conf_t *conf;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    if ((conf = flux_aux_get (h, AUX_CONF)))
        return conf;
    if (!(conf = flux_conf_create ()))
        return NULL;
    if (flux_aux_set (h, AUX_CONF, conf, (flux_free_f)flux_conf_decref) < 0) {
        flux_conf_decref (conf);
        return NULL;
    }
    return conf;
}

int flux_set_conf_new (flux_t *h, const flux_conf_t *conf)
{
    if (!h) {
        errno = EINVAL;
        return -1;
    }
    return flux_aux_set (h,
                         AUX_CONF,
                         (flux_conf_t *)conf,
                         conf ? (flux_free_f)flux_conf_decref : NULL);
}

struct builtin {
    const char *name;
    const char *intree;
    const char *installed;
};

static const struct builtin builtins[] = {
    { "broker_path", FLUX_BUILDDIR "/broker/flux-broker",
                     FLUX_INSTALL_LIBEXECDIR "/flux-broker" },
    { "cmd_path", FLUX_BUILDDIR "/cmd", FLUX_INSTALL_BINDIR },
    { "module_path", FLUX_BUILDDIR "/modules", FLUX_INSTALL_MODULEDIR },
    { "loader_path", FLUX_BUILDDIR "/modules/pyloader",
                     FLUX_INSTALL_LOADERDIR },
    { "python_path", FLUX_SRCDIR "/python:" FLUX_BUILDDIR "/python",
                     FLUX_INSTALL_PYTHONDIR },
    { "rc1_path", FLUX_SRCDIR "/etc/rc1", FLUX_INSTALL_CONFDIR "/rc1" },
    { "rc3_path", FLUX_SRCDIR "/etc/rc3", FLUX_INSTALL_CONFDIR "/rc3" },
    { "python", FLUX_PYTHON, FLUX_PYTHON },
    { "version", PACKAGE_VERSION, PACKAGE_VERSION },
};

static pthread_once_t intree_once = PTHREAD_ONCE_INIT;
static bool intree;

static void intree_init (void)
{
    char exe[PATH_MAX + 1];
    ssize_t n;
    size_t len = strlen (FLUX_BUILDDIR);

    if ((n = readlink ("/proc/self/exe", exe, sizeof (exe) - 1)) < 0)
        return;
    exe[n] = '\0';
    intree = strncmp (exe, FLUX_BUILDDIR, len) == 0 && exe[len] == '/';
}

bool flux_conf_intree (void)
{
    pthread_once (&intree_once, intree_init);
    return intree;
}

const char *flux_conf_builtin_get (const char *name,
                                   enum flux_conf_flags flags)
{
    bool use_intree;

    if (!name) {
        errno = EINVAL;
        return NULL;
    }
    if (flags == FLUX_CONF_AUTO)
        use_intree = flux_conf_intree ();
    else
        use_intree = (flags == FLUX_CONF_INTREE);
    for (size_t i = 0; i < sizeof (builtins) / sizeof (builtins[0]); i++) {
        if (!strcmp (builtins[i].name, name))
            return use_intree ? builtins[i].intree : builtins[i].installed;
    }
    errno = EINVAL;
    return NULL;
}
