/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The loader table: which code runs a module file, chosen by suffix.
 * This file is the only code that knows which kinds of module exist;
 * the module search and the error that lists the supported suffixes
 * are built from the table.
 *
 *   suffix   runs as
 *   .so      a C module: the file itself is dlopen'd (RTLD_NOW|RTLD_LOCAL)
 *            and its mod_main() is called on the module thread
 *   .so.N    the same (a versioned shared object)
 *   .py      a Python module: pyloader.so, found in the loader path, is
 *            dlopen'd once and its flux_module_loader_main() is called
 *            with the file's path
 *   .X       any other suffix: XLOADER.so found in the loader path, as
 *            pyloader.so serves .py (a row added at run time, below)
 *
 * Adding a language is adding a row: a loader shipped with the broker
 * gets one in the table, so that its suffix is known without looking at
 * the disk.  Without editing the table, a loader file named
 * <x>loader.so in a directory of the loader path serves suffix .<x>:
 * the name alone says what a loader serves, so nothing is dlopen'd to
 * learn it (pyloader.so links libpython, which costs milliseconds to map
 * and relocate, and most brokers never load a Python module).
 *
 * The loader path is $FLUX_MODULE_LOADER_PATH (colon-separated, may be
 * unset) followed by the built-in loader_path (libflux/conf.c: the
 * loader directories of the build tree, or the installed one), so a
 * user's loaders are found first and the shipped ones always.
 *
 * A loader is opened on first use and never closed: a loader may embed
 * an interpreter (libpython) that cannot be unloaded.  Its optional
 * interrupt symbol is how the broker asks it to stop a module that
 * ignores shutdown, and its optional fini symbol runs once at broker
 * exit, after every module thread is joined.  Its optional prepare
 * symbol starts, before the first load, what that load would wait for
 * (module_loader_prepare(): the broker asks pyloader.so to start Python
 * while it sets itself up and its standard rc1 starts), on a thread of
 * its own, since opening the loader (relocating libpython) alone takes
 * milliseconds.  A C module, in contrast, is dlclose'd
 * once its thread is joined.
 *
 * Only the broker's main thread uses the table (module threads get a
 * copy of their entry), so it needs no lock.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "module_loader.h"
#include "argsplit.h"
#include "errprintf.h"

/* The longest X of a .X suffix a loader found by name may serve. */
#define SUFFIX_MAX 32
#define LOADER_TAIL "loader.so"

struct module_loader {
    char suffix[SUFFIX_MAX + 2];    /* with its '.' */
    char filename[SUFFIX_MAX + sizeof (LOADER_TAIL)]; /* "": a C module */
    /* state, once opened */
    void *dso;
    flux_module_loader_f *main;
    flux_module_loader_interrupt_f *interrupt;
    flux_module_loader_fini_f *fini;
    flux_module_loader_prepare_f *prepare;
    flux_module_loader_stack_f *stack;
    struct module_loader *next;     /* rows added at run time */
};

static struct module_loader table[] = {
    { .suffix = ".so", .filename = "" },
    { .suffix = ".py", .filename = "pyloader.so" },
};
#define TABLE_SIZE (sizeof (table) / sizeof (table[0]))

/* Rows for loaders found by name, in the order they were first used.
 * Freed by module_loader_fini_all() (their dso stays open).
 */
static struct module_loader *found;

/* The loader path, to free: $FLUX_MODULE_LOADER_PATH, then the built-in
 * loader_path.  NULL only if out of memory.
 */
static char *loader_path (void)
{
    const char *env = getenv ("FLUX_MODULE_LOADER_PATH");
    const char *builtin = flux_conf_builtin_get ("loader_path",
                                                 FLUX_CONF_AUTO);
    char *s;

    if (!builtin)
        builtin = "";
    if (!env || !*env)
        return strdup (builtin);
    if (asprintf (&s, "%s:%s", env, builtin) < 0)
        return NULL;
    return s;
}

/* The X of a name "Xloader.so", if X is a word of at most SUFFIX_MAX
 * characters, copied to x[SUFFIX_MAX + 1]; else false.
 */
