#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux overlay: the health of the tree of brokers

flux overlay status walks the tree with overlay.health and prints it as
flux-core v0.88 does (where flux-core is installed, its command and ours
print the same lines for the same instance); parentof, gethostbyrank and
disconnect are flux-core'"'"'s too.  A broker cut off from its parent
takes its subtree down with it.'

. /usr/share/sharness/sharness.sh

find_flux_core

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="

test_expect_success 'a whole tree: every broker, with connectors' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:2 -Shostname=node \
		sh -c "
		flux overlay status
		flux overlay status --summary
		flux overlay status --no-pretty
		flux overlay status --rank=1
		flux overlay status --down" >full.out &&
	cat >full.expected <<-EOF &&
	0 node: full
	├─ 1 node: full
	│  └─ 3 node: full
	└─ 2 node: full
	full
	0 node: full
	1 node: full
	3 node: full
	2 node: full
	1 node: full
	└─ 3 node: full
	EOF
	test_cmp full.expected full.out
'
test_expect_success '-v adds the time in each state, -vv the round trips' '
	flux start $NORC --test-size=2 sh -c "
		flux overlay status -v
		flux overlay status -vv" >verbose.out &&
	sed -n 1p verbose.out | grep -E "^0 [^:]*: full for [0-9.]+m?s$" &&
	sed -n 2p verbose.out | grep -E "^└─ 1 [^:]*: full for [0-9.]+m?s$" &&
	sed -n 3p verbose.out |
		grep -E "^0 [^:]*: full for [0-9.]+m?s \([0-9.]+ ms\)$" &&
	sed -n 4p verbose.out |
		grep -E "^└─ 1 [^:]*: full for [0-9.]+m?s \([0-9.]+ ms\)$"
'
test_expect_success 'a killed broker: lost, its ancestors degraded, --down' '
	test_expect_code 137 flux start $NORC --test-size=4 -Stbon.topo=kary:1 \
		-Shostname=n sh -c "
		kill -9 \$(on-rank 3 flux getattr broker.pid) &&
		flux overlay status --wait=degraded --timeout=10s --summary &&
		flux overlay status &&
		flux overlay status --down --no-pretty
		" >lost.out 2>lost.err &&
	cat >lost.expected <<-EOF &&
	degraded
	0 n: degraded
	└─ 1 n: degraded
	   └─ 2 n: degraded
	      └─ 3 n: lost is unreachable
	0 n: degraded
	1 n: degraded
	2 n: degraded
	3 n: lost is unreachable
	EOF
	test_cmp lost.expected lost.out
'
test_expect_success 'the brokers behind a lost one are filled in, but not with --no-ghost' '
	test_expect_code 137 flux start $NORC --test-size=8 -Stbon.topo=kary:2 \
		-Shostname=n sh -c "
		kill -9 \$(on-rank 1 flux getattr broker.pid) &&
		flux overlay status --wait=degraded --timeout=10s >/dev/null &&
		flux overlay status &&
		flux overlay status --no-ghost" >ghost.out 2>ghost.err &&
	cat >ghost.expected <<-EOF &&
	0 n: degraded
	├─ 1 n: lost is unreachable
	│  ├─ 3 n: lost
	│  │  └─ 7 n: lost
	│  └─ 4 n: lost
	└─ 2 n: full
	   ├─ 5 n: full
	   └─ 6 n: full
	0 n: degraded
	├─ 1 n: lost is unreachable
	└─ 2 n: full
	   ├─ 5 n: full
	   └─ 6 n: full
	EOF
	test_cmp ghost.expected ghost.out &&
	grep "broker.crit\[3\]: lost connection to the parent" ghost.err &&
	grep -E "broker.crit\[7\]: (.* \(rank 3\) sent disconnect control message|lost connection to the parent)" \
		ghost.err &&
	! grep "Exit timeout" ghost.err
'
test_expect_success FLUX_CORE 'flux-core'"'"'s flux overlay status prints the same lines' '
	test_expect_code 137 flux start $NORC --test-size=8 -Stbon.topo=kary:2 \
		-Shostname=n sh -c "
		for args in \"\" --summary --no-pretty --down; do
			flux overlay status \$args >ours.\$\$ &&
			$FC overlay status \$args >fc.\$\$ &&
			test_cmp=\$(cmp ours.\$\$ fc.\$\$ && echo same) &&
			echo \"\$args: \$test_cmp\" || echo \"\$args: differ\"
		done
		kill -9 \$(on-rank 1 flux getattr broker.pid)
		flux overlay status --wait=degraded --timeout=10s >/dev/null
		for args in \"\" --down --no-ghost; do
			flux overlay status \$args >ours.\$\$ &&
			$FC overlay status \$args >fc.\$\$ &&
			test_cmp=\$(cmp ours.\$\$ fc.\$\$ && echo same) &&
			echo \"lost \$args: \$test_cmp\" || echo \"lost \$args: differ\"
		done" >fc.out 2>fc.err &&
	cat >fc.expected <<-EOF &&
	: same
	--summary: same
	--no-pretty: same
	--down: same
	lost : same
	lost --down: same
	lost --no-ghost: same
	EOF
	test_cmp fc.expected fc.out
'
test_expect_success 'parentof and gethostbyrank' '
	flux start $NORC --test-size=8 -Stbon.topo=kary:2 -Shostname=node \
		sh -c "
		flux overlay parentof 7 &&
		flux overlay parentof 2 &&
		flux overlay gethostbyrank 0-2,5" >pof.out &&
	printf "3\n0\nnode,node,node,node\n" >pof.expected &&
	test_cmp pof.expected pof.out &&
	test_expect_code 1 flux start $NORC --test-size=2 \
		flux overlay parentof 0 2>pof0.err &&
	grep "^flux-overlay: 0 has no parent" pof0.err &&
	test_expect_code 1 flux start $NORC --test-size=2 \
		flux overlay parentof 2 2>pof2.err &&
	grep "^flux-overlay: 2 is not a valid rank in this instance" pof2.err
'
test_expect_success 'disconnect cuts a child off, which leaves' '
	test_expect_code 1 flux start $NORC --test-size=4 -Stbon.topo=kary:1 \
		-Shostname=n sh -c "
		flux overlay disconnect 2 &&
		flux overlay status --no-ghost &&
		flux overlay disconnect 2;
		echo rc=\$?" >disc.out 2>disc.err &&
	cat >disc.expected <<-EOF &&
	0 n: degraded
	└─ 1 n: degraded
	   └─ 2 n: lost administrative disconnect
	rc=1
	EOF
	test_cmp disc.expected disc.out &&
	grep "^flux-overlay: asking rank 1 to disconnect child rank 2" disc.err &&
	grep "overlay.disconnect-subtree: rank 2 is already lost" disc.err &&
	! grep "Exit timeout" disc.err
'
test_expect_success 'a bad --wait state, and a rank that is not there' '
	flux start $NORC --test-size=2 sh -c "
		flux overlay status --wait=bogus; echo rc=\$?
		flux overlay status --rank=5; echo rc=\$?" >bad.out 2>bad.err &&
	printf "rc=1\nrc=1\n" >bad.expected &&
	test_cmp bad.expected bad.out &&
	grep "^flux-overlay: invalid --wait state" bad.err &&
	grep "^flux-overlay: No route to host" bad.err
'
test_expect_success 'an instance of one is full, with no children' '
	flux start $NORC -Shostname=solo flux overlay status >one.out &&
	echo "0 solo: full" >one.expected &&
	test_cmp one.expected one.out
'

test_done
