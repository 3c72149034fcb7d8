#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='A module failure policy: flux module load --on-failure

What a user sees when a module fails at run time, by the policy it was
loaded with: panic (the default, as in flux-core: the instance ends
unless broker.module-nopanic is set), exit (the module is gone, the
broker goes on) and restart (the broker loads it again, with a delay
that doubles, up to broker.module-restart-max times, then as exit).  A
module being restarted keeps its name: requests sent while it is down
are answered by the new instance.  The policy and the restart count are
in flux module list -P.  A guest whose malformed payload makes an
allow_guest handler raise ends the instance only under panic.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# count_many N [BAD]: send N guestfail.count requests at once (n = 0..N-1),
# after one with payload BAD if given, and print, per request in order,
# its n and the instance that answered.  With BAD, the N requests are
# sent before the module has failed on BAD, so they are in its queue
# when it fails.
count_many() {
	flux python -c '
import json, sys, flux
h = flux.Flux()
bad = h.rpc("guestfail.count", json.loads(sys.argv[2])) if len(sys.argv) > 2 else None
futures = [h.rpc("guestfail.count", {"n": i}) for i in range(int(sys.argv[1]))]
if bad:
    try:
        bad.get()
        print("bad payload answered")
    except OSError as e:
        print("bad", e.errno)
for f in futures:
    try:
        r = f.get()
        print(r["n"], r["instance"])
    except OSError as e:
        print("error", e.errno, e.strerror)
' "$@"
}

# bg_count N FILE: count_many N >FILE in the background, its pid in $pid.
bg_count() {
	count_many $1 >$2 &
	pid=$!
}

# held_at_least NAME N: NAME is down (S is X) and holds N requests or
# more (the Sendq column; the disconnect of the client that sent the
# failing request may be held too).
held_at_least() {
	flux module list | awk -v n="$1" -v min="$2" \
		'$1 == n && $3 == "X" && $4 >= min {ok = 1} END {exit !ok}'
}

instance() {
	rpc guestfail.instance | jq -r .instance
}

# policy_of NAME: the Policy and Restarts columns of NAME in list -P.
policy_of() {
	flux module list -P | awk -v n="$1" '$1 == n {print $6, $7}'
}

# state_of NAME: the S column of NAME in flux module list.
state_of() {
	flux module list | awk -v n="$1" '$1 == n {print $3}'
}

test_expect_success 'an unknown policy is a usage error naming the valid ones' '
	test_expect_code 2 flux module load --on-failure=sometimes \
		$M/guestfail.py 2>usage.err &&
	grep "^flux-module: --on-failure: unknown policy ${SQ}sometimes${SQ} (valid: panic, exit, restart)$" usage.err &&
	test_expect_code 2 flux module reload --on-failure=x $M/guestfail.py &&
	! module_is_loaded guestfail
'
test_expect_success 'module.load refuses an unknown policy with EINVAL' '
	test_must_fail rpc module.load \
		"{\"path\": \"$M/guestfail.py\", \"on-failure\": \"never\"}" \
		2>load.err &&
	echo "22: unknown failure policy ${SQ}never${SQ} (valid: panic, exit, restart)" \
		>load.expected &&
	test_cmp load.expected load.err
'
test_expect_success 'flux-core payload (no on-failure key) loads with policy panic' '
	rpc module.load "{\"path\": \"$M/guestfail.py\", \"args\": []}" &&
	test "$(policy_of guestfail)" = "panic 0" &&
	flux module remove guestfail
'
test_expect_success 'list keeps the flux-core columns; -P adds Policy, Restarts' '
	flux module load --on-failure=exit $M/guestfail.py &&
	flux module list | head -n 1 >hdr.out &&
	grep "^Module  *Idle  S Sendq Recvq Service$" hdr.out &&
	flux module list | grep "^guestfail  *[0-9]*  R     0     0 $" &&
	flux module list -P | head -n 1 >hdrp.out &&
	grep "^Module  *Idle  S Sendq Recvq Policy  Restarts Service$" hdrp.out &&
	flux module list -P -l | head -n 1 >hdrpl.out &&
	grep "^Module  *Idle  S Sendq Recvq Policy  Restarts Service  Path$" hdrpl.out &&
	flux module list -P -l | grep "^guestfail .* R .* exit  *0 .* $M/guestfail.py$"
