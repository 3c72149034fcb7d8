#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux kvs: copy, move, namespace, eventlog, get --watch, wait, sync

The subcommands of flux-core'"'"'s flux kvs beyond get/put/ls, against the
kvs Python module: their output, their errors, and what the module
keeps for a client that waits (kvs-watch.stats-get, kvs.stats-get) once
that client is gone.
'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

# The number of watches kvs-watch holds, and of wait-version requests
# the kvs holds on namespace NS.
watchers() {
	rpc kvs-watch.stats-get | jq .watchers
}
versionwaiters() {
	rpc kvs.stats-get | jq ".namespace[\"$1\"][\"#versionwaiters\"]"
}

# run_bg (t/sharness.d) kills what it starts after 30 s (scaled),
# so that a wait that never ends fails the test (exit 124) instead of
# hanging it.
run_bg_limit=30

# N.B. Load kvs unless the instance's rc1 already did.
test_expect_success 'load the kvs module' '
	if module_is_loaded kvs; then
		: >kvs-preloaded
	else
		flux module load content &&
		flux module load kvs
	fi &&
	module_is_loaded kvs
'

# copy, move ---------------------------------------------------------------

test_expect_success 'flux kvs copy copies a value and a directory' '
	flux kvs put src.a=1 src.sub.b=2 val=v &&
	flux kvs copy val valcopy &&
	flux kvs copy src dstdir &&
	flux kvs get valcopy dstdir.a dstdir.sub.b >copy.out &&
	printf "v\n1\n2\n" >copy.expected &&
	test_cmp copy.expected copy.out &&
	flux kvs get val >still.out &&
	echo v >still.expected &&
	test_cmp still.expected still.out
'
test_expect_success 'flux kvs move moves: the source is gone' '
	flux kvs move valcopy moved &&
	test "$(flux kvs get moved)" = v &&
	test_must_fail flux kvs get valcopy 2>moved.err &&
	grep "valcopy: No such file or directory" moved.err
'
test_expect_success 'flux kvs copy/move -S/-D cross namespaces' '
	flux kvs namespace create cpns &&
	flux kvs copy -D cpns src nsdst &&
	test "$(flux kvs get -N cpns nsdst.sub.b)" = 2 &&
	flux kvs move -S cpns -D primary nsdst back &&
	test "$(flux kvs get back.a)" = 1 &&
	test_must_fail flux kvs get -N cpns nsdst &&
	flux kvs namespace remove cpns
'
test_expect_success 'flux kvs copy of a missing key fails with ENOENT' '
	test_must_fail flux kvs copy nosuch x 2>copy-enoent.err &&
	grep "^flux-kvs: flux_kvs_copy: No such file or directory" \
		copy-enoent.err &&
	test_must_fail flux kvs get x
'
test_expect_success 'flux kvs copy/move into an unknown namespace: ENOTSUP' '
	test_must_fail flux kvs copy -D nons val x 2>copy-ns.err &&
	grep "^flux-kvs: flux_kvs_copy: " copy-ns.err &&
	grep -i "not supported\|does not exist" copy-ns.err &&
	test_must_fail flux kvs move -S nons val x 2>move-ns.err &&
	grep "^flux-kvs: flux_kvs_move: " move-ns.err &&
	test "$(flux kvs get val)" = v
'
test_expect_success 'flux kvs copy/move take exactly two keys' '
	test_expect_code 2 flux kvs copy val 2>copy-usage.err &&
	grep "specify srckey dstkey" copy-usage.err &&
	test_expect_code 2 flux kvs move a b c 2>move-usage.err &&
	grep "specify srckey dstkey" move-usage.err &&
	flux kvs move --help >move-help.out &&
	grep "^Usage: flux kvs move \[-S src-ns\] \[-D dst-ns\]" move-help.out
'

# namespace --------------------------------------------------------------

