/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux-broker: one process, one reactor on the main thread, everything
 * else a peer of the router.
 *
 * Start-up is strictly ordered: attributes are declared, then the
 * command line (-S NAME=VALUE) sets them, then the broker fills in the
 * immutable ones (its uuid, pid, rundir and local-uri...), because
 * modules receive those in their welcome and never ask again.  Then the
 * broker's own services come up on its own handle (one end of an
 * interthread channel whose other end is a router peer), then the local
 * socket, then the run levels (runlevel.c): rc1, which loads the
 * instance's modules (broker.rc1_path, by default the rc1 script this
 * installation ships), the initial program, then rc3, which removes
 * them (broker.rc3_path).
 *
 * The instance lives as long as the initial program.  Before rc3 the
 * broker removes the modules loaded after rc1 (by the initial program,
 * say), newest first; when rc3 is done, the modules still loaded, newest
 * first.  So modules go in the reverse of their load order, whatever
 * loaded them.  A module that fails or has to be abandoned when removed
 * makes an exit code of 0 a 1.  Then the broker lets the last log lines
 * through, calls the loaders' fini hooks once every module thread is
 * gone, removes the rundir and exits with the instance's exit code (see
 * runlevel.h).  Requests still held by a module or by a client
 * that goes away are answered with ENOSYS by the router.
 */
#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "broker.h"
#include "attr.h"
#include "brokercfg.h"
#include "router.h"
#include "service.h"
#include "log.h"
#include "event.h"
#include "modmgr.h"
#include "module_loader.h"
#include "listener.h"
#include "runlevel.h"
#include "tbon.h"
#include "overlay.h"
#include "boot_pmi.h"
#include "boot_config.h"
#include "rexec.h"
#include "state_machine.h"

static const char *builtin_services[] = {
    "broker", "log", "attr", "event", "service", "module", "config",
    "overlay", "rexec", "state-machine",
};

/* Attributes the broker declares; log-* are declared by log.c. */
static const struct {
    const char *name;
    int flags;
} attrtab[] = {
    { "rank", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "size", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "broker.pid", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "broker.uuid", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "broker.starttime", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "security.owner", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "version", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "local-uri", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "instance-level", ATTR_IMMUTABLE },
    { "rundir", ATTR_IMMUTABLE },
    { "statedir", ATTR_IMMUTABLE },
    { "hostname", ATTR_IMMUTABLE },
    { "hostlist", ATTR_IMMUTABLE },
    { "config.path", ATTR_IMMUTABLE },
    { "content.hash", ATTR_IMMUTABLE },
    { "tbon.topo", 0 },
    { "tbon.fanout", 0 },
    { "tbon.level", ATTR_INTERNAL },
    { "tbon.maxlevel", ATTR_INTERNAL },
    { "tbon.descendants", ATTR_INTERNAL },
    { "tbon.endpoint", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "tbon.parent-endpoint", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "tbon.torpid_min", 0 },
    { "tbon.torpid_max", 0 },
    { "tbon.connect_timeout", 0 },
    { "broker.boot-method", ATTR_IMMUTABLE | ATTR_INTERNAL },
    { "rundir-cleanup", 0 },
    { "broker.rc1_path", 0 },
    { "broker.rc3_path", 0 },
    { "broker.rc2_none", 0 },
    { "broker.exit-restart", 0 },
    { "broker.quorum", 0 },
    { "broker.module-nopanic", ATTR_RUNTIME },
    { "broker.module-remove-timeout", ATTR_RUNTIME },
    { "broker.module-restart-max", ATTR_RUNTIME },
    { "broker.module-restart-window", ATTR_RUNTIME },
    { "broker.module-restart-delay", ATTR_RUNTIME },
    { "access.allow-guest-user", 0 },
    { "access.allow-root-owner", 0 },
    { "test.*", ATTR_RUNTIME },
    { "test-ro.*", ATTR_READONLY },
    { "test-nr.*", 0 },
    { "test-im.*", ATTR_IMMUTABLE },
};

/* The limits (struct broker_limits, doc/design.md "Limits"): each is an
 * attribute with a default, settable on the command line and at run
 * time, whose value is a positive count of bytes or messages with an
 * optional K, M or G suffix (powers of 1024), up to 'max'.
 *
 * N.B. the defaults: 1 GiB per message is what flux-core's content
 * store accepts as a blob (and what our framing always refused above);
 * 64 MiB queued toward one client is thousands of ordinary responses
 * and bounds what a client that never reads can cost; 65536 messages
 * toward one module is far beyond any burst the tests and benchmarks
 * make; 1024 subscriptions of at most 1024 bytes each is more than any
 * flux-core service or tool holds.
 */
