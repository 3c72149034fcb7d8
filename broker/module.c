/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* One module: its channel, its thread (or process), its status.
 *
 * A module is a thread with a channel.  To load one, the broker picks a
 * loader by suffix (module_loader.c), creates interthread://UUID, opens
 * its own end in router mode, registers the module's name as a service
 * owned by that channel, puts the welcome in the channel, and only then
 * starts the thread (module_thread.c).  The manager (modmgr.c) answers
 * module.load once the module says how it is doing; what happens when it
 * leaves is module_policy.c.
 *
 * With "exec" in module.load (flux module load --exec), everything above
 * holds, but in place of the thread a process runs the module
 * (module_exec.c): it is sent SIGTERM, then SIGKILL, where a thread
 * would be interrupted, and its death without EXITED is reported as
 * its EXITED, so it fails as any module fails (module_policy.c), and the
 * broker's process is not harmed.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "module.h"
#include "module_thread.h"
#include "module_exec.h"
#include "router.h"
#include "service.h"
#include "attr.h"
#include "brokercfg.h"
#include "strmap.h"

void pending_respond (flux_t *h, struct pending **list)
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

void pending_free (struct pending **list)
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
void instance_release (struct module *m, bool abandoned)
{
    flux_readyset_remove (m->mm->ready, m->h);
    m->watching = false;
    flux_watcher_destroy (m->w_more);
    m->w_more = NULL;
    flux_watcher_destroy (m->w_nowait);
    m->w_nowait = NULL;
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
void module_destroy (struct module *m, bool abandoned)
{
    if (m) {
        int saved_errno = errno;
        reload_cancel (m, "is gone");
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

/* Answer a request the module will not get with an error (no answer if
 * it wants none).  Consumes msg.  The response goes through the router
 * as if the broker's own peer sent it, so it finds its way back along
 * the request's route.
 */
void answer_error (struct modmgr *mm, flux_msg_t *msg, int errnum,
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
            hold_msg (m, msg, false);
            return 1;
        }
    }
    if (flux_opt_get (m->h, FLUX_OPT_SEND_QUEUE_COUNT,
                      &count, sizeof (count)) == 0
        && !module_queue_admit (m, msg, count))
        return 1;
    if (!(msg = router_msg_own (msg)))
        return -1;
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

/* What the module sends goes to the router, but for a request it hands
 * back to be held for its next instance.
 */
static bool module_take (flux_msg_t *msg, void *arg)
{
    struct module *m = arg;

    if (!m->holding || !handed_back (m, msg))
        return false;
    router_forget (m->peer, msg); // the next instance answers it
    hold_msg (m, msg, true);
    return true;
}

/* Read what the module sent, a batch at a time (router_recv_from), so
 * that one busy module does not keep the broker from the others.
 *
 * N.B. Neither a handle watcher (flux_handle_watcher_create) nor an fd
 * watcher per module: each would need a descriptor per module in the
 * broker (two eventfds and a nested epoll for the handle's pollfd), and
 * every module thread's libev loop keeps an array as long as the
 * highest descriptor number it watches, so N modules cost memory as N
 * squared.  The broker's end of every channel is in one ready set
 * instead (mm->ready): a channel is listed, and the set's one eventfd
 * written, when it goes from empty to non-empty.  Only when a batch
 * leaves messages behind (no new listing will come for them) does the
 * module get a check watcher, which reads again on every turn, and an
 * idle one, which keeps the loop from blocking meanwhile, as the handle
 * watcher does; both stop once the channel is empty.  An idle module
 * costs nothing per turn.
 */
static void module_read (struct module *m)
{
    int events = flux_pollevents (m->h);
    size_t left = 0;

    if (events < 0 || (events & FLUX_POLLIN)) {
        if (router_recv_from (m->peer, m->h, module_take, m) < 0)
            flux_log_error (m->mm->ctx->h, "%s: receive", m->name);
    }
    /* What arrives to an empty channel after this count lists it again. */
    if (flux_opt_get (m->h, FLUX_OPT_RECV_QUEUE_COUNT,
                      &left, sizeof (left)) == 0 && left > 0) {
        flux_watcher_start (m->w_more);
        flux_watcher_start (m->w_nowait);
    }
    else {
        flux_watcher_stop (m->w_more);
        flux_watcher_stop (m->w_nowait);
    }
}

static void module_more_cb (flux_reactor_t *r, flux_watcher_t *w,
                            int revents, void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    module_read (arg);
}

/* Some channels went from empty to non-empty: read each.  A module
 * that is not being read (module.debug) is skipped: module_watch reads
 * it when it is read again.
 * N.B. reading a module's channel only routes messages (those for the
 * broker's own services are queued to its handle), so no module is
 * destroyed while the list is walked; one that was is off the list.
 */
static void modules_ready_cb (flux_reactor_t *r, flux_watcher_t *w,
                              int revents, void *arg)
{
    struct modmgr *mm = arg;
    struct module *m;

    (void)r;
    (void)w;
    (void)revents;
    flux_readyset_clear (mm->ready);
    while ((m = flux_readyset_pop (mm->ready))) {
        if (m->watching)
            module_read (m);
    }
}

int modules_ready_init (struct modmgr *mm)
{
    if (!(mm->ready = flux_readyset_create ())
        || !(mm->ready_w = flux_fd_watcher_create (mm->ctx->r,
                                                   flux_readyset_fd (mm->ready),
                                                   FLUX_POLLIN,
                                                   modules_ready_cb, mm)))
        return -1;
    flux_watcher_start (mm->ready_w);
    return 0;
}

void modules_ready_fini (struct modmgr *mm)
{
    flux_watcher_destroy (mm->ready_w);
    mm->ready_w = NULL;
    flux_readyset_destroy (mm->ready);
    mm->ready = NULL;
}

void module_watch (struct module *m, bool on)
{
    m->watching = on;
    if (on) {
        /* What came while stopped may have no listing left: read on the
         * next turn (the check stops itself once the channel is empty).
         */
        flux_watcher_start (m->w_more);
        flux_watcher_start (m->w_nowait);
    }
    else {
        flux_watcher_stop (m->w_more);
        flux_watcher_stop (m->w_nowait);
    }
}

static int send_welcome (struct module *m, json_t *args)
{
    struct broker *ctx = m->mm->ctx;
    json_t *attrs;
    flux_msg_t *msg;
    struct flux_msg_cred owner = router_owner_cred ();

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

/* The default methods of a module (libflux module.c) handle the
 * NAME.stats-clear event.  The broker subscribes the module's channel to
 * it here, as it subscribes its own peer to broker.stats-clear, where
 * flux-core's module asks with an event.subscribe RPC it must wait for
 * before its code may start: a round trip between two threads, a third
 * of the time a C module takes to load.
 */
static int subscribe_stats_clear (struct module *m)
{
    char *topic;
    int rc;

    if (asprintf (&topic, "%s.stats-clear", m->name) < 0)
        return -1;
    rc = router_subscribe (m->peer, topic);
    free (topic);
    return rc;
}

/* Start an instance of module m: a new uuid and channel, its name
 * registered to the channel's peer, the welcome queued, the thread
 * started (with --exec, the process spawned).  On failure nothing of
 * the instance is left and the caller still owns 'entry'.
 */
int instance_start (struct module *m, const struct module_entry *entry,
                    flux_error_t *error)
{
    struct broker *ctx = m->mm->ctx;
    uuid_t uuid;
    char uri[64 + UUID_STR_LEN];
    struct flux_msg_cred owner = router_owner_cred ();

    if (m->next_uuid[0]) {
        memcpy (m->uuid, m->next_uuid, sizeof (m->uuid));
        m->next_uuid[0] = '\0';
    }
    else {
        uuid_generate (uuid);
        uuid_unparse (uuid, m->uuid);
    }
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
        || flux_readyset_add (m->mm->ready, m->h, m) < 0
        || !(m->w_more = flux_check_watcher_create (ctx->r, module_more_cb,
                                                    m))
        || !(m->w_nowait = flux_idle_watcher_create (ctx->r, NULL, NULL))
        || !(m->peer = router_peer_add (ctx->router, m->uuid, PEER_MODULE,
                                        owner, module_send, m)))
        goto error;
    if (services_add (ctx->services, m->name, m->peer) < 0
        || subscribe_stats_clear (m) < 0)
        goto error;
    if (send_welcome (m, m->args) < 0)
        goto error;
    module_watch (m, true);
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

struct module *module_create (struct modmgr *mm,
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
    /* N.B. Found by name first, where it may fail, and appended to the
     * list (which keeps load order) once its instance runs.
     */
    if (!(m->name = strdup (name))
        || !(m->path = strdup (path))
        || strmap_insert (mm->byname, m->name, m) < 0)
        goto error;
    if (instance_start (m, entry, error) < 0) {
        (void)strmap_remove (mm->byname, m->name, m);
        goto error;
    }
    m->prevp = mm->tail;
    *mm->tail = m;
    mm->tail = &m->next;
    m->seq = ++mm->loads;
    return m;
error:
    module_destroy (m, false);
    return NULL;
}

void send_shutdown (struct module *m)
{
    struct broker *ctx = m->mm->ctx;
    char topic[300];
    flux_msg_t *msg;
    struct flux_msg_cred owner = router_owner_cred ();

    (void)snprintf (topic, sizeof (topic), "%s.shutdown", m->name);
    if (!(msg = flux_request_encode (topic, NULL))
        || flux_msg_set_noresponse (msg) < 0
        || flux_msg_set_cred (msg, owner) < 0
        || flux_send_new (m->h, &msg, 0) < 0) {
        flux_log_error (ctx->h, "%s: error sending shutdown", m->name);
        flux_msg_destroy (msg);
    }
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
