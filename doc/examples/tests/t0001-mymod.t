#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
test_description='mymod: info and status, with the installed sharness helpers

Run it beside mymod.py (doc/testing-modules.rst); t/t0059 runs it so
against a fresh install.
'

. "$(dirname "$(command -v flux)")/../share/flux-pybroker/sharness/sharness.sh"

test_under_flux 1

test_expect_success 'load mymod with an argument' '
	flux module load "$SHARNESS_TEST_SRCDIR/mymod.py" fast
'
test_expect_success 'mymod.info names its arguments' '
	rpc mymod.info >info.out &&
	grep "\"args\": \[\"fast\"\]" info.out
'
test_expect_success 'mymod.status says it runs' '
	rpc mymod.status >status.out &&
	echo "{\"running\": true}" >status.expected &&
	test_cmp status.expected status.out
'
test_expect_success 'remove mymod' '
	flux module remove mymod
'
test_done
