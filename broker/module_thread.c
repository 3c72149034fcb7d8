/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The life of a module thread, the same for every kind of module.
 *
 * The thread is a plain client of the broker: it opens its end of the
 * channel the broker made for it, reads the welcome that is already
 * waiting there, runs the module's code with a handle it owns, and
 * reports how that ended.  All signals are blocked, because signals
 * belong to the broker's main thread; the thread bears the module's
 * name so that top and gdb show which module is busy.
 *
 * Its reactor waits with poll(2) (FLUX_REACTOR_NOFD): with the eventfd
 * of its channel, which the handle watcher watches, a module costs the
 * broker's process one descriptor, not two, so 10,000 modules fit
 * under a limit of 20,000.  Each module's libev loop also keeps an array
 * as long as the highest descriptor number it watches, so fewer
 * descriptors in the process also make every module's loop smaller.
 *
 * How the module's code ended becomes the errnum of its EXITED status:
 * 0 if it returned 0, else its errno, or ECONNRESET if it failed without
 * saying why.  The broker does the rest (see module.c).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module_thread.h"

void *module_thread_main (void *arg)
{
    struct module_thread *thd = arg;
    char uri[64 + UUID_STR_LEN];
    char tname[16];
    sigset_t sigs;
    flux_t *h;
    flux_reactor_t *r = NULL;
    flux_error_t error;
    char *args = NULL;
    int errnum = 0;

    sigfillset (&sigs);
    (void)pthread_sigmask (SIG_BLOCK, &sigs, NULL);
    /* Linux thread names hold 15 characters. */
    memcpy (tname, thd->name, sizeof (tname) - 1);
    tname[sizeof (tname) - 1] = '\0';
    (void)pthread_setname_np (pthread_self (), tname);

    (void)snprintf (uri, sizeof (uri), "interthread://%s", thd->uuid);
    if (!(h = flux_open_ex (uri, 0, &error))) {
        fprintf (stderr, "flux-broker: %s: %s\n", thd->name, error.text);
        return NULL;
    }
    if (!(r = flux_reactor_create (FLUX_REACTOR_NOFD))
        || flux_set_reactor (h, r) < 0) {
        fprintf (stderr, "flux-broker: %s: reactor: %s\n", thd->name,
                 strerror (errno));
        flux_reactor_decref (r);
        flux_close (h);
        return NULL;
    }
    flux_reactor_decref (r); // the handle holds it
    if (!(errnum = module_entry_begin (h, &args)))
        errnum = module_entry_run (&thd->entry, h, thd->path, args);
    if (flux_module_finalize (h, errnum, &error) < 0)
        fprintf (stderr, "flux-broker: %s: finalize: %s\n",
                 thd->name, error.text);
    flux_close (h);
    free (args);
    return NULL;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