'
test_expect_success 'module.list has the policy keys only when asked for them' '
	rpc module.list | jq -c ".mods[] | select(.name == \"guestfail\") | [has(\"on-failure\"), has(\"restarts\")]" >keys.out &&
	rpc module.list "{\"policy\": true}" | jq -c ".mods[] | select(.name == \"guestfail\") | [.[\"on-failure\"], .restarts]" >>keys.out &&
	cat >keys.expected <<-\EOF &&
	[false,false]
	["exit",0]
	EOF
	test_cmp keys.expected keys.out
'

# N.B. broker.module-nopanic is not set in this instance: with the
# default policy a runtime failure would end it.
test_expect_success 'exit: a failing handler answers with an error, then the module exits' '
	flux dmesg -C &&
	echo 2 >n.expected &&
	rpc guestfail.count "{\"n\": 1}" | jq .n >n.out &&
	test_cmp n.expected n.out &&
	test_must_fail rpc guestfail.count "{\"n\": \"x\"}" 2>bad.err &&
	grep "^22: TypeError" bad.err &&
	wait_module_gone guestfail
'
test_expect_success 'exit: the broker goes on and says why the module left' '
	flux getattr rank &&
	flux dmesg >exit.dmesg &&
	grep "guestfail module runtime failure: the module exits, the broker goes on (on-failure=exit)" exit.dmesg &&
	test_must_fail grep "restarting" exit.dmesg &&
	test_must_fail rpc guestfail.instance 2>gone.err &&
	grep "^38: " gone.err
'

test_expect_success 'restart: load, and note the instance that answers' '
	flux dmesg -C &&
	flux module load --on-failure=restart $M/guestfail.py &&
	test "$(policy_of guestfail)" = "restart 0" &&
	instance >first.id &&
	test -s first.id
'
test_expect_success 'restart: requests queued behind the failing one are all served' '
	count_many 20 "{\"n\": \"x\"}" >many.out &&
	echo "bad 22" >many.expected &&
	seq 1 20 >>many.expected &&
	awk "{print \$1, \$2}" many.out | sed "s/ [0-9a-f]\{32\}\$//" >many.n &&
	test_cmp many.expected many.n &&
	sed -n "2,\$p" many.out >many.good
'
# N.B. a few of those may have been served by the failing instance
# itself: libflux dispatches the rest of a batch of messages after a
# handler stopped the reactor.  The others came back to the broker and
# were served by the new one.
test_expect_success 'restart: a new instance answers; list -P counts the restart' '
	instance >second.id &&
	! test_cmp first.id second.id &&
	cat first.id second.id | sort >both.ids &&
	awk "{print \$2}" many.good | cat - first.id second.id | sort -u >many.ids &&
	test_cmp both.ids many.ids &&
	test "$(policy_of guestfail)" = "restart 1" &&
	test "$(state_of guestfail)" = R &&
	flux dmesg >restart.dmesg &&
	grep "module guestfail failed: restarting in 0.1s (restart 1 of 5 allowed within 60s)" restart.dmesg &&
	grep "module guestfail restarted (1 restart since load)" restart.dmesg
'
test_expect_success 'restart: requests sent while it is down wait for it' '
	flux setattr broker.module-restart-delay 2 &&
	test_when_finished "flux setattr broker.module-restart-delay 0.1" &&
	test_must_fail rpc guestfail.count "{\"n\": {}}" 2>bad3.err &&
	grep "^22: TypeError" bad3.err &&
	test_retry 50 eval "test \"\$(state_of guestfail)\" = X" &&
	bg_count 5 down.out &&
	test_retry 50 held_at_least guestfail 5 &&
	wait $pid &&
	awk "{print \$1}" down.out >down.n &&
	seq 1 5 >down.expected &&
	test_cmp down.expected down.n &&
	test "$(policy_of guestfail)" = "restart 2" &&
	flux dmesg | grep "module guestfail failed: restarting in 4s (restart 2 of 5 allowed within 60s)"
