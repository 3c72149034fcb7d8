/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux module: the client side of the broker's module manager.
 *
 * Each subcommand is one RPC (module.load, module.remove, module.list)
 * or an RPC to one of the methods every module has (NAME.stats-get,
 * NAME.rusage, NAME.stats-clear, NAME.debug).  Errors print the text
 * the server put in its error response, so a module that fails to start
 * tells the user why in its own words.
 *
 * A module is named on the load command line by path or by name.  A
 * path (it has a '/' or a '.', which a name may not hold) is made
 * absolute so the broker, running elsewhere, opens the same file; a bare
 * name is sent as it is, and the broker looks it up (in the module path,
 * each suffix of its loader table in turn: broker/module_loader.c), as
 * flux-core's broker does.  The one addition to flux-core's payload is
 * "searchpath", this command's $FLUX_MODULE_PATH when it is set, so
 * that the path a user sets for the command is the one searched.  The
 * command knows no suffix: a new kind of module needs no change here.
 * Arguments after the module go to it verbatim: option parsing stops at
 * the module.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd.h"

enum {
    OPT_CANCEL = 256,
    OPT_NAME,
    OPT_EXEC,
    OPT_ON_FAILURE,
};

/* What the broker does when a module fails at run time (module.load key
 * "on-failure"; flux-core's broker ignores the key and panics).
 */
static const char *policies[] = { "panic", "exit", "restart" };

static const char *check_policy (const struct cmd_parser *parser,
                                 const char *arg)
{
    for (size_t i = 0; i < sizeof (policies) / sizeof (policies[0]); i++) {
        if (!strcmp (arg, policies[i]))
            return arg;
    }
    cmd_usage_error (parser, "--on-failure: unknown policy '%s'"
                     " (valid: panic, exit, restart)", arg);
}

static const int max_idle = 99;

/* load */

static const struct cmd_option load_opts[] = {
    { "name", OPT_NAME, required_argument, "NAME",
      "Override the default module name" },
    { "exec", OPT_EXEC, no_argument, NULL,
      "Load module as a separate process" },
    { "on-failure", OPT_ON_FAILURE, required_argument, "POLICY",
      "On a runtime failure: panic (default), exit, restart" },
    CMD_OPTION_END,
};

static const struct cmd_parser load_parser = {
    .prog = "flux-module",
    .cmdline = "flux module load",
    .usage = "[OPTIONS] PATH|NAME [ARGS...]",
    .doc = "Load a broker module (a file of a kind the broker has a loader"
           " for, e.g. .so or .py) with arguments ARGS.",
    .opts = load_opts,
    .posix = true,
};

/* remove / unload */

static const struct cmd_option remove_opts[] = {
    { "force", 'f', no_argument, NULL, "Ignore nonexistent modules" },
    { "cancel", OPT_CANCEL, no_argument, NULL,
      "Forcibly stop an unresponsive module thread" },
    CMD_OPTION_END,
};

static const struct cmd_parser remove_parser = {
    .prog = "flux-module",
    .cmdline = "flux module remove",
    .usage = "[OPTIONS] NAME|PATH",
    .doc = "Remove (unload) a broker module.",
    .opts = remove_opts,
};

/* reload */

static const struct cmd_option reload_opts[] = {
    { "force", 'f', no_argument, NULL, "Ignore nonexistent modules" },
    { "name", OPT_NAME, required_argument, "NAME",
      "Override the default module name" },
    { "on-failure", OPT_ON_FAILURE, required_argument, "POLICY",
      "On a runtime failure: panic (default), exit, restart" },
    { "cancel", OPT_CANCEL, no_argument, NULL,
      "Forcibly stop an unresponsive module thread" },
    { "exec", OPT_EXEC, no_argument, NULL,
      "Load module as a separate process" },
    CMD_OPTION_END,
};

static const struct cmd_parser reload_parser = {
    .prog = "flux-module",
    .cmdline = "flux module reload",
    .usage = "[OPTIONS] PATH|NAME [ARGS...]",
    .doc = "Replace a module's code and arguments ARGS without losing a "
           "request.",
    .opts = reload_opts,
    .posix = true,
};

/* list */

static const struct cmd_option list_opts[] = {
    { "long", 'l', no_argument, NULL, "Include the path of each module" },
    { "policy", 'P', no_argument, NULL,
      "Include each module's failure policy and restart count" },
    CMD_OPTION_END,
};

