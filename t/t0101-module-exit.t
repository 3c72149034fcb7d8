#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='What a module leaves behind as it exits

A module that has said FINALIZING is muted: requests to it fail with
ENOSYS and events no longer reach it, although its thread still runs
(it drains its queue before EXITED).  A Python module that exits leaves
no objects behind (the cycles of its namespace are collected on its own
thread, before its handle is closed), not even when a then() callback of
its waits for an answer that never comes, and no threading record of
its thread.  Each of these passed every other test with the line that
does it removed (scripts/mutations-c.txt: mute-finalizing,
route-to-muted, events-to-muted, pyloader-no-gc-collect,
pyloader-no-forget-pending, pyloader-no-forget-thread).
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

# The modules below write their files in $D, given as their argument
# (module arguments are split at spaces, which the trash directory's
# name has).
D=$(mktemp -d "${TMPDIR:-/tmp}/t0101.XXXXXX") || exit 1

# A module that says FINALIZING itself, as flux_module_finalize() does,
# and then goes on running: the window between FINALIZING and EXITED,
# microseconds in a real exit, stays open until it is removed.  Its
# event handler leaves a file behind, so that an event that reached it
# is seen after it is gone.
cat >early.py <<'EOF'
import os
from flux.brokermod import BrokerModule, event_handler, request_handler

FLUX_MODSTATE_FINALIZING = 2


class Early(BrokerModule):
    @request_handler("hello")
    def hello(self, msg):
        self.handle.respond(msg, {"hello": self.name})

    @request_handler("finalizing")
    def finalizing(self, msg):
        self.handle.rpc("module.status",
                        {"status": FLUX_MODSTATE_FINALIZING}).get()
        self.handle.respond(msg, None)

    @event_handler("ev")
    def ev(self, msg):
        with open(os.path.join(self.args[0], "early.event"), "a") as f:
            f.write(msg.topic + "\n")
EOF

test_expect_success 'a module answers before FINALIZING' '
	flux module load ./early.py "$D" &&
	rpc early.hello >hello.out &&
	grep "\"hello\": \"early\"" hello.out
'
test_expect_success 'an event reaches it before FINALIZING' '
	rm -f "$D"/early.event &&
	flux event pub early.ev &&
	test_retry 100 test -s "$D"/early.event
'
test_expect_success 'after FINALIZING a request to it fails ENOSYS' '
	rm -f "$D"/early.event &&
	rpc early.finalizing &&
	test_must_fail rpc early.hello 2>hello.err &&
	cat hello.err &&
	grep "^38: " hello.err
'
test_expect_success 'while the module is still there' '
	module_is_loaded early
'
test_expect_success 'an event published after FINALIZING does not reach it' '
	flux event pub early.ev &&
	flux module remove early &&
	! module_is_loaded early &&
	! test -e "$D"/early.event
'

# A Python module whose namespace holds an object with a finalizer:
# the namespace is a cycle (functions and their globals), so the object
# is freed only by a collection.  gc.collect() here moves everything to
# the oldest generation, which Python collects rarely on its own: only
# the loader's collection at exit frees it.
cat >cyclic.py <<'EOF'
import gc
import os
import threading
from flux.brokermod import BrokerModule, request_handler


class Witness:
    def __init__(self, path):
        self.path = path
        self.thread = threading.get_native_id()

    def __del__(self):
        with open(self.path, "w") as f:
            same = self.thread == threading.get_native_id()
            f.write("freed on the module thread\n" if same
                    else "freed on another thread\n")


witness = None


class Cyclic(BrokerModule):
    def __init__(self, h, *args):
        global witness
        super().__init__(h, *args)
        witness = Witness(os.path.join(args[0], f"{self.name}.freed"))
        self.held = []
        if args[1:] == ("wait",):
            h.rpc(f"{self.name}.hold").then(self.answered)
        gc.collect()

    def answered(self, future):
        raise RuntimeError("never answered")

    @request_handler("ping")
    def ping(self, msg):
        self.handle.respond(msg, None)

    @request_handler("hold")
    def hold(self, msg):
        self.held.append(msg)

    @request_handler("held")
    def held_count(self, msg):
        self.handle.respond(msg, {"held": len(self.held)})
EOF

test_expect_success 'a Python module loads, holding an object in its namespace' '
	rm -f "$D"/cyclic.freed &&
	flux module load ./cyclic.py "$D" &&
	rpc cyclic.ping &&
	! test -e "$D"/cyclic.freed
'
test_expect_success 'the object is freed when the module is removed, on its thread' '
	flux module remove cyclic &&
	test -f "$D"/cyclic.freed &&
	echo "freed on the module thread" >freed.expected &&
	test_cmp freed.expected "$D"/cyclic.freed
'
test_expect_success 'so too across 20 load/remove cycles' '
	for i in $(seq 20); do
		rm -f "$D"/cyclic.freed &&
		flux module load ./cyclic.py "$D" &&
		flux module remove cyclic &&
		test_cmp freed.expected "$D"/cyclic.freed || return 1
	done
'

# With "wait" after its folder, the module also makes an RPC that is
# never answered, with a then() callback that can no longer run once
# the module is gone: the callback must not keep the future, and
# through it the module, alive.
test_expect_success 'a module whose then() callback waits for an answer that never comes' '
	rm -f "$D"/waiter.freed &&
	flux module load --name waiter ./cyclic.py "$D" wait &&
	rpc waiter.held >held.out &&
	jq -e ".held == 1" held.out &&
	! test -e "$D"/waiter.freed
'
test_expect_success 'is freed all the same when it is removed, on its thread' '
	flux module remove waiter &&
	test_cmp freed.expected "$D"/waiter.freed
'

# threading.current_thread() on a thread Python did not start records a
# "dummy" Thread for it (logging does so for every record).  Modules
# alive at once have distinct thread ids, so a record left behind by
# one is not overwritten by the next module's.
cat >threadrec.py <<'EOF'
import threading
from flux.brokermod import BrokerModule, request_handler


class ThreadRec(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.me = threading.current_thread()

    @request_handler("threads")
    def threads(self, msg):
        others = [t.name for t in threading.enumerate()
                  if t is not self.me and t.daemon
                  and isinstance(t, threading._DummyThread)]
        self.handle.respond(msg, {"others": others})
EOF

test_expect_success 'five Python modules run at once and exit' '
	for i in 1 2 3 4 5; do
		flux module load --name threadrec$i ./threadrec.py || return 1
	done &&
	rpc threadrec5.threads >five.out &&
	jq -e ".others | length == 4" five.out &&
	for i in 1 2 3 4 5; do
		flux module remove threadrec$i || return 1
	done
'
test_expect_success 'no record of their threads is left in threading' '
	flux module load --name threadprobe ./threadrec.py &&
	rpc threadprobe.threads >probe.out &&
	flux module remove threadprobe &&
	cat probe.out &&
	jq -e ".others == []" probe.out
'

rm -rf "$D"
test_done
