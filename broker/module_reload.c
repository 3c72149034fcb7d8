/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Reloading a module without losing a request (module.reload).
 *
 * flux-core's `flux module reload` is a remove, then a load: a request
 * that comes between the two fails with ENOSYS, and new code that does
 * not import leaves no module at all.  module.reload (our request; the
 * command falls back to remove + load against a broker without it)
 * replaces the running instance in place:
 *
 *   1. The new code is checked while the old instance runs.  A C
 *      module's file is opened (dlopen) here.  A module of a loader is
 *      asked NAME.reload-prepare {path, uuid}: pyloader compiles and
 *      runs the new file on the old instance's thread, resolves its
 *      entry point, takes the old instance's state_export(), answers,
 *      and stops the old instance's reactor (flux/_pyloader.py).  If
 *      that fails, the answer says why and the old instance goes on
 *      serving, as if nothing was asked: requests that came meanwhile
 *      waited in its queue.  A loader whose modules do not answer
 *      (ENOSYS) is reloaded as a C module is, without a state handoff.
 *   2. From then on the broker holds the module's requests (m->holding,
 *      as for a restart, module_policy.c): new ones here, and those
 *      still in the old instance's queue, handed back at FINALIZING.
 *      A C module is sent NAME.shutdown; either kind that does not exit
 *      is interrupted, then abandoned, as at removal.
 *   3. When the old instance has exited, the new one starts at once on
 *      the same module (its name never unregistered meanwhile), with
 *      the uuid given in the prepare request, by which pyloader finds
 *      what the old instance prepared for it; the held requests follow
 *      its welcome, in order.  module.reload is answered as a load is:
 *      when the new instance runs, or with its error if it fails first
 *      (then the module is gone and what was held is answered ENOSYS).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "module_thread.h"
#include "router.h"
#include "errprintf.h"

struct reload {
    flux_msg_t *request;        // module.reload, answered at the end
    char *path;
    json_t *args;
    struct module_entry entry;  // the new code, opened (C) or its loader
    char uuid[UUID_STR_LEN];    // the new instance's
    flux_future_t *prepare;     // NAME.reload-prepare in flight, or NULL
    const enum failure_policy *policy; // the new instance's, if given
    enum failure_policy new_policy;
};

static void reload_destroy (struct reload *r)
{
    if (r) {
        int saved_errno = errno;
        flux_msg_decref (r->request);
        free (r->path);
        json_decref (r->args);
        module_loader_close (&r->entry);
        flux_future_destroy (r->prepare);
        free (r);
        errno = saved_errno;
    }
}

/* Give up: answer module.reload with the error; the module goes on as
 * it is (the old instance, if it still runs).
 */
