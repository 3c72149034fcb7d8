#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux module stack, and Python logging to the broker log

flux module stack NAME prints the Python stack of each thread of a live
module: its own thread, even stuck in a handler, and the threads it
started.  A module stuck in C code with the GIL held gets ETIMEDOUT
while the broker goes on answering.  Python logging in a module goes to
the broker log under the module name, as "LOGGER: message", at the
severity matching the record level.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module
testmod="$FLUX_BUILD_DIR/t/module/testmod.so"

test_expect_success 'setup: a module that can hang in a handler, with a thread' '
	cat >hanger.py <<-EOF
	import threading, time
	from flux.brokermod import BrokerModule, request_handler
	def tick():
	    while True:
	        time.sleep(0.05)
	class Hanger(BrokerModule):
	    def __init__(self, h, *args):
	        super().__init__(h, *args)
	        threading.Thread(target=tick, name="ticker", daemon=True).start()
	    @request_handler("hang")
	    def hang(self, msg):
	        self.handle.respond(msg)
	        spin_forever()
	def spin_forever():
	    while True:
	        pass
	EOF
'

test_expect_success 'the stack of an idle module: its reactor, and its thread' '
	flux module load ./hanger.py &&
	flux module stack hanger >idle.out &&
	grep "^Thread 0x[0-9a-f]* (module hanger), most recent call last:" \
		idle.out &&
	grep "in reactor_run" idle.out &&
	grep "^Thread 0x[0-9a-f]* (thread ${SQ}ticker${SQ})" idle.out &&
	grep "hanger.py\", line 5, in tick" idle.out
'

test_expect_success 'the stack of a module stuck in a handler shows where' '
	rpc hanger.hang &&
	flux module stack hanger >stuck.out &&
	grep "hanger.py\", line [0-9]*, in hang" stuck.out &&
	grep -A1 "hanger.py\", line [0-9]*, in spin_forever" stuck.out |
		grep "while True:" &&
	flux module remove hanger
'

test_expect_success 'a C module has no stack to show' '
	flux module load $testmod &&
	test_must_fail flux module stack testmod 2>c.err &&
	grep "stack testmod: module testmod: its loader cannot show a stack" \
		c.err &&
	flux module remove testmod
'

test_expect_success 'an unknown module' '
	test_must_fail flux module stack nosuch 2>nosuch.err &&
	grep "stack nosuch: module nosuch is not loaded" nosuch.err
'

test_expect_success 'logging: records go to the broker log as LOGGER: message' '
	cat >logs.py <<-EOF &&
	import logging, threading
	from flux.brokermod import BrokerModule, request_handler
	log = logging.getLogger("logs.part")
	class Logs(BrokerModule):
	    @request_handler("go")
	    def go(self, msg):
	        log.warning("a warning %d", 1)
	        log.error("an error")
	        log.critical("critical")
	        log.info("not shown: the root logger passes WARNING and up")
	        log.setLevel(logging.DEBUG)
	        log.info("an info")
	        log.debug("a debug")
	        try:
	            1 / 0
	        except ZeroDivisionError:
	            log.exception("caught it")
	        t = threading.Thread(target=lambda: log.warning("from a thread"))
	        t.start()
	        t.join()
	        self.handle.respond(msg)
	EOF
	flux module load ./logs.py &&
	rpc logs.go &&
	flux module remove logs &&
	flux dmesg >logs.out &&
	grep "logs.warning\[0\]: logs.part: a warning 1" logs.out &&
	grep "logs.err\[0\]: logs.part: an error" logs.out &&
	grep "logs.crit\[0\]: logs.part: critical" logs.out &&
	grep "logs.info\[0\]: logs.part: an info" logs.out &&
	grep "logs.debug\[0\]: logs.part: a debug" logs.out &&
	! grep "not shown" logs.out &&
	grep "logs.err\[0\]: logs.part: caught it" logs.out &&
	grep "logs.err\[0\]: ZeroDivisionError: division by zero" logs.out &&
	grep "logs.warning\[0\]: logs.part: from a thread" logs.out
'

# N.B. Last: the match holds the GIL for a minute after the module is
# abandoned, and any Python module loaded after it would wait that long.
test_expect_success 'stuck in C code with the GIL held: ETIMEDOUT, the broker answers' '
	flux setattr broker.module-remove-timeout 1 &&
	flux module load $M/regex.py &&
	rpc regex.match "{\"seconds\": 60}" >/dev/null &&
	test_expect_code 1 run_timeout 30 flux module stack regex 2>gil.err &&
	grep "stack regex: module regex: no stack within 1s" gil.err &&
	run_timeout 10 flux ping --count 1 broker &&
	run_bg flux module remove regex &&
	wait $pid &&
	! module_is_loaded regex
'

test_done
