#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='configuration files: flux start -c, flux config

A directory of TOML files merged into one configuration, its types in
JSON, flux config get/set/unset/load/reload, start-up failing on a bad
file, modules (C and Python) told of a reload and able to refuse it,
and the [access] table deciding guest access.'

. /usr/share/sharness/sharness.sh

# No rc scripts: the tests load the modules they need by hand.
ARGS="-Sbroker.rc1_path= -Sbroker.rc3_path="
confmod="$FLUX_BUILD_DIR/t/module/confmod.so"
confpy="$SHARNESS_TEST_SRCDIR/module/confpy.py"
confslow="$SHARNESS_TEST_SRCDIR/module/confslow.py"

# Print the JSON result of an RPC, or "ERRNO TEXT": rpc TOPIC [JSON]
cat >rpc.sh <<'EOF'
flux python -c "
import flux, json, sys
try:
    print(json.dumps(flux.Flux().rpc(sys.argv[1],
                                     json.loads(sys.argv[2])).get(),
                     sort_keys=True, separators=(',', ':')))
except OSError as e:
    print(e.errno, e.strerror)
" "$1" "${2:-{\}}"
EOF
chmod +x rpc.sh

test_expect_success 'without -c the configuration is {} and config.path unset' '
	flux start $ARGS sh -c "flux config get; \
		flux getattr config.path || echo unset" >none.out 2>&1 &&
	cat >none.expected <<-EOT &&
	{}
	flux-getattr: config.path: No such file or directory
	unset
	EOT
	test_cmp none.expected none.out
'
test_expect_success 'an empty directory is an empty configuration' '
	mkdir empty &&
	flux start $ARGS -c empty sh -c \
		"flux getattr config.path; flux config get" >empty.out &&
	printf "empty\n{}\n" >empty.expected &&
	test_cmp empty.expected empty.out
'
test_expect_success 'files are merged in name order, the later key wins' '
	mkdir conf &&
	cat >conf/a.toml <<-EOT &&
	top = "from a"
	[tab]
	x = 1
	y = "a"
	EOT
	cat >conf/b.toml <<-EOT &&
	[tab]
	y = "b"
	[tab.sub]
	z = [1, 2]
	EOT
	cat >conf/c.toml <<-EOT &&
	top = "from c"
	EOT
	echo "ignored = true" >conf/notes.txt &&
	flux start $ARGS -c conf flux config get >merged.out &&
	echo "{\"top\":\"from c\",\"tab\":{\"x\":1,\"y\":\"b\",\"sub\":{\"z\":[1,2]}}}" \
		>merged.expected &&
	test_cmp merged.expected merged.out
'
test_expect_success 'flux config get KEY: strings as text, the rest as JSON' '
	flux start $ARGS --config-path=conf sh -c "\
		flux config get top; flux config get tab.y; \
		flux config get tab.x; flux config get tab.sub; \
		flux config get tab.sub.z" >get.out &&
	cat >get.expected <<-EOT &&
	from c
	b
	1
	{"z":[1,2]}
	[1,2]
	EOT
	test_cmp get.expected get.out
'
test_expect_success 'a key that is not set: message and exit 1, -q, -d' '
	flux start $ARGS -c conf sh -c "\
		flux config get tab.nope; echo rc=\$?; \
		flux config get -q tab.nope; echo rc=\$?; \
		flux config get --default=42 tab.nope; echo rc=\$?; \
		flux config get top.x; echo rc=\$?" >missing.out 2>&1 &&
	cat >missing.expected <<-EOT &&
	flux-config: tab.nope is not set
	rc=1
	rc=1
	42
	rc=0
	flux-config: top.x is not set
	rc=1
	EOT
	test_cmp missing.expected missing.out
