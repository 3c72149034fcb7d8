#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='Python broker modules: request and event handlers

"Using BrokerModule" in the Python broker module guide: handler topics
and the module-name prefix, prefix=False, event handlers, handlers
inherited from base classes, the handle property, and access control
(owner only by default, allow_guest=True).  Guests are simulated with
FLUX_HANDLE_USERID and FLUX_HANDLE_ROLEMASK (the owner forges the
credentials of its requests; rolemask 2 is FLUX_ROLE_USER).
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

M=$SHARNESS_TEST_SRCDIR/module



test_expect_success 'handler topics are prefixed with the module name' '
	flux module load $M/noprefix.py &&
	rpc noprefix.hello >prefixed.out &&
	jq -e ".topic == \"noprefix.hello\" and .prefixed == true" prefixed.out
'
test_expect_success 'prefix=False: the topic is used as-is' '
	rpc npsvc.hello >raw.out &&
	jq -e ".topic == \"npsvc.hello\" and .prefixed == false" raw.out &&
	test_must_fail rpc noprefix.npsvc.hello 2>raw.err &&
	grep "^38: " raw.err
'
test_expect_success 'an event with the prefixed topic does not match prefix=False' '
	flux event pub noprefix.np-stop &&
	rpc noprefix.hello
'
test_expect_success 'an event handler with prefix=False gets the bare topic' '
	flux event pub np-stop &&
	test_retry 50 eval "! module_is_loaded noprefix" &&
	flux dmesg | grep "noprefix.info\[0\]: np-stop event: stopping" &&
	! flux dmesg | grep "noprefix module runtime failure"
'
test_expect_success 'the services a module registered go away with it' '
	test_must_fail rpc npsvc.hello 2>gone.err &&
	grep "^38: No service matching npsvc.hello is registered" gone.err
'
test_expect_success 'event handlers receive the events they subscribed to' '
	flux module load $M/events.py &&
	flux event pub events.ping-ev "{\"n\": 1}" &&
	flux event pub other-ev "{\"n\": 2}" &&
	flux event pub global-ev "{\"n\": 3}" &&
	flux event pub events.ping-ev-not "{\"n\": 4}" &&
	test_retry 50 eval "rpc events.received | jq -e \".events | length == 2\"" &&
	rpc events.received | jq -c ".events[] | [.[0], (.[1] | fromjson | .n)]" \
		>events.out &&
	cat >events.expected <<-\EOT &&
	["events.ping-ev",1]
	["global-ev",3]
	EOT
	test_cmp events.expected events.out
'
test_expect_success 'the spec example: a "shutdown" event handler stops the module' '
	flux event pub shutdown &&
	test_retry 50 eval "! module_is_loaded events"
'
test_expect_success 'handlers are inherited from base classes' '
	flux module load $M/inherit.py &&
	rpc inherit.base | jq -e ".from == \"Common\"" &&
	rpc inherit.child | jq -e ".from == \"Child\"" &&
	rpc inherit.override | jq -e ".from == \"Child\"" &&
	flux module remove inherit
'
test_expect_success 'self.handle is a flux.Flux handle' '
	flux module load $M/handleapi.py &&
	rpc handleapi.is-flux | jq -e ".isflux == true"
'
test_expect_success 'a handler reads broker attributes through the handle' '
	rpc handleapi.attr "{\"name\": \"broker.pid\"}" >attr.out &&
	jq -e ".value == \"$(flux getattr broker.pid)\"" attr.out
'
test_expect_success 'a handler makes a synchronous RPC through the handle' '
	rpc handleapi.rpc "{\"topic\": \"broker.ping\"}" >brpc.out &&
	jq -e ".response.route | length > 0" brpc.out
'
test_expect_success 'a handler responds later from a timer watcher' '
	rpc handleapi.later "{\"delay\": 0.1}" | jq -e ".delayed == 0.1" &&
	flux module remove handleapi
'
test_expect_success 'load guest.py' '
	flux module load $M/guest.py
'
test_expect_success 'the owner may call every handler' '
	rpc guest.status | jq -e ".running == true" &&
	rpc guest.secret | jq -e ".secret == 42"
