#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the fuzz targets run from the seed corpus without a crash

The short run of doc/fuzzing.md: each libFuzzer target of fuzz/ (message
decoding, socket framing) fuzzes for 10 seconds from seeds made from the
wire captures in $FLUX_VECTORS_DIR.  A crash, a memory error, undefined
behaviour, an allocation over 64 MiB or a broken invariant fails the
test; with -v it shows the report of scripts/fuzz, and the input that
crashed is in $FLUX_BUILD_DIR/fuzz/crashes/.  Without clang the targets are
not built and the first test fails, naming what is missing.'

. /usr/share/sharness/sharness.sh

if test "$FLUX_FUZZ_STATUS" = disabled; then
	skip_all='configured with -Dfuzz=disabled'
	test_done
fi

fuzz="$FLUX_SOURCE_DIR/scripts/fuzz"
seconds=${FLUX_TEST_FUZZ_SECONDS:-10}

test_expect_success 'the fuzz targets were built (clang with libFuzzer)' '
	if test "$FLUX_FUZZ_STATUS" != built; then
		echo "fuzz targets not built: $FLUX_FUZZ_STATUS" >&2
		false
	fi &&
	test -x "$FLUX_BUILD_DIR/fuzz/fuzz-decode" &&
	test -x "$FLUX_BUILD_DIR/fuzz/fuzz-framing"
'
test_expect_success 'the seeds are made from every capture in the vectors' '
	ls "$FLUX_VECTORS_DIR"/*.bin >captures &&
	"$PYTHON" "$FLUX_SOURCE_DIR/fuzz/make-seeds.py" \
		"$FLUX_VECTORS_DIR" seeds >made &&
	grep "^make-seeds.py: $(wc -l <captures) captures" made &&
	test $(ls seeds/decode | wc -l) -ge 60 &&
	test $(ls seeds/framing | wc -l) -ge 100 &&
	grep -F "\"\\x12\\x00\\xee\\xff\"" seeds/flux.dict
'
# "fuzz: executions:  N": at least a thousand, so the run really fuzzed.
ran_enough() {
	n=$(sed -n "s/^fuzz: executions: *//p" "$1") &&
	test "$n" -ge 1000
}
test_expect_success "fuzz-decode runs ${seconds}s without a crash" '
	if run_timeout 300 "$fuzz" -B "$FLUX_BUILD_DIR" --check decode $seconds \
		>decode.out 2>&1
	then rc=0; else rc=$?; fi &&
	cat decode.out &&
	test $rc = 0 &&
	grep "^fuzz: crashes: *0 new" decode.out &&
	ran_enough decode.out
'
test_expect_success "fuzz-framing runs ${seconds}s without a crash" '
	if run_timeout 300 "$fuzz" -B "$FLUX_BUILD_DIR" --check framing $seconds \
		>framing.out 2>&1
	then rc=0; else rc=$?; fi &&
	cat framing.out &&
	test $rc = 0 &&
	grep "^fuzz: crashes: *0 new" framing.out &&
	ran_enough framing.out
'
test_done
