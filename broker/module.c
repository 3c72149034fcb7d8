/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The module manager: the broker's side of RFC 5.
 *
 * A module is a thread with a channel.  To load one, the broker picks a
 * loader by suffix (module_loader.c), creates interthread://UUID, opens
 * its own end in router mode, registers the module's name as a service
 * owned by that channel, puts the welcome in the channel, and only then
 * starts the thread (module_thread.c).  The module.load request is held
 * until the module says how it is doing:
 *
 *   RUNNING      the load succeeded: answer module.load.
 *   FINALIZING   the module is on its way out: mute it (requests to it
 *                get ENOSYS from now on) and answer, so it may proceed.
 *   EXITED       it is gone: drop its services and subscriptions, send
 *                disconnects for it, answer a pending load with its
 *                error, answer every pending remove, join the thread.
 *
 * Errors carry the errno's standard text, as flux-core's do (it reports
 * strerror alone): a module that exits with errno E and its own words
 * is reported as "WORDS: strerror(E)" unless the words already hold
 * strerror(E); a name that is taken, as "... already ...: File exists".
 *
 * A module that exits with an error when nobody asked it to, and after
 * its load was answered, has failed at run time.  What happens then is
 * the module's failure policy, chosen at load time (module.load key
 * "on-failure", which flux-core's broker ignores):
 *
 *   panic    (the default, flux-core's behaviour) log it and, unless
 *            broker.module-nopanic is set, shut the instance down with
 *            an error, as flux-core's broker panics.
 *   exit     log it; the module is gone, the broker lives.
 *   restart  log it and load the module again from the same path with
 *            the same arguments after a delay (broker.module-restart-
 *            delay seconds, doubling with each restart in a row), at
 *            most broker.module-restart-max times within
 *            broker.module-restart-window seconds; past that, as exit.
 *
 * A module with the restart policy keeps its name while it is down.
 * From FINALIZING on (when the broker stops routing to a module that is
 * leaving) requests to it are held by the broker instead of failing
 * with ENOSYS; once it has exited they are held by a stand-in peer that
 * owns the name service.  The new instance gets them in order of
 * arrival, after its welcome.  If it is not started again (removed,
 * shutdown, limit reached, a clean exit) they are answered ENOSYS.
 * Requests still in the old instance's queue come back too: FINALIZING
 * is answered {"requeue": true} and libflux hands them back to the
 * broker instead of answering them ENOSYS (handed_back below).  A
 * request the old instance was handling when it failed is its own to
 * answer (a Python handler that raises answers with the error).
 * Its dynamic services, subscriptions and the state other services hold
 * for it (disconnects are sent) go with the old instance; the new one
 * registers its own.
 *
 * Removal is a request to NAME.shutdown, which stops the module's
 * reactor.  A module that ignores it for broker.module-remove-timeout
 * seconds is interrupted through its loader, if the loader can (Python
 * raises an exception in the thread); one that ignores that too is
 * abandoned: it is muted, its thread detached, and nothing is routed to
 * it again.  Its memory, and a C module's code, stay mapped, since the
 * thread may still be running in them.
 *
 * With "exec" in module.load (flux module load --exec), everything above
 * holds, but in place of the thread a process runs the module
 * (module_exec.c): it is sent SIGTERM, then SIGKILL, where a thread
 * would be interrupted, and its death without EXITED is reported as
 * its EXITED, so it fails as any module fails (see above), and the
 * broker's process is not harmed.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"
#include "module_thread.h"
#include "module_loader.h"
#include "module_exec.h"
#include "router.h"
#include "service.h"

/* The longest module name the broker accepts.  flux-core sets no limit
 * of its own, but a module builds topics and keys from its name in
 * 256-byte buffers (libflux/module.c: "flux::module_methods::NAME",
 * "NAME.stats-clear"), so a longer name could only fail inside the
 * module with a bare EINVAL.
 */
#define MODULE_NAME_MAX 128
#include "attr.h"
#include "brokercfg.h"

struct pending {
    flux_msg_t *msg;
    struct pending *next;
};

enum failure_policy {
    POLICY_PANIC,
    POLICY_EXIT,
    POLICY_RESTART,
};

static const char *policy_names[] = { "panic", "exit", "restart" };


struct module {
    struct modmgr *mm;
    char uuid[UUID_STR_LEN];
    char *name;
    char *path;
    struct module_thread *thd;
    flux_t *h;
    flux_watcher_t *w;
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
    int held_count;
    struct peer *standin;   /* owns the name while no instance runs */
    flux_watcher_t *restart_timer;
    bool queue_full;        /* module_send refused since it last took one */
    unsigned seq;           // its place in load order, from 1
    struct module *next;
};

struct modmgr {
    struct broker *ctx;
    struct module *head;    /* in load order */
    flux_msg_handler_t **handlers;
    unsigned loads;         // modules loaded so far
    bool stopping;          // the broker is shutting down: no more loads
    bool draining;          // removing the modules loaded after 'floor'
    unsigned floor;
    bool failed;            // a module did not exit cleanly when removed
    void (*done)(void *arg);
    void *done_arg;
};

static void shutdown_next (struct modmgr *mm);
static double remove_timeout (struct modmgr *mm);

static void pending_respond (flux_t *h, struct pending **list)
{
    while (*list) {
        struct pending *p = *list;
        *list = p->next;
        if (flux_respond (h, p->msg, NULL) < 0)
            flux_log_error (h, "error responding to module.remove");
        flux_msg_decref (p->msg);
        free (p);
    }
}

static void module_unlink (struct module *m)
{
    struct module **mp;

    for (mp = &m->mm->head; *mp; mp = &(*mp)->next) {
        if (*mp == m) {
            *mp = m->next;
            break;
        }
    }
}

static void pending_free (struct pending **list)
{
    while (*list) {
        struct pending *p = *list;
        *list = p->next;
        flux_msg_decref (p->msg);
        free (p);
    }
}

/* Free what one instance of the module used: its channel and, unless
 * the thread was abandoned (then thd, which it may still read, is
 * leaked on purpose), its loader entry.  The thread must be joined.
 */
static void instance_release (struct module *m, bool abandoned)
{
    flux_watcher_destroy (m->w);
    m->w = NULL;
    module_exec_release (m->exec, remove_timeout (m->mm));
    flux_close (m->h);
    m->h = NULL;
    /* No thread reads thd of a process module. */
    if ((!abandoned || m->exec) && m->thd) {
        module_loader_close (&m->thd->entry);
        free (m->thd);
    }
    m->thd = NULL;
    m->exec = NULL;
    m->thread_started = false;
}

/* Free the broker's side.  The thread must be joined, or abandoned. */
static void module_destroy (struct module *m, bool abandoned)
{
    if (m) {
        int saved_errno = errno;
        instance_release (m, abandoned);
        flux_watcher_destroy (m->remove_timer);
        flux_watcher_destroy (m->restart_timer);
        if (m->insmod)
            flux_msg_decref (m->insmod);
        pending_free (&m->rmmod);
        pending_free (&m->held);
        json_decref (m->args);
        free (m->errstr);
        free (m->name);
        free (m->path);
        free (m);
        errno = saved_errno;
    }
}

/* A module's words for its failure with errnum's standard text after
 * them (see above), or NULL if out of memory.  Caller frees.
 */
static char *exit_error_text (const char *errstr, int errnum)
{
    const char *std = strerror (errnum);
    char *s;

    if (errnum == 0 || strstr (errstr, std))
        return strdup (errstr);
    if (asprintf (&s, "%s: %s", errstr, std) < 0)
        return NULL;
    return s;
}

static struct module *lookup_name (struct modmgr *mm, const char *name)
{
    for (struct module *m = mm->head; m; m = m->next) {
        if (!strcmp (m->name, name))
            return m;
    }
    return NULL;
}

static struct module *lookup_uuid (struct modmgr *mm, const char *uuid)
{
    if (!uuid)
        return NULL;
    for (struct module *m = mm->head; m; m = m->next) {
        if (!strcmp (m->uuid, uuid))
            return m;
    }
    return NULL;
}

/* Answer a request the module will not get with an error (no answer if
 * it wants none).  Consumes msg.  The response goes through the router
 * as if the broker's own peer sent it, so it finds its way back along
 * the request's route.
 */
static void answer_error (struct modmgr *mm, flux_msg_t *msg, int errnum,
                          const char *text)
{
    struct router *router = mm->ctx->router;
    flux_msg_t *rsp = NULL;

    if (!flux_msg_is_noresponse (msg)
        && (rsp = flux_response_derive (msg, errnum))
        && (!text || flux_msg_set_string (rsp, text) == 0))
        router_recv (router_peer_lookup (router, mm->ctx->uuid), rsp);
    else
        flux_msg_destroy (rsp);
    flux_msg_decref (msg);
}

/* Keep a request for the module's next instance (consumes msg).  Events
 * are dropped, as they are for a muted module.
 */
static void hold_msg (struct module *m, flux_msg_t *msg)
{
    struct pending *p;
    int type;
    char text[300];

    if (flux_msg_get_type (msg, &type) < 0 || type != FLUX_MSGTYPE_REQUEST) {
        flux_msg_decref (msg);
        return;
    }
    /* A module that stays down must not grow the broker without bound:
     * it may hold as many as its channel may (broker.module-queue-max).
     */
    if ((size_t)m->held_count >= m->mm->ctx->limits.module_queue_max) {
        (void)snprintf (text, sizeof (text),
                        "module %s is restarting and holds %d requests"
                        " already", m->name, m->held_count);
        answer_error (m->mm, msg, EAGAIN, text);
        return;
    }
    if (!(p = calloc (1, sizeof (*p)))) {
        answer_error (m->mm, msg, ENOMEM, NULL);
        return;
    }
    p->msg = msg;
    if (!m->held_tail)
        m->held_tail = &m->held;
    *m->held_tail = p;
    m->held_tail = &p->next;
    m->held_count++;
}

/* The module is not coming back: answer what was held for it. */
static void held_fail (struct module *m, const char *why)
{
    char text[300];

    (void)snprintf (text, sizeof (text), "module %s %s", m->name, why);
    while (m->held) {
        struct pending *p = m->held;
        m->held = p->next;
        answer_error (m->mm, p->msg, ENOSYS, text);
        free (p);
    }
    m->held_tail = NULL;
    m->held_count = 0;
    m->holding = false;
}

/* peer_send_f of the stand-in that owns a restarting module's name. */
static int standin_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    (void)p;
    hold_msg (arg, msg);
    return 1; // held, not delivered (see peer_send_f)
}

