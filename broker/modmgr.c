/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The module manager: the broker's side of RFC 5.
 *
 * The manager keeps the modules in load order, serves module.load,
 * module.remove, module.list, module.debug and module.status, and
 * removes modules in phases at shutdown.  One module's channel and
 * thread are module.c; removal and the failure policy, module_policy.c;
 * which code runs a module file, module_loader.c.  The module.load
 * request is held until the module says how it is doing:
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
 */
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sys/resource.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modmgr.h"
#include "module.h"
#include "module_loader.h"
#include "module_exec.h"
#include "router.h"
#include "service.h"
#include "errprintf.h"
#include "strmap.h"

/* The longest module name the broker accepts.  flux-core sets no limit
 * of its own, but a module builds topics and keys from its name in
 * 256-byte buffers (libflux/module.c: "flux::module_methods::NAME",
 * "NAME.stats-clear"), so a longer name could only fail inside the
 * module with a bare EINVAL.
 */
#define MODULE_NAME_MAX 128

/* Take m off the list and the map (module.c puts it on both). */
void module_unlink (struct module *m)
{
    struct modmgr *mm = m->mm;

    if (!m->prevp)
        return;
    (void)strmap_remove (mm->byname, m->name, m);
    if ((*m->prevp = m->next))
        m->next->prevp = m->prevp;
    else
        mm->tail = m->prevp;
    m->next = NULL;
    m->prevp = NULL;
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
    return strmap_lookup (mm->byname, name, strlen (name));
}

/* The module named 'name', or NULL with errno ENOENT and "module NAME
 * is not loaded" in errbuf, the text module.remove and module.debug
 * answer with.
 */
static struct module *lookup_loaded (struct modmgr *mm, const char *name,
                                     char *errbuf, size_t size)
{
    struct module *m;

    if (!(m = lookup_name (mm, name))) {
        (void)snprintf (errbuf, size, "module %s is not loaded", name);
        errno = ENOENT;
    }
    return m;
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

/* The module file 'path' names: a bare name is looked up, as flux-core's
 * broker does (flux module load sends its own FLUX_MODULE_PATH as
 * 'searchpath'; *fullpath is then the file found, to free).  Returns the
 * path of a regular file, or NULL with errno and error->text.
 */
static const char *module_file (const char *path,
                                const char *searchpath,
                                char **fullpath,
                                flux_error_t *error)
{
    struct stat sb;

    if (!strchr (path, '/')) {
        if (!(*fullpath = module_loader_search (path, searchpath, error)))
            return NULL;
        path = *fullpath;
    }
    if (stat (path, &sb) < 0 || !S_ISREG (sb.st_mode)) {
        if (errno == 0 || (access (path, F_OK) == 0))
            errno = EISDIR;
        snprintf (error->text, sizeof (error->text), "%s: %s",
                  path, strerror (errno));
        return NULL;
    }
    return path;
}

/* Module arguments: an array of strings. */
static bool args_valid (json_t *args)
{
    size_t i;
    json_t *o;

    if (!json_is_array (args))
        return false;
    json_array_foreach (args, i, o) {
        if (!json_is_string (o))
            return false;
    }
    return true;
}

/* NAME from PATH: the basename up to its first '.'. */
static char *name_frompath (const char *path)
{
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    return strndup (base, strcspn (base, "."));
}

/* What module.load and module.reload ('topic') check alike: the
 * failure policy, if given (then *policy), the arguments, if given, and
 * a broker that is not shutting down.  Returns 0, or -1 with errno and
 * error->text.
 */
static int check_load_request (struct modmgr *mm,
                               const char *topic,
                               const char *on_failure,
                               enum failure_policy *policy,
                               json_t *args,
                               flux_error_t *error)
{
    if (on_failure && parse_policy (on_failure, policy) < 0) {
        errno = EINVAL;
        return errprintf (error, "unknown failure policy '%s' (valid: panic,"
                          " exit, restart)", on_failure);
    }
    if (args && !args_valid (args)) {
        errno = EPROTO;
        return errprintf (error, "%s args must be an array of strings",
                          topic);
    }
    if (mm->stopping) {
        errno = ENOSYS;
        return errprintf (error, "broker is shutting down");
    }
    return 0;
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
    if (check_load_request (mm, "module.load", on_failure, &policy, args,
                            &error) < 0)
        goto error;
    if (!(path = module_file (path, searchpath, &fullpath, &error)))
        goto error;
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
error:
    if (flux_respond_error (h, msg, errno, *error.text ? error.text : NULL) < 0)
        flux_log_error (h, "error responding to module.load");
    json_decref (noargs);
    free (fullpath);
    free (derived);
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
    if (!(m = lookup_loaded (mm, name, errbuf, sizeof (errbuf)))) {
        errstr = errbuf;
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

/* module.reload {name, path?, args?, searchpath?, on-failure?}: our
 * request (module_reload.c); without path, the module's own file, and
 * without args, its own arguments.
 */
static void reload_cb (flux_t *h,
                       flux_msg_handler_t *mh,
                       const flux_msg_t *msg,
                       void *arg)
{
    struct modmgr *mm = arg;
    const char *name;
    const char *path = NULL;
    const char *searchpath = NULL;
    const char *on_failure = NULL;
    json_t *args = NULL;
    char *fullpath = NULL;
    enum failure_policy policy;
    struct module *m;
    flux_error_t error = { .text = "" };

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s?s s?o s?s s?s}",
                             "name", &name,
                             "path", &path,
                             "args", &args,
                             "searchpath", &searchpath,
                             "on-failure", &on_failure) < 0)
        goto error;
    if (check_load_request (mm, "module.reload", on_failure, &policy, args,
                            &error) < 0
        || !(m = lookup_loaded (mm, name, error.text, sizeof (error.text))))
        goto error;
    if (path && !(path = module_file (path, searchpath, &fullpath, &error)))
        goto error;
    if (module_reload (m, msg, path ? path : m->path,
                       args ? args : m->args, on_failure ? &policy : NULL,
                       &error) < 0)
        goto error;
    free (fullpath);
    return;
error:
    if (flux_respond_error (h, msg, errno, *error.text ? error.text : NULL) < 0)
        flux_log_error (h, "error responding to module.reload");
    free (fullpath);
}

