# SPDX-License-Identifier: LGPL-3.0-or-later
"""Requests all in flight at once, from Python.

Usage: aio_rate.py TOPIC COUNT
Sends COUNT requests to TOPIC without waiting, then waits for every
response (within WARMUP_TIMEOUT for the first, untimed one), and
prints one line: the count, the seconds from the first
send to the last response, and the rate.
"""

import sys
import time

import flux

WARMUP_TIMEOUT = 10.0


def main():
    if len(sys.argv) != 3:
        sys.exit("Usage: aio_rate.py TOPIC COUNT")
    topic, count = sys.argv[1], int(sys.argv[2])
    h = flux.Flux()
    # The module's first call is not measured.  A flux whose module
    # cannot serve TOPIC fails here, in seconds, rather than hanging.
    h.rpc(topic).wait_for(WARMUP_TIMEOUT).get()
    start = time.perf_counter()
    futures = [h.rpc(topic) for _ in range(count)]
    for f in futures:
        f.get()
    elapsed = time.perf_counter() - start
    print(f"{topic} {count} requests {elapsed:.3f} s "
          f"{count / elapsed:.0f} req/s", flush=True)


if __name__ == "__main__":
    main()
