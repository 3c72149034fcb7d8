/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux kvs: the key-value store from the command line, as flux-core's.
 *
 * There is no libkvs here: the command speaks the kvs module's protocol
 * directly (kvs.lookup, kvs.commit, kvs.getroot; see modules/kvs/kvs.py),
 * building and reading RFC 11 tree objects itself.  A value is stored
 * as the bytes of the string given, with no NUL (flux_kvs_txn_put), so
 * appends concatenate.  Output follows
 * flux-core's flux-kvs: a value is printed as it is stored, as a C
 * string followed by a newline (so JSON comes out as it was put, and a
 * string raw), or byte for byte with --raw; a failure for KEY prints
 * "flux-kvs: KEY: <error>" and exits 1.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <jansson.h>

#include "base64.h"
#include "cmd.h"
#include "kvs.h"

int cmd_kvs (int argc, char **argv);

const char *kvs_prog = "flux-kvs";
static const char *prog = "flux-kvs";

static const char *default_namespace (const char *ns)
{
    const char *env;

    if (ns)
        return ns;
    if ((env = getenv ("FLUX_KVS_NAMESPACE")) && *env)
        return env;
    return "primary";
}

/* The RFC 11 snapshot (-a/--at) of dir and readlink: their lookups are
 * made at that root instead of a namespace's current one.
 */
static json_t *lookup_at;

/* Look up 'key'; return its RFC 11 object (owned by *fp, which the
 * caller destroys) or NULL with errno, *fp set for the error text.
 */
static json_t *lookup (flux_t *h, const char *ns, int flags, const char *key,
                       flux_future_t **fp)
{
    json_t *val;

    if (lookup_at)
        *fp = flux_rpc_pack (h, "kvs.lookup", FLUX_NODEID_ANY, 0,
                             "{s:s s:i s:O}",
                             "key", key,
                             "flags", flags,
                             "rootdir", lookup_at);
    else
        *fp = flux_rpc_pack (h, "kvs.lookup", FLUX_NODEID_ANY, 0,
                             "{s:s s:i s:s}",
                             "key", key,
                             "flags", flags,
                             "namespace", default_namespace (ns));
    if (!*fp || flux_rpc_get_unpack (*fp, "{s:o}", "val", &val) < 0)
        return NULL;
    if (!json_is_object (val)) {
        errno = EPROTO;
        return NULL;
    }
    return val;
}

static const char *treeobj_type (json_t *o)
{
    json_t *t = json_object_get (o, "type");
    return json_is_string (t) ? json_string_value (t) : "";
}

static bool treeobj_is (json_t *o, const char *type)
{
    return !strcmp (treeobj_type (o), type);
}

static bool treeobj_isdir (json_t *o)
{
    return treeobj_is (o, "dir") || treeobj_is (o, "dirref");
}

/* Decode a val object's data; caller frees.  NULL/EPROTO otherwise. */
static unsigned char *val_decode (json_t *o, size_t *lenp)
{
    const char *data;

    if (!treeobj_is (o, "val")
        || !(data = json_string_value (json_object_get (o, "data")))) {
        errno = EPROTO;
        return NULL;
    }
    return base64_decode (data, lenp);
}

static const char *symlink_target (json_t *o, const char **nsp)
{
    json_t *data = json_object_get (o, "data");
    *nsp = json_string_value (json_object_get (data, "namespace"));
    return json_string_value (json_object_get (data, "target"));
}

static char *xstrdup (const char *s)
{
    char *cpy = strdup (s);
    if (!cpy)
        cmd_die (prog, "out of memory");
    return cpy;
}

/* flux_kvsdir_key_at(): NAME in directory KEY. */
static char *key_at (const char *dir, const char *name)
{
    size_t len = strlen (dir);
    char *s;

    while (len > 0 && dir[len - 1] == '.')
        len--;
    if (len == 0)
        return xstrdup (name);
    if (asprintf (&s, "%.*s.%s", (int)len, dir, name) < 0)
        cmd_die (prog, "out of memory");
    return s;
}

