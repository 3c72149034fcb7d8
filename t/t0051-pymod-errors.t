#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: load failures and runtime failures

What a user sees when a Python module cannot load (syntax error, import
error, no or an ambiguous entry point, an exception while loading or in
mod_main) and when it fails after it started ("Error handling" in the
Python broker module guide): the exit code and stderr of flux module
load, the errno of module.load, the traceback in flux dmesg, and
"module runtime failure".
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module
testmod=$M/testmod.py

# load_errno PATH [ARGS...]: send module.load and print the errno it
# fails with.
load_errno() {
	path=$1 &&
	shift &&
	args=$(printf "%s\n" "$@" | jq -R . | jq -cs "map(select(. != \"\"))") &&
	! rpc module.load "{\"path\": \"$path\", \"args\": $args}" \
		2>load_errno.err &&
	sed -n "s/^\([0-9]*\): .*/\1/p" load_errno.err
}

# trigger_die NAME: call NAME.die and ignore the error (flux-core t0028).
trigger_die() {
	rpc $1.die || :
}

test_expect_success 'a syntax error fails the load with its file and line' '
	test_expect_code 1 flux module load $M/syntaxerr.py 2>syntax.err &&
	echo "flux-module: load $M/syntaxerr.py: SyntaxError: expected ${SQ}:${SQ} (syntaxerr.py, line 4): Invalid argument" \
		>syntax.expected &&
	test_cmp syntax.expected syntax.err &&
	! module_is_loaded syntaxerr
'
test_expect_success 'the syntax error is in the broker log, under the module name' '
	flux dmesg >syntax.dmesg &&
	grep "syntaxerr.err\[0\]:   File \"$M/syntaxerr.py\", line 4" \
		syntax.dmesg &&
	grep "syntaxerr.err\[0\]: SyntaxError: expected" syntax.dmesg
'
test_expect_success 'an import error fails the load' '
	test_expect_code 1 flux module load $M/importerr.py 2>import.err &&
	grep "^flux-module: load .*importerr.py: ModuleNotFoundError: No module named ${SQ}flux_no_such_package${SQ} (importerr.py, line 4): Invalid argument$" \
		import.err &&
	flux dmesg | grep "importerr.err\[0\]: Traceback (most recent call last):" &&
	flux dmesg | grep "importerr.err\[0\]:     import flux_no_such_package"
'
test_expect_success 'the traceback starts in the module, not in the loader' '
	flux dmesg | grep "^.* importerr.err" >import.dmesg &&
	! grep "_pyloader.py" import.dmesg
'
test_expect_success 'neither mod_main nor a BrokerModule subclass fails the load' '
	test_expect_code 1 flux module load $M/noentry.py 2>noentry.err &&
	grep "^flux-module: load .*noentry.py: ValueError: no mod_main() or BrokerModule subclass found in the module (noentry.py): Invalid argument$" \
		noentry.err &&
	! module_is_loaded noentry
'
test_expect_success 'several BrokerModule subclasses without mod_main fail the load' '
	test_expect_code 1 flux module load $M/twoclasses.py 2>two.err &&
	grep "multiple BrokerModule subclasses found (First, Second): define mod_main() to choose one (twoclasses.py): Invalid argument$" \
		two.err &&
	! module_is_loaded twoclasses
'
test_expect_success 'load failures are EINVAL' '
	test "$(load_errno $M/syntaxerr.py)" = 22 &&
	test "$(load_errno $M/importerr.py)" = 22 &&
	test "$(load_errno $M/noentry.py)" = 22 &&
	test "$(load_errno $M/twoclasses.py)" = 22
'
test_expect_success 'an OSError while loading fails the load with its errno' '
	test_expect_code 1 flux module load $M/raiseatload.py 2>raise.err &&
	grep "FileNotFoundError: \[Errno 2\] no config for raiseatload (raiseatload.py, line 8): No such file or directory$" \
		raise.err &&
	test "$(load_errno $M/raiseatload.py)" = 2
'
test_expect_success 'an exception in mod_main before the reactor runs fails the load' '
	test_expect_code 1 flux module load $testmod --init-failure \
		2>init.err &&
	grep "^flux-module: load .*testmod.py: RuntimeError: initialization failed as requested (testmod.py, line [0-9]*): Connection reset by peer$" \
		init.err &&
	! module_is_loaded testmod &&
	flux dmesg | grep "testmod.err\[0\]: RuntimeError: initialization failed as requested"
'
test_expect_success 'OSError(EEXIST) from mod_main: the load fails with File exists' '
	test_expect_code 1 flux module load $testmod --oserror-failure \
		2>oserror.err &&
	grep "File exists" oserror.err &&
	test "$(load_errno $testmod --oserror-failure)" = 17
'
test_expect_success 'mod_main errors map to errno as flux-core maps them' '
	test "$(load_errno $testmod --init-failure)" = 104 &&
	test "$(load_errno $M/failing.py --valueerror)" = 22
'
test_expect_success 'a failed load leaves nothing registered' '
	test_must_fail flux ping -c 1 testmod &&
	flux module load $testmod &&
	flux module remove testmod
'
test_expect_success 'set broker.module-nopanic so runtime failures are logged' '
	flux setattr broker.module-nopanic 1
'
test_expect_success 'an exception in a handler: the caller gets an error' '
	flux module load $testmod &&
	test_must_fail rpc testmod.die 2>die.err &&
	echo "22: RuntimeError: testmod was asked to die" >die.expected &&
	test_cmp die.expected die.err
