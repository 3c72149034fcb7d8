/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests of the KVS client API: the requests it builds and how it
 * reads responses, checked without a broker.  A loop:// handle plays
 * the KVS: a message handler on it receives every request the client
 * sends, records it, and answers with what the test set up.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "flux/core.h"
#include "kvs_private.h"

/* The blobref of {"data":{},"type":"dir","ver":1} (sha1). */
#define EMPTY_DIR_REF "sha1-c0a9faf907dda6216fd73bf81d0b3b21a1a8cb91"

struct server {
    flux_t *h;
    flux_reactor_t *r;
    flux_msg_handler_t *mh;
    /* the last request */
    char topic[64];
    json_t *payload;
    bool streaming;
    bool noresponse;
    uint32_t matchtag;
    int count;
    char topics[256];   /* every topic so far, space separated */
    /* the answer: errnum, else each of replies (NULL: an empty one) */
    int errnum;
    const char *replies[4];
    int nreplies;
    flux_msg_t *watch;  /* a kvs-watch.lookup left open */
    json_t *ops;        /* of the last commit */
    json_t *all_ops;    /* every commit payload */
};

static struct server srv;

static void request_cb (flux_t *h, flux_msg_handler_t *mh,
                        const flux_msg_t *msg, void *arg)
{
    const char *topic;
    const char *s = NULL;
    uint8_t flags = 0;
    (void)mh;
    (void)arg;

    assert_int_equal (flux_request_decode (msg, &topic, &s), 0);
    snprintf (srv.topic, sizeof (srv.topic), "%s", topic);
    json_decref (srv.payload);
    srv.payload = s ? json_loads (s, 0, NULL) : NULL;
    (void)flux_msg_get_flags (msg, &flags);
    srv.streaming = (flags & FLUX_MSGFLAG_STREAMING) != 0;
    srv.noresponse = (flags & FLUX_MSGFLAG_NORESPONSE) != 0;
    (void)flux_msg_get_matchtag (msg, &srv.matchtag);
    srv.count++;
    snprintf (srv.topics + strlen (srv.topics),
              sizeof (srv.topics) - strlen (srv.topics), "%s%s",
              srv.topics[0] ? " " : "", topic);
    json_decref (srv.ops);
    srv.ops = json_incref (json_object_get (srv.payload, "ops"));
    if (srv.ops)
        json_array_append (srv.all_ops, srv.payload);
    if (!strcmp (topic, "kvs-watch.cancel")) {
        /* the watch it names ends with ENODATA */
        if (srv.watch) {
            (void)flux_respond_error (h, srv.watch, ENODATA, NULL);
            flux_msg_decref (srv.watch);
            srv.watch = NULL;
        }
        return;
    }
    if (srv.noresponse)
        return;
    if (srv.errnum) {
        (void)flux_respond_error (h, msg, srv.errnum, NULL);
        return;
    }
    for (int i = 0; i < srv.nreplies; i++)
        (void)flux_respond (h, msg, srv.replies[i]);
    if (srv.streaming && !strcmp (topic, "kvs-watch.lookup")) {
        flux_msg_decref (srv.watch);
        srv.watch = (flux_msg_t *)flux_msg_incref (msg);
    }
}

static void answer (int errnum, int n, ...)
{
    va_list ap;

    srv.errnum = errnum;
    srv.nreplies = n;
    va_start (ap, n);
    for (int i = 0; i < n; i++)
        srv.replies[i] = va_arg (ap, const char *);
    va_end (ap);
}

static int setup (void **state)
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    (void)state;

    memset (&srv, 0, sizeof (srv));
    unsetenv ("FLUX_KVS_NAMESPACE");
    if (!(srv.h = flux_open ("loop://", 0)))
        return -1;
    srv.r = flux_get_reactor (srv.h);
    if (!(srv.all_ops = json_array ()))
        return -1;
    if (!(srv.mh = flux_msg_handler_create (srv.h, match, request_cb, NULL)))
        return -1;
    flux_msg_handler_start (srv.mh);
    /* N.B. flux_kvs_namespace_create reads it; the loop handle has no
     * broker to ask.
     */
    if (flux_attr_set_cacheonly (srv.h, "content.hash", "sha1") < 0)
        return -1;
    answer (0, 0);
    return 0;
}

static int teardown (void **state)
{
    (void)state;
    flux_msg_decref (srv.watch);
    json_decref (srv.payload);
    json_decref (srv.ops);
    json_decref (srv.all_ops);
    flux_msg_handler_destroy (srv.mh);
    flux_close (srv.h);
    return 0;
}

static void stop_cb (flux_future_t *f, void *arg)
{
    (void)f;
    flux_reactor_stop (arg);
}

/* Run the reactor until f has a result. */
static void wait_ready (flux_future_t *f)
{
    assert_non_null (f);
    if (!flux_future_is_ready (f)) {
        /* N.B. once per future: then() stays set across resets. */
        if (!flux_future_aux_get (f, "test::then")) {
            assert_int_equal (flux_future_then (f, 5., stop_cb, srv.r), 0);
            assert_int_equal (flux_future_aux_set (f, "test::then", srv.r,
                                                   NULL), 0);
        }
        assert_true (flux_reactor_run (srv.r, 0) >= 0);
    }
    assert_true (flux_future_is_ready (f));
}

