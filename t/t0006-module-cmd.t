#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux module: load, remove, reload, list, stats, debug

Uses a Python module written by the test and the C test module
t/module/testmod.so.'

. /usr/share/sharness/sharness.sh

test_require_vectors module-list.output.txt

test_under_flux 1 minimal

testmod_so=$FLUX_BUILD_DIR/t/module/testmod.so
nomain=$FLUX_BUILD_DIR/t/module/nomain.so

# A module that answers NAME.info with its name and arguments.
cat >echomod.py <<'PYEOF'
from flux.brokermod import BrokerModule, request_handler


class Echo(BrokerModule):
    @request_handler("info")
    def info(self, msg):
        self.handle.respond(msg, {"name": self.name, "args": list(self.args)})
PYEOF

# Print the JSON list of arguments module NAME was loaded with.
module_args() {
	flux python -c "
import flux, json, sys
print(json.dumps(flux.Flux().rpc(sys.argv[1] + '.info').get()['args']))
" "$1"
}

header='Module                    Idle  S Sendq Recvq Service'

test_expect_success 'module list prints the flux-core header' '
	flux module list >list0.out &&
	head -n 1 list0.out >header.out &&
	echo "$header" >header.expected &&
	test_cmp header.expected header.out
'
test_expect_success 'load a Python module by path' '
	flux module load ./echomod.py &&
	module_is_loaded echomod
'
test_expect_success 'module list shows it running, in the flux-core format' '
	flux module list >list1.out &&
	grep "^echomod  *[0-9]*  R     0     0 $" list1.out
'
test_expect_success 'module list -l adds the absolute path' '
	flux module list -l >listl.out &&
	head -n 1 listl.out | grep "^Module  *Idle  S Sendq Recvq Service  Path$" &&
	grep "^echomod  .*  R .* $(pwd)/echomod.py$" listl.out
'
test_expect_success 'the module answers ping and its own methods' '
	flux ping -c 1 echomod >ping.out &&
	grep "^0!echomod.ping pad=0 seq=0 " ping.out &&
	echo "[]" >noargs.expected &&
	module_args echomod >noargs.out &&
	test_cmp noargs.expected noargs.out
'
test_expect_success 'module stats prints its message counters as JSON' '
	flux module stats echomod >stats.out &&
	flux python -c "import json,sys; d=json.load(sys.stdin); \
		assert d[\"rx\"][\"request\"] >= 1, d" <stats.out &&
	grep "^ \"tx\": {$" stats.out
'
test_expect_success 'module stats -p picks a value, -s scales, -t converts' '
	flux module stats -p tx.request echomod >txreq.out &&
	grep "^[0-9][0-9]*$" txreq.out &&
	n=$(flux module stats -p rx.event echomod) &&
	test "$n" -ge 0 &&
	flux module stats -p rx.request -t double echomod >double.out &&
	grep "^[0-9]*\.[0-9]\{6\}$" double.out &&
	flux module stats -p tx -s 2 echomod >obj.out &&
	grep "\"request\":" obj.out
'
test_expect_success 'module stats -s multiplies the value' '
	a=$(flux module stats -p rx.request echomod) &&
	b=$(flux module stats -s 10 -p rx.request echomod) &&
	test "$b" -ge $(((a + 1) * 10)) &&
	test $((b % 10)) -eq 0 &&
	flux module stats -s 0.5 -t double -p rx.request echomod >half.out &&
	grep "^[0-9]*\.[05]00000$" half.out
'
test_expect_success 'module stats -p of a missing object fails' '
	test_expect_code 1 flux module stats -p nosuch.key echomod 2>p.err &&
	grep "^flux-module: .nosuch.key. not found in response" p.err
'
test_expect_success 'module stats -c clears the counters' '
	flux ping -c 3 -i 0 echomod &&
	flux module stats -c echomod &&
	test $(flux module stats -p rx.request echomod) -le 2
'
test_expect_success 'module stats -C clears the counters with an event' '
	flux ping -c 3 -i 0 echomod &&
	flux module stats -C echomod &&
	test_retry 50 sh -c \
		"test \$(flux module stats -p tx.response echomod) -le 2"