test_expect_success 'flux kvs namespace create/list: flux-core table' '
	flux kvs namespace create ns1 ns2 &&
	flux kvs namespace create -o 4242 guestns &&
	flux kvs namespace list >nslist.out &&
	uid=$(id -u) &&
	{
		printf "%-41s %-10s %s\n" NAMESPACE OWNER FLAGS &&
		printf "%-36s %10u 0x%08X\n" primary $uid 0 &&
		printf "%-36s %10u 0x%08X\n" ns1 $uid 0 &&
		printf "%-36s %10u 0x%08X\n" ns2 $uid 0 &&
		printf "%-36s %10u 0x%08X\n" guestns 4242 0
	} >nslist.expected &&
	test_cmp nslist.expected nslist.out
'
test_expect_success 'a namespace is separate; -r starts it from a root' '
	flux kvs put -N ns1 k=in-ns1 &&
	test "$(flux kvs get -N ns1 k)" = in-ns1 &&
	test_must_fail flux kvs get k &&
	ref=$(flux kvs getroot -N ns1 -b) &&
	flux kvs namespace create -r $ref ns3 &&
	test "$(flux kvs get -N ns3 k)" = in-ns1
'
test_expect_success 'flux kvs namespace create of an existing one: EEXIST' '
	test_must_fail flux kvs namespace create ns1 2>nsexist.err &&
	echo "flux-kvs: ns1: File exists" >nsexist.expected &&
	test_cmp nsexist.expected nsexist.err &&
	test_must_fail flux kvs namespace create -o bad x 2>owner.err &&
	grep "owner requires an unsigned integer" owner.err
'
test_expect_success 'flux kvs namespace remove; a missing one is no error' '
	flux kvs namespace remove ns2 ns3 guestns nosuchns &&
	flux kvs namespace list >nslist2.out &&
	test $(wc -l <nslist2.out) = 3 &&
	! grep "^ns2 " nslist2.out &&
	test_must_fail flux kvs get -N ns2 k 2>ns2.err &&
	grep "k: .*\(not supported\|does not exist\)" ns2.err
'
test_expect_success 'the primary namespace cannot be removed: ENOTSUP' '
	test_must_fail flux kvs namespace remove primary 2>rmprimary.err &&
	echo "flux-kvs: primary: Operation not supported" >rmprimary.expected &&
	test_cmp rmprimary.expected rmprimary.err
'
test_expect_success 'flux kvs namespace usage errors' '
	test_expect_code 2 flux kvs namespace 2>ns-none.err &&
	grep "missing COMMAND" ns-none.err &&
	test_expect_code 2 flux kvs namespace frob 2>ns-frob.err &&
	grep "unknown command ${SQ}frob${SQ}" ns-frob.err &&
	test_expect_code 2 flux kvs namespace create 2>ns-create.err &&
	grep "specify one or more namespace names" ns-create.err &&
	test_expect_code 2 flux kvs namespace list extra &&
	flux kvs namespace create --help >ns-help.out &&
	grep "^Usage: flux kvs namespace create \[-o owner\] \[-r rootref\]" \
		ns-help.out
'

# eventlog ---------------------------------------------------------------

test_expect_success 'flux kvs eventlog append/get: RFC 18 lines, formatted' '
	flux kvs eventlog append -t 1700000000.25 log.a first &&
	flux kvs eventlog append -t 1700000001.5 log.a second \
		"{\"n\": 1," "\"s\": \"x\", \"l\": [1, 2]}" &&
	flux kvs eventlog get log.a >evget.out &&
	cat >evget.expected <<-\EOF &&
	1700000000.250000 first
	1700000001.500000 second n=1 s="x" l=[1,2]
	EOF
	test_cmp evget.expected evget.out
'
test_expect_success 'flux kvs eventlog get -u prints the stored lines' '
	flux kvs eventlog get -u log.a >evraw.out &&
	cat >evraw.expected <<-\EOF &&
	{"timestamp":1700000000.25,"name":"first"}
	{"timestamp":1700000001.5,"name":"second","context":{"n":1,"s":"x","l":[1,2]}}
	EOF
	test_cmp evraw.expected evraw.out
'
test_expect_success 'flux kvs eventlog get -H: minute marks and offsets' '
	flux kvs eventlog append -t 1700000100 log.a later &&
	TZ=UTC flux kvs eventlog get -H log.a >evhuman.out &&
	cat >evhuman.expected <<-\EOF &&
	[Nov14 22:13] first
	[  +1.250000] second n=1 s="x" l=[1,2]
	[Nov14 22:15] later
	EOF
	test_cmp evhuman.expected evhuman.out
