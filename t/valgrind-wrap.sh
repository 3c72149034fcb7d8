#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# The exe_wrapper of `meson test --setup=valgrind`.
#
# Usage: valgrind-wrap.sh VALGRIND [OPTIONS...] -- PROGRAM [ARGS...]
#
# A compiled test program (the C unit tests) runs under valgrind.  An
# interpreter (sh for sharness scripts, python3 for pytest) runs as is:
# valgrind would check the interpreter, not us, and pytest alone takes
# half a minute under it.  Those suites run their brokers under valgrind
# instead (FLUX_TEST_VALGRIND, see t/sharness.d/flux-sharness.sh).

n=0
for arg; do
    test "$arg" = "--" && break
    n=$((n + 1))
done
if test "$n" -ge "$#"; then
    echo "valgrind-wrap.sh: usage: VALGRIND [OPTIONS...] -- PROGRAM" >&2
    exit 99
fi
# N.B. POSIX sh has one array, "$@": reorder it by rotation.  Now it is
# VALGRIND OPTIONS -- PROGRAM ARGS; move the n valgrind words to the end.
i=0
while test "$i" -lt "$n"; do
    set -- "$@" "$1"
    shift
    i=$((i + 1))
done
shift
interpreter=""
case "$(basename "$1")" in
    sh|dash|bash|python*) interpreter=t ;;
esac
# PROGRAM ARGS VALGRIND OPTIONS: move the program words to the end.
p=$(($# - n))
i=0
while test "$i" -lt "$p"; do
    set -- "$@" "$1"
    shift
    i=$((i + 1))
done
test -n "$interpreter" && shift "$n"
exec "$@"
