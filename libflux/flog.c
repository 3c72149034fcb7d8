/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Logging to the broker.
 *
 * Each entry is one RFC 5424 line, sent as the raw payload (no trailing
 * NUL) of a "log.append" request: nodeid ANY, matchtag NONE, no
 * NORESPONSE flag, exactly as flux-core's flux logger writes it (see the
 * logger vector).  Nobody answers it; nothing waits for an answer.
 *
 * PRI is severity * 8 and the broker reads severity back as PRI >> 3:
 * flux-core's quirk, kept so lines mean the same to both brokers.
 *
 * HOSTNAME is the broker rank from flux_get_rank(), which may cost one
 * attr.get RPC the first time (rank is immutable, so it is cached after
 * that; a module has it from its welcome).  The appname and procid live
 * in the handle's aux, so each handle (each module) logs under its own
 * name.
 *
 * A message is formatted once into a FLUX_MAX_LOGBUF buffer, or on the
 * heap if longer, then split on newlines into one entry per non-empty
 * line, so a multi-line message (a traceback) reads well in dmesg.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "flux/flog.h"
#include "flux/handle.h"
#include "flux/message.h"
#include "flux/request.h"

#define FLOG_AUX "flux::flog"

struct flog_ctx {
    char appname[64];
    char procid[32];
    flux_log_f redirect;
    void *redirect_arg;
};

static const char *severity_names[] = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static struct flog_ctx *flog_ctx_get (flux_t *h)
{
    struct flog_ctx *ctx;

    if (!h)
        return NULL;
    if (!(ctx = flux_aux_get (h, FLOG_AUX))) {
        if (!(ctx = calloc (1, sizeof (*ctx))))
            return NULL;
        if (flux_aux_set (h, FLOG_AUX, ctx, free) < 0) {
            free (ctx);
            return NULL;
        }
    }
    return ctx;
}

void flux_log_set_appname (flux_t *h, const char *s)
{
    struct flog_ctx *ctx;
    int saved_errno = errno;

    if ((ctx = flog_ctx_get (h)))
        snprintf (ctx->appname, sizeof (ctx->appname), "%s", s ? s : "");
    errno = saved_errno;
}

void flux_log_set_redirect (flux_t *h, flux_log_f fun, void *arg)
{
    struct flog_ctx *ctx;
    int saved_errno = errno;

    if ((ctx = flog_ctx_get (h))) {
        ctx->redirect = fun;
        ctx->redirect_arg = arg;
    }
    errno = saved_errno;
}

const char *flux_log_get_appname (flux_t *h)
{
    struct flog_ctx *ctx = h ? flux_aux_get (h, FLOG_AUX) : NULL;

    if (ctx && ctx->appname[0] != '\0')
        return ctx->appname;
    return program_invocation_short_name;
}

void flux_log_set_procid (flux_t *h, const char *s)
{
    struct flog_ctx *ctx;
    int saved_errno = errno;

    if ((ctx = flog_ctx_get (h)))
        snprintf (ctx->procid, sizeof (ctx->procid), "%s", s ? s : "");
    errno = saved_errno;
}

const char *flux_log_severity_tostr (int severity)
{
    if (severity < LOG_EMERG || severity > LOG_DEBUG) {
        errno = EINVAL;
        return NULL;
    }
    return severity_names[severity];
}

int flux_log_severity_fromstr (const char *s)
{
    static const struct {
        const char *name;
        int severity;
    } aliases[] = {
        { "critical", LOG_CRIT },
        { "error", LOG_ERR },
        { "warn", LOG_WARNING },
    };

    if (s) {
        for (int i = 0; i <= LOG_DEBUG; i++) {
            if (!strcasecmp (s, severity_names[i]))
                return i;
        }
        for (size_t i = 0; i < sizeof (aliases) / sizeof (aliases[0]); i++) {
            if (!strcasecmp (s, aliases[i].name))
                return aliases[i].severity;
        }
    }
    errno = EINVAL;
    return -1;
}

/* A header field: "-" stands for a missing one (RFC 5424 NILVALUE). */
static const char *field (const char *s)
{
    return s && *s ? s : "-";
}

int flux_log_encode (char *buf, size_t size, int severity,
                     const char *timestamp, const char *hostname,
                     const char *appname, const char *procid,
                     const char *msg)
{
    int n;

    if (!buf || size == 0 || severity < LOG_EMERG || severity > LOG_DEBUG) {
        errno = EINVAL;
        return -1;
    }
    n = snprintf (buf, size, "<%d>1 %s %s %s %s - - %s",
                  severity * 8,
                  field (timestamp),
                  field (hostname),
                  field (appname),
                  field (procid),
                  msg ? msg : "");
    if (n < 0) {
        errno = EINVAL;
        return -1;
    }
    return (size_t)n < size ? n : (int)(size - 1);
}

