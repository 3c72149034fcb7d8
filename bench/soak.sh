#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# The soak (bench/soak.py): an instance with its standard modules, kept
# busy by owners while guests and careless clients try to hurt it.  The
# broker's log goes to a file the soak reads when it counts (the log
# ring keeps only the last lines), and only critical lines to stderr.
# Usage: soak.sh [SECONDS]   (default 60)
if test -z "$BENCH_UNDER_FLUX"; then
    SOAK_LOG=$(mktemp "${TMPDIR:-/tmp}/soak.XXXXXX.log") || exit 1
    export SOAK_LOG
    BENCH_UNDER_FLUX=1 flux start -Slog-filename="$SOAK_LOG" \
        -Slog-stderr-level=2 sh "$0" "$@"
    rc=$?
    rm -f "$SOAK_LOG"
    exit $rc
fi
exec flux python "$(dirname "$0")/soak.py" "${1:-60}"
