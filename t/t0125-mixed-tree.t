#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='A tree of our brokers and flux-core'"'"'s

Where flux-core is installed (FLUX_CORE_PREFIX), a config-booted
instance of two brokers over loopback TCP is made of one of ours and one
of flux-core'"'"'s, each way round: they join (hello, CURVE with the one
certificate), route requests, run commands on each other (flux exec,
rexec), follow each other'"'"'s state (state-machine.monitor, whose
SHUTDOWN ends the child) and leave cleanly.'

. /usr/share/sharness/sharness.sh

find_flux_core

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="
OURS=$SHARNESS_BUILD_DIRECTORY/../broker/flux-broker
FCBROKER=$FLUX_CORE_PREFIX/libexec/flux/cmd/flux-broker

test_expect_success FLUX_CORE 'a certificate and a table of two hosts' '
	port=$(flux python -c "import socket
s = socket.socket()
s.bind((\"127.0.0.1\", 0))
print(s.getsockname()[1])") &&
	mkdir conf &&
	flux keygen conf/curve.cert &&
	cat >conf/bootstrap.toml <<-EOF
	[bootstrap]
	curve_cert = "$PWD/conf/curve.cert"
	hosts = [
	  { host = "fake0", bind = "tcp://127.0.0.1:$port", connect = "tcp://127.0.0.1:$port" },
	  { host = "fake1" },
	]
	EOF
'
test_expect_success FLUX_CORE 'ours at rank 0, flux-core'"'"'s at rank 1' '
	{ timeout 60 $FCBROKER $NORC -Shostname=fake1 -c conf \
		>fc1.log 2>&1 & } &&
	fcpid=$! &&
	timeout 60 flux start $NORC -Shostname=fake0 -c conf sh -c "
		flux overlay status --no-pretty &&
		rpc --rank 1 attr.get {\\\"name\\\":\\\"version\\\"} &&
		flux exec -r 1 flux getattr rank &&
		rpc --rank 1 state-machine.get | jq -r .state" >ours0.out &&
	wait $fcpid &&
	cat >ours0.expected <<-EOF &&
	0 fake0: full
	1 fake1: full
	{"flags": 0, "value": "0.88.0"}
	1
	run
	EOF
	test_cmp ours0.expected ours0.out
'
test_expect_success FLUX_CORE 'flux-core'"'"'s at rank 0, ours at rank 1' '
	{ timeout 60 $OURS $NORC -Shostname=fake1 -c conf >ours1.log 2>&1 & } &&
	ourpid=$! &&
	test_expect_code 3 timeout 60 $FC start $NORC -Shostname=fake0 -c conf \
		sh -c "
		flux exec -r 1 flux getattr version &&
		flux python -c \"import flux
print(flux.Flux().rpc(\\\"state-machine.get\\\", nodeid=1).get()[\\\"state\\\"])\" &&
		flux exec -r 1 sh -c \"echo from ours; exit 3\"" \
		>fc0.out 2>fc0.err &&
	wait $ourpid &&
	printf "0.1.0\nrun\nfrom ours\n" >fc0.expected &&
	test_cmp fc0.expected fc0.out &&
	grep "^1: Exit 3" fc0.err
'

test_done
