/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* floor: the fastest a request/response exchange between two processes
 * can go on this machine, to read the RPC rates of rpc_rate against.
 *
 * Usage: floor MODE COUNT WINDOW
 *   MODE  ipc  a server process answers each 64-byte request on an
 *              AF_UNIX stream socket itself
 *         hop  the server's main thread reads the socket and hands each
 *              request to a worker thread, which hands the answer back
 *              (a queue and an eventfd each way): the path our broker
 *              gives a request to a module, without the routing
 * Sends COUNT requests with at most WINDOW outstanding and prints one
 * line in rpc_rate's format, with the median and 99th percentile of the
 * round trips.  Messages are fixed-size and never framed
 * or decoded: nothing here is work the broker could avoid.
 *
 * The client waits as libflux's local connector does, so that the floor
 * stays a floor: with one request in flight it polls the socket for up
 * to FLUX_LOCAL_SPIN_US (default 50 us, 0 off) before it sleeps in
 * read(); with more in flight it just sleeps.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define MSGSIZE 64

static double now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void die (const char *what)
{
    fprintf (stderr, "floor: %s: %s\n", what, strerror (errno));
    exit (1);
}

/* Read or write exactly len bytes; false at end of file. */
static bool xfer (int fd, void *buf, size_t len, bool out)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = out ? write (fd, p, len) : read (fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die (out ? "write" : "read");
        if (n == 0)
            return false;
        p += n;
        len -= n;
    }
    return true;
}

/* A one-slot-per-message handoff between two threads: the slots are a
 * ring as deep as the window, the eventfd counts what was posted.
 */
struct handoff {
    int efd;
    pthread_mutex_t lock;
    char (*ring)[MSGSIZE];
    long size, head, tail;
};

static void handoff_init (struct handoff *q, long size)
{
    if ((q->efd = eventfd (0, 0)) < 0)
        die ("eventfd");
    pthread_mutex_init (&q->lock, NULL);
    if (!(q->ring = calloc (size, MSGSIZE)))
        die ("calloc");
    q->size = size;
    q->head = q->tail = 0;
}

static void handoff_post (struct handoff *q, const char *msg)
{
    uint64_t one = 1;

    pthread_mutex_lock (&q->lock);
    memcpy (q->ring[q->tail++ % q->size], msg, MSGSIZE);
    pthread_mutex_unlock (&q->lock);
    if (write (q->efd, &one, sizeof (one)) != sizeof (one))
        die ("eventfd write");
}

/* Wait for at least one message; take them all into out (at most size),
 * return how many.
 */
static long handoff_take (struct handoff *q, char (*out)[MSGSIZE])
{
    uint64_t n;
    long got = 0;

    if (read (q->efd, &n, sizeof (n)) != sizeof (n))
        die ("eventfd read");
    pthread_mutex_lock (&q->lock);
    while (q->head < q->tail)
        memcpy (out[got++], q->ring[q->head++ % q->size], MSGSIZE);
    pthread_mutex_unlock (&q->lock);
    return got;
}

struct hop {
    struct handoff in;      /* main thread -> worker */
    struct handoff out;     /* worker -> main thread */
    long window;
};

static void *worker (void *arg)
{
    struct hop *hop = arg;
    char (*batch)[MSGSIZE] = calloc (hop->window, MSGSIZE);

    if (!batch)
        die ("calloc");
    for (;;) {
        long n = handoff_take (&hop->in, batch);
        for (long i = 0; i < n; i++) {
            if (batch[i][0] == 'q') {
                free (batch);
                return NULL;
            }
            batch[i][1] = 'r';   /* the "handler" */
            handoff_post (&hop->out, batch[i]);
        }
    }
}

/* The socket side of the hop server: its main thread polls the socket
 * and the worker's eventfd, as the broker's reactor does.
 */