static void assert_json (const json_t *o, const char *expected)
{
    json_t *e = json_loads (expected, JSON_DECODE_ANY, NULL);
    assert_non_null (e);
    if (!json_equal (o, e)) {
        char *s = o ? json_dumps (o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
        fail_msg ("got %s, expected %s", s ? s : "NULL", expected);
    }
    json_decref (e);
}

/* Transactions --------------------------------------------------------- */

static void test_txn_ops (void **state)
{
    flux_kvs_txn_t *txn = flux_kvs_txn_create ();
    const char *raw = "a\0b";
    (void)state;

    assert_non_null (txn);
    assert_true (flux_kvs_txn_is_empty (txn));
    assert_int_equal (flux_kvs_txn_put (txn, 0, "a.b", "hello"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "log", "x"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, 0, "empty", NULL), 0);
    assert_int_equal (flux_kvs_txn_pack (txn, 0, "num", "{s:i s:[b]}",
                                         "n", 42, "l", 1), 0);
    assert_int_equal (flux_kvs_txn_pack (txn, 0, "str", "s", "hi"), 0);
    assert_int_equal (flux_kvs_txn_put_raw (txn, 0, "raw", raw, 3), 0);
    assert_int_equal (flux_kvs_txn_mkdir (txn, 0, "d"), 0);
    assert_int_equal (flux_kvs_txn_unlink (txn, 0, "gone"), 0);
    assert_int_equal (flux_kvs_txn_symlink (txn, 0, "l1", NULL, "a.b"), 0);
    assert_int_equal (flux_kvs_txn_symlink (txn, 0, "l2", "ns", "t"), 0);
    assert_int_equal (flux_kvs_txn_put_treeobj (txn, 0, "copy",
        "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-abc\"]}"), 0);
    assert_false (flux_kvs_txn_is_empty (txn));
    assert_json (kvs_txn_ops (txn), "["
        "{\"key\":\"a.b\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"aGVsbG8=\"}},"
        "{\"key\":\"log\",\"flags\":32,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"eA==\"}},"
        "{\"key\":\"empty\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"\"}},"
        "{\"key\":\"num\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\","
             "\"data\":\"eyJuIjo0MiwibCI6W3RydWVdfQ==\"}},"
        "{\"key\":\"str\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"ImhpIg==\"}},"
        "{\"key\":\"raw\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"YQBi\"}},"
        "{\"key\":\"d\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"dir\",\"data\":{}}},"
        "{\"key\":\"gone\",\"flags\":0,\"dirent\":null},"
        "{\"key\":\"l1\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"symlink\",\"data\":{\"target\":\"a.b\"}}},"
        "{\"key\":\"l2\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"symlink\","
             "\"data\":{\"namespace\":\"ns\",\"target\":\"t\"}}},"
        "{\"key\":\"copy\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-abc\"]}}"
        "]");
    assert_int_equal (flux_kvs_txn_clear (txn), 0);
    assert_true (flux_kvs_txn_is_empty (txn));
    flux_kvs_txn_destroy (txn);
    flux_kvs_txn_destroy (NULL);
}

static void test_txn_errors (void **state)
{
    flux_kvs_txn_t *txn = flux_kvs_txn_create ();
    (void)state;

#define EXPECT_EINVAL(call) do { \
        errno = 0; \
        assert_int_equal ((call), -1); \
        assert_int_equal (errno, EINVAL); \
    } while (0)
    EXPECT_EINVAL (flux_kvs_txn_put (NULL, 0, "a", "b"));
    EXPECT_EINVAL (flux_kvs_txn_put (txn, 0, NULL, "b"));
    EXPECT_EINVAL (flux_kvs_txn_put (txn, 0, "", "b"));
    EXPECT_EINVAL (flux_kvs_txn_put (txn, FLUX_KVS_READDIR, "a", "b"));
    EXPECT_EINVAL (flux_kvs_txn_put_raw (txn, 0, "a", NULL, 3));
    EXPECT_EINVAL (flux_kvs_txn_pack (txn, 0, "a", NULL));
    EXPECT_EINVAL (flux_kvs_txn_pack (txn, 0, "a", "{s:i"));
    EXPECT_EINVAL (flux_kvs_txn_mkdir (txn, FLUX_KVS_APPEND, "a"));
    EXPECT_EINVAL (flux_kvs_txn_unlink (txn, FLUX_KVS_APPEND, "a"));
    EXPECT_EINVAL (flux_kvs_txn_symlink (txn, 0, "a", NULL, NULL));
    EXPECT_EINVAL (flux_kvs_txn_symlink (txn, FLUX_KVS_APPEND, "a", NULL,
                                         "b"));
    EXPECT_EINVAL (flux_kvs_txn_put_treeobj (txn, 0, "a", "{\"ver\":1}"));
    EXPECT_EINVAL (flux_kvs_txn_put_treeobj (txn, 0, "a", "not json"));
    EXPECT_EINVAL (flux_kvs_txn_put_treeobj (txn, 0, "a",
        "{\"ver\":2,\"type\":\"val\",\"data\":\"\"}"));
    EXPECT_EINVAL (flux_kvs_txn_put_treeobj (txn, FLUX_KVS_APPEND, "a",
        "{\"ver\":1,\"type\":\"val\",\"data\":\"\"}"));
    EXPECT_EINVAL (flux_kvs_txn_clear (NULL));
    assert_true (flux_kvs_txn_is_empty (txn));
    assert_true (flux_kvs_txn_is_empty (NULL));
    flux_kvs_txn_destroy (txn);
}

