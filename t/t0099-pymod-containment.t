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

# run_bg COMMAND...: start it in the background, its pid in $pid; it is
# killed after 60 s, so a regression fails the test instead of hanging.
run_bg() {
	run_timeout 60 "$@" &
	pid=$!
}

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
