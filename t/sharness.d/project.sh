# SPDX-License-Identifier: LGPL-3.0-or-later
#
# This project's own sharness helpers, beside flux-sharness.sh (which is
# the part installed for module authors): what only our tests need, the
# flux-core wire captures, other uids and guests, the build tree's
# programs, the docs and a flux-core to compare with.  Sourced by
# sharness.sh from $SHARNESS_TEST_SRCDIR/sharness.d, after
# flux-sharness.sh.

# Stop the script with an error naming the file unless each FILE of the
# flux-core wire captures (t/vectors, found through $FLUX_VECTORS_DIR)
# can be read: a test without its data fails, it never passes or skips.
# Usage: test_require_vectors FILE...
test_require_vectors() {
    test -n "$FLUX_VECTORS_DIR" ||
        error "FLUX_VECTORS_DIR is not set (the wire captures are in t/vectors)"
    for f in "$@"; do
        test -r "$FLUX_VECTORS_DIR/$f" ||
            error "missing test data: $FLUX_VECTORS_DIR/$f"
    done
}

# Tests that act as another uid (65534) need root and setpriv.  Set
# the OTHERUID prerequisite when this machine can give them that uid,
# and otherwise say in one line why those tests are skipped.
# Usage: test_otheruid_prereq [PROGRAM...]  (PROGRAMs the tests also need)
test_otheruid_prereq() {
    why=""
    if test "$(id -u)" != 0; then
        why="not run as root"
    elif ! command -v setpriv >/dev/null; then
        why="setpriv (util-linux) is not installed"
    fi
    for prog in "$@"; do
        test -n "$why" || test -x "$prog" || why="$prog is missing"
    done
    if test -n "$why"; then
        echo "# tests as another uid are skipped here: $why"
    else
        test_set_prereq OTHERUID
    fi
}

# Set the SPHINX prerequisite when this build made the docs
# (FLUX_DOCS_BUILT, from doc/meson.build: -Ddocs=auto builds them when
# the Python the bindings are built for can import sphinx and
# myst_parser, -Ddocs=enabled fails the build when it cannot, as CI
# does); otherwise say in one line why the tests of WHAT are skipped.
# Usage: test_docs_prereq WHAT
test_docs_prereq() {
    if test -n "$FLUX_DOCS_BUILT"; then
        test_set_prereq SPHINX
    else
        echo "# the tests of $1 are skipped: this build has no docs" \
            "(-Ddocs=disabled, or $PYTHON cannot import sphinx and myst_parser)"
    fi
}

# Run COMMAND... as uid 65534 (needs OTHERUID).  as_other_uid_cmd is the
# same as a command prefix, for the command lines a broker's initial
# program runs (sh -c), where this function is not defined.
as_other_uid_cmd="setpriv --reuid=65534 --regid=65534 --clear-groups"
as_other_uid() {
    $as_other_uid_cmd "$@"
}

# A python3 for raw clients (t/lib/rawwire.py, no flux package): the
# system one when there is one, which uid 65534 can run too (it cannot
# read a python under /root).
if test -x /usr/bin/python3; then
    RAWPY=/usr/bin/python3
else
    RAWPY=${PYTHON:-python3}
fi

# Run COMMAND... as a guest would, without another uid: the owner's
# connection may claim any credentials (FLUX_HANDLE_USERID and
# FLUX_HANDLE_ROLEMASK), here uid $guest_uid with the USER role (2).
guest_uid=$(($(id -u) + 1))
as_forged_guest() {
    FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=2 "$@"
}

# Copy flux, flux-broker and libflux-core to DIR, where uid 65534 can
# run them: the build tree may be in a folder only its owner may enter
# (mode 0700, as mktemp -d and many home directories are).  Prints an
# env(1) prefix that runs a command in DIR with them first on PATH.
# Usage: stage_for_guest DIR
stage_for_guest() {
    mkdir -p "$1/bin" "$1/lib" &&
    cp "$FLUX_BUILD_DIR/cmd/flux" "$FLUX_BUILD_DIR/broker/flux-broker" \
        "$1/bin/" &&
    find "$FLUX_BUILD_DIR/libflux" -maxdepth 1 -name "libflux-core.so*" \
        ! -type d -exec cp -P {} "$1/lib/" \; &&
    chmod -R a+rX "$1" &&
    echo "env -C $1 LD_LIBRARY_PATH=$1/lib PATH=$1/bin:$PATH"
}

# Run a bare broker on a rundir uid 65534 can reach, with guests let in,
# whose initial program runs SCRIPT.  In SCRIPT, $G runs a command as
# uid 65534 (flux staged where it can run it), $P runs python3 on PY (a
# file of the current directory, copied beside t/lib/rawwire.py), $S is
# the broker's socket.  Returns SCRIPT's exit code.
# Usage: run_guest_broker PY SCRIPT [BROKER-ARGS...]  (needs OTHERUID)
run_guest_broker() {
    py=$1 &&
    script=$2 &&
    shift 2 &&
    run=$(mktemp -d /tmp/flux-$TEST_NAME-XXXXXX) &&
    chmod 755 $run &&
    cp "$py" "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" $run/ &&
    chmod 644 $run/"$py" $run/rawwire.py &&
    G="$as_other_uid_cmd $(stage_for_guest $run/stage)" &&
    G=$G S="$run/rundir/local" P="/usr/bin/python3 $run/$py" \
        "$FLUX_BUILD_DIR/broker/flux-broker" -Srundir=$run/rundir \
        -Saccess.allow-guest-user=1 \
        -Sbroker.rc1_path= -Sbroker.rc3_path= "$@" \
        sh -c "chmod 755 $run/rundir && $script"
    rc=$?
    rm -rf "$run"
    return $rc
}

# find_flux_core: the FLUX_CORE prereq and FC (its flux command) where
# FLUX_CORE_PREFIX names a flux-core install; unset, say that the tests
# comparing with flux-core are skipped and why.  A FLUX_CORE_PREFIX that
# names no flux-core is an error, not a reason to skip.
find_flux_core() {
	if test -n "$FLUX_CORE_PREFIX"; then
		FC=$FLUX_CORE_PREFIX/bin/flux
		test -x "$FC" ||
			error "FLUX_CORE_PREFIX=$FLUX_CORE_PREFIX, but $FC is not there"
		test_set_prereq FLUX_CORE
	else
		echo "# flux-core tests are skipped: FLUX_CORE_PREFIX is not set" \
			"(the prefix of a flux-core install)"
	fi
}

# vi: ts=4 sw=4 expandtab
