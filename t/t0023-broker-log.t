#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: the log ring buffer and its sinks

log.append lines from clients, modules and the broker itself land in one
ring (log-ring-size, filtered by log-level), and on stderr and in
log-filename; log.dmesg reads the ring and follows it.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

broker="$FLUX_BUILD_DIR/broker/flux-broker"

test_expect_success 'a logged line is kept in the ring, as flux dmesg shows' '
	flux logger -s notice -n mytest hello-ring &&
	flux dmesg >dmesg.out &&
	grep "^[0-9-]*T[0-9:.]*Z mytest.notice\[0\]: hello-ring$" dmesg.out
'
test_expect_success 'the broker logs through the same ring, as "broker"' '
	grep " broker.debug\[0\]: broker .* listening on local://" dmesg.out
'
test_expect_success 'log.clear empties the ring' '
	flux dmesg -C &&
	flux dmesg >cleared.out &&
	test_must_fail grep hello-ring cleared.out
'
test_expect_success 'log-ring-size keeps the newest entries' '
	flux setattr log-ring-size 3 &&
	for i in 1 2 3 4 5; do flux logger line$i || return 1; done &&
	flux dmesg | sed "s/.*: //" >ring.out &&
	printf "line3\nline4\nline5\n" >ring.expected &&
	test_cmp ring.expected ring.out &&
	flux setattr log-ring-size 1024
'
test_expect_success 'log-level filters what the ring keeps' '
	flux dmesg -C &&
	flux setattr log-level 4 &&
	flux logger -s info not-kept &&
	flux logger -s warning kept &&
	flux setattr log-level 7 &&
	flux dmesg >level.out &&
	grep "logger.warning\[0\]: kept$" level.out &&
	test_must_fail grep not-kept level.out
'
test_expect_success 'log levels must be 0 to 7' '
	test_must_fail flux setattr log-level 8 &&
	test_must_fail flux setattr log-stderr-level x &&
	test "$(flux getattr log-level)" = 7
'
test_expect_success 'log.setattr sets log attributes only' '
	flux python -c "
