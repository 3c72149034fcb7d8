#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# `flux ping -c N -i 0` to the broker, to a C module and to a Python
# module (whose ping method is libflux's, run on the module's thread):
# the round-trip time of each reply (min/avg/max, from the time= each
# reply line prints) and the wall time of the whole run.  With -i 0,
# flux ping sends without waiting for replies, so requests overlap.
# Usage: ping.sh [N]   (default 1000)
. "$(dirname "$0")/bench-lib.sh"
bench_under_flux "$@"
n=${1:-1000}
set -e
flux module load "$BENCH_BUILD/echo_c.so"
flux module load "$BENCH_SRC/echo.py"
out=$(mktemp)
echo "# flux ping -c $n -i 0"
for target in broker echo_c echo; do
    t0=$(bench_now)
    flux ping -c "$n" -i 0 "$target" >"$out"
    t1=$(bench_now)
    rtt=$(sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$out" |
        awk '{ s += $1; if (NR == 1 || $1 < min) min = $1;
               if ($1 > max) max = $1 }
             END { printf "%d replies  rtt min/avg/max = %.3f/%.3f/%.3f ms",
                   NR, min, s / NR, max }')
    printf "%-8s %s  (%.3f s total)\n" "$target" "$rtt" \
        "$(bench_calc "$t1 - $t0")"
done
rm -f "$out"
flux module remove echo
flux module remove echo_c
