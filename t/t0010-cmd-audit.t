#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='commands as a user sees them (issue 2 audit)

What the other command tests leave open: the exact line and exit code of
every way "flux module load" of a C module fails; that ping -i really
paces the requests; module list against the printf format that produced
flux-core'"'"'s captured table; flux start exit codes for a command that
cannot run or dies of a signal; that --help says what each command does;
and that a user error is one line naming the command and the cause.'

. /usr/share/sharness/sharness.sh

test_require_vectors ping-broker.output.txt module-list.output.txt

test_under_flux 1 minimal

testmod=$FLUX_BUILD_DIR/t/module/testmod.so
nomain=$FLUX_BUILD_DIR/t/module/nomain.so

# Run COMMAND..., expecting exit code CODE and exactly the line TEXT on
# stderr.  Usage: expect_error CODE TEXT COMMAND...
expect_error() {
	code=$1 &&
	text=$2 &&
	shift 2 &&
	test_expect_code $code "$@" >err.out 2>err.err &&
	printf "%s\n" "$text" >err.expected &&
	test_cmp err.expected err.err
}

#
# flux module load of a C module: every failure, one line, exit 1
#
test_expect_success 'load of a missing .so: ENOENT text, exit 1' '
	expect_error 1 \
		"flux-module: load /nonexistent/x.so: No such file or directory" \
		flux module load /nonexistent/x.so
'
test_expect_success 'load of a .so without mod_main: the reason, exit 1' '
	expect_error 1 \
		"flux-module: load $nomain: module does not define mod_main()" \
		flux module load "$nomain" &&
	test_must_fail module_is_loaded nomain
'
test_expect_success 'load of a file dlopen refuses: the dlerror text, exit 1' '
	echo "not an ELF file" >bad.so &&
	expect_error 1 \
		"flux-module: load ./bad.so: $(pwd)/bad.so: file too short" \
		flux module load ./bad.so
'
test_expect_success 'mod_main returning -1 with errno: strerror, exit 1' '
	expect_error 1 \
		"flux-module: load $testmod: Input/output error" \
		flux module load "$testmod" --init-failure &&
	test_must_fail module_is_loaded testmod
'
test_expect_success 'mod_main returning -1 with an error text: that text' '
	expect_error 1 \
		"flux-module: load $testmod: init-said-no: Invalid argument" \
		flux module load "$testmod" --init-error=init-said-no &&
	test_must_fail module_is_loaded testmod
'
test_expect_success 'a second load of the same name: EEXIST, exit 1' '
	flux module load "$testmod" &&
	test_when_finished "flux module remove testmod" &&
	expect_error 1 \
		"flux-module: load $testmod: module testmod is already loaded: File exists" \
		flux module load "$testmod" &&
	flux python -c "