/* A message for module 'm', whose channel holds 'count' messages it has
 * not read.  Returns true if it may go in.  Past broker.module-queue-max
 * a request is answered EAGAIN here (unless it wants no answer) and an
 * event is dropped; a response (to a request the module made) gets
 * twice the room, then is dropped too.  The first refusal is logged,
 * and again once the module has read its queue down to half.  Consumes
 * msg when it returns false.  The broker's memory stays bounded, and
 * the senders are answered at once rather than left waiting on a module
 * that is not reading.
 */
static bool module_queue_admit (struct module *m, flux_msg_t *msg,
                                size_t count)
{
    struct broker *ctx = m->mm->ctx;
    size_t max = ctx->limits.module_queue_max;
    int type = 0;
    char text[256];

    (void)flux_msg_get_type (msg, &type);
    if (count < max || (type == FLUX_MSGTYPE_RESPONSE && count < 2 * max)) {
        if (count < max / 2)
            m->queue_full = false;
        return true;
    }
    if (!m->queue_full) {
        flux_log (ctx->h, LOG_ERR,
                  "module %s: %zu messages queued and not read, at"
                  " broker.module-queue-max (%zu): refusing requests"
                  " with EAGAIN, dropping events and responses",
                  m->name, count, max);
        m->queue_full = true;
    }
    if (type == FLUX_MSGTYPE_REQUEST) {
        (void)snprintf (text, sizeof (text),
                        "module %s is not reading its messages: %zu are"
                        " queued (broker.module-queue-max)",
                        m->name, count);
        answer_error (m->mm, msg, EAGAIN, text);
    }
    else
        flux_msg_decref (msg);
    return false;
}

