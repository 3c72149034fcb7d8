#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# Median time of `flux module load echo.py` + `flux module remove echo`,
# and the same for the C module echo_c.so, over N cycles (the first load,
# which starts the interpreter, is reported apart).
# Usage: module-load.sh [N]   (default 100)
. "$(dirname "$0")/bench-lib.sh"
bench_under_flux "$@"
n=${1:-100}
set -e

cycle() {
    t0=$(bench_now)
    flux module load "$1"
    flux module remove "$2"
    t1=$(bench_now)
    bench_calc "$t1 - $t0"
}

echo "# module load + remove, median of $n cycles"
first=$(cycle "$BENCH_SRC/echo.py" echo)
printf "first Python load+remove (starts the interpreter): %.1f ms\n" \
    "$(bench_calc "$first * 1000")"
for spec in "$BENCH_SRC/echo.py echo" "$BENCH_BUILD/echo_c.so echo_c"; do
    set -- $spec
    i=0
    : >"${TMPDIR:-/tmp}/bench-load.$$"
    while test $i -lt "$n"; do
        cycle "$1" "$2" >>"${TMPDIR:-/tmp}/bench-load.$$"
        i=$((i + 1))
    done
    median=$(bench_median <"${TMPDIR:-/tmp}/bench-load.$$")
    printf "%-10s load+remove median: %.1f ms\n" "$2" \
        "$(bench_calc "$median * 1000")"
done
rm -f "${TMPDIR:-/tmp}/bench-load.$$"
