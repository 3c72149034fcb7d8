/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* cdef for flux/flog.h.  flux_log is variadic: callers pass the message
 * as a "%s" argument (a char[] cdata), never as the format.
 */
#define FLUX_MAX_LOGBUF ...

void flux_log_set_appname (flux_t *h, const char *s);
const char *flux_log_get_appname (flux_t *h);
void flux_log_set_procid (flux_t *h, const char *s);
typedef void (*flux_log_f)(const char *buf, int len, void *arg);
void flux_log_set_redirect (flux_t *h, flux_log_f fun, void *arg);
int flux_log (flux_t *h, int level, const char *fmt, ...);
const char *flux_log_severity_tostr (int severity);
int flux_log_severity_fromstr (const char *s);
