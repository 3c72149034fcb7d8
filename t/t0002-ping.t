#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux ping: output format, options, errors'

. /usr/share/sharness/sharness.sh

test_require_vectors ping-broker.output.txt

test_under_flux 1 minimal

# A reply line as flux-core prints it.
reply_re='^0!broker\.ping pad=0 seq=[0-9]* time=[0-9]*\.[0-9][0-9][0-9] ms ([0-9a-f!]*)$'

test_expect_success 'ping -c 1 broker prints the header and one reply' '
	flux ping -c 1 broker >ping.out &&
	test $(wc -l <ping.out) -eq 2 &&
	head -n 1 ping.out >header.out &&
	echo "flux-ping any!broker" >header.expected &&
	test_cmp header.expected header.out &&
	tail -n 1 ping.out | grep "$reply_re" &&
	tail -n 1 ping.out | grep " seq=0 "
'
test_expect_success 'ping -c 3 numbers the replies 0, 1, 2' '
	flux ping -i 0.01 -c 3 broker >ping3.out &&
	test $(grep -c "$reply_re" ping3.out) -eq 3 &&
	sed -n "2,4s/.* seq=\([0-9]*\) .*/\1/p" ping3.out >seq.out &&
	printf "0\n1\n2\n" >seq.expected &&
	test_cmp seq.expected seq.out
'
test_expect_success 'ping -i 0 sends without delay' '
	run_timeout 10 flux ping -i 0 -c 20 broker >fast.out &&
	test $(grep -c "$reply_re" fast.out) -eq 20
'
test_expect_success 'ping -i accepts a duration with units' '
	flux ping -i 10ms -c 2 broker >units.out &&
	test $(grep -c "$reply_re" units.out) -eq 2
'
test_expect_success 'ping -p N sends and checks N bytes of padding' '
	flux ping -p 1000 -c 1 broker >pad.out &&
	grep "^0!broker.ping pad=1000 seq=0 " pad.out
'
test_expect_success 'ping -u shows the userid and rolemask of the request' '
	flux ping -u -c 1 broker >userid.out &&
	grep "^0!broker.ping pad=0 userid=$(id -u) rolemask=0x5 seq=0 " userid.out
'
test_expect_success 'ping -b -c 3 sends all requests, then reads replies' '
	flux ping -b -i 0 -c 3 broker >batch.out &&
	test $(grep -c "$reply_re" batch.out) -eq 3
'
test_expect_success 'ping -b without -c is refused' '
	test_expect_code 1 flux ping -b broker 2>batch.err &&
	grep "^flux-ping: --batch should only be used with --count" batch.err
'
test_expect_success 'RANK!SERVICE and -r RANK target a rank' '
	flux ping -c 1 0!broker >bang.out &&
	flux ping -c 1 -r 0 broker >rank.out &&
	head -n 1 bang.out | grep "^flux-ping 0!broker$" &&
	head -n 1 rank.out | grep "^flux-ping 0!broker$" &&
	tail -n 1 rank.out | grep "$reply_re"
'
test_expect_success 'any!SERVICE is the default nodeid' '
	flux ping -c 1 any!broker >any.out &&
	head -n 1 any.out | grep "^flux-ping any!broker$"
'
test_expect_success 'a bare rank pings the broker service on it' '
	flux ping -c 1 0 >bare.out &&
	head -n 1 bare.out | grep "^flux-ping 0!broker$" &&
	tail -n 1 bare.out | grep "$reply_re"
'
test_expect_success '-r with RANK!SERVICE is refused' '
	test_expect_code 1 flux ping -r 0 0!broker 2>both.err &&
	grep "^flux-ping: --rank and TARGET both try to specify a nodeid" both.err
'
test_expect_success 'an invalid nodeid is refused' '
	test_expect_code 1 flux ping -c 1 foo!broker 2>nodeid.err &&
	grep "^flux-ping: invalid nodeid/host: .foo.$" nodeid.err
