#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux getattr, setattr, lsattr'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

test_expect_success 'getattr prints the value of an attribute' '
	flux getattr rank >rank.out &&
	flux getattr size >size.out &&
	echo 0 >rank.expected &&
	echo 1 >size.expected &&
	test_cmp rank.expected rank.out &&
	test_cmp size.expected size.out
'
test_expect_success 'getattr of local-uri matches FLUX_URI' '
	flux getattr local-uri >uri.out &&
	echo "$FLUX_URI" >uri.expected &&
	test_cmp uri.expected uri.out
'
test_expect_success 'getattr of an unknown attribute fails' '
	test_expect_code 1 flux getattr nosuch 2>nosuch.err &&
	echo "flux-getattr: nosuch: No such file or directory" >nosuch.expected &&
	test_cmp nosuch.expected nosuch.err
'
test_expect_success 'setattr sets a runtime attribute that getattr reads' '
	flux setattr test.foo bar &&
	flux getattr test.foo >foo.out &&
	echo bar >foo.expected &&
	test_cmp foo.expected foo.out
'
test_expect_success 'setattr changes a runtime attribute' '
	flux setattr test.foo baz &&
	echo baz >foo2.expected &&
	flux getattr test.foo >foo2.out &&
	test_cmp foo2.expected foo2.out
'
test_expect_success 'setattr -e removes an attribute' '
	flux setattr -e test.foo &&
	test_expect_code 1 flux getattr test.foo
'
test_expect_success 'setattr -e of an unset attribute succeeds, as flux-core'"'"'s attr.rm' '
	flux setattr -e test.foo 2>rm.err &&
	test_must_be_empty rm.err &&
	test_must_fail flux getattr test.foo
'
test_expect_success 'setattr -e of an immutable attribute fails with EPERM' '
	test_expect_code 1 flux setattr -e rank 2>rmrank.err &&
	grep "^flux-setattr: rank: Operation not permitted" rmrank.err
'
test_expect_success 'setattr of an unknown attribute fails with the reason' '
	test_expect_code 1 flux setattr nosuch.attr x 2>unknown.err &&
	echo "flux-setattr: nosuch.attr: unknown attribute" >unknown.expected &&
	test_cmp unknown.expected unknown.err
'
test_expect_success 'setattr of an immutable attribute fails with the reason' '
	test_expect_code 1 flux setattr rank 1 2>rank.err &&
	echo "flux-setattr: rank: attribute may not be updated" >rank.expected &&
	test_cmp rank.expected rank.err
'
test_expect_success 'lsattr lists attribute names, sorted' '
	flux lsattr >names.out &&
	grep "^rank$" names.out &&
	grep "^size$" names.out &&
	grep "^local-uri$" names.out &&
	sort names.out >names.sorted &&
	test_cmp names.sorted names.out
'
test_expect_success 'lsattr -v lists names and values in two columns' '
	flux lsattr -v >values.out &&
	grep "^rank                                    0$" values.out &&
	grep "^size                                    1$" values.out &&
	test $(wc -l <values.out) -eq $(wc -l <names.out)
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 flux getattr 2>get.err &&
	grep "^flux-getattr: exactly one NAME is required" get.err &&
	test_expect_code 2 flux getattr a b &&
	test_expect_code 2 flux setattr onlyname 2>set.err &&
	grep "^flux-setattr: NAME and VALUE are required" set.err &&
	test_expect_code 2 flux setattr -e a b &&
	test_expect_code 2 flux lsattr extra 2>ls.err &&
	grep "^flux-lsattr: takes no arguments" ls.err &&
	test_expect_code 2 flux lsattr --bogus
'

# A user error of any command that talks to the broker is one line
# naming the command and the cause.
test_expect_success 'runtime errors: one line "flux-CMD: cause", exit 1' '
	expect_error 1 "flux-getattr: nosuch: No such file or directory" \
		flux getattr nosuch &&
	expect_error 1 "flux-setattr: rank: attribute may not be updated" \
		flux setattr rank 7 &&
	expect_error 1 "flux-setattr: nosuch.x: unknown attribute" \
		flux setattr nosuch.x 1 &&
	expect_error 1 \
		"flux-ping: nosuch.ping: No service matching nosuch.ping is registered" \
		flux ping -c 1 nosuch &&
	expect_error 1 "flux-module: remove nosuch: module nosuch is not loaded" \
		flux module remove nosuch &&
	expect_error 1 \
		"flux-module: nosuch.stats-get: No service matching nosuch.stats-get is registered" \
		flux module stats nosuch &&
	expect_error 1 "flux-event: payload is not a JSON object: [1]" \
		flux event pub a.b "[1]"
'
test_done
