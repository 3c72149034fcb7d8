#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux-broker: C modules on threads

Load, list, ping, stats, debug and remove a C module; every way a load
can fail, with its errno and text; runtime failures with and without
broker.module-nopanic; disconnect notices; a module that ignores
shutdown; modules left loaded at exit.'

. /usr/share/sharness/sharness.sh

test_under_flux 1 minimal

broker="$FLUX_BUILD_DIR/broker/flux-broker"
testmod="$FLUX_BUILD_DIR/t/module/testmod.so"
nomain="$FLUX_BUILD_DIR/t/module/nomain.so"

# rpc TOPIC [JSON] (t/lib/rpc.py): the JSON result, or "ERRNO TEXT" on
# stdout; without JSON the payload is {}.
rpc() {
	command rpc --errors-on-stdout "$1" "${2:-{\}}"
}
# module.load straight to the broker: load_rpc PATH [NAME]
load_rpc() {
	if test -n "$2"; then
		rpc module.load "{\"path\":\"$1\",\"args\":[],\"name\":\"$2\"}"
	else
		rpc module.load "{\"path\":\"$1\",\"args\":[]}"
	fi
}

test_expect_success 'load a C module with arguments' '
	flux module load "$testmod" a b &&
	flux module list >list.out &&
	grep "^testmod  *[0-9]*  R " list.out
'
# While testmod sleeps in one request, five more wait in its channel:
# Sendq shows them (polled: the module may not have taken the first one
# yet), and both columns are 0 once it has answered them all.
test_expect_success 'Sendq counts the requests waiting for a busy module' '
	flux python -c "
