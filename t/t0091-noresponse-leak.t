#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='NORESPONSE requests do not grow the broker

A request sent with the NORESPONSE flag is answered by not answering.
The handler still builds its reply (attr.list a list of names,
module.list a list of modules) and hands it to flux_respond_pack, which
must free it although it sends nothing.  Any client, a guest too, may
send such requests: tens of thousands of them must leave the broker the
size it was.

Also here: a synchronous wait keeps no file descriptor once it has its
result, so a client may keep thousands of finished RPC futures.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

rss_kb() {
	sed -n "s/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p" \
		/proc/$(flux getattr broker.pid)/status
}

# flood TOPIC COUNT: send COUNT NORESPONSE requests to TOPIC, then one
# ordinary request, answered only after the broker has handled the
# others (one connection is served in order).
flood() {
	flux python -c '
import sys, flux
from flux.constants import FLUX_RPC_NORESPONSE
h = flux.Flux()
for _ in range(int(sys.argv[2])):
    h.rpc(sys.argv[1], flags=FLUX_RPC_NORESPONSE)
h.rpc(sys.argv[1]).get()
' "$@"
}

# check_growth TOPIC: warm up, then flood 20000 and bound the growth.
# Measured with the leak (20000 requests): attr.list +46 MB,
# module.list with two modules loaded +55 MB.  Without it: +0.1 MB.  In an
# AddressSanitizer build freed memory waits in a quarantine that counts
# in RSS: t/meson.build bounds it and passes its size on.
# N.B. in an ASan build, freed memory waits in the quarantine and the
# allocator keeps caches of its own: measured, 25 MB of growth for
# attr.list with a 16 MB quarantine and no leak (LeakSanitizer checks the
# broker at exit).  The leak this catches grew 46 MB without ASan, more
# with its redzones, so twice the quarantine still tells them apart.
check_growth() {
	flood $1 2000 &&
	before=$(rss_kb) &&
	flood $1 20000 &&
	after=$(rss_kb) &&
	echo "$1: broker RSS before $before kB, after $after kB" &&
	test $((after - before)) -lt $((8192 + 2 * ${FLUX_TEST_ASAN_QUARANTINE_KB:-0}))
}

test_expect_success 'NORESPONSE requests reach the handler (it still answers after)' '
	flood attr.list 10
'
test_expect_success '20000 NORESPONSE attr.list requests: the broker does not grow' '
	check_growth attr.list
'
# With modules loaded, each module.list reply lists them.
test_expect_success 'load two modules' '
	flux module load content &&
	flux module load heartbeat period=1h
'
test_expect_success '20000 NORESPONSE module.list requests: the broker does not grow' '
	check_growth module.list
'
test_expect_success 'remove the modules' '
	flux module remove heartbeat &&
	flux module remove content
'

# A future waited on synchronously kept its private reactor, and the
# reactor an epoll descriptor, until the future was freed: past about a
# thousand kept futures the process ran out of descriptors.
test_expect_success 'a client keeps 5000 finished RPC futures (ulimit -n 1024)' '
	cat >keep.py <<-\EOF &&
	import os, flux
	h = flux.Flux()
	before = len(os.listdir("/proc/self/fd"))
	kept = []
	for _ in range(5000):
	    f = h.rpc("attr.get", {"name": "rank"})
	    f.get()
	    kept.append(f)
	after = len(os.listdir("/proc/self/fd"))
	print(f"descriptors before {before}, after {after}")
	assert after - before < 8, (before, after)
	# each answer is still there
	assert all(f.get()["value"] == "0" for f in kept)
	EOF
	(ulimit -n 1024 && flux python keep.py >fds.out) &&
	cat fds.out
'

test_done