/* peer_send_f: into the module's channel, which pushes/pops routes. */
static int module_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    struct module *m = arg;
    size_t count;

    (void)p;
    /* Held, or refused: taken, not delivered (see peer_send_f). */
    if (m->holding) {
        int type;
        if (flux_msg_get_type (msg, &type) == 0
            && type != FLUX_MSGTYPE_RESPONSE) {
            hold_msg (m, msg);
            return 1;
        }
    }
    if (flux_opt_get (m->h, FLUX_OPT_SEND_QUEUE_COUNT,
                      &count, sizeof (count)) == 0
        && !module_queue_admit (m, msg, count))
        return 1;
    if (flux_msg_refcount (msg) > 1) {
        flux_msg_t *cpy = flux_msg_copy (msg, true);
        flux_msg_decref (msg);
        if (!(msg = cpy))
            return -1;
    }
    if (flux_send_new (m->h, &msg, 0) < 0) {
        flux_msg_decref (msg);
        return -1;
    }
    return 0;
}

/* A request the module hands back as it finalizes (see "requeue" in
 * status_cb) comes with the two hops the channel added to it, the
 * broker's on the way in and the module's on the way out: remove them
 * and it is the request as the router delivered it.  The module's own
 * requests carry the module's hop only.
 */
static bool handed_back (struct module *m, flux_msg_t *msg)
{
    const char *last;
    int type;

    if (flux_msg_get_type (msg, &type) < 0 || type != FLUX_MSGTYPE_REQUEST
        || flux_msg_route_count (msg) < 2
        || !(last = flux_msg_route_last (msg)) || strcmp (last, m->uuid))
        return false;
    if (flux_msg_route_delete_last (msg) < 0)
        return false;
    if (!(last = flux_msg_route_last (msg))
        || strcmp (last, m->mm->ctx->uuid) != 0) {
        (void)flux_msg_route_push (msg, m->uuid);
        return false;
    }
    (void)flux_msg_route_delete_last (msg);
    return true;
}

static void module_recv_cb (flux_reactor_t *r, flux_watcher_t *w,
                            int revents, void *arg)
{
    struct module *m = arg;

    (void)r;
    (void)w;
    (void)revents;
    for (int i = 0; i < 64; i++) {
        flux_msg_t *msg;
        if (!(msg = flux_recv (m->h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK))) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                flux_log_error (m->mm->ctx->h, "%s: receive", m->name);
            return;
        }
        if (m->holding && handed_back (m, msg)) {
            router_forget (m->peer, msg); // the next instance answers it
            hold_msg (m, msg);
            continue;
        }
        router_recv (m->peer, msg);
    }
}

static int send_welcome (struct module *m, json_t *args)
{
    struct broker *ctx = m->mm->ctx;
    json_t *attrs;
    flux_msg_t *msg;
    struct flux_msg_cred owner = {
        .userid = getuid (),
        .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL,
    };

    if (!(attrs = attrs_immutables (ctx->attrs)))
        return -1;
    if (!(msg = flux_request_encode ("welcome", NULL))
        || flux_msg_pack (msg, "{s:s s:s s:s s:O s:o s:O}",
                          "name", m->name,
                          "uuid", m->uuid,
                          "path", m->path,
                          "args", args,
                          "attrs", attrs,
                          "conf", brokercfg_get (ctx->config)) < 0
        || flux_msg_set_noresponse (msg) < 0
        || flux_msg_set_cred (msg, owner) < 0
        || flux_send_new (m->h, &msg, 0) < 0) {
        flux_msg_destroy (msg);
        return -1;
    }
    return 0;
}

static int start_thread (struct module *m)
{
    sigset_t all, old;
    int e;

    /* The thread blocks signals itself too; blocking them around
     * pthread_create closes the window before it does.
     */
    sigfillset (&all);
    (void)pthread_sigmask (SIG_SETMASK, &all, &old);
    e = pthread_create (&m->thread, NULL, module_thread_main, m->thd);
    (void)pthread_sigmask (SIG_SETMASK, &old, NULL);
    if (e != 0) {
        errno = e;
        return -1;
    }
    m->thread_started = true;
    return 0;
}

/* Start an instance of module m: a new uuid and channel, its name
 * registered to the channel's peer, the welcome queued, the thread
 * started (with --exec, the process spawned).  On failure nothing of
 * the instance is left and the caller still owns 'entry'.
 */
