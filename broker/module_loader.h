/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_MODULE_LOADER_H
#define BROKER_MODULE_LOADER_H

#include <pthread.h>
#include <flux/core.h>

struct module_loader;

/* How a module's code is reached: exactly one of mod_main (a C module,
 * dso is its dlopen handle) and loader_main (a loader runs the file).
 */
struct module_entry {
    const struct module_loader *loader;
    void *dso;
    mod_main_f *mod_main;
    flux_module_loader_f *loader_main;
};

/* Choose a loader by the suffix of 'path' and resolve the entry point.
 * Returns 0, or -1 with errno and error->text:
 *   EINVAL  no loader for the suffix ("no module loader for this file
 *           type (supported: .so, .py, ...)", every suffix a loader
 *           serves); mod_main or the loader symbol is missing ("module
 *           does not define mod_main()", "LOADER does not define
 *           flux_module_loader_main()")
 *   ENOENT  the loader is not in the loader path, or dlopen failed
 *           (dlerror text)
 */
int module_loader_open (const char *path, struct module_entry *entry,
                        flux_error_t *error);

/* Find the file of module NAME (no '/'): the first DIR/NAME.SUFFIX that
 * exists, trying each suffix a loader serves (the table's, in order,
 * then those of the loaders found by name in the loader path), each
 * through every directory of 'searchpath', colon-separated.  If
 * searchpath is NULL or empty, $FLUX_MODULE_PATH is searched, or if that
 * is unset or empty, the built-in module_path.
 * Returns the file's realpath, to free, or NULL with errno (ENOENT:
 * error->text "module not found in module path SEARCHPATH"; EINVAL: a
 * name that is empty or holds a '/').
 */
char *module_loader_search (const char *name, const char *searchpath,
                            flux_error_t *error);

/* dlclose a C module after its thread has been joined.  Loaders are
 * never closed (an embedded interpreter cannot be unloaded).
 */
void module_loader_close (struct module_entry *entry);

/* The module side's start, before module_entry_run(): read the
 * broker's welcome (flux_module_initialize() sets *args, which the
 * caller frees) and register the default methods.  Returns 0, or the
 * errno it failed with, having logged why.
 */
int module_entry_begin (flux_t *h, char **args);

/* Run the module's code on the calling thread: split 'args' (the
 * arguments flux_module_initialize() gave) into argv and call the entry
 * point, the C module's mod_main() or the loader's main with 'path'.
 * Returns 0, or the errno the module failed with (ECONNRESET if its
 * entry point returned -1 without one), having logged why.
 */
int module_entry_run (const struct module_entry *entry, flux_t *h,
                      const char *path, const char *args);

/* Call the loader's interrupt symbol for the thread running a module.
 * Returns 0, or -1 with errno (ENOSYS if the loader has none, or the
 * module is C).
 */
int module_loader_interrupt (const struct module_entry *entry,
                             pthread_t thread);

/* Open the loader of module files ending in 'suffix' (".py") and call
 * its prepare symbol, if it has one, on a thread of its own: this
 * returns at once.  Returns 0, or -1 with errno (ENOENT if the loader's
 * file is not in the loader path, EINVAL for a suffix no loader serves,
 * or that of C modules, or the error of pthread_create()).  A loader
 * that then fails to open is not reported: the first load says why.
 */
int module_loader_prepare (const char *suffix, flux_error_t *error);

/* Ask the loader of the module running on 'thread' to write its stack
 * to 'fd' and close it (flux_module_loader_stack in flux/module.h).
 * Returns 0 ('fd' is the loader's), or -1 with errno: ENOSYS if the
 * loader has no stack symbol or the module is C.
 */
int module_loader_stack (const struct module_entry *entry,
                         pthread_t thread,
                         int fd);

/* Call the fini symbol of every loader that was opened, and forget the
 * loaders found by name (their code stays mapped).  Only once every
 * module thread is gone.
 */
void module_loader_fini_all (void);

#endif /* !BROKER_MODULE_LOADER_H */