'
# Every request is answered once: those the failing instance hands back
# and those that arrive while it is down are held for the next one, and
# the router must not also answer them for the instance that went away.
test_expect_success 'restart: each held request is answered exactly once' '
	flux setattr broker.module-restart-delay 1 &&
	test_when_finished "flux setattr broker.module-restart-delay 0.1" &&
	cp "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" . &&
	cat >once.py <<-EOF &&
	import collections, json, os, sys, time
	import rawwire
	c = rawwire.Conn(sys.argv[1])
	def req(tag, payload):
	    c.send(rawwire.encode(1, "guestfail.count",
	                          json.dumps(payload).encode() + b"\\0", aux2=tag))
	req(1, {"n": "x"})
	for tag in range(2, 22):
	    req(tag, {"n": tag})
	time.sleep(0.3)
	for tag in range(22, 27):
	    req(tag, {"n": tag})
	answers = collections.Counter()
	factor = float(os.environ["FLUX_TEST_TIMEOUT_FACTOR"])
	deadline = time.time() + 30 * factor
	while time.time() < deadline:
	    m = c.recv(timeout=1 if len(answers) >= 26 else 10 * factor)
	    if m is None:
	        break
	    answers[m["aux2"]] += 1
	for tag in range(1, 27):
	    print(tag, answers[tag])
	EOF
	flux python once.py $(flux getattr local-uri | sed "s|^local://||") >once.out &&
	for t in $(seq 1 26); do echo "$t 1"; done >once.expected &&
	test_cmp once.expected once.out
'
test_expect_success 'restart: remove while it is down answers what was held' '
	flux setattr broker.module-restart-delay 30 &&
	test_when_finished "flux setattr broker.module-restart-delay 0.1" &&
	test_must_fail rpc guestfail.count "[]" 2>bad4.err &&
	grep "^22: TypeError" bad4.err &&
	test_retry 50 eval "test \"\$(state_of guestfail)\" = X" &&
	bg_count 2 removed.out &&
	test_retry 50 held_at_least guestfail 2 &&
	run_timeout 10 flux module remove guestfail &&
	wait $pid &&
	cat >removed.expected <<-EOF &&
	error 38 module guestfail was removed while restarting
	error 38 module guestfail was removed while restarting
	EOF
	test_cmp removed.expected removed.out &&
	! module_is_loaded guestfail
'
test_expect_success 'restart: past broker.module-restart-max it exits' '
	flux dmesg -C &&
	flux setattr broker.module-restart-max 2 &&
	flux setattr broker.module-restart-delay 0.05 &&
	test_when_finished "flux setattr broker.module-restart-max 5; flux setattr broker.module-restart-delay 0.1" &&
	flux module load --on-failure=restart $M/failing.py --run-oserror &&
	wait_module_gone failing &&
	flux dmesg >limit.dmesg &&
	grep "module failing restarted (2 restarts since load)" limit.dmesg &&
	grep "module failing failed 3 times within 60s: not restarted" limit.dmesg &&
	grep "failing module runtime failure: the module exits, the broker goes on (on-failure=restart)" limit.dmesg &&
	flux getattr rank
'
test_expect_success 'a module that is removed is not restarted' '
	flux dmesg -C &&
	flux module load --on-failure=restart $M/guestfail.py &&
	flux module remove guestfail &&
	! module_is_loaded guestfail &&
	! flux dmesg | grep restart
