#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The KVS: the kvs Python module, flux kvs and flux.kvs

The kvs module, which rc1 loads by name from the module path in every
instance (it is one of the standard modules), serves flux-core
kvs.lookup/kvs.commit/kvs.getroot, and is used through the flux kvs
command, through flux.kvs from a client, and through flux.kvs from
another Python broker module (the spec: BrokerModule.handle gives "full
access to the Flux Python API for RPCs, KVS operations, ...").
'

. /usr/share/sharness/sharness.sh

test_under_flux 1

M=$SHARNESS_TEST_SRCDIR/module



test_expect_success 'rc1 has loaded kvs, found by name as kvs.py' '
	module_is_loaded kvs &&
	flux module list -l >list.out &&
	grep "^kvs .*kvs\.py" list.out
'
test_expect_success 'a new store is empty at version 0' '
	test "$(flux kvs version)" = 0 &&
	flux kvs ls >empty.out &&
	test_must_be_empty empty.out
'
test_expect_success 'flux kvs put/get: values come back as stored' '
	flux kvs put num=42 str=hello "obj={\"x\": [1, 2]}" dir.sub.key=deep &&
	flux kvs get num str obj dir.sub.key >get.out &&
	cat >get.expected <<-\EOF &&
	42
	hello
	{"x": [1, 2]}
	deep
	EOF
	test_cmp get.expected get.out
'
test_expect_success 'flux kvs get -l labels, -r prints raw bytes' '
	flux kvs get -l num >label.out &&
	echo num=42 >label.expected &&
	test_cmp label.expected label.out &&
	flux kvs put -r raw=abc &&
	flux kvs get -r raw >raw.out &&
	printf abc >raw.expected &&
	test_cmp raw.expected raw.out
'
test_expect_success 'flux kvs put -r KEY=- stores stdin as it is' '
	printf "line1\nline2\n" >stdin.in &&
	flux kvs put -r bin=- <stdin.in &&
	flux kvs get -r bin >stdin.out &&
	test_cmp stdin.in stdin.out
'
test_expect_success 'flux kvs get -t shows the RFC 11 object' '
	flux kvs get -t str >treeobj.out &&
	echo "{\"data\":\"aGVsbG8=\",\"type\":\"val\",\"ver\":1}" \
		>treeobj.expected &&
	test_cmp treeobj.expected treeobj.out
'
test_expect_success 'a missing key: No such file or directory' '
	test_must_fail flux kvs get nosuch 2>nosuch.err &&
	echo "flux-kvs: nosuch: No such file or directory" >nosuch.expected &&
	test_cmp nosuch.expected nosuch.err &&
	test_must_fail flux kvs get num.below 2>below.err &&
	grep "num.below: No such file or directory" below.err
'
test_expect_success 'getting a directory as a value: Is a directory' '
	test_must_fail flux kvs get dir 2>isdir.err &&
	echo "flux-kvs: dir: Is a directory" >isdir.expected &&
	test_cmp isdir.expected isdir.err
'
test_expect_success 'flux kvs ls lists names in columns; -F classifies' '
	flux kvs ls >ls.out &&
	echo "bin    dir    num    obj    raw    str" >ls.expected &&
	test_cmp ls.expected ls.out &&
	flux kvs ls -F -1 dir >lsF.out &&
	echo "sub." >lsF.expected &&
	test_cmp lsF.expected lsF.out
'
test_expect_success 'flux kvs ls -R labels every directory' '
	flux kvs ls -R -1 dir >lsR.out &&
	cat >lsR.expected <<-\EOF &&
	dir:
	sub

	dir.sub:
	key
	EOF
	test_cmp lsR.expected lsR.out
'
test_expect_success 'flux kvs ls of a value prints its name' '
	flux kvs ls num >lsval.out &&
	echo num >lsval.expected &&
	test_cmp lsval.expected lsval.out &&
	test_must_fail flux kvs ls num. 2>lsnotdir.err &&
	grep "num: Not a directory" lsnotdir.err
'
test_expect_success 'flux kvs dir prints key = value, -R descends' '
	flux kvs dir -w 0 dir >dir.out &&
	echo "dir.sub." >dir.expected &&
	test_cmp dir.expected dir.out &&
	flux kvs dir -R -w 80 >dirR.out &&
	cat >dirR.expected <<-\EOF &&
	bin = line1...
	dir.sub.key = deep
	num = 42
	obj = {"x": [1, 2]}
	raw = abc
	str = hello
	EOF
	test_cmp dirR.expected dirR.out
'
test_expect_success 'flux kvs dir -w truncates long values with ...' '
	flux kvs dir -w 12 >dirw.out &&
	grep "^num = 42$" dirw.out &&
	grep -F "obj = {\"x..." dirw.out &&
	flux kvs dir -w 0 >dirw0.out &&
	grep -F "obj = {\"x\": [1, 2]}" dirw0.out
'
test_expect_success 'flux kvs mkdir makes an empty directory' '
	flux kvs mkdir empty &&
	flux kvs ls -d -F empty >mkdir.out &&
	echo "empty." >mkdir.expected &&
	test_cmp mkdir.expected mkdir.out &&
	flux kvs dir -R -w 0 empty >emptydir.out &&
	test_must_be_empty emptydir.out
'
test_expect_success 'flux kvs link and readlink; links are followed' '
	flux kvs link dir.sub lnk &&
	test "$(flux kvs readlink lnk)" = dir.sub &&
	test "$(flux kvs get lnk.key)" = deep &&
	flux kvs ls -F -d lnk >lnk.out &&
	echo "lnk@" >lnk.expected &&
	test_cmp lnk.expected lnk.out &&
	test_must_fail flux kvs readlink num 2>readlink.err &&
	grep "num: Invalid argument" readlink.err
'
test_expect_success 'a put through a link lands at its target' '
	flux kvs put lnk.other=viaLink &&
	test "$(flux kvs get dir.sub.other)" = viaLink
'
test_expect_success 'symlink cycles fail with ELOOP' '
	flux kvs link loop2 loop1 &&
	flux kvs link loop1 loop2 &&
	test_must_fail flux kvs get loop1.x 2>loop.err &&
	grep "loop1.x: Too many levels of symbolic links" loop.err
'
test_expect_success 'flux kvs put -A appends' '
	flux kvs put log=a &&
	flux kvs put -A log=b log=c &&
	test "$(flux kvs get log)" = abc
'
test_expect_success 'each commit bumps the version; getroot reports it' '
	v1=$(flux kvs version) &&
	seq=$(flux kvs put -s k1=1) &&
	test $seq = $((v1 + 1)) &&
	test "$(flux kvs getroot -s)" = $seq &&
	test "$(flux kvs getroot -o)" = $(id -u) &&
	flux kvs getroot -b >blobref.out &&
	grep "^sha1-[0-9a-f]\{40\}$" blobref.out &&
	flux kvs getroot >root.out &&
	grep "\"type\":\"dirref\"" root.out
'
test_expect_success 'a commit that changes nothing visible keeps the rootref' '
	flux kvs put same=1 &&
	r1=$(flux kvs getroot -b) &&
	flux kvs put same=1 &&
	test "$(flux kvs getroot -b)" = "$r1" &&
	flux kvs put same=2 &&
	test "$(flux kvs getroot -b)" != "$r1"
'
test_expect_success 'flux kvs unlink removes keys; refuses a non-empty dir' '
	flux kvs unlink num &&
	test_must_fail flux kvs get num &&
	test_must_fail flux kvs unlink dir 2>unlink.err &&
	echo "flux-kvs: cannot unlink ${SQ}dir${SQ}: Directory not empty" \
		>unlink.expected &&
	test_cmp unlink.expected unlink.err &&
	flux kvs unlink -R dir &&
	test_must_fail flux kvs get dir.sub.key
'
test_expect_success 'flux kvs unlink of a missing key fails unless -f' '
	test_must_fail flux kvs unlink nosuch 2>unlink2.err &&
	grep "cannot unlink ${SQ}nosuch${SQ}: No such file or directory" \
		unlink2.err &&
	flux kvs unlink -f nosuch
'
test_expect_success 'flux kvs usage errors' '
	test_must_fail flux kvs put novalue 2>noval.err &&
	grep "you must specify a value as key=value" noval.err &&
	test_expect_code 2 flux kvs nosuchcmd 2>nocmd.err &&
	grep "unknown command" nocmd.err &&
	flux kvs get --help >help.out &&
	grep "^Usage: flux kvs get" help.out
'
test_expect_success 'flux.kvs reads what flux kvs wrote' '
	flux kvs put "pyj={\"a\": 1}" pys=text &&
	flux python -c "
import flux, flux.kvs as kvs
h = flux.Flux()
assert kvs.get(h, \"pyj\") == {\"a\": 1}, kvs.get(h, \"pyj\")
assert kvs.get(h, \"pys\") == \"text\"
assert kvs.exists(h, \"pys\") and not kvs.exists(h, \"nope\")
"
'
test_expect_success 'flux kvs reads what flux.kvs wrote' '
	flux python -c "
import flux, flux.kvs as kvs
h = flux.Flux()
kvs.put(h, \"py.list\", [1, \"two\"])
kvs.put(h, \"py.str\", \"s\")
kvs.put(h, \"py.raw\", b\"\\x00\\x01\")
kvs.commit(h)
" &&
	flux kvs get py.list py.str >py.out &&
	cat >py.expected <<-\EOF &&
	[1, "two"]
	"s"
	EOF
	test_cmp py.expected py.out &&
	flux kvs get -r py.raw | od -An -tx1 >pyraw.out &&
	grep "00 01" pyraw.out
'
test_expect_success 'flux.kvs: a directory is a KVSDir; errors are OSError' '
	flux python -c "
import errno, flux, flux.kvs as kvs
h = flux.Flux()
d = kvs.get(h, \"py\")
assert isinstance(d, kvs.KVSDir)
assert list(d) == [\"list\", \"raw\", \"str\"], list(d)
assert d[\"list\"] == [1, \"two\"]
try:
    kvs.get(h, \"py.nosuch\")
    raise SystemExit(\"no error\")
except OSError as e:
    assert e.errno == errno.ENOENT, e
"
'
test_expect_success 'a failing transaction changes nothing' '
	v=$(flux kvs version) &&
	flux python -c "
import errno, flux, flux.kvs as kvs
h = flux.Flux()
kvs.put(h, \"atomic.a\", 1)
kvs.put(h, \".\", 2)
try:
    kvs.commit(h)
    raise SystemExit(\"commit of the root succeeded\")
except OSError as e:
    assert e.errno == errno.EINVAL, e
" &&
	test_must_fail flux kvs get atomic.a &&
	test "$(flux kvs version)" = $v
'
test_expect_success 'guests are refused: EPERM' '
	test_must_fail as_forged_guest flux kvs get pys 2>guest-get.err &&
	grep "^flux-kvs: pys: Request requires owner credentials" \
		guest-get.err &&
	test_must_fail as_forged_guest flux kvs put pys=guest 2>guest-put.err &&
	grep "Request requires owner credentials" guest-put.err &&
	test "$(flux kvs get pys)" = text &&
	test_must_fail as_forged_guest flux python -c "
import flux, flux.kvs
flux.kvs.get(flux.Flux(), \"pys\")
" 2>guest-py.err &&
	grep "PermissionError" guest-py.err
'
test_expect_success 'a malformed request gets EPROTO, and kvs keeps running' '
	test_must_fail rpc kvs.lookup "{\"flags\": 0}" 2>proto.err &&
	grep "^71: " proto.err &&
	test_must_fail rpc kvs.commit "{\"namespace\": \"primary\", \"flags\": 0, \"ops\": [3]}" 2>proto2.err &&
	grep "^71: " proto2.err &&
	test_must_fail rpc kvs.commit "{\"namespace\": \"primary\", \"flags\": 0, \"ops\": [{\"key\": \"a\", \"flags\": 0, \"dirent\": {\"ver\": 1, \"type\": \"val\", \"data\": \"!!\"}}]}" 2>inval.err &&
	grep "^22: " inval.err &&
	test "$(flux kvs get pys)" = text
'
test_expect_success 'an unknown namespace gets ENOTSUP' '
	test_must_fail flux kvs get -N nons pys 2>nons.err &&
	grep "nons" nons.err
'
test_expect_success 'a Python module uses flux.kvs through self.handle' '
	flux module load $M/kvsuser.py &&
	rpc kvsuser.putget "{\"key\": \"fromod.v\", \"value\": {\"n\": 7}}" \
		>putget.out &&
	echo "{\"value\": {\"n\": 7}}" >putget.expected &&
	test_cmp putget.expected putget.out &&
	test "$(flux kvs get fromod.v)" = "{\"n\": 7}"
'
test_expect_success 'the module reads what a client wrote, and sees errors' '
	flux kvs put shared=fromclient &&
	rpc kvsuser.get "{\"key\": \"shared\"}" >modget.out &&
	echo "{\"value\": \"fromclient\"}" >modget.expected &&
	test_cmp modget.expected modget.out &&
	rpc kvsuser.get "{\"key\": \"fromod\"}" >moddir.out &&
	echo "{\"value\": {\"dir\": [\"v\"]}}" >moddir.expected &&
	test_cmp moddir.expected moddir.out &&
	test_must_fail rpc kvsuser.get "{\"key\": \"nosuch\"}" 2>moderr.err &&
	grep "^2: " moderr.err &&
	flux module remove kvsuser
'
test_expect_success 'flux module remove kvs; the service is gone' '
	flux module remove kvs &&
	! module_is_loaded kvs &&
	test_must_fail flux kvs get pys 2>gone.err &&
	grep "^flux-kvs: pys: " gone.err
'
test_expect_success 'flux module load kvs again: it goes on from the checkpoint' '
	flux module load kvs &&
	module_is_loaded kvs &&
	test "$(flux kvs version)" -gt 0 &&
	test "$(flux kvs get pys)" = text
'
test_done