'
test_expect_success 'flux config get --type checks the type' '
	flux start $ARGS -c conf sh -c "\
		flux config get -t string top; \
		flux config get -t integer top; echo rc=\$?; \
		flux config get -t object tab.sub; \
		flux config get -t bogus top; echo rc=\$?" >type.out 2>&1 &&
	cat >type.expected <<-EOT &&
	from c
	flux-config: top does not have the requested type
	rc=1
	{"z":[1,2]}
	flux-config: Unknown type: bogus
	rc=1
	EOT
	test_cmp type.expected type.out
'
test_expect_success 'TOML types map to JSON as flux-core maps them' '
	mkdir types &&
	cat >types/t.toml <<-EOT &&
	s = "str"
	i = -7
	f = 2.5
	b = false
	a = [1, "x", [true]]
	d = 1979-05-27T07:32:00Z
	o = 1979-05-27T00:32:00-07:00
	fsd = "2m"
	[[list]]
	n = 1
	[[list]]
	n = 2
	EOT
	flux start $ARGS -c types sh -c "flux config get; \
		flux config get -t fsd-integer fsd; \
		flux config get -t boolean b" >types.out &&
	cat >types.expected <<-EOT &&
	{"s":"str","i":-7,"f":2.5,"b":false,"a":[1,"x",[true]],"d":{"iso-8601-ts":"1979-05-27T07:32:00Z"},"o":{"iso-8601-ts":"1979-05-27T07:32:00Z"},"fsd":"2m","list":[{"n":1},{"n":2}]}
	120
	false
	EOT
	test_cmp types.expected types.out
'
test_expect_success 'flux config get -c PATH reads files without a broker' '
	flux config get -c conf tab.y >offline.out &&
	echo b >offline.expected &&
	test_cmp offline.expected offline.out
'
test_expect_success 'a file that does not parse fails start-up naming file and line' '
	mkdir bad &&
	cp conf/a.toml bad/ &&
	printf "[tab]\nx = 1\nbad-toml\n" >bad/z.toml &&
	test_expect_code 1 flux start $ARGS -c bad echo ran >bad.out 2>bad.err &&
	test_must_be_empty bad.out &&
	grep "^flux-broker: Config file error: bad/z.toml:3: " bad.err
'
test_expect_success 'flux-broker fails the same way (-c and --config-path)' '
	test_expect_code 1 "$FLUX_BUILD_DIR/broker/flux-broker" $ARGS \
		-c bad true 2>broker.err &&
	grep "^flux-broker: Config file error: bad/z.toml:3: " broker.err &&
	test_expect_code 1 "$FLUX_BUILD_DIR/broker/flux-broker" $ARGS \
		--config-path=bad true 2>broker2.err &&
	test_cmp broker.err broker2.err
'
test_expect_success 'a key set twice in one file is a parse error' '
	mkdir dup &&
	printf "a = 1\na = 2\n" >dup/d.toml &&
	test_must_fail flux start $ARGS -c dup true 2>dup.err &&
	grep "^flux-broker: Config file error: dup/d.toml:2: " dup.err
'
test_expect_success 'a directory that does not exist fails start-up' '
	test_expect_code 1 flux start $ARGS -c noexist true 2>noexist.err &&
	echo "flux-broker: Config file error: stat: noexist: No such file or directory" \
		>noexist.expected &&
	test_cmp noexist.expected noexist.err
'
test_expect_success 'FLUX_CONF_DIR names the directory when -c is not given' '
	FLUX_CONF_DIR=conf flux start $ARGS sh -c \
		"flux getattr config.path; flux config get top" >env.out &&
	printf "conf\nfrom c\n" >env.expected &&
	test_cmp env.expected env.out
'
test_expect_success '-c may name one file; --conf updates the configuration' '
	flux start $ARGS -c conf/b.toml --conf=tab.x=5 --conf=top=text \
		flux config get >one.out &&
	echo "{\"tab\":{\"y\":\"b\",\"sub\":{\"z\":[1,2]},\"x\":5},\"top\":\"text\"}" \
		>one.expected &&
	test_cmp one.expected one.out
'