static const struct cmd_parser list_parser = {
    .prog = "flux-module",
    .cmdline = "flux module list",
    .usage = "[OPTIONS]",
    .doc = "List loaded modules.",
    .opts = list_opts,
};

/* stats */

static const struct cmd_option stats_opts[] = {
    { "parse", 'p', required_argument, "OBJNAME",
      "Print only the period-delimited object OBJNAME" },
    { "scale", 's', required_argument, "N",
      "Scale a numeric value by N" },
    { "type", 't', required_argument, "int|double",
      "Convert the value to the given type" },
    { "rusage", 'R', optional_argument, "self|children|thread",
      "Request rusage data instead of stats (default: self)" },
    { "clear", 'c', no_argument, NULL, "Clear the module's stats" },
    { "clear-all", 'C', no_argument, NULL,
      "Clear the stats with an event (all ranks)" },
    CMD_OPTION_END,
};

static const struct cmd_parser stats_parser = {
    .prog = "flux-module",
    .cmdline = "flux module stats",
    .usage = "[OPTIONS] NAME",
    .doc = "Display the message counters (or rusage) of a module.",
    .opts = stats_opts,
};

/* debug */

static const struct cmd_option debug_opts[] = {
    { "clear", 'C', no_argument, NULL, "Set debug flags to 0" },
    { "set", 'S', required_argument, "MASK", "Set debug flags to MASK" },
    { "setbit", 's', required_argument, "FLAG", "Set debug flag FLAG" },
    { "clearbit", 'c', required_argument, "FLAG", "Clear debug flag FLAG" },
    CMD_OPTION_END,
};

static const struct cmd_parser debug_parser = {
    .prog = "flux-module",
    .cmdline = "flux module debug",
    .usage = "[OPTIONS] NAME",
    .doc = "Get or set the debug flags of a module; print them.",
    .opts = debug_opts,
};

/* stack */

static const struct cmd_parser stack_parser = {
    .prog = "flux-module",
    .cmdline = "flux module stack",
    .usage = "NAME",
    .doc = "Print the stack of every thread of a live module (Python), "
           "even one stuck in a handler.",
    .opts = NULL,
};

static const struct cmd_parser module_parser = {
    .prog = "flux-module",
    .cmdline = "flux module",
    .usage = "COMMAND [OPTIONS]",
    .doc = "Manage broker modules.  Commands:\n"
           "   list            List loaded modules\n"
           "   load            Load module\n"
           "   remove          Unload module (also: unload)\n"
           "   reload          Reload module\n"
           "   stats           Display stats on module\n"
           "   debug           Get/set module debug flags\n"
           "   stack           Print where each thread of a module is",
    .opts = NULL,
    .posix = true,
};

static bool is_path (const char *s)
{
    return strchr (s, '/') || strchr (s, '.');
}

/* The name the broker gives a module loaded from 'path': its basename
 * up to the first '.'.  Caller frees.
 */
static char *name_frompath (const char *path)
{
    const char *base = strrchr (path, '/');
    char *name;
    char *p;

    if (!(name = strdup (base ? base + 1 : path)))
        cmd_die ("flux-module", "out of memory");
    if ((p = strchr (name, '.')))
        *p = '\0';
    return name;
}

/* What the user typed, as it is sent to the broker: a path made
 * absolute (exits with an error a user can act on if there is none), or
 * a bare name.  Caller frees.
 */
static char *resolve_module (const char *arg)
{
    char *path;

    if (!is_path (arg))
        path = strdup (arg);
    else if (!(path = realpath (arg, NULL)))
        cmd_die ("flux-module", "load %s: %s", arg, strerror (errno));
    if (!path)
        cmd_die ("flux-module", "out of memory");
    return path;
}

/* Set payload[key] to the string s (if s is not NULL). */
static void set_string (json_t *payload, const char *key, const char *s)
{
    json_t *o;

    if (s && (!(o = json_string (s))
              || json_object_set_new (payload, key, o) < 0))
        cmd_die ("flux-module", "out of memory");
}

/* ARGS as a JSON array of strings. */
static json_t *module_args (const char *arg, int argc, char **argv)
{
    json_t *args;

    if (!(args = json_array ()))
        cmd_die ("flux-module", "out of memory");
    for (int i = 0; i < argc; i++) {
        json_t *s = json_string (argv[i]);
        if (!s || json_array_append_new (args, s) < 0) {
            json_decref (s);
            cmd_die ("flux-module", "load %s: argument '%s' is not valid "
                     "UTF-8", arg, argv[i]);
        }
    }
    return args;
}

