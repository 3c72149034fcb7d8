/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* content: the content-addressable store of RFC 10, as a broker module.
 *
 * A blob is named by its blobref, "sha1-" + the hex SHA-1 of its bytes;
 * on the wire the name is the raw 20-byte digest, as flux-core's
 * content service has it (src/modules/content/cache.c):
 *
 *   content.load   raw digest -> raw blob        (ENOENT: unknown blob,
 *                                                  EPROTO: not 20 bytes)
 *   content.store  raw blob   -> raw digest      (EFBIG: over the limit)
 *   content.checkpoint-put {value:{version, rootref, sequence, timestamp}}
 *                             -> (no payload)
 *   content.checkpoint-get    -> {value:[checkpoint...]}, newest first
 *                                                 (ENOENT: none yet)
 *   content.flush             -> (no payload)
 *   content.dropcache         -> (no payload)
 *   content.stats-get         -> {count, valid, dirty, size,
 *                                  flush-batch-count, mmap}
 *
 * Every method is owner-only, as in flux-core.  Module arguments:
 * blob-size-limit=N (bytes; flux-core's default is 1 GiB).
 *
 * flux-core splits this service in two, a cache module ("content") and a
 * backing module (content-sqlite, under the content-backing service);
 * with one broker there is nothing to cache for, so this module is both:
 * every request is answered from SQLite, synchronously, in the order the
 * requests arrived.  The KVS counts on that order: it sends a commit's
 * stores and then its checkpoint without waiting, and takes the
 * checkpoint's response to mean that the stores before it are done.
 *
 * Where the data lives: <statedir>/content.sqlite when the broker
 * attribute statedir is set (the directory is created if missing, as
 * flux-core's broker does), else an in-memory database that ends with
 * the module.  The schema is content-sqlite's (objects, checkpt_v2), and
 * blobs are written uncompressed (size -1), which content-sqlite reads;
 * a database written by content-sqlite with lz4-compressed blobs is
 * refused blob by blob (EINVAL), since this module has no lz4.
 *
 * Durability.  journal_mode=WAL with synchronous=NORMAL, as flux-core's
 * content-sqlite: each store and checkpoint is its own transaction,
 * appended to content.sqlite-wal with write(2) before its response is
 * sent.  A written page is in the kernel's page cache, which outlives
 * the process: after SIGKILL the next open replays the WAL, so every
 * answered request is still there.  What NORMAL gives up is the fsync at
 * each commit (the WAL is synced at checkpoints only), so a power loss
 * or kernel crash may lose the latest commits; FULL would sync every
 * commit, a disk flush per KVS commit.  content.flush asks for the
 * stronger guarantee: it checkpoints the WAL into the database
 * (wal_checkpoint(FULL)), which syncs both files; the KVS sends it for
 * a FLUX_KVS_SYNC commit.  locking_mode=EXCLUSIVE (flux-core's too):
 * one broker owns the file, and the WAL index lives in its memory.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>
#include <flux/core.h>

#include "sha1.h"

/* flux-core's default (src/modules/content/cache.c): RFC 10 says 1 MiB,
 * flux-core raised it so that large KVS directories fit.
 */
static const uint32_t default_blob_size_limit = 1048576 * 1024;

/* Checkpoints kept, newest first (content-sqlite's max-checkpoints). */
static const int max_checkpoints = 5;

static const char *sql_create_objects =
    "CREATE TABLE IF NOT EXISTS objects("
    "  hash BLOB PRIMARY KEY,"
    "  size INT,"
    "  object BLOB,"
    "  epoch INT DEFAULT 0"
    ");";
static const char *sql_create_checkpt =
    "CREATE TABLE IF NOT EXISTS checkpt_v2("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,"
    "  value TEXT"
    ");";
static const char *sql_load =
    "SELECT object,size FROM objects WHERE hash = ?1 LIMIT 1";
/* N.B. a blob already stored is left as it is: same hash, same bytes. */
static const char *sql_store =
    "INSERT INTO objects (hash,size,object,epoch) VALUES (?1, -1, ?2, ?3)"
    "  ON CONFLICT(hash) DO NOTHING";
static const char *sql_checkpt_get =
    "SELECT value FROM checkpt_v2 ORDER BY id DESC";
static const char *sql_checkpt_put =
    "INSERT INTO checkpt_v2 (value) VALUES (?1)";
static const char *sql_checkpt_prune =
    "DELETE FROM checkpt_v2 WHERE id <= ?1";
static const char *sql_totals =
    "SELECT count(1), coalesce(sum(length(object)),0) FROM objects";
static const char *sql_max_checkpt =
    "SELECT coalesce(max(id),0) FROM checkpt_v2";

struct content {
    flux_t *h;
    flux_msg_handler_t **handlers;
    char *dbfile;                /* NULL: in memory */
    sqlite3 *db;
    sqlite3_stmt *load_stmt;
    sqlite3_stmt *store_stmt;
    sqlite3_stmt *checkpt_get_stmt;
    sqlite3_stmt *checkpt_put_stmt;
    sqlite3_stmt *checkpt_prune_stmt;
    uint32_t blob_size_limit;
    int64_t epoch;               /* id of the newest checkpoint */
    int64_t count;               /* blobs stored */
    int64_t size;                /* their bytes */
};

/* An errno for the last SQLite error (content-sqlite's mapping). */
static int sqlite_errno (struct content *ctx)
{
    switch (sqlite3_errcode (ctx->db)) {
        case SQLITE_IOERR:
            return EIO;
        case SQLITE_NOMEM:
            return ENOMEM;
        case SQLITE_ABORT:
        case SQLITE_PERM:
        case SQLITE_READONLY:
            return EPERM;
        case SQLITE_TOOBIG:
            return EFBIG;
        case SQLITE_FULL:
            return ENOSPC;
        default:
            return EINVAL;
    }
}

/* Answer msg with the last SQLite error, and log it. */
static void respond_sqlite_error (struct content *ctx,
                                  const flux_msg_t *msg,
                                  const char *what)
{
    char text[256];

    (void)snprintf (text, sizeof (text), "content %s: %s", what,
                    sqlite3_errmsg (ctx->db));
    flux_log (ctx->h, LOG_ERR, "%s", text);
    if (flux_respond_error (ctx->h, msg, sqlite_errno (ctx), text) < 0)
        flux_log_error (ctx->h, "content %s: responding", what);
}

static void respond_error (struct content *ctx, const flux_msg_t *msg,
                           int errnum, const char *text, const char *what)
{
    if (flux_respond_error (ctx->h, msg, errnum, text) < 0)
        flux_log_error (ctx->h, "content %s: responding", what);
}

static void load_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    struct content *ctx = arg;
    const void *hash;
    size_t hash_size;
    int rc;

    (void)mh;
    if (flux_request_decode_raw (msg, NULL, &hash, &hash_size) < 0) {
        respond_error (ctx, msg, errno, NULL, "load");
        return;
    }
    if (hash_size != SHA1_DIGEST_SIZE) {
        respond_error (ctx, msg, EPROTO, "content load: the request must "
                       "be a 20-byte sha1 digest", "load");
        return;
    }
    /* N.B. bound as text, as content-sqlite binds it, so that a
     * database either module wrote matches the other's lookups.
     */
    if (sqlite3_bind_text (ctx->load_stmt, 1, hash, (int)hash_size,
                           SQLITE_STATIC) != SQLITE_OK) {
        respond_sqlite_error (ctx, msg, "load");
        goto done;
    }
    rc = sqlite3_step (ctx->load_stmt);
    if (rc == SQLITE_DONE) {
        respond_error (ctx, msg, ENOENT, NULL, "load");
        goto done;
    }
    if (rc != SQLITE_ROW) {
        respond_sqlite_error (ctx, msg, "load");
        goto done;
    }
    if (sqlite3_column_int (ctx->load_stmt, 1) != -1) {
        respond_error (ctx, msg, EINVAL, "content load: the blob is "
                       "compressed (written by content-sqlite with lz4), "
                       "which this module cannot read", "load");
        goto done;
    }
    if (flux_respond_raw (h, msg,
                          sqlite3_column_blob (ctx->load_stmt, 0),
                          sqlite3_column_bytes (ctx->load_stmt, 0)) < 0)
        flux_log_error (h, "content load: responding");
done:
    sqlite3_reset (ctx->load_stmt);
    sqlite3_clear_bindings (ctx->load_stmt);
}

static void store_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct content *ctx = arg;
    const void *data;
    size_t len;
    uint8_t hash[SHA1_DIGEST_SIZE];

    (void)mh;
    if (flux_request_decode_raw (msg, NULL, &data, &len) < 0) {
        respond_error (ctx, msg, errno, NULL, "store");
        return;
    }
    if (len > ctx->blob_size_limit) {
        respond_error (ctx, msg, EFBIG, NULL, "store");
        return;
    }
    sha1_digest (data, len, hash);
    if (sqlite3_bind_text (ctx->store_stmt, 1, (const char *)hash,
                           sizeof (hash), SQLITE_STATIC) != SQLITE_OK
        || sqlite3_bind_blob (ctx->store_stmt, 2, len ? data : "",
                              (int)len, SQLITE_STATIC) != SQLITE_OK
        || sqlite3_bind_int64 (ctx->store_stmt, 3, ctx->epoch) != SQLITE_OK
        || sqlite3_step (ctx->store_stmt) != SQLITE_DONE) {
        respond_sqlite_error (ctx, msg, "store");
        goto done;
    }
    if (sqlite3_changes (ctx->db) > 0) {
        ctx->count++;
        ctx->size += len;
    }
    if (flux_respond_raw (h, msg, hash, sizeof (hash)) < 0)
        flux_log_error (h, "content store: responding");
done:
    sqlite3_reset (ctx->store_stmt);
    sqlite3_clear_bindings (ctx->store_stmt);
}

static void checkpoint_get_cb (flux_t *h, flux_msg_handler_t *mh,
                               const flux_msg_t *msg, void *arg)
{
    struct content *ctx = arg;
    json_t *a;
    int rc;

    (void)mh;
    if (!(a = json_array ())) {
        respond_error (ctx, msg, ENOMEM, NULL, "checkpoint-get");
        return;
    }
    while ((rc = sqlite3_step (ctx->checkpt_get_stmt)) == SQLITE_ROW) {
        const char *s;
        json_t *o;

        s = (const char *)sqlite3_column_text (ctx->checkpt_get_stmt, 0);
        if (!s || !(o = json_loads (s, 0, NULL))) {
            respond_error (ctx, msg, EINVAL, "content checkpoint-get: a "
                           "stored checkpoint is not JSON",
                           "checkpoint-get");
            goto done;
        }
        if (json_array_append_new (a, o) < 0) {
            respond_error (ctx, msg, ENOMEM, NULL, "checkpoint-get");
            goto done;
        }
    }
    if (rc != SQLITE_DONE) {
        respond_sqlite_error (ctx, msg, "checkpoint-get");
        goto done;
    }
    if (json_array_size (a) == 0) {
        respond_error (ctx, msg, ENOENT, NULL, "checkpoint-get");
        goto done;
    }
    if (flux_respond_pack (h, msg, "{s:O}", "value", a) < 0)
        flux_log_error (h, "content checkpoint-get: responding");
done:
    sqlite3_reset (ctx->checkpt_get_stmt);
    json_decref (a);
}

static void checkpoint_put_cb (flux_t *h, flux_msg_handler_t *mh,
                               const flux_msg_t *msg, void *arg)
{
    struct content *ctx = arg;
    json_t *value;
    char *s = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:o}", "value", &value) < 0) {
        respond_error (ctx, msg, errno, "content checkpoint-put: the "
                       "request must be {\"value\": {...}}",
                       "checkpoint-put");
        return;
    }
    if (!json_is_object (value)) {
        respond_error (ctx, msg, EPROTO, "content checkpoint-put: value "
                       "must be an object", "checkpoint-put");
        return;
    }
    if (!(s = json_dumps (value, JSON_COMPACT))) {
        respond_error (ctx, msg, ENOMEM, NULL, "checkpoint-put");
        return;
    }
    if (sqlite3_bind_text (ctx->checkpt_put_stmt, 1, s, -1,
                           SQLITE_STATIC) != SQLITE_OK
        || sqlite3_step (ctx->checkpt_put_stmt) != SQLITE_DONE) {
        respond_sqlite_error (ctx, msg, "checkpoint-put");
        goto done;
    }
    ctx->epoch = sqlite3_last_insert_rowid (ctx->db);
    /* Keep the newest few, as content-sqlite does; ids only grow. */
    if (sqlite3_bind_int64 (ctx->checkpt_prune_stmt, 1,
                            ctx->epoch - max_checkpoints) != SQLITE_OK
        || sqlite3_step (ctx->checkpt_prune_stmt) != SQLITE_DONE) {
        respond_sqlite_error (ctx, msg, "checkpoint-put");
        goto done;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "content checkpoint-put: responding");
