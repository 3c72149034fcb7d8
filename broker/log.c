/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* The broker log: a ring buffer of RFC 5424 lines, and its sinks.
 *
 * Every log line in the instance arrives here as the raw payload of a
 * log.append request, from clients (flux logger) and modules (flux_log
 * on their handle), except the broker's own: flux_log on the broker's
 * handle is redirected (flux_log_set_redirect, as in flux-core) straight
 * into logbuf_append, the same filter and ring, without a message
 * through the router and back for each line (a module's load and
 * removal log three).
 *
 * A line is kept in the ring (log-ring-size entries, oldest dropped) if
 * its severity is at or below log-level; copied to stderr at or below
 * log-stderr-level, and always at or below log-critical-level; and
 * appended to log-filename, if set, at or below log-forward-level.  The
 * stderr form is the one flux dmesg prints:
 *   TIMESTAMP APPNAME.SEVERITY[RANK]: MESSAGE
 *
 * log.dmesg is a streaming RPC: each response is one raw line (a string
 * payload), the backlog first unless nobacklog; without follow the
 * stream ends with ENODATA, with follow the request is kept and each new
 * line is sent to it until log.cancel, or until its sender disconnects
 * (log.disconnect, sent by the router).
 *
 * N.B. nothing here may log through flux_log: a failure to log would
 * log, and so on.  Errors go to stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "attr.h"

struct follower {
    flux_msg_t *msg;
    struct follower *next;
};

struct logbuf {
    struct broker *ctx;
    flux_msg_handler_t **handlers;
    char **ring;
    int ring_size;
    int start;
    int used;
    int count;
    int level;
    int stderr_level;
    int critical_level;
    int forward_level;
    FILE *f;
    struct follower *followers;
};

static void ring_clear (struct logbuf *logbuf)
{
    for (int i = 0; i < logbuf->used; i++)
        free (logbuf->ring[(logbuf->start + i) % logbuf->ring_size]);
    logbuf->start = 0;
    logbuf->used = 0;
}

/* Resize keeping the newest entries. */
static int ring_resize (struct logbuf *logbuf, int size)
{
    char **ring = NULL;
    int keep;

    if (size < 0) {
        errno = EINVAL;
        return -1;
    }
    if (size > 0 && !(ring = calloc (size, sizeof (ring[0]))))
        return -1;
    keep = logbuf->used < size ? logbuf->used : size;
    for (int i = 0; i < logbuf->used; i++) {
        char *s = logbuf->ring[(logbuf->start + i) % logbuf->ring_size];
        if (i >= logbuf->used - keep)
            ring[i - (logbuf->used - keep)] = s;
        else
            free (s);
    }
    free (logbuf->ring);
    logbuf->ring = ring;
    logbuf->ring_size = size;
    logbuf->start = 0;
    logbuf->used = keep;
    return 0;
}

static const char *ring_entry (struct logbuf *logbuf, int i)
{
    return logbuf->ring[(logbuf->start + i) % logbuf->ring_size];
}

static void followers_destroy (struct follower *f)
{
    while (f) {
        struct follower *next = f->next;
        flux_msg_decref (f->msg);
        free (f);
        f = next;
    }
}

void logbuf_destroy (struct logbuf *logbuf)
{
    if (logbuf) {
        int saved_errno = errno;
        flux_msg_handler_delvec (logbuf->handlers);
        ring_clear (logbuf);
        free (logbuf->ring);
        followers_destroy (logbuf->followers);
        if (logbuf->f)
            (void)fclose (logbuf->f);
        free (logbuf);
        errno = saved_errno;
    }
}

static int parse_level (const char *value, int *level)
{
    char *end;
    long n;

    if (!value) {
        errno = EINVAL;
        return -1;
    }
    errno = 0;
    n = strtol (value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || n < 0 || n > 7) {
        errno = EINVAL;
        return -1;
    }
    *level = (int)n;
    return 0;
}

static int set_attr (const char *name, const char *value, void *arg)
{
    struct logbuf *logbuf = arg;

    if (!strcmp (name, "log-level"))
        return parse_level (value, &logbuf->level);
    if (!strcmp (name, "log-stderr-level"))
        return parse_level (value, &logbuf->stderr_level);
    if (!strcmp (name, "log-critical-level"))
        return parse_level (value, &logbuf->critical_level);
    if (!strcmp (name, "log-forward-level"))
        return parse_level (value, &logbuf->forward_level);
    if (!strcmp (name, "log-ring-size")) {
        char *end;
        long n;
        if (!value) {
            errno = EINVAL;
            return -1;
        }
        errno = 0;
        n = strtol (value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || n < 0
            || n > 1000000) {
            errno = EINVAL;
            return -1;
        }
        return ring_resize (logbuf, (int)n);
    }
    if (!strcmp (name, "log-filename")) {
        FILE *f = NULL;
        if (value && !(f = fopen (value, "a")))
            return -1;
        if (logbuf->f)
            (void)fclose (logbuf->f);
        logbuf->f = f;
        return 0;
    }
    if (!strcmp (name, "log-stderr-mode")) {
        if (!value || (strcmp (value, "leader") && strcmp (value, "local"))) {
            errno = EINVAL;
            return -1;
        }
        return 0;
    }
    return 0; // log-syslog-*: accepted, there is no syslog sink
}

