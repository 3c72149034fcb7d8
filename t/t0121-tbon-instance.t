#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='An instance of several brokers on one machine

flux start --test-size=N starts N brokers that find each other through
its simple PMI server and link into a tree over ZeroMQ (ipc://, CURVE).
Requests go by rank down and up the tree, ANY climbs to the first broker
with the service, UPSTREAM never comes back down, events published
anywhere are sequenced at rank 0 and reach every broker, a killed broker
is lost at once (EHOSTUNREACH, its requests failed), and the instance
shuts down from the leaves up.'

. /usr/share/sharness/sharness.sh

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="
TREEMOD=$SHARNESS_TEST_SRCDIR/module/treemod.py

# libzmq (and the fifteen libraries it brings) is opened by the first
# link of the tree: a broker alone never maps it, which saves a few
# milliseconds of every start.
test_expect_success 'a broker alone does not load libzmq, brokers of a tree do' '
	flux start $NORC sh -c "grep -c libzmq /proc/\$(flux getattr broker.pid)/maps; true" >alone.maps &&
	test "$(cat alone.maps)" = 0 &&
	flux start $NORC --test-size=2 sh -c "grep -c libzmq /proc/\$(flux getattr broker.pid)/maps; true" >tree.maps &&
	test "$(cat tree.maps)" -gt 0
'
test_expect_success 'each broker of 2, 4 and 8 knows its rank and the size' '
	for n in 2 4 8; do
		flux start $NORC --test-size=$n sh -c "
			last=\$((\$(flux getattr size) - 1))
			for r in \$(seq 0 \$last); do
				printf \"%s/%s\\n\" \
				    \$(on-rank \$r flux getattr rank) \
				    \$(on-rank \$r flux getattr size)
			done" >ranks.$n &&
		seq 0 $((n - 1)) | sed "s,\$,/$n," >ranks.$n.expected &&
		test_cmp ranks.$n.expected ranks.$n || return 1
	done
'
test_expect_success 'the tree attributes: endpoints, levels, descendants' '
	flux start $NORC --test-size=8 -Stbon.topo=kary:2 sh -c "
		for r in 0 1 3 7; do
			echo \$r \$(on-rank \$r sh -c \"flux getattr tbon.level;
			    flux getattr tbon.maxlevel;
			    flux getattr tbon.descendants\")
		done
		flux getattr tbon.endpoint
		on-rank 1 flux getattr tbon.parent-endpoint
		on-rank 1 flux getattr tbon.endpoint
		on-rank 3 flux getattr tbon.parent-endpoint
		on-rank 7 flux getattr tbon.endpoint || echo leaf has none
		flux getattr tbon.parent-endpoint || echo root has none
		flux getattr broker.boot-method
	" >attrs.out 2>attrs.err &&
	ep0=$(sed -n 5p attrs.out) &&
	ep1=$(sed -n 7p attrs.out) &&
	cat >attrs.expected <<-EOF &&
	0 0 3 7
	1 1 3 3
	3 2 3 1
	7 3 3 0
	$ep0
	$ep0
	$ep1
	$ep1
	leaf has none
	root has none
	simple
	EOF
	test_cmp attrs.expected attrs.out &&
	case $ep0 in ipc://*/tbon-0) ;; *) false ;; esac &&
	case $ep1 in ipc://*/tbon-1) ;; *) false ;; esac
'
test_expect_success 'the hostlist names each broker, -Shostname fakes it' '
	flux start $NORC --test-size=4 -Shostname=fake flux getattr hostlist \
		>hostlist.out &&
	echo fake,fake,fake,fake >hostlist.expected &&
	test_cmp hostlist.expected hostlist.out
'
test_expect_success 'flux ping reaches each rank, by --rank and by N!' '
	flux start $NORC --test-size=4 sh -c "
		flux ping -c 1 --rank 3 broker &&
		flux ping -c 1 2!broker &&
		on-rank 3 flux ping -c 1 1!broker &&
		on-rank 2 flux ping -c 1 --rank 0 broker" >ping.out &&
	grep "^3!broker.ping pad=0 seq=0" ping.out &&
	grep "^2!broker.ping pad=0 seq=0" ping.out &&
	grep "^1!broker.ping pad=0 seq=0" ping.out &&
	grep "^0!broker.ping pad=0 seq=0" ping.out
'
test_expect_success 'a chain of 4: requests cross three levels both ways' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 sh -c "
		rpc --rank 3 attr.get {\\\"name\\\":\\\"tbon.level\\\"} &&
		on-rank 3 rpc --rank 0 attr.get {\\\"name\\\":\\\"tbon.level\\\"}
	" | jq -r .value >chain.out &&
	printf "3\n0\n" >chain.expected &&
	test_cmp chain.expected chain.out
'
test_expect_success 'a rank past the size is unreachable (EHOSTUNREACH)' '
	flux start $NORC --test-size=2 sh -c "
		rpc --errors-on-stdout --rank 2 broker.ping;
		on-rank 1 rpc --errors-on-stdout --rank 5 broker.ping" \
		>unreach.out &&
	cat >unreach.expected <<-EOF &&
	113 No route to host
	113 No route to host
	EOF
	test_cmp unreach.expected unreach.out
'
test_expect_success 'ANY climbs to the service: the KVS of rank 0 from rank 3' '
	flux start --test-size=4 -Stbon.topo=kary:1 sh -c "
		flux kvs put tree.key=hello &&
		on-rank 3 flux kvs get tree.key &&
		on-rank 3 flux module list" >any.out &&
	head -1 any.out >any.first &&
	echo hello >any.expected &&
	test_cmp any.expected any.first &&
	! grep "^kvs " any.out
'
test_expect_success 'ANY that no broker serves ends at rank 0 with ENOSYS' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 \
		on-rank 3 rpc --errors-on-stdout nosuch.thing >enosys.out &&
	echo "38 No service matching nosuch.thing is registered" \
		>enosys.expected &&
	test_cmp enosys.expected enosys.out
'
test_expect_success 'UPSTREAM skips the sender, is served above, never loops' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 sh -c "
		on-rank 3 rpc --rank upstream attr.get {\\\"name\\\":\\\"rank\\\"}
		on-rank 3 timeout 10 rpc --errors-on-stdout --rank upstream \
			nosuch.thing
		echo rc=\$?
		rpc --errors-on-stdout --rank upstream attr.get" >up.out &&
	cat >up.expected <<-EOF &&
	{"flags": 1, "value": "2"}
	38 No service matching nosuch.thing is registered
	rc=0
	113 No route to host
	EOF
	test_cmp up.expected up.out
'
# A subscriber that says when its subscription is in place (the
# subscribe RPC answered by its broker), so the events are published
# after every subscription and not after a guess at how long they take
# (a second was not always enough on a loaded machine).
cat >sub.py <<'EOF'
import sys

import flux

h = flux.Flux()
h.event_subscribe("tree.")
open(sys.argv[1], "w").close()
for _ in range(2):
    print(h.event_recv().topic, flush=True)
EOF

test_expect_success 'events published on any rank reach every broker, in order' '
	rm -f ready.* &&
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 sh -c "
		on-rank 3 flux python sub.py ready.3 >sub3.out &
		on-rank 1 flux python sub.py ready.1 >sub1.out &
		flux python sub.py ready.0 >sub0.out &
		for i in \$(seq 600); do
			test -e ready.0 && test -e ready.1 && test -e ready.3 &&
			break
			sleep 0.1
		done
		on-rank 2 flux event pub tree.one &&
		flux event pub tree.two &&
		wait" &&
	printf "tree.one\ntree.two\n" >sub.expected &&
	for r in 0 1 3; do
		test_cmp sub.expected sub$r.out || return 1
	done
'
test_expect_success 'a Python module on rank 2 sees its rank, answers, asks' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 sh -c "
		on-rank 2 flux module load $TREEMOD &&
		rpc --rank 2 treemod.where &&
		on-rank 2 rpc treemod.ask \
		    {\\\"nodeid\\\":0,\\\"topic\\\":\\\"attr.get\\\",\\\"payload\\\":{\\\"name\\\":\\\"rank\\\"}} &&
		on-rank 2 rpc treemod.ask \
		    {\\\"nodeid\\\":\\\"upstream\\\",\\\"topic\\\":\\\"attr.get\\\",\\\"payload\\\":{\\\"name\\\":\\\"rank\\\"}} &&
		on-rank 2 rpc treemod.ask \
		    {\\\"nodeid\\\":3,\\\"topic\\\":\\\"attr.get\\\",\\\"payload\\\":{\\\"name\\\":\\\"rank\\\"}} &&
		on-rank 2 flux module remove treemod" >pymod.out &&
	cat >pymod.expected <<-EOF &&
	{"rank": 2, "size": 4}
	{"answer": {"flags": 1, "value": "0"}}
	{"answer": {"flags": 1, "value": "1"}}
	{"answer": {"flags": 1, "value": "3"}}
	EOF
	test_cmp pymod.expected pymod.out
'
test_expect_success 'the health of the tree: every child full' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 sh -c "
		rpc overlay.health | jq -c \"[.rank, .status,
		    [.children[] | [.rank, .status]]]\"
		on-rank 1 rpc overlay.health | jq -c \"[.rank, .status,
		    [.children[] | [.rank, .status]]]\"
		on-rank 3 rpc overlay.health | jq -c \"[.rank, .status,
		    [.children[] | [.rank, .status]]]\"" >health.out &&
	cat >health.expected <<-EOF &&
	[0,"full",[[1,"full"]]]
	[1,"full",[[2,"full"]]]
	[3,"full",[]]
	EOF
	test_cmp health.expected health.out
'
test_expect_success 'a killed leaf is lost at once, its requests failed' '
	test_expect_code 137 flux start $NORC --test-size=4 -Stbon.topo=kary:1 \
		-Stbon.torpid_max=0 sh -c "
		on-rank 3 flux module load $TREEMOD &&
		rpc --errors-on-stdout --rank 3 treemod.hold >held.out &
		sleep 1
		kill -9 \$(on-rank 3 flux getattr broker.pid) &&
		wait &&
		cat held.out &&
		rpc --errors-on-stdout --rank 3 broker.ping &&
		rpc --rank 2 overlay.health | jq -c \"[.status,
		    [.children[] | [.rank, .status]]]\" &&
		rpc overlay.health | jq -r .status" >lost.out 2>lost.err &&
	grep "^flux-start: 3 (pid [0-9]*) Killed" lost.err &&
	cat >lost.expected <<-EOF &&
	113 overlay disconnect
	113 No route to host
	["degraded",[[3,"lost"]]]
	degraded
	EOF
	test_cmp lost.expected lost.out
'
test_expect_success 'a stopped child is torpid after tbon.torpid_max, then not' '
	flux start $NORC --test-size=2 -Stbon.torpid_min=0.5s \
		-Stbon.torpid_max=1.5s -Slog-stderr-level=6 sh -c "
		pid=\$(on-rank 1 flux getattr broker.pid) &&
		kill -STOP \$pid &&
		sleep 3 &&
		kill -CONT \$pid &&
		sleep 2 &&
		flux getattr tbon.torpid_max &&
		flux overlay status --summary" >torpid.out 2>torpid.err &&
	printf "1.5s\nfull\n" >torpid.expected &&
	test_cmp torpid.expected torpid.out &&
	grep "broker.err\[0\]: rank 1 has been unresponsive for [0-9.]*s" \
		torpid.err &&
	grep "broker.notice\[0\]: rank 1 is responsive now" torpid.err
'
test_expect_success 'a torpid setting that is not a duration fails start-up' '
	test_expect_code 1 flux start $NORC -Stbon.torpid_max=soon true \
		2>torpid-bad.err &&
	grep "tbon.torpid_max=soon: not a duration" torpid-bad.err
'
test_expect_success 'the instance ends with rank 0: every broker exits, rc kept' '
	test_expect_code 3 flux start $NORC --test-size=4 -Stbon.topo=kary:1 \
		"exit 3" &&
	flux start $NORC --test-size=8 true 2>exit.err &&
	test_must_be_empty exit.err
'
test_expect_success 'rc1 and rc3 run on every broker; modules on rank 0 only' '
	flux start --test-size=2 -Slog-stderr-level=6 true 2>rc.err &&
	grep "broker.info\[0\]: rc1.0:.*Exited (rc=0)" rc.err &&
	grep "broker.info\[1\]: rc1.0:.*Exited (rc=0)" rc.err &&
	grep "broker.info\[0\]: rc3.0:.*Exited (rc=0)" rc.err &&
	grep "broker.info\[1\]: rc3.0:.*Exited (rc=0)" rc.err
'
test_expect_success 'the [modules] table chooses the ranks of the standard modules' '
	flux start --test-size=3 --conf "modules.heartbeat.ranks=\">0\"" \
		--conf "modules.kvs.disabled=true" sh -c "
		for r in 0 1 2; do
			echo rank \$r: \$(on-rank \$r flux module list |
				sed 1d | cut -d\" \" -f1 | sort | tr \"\\n\" \" \")
		done" >ranks.out &&
	cat >ranks.expected <<-EOF &&
	rank 0: content
	rank 1: heartbeat
	rank 2: heartbeat
	EOF
	test_cmp ranks.expected ranks.out
'
test_expect_success 'a [modules] entry that is not right fails rc1 saying why' '
	test_expect_code 1 flux start --conf "modules.bogus.ranks=\"0\"" true \
		2>bogus.err &&
	grep "rc1.0: flux-modprobe: \[modules\] bogus: no such module" bogus.err &&
	test_expect_code 1 flux start --conf "modules.kvs.ranks=\"x\"" true \
		2>badranks.err &&
	grep "rc1.0: flux-modprobe: \[modules\] kvs.ranks: .x. is not an idset, >N or <N" \
		badranks.err
'
test_expect_success '--test-size must be a positive number' '
	test_expect_code 2 flux start --test-size=0 true 2>size0.err &&
	grep "test-size requires a positive integer" size0.err &&
	test_expect_code 2 flux start --test-exit-timeout=1s true 2>to.err &&
	grep "test-exit-timeout requires --test-size" to.err
'

test_done
