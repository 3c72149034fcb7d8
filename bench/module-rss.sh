#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# Broker memory per loaded Python module: RSS after the first Python
# module (the interpreter), then the growth per module with N more loaded.
# Usage: module-rss.sh [N]   (default 10)
. "$(dirname "$0")/bench-lib.sh"
bench_under_flux "$@"
n=${1:-10}
set -e
base=$(bench_rss_kb)
flux module load --name echo0 "$BENCH_SRC/echo.py"
flux ping -c 1 echo0 >/dev/null
one=$(bench_rss_kb)
i=1
while test $i -le "$n"; do
    flux module load --name echo$i "$BENCH_SRC/echo.py"
    flux ping -c 1 echo$i >/dev/null
    i=$((i + 1))
done
all=$(bench_rss_kb)
echo "# broker RSS (VmRSS)"
echo "broker without Python:            $base kB"
echo "with one Python module:           $one kB (+$((one - base)) kB, the interpreter)"
echo "with $((n + 1)) Python modules:          $all kB"
echo "per additional Python module:     $(( (all - one) / n )) kB"
i=0
while test $i -le "$n"; do
    flux module remove echo$i
    i=$((i + 1))
done
