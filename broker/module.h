/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The module manager's own header, shared by its three files and by
 * nothing else (the broker uses modmgr.h):
 *   module.c         one module: its channel, its thread, its status
 *   module_policy.c  removal and the failure policy
 *   modmgr.c         the manager and the module.* service
 */
#ifndef BROKER_MODULE_H
#define BROKER_MODULE_H

#include <pthread.h>
#include <stdbool.h>
#include <jansson.h>
#include <uuid/uuid.h>
#include <flux/core.h>

#include "broker.h"
#include "module_loader.h"

struct pending {
    flux_msg_t *msg;
    struct pending *next;
};

enum failure_policy {
    POLICY_PANIC,
    POLICY_EXIT,
    POLICY_RESTART,
};

extern const char *policy_names[];

struct reload;

struct module {
    struct modmgr *mm;
    char uuid[UUID_STR_LEN];
    char next_uuid[UUID_STR_LEN]; // the next instance's, if chosen ahead
    char *name;
    char *path;
    struct module_thread *thd;
    flux_t *h;
    bool watching;              // reading what it sends (module_watch)
    flux_watcher_t *w_more;     // check, while messages are left over
    flux_watcher_t *w_nowait;   // idle, the same: the loop must not block
    struct peer *peer;
    pthread_t thread;
    bool thread_started;
    bool exec_mode;             // --exec: every instance is a process
    struct module_exec *exec;   // this instance's process, else NULL
    int status;
    int errnum;
    char *errstr;
    bool unload_requested;
    bool interrupted;
    flux_msg_t *insmod;
    struct pending *rmmod;
    flux_watcher_t *remove_timer;
    /* failure policy */
    enum failure_policy policy;
    json_t *args;           /* kept to start the module again */
    int restarts;           /* restarts since load */
    int restarts_window;    /* restarts in the current window */
    double window_start;    /* loop time of the window's first restart */
    bool holding;           /* requests go to 'held', not the channel */
    struct pending *held;   /* requests waiting for the next instance */
    struct pending **held_tail;
    struct pending **handback_tail; /* after the last one handed back */
    int held_count;
    struct peer *standin;   /* owns the name while no instance runs */
    flux_watcher_t *restart_timer;
    bool queue_full;        /* module_send refused since it last took one */
    struct reload *reload;  /* a reload in progress (module_reload.c) */
    unsigned seq;           // its place in load order, from 1
    struct module *next;
    struct module **prevp;  /* what points at it in the list */
};

struct modmgr {
    struct broker *ctx;
    struct module *head;    /* in load order */
    struct module **tail;
    struct strmap *byname;  /* the same modules, by name */
    flux_msg_handler_t **handlers;
    unsigned loads;         // modules loaded so far
    bool stopping;          // the broker is shutting down: no more loads
    bool draining;          // removing the modules loaded after 'floor'
    unsigned floor;
    bool failed;            // a module did not exit cleanly when removed
    void (*done)(void *arg);
    void *done_arg;
    flux_watcher_t *trim_timer; // gives freed memory back (modmgr.c)
    struct stack_job *stacks;   // module.stack requests (module_stack.c)
    flux_readyset_t *ready;     // every module's channel, one fd (module.c)
    flux_watcher_t *ready_w;    // watches it
};

/* modmgr.c */

/* A module thread was joined: give the memory freed by modules back to
 * the system soon (once for a burst of exits).
 */
void modmgr_trim_later (struct modmgr *mm);

/* module.c */

/* Answer each request on the list (a pending module.remove) with
 * success, or free them unanswered; either way the list is emptied.
 */
void pending_respond (flux_t *h, struct pending **list);
void pending_free (struct pending **list);

/* Create module 'name' from 'path' and start its first instance, with
 * 'entry' (see instance_start); it is appended to mm's list.  Returns
 * the module, or NULL with errno (and error->text, if known).
 */
struct module *module_create (struct modmgr *mm,
                              const char *name,
                              const char *path,
                              json_t *args,
                              const struct module_entry *entry,
                              bool exec,
                              enum failure_policy policy,
                              flux_error_t *error);

