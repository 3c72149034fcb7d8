/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* statsd metrics (see flux/stats.h).
 *
 * One context per handle, hung on it under "flux::fripp" the first time
 * a stats function is called, and kept even when stats are off so the
 * environment is read once.  Aggregated metrics sit in a list; the
 * timer sends those whose value changed since the previous send and
 * forgets the others, and stops itself once the list is empty.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "flux/handle.h"
#include "flux/reactor.h"
#include "flux/watcher.h"
#include "flux/flog.h"
#include "flux/stats.h"

#define STATS_AUX "flux::fripp"

enum {
    MAX_PACKET = 1440,
    PREFIX_SIZE = 128,
    LINE_SIZE = 128,    /* a longer line is dropped, as flux-core does */
};

enum metric_type { METRIC_COUNT, METRIC_GAUGE, METRIC_TIMING };

struct metric {
    struct metric *next;
    enum metric_type type;
    ssize_t cur;        /* count and gauge */
    ssize_t prev;
    double dcur;        /* timing */
    double dprev;
    bool sent;          /* prev holds the last value sent */
    char name[];
};

struct stats {
    bool enabled;
    int sock;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    char prefix[PREFIX_SIZE];
    double period;
    flux_watcher_t *timer;
    struct metric *metrics;
    char packet[MAX_PACKET + 1];
    size_t len;
};

static void stats_destroy (struct stats *st)
{
    if (st) {
        int saved_errno = errno;
        flux_watcher_destroy (st->timer);
        while (st->metrics) {
            struct metric *m = st->metrics;
            st->metrics = m->next;
            free (m);
        }
        if (st->sock >= 0)
            close (st->sock);
        free (st);
        errno = saved_errno;
    }
}

static void flush_packet (struct stats *st)
{
    if (st->len > 0) {
        /* the last line goes without its newline, as flux-core's do */
        (void)sendto (st->sock, st->packet, st->len - 1, 0,
                      (struct sockaddr *)&st->addr, st->addrlen);
        st->len = 0;
    }
}

/* Add one line to the packet, sending the packet first if it is full. */
static void __attribute__ ((format (printf, 2, 3)))
add_line (struct stats *st, const char *fmt, ...)
{
    char line[LINE_SIZE];
    va_list ap;
    int n;

    va_start (ap, fmt);
    n = vsnprintf (line, sizeof (line), fmt, ap);
    va_end (ap);
    if (n < 0 || n >= (int)sizeof (line))
        return;
    if (st->len + (size_t)n > MAX_PACKET + 1)
        flush_packet (st);
    memcpy (st->packet + st->len, line, (size_t)n);
    st->len += (size_t)n;
}

static void add_metric_line (struct stats *st, const char *name,
                             enum metric_type type, ssize_t value,
                             double dvalue, bool inc)
{
    switch (type) {
        case METRIC_COUNT:
            add_line (st, "%s.%s:%zd|C\n", st->prefix, name, value);
            break;
        case METRIC_GAUGE:
            add_line (st, "%s.%s:%s%zd|g\n", st->prefix, name,
                      inc && value > 0 ? "+" : "", value);
            break;
        case METRIC_TIMING:
            add_line (st, "%s.%s:%lf|ms\n", st->prefix, name, dvalue);
            break;
    }
}

static void timer_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                      void *arg)
{
    struct stats *st = arg;
    struct metric **mp = &st->metrics;

    (void)r;
    (void)revents;
    while (*mp) {
        struct metric *m = *mp;
        if (m->sent && m->cur == m->prev && m->dcur == m->dprev) {
            *mp = m->next;  /* unchanged since last time: forget it */
            free (m);
            continue;
        }
        add_metric_line (st, m->name, m->type, m->cur, m->dcur, false);
        m->prev = m->cur;
        m->dprev = m->dcur;
        m->sent = true;
        mp = &m->next;
    }
    flush_packet (st);
    if (!st->metrics)
        flux_watcher_stop (w);
}

static int parse_address (struct stats *st, const char *s,
                          char *errbuf, size_t size)
{
    struct addrinfo hints = { 0 }, *res;
    char *node, *service;
    int e;

    if (!(node = strdup (s))) {
        snprintf (errbuf, size, "out of memory");
        return -1;
    }
    if (!(service = strchr (node, ':'))) {
        snprintf (errbuf, size, "missing colon delimiter");
        free (node);
        return -1;
    }
    *service++ = '\0';
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_protocol = IPPROTO_UDP;
    if ((e = getaddrinfo (node, service, &hints, &res)) != 0) {
        snprintf (errbuf, size, "%s", gai_strerror (e));
        free (node);
        return -1;
    }
    free (node);
    memcpy (&st->addr, res->ai_addr, res->ai_addrlen);
    st->addrlen = res->ai_addrlen;
    freeaddrinfo (res);
    return 0;
}

