/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* kvs-capi: flux-core's C KVS client API against a running KVS, for
 * t0081-kvs-c-api.t.  Written only with <flux/core.h> (and jansson for
 * JSON values), as a flux-core program would be.
 *
 *   put KEY VALUE | append KEY VALUE | pack KEY INT | mkdir KEY
 *   | unlink KEY | link KEY TARGET [NS] | putref KEY TREEOBJ
 *                        one commit; prints "seq N"
 *   compact KEY V1 V2... appends of V1.. in one FLUX_KVS_TXN_COMPACT commit
 *   get KEY              the value
 *   getjson KEY          the value decoded as JSON, re-encoded
 *   getint KEY           {"n": INT} or INT through get_unpack
 *   ls KEY               READDIR: one line per entry, "FULLKEY TYPE"
 *   readlink KEY         READLINK: "NS TARGET" ("-" for no namespace)
 *   treeobj KEY          TREEOBJ: the tree object
 *   getroot              "seq=N owner=N blobref=REF"
 *   snapshot KEY VALUE   sets KEY to VALUE, prints KEY at the root from
 *                        before (getroot), at the commit's root, now
 *   version | wait-version N
 *   ns-create NS [OWNER] | ns-remove NS
 *   watch KEY N          WATCH: prints each value; after each of the
 *                        first N commits KEY=1..N; then cancels and
 *                        prints the errno the stream ends with
 *   waitcreate KEY       WAITCREATE: prints the value once KEY exists
 *   lookup-flags FLAGS KEY   a lookup with these flags, its value
 *   copy SRC DST [SRCNS DSTNS] | move SRC DST [SRCNS DSTNS]
 *                        flux_kvs_copy/move; prints "seq N" of the end
 * The namespace is FLUX_KVS_NAMESPACE's.  An error prints
 * "kvs-capi: WHAT: strerror" and exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <flux/core.h>

static const char *prog = "kvs-capi";

static void die (const char *what)
{
    fprintf (stderr, "%s: %s: %s\n", prog, what, strerror (errno));
    exit (1);
}

static void commit (flux_t *h, flux_kvs_txn_t *txn, int flags,
                    const char *what)
{
    flux_future_t *f;
    int seq;

    if (!(f = flux_kvs_commit (h, NULL, flags, txn))
        || flux_kvs_commit_get_sequence (f, &seq) < 0)
        die (what);
    printf ("seq %d\n", seq);
    flux_future_destroy (f);
}

static int txn_cmd (flux_t *h, int argc, char **argv)
{
    const char *cmd = argv[1];
    const char *key = argv[2];
    flux_kvs_txn_t *txn;
    int rc;

    if (!(txn = flux_kvs_txn_create ()))
        die ("txn_create");
    if (!strcmp (cmd, "put") && argc == 4)
        rc = flux_kvs_txn_put (txn, 0, key, argv[3]);
    else if (!strcmp (cmd, "append") && argc == 4)
        rc = flux_kvs_txn_put (txn, FLUX_KVS_APPEND, key, argv[3]);
    else if (!strcmp (cmd, "pack") && argc == 4)
        rc = flux_kvs_txn_pack (txn, 0, key, "{s:i}", "n",
                                atoi (argv[3]));
    else if (!strcmp (cmd, "mkdir") && argc == 3)
        rc = flux_kvs_txn_mkdir (txn, 0, key);
    else if (!strcmp (cmd, "unlink") && argc == 3)
        rc = flux_kvs_txn_unlink (txn, 0, key);
    else if (!strcmp (cmd, "link") && (argc == 4 || argc == 5))
        rc = flux_kvs_txn_symlink (txn, 0, key, argc == 5 ? argv[4] : NULL,
                                   argv[3]);
    else if (!strcmp (cmd, "putref") && argc == 4)
        rc = flux_kvs_txn_put_treeobj (txn, 0, key, argv[3]);
    else if (!strcmp (cmd, "compact") && argc >= 4) {
        rc = 0;
        for (int i = 3; i < argc && rc == 0; i++)
            rc = flux_kvs_txn_put (txn, FLUX_KVS_APPEND, key, argv[i]);
        if (rc == 0) {
            commit (h, txn, FLUX_KVS_TXN_COMPACT, key);
            flux_kvs_txn_destroy (txn);
            return 0;
        }
    }
    else {
        errno = EINVAL;
        die (cmd);
    }
    if (rc < 0)
        die (key);
    commit (h, txn, 0, key);
    flux_kvs_txn_destroy (txn);
    return 0;
}

static flux_future_t *lookup (flux_t *h, int flags, const char *key)
{
    flux_future_t *f;

    if (!(f = flux_kvs_lookup (h, NULL, flags, key)))
        die (key);
    return f;
}

