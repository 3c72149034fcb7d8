#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: the embedded interpreter environment

The interpreter in the broker honours PYTHONPATH, as python3 does, and
loads compiled extension modules (libpython is in the global scope);
module files may live anywhere and be named by a relative path.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

test_expect_success 'create a module that imports a helper and extensions' '
	mkdir -p helperlib &&
	cat >helperlib/pymodhelper.py <<-\EOT &&
	GREETING = "hello from a PYTHONPATH package"
	EOT
	cat >usehelper.py <<-\EOT
	import _ctypes, _json, array
	from flux.brokermod import BrokerModule, request_handler

	class UseHelper(BrokerModule):
	    @request_handler("greet")
	    def greet(self, msg):
	        import pymodhelper
	        self.handle.respond(msg, {
	            "greeting": pymodhelper.GREETING,
	            "array": array.array("i", [1, 2, 3]).tolist(),
	        })
	EOT
'
test_expect_success 'a module loads by a relative path; without PYTHONPATH no helper' '
	flux setattr broker.module-nopanic 1 &&
	flux module load ./usehelper.py &&
	flux module list | grep "^usehelper " &&
	test_must_fail rpc usehelper.greet 2>nohelper.err &&
	grep "ModuleNotFoundError: No module named ${SQ}pymodhelper${SQ}" \
		nohelper.err &&
	test_retry 50 eval "! module_is_loaded usehelper"
'
test_expect_success 'PYTHONPATH given to flux start reaches the modules' '
	cat >greet.sh <<-\EOT &&
	flux module load ./usehelper.py &&
	flux python -c "import flux; print(flux.Flux().rpc(\"usehelper.greet\").get()[\"greeting\"])" &&
	flux module remove usehelper
	EOT
	PYTHONPATH="$PWD/helperlib${PYTHONPATH:+:$PYTHONPATH}" \
		run_timeout 60 flux start sh ./greet.sh >greet.out &&
	echo "hello from a PYTHONPATH package" >greet.expected &&
	test_cmp greet.expected greet.out
'
test_expect_success 'if the loader cannot be imported, the load fails and says why' '
	mkdir -p sitedir &&
	cat >sitedir/sitecustomize.py <<-\EOT &&
	import sys
	sys.modules["flux._pyloader"] = None
	EOT
	cat >broken.sh <<-\EOT &&
	flux module load ./usehelper.py 2>broken.err
	echo "load exit code $?"
	flux dmesg | grep "usehelper.err"
	EOT
	PYTHONPATH="$PWD/sitedir${PYTHONPATH:+:$PYTHONPATH}" \
		run_timeout 60 flux start -Sbroker.rc1_path= -Sbroker.rc3_path= \
		sh ./broken.sh >broken.out &&
	grep "^load exit code 1$" broken.out &&
	grep "^flux-module: load ./usehelper.py: Python loader: ModuleNotFoundError: import of flux._pyloader halted; None in sys.modules: Connection reset by peer$" \
		broken.err &&
	grep "usehelper.err\[0\]: ModuleNotFoundError: import of flux._pyloader halted" \
		broken.out
'
# The site packages: their folders are on sys.path from the start, but
# their .pth files (which may run any code) run only before the first
# module from outside the broker's own module folder (_flux/_site.py).
test_expect_success 'a user site whose .pth file adds a folder and runs code' '
	usersite=$(PYTHONUSERBASE="$PWD/userbase" "$PYTHON" -c \
		"import site; print(site.getusersitepackages())") &&
	mkdir -p "$usersite" pthlib &&
	echo "VALUE = \"found through a .pth file\"" >pthlib/pthhelper.py &&
	cat >"$usersite/t0055.pth" <<-EOT &&
	$PWD/pthlib
	import os; open("$PWD/pth.log", "a").write("%d\\n" % os.getpid())
	EOT
	cat >usepth.py <<-\EOT &&
	import pthhelper
	from flux.brokermod import BrokerModule, request_handler

	class UsePth(BrokerModule):
	    @request_handler("value")
	    def value(self, msg):
	        self.handle.respond(msg, {"value": pthhelper.VALUE})
	EOT
	cp usepth.py usepth2.py
'
test_expect_success 'the standard Python modules start without running .pth files' '
	rm -f pth.log &&
	PYTHONUSERBASE="$PWD/userbase" run_timeout 60 flux start \
		flux module list >std.out &&
	grep "^kvs " std.out &&
	grep "^heartbeat " std.out &&
	test ! -e pth.log
'
test_expect_success 'the first module of the user runs them in the broker, once' '
	rm -f pth.log &&
	cat >usepth.sh <<-\EOT &&
	flux module load ./usepth.py &&
	flux module load ./usepth2.py &&
	flux python -c "import flux; print(flux.Flux().rpc(\"usepth2.value\").get()[\"value\"])" &&
	flux getattr broker.pid
	EOT
	PYTHONUSERBASE="$PWD/userbase" run_timeout 60 flux start \
		sh ./usepth.sh >usepth.out &&
	head -n 1 usepth.out >value.out &&
	echo "found through a .pth file" >value.expected &&
	test_cmp value.expected value.out &&
	broker_pid=$(tail -n 1 usepth.out) &&
	test $(grep -c "^$broker_pid\$" pth.log) = 1
'
test_done
