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
 * its load was answered, has failed at run time: the broker logs it and,
 * unless broker.module-nopanic is set, shuts the instance down with an
 * error, as flux-core's broker panics.
 *
 * Removal is a request to NAME.shutdown, which stops the module's
 * reactor.  A module that ignores it for broker.module-remove-timeout
 * seconds is interrupted through its loader, if the loader can (Python
 * raises an exception in the thread); one that ignores that too is
 * abandoned: it is muted, its thread detached, and nothing is routed to
 * it again.  Its memory, and a C module's code, stay mapped, since the
 * thread may still be running in them.
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
    int status;
    int errnum;
    char *errstr;
    bool unload_requested;
    bool interrupted;
    flux_msg_t *insmod;
    struct pending *rmmod;
    flux_watcher_t *remove_timer;
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

/* Free the broker's side.  The thread must be joined, or abandoned
 * (then thd, which it may still read, is leaked on purpose).
 */
static void module_destroy (struct module *m, bool abandoned)
{
    if (m) {
        int saved_errno = errno;
        flux_watcher_destroy (m->w);
        flux_watcher_destroy (m->remove_timer);
        flux_close (m->h);
        if (m->insmod)
            flux_msg_decref (m->insmod);
        while (m->rmmod) {
            struct pending *p = m->rmmod;
            m->rmmod = p->next;
            flux_msg_decref (p->msg);
            free (p);
        }
        if (!abandoned && m->thd) {
            module_loader_close (&m->thd->entry);
            free (m->thd);
        }
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

/* peer_send_f: into the module's channel, which pushes/pops routes. */
static int module_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    struct module *m = arg;

    (void)p;
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

static struct module *module_create (struct modmgr *mm,
                                     const char *name,
                                     const char *path,
                                     json_t *args,
                                     const struct module_entry *entry)
{
    struct broker *ctx = mm->ctx;
    struct module *m;
    uuid_t uuid;
    char uri[64 + UUID_STR_LEN];
    struct flux_msg_cred owner = {
        .userid = getuid (),
        .rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL,
    };

    if (!(m = calloc (1, sizeof (*m))))
        return NULL;
    m->mm = mm;
    uuid_generate (uuid);
    uuid_unparse (uuid, m->uuid);
    if (!(m->name = strdup (name))
        || !(m->path = strdup (path))
        || !(m->thd = calloc (1, sizeof (*m->thd))))
        goto error;
    m->thd->entry = *entry;
    strcpy (m->thd->uuid, m->uuid);
    (void)snprintf (m->thd->name, sizeof (m->thd->name), "%s", name);
    (void)snprintf (m->thd->path, sizeof (m->thd->path), "%s", path);

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
    if (services_add (ctx->services, name, m->peer) < 0)
        goto error;
    if (send_welcome (m, args) < 0)
        goto error;
    flux_watcher_start (m->w);
    if (start_thread (m) < 0)
        goto error;
    /* Append: the list keeps load order. */
    struct module **mp;
    for (mp = &mm->head; *mp; mp = &(*mp)->next)
        ;
    *mp = m;
    m->seq = ++mm->loads;
    return m;
error:
    if (m->peer)
        router_peer_remove (m->peer);
    if (m->thd)
        m->thd->entry.dso = NULL; // the caller still owns the entry
    module_destroy (m, false);
    return NULL;
}

/* Find NAME.so or NAME.py in the module search path. */
static char *module_search (const char *name)
{
    const char *searchpath = getenv ("FLUX_MODULE_PATH");
    const char *suffixes[] = { ".so", ".py" };
    char *cpy, *dir, *saveptr = NULL;
    char path[PATH_MAX];
    char *result = NULL;

    if (!searchpath
        && !(searchpath = flux_conf_builtin_get ("module_path",
                                                 FLUX_CONF_AUTO)))
        return NULL;
    if (!(cpy = strdup (searchpath)))
        return NULL;
    for (size_t i = 0; i < 2 && !result; i++) {
        for (dir = strtok_r (cpy, ":", &saveptr); dir && !result;
             dir = strtok_r (NULL, ":", &saveptr)) {
            (void)snprintf (path, sizeof (path), "%s/%s%s",
                            dir, name, suffixes[i]);
            if (access (path, R_OK) == 0)
                result = strdup (path);
        }
        strcpy (cpy, searchpath);
    }
    free (cpy);
    return result;
}

/* NAME from PATH: the basename up to its first '.'. */
static char *name_frompath (const char *path)
{
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    return strndup (base, strcspn (base, "."));
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
    char *fullpath = NULL;
    char *derived = NULL;
    struct module_entry entry = { 0 };
    struct module *m;
    flux_error_t error = { .text = "" };
    struct stat sb;
    size_t i;
    json_t *o;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s?o s?s}",
                             "path", &path,
                             "args", &args,
                             "name", &name) < 0)
        goto error;
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
    if (!strchr (path, '/') && (fullpath = module_search (path)))
        path = fullpath;
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
    if (module_loader_open (path, &entry, &error) < 0)
        goto error;
    if (!args && !(args = noargs = json_array ()))
        goto error;
    if (!(m = module_create (mm, name, path, args, &entry))) {
        snprintf (error.text, sizeof (error.text), "%s", strerror (errno));
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
    if (!m->interrupted) {
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
    (void)pthread_detach (m->thread);
    pending_respond (h, &m->rmmod);
    module_unlink (m);
    module_destroy (m, true);
    if (mm->draining) {
        mm->failed = true;
        shutdown_next (mm);
    }
}

static int module_remove (struct module *m, bool cancel)
{
    struct modmgr *mm = m->mm;

    if (m->unload_requested)
        return 0;
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
    char *name = NULL;

    flux_log (h, LOG_DEBUG, "module %s exited", m->name);
    if (m->errnum)
        flux_log (h, LOG_ERR, "%s: %s", m->name, errstr);
    router_peer_remove (m->peer);
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
    if (failed)
        name = strdup (m->name);
    if (mm->draining && m->errnum != 0)
        mm->failed = true;
    module_unlink (m);
    module_destroy (m, false);
    if (failed) {
        flux_log (h, LOG_CRIT, "%s module runtime failure",
                  name ? name : "unknown");
        if (!attrs_get_bool (ctx->attrs, "broker.module-nopanic"))
            broker_panic (ctx, "module runtime failure");
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
            router_peer_mute (m->peer);
            if (flux_respond (h, msg, NULL) < 0)
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

    (void)mh;
    if (!(mods = json_array ()))
        goto nomem;
    for (struct module *m = mm->head; m; m = m->next) {
        json_t *services;
        json_t *o;
        if (!(services = services_list_peer (mm->ctx->services, m->peer,
                                             m->name)))
            goto nomem;
        if (!(o = json_pack ("{s:s s:s s:i s:i s:o s:i s:i}",
                             "name", m->name,
                             "path", m->path,
                             "idle", (int)(now - router_peer_last_rx (m->peer)),
                             "status", m->status,
                             "services", services,
                             "sendqueue", queue_count (m->h,
                                               FLUX_OPT_SEND_QUEUE_COUNT),
                             "recvqueue", queue_count (m->h,
                                               FLUX_OPT_RECV_QUEUE_COUNT)))
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