'
test_expect_success 'allow_guest=True admits a guest' '
	as_forged_guest rpc guest.status >guest.out &&
	jq -e ".running == true and .userid == $guest_uid and .rolemask == 2" \
		guest.out
'
test_expect_success 'by default a handler rejects a guest with EPERM' '
	test_must_fail as_forged_guest rpc guest.secret 2>secret.err &&
	echo "1: Request requires owner credentials" >secret.expected &&
	test_cmp secret.expected secret.err
'
test_expect_success 'a guest may ping a Python module' '
	as_forged_guest flux ping -c 1 guest
'
test_expect_success 'remove guest.py' '
	flux module remove guest
'

#
# What mod_main and the handlers are given, and what the handle runs
#
test_expect_success 'load spectypes.py' '
	flux module load $M/spectypes.py one two
'
test_expect_success 'mod_main gets a flux.Flux; self.handle is that handle' '
	rpc spectypes.types >types.out &&
	jq -e ".h_is_flux == true and .handle_is_h == true" types.out
'
test_expect_success 'a handler receives a flux.message.Message' '
	jq -e ".msg_class == \"flux.message.Message\"" types.out
'
test_expect_success 'self.log is a flux.brokermod.BrokerLogger' '
	jq -e ".log_class == \"flux.brokermod.BrokerLogger\"" types.out
'
test_expect_success 'args reach the class through an explicit mod_main' '
	jq -e ".args == [\"one\", \"two\"]" types.out
'
test_expect_success 'the handle runs fd watchers' '
	rpc spectypes.fd "{\"text\": \"through a pipe\"}" >fd.out &&
	jq -e ".read == \"through a pipe\"" fd.out
'
test_expect_success 'the handle runs idle watchers' '
	rpc spectypes.idle | jq -e ".idle == true"
'
test_expect_success 'the handle makes asynchronous RPCs (then) from a handler' '
	rpc spectypes.then | jq -e ".route | length > 0"
'
test_expect_success 'the handle subscribes to events and watches them' '
	flux python -c "
import flux, os, time
h = flux.Flux()
f = h.rpc(\"spectypes.event\", {\"topic\": \"auditev\"})
# The module subscribes before it answers; publish until it has.
for i in range(100 * int(float(os.environ[\"FLUX_TEST_TIMEOUT_FACTOR\"]))):
    h.event_send(\"auditev.x\")
    try:
        f.wait_for(0.1)
        break
    except TimeoutError:
        pass
print(f.get()[\"event\"])
" >event.out &&
	echo auditev.x >event.expected &&
	test_cmp event.expected event.out
'
test_expect_success 'remove spectypes' '
	flux module remove spectypes
'

#
# The EPERM texts of allow_guest False and True, credentials forged:
# 6 is USER|LOCAL, what a real guest connection gets; 4 is LOCAL
# alone, no USER role.
#
test_expect_success 'load guest.py' '
	flux module load $M/guest.py
'
test_expect_success 'allow_guest=True: a guest (USER|LOCAL) is served' '
	FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=6 \
		rpc guest.status >g6.out &&
	jq -e ".userid == $guest_uid and .rolemask == 6" g6.out
'
test_expect_success 'allow_guest=False: a guest (USER|LOCAL) gets EPERM, owner text' '
	test_must_fail env FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=6 \
		rpc guest.secret 2>g6secret.err &&
	echo "1: Request requires owner credentials" >g6secret.expected &&
	test_cmp g6secret.expected g6secret.err
'
test_expect_success 'allow_guest=True: no USER role gets EPERM, privilege text' '
	test_must_fail env FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=4 \
		rpc guest.status 2>g4.err &&
	echo "1: Request rejected due to insufficient privilege" >g4.expected &&
	test_cmp g4.expected g4.err
'
test_expect_success 'allow_guest=False: no USER role gets the owner text' '
	test_must_fail env FLUX_HANDLE_USERID=$guest_uid FLUX_HANDLE_ROLEMASK=4 \
		rpc guest.secret 2>g4secret.err &&
	test_cmp g6secret.expected g4secret.err
'
test_expect_success 'a rejected guest does not harm the module' '
	rpc guest.secret | jq -e ".secret == 42" &&
	flux module remove guest
'
test_done