static void test_txn_compact (void **state)
{
    flux_kvs_txn_t *txn = flux_kvs_txn_create ();
    (void)state;

    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "log", "A"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, 0, "other", "x"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "log", "B"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "one", "1"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "log", ""), 0);
    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "log", "C"), 0);
    assert_int_equal (kvs_txn_compact (txn), 0);
    assert_json (kvs_txn_ops (txn), "["
        "{\"key\":\"log\",\"flags\":32,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"QUJD\"}},"
        "{\"key\":\"other\",\"flags\":0,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"eA==\"}},"
        "{\"key\":\"one\",\"flags\":32,\"dirent\":"
            "{\"ver\":1,\"type\":\"val\",\"data\":\"MQ==\"}}"
        "]");

    /* A write after an append cannot be compacted; txn is unchanged. */
    assert_int_equal (flux_kvs_txn_put (txn, 0, "log", "D"), 0);
    assert_int_equal (flux_kvs_txn_put (txn, FLUX_KVS_APPEND, "log", "E"), 0);
    errno = 0;
    assert_int_equal (kvs_txn_compact (txn), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (json_array_size (kvs_txn_ops (txn)), 5);

    /* flux_kvs_commit compacts before it sends, and fails as compact. */
    errno = 0;
    assert_null (flux_kvs_commit (srv.h, NULL, FLUX_KVS_TXN_COMPACT, txn));
    assert_int_equal (errno, EINVAL);
    flux_kvs_txn_destroy (txn);
}

/* Commit ------------------------------------------------------------- */

static void test_commit (void **state)
{
    flux_kvs_txn_t *txn = flux_kvs_txn_create ();
    flux_future_t *f;
    const char *rootref, *treeobj, *treeobj2;
    int seq;
    (void)state;

    assert_int_equal (flux_kvs_txn_put (txn, 0, "a", "1"), 0);
    answer (0, 1, "{\"rootref\":\"sha1-123\",\"rootseq\":7}");
    f = flux_kvs_commit (srv.h, NULL, FLUX_KVS_NO_MERGE, txn);
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs.commit");
    assert_json (srv.payload, "{\"namespace\":\"primary\",\"flags\":1,"
        "\"ops\":[{\"key\":\"a\",\"flags\":0,\"dirent\":"
        "{\"ver\":1,\"type\":\"val\",\"data\":\"MQ==\"}}]}");
    assert_int_equal (flux_kvs_commit_get_rootref (f, &rootref), 0);
    assert_string_equal (rootref, "sha1-123");
    assert_int_equal (flux_kvs_commit_get_sequence (f, &seq), 0);
    assert_int_equal (seq, 7);
    assert_int_equal (flux_kvs_commit_get_treeobj (f, &treeobj), 0);
    assert_string_equal (treeobj,
                         "{\"data\":[\"sha1-123\"],\"type\":\"dirref\","
                         "\"ver\":1}");
    assert_int_equal (flux_kvs_commit_get_treeobj (f, &treeobj2), 0);
    assert_ptr_equal (treeobj, treeobj2);
    EXPECT_EINVAL (flux_kvs_commit_get_rootref (f, NULL));
    EXPECT_EINVAL (flux_kvs_commit_get_sequence (NULL, &seq));
    flux_future_destroy (f);

    /* FLUX_KVS_NAMESPACE names the namespace when the call gives none;
     * TXN_COMPACT is not sent.
     */
    setenv ("FLUX_KVS_NAMESPACE", "envns", 1);
    f = flux_kvs_commit (srv.h, NULL, FLUX_KVS_TXN_COMPACT, txn);
    wait_ready (f);
    assert_json (json_object_get (srv.payload, "namespace"), "\"envns\"");
    assert_json (json_object_get (srv.payload, "flags"), "0");
    flux_future_destroy (f);
    f = flux_kvs_commit (srv.h, "given", 0, txn);
    wait_ready (f);
    assert_json (json_object_get (srv.payload, "namespace"), "\"given\"");
    flux_future_destroy (f);
    unsetenv ("FLUX_KVS_NAMESPACE");

    /* An error response fails every accessor with its errnum. */
    answer (ENOTSUP, 0);
    f = flux_kvs_commit (srv.h, "nope", 0, txn);
    wait_ready (f);
    errno = 0;
    assert_int_equal (flux_kvs_commit_get_sequence (f, &seq), -1);
    assert_int_equal (errno, ENOTSUP);
    flux_future_destroy (f);

    errno = 0;
    assert_null (flux_kvs_commit (srv.h, NULL, 0, NULL));
    assert_int_equal (errno, EINVAL);
    flux_kvs_txn_destroy (txn);
}

