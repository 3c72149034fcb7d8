#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: command line, attributes, rundir, initial program

The broker run directly: -S attributes, the initial program and its exit
code, its environment, the rundir and signals.'

. /usr/share/sharness/sharness.sh

broker="$FLUX_BUILD_DIR/broker/flux-broker"


test_expect_success 'the broker runs the initial program and exits with its code' '
	"$broker" true &&
	test_expect_code 3 "$broker" sh -c "exit 3"
'
test_expect_success 'a signal gives 128+N, not found 127, not executable 126' '
	test_expect_code 137 "$broker" sh -c "kill -KILL \$\$" &&
	test_expect_code 127 "$broker" /nonexistent/cmd 2>nf.err &&
	grep "/nonexistent/cmd: No such file or directory" nf.err &&
	printf "#!/bin/sh\n" >noexec.sh &&
	chmod 644 noexec.sh &&
	test_expect_code 126 "$broker" ./noexec.sh
'
test_expect_success 'a single argument with shell syntax runs under $SHELL -c' '
	"$broker" "echo one; echo two >&2" >sh.out 2>sh.err &&
	echo one >sh.expected &&
	test_cmp sh.expected sh.out &&
	grep "^two$" sh.err &&
	test_expect_code 5 env SHELL=/bin/sh "$broker" "exit 5"
'
test_expect_success 'without a command the broker runs $SHELL on stdin' '
	echo "flux getattr size; exit 4" >script.in &&
	test_expect_code 4 env SHELL=/bin/sh "$broker" <script.in >shell.out &&
	echo 1 >shell.expected &&
	test_cmp shell.expected shell.out
'
test_expect_success 'FLUX_URI is the local-uri, replacing an inherited one' '
	FLUX_URI=local:///nonexistent FLUX_KVS_NAMESPACE=x \
		"$broker" sh -c "echo \$FLUX_URI; flux getattr local-uri; \
		echo ns=\$FLUX_KVS_NAMESPACE" >uri.out &&
	test $(sed -n 1p uri.out) = $(sed -n 2p uri.out) &&
	grep "^local://.*/local$" uri.out &&
	grep "^ns=$" uri.out
'
test_expect_success 'the rundir is a private directory, removed at exit' '
	"$broker" sh -c "flux getattr rundir; stat -c %a \$(flux getattr rundir); \
		test -S \$(flux getattr rundir)/local && echo socket" >rundir.out &&
	dir=$(sed -n 1p rundir.out) &&
	test "$(sed -n 2p rundir.out)" = 700 &&
	test "$(sed -n 3p rundir.out)" = socket &&
	test ! -e "$dir"
'
test_expect_success 'TMPDIR decides where the rundir goes' '
	mkdir tmp &&
	TMPDIR=$(pwd)/tmp "$broker" flux getattr rundir >tmpdir.out &&
	grep "^$(pwd)/tmp/flux-" tmpdir.out &&
	test -z "$(ls tmp)"
'
test_expect_success '-Srundir= uses that directory (created, then removed)' '
	"$broker" -Srundir="$(pwd)/myrun" flux getattr local-uri >myrun.out &&
	echo "local://$(pwd)/myrun/local" >myrun.expected &&
	test_cmp myrun.expected myrun.out &&
	test ! -e myrun
'
test_expect_success 'an existing -Srundir is kept, a foreign one refused' '
	mkdir -m 0700 keep &&
	"$broker" -Srundir="$(pwd)/keep" true &&
	test -d keep &&
	mkdir -m 0500 nowrite &&
	test_must_fail "$broker" -Srundir="$(pwd)/nowrite" true 2>nowrite.err &&
	grep "must be a directory owned by uid" nowrite.err
'
test_expect_success '-S sets attributes, --setattr too, with their flags' '
	"$broker" -Stest.a=1 --setattr=test-im.b=2 -S test-nr.c=3 \
		flux python -c "import flux; h = flux.Flux(); \
		print(h.rpc(\"attr.get\", {\"name\": \"test.a\"}).get()); \
		print(h.rpc(\"attr.get\", {\"name\": \"test-im.b\"}).get()); \
		print(h.rpc(\"attr.get\", {\"name\": \"test-nr.c\"}).get()); \
		print(h.rpc(\"attr.get\", {\"name\": \"rank\"}).get())" >flags.out &&
	cat >flags.expected <<-EOT &&
	{${SQ}value${SQ}: ${SQ}1${SQ}, ${SQ}flags${SQ}: 0}
	{${SQ}value${SQ}: ${SQ}2${SQ}, ${SQ}flags${SQ}: 1}
	{${SQ}value${SQ}: ${SQ}3${SQ}, ${SQ}flags${SQ}: 0}
	{${SQ}value${SQ}: ${SQ}0${SQ}, ${SQ}flags${SQ}: 1}
	EOT
	test_cmp flags.expected flags.out