'
test_expect_success 'module stats -R prints resource usage' '
	flux module stats -R echomod >rusage.out &&
	grep "\"utime\":" rusage.out &&
	grep "\"maxrss\":" rusage.out &&
	flux module stats --rusage=thread echomod >rusage-thread.out &&
	grep "\"stime\":" rusage-thread.out
'
test_expect_success 'module debug reads, sets and clears debug flags' '
	flux module debug echomod >d0.out &&
	flux module debug --setbit 0x4 echomod >d1.out &&
	flux module debug -s 1 echomod >d2.out &&
	flux module debug --clearbit 4 echomod >d3.out &&
	flux module debug -S 0x30 echomod >d4.out &&
	flux module debug -C echomod >d5.out &&
	printf "0x0\n0x4\n0x5\n0x1\n0x30\n0x0\n" >debug.expected &&
	cat d0.out d1.out d2.out d3.out d4.out d5.out >debug.out &&
	test_cmp debug.expected debug.out
'
test_expect_success 'module debug of an invalid mask is a usage error' '
	test_expect_code 2 flux module debug -S notanumber echomod 2>mask.err &&
	grep "^flux-module: invalid flags .notanumber." mask.err
'
test_expect_success 'module stats and debug of an unknown module fail' '
	test_expect_code 1 flux module stats nosuch 2>stats-nosuch.err &&
	grep "^flux-module: nosuch.stats-get: " stats-nosuch.err &&
	test_expect_code 1 flux module debug nosuch 2>debug-nosuch.err &&
	grep "^flux-module: nosuch.debug: " debug-nosuch.err
'
test_expect_success 'loading a module that is loaded fails' '
	test_expect_code 1 flux module load ./echomod.py 2>dup.err &&
	grep "^flux-module: load ./echomod.py: " dup.err
'
test_expect_success 'module remove unloads it' '
	flux module remove echomod &&
	test_must_fail module_is_loaded echomod
'
test_expect_success 'arguments after the module path go to the module' '
	flux module load ./echomod.py --verbose --count=4 -x &&
	test_when_finished "flux module remove echomod" &&
	module_args echomod >args.out &&
	echo "[\"--verbose\", \"--count=4\", \"-x\"]" >args.expected &&
	test_cmp args.expected args.out
'
test_expect_success '--name loads the same file a second time' '
	flux module load ./echomod.py &&
	flux module load --name=echo2 ./echomod.py one &&
	test_when_finished "flux module remove echomod" &&
	test_when_finished "flux module remove echo2" &&
	module_is_loaded echo2 &&
	flux ping -c 1 echo2 &&
	module_args echo2 >echo2.out &&
	echo "[\"one\"]" >echo2.expected &&
	test_cmp echo2.expected echo2.out
'
test_expect_success 'module reload loads it again with new arguments' '
	flux module load ./echomod.py old &&
	flux module reload ./echomod.py new &&
	test_when_finished "flux module remove echomod" &&
	module_args echomod >reload.out &&
	echo "[\"new\"]" >reload.expected &&
	test_cmp reload.expected reload.out
'
test_expect_success 'module reload --name reloads that instance' '
	flux module load --name=echo3 ./echomod.py a &&
	flux module reload --name=echo3 ./echomod.py b &&
	test_when_finished "flux module remove echo3" &&
	module_args echo3 >reload3.out &&
	echo "[\"b\"]" >reload3.expected &&
	test_cmp reload3.expected reload3.out
'
test_expect_success 'module reload -f of a module not loaded just loads it' '
	flux module reload -f ./echomod.py &&
	flux module unload echomod &&
	test_must_fail module_is_loaded echomod
'
test_expect_success 'module remove by path removes the module of that name' '
	flux module load ./echomod.py &&
	flux module remove ./echomod.py &&
	test_must_fail module_is_loaded echomod