static int strcmp_p (const void *a, const void *b)
{
    return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* The names of a dir object's entries, sorted (flux_kvsitr order).
 * Caller frees the array (not the names, owned by 'dir').
 */
static const char **dir_names (json_t *dir, size_t *countp)
{
    json_t *data = json_object_get (dir, "data");
    size_t count = json_object_size (data);
    const char **names = calloc (count + 1, sizeof (names[0]));
    const char *name;
    json_t *entry;
    size_t i = 0;

    if (!names)
        cmd_die (prog, "out of memory");
    json_object_foreach (data, name, entry)
        names[i++] = name;
    qsort (names, count, sizeof (names[0]), strcmp_p);
    *countp = count;
    return names;
}

/* Commit ops; print per -O/-b/-s as flux-core's commit_finish(). */
static void commit (flux_t *h, const char *ns, int flags, json_t *ops,
                    const struct kvs_opts *o)
{
    flux_future_t *f;
    const char *rootref;
    int rootseq;

    if (!(f = flux_rpc_pack (h, "kvs.commit", FLUX_NODEID_ANY, 0,
                             "{s:O s:i s:s}",
                             "ops", ops,
                             "flags", flags,
                             "namespace", default_namespace (ns)))
        || flux_rpc_get_unpack (f, "{s:s s:i}",
                                "rootref", &rootref,
                                "rootseq", &rootseq) < 0)
        cmd_die (prog, "commit: %s", cmd_future_strerror (f, errno));
    if (o->set['O'])
        printf ("{\"data\":[\"%s\"],\"type\":\"dirref\",\"ver\":1}\n",
                rootref);
    else if (o->set['b'])
        printf ("%s\n", rootref);
    else if (o->set['s'])
        printf ("%d\n", rootseq);
    flux_future_destroy (f);
}

static void add_op (json_t *ops, const char *key, int flags, json_t *dirent)
{
    json_t *op;

    if (!dirent || !(op = json_pack ("{s:s s:i s:o}",
                                     "key", key,
                                     "flags", flags,
                                     "dirent", dirent))
        || json_array_append_new (ops, op) < 0)
        cmd_die (prog, "out of memory");
}

static json_t *make_val (const void *data, size_t len)
{
    char *s = base64_encode (data, len);
    json_t *o;

    if (!s)
        cmd_die (prog, "out of memory");
    o = json_pack ("{s:i s:s s:s}", "ver", 1, "type", "val", "data", s);
    free (s);
    return o;
}

static void *read_stdin (size_t *lenp)
{
    size_t size = 4096, len = 0;
    char *buf = malloc (size);
    ssize_t n;

    while (buf && (n = read (STDIN_FILENO, buf + len, size - len)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            cmd_die (prog, "stdin: %s", strerror (errno));
        }
        len += n;
        if (len == size && !(buf = realloc (buf, size *= 2)))
            break;
    }
    if (!buf)
        cmd_die (prog, "out of memory");
    *lenp = len;
    return buf;
}

/* Options and parsers ------------------------------------------------ */

static const struct cmd_option get_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "raw", 'r', no_argument, NULL, "Interpret value(s) as raw data" },
    { "treeobj", 't', no_argument, NULL, "Show RFC 11 object" },
    { "at", 'a', required_argument, "TREEOBJ",
      "Lookup relative to RFC 11 snapshot reference" },
    { "label", 'l', no_argument, NULL, "Print key= before value" },
    { "waitcreate", 'W', no_argument, NULL,
      "Wait for creation to occur on watch" },
    { "watch", 'w', no_argument, NULL, "Monitor key writes" },
    { "uniq", 'u', no_argument, NULL,
      "Only monitor key writes if values have changed" },
    { "append", 'A', no_argument, NULL, "Only monitor key appends" },
    { "full", 'f', no_argument, NULL,
      "Monitor key changes with more complete accuracy" },
    { "count", 'c', required_argument, "COUNT",
      "Display at most COUNT changes" },
    { "stream", 'S', no_argument, NULL,
      "Return potentially large values in multiple responses" },
    CMD_OPTION_END,
};

static const struct cmd_option put_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "treeobj-root", 'O', no_argument, NULL,
      "Output resulting RFC11 root containing puts" },
    { "blobref", 'b', no_argument, NULL,
      "Output blobref of root containing puts" },
    { "sequence", 's', no_argument, NULL,
      "Output root sequence of root containing puts" },
    { "raw", 'r', no_argument, NULL,
      "Store value(s) as-is without adding NULL termination" },
    { "treeobj", 't', no_argument, NULL, "Store RFC 11 object" },
    { "no-merge", 'n', no_argument, NULL,
      "Set the NO_MERGE flag to ensure commit is standalone" },
    { "append", 'A', no_argument, NULL,
      "Append value(s) to key instead of overwriting" },
    { "sync", 'S', no_argument, NULL,
      "Flushes content and checkpoints after completing put" },
    CMD_OPTION_END,
};

static const struct cmd_option dir_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "recursive", 'R', no_argument, NULL,
      "Recursively display keys under subdirectories" },
    { "directory", 'd', no_argument, NULL,
      "List directory entries and not values" },
    { "width", 'w', required_argument, "COLS",
      "Set output width to COLS.  0 means no limit" },
    { "at", 'a', required_argument, "TREEOBJ",
      "Lookup relative to RFC 11 snapshot reference" },
    CMD_OPTION_END,
};

static const struct cmd_option ls_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "recursive", 'R', no_argument, NULL, "List directory recursively" },
    { "directory", 'd', no_argument, NULL,
      "List directory instead of contents" },
    { "width", 'w', required_argument, "COLS",
      "Set output width to COLS.  0 means no limit" },
    { "1", '1', no_argument, NULL, "Force one entry per line" },
    { "classify", 'F', no_argument, NULL,
      "Append indicator (one of .@) to entries" },
    CMD_OPTION_END,
};

static const struct cmd_option unlink_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "treeobj-root", 'O', no_argument, NULL,
      "Output resulting RFC11 root containing unlinks" },
    { "blobref", 'b', no_argument, NULL,
      "Output blobref of root containing unlinks" },
    { "sequence", 's', no_argument, NULL,
      "Output root sequence of root containing unlinks" },
    { "recursive", 'R', no_argument, NULL,
      "Remove directory contents recursively" },
    { "force", 'f', no_argument, NULL, "ignore nonexistent files" },
    CMD_OPTION_END,
};

static const struct cmd_option mkdir_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "treeobj-root", 'O', no_argument, NULL,
      "Output resulting RFC11 root containing new directory" },
    { "blobref", 'b', no_argument, NULL,
      "Output blobref of root containing new directory" },
    { "sequence", 's', no_argument, NULL,
      "Output root sequence of root containing new directory" },
    CMD_OPTION_END,
};

static const struct cmd_option link_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify link's namespace" },
    { "target-namespace", 'T', required_argument, "NS",
      "Specify target's namespace" },
    { "treeobj-root", 'O', no_argument, NULL,
      "Output resulting RFC11 root containing link" },
    { "blobref", 'b', no_argument, NULL,
      "Output blobref of root containing link" },
    { "sequence", 's', no_argument, NULL,
      "Output root sequence of root containing link" },
    CMD_OPTION_END,
};

