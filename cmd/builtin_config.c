/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux config: the instance configuration (config.* services).
 *
 *   get [KEY]          print the configuration, or the value at dotted KEY
 *   reload             re-read the configuration files (config.reload)
 *   load [PATH]        replace it with PATH's files, or TOML/JSON on stdin
 *   set KEY VALUE      change one value (config.load of the edited object)
 *   unset KEY          remove one value
 *   builtin NAME       print a compiled-in path (flux_conf_builtin_get)
 *
 * As flux-core's: a string value prints as itself, anything else as
 * compact JSON; a KEY that is not set is "flux-config: KEY is not set"
 * and exit 1 (silent with --quiet, or --default's value printed).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd.h"
#include "jpath.h"

#define PROG "flux-config"

enum {
    OPT_INTREE = 256,
    OPT_INSTALLED,
};

static const struct cmd_option get_opts[] = {
    { "config-path", 'c', required_argument, "PATH",
      "Get broker config from PATH (default: use live config)" },
    { "type", 't', required_argument, "TYPE",
      "Set expected type (any, string, integer, real, boolean, object, "
      "array, fsd, fsd-integer, fsd-real)" },
    { "quiet", 'q', no_argument, NULL,
      "Suppress printing of \"[key] is not set\" errors." },
    { "default", 'd', required_argument, "VAL",
      "Use this value if config key is unset" },
    CMD_OPTION_END,
};

static const struct cmd_parser get_parser = {
    .prog = PROG,
    .cmdline = "flux config get",
    .usage = "[OPTIONS] [NAME]",
    .doc = "Query broker configuration values.",
    .opts = get_opts,
};

static const struct cmd_option no_opts[] = {
    CMD_OPTION_END,
};

static const struct cmd_parser reload_parser = {
    .prog = PROG,
    .cmdline = "flux config reload",
    .usage = "",
    .doc = "Reload broker configuration from files.",
    .opts = no_opts,
};

static const struct cmd_parser load_parser = {
    .prog = PROG,
    .cmdline = "flux config load",
    .usage = "[PATH]",
    .doc = "Load broker configuration from stdin (TOML or JSON) or PATH.",
    .opts = no_opts,
};

static const struct cmd_option set_opts[] = {
    { "type", 't', required_argument, "TYPE",
      "Specify type (string, integer, real, boolean, object, array, fsd)" },
    CMD_OPTION_END,
};

static const struct cmd_parser set_parser = {
    .prog = PROG,
    .cmdline = "flux config set",
    .usage = "[OPTIONS] NAME VALUE",
    .doc = "Set broker configuration value.",
    .opts = set_opts,
};

static const struct cmd_parser unset_parser = {
    .prog = PROG,
    .cmdline = "flux config unset",
    .usage = "NAME",
    .doc = "Unset broker configuration value.",
    .opts = no_opts,
};

static const struct cmd_option builtin_opts[] = {
    { "intree", OPT_INTREE, no_argument, NULL,
      "Force in-tree paths to be used" },
    { "installed", OPT_INSTALLED, no_argument, NULL,
      "Force installed paths to be used" },
    CMD_OPTION_END,
};

static const struct cmd_parser builtin_parser = {
    .prog = PROG,
    .cmdline = "flux config builtin",
    .usage = "[OPTIONS] NAME",
    .doc = "Print compiled-in Flux configuration values.",
    .opts = builtin_opts,
};

static const struct cmd_parser config_parser = {
    .prog = PROG,
    .cmdline = "flux config",
    .usage = "COMMAND [OPTIONS]",
    .doc = "Manage configuration.  Commands:\n"
           "   get             Query broker configuration values\n"
           "   reload          Reload broker configuration from files\n"
           "   load            Load broker configuration from stdin or PATH\n"
           "   set             Set broker configuration value\n"
           "   unset           Unset broker configuration value\n"
           "   builtin         Print compiled-in Flux configuration values",
    .opts = NULL,
    .posix = true,
};

/* Types, as flux-core's: fsd* are strings holding a duration. */
enum fsd { FSD_NONE, FSD_STRING, FSD_INTEGER, FSD_REAL };

static const struct {
    const char *name;
    json_type type;         /* JSON_NULL: any; JSON_TRUE: boolean */
    enum fsd fsd;
} typetab[] = {
    { "object", JSON_OBJECT, FSD_NONE },
    { "array", JSON_ARRAY, FSD_NONE },
    { "string", JSON_STRING, FSD_NONE },
    { "integer", JSON_INTEGER, FSD_NONE },
    { "real", JSON_REAL, FSD_NONE },
    { "boolean", JSON_TRUE, FSD_NONE },
    { "any", JSON_NULL, FSD_NONE },
    { "fsd", JSON_STRING, FSD_STRING },
    { "fsd-integer", JSON_STRING, FSD_INTEGER },
    { "fsd-real", JSON_STRING, FSD_REAL },
};

static void parse_type (const char *s, json_type *type, enum fsd *fsd)
{
    for (size_t i = 0; i < sizeof (typetab) / sizeof (typetab[0]); i++) {
        if (!strcasecmp (s, typetab[i].name)) {
            *type = typetab[i].type;
            *fsd = typetab[i].fsd;
            return;
        }
    }
    cmd_die (PROG, "Unknown type: %s", s);
}

/* Parse options; returns the index of the first argument. */
static int parse_opts (const struct cmd_parser *p, int argc, char **argv,
                       void (*opt)(int c, const char *optarg, void *data),
                       void *arg)
{
    struct cmd_getopt *g = cmd_getopt_create (p, argc, argv);
    const char *optarg_;
    int c, n;

    if (!g)
        cmd_die (PROG, "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &optarg_)) != -1) {
        if (opt)
            opt (c, optarg_, arg);
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    return n;
}

/* The live configuration (config.get); *fp owns it. */
static json_t *fetch_config (flux_t *h, flux_future_t **fp)
{
    json_t *o;

    if (!(*fp = flux_rpc (h, "config.get", NULL, FLUX_NODEID_ANY, 0))
        || flux_rpc_get_unpack (*fp, "o", &o) < 0)
        cmd_die (PROG, "Error fetching config object: %s",
                 cmd_future_strerror (*fp, errno));
    return o;
}

static void load_config (flux_t *h, json_t *o)
{
    flux_future_t *f;

    if (!(f = flux_rpc_pack (h, "config.load", FLUX_NODEID_ANY, 0, "O", o))
        || flux_rpc_get (f, NULL) < 0)
        cmd_die (PROG, "Error updating config object: %s",
                 cmd_future_strerror (f, errno));
    flux_future_destroy (f);
}

static void print_value (json_t *o)
{
    char *s;

    if (json_is_string (o)) {
        printf ("%s\n", json_string_value (o));
        return;
    }
    if (!(s = json_dumps (o, JSON_COMPACT | JSON_ENCODE_ANY)))
        cmd_die (PROG, "error encoding json object");
    printf ("%s\n", s);
    free (s);
}

struct get_args {
    const char *config_path;
    const char *type;
    const char *def;
    bool quiet;
};

static void get_opt (int c, const char *arg, void *data)
{
    struct get_args *a = data;

    switch (c) {
        case 'c':
            a->config_path = arg;
            break;
        case 't':
            a->type = arg;
            break;
        case 'q':
            a->quiet = true;
            break;
        case 'd':
            a->def = arg;
            break;
    }
}

static int config_get (int argc, char **argv)
{
    struct get_args a = { .type = "any" };
    int n = parse_opts (&get_parser, argc, argv, get_opt, &a);
    const char *key = NULL;
    flux_conf_t *conf = NULL;
    flux_future_t *f = NULL;
    flux_t *h = NULL;
    json_type want;
    enum fsd fsd;
    json_t *o;
    double t;

    if (n < argc)
        key = argv[n++];
    if (n < argc)
        cmd_usage_error (&get_parser, "at most one NAME");
    parse_type (a.type, &want, &fsd);
    if (a.config_path) {
        flux_error_t error;
        if (!(conf = flux_conf_parse (a.config_path, &error))
            || flux_conf_unpack (conf, &error, "o", &o) < 0)
            cmd_die (PROG, "%s", error.text);
    }
    else {
        h = cmd_open (PROG);
        o = fetch_config (h, &f);
    }
    if (key && !(o = jpath_get (o, key))) {
        if (errno != ENOENT)
            cmd_die (PROG, "%s: %s", key, strerror (errno));
        if (a.def)
            printf ("%s\n", a.def);
        else if (a.quiet)
            exit (CMD_EXIT_ERROR);
        else
            cmd_die (PROG, "%s is not set", key);
    }
    else if (want == JSON_NULL
             || (want == JSON_TRUE && json_is_boolean (o))
             || (json_typeof (o) == want && fsd == FSD_NONE))
        print_value (o);
    else if (json_typeof (o) == want
             && cmd_parse_duration (json_string_value (o), &t) == 0) {
        if (fsd == FSD_INTEGER)
            printf ("%d\n", (int)t);
        else if (fsd == FSD_REAL)
            printf ("%f\n", t);
        else
            printf ("%s\n", json_string_value (o));
    }
    else
        cmd_die (PROG, "%s does not have the requested type",
                 key ? key : "value");
    flux_conf_decref (conf);
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

static int config_reload (int argc, char **argv)
{
    int n = parse_opts (&reload_parser, argc, argv, NULL, NULL);
    flux_future_t *f;
    flux_t *h;

    if (n != argc)
        cmd_usage_error (&reload_parser, "takes no arguments");
    h = cmd_open (PROG);
    if (!(f = flux_rpc (h, "config.reload", NULL, FLUX_NODEID_ANY, 0))
        || flux_rpc_get (f, NULL) < 0)
        cmd_die (PROG, "reload: %s", cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

static char *read_stdin (size_t *lenp)
{
    size_t size = 0, len = 0;
    char *buf = NULL;
    ssize_t n;

    do {
        if (len + 4096 > size) {
            char *nbuf;
            size = size ? size * 2 : 8192;
            if (!(nbuf = realloc (buf, size + 1)))
                cmd_die (PROG, "out of memory");
            buf = nbuf;
        }
        if ((n = read (STDIN_FILENO, buf + len, size - len)) < 0) {
            if (errno == EINTR)
                continue;
            cmd_die (PROG, "error reading stdin: %s", strerror (errno));
        }
        len += n;
    } while (n > 0);
    buf[len] = '\0';
    *lenp = len;
    return buf;
}

static int config_load (int argc, char **argv)
{
    int n = parse_opts (&load_parser, argc, argv, NULL, NULL);
    json_t *o;
    flux_t *h;

    if (argc - n > 1)
        cmd_usage_error (&load_parser, "at most one PATH");
    if (n < argc) {
        flux_conf_t *conf;
        flux_error_t error;
        if (!(conf = flux_conf_parse (argv[n], &error))
            || flux_conf_unpack (conf, &error, "O", &o) < 0)
            cmd_die (PROG, "Error parsing config: %s", error.text);
        flux_conf_decref (conf);
    }
    else {
        /* N.B. as flux-core's: JSON if it parses as JSON, else TOML.
         * The TOML goes through flux_conf_update() as inline text (which
         * a newline marks), so that the parser is libflux's plugin and
         * this command does not link the C++ runtime.
         */
        size_t len;
        char *buf = read_stdin (&len);

        if (!(o = json_loads (buf, 0, NULL)) || !json_is_object (o)) {
            flux_conf_t *conf;
            flux_error_t error = { .text = "out of memory" };

            json_decref (o);
            o = NULL;
            if (len == 0 || buf[len - 1] != '\n') {
                char *nbuf;
                if (!(nbuf = realloc (buf, len + 2)))
                    cmd_die (PROG, "out of memory");
                buf = nbuf;
                buf[len++] = '\n';
                buf[len] = '\0';
            }
            if (!(conf = flux_conf_create ())
                || flux_conf_update (conf, buf, &error) < 0
                || flux_conf_unpack (conf, &error, "O", &o) < 0)
                cmd_die (PROG, "TOML parse error: %s", error.text);
            flux_conf_decref (conf);
        }
        free (buf);
    }
    h = cmd_open (PROG);
    load_config (h, o);
    json_decref (o);
    flux_close (h);
    return 0;
}

struct set_args {
    const char *type;
};

static void set_opt (int c, const char *arg, void *data)
{
    struct set_args *a = data;

    if (c == 't')
        a->type = arg;
}

/* VALUE given on the command line as a JSON value of 'type'. */
static json_t *make_value (const char *s, json_type type, enum fsd fsd)
{
    json_t *o = NULL;
    char *end;
    double t;

    switch (type) {
        case JSON_TRUE:
        case JSON_FALSE:
            /* N.B. flux-core's rule: 0, f..., F... and "" are false. */
            o = (s[0] == '0' || s[0] == 'f' || s[0] == 'F' || s[0] == '\0')
                ? json_false () : json_true ();
            break;
        case JSON_REAL: {
            errno = 0;
            double d = strtod (s, &end);
            if (errno != 0 || end == s || *end != '\0'
                || !(o = json_real (d)))
                cmd_die (PROG, "Error parsing real value");
            break;
        }
        case JSON_INTEGER: {
            errno = 0;
            long long i = strtoll (s, &end, 0);
            if (errno != 0 || end == s || *end != '\0'
                || !(o = json_integer (i)))
                cmd_die (PROG, "Error parsing integer value");
            break;
        }
        case JSON_OBJECT:
            if (!(o = json_loads (s, 0, NULL)) || !json_is_object (o))
                cmd_die (PROG, "Error parsing json object");
            break;
        case JSON_ARRAY:
            if (!(o = json_loads (s, 0, NULL)) || !json_is_array (o))
                cmd_die (PROG, "Error parsing json array");
            break;
        case JSON_STRING:
            if (fsd == FSD_STRING && cmd_parse_duration (s, &t) < 0)
                cmd_die (PROG, "Error parsing Flux Standard Duration");
            o = s[0] == '"' ? json_loads (s, JSON_DECODE_ANY, NULL)
                            : json_string (s);
            if (!json_is_string (o))
                cmd_die (PROG, "Error parsing string");
            break;
        case JSON_NULL:
            cmd_die (PROG, "Invalid type for the set subcommand: any");
    }
    return o;
}

static int config_set (int argc, char **argv)
{
    struct set_args a = { 0 };
    int n = parse_opts (&set_parser, argc, argv, set_opt, &a);
    json_type type = JSON_STRING;
    enum fsd fsd = FSD_NONE;
    flux_future_t *f;
    json_t *o, *old, *val;
    flux_t *h;

    if (argc - n != 2)
        cmd_usage_error (&set_parser, "NAME and VALUE are required");
    if (a.type) {
        parse_type (a.type, &type, &fsd);
        if (fsd == FSD_INTEGER || fsd == FSD_REAL)
            cmd_die (PROG, "Invalid type for the set subcommand: %s",
                     a.type);
    }
    h = cmd_open (PROG);
    o = fetch_config (h, &f);
    /* Without --type, the new value has the type of the old one. */
    if (!a.type) {
        if (!(old = jpath_get (o, argv[n])))
            cmd_die (PROG, "Type is unknown, please specify --type");
        type = json_typeof (old);
    }
    val = make_value (argv[n + 1], type, fsd);
    if (jpath_set_new (o, argv[n], val) < 0)
        cmd_die (PROG, "Error updating config object");
    load_config (h, o);
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

static int config_unset (int argc, char **argv)
{
    int n = parse_opts (&unset_parser, argc, argv, NULL, NULL);
    flux_future_t *f;
    json_t *o;
    flux_t *h;

    if (argc - n != 1)
        cmd_usage_error (&unset_parser, "exactly one NAME is required");
    h = cmd_open (PROG);
    o = fetch_config (h, &f);
    if (jpath_del (o, argv[n]) < 0)
        cmd_die (PROG, "Error deleting %s from config object: %s", argv[n],
                 strerror (errno));
    load_config (h, o);
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

static void builtin_opt (int c, const char *arg, void *data)
{
    enum flux_conf_flags *flags = data;

    (void)arg;
    *flags = c == OPT_INTREE ? FLUX_CONF_INTREE : FLUX_CONF_INSTALLED;
}

static int config_builtin (int argc, char **argv)
{
    enum flux_conf_flags flags = FLUX_CONF_AUTO;
    int n = parse_opts (&builtin_parser, argc, argv, builtin_opt, &flags);
    const char *val;

    if (argc - n != 1)
        cmd_usage_error (&builtin_parser, "exactly one NAME is required");
    if (!(val = flux_conf_builtin_get (argv[n], flags)))
        cmd_die (PROG, "%s is invalid", argv[n]);
    printf ("%s\n", val);
    return 0;
}

int cmd_config (int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        { "get", config_get },
        { "reload", config_reload },
        { "load", config_load },
        { "set", config_set },
        { "unset", config_unset },
        { "builtin", config_builtin },
    };
    int n = parse_opts (&config_parser, argc, argv, NULL, NULL);

    if (n == argc)
        cmd_usage_error (&config_parser, "missing COMMAND");
    for (size_t i = 0; i < sizeof (cmds) / sizeof (cmds[0]); i++) {
        if (!strcmp (cmds[i].name, argv[n]))
            return cmds[i].fn (argc - n, argv + n);
    }
    cmd_usage_error (&config_parser, "unknown command '%s'", argv[n]);
}

/* vi: ts=4 sw=4 expandtab
 */
