/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* rpc_rate: RPC throughput from a client to a service.
 *
 * Usage: rpc_rate TOPIC COUNT WINDOW
 * Sends COUNT requests to TOPIC with at most WINDOW outstanding (1 is
 * sequential: each request waits for the previous response) and prints
 * one line: the rate, the mean time per request, and the median and
 * 99th percentile of the time from each request's send to its response.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <flux/core.h>

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

int main (int argc, char *argv[])
{
    flux_t *h;
    flux_future_t **ring;
    double *sent_at, *latency;
    const char *topic;
    long count, window, sent = 0, done = 0;
    double t0, t;

    if (argc != 4 || (count = atol (argv[2])) <= 0
        || (window = atol (argv[3])) <= 0) {
        fprintf (stderr, "Usage: rpc_rate TOPIC COUNT WINDOW\n");
        return 2;
    }
    topic = argv[1];
    if (!(h = flux_open (NULL, 0))) {
        fprintf (stderr, "rpc_rate: flux_open: %s\n", strerror (errno));
        return 1;
    }
    if (!(ring = calloc (window, sizeof (*ring)))
        || !(sent_at = calloc (window, sizeof (*sent_at)))
        || !(latency = calloc (count, sizeof (*latency)))) {
        fprintf (stderr, "rpc_rate: out of memory\n");
        return 1;
    }
    t0 = now ();
    while (done < count) {
        while (sent < count && sent - done < window) {
            if (!(ring[sent % window] = flux_rpc (h, topic, "{}",
                                                  FLUX_NODEID_ANY, 0))) {
                fprintf (stderr, "rpc_rate: %s: %s\n", topic,
                         strerror (errno));
                return 1;
            }
            sent_at[sent % window] = now ();
            sent++;
        }
        if (flux_rpc_get (ring[done % window], NULL) < 0) {
            fprintf (stderr, "rpc_rate: %s: %s\n", topic, strerror (errno));
            return 1;
        }
        latency[done] = now () - sent_at[done % window];
        flux_future_destroy (ring[done % window]);
        done++;
    }
    t = now () - t0;
    qsort (latency, count, sizeof (*latency), cmp_double);
    printf ("%-24s window=%-3ld %7ld requests %8.3f s %10.0f req/s"
            " %8.1f us/req  p50 %.1f us  p99 %.1f us\n",
            topic, window, count, t, count / t, t / count * 1e6,
            latency[count / 2] * 1e6, latency[count * 99 / 100] * 1e6);
    free (latency);
    free (sent_at);
    free (ring);
    flux_close (h);
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
