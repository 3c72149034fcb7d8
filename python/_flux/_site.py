# SPDX-License-Identifier: LGPL-3.0-or-later
"""The site packages of the interpreter the broker embeds, with the
running of their .pth files put off until a module may need them.

pyloader.so starts Python without the site module (PyConfig.site_import
is 0) and calls start() before anything else is imported: that is
site.main() itself -- the site-packages folders, a virtual environment,
the user site, sitecustomize -- except that each .pth file is recorded
instead of run.  A .pth file may run any code at all: on the test machine
one imports certifi, which was a third of the broker's start-up (33 ms),
and the broker's own modules (the KVS, the heartbeat) need none of them.
finish() runs the recorded files, once and in their order, and
flux._pyloader calls it before it imports the first module from outside
the broker's own module folder.  So a module of the user's sees the same
sys.path, and the same side effects, as a python3 command would, with
one difference: the folders a .pth file adds come after every
site-packages folder instead of right after their own.

This module imports nothing beyond what the interpreter has already
loaded at this point but site itself, and sits in _flux, not in flux, so
that it can run before the site packages (where cffi may be) are on
sys.path.
"""

import site
import threading

_lock = threading.Lock()
_pending = None


def start():
    """site.main(), recording the .pth files instead of running them."""
    global _pending
    pending = []
    addpackage = site.addpackage

    def record(sitedir, name, known_paths):
        pending.append((sitedir, name))
        return known_paths

    site.addpackage = record
    try:
        site.main()
    finally:
        site.addpackage = addpackage
    _pending = pending


def pending():
    """Whether start() recorded .pth files that finish() has not run (a
    hint, read without the lock: finish() decides)."""
    return _pending is not None


def finish():
    """Run the .pth files start() recorded, the first time only; a second
    caller waits until the first is done.  Returns whether this call ran
    any.
    """
    global _pending
    with _lock:
        pending, _pending = _pending, None
        for sitedir, name in pending or ():
            site.addpackage(sitedir, name, None)
    return bool(pending)
