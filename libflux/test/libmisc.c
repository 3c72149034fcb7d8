/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests: the handle-side helpers flux-core's modules call:
 * flux_event_subscribe_ex/unsubscribe_ex (event.h), flux_llog (flog.h),
 * flux_get_size/hostbyrank/rankbyhost (hosts.h) and statsd metrics
 * (stats.h).
 *
 * What a client sends is read on the far end of an interthread pair in
 * the same thread, and answered from there.  Stats are received on a
 * UDP socket of our own on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"
#include "errno_assert.h"

static void open_pair (const char *name, flux_t **h1, flux_t **h2, int flags)
{
    char uri[128];
    snprintf (uri, sizeof (uri), "interthread://%s", name);
    *h1 = flux_open (uri, flags);
    assert_non_null (*h1);
    *h2 = flux_open (uri, 0);
    assert_non_null (*h2);
}

/* Receive the next request on 'h' (it must be there already). */
static flux_msg_t *recv_request (flux_t *h, const char *topic)
{
    flux_msg_t *msg = flux_recv (h, FLUX_MATCH_REQUEST, FLUX_O_NONBLOCK);
    const char *t;

    if (!msg)
        fail_msg ("no request: %s", strerror (errno));
    assert_int_equal (flux_msg_get_topic (msg, &t), 0);
    assert_string_equal (t, topic);
    return msg;
}

static void assert_nothing_queued (flux_t *h)
{
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EAGAIN);
}

static void test_event_subscribe_ex (void **state)
{
    flux_t *h1, *h2;
    flux_future_t *f;
    flux_msg_t *req;
    const char *topic;
    (void)state;

    open_pair ("libmisc-event", &h1, &h2, 0);
    assert_fails_null (flux_event_subscribe_ex (NULL, "a", 0), EINVAL);
    assert_fails_null (flux_event_subscribe_ex (h1, NULL, 0), EINVAL);
    assert_fails_null (flux_event_unsubscribe_ex (NULL, "a", 0), EINVAL);
    assert_fails_null (flux_event_unsubscribe_ex (h1, NULL, 0), EINVAL);

    f = flux_event_subscribe_ex (h1, "foo.", 0);
    assert_non_null (f);
    req = recv_request (h2, "event.subscribe");
    assert_int_equal (flux_request_unpack (req, NULL, "{s:s}", "topic",
                                           &topic), 0);
    assert_string_equal (topic, "foo.");
    assert_false (flux_msg_is_noresponse (req));
    assert_int_equal (flux_respond (h2, req, NULL), 0);
    flux_msg_destroy (req);
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_destroy (f);

    /* the server's error reaches the future */
    f = flux_event_unsubscribe_ex (h1, "", 0);
    assert_non_null (f);
    req = recv_request (h2, "event.unsubscribe");
    assert_int_equal (flux_request_unpack (req, NULL, "{s:s}", "topic",
                                           &topic), 0);
    assert_string_equal (topic, "");
    assert_int_equal (flux_respond_error (h2, req, ENOENT, NULL), 0);
    flux_msg_destroy (req);
    assert_fails (flux_future_get (f, NULL), ENOENT);
    flux_future_destroy (f);

    /* rpc flags are passed on */
    f = flux_event_subscribe_ex (h1, "bar", FLUX_RPC_NORESPONSE);
    assert_non_null (f);
    req = recv_request (h2, "event.subscribe");
    assert_true (flux_msg_is_noresponse (req));
    flux_msg_destroy (req);
    flux_future_destroy (f);
    assert_nothing_queued (h2);
    flux_close (h1);
    flux_close (h2);

    /* FLUX_O_TEST_NOSUB: the synchronous forms send nothing, the _ex
     * forms still do
     */
    open_pair ("libmisc-nosub", &h1, &h2, FLUX_O_TEST_NOSUB);
    assert_int_equal (flux_event_subscribe (h1, "x"), 0);
    assert_int_equal (flux_event_unsubscribe (h1, "x"), 0);
    assert_nothing_queued (h2);
    f = flux_event_subscribe_ex (h1, "x", 0);
    assert_non_null (f);
    req = recv_request (h2, "event.subscribe");
    assert_int_equal (flux_respond (h2, req, NULL), 0);
    flux_msg_destroy (req);
    assert_int_equal (flux_future_get (f, NULL), 0);
    flux_future_destroy (f);
    flux_close (h1);
    flux_close (h2);
}

static void call_llog (void *arg, int level, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    flux_llog (arg, "file.c", 42, "func", "subsys", level, fmt, ap);
    va_end (ap);
}