static bool loader_name_suffix (const char *name, char *x)
{
    size_t n = strlen (name);
    size_t t = strlen (LOADER_TAIL);

    if (n <= t || n - t > SUFFIX_MAX || strcmp (name + n - t, LOADER_TAIL))
        return false;
    for (size_t i = 0; i < n - t; i++) {
        char c = name[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')))
            return false;
    }
    memcpy (x, name, n - t);
    x[n - t] = '\0';
    return true;
}

static bool suffix_match (const char *path, const char *suffix)
{
    const char *base = strrchr (path, '/');
    size_t len = strlen (suffix);
    const char *p;

    base = base ? base + 1 : path;
    /* ".so" also matches ".so.N..." */
    if (!strcmp (suffix, ".so") && (p = strstr (base, ".so."))
        && p != base)
        return true;
    return strlen (base) > len && !strcmp (base + strlen (base) - len, suffix);
}

/* Find 'filename' in the loader path: its path in buf, or false. */
static bool loader_find (const char *filename, char *buf, size_t size)
{
    char *dirs = loader_path ();
    char *dir, *saveptr = NULL;
    bool ok = false;

    for (dir = dirs ? strtok_r (dirs, ":", &saveptr) : NULL; dir && !ok;
         dir = strtok_r (NULL, ":", &saveptr)) {
        if ((size_t)snprintf (buf, size, "%s/%s", dir, filename) < size
            && access (buf, F_OK) == 0)
            ok = true;
    }
    free (dirs);
    return ok;
}

/* The row for suffix '.x' served by a loader found by name, added to
 * 'found' on first use; NULL if there is no xloader.so.
 */
static struct module_loader *loader_by_name (const char *x)
{
    struct module_loader *ld;
    char name[SUFFIX_MAX + sizeof (LOADER_TAIL)];
    char path[PATH_MAX];

    for (ld = found; ld; ld = ld->next) {
        if (!strcmp (ld->suffix + 1, x))
            return ld;
    }
    (void)snprintf (name, sizeof (name), "%s%s", x, LOADER_TAIL);
    if (!loader_find (name, path, sizeof (path))
        || !(ld = calloc (1, sizeof (*ld))))
        return NULL;
    (void)snprintf (ld->suffix, sizeof (ld->suffix), ".%s", x);
    (void)snprintf (ld->filename, sizeof (ld->filename), "%s", name);
    ld->next = found;
    found = ld;
    return ld;
}

static struct module_loader *loader_lookup (const char *path)
{
    const char *base = strrchr (path, '/');
    const char *dot;
    char x[SUFFIX_MAX + 1];
    char name[SUFFIX_MAX + 1 + sizeof (LOADER_TAIL)]; /* one too long */

    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (suffix_match (path, table[i].suffix))
            return &table[i];
    }
    base = base ? base + 1 : path;
    if (!(dot = strrchr (base, '.')) || dot == base)
        return NULL;
    (void)snprintf (name, sizeof (name), "%.*s%s",
                    SUFFIX_MAX + 1, dot + 1, LOADER_TAIL);
    if (!loader_name_suffix (name, x))
        return NULL;
    return loader_by_name (x);
}

static void suffixes_free (char **v)
{
    if (v) {
        for (char **p = v; *p; p++)
            free (*p);
        free (v);
    }
}

/* Append a copy of 's' to the NULL-terminated vector *v of *n, unless it
 * is there already.  Returns 0, or -1 if out of memory.
 */
static int suffixes_add (char ***v, size_t *n, const char *s)
{
    char **nv;

    for (size_t i = 0; i < *n; i++) {
        if (!strcmp ((*v)[i], s))
            return 0;
    }
    if (!(nv = realloc (*v, (*n + 2) * sizeof (*nv))))
        return -1;
    *v = nv;
    if (!(nv[*n] = strdup (s)))
        return -1;
    nv[++*n] = NULL;
    return 0;
}

