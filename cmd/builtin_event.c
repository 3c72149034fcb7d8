/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux event pub / sub.
 *
 * pub sends an EVENT message straight to the broker (flux-core's
 * default: no reply, no sequence number); --synchronous goes through
 * the event.publish service instead, which answers with the sequence
 * number the broker assigned.  The payload is the remaining arguments
 * joined by spaces: a JSON object, or any bytes with --raw.
 *
 * sub subscribes (prefix match, "" for all) and prints each event as
 * "TOPIC<TAB>PAYLOAD", one line at a time, flushed, so a script reading
 * a pipe sees each event as it arrives.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cmd.h"

static const struct cmd_option pub_opts[] = {
    { "raw", 'r', no_argument, NULL, "Interpret event payload as raw" },
    { "synchronous", 's', no_argument, NULL,
      "Publish through the event.publish service and print the sequence "
      "number" },
    { "loopback", 'l', no_argument, NULL,
      "Wait for published event to be received before exiting" },
    { "private", 'p', no_argument, NULL,
      "Restrict the event to the instance owner and the sender" },
    CMD_OPTION_END,
};

static const struct cmd_parser pub_parser = {
    .prog = "flux-event",
    .cmdline = "flux event pub",
    .usage = "[OPTIONS] TOPIC [PAYLOAD...]",
    .doc = "Publish an event.",
    .opts = pub_opts,
    .posix = true,
};

static const struct cmd_option sub_opts[] = {
    { "count", 'c', required_argument, "N", "Process N events then exit" },
    CMD_OPTION_END,
};

static const struct cmd_parser sub_parser = {
    .prog = "flux-event",
    .cmdline = "flux event sub",
    .usage = "[OPTIONS] [TOPIC...]",
    .doc = "Subscribe to events whose topic begins with TOPIC (all if "
           "none) and print them.",
    .opts = sub_opts,
};

static const struct cmd_parser event_parser = {
    .prog = "flux-event",
    .cmdline = "flux event",
    .usage = "pub|sub [OPTIONS] ...",
    .doc = "Publish and subscribe to events.  Commands:\n"
           "   pub             Publish an event\n"
           "   sub             Subscribe to events and print them",
    .posix = true,
};

static char *join_args (int argc, char **argv)
{
    size_t len = 1;
    char *s;

    if (argc == 0)
        return NULL;
    for (int i = 0; i < argc; i++)
        len += strlen (argv[i]) + 1;
    if (!(s = calloc (1, len)))
        cmd_die ("flux-event", "out of memory");
    for (int i = 0; i < argc; i++) {
        if (i > 0)
            strcat (s, " ");
        strcat (s, argv[i]);
    }
    return s;
}

/* True if the event carries the payload that was published. */
static bool payload_matches (const flux_msg_t *msg, const char *payload,
                             bool raw)
{
    const void *data = NULL;
    size_t len = 0;
    size_t plen;

    if (flux_event_decode_raw (msg, NULL, &data, &len) < 0)
        return false;
    if (!payload)
        return len == 0;
    plen = strlen (payload);
    if (!raw) {
        /* JSON payloads travel with their trailing NUL. */
        if (len > 0 && ((const char *)data)[len - 1] == '\0')
            len--;
    }
    return len == plen && !memcmp (data, payload, plen);
}