/* Lookup ------------------------------------------------------------- */

static void test_lookup_val (void **state)
{
    flux_future_t *f;
    const char *s, *treeobj;
    const void *data;
    size_t len;
    int n;
    const flux_kvsdir_t *dir;
    (void)state;

    /* "{\"n\":42}" */
    answer (0, 1, "{\"key\":\"a.b\",\"val\":{\"ver\":1,\"type\":\"val\","
                  "\"data\":\"eyJuIjo0Mn0=\"}}");
    f = flux_kvs_lookup (srv.h, NULL, 0, "a.b");
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs.lookup");
    assert_false (srv.streaming);
    assert_json (srv.payload, "{\"key\":\"a.b\",\"namespace\":\"primary\","
                              "\"flags\":0}");
    assert_string_equal (flux_kvs_lookup_get_key (f), "a.b");
    assert_int_equal (flux_kvs_lookup_get (f, &s), 0);
    assert_string_equal (s, "{\"n\":42}");
    assert_int_equal (flux_kvs_lookup_get_raw (f, &data, &len), 0);
    assert_int_equal (len, 8);
    assert_ptr_equal (data, s);
    assert_int_equal (flux_kvs_lookup_get_unpack (f, "{s:i}", "n", &n), 0);
    assert_int_equal (n, 42);
    EXPECT_EINVAL (flux_kvs_lookup_get_unpack (f, "{s:s}", "n", &s));
    assert_int_equal (flux_kvs_lookup_get_treeobj (f, &treeobj), 0);
    assert_string_equal (treeobj, "{\"data\":\"eyJuIjo0Mn0=\","
                                  "\"type\":\"val\",\"ver\":1}");
    EXPECT_EINVAL (flux_kvs_lookup_get_dir (f, &dir));
    EXPECT_EINVAL (flux_kvs_lookup_get_symlink (f, NULL, &s));
    EXPECT_EINVAL (flux_kvs_lookup_cancel (f));
    flux_future_destroy (f);

    /* The empty value reads as NULL, length 0; not JSON. */
    answer (0, 1, "{\"key\":\"e\",\"val\":{\"ver\":1,\"type\":\"val\","
                  "\"data\":\"\"}}");
    f = flux_kvs_lookup (srv.h, "ns", FLUX_KVS_TREEOBJ, "e");
    wait_ready (f);
    assert_json (srv.payload, "{\"key\":\"e\",\"namespace\":\"ns\","
                              "\"flags\":16}");
    s = "x";
    assert_int_equal (flux_kvs_lookup_get (f, &s), 0);
    assert_null (s);
    assert_int_equal (flux_kvs_lookup_get_raw (f, &data, &len), 0);
    assert_null (data);
    assert_int_equal (len, 0);
    EXPECT_EINVAL (flux_kvs_lookup_get_unpack (f, "s", &s));
    flux_future_destroy (f);

    /* Errors: the response's, EPROTO for a response that is no treeobj. */
    answer (ENOENT, 0);
    f = flux_kvs_lookup (srv.h, NULL, 0, "missing");
    wait_ready (f);
    errno = 0;
    assert_int_equal (flux_kvs_lookup_get (f, &s), -1);
    assert_int_equal (errno, ENOENT);
    flux_future_destroy (f);
    answer (0, 1, "{\"val\":{\"ver\":1,\"type\":\"bogus\",\"data\":1}}");
    f = flux_kvs_lookup (srv.h, NULL, 0, "bad");
    wait_ready (f);
    errno = 0;
    assert_int_equal (flux_kvs_lookup_get (f, &s), -1);
    assert_int_equal (errno, EPROTO);
    flux_future_destroy (f);
}

static void test_lookup_flags (void **state)
{
    static const int bad[] = {
        FLUX_KVS_READDIR | FLUX_KVS_READLINK,
        FLUX_KVS_READLINK | FLUX_KVS_TREEOBJ,
        FLUX_KVS_APPEND,
        FLUX_KVS_WATCH_UNIQ,
        FLUX_KVS_WATCH_FULL | FLUX_KVS_WAITCREATE,
        FLUX_KVS_WATCH_INITIAL_SENTINEL,
        1 << 20,
    };
    const char *root = "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-1\"]}";
    (void)state;

    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        errno = 0;
        assert_null (flux_kvs_lookup (srv.h, NULL, bad[i], "a"));
        assert_int_equal (errno, EINVAL);
    }
    errno = 0;
    assert_null (flux_kvs_lookup (srv.h, NULL, 0, ""));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_lookup (srv.h, NULL, 0, NULL));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_lookup (NULL, NULL, 0, "a"));
    assert_int_equal (errno, EINVAL);
    /* A snapshot cannot be watched. */
    errno = 0;
    assert_null (flux_kvs_lookupat (srv.h, FLUX_KVS_WATCH, "a", root));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_lookupat (srv.h, FLUX_KVS_WAITCREATE, "a", root));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_lookupat (srv.h, 0, "a", "not json"));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_lookupat (srv.h, 0, "a", NULL));
    assert_int_equal (errno, EINVAL);
    assert_int_equal (srv.count, 0);
}