static void module_load (flux_t *h, const char *arg, const char *name,
                         bool exec, const char *policy, int argc,
                         char **argv)
{
    char *path = resolve_module (arg);
    flux_future_t *f;
    json_t *payload;

    if (!(payload = json_pack ("{s:s s:o}",
                               "path", path,
                               "args", module_args (arg, argc, argv))))
        cmd_die ("flux-module", "out of memory");
    if (!is_path (arg)) {
        const char *searchpath = getenv ("FLUX_MODULE_PATH");
        if (searchpath && *searchpath)
            set_string (payload, "searchpath", searchpath);
    }
    /* Sent only when set, as a broker that predates it would refuse it. */
    if (exec && json_object_set_new (payload, "exec", json_true ()) < 0)
        cmd_die ("flux-module", "out of memory");
    set_string (payload, "name", name);
    /* Sent only when given, so the default payload is flux-core's. */
    set_string (payload, "on-failure", policy);
    if (!(f = flux_rpc_pack (h, "module.load", FLUX_NODEID_ANY, 0,
                             "O", payload))
        || flux_rpc_get (f, NULL) < 0)
        cmd_die ("flux-module", "load %s: %s",
                 arg, cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    json_decref (payload);
    free (path);
}

/* Reload in place (module.reload): requests to the module are held
 * while the new code starts, and new code that fails to load leaves
 * the old running.  Returns 0, or -1 from a broker without
 * module.reload (flux-core's), or, with 'force', if the module is not
 * loaded; any other error exits.
 */
static int module_reload (flux_t *h, const char *arg, const char *name,
                          bool force, const char *policy, int argc,
                          char **argv)
{
    char *modname = name ? strdup (name)
                  : is_path (arg) ? name_frompath (arg) : strdup (arg);
    char *path = NULL;
    flux_future_t *f;
    json_t *payload;
    int rc = 0;

    if (!modname)
        cmd_die ("flux-module", "out of memory");
    if (!(payload = json_pack ("{s:s s:o}",
                               "name", modname,
                               "args", module_args (arg, argc, argv))))
        cmd_die ("flux-module", "out of memory");
    /* A bare NAME reloads the module's own file. */
    if (is_path (arg)) {
        path = resolve_module (arg);
        set_string (payload, "path", path);
    }
    set_string (payload, "on-failure", policy);
    if (!(f = flux_rpc_pack (h, "module.reload", FLUX_NODEID_ANY, 0,
                             "O", payload))
        || flux_rpc_get (f, NULL) < 0) {
        if (errno != ENOSYS && !(errno == ENOENT && force))
            cmd_die ("flux-module", "reload %s: %s",
                     arg, cmd_future_strerror (f, errno));
        rc = -1;
    }
    flux_future_destroy (f);
    json_decref (payload);
    free (path);
    free (modname);
    return rc;
}

static void module_remove (flux_t *h, const char *arg, bool force,
                           bool cancel)
{
    char *name = is_path (arg) ? name_frompath (arg) : strdup (arg);
    flux_future_t *f;

    if (!name)
        cmd_die ("flux-module", "out of memory");
    if (!(f = flux_rpc_pack (h, "module.remove", FLUX_NODEID_ANY, 0,
                             "{s:s s:b}",
                             "name", name,
                             "cancel", cancel ? 1 : 0))
        || flux_rpc_get (f, NULL) < 0) {
        if (!(force && errno == ENOENT))
            cmd_die ("flux-module", "remove %s: %s",
                     arg, cmd_future_strerror (f, errno));
    }
    flux_future_destroy (f);
    free (name);
}

static int module_cmd_load (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&load_parser, argc, argv);
    const char *name = NULL;
    bool exec = false;
    const char *policy = NULL;
    const char *arg;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        if (c == OPT_NAME)
            name = arg;
        else if (c == OPT_EXEC)
            exec = true;
        else if (c == OPT_ON_FAILURE)
            policy = check_policy (&load_parser, arg);
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n == argc)
        cmd_usage_error (&load_parser, "load: missing module PATH or NAME");
    h = cmd_open ("flux-module");
    module_load (h, argv[n], name, exec, policy, argc - n - 1,
                 argv + n + 1);
    flux_close (h);
    return 0;
}

