#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the KVS with flux-core: its flux kvs on our broker, ours on its

Runs only where flux-core is installed, found by FLUX_CORE_PREFIX (the
prefix it was installed under: $FLUX_CORE_PREFIX/bin/flux).  flux-core'"'"'s
flux kvs talks to our broker through our local socket (FLUX_URI), and
our flux kvs and flux.kvs to a flux-core instance.'

. /usr/share/sharness/sharness.sh

find_flux_core

test_under_flux 1 minimal

test_expect_success !FLUX_CORE 'a FLUX_CORE_PREFIX with no flux-core in it is an error' '
	mkdir -p nested &&
	test_expect_code 1 env FLUX_CORE_PREFIX="$PWD/nowhere" \
		SHARNESS_TEST_DIRECTORY="$PWD/nested" \
		sh "$SHARNESS_TEST_SRCDIR/t0085-kvs-interop.t" >noflux.out 2>&1 &&
	grep "error: FLUX_CORE_PREFIX=$PWD/nowhere, but $PWD/nowhere/bin/flux is not there" \
		noflux.out
'

OURS=$FLUX_BUILD_DIR/cmd/flux

# flux-core's flux kvs, against our broker.
fc() {
	run_timeout 30 "$FC" "$@"
}

test_expect_success FLUX_CORE 'FLUX_CORE_PREFIX names a flux other than ours' '
	"$FC" version >fcversion.out &&
	flux version >ourversion.out &&
	grep "^libflux-core:" fcversion.out &&
	! test_cmp ourversion.out fcversion.out
'
test_expect_success FLUX_CORE 'load kvs unless the instance loaded it' '
	kvs_load_unless_loaded
'

# --- flux-core's flux kvs, our broker -----------------------------------

test_expect_success FLUX_CORE 'flux-core put, then get by both' '
	fc kvs put a.b=1 "x.y={\"n\": [1, 2]}" x.s=hello &&
	fc kvs get a.b x.y x.s >fc-get.out &&
	flux kvs get a.b x.y x.s >our-get.out &&
	cat >get.expected <<-\EOF &&
	1
	{"n": [1, 2]}
	hello
	EOF
	test_cmp get.expected fc-get.out &&
	test_cmp get.expected our-get.out
'
test_expect_success FLUX_CORE 'our put, then flux-core get' '
	flux kvs put c.d=ours &&
	test "$(fc kvs get c.d)" = ours
'
test_expect_success FLUX_CORE 'flux-core ls, dir -R, get -t print what ours print' '
	for cmd in "ls" "ls -R" "dir -R" "get -t a.b" "get -t x"; do
		fc kvs $cmd >fc.out &&
		flux kvs $cmd >our.out &&
		test_cmp fc.out our.out || return 1
	done &&
	test -s fc.out
'
test_expect_success FLUX_CORE 'flux-core get of a missing key: ENOENT' '
	test_must_fail fc kvs get nosuch.key 2>missing.err &&
	grep "^flux-kvs: nosuch.key: No such file or directory" missing.err
'
test_expect_success FLUX_CORE 'flux-core get of a directory: EISDIR' '
	test_must_fail fc kvs get a 2>isdir.err &&
	grep "^flux-kvs: a: Is a directory" isdir.err
'
test_expect_success FLUX_CORE 'flux-core version and wait follow our commits' '
	v=$(fc kvs version) &&
	flux kvs put c.e=1 &&
	test "$(fc kvs version)" -gt "$v" &&
	fc kvs wait $(fc kvs version)
'
test_expect_success FLUX_CORE 'flux-core copy, move, unlink' '
	fc kvs copy a.b a.c &&
	fc kvs move a.c a.d &&
	test "$(flux kvs get a.d)" = 1 &&
	test_must_fail flux kvs get a.c &&
	fc kvs unlink a.d &&
	test_must_fail flux kvs get a.d
'
test_expect_success FLUX_CORE 'flux-core eventlog append and get' '
	fc kvs eventlog append ev.log first "{\"x\":1}" &&
	fc kvs eventlog append ev.log second &&
	fc kvs eventlog get ev.log >evlog.out &&
	sed "s/^[0-9]*\.[0-9]* /T /" evlog.out >evlog.cooked &&
	cat >evlog.expected <<-\EOF &&
	T first x=1
	T second
	EOF
	test_cmp evlog.expected evlog.cooked
'
test_expect_success FLUX_CORE 'flux-core get --watch --count=2 sees our second write' '
	flux kvs put w.k=1 &&
	{ fc kvs get --watch --count=2 w.k >watch.out & } &&
	watch_pid=$! &&
	test_retry 100 test -s watch.out &&
	flux kvs put w.k=2 &&
	wait $watch_pid &&
	printf "1\n2\n" >watch.expected &&
	test_cmp watch.expected watch.out
'
test_expect_success FLUX_CORE 'flux-core namespace list' '
	fc kvs namespace list >nslist.out &&
	grep "^primary " nslist.out
'
test_expect_success FLUX_CORE 'flux-core namespace create, put -N, remove' '
	fc kvs namespace create X &&
	fc kvs put -N X k=v &&
	test "$(flux kvs get -N X k)" = v &&
	fc kvs namespace list >nslist2.out &&
	grep "^X " nslist2.out &&
	fc kvs namespace remove X &&
	test_must_fail flux kvs get -N X k
'
test_expect_success FLUX_CORE 'remove kvs if this script loaded it' '
	kvs_remove_if_loaded_here
'