static struct stats *stats_create (flux_t *h)
{
    struct stats *st;
    const char *addr;
    char errbuf[128];
    uint32_t rank = 0;

    if (!(st = calloc (1, sizeof (*st))))
        return NULL;
    st->sock = -1;
    if (!(addr = getenv ("FLUX_FRIPP_STATSD")))
        return st;
    if (parse_address (st, addr, errbuf, sizeof (errbuf)) < 0) {
        flux_log (h, LOG_ERR, "FLUX_FRIPP_STATSD parse error: %s", errbuf);
        return st;
    }
    if ((st->sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
        goto error;
    (void)flux_get_rank (h, &rank);
    snprintf (st->prefix, sizeof (st->prefix), "flux.%u", (unsigned)rank);
    st->period = 1.;
    if (!(st->timer = flux_timer_watcher_create (flux_get_reactor (h),
                                                 st->period, st->period,
                                                 timer_cb, st)))
        goto error;
    flux_watcher_unref (st->timer);
    st->enabled = true;
    return st;
error:
    stats_destroy (st);
    return NULL;
}

/* The handle's context if stats are on, else NULL. */
static struct stats *stats_get (flux_t *h)
{
    struct stats *st;

    if (!h)
        return NULL;
    if (!(st = flux_aux_get (h, STATS_AUX))) {
        if (!(st = stats_create (h)))
            return NULL;
        if (flux_aux_set (h, STATS_AUX, st, (flux_free_f)stats_destroy) < 0) {
            stats_destroy (st);
            return NULL;
        }
    }
    return st->enabled ? st : NULL;
}

static void report (flux_t *h, const char *name, enum metric_type type,
                    ssize_t value, double dvalue, bool inc)
{
    struct stats *st;
    struct metric *m;

    if (!name || !(st = stats_get (h)))
        return;
    if (st->period <= 0.) {
        add_metric_line (st, name, type, value, dvalue, inc);
        flush_packet (st);
        return;
    }
    for (m = st->metrics; m; m = m->next) {
        if (!strcmp (m->name, name))
            break;
    }
    if (!m) {
        size_t len = strlen (name);
        if (!(m = calloc (1, sizeof (*m) + len + 1)))
            return;
        memcpy (m->name, name, len + 1);
        m->next = st->metrics;
        st->metrics = m;
    }
    else if (m->type != type)
        m->cur = 0;
    m->type = type;
    m->cur = inc ? m->cur + value : value;
    m->dcur = dvalue;
    flux_watcher_start (st->timer);
}

void flux_stats_count (flux_t *h, const char *name, ssize_t count)
{
    report (h, name, METRIC_COUNT, count, 0., false);
}

void flux_stats_gauge_set (flux_t *h, const char *name, ssize_t value)
{
    report (h, name, METRIC_GAUGE, value, 0., false);
}

void flux_stats_gauge_inc (flux_t *h, const char *name, ssize_t inc)
{
    report (h, name, METRIC_GAUGE, inc, 0., true);
}

void flux_stats_timing (flux_t *h, const char *name, double ms)
{
    report (h, name, METRIC_TIMING, 0, ms, false);
}

void flux_stats_set_period (flux_t *h, double period)
{
    struct stats *st;

    if (!(st = stats_get (h)))
        return;
    if (!(period > 0.)) {
        flux_watcher_stop (st->timer);
        st->period = 0.;
        return;
    }
    st->period = period;
    flux_timer_watcher_reset (st->timer, period, period);
}

void flux_stats_set_prefix (flux_t *h, const char *fmt, ...)
{
    struct stats *st;
    char prefix[PREFIX_SIZE];
    va_list ap;
    int n;

    if (!fmt || !(st = stats_get (h)))
        return;
    va_start (ap, fmt);
    n = vsnprintf (prefix, sizeof (prefix), fmt, ap);
    va_end (ap);
    if (n < 0 || n >= (int)sizeof (prefix))
        return;
    memcpy (st->prefix, prefix, (size_t)n + 1);
}

bool flux_stats_enabled (flux_t *h, const char *metric)
{
    (void)metric;
    return stats_get (h) != NULL;
}
