#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: load, ping, list, remove, names, args

The "Loading a Python module", "The mod_main entry point", "Using
BrokerModule" and "Module arguments" sections of the Python broker module
guide, and the scenarios of flux-core t0028 that a user can see.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module
testmod=$M/testmod.py

# check_hello NAME: NAME.hello answers {name: NAME} (flux-core t0028).
check_hello() {
	rpc $1.hello >hello.$1.out &&
	echo "{\"name\": \"$1\"}" >hello.$1.expected &&
	test_cmp hello.$1.expected hello.$1.out
}

# check_debug NAME FLAG [clear]: print whether FLAG is set in NAME's
# debug flags (flux-core t0028).
check_debug() {
	rpc $1.debug_check "{\"flag\": $2, \"clear\": ${3:-false}}" |
		jq -r .set
}

test_expect_success 'load testmod.py by path' '
	flux module load $testmod
'
test_expect_success 'flux module list shows it running, named after the file' '
	flux module list >list.out &&
	grep "^testmod  *[0-9a-z]*  R " list.out
'
test_expect_success 'flux ping testmod answers' '
	flux ping -c 1 testmod >ping.out &&
	grep "^0!testmod.ping pad=0 seq=0 " ping.out
'
test_expect_success 'testmod.hello answers with the module name' '
	check_hello testmod
'
test_expect_success 'flux module stats testmod counts messages' '
	flux module stats testmod >stats.out &&
	jq -e ".rx.request >= 1 and .tx.response >= 1" stats.out
'
test_expect_success 'debug bits round-trip through flux module debug' '
	test "$(check_debug testmod 1)" = false &&
	flux module debug --setbit 1 testmod &&
	test "$(check_debug testmod 1)" = true &&
	test "$(check_debug testmod 1 true)" = true &&
	test "$(check_debug testmod 1)" = false
'
test_expect_success 'an unknown method gets ENOSYS' '
	test_must_fail rpc testmod.nosuch 2>nosuch.err &&
	grep "^38: " nosuch.err
'
test_expect_success 'the same file loads a second time with --name' '
	flux module load --name altmod $testmod &&
	flux ping -c 1 altmod &&
	check_hello altmod &&
	check_hello testmod
'
test_expect_success 'loading under a name in use fails with EEXIST' '
	test_must_fail flux module load $testmod 2>exists.err &&
	grep "^flux-module: load .*testmod.py: module testmod is already loaded" \
		exists.err
'
test_expect_success 'flux module remove removes each one' '
	flux module remove altmod &&
	flux module remove testmod &&
	! module_is_loaded altmod &&
	! module_is_loaded testmod &&
	test_must_fail flux ping -c 1 testmod 2>ping-gone.err &&
	grep "No service matching testmod.ping is registered" ping-gone.err
'
test_expect_success 'remove of a module that is not loaded fails' '
	test_must_fail flux module remove testmod 2>rm.err &&
	grep "testmod" rm.err
'
test_expect_success 'testmod loads with arguments' '
	flux module load $testmod --foo bar &&
	check_hello testmod &&
	flux module remove testmod
'
test_expect_success 'one BrokerModule subclass and no mod_main: entry point synthesized' '
	flux module load $M/synth.py &&
	rpc synth.info >synth.out &&
	jq -e ".synthesized == true and .name == \"synth\" and .args == []" \
		synth.out &&
	flux module remove synth
'
test_expect_success 'each module file runs as a module object of its own' '
	flux module load $M/synth.py &&
	flux module load --name synth2 $M/synth.py &&
	rpc synth.info | jq -e ".module == \"flux_module_synth\"" &&
	rpc synth2.info | jq -e ".module == \"flux_module_synth2\"" &&
	flux module remove synth2 &&
	flux module remove synth
'
test_expect_success '--name overrides the name: services and handlers follow it' '
	flux module load --name myservice $M/synth.py &&
	module_is_loaded myservice &&
	! module_is_loaded synth &&
	flux ping -c 1 myservice &&
	rpc myservice.info | jq -e ".name == \"myservice\"" &&
	test_must_fail rpc synth.info &&
	flux module remove myservice
'
test_expect_success 'arguments after the path are BrokerModule.args' '
	flux module load $M/synth.py --verbose --count=4 &&
	rpc synth.info | jq -c .args >args.out &&
	echo "[\"--verbose\",\"--count=4\"]" >args.expected &&
	test_cmp args.expected args.out &&
	flux module remove synth
