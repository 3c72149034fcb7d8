#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
test_description='flux-broker: frames as they arrive on a client socket

The broker reads a client with a receive buffer that takes every frame
waiting in one read and keeps the bytes of a frame not yet whole.  Many
frames in one write, a frame cut into pieces, a frame over
broker.max-message-size behind good ones in the same write, and a
client that goes away with frames still unread by the broker: each is
handled as when frames came one at a time.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

sockpath=${FLUX_URI#local://}

# framing.py SOCKET STEP: one connection, one step, one line of output.
#   burst:N       N broker.ping requests (tags 1..N) in one write; "N ok
#                 in order" if every answer came, in order, without error
#   pieces:K      one broker.ping cut into writes of K bytes, 20 ms apart
#                 (K=1: byte by byte); "ok" if answered
#   leave:N:TAG   N log.append requests (no answer wanted) with texts
#                 TAG.1 .. TAG.N and half a frame, in one write, then
#                 close at once; "sent"
#   overlimit:N:TAG  the N log.append requests of leave, then a header
#                 announcing 2 MiB and 64 bytes of body, in one write;
#                 "closed" if the broker hangs up
test_expect_success 'create the raw client' '
	cp "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" . &&
	cat >framing.py <<-\EOF &&
	import json, struct, sys, time
	import rawwire
	from rawwire import encode

	REQUEST = 1

	def ping(tag):
	    return encode(REQUEST, "broker.ping", b"{}\0", aux2=tag)

	c = rawwire.Conn(sys.argv[1])
	assert c.auth == b"\0", "connection refused"
	what, *args = sys.argv[2].split(":")
	if what == "burst":
	    n = int(args[0])
	    c.send(b"".join(ping(i + 1) for i in range(n)))
	    tags = []
	    for i in range(n):
	        m = c.recv()
	        if m is None or m["aux1"] != 0:
	            break
	        tags.append(m["aux2"])
	    if tags == list(range(1, n + 1)):
	        print("%d ok in order" % n)
	    else:
	        print("%d answers, tags %s..." % (len(tags), tags[:20]))
	elif what == "pieces":
	    k = int(args[0])
	    frame = ping(7)
	    for i in range(0, len(frame), k):
	        c.send(frame[i:i + k])
	        time.sleep(0.02)
	    m = c.recv()
	    print("ok" if m is not None and m["aux1"] == 0 and m["aux2"] == 7
	          else "no answer")
	elif what in ("leave", "overlimit"):
	    n, tag = int(args[0]), args[1]
	    frames = [encode(REQUEST, "log.append",
	                     ("<13>1 - - framing - - - %s.%d" % (tag, i + 1))
	                     .encode(), aux2=0)
	              for i in range(n)]
	    if what == "leave":
	        c.send(b"".join(frames) + ping(1)[:15])
	        c.s.close()
	        print("sent")
	    else:
	        big = (rawwire.MAGIC + struct.pack(">I", 2 * 1024 * 1024)
	               + b"\0" * 64)
	        c.send(b"".join(frames) + big)
	        print("closed" if c.closed(10) else "open")
	EOF
	test -s framing.py
'
test_expect_success 'many frames in one write are all answered, in order' '
	$RAWPY framing.py $sockpath burst:5 >burst5.out &&
	echo "5 ok in order" >burst5.expected &&
	test_cmp burst5.expected burst5.out
'
test_expect_success 'more frames in one write than a turn and a buffer take' '
	$RAWPY framing.py $sockpath burst:2000 >burst2000.out &&
	echo "2000 ok in order" >burst2000.expected &&
	test_cmp burst2000.expected burst2000.out
'
test_expect_success 'a frame written byte by byte is answered' '
	$RAWPY framing.py $sockpath pieces:1 >pieces1.out &&
	echo ok >pieces.expected &&
	test_cmp pieces.expected pieces1.out
'
test_expect_success 'a frame split inside its header and its body is answered' '
	$RAWPY framing.py $sockpath pieces:5 >pieces5.out &&
	test_cmp pieces.expected pieces5.out
'
test_expect_success 'frames before one over max-message-size are taken' '
	flux setattr broker.max-message-size 1M &&
	$RAWPY framing.py $sockpath overlimit:30:before >over.out &&
	flux setattr broker.max-message-size 1G &&
	echo closed >over.expected &&
	test_cmp over.expected over.out &&
	flux dmesg >over.dmesg &&
	grep "message of 2097152 bytes is over broker.max-message-size (1048576)" \
		over.dmesg &&
	for i in $(seq 1 30); do
		grep -q "before\.$i\$" over.dmesg || { echo "missing $i"; return 1; }
	done
'
test_expect_success 'frames a client left behind when it went are all taken' '
	$RAWPY framing.py $sockpath leave:40:gone >leave.out &&
	echo sent >leave.expected &&
	test_cmp leave.expected leave.out &&
	for i in $(seq 1 40); do
		flux dmesg | grep -q "gone\.$i\$" || { echo "missing $i"; return 1; }
	done
'
test_expect_success 'the broker still answers after all of that' '
	flux ping -c 1 broker >/dev/null
'
test_done
