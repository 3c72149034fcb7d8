/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_MODULE_H
#define BROKER_MODULE_H

#include <flux/core.h>

#include "broker.h"

struct modmgr;

/* The module manager: module.load, module.remove, module.list,
 * module.debug, module.status on ctx->h.
 */
struct modmgr *modmgr_create (struct broker *ctx);

/* Free what is left.  Call after modmgr_shutdown() has completed. */
void modmgr_destroy (struct modmgr *mm);

/* Remove every module still loaded, newest first, logging each as not
 * properly shut down.  'done' is called once none is left (at once if
 * none is loaded).  Returns the number of modules that were still
 * loaded.
 */
int modmgr_shutdown (struct modmgr *mm, void (*done)(void *arg), void *arg);

#endif /* !BROKER_MODULE_H */
