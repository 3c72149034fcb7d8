/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_MODULE_THREAD_H
#define BROKER_MODULE_THREAD_H

#include <uuid/uuid.h>
#include "module_loader.h"

/* What a module thread needs, copied so that it shares nothing mutable
 * with the broker.  Owned by the broker; it outlives the thread, or is
 * deliberately leaked if the thread is abandoned.
 */
struct module_thread {
    char uuid[UUID_STR_LEN];
    char name[256];
    char path[4096];
    struct module_entry entry;
};

/* pthread start routine: arg is a struct module_thread.  The broker
 * must have sent the welcome into interthread://UUID before starting it.
 */
void *module_thread_main (void *arg);

#endif /* !BROKER_MODULE_THREAD_H */
