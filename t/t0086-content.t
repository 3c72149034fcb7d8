#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The content store and the durable KVS

The content module serves flux-core'"'"'s content protocol (RFC 10) from
SQLite: in memory, or in <statedir>/content.sqlite.  The kvs keeps its
tree there and checkpoints its primary root before it answers a commit,
so an instance started again on the same statedir, after a normal stop
or after SIGKILL, has every commit that was acknowledged.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

# content OP [ARG]: content.* requests as flux-core sends them (raw
# sha1 digests on the wire, blobrefs on the command line).
#   store FILE      -> prints the blobref of the blob FILE holds
#   load BLOBREF    -> writes the blob to stdout
#   loadraw HEX     -> content.load with these request bytes
#   stats           -> content.stats-get
content() {
	flux python -c '
import hashlib, sys, flux
from flux.core.inner import ffi, lib
from flux.future import Future
h = flux.Flux()
def raw(topic, data):
    f = Future(lib.flux_rpc_raw(h.handle, topic, data, len(data),
                                lib.FLUX_NODEID_ANY, 0), flux_handle=h)
    p = ffi.new("const void **")
    n = ffi.new("size_t *")
    if lib.flux_rpc_get_raw(f.handle, p, n) < 0:
        print(f"{ffi.errno}: {f.error_string()}", file=sys.stderr)
        sys.exit(1)
    return bytes(ffi.buffer(p[0], n[0])) if n[0] else b""
op, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None
if op == "store":
    print("sha1-" + raw(b"content.store", open(arg, "rb").read()).hex())
elif op == "load":
    sys.stdout.buffer.write(raw(b"content.load", bytes.fromhex(arg[5:])))
elif op == "loadraw":
    sys.stdout.buffer.write(raw(b"content.load", bytes.fromhex(arg)))
elif op == "backing-load":
    sys.stdout.buffer.write(raw(b"content-backing.load",
                                bytes.fromhex(arg[5:])))
' "$@"
}

# instance DIR CMD: run CMD in a new instance on statedir DIR, content
# then kvs loaded first, both removed after.
instance() {
	dir=$1 &&
	shift &&
	flux start -Sbroker.rc1_path= -Sbroker.rc3_path= -Sstatedir="$dir" \
		sh -c 'flux module load content && flux module load kvs &&
			sh -c "$0" && flux module remove kvs &&
			flux module remove content' "$*"
}

guest_uid=$(($(id -u) + 1))

test_expect_success 'load the content module (no statedir: in memory)' '
	flux module load content &&
	flux dmesg | grep "content.debug.*:memory:"
'
test_expect_success 'content.store returns the sha1 blobref of the blob' '
	printf "hello" >hello.blob &&
	content store hello.blob >hello.ref &&
	echo "sha1-$(printf hello | sha1sum | cut -c1-40)" >hello.expected &&
	test_cmp hello.expected hello.ref
'
test_expect_success 'content.load returns the blob, empty blob too' '
	content load $(cat hello.ref) >hello.out &&
	test_cmp hello.blob hello.out &&
	: >empty.blob &&
	content load $(content store empty.blob) >empty.out &&
	test_cmp empty.blob empty.out
'
test_expect_success 'content.load of an unknown blob fails with ENOENT' '
	test_must_fail content load sha1-$(printf nosuch | sha1sum | cut -c1-40) \
		2>unknown.err &&
	grep "^2: " unknown.err
'
test_expect_success 'content.load of a request that is no digest: EPROTO' '
	test_must_fail content loadraw 736861312d00 2>proto.err &&
	grep "^71: .*20-byte sha1 digest" proto.err
'
test_expect_success 'content.stats-get counts the blobs' '
	rpc content.stats-get >stats.out &&
	jq -e ".count == 2 and .size == 5 and .dirty == 0" stats.out
'
test_expect_success 'checkpoint-get before any checkpoint: ENOENT' '
	test_must_fail rpc content.checkpoint-get 2>nockpt.err &&
	grep "^2: " nockpt.err
