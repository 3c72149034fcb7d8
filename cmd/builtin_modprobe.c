/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux modprobe rc1|rc3: the standard modules of an instance, loaded
 * (rc1) or removed (rc3, in reverse) on the ranks each is for, as
 * flux-core's flux modprobe does for its modules (etc/rc1, etc/rc3 run
 * it).
 *
 * The modules, in load order: content, kvs, heartbeat, each on rank 0
 * by default (the KVS has no caches on other ranks, whose requests go up
 * the tree to it; rank 0's heartbeat reaches every broker as an event).
 * The [modules] table of the instance configuration updates them as
 * flux-core's does: [modules] NAME.ranks (an idset, or ">N" / "<N": the
 * ranks above or below N), NAME.disabled, NAME.args (an array of
 * strings), NAME.module (what to load under NAME, a path or a name).  A
 * name in [modules] that is not one of these, or a key it does not
 * know, is an error: rc1 fails saying so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <flux/idset.h>

#include "cmd.h"

static const char *standard[] = { "content", "kvs", "heartbeat" };
enum { NSTANDARD = sizeof (standard) / sizeof (standard[0]) };

struct entry {
    const char *name;
    const char *module;     /* what to load, if not name */
    const char *ranks;
    bool disabled;
    json_t *args;           /* array of strings, or NULL */
};

/* Whether 'rank' is one of 'ranks': an idset, ">N" or "<N". */
static bool rank_in (const char *name, const char *ranks, uint32_t rank)
{
    struct idset *ids;
    bool in;

    if (ranks[0] == '>' || ranks[0] == '<') {
        char *end;
        long n = strtol (ranks + 1, &end, 10);
        if (end == ranks + 1 || *end != '\0')
            cmd_die ("flux-modprobe", "[modules] %s.ranks: '%s' is not an "
                     "idset, >N or <N", name, ranks);
        return ranks[0] == '>' ? (long)rank > n : (long)rank < n;
    }
    if (!(ids = idset_decode (ranks)))
        cmd_die ("flux-modprobe", "[modules] %s.ranks: '%s' is not an idset, "
                 ">N or <N", name, ranks);
    in = idset_test (ids, rank);
    idset_destroy (ids);
    return in;
}

/* The standard modules with the configuration's updates. */
static void read_entries (flux_t *h, struct entry *e, json_t **confp)
{
    flux_future_t *f;
    json_t *conf, *modules = NULL;
    const char *key;
    json_t *value;

    for (int i = 0; i < NSTANDARD; i++)
        e[i] = (struct entry){ .name = standard[i], .ranks = "0" };
    if (!(f = flux_rpc (h, "config.get", NULL, FLUX_NODEID_ANY, 0))
        || flux_rpc_get_unpack (f, "o", &conf) < 0)
        cmd_die ("flux-modprobe", "config.get: %s",
                 cmd_future_strerror (f, errno));
    *confp = json_incref (conf);
    flux_future_destroy (f);
    if (!(modules = json_object_get (conf, "modules")))
        return;
    if (!json_is_object (modules))
        cmd_die ("flux-modprobe", "[modules] must be a table");
    json_object_foreach (modules, key, value) {
        struct entry *x = NULL;
        json_error_t jerror;
        int disabled = 0;
        for (int i = 0; i < NSTANDARD; i++) {
            if (!strcmp (key, e[i].name))
                x = &e[i];
        }
        if (!x)
            cmd_die ("flux-modprobe", "[modules] %s: no such module", key);
        if (json_unpack_ex (value, &jerror, JSON_STRICT,
                            "{s?s s?s s?b s?o}",
                            "ranks", &x->ranks,
                            "module", &x->module,
                            "disabled", &disabled,
                            "args", &x->args) < 0)
            cmd_die ("flux-modprobe", "[modules] %s: %s", key, jerror.text);
        x->disabled = disabled;
        if (x->args) {
            size_t i;
            json_t *a;
            if (!json_is_array (x->args))
                cmd_die ("flux-modprobe", "[modules] %s.args must be an "
                         "array of strings", key);
            json_array_foreach (x->args, i, a) {
                if (!json_is_string (a))
                    cmd_die ("flux-modprobe", "[modules] %s.args must be "
                             "an array of strings", key);
            }
        }
    }
}

static void load (struct entry *e)
{
    size_t nargs = json_array_size (e->args);
    char **argv = calloc (nargs + 6, sizeof (argv[0]));
    int argc = 0;

    if (!argv)
        cmd_die ("flux-modprobe", "out of memory");
    argv[argc++] = "module";
    argv[argc++] = "load";
    if (e->module) {
        argv[argc++] = "--name";
        argv[argc++] = (char *)e->name;
    }
    argv[argc++] = (char *)(e->module ? e->module : e->name);
    for (size_t i = 0; i < nargs; i++)
        argv[argc++] = (char *)json_string_value (json_array_get (e->args, i));
    (void)cmd_module (argc, argv); // exits saying why if it fails
    free (argv);
}

/* Returns 0, or -1 (said why) if the module was there and did not go. */
static int unload (flux_t *h, struct entry *e)
{
    flux_future_t *f;
    int rc = 0;

    if (!(f = flux_rpc_pack (h, "module.remove", FLUX_NODEID_ANY, 0,
                             "{s:s s:b}", "name", e->name, "cancel", 0))
        || flux_rpc_get (f, NULL) < 0) {
        if (errno != ENOENT) {
            cmd_msg ("flux-modprobe", "remove %s: %s", e->name,
                     cmd_future_strerror (f, errno));
            rc = -1;
        }
    }
    flux_future_destroy (f);
    return rc;
}

int cmd_modprobe (int argc, char **argv)
{
    struct entry e[NSTANDARD];
    json_t *conf = NULL;
    uint32_t rank;
    bool rc1;
    int rc = 0;
    flux_t *h;

    if (argc != 2 || (strcmp (argv[1], "rc1") && strcmp (argv[1], "rc3"))) {
        fprintf (stderr, "Usage: flux modprobe rc1|rc3\n");
        return CMD_EXIT_USAGE;
    }
    rc1 = !strcmp (argv[1], "rc1");
    h = cmd_open ("flux-modprobe");
    if (flux_get_rank (h, &rank) < 0)
        cmd_die ("flux-modprobe", "rank: %s", strerror (errno));
    read_entries (h, e, &conf);
    if (rc1) {
        for (int i = 0; i < NSTANDARD; i++) {
            if (!e[i].disabled && rank_in (e[i].name, e[i].ranks, rank))
                load (&e[i]);
        }
    }
    else {
        /* N.B. every one, even after a failure: rc3 does each step. */
        for (int i = NSTANDARD - 1; i >= 0; i--) {
            if (!e[i].disabled && rank_in (e[i].name, e[i].ranks, rank)
                && unload (h, &e[i]) < 0)
                rc = 1;
        }
    }
    json_decref (conf);
    flux_close (h);
    return rc;
}

/* vi: ts=4 sw=4 expandtab
 */
