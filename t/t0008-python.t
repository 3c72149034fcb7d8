#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux python: the configured interpreter with the flux
package of this build on its path'

. /usr/share/sharness/sharness.sh

test_expect_success 'flux python runs the interpreter the build was made for' '
	flux python -c "import sys; print(sys.executable)" >exe.out &&
	test -n "$PYTHON" &&
	echo "$PYTHON" >exe.expected &&
	test_cmp exe.expected exe.out
'
test_expect_success 'flux python finds the flux package of this build' '
	(
		unset PYTHONPATH &&
		flux python -c "import flux; print(flux.__file__)" >pkg.out
	) &&
	grep "^$FLUX_SOURCE_DIR/python/flux/" pkg.out
'
test_expect_success 'flux python keeps a PYTHONPATH set by the user after it' '
	mkdir -p mylib &&
	echo "X = 42" >mylib/mymodx.py &&
	PYTHONPATH=$(pwd)/mylib flux python -c \
		"import mymodx, flux; print(mymodx.X)" >user.out &&
	echo 42 >user.expected &&
	test_cmp user.expected user.out
'
test_expect_success 'all arguments go to the interpreter' '
	flux python -c "import sys; print(sys.argv[1:])" --help -x a >argv.out &&
	echo "[${SQ}--help${SQ}, ${SQ}-x${SQ}, ${SQ}a${SQ}]" >argv.expected &&
	test_cmp argv.expected argv.out
'
test_expect_success 'the exit code of the interpreter is returned' '
	test_expect_code 3 flux python -c "raise SystemExit(3)"
'
test_expect_success 'flux python in an instance connects with flux.Flux()' '
	flux start flux python -c \
		"import flux; print(flux.Flux().attr_get(\"rank\"))" >rank.out &&
	echo 0 >rank.expected &&
	test_cmp rank.expected rank.out
'
test_done
