#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: signals stay with the broker

"broker signals stay with the broker" (issue 3, item 3): SIGTERM and
SIGINT sent to a broker running a Python module reach the initial
program as without one, the module keeps serving and Python reports no
KeyboardInterrupt; a module cannot install a signal handler.  Also the
load of a file that does not exist (issue 3, item 5).
'

. /usr/share/sharness/sharness.sh

M=$SHARNESS_TEST_SRCDIR/module

# signal_broker SIG: start an instance whose initial program loads
# synth.py and, on SIG, asks synth for its name, removes it and exits
# 7; send SIG to the broker; the instance must exit 7.  The initial
# program gives up after 30 s, so nothing outlives a failed test; the
# instance runs with no descriptor of sharness open, so a test harness
# reading the script's output never waits for it.
signal_broker() {
	sig=$1 &&
	rm -f ready &&
	cat >prog.sh <<-EOT &&
	on_signal() {
		flux python -c "import flux; print(flux.Flux().rpc(\"synth.info\").get()[\"name\"])"
		flux module remove synth
		exit 7
	}
	trap on_signal $sig
	flux module load $M/synth.py || exit 1
	echo ready >ready
	n=0
	while test \$n -lt $((300 * FLUX_TEST_TIMEOUT_FACTOR)); do sleep 0.1; n=\$((n + 1)); done
	flux module remove synth
	exit 1
	EOT
	start_bg flux start sh ./prog.sh &&
	pid=$(cat bg.pid) &&
	test_retry 300 test -f ready &&
	kill -$sig $pid &&
	test_expect_code 7 wait $pid
}

# start_bg CMD...: run CMD in the background, stdout and stderr to
# $sig.out and $sig.err, pid in bg.pid.
start_bg() {
	"$@" </dev/null >$sig.out 2>$sig.err 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	echo $! >bg.pid
}

test_expect_success 'SIGTERM to the broker reaches the initial program' '
	signal_broker TERM &&
	echo synth >TERM.expected &&
	test_cmp TERM.expected TERM.out
'
test_expect_success '... and nothing of it reaches the Python module' '
	! grep -E "KeyboardInterrupt|Traceback|runtime failure" TERM.err
'
test_expect_success 'SIGINT to the broker reaches the initial program' '
	signal_broker INT &&
	echo synth >INT.expected &&
	test_cmp INT.expected INT.out &&
	! grep -E "KeyboardInterrupt|Traceback|runtime failure" INT.err
'
test_expect_success 'a module cannot install a signal handler: the load fails' '
	run_timeout 60 flux start sh -c \
		"flux module load $M/sigmod.py; echo \"exit \$?\"" \
		>sigmod.out 2>sigmod.err &&
	grep "^exit 1$" sigmod.out &&
	grep "^flux-module: load .*sigmod.py: ValueError: signal only works in main thread" \
		sigmod.err
'
test_expect_success 'loading a file that does not exist fails and says so' '
	run_timeout 60 flux start sh -c \
		"flux module load /nonexistent/nosuch.py; echo \"exit \$?\"" \
		>missing.out 2>missing.err &&
	grep "^exit 1$" missing.out &&
	grep "^flux-module: load /nonexistent/nosuch.py: No such file or directory$" \
		missing.err
'
test_done
