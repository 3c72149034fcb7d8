#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: the local socket, byte for byte

A small raw-socket client (no libflux) checks the handshake, the roles
given to connections by uid, what the broker does with malformed frames,
and that the broker answers flux-core wire captures (t/vectors) with
the same structure as flux-core did.'

. /usr/share/sharness/sharness.sh

vectors="ping-broker module-list logger event-pub unknown-service attr-get
	long-payload"
for v in $vectors; do
	test_require_vectors $v.client-to-broker.bin $v.broker-to-client.bin
done

test_under_flux 1 minimal

sockpath=${FLUX_URI#local://}

test_expect_success 'create the raw client' '
	cp "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" . &&
	cat >wire.py <<-\EOF &&
	import json, os, select, socket, struct, sys
	from rawwire import MAGIC, Conn, decode, encode, frames, part, split_parts

	def payload_json(m):
	    return json.loads(m["payload"].rstrip(b"\0"))

	def ping(path):
	    c = Conn(path)
	    if c.auth != b"\0":
	        print("refused errno=%d" % c.auth[0] if c.auth else "eof")
	        return
	    c.send(encode(1, "broker.ping", b"{\"seq\":0,\"pad\":\"\"}\0"))
	    m = c.recv()
	    p = payload_json(m)
	    print("userid=%d rolemask=%d" % (p["userid"], p["rolemask"]))
	    c.send(encode(1, "attr.set",
	                  b"{\"name\":\"test.guest\",\"value\":\"1\"}\0"))
	    m = c.recv()
	    if m["aux1"] == 0:
	        print("attr.set ok")
	    else:
	        print("attr.set errnum=%d %s" % (m["aux1"],
	              m["payload"].rstrip(b"\0").decode()))

	def replay(path, vdir, name):
	    req = open(os.path.join(vdir, name + ".client-to-broker.bin"),
	               "rb").read()
	    rsp = open(os.path.join(vdir, name + ".broker-to-client.bin"),
	               "rb").read()
	    c = Conn(path)
	    assert c.auth == rsp[:1], "auth byte"
	    c.send(req)
	    expected = [decode(f) for f in frames(rsp[1:])]
	    for e in expected:
	        a = c.recv()
	        assert a is not None, "%s: no response" % e["topic"]
	        for k in ("type", "flags", "aux1", "aux2", "topic", "route",
	                  "rolemask"):
	            assert a[k] == e[k], "%s: %s is %r, expected %r" % (
	                e["topic"], k, a[k], e[k])
	        assert a["userid"] == os.getuid(), "userid"
	        if e["payload"] is None:
	            continue
	        try:
	            ekeys = sorted(payload_json(e))
	        except ValueError:
	            assert a["payload"] == e["payload"], "%r" % a["payload"]
	            continue
	        akeys = sorted(payload_json(a))
	        assert akeys == ekeys, "%s: keys %r, expected %r" % (
	            e["topic"], akeys, ekeys)
	    assert c.recv(timeout=0.5) is None, "unexpected extra message"
	    print("%s: %d message(s) as flux-core" % (name, len(expected)))

	def garbage(path, what):
	    c = Conn(path)
	    assert c.auth == b"\0"
	    if what == "magic":
	        c.send(b"\xde\xad\xbe\xef" + struct.pack(">I", 4) + b"abcd")
	    elif what == "proto":
	        good = encode(1, "broker.ping", b"{}\0")
	        c.send(good[:-20] + b"\x8e\x07" + good[-18:])
	    elif what == "parts":
	        c.send(MAGIC + struct.pack(">I", 3) + b"\x09ab")
	    elif what == "midframe":
	        good = encode(1, "broker.ping", b"{}\0")
	        c.send(good[:len(good) // 2])
	        c.s.close()
	        print("closed by client")
	        return
	    print("closed by broker" if c.closed() else "still open")

	def subscribe(path, ready, topic):
	    c = Conn(path)
	    c.send(encode(1, "event.subscribe",
	                  json.dumps({"topic": topic}).encode() + b"\0"))
	    assert c.recv()["aux1"] == 0
	    open(ready, "w").close()
	    while True:
	        m = c.recv(timeout=30 * float(os.environ["FLUX_TEST_TIMEOUT_FACTOR"]))
	        if m is None:
	            break
	        if m["type"] == 4:
	            print(m["topic"])
	            sys.stdout.flush()
	            if m["topic"].endswith(".end"):
	                break

	def publish(path, private, topic):
	    c = Conn(path)
	    c.send(encode(1, "event.publish", json.dumps(
	        {"topic": topic, "flags": int(private == "private")}).encode()
	        + b"\0"))
	    assert c.recv()["aux1"] == 0

	cmd = sys.argv[1]
	if cmd == "subscribe":
	    subscribe(sys.argv[2], sys.argv[3], sys.argv[4])
	elif cmd == "publish":
	    publish(sys.argv[2], sys.argv[3], sys.argv[4])
	elif cmd == "ping":
	    ping(sys.argv[2])
	elif cmd == "replay":
	    replay(sys.argv[2], sys.argv[3], sys.argv[4])
	elif cmd == "garbage":
	    garbage(sys.argv[2], sys.argv[3])
	EOF
	$RAWPY wire.py ping "$sockpath" >owner.out &&
	cat >owner.expected <<-EOT &&
	userid=$(id -u) rolemask=5
	attr.set ok
	EOT
	test_cmp owner.expected owner.out
'
for v in $vectors; do
	test_expect_success "vector $v is answered as flux-core answered it" "
		$RAWPY wire.py replay \"\$sockpath\" \"\$FLUX_VECTORS_DIR\" $v
	"
done
test_expect_success 'the logger vector left its line in the ring' '
	flux dmesg | grep "logger.info\[0\]: vector-hello"
'
for what in magic proto parts; do
	test_expect_success "a malformed frame ($what) drops that client only" "
		$RAWPY wire.py garbage \"\$sockpath\" $what >bad-$what.out &&
		grep '^closed by broker$' bad-$what.out &&
		flux getattr rank
	"
done
test_expect_success 'the broker logs why it dropped the client' '
	flux dmesg | grep "broker.err\[0\]: dropping client .*: Protocol error" &&
	flux dmesg -C
'
test_expect_success 'a client gone in the middle of a frame is cleaned up' '
	$RAWPY wire.py garbage "$sockpath" midframe &&
	flux ping -c 1 broker &&
	flux dmesg >midframe.out &&
	test_must_fail grep "dropping client" midframe.out
'

test_expect_success 'a client that sends a burst of requests and goes' '
	flux python -c "
import socket, struct, sys
def part(b):
    return bytes([len(b)]) + b
proto = bytes([0x8E, 1, 1, 0x03]) + struct.pack(\">IIII\",
    0xFFFFFFFF, 0, 0xFFFFFFFF, 1)
body = part(b\"broker.ping\") + part(b\"{}\0\") + part(proto)
frame = struct.pack(\"<I\", 0xFFEE0012) + struct.pack(\">I\", len(body)) + body
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
assert s.recv(1) == b\"\\0\"
s.sendall(frame * 2000)
s.close()
" "$sockpath" &&
	flux ping -c 1 broker &&
	flux dmesg >burst.dmesg &&
	test_must_fail grep "dropping client" burst.dmesg
'

# Another uid: its own broker, with a rundir that uid can reach.
test_otheruid_prereq /usr/bin/python3
test_expect_success OTHERUID 'a real other uid is refused with EPERM' '
	run=$(mktemp -d /tmp/flux-t0021-XXXXXX) &&
	test_when_finished "rm -rf $run" &&
	chmod 755 $run &&
	cp wire.py rawwire.py $run/ &&
	"$FLUX_BUILD_DIR/broker/flux-broker" -Srundir=$run/rundir \
		sh -c "chmod 755 $run/rundir && \
		$as_other_uid_cmd \
		/usr/bin/python3 $run/wire.py ping $run/rundir/local" \
		>refused.out &&
	echo "refused errno=1" >refused.expected &&
	test_cmp refused.expected refused.out
'
test_expect_success OTHERUID 'with access.allow-guest-user it is a guest' '
	run=$(mktemp -d /tmp/flux-t0021-XXXXXX) &&
	test_when_finished "rm -rf $run" &&
	chmod 755 $run &&
	cp wire.py rawwire.py $run/ &&
	"$FLUX_BUILD_DIR/broker/flux-broker" -Srundir=$run/rundir \
		-Saccess.allow-guest-user=1 \
		sh -c "chmod 755 $run/rundir && \
		$as_other_uid_cmd \
		/usr/bin/python3 $run/wire.py ping $run/rundir/local" \
		>guest.out &&
	cat >guest.expected <<-EOT &&
	userid=65534 rolemask=6
	attr.set errnum=1 Request requires owner credentials
	EOT
	test_cmp guest.expected guest.out
'
# Run a broker as uid 65534 in the background until $run/done exists,
# from a copy of the programs that uid can run.
guest_broker() {
	run=$1
	shift
	as_other_uid $(stage_for_guest $run/stage) flux-broker -Srundir=$run/rundir \
		-Sbroker.rc1_path= -Sbroker.rc3_path= "$@" \
		sh -c "chmod 755 $run/rundir && touch $run/up && n=0 && \
		while test ! -e $run/done && test -d $run && test \$n -lt $((600 * FLUX_TEST_TIMEOUT_FACTOR)); \
		do sleep 0.1; n=\$((n+1)); done" </dev/null &
	echo $! >$run/pid
}
test_expect_success OTHERUID 'root is a guest of another uid by default' '
	run=$(mktemp -d /tmp/flux-t0021-XXXXXX) &&
	test_when_finished "rm -rf $run" &&
	chmod 777 $run &&
	guest_broker $run -Saccess.allow-guest-user=1 &&
	test_retry 100 test -e $run/up &&
	$RAWPY wire.py ping $run/rundir/local >root.out &&
	touch $run/done &&
	wait $(cat $run/pid) &&
	grep "^userid=0 rolemask=6$" root.out
'
test_expect_success OTHERUID 'root is an owner with access.allow-root-owner' '
	run=$(mktemp -d /tmp/flux-t0021-XXXXXX) &&
	test_when_finished "rm -rf $run" &&
	chmod 777 $run &&
	guest_broker $run -Saccess.allow-root-owner=1 &&
	test_retry 100 test -e $run/up &&
	$RAWPY wire.py ping $run/rundir/local >rootowner.out &&
	touch $run/done &&
	wait $(cat $run/pid) &&
	cat >rootowner.expected <<-EOT &&
	userid=0 rolemask=5
	attr.set ok
	EOT
	test_cmp rootowner.expected rootowner.out
'

test_expect_success OTHERUID 'a PRIVATE event reaches a guest only if it is his' '
	run=$(mktemp -d /tmp/flux-t0021-XXXXXX) &&
	test_when_finished "rm -rf $run" &&
	chmod 777 $run &&
	cp wire.py rawwire.py $run/ &&
	guest_broker $run -Saccess.allow-guest-user=1 &&
	test_retry 100 test -e $run/up &&
	sock=$run/rundir/local &&
	run_bg $RAWPY wire.py subscribe $sock sub.ready priv >priv.out &&
	test_retry 100 test -e sub.ready &&
	as_other_uid /usr/bin/python3 $run/wire.py publish $sock private priv.owner &&
	$RAWPY wire.py publish $sock private priv.mine &&
	as_other_uid /usr/bin/python3 $run/wire.py publish $sock public priv.end &&
	wait $(cat bg.pid) &&
	touch $run/done &&
	wait $(cat $run/pid) &&
	printf "priv.mine\npriv.end\n" >priv.expected &&
	test_cmp priv.expected priv.out
'

test_done
