/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* flux_sync_create: a future fulfilled by heartbeat.pulse events.
 *
 * The handle subscribes once, when the future is made (unsubscribing
 * when it goes).  Each context that wants a result (then, or a blocking
 * get) gets its own event handler, from the init callback.  An event is
 * delivered to every matching handler, and one read in a blocking get's
 * private context is handed back to the main handle afterwards, so the
 * same pulse can be seen twice: the sequence number the broker gave
 * each event tells a new pulse from one already counted.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "flux/event.h"
#include "flux/future.h"
#include "flux/handle.h"
#include "flux/message.h"
#include "flux/msg_handler.h"
#include "flux/reactor.h"
#include "flux/rpc.h"
#include "flux/sync.h"

#define SYNC_AUX "flux::sync"
#define PULSE "heartbeat.pulse"

struct sync {
    flux_t *h;
    double minimum;
    int count;       /* pulses that fulfilled the future */
    uint32_t seq;    /* of the last of them */
    double last;     /* when, on the reactor's clock */
};

static void sync_destroy (void *arg)
{
    struct sync *sync = arg;

    if (sync) {
        int saved_errno = errno;
        flux_future_destroy (flux_event_unsubscribe_ex (sync->h, PULSE,
                                                        FLUX_RPC_NORESPONSE));
        free (sync);
        errno = saved_errno;
    }
}

static void pulse_cb (flux_t *h, flux_msg_handler_t *mh,
                      const flux_msg_t *msg, void *arg)
{
    flux_future_t *f = arg;
    struct sync *sync = flux_future_aux_get (f, SYNC_AUX);
    double now = flux_reactor_now (flux_get_reactor (h));
    uint32_t seq;

    (void)mh;
    if (!sync
        || flux_event_decode (msg, NULL, NULL) < 0
        || flux_msg_get_seq (msg, &seq) < 0)
        return;
    if (sync->count > 0) {
        if (seq <= sync->seq)
            return;
        if (sync->minimum > 0. && now - sync->last < sync->minimum)
            return;
    }
    sync->count++;
    sync->seq = seq;
    sync->last = now;
    flux_future_fulfill (f, NULL, NULL);
}

static void sync_init (flux_future_t *f, void *arg)
{
    struct flux_match match = FLUX_MATCH_EVENT;
    flux_msg_handler_t *mh;

    (void)arg;
    match.topic_glob = PULSE;
    if (!(mh = flux_msg_handler_create (flux_future_get_flux (f), match,
                                        pulse_cb, f))) {
        flux_future_fulfill_error (f, errno, NULL);
        return;
    }
    /* N.B. no name: the then and now contexts each have one. */
    if (flux_future_aux_set (f, NULL, mh,
                             (flux_free_f)flux_msg_handler_destroy) < 0) {
        flux_msg_handler_destroy (mh);
        flux_future_fulfill_error (f, errno, NULL);
        return;
    }
    flux_msg_handler_start (mh);
}

flux_future_t *flux_sync_create (flux_t *h, double minimum)
{
    flux_future_t *f;
    struct sync *sync;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    if (!(f = flux_future_create (sync_init, NULL)))
        return NULL;
    flux_future_set_flux (f, h);
    if (!(sync = calloc (1, sizeof (*sync))))
        goto error;
    sync->h = h;
    sync->minimum = minimum;
    if (flux_future_aux_set (f, SYNC_AUX, sync, sync_destroy) < 0) {
        free (sync);
        goto error;
    }
    /* The subscription is asked for without waiting for the answer:
     * events sent after it reach the handle.
     */
    flux_future_destroy (flux_event_subscribe_ex (h, PULSE,
                                                  FLUX_RPC_NORESPONSE));
    return f;
error:
    flux_future_destroy (f);
    return NULL;
}