static int instance_start (struct module *m, const struct module_entry *entry,
                           flux_error_t *error)
{
    struct broker *ctx = m->mm->ctx;
    uuid_t uuid;
    char uri[64 + UUID_STR_LEN];
    struct flux_msg_cred owner = {
        .userid = getuid (),
        .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL,
    };

    uuid_generate (uuid);
    uuid_unparse (uuid, m->uuid);
    m->status = FLUX_MODSTATE_INIT;
    if (!(m->thd = calloc (1, sizeof (*m->thd))))
        return -1;
    m->thd->entry = *entry;
    strcpy (m->thd->uuid, m->uuid);
    (void)snprintf (m->thd->name, sizeof (m->thd->name), "%s", m->name);
    (void)snprintf (m->thd->path, sizeof (m->thd->path), "%s", m->path);

    (void)snprintf (uri, sizeof (uri), "interthread://%s", m->uuid);
    if (!(m->h = flux_open (uri, 0))
        || flux_opt_set (m->h, FLUX_OPT_ROUTER_NAME, ctx->uuid,
                         strlen (ctx->uuid) + 1) < 0
        || flux_set_reactor (m->h, ctx->r) < 0
        || !(m->w = flux_handle_watcher_create (ctx->r, m->h, FLUX_POLLIN,
                                                module_recv_cb, m))
        || !(m->peer = router_peer_add (ctx->router, m->uuid, PEER_MODULE,
                                        owner, module_send, m)))
        goto error;
    if (services_add (ctx->services, m->name, m->peer) < 0)
        goto error;
    if (send_welcome (m, m->args) < 0)
        goto error;
    flux_watcher_start (m->w);
    if (m->exec_mode) {
        if (!(m->exec = module_exec_start (ctx->h, m->uuid, m->name,
                                           m->path, error)))
            goto error;
    }
    else if (start_thread (m) < 0)
        goto error;
    return 0;
error:
    if (m->peer)
        router_peer_remove (m->peer);
    m->peer = NULL;
    m->thd->entry.dso = NULL; // the caller still owns the entry
    instance_release (m, false);
    return -1;
}

static struct module *module_create (struct modmgr *mm,
                                     const char *name,
                                     const char *path,
                                     json_t *args,
                                     const struct module_entry *entry,
                                     bool exec,
                                     enum failure_policy policy,
                                     flux_error_t *error)
{
    struct module *m;

    if (!(m = calloc (1, sizeof (*m))))
        return NULL;
    m->mm = mm;
    m->exec_mode = exec;
    m->policy = policy;
    m->args = json_incref (args);
    if (!(m->name = strdup (name))
        || !(m->path = strdup (path))
        || instance_start (m, entry, error) < 0)
        goto error;
    /* Append: the list keeps load order. */
    struct module **mp;
    for (mp = &mm->head; *mp; mp = &(*mp)->next)
        ;
    *mp = m;
    m->seq = ++mm->loads;
    return m;
error:
    module_destroy (m, false);
    return NULL;
}

/* NAME from PATH: the basename up to its first '.'. */
static char *name_frompath (const char *path)
{
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    return strndup (base, strcspn (base, "."));
}

static int parse_policy (const char *s, enum failure_policy *policy)
{
    for (size_t i = 0; i < sizeof (policy_names) / sizeof (policy_names[0]);
         i++) {
        if (!strcmp (s, policy_names[i])) {
            *policy = i;
            return 0;
        }
    }
    return -1;
}

static void load_cb (flux_t *h,
                     flux_msg_handler_t *mh,
                     const flux_msg_t *msg,
                     void *arg)
{
    struct modmgr *mm = arg;
    const char *path;
    const char *name = NULL;
    json_t *args = NULL;
    json_t *noargs = NULL;
    int exec = 0;
    char *fullpath = NULL;
    char *derived = NULL;
    struct module_entry entry = { 0 };
    struct module *m;
    flux_error_t error = { .text = "" };
    struct stat sb;
    size_t i;
    json_t *o;
    const char *on_failure = NULL;
    const char *searchpath = NULL;
    enum failure_policy policy = POLICY_PANIC;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s?o s?s s?b s?s s?s}",
                             "path", &path,
                             "args", &args,
                             "name", &name,
                             "exec", &exec,
                             "on-failure", &on_failure,
                             "searchpath", &searchpath) < 0)
        goto error;
    if (on_failure && parse_policy (on_failure, &policy) < 0) {
        snprintf (error.text, sizeof (error.text),
                  "unknown failure policy '%s' (valid: panic, exit, restart)",
                  on_failure);
        errno = EINVAL;
        goto error;
    }
    if (args) {
        if (!json_is_array (args))
            goto eproto;
        json_array_foreach (args, i, o) {
            if (!json_is_string (o))
                goto eproto;
        }
    }
    if (mm->stopping) {
        snprintf (error.text, sizeof (error.text), "broker is shutting down");
        errno = ENOSYS;
        goto error;
    }
    /* A bare name is looked up, as flux-core's broker does; flux module
     * load sends its own FLUX_MODULE_PATH as "searchpath".
     */
    if (!strchr (path, '/')) {
        if (!(fullpath = module_loader_search (path, searchpath, &error)))
            goto error;
        path = fullpath;
    }
    if (stat (path, &sb) < 0 || !S_ISREG (sb.st_mode)) {
        if (errno == 0 || (access (path, F_OK) == 0))
            errno = EISDIR;
        snprintf (error.text, sizeof (error.text), "%s: %s",
                  path, strerror (errno));
        goto error;
    }
    if (!name) {
        if (!(derived = name_frompath (path)))
            goto error;
        name = derived;
    }
    if (!*name || strchr (name, '.')) {
        snprintf (error.text, sizeof (error.text),
                  "module name '%s' may not be empty or contain '.'", name);
        errno = EINVAL;
        goto error;
    }
    if (strlen (name) > MODULE_NAME_MAX) {
        snprintf (error.text, sizeof (error.text),
                  "module name too long (max %d characters)",
                  MODULE_NAME_MAX);
        errno = EINVAL;
        goto error;
    }
    if (lookup_name (mm, name)) {
        errno = EEXIST;
        snprintf (error.text, sizeof (error.text),
                  "module %s is already loaded: %s", name, strerror (errno));
        goto error;
    }
    if (services_lookup (mm->ctx->services, name)) {
        errno = EEXIST;
        snprintf (error.text, sizeof (error.text),
                  "service %s is already registered: %s", name,
                  strerror (errno));
        goto error;
    }
    /* With exec, the module's code is opened in its own process only. */
    if (!exec && module_loader_open (path, &entry, &error) < 0)
        goto error;
    if (!args && !(args = noargs = json_array ()))
        goto error;
    if (!(m = module_create (mm, name, path, args, &entry, exec, policy,
                             &error))) {
        if (!*error.text)
            snprintf (error.text, sizeof (error.text), "%s",
                      strerror (errno));
        module_loader_close (&entry);
        goto error;
    }
    json_decref (noargs);
    m->insmod = (flux_msg_t *)flux_msg_incref (msg);
    flux_log (h, LOG_DEBUG, "loading module %s from %s", name, path);
    free (fullpath);
    free (derived);
    return;
