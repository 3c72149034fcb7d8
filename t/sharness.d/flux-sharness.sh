# SPDX-License-Identifier: LGPL-3.0-or-later
#
# Sharness helpers for tests that run a broker: ours, sourced by
# sharness.sh from $SHARNESS_TEST_SRCDIR/sharness.d before it enters the
# trash directory, and a module author's, installed (with lib/bin/rpc and
# valgrind.supp) in $datadir/flux-pybroker/sharness and sourced after
# sharness.sh by the sharness.sh there (doc/testing-modules.rst).  So
# nothing here may name the build or source tree: the flux command is the
# one on PATH, and the files beside this one are found through
# FLUX_SHARNESS_LIBDIR (rpc) and FLUX_SHARNESS_VALGRIND_SUPP, which the
# installed sharness.sh sets (in our tree: $SHARNESS_TEST_SRCDIR/lib and
# $SHARNESS_TEST_SRCDIR/valgrind.supp).  What only our own tests need is
# in project.sh beside this file.
#
# test_under_flux re-runs the calling script inside a broker of its own,
# as flux-core's does: each script gets a fresh instance, so no test
# depends on state another script left behind, and the broker's exit
# code (here: the script's) is the result.  Inside, it records the loaded
# modules and, at test_done, fails the script if a module the test
# loaded is still loaded: every test must remove what it loads.
#

: "${FLUX_SHARNESS_LIBDIR:=$SHARNESS_TEST_SRCDIR/lib}"
: "${FLUX_SHARNESS_VALGRIND_SUPP:=$SHARNESS_TEST_SRCDIR/valgrind.supp}"
export FLUX_SHARNESS_LIBDIR FLUX_SHARNESS_VALGRIND_SUPP