'
test_expect_success 'flux kvs eventlog get --color=always colors the fields' '
	flux kvs eventlog get --color=always log.a >evcolor.out &&
	esc=$(printf "\033") &&
	grep "^${esc}\[32m1700000000.250000${esc}\[0m ${esc}\[33mfirst${esc}\[0m\$" \
		evcolor.out &&
	grep "${esc}\[34mn${esc}\[0m=${esc}\[37m1${esc}\[0m" evcolor.out &&
	flux kvs eventlog get -Lnever log.a >evnever.out &&
	! grep "$esc" evnever.out &&
	head -2 evnever.out >evnever2.out &&
	test_cmp evget.expected evnever2.out
'
test_expect_success 'flux kvs eventlog append without a timestamp uses now' '
	before=$(date +%s) &&
	flux kvs eventlog append log.now ev &&
	after=$(date +%s) &&
	ts=$(flux kvs eventlog get log.now | cut -d" " -f1 | cut -d. -f1) &&
	test $ts -ge $before && test $ts -le $after
'
test_expect_success 'flux kvs eventlog append: bad context or name: EINVAL' '
	test_must_fail flux kvs eventlog append log.bad ev "[1]" 2>ctx.err &&
	grep "Invalid argument" ctx.err &&
	test_must_fail flux kvs eventlog append log.bad ev "{nojson" &&
	test_must_fail flux kvs eventlog append log.bad "" 2>name.err &&
	grep "Invalid argument" name.err &&
	test_must_fail flux kvs get log.bad
'
test_expect_success 'flux kvs eventlog get of a non-eventlog or nothing' '
	flux kvs put notlog="not an eventlog" &&
	test_must_fail flux kvs eventlog get notlog 2>notlog.err &&
	grep "cannot decode improperly formatted eventlog" notlog.err &&
	test_must_fail flux kvs eventlog get nosuchlog 2>nolog.err &&
	grep "No such file or directory" nolog.err &&
	test_must_fail flux kvs eventlog get -N nons log.a 2>evns.err &&
	grep -i "not supported\|does not exist" evns.err
'
test_expect_success 'flux kvs eventlog get --watch --count streams appends' '
	run_bg flux kvs eventlog get --watch --waitcreate --count=3 log.w >evw.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs eventlog append -t 1 log.w one &&
	flux kvs eventlog append -t 2 log.w two &&
	flux kvs eventlog append -t 3 log.w three &&
	flux kvs eventlog append -t 4 log.w four &&
	wait $pid &&
	printf "1.000000 one\n2.000000 two\n3.000000 three\n" >evw.expected &&
	test_cmp evw.expected evw.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 0"
'
test_expect_success 'flux kvs eventlog wait-event: found, -v, -q' '
	flux kvs eventlog wait-event log.a second >wait1.out &&
	echo "1700000001.500000 second n=1 s=\"x\" l=[1,2]" >wait1.expected &&
	test_cmp wait1.expected wait1.out &&
	flux kvs eventlog wait-event -v log.a second >wait2.out &&
	printf "1700000000.250000 first\n" >wait2.expected &&
	cat wait1.expected >>wait2.expected &&
	test_cmp wait2.expected wait2.out &&
	flux kvs eventlog wait-event -q log.a later >wait3.out &&
	test_must_be_empty wait3.out
'
test_expect_success 'flux kvs eventlog wait-event waits for an append' '
	run_bg flux kvs eventlog wait-event -u -W log.later done >waitlater.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs eventlog append -t 5 log.later start &&
	flux kvs eventlog append -t 6 log.later done "{\"rc\": 0}" &&
	wait $pid &&
	echo "{\"timestamp\":6.0,\"name\":\"done\",\"context\":{\"rc\":0}}" \
		>waitlater.expected &&
	test_cmp waitlater.expected waitlater.out