static int ls_cmd (flux_t *h, const char *key)
{
    flux_future_t *f = lookup (h, FLUX_KVS_READDIR, key);
    const flux_kvsdir_t *dir;
    flux_kvsitr_t *itr;
    const char *name;

    if (flux_kvs_lookup_get_dir (f, &dir) < 0)
        die (key);
    if (!(itr = flux_kvsitr_create (dir)))
        die ("kvsitr_create");
    printf ("size %d\n", flux_kvsdir_get_size (dir));
    while ((name = flux_kvsitr_next (itr))) {
        char *full = flux_kvsdir_key_at (dir, name);
        if (!full)
            die ("key_at");
        printf ("%s %s\n", full,
                flux_kvsdir_issymlink (dir, name) ? "symlink"
                : flux_kvsdir_isdir (dir, name) ? "dir" : "val");
        free (full);
    }
    flux_kvsitr_destroy (itr);
    flux_future_destroy (f);
    return 0;
}

static void print_at (flux_t *h, const char *label, const char *treeobj,
                      const char *key)
{
    flux_future_t *f;
    const char *value;

    if (!(f = flux_kvs_lookupat (h, 0, key, treeobj))
        || flux_kvs_lookup_get (f, &value) < 0)
        die (label);
    printf ("%s %s\n", label, value);
    flux_future_destroy (f);
}

static int snapshot_cmd (flux_t *h, const char *key, const char *value)
{
    flux_future_t *root, *fc, *f;
    flux_kvs_txn_t *txn;
    const char *before, *after, *now;

    if (!(root = flux_kvs_getroot (h, NULL, 0))
        || flux_kvs_getroot_get_treeobj (root, &before) < 0)
        die ("getroot");
    if (!(txn = flux_kvs_txn_create ())
        || flux_kvs_txn_put (txn, 0, key, value) < 0
        || !(fc = flux_kvs_commit (h, NULL, 0, txn))
        || flux_kvs_commit_get_treeobj (fc, &after) < 0)
        die ("commit");
    print_at (h, "before", before, key);
    print_at (h, "commit", after, key);
    f = lookup (h, 0, key);
    if (flux_kvs_lookup_get (f, &now) < 0)
        die (key);
    printf ("now %s\n", now);
    flux_future_destroy (f);
    flux_future_destroy (fc);
    flux_kvs_txn_destroy (txn);
    flux_future_destroy (root);
    return 0;
}

struct watch {
    flux_t *h;
    const char *key;
    int commits;    /* to make */
    int made;
    int unanswered; /* commits sent, not answered yet */
    flux_kvs_txn_t *txn;
    int end_errno;
};

/* N.B. the watch may see a commit's value before its writer gets the
 * answer (the KVS tells watchers when the root changes, and answers the
 * commit once the root is saved), so several commits can be in flight:
 * the watch ends when it has ended and every commit is answered.
 */
static void watch_maybe_done (struct watch *w, flux_future_t *f)
{
    if (w->end_errno && w->unanswered == 0)
        flux_reactor_stop (flux_future_get_reactor (f));
}

static void commit_cb (flux_future_t *f, void *arg)
{
    struct watch *w = arg;
    if (flux_future_get (f, NULL) < 0)
        die ("watch commit");
    w->unanswered--;
    watch_maybe_done (w, f);
    flux_future_destroy (f);
}

static void watch_cb (flux_future_t *f, void *arg)
{
    struct watch *w = arg;
    flux_future_t *commit;
    const char *value;
    char buf[32];

    if (flux_kvs_lookup_get (f, &value) < 0) {
        w->end_errno = errno;
        watch_maybe_done (w, f);
        return;
    }
    printf ("%s\n", value ? value : "(none)");
    fflush (stdout);
    flux_future_reset (f);
    if (w->made == w->commits) {
        if (flux_kvs_lookup_cancel (f) < 0)
            die ("cancel");
        return;
    }
    snprintf (buf, sizeof (buf), "%d", ++w->made);
    if (flux_kvs_txn_clear (w->txn) < 0
        || flux_kvs_txn_put (w->txn, 0, w->key, buf) < 0
        || !(commit = flux_kvs_commit (w->h, NULL, 0, w->txn))
        || flux_future_then (commit, -1., commit_cb, w) < 0)
        die ("watch commit");
    w->unanswered++;
}

static int watch_cmd (flux_t *h, const char *key, int n)
{
    struct watch w = { .h = h, .key = key, .commits = n };
    flux_future_t *f = lookup (h, FLUX_KVS_WATCH, key);

    if (!(w.txn = flux_kvs_txn_create ()))
        die ("txn_create");
    if (flux_future_then (f, -1., watch_cb, &w) < 0
        || flux_reactor_run (flux_get_reactor (h), 0) < 0)
        die ("watch");
    printf ("end: %s\n", strerror (w.end_errno));
    flux_future_destroy (f);
    flux_kvs_txn_destroy (w.txn);
    return 0;
}

