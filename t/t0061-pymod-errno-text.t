#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: errors carry the errno text, and flux-core names

flux-core reports a Python module that fails at start-up, and a name
that is already loaded, with the errno text alone ("File exists").  We
print our own words (the exception, its file and line; which name is
taken) followed by that text, in flux module load and in the broker
log.  Also BrokerLogger called as log(level, text) with level_name, and
a module file that only imports its BrokerModule class, inside a real
broker.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

# load_error PATH: module.load PATH; print "ERRNO: TEXT" of its failure.
load_error() {
	! rpc module.load "{\"path\": \"$1\", \"args\": []}" 2>load_error.err &&
	cat load_error.err
}

# expect_load_error FILE TEXT: flux module load FILE exits 1 printing
# exactly "flux-module: load FILE: TEXT".
expect_load_error() {
	test_expect_code 1 flux module load "$1" 2>load.err &&
	printf "flux-module: load %s: %s\n" "$1" "$2" >load.expected &&
	test_cmp load.expected load.err
}

test_expect_success 'write the test modules' '
	cat >oserr.py <<-EOF &&
	import errno
	def mod_main(h, *args):
	    raise OSError(errno.EEXIST, "service already registered")
	EOF
	cat >atload.py <<-EOF &&
	import errno
	raise OSError(errno.EACCES, "cannot read the config")
	EOF
	cat >noerrno.py <<-EOF &&
	def mod_main(h, *args):
	    raise OSError("no errno here")
	EOF
	cat >opens.py <<-EOF &&
	def mod_main(h, *args):
	    open("/nonexistent/flux-t0061.conf")
	EOF
	cat >valerr.py <<-EOF &&
	def mod_main(h, *args):
	    raise ValueError("bad argument")
	EOF
	cat >rterr.py <<-EOF &&
	def mod_main(h, *args):
	    raise RuntimeError("init failed")
	EOF
	cat >syn.py <<-EOF &&
	def mod_main(h, *args)
	    pass
	EOF
	cat >good.py <<-EOF &&
	import errno, syslog
	from flux.brokermod import BrokerModule, request_handler
	class Good(BrokerModule):
	    @request_handler("log")
	    def log_(self, msg):
	        self.log.level = msg.payload["level"]
	        self.log(syslog.LOG_NOTICE, "called as log(level, text)")
	        self.log(syslog.LOG_DEBUG, "debug through the call")
	        self.handle.respond(msg, {"level_name": self.log.level_name})
	    @request_handler("fail")
	    def fail(self, msg):
	        raise OSError(errno.EPERM, "refused at run time")
	EOF
	cat >realmod.py <<-EOF &&
	from flux.brokermod import BrokerModule, request_handler
	class RealMod(BrokerModule):
	    @request_handler("info")
	    def info(self, msg):
	        self.handle.respond(msg, {"name": self.name,
	                                  "class": type(self).__name__})
	EOF
	cat >shim.py <<-EOF
	import os, sys
	sys.path.insert(0, os.path.dirname(__file__))
	from realmod import RealMod
	EOF
'
test_expect_success 'OSError(EEXIST) in mod_main: its words, then File exists' '
	expect_load_error "$(pwd)/oserr.py" \
		"FileExistsError: [Errno 17] service already registered (oserr.py, line 3): File exists" &&
	test "$(load_error "$(pwd)/oserr.py")" = \
		"17: FileExistsError: [Errno 17] service already registered (oserr.py, line 3): File exists"
'
test_expect_success 'the broker log says it with the errno text too' '
	flux dmesg >oserr.dmesg &&
	grep "broker.err\[0\]: oserr: FileExistsError: \[Errno 17\] service already registered (oserr.py, line 3): File exists$" \
		oserr.dmesg
'
test_expect_success 'OSError while the file runs: its words, then Permission denied' '
	expect_load_error "$(pwd)/atload.py" \
		"PermissionError: [Errno 13] cannot read the config (atload.py, line 2): Permission denied"