static const struct cmd_option readlink_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "at", 'a', required_argument, "TREEOBJ",
      "Lookup relative to RFC 11 snapshot reference" },
    { "namespace-only", 'o', no_argument, NULL,
      "Output only namespace if link points to a namespace" },
    { "key-only", 'k', no_argument, NULL,
      "Output only key if link points to a namespace" },
    CMD_OPTION_END,
};

static const struct cmd_option getroot_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    { "sequence", 's', no_argument, NULL, "Show sequence number" },
    { "owner", 'o', no_argument, NULL, "Show owner" },
    { "blobref", 'b', no_argument, NULL, "Show blobref" },
    CMD_OPTION_END,
};

static const struct cmd_option version_opts[] = {
    { "namespace", 'N', required_argument, "NS",
      "Specify KVS namespace to use" },
    CMD_OPTION_END,
};

#define wait_opts version_opts

static const struct cmd_option copy_opts[] = {
    { "src-namespace", 'S', required_argument, "NS",
      "Specify source key's namespace" },
    { "dst-namespace", 'D', required_argument, "NS",
      "Specify destination key's namespace" },
    CMD_OPTION_END,
};

#define move_opts copy_opts

static const struct cmd_option sync_opts[] = {
    CMD_OPTION_END,
};

#define PARSER(name, u, d) { \
    .prog = "flux-kvs", .cmdline = "flux kvs " #name, .usage = u, \
    .doc = d, .opts = name##_opts }

static const struct cmd_parser get_parser = PARSER (get,
    "[-N ns] [-r|-t] [-a treeobj] [-l] [-W] [-w] [-u] [-A] [-f] [-S] "
    "[-c COUNT] KEY [KEY...]", "Get value stored under key.");
static const struct cmd_parser put_parser = PARSER (put,
    "[-N ns] [-O|-b|-s] [-r|-t] [-n] [-A] [-S] KEY=VALUE [KEY=VALUE...]",
    "Store value under key.");
static const struct cmd_parser dir_parser = PARSER (dir,
    "[-N ns] [-R] [-d] [-w COLS] [-a treeobj] [KEY]",
    "Display all keys under directory.");
static const struct cmd_parser ls_parser = PARSER (ls,
    "[-N ns] [-R] [-d] [-F] [-w COLS] [-1] [KEY...]", "List directory.");
static const struct cmd_parser unlink_parser = PARSER (unlink,
    "[-N ns] [-O|-b|-s] [-R] [-f] KEY [KEY...]", "Remove key.");
static const struct cmd_parser mkdir_parser = PARSER (mkdir,
    "[-N ns] [-O|-b|-s] KEY [KEY...]", "Create a directory.");
static const struct cmd_parser link_parser = PARSER (link,
    "[-N ns] [-T ns] [-O|-b|-s] TARGET LINKNAME",
    "Create a new name for target.");
static const struct cmd_parser readlink_parser = PARSER (readlink,
    "[-N ns] [-a treeobj] [-o|-k] KEY [KEY...]", "Retrieve the key a link refers to.");
static const struct cmd_parser getroot_parser = PARSER (getroot,
    "[-N ns] [-s|-o|-b]", "Get KVS root treeobj.");
static const struct cmd_parser version_parser = PARSER (version,
    "[-N ns]", "Display current KVS version.");
static const struct cmd_parser wait_parser = PARSER (wait,
    "[-N ns] VERSION", "Block until the KVS reaches version.");
static const struct cmd_parser copy_parser = PARSER (copy,
    "[-S src-ns] [-D dst-ns] SOURCE DESTINATION",
    "Copy source key to destination key.");
static const struct cmd_parser move_parser = PARSER (move,
    "[-S src-ns] [-D dst-ns] SOURCE DESTINATION",
    "Move source key to destination key.");
static const struct cmd_parser sync_parser = PARSER (sync,
    "", "Sync content and checkpoint to disk.");

static const struct cmd_parser kvs_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs",
    .usage = "COMMAND [OPTIONS] ARGS",
    .doc = "Operate on the Flux key-value store.  Commands:\n"
           "   get             Get value stored under key\n"
           "   put             Store value under key\n"
           "   dir             Display all keys under directory\n"
           "   ls              List directory\n"
           "   unlink          Remove key\n"
           "   link            Create a new name for target\n"
           "   readlink        Retrieve the key a link refers to\n"
           "   mkdir           Create a directory\n"
           "   copy            Copy source key to destination key\n"
           "   move            Move source key to destination key\n"
           "   getroot         Get KVS root treeobj\n"
           "   version         Display current KVS version\n"
           "   wait            Block until the KVS reaches version\n"
           "   sync            Sync content and checkpoint to disk\n"
           "   namespace       Perform KVS namespace operations\n"
           "   eventlog        Manipulate a KVS eventlog",
    .opts = NULL,
    .posix = true,
};

void kvs_parse (const struct cmd_parser *p, int argc, char **argv,
                struct kvs_opts *o)
{
    struct cmd_getopt *g = cmd_getopt_create (p, argc, argv);
    const char *optarg;
    int c;

    memset (o, 0, sizeof (*o));
    if (!g)
        cmd_die (prog, "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &optarg)) != -1) {
        if (c > 0 && c < 128) {
            o->set[c] = true;
            o->arg[c] = optarg;
        }
    }
    o->optind = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
}