/* Parser state over buf[0..len): never reads past the end. */
struct cursor {
    const char *p;
    const char *end;
};

/* Take a token up to the next space (or the end), then skip that one
 * space.  An empty token is an error.  The token is copied, truncated,
 * into dst (if not NULL).
 */
static int take_token (struct cursor *c, char *dst, size_t dstsize,
                       bool last)
{
    const char *start = c->p;
    size_t n;

    while (c->p < c->end && *c->p != ' ')
        c->p++;
    if ((n = c->p - start) == 0)
        return -1;
    if (c->p < c->end)
        c->p++; /* the separating space */
    else if (!last)
        return -1;
    if (dst) {
        if (n >= dstsize)
            n = dstsize - 1;
        memcpy (dst, start, n);
        dst[n] = '\0';
    }
    return 0;
}

/* STRUCTURED-DATA: "-" or one or more "[...]" elements, in which '\]'
 * is an escaped bracket.
 */
static int take_sd (struct cursor *c)
{
    if (c->p < c->end && *c->p == '[') {
        while (c->p < c->end && *c->p == '[') {
            c->p++;
            while (c->p < c->end && *c->p != ']') {
                if (*c->p == '\\' && c->p + 1 < c->end)
                    c->p++;
                c->p++;
            }
            if (c->p == c->end)
                return -1;
            c->p++; /* ']' */
        }
        if (c->p < c->end) {
            if (*c->p != ' ')
                return -1;
            c->p++;
        }
        return 0;
    }
    return take_token (c, NULL, 0, true);
}

int flux_log_decode (const char *buf, size_t len,
                     struct flux_log_entry *entry)
{
    struct cursor c;
    int pri = 0;
    int digits = 0;

    if (!buf || !entry) {
        errno = EINVAL;
        return -1;
    }
    memset (entry, 0, sizeof (*entry));
    c.p = buf;
    c.end = buf + len;
    if (c.p == c.end || *c.p++ != '<')
        goto eproto;
    while (c.p < c.end && *c.p >= '0' && *c.p <= '9' && digits < 3) {
        pri = pri * 10 + (*c.p++ - '0');
        digits++;
    }
    /* RFC 5424: PRI is at most 191.  Severity is PRI >> 3 (the flux-core
     * quirk); anything above debug from a foreign facility counts as debug.
     */
    if (digits == 0 || pri > 191 || c.p == c.end || *c.p++ != '>')
        goto eproto;
    entry->severity = pri >> 3;
    if (entry->severity > LOG_DEBUG)
        entry->severity = LOG_DEBUG;
    if (c.end - c.p < 2 || c.p[0] != '1' || c.p[1] != ' ')
        goto eproto;
    c.p += 2;
    if (take_token (&c, entry->timestamp, sizeof (entry->timestamp), false) < 0
        || take_token (&c, entry->hostname, sizeof (entry->hostname), false) < 0
        || take_token (&c, entry->appname, sizeof (entry->appname), false) < 0
        || take_token (&c, entry->procid, sizeof (entry->procid), false) < 0
        || take_token (&c, NULL, 0, false) < 0 /* MSGID */
        || take_sd (&c) < 0)
        goto eproto;
    /* A UTF-8 BOM may introduce MSG (RFC 5424 6.4); a sender that kept
     * the string's NUL should not put it in the log.
     */
    if (c.end - c.p >= 3 && !memcmp (c.p, "\xEF\xBB\xBF", 3))
        c.p += 3;
    while (c.end > c.p && c.end[-1] == '\0')
        c.end--;
    entry->msg = c.p;
    entry->msglen = c.end - c.p;
    return 0;
eproto:
    errno = EPROTO;
    return -1;
}

