/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for local:// against a tiny in-test server on a unix socket
 * in a temporary directory: the auth byte (0 accepted, nonzero is that
 * errno, EOF is ECONNRESET), connect retries, round trips of small and
 * large messages, testing creds, polling, and a server that hangs up.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <cmocka.h>

#include "flux/core.h"

struct server {
    char dir[64];
    char path[128];
    char uri[160];
    int listen_fd;
    int auth;               /* byte to answer, or -1 to hang up */
    double delay;           /* seconds to wait before bind/listen */
    bool echo;              /* answer each request until EOF */
    int hangup_after;       /* > 0: close after this many messages */
    struct flux_msg_cred first_cred;
    int nrecv;
    pthread_t t;
};

static int make_listener (struct server *s)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket (AF_UNIX, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    strcpy (addr.sun_path, s->path);
    if (bind (fd, (struct sockaddr *)&addr, sizeof (addr)) < 0
        || listen (fd, 8) < 0) {
        close (fd);
        return -1;
    }
    return fd;
}

static void *server_thread (void *arg)
{
    struct server *s = arg;
    int fd;

    if (s->delay > 0) {
        struct timespec ts = { 0, (long)(s->delay * 1e9) };
        nanosleep (&ts, NULL);
        if ((s->listen_fd = make_listener (s)) < 0)
            return (void *)1;
    }
    if ((fd = accept (s->listen_fd, NULL, NULL)) < 0)
        return (void *)2;
    if (s->auth >= 0) {
        unsigned char c = s->auth;
        if (write (fd, &c, 1) != 1)
            return (void *)3;
    }
    if (s->auth == 0 && s->echo) {
        flux_msg_t *msg;
        while ((msg = flux_msg_recvfd (fd, NULL))) {
            if (s->nrecv++ == 0)
                (void)flux_msg_get_cred (msg, &s->first_cred);
            if (s->hangup_after > 0 && s->nrecv >= s->hangup_after) {
                flux_msg_destroy (msg);
                break;
            }
            if (flux_msg_set_type (msg, FLUX_MSGTYPE_RESPONSE) < 0
                || flux_msg_sendfd (fd, msg, NULL) < 0) {
                flux_msg_destroy (msg);
                break;
            }
            flux_msg_destroy (msg);
        }
    }
    close (fd);
    return NULL;
}

static struct server *server_start (int auth, double delay)
{
    struct server *s = calloc (1, sizeof (*s));

    assert_non_null (s);
    strcpy (s->dir, "/tmp/test_local.XXXXXX");
    assert_non_null (mkdtemp (s->dir));
    snprintf (s->path, sizeof (s->path), "%s/local", s->dir);
    snprintf (s->uri, sizeof (s->uri), "local://%s", s->path);
    s->auth = auth;
    s->delay = delay;
    s->echo = true;
    s->listen_fd = -1;
    if (delay == 0)
        assert_true ((s->listen_fd = make_listener (s)) >= 0);
    assert_int_equal (pthread_create (&s->t, NULL, server_thread, s), 0);
    return s;
}

static void server_finish (struct server *s)
{
    void *result;
    assert_int_equal (pthread_join (s->t, &result), 0);
    assert_null (result);
    if (s->listen_fd >= 0)
        close (s->listen_fd);
    unlink (s->path);
    rmdir (s->dir);
    free (s);
}

static flux_msg_t *request (const char *topic, const char *payload)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    if (payload)
        assert_int_equal (flux_msg_set_string (msg, payload), 0);
    return msg;
}

