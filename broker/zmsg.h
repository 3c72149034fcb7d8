/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* A Flux message as one ZeroMQ multipart message, the form it takes on
 * the links between brokers (RFC 3, flux-core's msg_zsock.c): one part
 * per frame of flux_msg_encode(), in its order (route ids most recent
 * first and an empty delimiter if the ROUTE flag is set, topic, payload,
 * the 20-byte PROTO frame last).
 */
#ifndef BROKER_ZMSG_H
#define BROKER_ZMSG_H

#include <flux/core.h>

/* Send msg on the ZeroMQ socket 'sock' without blocking.  A ROUTER
 * socket takes the first part, the most recent route id, as the peer to
 * send to.  Returns 0, or -1 with errno (EAGAIN, EHOSTUNREACH from a
 * ROUTER_MANDATORY socket whose peer is gone, ...).  msg is not
 * consumed.
 */
int zmsg_send (void *sock, const flux_msg_t *msg);

/* Receive one message from 'sock' without blocking.  Returns a message
 * the caller destroys, or NULL with errno EAGAIN (nothing waiting),
 * EPROTO (parts that do not make a Flux message; they are consumed), or
 * ZeroMQ's.  On a ROUTER socket the sender's identity, which ZeroMQ
 * puts first, becomes the most recent route id (a message that crosses
 * a link always has the ROUTE flag set).
 */
flux_msg_t *zmsg_recv (void *sock);

#endif /* !BROKER_ZMSG_H */

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
