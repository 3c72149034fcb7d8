#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux module reload: new code in place, no request lost

A reload replaces a running module with new code (and new arguments)
under the same name: the new code is loaded while the old instance
still runs, requests that arrive meanwhile wait and are answered by the
new instance, and a Python BrokerModule hands its state across with
state_export() and state_import().  New code that does not load leaves
the old instance running and says why.  A C module is reloaded too.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

testmod="$FLUX_BUILD_DIR/t/module/testmod.so"

# counter VERSION [EXTRA]: write counter.py, a module whose NAME.get
# answers {version, count, args} and counts requests across reloads;
# EXTRA is Python appended to the file (top level).
counter() {
	cat >counter.py <<-EOF &&
	import time
	from flux.brokermod import BrokerModule, request_handler
	VERSION = $1
	class Counter(BrokerModule):
	    def __init__(self, h, *args):
	        super().__init__(h, *args)
	        self.count = 0
	    @request_handler("get")
	    def get(self, msg):
	        self.count += 1
	        self.handle.respond(msg, {"version": VERSION,
	                                  "count": self.count,
	                                  "args": list(self.args)})
	    def state_export(self):
	        return {"count": self.count}
	    def state_import(self, state):
	        self.count = state["count"]
	EOF
	printf "%s\n" "${2:-}" >>counter.py
}

# get: print "VERSION COUNT ARGS..." from counter.get.
get() {
	rpc counter.get | jq -r '"\(.version) \(.count) \(.args | join(" "))"'
}

test_expect_success 'reload runs the new code with the old state and new args' '
	counter 1 &&
	flux module load ./counter.py a &&
	test "$(get)" = "1 1 a" &&
	test "$(get)" = "1 2 a" &&
	counter 2 &&
	flux module reload ./counter.py b c &&
	test "$(get)" = "2 3 b c" &&
	flux dmesg | grep "module counter reloaded from $(pwd)/counter.py"
'

test_expect_success 'reload NAME reloads the module'"'"'s own file' '
	counter 3 &&
	flux module reload counter &&
	test "$(get)" = "3 4 "
'

# policy NAME: its failure policy, from flux module list -P.
policy() {
	flux module list -P | awk -v n="$1" '$1 == n {print $6}'
}

test_expect_success '--on-failure applies to the new instance, if it starts' '
	flux module reload --on-failure=restart counter &&
	test "$(policy counter)" = restart &&
	cp counter.py counter.good &&
	echo "syntax error(" >>counter.py &&
	test_must_fail flux module reload --on-failure=exit counter &&
	test "$(policy counter)" = restart &&
	cp counter.good counter.py &&
	flux module reload --on-failure=panic counter &&
	test "$(policy counter)" = panic &&
	test "$(get)" = "3 5 "
'

test_expect_success 'new code with a syntax error: the old code keeps running' '
	counter 4 "syntax error(" &&
	test_must_fail flux module reload counter 2>syntax.err &&
	grep "reload counter: SyntaxError: .* (counter.py, line [0-9]*)" \
		syntax.err &&
	grep "(the old code keeps running)" syntax.err &&
	test "$(get)" = "3 6 " &&
	flux module list | grep "^counter .* R " &&
	flux dmesg >syntax.log &&
	grep "counter.err\[0\]: reload: " syntax.log &&
	grep "counter.err\[0\]: SyntaxError: ${SQ}(${SQ} was never closed" syntax.log
'

test_expect_success 'new code that raises as it loads: the old code keeps running' '
	counter 5 "import no_such_module_here" &&
	test_must_fail flux module reload counter 2>import.err &&
	grep "ModuleNotFoundError: No module named ${SQ}no_such_module_here${SQ}" \
		import.err &&
	test "$(get)" = "3 7 "
'

test_expect_success 'new code without an entry point: the old code keeps running' '
	echo "x = 1" >counter.py &&
	test_must_fail flux module reload counter 2>noentry.err &&
	grep "no mod_main() or BrokerModule subclass found" noentry.err &&
	test "$(get)" = "3 8 "
'

test_expect_success 'a state_export() that raises: the old code keeps running' '
	counter 6 &&
	cat >exportfail.py <<-EOF &&
	from flux.brokermod import BrokerModule, request_handler
	class ExportFail(BrokerModule):
	    @request_handler("ping2")
	    def ping2(self, msg):
	        self.handle.respond(msg, {"old": True})
	    def state_export(self):
	        raise RuntimeError("cannot export")
	EOF
	flux module load ./exportfail.py &&
	test_must_fail flux module reload ./exportfail.py 2>export.err &&
	grep "state_export() failed: RuntimeError: cannot export" export.err &&
	rpc exportfail.ping2 | jq -e ".old" &&
	flux module remove exportfail
'

test_expect_success 'requests sent while the new code loads are answered by it' '
	counter 7 "time.sleep(1)" &&
	flux python -c "