import errno, flux
try:
    flux.Flux().rpc(\"module.load\", {\"path\": \"$testmod\", \"args\": []}).get()
except OSError as e:
    print(errno.errorcode[e.errno])
" >dup.out &&
	echo EEXIST >dup.expected &&
	test_cmp dup.expected dup.out &&
	module_is_loaded testmod
'
test_expect_success 'a bad --name: the reason, exit 1' '
	expect_error 1 \
		"flux-module: load $testmod: module name ${SQ}a.b${SQ} may not be empty or contain ${SQ}.${SQ}" \
		flux module load --name=a.b "$testmod"
'

#
# flux ping -c / -i
#
# Seconds (float) COMMAND... takes to run; its output goes to elapsed.out.
elapsed() {
	flux python -c "
import subprocess, sys, time
t0 = time.monotonic()
rc = subprocess.call(sys.argv[1:], stdout=open(\"elapsed.out\", \"w\"))
print(\"%.3f\" % (time.monotonic() - t0))
sys.exit(rc)
" "$@"
}
test_expect_success 'ping -i SEC waits SEC between requests' '
	t=$(elapsed flux ping -c 3 -i 0.3 broker) &&
	test $(grep -c " seq=[012] time=" elapsed.out) -eq 3 &&
	flux python -c "import sys; sys.exit(not 0.6 <= float(sys.argv[1]) < 5)" $t
'
test_expect_success 'ping without -i waits 1 s between requests' '
	t=$(elapsed flux ping -c 2 broker) &&
	flux python -c "import sys; sys.exit(not 1.0 <= float(sys.argv[1]) < 5)" $t
'
test_expect_success 'ping -c 1 does not wait for the interval after the last reply' '
	t=$(elapsed flux ping -c 1 -i 10 broker) &&
	flux python -c "import sys; sys.exit(not float(sys.argv[1]) < 5)" $t
'
test_expect_success 'ping reply lines have the fields of the flux-core capture' '
	flux ping -c 2 -i 0 broker >ping.out &&
	sed -e "s/time=[0-9]*\.[0-9][0-9][0-9] ms/time=T ms/" \
	    -e "s/([0-9a-f]\{8\}\(![0-9a-f]\{8\}\)*)$/(ROUTE)/" ping.out \
		>ping.cooked &&
	cat >ping.expected <<-EOF &&
	flux-ping any!broker
	0!broker.ping pad=0 seq=0 time=T ms (ROUTE)
	0!broker.ping pad=0 seq=1 time=T ms (ROUTE)
	EOF
	test_cmp ping.expected ping.cooked &&
	sed -e "s/time=[0-9]*\.[0-9][0-9][0-9] ms/time=T ms/" \
	    -e "s/([0-9a-f]\{8\}\(![0-9a-f]\{8\}\)*)$/(ROUTE)/" \
		"$FLUX_VECTORS_DIR/ping-broker.output.txt" >vector.cooked &&
	head -n 2 ping.expected >vector.expected &&
	test_cmp vector.expected vector.cooked
'

#
# flux module list: flux-core's printf format
#
# Re-print a module list table with flux-core's format; the header
# passes through.  A row whose fields do not fit the format (wrong
# widths, a field missing) comes out different from the input.
reformat() {
	flux python -c "
import sys
for line in sys.stdin.read().splitlines():
    if line.startswith(\"Module \"):
        print(line)
        continue
    name, rest = line[:25].rstrip(), line[25:]
    idle, state, sendq, recvq = rest.split()[:4]
    service = rest.split(None, 4)[4] if len(rest.split()) > 4 else \"\"
    print(\"%-25.25s %4s  %c %5d %5d %s\" % (name, idle, state,
          int(sendq), int(recvq), service))
"
}
test_expect_success 'the format reproduces flux-core'"'"'s captured table' '
	reformat <"$FLUX_VECTORS_DIR/module-list.output.txt" >vector.out &&
	test_cmp "$FLUX_VECTORS_DIR/module-list.output.txt" vector.out
'
test_expect_success 'module list prints its rows in that format' '
	flux module load "$testmod" &&
	flux module load --name=abcdefghijklmnopqrstuvwxyz0123 "$testmod" &&
	test_when_finished "flux module remove testmod" &&
	test_when_finished \
		"flux module remove abcdefghijklmnopqrstuvwxyz0123" &&
	flux module list >list.out &&
	reformat <list.out >list.reformatted &&
	test_cmp list.out list.reformatted &&
	head -n 1 "$FLUX_VECTORS_DIR/module-list.output.txt" >header.expected &&
	head -n 1 list.out >header.out &&
	test_cmp header.expected header.out &&
	grep "^testmod                      0  R     0     0 $" list.out
'
test_expect_success 'a name longer than 25 characters is cut to 25' '
	grep "^abcdefghijklmnopqrstuvwxy    0  R " list.out
'

#
# flux start exit codes
#
test_expect_success 'flux start: a command that is not executable gives 126' '
	printf "#!/bin/sh\necho ran\n" >noexec.sh &&
	chmod 644 noexec.sh &&
	test_expect_code 126 flux start ./noexec.sh >noexec.out 2>noexec.err &&
	test_must_be_empty noexec.out &&
	grep "noexec.sh: Permission denied" noexec.err
'
test_expect_success 'flux start: not found gives 127 and names the command' '
	test_expect_code 127 flux start /nonexistent/cmd 2>nf.err &&
	grep "/nonexistent/cmd: No such file or directory" nf.err
'
test_expect_success 'flux start: death by signal N gives 128+N' '
	test_expect_code 129 flux start sh -c "kill -HUP \$\$" &&
	test_expect_code 130 flux start sh -c "kill -INT \$\$" &&
	test_expect_code 137 flux start sh -c "kill -KILL \$\$"
'
test_expect_success 'flux start: exit codes up to 255 pass through' '
	test_expect_code 255 flux start sh -c "exit 255" &&
	test_expect_code 126 flux start sh -c "exit 126"
'

#
# --help says what the command does
#
# Succeed if 'flux ARGS... --help' prints usage, then a line with TEXT.
help_says() {
	text=$1 &&
	shift &&
	flux "$@" --help >help.out &&
	head -n 1 help.out | grep "^Usage: flux $1 " &&
	sed -n 2p help.out | grep "$text"
}
test_expect_success '--help of each command says what it does' '
	help_says "Start a Flux instance and run COMMAND" start &&
	help_says "Manage broker modules" module &&
	help_says "Send SERVICE.ping requests" ping &&
	help_says "Print or clear the broker${SQ}s log ring buffer" dmesg &&
	help_says "Log MESSAGE (or each line of stdin) to the broker log" \
		logger &&
	help_says "Publish and subscribe to events" event &&
	help_says "Print the value of broker attribute NAME" getattr &&
	help_says "Set (or with -e, remove) broker attribute NAME" setattr &&
	help_says "List broker attributes" lsattr
'
test_expect_success '--help of each subcommand says what it does' '
	help_says "Load a broker module" module load &&
	help_says "Remove (unload) a broker module" module remove &&
	help_says "Remove a module, then load it again" module reload &&
	help_says "List loaded modules" module list &&
	help_says "message counters" module stats &&
	help_says "debug flags" module debug &&
	flux event pub --help | sed -n 2p | grep -i "publish" &&
	flux event sub --help | sed -n 2p | grep -i "subscribe"
'

#
# A user error is one line naming the command and the cause, exit != 0
#
test_expect_success 'runtime errors: one line "flux-CMD: cause", exit 1' '
	expect_error 1 "flux-getattr: nosuch: No such file or directory" \
		flux getattr nosuch &&
	expect_error 1 "flux-setattr: rank: attribute may not be updated" \
		flux setattr rank 7 &&
	expect_error 1 "flux-setattr: nosuch.x: unknown attribute" \
		flux setattr nosuch.x 1 &&
	expect_error 1 \
		"flux-ping: nosuch.ping: No service matching nosuch.ping is registered" \
		flux ping -c 1 nosuch &&
	expect_error 1 "flux-module: remove nosuch: module nosuch is not loaded" \
		flux module remove nosuch &&
	expect_error 1 \
		"flux-module: nosuch.stats-get: No service matching nosuch.stats-get is registered" \
		flux module stats nosuch &&
	expect_error 1 "flux-event: payload is not a JSON object: [1]" \
		flux event pub a.b "[1]"
'
test_expect_success 'usage errors: "flux-CMD: cause" and a hint, exit 2' '
	for cmd in "getattr" "setattr x" "lsattr x" "ping" "dmesg x" \
	           "event" "event pub" "module" "module load" "module list x" \
	           "logger -s nosuch x" "start -S x"; do
		test_expect_code 2 flux $cmd 2>usage.err &&
		test $(wc -l <usage.err) -eq 2 &&
		sed -n 1p usage.err | grep "^flux-${cmd%% *}: ." &&
		sed -n 2p usage.err |
			grep "^Try ${SQ}flux ${cmd%% *}.* --help${SQ} for more information.$" ||
		return 1
	done
'
test_expect_success 'an unknown option is a usage error naming it' '
	for cmd in getattr setattr lsattr ping dmesg logger "event pub" \
	           "event sub" "module load" "module list" start; do
		test_expect_code 2 flux $cmd --frobnicate 2>opt.err &&
		sed -n 1p opt.err |
			grep "^flux-${cmd%% *}: unrecognized option .--frobnicate.$" ||
		return 1
	done
'
test_expect_success 'errors of the broker that flux start runs are one line' '
	expect_error 1 "flux-broker: nosuch: unknown attribute" \
		flux start -Snosuch=1 true &&
	expect_error 1 \
		"flux-broker: rundir /nonexistent/dir: No such file or directory" \
		flux start -Srundir=/nonexistent/dir true
'

test_done