'
test_expect_success 'the instance ends, not hangs, with a module waiting to restart' '
	cat >down.sh <<-EOF &&
	flux setattr broker.module-restart-delay 30 &&
	flux module load --on-failure=restart $M/guestfail.py &&
	! flux python -c "import flux; flux.Flux().rpc(\"guestfail.count\", []).get()" &&
	# The caller has its error before the module fails: wait for X.
	for i in \$(seq 100); do
		flux module list | grep -q "^guestfail .* X " && break
		sleep 0.1
	done &&
	flux module list | grep "^guestfail .* X "
	EOF
	run_timeout 30 flux start -Slog-stderr-level=6 sh down.sh 2>down.err &&
	grep "shutdown: removing module guestfail" down.err
'
test_expect_success 'panic (explicit, and the default) still ends the instance' '
	test_expect_code 1 run_timeout 30 flux start sh -c "\
		flux module load --on-failure=panic $M/failing.py --run-oserror; \
		sleep 30" 2>panic.err &&
	grep "module runtime failure" panic.err
'

#
# A guest's malformed payload to an allow_guest handler
#
test_otheruid_prereq /usr/bin/python3
broker="$FLUX_BUILD_DIR/broker/flux-broker"
# Usage: with_guest_broker POLICY: a broker that lets guests in loads
# guestfail with POLICY; uid 65534 sends it a good request, a malformed
# one, and a good one again, printing each result (guest.py); then the
# owner checks the broker still answers.
with_guest_broker() {
	run=$(mktemp -d /tmp/flux-t0096-XXXXXX) &&
	chmod 755 $run &&
	cp "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" $run/ &&
	cat >$run/guest.py <<-\EOF &&
	import json, sys, time
	import rawwire
	from rawwire import encode

	c = rawwire.Conn(sys.argv[1])
	assert c.auth == b"\0", "connection refused"
	for tag, body in enumerate(sys.argv[2:], start=1):
	    c.send(encode(1, "guestfail.count", body.encode() + b"\0", aux2=tag))
	    m = c.recv()
	    if m is None:
	        print("no answer")
	    elif m["aux1"] == 0:
	        print("n=%d" % json.loads(m["payload"].rstrip(b"\0"))["n"])
	    else:
	        print("errnum=%d" % m["aux1"])
	EOF
	chmod 644 $run/rawwire.py $run/guest.py &&
	G="$as_other_uid_cmd env -C $run" &&
	"$broker" -Srundir=$run/rundir -Saccess.allow-guest-user=1 \
		-Sbroker.rc1_path= -Sbroker.rc3_path= \
		sh -c "chmod 755 $run/rundir && \
		flux module load --on-failure=$1 $M/guestfail.py && \
		$G /usr/bin/python3 guest.py $run/rundir/local \
			\"{\\\"n\\\": 1}\" \"{\\\"n\\\": \\\"x\\\"}\" \"{\\\"n\\\": 2}\" && \
		flux getattr rank && \
		flux module remove -f guestfail"
	rc=$?
	rm -rf "$run"
	return $rc
}
test_expect_success OTHERUID 'restart: a guest cannot end the instance with a bad payload' '
	with_guest_broker restart >guest-restart.out &&
	cat >guest-restart.expected <<-EOF &&
	n=2
	errnum=22
	n=3
	0
	EOF
	test_cmp guest-restart.expected guest-restart.out
'
# N.B. the third request may still be served by the failing instance
# (libflux dispatches the rest of a batch of messages after a handler
# has stopped the reactor), else it fails with ENOSYS: both are fine,
# what matters is that the instance lives.
test_expect_success OTHERUID 'exit: the module is gone, the instance lives' '
	with_guest_broker exit >guest-exit.out 2>guest-exit.err &&
	cat >guest-exit.expected <<-EOF &&
	n=2
	errnum=22
	0
	EOF
	sed -n 3p guest-exit.out | grep -x "n=3\|errnum=38" &&
	sed 3d guest-exit.out >guest-exit.rest &&
	test_cmp guest-exit.expected guest-exit.rest
'
test_expect_success OTHERUID 'panic (the default): the same payload ends the instance' '
	test_expect_code 1 with_guest_broker panic >guest-panic.out 2>guest-panic.err &&
	grep "guestfail module runtime failure" guest-panic.err
'
test_done
