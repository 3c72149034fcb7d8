#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The topology of the tree of brokers and its tbon.* attributes

The broker chooses its topology URI as flux-core'"'"'s does (kary:32 by
default, custom when the configuration has a [bootstrap] table, then
[tbon] topo, -S tbon.fanout=K, -S tbon.topo), validates it at start-up
and publishes tbon.topo, tbon.level, tbon.maxlevel and tbon.descendants.
Where flux-core is installed (FLUX_CORE_PREFIX), the same commands give
the same answers from both.'

. /usr/share/sharness/sharness.sh

find_flux_core

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="

# tbon_attrs FLUX ARGS...: the tree attributes of a one-broker instance
# started by FLUX with ARGS, one NAME=VALUE per line.
tbon_attrs() {
	_flux=$1 && shift &&
	"$_flux" start "$@" sh -c "for a in rank size tbon.topo tbon.level \
		tbon.maxlevel tbon.descendants; do \
		printf \"%s=%s\\n\" \$a \"\$(flux getattr \$a)\"; done"
}

test_expect_success 'a broker of one: kary:32 at level 0 of 0, no descendants' '
	tbon_attrs flux $NORC >default.out &&
	cat >default.expected <<-EOF &&
	rank=0
	size=1
	tbon.topo=kary:32
	tbon.level=0
	tbon.maxlevel=0
	tbon.descendants=0
	EOF
	test_cmp default.expected default.out
'
test_expect_success 'a broker of one has no tree endpoints' '
	flux start $NORC "flux getattr tbon.endpoint; echo rc=\$?; \
		flux getattr tbon.parent-endpoint; echo rc=\$?" \
		>endpoint.out 2>&1 &&
	grep "^flux-getattr: tbon.endpoint: No such file or directory" \
		endpoint.out &&
	grep "^flux-getattr: tbon.parent-endpoint: No such file or directory" \
		endpoint.out &&
	test $(grep -c "^rc=1" endpoint.out) = 2
'
test_expect_success 'tbon.topo is set on the command line, not at run time' '
	flux start $NORC -Stbon.topo=binomial \
		"flux getattr tbon.topo; flux setattr tbon.topo kary:2; \
		echo rc=\$?; flux getattr tbon.topo" >setattr.out 2>&1 &&
	cat >setattr.expected <<-EOF &&
	binomial
	flux-setattr: tbon.topo: attribute may not be updated
	rc=1
	binomial
	EOF
	test_cmp setattr.expected setattr.out
'
test_expect_success 'tbon.level, maxlevel and descendants are the broker'"'"'s alone' '
	for a in tbon.level tbon.maxlevel tbon.descendants; do
		test_expect_code 1 flux start $NORC -S$a=3 true \
			2>cmdline.err &&
		grep "^flux-broker: $a: attribute may not be set" cmdline.err &&
		flux start $NORC "flux setattr $a 3" 2>runtime.err;
		test $? = 1 &&
		grep "^flux-setattr: $a: attribute may not be updated" \
			runtime.err || return 1
	done
'
test_expect_success 'every scheme flux-core knows is accepted' '
	for uri in kary:0 kary:1 kary:2 kary:32 binomial mincrit mincrit:2 \
		custom; do
		flux start $NORC -Stbon.topo=$uri flux getattr tbon.topo \
			>uri.out &&
		echo $uri >uri.expected &&
		test_cmp uri.expected uri.out || return 1
	done
'
test_expect_success 'a topology that does not parse fails start-up saying why' '
	cat >bad.list <<-EOF &&
	bogus|unknown topology scheme ${SQ}bogus${SQ}
	kary|kary k value must be an integer >= 0
	kary:x|kary k value must be an integer >= 0
	kary:2x|kary k value must be an integer >= 0
	kary:-1|kary k value must be an integer >= 0
	binomial:x|unknown binomial topology directive: ${SQ}x${SQ}
	custom:x|unknown custom topology directive: ${SQ}x${SQ}
	EOF
	while IFS="|" read uri why; do
		test_expect_code 1 flux start $NORC -Stbon.topo=$uri \
			"echo initial program ran" >bad.out 2>bad.err &&
		test_must_be_empty bad.out &&
		echo "flux-broker: error creating ${SQ}$uri${SQ} topology: $why" \
			>bad.expected &&
		test_cmp bad.expected bad.err || return 1
	done <bad.list
'
test_expect_success '[tbon] topo in a configuration file sets the topology' '
	mkdir -p conf.d &&
	printf "[tbon]\ntopo = \"kary:3\"\n" >conf.d/tbon.toml &&
	flux start $NORC -c conf.d flux getattr tbon.topo >conf.out &&
	echo kary:3 >conf.expected &&
	test_cmp conf.expected conf.out
'
test_expect_success '-S tbon.topo wins over [tbon] topo, as does tbon.fanout' '
	flux start $NORC -c conf.d -Stbon.topo=binomial \
		flux getattr tbon.topo >over.out &&
	flux start $NORC -c conf.d -Stbon.fanout=4 \
		flux getattr tbon.topo >>over.out &&
	flux start $NORC -c conf.d -Stbon.fanout=4 -Stbon.topo=mincrit \
		flux getattr tbon.topo >>over.out &&
	printf "binomial\nkary:4\nmincrit\n" >over.expected &&
	test_cmp over.expected over.out
'
test_expect_success 'a configuration with a [bootstrap] table defaults to custom' '
	mkdir -p boot.d &&
	printf "[bootstrap]\n" >boot.d/boot.toml &&
	flux start $NORC -c boot.d flux getattr tbon.topo >boot.out &&
	echo custom >boot.expected &&
	test_cmp boot.expected boot.out
'
test_expect_success '[tbon] topo that is not a string fails start-up' '
	mkdir -p badconf.d &&
	printf "[tbon]\ntopo = 3\n" >badconf.d/tbon.toml &&
	test_expect_code 1 flux start $NORC -c badconf.d true 2>badconf.err &&
	echo "flux-broker: Config file error [tbon]: Expected string, got integer" \
		>badconf.expected &&
	test_cmp badconf.expected badconf.err
'
test_expect_success 'a broker that fails on its topology leaves no rundir behind' '
	mkdir -p tmp.bad &&
	test_expect_code 1 env TMPDIR="$PWD/tmp.bad" flux start $NORC \
		-Stbon.topo=bogus true 2>/dev/null &&
	ls -A tmp.bad >tmp.left &&
	test_must_be_empty tmp.left
'

# The same questions asked of flux-core's broker.
test_expect_success FLUX_CORE 'flux-core gives the same tree attributes' '
	for args in "" "-Stbon.topo=binomial" "-Stbon.fanout=4" \
		"-c conf.d" "-c boot.d"; do
		tbon_attrs flux $NORC $args >ours.out &&
		tbon_attrs "$FC" $args >theirs.out &&
		test_cmp theirs.out ours.out || return 1
	done
'
test_expect_success FLUX_CORE 'flux-core refuses the same URIs for the same reasons' '
	grep -v "^kary:-1|" bad.list >fc.list &&
	while IFS="|" read uri why; do
		test_must_fail "$FC" start -Stbon.topo=$uri true 2>fc.err &&
		grep "error creating ${SQ}$uri${SQ} topology: $why" fc.err ||
		return 1
	done <fc.list
'
test_done
