#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The example modules in doc/examples, run as a user runs them

Each example shows, in its leading comment, a session to try it: the
commands and what they print.  t/lib/transcript.py runs that session in
this instance, from a folder that looks like the top of the tree (doc/
and build/), and fails where the output differs from the one shown.
Each example is then exercised further here: what the session cannot
show in a stable way (a count that grows, the log of a module that
failed, what a guest is refused).
'

. /usr/share/sharness/sharness.sh

test_under_flux 1

E=$FLUX_SOURCE_DIR/doc/examples

# The sessions run in $T, a folder like the top of the tree.  N.B. not
# in the trash directory: module arguments are split at spaces, which
# its name has (stop_error.py takes a path in the current folder).
T=$(mktemp -d "${TMPDIR:-/tmp}/t0111.XXXXXX") || exit 1
cleanup rm -rf "$T"

# transcript FILE: run the session in doc/examples/FILE, from $T.
transcript() {
	(cd "$T" && flux python "$SHARNESS_TEST_SRCDIR/lib/transcript.py" \
		"doc/examples/$1")
}

test_expect_success 'a folder like the top of the tree: doc/ and build/' '
	ln -s "$FLUX_SOURCE_DIR/doc" "$T/doc" &&
	ln -s "$FLUX_BUILD_DIR" "$T/build" &&
	test -f "$T/build/doc/examples/hello_c.so"
'
test_expect_success 'every example in doc/examples is run by this script' '
	(cd "$E" && ls *.py *.c) >examples.found &&
	cat >examples.tested <<-\EOT &&
	caller.py
	counter.py
	fanout.py
	hello.py
	kvs_state.py
	listener.py
	logged.py
	mymod.py
	reloadable.py
	status.py
	stop_error.py
	timed.py
	hello_c.c
	EOT
	sort examples.found >found.sorted &&
	sort examples.tested >tested.sorted &&
	test_cmp tested.sorted found.sorted
'

#
# The runner itself: a session that is not as shown fails.
#
# run_session FILE: t/lib/transcript.py on FILE, here.
run_session() {
	flux python "$SHARNESS_TEST_SRCDIR/lib/transcript.py" "$1"
}
test_expect_success 'a session runs in one shell; "..." stands for any text' '
	cat >good.py <<-\EOT &&
	"""A session.

	    $ export GREETING=hello
	    $ echo "$GREETING, world"; echo one; echo two
	    hel..., world
	    ...
	    $ printf "no newline"
	    no newline
	    $ echo "an error" >&2; false
	    an error
	"""
	EOT
	run_session good.py
'
test_expect_success 'a command that prints something else fails, with a diff' '
	cat >differs.py <<-\EOT &&
	"""
	    $ echo hello
	    goodbye
	"""
	EOT
	test_must_fail run_session differs.py >differs.out &&
	grep "^-goodbye$" differs.out &&
	grep "^+hello$" differs.out
'
test_expect_success 'a command that fails with nothing shown fails' '
	cat >fails.c <<-\EOT &&
	/* SPDX-License-Identifier: LGPL-3.0-or-later */
	/* A C comment.
	 *
	 *     $ false
	 */
	EOT
	test_must_fail run_session fails.c >fails.out &&
	grep "fails.c: exit code 1, and nothing shown" fails.out
'
test_expect_success 'a file without a session fails' '
	echo "\"\"\"No session.\"\"\"" >none.py &&
	test_must_fail run_session none.py >none.out &&
	grep "none.py: no .\$ COMMAND. lines" none.out
'

#
# hello.py
#
test_expect_success 'hello.py: its session runs as shown' '
	transcript hello.py
'
test_expect_success 'hello.py: it answers flux ping, as every module does' '
	flux module load "$E/hello.py" &&
	flux ping -c 1 hello &&
	rpc hello.greet "{\"name\": \"Grace\"}" >greet.out &&
	jq -e ".greeting == \"hello, Grace\"" greet.out &&
	flux module remove hello
'

#
# counter.py
#
test_expect_success 'counter.py: its session runs as shown' '
	transcript counter.py
