#!/bin/sh
# SPDX-License-Identifier: LGPL-3.0-or-later

test_description='the documentation site

doc/meson.build builds the HTML site into FLUX_BUILD_DIR/doc/html with
warnings as errors.  Every source page has its HTML page, none of them
says TODO or placeholder or is nearly empty, and the pages the issue
asks for are reachable from the index.  The tests have the prerequisite
SPHINX, as t0110: in a build without the docs (-Ddocs=disabled, or no
Sphinx and myst-parser) the tests say so and are skipped.'

. /usr/share/sharness/sharness.sh

test -n "$FLUX_BUILD_DIR" || error "FLUX_BUILD_DIR is not set"
test -n "$PYTHON" || error "PYTHON is not set"

test_docs_prereq "the site"

HTML=$FLUX_BUILD_DIR/doc/html

# The text of each built page: tags and scripts dropped, one page per
# line of pages.txt as "PAGE WORDS TEXT...".
cat >pagetext.py <<'EOF_PY'
import html.parser, pathlib, sys

class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.skip = 0
        self.inbody = False
        self.words = []
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "nav"):
            self.skip += 1
        if ("role", "main") in attrs or ("class", "body") in attrs:
            self.inbody = True
    def handle_endtag(self, tag):
        if tag in ("script", "style", "nav") and self.skip:
            self.skip -= 1
    def handle_data(self, data):
        if self.inbody and not self.skip:
            self.words += data.split()

src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for page in sorted(list(src.rglob("*.rst")) + list(src.rglob("*.md"))):
    rel = page.relative_to(src)
    if rel.parts[0] in ("examples", "_ext") or page.name == "README.md":
        continue
    built = out / rel.with_suffix(".html")
    if not built.exists():
        print(rel, "MISSING")
        continue
    t = Text()
    t.feed(built.read_text())
    print(rel.with_suffix(""), len(t.words), " ".join(t.words))
EOF_PY

test_expect_success SPHINX 'every source page was built' '
	"$PYTHON" pagetext.py "$FLUX_SOURCE_DIR/doc" "$HTML" >pages.txt &&
	test $(wc -l <pages.txt) -ge 30 &&
	! grep " MISSING$" pages.txt
'
test_expect_success SPHINX 'no page says TODO or placeholder' '
	! grep -w -i -e TODO -e placeholder pages.txt
'
test_expect_success SPHINX 'no page is nearly empty (fewer than 100 words)' '
	awk "\$2 < 100 { print \$1, \$2; bad = 1 } END { exit bad }" pages.txt
'
test_expect_success SPHINX 'the index reaches the pages a newcomer needs' '
	for page in getting-started python-broker-modules examples \
		configuration api/index api/handle api/messages api/futures \
		api/watchers api/kvs internals benchmarks man1/flux \
		man1/flux-module; do
		grep -q "href=\"$page.html\"" "$HTML/index.html" ||
		{ echo "index.html does not link $page.html"; return 1; }
	done
'
test_expect_success SPHINX 'the guide carries the API reference of flux.brokermod' '
	grep -q "id=\"flux.brokermod.BrokerModule\"" "$HTML/python-broker-modules.html" &&
	grep -q "id=\"flux.brokermod.request_handler\"" "$HTML/python-broker-modules.html" &&
	grep -q "id=\"flux.brokermod.event_handler\"" "$HTML/python-broker-modules.html"
'
test_expect_success SPHINX 'a :man1: reference links to our page' '
	grep -q "href=\"man1/flux-module.html\"" "$HTML/python-broker-modules.html"
'
test_expect_success SPHINX 'the examples page includes every example file' '
	for f in "$FLUX_SOURCE_DIR"/doc/examples/*.py "$FLUX_SOURCE_DIR"/doc/examples/*.c; do
		name=$(basename "$f") &&
		grep -q "literalinclude:: examples/$name" "$FLUX_SOURCE_DIR/doc/examples.rst" ||
		{ echo "doc/examples.rst does not include $name"; return 1; }
	done
'

test_done