eproto:
    errno = EPROTO;
    snprintf (error.text, sizeof (error.text),
              "module.load args must be an array of strings");
error:
    if (flux_respond_error (h, msg, errno, *error.text ? error.text : NULL) < 0)
        flux_log_error (h, "error responding to module.load");
    json_decref (noargs);
    free (fullpath);
    free (derived);
}

static void send_shutdown (struct module *m)
{
    struct broker *ctx = m->mm->ctx;
    char topic[300];
    flux_msg_t *msg;
    struct flux_msg_cred owner = {
        .userid = getuid (),
        .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL,
    };

    (void)snprintf (topic, sizeof (topic), "%s.shutdown", m->name);
    if (!(msg = flux_request_encode (topic, NULL))
        || flux_msg_set_noresponse (msg) < 0
        || flux_msg_set_cred (msg, owner) < 0
        || flux_send_new (m->h, &msg, 0) < 0) {
        flux_log_error (ctx->h, "%s: error sending shutdown", m->name);
        flux_msg_destroy (msg);
    }
}

static double remove_timeout (struct modmgr *mm)
{
    const char *s = attrs_get (mm->ctx->attrs,
                               "broker.module-remove-timeout", NULL);
    char *end;
    double t;

    if (!s)
        return 5.;
    t = strtod (s, &end);
    if (end == s || t < 0)
        return 5.;
    return t;
}

/* A module that did not exit: interrupt it, then abandon it. */
static void remove_timer_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    struct module *m = arg;
    struct modmgr *mm = m->mm;
    flux_t *h = mm->ctx->h;

    (void)r;
    (void)revents;
    /* A process is sent SIGTERM, then SIGKILL, a timeout apart. */
    if (m->exec) {
        if (module_exec_escalate (m->exec) == 0) {
            flux_timer_watcher_reset (w, remove_timeout (mm), 0.);
            flux_watcher_start (w);
            return;
        }
    }
    else if (!m->interrupted) {
        m->interrupted = true;
        if (module_loader_interrupt (&m->thd->entry, m->thread) == 0)
            flux_log (h, LOG_WARNING,
                      "module %s did not exit after shutdown: interrupted",
                      m->name);
        else
            flux_log (h, LOG_WARNING,
                      "module %s did not exit after shutdown: %s",
                      m->name,
                      errno == ENOSYS ? "its loader cannot interrupt it"
                                      : strerror (errno));
        flux_timer_watcher_reset (w, remove_timeout (mm), 0.);
        flux_watcher_start (w);
        return;
    }
    flux_log (h, LOG_ERR,
              "module %s did not exit after shutdown: abandoning its thread",
              m->name);
    router_peer_mute (m->peer);
    router_peer_remove (m->peer);
    if (m->thread_started)
        (void)pthread_detach (m->thread);
    held_fail (m, "was abandoned");
    pending_respond (h, &m->rmmod);
    module_unlink (m);
    module_destroy (m, true);
    if (mm->draining) {
        mm->failed = true;
        shutdown_next (mm);
    }
}

/* A module with no running instance (waiting to be restarted, or its
 * restart failed) leaves for good: answer what was held for it and any
 * pending remove, and free it.
 */
static void module_gone (struct module *m, const char *why)
{
    struct modmgr *mm = m->mm;

    held_fail (m, why);
    router_peer_remove (m->standin);
    m->standin = NULL;
    pending_respond (mm->ctx->h, &m->rmmod);
    module_unlink (m);
    module_destroy (m, false);
    if (mm->draining)
        shutdown_next (mm);
}

/* A broker attribute as a number, or 'dflt' if unset or not a number
 * >= 'min'.
 */
static double attr_number (struct modmgr *mm, const char *name,
                           double dflt, double min)
{
    const char *s = attrs_get (mm->ctx->attrs, name, NULL);
    char *end;
    double v;

    if (!s)
        return dflt;
    v = strtod (s, &end);
    if (end == s || *end != '\0' || v < min)
        return dflt;
    return v;
}

/* The restart attributes' defaults: 5 restarts in 60 s, the first after
 * 0.1 s, each later one after twice the delay of the one before.
 */
#define RESTART_MAX_DEFAULT 5
#define RESTART_WINDOW_DEFAULT 60.
#define RESTART_DELAY_DEFAULT 0.1
#define RESTART_DELAY_CAP 60.

