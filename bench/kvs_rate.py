# SPDX-License-Identifier: LGPL-3.0-or-later
"""KVS throughput from Python, on flux-core's flux.kvs API only.

Usage: kvs_rate.py [--clients N] [--seconds S] [--label TEXT] MODE
  MODE put1    one key per commit: flux.kvs.put + flux.kvs.commit
       put100  100 keys per commit
       get     lookups: flux.kvs.get of keys written beforehand

Runs N client processes (default 1), each with a handle of its own and
keys of its own, for S seconds (default 3) from a common start time, and
prints one line: operations, seconds, and the rate summed over the
clients.  Only flux.Flux, flux.kvs.put/commit/get are used, so that the
same script measures flux-core's instance (under flux-core's
`flux python`) and ours.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import flux
import flux.kvs

KEYS_PER_CLIENT = 100


def key(client, i):
    return f"bench.c{client}.k{i % KEYS_PER_CLIENT}"


def put_batch(h, client, seq, nkeys):
    for j in range(nkeys):
        flux.kvs.put(h, key(client, seq * nkeys + j), seq)
    flux.kvs.commit(h)


def worker(mode, client, start, seconds):
    """One client: wait for START, run MODE until START + SECONDS."""
    h = flux.Flux()
    nkeys = 100 if mode == "put100" else 1
    if mode == "get":
        # The keys to read exist before the clock starts.
        for i in range(KEYS_PER_CLIENT):
            flux.kvs.put(h, key(client, i), i)
        flux.kvs.commit(h)
    # A few untimed operations, so that connecting and first-use costs
    # stay out of the figure.
    for i in range(20):
        if mode == "get":
            flux.kvs.get(h, key(client, i))
        else:
            put_batch(h, client, i, nkeys)
    while time.time() < start:
        time.sleep(0.001)
    end = start + seconds
    ops = 0
    while time.time() < end:
        if mode == "get":
            value = flux.kvs.get(h, key(client, ops))
            if value != ops % KEYS_PER_CLIENT:
                sys.exit(f"client {client}: {key(client, ops)} is {value!r}")
        else:
            put_batch(h, client, ops, nkeys)
        ops += 1
    print(json.dumps({"ops": ops, "elapsed": time.time() - start}),
          flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=1)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--label", default="")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    p.add_argument("--start", type=float, help=argparse.SUPPRESS)
    p.add_argument("mode", choices=["put1", "put100", "get"])
    args = p.parse_args()
    if args.worker is not None:
        worker(args.mode, args.worker, args.start, args.seconds)
        return
    # Processes, not threads: each client is a process of its own, as
    # concurrent users of an instance are.  The common start time leaves
    # them time to connect and warm up first.
    start = time.time() + 1.0 + 0.2 * args.clients
    procs = [subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--worker", str(i),
         "--start", repr(start), "--seconds", str(args.seconds), args.mode],
        stdout=subprocess.PIPE, text=True) for i in range(args.clients)]
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        if proc.returncode != 0:
            sys.exit(f"kvs_rate: a client failed (exit {proc.returncode})")
        results.append(json.loads(out))
    ops = sum(r["ops"] for r in results)
    elapsed = max(r["elapsed"] for r in results)
    what = {"put1": "commits (1 key)", "put100": "commits (100 keys)",
            "get": "lookups"}[args.mode]
    label = f"{args.label} " if args.label else ""
    line = (f"kvs {label}{args.mode} clients={args.clients}: {ops} {what} "
            f"in {elapsed:.2f} s, {ops / elapsed:.0f}/s")
    if args.mode == "put100":
        line += f" ({ops * 100 / elapsed:.0f} keys/s)"
    print(line, flush=True)


if __name__ == "__main__":
    main()
