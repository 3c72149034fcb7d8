#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the whole flux kvs session of the flux-core captures

As t0083-kvs-vectors.t, for the rest of the session: copy, move,
namespace create/list/remove, eventlog append/get and get --watch, with
dir and version, in the order flux-core'"'"'s client ran them.'

. /usr/share/sharness/sharness.sh

session="kvs-put kvs-get kvs-get-missing kvs-ls kvs-dir kvs-version
	kvs-put-multi kvs-get-treeobj kvs-copy kvs-move kvs-unlink
	kvs-namespace-create kvs-namespace-list kvs-put-ns
	kvs-namespace-remove kvs-eventlog-append kvs-eventlog-get
	kvs-get-watch"
for v in $session; do
	test_require_vectors $v.client-to-broker.bin $v.broker-to-client.bin
done
test_require_vectors kvs-namespace-list.output.txt \
	kvs-eventlog-get.output.txt kvs-get-watch.output.txt capture.py \
	kvs-session.sh kvs_vectors.py

test_under_flux 1 minimal

V=$FLUX_VECTORS_DIR
sockpath=${FLUX_URI#local://}

test_expect_success 'run the whole flux kvs session against our broker' '
	mkdir ours &&
	(cd ours && run_timeout 120 flux start -Sbroker.rc1_path= \
		-Sbroker.rc3_path= sh "$V/kvs-session.sh") >session.out &&
	cat session.out &&
	grep "^kvs-put: exit 0" session.out
'
requests() {
	flux python "$V/kvs_vectors.py" requests "$V/$1" "ours/$1"
}
for v in kvs-dir kvs-version; do
	test_expect_success "flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
for v in kvs-copy kvs-move kvs-unlink; do
	test_expect_success "flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
for v in kvs-namespace-create kvs-namespace-list kvs-put-ns \
	kvs-namespace-remove; do
	test_expect_success \
		"flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
test_expect_success 'flux kvs namespace list prints flux-core'"'"'s table' '
	head -1 "$V/kvs-namespace-list.output.txt" >head.expected &&
	head -1 ours/kvs-namespace-list.output.txt >head.out &&
	test_cmp head.expected head.out &&
	awk "NR > 1 { print \$1, \$3 }" "$V/kvs-namespace-list.output.txt" \
		>ns.expected &&
	awk "NR > 1 { print \$1, \$3 }" ours/kvs-namespace-list.output.txt \
		>ns.out &&
	test_cmp ns.expected ns.out &&
	awk "NR > 1 { print \$2 }" ours/kvs-namespace-list.output.txt \
		>owner.out &&
	printf "%s\n" $(id -u) $(id -u) >owner.expected &&
	test_cmp owner.expected owner.out
'
for v in kvs-eventlog-append kvs-eventlog-get; do
	test_expect_success \
		"flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
test_expect_success 'flux kvs eventlog get prints flux-core'"'"'s line' '
	sed "s/^[0-9]*\.[0-9]* /T /" "$V/kvs-eventlog-get.output.txt" \
		>eventlog.expected &&
	sed "s/^[0-9]*\.[0-9]* /T /" ours/kvs-eventlog-get.output.txt \
		>eventlog.out &&
	test_cmp eventlog.expected eventlog.out
'
test_expect_success "flux kvs sends what flux-core's sent: kvs-get-watch" '
	requests kvs-get-watch
'
test_expect_success 'flux kvs get --watch --count=2 prints both values' '
	test_cmp "$V/kvs-get-watch.output.txt" ours/kvs-get-watch.output.txt
'

test_expect_success 'load kvs unless the instance loaded it' '
	kvs_load_unless_loaded
'
test_expect_success "our broker answers flux-core's namespace create as flux-core did" '
	flux python "$V/kvs_vectors.py" replay "$sockpath" \
		"$V/kvs-namespace-create" &&
	flux python "$V/kvs_vectors.py" replay "$sockpath" \
		"$V/kvs-namespace-remove"
'
test_expect_success 'remove kvs if this script loaded it' '
	kvs_remove_if_loaded_here
'

test_done