import flux
h = flux.Flux()
h.rpc(\"log.setattr\", {\"name\": \"log-ring-size\", \"value\": \"77\"}).get()
print(h.attr_get(\"log-ring-size\"))
try:
    h.rpc(\"log.setattr\", {\"name\": \"rank\", \"value\": \"1\"}).get()
except OSError as e:
    print(e.errno, e.strerror)
h.rpc(\"log.setattr\", {\"name\": \"log-ring-size\", \"value\": \"1024\"}).get()
" >setattr.out &&
	cat >setattr.expected <<-EOT &&
	77
	22 not a log attribute
	EOT
	test_cmp setattr.expected setattr.out
'
test_expect_success 'log.stats-get counts entries' '
	flux python -c "
import flux
print(sorted(flux.Flux().rpc(\"log.stats-get\").get()))
" >stats.out &&
	echo "[${SQ}count${SQ}, ${SQ}ring-used${SQ}]" >stats.expected &&
	test_cmp stats.expected stats.out
'
test_expect_success 'log.dmesg requires a streaming request' '
	flux python -c "
import flux
try:
    flux.Flux().rpc(\"log.dmesg\", {\"follow\": False}).get()
except OSError as e:
    print(e.errno)
" >nostream.out &&
	echo 71 >nostream.expected &&
	test_cmp nostream.expected nostream.out
'
test_expect_success 'log.dmesg streams one raw line per response, then ENODATA' '
	flux dmesg -C &&
	flux logger -s err one &&
	flux logger -s err two &&
	flux python -c "
import flux
from flux.constants import FLUX_RPC_STREAMING
f = flux.Flux().rpc(\"log.dmesg\", {\"follow\": False}, flags=FLUX_RPC_STREAMING)
while True:
    try:
        print(f.get_str().split(\" \", 1)[0])
    except OSError as e:
        print(\"end\", e.errno)
        break
    f.reset()
" >stream.out &&
	printf "<24>1\n<24>1\nend 61\n" >stream.expected &&
	test_cmp stream.expected stream.out
'
test_expect_success 'a follower gets new lines until it cancels' '
	flux python -c "
import flux
from flux.constants import FLUX_RPC_STREAMING
h = flux.Flux()
f = h.rpc(\"log.dmesg\", {\"follow\": True, \"nobacklog\": True},
          flags=FLUX_RPC_STREAMING)
h2 = flux.Flux()
h2.log(3, \"followed-1\")
print(f.get_str().endswith(\"followed-1\"))
f.reset()
h2.log(3, \"followed-2\")
print(f.get_str().endswith(\"followed-2\"))
f.reset()
h.rpc(\"log.cancel\", {\"matchtag\": f.get_matchtag()}, flags=1)
try:
    f.get_str()
except OSError as e:
    print(\"end\", e.errno)
" >follow.out &&
	printf "True\nTrue\nend 61\n" >follow.expected &&
	test_cmp follow.expected follow.out
'
test_expect_success 'a follower that goes away is forgotten' '
	flux python -c "
import flux
from flux.constants import FLUX_RPC_STREAMING
h = flux.Flux()
f = h.rpc(\"log.dmesg\", {\"follow\": True}, flags=FLUX_RPC_STREAMING)
f.get_str()
" &&
	flux logger after-follower &&
	flux dmesg | grep after-follower
'
test_expect_success 'log lines from a guest are refused' '
	FLUX_HANDLE_USERID=1234 FLUX_HANDLE_ROLEMASK=2 \
		flux logger -s err guest-line &&
	flux logger marker &&
	flux dmesg >guest.out &&
	grep marker guest.out &&
	test_must_fail grep guest-line guest.out
'
test_expect_success 'stderr gets lines at log-stderr-level and critical ones' '
	"$broker" -Slog-stderr-level=3 sh -c "flux logger -s err to-stderr; \
		flux logger -s warning not-stderr; \
		flux setattr log-stderr-level 0; \
		flux logger -s crit critical-line; \
		flux logger -s err now-hidden" 2>stderr.out &&
	grep "logger.err\[0\]: to-stderr$" stderr.out &&
	grep "logger.crit\[0\]: critical-line$" stderr.out &&
	test_must_fail grep not-stderr stderr.out &&
	test_must_fail grep now-hidden stderr.out
'
test_expect_success 'log-filename gets every line' '
	"$broker" -Slog-filename="$(pwd)/file.log" -Slog-stderr-level=0 \
		flux logger -s debug to-file 2>nostderr.out &&
	grep "logger.debug\[0\]: to-file$" file.log &&
	grep "broker.debug\[0\]: broker .* listening" file.log &&
	test_must_fail grep to-file nostderr.out
'
test_expect_success 'the ring keeps 1024 entries by default' '
	"$broker" sh -c "flux dmesg -C; \
		for i in \$(seq 1 1030); do echo line\$i; done | \
		flux python -c \"import flux, sys; h = flux.Flux(); \
		[h.log(5, l.strip()) for l in sys.stdin]; \
		h.rpc(\\\"attr.get\\\", {\\\"name\\\": \\\"rank\\\"}).get()\"; \
		flux dmesg" >big.out &&
	test $(grep -c "notice\[0\]: line" big.out) -eq 1024 &&
	grep ": line1030$" big.out &&
	test_must_fail grep ": line6$" big.out
'

test_expect_success 'a client killed while it follows the log' '
	run_bg flux dmesg -f >follow.out &&
	flux logger marker-before-kill &&
	test_retry 300 grep -q marker-before-kill follow.out &&
	kill -9 $(cat bg.pid) &&
	flux logger marker-after-kill &&
	flux dmesg | grep marker-after-kill
'
test_done