# --- our flux kvs and flux.kvs, flux-core's broker ----------------------
#
# One flux-core instance runs them all (its start-up takes seconds); each
# command's output, stderr and exit code go to ours-on-fc/NAME.*.
test_expect_success FLUX_CORE 'run our flux kvs in a flux-core instance' '
	mkdir ours-on-fc &&
	cat >ours-on-fc.sh <<-EOF &&
	cd ours-on-fc || exit 1
	run() {
		name=\$1
		shift
		"\$@" >\$name.out 2>\$name.err
		echo \$? >\$name.rc
	}
	run put "$OURS" kvs put a.b=1 "x.y={\"n\": [1, 2]}" x.s=hello
	run get "$OURS" kvs get a.b x.y x.s
	run fc-get "$FC" kvs get a.b x.y x.s
	run dir "$OURS" kvs dir -R x
	run fc-dir "$FC" kvs dir -R x
	run treeobj "$OURS" kvs get -t a.b
	run fc-treeobj "$FC" kvs get -t a.b
	run missing "$OURS" kvs get nosuch.key
	run unlink "$OURS" kvs unlink x.s
	run unlinked "$FC" kvs get x.s
	run version "$OURS" kvs version
	run fc-version "$FC" kvs version
	run python "$OURS" python -c "import flux, flux.kvs
	h = flux.Flux()
	flux.kvs.put(h, \"py.v\", {\"z\": [1, 2]})
	flux.kvs.commit(h)
	print(flux.kvs.get(h, \"py.v\"))"
	run fc-python "$FC" kvs get py.v
	run copy "$OURS" kvs copy a.b a.c
	run move "$OURS" kvs move a.c a.d
	run moved "$FC" kvs get a.d
	run nscreate "$OURS" kvs namespace create X
	run nsput "$OURS" kvs put -N X k=v
	run nsget "$FC" kvs get -N X k
	run nsremove "$OURS" kvs namespace remove X
	run evappend "$OURS" kvs eventlog append ev.log first "{\"x\":1}"
	run evget "$FC" kvs eventlog get ev.log
	run fc-evappend "$FC" kvs eventlog append ev2.log second
	run evget2 "$OURS" kvs eventlog get ev2.log
	"$FC" kvs put w.k=1
	"$OURS" kvs get --watch --count=2 w.k >watch.out 2>watch.err &
	pid=\$!
	n=0
	until test -s watch.out || test \$n -ge 100 ||
		! kill -0 \$pid 2>/dev/null; do
		sleep 0.1
		n=\$((n + 1))
	done
	"$FC" kvs put w.k=2
	wait \$pid
	echo \$? >watch.rc
	EOF
	run_timeout 120 "$FC" start sh ours-on-fc.sh
'
# Succeed if our command NAME exited 0 and printed what flux-core's
# fc-NAME printed.
same_as_fc() {
	test "$(cat ours-on-fc/$1.rc)" = 0 &&
	test_cmp ours-on-fc/fc-$1.out ours-on-fc/$1.out
}
test_expect_success FLUX_CORE 'our put and get on flux-core: as its own get' '
	test "$(cat ours-on-fc/put.rc)" = 0 &&
	same_as_fc get &&
	test_cmp get.expected ours-on-fc/get.out
'
test_expect_success FLUX_CORE 'our dir -R and get -t on flux-core: as its own' '
	same_as_fc dir &&
	same_as_fc treeobj
'
test_expect_success FLUX_CORE 'our get of a missing key on flux-core: ENOENT' '
	test "$(cat ours-on-fc/missing.rc)" = 1 &&
	grep "^flux-kvs: nosuch.key: No such file or directory" \
		ours-on-fc/missing.err
'
test_expect_success FLUX_CORE 'our unlink on flux-core: the key is gone' '
	test "$(cat ours-on-fc/unlink.rc)" = 0 &&
	test "$(cat ours-on-fc/unlinked.rc)" = 1
'
test_expect_success FLUX_CORE 'our version on flux-core: as its own' '
	same_as_fc version
'
test_expect_success FLUX_CORE 'our flux.kvs on flux-core: put, commit, get' '
	test "$(cat ours-on-fc/python.rc)" = 0 &&
	echo "{${SQ}z${SQ}: [1, 2]}" >py.expected &&
	test_cmp py.expected ours-on-fc/python.out &&
	echo "{\"z\": [1, 2]}" >fcpy.expected &&
	test_cmp fcpy.expected ours-on-fc/fc-python.out
'
test_expect_success FLUX_CORE 'our copy and move on flux-core' '
	test "$(cat ours-on-fc/copy.rc)" = 0 &&
	test "$(cat ours-on-fc/move.rc)" = 0 &&
	test "$(cat ours-on-fc/moved.out)" = 1
'
test_expect_success FLUX_CORE 'our namespace create, put -N, remove on flux-core' '
	test "$(cat ours-on-fc/nscreate.rc)" = 0 &&
	test "$(cat ours-on-fc/nsput.rc)" = 0 &&
	test "$(cat ours-on-fc/nsget.out)" = v &&
	test "$(cat ours-on-fc/nsremove.rc)" = 0
'
test_expect_success FLUX_CORE 'our eventlog append and get on flux-core' '
	test "$(cat ours-on-fc/evappend.rc)" = 0 &&
	sed "s/^[0-9]*\.[0-9]* /T /" ours-on-fc/evget.out >evget.cooked &&
	echo "T first x=1" >evget.expected &&
	test_cmp evget.expected evget.cooked &&
	test "$(cat ours-on-fc/evget2.rc)" = 0 &&
	sed "s/^[0-9]*\.[0-9]* /T /" ours-on-fc/evget2.out >evget2.cooked &&
	echo "T second" >evget2.expected &&
	test_cmp evget2.expected evget2.cooked
'
test_expect_success FLUX_CORE 'our get --watch --count=2 on flux-core' '
	test "$(cat ours-on-fc/watch.rc)" = 0 &&
	test_cmp watch.expected ours-on-fc/watch.out
'

test_done