'
test_expect_success 'checkpoint-put, then checkpoint-get newest first' '
	rpc content.checkpoint-put \
		"{\"value\":{\"version\":1,\"rootref\":\"sha1-a\",\"sequence\":1,\"timestamp\":2.5}}" &&
	rpc content.checkpoint-put \
		"{\"value\":{\"version\":1,\"rootref\":\"sha1-b\",\"sequence\":2,\"timestamp\":3.5}}" &&
	rpc content.checkpoint-get >ckpt.out &&
	jq -e ".value[0].rootref == \"sha1-b\" and .value[1].sequence == 1" \
		ckpt.out
'
test_expect_success 'content-backing serves the same blobs and checkpoints' '
	content backing-load $(cat hello.ref) >backing.out &&
	test_cmp hello.blob backing.out &&
	rpc content-backing.checkpoint-get >bckpt.out &&
	test_cmp ckpt.out bckpt.out
'
test_expect_success 'only the newest five checkpoints are kept' '
	for i in 3 4 5 6 7; do
		rpc content.checkpoint-put \
			"{\"value\":{\"version\":1,\"rootref\":\"sha1-$i\",\"sequence\":$i}}" ||
		return 1
	done &&
	rpc content.checkpoint-get >ckpt5.out &&
	jq -e "(.value | length) == 5 and .value[4].rootref == \"sha1-3\"" \
		ckpt5.out
'
test_expect_success 'checkpoint-put without a value object: EPROTO' '
	test_must_fail rpc content.checkpoint-put "{\"key\":\"x\"}" 2>badput.err &&
	grep "^71: " badput.err
'
test_expect_success 'content.flush succeeds' '
	rpc content.flush
'
test_expect_success 'the content methods are owner-only (a guest: EPERM)' '
	FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=2 \
		test_must_fail content load $(cat hello.ref) 2>guest.err &&
	grep "^1: " guest.err &&
	FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=2 \
		test_must_fail rpc content.checkpoint-get 2>guest2.err &&
	grep "^1: " guest2.err
'
test_expect_success 'remove the content module' '
	flux module remove content
'
test_expect_success 'a blob over blob-size-limit fails with EFBIG' '
	flux module load content blob-size-limit=4 &&
	printf "1234" >four.blob &&
	content store four.blob &&
	test_must_fail content store hello.blob 2>big.err &&
	grep "^27: " big.err &&
	flux module remove content
'
test_expect_success 'an unknown module option fails the load' '
	test_must_fail flux module load content nosuch=1 2>opt.err &&
	grep "unknown module option: nosuch=1" opt.err
'
test_expect_success 'without the content module, the kvs refuses to load' '
	test_must_fail flux module load kvs 2>nocontent.err &&
	grep "load the content module before the kvs" nocontent.err
'
test_expect_success 'a missing statedir is created, content.sqlite in it' '
	flux start -Sbroker.rc1_path= -Sbroker.rc3_path= -Sstatedir=new.d \
		sh -c "flux module load content && flux module remove content" &&
	test -f new.d/content.sqlite
'
test_expect_success 'restart: what was committed is there after a stop' '
	instance state1 "flux kvs put a=1 dir.b=hello &&
		flux python -c \"import flux, flux.kvs
