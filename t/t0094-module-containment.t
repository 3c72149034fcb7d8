#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='A module that ends cannot leave the instance stuck

What a user sees when a module goes away under its clients: removing
the kvs answers every pending kvs.wait-version and every watch with an
error; a module that fails takes the services it registered at run time
with it (out of flux module list and out of routing); a module name too
long for the topics built from it is refused with a text naming the
limit; flux module remove takes a name beginning with "-" only after
"--"; a module that never finishes importing is ended by flux module
remove, and its flux module load returns with the error.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# services_of NAME: the Service column of module NAME in flux module list.
services_of() {
	flux module list | awk -v n="$1" '$1 == n {print $NF}'
}

# listed NAME: module NAME is in flux module list (N.B. module_is_loaded
# would hand a NAME beginning with "-" to grep as an option).
listed() {
	flux module list | awk -v n="$1" '$1 == n {found = 1} END {exit !found}'
}

# rpc_errno TOPIC: send an empty request, print the errno it fails with.
rpc_errno() {
	flux python -c '
import sys, flux
try:
    flux.Flux().rpc(sys.argv[1]).get()
except OSError as e:
    print(e.errno)
    sys.exit(0)
print("answered")
' "$1"
}

# run_bg (t/sharness.d) kills what it starts after 30 s (scaled),
# so that a wait that never ends fails the test (exit 124) instead of
# hanging it.
run_bg_limit=30

# exit_code PID: wait (up to 10 s) for background job PID to exit, its
# exit code in $code ("running" if it has not exited by then).  N.B. not
# called as $(exit_code PID): a subshell cannot wait for the job.
exit_code() {
	if test_retry 100 eval "! kill -0 $1 2>/dev/null"; then
		wait $1
		code=$?
	else
		kill $1
		code=running
	fi
}

# kvs_waiting: "WAITERS WATCHERS", the kvs's pending wait-version
# requests on the primary namespace and its watches.
kvs_waiting() {
	flux python -c '
import flux
h = flux.Flux()
kvs = h.rpc("kvs.stats-get").get()
watch = h.rpc("kvs-watch.stats-get").get()
print(kvs["namespace"]["primary"]["#versionwaiters"], watch["watchers"])
'
}

test_expect_success 'load the kvs' '
	flux module load content &&
	flux module load kvs &&
	flux kvs put k=1
'
test_expect_success 'removing the kvs answers pending wait-version and watches' '
	run_bg flux kvs wait 1000000 >wait.out 2>wait.err &&
	wait_pid=$pid &&
	run_bg flux kvs get --watch k >watch.out 2>watch.err &&
	watch_pid=$pid &&
	run_bg flux kvs get --watch --waitcreate nokey \
		>create.out 2>create.err &&
	create_pid=$pid &&
	test_retry 100 eval "test \"\$(kvs_waiting)\" = \"1 2\"" &&
	flux module remove kvs &&
	exit_code $wait_pid &&
	test "$code" = 1 &&
	exit_code $watch_pid &&
	test "$code" = 1 &&
	exit_code $create_pid &&
	test "$code" = 1 &&
	grep "Function not implemented" wait.err &&
	grep "^flux-kvs: k: the kvs module was removed$" watch.err &&
	grep "^flux-kvs: nokey: the kvs module was removed$" create.err
'
test_expect_success 'the kvs loads again and has its data' '
	flux module load kvs &&
	test "$(flux kvs get k)" = 1
'
test_expect_success 'remove the kvs' '
	flux module remove kvs &&
	flux module remove content
'

test_expect_success 'a module that registered svc9 lists and serves it' '
	flux setattr broker.module-nopanic 1 &&
	flux module load $M/extrasvc.py &&
	test "$(services_of extrasvc)" = svc9 &&
	test "$(rpc_errno svc9.ping)" = answered
'
test_expect_success 'once it fails, svc9 is neither listed nor routed' '
	test "$(rpc_errno extrasvc.fail)" = 5 &&
	wait_module_gone extrasvc &&
	flux module list >list.out &&
	test_must_fail grep svc9 list.out &&
	test "$(rpc_errno svc9.ping)" = 38
'
test_expect_success 'a module that registered svc9 and failed to load leaves none' '
	test_must_fail flux module load $M/extrasvc.py --fail-at-load \
		2>atload.err &&
	grep "failing at load after registering svc9" atload.err &&
	flux module list >list2.out &&
	test_must_fail grep svc9 list2.out &&
	test "$(rpc_errno svc9.ping)" = 38 &&
	flux setattr broker.module-nopanic 0
'

# A name of N "a"s.
long_name() {
	printf "%${1}s" "" | tr " " a
}
test_expect_success 'a module name over 128 characters is refused with the limit' '
	test_must_fail flux module load --name=$(long_name 240) \
		$M/testmod.py 2>long.err &&
	grep "module name too long (max 128 characters)$" long.err &&
	cp $M/testmod.py $(long_name 129).py &&
	test_must_fail flux module load "$PWD/$(long_name 129).py" 2>long2.err &&
	grep "module name too long (max 128 characters)$" long2.err
'
test_expect_success 'a module name of 128 characters loads and is removed' '
	flux module load --name=$(long_name 128) $M/testmod.py &&
	flux module stats $(long_name 128) >/dev/null &&
	flux module remove $(long_name 128)
'
test_expect_success 'flux module remove -x is an unknown option (usage error)' '
	test_expect_code 2 flux module remove -x 2>dashx.err &&
	grep "invalid option .-x." dashx.err &&
	grep "flux module remove --help" dashx.err
'
test_expect_success 'flux module remove -- -x removes the module named -x' '
	flux module load --name=-x $M/testmod.py &&
	listed -x &&
	flux module remove -- -x &&
	test_must_fail listed -x
'
test_expect_success 'flux module remove ends a module that never finishes importing' '
	flux setattr broker.module-remove-timeout 1 &&
	run_bg flux module load $M/hangimport.py 2>hang.err &&
	load_pid=$pid &&
	test_retry 100 module_is_loaded hangimport &&
	flux module remove hangimport &&
	exit_code $load_pid &&
	test "$code" = 1 &&
	grep "load .*hangimport.py: ModuleInterrupted: .*interrupted by the broker" \
		hang.err &&
	test_must_fail module_is_loaded hangimport &&
	flux setattr broker.module-remove-timeout 5
'

test_done