# Public: Re-run this script under 'flux start' unless already inside.
#
# Usage: test_under_flux SIZE [PERSONALITY]
#  SIZE must be 1 (one broker).  PERSONALITY, as flux-core's: "full"
#  (the default) runs the broker's rc1 and rc3, so the instance has its
#  standard modules (kvs, heartbeat); "minimal" runs neither
#  (-Sbroker.rc1_path= -Sbroker.rc3_path=): only the built-in services.
#
# Environment: FLUX_TEST_LOG_STDERR_LEVEL (default 1) is the broker's
#  log-stderr-level; the full log (level 7) is kept in
#  $SHARNESS_TEST_DIRECTORY/$TEST_NAME.broker.log when a test fails.
#  FLUX_TEST_VALGRIND=1 (meson test --setup=valgrind) runs the broker
#  under valgrind: a memory error or a definite leak, in the broker or a
#  module it ran, makes its exit code (so the script's) 99.
test_under_flux() {
    size=${1:-1}
    personality=${2:-full}
    log_file="${SHARNESS_TEST_DIRECTORY}/${TEST_NAME}.broker.log"
    if test -n "$TEST_UNDER_FLUX_ACTIVE"; then
        # Runs only if every test passed (sharness skips final cleanup
        # otherwise), and after the module check below, which exits
        # on failure: so the log of a failing run is kept.
        test "$debug" = "t" || cleanup rm -f "$log_file"
        flux_module_list >module-list.initial
        cleanup check_module_list
        return
    fi
    test "$size" = 1 ||
        error "test_under_flux: only size 1 is supported (got $size)"
    case "$personality" in
        minimal) rcopts="-Sbroker.rc1_path= -Sbroker.rc3_path=" ;;
        full) rcopts="" ;;
        *) error "test_under_flux: unknown personality '$personality'" ;;
    esac
    flags=""
    test "$verbose" = "t" && flags="$flags --verbose"
    test "$debug" = "t" && flags="$flags --debug"
    test "$immediate" = "t" && flags="$flags --immediate"
    test "$chain_lint" = "t" && flags="$flags --chain-lint"
    # sharness has already entered the trash directory, and $0 may be
    # relative to where the script was started.
    case "$0" in
        /*) script=$0 ;;
        *) script="$SHARNESS_TEST_SRCDIR/$(basename "$0")" ;;
    esac
    cd "$SHARNESS_TEST_DIRECTORY" || error "cannot cd to test directory"
    rm -f "$log_file"
    wrap=""
    if test -n "$FLUX_TEST_VALGRIND"; then
        wrap="--wrap=$(valgrind_wrap_args)"
        # Python's own allocator confuses memcheck; plain malloc lets it
        # see each object (valgrind.supp names what CPython never frees).
        PYTHONMALLOC=malloc
        export PYTHONMALLOC
    fi
    TEST_UNDER_FLUX_ACTIVE=t \
    TEST_UNDER_FLUX_PERSONALITY=$personality \
    TERM=${SHARNESS_ORIG_TERM:-dumb} \
        exec flux start ${wrap:+"$wrap"} \
            -Slog-filename="$log_file" \
            -Slog-stderr-level=${FLUX_TEST_LOG_STDERR_LEVEL:-1} \
            $rcopts sh "$script" $flags
}

# valgrind and its options for flux start --wrap, comma-separated.
valgrind_wrap_args() {
    printf "%s" "valgrind,--quiet,--error-exitcode=99,--leak-check=full"
    printf "%s" ",--show-leak-kinds=definite,--errors-for-leak-kinds=definite"
    printf "%s" ",--track-fds=no"
    printf "%s" ",--suppressions=$FLUX_SHARNESS_VALGRIND_SUPP"
}

# The names of the loaded modules, sorted.
flux_module_list() {
    flux module list | awk '!/^Module/{print $1}' | sort
}

# Fail the script (from cleanup, at test_done) if a module that was not
# loaded when the script started is loaded now.
check_module_list() {
    flux_module_list >module-list.final
    bad=""
    while read module; do
        grep "^$module\$" module-list.initial >/dev/null 2>&1 ||
            bad="${bad}${bad:+ }$module"
    done <module-list.final
    if test -n "$bad"; then
        # N.B. run under test_eval_, where stdout is hidden: use fd 5.
        error >&5 2>&1 "manually loaded module(s) not unloaded: $bad"
    fi
}

# Run a Python snippet with the flux package: flux_python_c 'CODE' [ARGS].
flux_python_c() {
    flux python -c "$@"
}

# Succeed if module NAME is loaded.
module_is_loaded() {
    flux module list | awk '!/^Module/{print $1}' | grep -qx "$1"
}

# Load the KVS (content, then kvs) unless the instance's rc1 did; a
# test that did so removes it again with kvs_remove_if_loaded_here.
kvs_load_unless_loaded() {
    if ! module_is_loaded kvs; then
        flux module load content &&
        flux module load kvs &&
        kvs_loaded_here=t
    fi
}
kvs_remove_if_loaded_here() {
    if test -n "$kvs_loaded_here"; then
        flux module remove kvs &&
        flux module remove content &&
        kvs_loaded_here=
    fi
}

# Wait (up to 10 s, scaled) until module NAME has exited and the broker has
# dropped it.  N.B. not `flux module stats NAME` failing: that already
# happens while the module finalizes (the broker mutes it), before the
# broker has logged its exit.
wait_module_gone() {
    test_retry 100 eval "! module_is_loaded $1"
}

# Retry COMMAND... up to N times (times FLUX_TEST_TIMEOUT_FACTOR), 0.1 s
# apart, until it succeeds.
# Usage: test_retry N COMMAND [ARGS...]
test_retry() {
    n=$(($1 * FLUX_TEST_TIMEOUT_FACTOR))
    shift
    while test "$n" -gt 0; do
        "$@" && return 0
        n=$((n - 1))
        sleep 0.1
    done
    return 1
}

# Time limits.  Every bound on how long something may take (run_timeout,
# run_bg_limit, test_retry, and the limits tests compute with
# scaled_seconds, or read from the environment in Python) is multiplied
# by FLUX_TEST_TIMEOUT_FACTOR: 1 in a normal run, so no limit is looser
# there, and 10 under valgrind (meson test --setup=valgrind, whose
# timeout_multiplier is 10 too), where everything runs that much slower.
# Set it (a whole number) in the environment to override.  N.B. only
# upper bounds scale: a test that something takes at least N seconds, or
# that a command is still running after N seconds (expecting timeout's
# 124), keeps N.
if test -z "$FLUX_TEST_TIMEOUT_FACTOR"; then
    if test -n "$FLUX_TEST_VALGRIND"; then
        FLUX_TEST_TIMEOUT_FACTOR=10
    else
        FLUX_TEST_TIMEOUT_FACTOR=1
    fi
fi
export FLUX_TEST_TIMEOUT_FACTOR

# Print SECONDS (an integer or a decimal) times FLUX_TEST_TIMEOUT_FACTOR.
scaled_seconds() {
    awk -v s="$1" -v f="$FLUX_TEST_TIMEOUT_FACTOR" 'BEGIN { print s * f }'
}

# Run COMMAND... with a time limit of SECONDS, scaled (coreutils timeout).
# Usage: run_timeout SECONDS COMMAND...
run_timeout() {
    _limit=$(scaled_seconds "$1") &&
    shift &&
    timeout "$_limit" "$@"
}

# Start COMMAND... in the background, its pid in $pid and in file
# 'bg.pid'.  If the script sets run_bg_limit (seconds), the command is
# killed after that long (run_timeout), so that a wait for it that
# never ends fails the test (exit 124) instead of hanging it.
run_bg() {
    if test -n "$run_bg_limit"; then
        # N.B. timeout itself, not the run_timeout function: $! is then
        # timeout's pid, and kill $pid reaches the command through it.
        timeout "$(scaled_seconds "$run_bg_limit")" "$@" &
    else
        "$@" &
    fi
    pid=$!
    echo $pid >bg.pid
}

# Run COMMAND..., expecting exit code CODE and exactly the line TEXT on
# stderr (the commands' one-line errors).
# Usage: expect_error CODE TEXT COMMAND...
expect_error() {
    code=$1 &&
    text=$2 &&
    shift 2 &&
    test_expect_code $code "$@" >err.out 2>err.err &&
    printf "%s\n" "$text" >err.expected &&
    test_cmp err.expected err.err
}

# rpc TOPIC [JSON] (t/lib/rpc.py): print the JSON response (keys sorted),
# or fail with "ERRNO: TEXT" on stderr; with --errors-on-stdout, print
# "ERRNO TEXT" on stdout instead and succeed.  A program on PATH, not a
# function, so that env, timeout (run_timeout) and test_must_fail env
# can run it.
PATH="$FLUX_SHARNESS_LIBDIR/bin:$PATH"
export PATH

# A single quote, for expected output written inside a test body.
SQ="'"

# Export a shorter name for this test.
TEST_NAME=$(basename "$0" .t)
export TEST_NAME

# Some tests do not work with --chain-lint: a prereq for the opposite.
test "$chain_lint" = "t" || test_set_prereq NO_CHAIN_LINT

# vi: ts=4 sw=4 expandtab
