#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: spec sentences not covered elsewhere

Found by the coverage audit (doc/spec-coverage.md): what mod_main and the
handlers are given (flux.Flux, flux.message.Message, BrokerLogger), the
handle used for fd, idle and message watchers, asynchronous RPCs and
event subscriptions, set_running(), arguments split on any whitespace
with quotes kept as plain characters, the same file loaded twice under
two --name values, log levels given as numbers, and log lines in flux
dmesg and on the broker stderr in one run, filtered by the broker.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# logged FILE: the "SEVERITY says LEVEL" pairs of logger.py in FILE.
logged() {
	sed -n "s/.* logger\.\([a-z]*\)\[0\]: logger says \([a-z]*\)$/\1 \2/p" "$1"
}

test_expect_success 'load spectypes.py' '
	flux module load $M/spectypes.py one two
'
test_expect_success 'mod_main gets a flux.Flux; self.handle is that handle' '
	rpc spectypes.types >types.out &&
	jq -e ".h_is_flux == true and .handle_is_h == true" types.out
'
test_expect_success 'a handler receives a flux.message.Message' '
	jq -e ".msg_class == \"flux.message.Message\"" types.out
'
test_expect_success 'self.log is a flux.brokermod.BrokerLogger' '
	jq -e ".log_class == \"flux.brokermod.BrokerLogger\"" types.out
'
test_expect_success 'args reach the class through an explicit mod_main' '
	jq -e ".args == [\"one\", \"two\"]" types.out
'
test_expect_success 'the handle runs fd watchers' '
	rpc spectypes.fd "{\"text\": \"through a pipe\"}" >fd.out &&
	jq -e ".read == \"through a pipe\"" fd.out
'
test_expect_success 'the handle runs idle watchers' '
	rpc spectypes.idle | jq -e ".idle == true"
'
test_expect_success 'the handle makes asynchronous RPCs (then) from a handler' '
	rpc spectypes.then | jq -e ".route | length > 0"
'
test_expect_success 'the handle subscribes to events and watches them' '
	flux python -c "
import flux, time
h = flux.Flux()
f = h.rpc(\"spectypes.event\", {\"topic\": \"auditev\"})
# The module subscribes before it answers; publish until it has.
for i in range(100):
    h.event_send(\"auditev.x\")
    try:
        f.wait_for(0.1)
        break
    except TimeoutError:
        pass
print(f.get()[\"event\"])
" >event.out &&
	echo auditev.x >event.expected &&
	test_cmp event.expected event.out
'
test_expect_success 'remove spectypes' '
	flux module remove spectypes
'
test_expect_success 'set_running(): flux module load returns before the reactor runs' '
	start=$(date +%s.%N) &&
	flux module load $M/slowstart.py --set-running &&
	end=$(date +%s.%N) &&
	module_is_loaded slowstart &&
	flux module list | grep "^slowstart  *[0-9a-z]*  R " &&
	echo "load took $(echo "$end - $start" | bc) s" &&
	test $(echo "$end - $start < 1.5" | bc) = 1 &&
	rpc slowstart.hello | jq -e ".name == \"slowstart\"" &&
	flux module remove slowstart
'
test_expect_success 'without set_running(), the load waits for the reactor' '
	start=$(date +%s.%N) &&
	flux module load $M/slowstart.py &&
	end=$(date +%s.%N) &&
	echo "load took $(echo "$end - $start" | bc) s" &&
	test $(echo "$end - $start >= 1.9" | bc) = 1 &&
	flux module remove slowstart
'
test_expect_success 'arguments are split on tabs and newlines too' '
	flux module load $M/synth.py "$(printf "a\tb\nc")" d &&
	rpc synth.info | jq -c .args >ws.out &&
	echo "[\"a\",\"b\",\"c\",\"d\"]" >ws.expected &&
	test_cmp ws.expected ws.out &&
	flux module remove synth
'
test_expect_success 'quotes inside arguments are plain characters' '
	flux module load $M/synth.py "\"x y\"" "${SQ}z w${SQ}" &&
	rpc synth.info | jq -c .args >quote.out &&
	echo "[\"\\\"x\",\"y\\\"\",\"${SQ}z\",\"w${SQ}\"]" >quote.expected &&
	test_cmp quote.expected quote.out &&
	flux module remove synth
'
test_expect_success 'one file loaded under two --name values: two modules' '
	flux module load --name first $M/synth.py &&
	flux module load --name second $M/synth.py &&
	module_is_loaded first &&
	module_is_loaded second &&
	! module_is_loaded synth &&
	rpc first.info | jq -e ".name == \"first\"" &&
	rpc second.info | jq -e ".name == \"second\"" &&
	flux module remove first &&
	! module_is_loaded first &&
	rpc second.info | jq -e ".name == \"second\"" &&
	test_must_fail rpc first.info 2>first.err &&
	grep "^38: No service matching first.info is registered" first.err &&
	flux module remove second
'
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