static void test_accept_roundtrip (void **state)
{
    struct server *s = server_start (0, 0);
    flux_error_t error;
    flux_msg_t *msg;
    const char *str;
    (void)state;

    flux_t *h = flux_open_ex (s->uri, 0, &error);
    assert_non_null (h);

    msg = request ("echo.small", "hello");
    assert_int_equal (flux_msg_set_matchtag (msg, 12), 0);
    assert_int_equal (flux_send (h, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (h, FLUX_MATCH_RESPONSE, 0);
    assert_non_null (msg);
    assert_int_equal (flux_msg_get_string (msg, &str), 0);
    assert_string_equal (str, "hello");
    uint32_t tag;
    assert_int_equal (flux_msg_get_matchtag (msg, &tag), 0);
    assert_int_equal (tag, 12);
    flux_msg_destroy (msg);

    /* the client leaves creds for the broker to stamp */
    assert_int_equal (s->first_cred.userid, FLUX_USERID_UNKNOWN);
    assert_int_equal (s->first_cred.rolemask, FLUX_ROLE_NONE);

    /* large messages cross in pieces on the non-blocking socket */
    size_t big = 1024 * 1024;
    char *payload = malloc (big);
    assert_non_null (payload);
    memset (payload, 'x', big - 1);
    payload[big - 1] = '\0';
    /* N.B. one at a time: the echo server blocks writing its answer
     * until we read it.
     */
    for (int i = 0; i < 3; i++) {
        msg = request ("echo.big", payload);
        assert_int_equal (flux_send_new (h, &msg, 0), 0);
        msg = flux_recv (h, FLUX_MATCH_ANY, 0);
        assert_non_null (msg);
        assert_int_equal (flux_msg_get_string (msg, &str), 0);
        assert_int_equal (strlen (str), big - 1);
        flux_msg_destroy (msg);
    }
    free (payload);

    /* polling: nothing pending, then POLLIN once the answer is in */
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
    int fd = flux_pollfd (h);
    assert_true (fd >= 0);
    assert_int_equal (flux_pollevents (h) & FLUX_POLLIN, 0);
    msg = request ("echo.poll", NULL);
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    assert_int_equal (poll (&pfd, 1, 5000), 1);
    while (!(flux_pollevents (h) & FLUX_POLLIN))
        assert_true (poll (&pfd, 1, 5000) >= 0);
    msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    flux_msg_destroy (msg);

    struct flux_msgcounters mcs;
    flux_get_msgcounters (h, &mcs);
    assert_int_equal (mcs.request_tx, 5);
    assert_int_equal (mcs.response_rx, 5);

    flux_close (h);
    server_finish (s);
}

static void test_refused (void **state)
{
    struct server *s = server_start (EPERM, 0);
    flux_error_t error;
    (void)state;

    errno = 0;
    assert_null (flux_open_ex (s->uri, 0, &error));
    assert_int_equal (errno, EPERM);
    assert_non_null (strstr (error.text, s->path));
    assert_non_null (strstr (error.text, "Operation not permitted"));
    server_finish (s);
}

static void test_hangup_at_auth (void **state)
{
    struct server *s = server_start (-1, 0);
    flux_error_t error;
    (void)state;

    errno = 0;
    assert_null (flux_open_ex (s->uri, 0, &error));
    assert_int_equal (errno, ECONNRESET);
    assert_non_null (strstr (error.text, "Connection reset by peer"));
    server_finish (s);
}

static void test_no_socket (void **state)
{
    flux_error_t error;
    char expected[256];
    const char *path = "/tmp/test_local.nosuchdir/local";
    (void)state;

    setenv ("FLUX_LOCAL_CONNECTOR_RETRY_COUNT", "0", 1);
    errno = 0;
    assert_null (flux_open_ex ("local:///tmp/test_local.nosuchdir/local", 0,
                               &error));
    assert_int_equal (errno, ENOENT);
    snprintf (expected, sizeof (expected),
              "connect local://%s: No such file or directory", path);
    assert_string_equal (error.text, expected);
    unsetenv ("FLUX_LOCAL_CONNECTOR_RETRY_COUNT");

    errno = 0;
    assert_null (flux_open_ex ("local://", 0, &error));
    assert_int_equal (errno, EINVAL);
}

/* A broker that starts listening a little late is still reached. */
static void test_retry (void **state)
{
    struct server *s = server_start (0, 0.1);
    flux_t *h;
    (void)state;

    h = flux_open (s->uri, 0);
    assert_non_null (h);
    flux_close (h);
    server_finish (s);
}

static void test_testing_creds (void **state)
{
    struct server *s = server_start (0, 0);
    flux_msg_t *msg;
    (void)state;

    setenv ("FLUX_HANDLE_USERID", "4321", 1);
    setenv ("FLUX_HANDLE_ROLEMASK", "2", 1);
    flux_t *h = flux_open (s->uri, 0);
    unsetenv ("FLUX_HANDLE_USERID");
    unsetenv ("FLUX_HANDLE_ROLEMASK");
    assert_non_null (h);
    msg = request ("echo.creds", NULL);
    assert_int_equal (flux_send (h, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (h, FLUX_MATCH_ANY, 0);
    assert_non_null (msg);
    flux_msg_destroy (msg);
    assert_int_equal (s->first_cred.userid, 4321);
    assert_int_equal (s->first_cred.rolemask, FLUX_ROLE_USER);

    uint32_t v;
    assert_int_equal (flux_opt_get (h, FLUX_OPT_TESTING_ROLEMASK,
                                    &v, sizeof (v)), 0);
    assert_int_equal (v, FLUX_ROLE_USER);
    errno = 0;
    assert_int_equal (flux_opt_set (h, "nosuch", &v, sizeof (v)), -1);
    assert_int_equal (errno, EINVAL);
    flux_close (h);
    server_finish (s);
}

/* The broker goes away: recv fails with ECONNRESET, and polling says
 * there is something to read (the error).
 */
static void test_server_hangup (void **state)
{
    struct server *s = server_start (0, 0);
    flux_msg_t *msg;
    (void)state;

    s->hangup_after = 1;
    flux_t *h = flux_open (s->uri, 0);
    assert_non_null (h);
    msg = request ("echo.bye", NULL);
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, 0));
    assert_int_equal (errno, ECONNRESET);
    assert_true (flux_pollevents (h) & FLUX_POLLERR);
    flux_close (h);
    server_finish (s);
}

/* Frames that arrive together are read together (fd://, one end of a
 * socketpair): after the first recv the socket is empty and the rest
 * wait in the connector's buffer, which pollevents and a handle watcher
 * see as POLLIN, so none waits for the socket to become readable again.
 */
static int buffered_count;

static void buffered_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                         void *arg)
{
    flux_t *h = arg;
    flux_msg_t *msg;

    (void)w;
    (void)revents;
    /* One message per callback: the next must wake the watcher again. */
    if ((msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK))) {
        flux_msg_destroy (msg);
        if (++buffered_count == 3)
            flux_reactor_stop (r);
    }
}

