# SPDX-License-Identifier: LGPL-3.0-or-later
# Shared by the bench/*.sh drivers: run the calling script inside a
# broker of its own, and small helpers.  BENCH_SRC (this folder) and
# BENCH_BUILD (its build folder) are set by bench/meson.build.

BENCH_SRC=${BENCH_SRC:-$(cd "$(dirname "$0")" && pwd)}

# Re-run "$0 ARGS" under flux start unless already inside an instance:
# a bare broker (no rc1/rc3, so no standard modules), which the numbers
# are about, with only what the benchmark loads itself.
bench_under_flux() {
    if test -z "$BENCH_UNDER_FLUX"; then
        BENCH_UNDER_FLUX=1 exec flux start \
            -Sbroker.rc1_path= -Sbroker.rc3_path= sh "$0" "$@"
    fi
}

# Seconds since the epoch, with nanoseconds.
bench_now() {
    date +%s.%N
}

# Median of the numbers on stdin.
bench_median() {
    sort -n | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2];
              else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The broker's resident set size in kB.
bench_rss_kb() {
    sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' \
        /proc/$(flux getattr broker.pid)/status
}

# Evaluate an arithmetic expression with awk: bench_calc "1.5 * 2".
bench_calc() {
    awk "BEGIN { printf \"%.9f\n\", $1 }"
}