static const struct limit {
    const char *name;
    size_t offset;
    const char *dflt;
    size_t max;
} limittab[] = {
    { "broker.max-message-size",
      offsetof (struct broker_limits, max_message_size), "1G",
      1024u * 1024u * 1024u },
    { "broker.client-queue-max",
      offsetof (struct broker_limits, client_queue_max), "64M",
      (size_t)64 * 1024 * 1024 * 1024 },
    { "broker.module-queue-max",
      offsetof (struct broker_limits, module_queue_max), "65536",
      (size_t)1 << 30 },
    { "broker.max-subscriptions",
      offsetof (struct broker_limits, max_subscriptions), "1024",
      (size_t)1 << 20 },
    { "broker.max-topic-length",
      offsetof (struct broker_limits, max_topic_length), "1024",
      (size_t)1 << 20 },
};

/* Parse a limit: digits, then an optional K/M/G.  EINVAL for anything
 * else, for 0, or for more than 'max'.
 */
static int parse_limit (const char *s, size_t max, size_t *valp)
{
    unsigned long long v;
    unsigned long long mult = 1;
    char *end;

    if (!s || !isdigit ((unsigned char)*s))
        goto inval;
    errno = 0;
    v = strtoull (s, &end, 10);
    if (errno != 0)
        goto inval;
    switch (*end) {
        case 'k':
        case 'K':
            mult = 1024;
            end++;
            break;
        case 'm':
        case 'M':
            mult = 1024 * 1024;
            end++;
            break;
        case 'g':
        case 'G':
            mult = 1024 * 1024 * 1024;
            end++;
            break;
    }
    if (*end != '\0' || v == 0 || v > max / mult)
        goto inval;
    *valp = v * mult;
    return 0;
inval:
    errno = EINVAL;
    return -1;
}

/* attr_set_f of the limits: a bad value leaves the old one (the
 * attribute cannot be removed: a limit always has a value).
 */
static int limit_set (const char *name, const char *value, void *arg)
{
    struct broker *ctx = arg;

    for (size_t i = 0; i < sizeof (limittab) / sizeof (limittab[0]); i++) {
        const struct limit *lim = &limittab[i];
        size_t val;

        if (strcmp (lim->name, name) != 0)
            continue;
        if (parse_limit (value, lim->max, &val) < 0)
            return -1;
        *(size_t *)((char *)&ctx->limits + lim->offset) = val;
        return 0;
    }
    errno = ENOENT;
    return -1;
}

static int limits_register (struct broker *ctx)
{
    for (size_t i = 0; i < sizeof (limittab) / sizeof (limittab[0]); i++) {
        if (attrs_register (ctx->attrs, limittab[i].name, NULL,
                            ATTR_RUNTIME, limit_set, ctx) < 0)
            return -1;
    }
    return 0;
}


enum {
    OPT_CONF = 256,
};

static void usage (FILE *fp)
{
    fprintf (fp,
"Usage: flux-broker [OPTIONS] [COMMAND [ARG...]]\n"
"  -S, --setattr=NAME=VALUE   set broker attribute NAME\n"
"  -c, --config-path=PATH     read the configuration from PATH, a directory\n"
"                             of *.toml files or one file (default:\n"
"                             $FLUX_CONF_DIR, else none)\n"
"      --conf=VALUE           update the configuration from VALUE: KEY=VAL,\n"
"                             inline TOML or JSON, or a file\n"
"  -v, --verbose              log to stderr at debug level\n"
"  -h, --help                 display this message\n"
"COMMAND is the initial program (default: $SHELL).  The broker exits\n"
"with its exit code.\n");
}

void broker_shutdown (struct broker *ctx, int rc)
{
    if (ctx->shutting_down)
        return;
    ctx->shutting_down = true;
    ctx->exit_rc = rc;
    flux_reactor_stop (ctx->r);
}

void broker_panic (struct broker *ctx, const char *reason)
{
    fprintf (stderr, "flux-broker: panic: %s\n", reason);
    /* rc3 still runs, unless the run levels are over already. */
    runlevel_panic (ctx->runlevel);
    if (!ctx->runlevel || ctx->shutting_down) {
        broker_shutdown (ctx, 1);
        ctx->exit_rc = 1;
    }
}