static void restart_cb (flux_reactor_t *r, flux_watcher_t *w,
                        int revents, void *arg)
{
    struct module *m = arg;
    struct modmgr *mm = m->mm;
    flux_t *h = mm->ctx->h;
    struct module_entry entry = { 0 };
    flux_error_t error = { .text = "" };

    (void)r;
    (void)w;
    (void)revents;
    if (m->unload_requested) {
        module_gone (m, "was removed while restarting");
        return;
    }
    if (mm->stopping || mm->draining) {
        module_gone (m, "was not restarted: the broker is shutting down");
        return;
    }
    /* The stand-in gives the name back to the new instance; requests
     * it held stay in m->held and go to that instance below.
     */
    router_peer_remove (m->standin);
    m->standin = NULL;
    /* With --exec, the module's code is opened in its new process. */
    if (!m->exec_mode && module_loader_open (m->path, &entry, &error) < 0) {
        flux_log (h, LOG_ERR, "module %s: restart: %s", m->name,
                  *error.text ? error.text : strerror (errno));
        goto gone;
    }
    if (instance_start (m, &entry, &error) < 0) {
        flux_log (h, LOG_ERR, "module %s: restart: %s", m->name,
                  *error.text ? error.text : strerror (errno));
        module_loader_close (&entry);
        goto gone;
    }
    m->restarts++;
    m->holding = false;
    flux_log (h, LOG_INFO, "module %s restarted (%d restart%s since load)",
              m->name, m->restarts, m->restarts == 1 ? "" : "s");
    while (m->held) {
        struct pending *p = m->held;
        m->held = p->next;
        router_deliver (m->peer, p->msg);
        free (p);
    }
    m->held_tail = NULL;
    m->held_count = 0;
    return;
gone:
    flux_log (h, LOG_CRIT, "%s module runtime failure: not restarted",
              m->name);
    module_gone (m, "could not be restarted");
}

/* After a runtime failure of a module with the restart policy: hand its
 * name to a stand-in that holds requests, and arm the restart timer.
 * Returns -1 if the module is not to be restarted (limit reached, or
 * out of resources): then it exits.  The instance is already gone.
 */
static int restart_schedule (struct module *m)
{
    struct modmgr *mm = m->mm;
    struct broker *ctx = mm->ctx;
    double now = flux_reactor_now (ctx->r);
    int max = (int)attr_number (mm, "broker.module-restart-max",
                                RESTART_MAX_DEFAULT, 0);
    double window = attr_number (mm, "broker.module-restart-window",
                                 RESTART_WINDOW_DEFAULT, 0);
    double delay = attr_number (mm, "broker.module-restart-delay",
                                RESTART_DELAY_DEFAULT, 0);
    struct flux_msg_cred owner = {
        .userid = getuid (),
        .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL,
    };
    char uuid_str[UUID_STR_LEN];
    uuid_t uuid;

    if (m->restarts_window == 0 || now - m->window_start > window) {
        m->window_start = now;
        m->restarts_window = 0;
    }
    if (m->restarts_window >= max) {
        flux_log (ctx->h, LOG_ERR,
                  "module %s failed %d time%s within %gs: not restarted",
                  m->name, m->restarts_window + 1,
                  m->restarts_window ? "s" : "", window);
        return -1;
    }
    for (int i = 0; i < m->restarts_window && delay < RESTART_DELAY_CAP; i++)
        delay *= 2;
    if (delay > RESTART_DELAY_CAP)
        delay = RESTART_DELAY_CAP;
    uuid_generate (uuid);
    uuid_unparse (uuid, uuid_str);
    if (!(m->standin = router_peer_add (ctx->router, uuid_str, PEER_MODULE,
                                        owner, standin_send, m))
        || services_add (ctx->services, m->name, m->standin) < 0)
        goto error;
    if (!m->restart_timer
        && !(m->restart_timer = flux_timer_watcher_create (ctx->r,
                                                           delay,
                                                           0.,
                                                           restart_cb,
                                                           m)))
        goto error;
    flux_timer_watcher_reset (m->restart_timer, delay, 0.);
    flux_watcher_start (m->restart_timer);
    m->restarts_window++;
    m->holding = true;
    flux_log (ctx->h, LOG_ERR,
              "module %s failed: restarting in %gs (restart %d of %d"
              " allowed within %gs)",
              m->name, delay, m->restarts_window, max, window);
    return 0;
error:
    flux_log_error (ctx->h, "module %s: cannot schedule a restart", m->name);
    router_peer_remove (m->standin);
    m->standin = NULL;
    return -1;
}

static int module_remove (struct module *m, bool cancel)
{
    struct modmgr *mm = m->mm;

    if (m->unload_requested)
        return 0;
    if (!m->thd) {
        /* Down, waiting to be restarted: no thread to stop.  It goes
         * from the restart timer, now, but not from this call: callers
         * (modmgr_shutdown) expect a module to leave later.
         */
        m->unload_requested = true;
        flux_timer_watcher_reset (m->restart_timer, 0., 0.);
        flux_watcher_start (m->restart_timer);
        return 0;
    }
    m->unload_requested = true;
    send_shutdown (m);
    if (!(m->remove_timer = flux_timer_watcher_create (mm->ctx->r,
                                                       remove_timeout (mm),
                                                       0.,
                                                       remove_timer_cb,
                                                       m)))
        return -1;
    if (cancel) // skip the first grace period
        flux_timer_watcher_reset (m->remove_timer, 0., 0.);
    flux_watcher_start (m->remove_timer);
    return 0;
}

static void remove_cb (flux_t *h,
                       flux_msg_handler_t *mh,
                       const flux_msg_t *msg,
                       void *arg)
{
    struct modmgr *mm = arg;
    const char *name;
    int cancel = 0;
    struct module *m;
    struct pending *p;
    char errbuf[300];
    const char *errstr = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s?b}",
                             "name", &name,
                             "cancel", &cancel) < 0)
        goto error;
    if (!(m = lookup_name (mm, name))) {
        (void)snprintf (errbuf, sizeof (errbuf),
                        "module %s is not loaded", name);
        errstr = errbuf;
        errno = ENOENT;
        goto error;
    }
    if (!(p = calloc (1, sizeof (*p))))
        goto error;
    p->msg = (flux_msg_t *)flux_msg_incref (msg);
    p->next = m->rmmod;
    m->rmmod = p;
    if (module_remove (m, cancel) < 0)
        flux_log_error (h, "%s: error arming the remove timer", name);
    return;
