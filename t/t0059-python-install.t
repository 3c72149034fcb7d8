#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='meson install: the Python bindings and pyloader.so

"installed by meson install" (issue 3, item 1): meson install into a
DESTDIR lays out every file of the flux package, the compiled
_flux._core extension and pyloader.so, and the installed package
imports on its own, without the build or source tree on its path.
'

. /usr/share/sharness/sharness.sh

test -n "$FLUX_BUILD_DIR" || error "FLUX_BUILD_DIR is not set"

test_expect_success 'meson install into a DESTDIR' '
	{
		meson install -C "$FLUX_BUILD_DIR" --no-rebuild \
			--destdir "$PWD/inst" >install.log 2>&1 ||
		{ cat install.log; false; }
	}
'
test_expect_success 'find the installed site-packages and libdir' '
	find inst -path "*/_flux/_core*.so" >core.path &&
	test $(wc -l <core.path) = 1 &&
	site=$(dirname $(dirname $(cat core.path))) &&
	echo "$PWD/$site" >site.dir &&
	find inst -name "libflux-core.so*" | head -n 1 >lib.path &&
	test -s lib.path &&
	echo "$PWD/$(dirname $(cat lib.path))" >lib.dir
'
test_expect_success 'every .py of the flux package is installed' '
	(cd "$FLUX_SOURCE_DIR/python" && find flux -name "*.py" | sort) \
		>src.list &&
	(cd "$(cat site.dir)" && find flux -name "*.py" | sort) >inst.list &&
	test_cmp src.list inst.list
'
test_expect_success 'pyloader.so is installed' '
	find inst -name pyloader.so | grep .
