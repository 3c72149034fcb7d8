#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='flux help CMD and the manual pages

flux help CMD shows the manual page of CMD through man (man -l FILE):
from the build tree the page is the man builder'"'"'s output in
FLUX_BUILD_DIR/doc, once installed the one in the installed mandir.
Without man on PATH, or without the page, it says so and where the page
would be, prints the command'"'"'s --help instead, and exits 16 (as
flux-core'"'"'s flux help does for a missing page).  Every page named in
doc/manpages.py is built, and meson install puts them in man1 and man7.

The tests that need the pages have the prerequisite SPHINX: this build
made the docs (doc/meson.build: -Ddocs=auto when the Python the
bindings are built for can import sphinx and myst_parser, always with
-Ddocs=enabled, as CI builds).  Without them those tests are skipped,
and say so; with them, a page that is missing fails.'

. /usr/share/sharness/sharness.sh

test -n "$FLUX_BUILD_DIR" || error "FLUX_BUILD_DIR is not set"
test -n "$PYTHON" || error "PYTHON is not set"

test_docs_prereq "the manual pages"

DOC=$FLUX_BUILD_DIR/doc
FLUX=$(command -v flux)

# The pages doc/manpages.py names, one "NAME SECTION" a line.
test_expect_success 'the list of manual pages is read from doc/manpages.py' '
	"$PYTHON" -c "
import sys
sys.path.insert(0, sys.argv[1])
from manpages import man_pages
for doc, name, desc, authors, section in man_pages:
    print(name, section)
" "$FLUX_SOURCE_DIR/doc" >pages.list &&
	grep -x "flux-ping 1" pages.list &&
	grep -x "flux-python-broker-modules 7" pages.list &&
	test $(wc -l <pages.list) -ge 15
'
test_expect_success SPHINX 'every page of doc/manpages.py was built' '
	while read name section; do
		test -s "$DOC/$name.$section" ||
		{ echo "$DOC/$name.$section was not built"; return 1; }
	done <pages.list
'
test_expect_success SPHINX 'no page is a placeholder' '
	while read name section; do
		! grep -i "placeholder" "$DOC/$name.$section" ||
		{ echo "$name($section) is a placeholder"; return 1; }
	done <pages.list
'
# N.B. a page whose title and sections have the same adornment comes out
# of the man builder with its section headings lost.
test_expect_success SPHINX 'every command page has SYNOPSIS, DESCRIPTION, EXIT STATUS, SEE ALSO' '
	while read name section; do
		test $section = 1 || continue
		for sh in SYNOPSIS DESCRIPTION "EXIT STATUS" "SEE ALSO"; do
			grep -qx "\.SH $sh" "$DOC/$name.$section" ||
			{ echo "$name($section) has no $sh"; return 1; }
		done
	done <pages.list
'
test_expect_success SPHINX 'flux help CMD shows the page through man' '
	MANPAGER=cat flux help ping >ping.man &&
	grep "^FLUX-PING(1)" ping.man &&
	grep "flux-ping - measure the round trip to a Flux service" ping.man &&
	grep "^SYNOPSIS" ping.man &&
	grep "^OPTIONS" ping.man &&
	! grep "^Usage: flux ping" ping.man
'
test_expect_success SPHINX 'with PAGER=cat instead of MANPAGER, the same page' '
	env -u MANPAGER PAGER=cat flux help ping >ping2.man &&
	test_cmp ping.man ping2.man
'
test_expect_success SPHINX 'flux help flux-CMD is flux help CMD' '
	MANPAGER=cat flux help flux-ping >ping3.man &&
	test_cmp ping.man ping3.man
'
test_expect_success SPHINX 'flux help flux shows flux(1)' '
	MANPAGER=cat flux help flux >flux.man &&
	grep "^FLUX(1)" flux.man
'
test_expect_success SPHINX 'setattr and lsattr have their pages (flux-getattr(1))' '
	MANPAGER=cat flux help setattr >setattr.man &&
	grep "^FLUX-SETATTR(1)" setattr.man &&
	MANPAGER=cat flux help lsattr >lsattr.man &&
	grep "^FLUX-LSATTR(1)" lsattr.man
'
test_expect_success SPHINX 'a topic that is no command finds its section-7 page' '
	MANPAGER=cat flux help python-broker-modules >pbm.man &&
	grep "^FLUX-PYTHON-BROKER-MODULES(7)" pbm.man
'

