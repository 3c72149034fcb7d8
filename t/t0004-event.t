#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux event pub and sub'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

# Start 'flux event sub ARGS...' in the background writing to FILE;
# sets $pid.  Usage: start_sub FILE ARGS...
start_sub() {
	out=$1 &&
	shift &&
	{ flux event sub "$@" >$out & } &&
	pid=$!
}

# Publish until FILE has a line beginning with TOPIC (the subscriber
# may not be subscribed yet when the first events go out).
# Usage: pub_until FILE TOPIC PUBARGS...
pub_until() {
	file=$1 &&
	topic=$2 &&
	shift 2 &&
	for i in $(test_seq 1 100); do
		flux event pub "$@" || return 1
		sleep 0.05
		grep -q "^$topic" $file 2>/dev/null && return 0
	done
	return 1
}

test_expect_success 'sub -c 1 prints topic TAB payload of a published event' '
	start_sub sub1.out -c 1 test.a &&
	pub_until sub1.out test.a test.a "{\"x\":1}" &&
	wait $pid &&
	printf "test.a\t{\"x\":1}\n" >sub1.expected &&
	test_cmp sub1.expected sub1.out
'
test_expect_success 'an event without a payload prints an empty payload' '
	start_sub sub2.out -c 1 test.nopayload &&
	pub_until sub2.out test.nopayload test.nopayload &&
	wait $pid &&
	printf "test.nopayload\t\n" >sub2.expected &&
	test_cmp sub2.expected sub2.out
'
test_expect_success 'payload words are joined with spaces' '
	start_sub sub3.out -c 1 test.words &&
	pub_until sub3.out test.words test.words "{\"a\":" "2}" &&
	wait $pid &&
	printf "test.words\t{\"a\": 2}\n" >sub3.expected &&
	test_cmp sub3.expected sub3.out
'
test_expect_success 'a subscription is a prefix match' '
	start_sub sub4.out -c 1 test.pre &&
	pub_until sub4.out test.prefix.deep test.prefix.deep &&
	wait $pid &&
	grep "^test.prefix.deep	$" sub4.out
'
test_expect_success 'events not matching the subscription are not printed' '
	start_sub sub5.out -c 1 test.only &&
	flux event pub other.topic &&
	pub_until sub5.out test.only test.only &&
	wait $pid &&
	test_must_fail grep other.topic sub5.out
'
test_expect_success 'sub with several topics gets events of each' '
	start_sub sub6.out test.one test.two &&
	test_when_finished "kill $pid 2>/dev/null || :" &&
	pub_until sub6.out test.one test.one &&
	pub_until sub6.out test.two test.two &&
	grep "^test.one	" sub6.out &&
	grep "^test.two	" sub6.out
'
test_expect_success 'sub with no topic gets every event' '
	start_sub sub7.out -c 1 &&
	pub_until sub7.out any.topic.at.all any.topic.at.all &&
	wait $pid &&
	grep "^any.topic.at.all	" sub7.out
'
test_expect_success 'pub -r publishes a raw payload' '
	start_sub sub8.out -c 1 test.raw &&
	pub_until sub8.out test.raw -r test.raw not json &&
	wait $pid &&
	printf "test.raw\tnot json\n" >sub8.expected &&
	test_cmp sub8.expected sub8.out
'
test_expect_success 'pub of a payload that is not a JSON object fails' '
	test_expect_code 1 flux event pub test.bad not-json 2>bad.err &&
	grep "^flux-event: payload is not a JSON object: not-json" bad.err &&
	test_expect_code 1 flux event pub test.bad "[1,2]" 2>array.err &&
	grep "^flux-event: payload is not a JSON object" array.err
'
test_expect_success 'pub -s publishes through the service and prints seq=N' '
	flux event pub -s test.sync >seq1.out &&
	flux event pub -s test.sync "{\"b\":2}" >seq2.out &&
	grep "^seq=[1-9][0-9]*$" seq1.out &&
	grep "^seq=[1-9][0-9]*$" seq2.out &&
	test $(sed s/seq=// seq2.out) -gt $(sed s/seq=// seq1.out)
'
test_expect_success 'pub -s delivers the event to subscribers' '
	start_sub sub9.out -c 1 test.syncsub &&
	pub_until sub9.out test.syncsub -s test.syncsub "{\"c\":3}" >/dev/null &&
	wait $pid &&
	printf "test.syncsub\t{\"c\":3}\n" >sub9.expected &&
	test_cmp sub9.expected sub9.out
'
test_expect_success 'pub -s -r publishes a raw payload through the service' '
	start_sub sub10.out -c 1 test.syncraw &&
	pub_until sub10.out test.syncraw -s -r test.syncraw raw bytes >/dev/null &&
	wait $pid &&
	printf "test.syncraw\traw bytes\n" >sub10.expected &&
	test_cmp sub10.expected sub10.out
'
test_expect_success 'pub -l waits for its own event and returns' '
	run_timeout 10 flux event pub -l test.loop "{\"d\":4}" &&
	run_timeout 10 flux event pub -l test.loop &&
	run_timeout 10 flux event pub -l -r test.loop raw &&
	run_timeout 10 flux event pub -l -s test.loop >/dev/null
'
test_expect_success 'pub -p sends a private event, which the owner receives' '
	run_timeout 10 flux event pub -l -p test.private "{\"e\":5}" &&
	run_timeout 10 flux event pub -l -p -s test.private >/dev/null
'
test_expect_success 'pub needs a topic' '
	test_expect_code 2 flux event pub 2>notopic.err &&
	grep "^flux-event: pub: missing TOPIC" notopic.err
'
test_expect_success 'flux event needs pub or sub' '
	test_expect_code 2 flux event 2>nocmd.err &&
	grep "^flux-event: missing COMMAND" nocmd.err &&
	test_expect_code 2 flux event publish x 2>unknown.err &&
	grep "^flux-event: unknown command .publish." unknown.err
'
test_expect_success 'sub -c needs a number' '
	test_expect_code 2 flux event sub -c many 2>count.err &&
	grep "^flux-event: --count requires a number" count.err
'
test_done
