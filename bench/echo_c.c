/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* echo_c: the C twin of echo.py, for comparing RPC rates.
 * NAME.echo responds with an empty JSON object.  Only API that
 * flux-core has too (the module's name is the handle's "flux::name"),
 * so that bench/run can build it against another flux's headers.
 */
#include <stdio.h>
#include <flux/core.h>

static void echo_cb (flux_t *h, flux_msg_handler_t *mh,
                     const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)arg;
    if (flux_respond (h, msg, "{}") < 0)
        flux_log_error (h, "error responding to echo");
}

int mod_main (flux_t *h, int argc, char **argv)
{
    struct flux_match match = FLUX_MATCH_REQUEST;
    const char *name = flux_aux_get (h, "flux::name");
    char topic[128];
    flux_msg_handler_t *mh;
    int rc;

    (void)argc;
    (void)argv;
    (void)snprintf (topic, sizeof (topic), "%s.echo", name ? name : "echo_c");
    match.topic_glob = topic;
    if (!(mh = flux_msg_handler_create (h, match, echo_cb, NULL)))
        return -1;
    flux_msg_handler_start (mh);
    rc = flux_reactor_run (flux_get_reactor (h), 0);
    flux_msg_handler_destroy (mh);
    return rc < 0 ? -1 : 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
