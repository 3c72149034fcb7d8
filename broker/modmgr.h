/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_MODMGR_H
#define BROKER_MODMGR_H

#include <flux/core.h>

#include "broker.h"

struct modmgr;

/* The module manager: module.load, module.remove, module.list,
 * module.debug, module.status on ctx->h.
 */
struct modmgr *modmgr_create (struct broker *ctx);

/* Free what is left.  Call after modmgr_shutdown() has completed. */
void modmgr_destroy (struct modmgr *mm);

/* Removing modules in phases, newest first, each with the grace period
 * of module.remove (broker.module-remove-timeout, then the loader's
 * interrupt, then abandonment), one at a time, each logged as
 * "shutdown: removing module NAME".  'done' is called once the phase is
 * over (not if there was nothing to remove).  Each returns the number of
 * modules it is removing.
 *
 * modmgr_loads() counts the loads so far; modmgr_remove_newer() removes
 * the modules loaded since modmgr_loads() returned 'mark'.
 * modmgr_shutdown() removes every module still loaded and refuses loads
 * from then on.  modmgr_failed() is true if a module removed by either
 * was abandoned or exited with an error.
 */
unsigned modmgr_loads (struct modmgr *mm);
int modmgr_remove_newer (struct modmgr *mm, unsigned mark,
                         void (*done)(void *arg), void *arg);
int modmgr_shutdown (struct modmgr *mm, void (*done)(void *arg), void *arg);
bool modmgr_failed (struct modmgr *mm);

#endif /* !BROKER_MODMGR_H */
