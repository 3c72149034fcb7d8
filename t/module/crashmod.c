/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* crashmod: a C module that can end its own process.
 *
 *   crashmod.pid        -> {pid} the process the module runs in
 *   crashmod.segfault   dereferences NULL (no response)
 *   crashmod.abort      abort(3) (no response)
 *
 * For t0097-module-exec.t: loaded with --exec, a crash costs only the
 * module.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <flux/core.h>

static void pid_cb (flux_t *h, flux_msg_handler_t *mh,
                    const flux_msg_t *msg, void *arg)
{
    (void)mh;
    (void)arg;
    if (flux_respond_pack (h, msg, "{s:i}", "pid", (int)getpid ()) < 0)
        flux_log_error (h, "pid");
}

static void segfault_cb (flux_t *h, flux_msg_handler_t *mh,
                         const flux_msg_t *msg, void *arg)
{
    volatile int *p = NULL;

    (void)h;
    (void)mh;
    (void)msg;
    (void)arg;
    *p = 42;
    /* Should the store not fault (it must), fault anyway. */
    raise (SIGSEGV);
}

static void abort_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    (void)h;
    (void)mh;
    (void)msg;
    (void)arg;
    abort ();
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "crashmod.pid", pid_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "crashmod.segfault", segfault_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "crashmod.abort", abort_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

int mod_main (flux_t *h, int argc, char **argv)
{
    flux_msg_handler_t **handlers = NULL;
    int rc = -1;

    (void)argc;
    (void)argv;
    if (flux_msg_handler_addvec (h, htab, NULL, &handlers) < 0)
        return -1;
    rc = flux_reactor_run (flux_get_reactor (h), 0) < 0 ? -1 : 0;
    flux_msg_handler_delvec (handlers);
    return rc;
}
