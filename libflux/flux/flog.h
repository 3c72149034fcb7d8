/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Logging to the broker: each call formats one RFC 5424-style line
 *   <PRI>1 TIMESTAMP HOSTNAME APPNAME PROCID - - MSG
 * (PRI = severity*8, HOSTNAME = rank, APPNAME = the handle's appname)
 * and sends it as the raw payload of a log.append request with no
 * response.  Multi-line messages become one entry per line.
 */
#ifndef FLUX_FLOG_H
#define FLUX_FLOG_H

#include <stdarg.h>
#include <syslog.h>
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
    FLUX_MAX_LOGBUF = 2048,
};

/* A decoded log line. */
struct flux_log_entry {
    int severity;
    char timestamp[64];
    char hostname[64];
    char appname[64];
    char procid[32];
    const char *msg;    /* points into the buffer that was parsed */
    size_t msglen;
};

/* The appname and procid put in each line (copied, truncated to fit).
 * get_appname returns the one set, or by default (or for a NULL handle)
 * program_invocation_short_name; the string is owned by the handle or
 * static, valid until the next set_appname.  It never fails.
 */
void flux_log_set_appname (flux_t *h, const char *s);
const char *flux_log_get_appname (flux_t *h);
void flux_log_set_procid (flux_t *h, const char *s);

/* A function that takes a formatted line (see flux_log_set_redirect). */
typedef void (*flux_log_f)(const char *buf, int len, void *arg);

/* Each line logged on h goes to fun, as the RFC 5424 line that would
 * have been the payload of its log.append request (len bytes, not
 * NUL-terminated), in place of that request.  A NULL fun restores the
 * request.  The broker logs this way on its own handle, so that its
 * lines reach its log buffer without a message.
 */
void flux_log_set_redirect (flux_t *h, flux_log_f fun, void *arg);

/* Returns 0 or -1 with errno.  Without a handle (h == NULL) the line
 * goes to stderr.
 */
int flux_log (flux_t *h, int level, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int flux_vlog (flux_t *h, int level, const char *fmt, va_list ap);

/* A log function of the shape of flux-core's libutil llog callbacks (for
 * libraries that take one, e.g. a TOML or JSON helper): logs to the
 * handle 'arg' with flux_vlog, ignoring file, line, func and subsys.
 */
void flux_llog (void *arg,
                const char *file,
                int line,
                const char *func,
                const char *subsys,
                int level,
                const char *fmt,
                va_list ap);
/* flux_log with ": strerror(errno)" appended; preserves errno. */
void flux_log_error (flux_t *h, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Format / parse an RFC 5424 log line.  encode returns the length
 * written (truncating to size - 1) or -1; decode fills 'entry' from
 * buf[0..len) or fails with EPROTO.
 */
int flux_log_encode (char *buf, size_t size, int severity,
                     const char *timestamp, const char *hostname,
                     const char *appname, const char *procid,
                     const char *msg);
int flux_log_decode (const char *buf, size_t len,
                     struct flux_log_entry *entry);

/* "emerg" ... "debug" <-> LOG_EMERG ... LOG_DEBUG.  fromstr also takes
 * "crit"/"critical", "err"/"error", "warning"/"warn"; returns -1 with
 * EINVAL for anything else.  tostr returns a static string, or NULL with
 * errno EINVAL for a severity out of range.
 */
const char *flux_log_severity_tostr (int severity);
int flux_log_severity_fromstr (const char *s);

#ifdef __cplusplus
}
#endif

#endif /* !FLUX_FLOG_H */