static int module_cmd_remove (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&remove_parser, argc, argv);
    bool force = false;
    bool cancel = false;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, NULL)) != -1) {
        if (c == 'f')
            force = true;
        else if (c == OPT_CANCEL)
            cancel = true;
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&remove_parser,
                         "remove: exactly one module NAME is required");
    h = cmd_open ("flux-module");
    module_remove (h, argv[n], force, cancel);
    flux_close (h);
    return 0;
}

static int module_cmd_reload (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&reload_parser, argc, argv);
    bool force = false;
    bool cancel = false;
    bool exec = false;
    const char *name = NULL;
    const char *policy = NULL;
    const char *arg;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        if (c == 'f')
            force = true;
        else if (c == OPT_CANCEL)
            cancel = true;
        else if (c == OPT_NAME)
            name = arg;
        else if (c == OPT_EXEC)
            exec = true;
        else if (c == OPT_ON_FAILURE)
            policy = check_policy (&reload_parser, arg);
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n == argc)
        cmd_usage_error (&reload_parser,
                         "reload: missing module PATH or NAME");
    h = cmd_open ("flux-module");
    /* In place, unless the module must go down first (--exec changes
     * how it runs, --cancel stops it by force) or the broker cannot.
     */
    if (!exec && !cancel
        && module_reload (h, argv[n], name, force, policy, argc - n - 1,
                          argv + n + 1) == 0) {
        flux_close (h);
        return 0;
    }
    /* With --name, remove that instance of a file loaded several times. */
    module_remove (h, name ? name : argv[n], force, cancel);
    module_load (h, argv[n], name, exec, policy, argc - n - 1,
                 argv + n + 1);
    flux_close (h);
    return 0;
}

static char state_char (int state)
{
    switch (state) {
        case FLUX_MODSTATE_INIT:
            return 'I';
        case FLUX_MODSTATE_RUNNING:
            return 'R';
        case FLUX_MODSTATE_FINALIZING:
            return 'F';
        case FLUX_MODSTATE_EXITED:
            return 'X';
    }
    return '?';
}

/* Services other than the module's own name, comma-separated, cut to
 * 'maxcol' characters (ending in '+') if maxcol > 0.  Caller frees.
 */
static char *services_string (json_t *services, const char *skip, int maxcol)
{
    size_t index;
    json_t *value;
    size_t len = 1;
    char *s;

    json_array_foreach (services, index, value) {
        const char *name = json_string_value (value);
        if (name)
            len += strlen (name) + 1;
    }
    if (!(s = calloc (1, len)))
        cmd_die ("flux-module", "out of memory");
    json_array_foreach (services, index, value) {
        const char *name = json_string_value (value);
        if (name && strcmp (name, skip) != 0) {
            if (*s)
                strcat (s, ",");
            strcat (s, name);
        }
    }
    if (maxcol > 0 && strlen (s) > (size_t)maxcol) {
        s[maxcol - 1] = '+';
        s[maxcol] = '\0';
    }
    return s;
}

/* The columns of module list: flux-core's, and with --policy two more
 * (the policy, the restarts since load) before the services, so that
 * flux-core's columns keep their place and the services stay last
 * (before the path, with -l).
 */