static void test_lookupat_dir (void **state)
{
    const char *root = "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-1\"]}";
    flux_future_t *f;
    const flux_kvsdir_t *dir, *dir2;
    flux_kvsdir_t *cpy;
    flux_kvsitr_t *itr;
    char *key;
    (void)state;

    answer (0, 1, "{\"key\":\"d\",\"val\":{\"ver\":1,\"type\":\"dir\","
        "\"data\":{"
        "\"z\":{\"ver\":1,\"type\":\"val\",\"data\":\"\"},"
        "\"sub\":{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-2\"]},"
        "\"ln\":{\"ver\":1,\"type\":\"symlink\",\"data\":{\"target\":\"z\"}},"
        "\"in\":{\"ver\":1,\"type\":\"dir\",\"data\":{}}}}}");
    f = flux_kvs_lookupat (srv.h, FLUX_KVS_READDIR, "d", root);
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs.lookup");
    assert_json (srv.payload, "{\"key\":\"d\",\"flags\":1,\"rootdir\":"
        "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-1\"]}}");
    assert_int_equal (flux_kvs_lookup_get_dir (f, &dir), 0);
    assert_int_equal (flux_kvs_lookup_get_dir (f, &dir2), 0);
    assert_ptr_equal (dir, dir2);
    assert_int_equal (flux_kvsdir_get_size (dir), 4);
    assert_string_equal (flux_kvsdir_key (dir), "d");
    assert_string_equal (flux_kvsdir_rootref (dir), root);
    assert_ptr_equal (flux_kvsdir_handle (dir), srv.h);
    assert_true (flux_kvsdir_exists (dir, "z"));
    assert_false (flux_kvsdir_exists (dir, "nope"));
    assert_true (flux_kvsdir_isdir (dir, "sub"));
    assert_true (flux_kvsdir_isdir (dir, "in"));
    assert_false (flux_kvsdir_isdir (dir, "z"));
    assert_false (flux_kvsdir_isdir (dir, "nope"));
    assert_true (flux_kvsdir_issymlink (dir, "ln"));
    assert_false (flux_kvsdir_issymlink (dir, "z"));
    key = flux_kvsdir_key_at (dir, "z");
    assert_string_equal (key, "d.z");
    free (key);
    EXPECT_EINVAL (flux_kvs_lookup_get (f, NULL));

    /* Sorted, rewound, and kept valid by the iterator alone. */
    cpy = flux_kvsdir_copy (dir);
    assert_non_null (cpy);
    itr = flux_kvsitr_create (cpy);
    flux_kvsdir_destroy (cpy);
    flux_future_destroy (f);
    assert_non_null (itr);
    assert_string_equal (flux_kvsitr_next (itr), "in");
    assert_string_equal (flux_kvsitr_next (itr), "ln");
    assert_string_equal (flux_kvsitr_next (itr), "sub");
    assert_string_equal (flux_kvsitr_next (itr), "z");
    assert_null (flux_kvsitr_next (itr));
    flux_kvsitr_rewind (itr);
    assert_string_equal (flux_kvsitr_next (itr), "in");
    flux_kvsitr_destroy (itr);
}

static void test_kvsdir (void **state)
{
    flux_kvsdir_t *dir;
    char *key;
    (void)state;

    dir = flux_kvsdir_create (NULL, NULL, ".",
                              "{\"ver\":1,\"type\":\"dir\",\"data\":{}}");
    assert_non_null (dir);
    assert_int_equal (flux_kvsdir_get_size (dir), 0);
    assert_null (flux_kvsdir_rootref (dir));
    key = flux_kvsdir_key_at (dir, "top");
    assert_string_equal (key, "top");
    free (key);
    flux_kvsdir_incref (dir);
    flux_kvsdir_destroy (dir);
    assert_string_equal (flux_kvsdir_key (dir), ".");
    flux_kvsdir_destroy (dir);

    dir = flux_kvsdir_create (NULL, NULL, "a.",
                              "{\"ver\":1,\"type\":\"dir\",\"data\":{}}");
    key = flux_kvsdir_key_at (dir, "b");
    assert_string_equal (key, "a.b");
    free (key);
    flux_kvsdir_destroy (dir);

    errno = 0;
    assert_null (flux_kvsdir_create (NULL, NULL, "a",
                 "{\"ver\":1,\"type\":\"val\",\"data\":\"\"}"));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvsdir_create (NULL, NULL, NULL,
                 "{\"ver\":1,\"type\":\"dir\",\"data\":{}}"));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvsdir_create (NULL, NULL, "a",
                 "{\"ver\":1,\"type\":\"dir\",\"data\":{\"x\":1}}"));
    assert_int_equal (errno, EINVAL);
    flux_kvsdir_destroy (NULL);
}

