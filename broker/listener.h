/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_LISTENER_H
#define BROKER_LISTENER_H

#include "broker.h"

struct listener;

/* Whether something answers on the AF_UNIX socket 'path': 1 if a connect
 * succeeds (or cannot be told from a live listener), 0 if nothing is
 * there or the socket is stale (ECONNREFUSED), -1 with errno EEXIST if
 * 'path' exists and is not a socket.
 */
int listener_probe (const char *path);

/* Listen on the AF_UNIX socket 'path' (mode 0777) and accept clients as
 * router peers.  A stale socket at 'path' is replaced; a live one is
 * left alone (errno EADDRINUSE), as is anything that is not a socket
 * (EEXIST).  Returns NULL with errno on failure.
 */
struct listener *listener_create (struct broker *ctx, const char *path);

/* Close every connection and the socket, and unlink it if this listener
 * bound it.
 */
void listener_destroy (struct listener *l);

#endif /* !BROKER_LISTENER_H */