static int name_cmp (const struct dirent **a, const struct dirent **b)
{
    return strcmp ((*a)->d_name, (*b)->d_name);
}

/* Every suffix a loader serves: the table's, in its order, then one for
 * each Xloader.so of the loader path, directory by directory, by name.
 * NULL-terminated, to free with suffixes_free(); NULL if out of memory.
 */
static char **suffixes_get (void)
{
    char **v = NULL;
    size_t n = 0;
    char *dirs;
    char *dir, *saveptr = NULL;

    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (suffixes_add (&v, &n, table[i].suffix) < 0)
            goto nomem;
    }
    if (!(dirs = loader_path ()))
        goto nomem;
    for (dir = strtok_r (dirs, ":", &saveptr); dir;
         dir = strtok_r (NULL, ":", &saveptr)) {
        struct dirent **ents;
        int count = scandir (dir, &ents, NULL, name_cmp);
        char x[SUFFIX_MAX + 2];
        int rc = 0;

        for (int i = 0; i < count; i++) {
            x[0] = '.';
            if (rc == 0 && loader_name_suffix (ents[i]->d_name, x + 1))
                rc = suffixes_add (&v, &n, x);
            free (ents[i]);
        }
        if (count >= 0)
            free (ents);
        if (rc < 0) {
            free (dirs);
            goto nomem;
        }
    }
    free (dirs);
    return v;
nomem:
    suffixes_free (v);
    return NULL;
}

char *module_loader_search (const char *name, const char *searchpath,
                            flux_error_t *error)
{
    char **suffixes = NULL;
    char *cpy = NULL;
    char *result = NULL;
    char path[PATH_MAX];

    if (!name || !*name || strchr (name, '/')) {
        errno = EINVAL;
        return NULL;
    }
    if (!searchpath || !*searchpath)
        searchpath = getenv ("FLUX_MODULE_PATH");
    if (!searchpath || !*searchpath)
        searchpath = flux_conf_builtin_get ("module_path", FLUX_CONF_AUTO);
    if (!searchpath || !(suffixes = suffixes_get ())
        || !(cpy = strdup (searchpath)))
        goto done;
    for (char **sfx = suffixes; *sfx && !result; sfx++) {
        char *dir, *saveptr = NULL;
        strcpy (cpy, searchpath);
        for (dir = strtok_r (cpy, ":", &saveptr); dir && !result;
             dir = strtok_r (NULL, ":", &saveptr)) {
            if ((size_t)snprintf (path, sizeof (path), "%s/%s%s",
                                  dir, name, *sfx) < sizeof (path)
                && access (path, F_OK) == 0)
                result = realpath (path, NULL);
        }
    }
done:
    if (!result) {
        errprintf (error, "module not found in module path %s",
                   searchpath ? searchpath : "(none)");
        errno = ENOENT;
    }
    free (cpy);
    suffixes_free (suffixes);
    return result;
}

/* The path of the loader's file in the loader path, in buf.  Returns 0,
 * or -1 with errno ENOENT and why in 'error'.
 */