# Start an instance on directory 'live' with confpy and confmod --strict
# loaded (in that order), run the script given on stdin in it, remove
# the modules.
run_live() {
	cat >live.sh &&
	flux start $ARGS -c live sh -c "\
		flux module load $confpy && \
		flux module load $confmod --strict && \
		sh ./live.sh; rc=\$?; \
		flux module remove confmod; flux module remove confpy; exit \$rc"
}
test_expect_success 'reload picks up a change; C and Python modules see it' '
	mkdir live &&
	printf "[confmod]\nvalue = 1\n" >live/m.toml &&
	run_live >reload.out 2>&1 <<-EOF &&
	./rpc.sh confmod.value &&
	./rpc.sh confpy.get "{\"key\":\"confmod.value\"}" &&
	printf "[confmod]\nvalue = 2\n[new]\nkey = \"k\"\n" >live/m.toml &&
	flux config reload &&
	flux config get new.key &&
	./rpc.sh confmod.value &&
	./rpc.sh confmod.get &&
	./rpc.sh confpy.get "{\"key\":\"confmod.value\"}" &&
	./rpc.sh confpy.get
	EOF
	cat >reload.expected <<-EOT &&
	{"value":1}
	{"value":1}
	k
	{"value":2}
	{"confmod":{"value":2},"new":{"key":"k"}}
	{"value":2}
	{"value":{"confmod":{"value":2},"new":{"key":"k"}}}
	EOT
	test_cmp reload.expected reload.out
'
test_expect_success 'reload with a bad file fails saying why; the old config stays' '
	rm -rf live && mkdir live &&
	printf "[confmod]\nvalue = 1\n" >live/m.toml &&
	run_live >badreload.out 2>&1 <<-EOF &&
	printf "[confmod]\nvalue = 3\n" >live/m.toml &&
	printf "ok = 1\n\n[x\n" >live/n.toml &&
	flux config reload; echo rc=\$?;
	flux config get confmod.value &&
	./rpc.sh confmod.value &&
	./rpc.sh confpy.get "{\"key\":\"confmod.value\"}"
	EOF
	cat >badreload.expected <<-EOT &&
	rc=1
	1
	{"value":1}
	{"value":1}
	EOT
	grep -v "^flux-config: reload:" badreload.out >badreload.rest &&
	test_cmp badreload.expected badreload.rest &&
	grep "^flux-config: reload: Config file error: live/n.toml:3: " \
		badreload.out
'
test_expect_success 'a module can refuse a reload: it fails with its error, all keep the old' '
	rm -rf live && mkdir live &&
	printf "[confmod]\nvalue = 1\n" >live/m.toml &&
	run_live >refuse.out 2>&1 <<-EOF &&
	printf "[confmod]\nvalue = -1\n" >live/m.toml &&
	flux config reload; echo rc=\$?;
	flux config get confmod.value &&
	./rpc.sh confmod.value &&
	./rpc.sh confpy.get "{\"key\":\"confmod.value\"}" &&
	printf "[confmod]\nvalue = 4\n" >live/m.toml &&
	flux config reload &&
	./rpc.sh confmod.value &&
	./rpc.sh confpy.get "{\"key\":\"confmod.value\"}"
	EOF
	cat >refuse.expected <<-EOT &&
	flux-config: reload: error updating confmod: value must be >= 0
	rc=1
	1
	{"value":1}
	{"value":1}
	{"value":4}
	{"value":4}
	EOT
	test_cmp refuse.expected refuse.out
'
test_expect_success 'one update at a time: another meanwhile fails with EBUSY' '
	mkdir slow &&
	printf "v = 1\n" >slow/s.toml &&
	cat >slow.sh <<-EOF &&
	flux module load $confslow &&
	printf "v = 2\n" >slow/s.toml &&
	{ flux config reload >first.out 2>&1 & } &&
	n=0 &&
	until ./rpc.sh confslow.pending | grep -q true; do
		test \$n -lt 100 || exit 1; n=\$((n+1)); sleep 0.1
	done &&
	flux config reload; echo rc=\$?
	./rpc.sh confslow.release "{\"errnum\": 22, \"text\": \"not now\"}" &&
	wait; cat first.out &&
	flux config get v &&
	flux module remove confslow
	EOF
	flux start $ARGS -c slow sh ./slow.sh >slow.out 2>&1 &&
	cat >slow.expected <<-EOT &&
	flux-config: reload: a configuration update is already in progress
	rc=1
	{}
	flux-config: reload: error updating confslow: not now
	1
	EOT
	test_cmp slow.expected slow.out
