#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# KVS throughput (bench/kvs_rate.py): put+commit with 1 and with 100 keys
# per commit, and lookups, from 1 and from 8 client processes, in an
# instance without a statedir and in one with -Sstatedir=DIR.
# Usage: kvs-rate.sh [SECONDS]   (per measurement, default 3)
# FLUX names the flux command whose instance is measured (default: the
# flux on PATH); the same script measures flux-core's:
#   FLUX=/path/to/flux-core/bin/flux sh bench/kvs-rate.sh
# The kvs module is loaded by hand where the instance's start-up did not
# load it (and removed again afterwards).
. "$(dirname "$0")/bench-lib.sh"
FLUX=${FLUX:-flux}
seconds=${1:-3}
set -e

if test -n "$BENCH_UNDER_FLUX"; then
    loaded=""
    if ! $FLUX module list | awk '{print $1}' | grep -qx kvs; then
        $FLUX module load content
        $FLUX module load kvs
        loaded="kvs content"
    fi
    label=${BENCH_LABEL}
    for mode in put1 put100 get; do
        for clients in 1 8; do
            $FLUX python "$BENCH_SRC/kvs_rate.py" --label "$label" \
                --clients "$clients" --seconds "$seconds" "$mode"
        done
    done
    for m in $loaded; do $FLUX module remove "$m"; done
    exit 0
fi

statedir=$(mktemp -d "${TMPDIR:-/tmp}/kvs-rate.XXXXXX")
trap 'rm -rf "$statedir"' EXIT
echo "kvs-rate: $($FLUX version | head -1)"
BENCH_UNDER_FLUX=1 BENCH_LABEL="no-statedir" FLUX=$FLUX \
    $FLUX start sh "$0" "$seconds"
BENCH_UNDER_FLUX=1 BENCH_LABEL="statedir" FLUX=$FLUX \
    $FLUX start -Sstatedir="$statedir" sh "$0" "$seconds"
