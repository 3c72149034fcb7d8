#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker as a user sees it (issue 2 audit)

What the other broker tests leave open: credentials an owner sets are
kept while a guest'"'"'s are overwritten, whatever the guest claims; a
refused guest is told why in one line; module removal goes through
NAME.shutdown and tells the services a module used that it is gone;
clients that go away in the middle of a request, of a module load or of
a burst of requests leave the broker running.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

testmod=$FLUX_BUILD_DIR/t/module/testmod.so
sockpath=${FLUX_URI#local://}

# Start COMMAND... in the background, its pid in file 'bg.pid'.
run_bg() {
	"$@" &
	echo $! >bg.pid
}

#
# Credentials
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
	run=$(mktemp -d /tmp/flux-t0025-XXXXXX) &&
	chmod 755 $run &&
	G="setpriv --reuid=65534 --regid=65534 --clear-groups \
		$(stage_for_guest $run/stage)" &&
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

#
# Module removal
#
test_expect_success 'create a module that records its shutdown request' '
	cat >sdmod.py <<-\EOF
	from flux.brokermod import BrokerModule, request_handler


	class Sd(BrokerModule):
	    @request_handler("shutdown")
	    def shutdown(self, msg):
	        self.handle.log(5, "got %s userid=%d" % (msg.topic, msg.userid))
	        self.stop()
	EOF
'
test_expect_success 'module remove stops a module with NAME.shutdown' '
	flux module load ./sdmod.py &&
	flux module remove sdmod &&
	flux module load --name=other ./sdmod.py &&
	flux module remove other &&
	flux dmesg | sed -n "s/^[^ ]* \(.*got .*\)/\1/p" >sd.out &&
	cat >sd.expected <<-EOF &&
	sdmod.notice[0]: got sdmod.shutdown userid=$(id -u)
	other.notice[0]: got other.shutdown userid=$(id -u)
	EOF
	test_cmp sd.expected sd.out
'
test_expect_success 'create a client service and a module that calls it' '
	cat >svc.py <<-\EOF &&
	import flux
	from flux.constants import FLUX_MSGTYPE_REQUEST
	h = flux.Flux()
	h.service_register("auditsvc").get()
	log = open("svc.log", "a")
	def cb(h, w, msg, arg):
	    log.write("%s\n" % msg.topic)
	    log.flush()
	    if msg.topic == "auditsvc.disconnect":
	        return
	    h.respond(msg, {})
	    if msg.topic == "auditsvc.quit":
	        h.reactor_stop()
	w = h.msg_watcher_create(cb, FLUX_MSGTYPE_REQUEST, "auditsvc.*")
	w.start()
	open("svc.ready", "w").close()
	h.reactor_run()
	EOF
	cat >caller.py <<-\EOF &&
	from flux.brokermod import BrokerModule, request_handler


	class Caller(BrokerModule):
	    @request_handler("call")
	    def call(self, msg):
	        self.handle.rpc("auditsvc.frommodule").get()
	        self.handle.respond(msg, {})
	EOF
	run_bg flux python svc.py &&
	test_retry 100 test -f svc.ready
'
test_expect_success 'a removed module makes the services it used hear a disconnect' '
	flux module load ./caller.py &&
	flux python -c "import flux; flux.Flux().rpc(\"caller.call\").get()" &&
	grep -x auditsvc.frommodule svc.log &&
	test_must_fail grep -x auditsvc.disconnect svc.log &&
	flux module remove caller &&
	test_retry 100 grep -x auditsvc.disconnect svc.log &&
	flux python -c "import flux; flux.Flux().rpc(\"auditsvc.quit\").get()" &&
	wait $(cat bg.pid)
'

#
# Clients that go away midway
#
test_expect_success 'a client gone before its answer: the answer is dropped' '
	flux module load "$testmod" &&
	test_when_finished "flux module remove testmod" &&
	before=$(flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.disconnects\").get()[\"count\"])") &&
	flux python -c "import flux; \
		flux.Flux().rpc(\"testmod.sleep\", {\"seconds\": 1}).get()" &&
	test_expect_code 124 run_timeout 0.3 flux python -c "import flux; \
		flux.Flux().rpc(\"testmod.hello\").get()" &&
	flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.hello\").get()[\"name\"])" >hello.out &&
	echo testmod >hello.expected &&
	test_cmp hello.expected hello.out &&
	after=$(flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.disconnects\").get()[\"count\"])") &&
	test $after -ge $((before + 3)) &&
	flux dmesg >gone.dmesg &&
	test_must_fail grep -i "dropping client\|runtime failure" gone.dmesg
'
test_expect_success 'a client gone while its module load is pending' '
	flux python -c "
import flux
flux.Flux().rpc(\"module.load\", {\"path\": \"$testmod\", \"args\": [],
                                  \"name\": \"orphan\"})
" &&
	test_retry 100 module_is_loaded orphan &&
	flux ping -c 1 orphan >orphan.out &&
	grep "^0!orphan.ping " orphan.out &&
	flux module remove orphan &&
	test_must_fail module_is_loaded orphan
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
test_expect_success 'a client killed while it follows the log' '
	run_bg flux dmesg -f >follow.out &&
	flux logger marker-before-kill &&
	test_retry 300 grep -q marker-before-kill follow.out &&
	kill -9 $(cat bg.pid) &&
	flux logger marker-after-kill &&
	flux dmesg | grep marker-after-kill
'

test_done