static void timestamp_now (char *buf, size_t size)
{
    struct timespec ts;
    struct tm tm;
    size_t n;

    if (clock_gettime (CLOCK_REALTIME, &ts) < 0
        || !gmtime_r (&ts.tv_sec, &tm)
        || (n = strftime (buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
        snprintf (buf, size, "-");
        return;
    }
    snprintf (buf + n, size - n, ".%06ldZ", ts.tv_nsec / 1000);
}

/* Send one entry; 'line' is NUL-terminated. */
static int log_append (flux_t *h,
                       int severity,
                       const char *timestamp,
                       const char *hostname,
                       const char *appname,
                       const char *procid,
                       const char *line)
{
    char fixed[FLUX_MAX_LOGBUF];
    char *buf = fixed;
    flux_msg_t *msg = NULL;
    struct flog_ctx *ctx;
    int n;

    n = flux_log_encode (buf, sizeof (fixed), severity, timestamp,
                         hostname, appname, procid, line);
    if (n < 0)
        return -1;
    if ((size_t)n == sizeof (fixed) - 1) { /* maybe truncated */
        size_t size = strlen (line) + sizeof (fixed);
        if (!(buf = malloc (size)))
            return -1;
        n = flux_log_encode (buf, size, severity, timestamp, hostname,
                             appname, procid, line);
        if (n < 0)
            goto error;
    }
    if ((ctx = flux_aux_get (h, FLOG_AUX)) && ctx->redirect)
        ctx->redirect (buf, n, ctx->redirect_arg);
    else if (!(msg = flux_request_encode_raw ("log.append", buf, n))
             || flux_send (h, msg, 0) < 0)
        goto error;
    flux_msg_destroy (msg);
    if (buf != fixed)
        free (buf);
    return 0;
error:
    {
        int saved_errno = errno;
        flux_msg_destroy (msg);
        if (buf != fixed)
            free (buf);
        errno = saved_errno;
    }
    return -1;
}

int flux_vlog (flux_t *h, int level, const char *fmt, va_list ap)
{
    int saved_errno = errno;
    int severity = LOG_PRI (level);
    char fixed[FLUX_MAX_LOGBUF];
    char *buf = fixed;
    char timestamp[64];
    char hostname[16] = "-";
    char procid[32];
    const char *appname;
    struct flog_ctx *ctx;
    uint32_t rank;
    va_list cpy;
    char *line, *next;
    int n;
    int rc = 0;

    if (!fmt) {
        errno = EINVAL;
        return -1;
    }
    va_copy (cpy, ap);
    n = vsnprintf (buf, sizeof (fixed), fmt, ap);
    if (n >= (int)sizeof (fixed)) {
        if ((buf = malloc (n + 1)))
            n = vsnprintf (buf, n + 1, fmt, cpy);
        else
            buf = fixed; /* N.B. log the truncated text rather than nothing */
    }
    va_end (cpy);
    if (n < 0) {
        errno = EINVAL;
        rc = -1;
        goto done;
    }
    if (!h) {
        fprintf (stderr, "%s: %s: %s\n", flux_log_get_appname (NULL),
                 severity_names[severity], buf);
        goto done;
    }
    timestamp_now (timestamp, sizeof (timestamp));
    if (flux_get_rank (h, &rank) == 0)
        snprintf (hostname, sizeof (hostname), "%u", (unsigned)rank);
    appname = flux_log_get_appname (h);
    if ((ctx = flux_aux_get (h, FLOG_AUX)) && ctx->procid[0] != '\0')
        snprintf (procid, sizeof (procid), "%s", ctx->procid);
    else
        snprintf (procid, sizeof (procid), "%d", (int)getpid ());

    /* An empty message is still one entry; otherwise one per non-empty
     * line.
     */
    if (*buf == '\0') {
        rc = log_append (h, severity, timestamp, hostname, appname,
                         procid, buf);
        goto done;
    }
    for (line = buf; line && *line; line = next) {
        if ((next = strchr (line, '\n')))
            *next++ = '\0';
        if (*line == '\0')
            continue;
        if (log_append (h, severity, timestamp, hostname, appname,
                        procid, line) < 0) {
            rc = -1;
            break;
        }
    }
done:
    if (buf != fixed)
        free (buf);
    if (rc == 0)
        errno = saved_errno;
    return rc;
}

int flux_log (flux_t *h, int level, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start (ap, fmt);
    rc = flux_vlog (h, level, fmt, ap);
    va_end (ap);
    return rc;
}

void flux_log_error (flux_t *h, const char *fmt, ...)
{
    int saved_errno = errno;
    char buf[FLUX_MAX_LOGBUF];
    va_list ap;

    va_start (ap, fmt);
    (void)vsnprintf (buf, sizeof (buf), fmt, ap);
    va_end (ap);
    (void)flux_log (h, LOG_ERR, "%s: %s", buf, strerror (saved_errno));
    errno = saved_errno;
}

void flux_llog (void *arg,
                const char *file,
                int line,
                const char *func,
                const char *subsys,
                int level,
                const char *fmt,
                va_list ap)
{
    (void)file;
    (void)line;
    (void)func;
    (void)subsys;
    (void)flux_vlog (arg, level, fmt, ap);
}
