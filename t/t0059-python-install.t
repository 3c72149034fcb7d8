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
test_done
