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
 *   EINVAL  no loader for the suffix; mod_main or the loader symbol is
 *           missing ("module does not define mod_main()")
 *   ENOENT  dlopen failed (dlerror text)
 */
int module_loader_open (const char *path, struct module_entry *entry,
                        flux_error_t *error);

/* dlclose a C module after its thread has been joined.  Loaders are
 * never closed (an embedded interpreter cannot be unloaded).
 */
void module_loader_close (struct module_entry *entry);

/* Call the loader's interrupt symbol for the thread running a module.
 * Returns 0, or -1 with errno (ENOSYS if the loader has none, or the
 * module is C).
 */
int module_loader_interrupt (const struct module_entry *entry,
                             pthread_t thread);

/* Call the fini symbol of every loader that was opened.  Only once every
 * module thread is gone.
 */
void module_loader_fini_all (void);

#endif /* !BROKER_MODULE_LOADER_H */