'
test_expect_success 'flux kvs eventlog wait-event: timeout, missing log' '
	test_must_fail flux kvs eventlog wait-event -t 0.2 log.a nosuch \
		2>waitto.err &&
	echo "flux-kvs: wait-event timeout on event ${SQ}nosuch${SQ}" \
		>waitto.expected &&
	test_cmp waitto.expected waitto.err &&
	test_must_fail flux kvs eventlog wait-event nolog ev 2>waitnolog.err &&
	echo "flux-kvs: eventlog path nolog not found" >waitnolog.expected &&
	test_cmp waitnolog.expected waitnolog.err &&
	test_retry 100 eval "test \"\$(watchers)\" = 0"
'
test_expect_success 'flux kvs eventlog usage errors' '
	test_expect_code 2 flux kvs eventlog 2>ev-none.err &&
	grep "missing COMMAND" ev-none.err &&
	test_expect_code 2 flux kvs eventlog append onlykey &&
	test_expect_code 2 flux kvs eventlog get &&
	test_expect_code 2 flux kvs eventlog get a b &&
	test_expect_code 2 flux kvs eventlog get -c x log.a &&
	test_expect_code 2 flux kvs eventlog get -u -H log.a 2>uh.err &&
	grep "Do not specify --unformatted with --human" uh.err &&
	test_expect_code 2 flux kvs eventlog get --color=sometimes log.a &&
	test_expect_code 2 flux kvs eventlog wait-event log.a &&
	test_expect_code 2 flux kvs eventlog wait-event -t soon log.a x &&
	test_expect_code 2 flux kvs eventlog append -t abc log.a x
'

# get --watch ------------------------------------------------------------

test_expect_success 'flux kvs get --watch --count=3 prints each new value' '
	run_bg flux kvs get --watch --waitcreate --count=3 wkey >watch.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs put wkey=one &&
	flux kvs put wkey=two &&
	flux kvs put wkey=three &&
	flux kvs put wkey=four &&
	wait $pid &&
	printf "one\ntwo\nthree\n" >watch.expected &&
	test_cmp watch.expected watch.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 0"
'
test_expect_success 'flux kvs get --watch: the current value comes first' '
	run_bg flux kvs get --watch --count=2 -l wkey >watch2.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs put wkey=five &&
	wait $pid &&
	printf "wkey=four\nwkey=five\n" >watch2.expected &&
	test_cmp watch2.expected watch2.out
'
test_expect_success 'flux kvs get --watch --uniq skips a rewrite of a value' '
	run_bg flux kvs get --watch --uniq --count=3 wkey >uniq.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs put wkey=five &&
	flux kvs put wkey=six &&
	flux kvs put wkey=six &&
	flux kvs put wkey=seven &&
	wait $pid &&
	printf "five\nsix\nseven\n" >uniq.expected &&
	test_cmp uniq.expected uniq.out
'
test_expect_success 'flux kvs get --watch --full sees a change through a link' '
	flux kvs put wdir.x=1 &&
	flux kvs link wdir wlink &&
	run_bg flux kvs get --watch --full --count=2 wlink.x >full.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs put wdir.x=2 &&
	wait $pid &&
	printf "1\n2\n" >full.expected &&
	test_cmp full.expected full.out
'
test_expect_success 'flux kvs get --watch --append prints only what is added' '
	flux kvs put alog=start &&
	run_bg flux kvs get --watch --append --count=3 alog >append.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs put -A alog=+a &&
	flux kvs put -A alog=+b &&
	wait $pid &&
	printf "start\n+a\n+b\n" >append.expected &&
	test_cmp append.expected append.out
'
test_expect_success 'flux kvs get --waitcreate alone answers once, when created' '
	run_bg flux kvs get --waitcreate wc >wc.out &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs put wc=made &&
	wait $pid &&
	echo made >wc.expected &&
	test_cmp wc.expected wc.out
'
test_expect_success 'flux kvs get --watch ends with the error of a removed key' '
	flux kvs put gone=1 &&
	run_bg flux kvs get --watch gone >gone.out 2>gone.err &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	flux kvs unlink gone &&
	test_expect_code 1 wait $pid &&
	echo 1 >gone.expected &&
	test_cmp gone.expected gone.out &&
	grep "^flux-kvs: gone: No such file or directory" gone.err
'
test_expect_success 'flux kvs get prints no newline for an empty value' '
	flux kvs put empty= other=x &&
	flux kvs get empty other >empty.out &&
	echo x >empty.expected &&
	test_cmp empty.expected empty.out
