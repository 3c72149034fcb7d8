#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: threads, concurrency, removal, leaks

Python modules run on their own threads in one interpreter: two modules
serve at once while a handler of one sleeps or loops, a module stuck in
Python is removed, each module has its own namespace that goes away with
it, load/remove cycles do not grow the broker, and the broker exits with
Python modules loaded.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# while_busy BUSY_TOPIC JSON OTHER_TOPIC: send BUSY_TOPIC, wait 0.3 s,
# then time a request to OTHER_TOPIC.  Prints the other request's
# seconds and whether the busy request was still pending then.
while_busy() {
	flux python -c '
import json, sys, time, flux
h = flux.Flux()
busy = h.rpc(sys.argv[1], json.loads(sys.argv[2]))
time.sleep(0.3)
t0 = time.monotonic()
h.rpc(sys.argv[3]).get()
elapsed = time.monotonic() - t0
print(json.dumps({"other": elapsed, "pending": not busy.is_ready()}))
if sys.argv[1].endswith(".sleep"):
    busy.get()
' "$@"
}

rss_kb() {
	sed -n "s/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p" \
		/proc/$(flux getattr broker.pid)/status
}

test_expect_success 'load two Python modules' '
	flux module load $M/sleeper.py &&
	flux module load $M/synth.py
'
test_expect_success 'one module answers while a handler of the other sleeps' '
	while_busy sleeper.sleep "{\"seconds\": 2}" synth.info >sleep.out &&
	cat sleep.out &&
	jq -e ".pending == true and .other < 1.0" sleep.out
'
test_expect_success 'the same file loaded twice: one copy answers while the other sleeps' '
	flux module load --name sleeper2 $M/sleeper.py &&
	while_busy sleeper.sleep "{\"seconds\": 2}" sleeper2.now >sleep2.out &&
	jq -e ".pending == true and .other < 1.0" sleep2.out &&
	flux module remove sleeper2
'
test_expect_success 'one module answers while a handler of another loops in Python' '
	flux module load $M/stuck.py &&
	while_busy stuck.spin "{}" synth.info >spin.out &&
	jq -e ".other < 1.0" spin.out
'
test_expect_success 'a module stuck in Python is interrupted and removed' '
	flux setattr broker.module-remove-timeout 0.5 &&
	flux dmesg -C &&
	run_timeout 30 flux module remove stuck &&
	! module_is_loaded stuck &&
	flux dmesg >stuck.dmesg &&
	grep "module stuck did not exit after shutdown: interrupted" stuck.dmesg &&
	grep "stuck: ModuleInterrupted: the module did not return after shutdown" \
		stuck.dmesg &&
	! grep "abandoning" stuck.dmesg
'
test_expect_success 'the other modules are unaffected' '
	rpc synth.info &&
	rpc sleeper.now
'
test_expect_success 'a module stuck before its reactor runs is removed' '
	flux module load $M/stuck.py --spin-at-start &&
	run_timeout 30 flux module remove stuck &&
	! module_is_loaded stuck
'
test_expect_success 'a removed stuck module loads again' '
	flux module load $M/stuck.py &&
	flux ping -c 1 stuck &&
	flux module remove stuck
'
test_expect_success 'remove sleeper and synth' '
	flux module remove sleeper &&
	flux module remove synth
'
test_expect_success 'a module is not the Python main thread' '
	flux module load $M/threads.py &&
	rpc threads.info | jq -e ".main_is_current == false"
'
test_expect_success 'each module is in sys.modules while it runs, and only then' '
	flux module load --name threads2 $M/threads.py &&
	rpc threads.info | jq -c .modules >mods.out &&
	echo "[\"flux_module_threads\",\"flux_module_threads2\"]" >mods.expected &&
	test_cmp mods.expected mods.out &&
	flux module remove threads2 &&
	rpc threads.info | jq -c .modules >mods2.out &&
	echo "[\"flux_module_threads\"]" >mods2.expected &&
	test_cmp mods2.expected mods2.out
'
test_expect_success 'a module runs work on a Python thread of its own' '
	rpc threads.worker | jq -e ".result == 4950" &&
	flux module remove threads
'
# In an AddressSanitizer build, freed memory waits in a quarantine that
# counts in RSS: t/meson.build bounds it and passes its size on.
test_expect_success 'load/remove 50 times: the broker does not grow' '
	for i in 1 2 3 4 5; do
		flux module load $M/synth.py &&
		rpc synth.info >/dev/null &&
		flux module remove synth || return 1
	done &&
	before=$(rss_kb) &&
	for i in $(seq 50); do
		flux module load $M/synth.py &&
		rpc synth.info >/dev/null &&
		flux module remove synth || return 1
	done &&
	after=$(rss_kb) &&
	echo "broker RSS before $before kB, after $after kB" &&
	test $((after - before)) -lt $((8192 + ${FLUX_TEST_ASAN_QUARANTINE_KB:-0}))
'
test_expect_success 'the broker exits cleanly after Python modules ran' '
	run_timeout 60 flux start \
		sh -c "flux module load $M/synth.py && flux module remove synth" \
		2>exit.err &&
	test_must_be_empty exit.err
'
test_expect_success 'a Python module left loaded is removed at exit: exit code 0, no hang' '
	run_timeout 60 flux start -Slog-stderr-level=6 \
		sh -c "flux module load $M/synth.py" 2>left.err &&
	grep "shutdown: removing module synth" left.err
'
test_expect_success 'a module thread that never ends does not hang the exit' '
	run_timeout 60 flux start \
		sh -c "flux module load $M/threads.py &&
		       flux python -c \"import flux; flux.Flux().rpc(\\\"threads.spawn\\\", {\\\"daemon\\\": False}).get()\" &&
		       flux module remove threads" 2>thread.err &&
	grep "Python did not finalize within" thread.err
'
test_expect_success 'a daemon thread started by a module does not delay the exit' '
	run_timeout 60 flux start \
		sh -c "flux module load $M/threads.py &&
		       flux python -c \"import flux; flux.Flux().rpc(\\\"threads.spawn\\\", {\\\"daemon\\\": True}).get()\" &&
		       flux module remove threads" 2>daemon.err &&
	test_must_be_empty daemon.err
'
test_done
