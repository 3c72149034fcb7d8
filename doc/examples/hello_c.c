/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* hello_c: the smallest C module, answering one request.
 *
 * A C module is a shared object that defines mod_main().  The broker
 * runs mod_main() on a thread of its own, with a handle connected to
 * the broker; the module's name is the file's name ("hello_c").  A
 * table of message handlers maps "hello_c.greet" to greet_cb(), and
 * flux_reactor_run() dispatches requests to it until the module is
 * removed.  meson builds it (doc/examples/meson.build) as
 * build/doc/examples/hello_c.so, with <flux/core.h> and libflux-core.
 *
 * Try it in an instance (build/cmd/flux start), from the top of the tree:
 *
 *     $ flux module load build/doc/examples/hello_c.so
 *     $ flux python -c 'import flux; print(flux.Flux().rpc("hello_c.greet", {"name": "Ada"}).get())'
 *     {'greeting': 'hello, Ada'}
 *     $ flux python -c 'import flux; print(flux.Flux().rpc("hello_c.greet", {"name": 42}).get())'
 *     Traceback (most recent call last):
 *     ...
 *     OSError: [Errno 71] Protocol error
 *     $ flux module remove hello_c
 */
#include <errno.h>
#include <flux/core.h>

static void greet_cb (flux_t *h,
                      flux_msg_handler_t *mh,
                      const flux_msg_t *msg,
                      void *arg)
{
    const char *name;

    (void)mh;
    (void)arg;
    /* The payload must be a JSON object with a string "name": else
     * flux_request_unpack() fails with EPROTO, and the caller gets it.
     */
    if (flux_request_unpack (msg, NULL, "{s:s}", "name", &name) < 0)
        goto error;
    /* "s+" joins the two strings that follow into one value. */
    if (flux_respond_pack (h, msg, "{s:s+}", "greeting", "hello, ", name) < 0)
        flux_log_error (h, "error responding to hello_c.greet");
    return;
error:
    if (flux_respond_error (h, msg, errno, NULL) < 0)
        flux_log_error (h, "error responding to hello_c.greet");
}

static const struct flux_msg_handler_spec htab[] = {
    /* rolemask 0: only the instance owner may call it. */
    { FLUX_MSGTYPE_REQUEST, "hello_c.greet", greet_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

int mod_main (flux_t *h, int argc, char **argv)
{
    flux_msg_handler_t **handlers = NULL;
    int rc;

    (void)argc;
    (void)argv;
    if (flux_msg_handler_addvec (h, htab, NULL, &handlers) < 0) {
        flux_log_error (h, "flux_msg_handler_addvec");
        return -1;
    }
    rc = flux_reactor_run (flux_get_reactor (h), 0);
    flux_msg_handler_delvec (handlers);
    return rc < 0 ? -1 : 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