static void test_lookup_symlink (void **state)
{
    flux_future_t *f;
    const char *ns, *target;
    (void)state;

    answer (0, 1, "{\"key\":\"l\",\"val\":{\"ver\":1,\"type\":\"symlink\","
                  "\"data\":{\"namespace\":\"other\",\"target\":\"x.y\"}}}");
    f = flux_kvs_lookup (srv.h, NULL, FLUX_KVS_READLINK, "l");
    wait_ready (f);
    assert_json (json_object_get (srv.payload, "flags"), "2");
    assert_int_equal (flux_kvs_lookup_get_symlink (f, &ns, &target), 0);
    assert_string_equal (ns, "other");
    assert_string_equal (target, "x.y");
    EXPECT_EINVAL (flux_kvs_lookup_get (f, &target));
    flux_future_destroy (f);

    answer (0, 1, "{\"key\":\"l\",\"val\":{\"ver\":1,\"type\":\"symlink\","
                  "\"data\":{\"target\":\"x\"}}}");
    f = flux_kvs_lookup (srv.h, NULL, FLUX_KVS_READLINK, "l");
    wait_ready (f);
    ns = "junk";
    assert_int_equal (flux_kvs_lookup_get_symlink (f, &ns, &target), 0);
    assert_null (ns);
    assert_string_equal (target, "x");
    flux_future_destroy (f);
}

/* A watch: kvs-watch.lookup, streaming; each response after a reset
 * replaces what the accessors return; cancel sends kvs-watch.cancel
 * with the watch's matchtag and the stream ends with ENODATA.
 */
static void test_lookup_watch (void **state)
{
    flux_future_t *f;
    const char *s;
    uint32_t matchtag;
    (void)state;

    answer (0, 2,
            "{\"val\":{\"ver\":1,\"type\":\"val\",\"data\":\"MQ==\"}}",
            "{\"val\":{\"ver\":1,\"type\":\"val\",\"data\":\"Mg==\"}}");
    f = flux_kvs_lookup (srv.h, NULL, FLUX_KVS_WATCH | FLUX_KVS_WATCH_UNIQ,
                         "w");
    wait_ready (f);
    matchtag = srv.matchtag;
    assert_string_equal (srv.topic, "kvs-watch.lookup");
    assert_true (srv.streaming);
    assert_json (srv.payload, "{\"key\":\"w\",\"namespace\":\"primary\","
                              "\"flags\":132}");
    assert_int_equal (flux_kvs_lookup_get (f, &s), 0);
    assert_string_equal (s, "1");
    flux_future_reset (f);
    wait_ready (f);
    assert_int_equal (flux_kvs_lookup_get (f, &s), 0);
    assert_string_equal (s, "2");
    flux_future_reset (f);

    assert_int_equal (flux_kvs_lookup_cancel (f), 0);
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs-watch.cancel");
    assert_true (srv.noresponse);
    assert_int_equal (json_object_size (srv.payload), 1);
    assert_int_equal (json_integer_value (json_object_get (srv.payload,
                                                            "matchtag")),
                      matchtag);
    assert_int_equal (flux_rpc_get_matchtag (f), matchtag);
    errno = 0;
    assert_int_equal (flux_kvs_lookup_get (f, &s), -1);
    assert_int_equal (errno, ENODATA);
    flux_future_destroy (f);
}

static void test_lookup_waitcreate_sentinel (void **state)
{
    flux_future_t *f;
    const char *s;
    const void *data;
    size_t len;
    (void)state;

    /* WAITCREATE alone: kvs-watch, not streaming. */
    answer (0, 1, "{\"val\":{\"ver\":1,\"type\":\"val\",\"data\":\"eA==\"}}");
    f = flux_kvs_lookup (srv.h, NULL, FLUX_KVS_WAITCREATE, "k");
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs-watch.lookup");
    assert_false (srv.streaming);
    flux_future_destroy (f);

    /* The initial sentinel is an empty response: no value. */
    answer (0, 2, NULL,
            "{\"val\":{\"ver\":1,\"type\":\"val\",\"data\":\"eQ==\"}}");
    f = flux_kvs_lookup (srv.h, NULL, FLUX_KVS_WATCH | FLUX_KVS_WATCH_APPEND
                         | FLUX_KVS_WATCH_INITIAL_SENTINEL, "k");
    wait_ready (f);
    s = "junk";
    assert_int_equal (flux_kvs_lookup_get (f, &s), 0);
    assert_null (s);
    assert_int_equal (flux_kvs_lookup_get_raw (f, &data, &len), 0);
    assert_null (data);
    assert_int_equal (len, 0);
    flux_future_reset (f);
    wait_ready (f);
    assert_int_equal (flux_kvs_lookup_get (f, &s), 0);
    assert_string_equal (s, "y");
    flux_future_reset (f);
    assert_int_equal (flux_kvs_lookup_cancel (f), 0);
    wait_ready (f);
    errno = 0;
    assert_int_equal (flux_kvs_lookup_get (f, &s), -1);
    assert_int_equal (errno, ENODATA);
    flux_future_destroy (f);
}

