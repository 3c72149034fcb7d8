#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='A Python module cannot hurt the broker that runs it

Issue 9, Python modules: removing a module stuck in C code that holds
the GIL leaves the broker serving; a nested reactor_run() in a handler
returns when its callback stops it and the module keeps serving; a child
forked by a handler that returns into the reactor neither steals the
module'"'"'s messages nor outlives the instance, and SIGTERM ends it.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# run_bg (t/sharness.d) kills what it starts after 60 s (scaled),
# so that a wait that never ends fails the test (exit 124) instead of
# hanging it.
run_bg_limit=60

# rpc TOPIC [PAYLOAD]: print the response payload, or "errno N" (given
# up after 30 s).
rpc() {
	run_timeout 30 flux python -c '
import json, sys, flux
try:
    print(json.dumps(flux.Flux().rpc(sys.argv[1], json.loads(sys.argv[2])).get()))
except OSError as e:
    print("errno", e.errno)
' "$1" "${2-{\}}"
}

# rpc_bg TOPIC FILE: rpc TOPIC in the background, its output in FILE,
# its pid in $pid.
rpc_bg() {
	rpc "$1" >"$2" &
	pid=$!
}

test_expect_success 'a nested reactor_run in a handler returns when stopped' '
	flux module load $M/nested.py &&
	test "$(rpc nested.wait)" = "{\"ticks\": 3}"
'
test_expect_success 'and the module goes on serving after it' '
	test "$(rpc nested.info)" = "{}" &&
	test "$(rpc nested.wait)" = "{\"ticks\": 3}" &&
	module_is_loaded nested
'
test_expect_success 'the module shutdown ends a nested run, and the module' '
	flux dmesg --clear >/dev/null &&
	rpc_bg nested.block block.out &&
	block_pid=$pid &&
	test_retry 100 eval "flux dmesg | grep -q \"running the reactor from a handler\"" &&
	run_timeout 30 flux module remove nested &&
	wait $block_pid &&
	test "$(cat block.out)" = "{}" &&
	flux dmesg >nested.dmesg &&
	grep "the nested run ended" nested.dmesg &&
	! grep "did not exit after shutdown" nested.dmesg
'

# rpcv KEY TOPIC [PAYLOAD]: print the value of KEY in the response.
rpcv() {
	run_timeout 30 flux python -c '
import json, sys, flux
print(flux.Flux().rpc(sys.argv[2], json.loads(sys.argv[3])).get()[sys.argv[1]])
' "$1" "$2" "${3-{\}}"
}

# reaped PID STATUS: forker.reap says STATUS of child PID within 30 s
# (asked again every 0.1 s while it says "running").
reaped() {
	run_timeout 30 flux python -c '
import sys, time, flux
h = flux.Flux()
while True:
    status = h.rpc("forker.reap", {"pid": int(sys.argv[1])}).get()["status"]
    if status != "running":
        break
    time.sleep(0.1)
print(status)
sys.exit(status != sys.argv[2])
' "$1" "$2"
}

# alive PID: process PID exists and is not a zombie.
alive() {
	test -e /proc/$1/stat &&
	! awk "{exit !(\$3 == \"Z\")}" /proc/$1/stat
}

# answers N TOPIC: N requests to TOPIC in a row are answered, within 30 s
# in all (each takes milliseconds).
answers() {
	run_timeout 30 flux python -c '
import sys, flux
h = flux.Flux()
for _ in range(int(sys.argv[1])):
    h.rpc(sys.argv[2], {}).get()
' "$1" "$2"
}

test_expect_success 'a child forked by a handler that returns into the reactor exits' '
	flux module load $M/forker.py &&
	child=$(rpcv pid forker.fork "{\"mode\": \"return\"}") &&
	test_when_finished "kill -KILL $child 2>/dev/null || :" &&
	answers 50 forker.info &&
	reaped $child "exit 1"
'
test_expect_success 'SIGTERM ends a child that sleeps in a handler' '
	child=$(rpcv pid forker.fork "{\"mode\": \"sleep\"}") &&
	test_when_finished "kill -KILL $child 2>/dev/null || :" &&
	test "$(rpcv status forker.reap "{\"pid\": $child}")" = running &&
	kill -TERM $child &&
	reaped $child "signal 15"
'
test_expect_success 'a forked child may not run the module reactor' '
	child=$(rpcv pid forker.fork "{\"mode\": \"run\"}") &&
	test_when_finished "kill -KILL $child 2>/dev/null || :" &&
	reaped $child "exit 1" &&
	answers 50 forker.info
'
test_expect_success 'fork and exec, and subprocess, still work' '
	child=$(rpcv pid forker.fork "{\"mode\": \"exec\"}") &&
	reaped $child "exit 5" &&
	test "$(rpcv code forker.subprocess)" = 7 &&
	flux module remove forker
'
test_expect_success 'SIGTERM ends a command a module started with subprocess' '
	flux module load $M/forker.py &&
	child=$(rpcv pid forker.spawn) &&
	test_when_finished "kill -KILL $child 2>/dev/null || :" &&
	test "$(rpcv status forker.reap "{\"pid\": $child}")" = running &&
	kill -TERM $child &&
	reaped $child "signal 15" &&
	flux module remove forker
'
test_expect_success 'a child a module forked does not outlive its instance' '
	cat >fork.sh <<-EOT &&
	flux module load $M/forker.py &&
	flux python -c "import flux; print(flux.Flux().rpc(\"forker.fork\", {\"mode\": \"sleep\"}).get()[\"pid\"])" >child.pid &&
	flux module remove forker
	EOT
	run_timeout 60 flux start -Sbroker.rc1_path= -Sbroker.rc3_path= \
		sh ./fork.sh &&
	child=$(cat child.pid) &&
	test_when_finished "kill -KILL $child 2>/dev/null || :" &&
	test_retry 100 eval "! alive $child"
'

# N.B. Last in this file: the match this module starts holds the GIL
# for about a minute after it is abandoned, so any Python module loaded
# after it would wait that long to start.
test_expect_success 'a handler stuck in a regular expression holds the GIL' '
	flux setattr broker.module-remove-timeout 1 &&
	flux module load $M/regex.py &&
	flux python -c "
import flux
r = flux.Flux().rpc(\"regex.match\", {\"seconds\": 60}).get()
print(r[\"estimate\"])
" >estimate &&
	# The match must outlast every bound below by far.
	awk "{exit !(\$1 >= 40)}" estimate
'
test_expect_success 'removing it: the broker answers while the module is stuck' '
	run_bg flux module remove regex &&
	remove_pid=$pid &&
	test_retry 100 eval "run_timeout 5 flux dmesg | grep -q \"module regex did not exit after shutdown: interrupted\"" &&
	run_timeout 10 flux ping --count 1 broker &&
	run_timeout 10 flux module list &&
	wait $remove_pid &&
	! module_is_loaded regex &&
	flux dmesg >regex.dmesg &&
	grep "module regex did not exit after shutdown: abandoning its thread" \
		regex.dmesg
'

test_done
