#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# RPC round trips made from a Python client (bench/py_rpc.py), to the
# broker itself and to a trivial handler in a Python module (echo.py):
# what the flux Python package costs per call.
# Usage: py-rpc.sh [COUNT]   (default 5000)
. "$(dirname "$0")/bench-lib.sh"
bench_under_flux "$@"
count=${1:-5000}
set -e
flux module load "$BENCH_SRC/echo.py"
flux python "$BENCH_SRC/py_rpc.py" broker.ping "$count"
flux python "$BENCH_SRC/py_rpc.py" echo.echo "$count"
flux module remove echo
