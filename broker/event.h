/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_EVENT_H
#define BROKER_EVENT_H

#include <flux/core.h>

#include "broker.h"

struct event_service;

/* event.publish, event.subscribe, event.unsubscribe on ctx->h. */
struct event_service *event_service_create (struct broker *ctx);
void event_service_destroy (struct event_service *ev);

#endif /* !BROKER_EVENT_H */
