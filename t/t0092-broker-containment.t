#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: a client cannot reach beyond its connection

A request is known by the connection it arrived on, never by a route
stack the client wrote: a service a client adds with service.add is its
own and goes away with it, whatever routes the client put on the
request (a guest may not send a route stack at all).  A second broker
started on the rundir of a live one fails and leaves it alone.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

sockpath=${FLUX_URI#local://}

# svc.py SOCKET STEP...: runs each STEP on one connection, in order, and
# prints one line per step.  Steps:
#   add:NAME[:ROUTE]   service.add NAME, with route frames ROUTE (a
#                      comma-separated list of uuids) written by the client
#   rpc:TOPIC          send a request, print the response's errnum and text
#   serve:TOPIC        send a request for TOPIC and expect to receive it
#                      back (the service is this connection's), answer it
test_expect_success 'create the raw client' '
	cp "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" . &&
	cat >svc.py <<-\EOF &&
	import json, sys
	import rawwire
	from rawwire import encode

	REQUEST, RESPONSE = 1, 2

	class Conn(rawwire.Conn):
	    def __init__(self, path):
	        super().__init__(path)
	        assert self.auth == b"\0", "connection refused"

	    def recv(self):
	        m = super().recv()
	        assert m is not None, "timed out"
	        return m

	def show(m):
	    if m["aux1"] == 0:
	        return "ok"
	    text = (m["payload"] or b"").rstrip(b"\0").decode()
	    return "errnum=%d %s" % (m["aux1"], text)

	c = Conn(sys.argv[1])
	for tag, step in enumerate(sys.argv[2:], start=1):
	    what, arg, *rest = step.split(":")
	    if what == "add":
	        route = rest[0].split(",") if rest else None
	        body = json.dumps({"service": arg}).encode() + b"\0"
	        c.s.sendall(encode(REQUEST, "service.add", body, aux2=tag,
	                           route=route))
	        print("add %s: %s" % (arg, show(c.recv())))
	    elif what == "rpc":
	        c.s.sendall(encode(REQUEST, arg, b"{}\0", aux2=tag))
	        print("rpc %s: %s" % (arg, show(c.recv())))
	    elif what == "serve":
	        c.s.sendall(encode(REQUEST, arg, b"{}\0", aux2=tag))
	        req = c.recv()
	        assert req["type"] == REQUEST and req["topic"] == arg, req
	        c.s.sendall(encode(RESPONSE, arg, b"{}\0", aux1=0,
	                           aux2=req["aux2"], route=req["route"]))
	        print("serve %s: got it, answer %s" % (arg, show(c.recv())))
	EOF
	uuid=$(flux getattr broker.uuid) &&
	test -n "$uuid"
'

# What the router says when nothing serves a topic.
nosys() {
	echo "rpc $1: errnum=38 No service matching $1 is registered"
}

test_expect_success 'a service added with a forged route is the client'"'"'s' '
	uuid=$(flux getattr broker.uuid) &&
	$RAWPY svc.py $sockpath add:forged:$uuid serve:forged.hello \
		>forged.out &&
	cat >forged.expected <<-EOF &&
	add forged: ok
	serve forged.hello: got it, answer ok
	EOF
	test_cmp forged.expected forged.out
'
test_expect_success 'it is gone when the client disconnects' '
	$RAWPY svc.py $sockpath rpc:forged.hello add:forged >gone.out &&
	{ nosys forged.hello && echo "add forged: ok"; } >gone.expected &&
	test_cmp gone.expected gone.out
'
test_expect_success 'a forged route naming another client is no help' '
	$RAWPY svc.py $sockpath add:other:0123abcd-0000-4000-8000-000000000000 \
		serve:other.x >other.out &&
	grep "^serve other.x: got it, answer ok$" other.out &&
	$RAWPY svc.py $sockpath rpc:other.x >other2.out &&
	nosys other.x >other2.expected &&
	test_cmp other2.expected other2.out
'

# Another uid: a broker whose initial program runs the commands, some as
# uid 65534 (run_guest_broker, t/sharness.d).
test_otheruid_prereq /usr/bin/python3
broker="$FLUX_BUILD_DIR/broker/flux-broker"
test_expect_success OTHERUID 'a guest may not send its own route stack' '
	run_guest_broker svc.py "\
		U=\$(flux getattr broker.uuid) && \
		\$G \$P \$S add:65534-svc:\$U && \
		\$P \$S rpc:65534-svc.hello && \
		\$G \$P \$S add:65534-svc serve:65534-svc.hello && \
		\$P \$S rpc:65534-svc.hello add:65534-svc" >guest.out &&
	cat >guest.expected <<-EOF &&
	add 65534-svc: errnum=71 a request from a guest may not carry a route stack
	$(nosys 65534-svc.hello)
	add 65534-svc: ok
	serve 65534-svc.hello: got it, answer ok
	$(nosys 65534-svc.hello)
	add 65534-svc: ok
	EOF
	test_cmp guest.expected guest.out
'
test_expect_success OTHERUID 'a guest still may only add its own UID- names' '
	run_guest_broker svc.py "\$G \$P \$S add:kvs add:65534-x" >guestname.out &&
	cat >guestname.expected <<-EOF &&
	add kvs: errnum=1 guest service names must begin with 65534-
	add 65534-x: ok
	EOF
	test_cmp guestname.expected guestname.out
'

#
# The rundir of a live broker
#
test_expect_success 'start a broker on a rundir of its own' '
	base=$(mktemp -d /tmp/flux-t0092-rd-XXXXXX) &&
	echo $base >base.path &&
	rd=$base/rundir &&
	run_bg "$broker" -Srundir=$rd -Sbroker.rc1_path= -Sbroker.rc3_path= \
		sh -c "while test ! -e $base/stop; do sleep 0.1; done" \
		>first.out 2>first.err &&
	cp bg.pid first.pid &&
	test_retry 100 test -S $rd/local &&
	FLUX_URI=local://$rd/local flux getattr broker.pid >first.bpid
'
test_expect_success 'a second broker on its rundir fails and says why' '
	rd=$(cat base.path)/rundir &&
	test_expect_code 1 flux start -Srundir=$rd true 2>second.err &&
	echo "flux-broker: rundir $rd is in use by another broker" \
		>second.expected &&
	test_cmp second.expected second.err &&
	test_expect_code 1 "$broker" -Srundir=$rd -Srundir-cleanup=1 \
		true 2>third.err &&
	test_cmp second.expected third.err
'
test_expect_success 'the first broker still answers on its socket' '
	rd=$(cat base.path)/rundir &&
	test -S $rd/local &&
	FLUX_URI=local://$rd/local flux getattr broker.pid >first.bpid2 &&
	test_cmp first.bpid first.bpid2 &&
	FLUX_URI=local://$rd/local flux dmesg >first.dmesg &&
	test_must_fail grep "accepting connection" first.dmesg
'
test_expect_success 'the first broker exits cleanly and removes its rundir' '
	base=$(cat base.path) &&
	touch $base/stop &&
	wait $(cat first.pid) &&
	test_must_be_empty first.err &&
	test ! -e $base/rundir &&
	rm -rf $base
'
test_expect_success 'a stale socket in an existing rundir is replaced' '
	base=$(mktemp -d /tmp/flux-t0092-rd-XXXXXX) &&
	mkdir -m 700 $base/rundir &&
	$RAWPY -c "import socket, sys; \
		socket.socket(socket.AF_UNIX).bind(sys.argv[1])" \
		$base/rundir/local &&
	test -S $base/rundir/local &&
	flux start -Srundir=$base/rundir flux getattr rank >stale.out &&
	echo 0 >stale.expected &&
	test_cmp stale.expected stale.out &&
	test -d $base/rundir &&
	rm -rf $base
'
test_expect_success 'a rundir whose local is not a socket is left alone' '
	base=$(mktemp -d /tmp/flux-t0092-rd-XXXXXX) &&
	mkdir -m 700 $base/rundir &&
	echo keep >$base/rundir/local &&
	test_expect_code 1 flux start -Srundir=$base/rundir true \
		2>notsock.err &&
	echo "flux-broker: rundir $base/rundir: $base/rundir/local exists and is not a socket" \
		>notsock.expected &&
	test_cmp notsock.expected notsock.err &&
	echo keep >keep.expected &&
	test_cmp keep.expected $base/rundir/local &&
	rm -rf $base
'

test_done
