/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux getattr / setattr / lsattr: the attr.* services.
 *
 * setattr goes through the RPC rather than flux_attr_set() so that the
 * broker's reason for a refusal ("unknown attribute", "attribute may not
 * be updated") reaches the user instead of a bare EINVAL.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmd.h"

static const struct cmd_option getattr_opts[] = {
    CMD_OPTION_END,
};

static const struct cmd_parser getattr_parser = {
    .prog = "flux-getattr",
    .cmdline = "flux getattr",
    .usage = "NAME",
    .doc = "Print the value of broker attribute NAME.",
    .opts = getattr_opts,
};

static const struct cmd_option setattr_opts[] = {
    { "expunge", 'e', no_argument, NULL, "Unset the specified attribute" },
    CMD_OPTION_END,
};

static const struct cmd_parser setattr_parser = {
    .prog = "flux-setattr",
    .cmdline = "flux setattr",
    .usage = "[OPTIONS] NAME VALUE | -e NAME",
    .doc = "Set (or with -e, remove) broker attribute NAME.",
    .opts = setattr_opts,
};

static const struct cmd_option lsattr_opts[] = {
    { "values", 'v', no_argument, NULL, "List values with attributes" },
    CMD_OPTION_END,
};

static const struct cmd_parser lsattr_parser = {
    .prog = "flux-lsattr",
    .cmdline = "flux lsattr",
    .usage = "[-v]",
    .doc = "List broker attributes, sorted by name.",
    .opts = lsattr_opts,
};

/* Parse options that only ever include --help and flags; return the
 * index of the first argument.
 */
static int parse_simple (const struct cmd_parser *p, int argc, char **argv,
                         int *flag)
{
    struct cmd_getopt *g = cmd_getopt_create (p, argc, argv);
    int c, n;

    if (!g)
        cmd_die (p->prog, "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, NULL)) != -1) {
        if (flag)
            *flag = 1;
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    return n;
}

int cmd_getattr (int argc, char **argv)
{
    int n = parse_simple (&getattr_parser, argc, argv, NULL);
    const char *val;
    flux_t *h;

    if (n != argc - 1)
        cmd_usage_error (&getattr_parser, "exactly one NAME is required");
    h = cmd_open ("flux-getattr");
    if (!(val = flux_attr_get (h, argv[n])))
        cmd_die ("flux-getattr", "%s: %s", argv[n], strerror (errno));
    printf ("%s\n", val);
    flux_close (h);
    return 0;
}

int cmd_setattr (int argc, char **argv)
{
    int expunge = 0;
    int n = parse_simple (&setattr_parser, argc, argv, &expunge);
    flux_future_t *f;
    flux_t *h;

    if (expunge && n != argc - 1)
        cmd_usage_error (&setattr_parser, "-e takes exactly one NAME");
    if (!expunge && n != argc - 2)
        cmd_usage_error (&setattr_parser, "NAME and VALUE are required");
    h = cmd_open ("flux-setattr");
    if (expunge)
        f = flux_rpc_pack (h, "attr.rm", FLUX_NODEID_ANY, 0,
                           "{s:s}", "name", argv[n]);
    else
        f = flux_rpc_pack (h, "attr.set", FLUX_NODEID_ANY, 0,
                           "{s:s s:s}", "name", argv[n],
                           "value", argv[n + 1]);
    if (!f || flux_rpc_get (f, NULL) < 0)
        cmd_die ("flux-setattr", "%s: %s", argv[n],
                 cmd_future_strerror (f, errno));
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

static int strcmp_p (const void *a, const void *b)
{
    return strcmp (*(const char * const *)a, *(const char * const *)b);
}

int cmd_lsattr (int argc, char **argv)
{
    int values = 0;
    int n = parse_simple (&lsattr_parser, argc, argv, &values);
    flux_future_t *f;
    json_t *names;
    const char **v;
    size_t count;
    flux_t *h;

    if (n != argc)
        cmd_usage_error (&lsattr_parser, "takes no arguments");
    h = cmd_open ("flux-lsattr");
    if (!(f = flux_rpc (h, "attr.list", NULL, FLUX_NODEID_ANY, 0))
        || flux_rpc_get_unpack (f, "{s:o}", "names", &names) < 0)
        cmd_die ("flux-lsattr", "attr.list: %s",
                 cmd_future_strerror (f, errno));
    if (!json_is_array (names))
        cmd_die ("flux-lsattr", "attr.list: malformed response");
    count = json_array_size (names);
    if (!(v = calloc (count + 1, sizeof (v[0]))))
        cmd_die ("flux-lsattr", "out of memory");
    for (size_t i = 0; i < count; i++) {
        if (!(v[i] = json_string_value (json_array_get (names, i))))
            cmd_die ("flux-lsattr", "attr.list: non-string name");
    }
    qsort (v, count, sizeof (v[0]), strcmp_p);
    for (size_t i = 0; i < count; i++) {
        if (values) {
            const char *val = flux_attr_get (h, v[i]);
            printf ("%-40s%s\n", v[i], val ? val : "-");
        }
        else
            printf ("%s\n", v[i]);
    }
    free (v);
    flux_future_destroy (f);
    flux_close (h);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
