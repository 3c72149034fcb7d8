#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Config boot: a tree of brokers from [bootstrap], over TCP

flux keygen writes a CURVE certificate in flux-core'"'"'s format; brokers
given a [bootstrap] table find their rank by host name (faked with
-Shostname, here through flux start --test-hosts), bind and connect
where the hosts say (loopback TCP ports), with the parents the hosts
name, and share the certificate.  A broker that restarts joins its
parent again.  Mistakes in the table fail start-up saying why.'

. /usr/share/sharness/sharness.sh

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="
BROKER=$SHARNESS_BUILD_DIRECTORY/../broker/flux-broker
PEER=$SHARNESS_BUILD_DIRECTORY/../t/overlay-peer

# A free loopback port (bound and released: the kernel does not hand
# it out again at once).
free_port() {
	flux python -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# two_hosts DIR PORT: DIR/bootstrap.toml for fake0 (listening on
# loopback PORT) and fake1, with a copy of curve.cert.
two_hosts() {
	mkdir "$1" &&
	cp curve.cert "$1"/ &&
	cat >"$1"/bootstrap.toml <<-EOF
	[bootstrap]
	curve_cert = "$PWD/$1/curve.cert"
	hosts = [
	  { host = "fake0", bind = "tcp://127.0.0.1:$2", connect = "tcp://127.0.0.1:$2" },
	  { host = "fake1" },
	]
	EOF
}

test_expect_success 'flux keygen writes a secret certificate, mode 0600' '
	flux keygen --name=testcert --meta=site=here curve.cert &&
	test "$(stat -c %a curve.cert)" = 600 &&
	grep "^#  ZeroMQ CURVE \*\*Secret\*\* Certificate" curve.cert &&
	grep "^metadata$" curve.cert &&
	grep "^    name = \"testcert\"$" curve.cert &&
	grep "^    site = \"here\"$" curve.cert &&
	grep "^    keygen.flux-core-version = \"0.88.0\"$" curve.cert &&
	grep "^curve$" curve.cert &&
	grep -E "^    public-key = \".{40}\"$" curve.cert &&
	grep -E "^    secret-key = \".{40}\"$" curve.cert &&
	test_expect_code 2 flux keygen 2>nopath.err &&
	grep "PATH is required" nopath.err
'
test_expect_success 'a [bootstrap] table of four hosts over loopback TCP' '
	p0=$(free_port) && p1=$(free_port) &&
	mkdir conf &&
	cp curve.cert conf/ &&
	cat >conf/bootstrap.toml <<-EOF &&
	[bootstrap]
	curve_cert = "$PWD/conf/curve.cert"
	default_port = $p0
	default_bind = "tcp://127.0.0.1:%p"
	default_connect = "tcp://127.0.0.1:%p"
	hosts = [
	  { host = "fake0" },
	  { host = "fake1", bind = "tcp://127.0.0.1:$p1", connect = "tcp://127.0.0.1:$p1" },
	  { host = "fake[2-3]", parent = "fake1" },
	]
	EOF
	flux start $NORC --test-size=4 --test-hosts=fake[0-3] -c conf sh -c "
		flux getattr broker.boot-method &&
		flux getattr tbon.topo &&
		flux getattr hostlist &&
		flux getattr tbon.endpoint &&
		on-rank 3 flux getattr tbon.parent-endpoint &&
		on-rank 2 flux getattr hostname &&
		flux overlay status --no-pretty &&
		flux ping -c 1 3!broker | tail -1 | cut -d\" \" -f1" >boot.out &&
	cat >boot.expected <<-EOF &&
	config
	custom
	fake[0-3]
	tcp://127.0.0.1:$p0
	tcp://127.0.0.1:$p1
	fake2
	0 fake0: full
	1 fake1: full
	2 fake2: full
	3 fake3: full
	3!broker.ping
	EOF
	test_cmp boot.expected boot.out
'
test_expect_success 'a killed leaf restarted by hand joins its parent again' '
	test_expect_code 137 flux start $NORC --test-size=4 \
		--test-hosts=fake[0-3] -c conf sh -c "
		kill -9 \$(on-rank 3 flux getattr broker.pid) &&
		flux overlay status --wait=degraded --timeout=10s --summary &&
		{ $BROKER $NORC -Shostname=fake3 -c conf >leaf.log 2>&1 & } &&
		flux overlay status --wait=full --timeout=10s --summary &&
		flux ping -c 1 3!broker >/dev/null &&
		echo pinged" >leaf.out 2>leaf.err &&
	printf "degraded\nfull\npinged\n" >leaf.expected &&
	test_cmp leaf.expected leaf.out &&
	grep "rank 3 .* is unreachable: subtree lost" leaf.err
'
test_expect_success 'an interior broker killed: its subtree leaves; all rejoin' '
	test_expect_code 137 flux start $NORC --test-size=4 \
		--test-hosts=fake[0-3] -c conf sh -c "
		kill -9 \$(on-rank 1 flux getattr broker.pid) &&
		flux overlay status --wait=degraded --timeout=10s --summary &&
		for h in fake1 fake2 fake3; do
			$BROKER $NORC -Shostname=\$h -c conf >>mid.log 2>&1 &
		done
		flux overlay status --wait=full --timeout=20s --summary &&
		flux overlay status --no-pretty &&
		flux ping -c 1 3!broker >/dev/null &&
		echo pinged" >mid.out 2>mid.err &&
	cat >mid.expected <<-EOF &&
	degraded
	full
	0 fake0: full
	1 fake1: full
	2 fake2: full
	3 fake3: full
	pinged
	EOF
	test_cmp mid.expected mid.out &&
	grep "broker.crit\[2\]: lost connection to the parent" mid.err
'
test_expect_success 'a host name not in hosts fails start-up saying so' '
	test_expect_code 1 flux start $NORC -Shostname=stranger -c conf true \
		2>stranger.err &&
	grep "^flux-broker: Config file error \[bootstrap\]: stranger not found in hosts" \
		stranger.err
'
test_expect_success 'a key [bootstrap] does not know is refused' '
	mkdir badkey &&
	printf "[bootstrap]\nbogus = 1\n" >badkey/b.toml &&
	test_expect_code 1 flux start $NORC -c badkey true 2>badkey.err &&
	grep "^flux-broker: Config file error \[bootstrap\]: .*bogus" badkey.err
'
test_expect_success 'a certificate others may read is refused' '
	mkdir readable &&
	sed "s,$PWD/conf/curve.cert,$PWD/readable/curve.cert," \
		conf/bootstrap.toml >readable/bootstrap.toml &&
	cp conf/curve.cert readable/ &&
	chmod 644 readable/curve.cert &&
	test_expect_code 1 flux start $NORC -Shostname=fake0 -c readable true \
		2>readable.err &&
	grep "curve.cert: readable by group/other" readable.err
'
test_expect_success 'more than one broker needs curve_cert' '
	mkdir nocert &&
	grep -v curve_cert conf/bootstrap.toml >nocert/bootstrap.toml &&
	test_expect_code 1 flux start $NORC -Shostname=fake0 -c nocert true \
		2>nocert.err &&
	grep "curve_cert is required" nocert.err
'
test_expect_success 'a broker with children and no bind URI fails saying so' '
	mkdir nobind &&
	cat >nobind/bootstrap.toml <<-EOF &&
	[bootstrap]
	curve_cert = "$PWD/conf/curve.cert"
	hosts = [ { host = "fake0" }, { host = "fake1" } ]
	EOF
	test_expect_code 1 flux start $NORC -Shostname=fake0 -c nobind true \
		2>nobind.err &&
	grep "^flux-broker: bind URI is undefined for rank 0" nobind.err
'
test_expect_success 'a parent refuses the peers it should not admit' '
	p=$(free_port) &&
	two_hosts peer.d $p &&
	uri=tcp://127.0.0.1:$p &&
	{ $BROKER $NORC -Shostname=fake0 -c peer.d -Srundir=$PWD/peer.run \
		-Slog-stderr-level=6 sleep 60 >peer.log 2>&1 & } &&
	pid=$! &&
	for i in $(seq 50); do
		test "$($PEER stranger peer.d/curve.cert $uri)" = \
			disconnect && break
		sleep 0.2
	done &&
	$PEER stranger peer.d/curve.cert $uri >peer.out &&
	$PEER foreign peer.d/curve.cert $uri >>peer.out &&
	$PEER version peer.d/curve.cert $uri >>peer.out &&
	$PEER notchild peer.d/curve.cert $uri >>peer.out &&
	kill -9 $pid &&
	cat >peer.expected <<-EOF &&
	disconnect
	no answer
	22 client (0.40.0) version mismatched with server (0.88.0)
	22 rank 5 is not a child of rank 0: mismatched config?
	EOF
	test_cmp peer.expected peer.out &&
	grep "overlay auth: No access for key" peer.log &&
	grep "rank 1: client (0.40.0) version mismatched" peer.log
'
test_expect_success 'a child logs the events lost on its link, and leaves when its parent says DISCONNECT' '
	p=$(free_port) &&
	two_hosts child.d $p &&
	{ $PEER parent child.d/curve.cert tcp://127.0.0.1:$p >parent.out & } &&
	ppid=$! &&
	test_expect_code 1 timeout 30 $BROKER $NORC -Shostname=fake1 -c child.d \
		-Srundir=$PWD/child.run -Slog-stderr-level=6 >child.log 2>&1 &&
	wait $ppid &&
	printf "joined rank 1\ndisconnected\n" >parent.expected &&
	test_cmp parent.expected parent.out &&
	grep "broker.err\[1\]: lost event(s) 3-4" child.log &&
	grep "broker.crit\[1\]: tcp://127.0.0.1:$p (rank 0) sent disconnect control message" \
		child.log
'
test_expect_success '--test-hosts must name one host per broker' '
	test_expect_code 2 flux start --test-size=2 --test-hosts=a[0-2] true \
		2>hosts.err &&
	grep "test-hosts names 3 hosts for --test-size=2" hosts.err
'

test_done
