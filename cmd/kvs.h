/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux kvs: what its subcommands, split by theme over builtin_kvs.c and
 * kvs_*.c, share.
 */
#ifndef FLUX_CMD_KVS_H
#define FLUX_CMD_KVS_H

#include <stdbool.h>
#include <flux/core.h>

#include "cmd.h"

/* The options given, by key character (long-only options are not
 * used by flux kvs).
 */
struct kvs_opts {
    const char *arg[128];
    bool set[128];
    int optind;
};

extern const char *kvs_prog;

/* Parse argv (argv[0] the subcommand) with p into *o; usage errors
 * and --help exit.
 */
void kvs_parse (const struct cmd_parser *p, int argc, char **argv,
                struct kvs_opts *o);

/* A subcommand with subcommands of its own (namespace, eventlog): it
 * parses before it connects, so that --help and usage errors need no
 * instance.  argv[0] is its name.
 */
int kvs_namespace (int argc, char **argv);
int kvs_eventlog (int argc, char **argv);

#endif /* !FLUX_CMD_KVS_H */

/* vi: ts=4 sw=4 expandtab
 */