/* Start (again) an instance of m: channel, welcome, thread or process.
 * On failure nothing of it is left, and the caller still owns entry.
 */
int instance_start (struct module *m, const struct module_entry *entry,
                    flux_error_t *error);

/* Free one instance (the thread must be joined), or the whole module. */
void instance_release (struct module *m, bool abandoned);
void module_destroy (struct module *m, bool abandoned);

/* Answer a request with an error through the router, as the broker;
 * consumes msg.
 */
void answer_error (struct modmgr *mm, flux_msg_t *msg, int errnum,
                   const char *text);

/* Send NAME.shutdown into the module's channel. */
void send_shutdown (struct module *m);

/* Start or stop reading what the module sends (module.debug defers). */
void module_watch (struct module *m, bool on);

/* Set up (and tear down) the one descriptor through which the broker
 * hears from every module's channel.  Returns 0, or -1 with errno.
 */
int modules_ready_init (struct modmgr *mm);
void modules_ready_fini (struct modmgr *mm);

/* module_policy.c */

int parse_policy (const char *s, enum failure_policy *policy);

/* Keep a request for the module's next instance; consumes msg.  One
 * the old instance hands back ('handed_back') goes before those that
 * reached the broker while it was leaving: it came first.
 */
void hold_msg (struct module *m, flux_msg_t *msg, bool handed_back);

/* Give what was held to the module's new instance (m->peer), in order. */
void deliver_held (struct module *m);

/* Answer ENOSYS "module NAME WHY" to every request held for m. */
void held_fail (struct module *m, const char *why);

/* broker.module-remove-timeout, in seconds. */
double remove_timeout (struct modmgr *mm);

/* Ask m to leave (NAME.shutdown) and arm the grace period; with cancel,
 * skip the first one.  Returns 0, or -1 if the timer cannot be made.
 */
int module_remove (struct module *m, bool cancel);

/* Arm the grace period of a module asked to leave: past it, it is
 * interrupted, then abandoned.  Returns 0, or -1 with errno.
 */
int arm_remove_timer (struct module *m, bool cancel);

/* A module with no running instance leaves for good: answer what was
 * held for it and any pending remove, and free it.
 */
void module_gone (struct module *m, const char *why);

/* m reported EXITED (or its process died): answer what waits on it,
 * join the thread, then restart, keep or free it as its policy says.
 */
void module_exited (struct module *m);

/* module_reload.c */

/* Replace m's running instance with the code at 'path' and 'args'
 * (and failure 'policy', if not NULL), holding its requests meanwhile;
 * 'msg' (module.reload) is answered when the new instance runs or
 * fails.  Returns 0, or -1 with errno and error->text if the reload
 * cannot begin (the old instance goes on).
 */
int module_reload (struct module *m,
                   const flux_msg_t *msg,
                   const char *path,
                   json_t *args,
                   const enum failure_policy *policy,
                   flux_error_t *error);

/* The old instance of a module being reloaded has exited (its thread
 * joined): start the new one.  Returns true if it took over m (started
 * the new instance, or freed m when that failed); false if m was not
 * being reloaded or the reload was given up, and its exit goes on as
 * any other.
 */
bool reload_swap (struct module *m);

/* Answer a reload in progress with ECANCELED "module NAME WHY". */
void reload_cancel (struct module *m, const char *why);

/* module_stack.c */

/* Answer 'msg' (module.stack) with the stack of m's threads, from its
 * loader, later.  Returns 0, or -1 with errno and error->text (ENOSYS:
 * a C module, or one run as a process).
 */
int module_stack (struct module *m, const flux_msg_t *msg,
                  flux_error_t *error);

/* Free the module.stack requests still waiting (broker exit). */
void module_stacks_destroy (struct modmgr *mm);

/* modmgr.c */

void module_unlink (struct module *m);

/* Remove the next module of a shutdown phase, or end the phase. */
void shutdown_next (struct modmgr *mm);

#endif /* !BROKER_MODULE_H */