'
test_expect_success 'flux config set, unset and load go through config.load' '
	rm -rf live && mkdir live &&
	printf "[confmod]\nvalue = 1\n" >live/m.toml &&
	run_live >set.out 2>&1 <<-EOF &&
	flux config set confmod.value 6 &&
	./rpc.sh confmod.value &&
	flux config set --type=string s.t hello &&
	flux config get s &&
	flux config unset s &&
	flux config get -q s; echo rc=\$?;
	flux config set nokey 1; echo rc=\$?;
	printf "[confmod]\nvalue = 7\n" | flux config load &&
	./rpc.sh confpy.get
	EOF
	cat >set.expected <<-EOT &&
	{"value":6}
	{"t":"hello"}
	rc=1
	flux-config: Type is unknown, please specify --type
	rc=1
	{"value":{"confmod":{"value":7}}}
	EOT
	test_cmp set.expected set.out
'
test_expect_success 'a streaming config.get gets each new configuration' '
	mkdir stream &&
	printf "v = 1\n" >stream/s.toml &&
	cat >stream.py <<-EOF &&
	import json, subprocess, flux
	from flux.constants import FLUX_RPC_STREAMING
	f = flux.Flux().rpc("config.get", flags=FLUX_RPC_STREAMING)
	print(json.dumps(f.get()))
	f.reset()
	with open("stream/s.toml", "w") as out:
	    out.write("v = 2\\n")
	subprocess.run(["flux", "config", "reload"], check=True)
	print(json.dumps(f.get()))
	EOF
	flux start $ARGS -c stream flux python stream.py >stream.out &&
	cat >stream.expected <<-EOT &&
	{"v": 1}
	{"v": 2}
	EOT
	test_cmp stream.expected stream.out
'
test_expect_success 'reload without -c succeeds and changes nothing' '
	flux start $ARGS sh -c "flux config reload && flux config get" \
		>noconf.out &&
	echo "{}" >noconf.expected &&
	test_cmp noconf.expected noconf.out
'
test_expect_success 'a non-boolean [access] value fails start-up' '
	mkdir acc &&
	printf "[access]\nallow-guest-user = 1\n" >acc/a.toml &&
	test_expect_code 1 flux start $ARGS -c acc true 2>acc.err &&
	echo "flux-broker: error parsing [access] configuration: Expected true or false, got integer" \
		>acc.expected &&
	test_cmp acc.expected acc.err
'
test_expect_success 'an unknown [access] key fails start-up' '
	printf "[access]\nallow-guests = true\n" >acc/a.toml &&
	test_expect_code 1 flux start $ARGS -c acc true 2>acc2.err &&
	grep "error parsing \[access\] configuration: .*allow-guests" acc2.err
'
test_expect_success 'a reload with a bad [access] fails and keeps the old' '
	mkdir acc2 &&
	printf "[access]\nallow-guest-user = true\n" >acc2/a.toml &&
	flux start $ARGS -c acc2 sh -c "\
		printf \"[access]\nallow-guest-user = \\\"yes\\\"\n\" >acc2/a.toml && \
		flux config reload; echo rc=\$?; \
		flux config get access.allow-guest-user" >acc2.out 2>&1 &&
	cat >acc2.expected <<-EOT &&
	flux-config: reload: error updating broker: error parsing [access] configuration: Expected true or false, got string
	rc=1
	true
	EOT
	test_cmp acc2.expected acc2.out
'

