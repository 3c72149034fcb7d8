/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The whole public API of libflux. */
#ifndef FLUX_CORE_H
#define FLUX_CORE_H

#include "types.h"
#include "message.h"
#include "reactor.h"
#include "watcher.h"
#include "handle.h"
#include "connector.h"
#include "msg_handler.h"
#include "request.h"
#include "response.h"
#include "future.h"
#include "rpc.h"
#include "event.h"
#include "flog.h"
#include "attr.h"
#include "service.h"
#include "module.h"
#include "conf.h"
#include "kvs.h"
#include <flux/version.h>

#endif /* !FLUX_CORE_H */
