#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: logging, print() and warnings

"Logging" in the Python broker module guide: self.log at the eight
syslog severities, in flux dmesg and on the broker stderr, the broker
log-level as the default filter, self.log.level to tighten it; and
print() and warnings from a module, which reach the broker log under
the module name.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# logged FILE: the "SEVERITY says LEVEL" pairs of logger.py in FILE.
logged() {
	sed -n "s/.* logger\.\([a-z]*\)\[0\]: logger says \([a-z]*\)$/\1 \2/p" "$1"
}

test_expect_success 'self.log methods log at the eight severities' '
	flux module load $M/logger.py &&
	flux dmesg -C &&
	rpc logger.log | jq -e ".level == 7" &&
	flux dmesg >all.dmesg &&
	logged all.dmesg >all.out &&
	cat >all.expected <<-\EOT &&
	debug debug
	info info
	notice notice
	warning warning
	err error
	crit critical
	alert alert
	emerg emerg
	EOT
	test_cmp all.expected all.out
'
test_expect_success 'the broker log-level filters module messages by default' '
	flux dmesg -C &&
	flux setattr log-level 4 &&
	test_when_finished "flux setattr log-level 7" &&
	rpc logger.log &&
	flux dmesg >filtered.dmesg &&
	logged filtered.dmesg | cut -d" " -f2 >filtered.out &&
	printf "%s\n" warning error critical alert emerg >filtered.expected &&
	test_cmp filtered.expected filtered.out
'
test_expect_success 'self.log.level = "info" suppresses debug messages' '
	flux dmesg -C &&
	rpc logger.log "{\"level\": \"info\"}" | jq -e ".level == 6" &&
	flux dmesg >info.dmesg &&
	logged info.dmesg | cut -d" " -f2 >info.out &&
	printf "%s\n" info notice warning error critical alert emerg \
		>info.expected &&
	test_cmp info.expected info.out
'
test_expect_success 'self.log.level = "error" keeps only err and worse' '
	flux dmesg -C &&
	rpc logger.log "{\"level\": \"error\"}" | jq -e ".level == 3" &&
	flux dmesg >err.dmesg &&
	logged err.dmesg | cut -d" " -f2 >err.out &&
	printf "%s\n" error critical alert emerg >err.expected &&
	test_cmp err.expected err.out
'
test_expect_success 'an invalid self.log.level is an error for the caller' '
	flux setattr broker.module-nopanic 1 &&
	test_must_fail rpc logger.log "{\"level\": \"loud\"}" 2>badlevel.err &&
	grep "^22: ValueError: invalid log level" badlevel.err &&
	test_retry 50 eval "! module_is_loaded logger" &&
	flux dmesg -C
'
test_expect_success 'module messages reach the broker stderr' '
	flux start -Slog-stderr-level=7 \
		sh -c "flux module load $M/logger.py &&
		       flux python -c \"import flux; flux.Flux().rpc(\\\"logger.log\\\").get()\" &&
		       flux module remove logger" 2>stderr.out &&
	grep "logger.info\[0\]: logger says info" stderr.out &&
	grep "logger.debug\[0\]: logger says debug" stderr.out
'
test_expect_success 'print() before the reactor runs goes to the broker log' '
	flux module load $M/printer.py &&
	flux dmesg | grep "printer.info\[0\]: printer loaded$"
'
test_expect_success 'print() in a handler: one log entry per line, at info' '
	flux dmesg -C &&
	rpc printer.print "{\"text\": \"hello %s world\"}" >print.out &&
	flux dmesg >print.dmesg &&
	grep "printer.info\[0\]: hello %s world$" print.dmesg &&
	grep "printer.info\[0\]: partial line$" print.dmesg &&
	! grep "printer.*: partial $" print.dmesg
'
test_expect_success 'print(file=sys.stderr) goes to the broker log at err' '
	grep "printer.err\[0\]: hello %s world on stderr$" print.dmesg
'
test_expect_success 'sys.stdout of a module is not a tty' '
	jq -e ".isatty == false" print.out
