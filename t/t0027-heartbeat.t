#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The heartbeat module and flux_sync_create

heartbeat (a Python module, loaded by name) publishes heartbeat.pulse
through the broker each period; a flux_sync_create future follows it.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

test_expect_success 'heartbeat loads by name with a period' '
	flux module load heartbeat period=0.1s &&
	module_is_loaded heartbeat
'
test_expect_success 'heartbeat.pulse events arrive, sequence numbers rising' '
	run_timeout 60 flux python -c "
import os
import flux
from flux.constants import FLUX_MSGTYPE_EVENT
h = flux.Flux()
h.event_subscribe(\"heartbeat.pulse\")
seqs = [h.recv(FLUX_MSGTYPE_EVENT, topic_glob=\"heartbeat.pulse\").seq
        for _ in range(3)]
assert seqs == sorted(set(seqs)), seqs
print(len(seqs))
" >pulses.out &&
	echo 3 >pulses.expected &&
	test_cmp pulses.expected pulses.out
'
test_expect_success 'a flux_sync_create future is fulfilled at each pulse' '
	run_timeout 60 flux python -c "
import os
import flux
from flux.future import Future
h = flux.Flux()
f = Future(h.flux_sync_create(0.0), flux_handle=h)
seen = []
def cb(f):
    f.get()
    seen.append(1)
    f.reset()
    if len(seen) == 3:
        h.reactor_stop()
f.then(cb, timeout=30.0 * float(os.environ[\"FLUX_TEST_TIMEOUT_FACTOR\"]))
h.reactor_run()
f.destroy()
print(len(seen))
" >sync.out &&
	echo 3 >sync.expected &&
	test_cmp sync.expected sync.out
'
test_expect_success 'with a minimum longer than the period, pulses are skipped' '
	run_timeout 60 flux python -c "
import os
import time
import flux
from flux.future import Future
h = flux.Flux()
f = Future(h.flux_sync_create(0.5), flux_handle=h)
times = []
def cb(f):
    times.append(time.monotonic())
    f.reset()
    if len(times) == 3:
        h.reactor_stop()
f.then(cb, timeout=30.0 * float(os.environ[\"FLUX_TEST_TIMEOUT_FACTOR\"]))
h.reactor_run()
f.destroy()
gaps = [b - a for a, b in zip(times, times[1:])]
assert all(g >= 0.45 for g in gaps), gaps
print(\"ok\")
" >min.out &&
	echo ok >min.expected &&
	test_cmp min.expected min.out
'
test_expect_success 'remove heartbeat' '
	flux module remove heartbeat
'
test_expect_success 'a period that is not an FSD fails the load, saying why' '
	test_must_fail flux module load heartbeat period=soon 2>bad.err &&
	grep "period: error parsing FSD: .soon." bad.err &&
	test_must_fail module_is_loaded heartbeat
'
test_expect_success 'a period of zero fails the load' '
	test_must_fail flux module load heartbeat period=0 2>zero.err &&
	grep "period must be a positive FSD value" zero.err
'
test_expect_success 'an unknown argument fails the load' '
	test_must_fail flux module load heartbeat speed=fast 2>arg.err &&
	grep "speed=fast: unknown option" arg.err
'
test_done
