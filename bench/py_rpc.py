# SPDX-License-Identifier: LGPL-3.0-or-later
"""The cost of one RPC round trip made from Python with flux.Flux.

Usage: py_rpc.py TOPIC COUNT
Sends COUNT requests to TOPIC one after the other, h.rpc(TOPIC, {}).get()
each (the path a flux-core script takes), after 200 untimed ones, and
prints the mean time per round trip and the rate.
"""

import sys
import time

import flux


def main():
    topic, count = sys.argv[1], int(sys.argv[2])
    h = flux.Flux()
    for _ in range(200):
        h.rpc(topic, {}).get()
    start = time.perf_counter()
    for _ in range(count):
        h.rpc(topic, {}).get()
    elapsed = time.perf_counter() - start
    print(f"python rpc {topic}: {count} round trips, "
          f"{elapsed / count * 1e6:.1f} us each, {count / elapsed:.0f}/s")


if __name__ == "__main__":
    main()
