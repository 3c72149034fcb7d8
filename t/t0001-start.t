#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux start: run a command in a new instance

flux start execs the broker with -S attributes and the initial program,
exports the paths of this build to it, and exits with its exit code.'

. /usr/share/sharness/sharness.sh

test_expect_success 'flux start runs a command and exits 0' '
	flux start true
'
test_expect_success 'exit code of the command is the exit code of flux start' '
	test_expect_code 1 flux start false &&
	test_expect_code 42 flux start sh -c "exit 42"
'
test_expect_success 'a command killed by a signal gives 128+signal' '
	test_expect_code 143 flux start sh -c "kill -TERM \$\$"
'
test_expect_success 'a command that is not found gives 127' '
	test_expect_code 127 flux start /nonexistent/command
'
test_expect_success 'without a command, $SHELL runs in the instance' '
	echo "flux getattr size" | SHELL=/bin/sh flux start >shell.out &&
	echo 1 >shell.expected &&
	test_cmp shell.expected shell.out &&
	echo "exit 7" | test_expect_code 7 env SHELL=/bin/sh flux start
'
test_expect_success 'the command can talk to the instance' '
	flux start flux getattr rank >rank.out &&
	echo 0 >rank.expected &&
	test_cmp rank.expected rank.out
'
test_expect_success 'FLUX_URI names the local socket of the instance' '
	flux start sh -c "echo \$FLUX_URI" >uri.out &&
	grep "^local://.*/local" uri.out
'
test_expect_success 'flux of this build is first on PATH of the command' '
	flux start sh -c "command -v flux" >which.out &&
	echo "$FLUX_BUILD_DIR/cmd/flux" >which.expected &&
	test_cmp which.expected which.out
'
test_expect_success 'PYTHONPATH of the command begins with the flux package' '
	flux start sh -c "echo \$PYTHONPATH" >pypath.out &&
	grep "^$FLUX_SOURCE_DIR/python:$FLUX_BUILD_DIR/python" pypath.out
'
test_expect_success 'FLUX_MODULE_PATH of the command begins with the modules' '
	FLUX_MODULE_PATH=/other flux start sh -c "echo \$FLUX_MODULE_PATH" \
		>modpath.out &&
	echo "$FLUX_BUILD_DIR/modules:/other" >modpath.expected &&
	test_cmp modpath.expected modpath.out
'
test_expect_success 'paths already in front are not prepended twice' '
	env -u FLUX_MODULE_PATH flux start flux start \
		sh -c "echo \$FLUX_MODULE_PATH" >nested.out &&
	echo "$FLUX_BUILD_DIR/modules" >nested.expected &&
	test_cmp nested.expected nested.out
'
# N.B. but for an ASan build's settings (t/meson.build), which change
# what the sanitizer reports, not what flux does: without them it would
# report what CPython never frees in the modules rc1 loads.
test_expect_success 'flux start works from the build tree with no environment' '
	env -i ${ASAN_OPTIONS:+"ASAN_OPTIONS=$ASAN_OPTIONS"} \
		${LSAN_OPTIONS:+"LSAN_OPTIONS=$LSAN_OPTIONS"} \
		"$FLUX_BUILD_DIR/cmd/flux" start flux getattr size >size.out &&
	echo 1 >size.expected &&
	test_cmp size.expected size.out
'
test_expect_success '-S sets a broker attribute' '
	flux start -Slog-ring-size=17 flux getattr log-ring-size >ring.out &&
	echo 17 >ring.expected &&
	test_cmp ring.expected ring.out
'
test_expect_success '-o passes comma-separated options to the broker' '
	flux start -o -Slog-ring-size=18,-Slog-stderr-level=2 \
		sh -c "flux getattr log-ring-size && \
		       flux getattr log-stderr-level" >opts.out &&
	printf "18\n2\n" >opts.expected &&
	test_cmp opts.expected opts.out
'
test_expect_success '--verbose prints the broker command line' '
	flux start -v -Slog-ring-size=19 true 2>verbose.err &&
	grep "flux-broker -Slog-ring-size=19 true$" verbose.err
'
test_expect_success '--noexec prints the broker command line and runs nothing' '
	flux start -X -Sa=b touch ran 2>noexec.err &&
	test ! -e ran &&
	grep "flux-broker -Sa=b touch ran$" noexec.err
'
test_expect_success 'options after the command belong to the command' '
	flux start -X sh -S -c true 2>posix.err &&
	grep "flux-broker sh -S -c true$" posix.err
'
test_expect_success 'a command that starts with a dash is passed after --' '
	flux start -X -- -weird 2>dash.err &&
	grep "flux-broker -- -weird$" dash.err
'
test_expect_success '-S without = is a usage error' '
	test_expect_code 2 flux start -S foo true 2>nosep.err &&
	grep "^flux-start: -S requires ATTR=VAL" nosep.err
'
test_expect_success '--test-size=N starts N brokers; anything else is refused' '
	flux start --test-size=1 flux getattr size >size1.out &&
	flux start --test-size=2 flux getattr size >>size1.out &&
	printf "1\n2\n" >size1.expected &&
	test_cmp size1.expected size1.out &&
	test_expect_code 2 flux start --test-size=x true
'
test_expect_success 'an unknown option is a usage error' '
	test_expect_code 2 flux start --frobnicate true 2>unknown.err &&
	grep "^flux-start: unrecognized option .--frobnicate." unknown.err &&
	grep "Try .flux start --help." unknown.err
'
test_expect_success 'flux start --help says what it does' '
	flux start --help >help.out &&
	grep "^Usage: flux start" help.out &&
	grep -- "--setattr=ATTR=VAL" help.out &&
	grep -- "--broker-opts=OPTS" help.out
'

# Exit codes for a command that cannot run or dies of a signal.
test_expect_success 'flux start: a command that is not executable gives 126' '
	printf "#!/bin/sh\necho ran\n" >noexec.sh &&
	chmod 644 noexec.sh &&
	test_expect_code 126 flux start ./noexec.sh >noexec.out 2>noexec.err &&
	test_must_be_empty noexec.out &&
	grep "noexec.sh: Permission denied" noexec.err
'
test_expect_success 'flux start: not found gives 127 and names the command' '
	test_expect_code 127 flux start /nonexistent/cmd 2>nf.err &&
	grep "/nonexistent/cmd: No such file or directory" nf.err
'
test_expect_success 'flux start: death by signal N gives 128+N' '
	test_expect_code 129 flux start sh -c "kill -HUP \$\$" &&
	test_expect_code 130 flux start sh -c "kill -INT \$\$" &&
	test_expect_code 137 flux start sh -c "kill -KILL \$\$"
'
test_expect_success 'flux start: exit codes up to 255 pass through' '
	test_expect_code 255 flux start sh -c "exit 255" &&
	test_expect_code 126 flux start sh -c "exit 126"
'
# The broker flux start runs fails in one line.
test_expect_success 'errors of the broker that flux start runs are one line' '
	expect_error 1 "flux-broker: nosuch: unknown attribute" \
		flux start -Snosuch=1 true &&
	expect_error 1 \
		"flux-broker: rundir /nonexistent/dir: No such file or directory" \
		flux start -Srundir=/nonexistent/dir true
'
test_done