static int event_pub (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&pub_parser, argc, argv);
    bool raw = false;
    bool sync = false;
    bool loopback = false;
    bool priv = false;
    const char *topic;
    char *payload;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-event", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, NULL)) != -1) {
        switch (c) {
            case 'r':
                raw = true;
                break;
            case 's':
                sync = true;
                break;
            case 'l':
                loopback = true;
                break;
            case 'p':
                priv = true;
                break;
        }
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);
    if (n == argc)
        cmd_usage_error (&pub_parser, "pub: missing TOPIC");
    topic = argv[n++];
    payload = join_args (argc - n, argv + n);
    if (payload && !raw) {
        json_t *o = json_loads (payload, JSON_DECODE_ANY, NULL);
        bool ok = o && json_is_object (o);
        json_decref (o);
        if (!ok)
            cmd_die ("flux-event", "payload is not a JSON object: %s",
                     payload);
    }

    h = cmd_open ("flux-event");
    if (loopback && flux_event_subscribe (h, topic) < 0)
        cmd_die ("flux-event", "subscribe %s: %s", topic, strerror (errno));
    if (sync) {
        flux_future_t *f;
        int seq;
        int flags = priv ? FLUX_EVENT_PRIVATE : 0;

        if (raw)
            f = flux_event_publish_raw (h, topic, flags, payload,
                                        payload ? strlen (payload) : 0);
        else
            f = flux_event_publish (h, topic, flags, payload);
        if (!f || flux_event_publish_get_seq (f, &seq) < 0)
            cmd_die ("flux-event", "publish %s: %s",
                     topic, cmd_future_strerror (f, errno));
        printf ("seq=%d\n", seq);
        flux_future_destroy (f);
    }
    else {
        flux_msg_t *msg;

        if (raw)
            msg = flux_event_encode_raw (topic, payload,
                                         payload ? strlen (payload) : 0);
        else
            msg = flux_event_encode (topic, payload);
        if (!msg
            || (priv && flux_msg_set_private (msg) < 0)
            || flux_send (h, msg, 0) < 0)
            cmd_die ("flux-event", "publish %s: %s", topic,
                     strerror (errno));
        flux_msg_destroy (msg);
    }
    if (loopback) {
        struct flux_match match = FLUX_MATCH_EVENT;
        bool received = false;

        match.topic_glob = topic;
        while (!received) {
            flux_msg_t *msg;
            const char *t;
            if (!(msg = flux_recv (h, match, 0)))
                cmd_die ("flux-event", "receive %s: %s", topic,
                         strerror (errno));
            if (flux_event_decode_raw (msg, &t, NULL, NULL) == 0
                && !strcmp (t, topic)
                && payload_matches (msg, payload, raw))
                received = true;
            flux_msg_destroy (msg);
        }
        if (flux_event_unsubscribe (h, topic) < 0)
            cmd_die ("flux-event", "unsubscribe %s: %s", topic,
                     strerror (errno));
    }
    free (payload);
    flux_close (h);
    return 0;
}

/* A raw payload printed as text: unprintable bytes as '.'. */
static void print_raw (const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++)
        putchar (isprint (p[i]) ? p[i] : '.');
}

static int event_sub (int argc, char **argv)
{
    struct cmd_getopt *g = cmd_getopt_create (&sub_parser, argc, argv);
    const char *arg;
    int count = 0;
    int received = 0;
    flux_t *h;
    int c, n;

    if (!g)
        cmd_die ("flux-event", "%s", strerror (errno));
    while ((c = cmd_getopt_next (g, &arg)) != -1) {
        if (c == 'c' && cmd_parse_uint (arg, &count) < 0)
            cmd_usage_error (&sub_parser, "--count requires a number >= 0");
    }
    n = cmd_getopt_index (g);
    cmd_getopt_destroy (g);

    setlinebuf (stdout);
    h = cmd_open ("flux-event");
    if (n == argc) {
        if (flux_event_subscribe (h, "") < 0)
            cmd_die ("flux-event", "subscribe: %s", strerror (errno));
    }
    for (int i = n; i < argc; i++) {
        if (flux_event_subscribe (h, argv[i]) < 0)
            cmd_die ("flux-event", "subscribe %s: %s", argv[i],
                     strerror (errno));
    }
    while (count == 0 || received < count) {
        flux_msg_t *msg;
        const char *topic;
        const char *s;
        const void *data;
        size_t len;

        if (!(msg = flux_recv (h, FLUX_MATCH_EVENT, 0)))
            cmd_die ("flux-event", "receive: %s", strerror (errno));
        if (flux_event_decode (msg, &topic, &s) == 0)
            printf ("%s\t%s\n", topic, s ? s : "");
        else if (flux_event_decode_raw (msg, &topic, &data, &len) == 0) {
            printf ("%s\t", topic);
            print_raw (data, len);
            printf ("\n");
        }
        else
            printf ("malformed message ignored\n");
        fflush (stdout);
        flux_msg_destroy (msg);
        received++;
    }
    flux_close (h);
    return 0;
}

int cmd_event (int argc, char **argv)
{
    int n;

    n = cmd_subcommand (&event_parser, argc, argv, "(pub or sub)");
    if (!strcmp (argv[n], "pub"))
        return event_pub (argc - n, argv + n);
    if (!strcmp (argv[n], "sub"))
        return event_sub (argc - n, argv + n);
    cmd_usage_error (&event_parser, "unknown command '%s'", argv[n]);
}

/* vi: ts=4 sw=4 expandtab
 */
