/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Future internals for libflux's own producers (not installed). */
#ifndef FLUX_FUTURE_PRIVATE_H
#define FLUX_FUTURE_PRIVATE_H

#include "flux/types.h"

/* A producer's own way to wait for a result without a timeout, in place
 * of the "now" context (a private reactor and a clone of the handle,
 * made for the first wait and destroyed with the future): e.g. an RPC
 * reads its response with flux_recv.  flux_future_wait_for calls it
 * when it would otherwise create that context to wait forever.  It
 * returns 0 once it has fulfilled the future, -1 with errno if waiting
 * failed (as the context's reactor would), or 1 if it cannot wait here,
 * having consumed nothing: the context is then made as usual.
 */
typedef int (*future_wait_f)(flux_future_t *f, void *arg);

void future_set_wait (flux_future_t *f, future_wait_f fn, void *arg);

#endif /* FLUX_FUTURE_PRIVATE_H */

/* vi: ts=4 sw=4 expandtab
 */