static int module_cmd_list (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&list_parser, argc, argv);
    bool longopt = false;
    bool policyopt = false;
    flux_future_t *f;
    json_t *mods;
    size_t index;
    json_t *entry;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, NULL)) != -1) {
        if (c == 'l')
            longopt = true;
        else if (c == 'P')
            policyopt = true;
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc)
        cmd_usage_error (&list_parser, "list: takes no arguments");
    h = cmd_open ("flux-module");
    /* Without -P the request is flux-core's (no payload). */
    if (!(f = policyopt
              ? flux_rpc_pack (h, "module.list", FLUX_NODEID_ANY, 0,
                               "{s:b}", "policy", 1)
              : flux_rpc (h, "module.list", NULL, FLUX_NODEID_ANY, 0))
        || flux_rpc_get_unpack (f, "{s:o}", "mods", &mods) < 0)
        cmd_die ("flux-module", "list: %s", cmd_future_strerror (f, errno));
    if (!json_is_array (mods))
        cmd_die ("flux-module", "list: malformed module.list response");
    printf ("%-25.25s %4s  %c %s %s ", "Module", "Idle", 'S', "Sendq",
            "Recvq");
    if (policyopt)
        printf ("%-7s %8s ", "Policy", "Restarts");
    if (longopt)
        printf ("%-8s %s\n", "Service", "Path");
    else
        printf ("%s\n", "Service");
    json_array_foreach (mods, index, entry) {
        const char *name;
        const char *path = "";
        const char *policy = "panic"; // a flux-core broker's behaviour
        int idle = 0;
        int status = 0;
        int sendq = 0;
        int recvq = 0;
        int restarts = 0;
        json_t *services = NULL;
        char idle_s[16];
        char *svc;

        if (json_unpack (entry, "{s:s s?s s?i s?i s?o s?i s?i s?s s?i}",
                         "name", &name,
                         "path", &path,
                         "idle", &idle,
                         "status", &status,
                         "services", &services,
                         "sendqueue", &sendq,
                         "recvqueue", &recvq,
                         "on-failure", &policy,
                         "restarts", &restarts) < 0)
            cmd_die ("flux-module", "list: malformed module.list entry");
        if (idle <= max_idle)
            snprintf (idle_s, sizeof (idle_s), "%d", idle);
        else
            snprintf (idle_s, sizeof (idle_s), "idle");
        svc = services_string (services, name, longopt ? 8 : 0);
        printf ("%-25.25s %4s  %c %5d %5d ",
                name, idle_s, state_char (status), sendq, recvq);
        if (policyopt)
            printf ("%-7s %8d ", policy, restarts);
        if (longopt)
            printf ("%-8s %s\n", svc, path);
        else
            printf ("%s\n", svc);
        free (svc);
    }
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

/* Walk a period-delimited path of object keys. */
static json_t *jpath_get (json_t *o, const char *path)
{
    char *cpy = strdup (path);
    char *saveptr = NULL;
    char *key;

    if (!cpy)
        cmd_die ("flux-module", "out of memory");
    for (key = strtok_r (cpy, ".", &saveptr); key && o;
         key = strtok_r (NULL, ".", &saveptr))
        o = json_is_object (o) ? json_object_get (o, key) : NULL;
    free (cpy);
    return o;
}

static void print_json (const char *s, const char *objname,
                        double scale, const char *type)
{
    json_t *obj;
    json_t *o;

    if (!s || !(obj = json_loads (s, 0, NULL)))
        cmd_die ("flux-module", "error parsing JSON response");
    o = obj;
    if (objname && !(o = jpath_get (obj, objname)))
        cmd_die ("flux-module", "'%s' not found in response", objname);
    /* An explicit --type wins over the value's own type. */
    if ((type && !strcmp (type, "int")) || (!type && json_is_integer (o))) {
        printf ("%d\n", (int)(json_number_value (o) * scale));
    }
    else if (type || json_is_real (o)) {
        printf ("%lf\n", json_number_value (o) * scale);
    }
    else {
        char *str = json_dumps (o, JSON_INDENT (1) | JSON_ENCODE_ANY);
        if (!str)
            cmd_die ("flux-module", "error encoding JSON");
        printf ("%s\n", str);
        free (str);
    }
    json_decref (obj);
}

static int module_cmd_stats (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&stats_parser, argc, argv);
    const char *objname = NULL;
    const char *type = NULL;
    const char *who = NULL;
    bool rusage = false;
    bool clear = false;
    bool clear_all = false;
    double scale = 1.;
    const char *arg;
    const char *s;
    char *topic = NULL;
    flux_future_t *f = NULL;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'p':
                objname = arg;
                break;
            case 's': {
                char *end;
                scale = strtod (arg, &end);
                if (end == arg || *end != '\0')
                    cmd_usage_error (&stats_parser,
                                     "--scale requires a number, got '%s'",
                                     arg);
                break;
            }
            case 't':
                if (strcmp (arg, "int") != 0 && strcmp (arg, "double") != 0)
                    cmd_usage_error (&stats_parser,
                                     "--type must be int or double");
                type = arg;
                break;
            case 'R':
                rusage = true;
                who = arg;
                break;
            case 'c':
                clear = true;
                break;
            case 'C':
                clear_all = true;
                break;
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&stats_parser,
                         "stats: exactly one module NAME is required");
    h = cmd_open ("flux-module");
    if (clear || clear_all) {
        if (asprintf (&topic, "%s.stats-clear", argv[n]) < 0)
            cmd_die ("flux-module", "out of memory");
        if (clear) {
            if (!(f = flux_rpc (h, topic, NULL, FLUX_NODEID_ANY, 0))
                || flux_rpc_get (f, NULL) < 0)
                cmd_die ("flux-module", "%s: %s",
                         topic, cmd_future_strerror (f, errno));
        }
        else {
            flux_msg_t *msg;
            if (!(msg = flux_event_encode (topic, NULL))
                || flux_send (h, msg, 0) < 0)
                cmd_die ("flux-module", "%s: %s", topic, strerror (errno));
            flux_msg_destroy (msg);
        }
    }
    else {
        if (asprintf (&topic, "%s.%s", argv[n],
                      rusage ? "rusage" : "stats-get") < 0)
            cmd_die ("flux-module", "out of memory");
        if (who)
            f = flux_rpc_pack (h, topic, FLUX_NODEID_ANY, 0,
                               "{s:s}", "who", who);
        else
            f = flux_rpc (h, topic, NULL, FLUX_NODEID_ANY, 0);
        if (!f || flux_rpc_get (f, &s) < 0)
            cmd_die ("flux-module", "%s: %s",
                     topic, cmd_future_strerror (f, errno));
        print_json (s, objname, scale, type);
    }
    flux_future_destroy (f);
    free (topic);
    flux_close (h);
    return 0;
}

