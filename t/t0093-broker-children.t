#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The broker reaps only its own children, and nothing of
an instance outlives its broker

A module that starts a child process gets that child'"'"'s exit code
(the broker waits only for the processes it started itself); a module
that ends the broker process abruptly does not leave the initial
program running or the rundir behind.
'

. /usr/share/sharness/sharness.sh

M=$SHARNESS_TEST_SRCDIR/module

test_expect_success 'a module gets the exit code of the child it ran' '
	cat >run.sh <<-EOT &&
	flux module load $M/subproc.py &&
	flux python -c "import flux; print(flux.Flux().rpc(\"subproc.run\", {\"count\": 20}).get()[\"codes\"])" &&
	flux module remove subproc
	EOT
	flux start sh ./run.sh >codes.out &&
	cat codes.out &&
	echo "[7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7]" >codes.exp &&
	test_cmp codes.exp codes.out
'

# pgrp_gone PGID: no process of group PGID is left, not even a zombie.
pgrp_gone() {
	! kill -0 -$1 2>/dev/null
}

# die_test HOW: the initial program saves its pid (its process group's)
# and the rundir, loads subproc.py and asks it to end the broker with
# HOW ("exit", os._exit(3), or "kill", SIGKILL to the broker itself),
# then sleeps, as a program the instance should not leave behind.
die_test() {
	cat >die.sh <<-EOT &&
	echo \$\$ >pgrp
	flux getattr rundir >rundir
	flux module load $M/subproc.py || exit 1
	flux python -c "import flux; flux.Flux().rpc(\"subproc.$1\", {\"code\": 3})"
	sleep 60
	EOT
	rm -f pgrp rundir &&
	# N.B. stdin from /dev/null: the initial program gets a process
	# group of its own, as it does when stdin is not a terminal.
	test_expect_code $2 flux start sh ./die.sh </dev/null 2>die.err &&
	cat die.err &&
	grep "^flux-start: 0 (pid [0-9]*) $3" die.err &&
	test -s pgrp && test -s rundir &&
	pgrp_gone $(cat pgrp) &&
	test_must_fail test -e "$(cat rundir)"
}

test_expect_success 'a module that calls os._exit() leaves nothing behind' '
	die_test die 3 "exited with rc=3"
'

test_expect_success 'a broker killed by a signal leaves nothing behind' '
	die_test kill 137 "Killed"
'

test_expect_success 'an instance that ends normally still reports nothing' '
	flux start true 2>ok.err &&
	test_must_be_empty ok.err
'

test_done