'
test_expect_success 'counter.py: the count grows with each tick' '
	flux module load "$E/counter.py" 0.05 &&
	test_retry 100 eval "rpc counter.get | jq -e \".count >= 2\"" &&
	first=$(rpc counter.get | jq .count) &&
	test_retry 100 eval "rpc counter.get | jq -e \".count > $first\""
'
test_expect_success 'counter.py: reset sets it back to zero' '
	rpc counter.reset | jq -e ".count == 0 and .period == 0.05" &&
	flux module remove counter
'
test_expect_success 'counter.py: without an argument the period is 1 s' '
	flux module load "$E/counter.py" &&
	rpc counter.get | jq -e ".period == 1" &&
	flux module remove counter
'

#
# listener.py
#
test_expect_success 'listener.py: its session runs as shown' '
	transcript listener.py
'
test_expect_success 'listener.py: only events named "news" are kept' '
	flux module load "$E/listener.py" &&
	flux event pub news.sports "{\"text\": \"no\"}" &&
	flux event pub newsletter "{\"text\": \"no\"}" &&
	flux event pub listener.news "{\"text\": \"no\"}" &&
	flux event pub news "{\"text\": \"yes\"}" &&
	rpc listener.heard >heard.out &&
	jq -e ".heard == [{\"text\": \"yes\"}]" heard.out
'
test_expect_success 'listener.py: it keeps the last 10, oldest first' '
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		flux event pub news "{\"n\": $i}" || return 1
	done &&
	rpc listener.heard >last.out &&
	jq -e "[.heard[].n] == [3,4,5,6,7,8,9,10,11,12]" last.out &&
	flux module remove listener
'

#
# kvs_state.py
#
test_expect_success 'kvs_state.py: its session runs as shown' '
	transcript kvs_state.py
'
test_expect_success 'kvs_state.py: the tally survives a remove and a load' '
	flux module load "$E/kvs_state.py" &&
	rpc kvs_state.add "{\"n\": 40}" | jq -e ".total == 40" &&
	flux module remove kvs_state &&
	test "$(flux kvs get kvs_state.total)" = 40 &&
	flux module load "$E/kvs_state.py" &&
	rpc kvs_state.add "{\"n\": 2}" | jq -e ".total == 42" &&
	flux module remove kvs_state &&
	flux kvs unlink kvs_state.total
'

#
# caller.py
#
test_expect_success 'caller.py: its session runs as shown' '
	transcript caller.py
'
test_expect_success 'caller.py: without hello, the caller gets ENOSYS' '
	flux module load "$E/caller.py" &&
	test_must_fail rpc caller.greet "{\"name\": \"Ada\"}" 2>nohello.err &&
	echo "38: No service matching hello.greet is registered" \
		>nohello.expected &&
	test_cmp nohello.expected nohello.err
'
test_expect_success 'caller.py: with hello loaded again, it answers' '
	flux module load "$E/hello.py" &&
	rpc caller.greet "{\"name\": \"Ada\"}" | jq -e ".greeting == \"HELLO, ADA\"" &&
	flux module remove hello &&
	flux module remove caller
'

#
# status.py
#
test_expect_success 'status.py: its session runs as shown' '
	transcript status.py
'
test_expect_success 'status.py: a guest is answered, with its userid' '
	flux module load --on-failure=restart "$E/status.py" &&
	as_forged_guest rpc status.get >guest.out &&
	jq -e ".userid == $guest_uid and .served == 1 and .size == 1" guest.out
'
test_expect_success 'status.py: a guest may not reset, and nothing is reset' '
	test_must_fail as_forged_guest rpc status.reset 2>reset.err &&
	echo "1: Request requires owner credentials" >reset.expected &&
	test_cmp reset.expected reset.err &&
	rpc status.get | jq -e ".served == 2"
'
test_expect_success 'status.py: a bad payload from a guest gets EINVAL' '
	echo "22: expected {\"item\": NAME}, NAME one of: served, size, userid" \
		>bad.expected &&
	for p in "[1]" "\"size\"" "{\"item\": [1]}" "{\"item\": \"uptime\"}"; do
		test_must_fail as_forged_guest rpc status.get "$p" 2>bad.err &&
		test_cmp bad.expected bad.err || return 1
	done &&
	test_must_fail as_forged_guest flux python -c "
