#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the flux-core KVS captures that need pieces still to come

As t0083-kvs-vectors.t, for the flux kvs commands and broker pieces we do
not have yet: each test names, as its prerequisite, what it waits for,
and runs as soon as that is there.
  KVS_COPY        flux kvs copy and move (the flux kvs command)
  KVS_NAMESPACE   flux kvs namespace create/list/remove
  KVS_EVENTLOG    flux kvs eventlog append/get
  KVS_WATCH       flux kvs get --watch
  KVS_CMD         all four above: the flux kvs work is in; then dir and
                  version must also send what flux-core'"'"'s send
  CONTENT_HASH    the broker has the content.hash attribute, which
                  flux-core'"'"'s namespace create asks for first'

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

# Whether our flux kvs has subcommand SUB (with OPTION in its help, if
# given).  Usage: kvs_has "SUB..." [OPTION]
kvs_has() {
	flux kvs $1 --help >help.out 2>&1 &&
	{ test -z "$2" || grep -q -- "$2" help.out; }
}
# Set prerequisite NAME if COMMAND... succeeds; otherwise say in one
# line what NAME's tests wait for.  Usage: need NAME TEXT COMMAND...
missing=""
need() {
	name=$1 text=$2
	shift 2
	if "$@"; then
		test_set_prereq $name
	else
		echo "# $name tests wait for: $text"
		missing=t
	fi
}
need KVS_COPY "flux kvs copy and move" eval 'kvs_has copy && kvs_has move'
need KVS_NAMESPACE "flux kvs namespace" kvs_has "namespace create"
need KVS_EVENTLOG "flux kvs eventlog" kvs_has "eventlog append"
need KVS_WATCH "flux kvs get --watch" kvs_has get --watch
need KVS_CMD "all of the above" test -z "$missing"
need CONTENT_HASH "a content.hash broker attribute" \
	eval 'flux getattr content.hash >/dev/null 2>&1'

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
	test_expect_success KVS_CMD "flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
for v in kvs-copy kvs-move kvs-unlink; do
	test_expect_success KVS_COPY "flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
for v in kvs-namespace-create kvs-namespace-list kvs-put-ns \
	kvs-namespace-remove; do
	test_expect_success KVS_NAMESPACE \
		"flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
test_expect_success KVS_NAMESPACE 'flux kvs namespace list prints flux-core'"'"'s table' '
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
	test_expect_success KVS_EVENTLOG \
		"flux kvs sends what flux-core's sent: $v" "
		requests $v
	"
done
test_expect_success KVS_EVENTLOG 'flux kvs eventlog get prints flux-core'"'"'s line' '
	sed "s/^[0-9]*\.[0-9]* /T /" "$V/kvs-eventlog-get.output.txt" \
		>eventlog.expected &&
	sed "s/^[0-9]*\.[0-9]* /T /" ours/kvs-eventlog-get.output.txt \
		>eventlog.out &&
	test_cmp eventlog.expected eventlog.out
'
test_expect_success KVS_WATCH "flux kvs sends what flux-core's sent: kvs-get-watch" '
	requests kvs-get-watch
'
test_expect_success KVS_WATCH 'flux kvs get --watch --count=2 prints both values' '
	test_cmp "$V/kvs-get-watch.output.txt" ours/kvs-get-watch.output.txt
'

test_expect_success CONTENT_HASH 'load kvs unless the instance loaded it' '
	if ! module_is_loaded kvs; then
		flux module load kvs &&
		kvs_loaded_here=t
	fi
'
test_expect_success CONTENT_HASH "our broker answers flux-core's namespace create as flux-core did" '
	flux python "$V/kvs_vectors.py" replay "$sockpath" \
		"$V/kvs-namespace-create" &&
	flux python "$V/kvs_vectors.py" replay "$sockpath" \
		"$V/kvs-namespace-remove"
'
test_expect_success CONTENT_HASH 'remove kvs if this script loaded it' '
	if test -n "$kvs_loaded_here"; then
		flux module remove kvs
	fi
'

test_done
