#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='The broker runs rc1, the initial program, then rc3

As flux-core: broker.rc1_path and broker.rc3_path are command lines
(empty: none) run with FLUX_URI pointing at the instance.  The default
rc1 loads the standard modules (kvs, heartbeat), the default rc3 removes
them in the reverse order.  A failed rc1 fails the instance with its exit
code and the initial program does not run; rc3 runs in every case, and a
failed rc3 makes an exit code of 0 non-zero.  The broker log says what
each ran and how it ended ("rc1.0: CMD Exited (rc=0) 0.1s").
'

. /usr/share/sharness/sharness.sh

NORC="-Sbroker.rc1_path= -Sbroker.rc3_path="

# script NAME BODY: an executable shell script NAME in the trash folder.
script() {
	printf "#!/bin/sh\n%s\n" "$2" >"$1" &&
	chmod +x "$1"
}


# line_of PATTERN FILE: the number of the first line of FILE matching
# PATTERN (grep -E), or nothing.
line_of() {
	grep -n -E "$1" "$2" | head -n 1 | cut -d: -f1
}

test_expect_success 'broker.rc1_path and rc3_path default to the scripts in etc/' '
	flux start $NORC "flux getattr broker.rc1_path; \
		flux getattr broker.rc3_path" >paths.out &&
	flux start "flux getattr broker.rc1_path; \
		flux getattr broker.rc3_path" >defpaths.out &&
	printf "\n\n" >paths.expected &&
	test_cmp paths.expected paths.out &&
	printf "%s\n" "$FLUX_SOURCE_DIR/etc/rc1" "$FLUX_SOURCE_DIR/etc/rc3" \
		>defpaths.expected &&
	test_cmp defpaths.expected defpaths.out &&
	test -x "$FLUX_SOURCE_DIR/etc/rc1" &&
	test -x "$FLUX_SOURCE_DIR/etc/rc3"
'
test_expect_success 'the default rc1 loads content, kvs and heartbeat: the KVS works at once' '
	flux start "flux kvs put a=1 && flux kvs get a && flux module list" \
		>kvs.out &&
	head -n 1 kvs.out >kvs.first &&
	echo 1 >kvs.expected &&
	test_cmp kvs.expected kvs.first &&
	awk "NR > 2 {print \$1}" kvs.out | sort >mods.out &&
	printf "content\nheartbeat\nkvs\n" >mods.expected &&
	test_cmp mods.expected mods.out
'
test_expect_success 'flux dmesg in the initial program: rc1 loaded kvs, then heartbeat, and ended with rc=0' '
	flux start flux dmesg >dmesg.out &&
	grep -E "broker.info\[0\]: rc1.0: $FLUX_SOURCE_DIR/etc/rc1 Exited \(rc=0\) [0-9]+\.[0-9]s$" \
		dmesg.out &&
	kvs=$(line_of "loading module kvs " dmesg.out) &&
	hb=$(line_of "loading module heartbeat " dmesg.out) &&
	rc1=$(line_of "rc1.0: " dmesg.out) &&
	test -n "$kvs" && test -n "$hb" &&
	test "$kvs" -lt "$hb" && test "$hb" -lt "$rc1"
'
test_expect_success 'the default rc3 removes heartbeat, then kvs, after the initial program' '
	flux start -Slog-stderr-level=7 true 2>rc3.log &&
	rc2=$(line_of "rc2.0: true Exited \(rc=0\)" rc3.log) &&
	hb=$(line_of "module heartbeat exited" rc3.log) &&
	kvs=$(line_of "module kvs exited" rc3.log) &&
	rc3=$(line_of "broker.info\[0\]: rc3.0: $FLUX_SOURCE_DIR/etc/rc3 Exited \(rc=0\) " rc3.log) &&
	test -n "$rc2" && test -n "$hb" && test -n "$kvs" && test -n "$rc3" &&
	test "$rc2" -lt "$hb" && test "$hb" -lt "$kvs" && test "$kvs" -lt "$rc3" &&
	test_must_fail grep "not properly shut down" rc3.log
'
test_expect_success 'with the defaults, flux start true prints nothing' '
	flux start true >quiet.out 2>quiet.err &&
	test_must_be_empty quiet.out &&
	test_must_be_empty quiet.err
'
test_expect_success 'empty rc1_path and rc3_path: no modules, no rc lines' '
	flux start $NORC "flux module list; flux dmesg" >none.out &&
	test_must_fail grep -E "^(kvs|heartbeat) " none.out &&
	test_must_fail grep -E "rc[13]\.0: " none.out &&
	grep "rc2.0: \|^Module" none.out
'
test_expect_success 'the default rc3 alone is no error when rc1 loaded nothing' '
	flux start -Sbroker.rc1_path= -Slog-stderr-level=6 true 2>rc3only.err &&
	grep "rc3.0: $FLUX_SOURCE_DIR/etc/rc3 Exited (rc=0) " rc3only.err
