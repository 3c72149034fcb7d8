#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: failures the audit found untested

A mod_main-style module (plain message watchers, no BrokerModule) whose
handler raises: the caller gets an error response with the exception
text, the module ends with "module runtime failure".  mod_main raising
after its reactor returned.  Runtime tracebacks in the broker log start
in the module, not in the loader.  The EPERM texts a guest gets from
handlers with allow_guest False and True (credentials forged with
FLUX_HANDLE_USERID and FLUX_HANDLE_ROLEMASK: 6 is USER|LOCAL, what a
real guest connection gets; 4 is LOCAL alone, no USER role).
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# rpc TOPIC [JSON]: as in t0050, but a script, so that timeout and env
# can run it.
cat >rpc.py <<-\EOT
import json, sys, flux
payload = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
try:
    resp = flux.Flux().rpc(sys.argv[1], payload).get()
except OSError as e:
    print(f"{e.errno}: {e.strerror}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(resp, sort_keys=True))
EOT
# N.B. Relative: the trash directory name has spaces, and tests run in it.
RPC="flux python rpc.py"
rpc() {
	$RPC "$@"
}


guest_uid=$(($(id -u) + 1))

test_expect_success 'set broker.module-nopanic so runtime failures are logged' '
	flux setattr broker.module-nopanic 1
'
test_expect_success 'mod_main-style handler raises: the caller gets its text' '
	flux dmesg -C &&
	flux module load $M/rawfail.py &&
	test_must_fail run_timeout 30 $RPC rawfail.boom 2>boom.err &&
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
	test_must_fail run_timeout 30 $RPC rawfail.oserror 2>oserror.err &&
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
test_expect_success 'load guest.py' '
	flux module load $M/guest.py
'
test_expect_success 'allow_guest=True: a guest (USER|LOCAL) is served' '
	FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=6 \
		$RPC guest.status >g6.out &&
	jq -e ".userid == $guest_uid and .rolemask == 6" g6.out
'
test_expect_success 'allow_guest=False: a guest (USER|LOCAL) gets EPERM, owner text' '
	test_must_fail env FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=6 \
		$RPC guest.secret 2>g6secret.err &&
	echo "1: Request requires owner credentials" >g6secret.expected &&
	test_cmp g6secret.expected g6secret.err
'
test_expect_success 'allow_guest=True: no USER role gets EPERM, privilege text' '
	test_must_fail env FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=4 \
		$RPC guest.status 2>g4.err &&
	echo "1: Request rejected due to insufficient privilege" >g4.expected &&
	test_cmp g4.expected g4.err
'
test_expect_success 'allow_guest=False: no USER role gets the owner text' '
	test_must_fail env FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=4 \
		$RPC guest.secret 2>g4secret.err &&
	test_cmp g6secret.expected g4secret.err
'
test_expect_success 'a rejected guest does not harm the module' '
	rpc guest.secret | jq -e ".secret == 42" &&
	flux module remove guest
'
test_done