'
test_expect_success 'flux kvs get --stream and --at' '
	flux kvs get --stream src.a >stream.out &&
	echo 1 >stream.expected &&
	test_cmp stream.expected stream.out &&
	ref=$(flux kvs getroot) &&
	flux kvs put src.a=changed &&
	flux kvs get --at "$ref" src.a >at.out &&
	test_cmp stream.expected at.out
'
test_expect_success 'flux kvs dir and readlink --at look at a snapshot' '
	flux kvs put snap.v=old &&
	flux kvs link snap.v snap.l &&
	ref=$(flux kvs getroot) &&
	flux kvs put snap.v=new &&
	flux kvs unlink snap.l &&
	flux kvs dir --at "$ref" snap >atdir.out &&
	printf "snap.l -> snap.v\nsnap.v = old\n" >atdir.expected &&
	test_cmp atdir.expected atdir.out &&
	test "$(flux kvs readlink -a "$ref" snap.l)" = snap.v &&
	test_must_fail flux kvs readlink snap.l &&
	test_expect_code 2 flux kvs dir --at notjson snap
'
test_expect_success 'a watcher that disconnects leaves no watch behind' '
	run_bg flux kvs get --watch wkey >/dev/null &&
	test_retry 100 eval "test \"\$(watchers)\" = 1" &&
	kill $pid &&
	test_retry 100 eval "test \"\$(watchers)\" = 0" &&
	rpc kvs-watch.stats-get >wstats.out &&
	jq -e ".namespaces == {}" wstats.out
'
test_expect_success 'flux kvs get watch options: usage errors' '
	test_expect_code 2 flux kvs get --count=many wkey 2>count.err &&
	grep "invalid count" count.err &&
	test_expect_code 2 flux kvs get --bogus wkey
'

# wait, version, sync ----------------------------------------------------

test_expect_success 'flux kvs wait VERSION returns once the KVS is there' '
	v=$(flux kvs version) &&
	flux kvs wait $v &&
	flux kvs wait 0 &&
	run_bg flux kvs wait $((v + 2)) &&
	test_retry 100 eval "test \"\$(versionwaiters primary)\" = 1" &&
	flux kvs put w1=1 &&
	flux kvs put w2=2 &&
	wait $pid &&
	test $(flux kvs version) -ge $((v + 2)) &&
	test "$(versionwaiters primary)" = 0
'
test_expect_success 'flux kvs wait -N NS fails with ENOTSUP if NS is removed' '
	flux kvs namespace create waitns &&
	run_bg flux kvs wait -N waitns 100 2>waitns.err &&
	test_retry 100 eval "test \"\$(versionwaiters waitns)\" = 1" &&
	flux kvs namespace remove waitns &&
	test_expect_code 1 wait $pid &&
	grep "^flux-kvs: flux_kvs_wait_version: Operation not supported" \
		waitns.err
'
test_expect_success 'a wait-version client that disconnects is forgotten' '
	run_bg flux kvs wait 100000 &&
	test_retry 100 eval "test \"\$(versionwaiters primary)\" = 1" &&
	rpc kvs.stats-get | jq -e ".pending_requests == 1" &&
	kill $pid &&
	test_retry 100 eval "test \"\$(versionwaiters primary)\" = 0" &&
	rpc kvs.stats-get | jq -e ".pending_requests == 0"
'
test_expect_success 'flux kvs wait usage errors' '
	test_expect_code 2 flux kvs wait 2>wait-none.err &&
	grep "specify a version" wait-none.err &&
	test_expect_code 2 flux kvs wait 1 2 &&
	test_expect_code 2 flux kvs wait soon 2>wait-bad.err &&
	grep "invalid version" wait-bad.err &&
	test_expect_code 2 flux kvs wait -N &&
	test_expect_code 2 flux kvs version extra