flux.kvs.namespace_create(flux.Flux(), \\\"other\\\")\" &&
		flux kvs put -N other o=1" &&
	instance state1 "flux kvs get a dir.b >restart.out &&
		flux python -c \"import flux, flux.kvs
print(list(flux.kvs.namespace_list(flux.Flux())))\" >ns.out" &&
	printf "1\nhello\n" >restart.expected &&
	test_cmp restart.expected restart.out
'
test_expect_success 'restart: the sequence goes on from the checkpoint' '
	instance state1 "flux kvs version >version.out" &&
	test "$(cat version.out)" -ge 1 &&
	instance state1 "flux kvs put a=2 && flux kvs version >version2.out" &&
	test "$(cat version2.out)" -gt "$(cat version.out)"
'
test_expect_success 'restart: only the primary namespace is checkpointed' '
	grep "primary" ns.out &&
	! grep "other" ns.out
'
test_expect_success 'SIGKILL right after the last put: every put is there' '
	test_expect_code 137 instance state2 "for i in \$(seq 1 50); do
			flux kvs put k\$i=\$i || exit 1
		done &&
		kill -9 \$(flux getattr broker.pid)" &&
	test -s state2/content.sqlite-wal &&
	instance state2 "for i in \$(seq 1 50); do
			flux kvs get k\$i || exit 1
		done >killed.out" &&
	seq 1 50 >killed.expected &&
	test_cmp killed.expected killed.out
'
test_expect_success 'SIGKILL after a FLUX_KVS_SYNC commit: it is there' '
	test_expect_code 137 instance state3 "flux python -c \"
import flux, flux.kvs
h = flux.Flux()
flux.kvs.put(h, \\\"s\\\", 42)
flux.kvs.commit(h, flux.kvs.FLUX_KVS_SYNC)
\" && kill -9 \$(flux getattr broker.pid)" &&
	instance state3 "flux kvs get s >sync.out" &&
	test "$(cat sync.out)" = 42
'
test_expect_success 'a 10 kB value is a valref, stored as one blob' '
	python3 -c "print(\"v\" * 10000, end=\"\")" >big.val &&
	instance state4 "flux kvs put -r big=- <big.val &&
		flux kvs get --treeobj big >big.treeobj &&
		flux kvs get -r big >big.out &&
		flux kvs put small=tiny && flux kvs get --treeobj small \
			>small.treeobj" &&
	echo "{\"data\":[\"sha1-$(sha1sum <big.val | cut -c1-40)\"],\"type\":\"valref\",\"ver\":1}" \
		>big.expected &&
	test_cmp big.expected big.treeobj &&
	test_cmp big.val big.out &&
	jq -e ".type == \"val\"" small.treeobj
'
test_expect_success 'the valref reads back after a restart' '
	instance state4 "flux kvs get -r big >big2.out" &&
	test_cmp big.val big2.out
'
test_expect_success 'a commit of a valref tree object names the same value' '
	instance state4 "flux kvs put --treeobj copy=\$(cat big.treeobj) &&
		flux kvs get -r copy >copy.out" &&
	test_cmp big.val copy.out
'
test_expect_success 'a valref to a blob the store lacks: lookup ENOENT' '
	instance state4 "flux kvs put --treeobj bad=\"{\\\"data\\\":[\\\"sha1-$(printf nosuch | sha1sum | cut -c1-40)\\\"],\\\"type\\\":\\\"valref\\\",\\\"ver\\\":1}\" &&
		! flux kvs get bad 2>badref.err" &&
	grep "No such file" badref.err
'
test_expect_success 'a lookup at an older checkpointed root after restart' '
	instance state5 "flux kvs put v=old && flux kvs put v=new" &&
	instance state5 "flux python -c \"
import flux, flux.kvs, json
h = flux.Flux()
old = flux.kvs.kvs_checkpoint_lookup(h)[1][\\\"rootref\\\"]
resp = h.rpc(\\\"kvs.lookup\\\", {\\\"key\\\": \\\"v\\\", \\\"flags\\\": 0,
    \\\"namespace\\\": \\\"primary\\\",
    \\\"rootdir\\\": {\\\"ver\\\": 1, \\\"type\\\": \\\"dirref\\\",
                   \\\"data\\\": [old]}}).get()
print(json.dumps(resp[\\\"val\\\"]))
\" >at.out && flux kvs get v >now.out" &&
	jq -r .data at.out | base64 -d >at.val &&
	test "$(cat at.val)" = old &&
	test "$(cat now.out)" = new
'
test_expect_success 'removing content under the kvs: commits then fail' '
	flux start -Sbroker.rc1_path= -Sbroker.rc3_path= sh -c "
		flux module load content && flux module load kvs &&
		flux kvs put before=1 &&
		flux module remove content &&
		! flux kvs put after=1 2>nocontent-commit.err;
		rc=\$?; flux module remove kvs; exit \$rc" &&
	grep "content store failed to save it" nocontent-commit.err
'
test_done