static void test_llog (void **state)
{
    flux_t *h1, *h2;
    flux_msg_t *req;
    const void *data;
    size_t len;
    struct flux_log_entry entry;
    (void)state;

    open_pair ("libmisc-llog", &h1, &h2, 0);
    assert_int_equal (flux_attr_set_cacheonly (h1, "rank", "0"), 0);
    flux_log_set_appname (h1, "llogtest");
    call_llog (h1, LOG_WARNING, "hello %d %s", 7, "world");
    req = recv_request (h2, "log.append");
    assert_int_equal (flux_msg_get_payload (req, &data, &len), 0);
    assert_int_equal (flux_log_decode (data, len, &entry), 0);
    assert_int_equal (entry.severity, LOG_WARNING);
    assert_string_equal (entry.appname, "llogtest");
    assert_int_equal (entry.msglen, strlen ("hello 7 world"));
    assert_memory_equal (entry.msg, "hello 7 world", entry.msglen);
    flux_msg_destroy (req);
    assert_nothing_queued (h2);

    /* errno is kept, as flux_vlog keeps it */
    errno = EXDEV;
    call_llog (h1, LOG_ERR, "again");
    assert_int_equal (errno, EXDEV);
    req = recv_request (h2, "log.append");
    flux_msg_destroy (req);

    /* with no handle the line goes to stderr, and nothing breaks */
    call_llog (NULL, LOG_DEBUG, "to stderr from test_llog");
    flux_close (h1);
    flux_close (h2);
}

static void test_hosts (void **state)
{
    flux_t *h1, *h2;
    uint32_t size = 0;
    (void)state;

    open_pair ("libmisc-hosts", &h1, &h2, 0);
    assert_fails (flux_get_size (NULL, &size), EINVAL);
    assert_fails (flux_get_size (h1, NULL), EINVAL);
    assert_int_equal (flux_attr_set_cacheonly (h1, "size", "4"), 0);
    assert_int_equal (flux_get_size (h1, &size), 0);
    assert_int_equal (size, 4);
    assert_int_equal (flux_attr_set_cacheonly (h1, "size", "4x"), 0);
    assert_fails (flux_get_size (h1, &size), EPROTO);
    assert_int_equal (flux_attr_set_cacheonly (h1, "size", ""), 0);
    assert_fails (flux_get_size (h1, &size), EPROTO);
    assert_int_equal (flux_attr_set_cacheonly (h1, "size", "4294967296"), 0);
    assert_fails (flux_get_size (h1, &size), EPROTO);

    assert_string_equal (flux_get_hostbyrank (NULL, 0), "(null)");
    assert_string_equal (flux_get_hostbyrank (h1, FLUX_NODEID_ANY), "any");
    assert_string_equal (flux_get_hostbyrank (h1, FLUX_NODEID_UPSTREAM),
                         "upstream");
    assert_fails (flux_get_rankbyhost (NULL, "a"), EINVAL);
    assert_fails (flux_get_rankbyhost (h1, NULL), EINVAL);

    assert_int_equal (flux_attr_set_cacheonly (h1, "hostlist",
                                               "node[08-10,3],login,x[1-2]y,"
                                               "node3"), 0);
    assert_string_equal (flux_get_hostbyrank (h1, 0), "node08");
    assert_string_equal (flux_get_hostbyrank (h1, 1), "node09");
    assert_string_equal (flux_get_hostbyrank (h1, 2), "node10");
    assert_string_equal (flux_get_hostbyrank (h1, 3), "node3");
    assert_string_equal (flux_get_hostbyrank (h1, 4), "login");
    assert_string_equal (flux_get_hostbyrank (h1, 5), "x1y");
    assert_string_equal (flux_get_hostbyrank (h1, 6), "x2y");
    assert_string_equal (flux_get_hostbyrank (h1, 7), "node3");
    assert_string_equal (flux_get_hostbyrank (h1, 8), "(null)");
    assert_int_equal (flux_get_rankbyhost (h1, "node10"), 2);
    assert_int_equal (flux_get_rankbyhost (h1, "node3"), 3); /* lowest */
    assert_int_equal (flux_get_rankbyhost (h1, "x2y"), 6);
    assert_fails (flux_get_rankbyhost (h1, "node8"), ENOENT);

    /* read once per handle: a later change is not seen */
    assert_int_equal (flux_attr_set_cacheonly (h1, "hostlist", "other"), 0);
    assert_string_equal (flux_get_hostbyrank (h1, 0), "node08");
    flux_close (h1);
    flux_close (h2);

    /* the forms that do not parse */
    const char *bad[] = { "n[1-", "n[]", "n[a]", "n[3-1]", "n[1]]", "n[[1]]",
                          "n[1-2-3]" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        open_pair ("libmisc-hosts-bad", &h1, &h2, 0);
        assert_int_equal (flux_attr_set_cacheonly (h1, "hostlist", bad[i]), 0);
        if (strcmp (flux_get_hostbyrank (h1, 0), "(null)") != 0)
            fail_msg ("hostlist '%s' parsed", bad[i]);
        assert_fails (flux_get_rankbyhost (h1, "n1"), EINVAL);
        flux_close (h1);
        flux_close (h2);
    }

    /* our broker's single rank */
    open_pair ("libmisc-hosts-one", &h1, &h2, 0);
    assert_int_equal (flux_attr_set_cacheonly (h1, "hostlist", "myhost"), 0);
    assert_int_equal (flux_attr_set_cacheonly (h1, "size", "1"), 0);
    assert_int_equal (flux_get_size (h1, &size), 0);
    assert_int_equal (size, 1);
    assert_string_equal (flux_get_hostbyrank (h1, 0), "myhost");
    assert_string_equal (flux_get_hostbyrank (h1, 1), "(null)");
    assert_int_equal (flux_get_rankbyhost (h1, "myhost"), 0);
    flux_close (h1);
    flux_close (h2);
}

