#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: output from threads a module starts

print(), sys.stderr, warnings and uncaught exceptions in a threading.Thread
that a module starts (or that such a thread starts, or a
concurrent.futures pool) reach the broker log under the module name, as
the module'"'"'s own output does; a thread that outlives its module writes
to the broker'"'"'s own stdout instead, and does not crash the broker.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

test_expect_success 'load threadout.py' '
	flux module load $M/threadout.py
'
test_expect_success 'print() in a thread the module started: broker log, at info' '
	flux dmesg -C &&
	rpc threadout.print "{\"text\": \"from a thread\"}" &&
	flux dmesg >print.dmesg &&
	grep "threadout.info\[0\]: from a thread$" print.dmesg
'
test_expect_success 'sys.stderr in that thread: broker log, at err' '
	grep "threadout.err\[0\]: from a thread on stderr$" print.dmesg
'
test_expect_success 'warnings in that thread: broker log, at warning' '
	grep "threadout.warning\[0\]: $M/threadout.py:[0-9]*: UserWarning: from a thread warned$" \
		print.dmesg
'
test_expect_success 'a thread started by that thread: broker log too' '
	grep "threadout.info\[0\]: from a thread nested$" print.dmesg
'
test_expect_success 'a concurrent.futures pool thread: broker log' '
	flux dmesg -C &&
	rpc threadout.pool "{\"text\": \"from a pool\"}" &&
	flux dmesg | grep "threadout.info\[0\]: from a pool$"
'
test_expect_success 'an exception that ends such a thread: its traceback in the log' '
	flux dmesg -C &&
	rpc threadout.raise &&
	flux dmesg >raise.dmesg &&
	grep "threadout.err\[0\]: Exception in thread" raise.dmesg &&
	grep "threadout.err\[0\]: RuntimeError: thread failed$" raise.dmesg &&
	module_is_loaded threadout
'
test_expect_success 'remove threadout' '
	flux module remove threadout
'
test_expect_success 'a thread that outlives its module writes to the broker stdout' '
	run_timeout 60 flux start sh -c "
		flux module load $M/threadout.py &&
		flux python -c \"import flux; flux.Flux().rpc(\\\"threadout.linger\\\", {\\\"text\\\": \\\"late line\\\"}).get()\" &&
		flux module remove threadout &&
		n=0 && until grep -q \"late line\" late.out; do \
			test \$n -lt 300 || break; sleep 0.1; n=\$((n+1)); done &&
		flux dmesg | grep -c \"late line\" || :" >late.out 2>late.err &&
	cat late.out late.err &&
	grep "^late line$" late.out &&
	grep "^0$" late.out
'
test_done