/* peer_send_f for the broker's own handle.  Responses leave with their
 * last hop (the broker's uuid) popped.
 */
static int broker_send (struct peer *p, flux_msg_t *msg, void *arg)
{
    struct broker *ctx = arg;
    int type;
    const char *last;

    (void)p;
    if (!(msg = router_msg_own (msg)))
        return -1;
    if (flux_msg_get_type (msg, &type) == 0
        && type == FLUX_MSGTYPE_RESPONSE
        && (last = flux_msg_route_last (msg))
        && !strcmp (last, ctx->uuid))
        (void)flux_msg_route_delete_last (msg);
    if (flux_send_new (ctx->h_router, &msg, 0) < 0) {
        flux_msg_decref (msg);
        return -1;
    }
    return 0;
}

static void broker_recv_cb (flux_reactor_t *r, flux_watcher_t *w,
                            int revents, void *arg)
{
    struct peer *p = arg;
    flux_t *h = flux_handle_watcher_get_flux (w);

    (void)r;
    (void)revents;
    (void)router_recv_from (p, h, NULL, NULL);
}

static int rm_entry (const char *path, const struct stat *sb, int flag,
                     struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    if (remove (path) < 0 && errno != ENOENT)
        fprintf (stderr, "flux-broker: remove %s: %s\n", path,
                 strerror (errno));
    return 0;
}

/* A rundir given with -Srundir that already exists may be a live
 * broker's: if something answers on its socket, fail before anything
 * in it is touched (and never remove it).  A stale socket is replaced
 * later, by listener_create().
 */
static int rundir_in_use (const char *dir)
{
    char *path;
    int probe;

    if (asprintf (&path, "%s/local", dir) < 0) {
        fprintf (stderr, "flux-broker: rundir: %s\n", strerror (errno));
        return -1;
    }
    probe = listener_probe (path);
    if (probe > 0)
        fprintf (stderr, "flux-broker: rundir %s is in use by another"
                 " broker\n", dir);
    else if (probe < 0)
        fprintf (stderr, "flux-broker: rundir %s: %s exists and is not"
                 " a socket\n", dir, path);
    free (path);
    return probe != 0 ? -1 : 0;
}

static int rundir_setup (struct broker *ctx)
{
    const char *dir = attrs_get (ctx->attrs, "rundir", NULL);
    struct stat sb;

    if (dir) {
        if (mkdir (dir, 0700) == 0)
            ctx->rundir_cleanup = true;
        else if (errno != EEXIST) {
            fprintf (stderr, "flux-broker: rundir %s: %s\n", dir,
                     strerror (errno));
            return -1;
        }
        if (stat (dir, &sb) < 0
            || !S_ISDIR (sb.st_mode)
            || sb.st_uid != getuid ()
            || (sb.st_mode & S_IRWXU) != S_IRWXU) {
            fprintf (stderr, "flux-broker: rundir %s must be a directory"
                     " owned by uid %d with mode u+rwx\n",
                     dir, (int)getuid ());
            errno = EPERM;
            return -1;
        }
        if (!ctx->rundir_cleanup && rundir_in_use (dir) < 0)
            return -1;
        if (!(ctx->rundir = strdup (dir)))
            goto nomem;
    }
    else {
        const char *tmpdir = getenv ("TMPDIR");
        if (!tmpdir || !*tmpdir)
            tmpdir = "/tmp";
        if (asprintf (&ctx->rundir, "%s/flux-XXXXXX", tmpdir) < 0)
            goto nomem;
        if (!mkdtemp (ctx->rundir)) {
            fprintf (stderr, "flux-broker: mkdtemp %s: %s\n", ctx->rundir,
                     strerror (errno));
            return -1;
        }
        ctx->rundir_cleanup = true;
        if (attrs_set_internal (ctx->attrs, "rundir", ctx->rundir) < 0) {
            fprintf (stderr, "flux-broker: rundir %s: %s\n", ctx->rundir,
                     strerror (errno));
            return -1;
        }
    }
    return 0;
nomem:
    fprintf (stderr, "flux-broker: rundir: %s\n", strerror (errno));
    return -1;
}

