/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux_kvs_copy and flux_kvs_move (flux/kvs_copy.h).
 *
 * The future returned is made here (libflux has no composite futures):
 * its init callback, run in whichever context first waits for it (a
 * continuation's reactor or flux_future_get's own), starts the steps on
 * that context's handle: a TREEOBJ lookup of the source, a commit that
 * puts the object at the destination, and for a move a commit that
 * unlinks the source.  Each step runs as the continuation of the one
 * before; the last fulfils the future with its response message.  The
 * steps start once: a future whose result was made in one context is
 * ready in the other.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flux/future.h"
#include "flux/message.h"
#include "kvs_private.h"

struct copy {
    flux_future_t *f;        /* the future returned (not referenced) */
    char *srcns, *srckey, *dstns, *dstkey;
    int flags;
    bool move;
    bool started;
    flux_future_t *step;     /* the step under way */
};

static void copy_destroy (void *arg)
{
    struct copy *c = arg;

    if (c) {
        int saved_errno = errno;
        flux_future_destroy (c->step);
        free (c->srcns);
        free (c->srckey);
        free (c->dstns);
        free (c->dstkey);
        free (c);
        errno = saved_errno;
    }
}

/* End the steps with the error of step f (or errno if f is NULL). */
static void fail (struct copy *c, flux_future_t *f)
{
    int errnum = errno ? errno : EINVAL;
    char *text = NULL;
    const char *s;

    if (f && (s = flux_future_error_string (f)))
        text = strdup (s);
    flux_future_destroy (c->step);
    c->step = NULL;
    flux_future_fulfill_error (c->f, errnum, text);
    free (text);
}

static void last_cb (flux_future_t *f, void *arg)
{
    struct copy *c = arg;
    const void *msg;

    if (flux_future_get (f, &msg) < 0) {
        fail (c, f);
        return;
    }
    flux_future_fulfill (c->f, (void *)flux_msg_incref (msg),
                         (flux_free_f)flux_msg_decref);
    flux_future_destroy (c->step);
    c->step = NULL;
}

/* Commit one operation on key in ns, continued by cb. */
static int commit_step (struct copy *c, flux_t *h, const char *ns,
                        const char *key, const char *treeobj,
                        flux_continuation_f cb)
{
    flux_kvs_txn_t *txn;
    flux_future_t *f = NULL;
    int rc = -1;

    if (!(txn = flux_kvs_txn_create ()))
        return -1;
    if ((treeobj ? flux_kvs_txn_put_treeobj (txn, 0, key, treeobj)
                 : flux_kvs_txn_unlink (txn, 0, key)) == 0
        && (f = flux_kvs_commit (h, ns, c->flags, txn))
        && flux_future_then (f, -1., cb, c) == 0) {
        flux_future_destroy (c->step);
        c->step = f;
        f = NULL;
        rc = 0;
    }
    flux_future_destroy (f);
    flux_kvs_txn_destroy (txn);
    return rc;
}

static void copied_cb (flux_future_t *f, void *arg)
{
    struct copy *c = arg;

    if (flux_future_get (f, NULL) < 0) {
        fail (c, f);
        return;
    }
    if (commit_step (c, flux_future_get_flux (f), c->srcns, c->srckey,
                     NULL, last_cb) < 0)
        fail (c, NULL);
}

static void lookup_cb (flux_future_t *f, void *arg)
{
    struct copy *c = arg;
    const char *treeobj;
    char *cpy;
    int rc;

    if (flux_kvs_lookup_get_treeobj (f, &treeobj) < 0) {
        fail (c, f);
        return;
    }
    /* N.B. treeobj belongs to f, which the next step replaces. */
    if (!(cpy = strdup (treeobj))) {
        fail (c, NULL);
        return;
    }
    rc = commit_step (c, flux_future_get_flux (f), c->dstns, c->dstkey, cpy,
                      c->move ? copied_cb : last_cb);
    free (cpy);
    if (rc < 0)
        fail (c, NULL);
}

static void copy_init (flux_future_t *f, void *arg)
{
    struct copy *c = arg;
    flux_t *h = flux_future_get_flux (f);

    if (c->started)
        return;
    c->started = true;
    if (!(c->step = flux_kvs_lookup (h, c->srcns, FLUX_KVS_TREEOBJ,
                                     c->srckey))
        || flux_future_then (c->step, -1., lookup_cb, c) < 0)
        fail (c, NULL);
}

static flux_future_t *copy_start (flux_t *h, const char *srcns,
                                  const char *srckey, const char *dstns,
                                  const char *dstkey, int flags, bool move)
{
    struct copy *c;
    flux_future_t *f;

    if (!h || !srckey || !dstkey || !*srckey || !*dstkey) {
        errno = EINVAL;
        return NULL;
    }
    if (!(c = calloc (1, sizeof (*c))))
        return NULL;
    c->flags = flags;
    c->move = move;
    if ((srcns && !(c->srcns = strdup (srcns)))
        || !(c->srckey = strdup (srckey))
        || (dstns && !(c->dstns = strdup (dstns)))
        || !(c->dstkey = strdup (dstkey))
        || !(f = flux_future_create (copy_init, c))) {
        copy_destroy (c);
        errno = ENOMEM;
        return NULL;
    }
    c->f = f;
    if (flux_future_aux_set (f, "flux::kvs_copy", c, copy_destroy) < 0) {
        copy_destroy (c);
        flux_future_destroy (f);
        return NULL;
    }
    flux_future_set_flux (f, h);
    return f;
}

flux_future_t *flux_kvs_copy (flux_t *h, const char *srcns,
                              const char *srckey, const char *dstns,
                              const char *dstkey, int commit_flags)
{
    return copy_start (h, srcns, srckey, dstns, dstkey, commit_flags, false);
}

flux_future_t *flux_kvs_move (flux_t *h, const char *srcns,
                              const char *srckey, const char *dstns,
                              const char *dstkey, int commit_flags)
{
    return copy_start (h, srcns, srckey, dstns, dstkey, commit_flags, true);
}
