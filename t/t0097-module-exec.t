#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux module load --exec: a module in a process of its own

A Python and a C module loaded with --exec answer requests, are listed
by flux module list, answer flux module stats and flux ping, run in a
process that is not the broker, and are removed by flux module remove.
A segfault, abort() or os._exit() in a handler ends only that module:
the broker logs how its process ended and keeps serving, and so do the
other modules.  A module that ignores shutdown is sent SIGTERM after
broker.module-remove-timeout; a broker that dies takes its module
processes with it.
'

. /usr/share/sharness/sharness.sh

# The tests crash module processes on purpose.  In an AddressSanitizer
# build ASan would catch the SIGSEGV and exit 1 instead: let the signal
# kill the process, as it does in a plain build.
if test -n "$ASAN_OPTIONS"; then
	ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0"
	export ASAN_OPTIONS
fi

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module
B=$FLUX_BUILD_DIR/t/module

# send TOPIC: send a request without waiting for a response (the
# handlers that crash their process never answer).
send() {
	flux python -c '
import sys, flux
flux.Flux().rpc(sys.argv[1], flags=flux.constants.FLUX_RPC_NORESPONSE)
' "$1"
}

# rpc_error TOPIC: send a request, print "ERRNO TEXT" of the error it
# gets (within 10 s), or "answered".
rpc_error() {
	flux python -c '
import os, sys, flux
try:
    flux.Flux().rpc(sys.argv[1]).wait_for(
        10 * float(os.environ["FLUX_TEST_TIMEOUT_FACTOR"])).get()
except OSError as e:
    print(e.errno, e.strerror)
    sys.exit(0)
print("answered")
' "$1"
}

# pid_of NAME: the pid the module NAME reports for its process.
pid_of() {
	rpc $1.pid | flux python -c 'import json,sys; print(json.load(sys.stdin)["pid"])'
}

test_expect_success 'a module failure does not end the instance here' '
	flux setattr broker.module-nopanic 1
'
test_expect_success 'load a Python module with --exec' '
	flux module load --exec $M/crashpy.py &&
	module_is_loaded crashpy
'
test_expect_success 'it answers requests, flux ping and flux module stats' '
	pid_of crashpy >pypid &&
	flux ping -c 1 crashpy &&
	flux module stats crashpy >pystats.json &&
	grep "\"request\"" pystats.json
'
test_expect_success 'it runs in a process that is not the broker' '
	bpid=$(flux getattr broker.pid) &&
	pypid=$(cat pypid) &&
	test "$pypid" != "$bpid" &&
	kill -0 $pypid &&
	test "$(cat /proc/$pypid/comm)" = crashpy
'
test_expect_success 'load C modules with --exec' '
	flux module load --exec $B/testmod.so a b &&
	flux module load --exec $B/crashmod.so &&
	module_is_loaded testmod &&
	module_is_loaded crashmod
'
test_expect_success 'the C module gets its arguments and answers' '
	rpc testmod.info >info.json &&
	grep "\"args\": \[\"a\", \"b\"\]" info.json &&
	rpc testmod.hello | grep "\"name\": \"testmod\"" &&
	flux ping -c 1 testmod
'
test_expect_success 'each module has a process of its own' '
	bpid=$(flux getattr broker.pid) &&
	cpid=$(pid_of crashmod) &&
	test "$cpid" != "$bpid" &&
	test "$cpid" != "$(cat pypid)"
'
test_expect_success 'a module in the broker runs alongside' '
	flux module load --name=inproc $M/testmod.py &&
	rpc inproc.hello | grep "\"name\": \"inproc\""
'
test_expect_success 'flux module debug works on an --exec module' '
	flux module debug --set 0x4 crashpy &&
	test "$(flux module debug crashpy)" = 0x4 &&
	flux module debug --clear crashpy
'

test_expect_success 'a Python module that segfaults costs only itself' '
	flux dmesg -C &&
	rpc_error crashpy.segfault >pysegv.out &&
	wait_module_gone crashpy &&
	! kill -0 $(cat pypid) 2>/dev/null &&
	flux dmesg >pysegv.log &&
	grep "crashpy: loader (module-exec) killed by Segmentation fault" \
		pysegv.log &&
	grep "crashpy module runtime failure" pysegv.log
'
test_expect_success 'its caller got EHOSTUNREACH "module disconnect"' '
	echo "113 module disconnect" >pysegv.expected &&
	test_cmp pysegv.expected pysegv.out
'
test_expect_success 'the broker and the other modules keep serving' '
	flux ping -c 1 broker &&
	rpc testmod.hello &&
	rpc crashmod.pid &&
	rpc inproc.hello
'
test_expect_success 'a Python module that calls os._exit() costs only itself' '
	flux module load --exec $M/crashpy.py &&
	flux dmesg -C &&
	send crashpy.exit &&
	wait_module_gone crashpy &&
	flux dmesg | grep "crashpy: loader (module-exec) exited with exit code 3" &&
	rpc testmod.hello &&
	rpc inproc.hello