int main (int argc, char **argv)
{
    flux_t *h;
    const char *cmd = argc > 1 ? argv[1] : "";
    const char *key = argc > 2 ? argv[2] : NULL;
    flux_future_t *f;
    const char *s;

    if (!(h = flux_open (NULL, 0)))
        die ("flux_open");
    if (!strcmp (cmd, "get") && argc == 3) {
        f = lookup (h, 0, key);
        if (flux_kvs_lookup_get (f, &s) < 0)
            die (key);
        printf ("%s\n", s ? s : "");
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "getjson") && argc == 3) {
        json_t *o;
        char *text;
        f = lookup (h, 0, key);
        if (flux_kvs_lookup_get_unpack (f, "o", &o) < 0)
            die (key);
        if (!(text = json_dumps (o, JSON_ENCODE_ANY | JSON_COMPACT
                                    | JSON_SORT_KEYS)))
            die ("json_dumps");
        printf ("%s\n", text);
        free (text);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "getint") && argc == 3) {
        int n;
        f = lookup (h, 0, key);
        if (flux_kvs_lookup_get_unpack (f, "{s:i}", "n", &n) < 0)
            die (key);
        printf ("%d\n", n);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "ls") && argc == 3)
        ls_cmd (h, key);
    else if (!strcmp (cmd, "readlink") && argc == 3) {
        const char *ns, *target;
        f = lookup (h, FLUX_KVS_READLINK, key);
        if (flux_kvs_lookup_get_symlink (f, &ns, &target) < 0)
            die (key);
        printf ("%s %s\n", ns ? ns : "-", target);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "treeobj") && argc == 3) {
        f = lookup (h, FLUX_KVS_TREEOBJ, key);
        if (flux_kvs_lookup_get_treeobj (f, &s) < 0)
            die (key);
        printf ("%s\n", s);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "lookup-flags") && argc == 4) {
        f = lookup (h, (int)strtol (argv[2], NULL, 0), argv[3]);
        if (flux_kvs_lookup_get (f, &s) < 0)
            die (argv[3]);
        printf ("%s\n", s ? s : "");
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "getroot") && argc == 2) {
        int seq;
        uint32_t owner;
        const char *ref;
        if (!(f = flux_kvs_getroot (h, NULL, 0))
            || flux_kvs_getroot_get_sequence (f, &seq) < 0
            || flux_kvs_getroot_get_owner (f, &owner) < 0
            || flux_kvs_getroot_get_blobref (f, &ref) < 0)
            die ("getroot");
        printf ("seq=%d owner=%u blobref=%s\n", seq, owner, ref);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "snapshot") && argc == 4)
        snapshot_cmd (h, key, argv[3]);
    else if (!strcmp (cmd, "version") && argc == 2) {
        int v;
        if (flux_kvs_get_version (h, NULL, &v) < 0)
            die ("get_version");
        printf ("%d\n", v);
    }
    else if (!strcmp (cmd, "wait-version") && argc == 3) {
        if (flux_kvs_wait_version (h, NULL, atoi (argv[2])) < 0)
            die ("wait_version");
        printf ("reached %s\n", argv[2]);
    }
    else if (!strcmp (cmd, "ns-create") && (argc == 3 || argc == 4)) {
        uint32_t owner = argc == 4 ? (uint32_t)strtoul (argv[3], NULL, 10)
                                   : FLUX_USERID_UNKNOWN;
        if (!(f = flux_kvs_namespace_create (h, key, owner, 0))
            || flux_future_get (f, NULL) < 0)
            die (key);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "ns-remove") && argc == 3) {
        if (!(f = flux_kvs_namespace_remove (h, key))
            || flux_future_get (f, NULL) < 0)
            die (key);
        flux_future_destroy (f);
    }
    else if (!strcmp (cmd, "watch") && argc == 4)
        watch_cmd (h, key, atoi (argv[3]));
    else if (!strcmp (cmd, "waitcreate") && argc == 3) {
        f = lookup (h, FLUX_KVS_WAITCREATE, key);
        if (flux_kvs_lookup_get (f, &s) < 0)
            die (key);
        printf ("%s\n", s ? s : "");
        flux_future_destroy (f);
    }
    else if ((!strcmp (cmd, "copy") || !strcmp (cmd, "move"))
             && (argc == 4 || argc == 6)) {
        const char *srcns = argc == 6 ? argv[4] : NULL;
        const char *dstns = argc == 6 ? argv[5] : NULL;
        int seq;
        if (!strcmp (cmd, "copy"))
            f = flux_kvs_copy (h, srcns, key, dstns, argv[3], 0);
        else
            f = flux_kvs_move (h, srcns, key, dstns, argv[3], 0);
        if (!f || flux_future_get (f, NULL) < 0
            || flux_kvs_commit_get_sequence (f, &seq) < 0)
            die (cmd);
        printf ("seq %d\n", seq);
        flux_future_destroy (f);
    }
    else if (argc >= 3)
        txn_cmd (h, argc, argv);
    else {
        fprintf (stderr, "usage: %s CMD ARGS...\n", prog);
        exit (2);
    }
    flux_close (h);
    return 0;
}