import flux, subprocess, time
h = flux.Flux()
busy = h.rpc(\"testmod.sleep\", {\"seconds\": 3})
waiting = [h.rpc(\"testmod.hello\") for i in range(5)]
for i in range(25):
    out = subprocess.run([\"flux\", \"module\", \"list\"], check=True,
                         capture_output=True, text=True).stdout
    row = [l.split() for l in out.splitlines() if l.startswith(\"testmod \")][0]
    if row[3] == \"5\":
        break
    time.sleep(0.1)
print(row[3], row[4])
busy.get()
for f in waiting:
    f.get()
" >busy.out &&
	echo "5 0" >busy.expected &&
	test_cmp busy.expected busy.out &&
	flux module list | awk "\$1 == \"testmod\" {print \$4, \$5}" >idle.out &&
	echo "0 0" >idle.expected &&
	test_cmp idle.expected idle.out
'
test_expect_success 'the module runs on a thread named after it' '
	cat /proc/$(flux getattr broker.pid)/task/*/comm >comm.out &&
	grep -x testmod comm.out
'
test_expect_success 'the module got its arguments and its name' '
	rpc testmod.info >info.out &&
	grep "\"args\": \[\"a\", \"b\"\]" info.out &&
	grep "\"name\": \"testmod\"" info.out
'
test_expect_success 'module.list describes it as flux-core does' '
	flux python -c "
import flux
m = flux.Flux().rpc(\"module.list\").get()[\"mods\"][0]
print(sorted(m))
print(m[\"name\"], m[\"path\"], m[\"status\"], m[\"services\"])
" >mlist.out &&
	cat >mlist.expected <<-EOT &&
	[${SQ}idle${SQ}, ${SQ}name${SQ}, ${SQ}path${SQ}, ${SQ}recvqueue${SQ}, ${SQ}sendqueue${SQ}, ${SQ}services${SQ}, ${SQ}status${SQ}]
	testmod $testmod 1 [${SQ}testmod${SQ}]
	EOT
	test_cmp mlist.expected mlist.out
'
test_expect_success 'ping reaches the module through the broker' '
	uuid=$(flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.info\").get()[\"uuid\"])") &&
	flux ping -c 1 testmod >ping.out &&
	grep "testmod.ping pad=0 seq=0 .*(.*!.*!$(echo $uuid | cut -c1-8))$" \
		ping.out
'
test_expect_success 'module stats prints its message counters' '
	flux module stats testmod >stats.out &&
	grep "\"request\":" stats.out &&
	grep "\"rx\":" stats.out
'
test_expect_success 'module debug flags round trip' '
	flux module debug -S 0x4 testmod &&
	flux module debug testmod >debug.out &&
	echo 0x4 >debug.expected &&
	test_cmp debug.expected debug.out &&
	flux module debug -C testmod
'
# Succeed if testmod heard at least N disconnects, the last from us.
disconnects_atleast() {
	flux python -c "
import flux, os, sys
r = flux.Flux().rpc('testmod.disconnects').get()
sys.exit(not (r['count'] >= int(sys.argv[1])
              and r['senders'][-1] == os.getuid()))
" "$1"
}
test_expect_success 'a client that used the module makes it hear a disconnect' '
	before=$(flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.disconnects\").get()[\"count\"])") &&
	rpc testmod.hello &&
	test_retry 100 disconnects_atleast $((before + 2))
'
test_expect_success 'module events: a module subscribes by prefix' '
	rpc testmod.subscribe "{\"topic\":\"mt\"}" &&
	flux python -c "import flux; h = flux.Flux(); \
		h.rpc(\"event.publish\", {\"topic\": \"mt.one\", \"flags\": 0}).get(); \
		h.rpc(\"event.publish\", {\"topic\": \"other\", \"flags\": 0}).get()" &&
	rpc testmod.events >events.out &&
	echo "{\"topics\": [\"mt.one\"]}" >events.expected &&
	test_cmp events.expected events.out
'
test_expect_success 'module.debug defer holds back what a module sends' '
	flux python -c "
import errno, flux
h = flux.Flux()
h.rpc(\"module.debug\", {\"name\": \"testmod\", \"defer\": True}).get()
f = h.rpc(\"testmod.hello\")
try:
    f.wait_for(0.3)
    print(\"answered\")
except OSError as e:
    print(\"held back\", e.errno == errno.ETIMEDOUT)
h.rpc(\"module.debug\", {\"name\": \"testmod\", \"defer\": False}).get()
print(f.get()[\"name\"])
" >defer.out &&
	printf "held back True\ntestmod\n" >defer.expected &&
	test_cmp defer.expected defer.out
'
test_expect_success 'a second load of the same name fails with EEXIST' '
	load_rpc "$testmod" >dup.out &&
	echo "17 module testmod is already loaded: File exists" >dup.expected &&
	test_cmp dup.expected dup.out &&
	test_must_fail flux module load "$testmod" 2>dup.err &&
	grep "module testmod is already loaded: File exists$" dup.err
'
test_expect_success '--name loads the same file again' '
	flux module load --name alt "$testmod" &&
	rpc alt.hello >alt.out &&
	echo "{\"name\": \"alt\"}" >alt.expected &&
	test_cmp alt.expected alt.out &&
	rpc testmod.hello >tm.out &&
	echo "{\"name\": \"testmod\"}" >tm.expected &&
	test_cmp tm.expected tm.out &&
	flux module remove alt
'
test_expect_success 'remove unloads it; its service is gone' '
	flux module remove testmod &&
	test_must_fail module_is_loaded testmod &&
	rpc testmod.hello >gone.out &&
	echo "38 No service matching testmod.hello is registered" \
		>gone.expected &&
	test_cmp gone.expected gone.out &&
	flux dmesg | grep "broker.debug\[0\]: module testmod exited"
'
test_expect_success 'remove of a module not loaded fails with ENOENT' '
	rpc module.remove "{\"name\":\"nosuch\"}" >rmnoent.out &&
	echo "2 module nosuch is not loaded" >rmnoent.expected &&
	test_cmp rmnoent.expected rmnoent.out
'
test_expect_success 'load of a missing file: ENOENT "PATH: No such file..."' '
	load_rpc /nonexistent/x.so >noent.out &&
	echo "2 /nonexistent/x.so: No such file or directory" >noent.expected &&
	test_cmp noent.expected noent.out
'
test_expect_success 'load of a DSO without mod_main fails with EINVAL' '
	load_rpc "$nomain" >nomain.out &&
	echo "22 module does not define mod_main()" >nomain.expected &&
	test_cmp nomain.expected nomain.out &&
	test_must_fail flux module load "$nomain" 2>nomain.err &&
	grep "load .*nomain.so: module does not define mod_main()$" nomain.err
'
test_expect_success 'load of a file dlopen refuses gives the dlerror text' '
	echo "not elf" >bad.so &&
	load_rpc "$(pwd)/bad.so" >bad.out &&
	grep "^2 .*bad.so: " bad.out
'
test_expect_success 'load of a file with no loader for its suffix: EINVAL' '
	echo x >mod.txt &&
	load_rpc "$(pwd)/mod.txt" >suffix.out &&
	echo "22 no module loader for this file type (supported: .so, .py)" \
		>suffix.expected &&
	test_cmp suffix.expected suffix.out
'
test_expect_success 'load with a bad name or a taken service name fails' '
	load_rpc "$testmod" a.b >badname.out &&
	grep "^22 module name ${SQ}a.b${SQ} may not" badname.out &&
	load_rpc "$testmod" broker >svcname.out &&
	echo "17 service broker is already registered: File exists" \
		>svcname.expected &&
	test_cmp svcname.expected svcname.out
'
test_expect_success 'a module that fails to start fails the load with its errno' '
	test_must_fail flux module load "$testmod" --init-failure 2>init.err &&
	grep "Input/output error" init.err &&
	test_must_fail module_is_loaded testmod &&
	flux dmesg >init.dmesg &&
	grep "testmod.crit\[0\]: module exiting abnormally" init.dmesg &&
	grep "broker.err\[0\]: testmod: Input/output error" init.dmesg
'
test_expect_success 'and with the text it gave' '
	load_rpc "$testmod" >/dev/null &&
	rpc module.remove "{\"name\":\"testmod\"}" &&
	flux python -c "
import flux
try:
    flux.Flux().rpc(\"module.load\", {\"path\": \"$testmod\",
        \"args\": [\"--init-error=it-went-wrong\"]}).get()
except OSError as e:
    print(e.errno, e.strerror)
" >text.out &&
	echo "22 it-went-wrong: Invalid argument" >text.expected &&
	test_cmp text.expected text.out
'

#
# Clients that go away in the middle of a request or a module load
#
test_expect_success 'a client gone before its answer: the answer is dropped' '
	flux module load "$testmod" &&
	test_when_finished "flux module remove testmod" &&
	before=$(flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.disconnects\").get()[\"count\"])") &&
	flux python -c "import flux; \
		flux.Flux().rpc(\"testmod.sleep\", {\"seconds\": 1}).get()" &&
	test_expect_code 124 timeout 0.3 flux python -c "import flux; \
		flux.Flux().rpc(\"testmod.hello\").get()" &&
	flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.hello\").get()[\"name\"])" >hello.out &&
	echo testmod >hello.expected &&
	test_cmp hello.expected hello.out &&
	after=$(flux python -c "import flux; \
		print(flux.Flux().rpc(\"testmod.disconnects\").get()[\"count\"])") &&
	test $after -ge $((before + 3)) &&
	flux dmesg >gone.dmesg &&
	test_must_fail grep -i "dropping client\|runtime failure" gone.dmesg
'
test_expect_success 'a client gone while its module load is pending' '
	flux python -c "
import flux
flux.Flux().rpc(\"module.load\", {\"path\": \"$testmod\", \"args\": [],
                                  \"name\": \"orphan\"})
" &&
	test_retry 100 module_is_loaded orphan &&
	flux ping -c 1 orphan >orphan.out &&
	grep "^0!orphan.ping " orphan.out &&
	flux module remove orphan &&
	test_must_fail module_is_loaded orphan
'

# Runtime failures.
test_expect_success 'a runtime failure with nopanic is logged, the broker lives' '
	flux setattr broker.module-nopanic 1 &&
	flux module load "$testmod" &&
	rpc testmod.fail "{\"errnum\": 5}" &&
	test_retry 100 test_must_fail module_is_loaded testmod &&
	flux dmesg >fail.dmesg &&
	grep "broker.err\[0\]: testmod: Input/output error" fail.dmesg &&
	grep "broker.crit\[0\]: testmod module runtime failure" fail.dmesg &&
	flux ping -c 1 broker
'
test_expect_success 'so is the event testmod.panic' '
	flux dmesg -C &&
	flux module load "$testmod" &&
	flux python -c "import flux; flux.Flux().rpc(\"event.publish\", \
		{\"topic\": \"testmod.panic\", \"flags\": 0}).get()" &&
	test_retry 100 test_must_fail module_is_loaded testmod &&
	flux dmesg | grep "testmod: Operation not permitted" &&
	flux dmesg | grep "testmod module runtime failure" &&
	flux setattr broker.module-nopanic 0
'
test_expect_success 'without nopanic a runtime failure ends the instance' '
	test_expect_code 1 run_timeout 30 "$broker" sh -c "\
		flux module load $testmod && \
		flux python -c \"import flux; \
			flux.Flux().rpc(\\\"testmod.fail\\\").get()\" && \
		sleep 60" 2>panic.err &&
	grep "testmod module runtime failure" panic.err
'
test_expect_success 'a module that ignores shutdown is abandoned after grace' '
	flux setattr broker.module-remove-timeout 0.2 &&
	flux module load "$testmod" &&
	rpc testmod.sleep "{\"seconds\": 2}" &&
	flux module remove testmod &&
	test_must_fail module_is_loaded testmod &&
	flux dmesg >stuck.dmesg &&
	grep "module testmod did not exit after shutdown: its loader cannot" \
		stuck.dmesg &&
	grep "module testmod did not exit after shutdown: abandoning" \
		stuck.dmesg &&
	rpc testmod.hello >dead.out &&
	echo "38 No service matching testmod.hello is registered" \
		>dead.expected &&
	test_cmp dead.expected dead.out &&
	sleep 2.5 &&
	flux ping -c 1 broker &&
	flux setattr broker.module-remove-timeout 5
'
test_expect_success 'modules left loaded at exit are removed, newest first, exit 0' '
	"$broker" -Slog-stderr-level=6 sh -c "\
		flux module load --name first $testmod && \
		flux module load --name second $testmod" 2>left.err &&
	sed -n "s/.*broker.info\[0\]: shutdown: removing module //p" \
		left.err >left.out &&
	printf "second\nfirst\n" >left.expected &&
	test_cmp left.expected left.out &&
	test_must_fail grep "not properly shut down" left.err
'
test_expect_success 'modules removed before exit leave the exit code alone' '
	"$broker" sh -c "flux module load $testmod && \
		flux module remove testmod"
'


#
# Module removal goes through NAME.shutdown and tells the services a
# module used that it is gone.
#
test_expect_success 'create a module that records its shutdown request' '
	cat >sdmod.py <<-\EOF
	from flux.brokermod import BrokerModule, request_handler


	class Sd(BrokerModule):
	    @request_handler("shutdown")
	    def shutdown(self, msg):
	        self.handle.log(5, "got %s userid=%d" % (msg.topic, msg.userid))
	        self.stop()
	EOF
'
test_expect_success 'module remove stops a module with NAME.shutdown' '
	flux module load ./sdmod.py &&
	flux module remove sdmod &&
	flux module load --name=other ./sdmod.py &&
	flux module remove other &&
	flux dmesg | sed -n "s/^[^ ]* \(.*got .*\)/\1/p" >sd.out &&
	cat >sd.expected <<-EOF &&
	sdmod.notice[0]: got sdmod.shutdown userid=$(id -u)
	other.notice[0]: got other.shutdown userid=$(id -u)
	EOF
	test_cmp sd.expected sd.out
'
test_expect_success 'create a client service and a module that calls it' '
	cat >svc.py <<-\EOF &&
	import flux
	from flux.constants import FLUX_MSGTYPE_REQUEST
	h = flux.Flux()
	h.service_register("auditsvc").get()
	log = open("svc.log", "a")
	def cb(h, w, msg, arg):
	    log.write("%s\n" % msg.topic)
	    log.flush()
	    if msg.topic == "auditsvc.disconnect":
	        return
	    h.respond(msg, {})
	    if msg.topic == "auditsvc.quit":
	        h.reactor_stop()
	w = h.msg_watcher_create(cb, FLUX_MSGTYPE_REQUEST, "auditsvc.*")
	w.start()
	open("svc.ready", "w").close()
	h.reactor_run()
	EOF
	cat >caller.py <<-\EOF &&
	from flux.brokermod import BrokerModule, request_handler


	class Caller(BrokerModule):
	    @request_handler("call")
	    def call(self, msg):
	        self.handle.rpc("auditsvc.frommodule").get()
	        self.handle.respond(msg, {})
	EOF
	run_bg flux python svc.py &&
	test_retry 100 test -f svc.ready
'
test_expect_success 'a removed module makes the services it used hear a disconnect' '
	flux module load ./caller.py &&
	flux python -c "import flux; flux.Flux().rpc(\"caller.call\").get()" &&
	grep -x auditsvc.frommodule svc.log &&
	test_must_fail grep -x auditsvc.disconnect svc.log &&
	flux module remove caller &&
	test_retry 100 grep -x auditsvc.disconnect svc.log &&
	flux python -c "import flux; flux.Flux().rpc(\"auditsvc.quit\").get()" &&
	wait $(cat bg.pid)
'

test_done