error:
    if (flux_respond_error (h, msg, errno, errstr) < 0)
        flux_log_error (h, "error responding to module.remove");
}

static void module_exited (struct module *m)
{
    struct modmgr *mm = m->mm;
    struct broker *ctx = mm->ctx;
    flux_t *h = ctx->h;
    const char *errstr = m->errstr ? m->errstr : strerror (m->errnum);
    bool failed = m->errnum != 0 && !m->unload_requested && !m->insmod;
    enum failure_policy policy = m->policy;
    char *name = NULL;

    flux_log (h, LOG_DEBUG, "module %s exited", m->name);
    if (m->errnum)
        flux_log (h, LOG_ERR, "%s: %s", m->name, errstr);
    /* A module process that died answers what it held as flux-core's
     * broker does; the router answers the rest of what a module leaves
     * with ENOSYS.
     */
    if (module_exec_died (m->exec))
        router_peer_fail_held (m->peer, EHOSTUNREACH, "module disconnect");
    router_peer_remove (m->peer);
    m->peer = NULL;
    if (m->insmod) {
        if (m->errnum) {
            if (flux_respond_error (h, m->insmod, m->errnum, errstr) < 0)
                flux_log_error (h, "error responding to module.load");
        }
        else if (flux_respond (h, m->insmod, NULL) < 0)
            flux_log_error (h, "error responding to module.load");
        flux_msg_decref (m->insmod);
        m->insmod = NULL;
    }
    pending_respond (h, &m->rmmod);
    if (m->thread_started) {
        int e = pthread_join (m->thread, NULL);
        if (e != 0)
            flux_log (h, LOG_ERR, "%s: pthread_join: %s", m->name,
                      strerror (e));
    }
    free (m->errstr);
    m->errstr = NULL;
    if (failed && policy == POLICY_RESTART && !mm->stopping
        && !mm->draining) {
        instance_release (m, false);
        if (restart_schedule (m) == 0)
            return;
    }
    held_fail (m, failed ? "failed" : "has exited");
    if (failed)
        name = strdup (m->name);
    if (mm->draining && m->errnum != 0)
        mm->failed = true;
    module_unlink (m);
    module_destroy (m, false);
    if (failed) {
        if (policy == POLICY_PANIC) {
            flux_log (h, LOG_CRIT, "%s module runtime failure",
                      name ? name : "unknown");
            if (!attrs_get_bool (ctx->attrs, "broker.module-nopanic"))
                broker_panic (ctx, "module runtime failure");
        }
        else
            flux_log (h, LOG_CRIT, "%s module runtime failure: the module"
                      " exits, the broker goes on (on-failure=%s)",
                      name ? name : "unknown", policy_names[policy]);
        free (name);
    }
    if (mm->draining)
        shutdown_next (mm);
}

static void status_cb (flux_t *h,
                       flux_msg_handler_t *mh,
                       const flux_msg_t *msg,
                       void *arg)
{
    struct modmgr *mm = arg;
    int status;
    int errnum = 0;
    const char *errstr = NULL;
    struct module *m;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:i s?i s?s}",
                             "status", &status,
                             "errnum", &errnum,
                             "errstr", &errstr) < 0)
        goto error;
    if (!(m = lookup_uuid (mm, flux_msg_route_first (msg)))) {
        errno = ENOENT;
        goto error;
    }
    switch (status) {
        case FLUX_MODSTATE_RUNNING:
            if (m->status != FLUX_MODSTATE_INIT)
                break;
            m->status = status;
            if (m->insmod) {
                if (flux_respond (h, m->insmod, NULL) < 0)
                    flux_log_error (h, "error responding to module.load");
                flux_msg_decref (m->insmod);
                m->insmod = NULL;
            }
            flux_log (h, LOG_DEBUG, "module %s running", m->name);
            break;
        case FLUX_MODSTATE_FINALIZING:
            m->status = status;
            /* A module that may be restarted keeps its requests: the
             * broker holds them from now on, for the next instance.
             */
            if (m->policy == POLICY_RESTART && !m->unload_requested
                && !m->insmod && !mm->stopping && !mm->draining)
                m->holding = true;
            else
                router_peer_mute (m->peer);
            /* "requeue": the module hands back the requests still in
             * its queue (see module_recv_cb) instead of failing them.
             */
            if ((m->holding
                 ? flux_respond_pack (h, msg, "{s:b}", "requeue", 1)
                 : flux_respond (h, msg, NULL)) < 0)
                flux_log_error (h, "error responding to module.status");
            break;
        case FLUX_MODSTATE_EXITED:
            m->status = status;
            m->errnum = errnum;
            if (errstr && *errstr
                && !(m->errstr = exit_error_text (errstr, errnum)))
                flux_log_error (h, "module.status");
            module_exited (m);
            break;
        default:
            errno = EINVAL;
            goto error;
    }
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to module.status");
}

/* Messages waiting on the module's channel one way (see handle.h), for
 * module.list's sendqueue/recvqueue; 0 if the count cannot be had.
 */
static int queue_count (flux_t *h, const char *option)
{
    size_t count;

    if (!h || flux_opt_get (h, option, &count, sizeof (count)) < 0)
        return 0;
    return count > INT_MAX ? INT_MAX : (int)count;
}

