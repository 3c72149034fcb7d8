#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux exec: a command on chosen ranks (the rexec service)

flux exec sends rexec.exec to each rank it targets and relays what the
processes write, line by line, to stdout and stderr; stdin goes to each;
SIGINT is passed on; the exit code is the highest of the ranks'"'"'.  With
it a Python module is loaded on every broker of the instance.'

. /usr/share/sharness/sharness.sh

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="
TREEMOD=$SHARNESS_TEST_SRCDIR/module/treemod.py

test_expect_success 'a command on every rank, output labelled with -l' '
	flux start $NORC --test-size=4 \
		flux exec -l flux getattr rank >all.out &&
	sort all.out >all.sorted &&
	printf "0: 0\n1: 1\n2: 2\n3: 3\n" >all.expected &&
	test_cmp all.expected all.sorted
'
test_expect_success 'stdout and stderr kept apart; the exit code and summary' '
	test_expect_code 3 flux start $NORC --test-size=4 \
		flux exec -r 1-2 sh -c "echo out; echo err >&2; exit 3" \
		>codes.out 2>codes.err &&
	printf "out\nout\n" >codes.expected &&
	test_cmp codes.expected codes.out &&
	test $(grep -c "^err$" codes.err) = 2 &&
	grep "^\[1-2\]: Exit 3$" codes.err
'
test_expect_success 'the highest code wins; -q drops the summary' '
	test_expect_code 4 flux start $NORC --test-size=3 \
		flux exec -q -r 1-2 sh -c "exit \$((\$(flux getattr rank) * 2))" \
		2>q.err &&
	! grep "Exit [0-9]*$" q.err
'
test_expect_success 'stdin reaches each process; -n gives it none' '
	flux start $NORC --test-size=2 sh -c "
		echo hello | flux exec -r 1 cat &&
		printf \"a\\nb\\n\" | flux exec cat | sort &&
		flux exec -n cat && echo eof" >stdin.out &&
	printf "hello\na\na\nb\nb\neof\n" >stdin.expected &&
	test_cmp stdin.expected stdin.out
'
test_expect_success 'the environment and working directory go along' '
	mkdir -p work.d &&
	flux start $NORC --test-size=2 sh -c "
		MYVAR=present flux exec -r 1 printenv MYVAR &&
		cd work.d && flux exec -r 1 pwd &&
		flux exec -r 1 -d / pwd &&
		test \$(flux exec -r 1 printenv FLUX_URI) = \
			\$(on-rank 1 flux getattr local-uri) && echo own-uri" \
		>env.out &&
	printf "present\n$PWD/work.d\n/\nown-uri\n" >env.expected &&
	test_cmp env.expected env.out
'
test_expect_success 'a command that is not there: 127 and why' '
	test_expect_code 127 flux start $NORC --test-size=2 \
		flux exec -r 1 /nonexistent 2>noent.err &&
	grep "^flux-exec: Error: rank 1: /nonexistent: error launching process: No such file or directory" \
		noent.err
'
test_expect_success 'a rank that is not in the instance is refused' '
	test_expect_code 1 flux start $NORC --test-size=2 \
		flux exec -r 5 true 2>badrank.err &&
	grep "^flux-exec: One or more invalid --ranks specified: 5" badrank.err &&
	test_expect_code 1 flux start $NORC --test-size=2 \
		flux exec -r 0-1 -x 0-1 true 2>none.err &&
	grep "^flux-exec: No targets specified" none.err
'
test_expect_success 'SIGINT reaches the processes; signals make 128+N' '
	test_expect_code 130 flux start $NORC --test-size=3 sh -c "
		flux exec -r 1-2 sleep 30 &
		sleep 1
		kill -INT \$!
		wait \$!" 2>int.err &&
	grep "^\[1-2\]: Interrupt$" int.err
'
test_expect_success 'flux exec -r all loads a Python module on every broker' '
	flux start $NORC --test-size=4 -Stbon.topo=kary:1 sh -c "
		flux exec -r all flux module load $TREEMOD &&
		for r in 0 1 2 3; do rpc --rank \$r treemod.where; done &&
		flux exec -r all flux module remove treemod" >pymod.out &&
	cat >pymod.expected <<-EOF &&
	{"rank": 0, "size": 4}
	{"rank": 1, "size": 4}
	{"rank": 2, "size": 4}
	{"rank": 3, "size": 4}
	EOF
	test_cmp pymod.expected pymod.out
'
test_expect_success 'rexec.list names what runs; rexec.kill a pid that is not' '
	flux start $NORC sh -c "
		rpc rexec.list | jq -c .procs &&
		rpc --errors-on-stdout rexec.kill {\\\"pid\\\":1,\\\"signum\\\":15}" \
		>list.out &&
	printf "[]\n3 pid 1 does not belong to any subprocess\n" >list.expected &&
	test_cmp list.expected list.out
'

test_done
