#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Every request is answered, and the broker shuts down cleanly

A request delivered to a module or to a client that registered a
service is answered with ENOSYS if that peer goes away without
answering it: a module that is removed, that is abandoned after it
ignored shutdown past broker.module-remove-timeout, that fails; a client
that disconnects.  SIGTERM to the broker ends the instance: the initial
program gets the signal, rc3 runs, the modules still loaded are removed
newest first, pending requests are answered with an error, the rundir is
removed, and the exit code is the initial program'"'"'s (0 when nothing
failed); flux start leaves no initial program running.
'

. /usr/share/sharness/sharness.sh

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="
M=$SHARNESS_TEST_SRCDIR/module

# request TOPIC [streaming]: send one request (streaming if asked) and
# print how it ended: "ok", or "ERRNO: TEXT" for an error response.
cat >request.py <<'PYEOF'
import sys
import flux
from flux.constants import FLUX_RPC_STREAMING

h = flux.Flux()
flags = FLUX_RPC_STREAMING if len(sys.argv) > 2 else 0
f = h.rpc(sys.argv[1], {}, flags=flags)
try:
    f.get()
    print("ok")
except OSError as e:
    print(f"{e.errno}: {e.strerror}")
PYEOF

# run_bg (t/sharness.d) kills what it starts after 30 s (scaled),
# so that a wait that never ends fails the test (exit 124) instead of
# hanging it.
run_bg_limit=30

# logged N TEXT: the broker log holds TEXT at least N times.
logged() {
	test "$(flux dmesg | grep -c -e "$2")" -ge "$1"
}

# The defect half runs in a broker of its own: no rc1 or rc3 (only the
# modules the tests load), a short remove timeout, no panic on failure.
# start_broker ATTRS...: a broker in the background (flux start pid in
# broker1.pid) whose initial program waits until uri is removed.
start_broker() {
	flux start "$@" \
		sh -c "echo \$FLUX_URI >uri; while test -e uri; do sleep 0.1; done" \
		>broker1.out 2>broker1.err &
	echo $! >broker1.pid
}

test_expect_success 'start a broker with a short module remove timeout' '
	start_broker $NORC -Sbroker.module-remove-timeout=0.2 \
		-Sbroker.module-nopanic=1 &&
	test_retry 100 test -s uri
'
FLUX_URI=$(cat uri 2>/dev/null)
export FLUX_URI

test_expect_success 'removing a module answers the requests it holds with ENOSYS' '
	flux module load $M/holder.py &&
	run_bg flux python request.py holder.hold >hold1.out &&
	p1=$pid &&
	run_bg flux python request.py holder.hold streaming >hold2.out &&
	p2=$pid &&
	test_retry 100 logged 1 "holding 2" &&
	flux module remove holder &&
	wait $p1 && wait $p2 &&
	grep "^38: holder went away before responding to holder.hold (its module exited)" hold1.out &&
	grep "^38: holder went away before responding to holder.hold" hold2.out
'
test_expect_success 'a module abandoned with its handler asleep: its request gets ENOSYS' '
	flux module load --name sleepy $M/holder.py &&
	run_bg flux python request.py sleepy.sleep >sleep.out &&
	test_retry 100 logged 1 "sleepy.*sleeping forever" &&
	flux module remove sleepy &&
	wait $pid &&
	logged 1 "module sleepy did not exit after shutdown: abandoning" &&
	grep "^38: sleepy went away before responding to sleepy.sleep" sleep.out
'
test_expect_success 'a module that fails with a request pending: the request gets ENOSYS' '
	flux module load --name failer $M/holder.py &&
	run_bg flux python request.py failer.hold >fail.out &&
	test_retry 100 logged 1 "failer.*holding 1" &&
	flux python request.py failer.fail >failreq.out &&
	wait $pid &&
	echo ok >ok.expected &&
	test_cmp ok.expected failreq.out &&
	grep "^38: failer went away before responding to failer.hold" fail.out &&
	test_retry 100 logged 1 "failer module runtime failure"
'
test_expect_success 'a client that registered a service disconnects: its request gets ENOSYS' '
	cat >provider.py <<-\PYEOF &&
	import os
	import flux
	from flux.constants import FLUX_MSGTYPE_REQUEST
	h = flux.Flux()
	h.service_register("prov").get()
	def cb(h, w, msg, arg):
	    # Take the request and never answer it.
	    open("prov.got", "w").close()
	w = h.msg_watcher_create(cb, FLUX_MSGTYPE_REQUEST, "prov.*")
	w.start()
	with open("prov.ready.tmp", "w") as f:
	    print(os.getpid(), file=f)
	os.rename("prov.ready.tmp", "prov.ready")
	h.reactor_run()
	PYEOF
	run_bg flux python provider.py &&
	test_retry 100 test -e prov.ready &&
	provider=$(cat prov.ready) &&
	run_bg flux python request.py prov.hello >prov.out &&
	client=$pid &&
	test_retry 100 test -e prov.got &&
	# N.B. the provider itself: $pid of run_bg is a subshell, and a
	# SIGTERM to it does not reach the python process under it.
	kill $provider &&
	wait $client &&
	grep "^38: prov went away before responding to prov.hello (its client disconnected)" prov.out
'
test_expect_success 'stop the broker' '
	rm -f uri &&
	wait $(cat broker1.pid)
'
unset FLUX_URI