done:
    sqlite3_reset (ctx->checkpt_put_stmt);
    sqlite3_clear_bindings (ctx->checkpt_put_stmt);
    sqlite3_reset (ctx->checkpt_prune_stmt);
    free (s);
}

/* Everything answered is already in the database; flush makes it safe
 * from a power loss too (see the comment at the top).
 */
static void flush_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct content *ctx = arg;

    (void)mh;
    if (ctx->dbfile
        && sqlite3_wal_checkpoint_v2 (ctx->db, NULL, SQLITE_CHECKPOINT_FULL,
                                      NULL, NULL) != SQLITE_OK) {
        respond_sqlite_error (ctx, msg, "flush");
        return;
    }
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "content flush: responding");
}

/* flux-core drops the clean entries of its cache; this module keeps no
 * cache apart from SQLite's own.
 */
static void dropcache_cb (flux_t *h, flux_msg_handler_t *mh,
                          const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)arg;
    if (flux_respond (h, msg, NULL) < 0)
        flux_log_error (h, "content dropcache: responding");
}

static void stats_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    struct content *ctx = arg;

    (void)mh;
    if (flux_respond_pack (h, msg, "{s:I s:I s:i s:I s:i s:n}",
                           "count", (json_int_t)ctx->count,
                           "valid", (json_int_t)ctx->count,
                           "dirty", 0,
                           "size", (json_int_t)ctx->size,
                           "flush-batch-count", 0,
                           "mmap") < 0)
        flux_log_error (h, "content stats-get: responding");
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "content.load", load_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content.store", store_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content.checkpoint-get", checkpoint_get_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content.checkpoint-put", checkpoint_put_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content.flush", flush_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content.dropcache", dropcache_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content.stats-get", stats_cb, 0 },
    /* flux-core's backing store (content-sqlite) serves these; here the
     * store is its own backing store, so both names reach the same
     * data (flux content load --bypass-cache, kvs_checkpoint_lookup
     * with cache_bypass).
     */
    { FLUX_MSGTYPE_REQUEST, "content-backing.load", load_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content-backing.store", store_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content-backing.checkpoint-get",
      checkpoint_get_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "content-backing.checkpoint-put",
      checkpoint_put_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

static void content_destroy (struct content *ctx)
{
    if (ctx) {
        int saved_errno = errno;
        flux_msg_handler_delvec (ctx->handlers);
        sqlite3_finalize (ctx->load_stmt);
        sqlite3_finalize (ctx->store_stmt);
        sqlite3_finalize (ctx->checkpt_get_stmt);
        sqlite3_finalize (ctx->checkpt_put_stmt);
        sqlite3_finalize (ctx->checkpt_prune_stmt);
        if (ctx->db && sqlite3_close (ctx->db) != SQLITE_OK)
            flux_log (ctx->h, LOG_ERR, "content: closing %s: %s",
                      ctx->dbfile ? ctx->dbfile : ":memory:",
                      sqlite3_errmsg (ctx->db));
        free (ctx->dbfile);
        free (ctx);
        errno = saved_errno;
    }
}

static int parse_args (struct content *ctx, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (!strncmp (argv[i], "blob-size-limit=", 16)) {
            char *end;
            unsigned long long v;

            errno = 0;
            v = strtoull (argv[i] + 16, &end, 10);
            if (errno || end == argv[i] + 16 || *end || v > UINT32_MAX) {
                flux_module_set_error (ctx->h, "content: %s: not a size "
                                       "in bytes", argv[i]);
                errno = EINVAL;
                return -1;
            }
            ctx->blob_size_limit = (uint32_t)v;
        }
        else {
            flux_module_set_error (ctx->h, "content: unknown module "
                                   "option: %s", argv[i]);
            errno = EINVAL;
            return -1;
        }
    }
    return 0;
}

