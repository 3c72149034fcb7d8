#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: limits, stated and enforced

Each limit is an attribute with a default.  A frame announcing more
than broker.max-message-size is refused from its header and the client
dropped; a client that sends requests and never reads the answers is
dropped at broker.client-queue-max; a module that does not read its
messages gets at most broker.module-queue-max of them, and requests
beyond that are answered EAGAIN; event subscriptions are bounded in
number and topic length.  Reaching a limit is logged, names who reached
it, and costs no other client anything.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

sockpath=${FLUX_URI#local://}
testmod="$FLUX_BUILD_DIR/t/module/testmod.so"

# limits.py SOCKET STEP...: one connection, each STEP in order, one line
# of output per step.  Steps:
#   flood:N:SIZE    send N broker.ping requests with SIZE bytes of padding
#                   and never read; "cut off after K" if the broker closed
#                   the connection after K of them, else "sent all N"
#   big:SIZE        send a frame header announcing SIZE bytes and 64
#                   bytes of body; "closed" if the broker closes the
#                   connection within 10 s, else "open"
#   ping:SIZE       broker.ping with SIZE bytes of padding; "ok" if the
#                   answer carries them back, else the errnum and text
#   sub:TOPIC       event.subscribe TOPIC ("TOPIC" may be @N: N bytes of
#                   "x"); "ok" or the errnum and text
#   subs:N          event.subscribe N topics lim.0 .. lim.N-1, then read
#                   the answers; "N ok" or the first error and its index
test_expect_success 'create the raw client' '
	cp "$SHARNESS_TEST_SRCDIR/lib/rawwire.py" . &&
	cat >limits.py <<-\EOF &&
	import json, struct, sys
	import rawwire
	from rawwire import encode

	REQUEST = 1

	def show(m):
	    if m is None:
	        return "no answer"
	    if m["aux1"] == 0:
	        return "ok"
	    text = (m["payload"] or b"").rstrip(b"\0").decode()
	    return "errnum=%d %s" % (m["aux1"], text)

	def request(topic, obj, tag):
	    body = json.dumps(obj).encode() + b"\0"
	    return encode(REQUEST, topic, body, aux2=tag)

	c = rawwire.Conn(sys.argv[1])
	assert c.auth == b"\0", "connection refused"
	for step in sys.argv[2:]:
	    what, *args = step.split(":")
	    if what == "flood":
	        n, size = int(args[0]), int(args[1])
	        frame = request("broker.ping", {"pad": "x" * size}, 1)
	        sent = 0
	        try:
	            for sent in range(n):
	                c.send(frame)
	            print("sent all %d" % n)
	        except (BrokenPipeError, ConnectionResetError):
	            print("cut off after %d" % sent)
	    elif what == "big":
	        size = int(args[0])
	        c.send(rawwire.MAGIC + struct.pack(">I", size) + b"\0" * 64)
	        print("closed" if c.closed(10) else "open")
	    elif what == "ping":
	        pad = "x" * int(args[0])
	        c.send(request("broker.ping", {"pad": pad}, 1))
	        m = c.recv()
	        if m is not None and m["aux1"] == 0:
	            out = json.loads(m["payload"].rstrip(b"\0"))
	            print("ok" if out["pad"] == pad else "wrong payload")
	        else:
	            print(show(m))
	    elif what == "sub":
	        topic = args[0]
	        if topic.startswith("@"):
	            topic = "x" * int(topic[1:])
	        c.send(request("event.subscribe", {"topic": topic}, 1))
	        print(show(c.recv()))
	    elif what == "subs":
	        n = int(args[0])
	        for i in range(n):
	            c.send(request("event.subscribe", {"topic": "lim.%d" % i},
	                           i + 1))
	        answers = {}
	        for i in range(n):
	            m = c.recv()
	            answers[m["aux2"]] = m
	        bad = [t for t in sorted(answers) if answers[t]["aux1"] != 0]
	        if bad:
	            print("#%d: %s" % (bad[0], show(answers[bad[0]])))
	        else:
	            print("%d ok" % n)
	EOF
	test -s limits.py
'

#
# The attributes
#
test_expect_success 'each limit has its documented default' '
	cat >defaults.expected <<-EOF &&
	broker.max-message-size=1G
	broker.client-queue-max=64M
	broker.module-queue-max=65536
	broker.max-subscriptions=1024
	broker.max-topic-length=1024
	EOF
	for a in broker.max-message-size broker.client-queue-max \
		broker.module-queue-max broker.max-subscriptions \
		broker.max-topic-length; do
		echo "$a=$(flux getattr $a)" || return 1
	done >defaults.out &&
	test_cmp defaults.expected defaults.out
'
test_expect_success 'a limit takes a count with a K, M or G suffix' '
	flux setattr broker.client-queue-max 2K &&
	test "$(flux getattr broker.client-queue-max)" = 2K &&
	flux setattr broker.client-queue-max 64M
'
test_expect_success 'a limit refuses 0, junk, a bad suffix and removal' '
	for v in 0 " 5" x 12Q 1.5M ""; do
		test_must_fail flux setattr broker.client-queue-max "$v" \
			2>bad.err || return 1
		grep "invalid value for attribute" bad.err || return 1
	done &&
	test_must_fail flux setattr broker.max-message-size 2G &&
	test_must_fail flux setattr -e broker.client-queue-max &&
	test "$(flux getattr broker.client-queue-max)" = 64M &&
	test "$(flux getattr broker.max-message-size)" = 1G
'
test_expect_success 'a bad limit on the command line stops the broker' '
	test_must_fail flux start -Sbroker.max-subscriptions=none \
		-Sbroker.rc1_path= -Sbroker.rc3_path= true 2>cmdline.err &&
	grep "broker.max-subscriptions=none: Invalid argument" cmdline.err
'

#
# broker.max-message-size
#
test_expect_success 'a frame over max-message-size: dropped from its header' '
	flux setattr broker.max-message-size 1M &&
	$RAWPY limits.py $sockpath big:2097152 >big.out &&
	echo closed >big.expected &&
	test_cmp big.expected big.out &&
	flux dmesg >big.dmesg &&
	grep -E "dropping client [0-9a-f-]{36} \(uid $(id -u)\): message of 2097152 bytes is over broker.max-message-size \(1048576\)" big.dmesg
'
test_expect_success 'a message under the limit still goes through' '
	$RAWPY limits.py $sockpath ping:900000 >under.out &&
	echo ok >under.expected &&
	test_cmp under.expected under.out
'
test_expect_success 'at the default, a 2 MiB message goes through' '
	flux setattr broker.max-message-size 1G &&
	$RAWPY limits.py $sockpath ping:2097152 >default.out &&
	echo ok >default.expected &&
	test_cmp default.expected default.out
'
test_expect_success 'the refused frame cost nothing: the broker answers' '
	flux ping --count=2 broker >big-ping.out &&
	test $(grep -c "^0!broker\.ping" big-ping.out) -eq 2
'

#
# broker.client-queue-max
#
broker_rss_kb() {
	awk "/^VmRSS:/ { print \$2 }" /proc/$(flux getattr broker.pid)/status
}
test_expect_success 'a client that never reads its answers is cut off' '
	flux setattr broker.client-queue-max 1M &&
	broker_rss_kb >rss.before &&
	run_bg $RAWPY limits.py $sockpath flood:20000:4096 >flood.out &&
	flux ping --count=3 --interval=0.1 broker >flood-ping.out &&
	wait $(cat bg.pid) &&
	grep "^cut off after [0-9]*$" flood.out &&
	test $(grep -c "^0!broker\.ping" flood-ping.out) -eq 3
'
test_expect_success 'the log names the client, its queue and the limit' '
	flux dmesg >flood.dmesg &&
	grep -E "dropping client [0-9a-f-]{36} \(uid $(id -u)\): [0-9]+ bytes queued for it and not read, over broker.client-queue-max \(1048576\)" flood.dmesg
'
test_expect_success 'the broker did not keep what it had queued for it' '
	broker_rss_kb >rss.after &&
	echo "RSS before $(cat rss.before) kB, after $(cat rss.after) kB" &&
	test $(cat rss.after) -lt \
		$(($(cat rss.before) + 32768 + 2 * ${FLUX_TEST_ASAN_QUARANTINE_KB:-0}))
'
test_expect_success 'a client that reads is not cut off at the limit' '
	$RAWPY limits.py $sockpath ping:4096 ping:900000 ping:4096 >reader.out &&
	printf "ok\nok\nok\n" >reader.expected &&
	test_cmp reader.expected reader.out &&
	flux setattr broker.client-queue-max 64M
'

#
# broker.module-queue-max
#
# While testmod sleeps in one request, more wait in its channel.
test_expect_success 'a module that is not reading: past the limit, EAGAIN' '
	flux module load "$testmod" &&
	flux setattr broker.module-queue-max 5 &&
	flux python -c "
import errno, flux
h = flux.Flux()
h.rpc(\"testmod.sleep\", {\"seconds\": 2}).get()
futures = [h.rpc(\"testmod.hello\") for i in range(12)]
ok, again = 0, 0
for f in futures:
    try:
        f.get()
        ok += 1
    except OSError as e:
        assert e.errno == errno.EAGAIN, e
        assert \"module testmod is not reading its messages\" in e.strerror, e
        again += 1
print(ok, again)
" >modq.out &&
	echo "5 7" >modq.expected &&
	test_cmp modq.expected modq.out
'
test_expect_success 'the module queue is logged once, naming the module' '
	flux dmesg >modq.dmesg &&
	test $(grep -c "module testmod: [0-9]* messages queued and not read, at broker.module-queue-max (5)" modq.dmesg) -eq 1
'
test_expect_success 'once it reads again the module is served as before' '
	flux python -c "
import flux
print(flux.Flux().rpc(\"testmod.hello\").get()[\"name\"])
" >modq2.out &&
	echo testmod >modq2.expected &&
	test_cmp modq2.expected modq2.out &&
	flux setattr broker.module-queue-max 65536 &&
	flux module remove testmod
'

#
# Event subscriptions
#
test_expect_success 'a connection past max-subscriptions gets ENOSPC' '
	flux setattr broker.max-subscriptions 10 &&
	$RAWPY limits.py $sockpath subs:12 >subs.out &&
	echo "#11: errnum=28 too many event subscriptions: at most 10 per connection (broker.max-subscriptions)" >subs.expected &&
	test_cmp subs.expected subs.out
'
test_expect_success 'up to the limit, and the same topic again, are fine' '
	$RAWPY limits.py $sockpath subs:10 sub:lim.3 sub:lim.3 >subs10.out &&
	printf "10 ok\nok\nok\n" >subs10.expected &&
	test_cmp subs10.expected subs10.out &&
	flux setattr broker.max-subscriptions 1024
'
test_expect_success 'a topic over max-topic-length is refused with EINVAL' '
	$RAWPY limits.py $sockpath sub:@1024 sub:@1025 sub:@1048576 >long.out &&
	cat >long.expected <<-EOF &&
	ok
	errnum=22 subscription topic is 1025 bytes, more than broker.max-topic-length (1024)
	errnum=22 subscription topic is 1048576 bytes, more than broker.max-topic-length (1024)
	EOF
	test_cmp long.expected long.out
'
test_expect_success 'with many subscriptions, events still match by prefix' '
	flux python -c "
import flux
h = flux.Flux()
for i in range(1000):
    h.event_subscribe(\"lim.%d\" % i)
h.event_subscribe(\"lim.long.prefix.\")
h.event_unsubscribe(\"lim.7\")
for t in [\"lim.7\", \"other.1\", \"lim.4990\", \"lim.\", \"lim.long.prefix.x\",
          \"lim.long.prefix\", \"lim.70\", \"lim.999\", \"end\"]:
    h.event_send(t)
h.event_subscribe(\"end\")
h.event_send(\"end\")
while True:
    topic = h.event_recv().topic
    print(topic)
    if topic == \"end\":
        break
" >match.out &&
	cat >match.expected <<-EOF &&
	lim.4990
	lim.long.prefix.x
	lim.70
	lim.999
	end
	EOF
	test_cmp match.expected match.out
'

# A guest: a broker whose initial program runs commands as uid 65534
# (run_guest_broker, t/sharness.d).
test_otheruid_prereq /usr/bin/python3
test_expect_success OTHERUID 'a guest is held to the same limits' '
	run_guest_broker limits.py "\$G \$P \$S subs:6 sub:@300 && \$P \$S subs:6" \
		-Sbroker.max-subscriptions=5 -Sbroker.max-topic-length=256 \
		>guest.out &&
	cat >guest.expected <<-EOF &&
	#6: errnum=28 too many event subscriptions: at most 5 per connection (broker.max-subscriptions)
	errnum=22 subscription topic is 300 bytes, more than broker.max-topic-length (256)
	#6: errnum=28 too many event subscriptions: at most 5 per connection (broker.max-subscriptions)
	EOF
	test_cmp guest.expected guest.out
'
test_expect_success OTHERUID 'a guest that never reads is cut off, by uid' '
	run_guest_broker limits.py "\$G \$P \$S flood:20000:4096 && \
		flux ping --count=1 broker >/dev/null && \
		flux dmesg | grep -c \"dropping client .* (uid 65534): .* over broker.client-queue-max (1048576)\"" \
		-Sbroker.client-queue-max=1M >guestflood.out &&
	grep "^cut off after" guestflood.out &&
	tail -1 guestflood.out >guestflood.count &&
	echo 1 >guestflood.expected &&
	test_cmp guestflood.expected guestflood.count
'

test_done
