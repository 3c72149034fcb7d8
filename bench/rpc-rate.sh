#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# RPC rate from a client to a trivial handler, in the broker itself
# (broker.ping), a Python module (echo.py) and a C module (echo_c.so),
# sequential (window 1) and with 8, 64 and 256 requests in flight,
# after the machine's floor for the same exchange without Flux
# (floor.c: two processes, and with one thread hop in the server).
# Usage: rpc-rate.sh [COUNT]   (default 20000)
. "$(dirname "$0")/bench-lib.sh"
bench_under_flux "$@"
count=${1:-20000}
set -e
flux module load "$BENCH_SRC/echo.py"
flux module load "$BENCH_BUILD/echo_c.so"
echo "# RPC rate: $count requests per run"
for window in 1 8 64 256; do
    "$BENCH_BUILD/floor" ipc "$count" $window
    "$BENCH_BUILD/floor" hop "$count" $window
    "$BENCH_BUILD/rpc_rate" broker.ping "$count" $window
    "$BENCH_BUILD/rpc_rate" echo.echo "$count" $window
    "$BENCH_BUILD/rpc_rate" echo_c.echo "$count" $window
done
flux module remove echo_c
flux module remove echo