'
test_expect_success 'a bare NAME is found in FLUX_MODULE_PATH (.py)' '
	mkdir -p moddir &&
	cp echomod.py moddir/pathmod.py &&
	FLUX_MODULE_PATH=/nonexistent:$(pwd)/moddir \
		flux module load pathmod &&
	flux module list -l | grep "^pathmod .* $(pwd)/moddir/pathmod.py$" &&
	flux module remove pathmod
'
test_expect_success 'a bare NAME not in FLUX_MODULE_PATH fails' '
	test_expect_code 1 env "FLUX_MODULE_PATH=$(pwd)/moddir" \
		flux module load nosuchmod 2>notfound.err &&
	grep "^flux-module: load nosuchmod: module not found in module path" \
		notfound.err
'
test_expect_success 'load of a path that does not exist fails' '
	test_expect_code 1 flux module load ./nosuch.py 2>noent.err &&
	echo "flux-module: load ./nosuch.py: No such file or directory" \
		>noent.expected &&
	test_cmp noent.expected noent.err &&
	test_expect_code 1 flux module load /nonexistent/mod.so 2>noent2.err &&
	grep "^flux-module: load /nonexistent/mod.so: No such file" noent2.err
'
test_expect_success 'a module that fails to start reports the error text' '
	cat >failmod.py <<-PYEOF &&
	import errno

	def mod_main(h, *args):
	    raise OSError(errno.EEXIST, "failmod refuses to start")
	PYEOF
	test_expect_code 1 flux module load ./failmod.py 2>fail.err &&
	grep "^flux-module: load ./failmod.py: " fail.err &&
	test_must_fail module_is_loaded failmod
'
test_expect_success 'load a C module by path; ping, stats and remove it' '
	flux module load $testmod_so &&
	flux module list -l | grep "^testmod .* R .* $testmod_so$" &&
	flux ping -c 1 testmod | grep "^0!testmod.ping " &&
	flux module stats -p rx.request testmod &&
	flux module remove testmod &&
	test_must_fail module_is_loaded testmod
'
test_expect_success 'a bare NAME is found in FLUX_MODULE_PATH (.so)' '
	FLUX_MODULE_PATH=$(dirname $testmod_so) flux module load testmod &&
	module_is_loaded testmod &&
	flux module remove testmod
'
test_expect_success 'module list shows the other services of a module' '
	cat >svcmod.py <<-PYEOF &&
	from flux.brokermod import BrokerModule


	class Svc(BrokerModule):
	    def __init__(self, h, *args):
	        super().__init__(h, *args)
	        for name in args:
	            self.handle.service_register(name).get()
	PYEOF
	flux module load ./svcmod.py extra1 extra2 &&
	test_when_finished "flux module remove svcmod" &&
	flux module list >svc.out &&
	grep "^svcmod  *[0-9]*  R     0     0 extra1,extra2$" svc.out &&
	flux module list -l >svcl.out &&
	grep "^svcmod  .*  R     0     0 extra1,+ $(pwd)/svcmod.py$" svcl.out
'
test_expect_success 'remove of an unknown module fails; -f ignores it' '
	test_expect_code 1 flux module remove nosuch 2>rm.err &&
	grep "^flux-module: remove nosuch: " rm.err &&
	flux module remove -f nosuch
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 flux module 2>nocmd.err &&
	grep "^flux-module: missing COMMAND" nocmd.err &&
	test_expect_code 2 flux module frob 2>frob.err &&
	grep "^flux-module: unknown command .frob." frob.err &&
	test_expect_code 2 flux module load 2>load.err &&
	grep "^flux-module: load: missing module PATH or NAME" load.err &&
	test_expect_code 2 flux module remove &&
	test_expect_code 2 flux module remove a b &&
	test_expect_code 2 flux module list extra &&
	test_expect_code 2 flux module stats &&
	test_expect_code 2 flux module stats -t string echomod &&
	test_expect_code 2 flux module debug &&
	test_expect_code 2 flux module load --bogus x.py
'

#
# flux module load of a C module: every failure, one line, exit 1
#
test_expect_success 'load of a missing .so: ENOENT text, exit 1' '
	expect_error 1 \
		"flux-module: load /nonexistent/x.so: No such file or directory" \
		flux module load /nonexistent/x.so