'
test_expect_success 'warnings go to the broker log at warning' '
	flux dmesg -C &&
	rpc printer.warn "{\"text\": \"careful now\"}" &&
	flux dmesg >warn.dmesg &&
	grep "printer.warning\[0\]: $M/printer.py:[0-9]*: UserWarning: careful now$" \
		warn.dmesg
'
test_expect_success 'output from two modules goes under each module name' '
	flux module load --name printer2 $M/printer.py &&
	flux dmesg -C &&
	rpc printer2.print "{\"text\": \"from two\"}" &&
	rpc printer.print "{\"text\": \"from one\"}" &&
	flux dmesg >two.dmesg &&
	grep "printer2.info\[0\]: from two$" two.dmesg &&
	grep "printer.info\[0\]: from one$" two.dmesg &&
	! grep "printer2.info\[0\]: from one$" two.dmesg &&
	flux module remove printer2 &&
	flux module remove printer
'

#
# Levels given as numbers; dmesg and stderr in one run
#
test_expect_success 'self.log.level takes a number: 4 keeps warning and worse' '
	flux module load $M/logger.py &&
	flux dmesg -C &&
	rpc logger.log "{\"level\": 4}" | jq -e ".level == 4" &&
	flux dmesg >num.dmesg &&
	logged num.dmesg | cut -d" " -f2 >num.out &&
	printf "%s\n" warning error critical alert emerg >num.expected &&
	test_cmp num.expected num.out
'
test_expect_success 'self.log.level = 0 keeps only emerg' '
	flux dmesg -C &&
	rpc logger.log "{\"level\": 0}" | jq -e ".level == 0" &&
	flux dmesg >zero.dmesg &&
	logged zero.dmesg >zero.out &&
	echo "emerg emerg" >zero.expected &&
	test_cmp zero.expected zero.out
'
test_expect_success 'a level set at start by name (--level=notice) filters' '
	flux module remove logger &&
	flux module load $M/logger.py --level=notice &&
	flux dmesg -C &&
	rpc logger.log | jq -e ".level == 5" &&
	flux dmesg >notice.dmesg &&
	logged notice.dmesg | cut -d" " -f2 >notice.out &&
	printf "%s\n" notice warning error critical alert emerg >notice.expected &&
	test_cmp notice.expected notice.out
'
test_expect_success 'a level past debug (8) passes everything, -1 nothing (flux-core)' '
	flux dmesg -C &&
	rpc logger.log "{\"level\": 8}" | jq -e ".level == 8" &&
	rpc logger.log "{\"level\": -1}" | jq -e ".level == -1" &&
	flux dmesg >past.dmesg &&
	logged past.dmesg | cut -d" " -f2 >past.out &&
	printf "%s\n" debug info notice warning error critical alert emerg \
		>past.expected &&
	test_cmp past.expected past.out
'
test_expect_success 'a level neither a name nor a number is a ValueError' '
	flux setattr broker.module-nopanic 1 &&
	test_must_fail rpc logger.log "{\"level\": [4]}" 2>list.err &&
	grep "^22: ValueError: invalid log level \[4\]$" list.err &&
	test_retry 50 eval "! module_is_loaded logger"
'
test_expect_success 'one run: all levels in flux dmesg, err and worse on stderr' '
	cat >both.sh <<-EOT &&
	flux module load $M/logger.py &&
	flux python -c "import flux; flux.Flux().rpc(\"logger.log\").get()" &&
	flux dmesg >both.dmesg &&
	flux module remove logger
	EOT
	run_timeout 60 flux start sh ./both.sh 2>both.err &&
	logged both.dmesg | cut -d" " -f2 >both-dmesg.out &&
	printf "%s\n" debug info notice warning error critical alert emerg \
		>both-dmesg.expected &&
	test_cmp both-dmesg.expected both-dmesg.out &&
	logged both.err | cut -d" " -f2 >both-stderr.out &&
	printf "%s\n" error critical alert emerg >both-stderr.expected &&
	test_cmp both-stderr.expected both-stderr.out
'
test_done