struct logbuf *logbuf_create (struct broker *ctx)
{
    struct logbuf *logbuf;
    static const struct {
        const char *name;
        const char *value;
    } attrtab[] = {
        { "log-level", "7" },
        { "log-stderr-level", "3" },
        { "log-critical-level", "2" },
        { "log-forward-level", "7" },
        { "log-ring-size", "1024" },
        { "log-filename", NULL },
        { "log-stderr-mode", "leader" },
        { "log-syslog-enable", "0" },
        { "log-syslog-level", "7" },
    };

    if (!(logbuf = calloc (1, sizeof (*logbuf))))
        return NULL;
    logbuf->ctx = ctx;
    logbuf->level = 7;
    logbuf->stderr_level = 3;
    logbuf->critical_level = 2;
    logbuf->forward_level = 7;
    if (ring_resize (logbuf, 1024) < 0)
        goto error;
    for (size_t i = 0; i < sizeof (attrtab) / sizeof (attrtab[0]); i++) {
        if (attrs_register (ctx->attrs, attrtab[i].name, attrtab[i].value,
                            ATTR_RUNTIME, set_attr, logbuf) < 0)
            goto error;
    }
    return logbuf;
error:
    logbuf_destroy (logbuf);
    return NULL;
}

static void print_entry (FILE *fp, const struct flux_log_entry *e)
{
    const char *sev = flux_log_severity_tostr (e->severity);

    fprintf (fp, "%s %s.%s[%s]: %.*s\n",
             e->timestamp,
             e->appname,
             sev ? sev : "unknown",
             e->hostname,
             (int)e->msglen,
             e->msg);
    fflush (fp);
}

static void notify_followers (struct logbuf *logbuf, const char *line)
{
    for (struct follower *f = logbuf->followers; f; f = f->next) {
        if (flux_respond (logbuf->ctx->h, f->msg, line) < 0)
            fprintf (stderr, "flux-broker: error responding to log.dmesg: %s\n",
                     strerror (errno));
    }
}

int logbuf_append (struct logbuf *logbuf, const char *buf, size_t len)
{
    struct flux_log_entry e;
    char *line;

    if (flux_log_decode (buf, len, &e) < 0) {
        errno = EPROTO;
        return -1;
    }
    if (e.severity <= logbuf->level && logbuf->ring_size > 0) {
        if (!(line = strndup (buf, len)))
            return -1;
        if (logbuf->used == logbuf->ring_size) {
            free (logbuf->ring[logbuf->start]);
            logbuf->ring[logbuf->start] = line;
            logbuf->start = (logbuf->start + 1) % logbuf->ring_size;
        }
        else {
            logbuf->ring[(logbuf->start + logbuf->used) % logbuf->ring_size]
                = line;
            logbuf->used++;
        }
        logbuf->count++;
        notify_followers (logbuf, line);
    }
    if (e.severity <= logbuf->stderr_level
        || e.severity <= logbuf->critical_level)
        print_entry (stderr, &e);
    if (logbuf->f && e.severity <= logbuf->forward_level)
        print_entry (logbuf->f, &e);
    return 0;
}

/* log.append has no response unless the sender asked for one with a
 * matchtag.
 */
static void append_cb (flux_t *h,
                       flux_msg_handler_t *mh,
                       const flux_msg_t *msg,
                       void *arg)
{
    struct logbuf *logbuf = arg;
    const void *buf;
    size_t len;
    uint32_t matchtag = FLUX_MATCHTAG_NONE;

    (void)mh;
    (void)flux_msg_get_matchtag (msg, &matchtag);
    if (flux_request_decode_raw (msg, NULL, &buf, &len) < 0
        || !buf
        || logbuf_append (logbuf, buf, len) < 0)
        goto error;
    if (matchtag != FLUX_MATCHTAG_NONE)
        (void)flux_respond (h, msg, NULL);
    return;
error:
    if (matchtag != FLUX_MATCHTAG_NONE)
        (void)flux_respond_error (h, msg, errno ? errno : EPROTO, NULL);
}