'
test_expect_success 'kvs.stats-get: flux-core fields, commit op counts' '
	rpc kvs.stats-get >stats.out &&
	jq -e ".namespace.primary[\"store revision\"] == $(flux kvs version)" \
		stats.out &&
	jq -e ".namespace.primary | has(\"#no-op stores\") and
		has(\"#transactions\") and has(\"#readytransactions\")" \
		stats.out &&
	jq -e ".cache | has(\"#faults\") and has(\"obj size total (MiB)\")" \
		stats.out &&
	count=$(jq ".[\"transaction-opcount\"].commit.count" stats.out) &&
	flux kvs put s1=1 s2=2 s3=3 &&
	rpc kvs.stats-get >stats2.out &&
	jq -e ".[\"transaction-opcount\"].commit.count == $count + 1" \
		stats2.out &&
	jq -e ".[\"transaction-opcount\"].commit.max >= 3" stats2.out
'
test_expect_success 'a guest may read kvs.stats-get, as in flux-core' '
	FLUX_HANDLE_USERID=$(($(id -u) + 1)) FLUX_HANDLE_ROLEMASK=2 \
		rpc kvs.stats-get >gstats.out &&
	jq -e ".namespace.primary | has(\"store revision\")" gstats.out &&
	FLUX_HANDLE_USERID=$(($(id -u) + 1)) FLUX_HANDLE_ROLEMASK=2 \
		test_must_fail rpc kvs.lookup-plus \
		"{\"key\":\"lp\",\"flags\":0,\"namespace\":\"primary\"}" \
		2>glp.err &&
	grep "^1: " glp.err
'
test_expect_success 'kvs.lookup-plus names the root, ENOENT in the payload' '
	flux kvs put lp=x &&
	ref=$(flux kvs getroot -b) &&
	seq=$(flux kvs version) &&
	rpc kvs.lookup-plus "{\"key\":\"lp\",\"flags\":0,\"namespace\":\"primary\"}" \
		>lp.out &&
	jq -e ".rootref == \"$ref\" and .rootseq == $seq and .val.type == \"val\"" \
		lp.out &&
	rpc kvs.lookup-plus "{\"key\":\"nolp\",\"flags\":0,\"namespace\":\"primary\"}" \
		>lp2.out &&
	jq -e ".errno == 2 and .rootseq == $seq and (has(\"val\") | not)" lp2.out &&
	test_must_fail rpc kvs.lookup-plus \
		"{\"key\":\"lp\",\"flags\":0,\"namespace\":\"nons\"}" 2>lp3.err &&
	grep "^95: " lp3.err
'
# N.B. flux kvs sync (and put -S) checkpoint the root in the content
# store.  Without a backing store the KVS answers content.checkpoint-get
# with ENOSYS and a SYNC commit fails with ENOSYS, as flux-core's does;
# with one, both succeed and the values stay.
test_expect_success 'flux kvs sync and put -S checkpoint the root' '
	flux kvs put beforesync=1 &&
	flux kvs sync &&
	flux kvs put -S synced=1 &&
	test "$(flux kvs get beforesync synced)" = "$(printf "1\n1")" &&
	rpc content.checkpoint-get "{}" >ckpt.out &&
	jq -e --arg ref "$(flux kvs getroot -b)" ".value[0].rootref == \$ref" \
		ckpt.out &&
	test_expect_code 2 flux kvs sync extra
'
test_expect_success 'flux kvs put/unlink/mkdir/link -b print the root blobref' '
	ref=$(flux kvs put -b pb=1) &&
	test "$ref" = "$(flux kvs getroot -b)" &&
	ref=$(flux kvs mkdir -b pbdir) &&
	test "$ref" = "$(flux kvs getroot -b)" &&
	ref=$(flux kvs link -b pb pblink) &&
	test "$ref" = "$(flux kvs getroot -b)" &&
	ref=$(flux kvs unlink -b pb) &&
	test "$ref" = "$(flux kvs getroot -b)"
'
test_expect_success 'flux kvs --help lists the new commands' '
	test_expect_code 2 flux kvs 2>kvs-help.err &&
	grep "missing COMMAND" kvs-help.err &&
	flux kvs --help >kvs-help.out &&
	for c in copy move wait sync namespace eventlog; do
		grep "^   $c " kvs-help.out || return 1
	done
'
test_expect_success 'remove the kvs module (if this test loaded it)' '
	if test -f kvs-preloaded; then
		module_is_loaded kvs
	else
		flux module remove kvs &&
		flux module remove content
	fi
'
test_done