static void list_cb (flux_t *h,
                     flux_msg_handler_t *mh,
                     const flux_msg_t *msg,
                     void *arg)
{
    struct modmgr *mm = arg;
    double now = flux_reactor_now (mm->ctx->r);
    json_t *mods;
    int policy = 0;

    (void)mh;
    /* The failure policy and restart count only on request ({"policy":
     * true}, as flux module list -P asks): by default each entry has
     * flux-core's keys, no more.  flux-core's request has no payload.
     */
    if (flux_request_unpack (msg, NULL, "{s?b}", "policy", &policy) < 0)
        policy = 0;
    if (!(mods = json_array ()))
        goto nomem;
    for (struct module *m = mm->head; m; m = m->next) {
        /* A module waiting to be restarted is listed with its stand-in,
         * status EXITED, and the requests held for it as its sendqueue.
         */
        struct peer *peer = m->peer ? m->peer : m->standin;
        json_t *services;
        json_t *o;
        if (!(services = services_list_peer (mm->ctx->services, peer,
                                             m->name)))
            goto nomem;
        if (!(o = json_pack ("{s:s s:s s:i s:i s:o s:i s:i s:s s:i}",
                             "name", m->name,
                             "path", m->path,
                             "idle", peer ? (int)(now - router_peer_last_rx (peer))
                                          : 0,
                             "status", m->status,
                             "services", services,
                             "sendqueue", queue_count (m->h,
                                               FLUX_OPT_SEND_QUEUE_COUNT)
                                          + m->held_count,
                             "recvqueue", queue_count (m->h,
                                               FLUX_OPT_RECV_QUEUE_COUNT),
                             "on-failure", policy_names[m->policy],
                             "restarts", m->restarts))
            || (!policy
                && (json_object_del (o, "on-failure") < 0
                    || json_object_del (o, "restarts") < 0))
            || json_array_append_new (mods, o) < 0) {
            json_decref (o);
            goto nomem;
        }
    }
    if (flux_respond_pack (h, msg, "{s:o}", "mods", mods) < 0)
        flux_log_error (h, "error responding to module.list");
    return;
nomem:
    json_decref (mods);
    if (flux_respond_error (h, msg, ENOMEM, NULL) < 0)
        flux_log_error (h, "error responding to module.list");
}

/* Hold back (defer) or release what a module sends, for tests that need
 * a module's messages to arrive late.
 */
static void debug_cb (flux_t *h,
                      flux_msg_handler_t *mh,
                      const flux_msg_t *msg,
                      void *arg)
{
    struct modmgr *mm = arg;
    const char *name;
    int defer;
    struct module *m;
    char errbuf[300];
    const char *errstr = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s:b}",
                             "name", &name,
                             "defer", &defer) < 0)
        goto error;
    if (!(m = lookup_name (mm, name))) {
        (void)snprintf (errbuf, sizeof (errbuf),
                        "module %s is not loaded", name);
        errstr = errbuf;
        errno = ENOENT;
        goto error;
    }
    if (!m->w) {
        (void)snprintf (errbuf, sizeof (errbuf),
                        "module %s is restarting", name);
        errstr = errbuf;
        errno = EAGAIN;
        goto error;
    }
    if (defer)
        flux_watcher_stop (m->w);
    else
        flux_watcher_start (m->w);
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "error responding to module.debug");
    return;
error:
    if (flux_respond_error (h, msg, errno, errstr) < 0)
        flux_log_error (h, "error responding to module.debug");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "module.load", load_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "module.remove", remove_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "module.list", list_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "module.debug", debug_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "module.status", status_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

/* Remove the newest module loaded after mm->floor, one at a time (each
 * exit or abandonment calls this again); when there is none left, the
 * phase is over: call done.
 */
static void shutdown_next (struct modmgr *mm)
{
    struct module *last = NULL;

    for (struct module *m = mm->head; m; m = m->next) {
        if (m->seq > mm->floor)
            last = m;
    }
    if (!last) {
        mm->draining = false;
        if (mm->done) {
            void (*done)(void *) = mm->done;
            mm->done = NULL;
            done (mm->done_arg);
        }
        return;
    }
    if (last->unload_requested)
        return; // already on its way out
    flux_log (mm->ctx->h, LOG_INFO, "shutdown: removing module %s",
              last->name);
    if (module_remove (last, false) < 0)
        flux_log_error (mm->ctx->h, "%s: remove", last->name);
}

static int drain (struct modmgr *mm, unsigned floor,
                  void (*done)(void *arg), void *arg)
{
    int count = 0;

    for (struct module *m = mm->head; m; m = m->next) {
        if (m->seq > floor)
            count++;
    }
    if (count == 0)
        return 0;
    mm->draining = true;
    mm->floor = floor;
    mm->done = done;
    mm->done_arg = arg;
    shutdown_next (mm);
    return count;
}

unsigned modmgr_loads (struct modmgr *mm)
{
    return mm ? mm->loads : 0;
}

int modmgr_remove_newer (struct modmgr *mm, unsigned mark,
                         void (*done)(void *arg), void *arg)
{
    if (!mm || mm->draining)
        return 0;
    return drain (mm, mark, done, arg);
}

int modmgr_shutdown (struct modmgr *mm, void (*done)(void *arg), void *arg)
{
    mm->stopping = true;
    /* N.B. a phase of modmgr_remove_newer() still running is taken over. */
    mm->draining = false;
    return drain (mm, 0, done, arg);
}

bool modmgr_failed (struct modmgr *mm)
{
    return mm && mm->failed;
}

void modmgr_destroy (struct modmgr *mm)
{
    if (mm) {
        int saved_errno = errno;
        flux_msg_handler_delvec (mm->handlers);
        /* Anything left has a live thread: abandon it. */
        while (mm->head) {
            struct module *m = mm->head;
            mm->head = m->next;
            if (m->thread_started)
                (void)pthread_detach (m->thread);
            module_destroy (m, true);
        }
        module_exec_fini_all ();
        free (mm);
        errno = saved_errno;
    }
}

struct modmgr *modmgr_create (struct broker *ctx)
{
    struct modmgr *mm;

    if (!(mm = calloc (1, sizeof (*mm))))
        return NULL;
    mm->ctx = ctx;
    if (flux_msg_handler_addvec (ctx->h, htab, mm, &mm->handlers) < 0) {
        modmgr_destroy (mm);
        return NULL;
    }
    return mm;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
