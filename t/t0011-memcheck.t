#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the memory-checking plumbing of the test suite

flux start --wrap runs the broker under another program (valgrind), as
flux-core does; t/valgrind-wrap.sh, the exe_wrapper of meson test
--setup=valgrind, runs compiled test programs under valgrind and
interpreters as they are; the suppression files parse.'

. /usr/share/sharness/sharness.sh

WRAP="$SHARNESS_TEST_SRCDIR/valgrind-wrap.sh"

test_expect_success 'flux start --wrap puts the wrapper before the broker' '
	flux start -X --wrap=valgrind,-q,--tool=memcheck true 2>cmd.out &&
	echo "valgrind -q --tool=memcheck $FLUX_BUILD_DIR/broker/flux-broker true" \
		>cmd.expected &&
	test_cmp cmd.expected cmd.out
'
test_expect_success 'flux start --wrap with -o: wrapper first, then broker options' '
	flux start -X -o -v --wrap=env true 2>cmd2.out &&
	echo "env $FLUX_BUILD_DIR/broker/flux-broker -v true" >cmd2.expected &&
	test_cmp cmd2.expected cmd2.out
'
# N.B. a bare broker (no rc1/rc3): the wrapper is what these are about.
NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="
test_expect_success 'the broker runs under the wrapper, with its exit code' '
	flux start $NORC --wrap=env,WRAPPED=yes sh -c "echo \$WRAPPED" \
		>wrapped.out &&
	echo yes >wrapped.expected &&
	test_cmp wrapped.expected wrapped.out &&
	test_expect_code 3 flux start $NORC --wrap=env sh -c "exit 3"
'
test_expect_success 'a wrapper that does not exist fails flux start' '
	test_expect_code 1 flux start --wrap=nosuch-wrapper true 2>nosuch.err &&
	grep "^flux-start: nosuch-wrapper: No such file or directory" nosuch.err
'
test_expect_success 'valgrind-wrap.sh runs a compiled program under the wrapper' '
	cat >fakevg <<-\EOF &&
	#!/bin/sh
	echo "fakevg: $*"
	EOF
	chmod +x fakevg &&
	sh "$WRAP" ./fakevg --opt "a b" -- /bin/echo "x  y" z >prog.out &&
	echo "fakevg: --opt a b /bin/echo x  y z" >prog.expected &&
	test_cmp prog.expected prog.out
'
test_expect_success 'valgrind-wrap.sh runs sh and python as they are' '
	sh "$WRAP" ./fakevg --opt -- /bin/sh -c "echo \"\$1\"" sh "a  b" \
		>sh.out &&
	echo "a  b" >sh.expected &&
	test_cmp sh.expected sh.out &&
	sh "$WRAP" ./fakevg -- "$PYTHON" -c "print(42)" >py.out &&
	echo 42 >py.expected &&
	test_cmp py.expected py.out
'
test_expect_success 'valgrind-wrap.sh without -- is an error' '
	test_expect_code 99 sh "$WRAP" ./fakevg /bin/true 2>usage.err &&
	grep "usage" usage.err
'
test -x "$(command -v valgrind)" && test_set_prereq VALGRIND
test_expect_success VALGRIND 'valgrind accepts t/valgrind.supp' '
	valgrind --error-exitcode=99 \
		--suppressions="$SHARNESS_TEST_SRCDIR/valgrind.supp" \
		true
'
test_expect_success 'valgrind_wrap_args names an existing suppression file' '
	valgrind_wrap_args | tr , "\n" >args.out &&
	grep "^valgrind$" args.out &&
	grep "^--error-exitcode=99$" args.out &&
	supp=$(sed -n "s/^--suppressions=//p" args.out) &&
	test -f "$supp"
'

test_done