test_expect_success 'broker.config-reload checks [access] too' '
	flux start $ARGS sh -c "\
		./rpc.sh broker.config-reload \"{\\\"access\\\":7}\"; \
		./rpc.sh broker.config-reload \"{\\\"x\\\":1}\"; \
		flux config get" >brokerreload.out &&
	cat >brokerreload.expected <<-EOT &&
	22 error parsing [access] configuration: Expected object, got integer
	null
	{"x":1}
	EOT
	test_cmp brokerreload.expected brokerreload.out
'

test_otheruid_prereq
# Run 'flux config get access' as uid 65534 in an instance started with
# the given options, from a copy of flux that uid can run.
guest_get() {
	run=$(mktemp -d /tmp/flux-t0029-XXXXXX) &&
	chmod 755 $run &&
	prefix=$(stage_for_guest $run/stage) &&
	flux start $ARGS -Srundir=$run/rundir "$@" sh -c "\
		chmod 755 $run/rundir && \
		$as_other_uid_cmd \
		$prefix flux config get access"
	rc=$?
	rm -rf $run
	return $rc
}
test_expect_success OTHERUID 'without [access] another uid is refused' '
	test_must_fail guest_get 2>refused.err &&
	grep "Unable to connect to Flux" refused.err
'
test_expect_success OTHERUID '[access] allow-guest-user = true admits a guest' '
	mkdir guestconf &&
	printf "[access]\nallow-guest-user = true\n" >guestconf/a.toml &&
	guest_get -c guestconf >guest.out &&
	echo "{\"allow-guest-user\":true}" >guest.expected &&
	test_cmp guest.expected guest.out
'
test_expect_success OTHERUID 'the access.allow-guest-user attribute overrides [access]' '
	test_must_fail guest_get -c guestconf \
		-Saccess.allow-guest-user=0 2>attr.err &&
	grep "Unable to connect to Flux" attr.err
'

# The TOML parser is a plugin libflux loads on the first parse, so that
# the processes that parse none (each flux command, each client) do not
# load the C++ runtime (libflux/toml_plugin.h).
test_expect_success 'flux and libflux-core do not load the C++ runtime' '
	for f in "$FLUX_BUILD_DIR/cmd/flux" \
		"$FLUX_BUILD_DIR/libflux/libflux-core.so"; do
		ldd "$f" >ldd.out &&
		if grep -e libstdc++ -e tomlplusplus ldd.out; then
			echo "$f links the C++ runtime"; return 1
		fi
	done &&
	ldd "$FLUX_BUILD_DIR/libflux/libflux-tomljson.so" >plugin.ldd &&
	grep -q libstdc++ plugin.ldd
'
test_expect_success 'flux config load parses TOML from stdin, and says where it is wrong' '
	run_live >stdin.out 2>&1 <<-EOF &&
	printf "[confmod]\nvalue = 8" | flux config load &&
	flux config get confmod &&
	printf "[confmod]\nvalue = \n" | flux config load; echo rc=\$?;
	printf "{\"confmod\": {\"value\": 9}}" | flux config load &&
	flux config get confmod
	EOF
	sed -n "1p;3p;4p" stdin.out >stdin.rest &&
	cat >stdin.expected <<-EOT &&
	{"value":8}
	rc=1
	{"value":9}
	EOT
	test_cmp stdin.expected stdin.rest &&
	grep "^flux-config: TOML parse error: line 2: " stdin.out
'
test_expect_success 'a libflux without its TOML plugin fails a TOML file saying why' '
	mkdir -p noplugin noplugin.conf &&
	cp "$FLUX_BUILD_DIR"/libflux/libflux-core.so.0 noplugin/ &&
	printf "x = 1\n" >noplugin.conf/x.toml &&
	test_must_fail env LD_LIBRARY_PATH="$PWD/noplugin" \
		"$FLUX_BUILD_DIR/broker/flux-broker" $ARGS -c noplugin.conf \
		true 2>noplugin.err &&
	grep "noplugin.conf/x.toml: TOML parser libflux-tomljson.so not loaded: cannot open shared object file" \
		noplugin.err
'
test_done