/* -a TREEOBJ: set lookup_at (cmd_kvs frees it), or a usage error. */
static void set_lookup_at (const struct cmd_parser *p,
                           const struct kvs_opts *o)
{
    if (o->arg['a']) {
        if (!(lookup_at = json_loads (o->arg['a'], 0, NULL))
            || !treeobj_is (lookup_at, "dirref"))
            cmd_usage_error (p, "invalid RFC 11 dirref '%s'", o->arg['a']);
    }
}

/* get ---------------------------------------------------------------- */

/* As flux-core's flux kvs get: each lookup is made with libflux-core's
 * flux_kvs_lookup (kvs.lookup, or kvs-watch.lookup for -w, -W and -S)
 * and printed by a continuation.  Without --watch the keys are looked
 * up one after the other, so values come out in the order of the
 * command line; with --watch every watch starts at once and each
 * response is printed as it comes, until --count responses or a
 * cancel (ENODATA, the end of the stream).
 */
struct get_ctx {
    const struct kvs_opts *o;
    int maxcount;
    int count;
    bool have_output;
};

static void get_continuation (flux_future_t *f, void *arg)
{
    struct get_ctx *ctx = arg;
    const struct kvs_opts *o = ctx->o;
    const char *key = flux_kvs_lookup_get_key (f);
    bool watch = o->set['w'];
    bool stream = o->set['S'];

    if ((watch || stream) && flux_rpc_get (f, NULL) < 0 && errno == ENODATA) {
        if (stream && ctx->have_output)
            printf ("\n");
        flux_future_destroy (f);
        return;
    }
    if (o->set['t']) {
        const char *treeobj;
        if (flux_kvs_lookup_get_treeobj (f, &treeobj) < 0)
            cmd_die (prog, "%s: %s", key, cmd_future_strerror (f, errno));
        if (o->set['l'])
            printf ("%s=", key);
        printf ("%s\n", treeobj);
    }
    else if (o->set['r']) {
        const void *data;
        size_t len;
        if (flux_kvs_lookup_get_raw (f, &data, &len) < 0)
            cmd_die (prog, "%s: %s", key, cmd_future_strerror (f, errno));
        if (o->set['l'])
            printf ("%s=", key);
        fwrite (data, 1, len, stdout);
    }
    else {
        const char *value;
        if (flux_kvs_lookup_get (f, &value) < 0)
            cmd_die (prog, "%s: %s", key, cmd_future_strerror (f, errno));
        if (o->set['l'])
            printf ("%s=", key);
        /* N.B. A zero length value prints nothing, not even a newline. */
        if (value) {
            printf (stream ? "%s" : "%s\n", value);
            ctx->have_output = true;
        }
    }
    fflush (stdout);
    if (watch) {
        flux_future_reset (f);
        if (ctx->maxcount > 0 && ++ctx->count == ctx->maxcount
            && flux_kvs_lookup_cancel (f) < 0)
            cmd_die (prog, "%s: cancel: %s", key, strerror (errno));
    }
    else if (stream)
        flux_future_reset (f);
    else
        flux_future_destroy (f);
}

static void get_one (flux_t *h, const char *key, struct get_ctx *ctx)
{
    const struct kvs_opts *o = ctx->o;
    flux_future_t *f;
    int flags = 0;

    if (o->set['t'])
        flags |= FLUX_KVS_TREEOBJ;
    if (o->set['w']) {
        flags |= FLUX_KVS_WATCH;
        if (o->set['f'])
            flags |= FLUX_KVS_WATCH_FULL;
        if (o->set['u'])
            flags |= FLUX_KVS_WATCH_UNIQ;
        if (o->set['A'])
            flags |= FLUX_KVS_WATCH_APPEND;
    }
    if (o->set['W'])
        flags |= FLUX_KVS_WAITCREATE;
    if (o->set['S'])
        flags |= FLUX_KVS_STREAM;
    if (o->arg['a'])
        f = flux_kvs_lookupat (h, flags, key, o->arg['a']);
    else
        f = flux_kvs_lookup (h, o->arg['N'], flags, key);
    if (!f)
        cmd_die (prog, "%s: %s", key, strerror (errno));
    if (flux_future_then (f, -1., get_continuation, ctx) < 0)
        cmd_die (prog, "flux_future_then: %s", strerror (errno));
    if (!o->set['w'] && flux_reactor_run (flux_get_reactor (h), 0) < 0)
        cmd_die (prog, "flux_reactor_run: %s", strerror (errno));
}

static int kvs_get (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    struct get_ctx ctx = { .o = &o };

    kvs_parse (&get_parser, argc, argv, &o);
    if (o.optind == argc)
        cmd_usage_error (&get_parser, "specify one or more keys");
    if (o.arg['c'] && (cmd_parse_uint (o.arg['c'], &ctx.maxcount) < 0))
        cmd_usage_error (&get_parser, "invalid count '%s'", o.arg['c']);
    for (int i = o.optind; i < argc; i++)
        get_one (h, argv[i], &ctx);
    if (o.set['w'] && flux_reactor_run (flux_get_reactor (h), 0) < 0)
        cmd_die (prog, "flux_reactor_run: %s", strerror (errno));
    return 0;
}

/* put ---------------------------------------------------------------- */

