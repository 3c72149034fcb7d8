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
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "jpath.h"
#include "toml_plugin.h"

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

/* Merge TOML or JSON text (already parsed into 'obj', one reference
 * taken) into conf.
 */
static int conf_merge (flux_conf_t *conf, json_t *obj, flux_error_t *error,
                       const char *what)
{
    int rc = jpath_merge (conf->obj, obj);
    if (rc < 0) {
        int saved_errno = errno;
        handle_errprintf (error, "%s: %s", what, strerror (errno));
        errno = saved_errno;
    }
    json_decref (obj);
    return rc;
}

/* flux-core's error form: FILE:LINE: reason, or FILE: reason when the
 * error has no line.
 */
static void toml_errprintf (flux_error_t *error,
                            const struct tomljson_error *terr)
{
    if (terr->line > 0)
        handle_errprintf (error, "%s:%d: %s", terr->filename, terr->line,
                          terr->text);
    else
        handle_errprintf (error, "%s: %s", terr->filename, terr->text);
}

static int conf_update_toml_file (flux_conf_t *conf, const char *path,
                                  flux_error_t *error)
{
    struct tomljson_error terr;
    json_t *obj;

    if (!(obj = toml_plugin_parse_file (path, &terr))) {
        toml_errprintf (error, &terr);
        return -1;
    }
    return conf_merge (conf, obj, error, path);
}

static int conf_update_json_file (flux_conf_t *conf, const char *path,
                                  flux_error_t *error)
{
    json_error_t jerr;
    json_t *obj;

    if (!(obj = json_load_file (path, 0, &jerr))) {
        handle_errprintf (error, "%s:%d: %s", path, jerr.line, jerr.text);
        errno = EINVAL;
        return -1;
    }
    if (!json_is_object (obj)) {
        json_decref (obj);
        handle_errprintf (error, "%s: JSON must be an object", path);
        errno = EINVAL;
        return -1;
    }
    return conf_merge (conf, obj, error, path);
}

static bool has_suffix (const char *s, const char *suffix)
{
    size_t len = strlen (s);
    size_t n = strlen (suffix);
    return len >= n && !strcmp (s + len - n, suffix);
}

static int conf_update_file (flux_conf_t *conf, const char *path,
                             flux_error_t *error)
{
    if (has_suffix (path, ".json"))
        return conf_update_json_file (conf, path, error);
    return conf_update_toml_file (conf, path, error);
}

/* Every *.toml in 'dir', in glob's (alphabetical) order, merged: a key
 * set in two files has the value of the later one.
 */
static int conf_update_dir (flux_conf_t *conf, const char *dir,
                            flux_error_t *error)
{
    char *pattern;
    glob_t gl;
    int rc;

    if (access (dir, R_OK | X_OK) < 0) {
        int saved_errno = errno;
        handle_errprintf (error, "%s: %s", dir, strerror (errno));
        errno = saved_errno;
        return -1;
    }
    if (asprintf (&pattern, "%s/*.toml", dir) < 0) {
        errno = ENOMEM;
        handle_errprintf (error, "%s: %s", dir, strerror (errno));
        return -1;
    }
    rc = glob (pattern, GLOB_ERR, NULL, &gl);
    if (rc == GLOB_NOMATCH) {
        free (pattern);
        return 0;
    }
    if (rc != 0) {
        handle_errprintf (error, "%s: %s", pattern,
                          rc == GLOB_NOSPACE ? "Out of memory"
                                             : "Read error");
        free (pattern);
        errno = rc == GLOB_NOSPACE ? ENOMEM : EINVAL;
        return -1;
    }
    free (pattern);
    for (size_t i = 0; i < gl.gl_pathc; i++) {
        if (conf_update_toml_file (conf, gl.gl_pathv[i], error) < 0) {
            int saved_errno = errno;
            globfree (&gl);
            errno = saved_errno;
            return -1;
        }
    }
    globfree (&gl);
    return 0;
}

flux_conf_t *flux_conf_parse (const char *path, flux_error_t *error)
{
    flux_conf_t *conf;
    struct stat sb;
    int rc;

    if (!path) {
        errno = EINVAL;
        handle_errprintf (error, "%s", strerror (EINVAL));
        return NULL;
    }
    if (stat (path, &sb) < 0) {
        int saved_errno = errno;
        handle_errprintf (error, "stat: %s: %s", path, strerror (errno));
        errno = saved_errno;
        return NULL;
    }
    if (!(conf = flux_conf_create ())) {
        handle_errprintf (error, "%s: %s", path, strerror (errno));
        return NULL;
    }
    if (S_ISDIR (sb.st_mode))
        rc = conf_update_dir (conf, path, error);
    else
        rc = conf_update_file (conf, path, error);
    if (rc < 0) {
        flux_conf_decref (conf);
        return NULL;
    }
    return conf;
}

/* KEY=VAL: VAL as JSON if it parses (numbers, true, "quoted"), else as
 * a string.
 */
static int conf_update_keyval (flux_conf_t *conf, const char *s,
                               flux_error_t *error)
{
    const char *eq = strchr (s, '=');
    char *key;
    json_t *val;
    int rc;

    if (!eq || eq == s) {
        errno = EINVAL;
        handle_errprintf (error, "value must have a key in KEY=VAL");
        return -1;
    }
    if (!(key = strndup (s, eq - s))
        || (!(val = json_loads (eq + 1, JSON_DECODE_ANY, NULL))
            && !(val = json_string (eq + 1)))) {
        free (key);
        errno = ENOMEM;
        handle_errprintf (error, "%s", strerror (ENOMEM));
        return -1;
    }
    if ((rc = jpath_set_new (conf->obj, key, val)) < 0) {
        int saved_errno = errno;
        handle_errprintf (error, "setting %s: %s", key, strerror (errno));
        errno = saved_errno;
    }
    free (key);
    return rc;
}

/* Inline text: a JSON object if it starts with '{' (after white
 * space), else TOML.
 */
static int conf_update_inline (flux_conf_t *conf, const char *s,
                               flux_error_t *error)
{
    json_t *obj;

    if (s[strspn (s, " \t\r\n")] == '{') {
        json_error_t jerr;
        if (!(obj = json_loads (s, 0, &jerr)) || !json_is_object (obj)) {
            json_decref (obj);
            handle_errprintf (error, "inline JSON: %s",
                              obj ? "JSON must be an object" : jerr.text);
            errno = EINVAL;
            return -1;
        }
    }
    else {
        struct tomljson_error terr;
        if (!(obj = toml_plugin_parse_string (s, strlen (s), &terr))) {
            if (terr.line > 0)
                handle_errprintf (error, "line %d: %s", terr.line, terr.text);
            else
                handle_errprintf (error, "%s", terr.text);
            return -1;
        }
    }
    return conf_merge (conf, obj, error, "inline config");
}

int flux_conf_update (flux_conf_t *conf, const char *value,
                      flux_error_t *error)
{
    if (!conf || !value) {
        errno = EINVAL;
        handle_errprintf (error, "%s", strerror (EINVAL));
        return -1;
    }
    if (strchr (value, '\n') || value[strspn (value, " \t\r")] == '{')
        return conf_update_inline (conf, value, error);
    if (strchr (value, '='))
        return conf_update_keyval (conf, value, error);
    return conf_update_file (conf, value, error);
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
