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

test_done