import flux
flux.Flux().rpc(\"status.get\", b\"{not json\").get()" 2>notjson.err &&
	tail -n 1 notjson.err >notjson.last &&
	echo "OSError: [Errno 22] expected {\"item\": NAME}, NAME one of: served, size, userid" \
		>notjson.expected &&
	test_cmp notjson.expected notjson.last &&
	as_forged_guest rpc status.get "{\"item\": \"size\"}" >item.out &&
	jq -e ". == {\"size\": 1}" item.out
'
test_expect_success 'status.py: loaded with the policy restart, never restarted' '
	flux module list -P | grep "^status .* restart  *0 *$" &&
	flux module remove status
'

#
# stop_error.py
#
test_expect_success 'stop_error.py: its session runs as shown' '
	flux dmesg -C &&
	transcript stop_error.py
'
test_expect_success 'stop_error.py: the module is gone, the broker logged why' '
	wait_module_gone stop_error &&
	flux dmesg >stop.dmesg &&
	grep "stop_error.err\[0\]: cannot read .*/motd: No such file or directory: stopping" \
		stop.dmesg &&
	grep "broker.crit\[0\]: stop_error module runtime failure: the module exits, the broker goes on (on-failure=exit)" \
		stop.dmesg
'
test_expect_success 'stop_error.py: the instance goes on' '
	flux ping -c 1 kvs
'

#
# hello_c.c
#
test_expect_success 'hello_c.c: its session runs as shown' '
	transcript hello_c.c
'
test_expect_success 'hello_c.c: a guest is refused' '
	flux module load "$FLUX_BUILD_DIR/doc/examples/hello_c.so" &&
	test_must_fail as_forged_guest rpc hello_c.greet "{\"name\": \"Eve\"}" \
		2>cguest.err &&
	echo "1: Request requires owner credentials" >cguest.expected &&
	test_cmp cguest.expected cguest.err
'
test_expect_success 'hello_c.c: a request without a payload gets EPROTO' '
	test_must_fail rpc hello_c.greet 2>cnopayload.err &&
	grep "^71: " cnopayload.err &&
	flux module remove hello_c
'

#
# mymod.py, the module the README loads
#
test_expect_success 'mymod.py: its session runs as shown' '
	transcript mymod.py
'

#
# fanout.py and timed.py, the async handlers page (doc/async-handlers.rst)
#
test_expect_success 'fanout.py: its session runs as shown' '
	transcript fanout.py
'
test_expect_success 'fanout.py: 50 keys looked up at once, missing ones None' '
	flux module load "$E/fanout.py" &&
	keys=$(seq 1 50 | sed "s/.*/\"fanout.k&\"/" | paste -sd, -) &&
	flux python -c "import flux; r = flux.Flux().rpc(\"fanout.lookup\", \
		{\"keys\": [$keys]}).get(); print(len(r), set(r.values()))" \
		>lookup50.out &&
	echo "50 {None}" >lookup50.expected &&
	test_cmp lookup50.expected lookup50.out &&
	flux module remove fanout
'
test_expect_success 'timed.py: its session runs as shown' '
	transcript timed.py
'

#
# logged.py, the health page (doc/module-health.rst)
#
test_expect_success 'logged.py: its session runs as shown' '
	transcript logged.py
'

#
# reloadable.py, the reload page (doc/reloading-modules.rst)
#
test_expect_success 'reloadable.py: its session runs as shown' '
	transcript reloadable.py
'
test_expect_success 'reloadable.py: requests during 20 reloads all answered' '
	flux module load "$E/reloadable.py" a &&
	flux python -c "
import flux, subprocess
h = flux.Flux()
futures = []
for i in range(20):
    futures += [h.rpc(\"reloadable.greet\") for _ in range(10)]
    subprocess.run([\"flux\", \"module\", \"reload\",
                    \"$E/reloadable.py\", str(i)], check=True)
print(sorted(f.get()[\"count\"] for f in futures) == list(range(1, 201)))
" >reloads.out &&
	echo True >reloads.expected &&
	test_cmp reloads.expected reloads.out &&
	flux module remove reloadable
'

test_done