static void test_frames_buffered (void **state)
{
    int sv[2];
    char uri[32];
    const char *topics[3] = { "a.one", "b.two", "c.three" };
    flux_t *h;
    flux_msg_t *msg;
    flux_reactor_t *r;
    flux_watcher_t *w;
    (void)state;

    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
                                  sv), 0);
    snprintf (uri, sizeof (uri), "fd://%d", sv[0]);
    assert_non_null ((h = flux_open (uri, 0)));
    for (int i = 0; i < 3; i++) {
        msg = request (topics[i], NULL);
        assert_int_equal (flux_msg_sendfd (sv[1], msg, NULL), 0);
        flux_msg_destroy (msg);
    }
    for (int i = 0; i < 3; i++) {
        const char *topic;
        assert_true (flux_pollevents (h) & FLUX_POLLIN);
        assert_non_null ((msg = flux_recv (h, FLUX_MATCH_ANY,
                                           FLUX_O_NONBLOCK)));
        assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
        assert_string_equal (topic, topics[i]);
        flux_msg_destroy (msg);
    }
    assert_false (flux_pollevents (h) & FLUX_POLLIN);
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);

    for (int i = 0; i < 3; i++) {
        msg = request (topics[i], NULL);
        assert_int_equal (flux_msg_sendfd (sv[1], msg, NULL), 0);
        flux_msg_destroy (msg);
    }
    assert_non_null ((r = flux_reactor_create (0)));
    assert_non_null ((w = flux_handle_watcher_create (r, h, FLUX_POLLIN,
                                                      buffered_cb, h)));
    flux_watcher_start (w);
    buffered_count = 0;
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (buffered_count, 3);
    flux_watcher_destroy (w);
    flux_reactor_destroy (r);
    flux_close (h);
    close (sv[1]);
}