/* module.stack {name}: see module_stack.c. */
static void stack_cb (flux_t *h,
                      flux_msg_handler_t *mh,
                      const flux_msg_t *msg,
                      void *arg)
{
    struct modmgr *mm = arg;
    const char *name;
    struct module *m;
    flux_error_t error = { .text = "" };

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s}", "name", &name) < 0)
        goto error;
    if (!(m = lookup_loaded (mm, name, error.text, sizeof (error.text)))
        || module_stack (m, msg, &error) < 0)
        goto error;
    return;
error:
    if (flux_respond_error (h, msg, errno, *error.text ? error.text : NULL) < 0)
        flux_log_error (h, "error responding to module.stack");
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
            /* So does a module being reloaded: it stops once it has
             * answered reload-prepare, perhaps before the broker has
             * read the answer (module_reload.c).
             */
            if (m->reload
                || (m->policy == POLICY_RESTART && !m->unload_requested
                    && !m->insmod && !mm->stopping && !mm->draining))
                m->holding = true;
            else
                router_peer_mute (m->peer);
            /* "requeue": the module hands back the requests still in
             * its queue (see module_take) instead of failing them.
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
    if (!(m = lookup_loaded (mm, name, errbuf, sizeof (errbuf)))) {
        errstr = errbuf;
        goto error;
    }
    if (!m->h) {
        (void)snprintf (errbuf, sizeof (errbuf),
                        "module %s is restarting", name);
        errstr = errbuf;
        errno = EAGAIN;
        goto error;
    }
    module_watch (m, !defer);
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
    { FLUX_MSGTYPE_REQUEST, "module.reload", reload_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "module.stack", stack_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "module.list", list_cb, FLUX_ROLE_USER },
    { FLUX_MSGTYPE_REQUEST, "module.debug", debug_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "module.status", status_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

/* Remove the newest module loaded after mm->floor, one at a time (each
 * exit or abandonment calls this again); when there is none left, the
 * phase is over: call done.
 */
void shutdown_next (struct modmgr *mm)
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

/* Seconds from the last module exit to the trim: long enough that the
 * exits of many modules removed together cost one trim.
 */
#define TRIM_DELAY 0.05

/* Give back to the system the memory the modules that exited freed.
 * A module's thread allocates from one of glibc's per-thread arenas,
 * and what it frees there stays mapped: it is reused by later
 * allocations in that arena, but is not returned by itself unless it
 * is at the top of the arena.  With 1,000 Python modules loaded at
 * once and then removed, 110 MB of RSS stayed.  malloc_trim(0) walks
 * every arena and releases its free pages.
 */
static void trim_cb (flux_reactor_t *r, flux_watcher_t *w,
                     int revents, void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    (void)arg;
    (void)malloc_trim (0);
}

void modmgr_trim_later (struct modmgr *mm)
{
    if (!mm->trim_timer
        && !(mm->trim_timer = flux_timer_watcher_create (mm->ctx->r,
                                                         TRIM_DELAY, 0.,
                                                         trim_cb, mm)))
        return; // the memory is only kept for later use
    /* Each exit postpones it: a burst of exits is trimmed once, after
     * the last.
     */
    flux_watcher_stop (mm->trim_timer);
    flux_timer_watcher_reset (mm->trim_timer, TRIM_DELAY, 0.);
    flux_watcher_start (mm->trim_timer);
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
        flux_watcher_destroy (mm->trim_timer);
        /* Anything left has a live thread: abandon it. */
        while (mm->head) {
            struct module *m = mm->head;
            module_unlink (m);
            if (m->thread_started)
                (void)pthread_detach (m->thread);
            module_destroy (m, true);
        }
        module_stacks_destroy (mm);
        modules_ready_fini (mm);
        module_exec_fini_all ();
        strmap_destroy (mm->byname);
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
    mm->tail = &mm->head;
    if (!(mm->byname = strmap_create ())) {
        free (mm);
        return NULL;
    }
    /* One malloc arena for every thread, before any module thread
     * exists.  glibc gives threads arenas of their own (up to 8 per
     * core), and what a module thread frees in one stays there, spread
     * over pages that malloc_trim() cannot give back while anything
     * else lives on them: with 1,000 Python modules loaded at once and
     * removed, 40-110 MB stayed even after a trim; with one arena,
     * 14-20 MB.  Module threads mostly take turns (the GIL) and small
     * allocations come from each thread's own cache (tcache) without
     * the arena's lock; the RPC rates of bench/rpc_rate did not move
     * beyond the noise here.
     */
    (void)mallopt (M_ARENA_MAX, 1);
    /* Each module costs a descriptor (module_thread.c): the soft limit
     * goes up to the hard one, as flux-core's broker raises it at start,
     * so that the number of modules is bounded by what the system
     * allows, not by a default of 1,024.
     */
    struct rlimit rl;
    if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit (RLIMIT_NOFILE, &rl);
    }
    if (modules_ready_init (mm) < 0
        || flux_msg_handler_addvec (ctx->h, htab, mm, &mm->handlers) < 0) {
        modmgr_destroy (mm);
        return NULL;
    }
    return mm;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