static int kvs_put (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    json_t *ops;
    int flags = 0;

    kvs_parse (&put_parser, argc, argv, &o);
    if (o.optind == argc)
        cmd_usage_error (&put_parser, "specify one or more key=value pairs");
    if (!(ops = json_array ()))
        cmd_die (prog, "out of memory");
    for (int i = o.optind; i < argc; i++) {
        char *key = xstrdup (argv[i]);
        char *val = strchr (key, '=');
        json_t *dirent;

        if (!val)
            cmd_die (prog, "put: you must specify a value as key=value");
        *val++ = '\0';
        if (o.set['t']) {
            json_error_t jerr;
            if (!(dirent = json_loads (val, 0, &jerr)))
                cmd_die (prog, "%s: %s", key, strerror (EINVAL));
            add_op (ops, key, 0, dirent);
        }
        else if (o.set['r']) {
            size_t len;
            void *buf = NULL;
            if (!strcmp (val, "-"))
                buf = read_stdin (&len);
            add_op (ops, key, o.set['A'] ? FLUX_KVS_APPEND : 0,
                    make_val (buf ? buf : val, buf ? len : strlen (val)));
            free (buf);
        }
        else
            add_op (ops, key, o.set['A'] ? FLUX_KVS_APPEND : 0,
                    make_val (val, strlen (val)));
        free (key);
    }
    if (o.set['n'])
        flags |= FLUX_KVS_NO_MERGE;
    if (o.set['S'])
        flags |= FLUX_KVS_SYNC;
    commit (h, o.arg['N'], flags, ops, &o);
    json_decref (ops);
    return 0;
}

/* unlink, mkdir, link -------------------------------------------------- */

/* 0 if 'key' may be unlinked (*skip set if it is absent and -f was
 * given), else -1 with errno.
 */
static int unlink_check (flux_t *h, const struct kvs_opts *o, const char *key,
                         bool *skip)
{
    flux_future_t *f;
    json_t *obj;
    int rc = -1;

    *skip = false;
    if (!(obj = lookup (h, o->arg['N'], FLUX_KVS_TREEOBJ, key, &f))) {
        if (errno == ENOENT && o->set['f']) {
            *skip = true;
            rc = 0;
        }
        goto done;
    }
    if (treeobj_isdir (obj) && !o->set['R']) {
        flux_future_t *f2;
        json_t *dir = lookup (h, o->arg['N'], FLUX_KVS_READDIR, key, &f2);
        int count = json_object_size (json_object_get (dir, "data"));
        int saved_errno = errno;

        flux_future_destroy (f2);
        errno = saved_errno;
        if (!dir)
            goto done;
        if (count > 0) {
            errno = ENOTEMPTY;
            goto done;
        }
    }
    rc = 0;
done:
    if (rc < 0) {
        int saved_errno = errno;
        flux_future_destroy (f);
        errno = saved_errno;
    }
    else
        flux_future_destroy (f);
    return rc;
}

static int kvs_unlink (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    json_t *ops;

    kvs_parse (&unlink_parser, argc, argv, &o);
    if (o.optind == argc)
        cmd_usage_error (&unlink_parser, "specify one or more keys");
    if (!(ops = json_array ()))
        cmd_die (prog, "out of memory");
    for (int i = o.optind; i < argc; i++) {
        bool skip;
        if (unlink_check (h, &o, argv[i], &skip) < 0)
            cmd_die (prog, "cannot unlink '%s': %s", argv[i],
                     strerror (errno));
        if (!skip)
            add_op (ops, argv[i], 0, json_null ());
    }
    commit (h, o.arg['N'], 0, ops, &o);
    json_decref (ops);
    return 0;
}

static int kvs_mkdir (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    json_t *ops;

    kvs_parse (&mkdir_parser, argc, argv, &o);
    if (o.optind == argc)
        cmd_usage_error (&mkdir_parser, "specify one or more keys");
    if (!(ops = json_array ()))
        cmd_die (prog, "out of memory");
    for (int i = o.optind; i < argc; i++)
        add_op (ops, argv[i], 0, json_pack ("{s:i s:s s:{}}",
                                            "ver", 1,
                                            "type", "dir",
                                            "data"));
    commit (h, o.arg['N'], 0, ops, &o);
    json_decref (ops);
    return 0;
}

static int kvs_link (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    json_t *ops, *data;

    kvs_parse (&link_parser, argc, argv, &o);
    if (argc - o.optind != 2)
        cmd_usage_error (&link_parser, "specify target and link_name");
    if (!(ops = json_array ())
        || !(data = json_pack ("{s:s}", "target", argv[o.optind]))
        || (o.arg['T'] && json_object_set_new (data, "namespace",
                                               json_string (o.arg['T'])) < 0))
        cmd_die (prog, "out of memory");
    add_op (ops, argv[o.optind + 1], 0, json_pack ("{s:i s:s s:o}",
                                                   "ver", 1,
                                                   "type", "symlink",
                                                   "data", data));
    commit (h, o.arg['N'], 0, ops, &o);
    json_decref (ops);
    return 0;
}

static int kvs_readlink (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;

    kvs_parse (&readlink_parser, argc, argv, &o);
    if (o.optind == argc)
        cmd_usage_error (&readlink_parser, "specify one or more keys");
    set_lookup_at (&readlink_parser, &o);
    for (int i = o.optind; i < argc; i++) {
        flux_future_t *f;
        const char *ns, *target;
        json_t *obj;

        if (!(obj = lookup (h, o.arg['N'], FLUX_KVS_READLINK, argv[i], &f)))
            cmd_die (prog, "%s: %s", argv[i], cmd_future_strerror (f, errno));
        if (!(target = symlink_target (obj, &ns)))
            cmd_die (prog, "%s: %s", argv[i], strerror (EPROTO));
        if (o.set['o'] && ns)
            printf ("%s\n", ns);
        else if (o.set['k'] || !ns)
            printf ("%s\n", target);
        else
            printf ("%s::%s\n", ns, target);
        flux_future_destroy (f);
    }
    return 0;
}

