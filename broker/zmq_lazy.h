/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_ZMQ_LAZY_H
#define BROKER_ZMQ_LAZY_H

#include <flux/core.h>

/* Open libzmq, once (zmq_lazy.c says why the broker does not link it):
 * the broker's zmq_*() functions call libzmq's from then on.  Returns 0,
 * or -1 with errno ELIBACC and why in 'error'.
 */
int zmq_lazy_open (flux_error_t *error);

#endif

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