static int loader_locate (struct module_loader *loader, char *buf,
                          size_t size, flux_error_t *error)
{
    if (!loader_find (loader->filename, buf, size)) {
        char *dirs = loader_path ();
        errprintf (error, "cannot find %s in the module loader path %s",
                   loader->filename, dirs ? dirs : "");
        free (dirs);
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/* Record an opened loader's symbols in its row. */
static void loader_adopt (struct module_loader *loader, void *dso,
                          flux_module_loader_f *main)
{
    loader->dso = dso;
    loader->main = main;
    loader->interrupt = (flux_module_loader_interrupt_f *)
        dlsym (dso, FLUX_MODULE_LOADER_INTERRUPT_SYMBOL);
    loader->fini = (flux_module_loader_fini_f *)
        dlsym (dso, FLUX_MODULE_LOADER_FINI_SYMBOL);
    loader->prepare = (flux_module_loader_prepare_f *)
        dlsym (dso, FLUX_MODULE_LOADER_PREPARE_SYMBOL);
    loader->stack = (flux_module_loader_stack_f *)
        dlsym (dso, FLUX_MODULE_LOADER_STACK_SYMBOL);
}

static int loader_load (struct module_loader *loader, flux_error_t *error)
{
    char path[PATH_MAX];
    void *dso;
    flux_module_loader_f *main;

    if (loader->dso)
        return 0;
    if (loader_locate (loader, path, sizeof (path), error) < 0)
        return -1;
    dlerror ();
    if (!(dso = dlopen (path, RTLD_NOW | RTLD_LOCAL))) {
        const char *s = dlerror ();
        errprintf (error, "%s", s ? s : "dlopen failed");
        errno = ENOENT;
        return -1;
    }
    if (!(main = (flux_module_loader_f *)dlsym (dso,
                                            FLUX_MODULE_LOADER_SYMBOL))) {
        errprintf (error, "%s does not define %s()",
                   loader->filename, FLUX_MODULE_LOADER_SYMBOL);
        (void)dlclose (dso);
        errno = EINVAL;
        return -1;
    }
    loader_adopt (loader, dso, main);
    return 0;
}

/* "no module loader for this file type (supported: .so, .py, ...)" */
static void unsupported (flux_error_t *error)
{
    char **suffixes = suffixes_get ();
    char list[512] = "";
    size_t len = 0;

    for (char **s = suffixes; s && *s && len < sizeof (list); s++)
        len += snprintf (list + len, sizeof (list) - len, "%s%s",
                         s == suffixes ? "" : ", ", *s);
    errprintf (error, "no module loader for this file type (supported: %s)",
               list);
    suffixes_free (suffixes);
}

int module_loader_open (const char *path, struct module_entry *entry,
                        flux_error_t *error)
{
    struct module_loader *loader;

    if (!path || !entry) {
        errno = EINVAL;
        return -1;
    }
    memset (entry, 0, sizeof (*entry));
    if (!(loader = loader_lookup (path))) {
        unsupported (error);
        errno = EINVAL;
        return -1;
    }
    entry->loader = loader;
    if (*loader->filename) {
        if (loader_load (loader, error) < 0)
            return -1;
        entry->loader_main = loader->main;
        return 0;
    }
    dlerror ();
    if (!(entry->dso = dlopen (path, RTLD_NOW | RTLD_LOCAL))) {
        const char *s = dlerror ();
        errprintf (error, "%s", s ? s : "dlopen failed");
        errno = ENOENT;
        return -1;
    }
    if (!(entry->mod_main = (mod_main_f *)dlsym (entry->dso,
                                                 FLUX_MODULE_MAIN_SYMBOL))) {
        errprintf (error, "module does not define mod_main()");
        (void)dlclose (entry->dso);
        entry->dso = NULL;
        errno = EINVAL;
        return -1;
    }
    return 0;
}

void module_loader_close (struct module_entry *entry)
{
    if (entry && entry->dso) {
        int saved_errno = errno;
        (void)dlclose (entry->dso);
        entry->dso = NULL;
        errno = saved_errno;
    }
}

int module_entry_begin (flux_t *h, char **args)
{
    flux_error_t error = { .text = "" };

    if (flux_module_initialize (h, args, &error) < 0
        || flux_module_register_handlers (h, &error) < 0) {
        int errnum = errno ? errno : EPROTO;
        flux_log (h, LOG_ERR, "%s", *error.text ? error.text
                                                : strerror (errnum));
        return errnum;
    }
    return 0;
}

int module_entry_run (const struct module_entry *entry, flux_t *h,
                      const char *path, const char *args)
{
    char **argv;
    int argc = 0;
    int errnum = 0;
    int rc;

    if (!(argv = argsplit (args, &argc))) {
        errnum = errno;
        flux_log (h, LOG_ERR, "error parsing module arguments: %s",
                  strerror (errnum));
        return errnum;
    }
    errno = 0;
    if (entry->mod_main)
        rc = entry->mod_main (h, argc, argv);
    else
        rc = entry->loader_main (h, path, argc, argv);
    if (rc < 0) {
        errnum = errno ? errno : ECONNRESET;
        flux_log (h, LOG_CRIT, "module exiting abnormally");
    }
    free (argv);
    return errnum;
}

int module_loader_interrupt (const struct module_entry *entry,
                             pthread_t thread)
{
    if (!entry || !entry->loader || !entry->loader->interrupt) {
        errno = ENOSYS;
        return -1;
    }
    return entry->loader->interrupt (thread);
}

int module_loader_stack (const struct module_entry *entry,
                         pthread_t thread,
                         int fd)
{
    if (!entry || !entry->loader || !entry->loader->stack) {
        errno = ENOSYS;
        return -1;
    }
    return entry->loader->stack (thread, fd);
}

/* A loader being prepared by a thread of its own (module_loader_prepare).
 * The thread opens the loader's file by itself and calls its prepare
 * symbol, without touching the table: the main thread's first load of
 * that kind opens the same file, and dlopen() hands it the object the
 * preparer loaded (or waits, under the dynamic linker's lock, until it
 * is loaded).  Joined by module_loader_fini_all().
 */
static struct {
    struct module_loader *loader;   /* non-NULL once the thread started */
    pthread_t thread;
    char path[PATH_MAX];
    void *dso;              /* set by the thread; read once it is joined */
} preparer;

static void *prepare_thread (void *arg)
{
    flux_module_loader_prepare_f *prepare;
    void *dso;

    (void)arg;
    if (!(dso = dlopen (preparer.path, RTLD_NOW | RTLD_LOCAL)))
        return NULL;
    if ((prepare = (flux_module_loader_prepare_f *)
                   dlsym (dso, FLUX_MODULE_LOADER_PREPARE_SYMBOL)))
        prepare ();
    preparer.dso = dso;
    return NULL;
}

int module_loader_prepare (const char *suffix, flux_error_t *error)
{
    struct module_loader *loader = NULL;
    sigset_t all, saved;
    int e;

    if (!suffix) {
        errno = EINVAL;
        return -1;
    }
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (!strcmp (table[i].suffix, suffix))
            loader = &table[i];
    }
    if (!loader || !*loader->filename) {
        errprintf (error, "no module loader to prepare for %s", suffix);
        errno = EINVAL;
        return -1;
    }
    if (preparer.loader || loader->dso)
        return 0;
    if (loader_locate (loader, preparer.path, sizeof (preparer.path),
                       error) < 0)
        return -1;
    /* N.B. the thread (and what it starts) takes no signal: they are the
     * main thread's.
     */
    sigfillset (&all);
    (void)pthread_sigmask (SIG_BLOCK, &all, &saved);
    e = pthread_create (&preparer.thread, NULL, prepare_thread, NULL);
    (void)pthread_sigmask (SIG_SETMASK, &saved, NULL);
    if (e != 0) {
        errprintf (error, "cannot start a thread: %s", strerror (e));
        errno = e;
        return -1;
    }
    preparer.loader = loader;
    return 0;
}

static void loader_fini (struct module_loader *loader)
{
    if (loader->dso && loader->fini) {
        loader->fini ();
        loader->fini = NULL;
    }
}

void module_loader_fini_all (void)
{
    /* A loader prepared but never used for a load still has its fini
     * called: what its prepare started (an interpreter) must stop.
     */
    if (preparer.loader) {
        (void)pthread_join (preparer.thread, NULL);
        if (preparer.dso && !preparer.loader->dso) {
            flux_module_loader_f *main = (flux_module_loader_f *)
                dlsym (preparer.dso, FLUX_MODULE_LOADER_SYMBOL);
            if (main)
                loader_adopt (preparer.loader, preparer.dso, main);
        }
        preparer.loader = NULL;
    }
    for (size_t i = 0; i < TABLE_SIZE; i++)
        loader_fini (&table[i]);
    while (found) {
        struct module_loader *ld = found;
        found = ld->next;
        loader_fini (ld);
        free (ld);
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