/* dir, ls ------------------------------------------------------------- */

/* Columns: -w COLS, else the tty's width, else $COLUMNS, else 80. */
static int window_width (const struct kvs_opts *o)
{
    struct winsize w;
    const char *s;
    int width;

    if (o->arg['w']) {
        if (cmd_parse_uint (o->arg['w'], &width) < 0)
            cmd_die (prog, "invalid width '%s'", o->arg['w']);
        return width;
    }
    if (ioctl (STDOUT_FILENO, TIOCGWINSZ, &w) == 0)
        return w.ws_col;
    if ((s = getenv ("COLUMNS")) && (width = strtol (s, NULL, 10)) >= 0)
        return width;
    return 80;
}

/* "key = value" cut to 'maxcol' columns (0: no limit), as flux-core's
 * kv_printf(): at the first newline or unprintable character too.
 */
static void kv_print (const char *key, int maxcol, const char *val)
{
    char *kv;
    bool overflow = false;

    if (maxcol != 0 && maxcol <= 3)
        maxcol = 0;
    if (asprintf (&kv, "%s = %s", key, val) < 0)
        cmd_die (prog, "out of memory");
    if (maxcol != 0) {
        char *p;
        if ((int)strlen (kv) > maxcol - 3) {
            kv[maxcol - 3] = '\0';
            overflow = true;
        }
        if ((p = strchr (kv, '\n'))) {
            *p = '\0';
            if (p[1] != '\0')
                overflow = true;
        }
        for (p = kv; *p; p++) {
            if (*p < 0x20 || *p == 0x7f) {
                *p = '\0';
                overflow = true;
                break;
            }
        }
    }
    printf ("%s%s\n", kv, overflow ? "..." : "");
    free (kv);
}

static json_t *readdir_or_die (flux_t *h, const char *ns, const char *key,
                               flux_future_t **fp)
{
    json_t *dir = lookup (h, ns, FLUX_KVS_READDIR, key, fp);

    if (!dir || !treeobj_is (dir, "dir"))
        cmd_die (prog, "%s: %s", key,
                 cmd_future_strerror (*fp, dir ? EPROTO : errno));
    return dir;
}

static void dump_dir (flux_t *h, const struct kvs_opts *o, const char *dirkey,
                      json_t *dir, int maxcol)
{
    json_t *data = json_object_get (dir, "data");
    size_t count;
    const char **names = dir_names (dir, &count);

    for (size_t i = 0; i < count; i++) {
        json_t *entry = json_object_get (data, names[i]);
        char *key = key_at (dirkey, names[i]);

        if (treeobj_is (entry, "symlink")) {
            flux_future_t *f;
            json_t *link = lookup (h, o->arg['N'], FLUX_KVS_READLINK, key, &f);
            const char *ns, *target;
            if (!link || !treeobj_is (link, "symlink"))
                cmd_die (prog, "%s: %s", key,
                         cmd_future_strerror (f, link ? EPROTO : errno));
            target = symlink_target (link, &ns);
            if (ns)
                printf ("%s -> %s::%s\n", key, ns, target ? target : "");
            else
                printf ("%s -> %s\n", key, target ? target : "");
            flux_future_destroy (f);
        }
        else if (treeobj_isdir (entry)) {
            if (o->set['R']) {
                flux_future_t *f;
                json_t *sub = readdir_or_die (h, o->arg['N'], key, &f);
                if (json_object_size (json_object_get (sub, "data")) == 0)
                    printf ("%s.\n", key);
                else
                    dump_dir (h, o, key, sub, maxcol);
                flux_future_destroy (f);
            }
            else
                printf ("%s.\n", key);
        }
        else if (o->set['d'])
            printf ("%s\n", key);
        else {
            /* As flux-core's: each value is looked up by its key, not
             * read from the directory object (which may hold a valref,
             * its data elsewhere); t/vectors/kvs-dir.client-to-broker.bin.
             */
            flux_future_t *f;
            json_t *obj = lookup (h, o->arg['N'], 0, key, &f);
            size_t len;
            unsigned char *val = obj ? val_decode (obj, &len) : NULL;
            if (!val)
                cmd_die (prog, "%s: %s", key, cmd_future_strerror (f, errno));
            kv_print (key, maxcol, (char *)val);
            free (val);
            flux_future_destroy (f);
        }
        free (key);
    }
    free (names);
}

static int kvs_dir (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    const char *key = ".";
    flux_future_t *f;
    json_t *dir;
    int maxcol;

    kvs_parse (&dir_parser, argc, argv, &o);
    if (argc - o.optind > 1)
        cmd_usage_error (&dir_parser, "specify zero or one directory");
    if (argc - o.optind == 1)
        key = argv[o.optind];
    set_lookup_at (&dir_parser, &o);
    maxcol = window_width (&o);
    dir = readdir_or_die (h, o.arg['N'], key, &f);
    dump_dir (h, &o, key, dir, maxcol);
    flux_future_destroy (f);
    return 0;
}

/* Print 'names' in columns of the longest name + 4 within 'width'
 * (0: unlimited; 1: one per line), as flux-core's list_kvs_keys().
 */
static void print_columns (char **names, size_t count, int width)
{
    int col_width = 0, col = 0, last_len = 0;

    for (size_t i = 0; i < count; i++) {
        if ((int)strlen (names[i]) > col_width)
            col_width = strlen (names[i]);
    }
    col_width += 4;
    for (size_t i = 0; i < count; i++) {
        if (width != 0 && col + col_width > width && col > 0) {
            printf ("\n");
            col = 0;
        }
        else if (last_len > 0)
            printf ("%*s", col_width - last_len, "");
        printf ("%s", names[i]);
        last_len = strlen (names[i]);
        col += col_width;
    }
    if (col > 0)
        printf ("\n");
}