'
# Without the install libdir in their run path, the installed programs
# fail to start under any prefix the dynamic linker does not search.
test_expect_success 'installed programs and plugins find libflux-core in the install libdir' '
	libdir=$(cat lib.dir) &&
	libdir=${libdir#$PWD/inst} &&
	for name in flux-broker pyloader.so "_core*.so"; do
		path=$(find inst -name "$name" -type f | head -n 1) &&
		test -n "$path" &&
		readelf -d "$path" >dyn.out &&
		sed -n "s/.*R.*PATH.*\[\(.*\)\]/\1/p" dyn.out | tr : "\n" \
			>runpath.out &&
		grep -qxF "$libdir" runpath.out ||
		{ echo "$name: no $libdir in run path"; cat dyn.out; return 1; }
	done
'
test_expect_success 'the installed package imports without the build tree' '
	env -u PYTHONPATH PYTHONPATH="$(cat site.dir)" \
		${FLUX_TEST_ASAN_RUNTIME:+LD_PRELOAD=$FLUX_TEST_ASAN_RUNTIME} \
		LD_LIBRARY_PATH="$(cat lib.dir)" "$PYTHON" -c "
import _flux._core, _flux._site, flux, flux.brokermod, flux._pyloader
import flux.constants
for m in (_flux._core, _flux._site, flux, flux.brokermod, flux._pyloader):
    print(m.__file__)
print(flux.constants.FLUX_MSGTYPE_REQUEST)
" >import.out &&
	cat import.out &&
	test $(grep -c "^$(cat site.dir)/" import.out) = 5 &&
	tail -n 1 import.out >type.out &&
	echo 1 >type.expected &&
	test_cmp type.expected type.out
'
# A broker copied out of the build tree (to /tmp: the trash folder is
# in it) is an installed one: the rc1 it runs is the one meson installs
# under the prefix, not there without DESTDIR, so it fails and the log
# names it.
test_expect_success 'rc1 and rc3 are installed, executable, where an installed broker runs them' '
	for rc in rc1 rc3; do
		f=$(find inst -path "*/flux/$rc" -type f) &&
		test -n "$f" && test -x "$f" || return 1
	done &&
	staged=$(mktemp -d /tmp/flux-t0059-XXXXXX) &&
	test_when_finished "rm -rf $staged" &&
	cp "$FLUX_BUILD_DIR/broker/flux-broker" $staged/ &&
	{ env LD_LIBRARY_PATH="$FLUX_BUILD_DIR/libflux" $staged/flux-broker \
		-Sbroker.rc3_path= -Slog-stderr-level=6 true 2>staged.err || :; } &&
	sed -n "s/.* rc1\.0: \(\/[^ ]*\) Exited (rc=[0-9]*) .*/\1/p" \
		staged.err >staged.path &&
	echo "$(find inst -path "*/flux/rc1" -type f | sed "s,^inst,,")" \
		>installed.path &&
	test_cmp installed.path staged.path
'
test_expect_success 'the TOML parser plugin is installed beside libflux-core, and used' '
	test -f "$(cat lib.dir)/libflux-tomljson.so" &&
	broker=$(find inst -name flux-broker -type f | head -n 1) &&
	flux=$(find inst -path "*/bin/flux" -type f | head -n 1) &&
	mkdir -p instconf &&
	printf "[t0059]\nkey = \"installed\"\n" >instconf/a.toml &&
	env LD_LIBRARY_PATH="$(cat lib.dir)" LD_DEBUG=files "$broker" \
		-Sbroker.rc1_path= -Sbroker.rc3_path= -c instconf \
		"$PWD/$flux" config get t0059.key >instconf.out 2>instconf.debug &&
	echo installed >instconf.expected &&
	test_cmp instconf.expected instconf.out &&
	grep -F "file=$(cat lib.dir)/libflux-tomljson.so [0];  dynamically loaded" \
		instconf.debug
'
# The flux command has libflux (and jansson, libev) linked in: it starts
# faster (cmd/meson.build).  What it parses as TOML itself, it parses with
# the plugin of its own installation, found from where it is (the DESTDIR
# here is a relocated install), and the modules flux module-exec loads
# into it use its copy of libflux, which it exports.
test_expect_success 'the installed flux links no libflux-core, jansson or libev' '
	flux=$(find inst -path "*/bin/flux" -type f | head -n 1) &&
	readelf -d "$flux" >flux.dyn &&
	grep NEEDED flux.dyn >flux.needed &&
	! grep -e libflux-core -e libjansson -e libev flux.needed &&
	nm -D --defined-only "$flux" | awk "{print \$3}" >flux.exports &&
	grep -qx flux_open flux.exports &&
	grep -qx ev_run flux.exports
'
test_expect_success 'the installed flux parses TOML with its own installation'"'"'s plugin' '
	flux=$(find inst -path "*/bin/flux" -type f | head -n 1) &&
	env LD_DEBUG=files "$PWD/$flux" config get -c instconf t0059.key \
		>relocated.out 2>relocated.debug &&
	echo installed >relocated.expected &&
	test_cmp relocated.expected relocated.out &&
	sed -n "s/.*file=\(.*libflux-tomljson.so\) \[0\];  dynamically loaded.*/\1/p" \
		relocated.debug >relocated.plugin &&
	test -s relocated.plugin &&
	test "$(realpath "$(cat relocated.plugin)")" = \
		"$(cat lib.dir)/libflux-tomljson.so"
'
test_expect_success 'libflux-core exports its API and none of its internals' '
	lib=$(find inst -name "libflux-core.so.*" -type f | head -n 1) &&
	test -n "$lib" &&
	nm -D --defined-only "$lib" | awk "{print \$3}" >exports.out &&
	grep -qx flux_open exports.out &&
	grep -qx idset_create exports.out &&
	{ grep -v -e "^flux_" -e "^idset_" exports.out >internal.out || :; } &&
	test_must_be_empty internal.out
'

#
# What a module author gets from the install (doc/testing-modules.rst,
# doc/typing.rst): the type stubs, the pytest plugin's entry point, and
# the sharness helpers, used from the installed prefix as an author does.
#
test_expect_success 'every stub of the flux package and py.typed are installed' '
	(cd "$FLUX_SOURCE_DIR/python" &&
		find flux -name "*.pyi" -o -name py.typed | sort) >stubs.src &&
	test -s stubs.src &&
	(cd "$(cat site.dir)" &&
		find flux -name "*.pyi" -o -name py.typed | sort) >stubs.inst &&
	test_cmp stubs.src stubs.inst
'
test_expect_success 'mypy reads the installed stubs (PEP 561), and only them' '
	mkdir -p typed &&
	printf "import flux\nreveal_type(flux.Flux().rpc(\"a\").get_matchtag())\n" \
		>typed/use.py &&
	{ (cd typed && env -u PYTHONPATH PYTHONPATH="$(cat ../site.dir)" \
		"$PYTHON" -m mypy --no-incremental use.py) >typed.out 2>&1 ||
		{ cat typed.out; false; }; } &&
	grep "use.py:2: note: Revealed type is \"\(builtins\.\)\?int\"" typed.out &&
	(cd typed && test_must_fail env -u PYTHONPATH "$PYTHON" -m mypy \
		--no-incremental use.py) >untyped.out 2>&1 &&
	grep "Cannot find implementation or library stub for module named \"flux\"" \
		untyped.out
'
test_expect_success 'the pytest plugin is an entry point: loaded without -p, and -p flux.pytest still works' '
	for p in "" "-p flux.pytest"; do
		env -u PYTHONPATH PYTHONPATH="$(cat site.dir)" \
			LD_LIBRARY_PATH="$(cat lib.dir)" \
			"$PYTHON" -m pytest -p no:cacheprovider $p --help \
			>plugin.help 2>&1 || { cat plugin.help; return 1; }
		grep -e "--flux-cmd=PATH" plugin.help || return 1
	done &&
	env -u PYTHONPATH PYTHONPATH="$(cat site.dir)" "$PYTHON" -c "
from importlib.metadata import entry_points
print(*sorted(f\"{e.name}={e.value}\" for e in entry_points(group=\"pytest11\")
              if e.value.startswith(\"flux\")))" >ep.out &&
	echo "flux.pytest=flux.pytest" >ep.expected &&
	test_cmp ep.expected ep.out
'
test_expect_success 'the installed sharness helpers name no build or source path' '
	flux=$(find inst -path "*/bin/flux" -type f | head -n 1) &&
	prefix=$(dirname "$(dirname "${flux#inst}")") &&
	echo "$prefix" >prefix.txt &&
	shdir=inst$prefix/share/flux-pybroker/sharness &&
	test -f "$shdir/sharness.sh" &&
	test -f "$shdir/sharness.d/flux-sharness.sh" &&
	test -x "$shdir/lib/bin/rpc" &&
	test -f "$shdir/lib/rpc.py" &&
	test -f "$shdir/valgrind.supp" &&
	! grep -rF -e "$FLUX_BUILD_DIR" -e "$FLUX_SOURCE_DIR" "$shdir" &&
	grep -xF ": \"\${FLUX_SHARNESS_DIR:=$prefix/share/flux-pybroker/sharness}\"" \
		"$shdir/sharness.sh"
'

# An author's module and tests, run from a folder outside the build and
# source trees: a sharness script that sources the installed sharness.sh,
# and a pytest file that uses the plugin's fixtures (loaded through its
# entry point).
cat >greeter.py <<'EOT'
import flux.brokermod
from flux.brokermod import BrokerModule, request_handler


class Greeter(BrokerModule):
    @request_handler("hello")
    def hello(self, msg):
        text = f"hello, {msg.payload['name']}"
        if "loud" in self.args:
            text = text.upper()
        self.handle.respond(msg, {"greeting": text})

    @request_handler("where")
    def where(self, msg):
        self.handle.respond(msg, {"brokermod": flux.brokermod.__file__})
EOT
cat >t0001-greeter.t <<'EOT'
#!/bin/sh
test_description='an author module, tested with the installed helpers'
. "$(dirname "$(command -v flux)")/../share/flux-pybroker/sharness/sharness.sh"
test_under_flux 1
test_expect_success 'flux and the helpers are the installed ones' '
	test "$(command -v flux)" = "$EXPECT_PREFIX/bin/flux" &&
	test "$FLUX_SHARNESS_DIR" = "$EXPECT_PREFIX/share/flux-pybroker/sharness" &&
	test "$(command -v rpc)" = "$FLUX_SHARNESS_DIR/lib/bin/rpc"
'
test_expect_success 'load the module, with an argument' '
	flux module load "$SHARNESS_TEST_SRCDIR/greeter.py" loud &&
	module_is_loaded greeter
'
test_expect_success 'rpc: its answer' '
	rpc greeter.hello "{\"name\": \"Ada\"}" >out &&
	echo "{\"greeting\": \"HELLO, ADA\"}" >expected &&
	test_cmp expected out
'
test_expect_success 'the module runs the installed flux package' '
	rpc greeter.where >where.out &&
	grep "\"brokermod\": \"$EXPECT_PREFIX/lib/.*/flux/brokermod.py\"" where.out
'
test_expect_success 'remove it (test_done fails the script if a module is left)' '
	flux module remove greeter &&
	test_retry 10 eval "! module_is_loaded greeter"
'
test_done
EOT
cat >test_greeter.py <<'EOT'
import flux.brokermod


def test_hello(load_module):
    mod = load_module("greeter.py", "loud")
    assert mod.rpc("hello", {"name": "Ada"}) == {"greeting": "HELLO, ADA"}


def test_the_installed_package(load_module, pytestconfig):
    mod = load_module("greeter.py")
    assert mod.rpc("where")["brokermod"] == flux.brokermod.__file__
    assert flux.brokermod.__file__.startswith(
        pytestconfig.getoption("--flux-cmd").rsplit("/bin/", 1)[0])
EOT

# laid-over.sh INSTALLED PREFIX COMMAND...: run COMMAND where INSTALLED
# (inst/PREFIX, the DESTDIR install) is laid over PREFIX, as after a real
# meson install: the installed programs find their files by the paths
# compiled into them, which a DESTDIR does not give them.  Run in a
# mount namespace of its own ($UNSHARE: as root, or in a user namespace),
# so that nothing outside sees it; overlayfs keeps what PREFIX holds, a
# bind mount (for a PREFIX other than / and /usr) hides it.
cat >laid-over.sh <<'EOT'
inst=$1
prefix=$2
shift 2
mount -t overlay overlay -o "lowerdir=$inst:$prefix" "$prefix" 2>/dev/null ||
	{ case "$prefix" in /|/usr) exit 97 ;; esac &&
	  mount --bind "$inst" "$prefix"; } ||
	exit 97
exec "$@"
EOT
if test "$(id -u)" = 0; then
	UNSHARE="unshare -m --propagation private"
else
	UNSHARE="unshare -r -m --propagation private"
fi

test_expect_success 'a mount namespace with the install laid over its prefix' '
	prefix=$(cat prefix.txt) &&
	{ $UNSHARE sh laid-over.sh "$PWD/inst$prefix" "$prefix" \
		test -x "$prefix/libexec/flux/flux-broker" ||
	  { echo "cannot lay the install over $prefix with $UNSHARE" \
		"(a mount namespace and overlayfs or a bind mount are needed)"
	    false; }; }
'
test_expect_success 'an author sharness script loads a module with the installed helpers' '
	prefix=$(cat prefix.txt) &&
	author=$(mktemp -d /tmp/flux-t0059-author-XXXXXX) &&
	test_when_finished "rm -rf $author" &&
	cp greeter.py t0001-greeter.t "$author/" &&
	{ $UNSHARE sh laid-over.sh "$PWD/inst$prefix" "$prefix" \
		env -i PATH="$prefix/bin:/usr/bin:/bin" HOME="$author" TERM=dumb \
		EXPECT_PREFIX="$prefix" \
		sh -c "cd $author && sh ./t0001-greeter.t -v" >author.out 2>&1 ||
		{ cat author.out; false; }; } &&
	grep "^# passed all 5 test(s)" author.out
'
test_expect_success 'the example of doc/testing-modules.rst runs against the install' '
	prefix=$(cat prefix.txt) &&
	author=$(mktemp -d /tmp/flux-t0059-author-XXXXXX) &&
	test_when_finished "rm -rf $author" &&
	cp "$FLUX_SOURCE_DIR/doc/examples/tests/t0001-mymod.t" \
		"$FLUX_SOURCE_DIR/doc/examples/mymod.py" "$author/" &&
	{ $UNSHARE sh laid-over.sh "$PWD/inst$prefix" "$prefix" \
		env -i PATH="$prefix/bin:/usr/bin:/bin" HOME="$author" TERM=dumb \
		sh -c "cd $author && sh ./t0001-mymod.t -v" >example.out 2>&1 ||
		{ cat example.out; false; }; } &&
	grep "^# passed all 4 test(s)" example.out
'
test_expect_success 'an author pytest file uses the installed plugin (its entry point, no -p)' '
	prefix=$(cat prefix.txt) &&
	site=$(cat site.dir) &&
	site=${site#$PWD/inst} &&
	author=$(mktemp -d /tmp/flux-t0059-author-XXXXXX) &&
	test_when_finished "rm -rf $author" &&
	cp greeter.py test_greeter.py "$author/" &&
	{ $UNSHARE sh laid-over.sh "$PWD/inst$prefix" "$prefix" \
		env -i PATH="$prefix/bin:/usr/bin:/bin" HOME="$author" \
		PYTHONPATH="$site" \
		${FLUX_TEST_ASAN_RUNTIME:+LD_PRELOAD=$FLUX_TEST_ASAN_RUNTIME} \
		sh -c "cd $author && \"$PYTHON\" -m pytest -p no:cacheprovider -q \
			--flux-cmd=$prefix/bin/flux test_greeter.py" \
		>pytest.out 2>&1 || { cat pytest.out; false; }; } &&
	grep "^2 passed" pytest.out
'
test_done