# A man of our own, first on PATH: what flux help runs, and what it
# does with the exit status.
test_expect_success SPHINX 'flux help runs man -l on the build tree page, exits with its status' '
	mkdir -p fakeman &&
	cat >fakeman/man <<-EOF &&
	#!/bin/sh
	echo "\$@" >"$PWD/fakeman.args"
	exit 3
	EOF
	chmod +x fakeman/man &&
	test_expect_code 3 env PATH="$PWD/fakeman:$PATH" flux help kvs &&
	echo "-l $DOC/flux-kvs.1" >fakeman.expected &&
	test_cmp fakeman.expected fakeman.args
'
test_expect_success SPHINX 'without man on PATH: says where the page is, prints --help, exits 16' '
	mkdir -p noman &&
	test_expect_code 16 env PATH="$PWD/noman" "$FLUX" help ping \
		>noman.out 2>noman.err &&
	echo "flux-help: man is not on PATH: the manual page flux-ping is $DOC/flux-ping.1" \
		>noman.expected &&
	test_cmp noman.expected noman.err &&
	flux ping --help >ping.help &&
	test_cmp ping.help noman.out
'
test_expect_success 'a command with no page: says so, prints its --help, exits 16' '
	test_expect_code 16 flux help module-exec >mexec.out 2>mexec.err &&
	echo "flux-help: no manual page flux-module-exec: $DOC/flux-module-exec.1 does not exist" \
		>mexec.expected &&
	test_cmp mexec.expected mexec.err &&
	flux module-exec --help >mexec.help &&
	test_cmp mexec.help mexec.out
'
test_expect_success 'flux help version (no page, no --help) prints its usage, exits 16' '
	test_expect_code 16 flux help version >version.out 2>version.err &&
	grep "no manual page flux-version: $DOC/flux-version.1 does not exist" \
		version.err &&
	grep "^Usage: flux version$" version.out
'
test_expect_success 'flux help of what is neither a command nor a page fails' '
	test_expect_code 1 flux help nosuch 2>nosuch.err &&
	echo "flux: unknown command '"'"'nosuch'"'"'" >nosuch.expected &&
	test_cmp nosuch.expected nosuch.err
'
test_expect_success 'flux help with no argument still lists the commands' '
	flux help >list.out &&
	grep "^Usage: flux" list.out &&
	grep "^  help " list.out
'

# meson install: the pages go to mandir/man1 and man7 under the prefix.
test_expect_success 'the prefix and mandir of this build' '
	meson introspect --buildoptions "$FLUX_BUILD_DIR" >options.json &&
	"$PYTHON" -c "
import json, sys
opts = {o[\"name\"]: o[\"value\"] for o in json.load(open(sys.argv[1]))}
print(opts[\"prefix\"].rstrip(\"/\") + \"/\" + opts[\"mandir\"])
" options.json >mandir.path &&
	test -s mandir.path
'
test_expect_success 'meson install into a DESTDIR' '
	{
		meson install -C "$FLUX_BUILD_DIR" --no-rebuild \
			--destdir "$PWD/inst" >install.log 2>&1 ||
		{ cat install.log; false; }
	}
'
test_expect_success SPHINX 'meson install puts every page in man1 or man7' '
	mandir=$PWD/inst$(cat mandir.path) &&
	while read name section; do
		test -s "$mandir/man$section/$name.$section" ||
		{ echo "$name.$section not in $mandir/man$section"; return 1; }
	done <pages.list &&
	(cd "$mandir" && ls man1 man7) >installed.list &&
	test $(grep -c "\.[17]$" installed.list) = $(wc -l <pages.list)
'
# An installed flux (the one meson installed, outside the build tree)
# looks in the installed mandir, where DESTDIR put nothing.
mandir=$(cat mandir.path 2>/dev/null)
test -n "$mandir" && test ! -e "$mandir/man1/flux-ping.1" &&
	test_set_prereq NOT_INSTALLED
# N.B. copied out of the build tree (the trash folder is in it) to /tmp.
test_expect_success NOT_INSTALLED 'an installed flux looks for its page in the installed mandir' '
	inst_flux=$(find inst -path "*/bin/flux" -type f) &&
	test -n "$inst_flux" &&
	libdir=$(dirname $(find inst -name "libflux-core.so*" | head -n 1)) &&
	staged=$(mktemp -d /tmp/flux-t0110-XXXXXX) &&
	cp "$inst_flux" "$staged/flux" &&
	test_expect_code 16 env LD_LIBRARY_PATH="$PWD/$libdir" \
		"$staged/flux" help ping >inst.out 2>inst.err &&
	rm -rf "$staged" &&
	echo "flux-help: no manual page flux-ping: $mandir/man1/flux-ping.1 does not exist" \
		>inst.expected &&
	test_cmp inst.expected inst.err &&
	grep "^Usage: flux ping" inst.out
'

test_done