'
test_expect_success 'mod_main(h, *args) gets a tuple of str' '
	flux module load $M/rawmain.py --verbose --count=4 &&
	rpc rawmain.args >rawargs.out &&
	jq -e ".args == [\"--verbose\", \"--count=4\"]" rawargs.out &&
	jq -e ".types == [\"str\", \"str\"] and .tuple == true" rawargs.out &&
	flux module remove rawmain
'
test_expect_success 'with no arguments, args is an empty tuple' '
	flux module load $M/rawmain.py &&
	rpc rawmain.args | jq -e ".args == [] and .tuple == true" &&
	flux module remove rawmain
'
test_expect_success 'arguments split at white space, with no quoting' '
	flux module load $M/synth.py "a b" c &&
	rpc synth.info | jq -c .args >split.out &&
	echo "[\"a\",\"b\",\"c\"]" >split.expected &&
	test_cmp split.expected split.out &&
	flux module remove synth
'
test_expect_success 'a module whose mod_main returns exits cleanly' '
	flux module load $M/rawmain.py &&
	rpc rawmain.quit &&
	test_retry 50 eval "! module_is_loaded rawmain" &&
	flux dmesg >quit.dmesg &&
	grep "module rawmain exited" quit.dmesg &&
	! grep "rawmain: " quit.dmesg
'
test_expect_success 'several subclasses: an explicit mod_main chooses' '
	flux module load $M/twoclasses_main.py &&
	rpc twoclasses_main.which | jq -e ".class == \"Second\"" &&
	flux module remove twoclasses_main &&
	flux module load $M/twoclasses_main.py first &&
	rpc twoclasses_main.which | jq -e ".class == \"First\"" &&
	flux module remove twoclasses_main
'
test_expect_success 'load, remove, load again: the module starts fresh' '
	flux module load $M/events.py &&
	flux event pub events.ping-ev "{\"n\": 1}" &&
	test_retry 50 eval "rpc events.received | jq -e \".events | length == 1\"" &&
	flux module remove events &&
	flux module load $M/events.py &&
	rpc events.received | jq -e ".events == []" &&
	flux module remove events
'
test_expect_success 'flux module reload restarts a Python module' '
	flux module load $M/synth.py &&
	flux module reload $M/synth.py &&
	rpc synth.info | jq -e ".name == \"synth\"" &&
	flux module remove synth
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
# write_cache FILE CODE: write FILE's checked-hash bytecode cache, made
# from CODE (by default, from FILE itself) but carrying FILE's hash.
write_cache() {
	flux python -c "
import importlib.util, marshal, os, sys
path = os.path.abspath(sys.argv[1])
source = open(path, \"rb\").read()
code = compile(sys.argv[2] if len(sys.argv) > 2 else source, path, \"exec\")
cache = importlib.util.cache_from_source(path)
os.makedirs(os.path.dirname(cache), exist_ok=True)
with open(cache, \"wb\") as f:
    f.write(importlib.util.MAGIC_NUMBER + (3).to_bytes(4, \"little\")
            + importlib.util.source_hash(source) + marshal.dumps(code))
" "$@"
}
test_expect_success 'the bytecode cache beside a module file is run if made from its bytes' '
	mkdir cachedir &&
	echo "raise ValueError(\"from the source\")" >cachedir/cached.py &&
	write_cache cachedir/cached.py "raise ValueError(\"from the cache\")" &&
	test_must_fail flux module load "$PWD/cachedir/cached.py" 2>cached.err &&
	grep "ValueError: from the cache" cached.err
'
test_expect_success 'a cache made from other bytes is not: the source runs' '
	echo "# edited" >>cachedir/cached.py &&
	test_must_fail flux module load "$PWD/cachedir/cached.py" 2>stale.err &&
	grep "ValueError: from the source" stale.err
'
test_expect_success 'a traceback from cached code names the file as loaded' '
	mkdir realdir &&
	printf "def boom():\n    raise ValueError(\"boom\")\n\n\nboom()\n" \
		>realdir/tb.py &&
	ln -s realdir linkdir &&
	write_cache linkdir/tb.py &&
	test -n "$(ls realdir/__pycache__)" &&
	test_must_fail flux module load "$PWD/realdir/tb.py" 2>tb.err &&
	grep "ValueError: boom (tb.py, line 2)" tb.err &&
	flux dmesg | grep "File \"$PWD/realdir/tb.py\", line 2, in boom" &&
	! flux dmesg | grep "linkdir/tb.py"
'
test_done
