#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the C API a module uses, as flux-core has it

fcmod.so is written as a flux-core module author writes one (flux/core.h
alone brings the standard headers; MOD_NAME; a handler table registered
with flux_msg_handler_addvec_ex under the module name; the attribute
cache; flux_get_conf and flux_conf_unpack).  Load it and check what it
found, through its RPCs.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

fcmod="$FLUX_BUILD_DIR/t/module/fcmod.so"

# rpc TOPIC [JSON] (t/lib/rpc.py): the JSON result, or "ERRNO TEXT" on
# stdout; without JSON the payload is {}.
rpc() {
	command rpc --errors-on-stdout "$1" "${2:-{\}}"
}

test_expect_success 'fcmod keeps the MOD_NAME symbol flux-core modules have' '
	nm -D "$fcmod" >syms.out &&
	grep " D mod_name$" syms.out &&
	grep " T mod_main$" syms.out
'
test_expect_success 'load fcmod with arguments' '
	flux module load "$fcmod" one "two  three" &&
	flux module list >list.out &&
	grep "^fcmod  *[0-9]*  R " list.out
'
test_expect_success 'mod_main got its arguments split on whitespace' '
	rpc fcmod.args >args.out &&
	echo "{\"argc\": 3, \"argv\": [\"one\", \"two\", \"three\"]}" \
		>args.expected &&
	test_cmp args.expected args.out
'
test_expect_success 'addvec_ex registered the table under the module name' '
	rpc fcmod.name >name.out &&
	echo "{\"default\": true, \"name\": \"fcmod\"}" >name.expected &&
	test_cmp name.expected name.out
'
test_expect_success 'the attribute cache iterates the broker immutables' '
	flux python -c "
import flux
h = flux.Flux()
r = h.rpc(\"fcmod.attrs\").get()
names = r[\"names\"]
assert len(names) == len(set(names)), names
for name in (\"rank\", \"size\", \"broker.pid\", \"rundir\", \"local-uri\"):
    assert name in names, (name, names)
    assert r[\"values\"][name] == h.attr_get(name), name
# a runtime attribute is not cached
assert \"broker.module-nopanic\" not in names, names
print(r[\"rank\"], r[\"size\"])
" >attrs.out &&
	echo "0 1" >attrs.expected &&
	test_cmp attrs.expected attrs.out
'
test_expect_success 'rank 0 is on this host, from the hostlist attribute' '
	rpc fcmod.host >host.out &&
	echo "{\"host\": \"$(flux getattr hostname)\", \"rank\": 0}" \
		>host.expected &&
	test_cmp host.expected host.out
'
test_expect_success 'flux_get_conf gives the config of the welcome (empty)' '
	rpc fcmod.conf >conf.out &&
	echo "{}" >conf.expected &&
	test_cmp conf.expected conf.out
'
test_expect_success 'flux_conf_unpack of a missing key reports jansson text' '
	rpc fcmod.fanout >fanout.out &&
	echo "22 Object item not found: tbon" >fanout.expected &&
	test_cmp fanout.expected fanout.out
'
test_expect_success 'config-reload replaces the module config' '
	rpc fcmod.config-reload "{\"tbon\":{\"fanout\":8}}" >reload.out &&
	echo "null" >reload.expected &&
	test_cmp reload.expected reload.out &&
	rpc fcmod.fanout >fanout2.out &&
	echo "{\"fanout\": 8}" >fanout2.expected &&
	test_cmp fanout2.expected fanout2.out &&
	rpc fcmod.conf >conf2.out &&
	echo "{\"tbon\": {\"fanout\": 8}}" >conf2.expected &&
	test_cmp conf2.expected conf2.out
'
test_expect_success 'a config that is not an object is refused' '
	flux python -c "
import flux
try:
    flux.Flux().rpc(\"fcmod.config-update\", \"[1]\").get()
except OSError as e:
    print(e.errno, e.strerror)
" >badconf.out &&
	echo "71 Failed to parse fcmod.config-update request" >badconf.expected &&
	test_cmp badconf.expected badconf.out &&
	rpc fcmod.fanout >fanout3.out &&
	test_cmp fanout2.expected fanout3.out
'
test_expect_success 'under another name, the table follows the name' '
	flux module load --name=fcother "$fcmod" &&
	rpc fcother.name >other.out &&
	echo "{\"default\": false, \"name\": \"fcother\"}" >other.expected &&
	test_cmp other.expected other.out &&
	rpc fcother.args >otherargs.out &&
	echo "{\"argc\": 0, \"argv\": []}" >otherargs.expected &&
	test_cmp otherargs.expected otherargs.out &&
	flux module remove fcother
'
# The headers meson installs (from its install plan, so no install is
# needed), alone on the include path: a module builds against them.
test_expect_success 'fcmod.c builds against the installed headers alone' '
	$PYTHON -c "
import json, os, shutil, sys
plan = json.load(open(os.path.join(sys.argv[1], \"meson-info\",
                                   \"intro-installed.json\")))
os.makedirs(\"inc/flux\")
for src, dst in plan.items():
    if \"/include/flux/\" in dst:
        shutil.copy(src, os.path.join(\"inc/flux\", os.path.basename(dst)))
" "$FLUX_BUILD_DIR" &&
	test -f inc/flux/core.h &&
	cc -std=gnu11 -Wall -Wextra -Werror -fPIC -shared -Iinc \
		-o fcinst.so "$SHARNESS_TEST_SRCDIR/module/fcmod.c" \
		-L"$FLUX_BUILD_DIR/libflux" -lflux-core -ljansson &&
	flux module load ./fcinst.so x &&
	rpc fcinst.args >inst.out &&
	echo "{\"argc\": 1, \"argv\": [\"x\"]}" >inst.expected &&
	test_cmp inst.expected inst.out &&
	flux module remove fcinst
'
test_expect_success 'remove fcmod' '
	flux module remove fcmod &&
	flux module list >list2.out &&
	test_must_fail grep "^fcmod " list2.out
'

test_done
