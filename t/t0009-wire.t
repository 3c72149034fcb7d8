#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='commands write what flux-core commands write

A fake broker records the bytes a command sends; they are compared with
captures of flux-core commands in $FLUX_VECTORS_DIR.'

. /usr/share/sharness/sharness.sh

test_require_vectors event-pub.client-to-broker.bin \
	event-pub.broker-to-client.bin logger.client-to-broker.bin \
	logger.broker-to-client.bin ping-broker.client-to-broker.bin \
	ping-broker.broker-to-client.bin ping-broker.output.txt capture.py

# A fake broker on ./fake.sock: accept one connection, write the bytes
# of REPLY (what flux-core's broker wrote in the capture: the auth byte,
# then any responses), and record all the client writes until EOF in
# FILE.  Usage: start_fake_broker REPLY FILE
start_fake_broker() {
	rm -f fake.sock &&
	{ flux python -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind('fake.sock')
s.listen(1)
c, _ = s.accept()
c.sendall(open(sys.argv[1], 'rb').read())
data = b''
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
open(sys.argv[2], 'wb').write(data)
" "$FLUX_VECTORS_DIR/$1" "$2" & } &&
	fake_pid=$! &&
	test_when_finished "kill $fake_pid 2>/dev/null || :" &&
	test_retry 100 test -S fake.sock
}

test_expect_success 'event pub sends the event message of flux-core, byte for byte' '
	start_fake_broker event-pub.broker-to-client.bin event-pub.bin &&
	FLUX_URI=local://$(pwd)/fake.sock \
		run_timeout 20 flux event pub vector.topic "{\"a\":1}" &&
	wait $fake_pid &&
	cmp "$FLUX_VECTORS_DIR/event-pub.client-to-broker.bin" event-pub.bin
'
test_expect_success 'logger sends attr.get rank, then log.append, as flux-core' '
	start_fake_broker logger.broker-to-client.bin logger.bin &&
	FLUX_URI=local://$(pwd)/fake.sock \
		run_timeout 20 flux logger -s info vector-hello &&
	wait $fake_pid &&
	flux python -c "
import re, struct, sys

def frames(data):
    while data:
        n = struct.unpack(\">I\", data[4:8])[0]
        yield data[8:8 + n]
        data = data[8 + n:]

def parts(frame):
    while frame:
        n, frame = frame[0], frame[1:]
        if n == 255:
            n, frame = struct.unpack(\">I\", frame[:4])[0], frame[4:]
        yield frame[:n]
        frame = frame[n:]

ours = list(frames(open(\"logger.bin\", \"rb\").read()))
ref = open(sys.argv[1], \"rb\").read()
theirs = list(frames(ref))
assert len(ours) == len(theirs) == 2, (ours, theirs)
assert ours[0] == theirs[0], (ours[0], theirs[0])
a, b = list(parts(ours[1])), list(parts(theirs[1]))
assert a[0] == b[0] == b\"\" and a[1] == b[1] == b\"log.append\", (a, b)
assert a[3] == b[3], (a[3], b[3])
pat = rb\"<48>1 \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z 0 logger \\d+ - - vector-hello\"
assert re.fullmatch(pat, a[2]), a[2]
assert re.fullmatch(pat, b[2]), b[2]
" "$FLUX_VECTORS_DIR/logger.client-to-broker.bin"
'
test_expect_success 'ping -c 1 broker sends and prints what flux-core ping does' '
	start_fake_broker ping-broker.broker-to-client.bin ping.bin &&
	FLUX_URI=local://$(pwd)/fake.sock \
		run_timeout 20 flux ping -c 1 broker >ping.out &&
	wait $fake_pid &&
	sed "s/time=[0-9.-]* ms/time=T ms/" ping.out >ping.cooked &&
	sed "s/time=[0-9.-]* ms/time=T ms/" \
		"$FLUX_VECTORS_DIR/ping-broker.output.txt" >ping.expected &&
	test_cmp ping.expected ping.cooked &&
	flux python -c "
import json, struct, sys

def frames(data):
    while data:
        n = struct.unpack(\">I\", data[4:8])[0]
        yield data[8:8 + n]
        data = data[8 + n:]

def parts(frame):
    while frame:
        n, frame = frame[0], frame[1:]
        if n == 255:
            n, frame = struct.unpack(\">I\", frame[:4])[0], frame[4:]
        yield frame[:n]
        frame = frame[n:]

ours = list(frames(open(\"ping.bin\", \"rb\").read()))
theirs = list(frames(open(sys.argv[1], \"rb\").read()))
assert len(ours) == len(theirs) == 2, (ours, theirs)
assert ours[0] == theirs[0], (ours[0], theirs[0])
a, b = list(parts(ours[1])), list(parts(theirs[1]))
assert a[1] == b[1] == b\"broker.ping\" and a[3] == b[3], (a, b)
pa = json.loads(a[2].rstrip(b\"\\0\"))
pb = json.loads(b[2].rstrip(b\"\\0\"))
assert sorted(pa) == sorted(pb) and pa[\"seq\"] == 0 and pa[\"pad\"] == \"\", pa
" "$FLUX_VECTORS_DIR/ping-broker.client-to-broker.bin"
'
# t/vectors/capture.py is how the captures are made: relaying our own
# flux event pub to our own broker, it records what flux-core's did.
test_expect_success 'capture.py records one connection in the captures format' '
	cat >capture.sh <<-EOF &&
	flux python "$FLUX_VECTORS_DIR/capture.py" "\${FLUX_URI#local://}" \\
		"\$PWD/relay.sock" again >relay.out &
	n=0
	until grep -q ready relay.out 2>/dev/null; do
		test \$n -lt 300 || exit 1
		sleep 0.1; n=\$((n + 1))
	done
	FLUX_URI="local://\$PWD/relay.sock" \\
		flux event pub vector.topic "{\"a\":1}" || exit 1
	wait \$!
	EOF
	run_timeout 60 flux start sh capture.sh &&
	cmp "$FLUX_VECTORS_DIR/event-pub.client-to-broker.bin" \
		again.client-to-broker.bin &&
	cmp "$FLUX_VECTORS_DIR/event-pub.broker-to-client.bin" \
		again.broker-to-client.bin
'
# Without its data a test fails, naming the file it could not read.
test_expect_success 'a sharness script without its captures fails, naming the file' '
	mkdir -p empty nested &&
	test_expect_code 1 env FLUX_VECTORS_DIR="$PWD/empty" \
		SHARNESS_TEST_DIRECTORY="$PWD/nested" \
		sh "$SHARNESS_TEST_SRCDIR/t0009-wire.t" >nodata.out 2>&1 &&
	grep "error: missing test data: $PWD/empty/event-pub.client-to-broker.bin" \
		nodata.out
'
test_expect_success 'the unit tests without their captures fail, naming the file' '
	test_must_fail env FLUX_VECTORS_DIR="$PWD/empty" \
		CMOCKA_MESSAGE_OUTPUT=TAP \
		"$FLUX_BUILD_DIR/libflux/test_vectors" >unit-nodata.out 2>&1 &&
	grep "$PWD/empty/attr-get.client-to-broker.bin: No such file or directory" \
		unit-nodata.out &&
	test_must_fail env FLUX_VECTORS_DIR="$PWD/empty" \
		CMOCKA_MESSAGE_OUTPUT=TAP \
		"$FLUX_BUILD_DIR/libflux/test_flog" >flog-nodata.out 2>&1 &&
	grep "cannot open $PWD/empty/logger.client-to-broker.bin" flog-nodata.out
'
test_done
