/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux kvs namespace create|remove|list, as flux-core's: create and
 * remove act on each NAME in turn and stop at the first failure,
 * "flux-kvs: NAME: <error>"; list prints a NAMESPACE/OWNER/FLAGS
 * table, one namespace a line, in the order kvs.namespace-list gives.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmd.h"
#include "kvs.h"

static const struct cmd_option create_opts[] = {
    { "owner", 'o', required_argument, "UID",
      "Specify alternate namespace owner via userid" },
    { "rootref", 'r', required_argument, "BLOBREF",
      "Initialize namespace with specific root reference" },
    CMD_OPTION_END,
};

static const struct cmd_parser create_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs namespace create",
    .usage = "[-o owner] [-r rootref] NAME [NAME...]",
    .doc = "Create a KVS namespace.",
    .opts = create_opts,
};

static const struct cmd_parser remove_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs namespace remove",
    .usage = "NAME [NAME...]",
    .doc = "Remove a KVS namespace.",
};

static const struct cmd_parser list_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs namespace list",
    .usage = "",
    .doc = "List namespaces on local rank.",
};

static const struct cmd_parser namespace_parser = {
    .prog = "flux-kvs",
    .cmdline = "flux kvs namespace",
    .usage = "COMMAND [OPTIONS] ARGS",
    .doc = "Perform KVS namespace operations.  Commands:\n"
           "   create          Create a KVS namespace\n"
           "   remove          Remove a KVS namespace\n"
           "   list            List namespaces on local rank",
    .posix = true,
};

static void ns_create (flux_t *h, const struct kvs_opts *o, int argc,
                       char **argv)
{
    uint32_t owner = FLUX_USERID_UNKNOWN;

    if (o->arg['o']) {
        char *end;
        errno = 0;
        unsigned long n = strtoul (o->arg['o'], &end, 10);
        if (errno || end == o->arg['o'] || *end || n > UINT32_MAX)
            cmd_die (kvs_prog,
                     "--owner requires an unsigned integer argument");
        owner = n;
    }
    for (int i = o->optind; i < argc; i++) {
        const char *name = argv[i];
        flux_future_t *f;

        if (o->arg['r'])
            f = flux_kvs_namespace_create_with (h, name, o->arg['r'],
                                                owner, 0);
        else
            f = flux_kvs_namespace_create (h, name, owner, 0);
        if (!f || flux_future_get (f, NULL) < 0)
            cmd_die (kvs_prog, "%s: %s", name,
                     cmd_future_strerror (f, errno));
        flux_future_destroy (f);
    }
}

static void ns_remove (flux_t *h, const struct kvs_opts *o, int argc,
                       char **argv)
{
    for (int i = o->optind; i < argc; i++) {
        flux_future_t *f;

        if (!(f = flux_kvs_namespace_remove (h, argv[i]))
            || flux_future_get (f, NULL) < 0)
            cmd_die (kvs_prog, "%s: %s", argv[i],
                     cmd_future_strerror (f, errno));
        flux_future_destroy (f);
    }
}

static void ns_list (flux_t *h)
{
    flux_future_t *f;
    json_t *array, *o;
    size_t i;

    if (!(f = flux_rpc (h, "kvs.namespace-list", NULL, FLUX_NODEID_ANY, 0))
        || flux_rpc_get_unpack (f, "{s:o}", "namespaces", &array) < 0)
        cmd_die (kvs_prog, "kvs.namespace-list: %s",
                 cmd_future_strerror (f, errno));
    if (!json_is_array (array))
        cmd_die (kvs_prog, "namespaces object is not an array");
    printf ("%-41s %-10s %s\n", "NAMESPACE", "OWNER", "FLAGS");
    json_array_foreach (array, i, o) {
        const char *name;
        json_int_t owner;
        int flags;

        if (json_unpack (o, "{s:s s:I s:i}",
                         "namespace", &name,
                         "owner", &owner,
                         "flags", &flags) < 0)
            cmd_die (kvs_prog, "kvs.namespace-list: %s", strerror (EPROTO));
        printf ("%-36s %10u 0x%08X\n", name, (unsigned int)owner,
                (unsigned int)flags);
    }
    flux_future_destroy (f);
}

int kvs_namespace (int argc, char **argv)
{
    static const struct {
        const char *name;
        const struct cmd_parser *parser;
    } cmds[] = {
        { "create", &create_parser },
        { "remove", &remove_parser },
        { "list", &list_parser },
    };
    const struct cmd_parser *p = NULL;
    struct kvs_opts o;
    flux_t *h;
    int n;

    n = cmd_subcommand (&namespace_parser, argc, argv, NULL);
    for (size_t i = 0; i < sizeof (cmds) / sizeof (cmds[0]); i++)
        if (!strcmp (cmds[i].name, argv[n]))
            p = cmds[i].parser;
    if (!p)
        cmd_usage_error (&namespace_parser, "unknown command '%s'", argv[n]);
    argc -= n;
    argv += n;
    kvs_parse (p, argc, argv, &o);
    if (p == &list_parser && o.optind != argc)
        cmd_usage_error (p, "takes no arguments");
    if (p != &list_parser && o.optind == argc)
        cmd_usage_error (p, "specify one or more namespace names");
    h = cmd_open (kvs_prog);
    if (p == &create_parser)
        ns_create (h, &o, argc, argv);
    else if (p == &remove_parser)
        ns_remove (h, &o, argc, argv);
    else
        ns_list (h);
    flux_close (h);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
