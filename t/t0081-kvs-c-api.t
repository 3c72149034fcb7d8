#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-core'"'"'s C KVS client API against the kvs module

kvs-capi (t/kvs/kvs-capi.c) is a C program written with <flux/core.h>
alone, as for flux-core: it puts, commits, looks up (values, JSON,
directories, symlinks, tree objects, snapshots), watches, waits, and
creates and removes namespaces through libflux-core, against the Python
kvs module in a real broker.  flux kvs checks what it wrote and writes
what it reads, so each side is checked against the other.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1

K=$FLUX_BUILD_DIR/t/kvs-capi


# watchers: how many watches the kvs-watch service holds.
watchers() {
	flux python -c "import flux
print(flux.Flux().rpc(\"kvs-watch.stats-get\").get()[\"watchers\"])"
}

test_expect_success 'the instance has the kvs module (rc1 loaded it)' '
	module_is_loaded kvs
'
test_expect_success 'put and commit; the value reads back in C and in flux kvs' '
	$K put a.b hello >put.out &&
	echo "seq 1" >put.expected &&
	test_cmp put.expected put.out &&
	$K get a.b >get.out &&
	echo hello >get.expected &&
	test_cmp get.expected get.out &&
	test "$(flux kvs get a.b)" = hello
'
test_expect_success 'a value flux kvs wrote reads in C' '
	flux kvs put "obj={\"x\": [1, 2]}" &&
	$K getjson obj >json.out &&
	echo "{\"x\":[1,2]}" >json.expected &&
	test_cmp json.expected json.out
'
test_expect_success 'pack and get_unpack: JSON values' '
	$K pack num 42 &&
	test "$($K getint num)" = 42 &&
	test "$(flux kvs get num)" = "{\"n\":42}"
'
test_expect_success 'get_unpack of a value that does not match: EINVAL' '
	test_must_fail $K getint a.b 2>unpack.err &&
	echo "kvs-capi: a.b: Invalid argument" >unpack.expected &&
	test_cmp unpack.expected unpack.err
'
test_expect_success 'a missing key: ENOENT' '
	test_must_fail $K get nosuch 2>enoent.err &&
	echo "kvs-capi: nosuch: No such file or directory" >enoent.expected &&
	test_cmp enoent.expected enoent.err &&
	test_must_fail $K get a.b.below 2>below.err &&
	grep "a.b.below: No such file or directory" below.err
'
test_expect_success 'a directory read as a value: EISDIR' '
	test_must_fail $K get a 2>eisdir.err &&
	echo "kvs-capi: a: Is a directory" >eisdir.expected &&
	test_cmp eisdir.expected eisdir.err
'
test_expect_success 'a value read as a directory: ENOTDIR' '
	test_must_fail $K ls a.b 2>enotdir.err &&
	echo "kvs-capi: a.b: Not a directory" >enotdir.expected &&
	test_cmp enotdir.expected enotdir.err
'
test_expect_success 'lookup flags flux-core refuses: EINVAL' '
	test_must_fail $K lookup-flags 3 a 2>flags.err &&
	echo "kvs-capi: a: Invalid argument" >flags.expected &&
	test_cmp flags.expected flags.err &&
	test_must_fail $K lookup-flags 64 a.b 2>wflags.err &&
	echo "kvs-capi: a.b: Invalid argument" >wflags.expected &&
	test_cmp wflags.expected wflags.err
'
test_expect_success 'mkdir, symlink; READDIR lists them through kvsdir' '
	$K mkdir d &&
	$K link l a.b &&
	$K link other.l x elsewhere &&
	$K ls . >ls.out &&
	cat >ls.expected <<-\EOF &&
	size 6
	a dir
	d dir
	l symlink
	num val
	obj val
	other dir
	EOF
	test_cmp ls.expected ls.out &&
	$K ls a >lsa.out &&
	printf "size 1\na.b val\n" >lsa.expected &&
	test_cmp lsa.expected lsa.out &&
	$K ls d >lsd.out &&
	echo "size 0" >lsd.expected &&
	test_cmp lsd.expected lsd.out
'
test_expect_success 'a symlink is followed by a lookup, read with READLINK' '
	test "$($K get l)" = hello &&
	$K readlink l >rl.out &&
	$K readlink other.l >>rl.out &&
	cat >rl.expected <<-\EOF &&
	- a.b
	elsewhere x
	EOF
	test_cmp rl.expected rl.out &&
	test "$(flux kvs readlink l)" = a.b
'
test_expect_success 'READLINK of a value: EINVAL' '
	test_must_fail $K readlink a.b 2>rlval.err &&
	echo "kvs-capi: a.b: Invalid argument" >rlval.expected &&
	test_cmp rlval.expected rlval.err
'
test_expect_success 'TREEOBJ: the RFC 11 object, as flux kvs get -t shows it' '
	$K treeobj a.b >t.out &&
	echo "{\"data\":\"aGVsbG8=\",\"type\":\"val\",\"ver\":1}" >t.expected &&
	test_cmp t.expected t.out &&
	$K treeobj a >tdir.out &&
	grep "^{\"data\":\[\"sha1-[0-9a-f]*\"\],\"type\":\"dirref\",\"ver\":1}$" \
		tdir.out
'
test_expect_success 'put_treeobj of a dirref copies a directory' '
	$K putref copy "$(cat tdir.out)" &&
	test "$($K get copy.b)" = hello
'
test_expect_success 'append, and appends joined by FLUX_KVS_TXN_COMPACT' '
	$K append log x &&
	$K append log y &&
	test "$($K get log)" = xy &&
	$K compact log2 A B C &&
	test "$($K get log2)" = ABC
'
test_expect_success 'unlink removes a key' '
	$K unlink copy &&
	test_must_fail $K get copy.b 2>unlink.err &&
	grep "No such file or directory" unlink.err
'
test_expect_success 'getroot: sequence, owner and blobref as flux kvs sees them' '
	$K getroot >root.out &&
	seq=$(flux kvs version) &&
	grep "^seq=$seq owner=$(id -u) blobref=sha1-[0-9a-f]*$" root.out
'
test_expect_success 'lookupat reads the snapshots of getroot and of a commit' '
	$K snapshot a.b world >snap.out &&
	cat >snap.expected <<-\EOF &&
	before hello
	commit world
	now world
	EOF
	test_cmp snap.expected snap.out
'
test_expect_success 'get_version and wait_version' '
	v=$($K version) &&
	test "$v" = "$(flux kvs version)" &&
	$K wait-version $v >wait.out &&
	echo "reached $v" >wait.expected &&
	test_cmp wait.expected wait.out
'
test_expect_success 'wait_version for a version still to come returns after it' '
	v=$(($($K version) + 1)) &&
	run_bg $K wait-version $v >wait2.out &&
	flux kvs put later=1 &&
	wait $(cat bg.pid) &&
	echo "reached $v" >wait2.expected &&
	test_cmp wait2.expected wait2.out
'
test_expect_success 'watch: each commit is seen, cancel ends it with ENODATA' '
	$K put w 0 &&
	$K watch w 3 >watch.out &&
	cat >watch.expected <<-\EOF &&
	0
	1
	2
	3
	end: No data available
	EOF
	test_cmp watch.expected watch.out &&
	test "$(flux kvs get w)" = 3
'
test_expect_success 'watch of a missing key ends with ENOENT' '
	$K watch nosuch 1 >watchmiss.out &&
	echo "end: No such file or directory" >watchmiss.expected &&
	test_cmp watchmiss.expected watchmiss.out
'
test_expect_success 'WAITCREATE answers once the key is created' '
	run_bg $K waitcreate born >born.out &&
	test_retry 100 eval "test \$(watchers) = 1" &&
	flux kvs put born=yes &&
	wait $(cat bg.pid) &&
	echo yes >born.expected &&
	test_cmp born.expected born.out
'
test_expect_success 'a namespace from flux_kvs_namespace_create (after 16+ commits)' '
	test $($K version) -gt 16 &&
	$K ns-create test &&
	flux python -c "import flux
for n in flux.Flux().rpc(\"kvs.namespace-list\").get()[\"namespaces\"]:
    print(n[\"namespace\"])" >nslist.out &&
	grep -x test nslist.out &&
	FLUX_KVS_NAMESPACE=test $K put k v &&
	test "$(flux kvs get --namespace=test k)" = v &&
	FLUX_KVS_NAMESPACE=test $K getroot >nsroot.out &&
	grep "^seq=1 " nsroot.out &&
	test_must_fail $K get k
'
test_expect_success 'namespace errors: EEXIST, ENOTSUP for primary, as flux-core' '
	test_must_fail $K ns-create test 2>eexist.err &&
	grep "test: File exists" eexist.err &&
	$K ns-remove test &&
	$K ns-remove test &&
	test_must_fail $K ns-remove primary 2>primary.err &&
	grep "primary: Operation not supported" primary.err &&
	FLUX_KVS_NAMESPACE=test test_must_fail $K get k 2>nons.err &&
	grep "k: Operation not supported" nons.err
'
test_expect_success 'flux_kvs_copy copies a directory across namespaces' '
	$K ns-create copyns &&
	$K copy a a2 primary copyns >copy.out &&
	echo "seq 1" >copy.expected &&
	test_cmp copy.expected copy.out &&
	test "$(flux kvs get --namespace=copyns a2.b)" = world &&
	test "$($K get a.b)" = world
'
test_expect_success 'flux_kvs_move moves a key: copied, then unlinked' '
	$K put mv.src moving &&
	$K move mv.src mv.dst &&
	test "$($K get mv.dst)" = moving &&
	test_must_fail $K get mv.src 2>mv.err &&
	grep "mv.src: No such file or directory" mv.err
'
test_expect_success 'copy of a missing key: ENOENT, nothing written' '
	v=$($K version) &&
	test_must_fail $K copy nosuch dst 2>copymiss.err &&
	echo "kvs-capi: copy: No such file or directory" >copymiss.expected &&
	test_cmp copymiss.expected copymiss.err &&
	test "$($K version)" = "$v"
'
test_expect_success 'a namespace with an owner' '
	$K ns-create owned 1234 &&
	FLUX_KVS_NAMESPACE=owned $K getroot >owned.out &&
	grep "^seq=0 owner=1234 " owned.out
'
test_expect_success 'a C module commits with the API from its own thread at load' '
	flux module load $FLUX_BUILD_DIR/t/module/kvsmod.so &&
	test "$(flux kvs get kvsmod.loaded)" = kvsmod
'
test_expect_success 'a C module looks up from a continuation, commits in a handler' '
	rpc kvsmod.put "{\"key\": \"m.k\", \"value\": \"from C\"}" \
		>mput.out &&
	grep "^{\"seq\": [0-9]*}$" mput.out &&
	rpc kvsmod.get "{\"key\": \"m.k\"}" >mget.out &&
	echo "{\"value\": \"from C\"}" >mget.expected &&
	test_cmp mget.expected mget.out &&
	test_must_fail rpc kvsmod.get "{\"key\": \"m.none\"}" 2>mnone.err &&
	grep "^2: " mnone.err &&
	test_must_fail rpc kvsmod.get "{\"key\": \"m\"}" 2>mdir.err &&
	grep "^21: " mdir.err &&
	flux module remove kvsmod
'
test_done
