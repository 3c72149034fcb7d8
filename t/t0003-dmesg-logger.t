#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux logger writes to the broker log, flux dmesg reads it'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

iso_re='[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]*Z'

# Succeed if the log has a line for APPNAME.SEVERITY and MESSAGE.
dmesg_has() {
	flux dmesg | grep "^$iso_re $1\[0\]: $2\$"
}

# Log MESSAGE, then succeed if it is in FILE (for test_retry).
log_and_check() {
	flux logger "$1" && grep -q "$1" "$2"
}

test_expect_success 'logger logs at notice with appname logger' '
	flux logger hello world &&
	dmesg_has logger.notice "hello world"
'
test_expect_success 'dmesg prints ISO timestamp appname.severity[rank]: msg' '
	flux dmesg >all.out &&
	test -s all.out &&
	test_expect_code 1 grep -v "^$iso_re [^ ]*\.[a-z]*\[0\]: " all.out
'
test_expect_success 'logger -s sets the severity, for every name' '
	for sev in emerg alert crit err warning notice info debug; do
		flux logger -s $sev "at $sev" &&
		dmesg_has logger.$sev "at $sev" || return 1
	done
'
test_expect_success 'logger -s accepts the long names error and critical' '
	flux logger -s error long-error &&
	flux logger -s critical long-crit &&
	dmesg_has logger.err long-error &&
	dmesg_has logger.crit long-crit
'
test_expect_success 'logger -n sets the appname' '
	flux logger -n myapp -s info from-myapp &&
	dmesg_has myapp.info from-myapp
'
test_expect_success 'logger with no message logs each line of stdin' '
	printf "stdin-one\nstdin-two\n" | flux logger -n stdin &&
	dmesg_has stdin.notice stdin-one &&
	dmesg_has stdin.notice stdin-two
'
test_expect_success 'logger of an invalid severity is a usage error' '
	test_expect_code 2 flux logger -s bogus msg 2>sev.err &&
	grep "^flux-logger: invalid severity .bogus." sev.err
'
test_expect_success 'dmesg -C clears the ring buffer and prints nothing' '
	flux logger before-clear &&
	flux dmesg -C >clear.out &&
	test_must_be_empty clear.out &&
	flux dmesg >after.out &&
	test_must_fail grep before-clear after.out
'
test_expect_success 'dmesg -c prints the buffer, then clears it' '
	flux logger read-then-clear &&
	flux dmesg -c >readclear.out &&
	grep "logger.notice\[0\]: read-then-clear$" readclear.out &&
	flux dmesg >after2.out &&
	test_must_fail grep read-then-clear after2.out
'
test_expect_success 'dmesg -n without -f prints nothing' '
	flux logger not-new &&
	flux dmesg -n >new.out &&
	test_must_be_empty new.out
'
test_expect_success 'dmesg -f -n prints entries as they are logged' '
	{ flux dmesg -f -n >follow.out 2>follow.err & } &&
	pid=$! &&
	test_when_finished "kill $pid 2>/dev/null || :" &&
	test_retry 100 log_and_check followme follow.out &&
	grep "^$iso_re logger.notice\[0\]: followme$" follow.out &&
	test_must_fail grep not-new follow.out
'
test_expect_success 'dmesg -H prints human timestamps' '
	flux logger human-one &&
	flux logger human-two &&
	flux dmesg -H >human.out &&
	head -n 1 human.out |
		grep "^\[[A-Z][a-z][a-z][0-9][0-9] [0-9][0-9]:[0-9][0-9]\] " &&
	test_expect_code 1 grep -v \
		-e "^\[[A-Z][a-z][a-z][0-9][0-9] [0-9][0-9]:[0-9][0-9]\] " \
		-e "^\[ *+[0-9]*\.[0-9]\{6\}\] " human.out &&
	grep "\] logger.notice\[0\]: human-two$" human.out
'
test_expect_success 'dmesg -H -d prints deltas between entries' '
	flux dmesg -H -d >delta.out &&
	grep "\] logger.notice\[0\]: human-two$" delta.out
'
test_expect_success 'dmesg -d without -H is a usage error' '
	test_expect_code 2 flux dmesg -d 2>delta.err &&
	grep "^flux-dmesg: --delta can only be used with --human" delta.err
'
test_expect_success 'dmesg -L colours the output, -Lnever does not' '
	esc=$(printf "\033") &&
	flux dmesg -L >color.out &&
	grep "$esc\[" color.out &&
	flux dmesg --color=always >color2.out &&
	grep "$esc\[" color2.out &&
	flux dmesg -Lnever >nocolor.out &&
	test_must_fail grep "$esc" nocolor.out &&
	flux dmesg >auto.out &&
	test_must_fail grep "$esc" auto.out
'
test_expect_success 'dmesg -L with a bad value is a usage error' '
	test_expect_code 2 flux dmesg -Lsometimes 2>color.err &&
	grep "^flux-dmesg: Invalid argument to --color: .sometimes." color.err
'
test_expect_success 'dmesg takes no arguments' '
	test_expect_code 2 flux dmesg extra 2>extra.err &&
	grep "^flux-dmesg: flux-dmesg accepts no free arguments" extra.err
'
test_done
