# SPDX-License-Identifier: LGPL-3.0-or-later
"""The :man1:, :man5: and :man7: roles: ``:man1:`flux-module``` reads
"flux-module(1)" and links to that page of this site.

A name that is not in doc/manpages.py is an error, so a reference to a
page nobody wrote fails the build (which runs with warnings as errors)
instead of linking nowhere.
"""
from docutils import nodes
from sphinx import addnodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _pages(app):
    return {(name, section): doc for doc, name, _, _, section in app.config.man_pages}


def make_role(section):
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        env = inliner.document.settings.env
        doc = _pages(env.app).get((text, section))
        label = f"{text}({section})"
        if doc is None:
            msg = f"{label} is not one of the manual pages in doc/manpages.py"
            logger.warning(msg, location=(env.docname, lineno))
            return [nodes.literal(rawtext, label)], []
        if env.app.builder.name == "man":
            # N.B. docutils' man writer follows every link with " <URI>";
            # in a manual page the name and section are the reference.
            return [nodes.strong(rawtext, label)], []
        ref = addnodes.pending_xref(
            rawtext, refdomain="std", reftype="doc", reftarget="/" + doc,
            refexplicit=True, refwarn=True)
        ref += nodes.literal(rawtext, label, classes=["xref", "man"])
        return [ref], []
    return role


def setup(app):
    for section in (1, 3, 5, 7):
        app.add_role(f"man{section}", make_role(section))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
