/* SPDX-License-Identifier: LGPL-3.0-or-later */
/* rpc_rate: RPC throughput from a client to a service.
 *
 * Usage: rpc_rate TOPIC COUNT WINDOW
 * Sends COUNT requests to TOPIC with at most WINDOW outstanding (1 is
 * sequential: each request waits for the previous response) and prints
 * one line: the rate, and the mean round-trip time per request.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <flux/core.h>

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
    if (!(ring = calloc (window, sizeof (*ring)))) {
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
            sent++;
        }
        if (flux_rpc_get (ring[done % window], NULL) < 0) {
            fprintf (stderr, "rpc_rate: %s: %s\n", topic, strerror (errno));
            return 1;
        }
        flux_future_destroy (ring[done % window]);
        done++;
    }
    t = now () - t0;
    printf ("%-24s window=%-3ld %7ld requests %8.3f s %10.0f req/s"
            " %8.1f us/req\n", topic, window, count, t, count / t,
            t / count * 1e6);
    free (ring);
    flux_close (h);
    return 0;
}

/*
 * vi:tabstop=4 shiftwidth=4 expandtab
 */