static int parse_flags (const char *s, int *flags)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul (s, &end, 0);
    if (errno != 0 || end == s || *end != '\0' || v > 0xffffffffUL)
        return -1;
    *flags = (int)v;
    return 0;
}

static int module_cmd_debug (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&debug_parser, argc, argv);
    const char *op = "setbit";
    int flags = 0;
    const char *arg;
    char *topic;
    flux_future_t *f;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        switch (c) {
            case 'C':
                op = "clr";
                flags = 0;
                break;
            case 'S':
                op = "set";
                break;
            case 's':
                op = "setbit";
                break;
            case 'c':
                op = "clrbit";
                break;
        }
        if (c == 'S' || c == 's' || c == 'c') {
            if (parse_flags (arg, &flags) < 0)
                cmd_usage_error (&debug_parser, "invalid flags '%s'", arg);
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&debug_parser,
                         "debug: exactly one module NAME is required");
    if (asprintf (&topic, "%s.debug", argv[n]) < 0)
        cmd_die ("flux-module", "out of memory");
    h = cmd_open ("flux-module");
    if (!(f = flux_rpc_pack (h, topic, FLUX_NODEID_ANY, 0, "{s:s s:i}",
                             "op", op, "flags", flags))
        || flux_rpc_get_unpack (f, "{s:i}", "flags", &flags) < 0)
        cmd_die ("flux-module", "%s: %s",
                 topic, cmd_future_strerror (f, errno));
    printf ("0x%x\n", (unsigned int)flags);
    flux_future_destroy (f);
    free (topic);
    flux_close (h);
    return 0;
}

static int module_cmd_stack (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&stack_parser, argc, argv);
    const char *text;
    flux_future_t *f;
    flux_t *h;
    int n;

    if (!g)
        cmd_die ("flux-module", "%s", strerror (errno));
    while (cmd_getopt_next (g, NULL) != -1)
        ;
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&stack_parser,
                         "stack: exactly one module NAME is required");
    h = cmd_open ("flux-module");
    if (!(f = flux_rpc_pack (h, "module.stack", FLUX_NODEID_ANY, 0,
                             "{s:s}", "name", argv[n]))
        || flux_rpc_get_unpack (f, "{s:s}", "stack", &text) < 0)
        cmd_die ("flux-module", "stack %s: %s",
                 argv[n], cmd_future_strerror (f, errno));
    fputs (text, stdout);
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

int cmd_module (int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        { "load", module_cmd_load },
        { "remove", module_cmd_remove },
        { "unload", module_cmd_remove },
        { "reload", module_cmd_reload },
        { "list", module_cmd_list },
        { "stats", module_cmd_stats },
        { "debug", module_cmd_debug },
        { "stack", module_cmd_stack },
    };
    int n;

    n = cmd_subcommand (&module_parser, argc, argv, NULL);
    for (size_t i = 0; i < sizeof (cmds) / sizeof (cmds[0]); i++) {
        if (!strcmp (cmds[i].name, argv[n]))
            return cmds[i].fn (argc - n, argv + n);
    }
    cmd_usage_error (&module_parser, "unknown command '%s'", argv[n]);
}

/* vi: ts=4 sw=4 expandtab
 */
