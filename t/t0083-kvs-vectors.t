#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux kvs and the kvs module speak flux-core'"'"'s KVS protocol

The kvs-* captures in $FLUX_VECTORS_DIR are flux-core'"'"'s flux kvs
talking to flux-core'"'"'s broker (t/vectors/README.md).  Our flux kvs,
run through the same relay against our broker, must send the requests
flux-core'"'"'s sent; and our broker, sent the bytes flux-core'"'"'s client
sent, must answer with responses of the structure flux-core'"'"'s gave.
The rest of the session (copy, move, namespaces, eventlog, get --watch)
is t0084-kvs-vectors-session.t.'

. /usr/share/sharness/sharness.sh

# The captures of this script, in the order of the session that made
# them (t/vectors/kvs-session.sh): each finds the store as flux-core's
# client found it.
session="kvs-put kvs-get kvs-get-missing kvs-ls kvs-dir kvs-version
	kvs-put-multi kvs-get-treeobj"
replayed="$session kvs-copy kvs-move kvs-unlink"
replayed_ns="kvs-namespace-list kvs-put-ns kvs-namespace-remove
	kvs-eventlog-append kvs-eventlog-get"
for v in $replayed $replayed_ns kvs-get-watch; do
	test_require_vectors $v.client-to-broker.bin $v.broker-to-client.bin
done
test_require_vectors kvs-get.output.txt kvs-ls.output.txt \
	kvs-dir.output.txt kvs-get-treeobj.output.txt \
	kvs-get-missing.stderr.txt capture.py kvs-session.sh kvs_vectors.py

test_under_flux 1 minimal

V=$FLUX_VECTORS_DIR
sockpath=${FLUX_URI#local://}

# Our flux kvs, through the relay, in an instance of its own (so that it
# finds the store flux-core's client found: empty but for what the
# session itself writes).  No rc scripts: the session loads kvs itself.
test_expect_success 'run the flux kvs session against our broker' '
	mkdir ours &&
	(cd ours && run_timeout 120 flux start -Sbroker.rc1_path= \
		-Sbroker.rc3_path= sh "$V/kvs-session.sh" $session) >session.out &&
	cat session.out &&
	grep "^kvs-put: exit 0" session.out &&
	grep "^kvs-get-missing: exit 1" session.out
'
for v in kvs-put kvs-get kvs-get-missing kvs-ls kvs-put-multi \
	kvs-get-treeobj; do
	test_expect_success "flux kvs sends what flux-core's sent: $v" "
		flux python \"\$V/kvs_vectors.py\" requests \"\$V/$v\" ours/$v
	"
done
test_expect_success 'flux kvs get, ls, dir, get -t print what flux-core printed' '
	for v in kvs-get kvs-ls kvs-dir kvs-get-treeobj; do
		test_cmp "$V/$v.output.txt" ours/$v.output.txt || return 1
	done
'
test_expect_success 'flux kvs get of a missing key fails as flux-core did' '
	test_cmp "$V/kvs-get-missing.stderr.txt" ours/kvs-get-missing.stderr.txt
'

# The comparison itself: it fails, and says what differs, when a request
# is not flux-core's.
test_expect_success 'a request that differs is reported with both payloads' '
	test_must_fail flux python "$V/kvs_vectors.py" requests \
		"$V/kvs-put" ours/kvs-put-multi 2>differ.err &&
	grep "request 0: kvs-put-multi sent .*x.y" differ.err &&
	grep "flux-core (kvs-put) sent .*a.b" differ.err
'

# flux-core's client bytes, replayed to our broker in the session order.
test_expect_success 'load kvs unless the instance loaded it' '
	kvs_load_unless_loaded
'
for v in $replayed; do
	test_expect_success "our broker answers flux-core's $v as flux-core did" "
		flux python \"\$V/kvs_vectors.py\" replay \"\$sockpath\" \"\$V/$v\"
	"
done
# N.B. flux-core's own namespace create is replayed in t0084; here X is
# made through flux.kvs, so that the replays below find it.
test_expect_success 'create namespace X as the session did' '
	flux python -c "import flux, flux.kvs
flux.kvs.namespace_create(flux.Flux(), \"X\")"
'
for v in $replayed_ns; do
	test_expect_success "our broker answers flux-core's $v as flux-core did" "
		flux python \"\$V/kvs_vectors.py\" replay \"\$sockpath\" \"\$V/$v\"
	"
done
test_expect_success "our broker answers flux-core's get --watch --count=2 as flux-core did" '
	flux python "$V/kvs_vectors.py" replay "$sockpath" "$V/kvs-get-watch" \
		--after 1 "flux kvs put a.b=2" &&
	test "$(flux kvs get a.b)" = 2
'
test_expect_success 'a response that differs is reported with its structure' '
	flux kvs put a.b.c=1 &&
	test_must_fail flux python "$V/kvs_vectors.py" replay "$sockpath" \
		"$V/kvs-get" 2>rdiffer.err &&
	grep "kvs-get: request 0 (kvs.lookup) response 0: errnum is 21" \
		rdiffer.err
'
test_expect_success 'remove kvs if this script loaded it' '
	kvs_remove_if_loaded_here
'

test_done