# The shutdown half: instances of their own, stopped by SIGTERM to the
# broker (not to flux start).  The initial program loads two modules
# after rc1, leaves a request pending in the newer one, starts a child,
# writes what the test needs, then waits for SIGTERM: "trap" makes it
# exit with CODE, "die" lets SIGTERM kill it, "ignore" ignores it.
cat >prog.sh <<'EOF'
#!/bin/sh
M=$1 mode=$2 code=$3
flux module load --name first $M/holder.py &&
flux module load --name second $M/holder.py || exit 1
# N.B. SIGTERM goes to the whole process group: the client ignores it.
(trap "" TERM; exec flux python request.py second.hold >held.out) &
while ! flux dmesg | grep -q "second.*holding 1"; do sleep 0.1; done
sleep 300 &
echo $! >child.pid
case $mode in
    trap) trap "exit $code" TERM ;;
    ignore) trap "" TERM ;;
esac
flux getattr rundir >rundir
flux getattr broker.pid >broker.pid
while :; do sleep 0.1; done
EOF
chmod +x prog.sh

# run_instance MODE [CODE]: flux start with prog.sh in the background
# (its pid in $pid), the standard rc1 and rc3 plus a mark that rc3 ran;
# wait until the initial program is ready.
run_instance() {
	rm -f broker.pid rundir child.pid held.out rc3.ran &&
	run_bg flux start -Slog-stderr-level=6 \
		-Sbroker.rc3_path="$FLUX_SOURCE_DIR/etc/rc3 && touch rc3.ran" \
		./prog.sh $M "$@" 2>instance.err &&
	test_retry 300 test -s broker.pid
}

# line_of PATTERN FILE: the number of the first line matching PATTERN.
line_of() {
	grep -n -e "$1" "$2" | head -n 1 | cut -d: -f1
}

test_expect_success 'SIGTERM to the broker: an initial program that exits 0 gives exit 0' '
	run_instance trap 0 &&
	kill -TERM $(cat broker.pid) &&
	wait $pid &&
	grep "forwarding signal 15 to the initial program" instance.err &&
	test -f rc3.ran
'
test_expect_success 'the modules are removed newest first: those loaded after rc1, then rc3' '
	second=$(line_of "shutdown: removing module second" instance.err) &&
	first=$(line_of "shutdown: removing module first" instance.err) &&
	rc3=$(line_of "rc3.0: " instance.err) &&
	test -n "$second" && test -n "$first" && test -n "$rc3" &&
	test "$second" -lt "$first" &&
	test "$first" -lt "$rc3" &&
	test_must_fail grep "not properly shut down" instance.err
'
test_expect_success 'the request pending in a module got ENOSYS' '
	test_retry 100 test -s held.out &&
	grep "^38: second went away before responding to second.hold (its module exited)" held.out
'
test_expect_success 'the rundir is removed, nothing of the initial program is left' '
	test -n "$(cat rundir)" &&
	test ! -e "$(cat rundir)" &&
	test_must_fail kill -0 $(cat child.pid)
'
test_expect_success 'SIGTERM to the broker: the exit code is the initial program'"'"'s' '
	run_instance trap 7 &&
	kill -TERM $(cat broker.pid) &&
	test_expect_code 7 wait $pid &&
	test -f rc3.ran &&
	test ! -e "$(cat rundir)"
'
test_expect_success 'an initial program that SIGTERM kills: 143 (flux-core: 129, it sends SIGHUP)' '
	run_instance die &&
	kill -TERM $(cat broker.pid) &&
	test_expect_code 143 wait $pid &&
	grep "rc2.0: ./prog.sh .* Terminated (rc=143)" instance.err &&
	test -f rc3.ran &&
	test ! -e "$(cat rundir)" &&
	test_must_fail kill -0 $(cat child.pid)
'
test_expect_success 'one that ignores SIGTERM: a second kills it and what it started' '
	run_instance ignore &&
	kill -TERM $(cat broker.pid) &&
	test_retry 100 grep -q "forwarding signal 15" instance.err &&
	kill -TERM $(cat broker.pid) &&
	test_expect_code 137 wait $pid &&
	grep "signal 15 again: killing the initial program" instance.err &&
	test -f rc3.ran &&
	test_must_fail kill -0 $(cat child.pid) &&
	test ! -e "$(cat rundir)"
'
test_expect_success 'a request held by the broker itself (flux dmesg -f) gets an error at exit' '
	run_timeout 30 flux start $NORC \
		"(trap \"\" TERM; exec flux dmesg -f >follow.out 2>follow.err) &
		 while ! test -s follow.out; do sleep 0.1; done" &&
	test_retry 100 test -s follow.err &&
	grep "^flux-dmesg: log.dmesg: broker is shutting down" follow.err
'
test_expect_success 'a module that must be abandoned at shutdown makes the exit code 1' '
	cat >abandon.sh <<-EOF &&
	flux module load --name sleepy $M/holder.py &&
	flux python request.py sleepy.sleep >sleepy.out &
	while ! flux dmesg | grep -q "sleepy.*sleeping forever"; do sleep 0.1; done
	EOF
	test_expect_code 1 run_timeout 60 flux start $NORC -Slog-stderr-level=6 \
		-Sbroker.module-remove-timeout=0.2 sh abandon.sh 2>abandon.err &&
	grep "module sleepy did not exit after shutdown: abandoning" abandon.err &&
	test_retry 100 grep "^38: sleepy went away" sleepy.out
'
test_expect_success 'SIGKILL to the broker: flux start reports it and cleans up' '
	run_instance trap 0 &&
	kill -KILL $(cat broker.pid) &&
	test_expect_code 137 wait $pid &&
	grep "flux-start: 0 (pid $(cat broker.pid)) Killed" instance.err &&
	test_retry 100 test_must_fail kill -0 $(cat child.pid) &&
	test ! -e "$(cat rundir)"
'

test_done