static void list_dir (flux_t *h, const struct kvs_opts *o, const char *key,
                      int width, bool label, bool vspace)
{
    flux_future_t *f;
    json_t *dir = readdir_or_die (h, o->arg['N'], key, &f);
    json_t *data = json_object_get (dir, "data");
    size_t count;
    const char **names = dir_names (dir, &count);
    char **shown = calloc (count + 1, sizeof (shown[0]));

    if (!shown)
        cmd_die (prog, "out of memory");
    if (label)
        printf ("%s%s:\n", vspace ? "\n" : "", key);
    for (size_t i = 0; i < count; i++) {
        json_t *entry = json_object_get (data, names[i]);
        const char *suffix = "";
        if (o->set['F'])
            suffix = treeobj_isdir (entry) ? "."
                   : treeobj_is (entry, "symlink") ? "@" : "";
        if (asprintf (&shown[i], "%s%s", names[i], suffix) < 0)
            cmd_die (prog, "out of memory");
    }
    print_columns (shown, count, width);
    for (size_t i = 0; i < count; i++)
        free (shown[i]);
    free (shown);
    if (o->set['R']) {
        for (size_t i = 0; i < count; i++) {
            if (treeobj_isdir (json_object_get (data, names[i]))) {
                char *sub = key_at (key, names[i]);
                list_dir (h, o, sub, width, label, true);
                free (sub);
            }
        }
    }
    free (names);
    flux_future_destroy (f);
}

static int kvs_ls (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    char **dirs, **singles;
    size_t ndirs = 0, nsingles = 0;
    bool label = false, vspace = false;
    int width, rc = 0;
    char *dot[] = { ".", NULL };
    char **keys;
    int nkeys;

    kvs_parse (&ls_parser, argc, argv, &o);
    width = o.set['1'] ? 1 : window_width (&o);
    keys = o.optind == argc ? dot : argv + o.optind;
    nkeys = o.optind == argc ? 1 : argc - o.optind;
    dirs = calloc (nkeys + 1, sizeof (dirs[0]));
    singles = calloc (nkeys + 1, sizeof (singles[0]));
    if (!dirs || !singles)
        cmd_die (prog, "out of memory");
    for (int i = 0; i < nkeys; i++) {
        char *key = xstrdup (keys[i]);
        size_t len = strlen (key);
        bool want_dir = false;
        flux_future_t *f;
        json_t *obj;

        while (len > 1 && key[len - 1] == '.') {
            key[--len] = '\0';
            want_dir = true;
        }
        if (!(obj = lookup (h, o.arg['N'], FLUX_KVS_TREEOBJ, key, &f))) {
            fprintf (stderr, "%s: %s\n", key,
                     cmd_future_strerror (f, errno));
            rc = 1;
            free (key);
        }
        else if (treeobj_isdir (obj) && !o.set['d'])
            dirs[ndirs++] = key;
        else if (want_dir && !treeobj_isdir (obj)) {
            fprintf (stderr, "%s: %s\n", key, strerror (ENOTDIR));
            rc = 1;
            free (key);
        }
        else {
            const char *suffix = "";
            if (o.set['F'])
                suffix = treeobj_isdir (obj) ? "."
                       : treeobj_is (obj, "symlink") ? "@" : "";
            if (asprintf (&singles[nsingles++], "%s%s", key, suffix) < 0)
                cmd_die (prog, "out of memory");
            free (key);
        }
        flux_future_destroy (f);
    }
    qsort (singles, nsingles, sizeof (singles[0]), strcmp_p);
    qsort (dirs, ndirs, sizeof (dirs[0]), strcmp_p);
    if (nsingles > 0) {
        print_columns (singles, nsingles, width);
        label = vspace = true;
    }
    if (o.set['R'] || ndirs > 1)
        label = true;
    for (size_t i = 0; i < ndirs; i++) {
        list_dir (h, &o, dirs[i], width, label, vspace);
        vspace = true;
    }
    for (size_t i = 0; i < ndirs; i++)
        free (dirs[i]);
    for (size_t i = 0; i < nsingles; i++)
        free (singles[i]);
    free (dirs);
    free (singles);
    return rc;
}

/* getroot, version ------------------------------------------------------ */

static int kvs_getroot (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    flux_future_t *f;
    const char *rootref;
    int rootseq, owner;

    kvs_parse (&getroot_parser, argc, argv, &o);
    if (o.optind != argc)
        cmd_usage_error (&getroot_parser, "takes no arguments");
    if (!(f = flux_rpc_pack (h, "kvs.getroot", FLUX_NODEID_ANY, 0,
                             "{s:s s:i}",
                             "namespace", default_namespace (o.arg['N']),
                             "flags", 0))
        || flux_rpc_get_unpack (f, "{s:s s:i s:i}",
                                "rootref", &rootref,
                                "rootseq", &rootseq,
                                "owner", &owner) < 0)
        cmd_die (prog, "getroot: %s", cmd_future_strerror (f, errno));
    if (o.set['o'])
        printf ("%lu\n", (unsigned long)(unsigned int)owner);
    else if (o.set['s'])
        printf ("%d\n", rootseq);
    else if (o.set['b'])
        printf ("%s\n", rootref);
    else
        printf ("{\"data\":[\"%s\"],\"type\":\"dirref\",\"ver\":1}\n",
                rootref);
    flux_future_destroy (f);
    return 0;
}

