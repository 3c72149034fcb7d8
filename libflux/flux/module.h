/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Broker modules: the module side of the protocol between the broker and
 * a module thread (RFC 5), and the interface of module loaders.
 *
 * The protocol, as the broker and these functions implement it:
 *  1. The broker creates the channel interthread://UUID, opens its end
 *     with FLUX_OPT_ROUTER_NAME set to the broker uuid, and before it
 *     starts the thread sends the welcome: a request with topic
 *     "welcome", flag NORESPONSE, payload
 *       {"name":s, "uuid":s, "path":s, "args":[s...],
 *        "attrs":{NAME:VALUE...}, "conf":{...}}
 *     where attrs are the broker's immutable attributes and conf the
 *     instance configuration (flux_get_conf).  The broker has already
 *     subscribed the channel to the event NAME.stats-clear (flux-core's
 *     module subscribes itself, with an RPC the thread waits for).
 *  2. The thread opens interthread://UUID, calls flux_module_initialize()
 *     then flux_module_register_handlers(), then mod_main() (or a
 *     loader's entry point) with the arguments split on spaces, then
 *     flux_module_finalize().
 *  3. Status goes to the broker as "module.status" requests with payload
 *     {"status":i, "errnum"?:i, "errstr"?:s}: RUNNING (NORESPONSE) on the
 *     first reactor iteration or at flux_module_set_running(),
 *     FINALIZING (waits for the response, up to 10 s), EXITED
 *     (NORESPONSE) with errnum and, if set, errstr.
 *  4. The broker removes a module by sending "NAME.shutdown" (request,
 *     NORESPONSE); the default handler stops the module's reactor.
 */
#ifndef FLUX_MODULE_H
#define FLUX_MODULE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "types.h"
#include "conf.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_MODSTATE_INIT = 0,
    FLUX_MODSTATE_RUNNING = 1,
    FLUX_MODSTATE_FINALIZING = 2,
    FLUX_MODSTATE_EXITED = 3,
};

/* Exported with default visibility even from an object built with
 * -fvisibility=hidden: a declaration's visibility is its definition's.
 */
#define FLUX_MODULE_EXPORT __attribute__ ((visibility ("default")))

/* The entry point of a C module: return 0, or -1 with errno set.
 * Declared here so that a module defining mod_main with another
 * signature fails to compile ("conflicting types for 'mod_main'")
 * instead of being called with the wrong arguments.  (flux-core's
 * public headers declare neither the type nor the function.)
 */
typedef int (mod_main_f)(flux_t *h, int argc, char *argv[]);
#define FLUX_MODULE_MAIN_SYMBOL "mod_main"
extern mod_main_f mod_main FLUX_MODULE_EXPORT;

/* A module loader runs modules that are not C shared objects (e.g.
 * pyloader.so for ".py").  It is a shared object exporting
 * FLUX_MODULE_LOADER_SYMBOL of this type, which the broker calls on the
 * module thread in place of mod_main, with the module file's path.
 * It returns 0, or -1 with errno set and, where a user needs more than
 * strerror, the cause given with flux_module_set_error().  The broker's
 * table of loaders by file suffix is in broker/module_loader.c; a loader
 * named XLOADER.so in the loader path serves suffix .X without one
 * (doc/loaders.md).  The symbols are declared below, as mod_main is, so
 * that the compiler checks a loader's definitions.
 */
typedef int (flux_module_loader_f)(flux_t *h, const char *path,
                                   int argc, char *argv[]);
#define FLUX_MODULE_LOADER_SYMBOL "flux_module_loader_main"
extern flux_module_loader_f flux_module_loader_main FLUX_MODULE_EXPORT;

/* Optional loader symbols.
 * interrupt: called on the broker thread when a module being removed has
 * not exited after a grace period; 'thread' is the module thread.  It
 * should make the loader's code on that thread return (e.g. raise an
 * exception in it).  Returns 0, or -1 with errno.
 * fini: called once on the broker's main thread at broker exit, after
 * every module thread has been joined (e.g. to finalize an interpreter).
 * prepare: may be called once on the broker's main thread, before any
 * module of the loader runs, when the broker expects one soon (its
 * standard rc1 loads Python modules).  It should start what a first load
 * would wait for (an interpreter) without waiting for it itself.
 * stack: called on the broker's main thread for `flux module stack`:
 * write to 'fd' where each thread of the module running on 'thread' is
 * (its stack in the loader's language, as text), then close 'fd'.  It
 * must not block the caller (the module may be stuck, holding what the
 * loader needs): the work is done on a thread of the loader's.  Returns
 * 0 ('fd' is the loader's from then on), or -1 with errno ('fd' stays
 * the caller's): ESRCH if 'thread' runs none of the loader's code.
 */
