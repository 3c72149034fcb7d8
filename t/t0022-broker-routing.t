#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: routing, dynamic services, access, events

Requests go to the service named by the topic; clients may add services
of their own; roles decide who may call what; events reach prefix
subscribers, PRIVATE ones only their owner.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

# Print "ERRNO TEXT" of a failed RPC: rpc_error TOPIC [JSON]
rpc_error() {
	flux python -c "
import flux, json, sys
try:
    flux.Flux().rpc(sys.argv[1], json.loads(sys.argv[2])).get()
    print('no error')
except OSError as e:
    print(e.errno, e.strerror)
" "$1" "${2:-{\}}"
}
# The same as a guest (uid 1234, role USER) simulated by the owner.
guest_rpc_error() {
	FLUX_HANDLE_USERID=1234 FLUX_HANDLE_ROLEMASK=2 rpc_error "$@"
}

test_expect_success 'an unknown service gets ENOSYS with flux-core text' '
	rpc_error nosuch.method >nosys.out &&
	echo "38 No service matching nosuch.method is registered" \
		>nosys.expected &&
	test_cmp nosys.expected nosys.out &&
	rpc_error nodot >nodot.out &&
	echo "38 No service matching nodot is registered" >nodot.expected &&
	test_cmp nodot.expected nodot.out
'
test_expect_success 'an unknown method of a broker service gets ENOSYS' '
	rpc_error broker.nosuch >method.out &&
	echo "38 Unknown service method ${SQ}broker.nosuch${SQ}" \
		>method.expected &&
	test_cmp method.expected method.out
'
test_expect_success 'a request for another rank is unreachable' '
	flux python -c "