import flux, subprocess, time
h = flux.Flux()
p = subprocess.Popen([\"flux\", \"module\", \"reload\", \"counter\"])
time.sleep(0.3)
futures = [h.rpc(\"counter.get\") for _ in range(20)]
versions = {f.get()[\"version\"] for f in futures}
assert p.wait() == 0
print(sorted(versions))
" >during.out &&
	echo "[7]" >during.expected &&
	test_cmp during.expected during.out
'

test_expect_success 'a second reload while one is in progress is refused' '
	counter 8 "time.sleep(1)" &&
	run_bg flux module reload counter &&
	sleep 0.3 &&
	test_must_fail flux module reload counter 2>busy.err &&
	grep "module counter is being reloaded already" busy.err &&
	wait $pid &&
	test "$(get | cut -d" " -f1)" = 8
'

test_expect_success '100 reloads under load: no request fails, no count lost' '
	flux python $FLUX_SOURCE_DIR/bench/reload.py --reloads 100 \
		--json reload.json $FLUX_SOURCE_DIR/bench/reloadmod.py &&
	jq -e ".reloads == 100 and .errors == 0 and .count_ok" reload.json &&
	jq -e ".requests > 100" reload.json
'

test_expect_success 'async handlers still awaiting finish in the old instance' '
	cat >slow.py <<-EOF &&
	import asyncio
	from flux.brokermod import BrokerModule, request_handler
	class Slow(BrokerModule):
	    def __init__(self, h, *args):
	        super().__init__(h, *args)
	        self.count = 0
	    @request_handler("get")
	    async def get(self, msg):
	        await asyncio.sleep(0.05)
	        self.count += 1
	        self.handle.respond(msg, {"count": self.count})
	    def state_export(self):
	        return self.count
	    def state_import(self, state):
	        self.count = state
	EOF
	flux module load ./slow.py &&
	flux python -c "
import flux, subprocess
h = flux.Flux()
futures = []
for i in range(10):
    futures += [h.rpc(\"slow.get\") for _ in range(20)]
    subprocess.run([\"flux\", \"module\", \"reload\", \"./slow.py\"],
                   check=True)
print(sorted(f.get()[\"count\"] for f in futures) == list(range(1, 201)))
" >slow.out &&
	echo True >slow.expected &&
	test_cmp slow.expected slow.out &&
	flux module remove slow
'

test_expect_success 'new code whose constructor raises: the reload fails, the module is gone' '
	counter 9 "Counter.__init__ = lambda self, h, *a: 1 / 0" &&
	test_must_fail flux module reload counter 2>init.err &&
	grep "ZeroDivisionError" init.err &&
	wait_module_gone counter
'

test_expect_success 'a mod_main module is reloaded too (no state to hand)' '
	cat >plain.py <<-EOF &&
	import flux
	def cb(h, w, msg, arg):
	    h.respond(msg, {"version": 1})
	def mod_main(h, *args):
	    w = h.msg_watcher_create(cb, flux.constants.FLUX_MSGTYPE_REQUEST,
	                             "plain.v")
	    w.start()
	    h.reactor_run()
	EOF
	flux module load ./plain.py &&
	test "$(rpc plain.v | jq .version)" = 1 &&
	sed -i "s/\"version\": 1/\"version\": 2/" plain.py &&
	flux module reload ./plain.py &&
	test "$(rpc plain.v | jq .version)" = 2 &&
	flux module remove plain
'

test_expect_success 'a C module is reloaded with its new arguments' '
	flux module load $testmod one &&
	uuid1=$(rpc testmod.info | jq -r .uuid) &&
	flux module reload $testmod two three &&
	rpc testmod.info | jq -e ".args == [\"two\", \"three\"]" &&
	test "$(rpc testmod.info | jq -r .uuid)" != "$uuid1"
'

test_expect_success 'a C module whose new file does not open keeps running' '
	echo "not an ELF file" >testmod.so &&
	test_must_fail flux module reload ./testmod.so 2>cbad.err &&
	grep "reload ./testmod.so:" cbad.err &&
	rpc testmod.hello | jq -e ".name == \"testmod\"" &&
	flux module remove testmod
'

test_expect_success 'reload --exec: removed, then loaded again as a process' '
	cat >pid.py <<-EOF &&
	import os
	from flux.brokermod import BrokerModule, request_handler
	class Pid(BrokerModule):
	    @request_handler("get")
	    def get(self, msg):
	        self.handle.respond(msg, {"pid": os.getpid()})
	EOF
	flux module load ./pid.py &&
	test "$(rpc pid.get | jq .pid)" = "$(flux getattr broker.pid)" &&
	flux module reload --exec ./pid.py &&
	test "$(rpc pid.get | jq .pid)" != "$(flux getattr broker.pid)" &&
	flux module remove pid
'

test_expect_success 'reload of a module that is not loaded: an error, or a load with -f' '
	test_must_fail flux module reload nosuch 2>nosuch.err &&
	grep "reload nosuch: module nosuch is not loaded" nosuch.err &&
	counter 10 &&
	flux module reload -f ./counter.py &&
	test "$(get)" = "10 1 " &&
	flux module remove counter
'

test_done
