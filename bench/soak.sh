#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# The soak (bench/soak.py): an instance with its standard modules, kept
# busy by owners while guests and careless clients try to hurt it.  The
# broker's log goes to a file the soak reads when it counts (the log
# ring keeps only the last lines), and only critical lines to stderr.
# The content store is on disk (statedir): in memory it would keep every
# version of the KVS the owners write, as flux-core's does, and the
# broker's memory would grow by that history rather than by a leak.
# broker.max-message-size is 16M, below its default (1G, the protocol's
# largest frame), so that the soak's oversized frames meet that limit.
# Usage: soak.sh [SECONDS]   (default 60)
if test -z "$BENCH_UNDER_FLUX"; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX") || exit 1
    SOAK_LOG=$dir/broker.log
    export SOAK_LOG
    BENCH_UNDER_FLUX=1 flux start -Slog-filename="$SOAK_LOG" \
        -Slog-stderr-level=2 -Sstatedir="$dir/state" \
        -Sbroker.max-message-size=16M sh "$0" "$@"
    rc=$?
    rm -rf "$dir"
    exit $rc
fi
exec flux python "$(dirname "$0")/soak.py" "${1:-60}"