/* Getroot, namespaces, versions -------------------------------------- */

static void test_getroot (void **state)
{
    flux_future_t *f;
    const char *ref, *treeobj;
    int seq;
    uint32_t owner;
    (void)state;

    answer (0, 1, "{\"owner\":4294967295,\"rootseq\":3,"
                  "\"rootref\":\"sha1-99\",\"flags\":0,"
                  "\"namespace\":\"x\"}");
    f = flux_kvs_getroot (srv.h, "x", 0);
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs.getroot");
    assert_json (srv.payload, "{\"namespace\":\"x\",\"flags\":0}");
    assert_int_equal (flux_kvs_getroot_get_blobref (f, &ref), 0);
    assert_string_equal (ref, "sha1-99");
    assert_int_equal (flux_kvs_getroot_get_sequence (f, &seq), 0);
    assert_int_equal (seq, 3);
    assert_int_equal (flux_kvs_getroot_get_owner (f, &owner), 0);
    assert_int_equal (owner, 4294967295u);
    assert_int_equal (flux_kvs_getroot_get_treeobj (f, &treeobj), 0);
    assert_string_equal (treeobj, "{\"data\":[\"sha1-99\"],"
                                  "\"type\":\"dirref\",\"ver\":1}");
    EXPECT_EINVAL (flux_kvs_getroot_get_owner (f, NULL));
    flux_future_destroy (f);

    errno = 0;
    assert_null (flux_kvs_getroot (srv.h, NULL, 1));
    assert_int_equal (errno, EINVAL);
    setenv ("FLUX_KVS_NAMESPACE", "mine", 1);
    f = flux_kvs_getroot (srv.h, NULL, 0);
    wait_ready (f);
    assert_json (json_object_get (srv.payload, "namespace"), "\"mine\"");
    flux_future_destroy (f);
    unsetenv ("FLUX_KVS_NAMESPACE");
}

static void test_namespace (void **state)
{
    flux_future_t *f;
    (void)state;

    answer (0, 1, NULL);
    f = flux_kvs_namespace_create (srv.h, "ns1", 1000, 0);
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs.namespace-create");
    assert_json (srv.payload, "{\"namespace\":\"ns1\",\"rootref\":\""
                 EMPTY_DIR_REF "\",\"owner\":1000,\"flags\":0}");
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_destroy (f);

    /* FLUX_USERID_UNKNOWN goes as -1, as flux-core sends it. */
    f = flux_kvs_namespace_create_with (srv.h, "ns2", "sha1-5",
                                        FLUX_USERID_UNKNOWN, 0);
    wait_ready (f);
    assert_json (srv.payload, "{\"namespace\":\"ns2\",\"rootref\":\"sha1-5\","
                              "\"owner\":-1,\"flags\":0}");
    flux_future_destroy (f);

    answer (EEXIST, 0);
    f = flux_kvs_namespace_create (srv.h, "ns1", 1000, 0);
    wait_ready (f);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, EEXIST);
    flux_future_destroy (f);

    answer (0, 1, NULL);
    f = flux_kvs_namespace_remove (srv.h, "ns1");
    wait_ready (f);
    assert_string_equal (srv.topic, "kvs.namespace-remove");
    assert_json (srv.payload, "{\"namespace\":\"ns1\"}");
    flux_future_destroy (f);

    errno = 0;
    assert_null (flux_kvs_namespace_create (srv.h, "x", 0, 1));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_namespace_create (srv.h, NULL, 0, 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_namespace_create_with (srv.h, "x", NULL, 0, 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_namespace_remove (srv.h, NULL));
    assert_int_equal (errno, EINVAL);
}

/* Copy: a TREEOBJ lookup of the source, then a commit of that object
 * at the destination; move: then a commit unlinking the source.  One
 * answer serves every step: it has both a val and a rootref.
 */
#define STEP_ANSWER "{\"val\":{\"ver\":1,\"type\":\"dirref\"," \
                    "\"data\":[\"sha1-7\"]},\"rootref\":\"sha1-8\"," \
                    "\"rootseq\":9}"

