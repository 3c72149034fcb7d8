#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the flux front end: help, version, unknown commands,
connection errors, and --help of every subcommand'

. /usr/share/sharness/sharness.sh

test_expect_success 'flux with no arguments prints usage to stderr, exits 1' '
	test_expect_code 1 flux 2>noargs.err &&
	grep "^Usage: flux" noargs.err
'
test_expect_success 'flux help lists the commands on stdout' '
	flux help >help.out &&
	grep "^Usage: flux" help.out &&
	for cmd in start module ping dmesg logger event getattr setattr \
	           lsattr python version; do
		grep "^  $cmd " help.out || return 1
	done
'
test_expect_success 'flux --help and flux -h are flux help' '
	flux --help >help2.out &&
	flux -h >help3.out &&
	test_cmp help.out help2.out &&
	test_cmp help.out help3.out
'
# flux help CMD (the manual page of CMD): t0110-help.t.
test_expect_success 'flux help of an unknown command fails' '
	test_expect_code 1 flux help nosuch 2>help-nosuch.err &&
	grep "^flux: unknown command .nosuch.$" help-nosuch.err
'
test_expect_success 'an unknown command fails with its name' '
	test_expect_code 1 flux nosuch 2>nosuch.err &&
	echo "flux: unknown command '"'"'nosuch'"'"'" >nosuch.expected &&
	test_cmp nosuch.expected nosuch.err
'
test_expect_success 'an unknown option of flux itself is a usage error' '
	test_expect_code 2 flux --bogus 2>bogus.err &&
	grep "^flux: unknown option .--bogus." bogus.err
'
test_expect_success 'flux version and --version print the version' '
	flux version >version.out &&
	flux --version >version2.out &&
	test_cmp version.out version2.out &&
	grep "^commands:[[:space:]]*[0-9][0-9.]*$" version.out &&
	grep "^libflux-core:[[:space:]]*[0-9][0-9.]*$" version.out &&
	grep "^build-options:.*+in-tree" version.out
'
test_expect_success 'flux version inside an instance also shows the broker' '
	flux start flux version >version-broker.out &&
	grep "^broker:[[:space:]]*[0-9][0-9.]*" version-broker.out
'
test_expect_success 'every command has --help saying what it does' '
	for cmd in start module ping dmesg logger event getattr setattr \
	           lsattr; do
		flux $cmd --help >$cmd.help &&
		grep "^Usage: flux $cmd" $cmd.help &&
		test $(wc -l <$cmd.help) -ge 3 || return 1
	done
'
test_expect_success 'every flux module command has --help' '
	for sub in load remove reload list stats debug; do
		flux module $sub --help >module-$sub.help &&
		grep "^Usage: flux module $sub" module-$sub.help || return 1
	done &&
	flux module unload --help | grep "^Usage: flux module remove"
'
test_expect_success 'flux event pub and sub have --help' '
	flux event pub --help | grep "^Usage: flux event pub" &&
	flux event sub --help | grep "^Usage: flux event sub"
'
test_expect_success 'without FLUX_URI, commands cannot connect' '
	(
		unset FLUX_URI &&
		test_expect_code 1 flux getattr rank 2>nouri.err
	) &&
	grep "^flux-getattr: Unable to connect to Flux: " nouri.err
'
test_expect_success 'a bad FLUX_URI names the cause of the failure' '
	for cmd in "getattr rank" "ping broker" "dmesg" "logger hi" \
	           "event sub" "lsattr" "module list"; do
		name=flux-${cmd%% *} &&
		test_expect_code 1 env FLUX_URI=local:///nonexistent/sock \
			FLUX_LOCAL_CONNECTOR_RETRY_COUNT=0 \
			flux $cmd 2>connect.err &&
		grep "^$name: Unable to connect to Flux: .*" connect.err ||
		return 1
	done
'

#
# --help says what the command does
#
#
# --help says what the command does
#
# Succeed if 'flux ARGS... --help' prints usage, then a line with TEXT.
help_says() {
	text=$1 &&
	shift &&
	flux "$@" --help >help.out &&
	head -n 1 help.out | grep "^Usage: flux $1 " &&
	sed -n 2p help.out | grep "$text"
}
test_expect_success '--help of each command says what it does' '
	help_says "Start a Flux instance and run COMMAND" start &&
	help_says "Manage broker modules" module &&
	help_says "Send SERVICE.ping requests" ping &&
	help_says "Print or clear the broker${SQ}s log ring buffer" dmesg &&
	help_says "Log MESSAGE (or each line of stdin) to the broker log" \
		logger &&
	help_says "Publish and subscribe to events" event &&
	help_says "Print the value of broker attribute NAME" getattr &&
	help_says "Set (or with -e, remove) broker attribute NAME" setattr &&
	help_says "List broker attributes" lsattr
'
test_expect_success '--help of each subcommand says what it does' '
	help_says "Load a broker module" module load &&
	help_says "Remove (unload) a broker module" module remove &&
	help_says "without losing a request" module reload &&
	help_says "List loaded modules" module list &&
	help_says "message counters" module stats &&
	help_says "debug flags" module debug &&
	flux event pub --help | sed -n 2p | grep -i "publish" &&
	flux event sub --help | sed -n 2p | grep -i "subscribe"
'

# A usage error is "flux-CMD: cause" and a hint, exit 2.
test_expect_success 'usage errors: "flux-CMD: cause" and a hint, exit 2' '
	for cmd in "getattr" "setattr x" "lsattr x" "ping" "dmesg x" \
	           "event" "event pub" "module" "module load" "module list x" \
	           "logger -s nosuch x" "start -S x"; do
		test_expect_code 2 flux $cmd 2>usage.err &&
		test $(wc -l <usage.err) -eq 2 &&
		sed -n 1p usage.err | grep "^flux-${cmd%% *}: ." &&
		sed -n 2p usage.err |
			grep "^Try ${SQ}flux ${cmd%% *}.* --help${SQ} for more information.$" ||
		return 1
	done
'
test_expect_success 'an unknown option is a usage error naming it' '
	for cmd in getattr setattr lsattr ping dmesg logger "event pub" \
	           "event sub" "module load" "module list" start; do
		test_expect_code 2 flux $cmd --frobnicate 2>opt.err &&
		sed -n 1p opt.err |
			grep "^flux-${cmd%% *}: unrecognized option .--frobnicate.$" ||
		return 1
	done
'
test_done
