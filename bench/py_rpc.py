# SPDX-License-Identifier: LGPL-3.0-or-later
"""RPC round trips made from Python with flux.Flux.

Usage: py_rpc.py [RANK!]TOPIC COUNT [WINDOW]
Sends COUNT requests to TOPIC, h.rpc(TOPIC, {}) (to rank RANK of the
instance if given, as flux ping's RANK!TOPIC), with at most WINDOW
futures in flight (default 1: each request waits for the previous
response, the path a flux-core script takes), after 200 untimed ones,
and prints one line in rpc_rate's format: the rate, the mean time per
request, and the median and 99th percentile of each round trip.  Only
flux.Flux, Flux.rpc and Future.get are used, so that the same script
runs under flux-core's `flux python`.
"""

import collections
import sys
import time

import flux

WARMUP = 200


def run(h, topic, count, window, latency=None, nodeid=None):
    """Keep window requests in flight; get them in the order sent."""
    inflight = collections.deque()
    sent = 0
    kwargs = {} if nodeid is None else {"nodeid": nodeid}
    while sent < count or inflight:
        while sent < count and len(inflight) < window:
            inflight.append((time.perf_counter(), h.rpc(topic, {}, **kwargs)))
            sent += 1
        start, future = inflight.popleft()
        future.get()
        if latency is not None:
            latency.append(time.perf_counter() - start)


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("Usage: py_rpc.py [RANK!]TOPIC COUNT [WINDOW]")
    topic, count = sys.argv[1], int(sys.argv[2])
    window = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    nodeid = None
    if "!" in topic:
        rank, topic = topic.split("!", 1)
        nodeid = int(rank)
    h = flux.Flux()
    run(h, topic, WARMUP, 1, nodeid=nodeid)
    latency = []
    start = time.perf_counter()
    run(h, topic, count, window, latency, nodeid=nodeid)
    elapsed = time.perf_counter() - start
    latency.sort()
    print(f"{topic:<24} window={window:<3} {count:7} requests "
          f"{elapsed:8.3f} s {count / elapsed:10.0f} req/s "
          f"{elapsed / count * 1e6:8.1f} us/req  "
          f"p50 {latency[count // 2] * 1e6:.1f} us  "
          f"p99 {latency[count * 99 // 100] * 1e6:.1f} us")


if __name__ == "__main__":
    main()