/* Stats */

static int udp_listen (int *port)
{
    struct sockaddr_in addr = { .sin_family = AF_INET };
    socklen_t len = sizeof (addr);
    int fd = socket (AF_INET, SOCK_DGRAM, 0);

    assert_true (fd >= 0);
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    assert_int_equal (bind (fd, (struct sockaddr *)&addr, sizeof (addr)), 0);
    assert_int_equal (getsockname (fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs (addr.sin_port);
    struct timeval tv = { .tv_sec = 5 };
    assert_int_equal (setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
                                  sizeof (tv)), 0);
    return fd;
}

/* Receive one packet as a string. */
static char *udp_recv (int fd, char *buf, size_t size)
{
    ssize_t n = recv (fd, buf, size - 1, 0);
    if (n < 0)
        fail_msg ("recv: %s", strerror (errno));
    buf[n] = '\0';
    return buf;
}

static void assert_no_packet (int fd)
{
    char buf[16];
    errno = 0;
    assert_int_equal (recv (fd, buf, sizeof (buf), MSG_DONTWAIT), -1);
    assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
}

static flux_t *stats_handle (const char *env)
{
    flux_t *h;

    if (env)
        assert_int_equal (setenv ("FLUX_FRIPP_STATSD", env, 1), 0);
    else
        assert_int_equal (unsetenv ("FLUX_FRIPP_STATSD"), 0);
    h = flux_open ("loop://", 0);
    assert_non_null (h);
    assert_int_equal (flux_attr_set_cacheonly (h, "rank", "3"), 0);
    return h;
}

static void stop_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                     void *arg)
{
    (void)w;
    (void)revents;
    (void)arg;
    flux_reactor_stop (r);
}

/* Run h's reactor for 'seconds'. */
static void run_for (flux_t *h, double seconds)
{
    flux_reactor_t *r = flux_get_reactor (h);
    flux_watcher_t *w = flux_timer_watcher_create (r, seconds, 0., stop_cb,
                                                   NULL);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_true (flux_reactor_run (r, 0) >= 0);
    flux_watcher_destroy (w);
}

static void test_stats_off (void **state)
{
    flux_t *h;
    (void)state;

    assert_false (flux_stats_enabled (NULL, NULL));
    flux_stats_count (NULL, "a", 1);

    h = stats_handle (NULL);
    assert_false (flux_stats_enabled (h, "a"));
    flux_stats_count (h, "a", 1);
    flux_stats_gauge_set (h, "a", 1);
    flux_stats_gauge_inc (h, "a", 1);
    flux_stats_timing (h, "a", 1.);
    flux_stats_set_period (h, 0.);
    flux_stats_set_prefix (h, "x");
    /* read once: turning it on later does not change this handle */
    assert_int_equal (setenv ("FLUX_FRIPP_STATSD", "127.0.0.1:9", 1), 0);
    assert_false (flux_stats_enabled (h, NULL));
    flux_close (h);

    /* values that do not parse leave stats off */
    const char *bad[] = { "nocolon", "127.0.0.1:no-such-service" };
    for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++) {
        h = stats_handle (bad[i]);
        assert_false (flux_stats_enabled (h, NULL));
        flux_stats_count (h, "a", 1);
        flux_close (h);
    }
    unsetenv ("FLUX_FRIPP_STATSD");
}

