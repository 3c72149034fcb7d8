/* SPDX-License-Identifier: LGPL-3.0-or-later */
#ifndef BROKER_LOG_H
#define BROKER_LOG_H

#include <flux/core.h>

#include "broker.h"

struct logbuf;

/* Create the log and declare its attributes (log-level, log-stderr-level,
 * log-critical-level, log-ring-size, log-filename, ...) in ctx->attrs.
 */
struct logbuf *logbuf_create (struct broker *ctx);
void logbuf_destroy (struct logbuf *logbuf);

/* log.append, log.dmesg, log.cancel, log.disconnect, log.clear,
 * log.stats-get, log.setattr on ctx->h, and flux_log on h redirected
 * into the buffer.
 */
int logbuf_register_handlers (struct logbuf *logbuf, flux_t *h);

/* Add one RFC 5424 line (buf[0..len), not NUL-terminated): ring, stderr,
 * file, followers.  Returns 0, or -1 with EPROTO if it cannot be parsed.
 */
int logbuf_append (struct logbuf *logbuf, const char *buf, size_t len);

#endif /* !BROKER_LOG_H */