'
test_expect_success 'a custom rc1 and rc3 run with FLUX_URI set to the instance' '
	script myrc1 "echo \"\$FLUX_URI\" >rc1.uri; flux getattr local-uri >rc1.local" &&
	script myrc3 "echo \"\$FLUX_URI\" >rc3.uri; flux getattr local-uri >rc3.local" &&
	flux start -Sbroker.rc1_path=./myrc1 -Sbroker.rc3_path=./myrc3 \
		"echo \$FLUX_URI" >rc2.uri &&
	grep "^local://" rc2.uri &&
	test_cmp rc2.uri rc1.uri &&
	test_cmp rc1.uri rc1.local &&
	test_cmp rc2.uri rc3.uri &&
	test_cmp rc3.uri rc3.local
'
test_expect_success 'the rc paths are shell command lines, as in flux-core' '
	flux start -Sbroker.rc1_path="echo one >line.out && echo two >>line.out" \
		-Sbroker.rc3_path= true &&
	printf "one\ntwo\n" >line.expected &&
	test_cmp line.expected line.out
'
test_expect_success 'an rc line that is one path runs without $SHELL; shell syntax under it' '
	cat >fakeshell <<-EOF &&
	#!/bin/sh
	echo "\$*" >>"$PWD/shell.log"
	exec /bin/sh "\$@"
	EOF
	chmod +x fakeshell &&
	script rcplain "echo \$0 >>plain.out" &&
	rm -f shell.log plain.out &&
	SHELL="$PWD/fakeshell" flux start -Sbroker.rc1_path=./rcplain \
		-Sbroker.rc3_path="./rcplain; echo three >>plain.out" true &&
	printf "%s\n" ./rcplain ./rcplain three >plain.expected &&
	test_cmp plain.expected plain.out &&
	echo "-c ./rcplain; echo three >>plain.out" >shell.expected &&
	test_cmp shell.expected shell.log
'
test_expect_success 'an rc file without #! runs as a shell script, as a shell runs it' '
	printf "echo no interpreter line >noshebang.out\n" >rcnoshebang &&
	chmod +x rcnoshebang &&
	flux start -Sbroker.rc1_path=./rcnoshebang -Sbroker.rc3_path= true &&
	echo "no interpreter line" >noshebang.expected &&
	test_cmp noshebang.expected noshebang.out
'
test_expect_success 'the rc scripts do not see an enclosing instance or job' '
	script envrc "env >rc1.env" &&
	FLUX_KVS_NAMESPACE=outer FLUX_JOB_ID=42 SLURM_JOB_ID=7 PMI_RANK=0 \
		flux start -Sbroker.rc1_path=./envrc -Sbroker.rc3_path= true &&
	grep "^FLUX_URI=local://" rc1.env &&
	test_must_fail grep -E "^(FLUX_KVS_NAMESPACE|FLUX_JOB_ID|SLURM_JOB_ID|PMI_RANK)=" \
		rc1.env
'
test_expect_success 'rc1 stdout and stderr go to the broker log, line by line' '
	flux start -Sbroker.rc1_path="echo out1; echo err1 >&2; printf tail" \
		-Sbroker.rc3_path= flux dmesg >out.log &&
	grep "broker.info\[0\]: rc1.0: out1$" out.log &&
	grep "broker.err\[0\]: rc1.0: err1$" out.log &&
	grep "broker.info\[0\]: rc1.0: tail$" out.log
'
test_expect_success 'the standard rc1 failing before any Python module: a clean exit' '
	test_expect_code 1 run_timeout 60 flux start -Sstatedir=/proc/nope \
		-Slog-stderr-level=7 true 2>early.err &&
	grep "rc1.0: $FLUX_SOURCE_DIR/etc/rc1 Exited (rc=1) " early.err &&
	test_must_fail grep -E "module kvs|pyloader|Python" early.err
'
test_expect_success 'rc1 exit 3: flux start exits 3, no initial program, rc3 runs' '
	script rc1fail "exit 3" &&
	script rc3mark "touch rc3.ran" &&
	rm -f rc2.ran rc3.ran &&
	test_expect_code 3 flux start -Sbroker.rc1_path=./rc1fail \
		-Sbroker.rc3_path=./rc3mark "touch rc2.ran" 2>rc1fail.err &&
	test ! -e rc2.ran &&
	test -f rc3.ran &&
	grep -E "broker.err\[0\]: rc1.0: ./rc1fail Exited \(rc=3\) [0-9]+\.[0-9]s$" \
		rc1fail.err
'
test_expect_success 'rc1 that is not found: exit 127, as a shell says' '
	test_expect_code 127 flux start -Sbroker.rc1_path=./nosuch-rc1 \
		-Sbroker.rc3_path= true 2>nosuch.err &&
	grep "rc1.0: ./nosuch-rc1 Exited (rc=127)" nosuch.err