'
test_expect_success 'OSError without an errno: ECONNRESET, as flux-core' '
	expect_load_error "$(pwd)/noerrno.py" \
		"OSError: no errno here (noerrno.py, line 2): Connection reset by peer" &&
	test "$(load_error "$(pwd)/noerrno.py" | cut -d: -f1)" = 104
'
test_expect_success 'words that already hold the errno text do not repeat it' '
	expect_load_error "$(pwd)/opens.py" \
		"FileNotFoundError: [Errno 2] No such file or directory: ${SQ}/nonexistent/flux-t0061.conf${SQ} (opens.py, line 2)"
'
test_expect_success 'ValueError in mod_main: Invalid argument' '
	expect_load_error "$(pwd)/valerr.py" \
		"ValueError: bad argument (valerr.py, line 2): Invalid argument"
'
test_expect_success 'any other exception: Connection reset by peer' '
	expect_load_error "$(pwd)/rterr.py" \
		"RuntimeError: init failed (rterr.py, line 2): Connection reset by peer"
'
test_expect_success 'a syntax error: its file and line, then Invalid argument' '
	expect_load_error "$(pwd)/syn.py" \
		"SyntaxError: expected ${SQ}:${SQ} (syn.py, line 1): Invalid argument"
'
test_expect_success 'a missing file: No such file or directory' '
	test_expect_code 1 flux module load ./nosuch.py 2>nosuch.err &&
	echo "flux-module: load ./nosuch.py: No such file or directory" \
		>nosuch.expected &&
	test_cmp nosuch.expected nosuch.err
'
test_expect_success 'a second load of a loaded name: File exists' '
	flux module load ./good.py &&
	expect_load_error "$(pwd)/good.py" \
		"module good is already loaded: File exists" &&
	test "$(load_error "$(pwd)/good.py")" = \
		"17: module good is already loaded: File exists"
'
test_expect_success 'another file under a loaded name: File exists' '
	test_expect_code 1 flux module load --name good ./valerr.py \
		2>name.err &&
	echo "flux-module: load ./valerr.py: module good is already loaded: File exists" \
		>name.expected &&
	test_cmp name.expected name.err
'
test_expect_success 'self.log(level, text) logs; level_name names the threshold' '
	flux dmesg -C &&
	rpc good.log "{\"level\": \"info\"}" >info.out &&
	echo "{\"level_name\": \"info\"}" >info.expected &&
	test_cmp info.expected info.out &&
	rpc good.log "{\"level\": 2}" | jq -e ".level_name == \"crit\"" &&
	rpc good.log "{\"level\": 42}" | jq -e ".level_name == \"42\"" &&
	flux dmesg >call.dmesg &&
	test "$(grep -c "good.notice\[0\]: called as log(level, text)$" call.dmesg)" = 2 &&
	test "$(grep -c "good.debug\[0\]: debug through the call$" call.dmesg)" = 1
'
test_expect_success 'a runtime failure is logged with the errno text' '
	flux setattr broker.module-nopanic 1 &&
	flux dmesg -C &&
	test_must_fail rpc good.fail 2>fail.err &&
	grep "^1: refused at run time$" fail.err &&
	test_retry 100 eval "! module_is_loaded good" &&
	flux dmesg >fail.dmesg &&
	grep "broker.err\[0\]: good: PermissionError: \[Errno 1\] refused at run time (good.py, line 12): Operation not permitted$" \
		fail.dmesg &&
	grep "good module runtime failure" fail.dmesg
'
test_expect_success 'a file that only imports its BrokerModule class loads it' '
	flux module load ./shim.py &&
	rpc shim.info >shim.out &&
	echo "{\"class\": \"RealMod\", \"name\": \"shim\"}" >shim.expected &&
	test_cmp shim.expected shim.out &&
	flux module remove shim
'

test_done
