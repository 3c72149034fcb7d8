# SPDX-License-Identifier: LGPL-3.0-or-later
"""Load or remove many modules at once, for bench/run's memory rows.

Usage: modules.py load PATH PREFIX FIRST LAST
       modules.py remove PREFIX FIRST LAST
load sends module.load for PATH under the names PREFIX<FIRST> up to
PREFIX<LAST - 1>, WINDOW requests in flight, then one NAME.ping to
each (every module answers); remove sends module.remove for each.
Prints one JSON object: the seconds the loads (or removes) took, and
the seconds the pings took.  The payloads are flux-core's (path, args,
name; name), and only flux.Flux, Flux.rpc and Future.get are used, so
the same script runs under flux-core's `flux python`.
"""

import collections
import json
import sys
import time

import flux

WINDOW = 8


def pipelined(h, requests):
    """Send (topic, payload) requests, WINDOW in flight; get each."""
    inflight = collections.deque()
    for topic, payload in requests:
        if len(inflight) >= WINDOW:
            inflight.popleft().get()
        inflight.append(h.rpc(topic, payload))
    while inflight:
        inflight.popleft().get()


def main():
    h = flux.Flux()
    op = sys.argv[1] if len(sys.argv) > 1 else ""
    if op == "load" and len(sys.argv) == 6:
        path, prefix = sys.argv[2], sys.argv[3]
        names = [f"{prefix}{i}"
                 for i in range(int(sys.argv[4]), int(sys.argv[5]))]
        start = time.perf_counter()
        pipelined(h, (("module.load",
                       {"path": path, "args": [], "name": name})
                      for name in names))
        loaded = time.perf_counter()
        pipelined(h, ((f"{name}.ping", {}) for name in names))
        pinged = time.perf_counter()
        print(json.dumps({"seconds": loaded - start,
                          "ping_seconds": pinged - loaded}))
    elif op == "remove" and len(sys.argv) == 5:
        prefix = sys.argv[2]
        names = [f"{prefix}{i}"
                 for i in range(int(sys.argv[3]), int(sys.argv[4]))]
        start = time.perf_counter()
        pipelined(h, (("module.remove", {"name": name}) for name in names))
        print(json.dumps({"seconds": time.perf_counter() - start}))
    else:
        sys.exit("Usage: modules.py load PATH PREFIX FIRST LAST\n"
                 "       modules.py remove PREFIX FIRST LAST")


if __name__ == "__main__":
    main()