static void reload_fail (struct module *m, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
static void reload_fail (struct module *m, int errnum, const char *fmt, ...)
{
    flux_t *h = m->mm->ctx->h;
    char text[512];
    va_list ap;

    va_start (ap, fmt);
    (void)vsnprintf (text, sizeof (text), fmt, ap);
    va_end (ap);
    flux_log (h, LOG_ERR, "module %s: reload: %s", m->name, text);
    if (flux_respond_error (h, m->reload->request, errnum, text) < 0)
        flux_log_error (h, "error responding to module.reload");
    reload_destroy (m->reload);
    m->reload = NULL;
}

void reload_cancel (struct module *m, const char *why)
{
    if (m->reload)
        reload_fail (m, ECANCELED, "module %s %s", m->name, why);
}

/* Hold the module's requests and wait for the old instance to exit; a C
 * module ('shutdown') is asked to.  (Holding could not start before: the
 * old instance may have to go on, and reload-prepare itself must reach
 * it.)
 */
static void reload_stop (struct module *m, bool shutdown)
{
    m->holding = true;
    if (shutdown)
        send_shutdown (m);
    if (arm_remove_timer (m, false) < 0)
        flux_log_error (m->mm->ctx->h, "%s: error arming the remove timer",
                        m->name);
}

static void prepare_cb (flux_future_t *f, void *arg)
{
    struct module *m = arg;
    struct reload *r = m->reload;
    const char *errstr;

    if (flux_rpc_get (f, NULL) == 0) {
        flux_future_destroy (r->prepare);
        r->prepare = NULL;
        reload_stop (m, false); // it stops itself
        return;
    }
    if (errno == ENOSYS) {
        flux_future_destroy (r->prepare);
        r->prepare = NULL;
        reload_stop (m, true);
        return;
    }
    if (errno == ETIMEDOUT) {
        reload_fail (m, ETIMEDOUT, "module %s did not answer reload-prepare"
                     " within %gs: it keeps running its old code",
                     m->name, remove_timeout (m->mm));
        return;
    }
    int errnum = errno;
    if (!(errstr = flux_future_error_string (f)))
        errstr = strerror (errnum);
    reload_fail (m, errnum, "%s (the old code keeps running)", errstr);
}

int module_reload (struct module *m,
                   const flux_msg_t *msg,
                   const char *path,
                   json_t *args,
                   const enum failure_policy *policy,
                   flux_error_t *error)
{
    flux_t *h = m->mm->ctx->h;
    struct reload *r;
    uuid_t uuid;
    char topic[300];

    if (m->reload) {
        errprintf (error, "module %s is being reloaded already", m->name);
        errno = EBUSY;
        return -1;
    }
    if (m->unload_requested || !m->thd || m->insmod
        || m->status != FLUX_MODSTATE_RUNNING) {
        errprintf (error, "module %s is %s", m->name,
                   m->unload_requested ? "being removed"
                   : !m->thd ? "down, waiting to be restarted"
                   : "still loading");
        errno = EAGAIN;
        return -1;
    }
    if (!(r = calloc (1, sizeof (*r)))
        || !(r->path = strdup (path))) {
        free (r);
        return -1;
    }
    r->args = json_incref (args);
    if (policy) {
        r->new_policy = *policy;
        r->policy = &r->new_policy;
    }
    /* A C module's new file is opened now, so that one that does not
     * open leaves the old running (with --exec, its process opens it).
     */
    if (!m->exec_mode && module_loader_open (path, &r->entry, error) < 0)
        goto error;
    r->request = (flux_msg_t *)flux_msg_incref (msg);
    uuid_generate (uuid);
    uuid_unparse (uuid, r->uuid);
    m->reload = r;
    flux_log (h, LOG_DEBUG, "reloading module %s from %s", m->name, path);
    /* A module of the same loader, in this process, checks its new code
     * itself; any other is stopped as at removal.
     */
    if (!m->exec_mode && r->entry.loader
        && r->entry.loader == m->thd->entry.loader) {
        (void)snprintf (topic, sizeof (topic), "%s.reload-prepare", m->name);
        if (!(r->prepare = flux_rpc_pack (h, topic, FLUX_NODEID_ANY, 0,
                                          "{s:s s:s}",
                                          "path", path,
                                          "uuid", r->uuid))
            || flux_future_then (r->prepare, remove_timeout (m->mm),
                                 prepare_cb, m) < 0) {
            errprintf (error, "sending %s: %s", topic, strerror (errno));
            m->reload = NULL;
            goto error;
        }
        return 0;
    }
    reload_stop (m, true);
    return 0;
error:
    reload_destroy (r);
    return -1;
}

bool reload_swap (struct module *m)
{
    struct modmgr *mm = m->mm;
    flux_t *h = mm->ctx->h;
    struct reload *r = m->reload;
    flux_error_t error = { .text = "" };

    if (!r)
        return false;
    /* The answer to reload-prepare may not have been read yet: the old
     * instance stops as it answers.
     */
    if (r->prepare) {
        if (!flux_future_is_ready (r->prepare)
            || flux_rpc_get (r->prepare, NULL) < 0) {
            reload_fail (m, ECONNRESET, "module %s exited during reload",
                         m->name);
            return false;
        }
        flux_future_destroy (r->prepare);
        r->prepare = NULL;
    }
    if (m->unload_requested || mm->stopping || mm->draining) {
        reload_cancel (m, "was removed during reload");
        return false;
    }
    m->reload = NULL;
    instance_release (m, false);
    flux_watcher_destroy (m->remove_timer);
    m->remove_timer = NULL;
    m->interrupted = false;
    free (m->path);
    m->path = r->path;
    r->path = NULL;
    json_decref (m->args);
    m->args = r->args;
    r->args = NULL;
    if (r->policy)
        m->policy = *r->policy;
    memcpy (m->next_uuid, r->uuid, sizeof (m->next_uuid));
    if (instance_start (m, &r->entry, &error) < 0) {
        flux_log (h, LOG_ERR, "module %s: reload: %s", m->name,
                  *error.text ? error.text : strerror (errno));
        if (flux_respond_error (h, r->request, errno,
                                *error.text ? error.text : NULL) < 0)
            flux_log_error (h, "error responding to module.reload");
        reload_destroy (r);
        module_gone (m, "could not be reloaded");
        return true;
    }
    memset (&r->entry, 0, sizeof (r->entry)); // the instance owns it now
    /* Answered as a load is: when it runs, or with its error. */
    m->insmod = r->request;
    r->request = NULL;
    reload_destroy (r);
    deliver_held (m);
    flux_log (h, LOG_INFO, "module %s reloaded from %s", m->name, m->path);
    return true;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