static void test_copy_move (void **state)
{
    flux_future_t *f;
    const char *ref;
    int seq;
    (void)state;

    answer (0, 1, STEP_ANSWER);
    f = flux_kvs_copy (srv.h, "src", "a", "dst", "b", FLUX_KVS_NO_MERGE);
    assert_non_null (f);
    assert_int_equal (srv.count, 0); /* nothing sent until waited for */
    wait_ready (f);
    assert_string_equal (srv.topics, "kvs.lookup kvs.commit");
    assert_json (srv.all_ops, "[{\"namespace\":\"dst\",\"flags\":1,"
        "\"ops\":[{\"key\":\"b\",\"flags\":0,\"dirent\":"
        "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-7\"]}}]}]");
    assert_int_equal (flux_future_get (f, NULL), 0);
    assert_int_equal (flux_kvs_commit_get_rootref (f, &ref), 0);
    assert_string_equal (ref, "sha1-8");
    assert_int_equal (flux_kvs_commit_get_sequence (f, &seq), 0);
    assert_int_equal (seq, 9);
    flux_future_destroy (f);

    srv.topics[0] = '\0';
    json_array_clear (srv.all_ops);
    f = flux_kvs_move (srv.h, NULL, "a", NULL, "b", 0);
    wait_ready (f);
    assert_int_equal (flux_future_get (f, NULL), 0);
    assert_string_equal (srv.topics, "kvs.lookup kvs.commit kvs.commit");
    assert_json (json_array_get (srv.all_ops, 1),
        "{\"namespace\":\"primary\",\"flags\":0,\"ops\":[{\"key\":"
        "\"a\",\"flags\":0,\"dirent\":null}]}");
    flux_future_destroy (f);

    /* The first failing step fails the future: no commit after it. */
    srv.topics[0] = '\0';
    answer (ENOENT, 0);
    f = flux_kvs_move (srv.h, NULL, "missing", NULL, "b", 0);
    wait_ready (f);
    errno = 0;
    assert_int_equal (flux_future_get (f, NULL), -1);
    assert_int_equal (errno, ENOENT);
    assert_string_equal (srv.topics, "kvs.lookup");
    flux_future_destroy (f);

    /* A future destroyed with its steps under way. */
    answer (0, 1, STEP_ANSWER);
    f = flux_kvs_copy (srv.h, NULL, "a", NULL, "b", 0);
    assert_int_equal (flux_future_then (f, -1., stop_cb, srv.r), 0);
    flux_future_destroy (f);

    errno = 0;
    assert_null (flux_kvs_copy (srv.h, NULL, NULL, NULL, "b", 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_move (srv.h, NULL, "a", NULL, "", 0));
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_kvs_copy (NULL, NULL, "a", NULL, "b", 0));
    assert_int_equal (errno, EINVAL);
}

/* The treeobj helpers on their own. */
static void test_treeobj (void **state)
{
    json_t *o;
    void *data;
    size_t len;
    char *s;
    (void)state;

    o = treeobj_create_val ("abc", 3);
    assert_int_equal (treeobj_validate (o), 0);
    assert_string_equal (treeobj_type (o), "val");
    assert_int_equal (treeobj_count (o), 1);
    assert_int_equal (treeobj_decode_val (o, &data, &len), 0);
    assert_int_equal (len, 3);
    assert_memory_equal (data, "abc\0", 4);
    free (data);
    s = treeobj_encode (o);
    assert_string_equal (s, "{\"data\":\"YWJj\",\"type\":\"val\",\"ver\":1}");
    free (s);
    json_decref (o);

    o = treeobj_decode ("{\"ver\":1,\"type\":\"valref\","
                        "\"data\":[\"sha1-1\",\"sha1-2\"]}");
    assert_non_null (o);
    assert_int_equal (treeobj_count (o), 2);
    errno = 0;
    assert_int_equal (treeobj_decode_val (o, &data, &len), -1);
    assert_int_equal (errno, EINVAL);
    json_decref (o);

    static const char *invalid[] = {
        "{\"ver\":1,\"type\":\"valref\",\"data\":[]}",
        "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"sha1-1\",\"sha1-2\"]}",
        "{\"ver\":1,\"type\":\"dirref\",\"data\":[\"nodash\"]}",
        "{\"ver\":1,\"type\":\"val\",\"data\":5}",
        "{\"ver\":1,\"type\":\"symlink\",\"data\":{\"namespace\":\"x\"}}",
        "{\"ver\":1,\"type\":\"dir\",\"data\":[]}",
        "{\"type\":\"dir\",\"data\":{}}",
        "[1]",
    };
    for (size_t i = 0; i < sizeof (invalid) / sizeof (invalid[0]); i++) {
        errno = 0;
        if (treeobj_decode (invalid[i]) != NULL)
            fail_msg ("accepted %s", invalid[i]);
        assert_int_equal (errno, EINVAL);
    }
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_treeobj),
        cmocka_unit_test (test_txn_ops),
        cmocka_unit_test (test_txn_errors),
        cmocka_unit_test (test_kvsdir),
        cmocka_unit_test_setup_teardown (test_txn_compact, setup, teardown),
        cmocka_unit_test_setup_teardown (test_commit, setup, teardown),
        cmocka_unit_test_setup_teardown (test_lookup_val, setup, teardown),
        cmocka_unit_test_setup_teardown (test_lookup_flags, setup, teardown),
        cmocka_unit_test_setup_teardown (test_lookupat_dir, setup, teardown),
        cmocka_unit_test_setup_teardown (test_lookup_symlink, setup,
                                         teardown),
        cmocka_unit_test_setup_teardown (test_lookup_watch, setup, teardown),
        cmocka_unit_test_setup_teardown (test_lookup_waitcreate_sentinel,
                                         setup, teardown),
        cmocka_unit_test_setup_teardown (test_getroot, setup, teardown),
        cmocka_unit_test_setup_teardown (test_namespace, setup, teardown),
        cmocka_unit_test_setup_teardown (test_copy_move, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