static void dmesg_cb (flux_t *h,
                      flux_msg_handler_t *mh,
                      const flux_msg_t *msg,
                      void *arg)
{
    struct logbuf *logbuf = arg;
    int follow;
    int nobacklog = 0;
    struct follower *f;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:b s?b}",
                             "follow", &follow,
                             "nobacklog", &nobacklog) < 0)
        goto error;
    if (!flux_msg_is_streaming (msg)) {
        errno = EPROTO;
        goto error;
    }
    if (!nobacklog) {
        for (int i = 0; i < logbuf->used; i++) {
            if (flux_respond (h, msg, ring_entry (logbuf, i)) < 0)
                goto error;
        }
    }
    if (!follow) {
        errno = ENODATA;
        goto error;
    }
    if (!(f = calloc (1, sizeof (*f))))
        goto error;
    f->msg = (flux_msg_t *)flux_msg_incref (msg);
    f->next = logbuf->followers;
    logbuf->followers = f;
    return;
error:
    (void)flux_respond_error (h, msg, errno, NULL);
}

/* Drop followers from the sender of 'msg'; with a matchtag, only that
 * request, which is ended with ENODATA as a cancelled stream is.
 */
static void drop_followers (struct logbuf *logbuf, const flux_msg_t *msg,
                            bool by_matchtag, uint32_t matchtag)
{
    struct follower **fp = &logbuf->followers;

    while (*fp) {
        struct follower *f = *fp;
        uint32_t tag = FLUX_MATCHTAG_NONE;

        (void)flux_msg_get_matchtag (f->msg, &tag);
        if (flux_msg_route_match_first (f->msg, msg)
            && (!by_matchtag || tag == matchtag)) {
            if (by_matchtag)
                (void)flux_respond_error (logbuf->ctx->h, f->msg, ENODATA,
                                          NULL);
            *fp = f->next;
            flux_msg_decref (f->msg);
            free (f);
        }
        else
            fp = &f->next;
    }
}

static void cancel_cb (flux_t *h,
                       flux_msg_handler_t *mh,
                       const flux_msg_t *msg,
                       void *arg)
{
    struct logbuf *logbuf = arg;
    int matchtag;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:i}", "matchtag", &matchtag) < 0) {
        (void)flux_respond_error (h, msg, errno, NULL);
        return;
    }
    drop_followers (logbuf, msg, true, (uint32_t)matchtag);
}

static void disconnect_cb (flux_t *h,
                           flux_msg_handler_t *mh,
                           const flux_msg_t *msg,
                           void *arg)
{
    (void)h;
    (void)mh;
    drop_followers (arg, msg, false, 0);
}

static void clear_cb (flux_t *h,
                      flux_msg_handler_t *mh,
                      const flux_msg_t *msg,
                      void *arg)
{
    (void)mh;
    ring_clear (arg);
    (void)flux_respond (h, msg, NULL);
}

static void stats_cb (flux_t *h,
                      flux_msg_handler_t *mh,
                      const flux_msg_t *msg,
                      void *arg)
{
    struct logbuf *logbuf = arg;

    (void)mh;
    (void)flux_respond_pack (h, msg, "{s:i s:i}",
                             "ring-used", logbuf->used,
                             "count", logbuf->count);
}

static void setattr_cb (flux_t *h,
                        flux_msg_handler_t *mh,
                        const flux_msg_t *msg,
                        void *arg)
{
    struct logbuf *logbuf = arg;
    const char *name;
    const char *value;
    const char *errstr = NULL;

    (void)mh;
    if (flux_request_unpack (msg, NULL, "{s:s s:s}",
                             "name", &name,
                             "value", &value) < 0)
        goto error;
    if (strncmp (name, "log-", 4) != 0) {
        errstr = "not a log attribute";
        errno = EINVAL;
        goto error;
    }
    if (attrs_set_internal (logbuf->ctx->attrs, name, value) < 0)
        goto error;
    (void)flux_respond (h, msg, NULL);
    return;
error:
    (void)flux_respond_error (h, msg, errno, errstr);
}

static const struct flux_msg_handler_spec htab[] = {
    { FLUX_MSGTYPE_REQUEST, "log.append", append_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "log.dmesg", dmesg_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "log.cancel", cancel_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "log.disconnect", disconnect_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "log.clear", clear_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "log.stats-get", stats_cb, 0 },
    { FLUX_MSGTYPE_REQUEST, "log.setattr", setattr_cb, 0 },
    FLUX_MSGHANDLER_TABLE_END,
};

/* A line the broker logged on its own handle (see the top of this file). */
static void redirect_cb (const char *buf, int len, void *arg)
{
    struct logbuf *logbuf = arg;

    if (logbuf_append (logbuf, buf, len) < 0)
        fprintf (stderr, "flux-broker: error logging: %s\n",
                 strerror (errno));
}

int logbuf_register_handlers (struct logbuf *logbuf, flux_t *h)
{
    if (flux_msg_handler_addvec (h, htab, logbuf, &logbuf->handlers) < 0)
        return -1;
    flux_log_set_redirect (h, redirect_cb, logbuf);
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