static void test_stats_immediate (void **state)
{
    char env[64], buf[2048];
    int port;
    int fd = udp_listen (&port);
    flux_t *h;
    (void)state;

    snprintf (env, sizeof (env), "127.0.0.1:%d", port);
    h = stats_handle (env);
    assert_true (flux_stats_enabled (h, "anything"));
    flux_stats_set_period (h, 0.);
    flux_stats_count (h, "c", 5);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "flux.3.c:5|C");
    flux_stats_gauge_set (h, "g", 10);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "flux.3.g:10|g");
    flux_stats_gauge_inc (h, "g", 2);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "flux.3.g:+2|g");
    flux_stats_gauge_inc (h, "g", -3);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "flux.3.g:-3|g");
    flux_stats_timing (h, "t", 1.5);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)),
                         "flux.3.t:1.500000|ms");
    flux_stats_set_prefix (h, "pfx.%d", 9);
    flux_stats_count (h, "c", -1);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "pfx.9.c:-1|C");
    /* a prefix too long is ignored; so is a line too long */
    char longname[200];
    memset (longname, 'x', sizeof (longname) - 1);
    longname[sizeof (longname) - 1] = '\0';
    flux_stats_set_prefix (h, "%s", longname);
    flux_stats_count (h, longname, 1);
    flux_stats_count (h, NULL, 1);
    flux_stats_count (h, "d", 1);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "pfx.9.d:1|C");
    assert_no_packet (fd);
    flux_close (h);
    close (fd);
    unsetenv ("FLUX_FRIPP_STATSD");
}

static int count_lines (const char *s)
{
    int n = *s ? 1 : 0;
    for (; *s; s++)
        if (*s == '\n')
            n++;
    return n;
}

static void test_stats_aggregate (void **state)
{
    char env[64], buf[2048];
    int port;
    int fd = udp_listen (&port);
    flux_t *h;
    (void)state;

    snprintf (env, sizeof (env), "127.0.0.1:%d", port);
    h = stats_handle (env);
    flux_stats_set_period (h, 0.05);
    flux_stats_count (h, "c", 1);
    flux_stats_count (h, "c", 7);      /* replaces */
    flux_stats_gauge_set (h, "g", 3);
    flux_stats_gauge_inc (h, "g", 2);  /* adds */
    flux_stats_timing (h, "t", 0.25);
    assert_no_packet (fd);
    /* one packet with the three; later ticks find nothing changed,
     * forget the metrics and stop the timer
     */
    run_for (h, 0.3);
    udp_recv (fd, buf, sizeof (buf));
    assert_true (strstr (buf, "flux.3.c:7|C") != NULL);
    assert_true (strstr (buf, "flux.3.g:5|g") != NULL);
    assert_true (strstr (buf, "flux.3.t:0.250000|ms") != NULL);
    assert_int_equal (count_lines (buf), 3);
    assert_true (buf[strlen (buf) - 1] != '\n');
    assert_no_packet (fd);

    /* a changed value goes out again */
    flux_stats_gauge_inc (h, "g", 1);
    run_for (h, 0.2);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "flux.3.g:1|g");
    assert_no_packet (fd);

    /* many metrics: packets of at most 1440 bytes, split at lines */
    for (int i = 0; i < 200; i++) {
        char name[16];
        snprintf (name, sizeof (name), "m%03d", i);
        flux_stats_count (h, name, i);
    }
    run_for (h, 0.2);
    int lines = 0, packets = 0;
    char *p;
    while (recv (fd, buf, 1, MSG_PEEK | MSG_DONTWAIT) > 0) {
        p = udp_recv (fd, buf, sizeof (buf));
        assert_true (strlen (p) <= 1440);
        lines += count_lines (p);
        packets++;
    }
    assert_int_equal (lines, 200);
    assert_true (packets >= 2);

    /* the aggregation timer alone does not keep the reactor running */
    flux_stats_count (h, "late", 1);
    assert_int_equal (flux_reactor_run (flux_get_reactor (h), 0), 0);

    /* period 0 from aggregation: immediate again */
    flux_stats_set_period (h, -1.);
    flux_stats_count (h, "now", 2);
    assert_string_equal (udp_recv (fd, buf, sizeof (buf)), "flux.3.now:2|C");
    flux_close (h);
    close (fd);
    unsetenv ("FLUX_FRIPP_STATSD");
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_event_subscribe_ex),
        cmocka_unit_test (test_llog),
        cmocka_unit_test (test_hosts),
        cmocka_unit_test (test_stats_off),
        cmocka_unit_test (test_stats_immediate),
        cmocka_unit_test (test_stats_aggregate),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