/* A statement that returns one row of integers, into v[0..n-1]. */
static int query_ints (struct content *ctx, const char *sql,
                       int64_t *v, int n)
{
    sqlite3_stmt *stmt;
    int rc = -1;

    if (sqlite3_prepare_v2 (ctx->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            v[i] = sqlite3_column_int64 (stmt, i);
        rc = 0;
    }
    sqlite3_finalize (stmt);
    return rc;
}

static int exec_sql (struct content *ctx, const char *sql)
{
    return sqlite3_exec (ctx->db, sql, NULL, NULL, NULL) == SQLITE_OK
        ? 0 : -1;
}

/* Where the database goes: <statedir>/content.sqlite, the directory
 * made if missing; NULL (in memory) without statedir.
 */
static int dbfile_setup (struct content *ctx)
{
    const char *statedir = flux_attr_get (ctx->h, "statedir");
    struct stat sb;

    if (!statedir || !*statedir)
        return 0;
    if (stat (statedir, &sb) < 0) {
        if (errno != ENOENT || mkdir (statedir, 0700) < 0) {
            flux_module_set_error (ctx->h, "content: statedir %s: %s",
                                   statedir, strerror (errno));
            return -1;
        }
    }
    else if (!S_ISDIR (sb.st_mode)) {
        flux_module_set_error (ctx->h, "content: statedir %s is not a "
                               "directory", statedir);
        errno = ENOTDIR;
        return -1;
    }
    if (asprintf (&ctx->dbfile, "%s/content.sqlite", statedir) < 0)
        return -1;
    /* N.B. fail early, with the file's name, as content-sqlite does. */
    if (access (ctx->dbfile, F_OK) == 0
        && access (ctx->dbfile, R_OK | W_OK) < 0) {
        flux_module_set_error (ctx->h, "content: %s: %s", ctx->dbfile,
                               strerror (errno));
        return -1;
    }
    return 0;
}

static int opendb (struct content *ctx)
{
    const char *name = ctx->dbfile ? ctx->dbfile : ":memory:";
    const char *what;
    int64_t totals[2];

    what = "opening";
    if (sqlite3_open_v2 (name, &ctx->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                         NULL) != SQLITE_OK)
        goto error;
    what = "setting its pragmas";
    if (ctx->dbfile
        && (exec_sql (ctx, "PRAGMA journal_mode=WAL") < 0
            || exec_sql (ctx, "PRAGMA synchronous=NORMAL") < 0
            || exec_sql (ctx, "PRAGMA locking_mode=EXCLUSIVE") < 0))
        goto error;
    what = "checking it";
    if (exec_sql (ctx, "PRAGMA quick_check") < 0)
        goto error;
    what = "creating its tables";
    if (exec_sql (ctx, sql_create_objects) < 0
        || exec_sql (ctx, sql_create_checkpt) < 0)
        goto error;
    what = "preparing statements";
    if (sqlite3_prepare_v2 (ctx->db, sql_load, -1,
                            &ctx->load_stmt, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (ctx->db, sql_store, -1,
                               &ctx->store_stmt, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (ctx->db, sql_checkpt_get, -1,
                               &ctx->checkpt_get_stmt, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (ctx->db, sql_checkpt_put, -1,
                               &ctx->checkpt_put_stmt, NULL) != SQLITE_OK
        || sqlite3_prepare_v2 (ctx->db, sql_checkpt_prune, -1,
                               &ctx->checkpt_prune_stmt, NULL) != SQLITE_OK)
        goto error;
    what = "reading it";
    if (query_ints (ctx, sql_totals, totals, 2) < 0
        || query_ints (ctx, sql_max_checkpt, &ctx->epoch, 1) < 0)
        goto error;
    ctx->count = totals[0];
    ctx->size = totals[1];
    flux_log (ctx->h, LOG_DEBUG, "%s (%jd objects)%s", name,
              (intmax_t)ctx->count,
              ctx->dbfile ? " journal_mode=WAL synchronous=NORMAL" : "");
    return 0;
error:
    flux_module_set_error (ctx->h, "content: %s %s: %s", what, name,
                           ctx->db ? sqlite3_errmsg (ctx->db)
                                   : "out of memory");
    errno = ctx->db ? sqlite_errno (ctx) : ENOMEM;
    return -1;
}

static int register_backing (flux_t *h)
{
    flux_future_t *f = flux_service_register (h, "content-backing");
    int rc = f ? flux_future_get (f, NULL) : -1;

    if (rc < 0)
        flux_module_set_error (h, "content: register content-backing: %s",
                               f ? flux_future_error_string (f)
                                 : strerror (errno));
    flux_future_destroy (f);
    return rc;
}

int mod_main (flux_t *h, int argc, char **argv)
{
    struct content *ctx;
    const char *hash;
    int rc = -1;

    if (!(ctx = calloc (1, sizeof (*ctx))))
        return -1;
    ctx->h = h;
    ctx->blob_size_limit = default_blob_size_limit;
    if (parse_args (ctx, argc, argv) < 0)
        goto done;
    /* N.B. flux-core's content.hash may name sha256 too; this one has
     * sha1 only, flux-core's default.
     */
    if ((hash = flux_attr_get (h, "content.hash")) && strcmp (hash, "sha1")) {
        flux_module_set_error (h, "content: content.hash=%s is not "
                               "supported (sha1 only)", hash);
        errno = EINVAL;
        goto done;
    }
    if (dbfile_setup (ctx) < 0 || opendb (ctx) < 0)
        goto done;
    if (register_backing (h) < 0
        || flux_msg_handler_addvec (h, htab, ctx, &ctx->handlers) < 0)
        goto done;
    if (flux_reactor_run (flux_get_reactor (h), 0) < 0) {
        flux_log_error (h, "content: reactor");
        goto done;
    }
    rc = 0;
done:
    content_destroy (ctx);
    return rc;
}

// vi:ts=4 sw=4 expandtab