static void serve_hop (int fd, long window)
{
    struct hop hop = { .window = window };
    char (*batch)[MSGSIZE];
    pthread_t t;

    handoff_init (&hop.in, window + 1);
    handoff_init (&hop.out, window + 1);
    if (!(batch = calloc (window + 1, MSGSIZE)))
        die ("calloc");
    if (pthread_create (&t, NULL, worker, &hop) != 0)
        die ("pthread_create");
    for (;;) {
        fd_set rd;
        FD_ZERO (&rd);
        FD_SET (fd, &rd);
        FD_SET (hop.out.efd, &rd);
        int max = fd > hop.out.efd ? fd : hop.out.efd;
        if (select (max + 1, &rd, NULL, NULL, NULL) < 0) {
            if (errno == EINTR)
                continue;
            die ("select");
        }
        if (FD_ISSET (hop.out.efd, &rd)) {
            long n = handoff_take (&hop.out, batch);
            for (long i = 0; i < n; i++)
                (void)xfer (fd, batch[i], MSGSIZE, true);
        }
        if (FD_ISSET (fd, &rd)) {
            char msg[MSGSIZE];
            if (!xfer (fd, msg, MSGSIZE, false)) {
                msg[0] = 'q';
                handoff_post (&hop.in, msg);
                break;
            }
            handoff_post (&hop.in, msg);
        }
    }
    pthread_join (t, NULL);
    free (batch);
}

static void serve_ipc (int fd)
{
    char msg[MSGSIZE];

    while (xfer (fd, msg, MSGSIZE, false)) {
        msg[1] = 'r';
        (void)xfer (fd, msg, MSGSIZE, true);
    }
}

/* As libflux/connector_local.c: poll without sleeping for up to us
 * microseconds, yielding the CPU between polls.
 */
static void spin_readable (int fd, long us)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    double t0 = now ();

    while (poll (&pfd, 1, 0) == 0 && (now () - t0) * 1e6 < us)
        (void)sched_yield ();
}

static long spin_us_get (void)
{
    const char *s = getenv ("FLUX_LOCAL_SPIN_US");
    char *end;
    long us;

    if (s && *s) {
        us = strtol (s, &end, 10);
        if (*end == '\0' && us >= 0 && us <= 100000)
            return us;
    }
    return 50;
}

int main (int argc, char *argv[])
{
    int sv[2];
    long count, window, sent = 0, done = 0;
    bool hop;
    char msg[MSGSIZE] = "x";
    pid_t pid;
    double t0, t, *sent_at, *latency;
    long spin_us = spin_us_get ();

    if (argc != 4 || (strcmp (argv[1], "ipc") && strcmp (argv[1], "hop"))
        || (count = atol (argv[2])) <= 0 || (window = atol (argv[3])) <= 0) {
        fprintf (stderr, "Usage: floor ipc|hop COUNT WINDOW\n");
        return 2;
    }
    hop = !strcmp (argv[1], "hop");
    if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv) < 0)
        die ("socketpair");
    if ((pid = fork ()) < 0)
        die ("fork");
    if (pid == 0) {
        close (sv[0]);
        if (hop)
            serve_hop (sv[1], window);
        else
            serve_ipc (sv[1]);
        _exit (0);
    }
    close (sv[1]);
    /* Requests are answered in order, so a ring of send times as deep as
     * the window tells each answer's round trip.
     */
    if (!(sent_at = calloc (window, sizeof (*sent_at)))
        || !(latency = calloc (count, sizeof (*latency))))
        die ("calloc");
    t0 = now ();
    while (done < count) {
        while (sent < count && sent - done < window) {
            sent_at[sent % window] = now ();
            (void)xfer (sv[0], msg, MSGSIZE, true);
            sent++;
        }
        if (sent - done == 1 && spin_us > 0)
            spin_readable (sv[0], spin_us);
        if (!xfer (sv[0], msg, MSGSIZE, false) || msg[1] != 'r') {
            fprintf (stderr, "floor: the server went away\n");
            return 1;
        }
        msg[1] = '\0';
        latency[done] = now () - sent_at[done % window];
        done++;
    }
    t = now () - t0;
    close (sv[0]);
    (void)waitpid (pid, NULL, 0);
    qsort (latency, count, sizeof (*latency), cmp_double);
    printf ("%-24s window=%-3ld %7ld requests %8.3f s %10.0f req/s"
            " %8.1f us/req  p50 %.1f us  p99 %.1f us\n",
            hop ? "floor (one thread hop)" : "floor (AF_UNIX)",
            window, count, t, count / t, t * 1e6 / count,
            latency[count / 2] * 1e6, latency[count * 99 / 100] * 1e6);
    free (latency);
    free (sent_at);
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
