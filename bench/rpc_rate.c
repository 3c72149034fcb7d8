/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* rpc_rate: RPC throughput from a client to a service.
 *
 * Usage: rpc_rate TOPIC[,TOPIC...] COUNT WINDOW
 * Sends COUNT requests to TOPIC with at most WINDOW outstanding (1 is
 * sequential: each request waits for the previous response), after a
 * few untimed ones, and prints one line: the rate, the mean time per
 * request, and the median and 99th percentile of the time from each
 * request's send to its response.
 *
 * With several topics, one client process per topic, each on a handle
 * of its own, sends COUNT requests to its topic; the clients start
 * together, and the line gives the total rate (all requests over the
 * time until the last client is done) and the percentiles over all
 * requests.  The connection is flux_open (NULL): FLUX_URI names the
 * instance, ours or another that speaks the same protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <flux/core.h>

#define WARMUP 200

static int cmp_double (const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die (const char *topic, const char *what)
{
    fprintf (stderr, "rpc_rate: %s: %s: %s\n", topic, what, strerror (errno));
    exit (1);
}

/* Send count requests to topic, at most window outstanding, and store
 * each one's round trip in latency[] (count of them).
 */
static void run (flux_t *h, const char *topic, long count, long window,
                 double *latency)
{
    flux_future_t **ring;
    double *sent_at;
    long sent = 0, done = 0;

    if (!(ring = calloc (window, sizeof (*ring)))
        || !(sent_at = calloc (window, sizeof (*sent_at))))
        die (topic, "calloc");
    while (done < count) {
        while (sent < count && sent - done < window) {
            sent_at[sent % window] = now ();
            if (!(ring[sent % window] = flux_rpc (h, topic, "{}",
                                                  FLUX_NODEID_ANY, 0)))
                die (topic, "flux_rpc");
            sent++;
        }
        if (flux_rpc_get (ring[done % window], NULL) < 0)
            die (topic, "response");
        if (latency)
            latency[done] = now () - sent_at[done % window];
        flux_future_destroy (ring[done % window]);
        done++;
    }
    free (sent_at);
    free (ring);
}

static flux_t *open_warm (const char *topic)
{
    flux_t *h;

    if (!(h = flux_open (NULL, 0)))
        die (topic, "flux_open");
    run (h, topic, WARMUP, 1, NULL);
    return h;
}

/* Write or read exactly len bytes of a pipe. */
static void pipe_xfer (int fd, void *buf, size_t len, int out)
{
    char *p = buf;

    while (len > 0) {
        ssize_t n = out ? write (fd, p, len) : read (fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf (stderr, "rpc_rate: a client went away\n");
            exit (1);
        }
        p += n;
        len -= n;
    }
}

/* One client per topic, each a process: it connects and warms up, says
 * so on the ready pipe, waits for the go pipe to close (all start at
 * once), runs, and sends its end time and latencies back on its own
 * result pipe.  Returns the time from go to the last client's end in
 * the parent, and -1 in a client once it is done (main then frees what
 * the client inherited and exits).
 */
static double run_many (char **topics, int n, long count, long window,
                        double *latency)
{
    int ready[2], go[2], (*result)[2];
    pid_t *pids;
    double t0, end, last = 0;
    char c;

    if (!(result = calloc (n, sizeof (*result)))
        || !(pids = calloc (n, sizeof (*pids))))
        die (topics[0], "calloc");
    if (pipe (ready) < 0 || pipe (go) < 0)
        die (topics[0], "pipe");
    for (int i = 0; i < n; i++) {
        if (pipe (result[i]) < 0)
            die (topics[i], "pipe");
        if ((pids[i] = fork ()) < 0)
            die (topics[i], "fork");
        if (pids[i] == 0) {
            flux_t *h = open_warm (topics[i]);
            close (go[1]);
            pipe_xfer (ready[1], "r", 1, 1);
            if (read (go[0], &c, 1) != 0) {
                fprintf (stderr, "rpc_rate: unexpected start signal\n");
                _exit (1);
            }
            run (h, topics[i], count, window, latency);
            end = now ();
            pipe_xfer (result[i][1], &end, sizeof (end), 1);
            pipe_xfer (result[i][1], latency, count * sizeof (*latency), 1);
            flux_close (h);
            free (pids);
            free (result);
            return -1;
        }
        close (result[i][1]);
    }
    close (ready[1]);
    close (go[0]);
    for (int i = 0; i < n; i++)
        pipe_xfer (ready[0], &c, 1, 0);
    t0 = now ();
    close (go[1]);
    for (int i = 0; i < n; i++) {
        int status;
        pipe_xfer (result[i][0], &end, sizeof (end), 0);
        pipe_xfer (result[i][0], latency + i * count,
                   count * sizeof (*latency), 0);
        close (result[i][0]);
        if (end > last)
            last = end;
        if (waitpid (pids[i], &status, 0) < 0 || status != 0) {
            fprintf (stderr, "rpc_rate: client %s failed\n", topics[i]);
            exit (1);
        }
    }
    close (ready[0]);
    free (pids);
    free (result);
    return last - t0;
}

int main (int argc, char *argv[])
{
    char *list, *topic, *save = NULL, **topics = NULL;
    int n = 0;
    long count, window, total;
    double *latency, t;

    if (argc != 4 || (count = atol (argv[2])) <= 0
        || (window = atol (argv[3])) <= 0) {
        fprintf (stderr, "Usage: rpc_rate TOPIC[,TOPIC...] COUNT WINDOW\n");
        return 2;
    }
    if (!(list = strdup (argv[1])))
        die (argv[1], "strdup");
    for (topic = strtok_r (list, ",", &save); topic;
         topic = strtok_r (NULL, ",", &save)) {
        char **tmp = realloc (topics, (n + 1) * sizeof (*topics));
        if (!tmp)
            die (argv[1], "realloc");
        topics = tmp;
        topics[n++] = topic;
    }
    if (n == 0) {
        fprintf (stderr, "rpc_rate: no topic\n");
        return 2;
    }
    total = count * n;
    if (!(latency = calloc (total, sizeof (*latency))))
        die (argv[1], "calloc");
    if (n == 1) {
        flux_t *h = open_warm (topics[0]);
        double t0 = now ();
        run (h, topics[0], count, window, latency);
        t = now () - t0;
        flux_close (h);
    }
    else if ((t = run_many (topics, n, count, window, latency)) < 0) {
        free (latency);
        free (topics);
        free (list);
        return 0;
    }
    qsort (latency, total, sizeof (*latency), cmp_double);
    printf ("%-24s window=%-3ld %7ld requests %8.3f s %10.0f req/s"
            " %8.1f us/req  p50 %.1f us  p99 %.1f us\n",
            n == 1 ? topics[0] : "(clients)", window, total, t, total / t,
            t / total * 1e6, latency[total / 2] * 1e6,
            latency[total * 99 / 100] * 1e6);
    free (latency);
    free (topics);
    free (list);
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
