# SPDX-License-Identifier: LGPL-3.0-or-later
# Sphinx configuration of the documentation site and the manual pages.
# doc/meson.build runs sphinx-build with the interpreter the bindings are
# built for, and PYTHONPATH set to the source and build trees, so that
# autodoc imports this tree's flux package.
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "_ext"))
sys.path.insert(0, here)

from manpages import man_pages  # noqa: E402

project = "flux-pybroker"
author = "the flux-pybroker developers"
copyright = "the flux-pybroker developers; LGPL-3.0-or-later"
release = os.environ.get("FLUX_PYBROKER_VERSION", "")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "myst_parser",
    "manrole",
]

root_doc = master_doc = "index"
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "examples", "**/README.md"]
templates_path = []

# Every cross-reference must resolve: a broken one is a build error in CI.
nitpicky = True
nitpick_ignore = [
    # Python's own types, which autodoc names in signatures; this site does
    # not link to docs.python.org (the build runs without the network).
    ("py:class", "optional"),
]
nitpick_ignore_regex = [
    ("py:class", r"(typing|collections\.abc)\..*"),
    ("py:class", r"(int|str|bytes|dict|list|tuple|bool|float|object|None|Exception|OSError)"),
]

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True}
myst_heading_anchors = 3

html_theme = "alabaster"
html_title = "flux-pybroker"
html_static_path = []

man_make_section_directory = False
man_show_urls = False
