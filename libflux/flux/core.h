/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The whole public API of libflux.
 *
 * Like flux-core's, including it makes the standard headers a module
 * relies on available: those flux-core's libflux headers include
 * (stdarg, stdbool, stdint, stdio, stdlib, string, errno, syslog,
 * sys/types, sys/stat).  As in flux-core, jansson is not among them: a
 * module that uses it includes <jansson.h> itself.
 */
#ifndef FLUX_CORE_H
#define FLUX_CORE_H

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <sys/types.h>

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
#include "msglist.h"
#include "disconnect.h"
#include "hosts.h"
#include "control.h"
#include "stats.h"
#include "kvs.h"
#include "sync.h"
#include <flux/version.h>

#endif /* !FLUX_CORE_H */
