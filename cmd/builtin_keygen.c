/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux keygen: a CURVE certificate for the brokers of a config-booted
 * instance ([bootstrap] curve_cert), in flux-core's file format
 * (libutil/zcert.h), so that flux-core's brokers can read it too.
 *
 * The key pair is libzmq's zmq_curve_keypair(), loaded when this runs:
 * the flux command does not link libzmq, which would cost every other
 * command the start-up of one more shared library.
 */
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "cmd.h"
#include "zcert.h"

#define PROTOCOL_VERSION "0.88.0"   /* the flux-core overlay we follow */

static const struct cmd_option keygen_opts[] = {
    { "name", 'n', required_argument, "NAME",
      "Set certificate name (default: hostname)" },
    { "meta", 0x100, required_argument, "KEYVALS",
      "Add/update comma-separated key=value metadata" },
    CMD_OPTION_END,
};

static const struct cmd_parser keygen_parser = {
    .prog = "flux-keygen",
    .cmdline = "flux keygen",
    .usage = "[OPTIONS] PATH",
    .doc = "Generate a long-term CURVE certificate for the overlay of a "
           "config-booted instance, written to PATH (mode 0600).",
    .opts = keygen_opts,
};

static void keypair (char *pub, char *sec, char *zmq_version, size_t size)
{
    int (*keypair_fn)(char *, char *);
    void (*version_fn)(int *, int *, int *);
    void *dso;
    int major, minor, patch;

    if (!(dso = dlopen ("libzmq.so.5", RTLD_NOW | RTLD_LOCAL)))
        cmd_die ("flux-keygen", "cannot load libzmq: %s", dlerror ());
    if (!(keypair_fn = (int (*)(char *, char *))dlsym (dso,
                                                       "zmq_curve_keypair"))
        || !(version_fn = (void (*)(int *, int *, int *))dlsym (dso,
                                                               "zmq_version")))
        cmd_die ("flux-keygen", "libzmq: %s", dlerror ());
    if (keypair_fn (pub, sec) < 0)
        cmd_die ("flux-keygen", "zmq_curve_keypair: %s (is libzmq built "
                 "with CURVE?)", strerror (errno));
    version_fn (&major, &minor, &patch);
    snprintf (zmq_version, size, "%d.%d.%d", major, minor, patch);
    dlclose (dso);
}

int cmd_keygen (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&keygen_parser, argc, argv);
    char pub[ZCERT_KEY_LEN], sec[ZCERT_KEY_LEN];
    char hostname[256] = "localhost";
    char zmq_version[32];
    char now[64];
    char uid[32];
    const char *name = NULL;
    const char *meta = NULL;
    const char *arg;
    flux_error_t error;
    json_t *o;
    time_t t = time (NULL);
    int c, n;

    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        if (c == 'n')
            name = arg;
        else if (c == 0x100)
            meta = arg;
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n != argc - 1)
        cmd_usage_error (&keygen_parser, "PATH is required");
    (void)gethostname (hostname, sizeof (hostname) - 1);
    strftime (now, sizeof (now), "%Y-%m-%dT%T", localtime (&t));
    snprintf (uid, sizeof (uid), "%d", (int)getuid ());
    keypair (pub, sec, zmq_version, sizeof (zmq_version));
    if (!(o = json_object ()))
        cmd_die ("flux-keygen", "out of memory");
    /* --meta first: what it sets is kept (flux-core's order of rules). */
    if (meta) {
        char *copy = strdup (meta);
        char *save = NULL;
        for (char *kv = strtok_r (copy, ",", &save); kv;
             kv = strtok_r (NULL, ",", &save)) {
            char *eq = strchr (kv, '=');
            if (!eq || eq == kv)
                cmd_die ("flux-keygen", "--meta: '%s' is not key=value", kv);
            *eq = '\0';
            json_object_set_new (o, kv, json_string (eq + 1));
        }
        free (copy);
    }
    struct { const char *key, *value; } dflt[] = {
        { "name", name ? name : hostname },
        { "keygen.hostname", hostname },
        { "keygen.time", now },
        { "keygen.userid", uid },
        { "keygen.flux-core-version", PROTOCOL_VERSION },
        { "keygen.zmq-version", zmq_version },
    };
    for (size_t i = 0; i < sizeof (dflt) / sizeof (dflt[0]); i++) {
        if (!json_object_get (o, dflt[i].key)
            || (i == 0 && name))
            json_object_set_new (o, dflt[i].key, json_string (dflt[i].value));
    }
    if (zcert_write (argv[n], pub, sec, o, &error) < 0)
        cmd_die ("flux-keygen", "%s", error.text);
    json_decref (o);
    return 0;
}

/* vi: ts=4 sw=4 expandtab
 */
