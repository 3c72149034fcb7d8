#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# `flux ping -c N -i 0` to the broker, to a C module and to a Python
# module (whose ping method is libflux's, run on the module's thread).
# Usage: ping.sh [N]   (default 1000)
. "$(dirname "$0")/bench-lib.sh"
bench_under_flux "$@"
n=${1:-1000}
set -e
flux module load "$BENCH_BUILD/echo_c.so"
flux module load "$BENCH_SRC/echo.py"
echo "# flux ping -c $n -i 0"
for target in broker echo_c echo; do
    t0=$(bench_now)
    flux ping -c "$n" -i 0 "$target" >/dev/null
    t1=$(bench_now)
    printf "%-8s %8.3f s total %8.1f us/ping\n" "$target" \
        "$(bench_calc "$t1 - $t0")" \
        "$(bench_calc "($t1 - $t0) * 1000000 / $n")"
done
flux module remove echo
flux module remove echo_c