/* A blocking recv spins for FLUX_LOCAL_SPIN_US before it sleeps in
 * poll(): a message sent while it spins, or after, is received whole; the
 * spin does not go on past its bound (a wait of 300 ms with a 1 ms spin
 * uses far less than 300 ms of CPU); it does not spin while more than one
 * request is in flight; a non-blocking recv does not spin at all.  The
 * handle reads the variable when it is opened.
 */
struct late_sender {
    int fd;
    long delay_ms;
};

static void *late_send (void *arg)
{
    struct late_sender *ls = arg;
    struct timespec ts = { ls->delay_ms / 1000,
                           (ls->delay_ms % 1000) * 1000000L };
    flux_msg_t *msg = flux_response_encode ("late.answer", "{}");

    nanosleep (&ts, NULL);
    if (!msg || flux_msg_sendfd (ls->fd, msg, NULL) < 0) {
        flux_msg_destroy (msg);
        return (void *)1;
    }
    flux_msg_destroy (msg);
    return NULL;
}

static double cpu_seconds (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* With FLUX_LOCAL_SPIN_US=spin_us and 'requests' requests sent, wait in a
 * blocking recv for a response sent delay_ms later; the CPU time the wait
 * took in *cpu.
 */
static void recv_late (const char *spin_us, int requests, long delay_ms,
                       double *cpu)
{
    int sv[2];
    char uri[32];
    struct late_sender ls;
    pthread_t t;
    void *result;
    flux_t *h;
    flux_msg_t *msg;
    const char *topic;
    double cpu0;

    assert_int_equal (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
                                  sv), 0);
    snprintf (uri, sizeof (uri), "fd://%d", sv[0]);
    assert_int_equal (setenv ("FLUX_LOCAL_SPIN_US", spin_us, 1), 0);
    assert_non_null ((h = flux_open (uri, 0)));
    unsetenv ("FLUX_LOCAL_SPIN_US");
    for (int i = 0; i < requests; i++) {
        msg = request ("late.question", "{}");
        assert_int_equal (flux_send_new (h, &msg, 0), 0);
    }
    errno = 0;
    assert_null (flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
    ls.fd = sv[1];
    ls.delay_ms = delay_ms;
    cpu0 = cpu_seconds ();
    assert_int_equal (pthread_create (&t, NULL, late_send, &ls), 0);
    assert_non_null ((msg = flux_recv (h, FLUX_MATCH_ANY, 0)));
    *cpu = cpu_seconds () - cpu0;
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    assert_string_equal (topic, "late.answer");
    flux_msg_destroy (msg);
    assert_int_equal (pthread_join (t, &result), 0);
    assert_null (result);
    flux_close (h);
    close (sv[1]);
}

static void test_recv_spin (void **state)
{
    double cpu;
    (void)state;

    /* Sent during a 100 ms spin (the largest accepted). */
    recv_late ("100000", 1, 20, &cpu);
    /* Sent long after a 1 ms spin: the rest of the wait is asleep. */
    recv_late ("1000", 1, 300, &cpu);
    assert_true (cpu < 0.05);
    /* Two requests in flight: no spin, even a 100 ms one. */
    recv_late ("100000", 2, 300, &cpu);
    assert_true (cpu < 0.05);
    /* No spin, and a value that is not a number of microseconds (the
     * default applies) or is too large (likewise).
     */
    recv_late ("0", 1, 20, &cpu);
    recv_late ("fifty", 0, 20, &cpu);
    recv_late ("100000000", 1, 300, &cpu);
    assert_true (cpu < 0.05);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_accept_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_hangup_at_auth),
        cmocka_unit_test (test_no_socket),
        cmocka_unit_test (test_retry),
        cmocka_unit_test (test_testing_creds),
        cmocka_unit_test (test_server_hangup),
        cmocka_unit_test (test_frames_buffered),
        cmocka_unit_test (test_recv_spin),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