'
test_expect_success 'load of a .so without mod_main: the reason, exit 1' '
	expect_error 1 \
		"flux-module: load $nomain: module does not define mod_main()" \
		flux module load "$nomain" &&
	test_must_fail module_is_loaded nomain
'
test_expect_success 'load of a file dlopen refuses: the dlerror text, exit 1' '
	echo "not an ELF file" >bad.so &&
	expect_error 1 \
		"flux-module: load ./bad.so: $(pwd)/bad.so: file too short" \
		flux module load ./bad.so
'
test_expect_success 'mod_main returning -1 with errno: strerror, exit 1' '
	expect_error 1 \
		"flux-module: load $testmod_so: Input/output error" \
		flux module load "$testmod_so" --init-failure &&
	test_must_fail module_is_loaded testmod
'
test_expect_success 'mod_main returning -1 with an error text: that text' '
	expect_error 1 \
		"flux-module: load $testmod_so: init-said-no: Invalid argument" \
		flux module load "$testmod_so" --init-error=init-said-no &&
	test_must_fail module_is_loaded testmod
'
test_expect_success 'a second load of the same name: EEXIST, exit 1' '
	flux module load "$testmod_so" &&
	test_when_finished "flux module remove testmod" &&
	expect_error 1 \
		"flux-module: load $testmod_so: module testmod is already loaded: File exists" \
		flux module load "$testmod_so" &&
	flux python -c "
import errno, flux
try:
    flux.Flux().rpc(\"module.load\", {\"path\": \"$testmod_so\", \"args\": []}).get()
except OSError as e:
    print(errno.errorcode[e.errno])
" >dup.out &&
	echo EEXIST >dup.expected &&
	test_cmp dup.expected dup.out &&
	module_is_loaded testmod
'
test_expect_success 'a bad --name: the reason, exit 1' '
	expect_error 1 \
		"flux-module: load $testmod_so: module name ${SQ}a.b${SQ} may not be empty or contain ${SQ}.${SQ}" \
		flux module load --name=a.b "$testmod_so"
'

#
# flux module list: flux-core's printf format
#
#
# flux module list: flux-core's printf format
#
# Re-print a module list table with flux-core's format; the header
# passes through.  A row whose fields do not fit the format (wrong
# widths, a field missing) comes out different from the input.
reformat() {
	flux python -c "
import sys
for line in sys.stdin.read().splitlines():
    if line.startswith(\"Module \"):
        print(line)
        continue
    name, rest = line[:25].rstrip(), line[25:]
    idle, state, sendq, recvq = rest.split()[:4]
    service = rest.split(None, 4)[4] if len(rest.split()) > 4 else \"\"
    print(\"%-25.25s %4s  %c %5d %5d %s\" % (name, idle, state,
          int(sendq), int(recvq), service))
"
}
test_expect_success 'the format reproduces flux-core'"'"'s captured table' '
	reformat <"$FLUX_VECTORS_DIR/module-list.output.txt" >vector.out &&
	test_cmp "$FLUX_VECTORS_DIR/module-list.output.txt" vector.out
'
test_expect_success 'module list prints its rows in that format' '
	flux module load "$testmod_so" &&
	flux module load --name=abcdefghijklmnopqrstuvwxyz0123 "$testmod_so" &&
	test_when_finished "flux module remove testmod" &&
	test_when_finished \
		"flux module remove abcdefghijklmnopqrstuvwxyz0123" &&
	flux module list >list.out &&
	reformat <list.out >list.reformatted &&
	test_cmp list.out list.reformatted &&
	head -n 1 "$FLUX_VECTORS_DIR/module-list.output.txt" >header.expected &&
	head -n 1 list.out >header.out &&
	test_cmp header.expected header.out &&
	grep "^testmod                      0  R     0     0 $" list.out
'
test_expect_success 'a name longer than 25 characters is cut to 25' '
	grep "^abcdefghijklmnopqrstuvwxy    0  R " list.out
'
test_done