'
test_expect_success '... and the module exits with "module runtime failure"' '
	wait_module_gone testmod &&
	flux dmesg >die.dmesg &&
	grep "testmod module runtime failure" die.dmesg &&
	grep "testmod: RuntimeError: testmod was asked to die (testmod.py, line [0-9]*)" \
		die.dmesg &&
	grep "testmod.err\[0\]: Traceback (most recent call last):" die.dmesg
'
test_expect_success 'stop_error() from an event handler is a runtime failure' '
	flux dmesg -C &&
	flux module load $testmod &&
	flux event pub testmod.panic &&
	wait_module_gone testmod &&
	flux dmesg >panic.dmesg &&
	grep "testmod.err\[0\]: panic event: stopping with an error" panic.dmesg &&
	grep "testmod module runtime failure" panic.dmesg &&
	grep "testmod: OSError: .*stopped with stop_error()" panic.dmesg
'
test_expect_success 'stop_error() from a request handler is a runtime failure' '
	flux dmesg -C &&
	flux module load $M/failing.py &&
	rpc failing.stop-error &&
	wait_module_gone failing &&
	flux dmesg | grep "failing module runtime failure"
'
test_expect_success 'OSError from a handler: the caller gets its errno' '
	flux dmesg -C &&
	flux module load $M/failing.py &&
	test_must_fail rpc failing.oserror "{\"errno\": 2}" 2>oserr.err &&
	grep "^2: No such file or directory$" oserr.err &&
	wait_module_gone failing &&
	flux dmesg >oserr.dmesg &&
	grep "failing: FileNotFoundError: \[Errno 2\] No such file or directory (failing.py, line [0-9]*)" \
		oserr.dmesg &&
	grep "failing module runtime failure" oserr.dmesg
'
test_expect_success 'ValueError from a handler: the caller gets EINVAL' '
	flux module load $M/failing.py &&
	test_must_fail rpc failing.valueerror 2>valerr.err &&
	grep "^22: ValueError: bad value in handler$" valerr.err &&
	wait_module_gone failing
'
test_expect_success 'run() raising OSError after RUNNING is a runtime failure' '
	flux dmesg -C &&
	flux module load $M/failing.py --run-oserror &&
	wait_module_gone failing &&
	flux dmesg >run.dmesg &&
	grep "failing: OSError: \[Errno 95\] run() refuses to run (failing.py, line [0-9]*)" \
		run.dmesg &&
	grep "failing module runtime failure" run.dmesg
'
test_expect_success 'a module that is removed is not a runtime failure' '
	flux dmesg -C &&
	flux module load $testmod &&
	flux module remove testmod &&
	! flux dmesg | grep "runtime failure"
'
test_expect_success 'without module-nopanic, a runtime failure stops the instance' '
	test_expect_code 1 flux start \
		sh -c "flux module load $M/failing.py --run-oserror; sleep 30" \
		2>panic.err &&
	grep "module runtime failure" panic.err
'

#
# A mod_main-style module (plain message watchers, no BrokerModule)
# whose handler raises, or whose mod_main raises after its reactor
# returned; where a runtime traceback starts.
#
test_expect_success 'set broker.module-nopanic so runtime failures are logged' '
	flux setattr broker.module-nopanic 1
'
test_expect_success 'mod_main-style handler raises: the caller gets its text' '
	flux dmesg -C &&
	flux module load $M/rawfail.py &&
	test_must_fail run_timeout 30 rpc rawfail.boom 2>boom.err &&
	echo "22: RuntimeError: raw handler exploded" >boom.expected &&
	test_cmp boom.expected boom.err
'
test_expect_success '... and the module ends with "module runtime failure"' '
	wait_module_gone rawfail &&
	flux dmesg >boom.dmesg &&
	grep "rawfail module runtime failure" boom.dmesg &&
	grep "rawfail: RuntimeError: raw handler exploded (rawfail.py, line [0-9]*)" \
		boom.dmesg &&
	grep "rawfail.err\[0\]: Traceback (most recent call last):" boom.dmesg
'
test_expect_success 'mod_main-style handler raises OSError: the caller gets its errno' '
	flux module load $M/rawfail.py &&
	test_must_fail run_timeout 30 rpc rawfail.oserror 2>oserror.err &&
	echo "1: not today" >oserror.expected &&
	test_cmp oserror.expected oserror.err &&
	wait_module_gone rawfail
'
test_expect_success 'mod_main raising after its reactor returned is a runtime failure' '
	flux dmesg -C &&
	flux module load $M/rawfail.py &&
	rpc rawfail.quit &&
	wait_module_gone rawfail &&
	flux dmesg >quit.dmesg &&
	grep "rawfail module runtime failure" quit.dmesg &&
	grep "rawfail: KeyError: ${SQ}after the reactor${SQ} (rawfail.py, line [0-9]*)" \
		quit.dmesg
'
test_expect_success 'a runtime traceback starts in the module, not in the loader' '
	flux dmesg -C &&
	flux module load $SHARNESS_TEST_SRCDIR/module/testmod.py &&
	test_must_fail rpc testmod.die &&
	wait_module_gone testmod &&
	flux dmesg | sed -n "s/^.* testmod\.err\[0\]: //p" >die.tb &&
	cat die.tb &&
	sed -n 2p die.tb >first-frame.out &&
	grep "^  File \"$M/testmod.py\", line [0-9]*, in mod_main$" first-frame.out &&
	! grep "_pyloader" die.tb &&
	tail -n 1 die.tb >last.out &&
	echo "RuntimeError: testmod was asked to die" >last.expected &&
	test_cmp last.expected last.out
'
test_done
