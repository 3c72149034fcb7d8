#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Limits and errors at their exact boundary

Behaviour that the other scripts test only well past a limit, or not
at all, so that a limit off by one, a condition flipped or an errno
changed passed every test (the entries of scripts/mutations-c.txt each
test names).
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module

# state_of NAME: the S column of NAME in flux module list.
state_of() {
	flux module list | awk -v n="$1" '$1 == n {print $3}'
}

# held-queue-max: a module waiting to be restarted holds as many
# requests as broker.module-queue-max, and answers the next EAGAIN.
# failing.py --run-oserror fails on its own (no client of it, so no
# disconnect of one is held too).
test_expect_success 'a restarting module holds broker.module-queue-max requests, no more' '
	flux setattr broker.module-queue-max 3 &&
	flux setattr broker.module-restart-delay 30 &&
	test_when_finished "flux setattr broker.module-queue-max 65536; flux setattr broker.module-restart-delay 0.5" &&
	flux module load --on-failure=restart $M/failing.py --run-oserror &&
	test_retry 100 eval "test \"\$(state_of failing)\" = X" &&
	flux python -c "
import flux
h = flux.Flux()
fs = [h.rpc(\"failing.anything\", {}) for i in range(4)]
h.rpc(\"module.remove\", {\"name\": \"failing\"}).get()
for f in fs:
    try:
        f.get()
        print(\"answered\")
    except OSError as e:
        print(e.errno, e.strerror)
" >held.out &&
	cat held.out &&
	cat >held.expected <<-EOF &&
	38 module failing was removed while restarting
	38 module failing was removed while restarting
	38 module failing was removed while restarting
	11 module failing is restarting and holds 3 requests already
	EOF
	test_cmp held.expected held.out
'

# remove-restarting-errno: module.debug (defer) of a module that is down
# fails EAGAIN, the errno of "try again", and one that is not loaded
# ENOENT.
test_expect_success 'module.debug of a module waiting to restart: EAGAIN' '
	flux setattr broker.module-restart-delay 30 &&
	test_when_finished "flux setattr broker.module-restart-delay 0.5" &&
	flux module load --on-failure=restart $M/failing.py --run-oserror &&
	test_retry 100 eval "test \"\$(state_of failing)\" = X" &&
	flux python -c "
import flux
h = flux.Flux()
for name in [\"failing\", \"nosuchmodule\"]:
    try:
        h.rpc(\"module.debug\", {\"name\": name, \"defer\": True}).get()
        print(\"answered\")
    except OSError as e:
        print(e.errno, e.strerror)
" >debug.out &&
	flux module remove failing &&
	cat >debug.expected <<-EOF &&
	11 module failing is restarting
	2 module nosuchmodule is not loaded
	EOF
	test_cmp debug.expected debug.out
'

# event-seq-from-zero: a broker's first event is seq 1, as flux-core's.
test_expect_success 'the first event of a new instance has seq 1' '
	flux start -Sbroker.rc1_path= -Sbroker.rc3_path= \
		flux event pub -s t0102.first >first.out &&
	echo seq=1 >first.expected &&
	test_cmp first.expected first.out
'

# subscribe-no-count: a topic subscribed twice stays subscribed after one
# unsubscribe.
test_expect_success 'subscribed twice, unsubscribed once: still subscribed' '
	flux python -c "
import flux
h = flux.Flux()
h.event_subscribe(\"t0102.twice\")
h.event_subscribe(\"t0102.twice\")
h.event_unsubscribe(\"t0102.twice\")
h.event_subscribe(\"t0102.end\")
h.event_send(\"t0102.twice\")
h.event_send(\"t0102.end\")
print(h.event_recv().topic)
" >twice.out &&
	echo t0102.twice >twice.expected &&
	test_cmp twice.expected twice.out
'

# guest-cred-not-forced: a guest's request carries the guest's
# credentials, whatever the message it wrote says (here: uid 0, the
# owner role): uid 65534, user and local (6).  broker.ping echoes the
# credentials it was sent with.
cat >forged.py <<'EOF'
import json
import sys

import rawwire

c = rawwire.Conn(sys.argv[1])
c.send(rawwire.encode(1, "broker.ping",
                      json.dumps({"seq": 1, "pad": ""}).encode() + b"\0",
                      userid=0, rolemask=1, aux2=7))
m = c.recv()
if m["aux1"] != 0:
    print("errnum", m["aux1"])
else:
    p = json.loads(m["payload"].rstrip(b"\0"))
    print("userid", p["userid"], "rolemask", p["rolemask"])
EOF
test_otheruid_prereq /usr/bin/python3
test_expect_success OTHERUID 'a guest cannot claim uid 0 and the owner role' '
	run_guest_broker forged.py "\$G \$P \$S" >forged.out &&
	echo "userid 65534 rolemask 6" >forged.expected &&
	test_cmp forged.expected forged.out
'

test_done
