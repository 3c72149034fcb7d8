/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_MODULE_EXEC_H
#define BROKER_MODULE_EXEC_H

#include <stdbool.h>
#include <sys/types.h>
#include <flux/core.h>

/* A module running in a process of its own (flux module load --exec).
 *
 * The broker sets up a module exactly as for a thread (module.c:
 * interthread://UUID, peer, service, welcome), then, instead of starting
 * a thread, calls module_exec_start(): it opens the module's end of
 * that channel itself and relays it, message for message, to
 * `flux module-exec PATH` over a socketpair (FLUX_MODULE_URI=fd://N in
 * the child).  To the rest of the broker the module is a module like
 * any other.  If the process ends without reporting EXITED, its death
 * is reported as the module's EXITED status with errnum EINVAL and a
 * text saying how it ended ("loader (module-exec) killed by
 * Segmentation fault").
 */
struct module_exec;

/* Spawn the process for module 'name' (file 'path') on the channel
 * interthread://'uuid', whose broker end is already open and whose
 * welcome is already queued.  'h' is the broker's handle (its reactor
 * runs the relay, its log gets the messages).  Returns NULL with errno
 * and error->text on failure.
 */
struct module_exec *module_exec_start (flux_t *h,
                                       const char *uuid,
                                       const char *name,
                                       const char *path,
                                       flux_error_t *error);

pid_t module_exec_pid (const struct module_exec *mx);

/* True if the process ended without reporting EXITED (its EXITED was
 * reported for it): the requests it held can no longer be answered.
 */
bool module_exec_died (const struct module_exec *mx);

/* The next step for a module that ignores shutdown: SIGTERM the first
 * time, SIGKILL the second.  Logs what it did.  Returns 0, or -1 once
 * both have been sent (the caller gives up on it).
 */
int module_exec_escalate (struct module_exec *mx);

/* The broker is done with the module (it exited, or was abandoned).
 * The relay stops; the process is reaped when it ends, and killed if it
 * has not ended after 'timeout' seconds.  mx is freed once reaped.
 */
void module_exec_release (struct module_exec *mx, double timeout);

/* At broker exit: SIGKILL and reap every process still alive. */
void module_exec_fini_all (void);

#endif /* !BROKER_MODULE_EXEC_H */