'
test_expect_success 'rc1 that fails after loading kvs: the default rc3 removes it' '
	test_expect_code 4 flux start \
		-Sbroker.rc1_path="flux module load content && flux module load kvs && exit 4" \
		-Slog-stderr-level=6 true 2>partial.err &&
	grep "rc3.0: $FLUX_SOURCE_DIR/etc/rc3 Exited (rc=0)" partial.err &&
	test_must_fail grep "not properly shut down" partial.err
'
test_expect_success 'a failed default rc1 (kvs does not load) fails the start' '
	mkdir -p nopy &&
	echo "import sys; sys.modules[\"flux._pyloader\"] = None" \
		>nopy/sitecustomize.py &&
	PYTHONPATH="$PWD/nopy${PYTHONPATH:+:$PYTHONPATH}" \
		test_expect_code 1 flux start "touch rc2.bad" 2>badkvs.err &&
	test ! -e rc2.bad &&
	grep "rc1.0: flux-module: load kvs: " badkvs.err &&
	grep "rc1.0: $FLUX_SOURCE_DIR/etc/rc1 Exited (rc=1)" badkvs.err
'
test_expect_success 'rc3 exit 4 after a successful initial program: flux start exits 4' '
	test_expect_code 4 flux start -Sbroker.rc1_path= \
		-Sbroker.rc3_path="exit 4" true 2>rc3fail.err &&
	grep -E "broker.err\[0\]: rc3.0: exit 4 Exited \(rc=4\) [0-9]+\.[0-9]s$" \
		rc3fail.err
'
test_expect_success 'rc3 fails after an initial program that failed: its code wins' '
	test_expect_code 2 flux start -Sbroker.rc1_path= \
		-Sbroker.rc3_path="exit 4" "exit 2"
'
test_expect_success 'the initial program is logged as rc2, as in flux-core' '
	test_expect_code 5 flux start $NORC "exit 5" 2>rc2.err &&
	grep -E "broker.err\[0\]: rc2.0: exit 5 Exited \(rc=5\) [0-9]+\.[0-9]s$" \
		rc2.err
'
test_expect_success 'SIGTERM during rc1 aborts it (SIGHUP): exit 129, rc3 runs' '
	rm -f rc2.ran rc3.ran &&
	run_bg flux start -Sbroker.rc1_path="touch rc1.up; sleep 30" \
		-Sbroker.rc3_path=./rc3mark "touch rc2.ran" 2>abort.err &&
	pid=$(cat bg.pid) &&
	test_retry 100 test -e rc1.up &&
	kill -TERM $pid &&
	test_expect_code 129 wait $pid &&
	test ! -e rc2.ran &&
	test -f rc3.ran &&
	grep "rc1.0: touch rc1.up; sleep 30 Hangup (rc=129)" abort.err
'
test_expect_success 'rc1 that leaves a process holding its output: SIGTERM ends it too' '
	rm -f rc2.ran &&
	run_bg flux start -Sbroker.rc1_path="sleep 60 & touch rc1.bg" \
		-Sbroker.rc3_path= "touch rc2.ran" 2>bg.err &&
	pid=$(cat bg.pid) &&
	test_retry 100 test -e rc1.bg &&
	kill -TERM $pid &&
	test_expect_code 1 wait $pid &&
	test ! -e rc2.ran &&
	grep "rc1.0: sleep 60 & touch rc1.bg aborted after exit with rc=0 (rc=1)" \
		bg.err
'
test_expect_success 'a module panic kills the initial program; rc3 still runs, exit 1' '
	rm -f rc3.ran &&
	test_expect_code 1 run_timeout 30 flux start -Sbroker.rc1_path= \
		-Sbroker.rc3_path=./rc3mark "\
		flux module load $FLUX_BUILD_DIR/t/module/testmod.so && \
		flux python -c \"import flux; \
			flux.Flux().rpc(\\\"testmod.fail\\\").get()\" && \
		sleep 60" 2>panic.err &&
	grep "testmod module runtime failure" panic.err &&
	grep "rc2.0: .* Killed (rc=137)" panic.err &&
	test -f rc3.ran
'
test_expect_success 'site scripts in rc1.d and rc3.d of FLUX_RC_EXTRA run with the modules up' '
	mkdir -p extra/rc1.d extra/rc3.d &&
	script extra/rc1.d/10-put "flux kvs put site=from-rc1" &&
	script extra/rc3.d/10-get "flux kvs get site >\"$PWD/rc3d.out\"" &&
	FLUX_RC_EXTRA=$PWD/extra flux start "flux kvs get site; flux dmesg" \
		>site.out &&
	head -n 1 site.out >site.first &&
	echo from-rc1 >site.expected &&
	test_cmp site.expected site.first &&
	grep "rc1.0: running $PWD/extra/rc1.d/10-put$" site.out &&
	test_cmp site.expected rc3d.out
'
test_expect_success 'a failing rc1.d script fails rc1' '
	mkdir -p extra2/rc1.d &&
	script extra2/rc1.d/10-fail "exit 6" &&
	test_expect_code 6 env "FLUX_RC_EXTRA=$PWD/extra2" flux start true
'
test_done