import flux
try:
    flux.Flux().rpc(\"broker.ping\", {}, nodeid=3).get()
except OSError as e:
    print(e.errno)
" >rank.out &&
	echo 113 >rank.expected &&
	test_cmp rank.expected rank.out
'
test_expect_success 'create a client that serves mysvc' '
	cat >svc.py <<-\EOF &&
	import flux
	from flux.constants import FLUX_MSGTYPE_REQUEST
	h = flux.Flux()
	h.service_register("mysvc").get()
	log = open("svc.log", "a")
	def cb(h, w, msg, arg):
	    if msg.topic == "mysvc.disconnect":
	        log.write("disconnect userid=%d\n" % msg.userid)
	        log.flush()
	        return
	    h.respond(msg, {"topic": msg.topic, "userid": msg.userid})
	    if msg.topic == "mysvc.quit":
	        h.reactor_stop()
	w = h.msg_watcher_create(cb, FLUX_MSGTYPE_REQUEST, "mysvc.*")
	w.start()
	open("svc.ready", "w").close()
	h.reactor_run()
	EOF
	run_bg flux python svc.py &&
	test_retry 100 test -f svc.ready
'
test_expect_success 'requests for mysvc reach the client that added it' '
	flux python -c "import flux; print(flux.Flux().rpc(\"mysvc.hello\").get())" \
		>hello.out &&
	echo "{${SQ}topic${SQ}: ${SQ}mysvc.hello${SQ}, ${SQ}userid${SQ}: $(id -u)}" \
		>hello.expected &&
	test_cmp hello.expected hello.out
'
test_expect_success 'the service hears mysvc.disconnect when a user goes' '
	test_retry 100 grep "^disconnect userid=$(id -u)$" svc.log
'
test_expect_success 'service.add of a taken name fails with EEXIST' '
	rpc_error service.add "{\"service\":\"mysvc\"}" >exist.out &&
	echo "17 service mysvc is already registered" >exist.expected &&
	test_cmp exist.expected exist.out &&
	rpc_error service.add "{\"service\":\"broker\"}" >exist2.out &&
	grep "^17 " exist2.out
'
test_expect_success 'service names may not contain a dot' '
	rpc_error service.add "{\"service\":\"a.b\"}" >dot.out &&
	grep "^22 " dot.out
'
test_expect_success 'only the client that added a service may remove it' '
	rpc_error service.remove "{\"service\":\"mysvc\"}" >notmine.out &&
	echo "22 requestor did not register service mysvc" >notmine.expected &&
	test_cmp notmine.expected notmine.out &&
	rpc_error service.remove "{\"service\":\"nosuch\"}" >noent.out &&
	echo "2 service nosuch is not registered" >noent.expected &&
	test_cmp noent.expected noent.out
'
test_expect_success 'a service goes away with the client that added it' '
	flux python -c "import flux; flux.Flux().rpc(\"mysvc.quit\").get()" &&
	wait $(cat bg.pid) &&
	rpc_error mysvc.hello >gone.out &&
	echo "38 No service matching mysvc.hello is registered" >gone.expected &&
	test_cmp gone.expected gone.out
'
test_expect_success 'a client adds and removes a service of its own' '
	flux python -c "
import flux
h = flux.Flux()
h.service_register(\"tmpsvc\").get()
h2 = flux.Flux()
try:
    h2.rpc(\"service.add\", {\"service\": \"tmpsvc\"}).get()
except OSError as e:
    print(\"second add:\", e.errno)
h.service_unregister(\"tmpsvc\").get()
h2.service_register(\"tmpsvc\").get()
print(\"second client has it\")
" >addrm.out &&
	cat >addrm.expected <<-EOT &&
	second add: 17
	second client has it
	EOT
	test_cmp addrm.expected addrm.out
'
test_expect_success 'a guest may use services open to guests' '
	FLUX_HANDLE_USERID=1234 FLUX_HANDLE_ROLEMASK=2 flux python -c "
import flux
h = flux.Flux()
print(h.rpc(\"attr.get\", {\"name\": \"rank\"}).get()[\"value\"])
p = h.rpc(\"broker.ping\", {\"seq\": 1}).get()
print(p[\"userid\"], p[\"rolemask\"])
print(len(h.rpc(\"module.list\").get()[\"mods\"]))
" >guest.out &&
	cat >guest.expected <<-EOT &&
	0
	1234 2
	0
	EOT
	test_cmp guest.expected guest.out
'
test_expect_success 'a guest may not use owner services' '
	guest_rpc_error attr.set "{\"name\":\"test.x\",\"value\":\"1\"}" \
		>gset.out &&
	echo "1 Request requires owner credentials" >gset.expected &&
	test_cmp gset.expected gset.out &&
	guest_rpc_error module.remove "{\"name\":\"x\"}" >grm.out &&
	test_cmp gset.expected grm.out
'
test_expect_success 'a guest may add services named UID-... only' '
	guest_rpc_error service.add "{\"service\":\"guestsvc\"}" >gadd.out &&
	echo "1 guest service names must begin with 1234-" >gadd.expected &&
	test_cmp gadd.expected gadd.out &&
	guest_rpc_error service.add "{\"service\":\"1234-svc\"}" >gadd2.out &&
	echo "no error" >gadd2.expected &&
	test_cmp gadd2.expected gadd2.out
'
test_expect_success 'create an event subscriber' '
	cat >sub.py <<-\EOF &&
	import flux, sys
	h = flux.Flux()
	for topic in sys.argv[2:]:
	    h.event_subscribe(topic)
	open(sys.argv[1], "w").close()
	while True:
	    m = h.event_recv()
	    print(m.topic, m.payload_str)
	    sys.stdout.flush()
	    if m.topic.endswith(".end"):
	        break
	EOF
	cat >pub.py <<-\EOF &&
	import base64, flux, sys
	h = flux.Flux()
	private = sys.argv[1] == "private"
	for topic in sys.argv[2:]:
	    data = base64.b64encode(("{\"t\":\"%s\"}\0" % topic).encode())
	    f = h.rpc("event.publish", {"topic": topic, "flags": int(private),
	                                "payload": data.decode()})
	    print(f.get()["seq"])
	EOF
	test -s pub.py
'
test_expect_success 'subscriptions are prefix matches; seq counts up' '
	rm -f sub.ready &&
	run_bg flux python sub.py sub.ready foo >sub.out &&
	test_retry 100 test -f sub.ready &&
	flux python pub.py public foo foo.bar foobar fo bar >seq.out &&
	flux python -c "import flux; flux.Flux().event_send(\"foo.direct\")" &&
	flux python pub.py public foo.end &&
	wait $(cat bg.pid) &&
	cat >sub.expected <<-\EOT &&
	foo {"t":"foo"}
	foo.bar {"t":"foo.bar"}
	foobar {"t":"foobar"}
	foo.direct None
	foo.end {"t":"foo.end"}
	EOT
	test_cmp sub.expected sub.out &&
	a=$(sed -n 1p seq.out) &&
	test "$(cat seq.out | tr "\n" " ")" = \
		"$a $((a+1)) $((a+2)) $((a+3)) $((a+4)) "
'
test_expect_success 'an empty subscription gets every event' '
	rm -f sub.ready &&
	run_bg flux python sub.py sub.ready "" >all.out &&
	test_retry 100 test -f sub.ready &&
	flux python pub.py public x.y all.end &&
	wait $(cat bg.pid) &&
	grep "^x.y " all.out &&
	grep "^all.end " all.out
'
test_expect_success 'unsubscribe stops the events' '
	flux python -c "
import base64, flux
h = flux.Flux()
h.event_subscribe(\"un\")
h.event_unsubscribe(\"un\")
h.event_subscribe(\"un.end\")
h2 = flux.Flux()
h2.rpc(\"event.publish\", {\"topic\": \"un.a\", \"flags\": 0}).get()
h2.rpc(\"event.publish\", {\"topic\": \"un.end\", \"flags\": 0}).get()
print(h.event_recv().topic)
" >unsub.out &&
	echo un.end >unsub.expected &&
	test_cmp unsub.expected unsub.out
'
test_expect_success 'a PRIVATE event from the owner reaches the owner' '
	rm -f sub.ready &&
	run_bg flux python sub.py sub.ready opriv >opriv.out &&
	test_retry 100 test -f sub.ready &&
	flux python pub.py private opriv.a opriv.end &&
	wait $(cat bg.pid) &&
	cat >opriv.expected <<-\EOT &&
	opriv.a {"t":"opriv.a"}
	opriv.end {"t":"opriv.end"}
	EOT
	test_cmp opriv.expected opriv.out
'
test_expect_success 'event.publish rejects unknown flags and bad base64' '
	rpc_error event.publish "{\"topic\":\"a\",\"flags\":8}" >flags.out &&
	echo "71 invalid event flags" >flags.expected &&
	test_cmp flags.expected flags.out &&
	rpc_error event.publish \
		"{\"topic\":\"a\",\"flags\":0,\"payload\":\"!!\"}" >b64.out &&
	echo "71 payload is not valid base64" >b64.expected &&
	test_cmp b64.expected b64.out
'


#
# Credentials: an owner may set its own, a guest's are the broker's
#
test_expect_success 'an owner connection may set its own userid and rolemask' '
	FLUX_HANDLE_USERID=1234 FLUX_HANDLE_ROLEMASK=2 \
		flux ping -u -c 1 broker >forged.out &&
	grep "^0!broker.ping pad=0 userid=1234 rolemask=0x2 seq=0 " forged.out &&
	FLUX_HANDLE_ROLEMASK=2 flux ping -u -c 1 broker >forged2.out &&
	grep "^0!broker.ping pad=0 userid=$(id -u) rolemask=0x2 seq=0 " \
		forged2.out
'
test_expect_success 'an owner acting as a guest is refused owner services' '
	test_expect_code 1 env FLUX_HANDLE_USERID=1234 FLUX_HANDLE_ROLEMASK=2 \
		flux setattr test.x 1 2>forged.err &&
	echo "flux-setattr: test.x: Request requires owner credentials" \
		>forged.expected &&
	test_cmp forged.expected forged.err &&
	test_expect_code 1 flux getattr test.x
'
test_expect_success 'without FLUX_HANDLE_*, the owner is OWNER|LOCAL' '
	flux ping -u -c 1 broker >owner.out &&
	grep "^0!broker.ping pad=0 userid=$(id -u) rolemask=0x5 seq=0 " owner.out
'

# Another uid: the broker runs here, with a rundir that uid can reach;
# its initial program runs the commands, some as uid 65534: $G in
# SCRIPT runs a command as that uid, with flux staged where it can run it.
test_otheruid_prereq
broker="$FLUX_BUILD_DIR/broker/flux-broker"
# Usage: with_guest_broker SCRIPT [BROKER-ARGS...]
with_guest_broker() {
	script=$1 &&
	shift &&
	run=$(mktemp -d /tmp/flux-$TEST_NAME-XXXXXX) &&
	chmod 755 $run &&
	G="$as_other_uid_cmd $(stage_for_guest $run/stage)" &&
	G=$G "$broker" -Srundir=$run/rundir \
		-Sbroker.rc1_path= -Sbroker.rc3_path= "$@" \
		sh -c "chmod 755 $run/rundir && $script"
	rc=$?
	rm -rf "$run"
	return $rc
}
test_expect_success OTHERUID 'a guest is refused unless guests are allowed' '
	with_guest_broker "\$G flux getattr rank; echo rc=\$?; \
		flux dmesg | grep refusing" >refused.out 2>refused.err &&
	grep "^rc=1$" refused.out &&
	grep "broker.debug\[0\]: refusing connection from uid 65534$" \
		refused.out &&
	test $(wc -l <refused.err) -eq 1 &&
	grep "^flux-getattr: Unable to connect to Flux: local://.*/local: broker refused connection: Operation not permitted$" \
		refused.err
'
test_expect_success OTHERUID 'a guest cannot claim another uid or the owner role' '
	with_guest_broker "\
		\$G flux ping -u -c 1 broker && \
		FLUX_HANDLE_USERID=0 FLUX_HANDLE_ROLEMASK=1 \
			\$G flux ping -u -c 1 broker && \
		FLUX_HANDLE_USERID=0 FLUX_HANDLE_ROLEMASK=1 \
			\$G flux setattr test.x 1; echo rc=\$?" \
		-Saccess.allow-guest-user=1 >guest.out 2>guest.err &&
	test $(grep -c "^0!broker.ping pad=0 userid=65534 rolemask=0x6 seq=0 " \
		guest.out) -eq 2 &&
	grep "^rc=1$" guest.out &&
	echo "flux-setattr: test.x: Request requires owner credentials" \
		>guest.expected &&
	test_cmp guest.expected guest.err
'
test_expect_success OTHERUID 'a guest may read attributes but not the log' '
	test_expect_code 1 with_guest_broker \
		"\$G flux getattr rank && \$G flux dmesg" \
		-Saccess.allow-guest-user=1 >gread.out 2>gread.err &&
	echo 0 >gread.expected &&
	test_cmp gread.expected gread.out &&
	echo "flux-dmesg: log.dmesg: Request requires owner credentials" \
		>gread-err.expected &&
	grep -v "broker.err\[0\]: rc2.0: .* Exited (rc=1)" gread.err \
		>gread-err.out &&
	test_cmp gread-err.expected gread-err.out
'
test_done
