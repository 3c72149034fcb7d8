/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* overlay-peer: a pretend child broker, for the tests of what a parent
 * does with a peer it should not admit (t0123).
 *
 * Usage: overlay-peer MODE CERT URI
 *   foreign   connect with a key of its own (not CERT's) and say hello:
 *             the ZAP handler refuses it, so nothing comes back
 *   version   hello as rank 1 from flux-core 0.40.0
 *   notchild  hello as rank 5
 *   stranger  a request before any hello
 * Prints what came back within 2 s: "no answer", "disconnect" (a
 * DISCONNECT control message), "ok" or "ERRNUM TEXT" (the hello's
 * answer).
 *
 *   parent    a pretend parent instead: bind URI (CERT's key), answer
 *             the first hello, send the events seq 1, 2 and 5 (3 and 4
 *             lost on the way), wait 1 s, send DISCONNECT; print
 *             "joined rank N" and "disconnected"
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>
#include <zmq.h>
#include <flux/core.h>

#include "zcert.h"
#include "zmsg.h"

static void die (const char *what)
{
    fprintf (stderr, "overlay-peer: %s: %s\n", what, strerror (errno));
    exit (1);
}

static int parent (const char *cert, const char *uri)
{
    char pub[ZCERT_KEY_LEN], sec[ZCERT_KEY_LEN];
    char uuid[UUID_STR_LEN];
    flux_error_t error;
    void *zctx, *sock;
    flux_msg_t *msg;
    char child[UUID_STR_LEN] = "";
    uuid_t u;

    if (zcert_read (cert, pub, sec, NULL, 0, &error) < 0) {
        fprintf (stderr, "overlay-peer: %s\n", error.text);
        return 1;
    }
    uuid_generate (u);
    uuid_unparse (u, uuid);
    /* N.B. no ZAP handler: CURVE without one admits any client key. */
    if (!(zctx = zmq_ctx_new ()) || !(sock = zmq_socket (zctx, ZMQ_ROUTER))
        || zmq_setsockopt (sock, ZMQ_CURVE_SERVER, &(int){ 1 },
                           sizeof (int)) < 0
        || zmq_setsockopt (sock, ZMQ_CURVE_SECRETKEY, sec, sizeof (sec)) < 0
        || zmq_setsockopt (sock, ZMQ_LINGER, &(int){ 0 }, sizeof (int)) < 0
        || zmq_bind (sock, uri) < 0)
        die ("bind");
    /* The first hello: answer it, as a parent does. */
    for (;;) {
        const char *topic;
        int rank;
        zmq_pollitem_t item = { .socket = sock, .events = ZMQ_POLLIN };
        if (zmq_poll (&item, 1, 20000) <= 0) {
            printf ("no hello\n");
            return 1;
        }
        if (!(msg = zmsg_recv (sock)))
            continue;
        if (flux_msg_get_topic (msg, &topic) == 0
            && !strcmp (topic, "overlay.hello")
            && flux_request_unpack (msg, NULL, "{s:i}", "rank", &rank) == 0) {
            flux_msg_t *rsp = flux_response_derive (msg, 0);
            snprintf (child, sizeof (child), "%s", flux_msg_route_last (msg));
            if (!rsp || flux_msg_pack (rsp, "{s:s}", "uuid", uuid) < 0
                || zmsg_send (sock, rsp) < 0)
                die ("hello response");
            flux_msg_destroy (rsp);
            flux_msg_destroy (msg);
            printf ("joined rank %d\n", rank);
            fflush (stdout);
            break;
        }
        flux_msg_destroy (msg);
    }
    /* Events 1, 2, then 5: 3 and 4 lost. */
    int seqs[] = { 1, 2, 5 };
    for (size_t i = 0; i < sizeof (seqs) / sizeof (seqs[0]); i++) {
        if (!(msg = flux_event_encode ("peer.test", NULL))
            || flux_msg_set_seq (msg, seqs[i]) < 0)
            die ("event");
        flux_msg_route_enable (msg);
        if (flux_msg_route_push (msg, child) < 0 || zmsg_send (sock, msg) < 0)
            die ("send event");
        flux_msg_destroy (msg);
    }
    sleep (1);
    if (!(msg = flux_control_encode (2, 0)))   // DISCONNECT
        die ("control");
    flux_msg_route_enable (msg);
    if (flux_msg_route_push (msg, child) < 0 || zmsg_send (sock, msg) < 0)
        die ("send disconnect");
    flux_msg_destroy (msg);
    printf ("disconnected\n");
    sleep (1);
    zmq_close (sock);
    zmq_ctx_term (zctx);
    return 0;
}

int main (int argc, char **argv)
{
    char pub[ZCERT_KEY_LEN], sec[ZCERT_KEY_LEN], srv[ZCERT_KEY_LEN];
    char uuid[UUID_STR_LEN];
    flux_error_t error;
    const char *mode;
    uuid_t u;
    void *zctx, *sock;
    flux_msg_t *msg;
    zmq_pollitem_t item;
    int version = (0 << 16) | (88 << 8);
    int rank = 1;

    if (argc == 4 && !strcmp (argv[1], "parent"))
        return parent (argv[2], argv[3]);
    if (argc != 4) {
        fprintf (stderr, "Usage: overlay-peer MODE CERT URI\n");
        return 2;
    }
    mode = argv[1];
    if (zcert_read (argv[2], srv, sec, NULL, 0, &error) < 0) {
        fprintf (stderr, "overlay-peer: %s\n", error.text);
        return 1;
    }
    memcpy (pub, srv, sizeof (pub));
    if (!strcmp (mode, "foreign") && zmq_curve_keypair (pub, sec) < 0)
        die ("zmq_curve_keypair");
    if (!strcmp (mode, "version"))
        version = (0 << 16) | (40 << 8);
    if (!strcmp (mode, "notchild"))
        rank = 5;
    uuid_generate (u);
    uuid_unparse (u, uuid);
    if (!(zctx = zmq_ctx_new ()) || !(sock = zmq_socket (zctx, ZMQ_DEALER))
        || zmq_setsockopt (sock, ZMQ_IDENTITY, uuid, strlen (uuid)) < 0
        || zmq_setsockopt (sock, ZMQ_CURVE_SERVERKEY, srv, sizeof (srv)) < 0
        || zmq_setsockopt (sock, ZMQ_CURVE_PUBLICKEY, pub, sizeof (pub)) < 0
        || zmq_setsockopt (sock, ZMQ_CURVE_SECRETKEY, sec, sizeof (sec)) < 0
        || zmq_setsockopt (sock, ZMQ_LINGER, &(int){ 0 }, sizeof (int)) < 0
        || zmq_connect (sock, argv[3]) < 0)
        die ("connect");
    if (!strcmp (mode, "stranger"))
        msg = flux_request_encode ("broker.ping", NULL);
    else {
        msg = flux_request_encode ("overlay.hello", NULL);
        if (msg && flux_msg_pack (msg, "{s:I s:i s:s s:i s:s}",
                                  "rank", (json_int_t)rank,
                                  "version", version, "uuid", uuid,
                                  "status", 1, "hostname", "fake1") < 0)
            die ("pack");
    }
    if (!msg || flux_msg_set_rolemask (msg, FLUX_ROLE_OWNER) < 0
        || zmsg_send (sock, msg) < 0)
        die ("send");
    flux_msg_destroy (msg);
    item.socket = sock;
    item.events = ZMQ_POLLIN;
    if (zmq_poll (&item, 1, 2000) <= 0)
        printf ("no answer\n");
    else if (!(msg = zmsg_recv (sock)))
        die ("recv");
    else {
        int type = 0, errnum = 0;
        const char *text = NULL;
        (void)flux_msg_get_type (msg, &type);
        if (type == FLUX_MSGTYPE_CONTROL)
            printf ("disconnect\n");
        else if (flux_msg_get_errnum (msg, &errnum) == 0 && errnum) {
            (void)flux_msg_get_string (msg, &text);
            printf ("%d %s\n", errnum, text ? text : "");
        }
        else
            printf ("ok\n");
        flux_msg_destroy (msg);
    }
    zmq_close (sock);
    zmq_ctx_term (zctx);
    return 0;
}
