# SPDX-License-Identifier: LGPL-3.0-or-later
"""Reload under load: a module reloaded again and again while a client
keeps requests to it in flight, then what the client saw.

Usage: reload.py [--reloads N] [--window W] [--json FILE] PATH
(--reloads 0: the same load for a second with no reload, for comparison)
(run inside an instance; PATH is a module file answering NAME.get, as
bench/reloadmod.py does; NAME is its basename).

The module is loaded, then reloaded N times with `flux module reload
PATH`, one after another, as a user would, while one client thread keeps
W requests to NAME.get in flight on its own handle.  Each answer carries
the instance's count of requests, handed from instance to instance by
state_export() and state_import(), so a lost request or a lost state
shows as a gap.  Prints, and writes as JSON with --json:

  reloads         reloads done
  reload_ms       the reload command's wall time: median, max
  requests        requests answered; errors: answered with an error
  latency_ms      request latency overall: p50, p99, max
  delayed         requests answered later than 10x the median
  count_ok        the module's count equals the requests it answered

Exits 1 if any request failed or the count is off.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

import flux


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return sorted_values[i]


class Load(threading.Thread):
    """W requests in flight to TOPIC until stopped."""

    def __init__(self, topic, window):
        super().__init__(daemon=True)
        self.topic = topic
        self.window = window
        self.stopping = False
        self.latencies = []
        self.errors = []
        self.last_count = 0
        self.h = flux.Flux()

    def run(self):
        inflight = 0

        def done(f, t0):
            nonlocal inflight
            inflight -= 1
            try:
                count = f.get()["count"]
                self.last_count = max(self.last_count, count)
                self.latencies.append(time.perf_counter() - t0)
            except OSError as exc:
                self.errors.append(f"{exc.errno}: {exc.strerror}")
            if not self.stopping:
                send()
            elif inflight == 0:
                self.h.reactor_stop()

        def send():
            nonlocal inflight
            inflight += 1
            self.h.rpc(self.topic).then(done, time.perf_counter())

        for _ in range(self.window):
            send()
        self.h.reactor_run()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reloads", type=int, default=100)
    ap.add_argument("--window", type=int, default=8)
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("path")
    args = ap.parse_args()
    path = os.path.abspath(args.path)
    name = os.path.basename(path).split(".")[0]
    subprocess.run(["flux", "module", "load", path], check=True)
    load = Load(f"{name}.get", args.window)
    load.start()
    time.sleep(0.2)
    reload_times = []
    for _ in range(args.reloads):
        t0 = time.perf_counter()
        subprocess.run(["flux", "module", "reload", path], check=True)
        reload_times.append(time.perf_counter() - t0)
    if not reload_times:
        time.sleep(1.0)
    time.sleep(0.2)
    load.stopping = True
    load.join(timeout=60)
    final = flux.Flux().rpc(f"{name}.get").get()["count"]
    subprocess.run(["flux", "module", "remove", name], check=True)

    lat = sorted(load.latencies)
    median = statistics.median(lat) if lat else 0.0
    answered = len(lat)
    result = {
        "reloads": len(reload_times),
        "reload_ms": ({"median": statistics.median(reload_times) * 1e3,
                       "max": max(reload_times) * 1e3}
                      if reload_times else None),
        "requests": answered,
        "errors": len(load.errors),
        "error_texts": sorted(set(load.errors))[:10],
        "latency_ms": {"p50": median * 1e3,
                       "p99": percentile(lat, 0.99) * 1e3,
                       "max": (lat[-1] if lat else 0.0) * 1e3},
        "delayed": sum(1 for t in lat if t > 10 * median),
        # the final request is one more than the client's
        "count_ok": final == answered + 1,
    }
    print(json.dumps(result, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0 if result["errors"] == 0 and result["count_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