typedef int (flux_module_loader_interrupt_f)(pthread_t thread);
#define FLUX_MODULE_LOADER_INTERRUPT_SYMBOL "flux_module_loader_interrupt"
extern flux_module_loader_interrupt_f flux_module_loader_interrupt
    FLUX_MODULE_EXPORT;
typedef void (flux_module_loader_fini_f)(void);
#define FLUX_MODULE_LOADER_FINI_SYMBOL "flux_module_loader_fini"
extern flux_module_loader_fini_f flux_module_loader_fini FLUX_MODULE_EXPORT;
typedef void (flux_module_loader_prepare_f)(void);
#define FLUX_MODULE_LOADER_PREPARE_SYMBOL "flux_module_loader_prepare"
extern flux_module_loader_prepare_f flux_module_loader_prepare
    FLUX_MODULE_EXPORT;
typedef int (flux_module_loader_stack_f)(pthread_t thread, int fd);
#define FLUX_MODULE_LOADER_STACK_SYMBOL "flux_module_loader_stack"
extern flux_module_loader_stack_f flux_module_loader_stack
    FLUX_MODULE_EXPORT;

/* The mod_name symbol, flux-core's old way for a module to name itself
 * (its name is now the file name, or `flux module load --name`).  Kept so
 * that flux-core modules that still say MOD_NAME ("x"); compile.
 */
#define MOD_NAME(x) const char *mod_name = x

/* Receive the welcome (blocking) and: set the handle aux "flux::name"
 * and "flux::uuid" and the log appname, cache the broker's immutable
 * attributes (flux_attr_set_cacheonly) and its config (flux_set_conf_new,
 * read it back with flux_get_conf).  If 'args' is non-NULL it receives
 * the module's arguments joined with single spaces, to free(3), or NULL
 * if there are none (the broker splits that string on whitespace to
 * make mod_main's argv, so an argument holding a space becomes two;
 * flux-core's splits on spaces only).
 * Returns 0, or -1 with errno and, if error is non-NULL, its text.
 */
int flux_module_initialize (flux_t *h, char **args, flux_error_t *error);

/* Decode a NAME.config-reload request (payload: the new config object)
 * into *conf, to release with flux_conf_decref (conf may be NULL to only
 * check it).  Returns 0, or -1 with errno (EPROTO for a payload that is
 * not an object).
 */
int flux_module_config_request_decode (const flux_msg_t *msg,
                                       flux_conf_t **conf);

/* Register the default methods on service 'name' (NAME.ping,
 * NAME.stats-get, NAME.stats-clear (request and event), NAME.rusage,
 * NAME.debug, NAME.config-reload and its alias NAME.config-update, which
 * replace the handle's config with the request's payload, and
 * NAME.shutdown), owned by the handle (registering 'name' again
 * replaces them).  Returns 0, or -1 with errno EINVAL (NULL h, a NULL,
 * empty or too long name) or ENOMEM, and the text in 'error' (may be
 * NULL).
 */
int flux_module_register_default_methods (flux_t *h, const char *name,
                                          flux_error_t *error);

/* Default methods for the module named in the welcome (their
 * NAME.stats-clear event arrives by the broker's subscription, see 1.
 * above), and a one-shot prepare watcher that reports RUNNING the first
 * time the reactor runs.  Returns 0, or -1 with errno EINVAL (NULL h, or
 * no welcome received yet), or that of the registration or the watcher,
 * and the text in 'error' (may be NULL).
 */
int flux_module_register_handlers (flux_t *h, flux_error_t *error);

/* Report RUNNING now (idempotent), so flux module load returns before
 * the module enters its reactor.
 */
int flux_module_set_running (flux_t *h);

/* Test 'flag' in the debug flags set by `flux module debug`; if clear
 * is true and it was set, clear it.  Returns whether it was set (false
 * for a NULL h or a handle without debug flags).
 */
bool flux_module_debug_test (flux_t *h, int flag, bool clear);

/* Text the broker reports for this module's failure (in the EXITED
 * status), e.g. a Python traceback's last line.
 */
void flux_module_set_error (flux_t *h, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* FINALIZING, then answer queued requests with ENOSYS, then EXITED with
 * errnum.  Returns 0, or -1 with errno and, if error is non-NULL, its
 * text.  N.B. unlike flux-core, EXITED is sent even when FINALIZING got
 * no answer, so the broker still learns the module's errnum.
 */
int flux_module_finalize (flux_t *h, int errnum, flux_error_t *error);

/* Return the module name and uuid from the welcome (owned by the
 * handle, valid until it is closed), or NULL with errno ENOENT if no
 * welcome was received (NULL, errno unchanged, for a NULL h).
 */
const char *flux_module_name (flux_t *h);
const char *flux_module_uuid (flux_t *h);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_MODULE_H */
