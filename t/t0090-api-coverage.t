#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='scripts/api-coverage: the table of flux-core API names here

The script measures; this test checks that it measures, not what it
finds: it runs on the build, gives one row per reference name, marks a
name that exists present and a made-up one missing.  Names missing from
the tree do not fail it.  No broker is needed.
'

. /usr/share/sharness/sharness.sh

REF=$FLUX_SOURCE_DIR/doc/api

# api_coverage ARGS...: the script, with the build's Python and build tree
# (in an ASan build, with the runtime _flux._core needs preloaded, and no
# leak check: this tests the measurement, not what Python frees at exit).
api_coverage() {
	${FLUX_TEST_ASAN_RUNTIME:+env LD_PRELOAD=$FLUX_TEST_ASAN_RUNTIME \
		ASAN_OPTIONS=detect_leaks=0:abort_on_error=0} \
		"$PYTHON" "$FLUX_SOURCE_DIR/scripts/api-coverage" \
		--build "$FLUX_BUILD_DIR" "$@"
}

# names FILE: the names of a reference list, one a line, sorted.
names() {
	grep -v "^#" "$1" | awk "NF { print \$1 }" | LC_ALL=C sort
}

# row_names FILE: the names of the rows of a table, sorted.
row_names() {
	sed -n "s/^| \`\([^\`]*\)\` |.*/\1/p" "$1" | LC_ALL=C sort
}

test_expect_success 'the reference lists are committed, sorted, one name a line' '
	for f in flux-core-python.txt flux-core-c.txt; do
		test -s "$REF/$f" &&
		grep -v "^#" "$REF/$f" | awk "NF { print \$1 }" >$f.names &&
		LC_ALL=C sort -u $f.names >$f.sorted &&
		test_cmp $f.sorted $f.names || return 1
	done &&
	grep -qx "flux.future.Future.then method" "$REF/flux-core-python.txt" &&
	grep -q "^flux_rpc " "$REF/flux-core-c.txt"
'

test_expect_success 'api-coverage writes the table and exits 0' '
	api_coverage -o table.md &&
	test -s table.md &&
	grep -q "^- now: [0-9]* of [0-9]*" table.md
'

test_expect_success 'the table has one row per reference name' '
	{ names "$REF/flux-core-python.txt" &&
	  names "$REF/flux-core-c.txt"; } | LC_ALL=C sort >ref.names &&
	row_names table.md >table.names &&
	test_cmp ref.names table.names
'

test_expect_success 'names that exist here are marked present' '
	grep -q "^| \`flux.Flux\` | function | yes" table.md &&
	grep -q "^| \`flux.core.handle.Flux.rpc\` | method | yes" table.md &&
	grep -q "^| \`flux.constants.FLUX_MSGTYPE_REQUEST\` | constant | yes" table.md &&
	grep -q "^| \`flux_rpc\` | libflux/rpc.h | yes" table.md
'

test_expect_success '--summary prints only the counts, and they match the table' '
	api_coverage --summary >summary.out &&
	! grep -q "|" summary.out &&
	total=$(sed -n "s/^total \([0-9]*\)\/\([0-9]*\)$/\1 of \2/p" summary.out) &&
	test -n "$total" &&
	grep -q "^- now: $total " table.md &&
	m=$(sed -n "s/^total [0-9]*\/\([0-9]*\)$/\1/p" summary.out) &&
	test "$m" -eq $(wc -l <ref.names)
'

test_expect_success 'the output is the same each time' '
	api_coverage -o table2.md &&
	test_cmp table.md table2.md
'

test_expect_success 'made-up names in a reference list are marked missing' '
	cat >py.txt <<-\EOF &&
	# a made-up reference list
	flux module
	flux.Flux function
	flux.core.handle.Flux.rpc method
	flux.no_such_module module
	flux.no_such_module.Thing class
	flux.core.handle.Flux.no_such_method method
	flux.core.handle.Flux.__getitem__ method
	EOF
	cat >c.txt <<-\EOF &&
	flux_rpc libflux/rpc.h
	flux_no_such_function libflux/rpc.h
	idset_no_such_function libidset/idset.h
	EOF
	api_coverage --python-ref py.txt --c-ref c.txt --start /dev/null \
		-o made-up.md &&
	grep -q "^| \`flux.Flux\` | function | yes" made-up.md &&
	grep -q "^| \`flux.core.handle.Flux.rpc\` | method | yes" made-up.md &&
	grep -q "^| \`flux_rpc\` | libflux/rpc.h | yes" made-up.md &&
	for n in flux.no_such_module flux.no_such_module.Thing \
		flux.core.handle.Flux.no_such_method \
		flux.core.handle.Flux.__getitem__ \
		flux_no_such_function idset_no_such_function; do
		grep -q "^| \`$n\` | [^|]* | no" made-up.md || return 1
	done &&
	grep -q "^- now: 4 of 10 (Python 3 of 7, C 1 of 3)" made-up.md &&
	! grep -q "at the start" made-up.md
'

test_expect_success 'the start counts come from doc/api/coverage-start.txt' '
	printf "python 1 2\nc 3 4\n" >start.txt &&
	api_coverage --python-ref py.txt --c-ref c.txt --start start.txt \
		--summary >start.out &&
	grep -qx "at the start of issue 7: 4/6 (python 1/2, c 3/4)" start.out
'

test_expect_success 'without a build there is no measurement: exit 1' '
	test_must_fail env -u PYTHONPATH \
		"$PYTHON" "$FLUX_SOURCE_DIR/scripts/api-coverage" \
		--build "$PWD/no-build" --summary 2>nobuild.err &&
	grep -q "build first" nobuild.err
'

test_done
