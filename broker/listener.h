/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_LISTENER_H
#define BROKER_LISTENER_H

#include "broker.h"

struct listener;

/* Listen on the AF_UNIX socket 'path' (mode 0777) and accept clients as
 * router peers.  Returns NULL with errno on failure.
 */
struct listener *listener_create (struct broker *ctx, const char *path);

/* Close every connection and the socket, and unlink it. */
void listener_destroy (struct listener *l);

#endif /* !BROKER_LISTENER_H */
