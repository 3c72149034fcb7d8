/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The loader table: which code runs a module file, chosen by suffix.
 *
 *   suffix   runs as
 *   .so      a C module: the file itself is dlopen'd (RTLD_NOW|RTLD_LOCAL)
 *            and its mod_main() is called on the module thread
 *   .so.N    the same (a versioned shared object)
 *   .py      a Python module: pyloader.so, found in the built-in
 *            "loader_path", is dlopen'd once and its
 *            flux_module_loader_main() is called with the file's path
 *
 * Adding a language is adding a row.  A loader is opened on first use
 * and never closed: a loader may embed an interpreter (libpython) that
 * cannot be unloaded.  Its optional interrupt symbol is how the broker
 * asks it to stop a module that ignores shutdown, and its optional fini
 * symbol runs once at broker exit, after every module thread is joined.
 * A C module, in contrast, is dlclose'd once its thread is joined.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "module_loader.h"
#include "errprintf.h"

struct module_loader {
    const char *suffix;
    const char *filename;   /* NULL: the module file is a C module */
    /* state, once opened */
    void *dso;
    flux_module_loader_f *main;
    flux_module_loader_interrupt_f *interrupt;
    flux_module_loader_fini_f *fini;
};

static struct module_loader loaders[] = {
    { .suffix = ".so", .filename = NULL },
    { .suffix = ".py", .filename = "pyloader.so" },
};

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

static struct module_loader *loader_lookup (const char *path)
{
    for (size_t i = 0; i < sizeof (loaders) / sizeof (loaders[0]); i++) {
        if (suffix_match (path, loaders[i].suffix))
            return &loaders[i];
    }
    return NULL;
}

static int loader_load (struct module_loader *loader, flux_error_t *error)
{
    const char *dir;
    char path[4096];
    void *dso;
    flux_module_loader_f *main;

    if (loader->dso)
        return 0;
    if (!(dir = flux_conf_builtin_get ("loader_path", FLUX_CONF_AUTO))) {
        errprintf (error, "cannot find the module loader directory");
        errno = ENOENT;
        return -1;
    }
    (void)snprintf (path, sizeof (path), "%s/%s", dir, loader->filename);
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
    loader->dso = dso;
    loader->main = main;
    loader->interrupt = (flux_module_loader_interrupt_f *)
        dlsym (dso, FLUX_MODULE_LOADER_INTERRUPT_SYMBOL);
    loader->fini = (flux_module_loader_fini_f *)
        dlsym (dso, FLUX_MODULE_LOADER_FINI_SYMBOL);
    return 0;
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
        errprintf (error, "no module loader for this file type"
                   " (supported: .so, .py)");
        errno = EINVAL;
        return -1;
    }
    entry->loader = loader;
    if (loader->filename) {
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

int module_loader_interrupt (const struct module_entry *entry,
                             pthread_t thread)
{
    if (!entry || !entry->loader || !entry->loader->interrupt) {
        errno = ENOSYS;
        return -1;
    }
    return entry->loader->interrupt (thread);
}

void module_loader_fini_all (void)
{
    for (size_t i = 0; i < sizeof (loaders) / sizeof (loaders[0]); i++) {
        if (loaders[i].dso && loaders[i].fini) {
            loaders[i].fini ();
            loaders[i].fini = NULL;
        }
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
