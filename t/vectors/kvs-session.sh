#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later
# The flux kvs session of the kvs-* captures (README.md): run inside an
# instance, it runs each command through t/vectors/capture.py and leaves
# NAME.client-to-broker.bin, NAME.broker-to-client.bin,
# NAME.output.txt and NAME.stderr.txt in the current directory.
#
# Usage: kvs-session.sh [NAME...]
#   With no NAME, every capture, in the order below (which is the order
#   in which flux-core's were made: each finds the store the ones before
#   it left).  A NAME runs only that one; the others must still be given
#   in order.  The content and kvs modules are loaded first if the
#   instance has not loaded them, and removed again at the end.
# A command that never connects (one this flux kvs does not have) leaves
# no .bin files, and the session goes on with the next.
vdir=$(cd "$(dirname "$0")" && pwd)
sock=${FLUX_URI#local://}
relay=$PWD/kvs-relay.sock

all="kvs-put kvs-get kvs-get-missing kvs-ls kvs-dir kvs-version
	kvs-put-multi kvs-get-treeobj kvs-copy kvs-move kvs-unlink
	kvs-namespace-create kvs-namespace-list kvs-put-ns
	kvs-namespace-remove kvs-eventlog-append kvs-eventlog-get
	kvs-get-watch"

# The command of capture NAME.
command_of() {
	case $1 in
	kvs-put)		echo "flux kvs put a.b=1" ;;
	kvs-get)		echo "flux kvs get a.b" ;;
	kvs-get-missing)	echo "flux kvs get nosuch.key" ;;
	kvs-ls)			echo "flux kvs ls a" ;;
	kvs-dir)		echo "flux kvs dir -R a" ;;
	kvs-version)		echo "flux kvs version" ;;
	kvs-put-multi)
		echo "flux kvs put x.y=hello 'x.z={\"n\": [1, 2]}' x.w=3" ;;
	kvs-get-treeobj)	echo "flux kvs get -t a.b" ;;
	kvs-copy)		echo "flux kvs copy a.b a.c" ;;
	kvs-move)		echo "flux kvs move a.c a.d" ;;
	kvs-unlink)		echo "flux kvs unlink a.d" ;;
	kvs-namespace-create)	echo "flux kvs namespace create X" ;;
	kvs-namespace-list)	echo "flux kvs namespace list" ;;
	kvs-put-ns)		echo "flux kvs put -N X k=v" ;;
	kvs-namespace-remove)	echo "flux kvs namespace remove X" ;;
	kvs-eventlog-append)
		echo "flux kvs eventlog append ev.log myevent '{\"x\":1}'" ;;
	kvs-eventlog-get)	echo "flux kvs eventlog get ev.log" ;;
	# Prints a.b, then (after a second writer changes it) the new value.
	kvs-get-watch)		echo "flux kvs get --watch --count=2 a.b" ;;
	*)			return 1 ;;
	esac
}

# Start the relay for capture NAME; sets relay_pid.
start_relay() {
	rm -f "$1.relay.out"
	flux python "$vdir/capture.py" "$sock" "$relay" "$1" \
		>"$1.relay.out" &
	relay_pid=$!
	n=0
	until grep -q ready "$1.relay.out" 2>/dev/null; do
		test $n -lt 300 || { echo "$1: relay did not start" >&2; exit 1; }
		sleep 0.1
		n=$((n + 1))
	done
}

# Wait up to 5 s for the relay to end (it ends when the client closes),
# then stop it: a client that never connected leaves it waiting.
stop_relay() {
	n=0
	while kill -0 $relay_pid 2>/dev/null && test $n -lt 50; do
		sleep 0.1
		n=$((n + 1))
	done
	kill $relay_pid 2>/dev/null
	wait $relay_pid 2>/dev/null
	rm -f "$relay" "$1.relay.out"
}

# Run capture NAME; print its exit code.
capture() {
	cmd=$(command_of "$1") || { echo "no capture named $1" >&2; exit 1; }
	start_relay "$1"
	if test "$1" = kvs-get-watch; then
		FLUX_URI=local://$relay sh -c "$cmd" \
			>"$1.output.txt" 2>"$1.stderr.txt" &
		watch_pid=$!
		n=0
		until test -s "$1.output.txt" || test $n -ge 100 ||
			! kill -0 $watch_pid 2>/dev/null; do
			sleep 0.1
			n=$((n + 1))
		done
		# The second writer, not captured.
		flux kvs put a.b=2
		wait $watch_pid
	else
		FLUX_URI=local://$relay sh -c "$cmd" \
			>"$1.output.txt" 2>"$1.stderr.txt"
	fi
	echo "$1: exit $?"
	stop_relay "$1"
}

loaded=""
if ! flux module list | awk '{print $1}' | grep -qx kvs; then
	flux module load content && flux module load kvs || exit 1
	loaded=kvs
fi
for name in ${*:-$all}; do
	capture "$name"
done
test -z "$loaded" || { flux module remove kvs; flux module remove content; }
