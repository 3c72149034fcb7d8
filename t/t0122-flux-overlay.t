#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux overlay: the health of the tree of brokers

flux overlay status walks the tree with overlay.health and prints as
much as -v asks; parentof, gethostbyrank and disconnect are flux-core'"'"'s
too.  A broker cut off from its parent takes its subtree down with it.'

. /usr/share/sharness/sharness.sh

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="

test_expect_success 'a whole tree: full, at every verbosity' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:2 sh -c "
		flux overlay status
		flux overlay status -v
		flux overlay status -vvv
		flux overlay status -vvv --pretty -r 1" >full.out &&
	cat >full.expected <<-EOF &&
	full
	full
	0: full
	1: full
	3: full
	2: full
	1: full
	$(printf "\033(0m\033(B3: full")
	EOF
	test_cmp full.expected full.out
'
test_expect_success 'a killed broker: lost, its ancestors degraded' '
	test_expect_code 137 flux start $NORC --test-size=4 -Stbon.topo=kary:1 \
		sh -c "
		kill -9 \$(on-rank 3 flux getattr broker.pid) &&
		flux overlay status --wait=degraded --timeout=10s &&
		flux overlay status -v &&
		flux overlay status -vv &&
		flux overlay status -vvv --since | sed \"s/ for [0-9.]*s\$/ for T/\"
		" >lost.out 2>lost.err &&
	cat >lost.expected <<-EOF &&
	degraded
	3: lost
	0: degraded
	1: degraded
	2: degraded
	3: lost
	0: degraded for T
	1: degraded for T
	2: degraded for T
	3: lost for T
	EOF
	test_cmp lost.expected lost.out
'
test_expect_success '--ghost fills in the brokers behind a lost one' '
	test_expect_code 137 flux start $NORC --test-size=8 -Stbon.topo=kary:2 \
		sh -c "
		kill -9 \$(on-rank 1 flux getattr broker.pid) &&
		flux overlay status --wait=degraded --timeout=10s >/dev/null &&
		flux overlay status -vvv --ghost" >ghost.out 2>ghost.err &&
	cat >ghost.expected <<-EOF &&
	0: degraded
	1: lost
	3: lost
	7: lost
	4: lost
	2: full
	5: full
	6: full
	EOF
	test_cmp ghost.expected ghost.out &&
	grep "broker.crit\[3\]: lost connection to the parent" ghost.err &&
	grep -E "broker.crit\[7\]: (.* \(rank 3\) sent disconnect control message|lost connection to the parent)" \
		ghost.err &&
	! grep "Exit timeout" ghost.err
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
		sh -c "
		flux overlay disconnect 2 &&
		flux overlay status -vvv &&
		flux overlay disconnect 2;
		echo rc=\$?" >disc.out 2>disc.err &&
	cat >disc.expected <<-EOF &&
	0: degraded
	1: degraded
	2: lost
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
	flux start $NORC flux overlay status -vvv >one.out &&
	echo "0: full" >one.expected &&
	test_cmp one.expected one.out
'

test_done