static void rundir_cleanup (struct broker *ctx)
{
    if (ctx->rundir && ctx->rundir_cleanup)
        (void)nftw (ctx->rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int set_internal (struct broker *ctx, const char *name,
                         const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int set_internal (struct broker *ctx, const char *name,
                         const char *fmt, ...)
{
    va_list ap;
    char *s;
    int rc;

    va_start (ap, fmt);
    rc = vasprintf (&s, fmt, ap);
    va_end (ap);
    if (rc < 0)
        return -1;
    rc = attrs_set_internal (ctx->attrs, name, s);
    free (s);
    return rc;
}

/* Set NAME to VALUE unless the command line did. */
static int set_default (struct broker *ctx, const char *name,
                        const char *value)
{
    if (attrs_get (ctx->attrs, name, NULL))
        return 0;
    return set_internal (ctx, name, "%s", value);
}

static int attrs_setup (struct broker *ctx)
{
    char hostname[256] = "localhost";
    const char *local_uri_fmt = "local://%s/local";

    (void)gethostname (hostname, sizeof (hostname) - 1);
    if (set_internal (ctx, "rank", "0") < 0
        || set_internal (ctx, "size", "1") < 0
        || set_internal (ctx, "broker.pid", "%d", (int)getpid ()) < 0
        || set_internal (ctx, "broker.uuid", "%s", ctx->uuid) < 0
        || set_internal (ctx, "broker.starttime", "%.6f",
                         flux_reactor_time ()) < 0
        || set_internal (ctx, "security.owner", "%d", (int)getuid ()) < 0
        || set_internal (ctx, "version", "%s", PACKAGE_VERSION) < 0
        || set_internal (ctx, "local-uri", local_uri_fmt, ctx->rundir) < 0)
        return -1;
    /* Defaults for what the command line may set.  N.B. content.hash
     * names the hash of blobrefs, read by the content module and by kvs
     * clients (flux-core's libkvs asks for it before namespace create).
     */
    if (set_default (ctx, "instance-level", "0") < 0
        || set_default (ctx, "hostname", hostname) < 0
        || set_default (ctx, "hostlist",
                        attrs_get (ctx->attrs, "hostname", NULL)) < 0
        || set_default (ctx, "broker.module-remove-timeout", "5") < 0
        || set_default (ctx, "content.hash", "sha1") < 0)
        return -1;
    for (size_t i = 0; i < sizeof (limittab) / sizeof (limittab[0]); i++) {
        if (set_default (ctx, limittab[i].name, limittab[i].dflt) < 0)
            return -1;
    }
    return 0;
}

/* The parent is shutting down: so does this broker (runlevel.h). */
static void parent_shutdown_cb (void *arg)
{
    struct broker *ctx = arg;

    runlevel_stop (ctx->runlevel);
}

/* The broker's handle and its peer in the router. */
static int broker_handle_setup (struct broker *ctx)
{
    char uri[128];
    struct peer *p;
    char *uuid;
    struct flux_msg_cred owner = router_owner_cred ();

    (void)snprintf (uri, sizeof (uri), "interthread://broker-%s", ctx->uuid);
    if (!(ctx->h_router = flux_open (uri, 0))
        || !(ctx->h = flux_open (uri, 0))
        || flux_set_reactor (ctx->h_router, ctx->r) < 0
        || flux_set_reactor (ctx->h, ctx->r) < 0)
        return -1;
    if (!(uuid = strdup (ctx->uuid))
        || flux_aux_set (ctx->h, "flux::uuid", uuid, free) < 0) {
        free (uuid);
        return -1;
    }
    flux_log_set_appname (ctx->h, "broker");
    if (attrs_cache_immutables (ctx->attrs, ctx->h) < 0)
        return -1;
    if (!(p = router_peer_add (ctx->router, ctx->uuid, PEER_BROKER, owner,
                               broker_send, ctx)))
        return -1;
    for (size_t i = 0; i < sizeof (builtin_services) / sizeof (char *); i++) {
        if (services_add (ctx->services, builtin_services[i], p) < 0)
            return -1;
    }
    /* The default methods' event handler for broker.stats-clear. */
    if (router_subscribe (p, "broker.stats-clear") < 0)
        return -1;
    if (!(ctx->h_router_w = flux_handle_watcher_create (ctx->r,
                                                        ctx->h_router,
                                                        FLUX_POLLIN,
                                                        broker_recv_cb,
                                                        p)))
        return -1;
    flux_watcher_start (ctx->h_router_w);
    return 0;
}

/* broker.rc1_path and broker.rc3_path default to the scripts this
 * installation (or build tree) has; -S may change them, "" for none.
 */
static int rc_defaults (struct broker *ctx)
{
    static const char *names[] = { "rc1_path", "rc3_path" };
    char attr[32];

    for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++) {
        const char *path = flux_conf_builtin_get (names[i], FLUX_CONF_AUTO);
        (void)snprintf (attr, sizeof (attr), "broker.%s", names[i]);
        if (!path || attrs_set_internal (ctx->attrs, attr, path) < 0)
            return -1;
    }
    return 0;
}

/* The standard rc1 (this installation's) loads Python modules (kvs.py,
 * heartbeat.py) once a shell has started and the content module is
 * loaded: have Python start meanwhile, on a thread of the loader's own,
 * from the moment the broker knows its rc1 (its options are parsed), so
 * that the first of them waits only for what is left of the 30-odd ms
 * an interpreter takes to start here.  Any other rc1 may load no Python at
 * all, and an interpreter costs some 10 MB: it starts on the first load
 * as before.  Failing to prepare is no error: the first load opens the
 * loader again and says why it cannot.  Returns why it could not, for
 * the log (which does not exist yet), or NULL.
 */
static const char *prepare_python (struct broker *ctx, flux_error_t *error)
{
    const char *rc1 = attrs_get (ctx->attrs, "broker.rc1_path", NULL);
    const char *standard = flux_conf_builtin_get ("rc1_path", FLUX_CONF_AUTO);

    if (!rc1 || !standard || strcmp (rc1, standard) != 0)
        return NULL;
    if (module_loader_prepare (".py", error) < 0)
        return error->text;
    return NULL;
}

static void modules_done (void *arg)
{
    struct broker *ctx = arg;
    flux_reactor_stop (ctx->r);
}

static int parse_setattr (struct broker *ctx, const char *arg)
{
    char *cpy, *eq;
    int rc;

    if (!(cpy = strdup (arg)))
        return -1;
    if ((eq = strchr (cpy, '=')))
        *eq++ = '\0';
    rc = attrs_set_cmdline (ctx->attrs, cpy, eq ? eq : "1");
    if (rc < 0) {
        if (errno == ENOENT)
            fprintf (stderr, "flux-broker: %s: unknown attribute\n", cpy);
        else if (errno == EPERM)
            fprintf (stderr, "flux-broker: %s: attribute may not be set\n",
                     cpy);
        else
            fprintf (stderr, "flux-broker: %s=%s: %s\n", cpy,
                     eq ? eq : "1", strerror (errno));
    }
    free (cpy);
    return rc;
}

int main (int argc, char *argv[])
{
    struct broker ctx = { .exit_rc = 0 };
    static const struct option longopts[] = {
        { "setattr", required_argument, NULL, 'S' },
        { "config-path", required_argument, NULL, 'c' },
        { "conf", required_argument, NULL, OPT_CONF },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    uuid_t uuid;
    int c;
    flux_error_t error;
    flux_error_t prepare_error;
    const char *unprepared;
    struct event_service *events = NULL;
    struct boot_pmi *pmi = NULL;
    struct boot_config *bootconf = NULL;
    char *sockpath = NULL;
    int leftover;
    const char *config_path = NULL;
    const char **confv = NULL;
    int confc = 0;

    if (!(ctx.r = flux_reactor_create (0))
        || !(ctx.attrs = attrs_create ())) {
        fprintf (stderr, "flux-broker: %s\n", strerror (errno));
        return 1;
    }
    uuid_generate (uuid);
    uuid_unparse (uuid, ctx.uuid);
    for (size_t i = 0; i < sizeof (attrtab) / sizeof (attrtab[0]); i++) {
        if (attrs_register (ctx.attrs, attrtab[i].name, NULL,
                            attrtab[i].flags, NULL, NULL) < 0) {
            fprintf (stderr, "flux-broker: attrs: %s\n", strerror (errno));
            goto fatal_quiet;
        }
    }
    if (limits_register (&ctx) < 0) {
        fprintf (stderr, "flux-broker: attrs: %s\n", strerror (errno));
        goto fatal_quiet;
    }
    if (rc_defaults (&ctx) < 0) {
        fprintf (stderr, "flux-broker: rc paths: %s\n", strerror (errno));
        goto fatal_quiet;
    }
    if (!(ctx.logbuf = logbuf_create (&ctx))) {
        fprintf (stderr, "flux-broker: log: %s\n", strerror (errno));
        goto fatal_quiet;
    }
    /* N.B. --conf values point into argv: one slot per argument is enough. */
    if (!(confv = calloc (argc, sizeof (confv[0])))) {
        fprintf (stderr, "flux-broker: %s\n", strerror (errno));
        goto fatal_quiet;
    }
    while ((c = getopt_long (argc, argv, "+S:c:vh", longopts, NULL)) != -1) {
        switch (c) {
            case 'S':
                if (parse_setattr (&ctx, optarg) < 0)
                    goto fatal_quiet;
                break;
            case 'c':
                config_path = optarg;
                break;
            case OPT_CONF:
                confv[confc++] = optarg;
                break;
            case 'v':
                ctx.verbose = true;
                break;
            case 'h':
                usage (stdout);
                goto done;
            default:
                usage (stderr);
                goto fatal_quiet;
        }
    }
    if (ctx.verbose)
        (void)attrs_set_internal (ctx.attrs, "log-stderr-level", "7");
    unprepared = prepare_python (&ctx, &prepare_error);
    /* The configuration, before anything is created (as flux-core's). */
    if (!config_path && (config_path = getenv ("FLUX_CONF_DIR"))
        && *config_path == '\0')
        config_path = NULL;
    if (!(ctx.config = brokercfg_create (&ctx, config_path, confv, confc,
                                         &error))) {
        fprintf (stderr, "flux-broker: %s\n", error.text);
        goto fatal_quiet;
    }
    /* Writing to a client that has gone must fail with EPIPE, not kill. */
    (void)signal (SIGPIPE, SIG_IGN);

    /* N.B. rundir_setup() has told the user why: one line is enough. */
    if (rundir_setup (&ctx) < 0)
        goto fatal_quiet;
    if (attrs_setup (&ctx) < 0)
        goto fatal;
    /* [bootstrap] first, as flux-core's: then PMI, then one broker. */
    if (boot_config_init (&ctx, &bootconf, &error) < 0
        || (!bootconf && boot_pmi_init (&ctx, &pmi, &error) < 0)) {
        fprintf (stderr, "flux-broker: %s\n", error.text);
        goto fatal_quiet;
    }
    if (attrs_set_internal (ctx.attrs, "broker.boot-method",
                            bootconf ? "config"
                                     : pmi ? "simple" : "single") < 0)
        goto fatal;
    if (tbon_setup (&ctx, boot_config_hosts (bootconf), &error) < 0) {
        fprintf (stderr, "flux-broker: %s\n", error.text);
        goto fatal_quiet;
    }
    if (!(ctx.router = router_create (&ctx))
        || !(ctx.services = services_create (&ctx))
        || broker_handle_setup (&ctx) < 0)
        goto fatal;
    if (attrs_register_handlers (ctx.attrs, ctx.h) < 0
        || logbuf_register_handlers (ctx.logbuf, ctx.h) < 0
        || services_register_handlers (ctx.services, ctx.h) < 0
        || !(events = event_service_create (&ctx))
        || !(ctx.modmgr = modmgr_create (&ctx)))
        goto fatal;
    if (flux_module_register_default_methods (ctx.h, "broker", &error) < 0) {
        fprintf (stderr, "flux-broker: broker methods: %s\n", error.text);
        goto fatal_quiet;
    }
    /* N.B. after the default methods: its broker.config-reload wins. */
    if (brokercfg_register_handlers (ctx.config, ctx.h) < 0)
        goto fatal;
    /* The links of the tree: cards exchanged, the parent joined. */
    if (!(ctx.overlay = overlay_create (&ctx, &error))
        || (bootconf && boot_config_exchange (&ctx, bootconf, &error) < 0)
        || (pmi && boot_pmi_exchange (&ctx, pmi, &error) < 0)) {
        fprintf (stderr, "flux-broker: %s\n", error.text);
        goto fatal_quiet;
    }
    boot_pmi_destroy (pmi);
    pmi = NULL;
    boot_config_destroy (bootconf);
    bootconf = NULL;
    if (overlay_register_handlers (ctx.overlay, ctx.h) < 0
        || !(ctx.sm = state_machine_create (&ctx))
        || !(ctx.rexec = rexec_create (&ctx)))
        goto fatal;
    if (asprintf (&sockpath, "%s/local", ctx.rundir) < 0
        || !(ctx.listener = listener_create (&ctx, sockpath))) {
        if (errno == EADDRINUSE)
            fprintf (stderr, "flux-broker: rundir %s is in use by another"
                     " broker\n", ctx.rundir);
        else
            fprintf (stderr, "flux-broker: %s: %s\n",
                     sockpath ? sockpath : "socket", strerror (errno));
        goto fatal_quiet;
    }
    /* The rundir is ours now (its socket is): rundir-cleanup may remove
     * it on exit even if it was there before.  N.B. not before, so that
     * a broker that fails to claim a rundir never removes it.
     */
    if (attrs_get_bool (ctx.attrs, "rundir-cleanup"))
        ctx.rundir_cleanup = true;
    /* Join the parent only now: once a broker has joined, the tree may
     * be full and the initial program may ask for this broker's clients'
     * socket, which must be there.
     */
    if (overlay_start (ctx.overlay, &error) < 0) {
        fprintf (stderr, "flux-broker: %s\n", error.text);
        goto fatal_quiet;
    }
    /* As flux-core's: the instance ends for this broker when its parent
     * shuts down.
     */
    if (overlay_parent (ctx.overlay)
        && state_machine_monitor_parent (ctx.sm, parent_shutdown_cb, &ctx)
           < 0)
        goto fatal;
    flux_log (ctx.h, LOG_DEBUG, "broker %s listening on %s",
              ctx.uuid, attrs_get (ctx.attrs, "local-uri", NULL));
    if (unprepared)
        flux_log (ctx.h, LOG_DEBUG, "cannot prepare the Python loader: %s",
                  unprepared);
    if (!(ctx.runlevel = runlevel_create (&ctx,
                                          attrs_get (ctx.attrs,
                                                     "broker.rc1_path", NULL),
                                          argc - optind, argv + optind,
                                          attrs_get (ctx.attrs,
                                                     "broker.rc3_path", NULL),
                                          attrs_get (ctx.attrs, "local-uri",
                                                     NULL))))
        goto fatal;

    if (flux_reactor_run (ctx.r, 0) < 0)
        flux_log_error (ctx.h, "reactor");
    ctx.shutting_down = true;

    /* Shutdown: modules, newest first; then let the last messages out.
     * A module that does not exit cleanly when removed makes an exit
     * code of 0 a 1; one that does is no failure.
     */
    if ((leftover = modmgr_shutdown (ctx.modmgr, modules_done, &ctx)) > 0) {
        if (flux_reactor_run (ctx.r, 0) < 0)
            flux_log_error (ctx.h, "reactor");
    }
    if (modmgr_failed (ctx.modmgr) && ctx.exit_rc == 0)
        ctx.exit_rc = 1;
    /* Then answer what the broker's services hold (log followers...). */
    router_close (ctx.router);
    for (int i = 0; i < 8; i++)
        (void)flux_reactor_run (ctx.r, FLUX_REACTOR_NOWAIT);
    /* N.B. a failure before the reactor ran comes here too: nothing runs
     * yet (no module thread, no initial program), and every destructor
     * below takes NULL, so what was built is freed and the rest skipped.
     */
done:
    listener_destroy (ctx.listener);
    module_loader_fini_all ();
    runlevel_destroy (ctx.runlevel);
    modmgr_destroy (ctx.modmgr);
    event_service_destroy (events);
    tbon_destroy (&ctx);
    brokercfg_destroy (ctx.config);
    flux_watcher_destroy (ctx.h_router_w);
    state_machine_destroy (ctx.sm);
    rexec_destroy (ctx.rexec);
    overlay_destroy (ctx.overlay);
    boot_pmi_destroy (pmi);
    boot_config_destroy (bootconf);
    flux_close (ctx.h);
    flux_close (ctx.h_router);
    services_destroy (ctx.services);
    router_destroy (ctx.router);
    logbuf_destroy (ctx.logbuf);
    rundir_cleanup (&ctx);
    attrs_destroy (ctx.attrs);
    free (ctx.rundir);
    free (sockpath);
    free (confv);
    flux_reactor_destroy (ctx.r);
    return ctx.exit_rc;
fatal:
    fprintf (stderr, "flux-broker: %s\n", strerror (errno));
fatal_quiet:
    ctx.exit_rc = 1;
    goto done;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