'
test_expect_success 'a C module that segfaults costs only itself' '
	flux dmesg -C &&
	rpc_error crashmod.segfault >csegv.out &&
	grep "^113 module disconnect" csegv.out &&
	wait_module_gone crashmod &&
	flux dmesg | grep "crashmod: loader (module-exec) killed by Segmentation fault" &&
	rpc testmod.hello &&
	rpc inproc.hello
'
test_expect_success 'a C module that aborts costs only itself' '
	flux module load --exec $B/crashmod.so &&
	flux dmesg -C &&
	send crashmod.abort &&
	wait_module_gone crashmod &&
	flux dmesg | grep "crashmod: loader (module-exec) killed by Aborted" &&
	flux ping -c 1 broker
'

test_expect_success 'flux module remove ends the process' '
	flux module load --exec $M/crashpy.py &&
	pid=$(pid_of crashpy) &&
	flux module remove crashpy &&
	! module_is_loaded crashpy &&
	test_retry 100 eval "! kill -0 $pid 2>/dev/null"
'
test_expect_success 'flux module reload --exec replaces the process' '
	flux module load --exec $B/crashmod.so &&
	old=$(pid_of crashmod) &&
	test_must_fail flux module load --exec $B/crashmod.so 2>dup.err &&
	grep "already loaded" dup.err &&
	flux module reload --exec $B/crashmod.so &&
	new=$(pid_of crashmod) &&
	test "$new" != "$old" &&
	flux module remove crashmod
'
test_expect_success 'a module that ignores shutdown gets SIGTERM' '
	flux setattr broker.module-remove-timeout 0.5 &&
	flux module load --exec --name=stuck $B/testmod.so &&
	rpc stuck.sleep "{\"seconds\": 60}" &&
	flux dmesg -C &&
	run_timeout 20 flux module remove stuck &&
	! module_is_loaded stuck &&
	flux dmesg >stuck.log &&
	grep "module stuck did not exit after shutdown: sending SIGTERM" \
		stuck.log &&
	grep "stuck: loader (module-exec) killed by Terminated" stuck.log &&
	test_must_fail grep "stuck module runtime failure" stuck.log &&
	flux setattr broker.module-remove-timeout 5
'

# flood TOPIC COUNT: send COUNT requests of 4 KiB without waiting.
flood() {
	flux python -c '
import sys, flux
h = flux.Flux()
pad = "x" * 4096
for i in range(int(sys.argv[2])):
    h.rpc(sys.argv[1], {"pad": pad}, flags=flux.constants.FLUX_RPC_NORESPONSE)
' "$@"
}

test_expect_success 'a module process that does not read does not block the broker' '
	flux module load --exec --name=slow $B/testmod.so &&
	rpc slow.sleep "{\"seconds\": 10}" &&
	{ flood slow.hello 5000 & } &&
	sleep 2 &&
	run_timeout 5 flux ping -c 1 broker &&
	run_timeout 5 flux ping -c 1 testmod &&
	wait &&
	rpc slow.hello &&
	flux module remove slow
'

test_expect_success 'load errors from the module process reach flux module load' '
	test_must_fail flux module load --exec $B/nomain.so 2>nomain.err &&
	grep "module does not define mod_main()" nomain.err &&
	test_must_fail flux module load --exec --name=initfail $B/testmod.so \
		--init-failure 2>initfail.err &&
	grep "Input/output error" initfail.err &&
	test_must_fail flux module load --exec --name=pyinitfail $M/testmod.py \
		--init-failure 2>pyinitfail.err &&
	grep "initialization failed as requested" pyinitfail.err &&
	! module_is_loaded nomain &&
	! module_is_loaded initfail &&
	! module_is_loaded pyinitfail
'
test_expect_success 'flux module-exec outside the broker says what it is for' '
	test_must_fail flux module-exec 2>usage.err &&
	grep "exactly one module PATH" usage.err &&
	test_must_fail env -u FLUX_MODULE_URI flux module-exec $B/testmod.so \
		2>nouri.err &&
	grep "FLUX_MODULE_URI is not set" nouri.err
'
test_expect_success 'a broker that dies takes its module processes with it' '
	test_expect_code 137 run_timeout 30 \
		flux start -Sbroker.rc1_path= -Sbroker.rc3_path= \
		sh -c "flux module load --exec $B/crashmod.so &&
			flux python -c \"import flux; print(flux.Flux().rpc(\\\"crashmod.pid\\\").get()[\\\"pid\\\"])\" >orphan.pid &&
			kill -9 \$(flux getattr broker.pid); sleep 5" &&
	test -s orphan.pid &&
	test_retry 100 eval "! kill -0 $(cat orphan.pid) 2>/dev/null"
'

test_expect_success 'remove the modules' '
	flux module remove testmod &&
	flux module remove inproc &&
	flux setattr broker.module-nopanic 0
'

test_done