'
test_expect_success '-S of an unknown or internal attribute is refused' '
	test_expect_code 1 "$broker" -Snosuch=1 true 2>unknown.err &&
	grep "flux-broker: nosuch: unknown attribute" unknown.err &&
	test_expect_code 1 "$broker" -Srank=3 true 2>rank.err &&
	grep "flux-broker: rank: attribute may not be set" rank.err &&
	test_expect_code 1 "$broker" -Slog-level=9 true 2>level.err &&
	grep "log-level=9: Invalid argument" level.err
'
test_expect_success 'the broker declares the documented attributes' '
	"$broker" flux lsattr -v >lsattr.out &&
	for name in rank size broker.pid broker.uuid broker.starttime \
		security.owner instance-level local-uri rundir version \
		hostname hostlist log-level log-stderr-level log-ring-size \
		log-critical-level broker.module-remove-timeout; do
		grep "^$name " lsattr.out || return 1
	done &&
	grep "^security.owner  *$(id -u)$" lsattr.out &&
	grep "^log-ring-size  *1024$" lsattr.out &&
	grep "^log-level  *7$" lsattr.out &&
	grep "^log-stderr-level  *3$" lsattr.out &&
	grep "^log-critical-level  *2$" lsattr.out
'
test_expect_success 'broker.pid is the pid of the broker, parent of rc2' '
	"$broker" sh -c "flux getattr broker.pid; echo \$PPID" >pid.out &&
	test "$(sed -n 1p pid.out)" = "$(sed -n 2p pid.out)"
'
test_expect_success 'attr.set rules: runtime, set-once, read-only, immutable' '
	"$broker" -Stest-ro.r=1 sh -c "\
		flux setattr test.x 1 && flux setattr test.x 2 && \
		flux setattr test-nr.y 1 && \
		! flux setattr test-nr.y 2 && \
		! flux setattr test-ro.r 2 && \
		! flux setattr broker.uuid x && \
		! flux setattr log-level notanumber && \
		flux setattr log-level 6 && flux getattr log-level && \
		flux getattr test.x" >rules.out 2>rules.err &&
	printf "6\n2\n" >rules.expected &&
	test_cmp rules.expected rules.out &&
	test $(grep -c "attribute may not be updated" rules.err) -eq 3 &&
	grep "log-level: invalid value for attribute" rules.err
'
test_expect_success 'SIGTERM is forwarded to the initial program' '
	run_bg "$broker" sh -c "trap \"echo got TERM; exit 7\" TERM; \
		echo ready >ready; while :; do sleep 0.1; done" >term.out &&
	pid=$(cat bg.pid) &&
	test_retry 100 test -f ready &&
	kill -TERM $pid &&
	test_expect_code 7 wait $pid &&
	grep "got TERM" term.out
'
test_expect_success 'a second SIGTERM kills the initial program' '
	rm -f ready &&
	run_bg "$broker" -Slog-stderr-level=6 sh -c "trap \"\" TERM; \
		echo ready >ready; while :; do sleep 0.1; done" 2>term2.err &&
	pid=$(cat bg.pid) &&
	test_retry 100 test -f ready &&
	kill -TERM $pid &&
	test_retry 300 grep -q "forwarding signal 15" term2.err &&
	kill -TERM $pid &&
	test_expect_code 137 wait $pid &&
	grep "signal 15 again: killing the initial program" term2.err
'
test_expect_success 'the broker log goes to stderr at log-stderr-level' '
	"$broker" -Slog-stderr-level=7 true 2>debug.err &&
	grep "broker.debug\[0\]: .*listening on local://" debug.err &&
	"$broker" -Slog-stderr-level=6 flux logger -s info hello-info \
		2>info.err &&
	grep "^[0-9-]*T[0-9:.]*Z logger.info\[0\]: hello-info$" info.err &&
	test_must_fail grep broker.debug info.err
'

test_done
