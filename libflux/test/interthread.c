/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* Unit tests for interthread:// channels: pairing, EADDRINUSE, moving
 * messages (send_new, copies, aux), creds stamping, router mode, eventfd
 * wakeups, the descriptors a handle watcher costs, ready sets, and two
 * threads ping-ponging messages.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "flux/core.h"
#include "fdcount.h"
#include "handle_private.h"

static flux_msg_t *request (const char *topic)
{
    flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
    assert_non_null (msg);
    assert_int_equal (flux_msg_set_topic (msg, topic), 0);
    return msg;
}

static const char *topic_of (const flux_msg_t *msg)
{
    const char *topic = NULL;
    assert_int_equal (flux_msg_get_topic (msg, &topic), 0);
    return topic;
}

static bool fd_readable (int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    return poll (&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

static void test_cornercase (void **state)
{
    flux_error_t error;
    (void)state;

    errno = 0;
    assert_null (flux_open_ex ("interthread://", 0, &error));
    assert_int_equal (errno, EINVAL);

    errno = 0;
    assert_null (flux_open_ex ("nosuch://x", 0, &error));
    assert_int_equal (errno, ENOENT);
    assert_string_equal (error.text, "Unable to find connector name 'nosuch'");

    errno = 0;
    assert_null (flux_open_ex ("interthread", 0, &error));
    assert_int_equal (errno, EINVAL);

    unsetenv ("FLUX_URI");
    errno = 0;
    assert_null (flux_open_ex (NULL, 0, &error));
    assert_int_equal (errno, ENOENT);
    assert_string_equal (error.text, "FLUX_URI is not set");

    /* $FLUX_URI is used when uri is NULL */
    setenv ("FLUX_URI", "interthread://env", 1);
    flux_t *a = flux_open (NULL, 0);
    assert_non_null (a);
    flux_t *b = flux_open ("interthread://env", 0);
    assert_non_null (b);
    flux_close (a);
    flux_close (b);
    unsetenv ("FLUX_URI");

    errno = 0;
    assert_int_equal (flux_send (NULL, NULL, 0), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_null (flux_recv (NULL, FLUX_MATCH_ANY, 0));
    assert_int_equal (errno, EINVAL);
}

static void test_pairing (void **state)
{
    flux_error_t error;
    flux_msg_t *msg;
    (void)state;

    flux_t *a = flux_open ("interthread://pair", 0);
    assert_non_null (a);
    flux_t *b = flux_open ("interthread://pair", 0);
    assert_non_null (b);

    errno = 0;
    assert_null (flux_open_ex ("interthread://pair", 0, &error));
    assert_int_equal (errno, EADDRINUSE);
    assert_non_null (strstr (error.text, "interthread://pair"));

    /* each direction */
    msg = request ("a.to.b");
    assert_int_equal (flux_send (a, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = request ("b.to.a");
    assert_int_equal (flux_send (b, msg, 0), 0);
    flux_msg_destroy (msg);

    msg = flux_recv (b, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    assert_string_equal (topic_of (msg), "a.to.b");
    flux_msg_destroy (msg);
    msg = flux_recv (a, FLUX_MATCH_ANY, FLUX_O_NONBLOCK);
    assert_non_null (msg);
    assert_string_equal (topic_of (msg), "b.to.a");
    flux_msg_destroy (msg);

    /* empty: EWOULDBLOCK, by flag or by handle flag */
    errno = 0;
    assert_null (flux_recv (a, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
    assert_int_equal (flux_flags_set (a, FLUX_O_NONBLOCK), 0);
    errno = 0;
    assert_null (flux_recv (a, FLUX_MATCH_ANY, 0));
    assert_int_equal (errno, EWOULDBLOCK);

    /* A freed end can be taken again while the other is open */
    flux_close (a);
    a = flux_open ("interthread://pair", 0);
    assert_non_null (a);
    flux_close (a);
    flux_close (b);

    /* Destroyed on last close: a fresh channel, no stale messages */
    a = flux_open ("interthread://pair", 0);
    assert_non_null (a);
    msg = request ("stale");
    assert_int_equal (flux_send (a, msg, 0), 0);
    flux_msg_destroy (msg);
    flux_close (a);
    a = flux_open ("interthread://pair", 0);
    b = flux_open ("interthread://pair", 0);
    assert_non_null (a);
    assert_non_null (b);
    errno = 0;
    assert_null (flux_recv (b, FLUX_MATCH_ANY, FLUX_O_NONBLOCK));
    assert_int_equal (errno, EWOULDBLOCK);
    flux_close (a);
    flux_close (b);
}

static int aux_destroyed;
static void aux_free (void *arg)
{
    (void)arg;
    aux_destroyed++;
}

/* FLUX_OPT_SEND/RECV_QUEUE_COUNT: what one end sent and the other has
 * not received yet, seen from both ends (module.list's Sendq/Recvq).
 */
static size_t queue_count (flux_t *h, const char *option)
{
    size_t count = 12345;
    assert_int_equal (flux_opt_get (h, option, &count, sizeof (count)), 0);
    return count;
}

static void test_queue_counts (void **state)
{
    flux_msg_t *msg;
    int dummy = 0;
    (void)state;

    flux_t *a = flux_open ("interthread://counts", 0);
    flux_t *b = flux_open ("interthread://counts", 0);
    assert_non_null (a);
    assert_non_null (b);
    assert_int_equal (queue_count (a, FLUX_OPT_SEND_QUEUE_COUNT), 0);
    assert_int_equal (queue_count (b, FLUX_OPT_RECV_QUEUE_COUNT), 0);
    for (int i = 0; i < 3; i++) {
        msg = request ("queued");
        assert_int_equal (flux_send_new (a, &msg, 0), 0);
    }
    assert_int_equal (queue_count (a, FLUX_OPT_SEND_QUEUE_COUNT), 3);
    assert_int_equal (queue_count (a, FLUX_OPT_RECV_QUEUE_COUNT), 0);
    assert_int_equal (queue_count (b, FLUX_OPT_RECV_QUEUE_COUNT), 3);
    assert_int_equal (queue_count (b, FLUX_OPT_SEND_QUEUE_COUNT), 0);
    msg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_non_null (msg);
    flux_msg_destroy (msg);
    assert_int_equal (queue_count (a, FLUX_OPT_SEND_QUEUE_COUNT), 2);
    assert_int_equal (queue_count (b, FLUX_OPT_RECV_QUEUE_COUNT), 2);

    /* the value is a size_t: any other size is refused */
    errno = 0;
    assert_int_equal (flux_opt_get (a, FLUX_OPT_SEND_QUEUE_COUNT,
                                    &dummy, sizeof (dummy)), -1);
    assert_int_equal (errno, EINVAL);
    flux_close (b);
    flux_close (a);
}

static void test_move (void **state)
{
    flux_msg_t *msg, *rmsg;
    (void)state;

    flux_t *a = flux_open ("interthread://move", 0);
    flux_t *b = flux_open ("interthread://move", 0);
    assert_non_null (a);
    assert_non_null (b);

    /* send_new steals; the receiver gets the very object, aux cleared */
    msg = request ("moved");
    assert_int_equal (flux_msg_aux_set (msg, "x", msg, aux_free), 0);
    flux_msg_t *orig = msg;
    aux_destroyed = 0;
    assert_int_equal (flux_send_new (a, &msg, 0), 0);
    assert_null (msg);
    assert_int_equal (aux_destroyed, 1);
    rmsg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_ptr_equal (rmsg, orig);
    assert_null (flux_msg_aux_get (rmsg, "x"));
    flux_msg_destroy (rmsg);

    /* send_new refuses a shared message */
    msg = request ("shared");
    flux_msg_incref (msg);
    errno = 0;
    assert_int_equal (flux_send_new (a, &msg, 0), -1);
    assert_int_equal (errno, EINVAL);
    assert_non_null (msg);
    flux_msg_decref (msg);
    assert_int_equal (flux_send_new (a, &msg, 0), 0);
    rmsg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_string_equal (topic_of (rmsg), "shared");
    flux_msg_destroy (rmsg);

    /* plain send moves a copy; the caller's message is untouched */
    msg = request ("copied");
    assert_int_equal (flux_msg_set_string (msg, "payload"), 0);
    assert_int_equal (flux_msg_aux_set (msg, "x", msg, aux_free), 0);
    aux_destroyed = 0;
    assert_int_equal (flux_send (a, msg, 0), 0);
    assert_int_equal (aux_destroyed, 0);
    assert_non_null (flux_msg_aux_get (msg, "x"));
    struct flux_msg_cred cred;
    assert_int_equal (flux_msg_get_cred (msg, &cred), 0);
    assert_int_equal (cred.userid, FLUX_USERID_UNKNOWN);
    rmsg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_ptr_not_equal (rmsg, msg);
    const char *s;
    assert_int_equal (flux_msg_get_string (rmsg, &s), 0);
    assert_string_equal (s, "payload");
    flux_msg_destroy (rmsg);
    flux_msg_destroy (msg);
    assert_int_equal (aux_destroyed, 1);

    flux_close (a);
    flux_close (b);
}

static void test_creds (void **state)
{
    struct flux_msg_cred cred;
    flux_msg_t *msg;
    (void)state;

    flux_t *a = flux_open ("interthread://creds", 0);
    flux_t *b = flux_open ("interthread://creds", 0);

    /* unset creds get getuid() and OWNER|LOCAL */
    msg = request ("unset");
    assert_int_equal (flux_send (a, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_int_equal (flux_msg_get_cred (msg, &cred), 0);
    assert_int_equal (cred.userid, getuid ());
    assert_int_equal (cred.rolemask, FLUX_ROLE_OWNER | FLUX_ROLE_LOCAL);
    flux_msg_destroy (msg);

    /* set creds are kept */
    msg = request ("set");
    struct flux_msg_cred guest = { .userid = 4242, .rolemask = FLUX_ROLE_USER };
    assert_int_equal (flux_msg_set_cred (msg, guest), 0);
    assert_int_equal (flux_send (a, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_int_equal (flux_msg_get_cred (msg, &cred), 0);
    assert_int_equal (cred.userid, 4242);
    assert_int_equal (cred.rolemask, FLUX_ROLE_USER);
    flux_msg_destroy (msg);

    /* testing options replace the creds stamped on unset messages */
    uint32_t uid = 9999, role = FLUX_ROLE_USER;
    assert_int_equal (flux_opt_set (a, FLUX_OPT_TESTING_USERID,
                                    &uid, sizeof (uid)), 0);
    assert_int_equal (flux_opt_set (a, FLUX_OPT_TESTING_ROLEMASK,
                                    &role, sizeof (role)), 0);
    uint32_t v = 0;
    assert_int_equal (flux_opt_get (a, FLUX_OPT_TESTING_USERID,
                                    &v, sizeof (v)), 0);
    assert_int_equal (v, 9999);
    msg = request ("testing");
    assert_int_equal (flux_send (a, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_int_equal (flux_msg_get_cred (msg, &cred), 0);
    assert_int_equal (cred.userid, 9999);
    assert_int_equal (cred.rolemask, FLUX_ROLE_USER);
    flux_msg_destroy (msg);

    errno = 0;
    assert_int_equal (flux_opt_set (a, "nosuch", &v, sizeof (v)), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_opt_set (a, FLUX_OPT_TESTING_USERID, &v, 2), -1);
    assert_int_equal (errno, EINVAL);

    flux_close (a);
    flux_close (b);
}

/* FLUX_HANDLE_USERID/ROLEMASK at open set the testing options. */
static void test_creds_env (void **state)
{
    struct flux_msg_cred cred;
    flux_msg_t *msg;
    flux_error_t error;
    (void)state;

    setenv ("FLUX_HANDLE_USERID", "1234", 1);
    setenv ("FLUX_HANDLE_ROLEMASK", "0x2", 1);
    flux_t *a = flux_open ("interthread://env-creds", 0);
    unsetenv ("FLUX_HANDLE_USERID");
    unsetenv ("FLUX_HANDLE_ROLEMASK");
    flux_t *b = flux_open ("interthread://env-creds", 0);
    assert_non_null (a);
    assert_non_null (b);
    msg = request ("env");
    assert_int_equal (flux_send (a, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_int_equal (flux_msg_get_cred (msg, &cred), 0);
    assert_int_equal (cred.userid, 1234);
    assert_int_equal (cred.rolemask, FLUX_ROLE_USER);
    flux_msg_destroy (msg);
    flux_close (a);
    flux_close (b);

    setenv ("FLUX_HANDLE_USERID", "bogus", 1);
    errno = 0;
    assert_null (flux_open_ex ("interthread://env-bad", 0, &error));
    assert_int_equal (errno, EINVAL);
    assert_string_equal (error.text, "FLUX_HANDLE_USERID=bogus: invalid value");
    unsetenv ("FLUX_HANDLE_USERID");
    /* the failed open released its end */
    a = flux_open ("interthread://env-bad", 0);
    b = flux_open ("interthread://env-bad", 0);
    assert_non_null (a);
    assert_non_null (b);
    flux_close (a);
    flux_close (b);
}

static void test_router (void **state)
{
    flux_msg_t *msg, *rsp;
    (void)state;

    flux_t *broker = flux_open ("interthread://MODUUID", 0);
    flux_t *mod = flux_open ("interthread://MODUUID", 0);
    const char *bid = "BROKERUUID";
    assert_int_equal (flux_opt_set (broker, FLUX_OPT_ROUTER_NAME,
                                    bid, strlen (bid) + 1), 0);
    char buf[64];
    assert_int_equal (flux_opt_get (broker, FLUX_OPT_ROUTER_NAME,
                                    buf, sizeof (buf)), 0);
    assert_string_equal (buf, bid);

    /* module -> broker request: the channel name is pushed */
    msg = request ("svc.method");
    assert_int_equal (flux_msg_set_matchtag (msg, 7), 0);
    assert_int_equal (flux_send (mod, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (broker, FLUX_MATCH_ANY, 0);
    assert_non_null (msg);
    assert_int_equal (flux_msg_route_count (msg), 1);
    assert_string_equal (flux_msg_route_first (msg), "MODUUID");

    /* broker -> module response: the last hop is popped */
    rsp = flux_msg_copy (msg, false);
    assert_int_equal (flux_msg_set_type (rsp, FLUX_MSGTYPE_RESPONSE), 0);
    assert_int_equal (flux_msg_set_matchtag (rsp, 7), 0);
    flux_msg_destroy (msg);
    assert_int_equal (flux_send_new (broker, &rsp, 0), 0);
    msg = flux_recv (mod, FLUX_MATCH_RESPONSE, 0);
    assert_non_null (msg);
    assert_int_equal (flux_msg_route_count (msg), 0);
    flux_msg_destroy (msg);

    /* broker -> module request and event: the router name is pushed */
    msg = request ("mod.method");
    assert_int_equal (flux_send (broker, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (mod, FLUX_MATCH_ANY, 0);
    assert_int_equal (flux_msg_route_count (msg), 1);
    assert_string_equal (flux_msg_route_last (msg), bid);
    /* module answers: response goes back untouched by the module end */
    rsp = flux_msg_copy (msg, false);
    assert_int_equal (flux_msg_set_type (rsp, FLUX_MSGTYPE_RESPONSE), 0);
    flux_msg_destroy (msg);
    assert_int_equal (flux_send_new (mod, &rsp, 0), 0);
    msg = flux_recv (broker, FLUX_MATCH_ANY, 0);
    assert_int_equal (flux_msg_route_count (msg), 1);
    assert_string_equal (flux_msg_route_last (msg), bid);
    flux_msg_destroy (msg);

    msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_set_topic (msg, "ev.topic"), 0);
    assert_int_equal (flux_send (broker, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (mod, FLUX_MATCH_EVENT, 0);
    assert_string_equal (flux_msg_route_last (msg), bid);
    flux_msg_destroy (msg);

    /* module -> broker event: the channel name is pushed */
    msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
    assert_int_equal (flux_msg_set_topic (msg, "ev.up"), 0);
    assert_int_equal (flux_send (mod, msg, 0), 0);
    flux_msg_destroy (msg);
    msg = flux_recv (broker, FLUX_MATCH_EVENT, 0);
    assert_string_equal (flux_msg_route_first (msg), "MODUUID");
    flux_msg_destroy (msg);

    flux_close (mod);
    flux_close (broker);
}

static void test_wakeup (void **state)
{
    flux_msg_t *msg;
    (void)state;

    flux_t *a = flux_open ("interthread://wake", 0);
    flux_t *b = flux_open ("interthread://wake", 0);
    int fd = flux_pollfd (b);
    assert_true (fd >= 0);
    assert_int_equal (flux_pollfd (b), fd);

    /* The connector's fd may start with a POLLOUT edge: consume it. */
    assert_int_equal (flux_pollevents (b) & FLUX_POLLIN, 0);
    assert_false (fd_readable (fd));
    assert_int_equal (flux_pollevents (b) & FLUX_POLLIN, 0);
    assert_true (flux_pollevents (b) & FLUX_POLLOUT);

    msg = request ("wake");
    assert_int_equal (flux_send (a, msg, 0), 0);
    assert_int_equal (flux_send (a, msg, 0), 0);
    assert_true (fd_readable (fd));
    assert_true (flux_pollevents (b) & FLUX_POLLIN);
    /* edge consumed by pollevents; the level is still reported */
    assert_false (fd_readable (fd));
    assert_true (flux_pollevents (b) & FLUX_POLLIN);

    flux_msg_t *rmsg = flux_recv (b, FLUX_MATCH_ANY, 0);
    flux_msg_destroy (rmsg);
    assert_true (flux_pollevents (b) & FLUX_POLLIN);
    rmsg = flux_recv (b, FLUX_MATCH_ANY, 0);
    flux_msg_destroy (rmsg);
    assert_int_equal (flux_pollevents (b) & FLUX_POLLIN, 0);

    /* requeue makes the fd readable and the handle POLLIN */
    assert_false (fd_readable (fd));
    assert_int_equal (flux_requeue (b, msg, FLUX_RQ_TAIL), 0);
    assert_true (fd_readable (fd));
    assert_true (flux_pollevents (b) & FLUX_POLLIN);
    rmsg = flux_recv (b, FLUX_MATCH_ANY, 0);
    assert_ptr_equal (rmsg, msg); // the queue holds a reference
    flux_msg_destroy (rmsg);
    assert_int_equal (flux_pollevents (b) & FLUX_POLLIN, 0);

    flux_msg_destroy (msg);
    flux_close (a);
    flux_close (b);
}

/* A handle watcher's thread, once its loop has turned, gets its own
 * pushes without the channel's eventfd (msg_deque_reader_here): the
 * broker's handle and the router's end of it, both on the main thread.
 */
struct same {
    flux_t *a;
    flux_t *b;
    int got;
    int prepares;
    bool watchdog;
};

static void same_recv_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                          void *arg)
{
    struct same *s = arg;
    flux_msg_t *msg;

    (void)w;
    (void)revents;
    while ((msg = flux_recv (s->b, FLUX_MATCH_ANY, FLUX_O_NONBLOCK))) {
        s->got++;
        flux_msg_destroy (msg);
    }
    flux_reactor_stop (r);
}

static void send_one (flux_t *h)
{
    flux_msg_t *msg = request ("same");
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
}

static void *send_one_thread (void *arg)
{
    send_one (arg);
    return NULL;
}

static void test_same_thread_push (void **state)
{
    struct same s = { 0 };
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *w;
    pthread_t t;
    int fd;
    (void)state;

    assert_non_null (r);
    assert_non_null ((s.a = flux_open ("interthread://same", 0)));
    assert_non_null ((s.b = flux_open ("interthread://same", 0)));
    assert_non_null ((w = flux_handle_watcher_create (r, s.b, FLUX_POLLIN,
                                                      same_recv_cb, &s)));
    assert_true ((fd = handle_wakeup_fd (s.b)) >= 0);
    flux_watcher_start (w);

    /* Before the loop has turned, the reader is not known. */
    send_one (s.a);
    assert_true (fd_readable (fd));
    assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
    assert_int_equal (s.got, 1);

    /* Now this thread reads: its pushes write no fd, and are seen. */
    send_one (s.a);
    send_one (s.a);
    assert_false (fd_readable (fd));
    assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
    assert_int_equal (s.got, 3);

    /* Another thread's push still does. */
    assert_int_equal (pthread_create (&t, NULL, send_one_thread, s.a), 0);
    assert_int_equal (pthread_join (t, NULL), 0);
    assert_true (fd_readable (fd));
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (s.got, 4);

    /* Once someone may wait on the handle's fd alone, every push does. */
    assert_true (flux_pollfd (s.b) >= 0);
    send_one (s.a);
    assert_true (fd_readable (fd));
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_int_equal (s.got, 5);

    flux_watcher_destroy (w);
    flux_close (s.a);
    flux_close (s.b);
    flux_reactor_destroy (r);
}

/* A prepare watcher of the user's, started first, sends on the second
 * turn: the handle watcher's prepare, which runs after every other,
 * sees the message, though its push wrote no fd.
 */
static void same_prepare_cb (flux_reactor_t *r, flux_watcher_t *w,
                             int revents, void *arg)
{
    struct same *s = arg;

    (void)r;
    (void)w;
    (void)revents;
    if (++s->prepares == 2)
        send_one (s->a);
}

static void same_tick_cb (flux_reactor_t *r, flux_watcher_t *w, int revents,
                          void *arg)
{
    (void)r;
    (void)w;
    (void)revents;
    (void)arg;
}

static void same_watchdog_cb (flux_reactor_t *r, flux_watcher_t *w,
                              int revents, void *arg)
{
    struct same *s = arg;

    (void)w;
    (void)revents;
    s->watchdog = true;
    flux_reactor_stop (r);
}

static void test_same_thread_push_from_prepare (void **state)
{
    struct same s = { 0 };
    flux_reactor_t *r = flux_reactor_create (0);
    flux_watcher_t *prep, *w, *tick, *dog;
    (void)state;

    assert_non_null (r);
    assert_non_null ((s.a = flux_open ("interthread://sameprep", 0)));
    assert_non_null ((s.b = flux_open ("interthread://sameprep", 0)));
    assert_non_null ((prep = flux_prepare_watcher_create (r, same_prepare_cb,
                                                          &s)));
    assert_non_null ((w = flux_handle_watcher_create (r, s.b, FLUX_POLLIN,
                                                      same_recv_cb, &s)));
    assert_non_null ((tick = flux_timer_watcher_create (r, 0.01, 0.,
                                                        same_tick_cb, &s)));
    assert_non_null ((dog = flux_timer_watcher_create (r, 5., 0.,
                                                       same_watchdog_cb, &s)));
    flux_watcher_start (prep);
    flux_watcher_start (w);
    flux_watcher_start (tick);
    flux_watcher_start (dog);
    assert_true (flux_reactor_run (r, 0) >= 0);
    assert_true (s.prepares >= 2);
    assert_int_equal (s.got, 1);
    assert_false (s.watchdog);

    flux_watcher_destroy (prep);
    flux_watcher_destroy (w);
    flux_watcher_destroy (tick);
    flux_watcher_destroy (dog);
    flux_close (s.a);
    flux_close (s.b);
    flux_reactor_destroy (r);
}

#define PINGPONG_COUNT 10000

static void *pong_thread (void *arg)
{
    flux_t *h = flux_open ("interthread://pingpong", 0);
    (void)arg;
    if (!h)
        return (void *)1;
    for (int i = 0; i < PINGPONG_COUNT; i++) {
        flux_msg_t *msg = flux_recv (h, FLUX_MATCH_ANY, 0);
        if (!msg)
            return (void *)2;
        if (flux_send_new (h, &msg, 0) < 0)
            return (void *)3;
    }
    flux_close (h);
    return NULL;
}

static void test_pingpong (void **state)
{
    pthread_t t;
    void *result;
    (void)state;

    flux_t *h = flux_open ("interthread://pingpong", 0);
    assert_non_null (h);
    assert_int_equal (pthread_create (&t, NULL, pong_thread, NULL), 0);
    for (int i = 0; i < PINGPONG_COUNT; i++) {
        flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_REQUEST);
        uint32_t seq;
        assert_non_null (msg);
        assert_int_equal (flux_msg_set_topic (msg, "ping"), 0);
        assert_int_equal (flux_msg_set_matchtag (msg, i + 1), 0);
        assert_int_equal (flux_send_new (h, &msg, 0), 0);
        msg = flux_recv (h, FLUX_MATCH_ANY, 0);
        assert_non_null (msg);
        assert_int_equal (flux_msg_get_matchtag (msg, &seq), 0);
        assert_int_equal (seq, i + 1);
        flux_msg_destroy (msg);
    }
    assert_int_equal (pthread_join (t, &result), 0);
    assert_null (result);

    struct flux_msgcounters mcs;
    flux_get_msgcounters (h, &mcs);
    assert_int_equal (mcs.request_tx, PINGPONG_COUNT);
    assert_int_equal (mcs.request_rx, PINGPONG_COUNT);
    flux_close (h);
}

/* A burst from one thread arrives complete and in order. */
static void *burst_thread (void *arg)
{
    flux_t *h = arg;
    for (int i = 0; i < PINGPONG_COUNT; i++) {
        flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
        if (!msg || flux_msg_set_topic (msg, "burst") < 0
            || flux_msg_set_seq (msg, i) < 0
            || flux_send_new (h, &msg, 0) < 0)
            return (void *)1;
    }
    return NULL;
}

static void test_burst (void **state)
{
    pthread_t t;
    void *result;
    (void)state;

    flux_t *a = flux_open ("interthread://burst", 0);
    flux_t *b = flux_open ("interthread://burst", 0);
    assert_int_equal (pthread_create (&t, NULL, burst_thread, a), 0);
    for (int i = 0; i < PINGPONG_COUNT; i++) {
        flux_msg_t *msg = flux_recv (b, FLUX_MATCH_ANY, 0);
        uint32_t seq;
        assert_non_null (msg);
        assert_int_equal (flux_msg_get_seq (msg, &seq), 0);
        assert_int_equal (seq, i);
        flux_msg_destroy (msg);
    }
    assert_int_equal (pthread_join (t, &result), 0);
    assert_null (result);
    flux_close (a);
    flux_close (b);
}

static void recv_one_cb (flux_reactor_t *r, flux_watcher_t *w,
                         int revents, void *arg)
{
    int *count = arg;
    flux_t *h = flux_handle_watcher_get_flux (w);
    flux_msg_t *msg;

    (void)r;
    if ((revents & FLUX_POLLIN)
        && (msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK))) {
        flux_msg_destroy (msg);
        (*count)++;
    }
}

/* A handle watcher on an interthread handle costs one descriptor, the
 * channel's eventfd; the handle's pollfd is made only when asked for,
 * and is still edge-triggered then, beside the watcher.
 */
static void test_watcher_fds (void **state)
{
    flux_reactor_t *r;
    flux_watcher_t *w;
    flux_msg_t *msg;
    int count = 0;
    int base, fd;
    (void)state;

    assert_non_null ((r = flux_reactor_create (0)));
    base = fd_count ();
    flux_t *a = flux_open ("interthread://fds", 0);
    flux_t *b = flux_open ("interthread://fds", 0);
    assert_non_null (a);
    assert_non_null (b);
    assert_int_equal (fd_count (), base);
    w = flux_handle_watcher_create (r, b, FLUX_POLLIN, recv_one_cb, &count);
    assert_non_null (w);
    flux_watcher_start (w);
    assert_int_equal (fd_count (), base + 1);

    msg = request ("fds");
    assert_int_equal (flux_send (a, msg, 0), 0);
    assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
    assert_int_equal (count, 1);
    /* Nothing more: the watcher does not fire again. */
    assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
    assert_int_equal (count, 1);

    /* Asked for, the pollfd costs its own two (epoll, queue eventfd). */
    assert_true ((fd = flux_pollfd (b)) >= 0);
    assert_int_equal (fd_count (), base + 3);
    (void)flux_pollevents (b); // the POLLOUT edge it may start with
    assert_false (fd_readable (fd));
    assert_int_equal (flux_send (a, msg, 0), 0);
    assert_true (fd_readable (fd));
    assert_true (flux_pollevents (b) & FLUX_POLLIN);
    assert_false (fd_readable (fd)); // edge consumed, level stays
    assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
    assert_int_equal (count, 2);
    assert_int_equal (flux_pollevents (b) & FLUX_POLLIN, 0);

    /* A requeued message is seen by the watcher (no fd of its own). */
    assert_int_equal (flux_requeue (b, msg, FLUX_RQ_TAIL), 0);
    assert_true (flux_reactor_run (r, FLUX_REACTOR_NOWAIT) >= 0);
    assert_int_equal (count, 3);

    flux_msg_destroy (msg);
    flux_watcher_destroy (w);
    flux_close (a);
    flux_close (b);
    assert_int_equal (fd_count (), base);
    flux_reactor_decref (r);
}

static void send_to (flux_t *h, const char *topic)
{
    flux_msg_t *msg = request (topic);
    assert_int_equal (flux_send_new (h, &msg, 0), 0);
}

static void recv_all (flux_t *h, int expected)
{
    flux_msg_t *msg;
    int n = 0;

    while ((msg = flux_recv (h, FLUX_MATCH_ANY, FLUX_O_NONBLOCK))) {
        flux_msg_destroy (msg);
        n++;
    }
    assert_int_equal (n, expected);
}

static void test_readyset (void **state)
{
    flux_readyset_t *rs;
    int base, fd;
    int arg1, arg2, arg3;
    (void)state;

    base = fd_count ();
    assert_non_null ((rs = flux_readyset_create ()));
    assert_true ((fd = flux_readyset_fd (rs)) >= 0);
    assert_int_equal (fd_count (), base + 1);
    assert_false (fd_readable (fd));
    assert_null (flux_readyset_pop (rs));

    flux_t *m1 = flux_open ("interthread://rs1", 0);
    flux_t *b1 = flux_open ("interthread://rs1", 0);
    flux_t *m2 = flux_open ("interthread://rs2", 0);
    flux_t *b2 = flux_open ("interthread://rs2", 0);
    flux_t *m3 = flux_open ("interthread://rs3", 0);
    flux_t *b3 = flux_open ("interthread://rs3", 0);
    flux_t *lp = flux_open ("loop://", 0);
    assert_non_null (lp);

    errno = 0;
    assert_int_equal (flux_readyset_add (rs, b1, NULL), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_readyset_add (NULL, b1, &arg1), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_readyset_add (rs, lp, &arg1), -1);
    assert_int_equal (errno, EINVAL);
    errno = 0;
    assert_int_equal (flux_readyset_fd (NULL), -1);
    assert_int_equal (errno, EINVAL);

    assert_int_equal (flux_readyset_add (rs, b1, &arg1), 0);
    assert_int_equal (flux_readyset_add (rs, b2, &arg2), 0);
    errno = 0;
    assert_int_equal (flux_readyset_add (rs, b1, &arg1), -1);
    assert_int_equal (errno, EEXIST);
    /* Members cost no descriptor. */
    assert_int_equal (fd_count (), base + 1);

    /* Listed in the order they became non-empty, once each. */
    send_to (m2, "a");
    send_to (m1, "b");
    send_to (m2, "c");
    assert_true (fd_readable (fd));
    flux_readyset_clear (rs);
    assert_false (fd_readable (fd));
    assert_ptr_equal (flux_readyset_pop (rs), &arg2);
    assert_ptr_equal (flux_readyset_pop (rs), &arg1);
    assert_null (flux_readyset_pop (rs));

    /* Popped and not emptied: a message more lists nothing. */
    send_to (m1, "d");
    assert_false (fd_readable (fd));
    assert_null (flux_readyset_pop (rs));
    /* Emptied: the next message lists it again. */
    recv_all (b1, 2);
    send_to (m1, "e");
    assert_true (fd_readable (fd));
    flux_readyset_clear (rs);
    assert_ptr_equal (flux_readyset_pop (rs), &arg1);
    assert_null (flux_readyset_pop (rs));
    recv_all (b1, 1);
    recv_all (b2, 2);

    /* The broker's end sends to the module: that is not listed. */
    send_to (b1, "f");
    assert_false (fd_readable (fd));
    recv_all (m1, 1);

    /* A handle that joins holding messages is listed at once. */
    send_to (m3, "g");
    assert_int_equal (flux_readyset_add (rs, b3, &arg3), 0);
    assert_true (fd_readable (fd));
    flux_readyset_clear (rs);
    assert_ptr_equal (flux_readyset_pop (rs), &arg3);
    recv_all (b3, 1);

    /* Removed (even while listed), or closed, it is off the list. */
    send_to (m1, "h");
    send_to (m2, "i");
    flux_readyset_remove (rs, b1);
    flux_close (b2);
    flux_readyset_clear (rs);
    assert_null (flux_readyset_pop (rs));
    send_to (m1, "j");
    assert_false (fd_readable (fd));
    recv_all (b1, 2);
    assert_int_equal (flux_readyset_add (rs, b1, &arg1), 0);

    /* Destroyed by its owner while b1 and b3 are members: they go on. */
    flux_readyset_destroy (rs);
    send_to (m1, "k");
    send_to (m3, "l");
    recv_all (b1, 1);
    recv_all (b3, 1);
    flux_close (b1);
    flux_close (b3);
    assert_int_equal (fd_count (), base);

    flux_close (m1);
    flux_close (m2);
    flux_close (m3);
    flux_close (lp);
}

/* Many threads send on channels of one ready set: the reader, waking on
 * the set's fd alone, gets every message.
 */
#define RS_THREADS 4
#define RS_MSGS 20000

static void *rs_sender (void *arg)
{
    flux_t *h = arg;
    for (int i = 0; i < RS_MSGS; i++) {
        flux_msg_t *msg = flux_msg_create (FLUX_MSGTYPE_EVENT);
        if (!msg || flux_msg_set_topic (msg, "rs") < 0
            || flux_msg_set_seq (msg, i) < 0
            || flux_send_new (h, &msg, 0) < 0)
            return (void *)1;
        if (i % 1000 == 0)
            usleep (100); // let the reader empty the queue now and then
    }
    return NULL;
}

static void test_readyset_threads (void **state)
{
    flux_readyset_t *rs;
    flux_t *mod[RS_THREADS], *brk[RS_THREADS];
    uint32_t next[RS_THREADS] = { 0 };
    pthread_t t[RS_THREADS];
    int total = 0;
    (void)state;

    assert_non_null ((rs = flux_readyset_create ()));
    for (int i = 0; i < RS_THREADS; i++) {
        char uri[64];
        (void)snprintf (uri, sizeof (uri), "interthread://rst%d", i);
        assert_non_null ((mod[i] = flux_open (uri, 0)));
        assert_non_null ((brk[i] = flux_open (uri, 0)));
        assert_int_equal (flux_readyset_add (rs, brk[i], &next[i]), 0);
    }
    for (int i = 0; i < RS_THREADS; i++)
        assert_int_equal (pthread_create (&t[i], NULL, rs_sender, mod[i]), 0);
    while (total < RS_THREADS * RS_MSGS) {
        struct pollfd pfd = { .fd = flux_readyset_fd (rs), .events = POLLIN };
        uint32_t *nextp;
        /* A lost wakeup would hang here: fail after 10 s instead. */
        assert_int_equal (poll (&pfd, 1, 10000), 1);
        flux_readyset_clear (rs);
        while ((nextp = flux_readyset_pop (rs))) {
            int i = nextp - next;
            flux_msg_t *msg;
            while ((msg = flux_recv (brk[i], FLUX_MATCH_ANY,
                                     FLUX_O_NONBLOCK))) {
                uint32_t seq;
                assert_int_equal (flux_msg_get_seq (msg, &seq), 0);
                assert_int_equal (seq, next[i]);
                next[i]++;
                total++;
                flux_msg_destroy (msg);
            }
        }
    }
    for (int i = 0; i < RS_THREADS; i++) {
        void *result;
        assert_int_equal (pthread_join (t[i], &result), 0);
        assert_null (result);
        flux_close (mod[i]);
        flux_close (brk[i]);
    }
    flux_readyset_destroy (rs);
}

int main (void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test (test_cornercase),
        cmocka_unit_test (test_pairing),
        cmocka_unit_test (test_move),
        cmocka_unit_test (test_queue_counts),
        cmocka_unit_test (test_creds),
        cmocka_unit_test (test_creds_env),
        cmocka_unit_test (test_router),
        cmocka_unit_test (test_wakeup),
        cmocka_unit_test (test_same_thread_push),
        cmocka_unit_test (test_same_thread_push_from_prepare),
        cmocka_unit_test (test_watcher_fds),
        cmocka_unit_test (test_readyset),
        cmocka_unit_test (test_readyset_threads),
        cmocka_unit_test (test_pingpong),
        cmocka_unit_test (test_burst),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}

// vi:ts=4 sw=4 expandtab