'
test_expect_success 'ping of an unknown service fails with the broker error' '
	test_expect_code 1 flux ping -c 1 nosuch >nosuch.out 2>nosuch.err &&
	echo "flux-ping: nosuch.ping: No service matching nosuch.ping is registered" \
		>nosuch.expected &&
	test_cmp nosuch.expected nosuch.err
'
test_expect_success 'bad option values are refused' '
	test_expect_code 1 flux ping -p -1 broker 2>pad.err &&
	grep "^flux-ping: pad must be >= 0" pad.err &&
	test_expect_code 1 flux ping -c x broker 2>count.err &&
	grep "^flux-ping: count must be >= 0" count.err &&
	test_expect_code 1 flux ping -i -1 broker 2>interval.err &&
	grep "^flux-ping: interval must be >= 0" interval.err
'
test_expect_success 'ping needs exactly one target' '
	test_expect_code 2 flux ping 2>notarget.err &&
	grep "^flux-ping: exactly one TARGET is required" notarget.err &&
	test_expect_code 2 flux ping broker broker
'
test_expect_success 'ping -c option without a value is a usage error' '
	test_expect_code 2 flux ping broker -c 2>noarg.err &&
	grep "^flux-ping: option .-c. requires an argument" noarg.err
'
test_expect_success 'ping --help lists its options' '
	flux ping --help >help.out &&
	for opt in rank pad interval count batch userid; do
		grep -- "--$opt" help.out || return 1
	done
'

#
# -i paces the requests
#
#
# flux ping -c / -i
#
# Seconds (float) COMMAND... takes to run; its output goes to elapsed.out.
elapsed() {
	flux python -c "
import subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=open(\"elapsed.out\", \"w\"))
print(\"%.3f\" % (time.monotonic() - t0))
sys.exit(rc)
" "$@"
}
test_expect_success 'ping -i SEC waits SEC between requests' '
	t=$(elapsed flux ping -c 3 -i 0.3 broker) &&
	test $(grep -c " seq=[012] time=" elapsed.out) -eq 3 &&
	flux python -c "import sys; sys.exit(not 0.6 <= float(sys.argv[1]) < float(sys.argv[2]))" \
		$t $(scaled_seconds 5)
'
test_expect_success 'ping without -i waits 1 s between requests' '
	t=$(elapsed flux ping -c 2 broker) &&
	flux python -c "import sys; sys.exit(not 1.0 <= float(sys.argv[1]) < float(sys.argv[2]))" \
		$t $(scaled_seconds 5)
'
test_expect_success 'ping -c 1 does not wait for the interval after the last reply' '
	t=$(elapsed flux ping -c 1 -i $(scaled_seconds 10) broker) &&
	flux python -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" \
		$t $(scaled_seconds 5)
'
test_expect_success 'ping reply lines have the fields of the flux-core capture' '
	flux ping -c 2 -i 0 broker >ping.out &&
	sed -e "s/time=[0-9]*\.[0-9][0-9][0-9] ms/time=T ms/" \
	    -e "s/([0-9a-f]\{8\}\(![0-9a-f]\{8\}\)*)$/(ROUTE)/" ping.out \
		>ping.cooked &&
	cat >ping.expected <<-EOF &&
	flux-ping any!broker
	0!broker.ping pad=0 seq=0 time=T ms (ROUTE)
	0!broker.ping pad=0 seq=1 time=T ms (ROUTE)
	EOF
	test_cmp ping.expected ping.cooked &&
	sed -e "s/time=[0-9]*\.[0-9][0-9][0-9] ms/time=T ms/" \
	    -e "s/([0-9a-f]\{8\}\(![0-9a-f]\{8\}\)*)$/(ROUTE)/" \
		"$FLUX_VECTORS_DIR/ping-broker.output.txt" >vector.cooked &&
	head -n 2 ping.expected >vector.expected &&
	test_cmp vector.expected vector.cooked
'
test_done