static int kvs_version (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    flux_future_t *f;
    int rootseq;

    kvs_parse (&version_parser, argc, argv, &o);
    if (o.optind != argc)
        cmd_usage_error (&version_parser, "takes no arguments");
    /* N.B. namespace only, as flux-core's flux_kvs_get_version()
     * (t/vectors/kvs-version.client-to-broker.bin); getroot adds flags.
     */
    if (!(f = flux_rpc_pack (h, "kvs.getroot", FLUX_NODEID_ANY, 0,
                             "{s:s}",
                             "namespace", default_namespace (o.arg['N'])))
        || flux_rpc_get_unpack (f, "{s:i}", "rootseq", &rootseq) < 0)
        cmd_die (prog, "version: %s", cmd_future_strerror (f, errno));
    printf ("%d\n", rootseq);
    flux_future_destroy (f);
    return 0;
}

/* wait, sync, copy, move ---------------------------------------------- */

static int kvs_wait (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    int version;

    kvs_parse (&wait_parser, argc, argv, &o);
    if (argc - o.optind != 1)
        cmd_usage_error (&wait_parser, "specify a version");
    if (cmd_parse_uint (argv[o.optind], &version) < 0)
        cmd_usage_error (&wait_parser, "invalid version '%s'",
                         argv[o.optind]);
    if (flux_kvs_wait_version (h, o.arg['N'], version) < 0)
        cmd_die (prog, "flux_kvs_wait_version: %s", strerror (errno));
    return 0;
}

/* As flux-core: an empty commit with FLUX_KVS_SYNC, queued behind the
 * commits before it, so that when it returns they are all on disk.
 */
static int kvs_sync (flux_t *h, int argc, char **argv)
{
    struct kvs_opts o;
    flux_kvs_txn_t *txn;
    flux_future_t *f;

    kvs_parse (&sync_parser, argc, argv, &o);
    if (o.optind != argc)
        cmd_usage_error (&sync_parser, "takes no arguments");
    if (!(txn = flux_kvs_txn_create ()))
        cmd_die (prog, "out of memory");
    if (!(f = flux_kvs_commit (h, NULL, FLUX_KVS_SYNC, txn))
        || flux_future_get (f, NULL) < 0)
        cmd_die (prog, "flux_kvs_commit: %s", cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    flux_kvs_txn_destroy (txn);
    return 0;
}

static int copy_or_move (flux_t *h, int argc, char **argv, bool move)
{
    const struct cmd_parser *p = move ? &move_parser : &copy_parser;
    const char *name = move ? "flux_kvs_move" : "flux_kvs_copy";
    struct kvs_opts o;
    const char *src, *dst;
    flux_future_t *f;

    kvs_parse (p, argc, argv, &o);
    if (argc - o.optind != 2)
        cmd_usage_error (p, "specify srckey dstkey");
    src = argv[o.optind];
    dst = argv[o.optind + 1];
    if (move)
        f = flux_kvs_move (h, o.arg['S'], src, o.arg['D'], dst, 0);
    else
        f = flux_kvs_copy (h, o.arg['S'], src, o.arg['D'], dst, 0);
    if (!f || flux_future_get (f, NULL) < 0)
        cmd_die (prog, "%s: %s", name, cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    return 0;
}

static int kvs_copy (flux_t *h, int argc, char **argv)
{
    return copy_or_move (h, argc, argv, false);
}

static int kvs_move (flux_t *h, int argc, char **argv)
{
    return copy_or_move (h, argc, argv, true);
}

int cmd_kvs (int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(flux_t *h, int argc, char **argv);
        const struct cmd_parser *parser;
    } cmds[] = {
        { "get", kvs_get, &get_parser },
        { "put", kvs_put, &put_parser },
        { "dir", kvs_dir, &dir_parser },
        { "ls", kvs_ls, &ls_parser },
        { "unlink", kvs_unlink, &unlink_parser },
        { "mkdir", kvs_mkdir, &mkdir_parser },
        { "link", kvs_link, &link_parser },
        { "readlink", kvs_readlink, &readlink_parser },
        { "getroot", kvs_getroot, &getroot_parser },
        { "version", kvs_version, &version_parser },
        { "wait", kvs_wait, &wait_parser },
        { "sync", kvs_sync, &sync_parser },
        { "copy", kvs_copy, &copy_parser },
        { "move", kvs_move, &move_parser },
    };
    int n;

    n = cmd_subcommand (&kvs_parser, argc, argv, NULL);
    if (!strcmp (argv[n], "namespace"))
        return kvs_namespace (argc - n, argv + n);
    if (!strcmp (argv[n], "eventlog"))
        return kvs_eventlog (argc - n, argv + n);
    for (size_t i = 0; i < sizeof (cmds) / sizeof (cmds[0]); i++) {
        if (!strcmp (cmds[i].name, argv[n])) {
            flux_t *h;
            int rc;
            /* N.B. Parse before connecting, so that --help and usage
             * errors need no instance.
             */
            struct kvs_opts o;
            kvs_parse (cmds[i].parser, argc - n, argv + n, &o);
            h = cmd_open (prog);
            rc = cmds[i].fn (h, argc - n, argv + n);
            json_decref (lookup_at);
            lookup_at = NULL;
            flux_close (h);
            return rc;
        }
    }
    cmd_usage_error (&kvs_parser, "unknown command '%s'", argv[n]);
}

/* vi: ts=4 sw=4 expandtab
 */
