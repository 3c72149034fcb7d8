# SPDX-License-Identifier: LGPL-3.0-or-later
"""The collection a Python module runs as it exits (flux/_pyloader.py,
_Collector): garbage frozen since the module loaded is still found, and
the collections stay cheap otherwise.

Run in a subprocess each: gc.freeze() is for the whole interpreter.
"""

import subprocess
import sys

PROGRAM = """
import gc
from flux._pyloader import _Collector

found = []


class Garbage:
    def __init__(self, name):
        self.name = name
        self.me = self          # a cycle: only the collector frees it

    def __del__(self):
        found.append(self.name)


c = _Collector()
old = c.epoch()                 # a module loaded now...
Garbage("old")                  # ...whose objects the next freeze takes
c.freeze()                      # (the site's .pth files were run)
new = c.epoch()                 # a module loaded after the freeze
Garbage("new")
c.collect(new)                  # its exit: a collection of the unfrozen
print(sorted(found))
c.collect(old)                  # the older module's exit: all unfrozen
print(sorted(found))
print(c.epoch() > new, gc.get_freeze_count() > 0)
"""


def test_frozen_garbage_of_an_older_module_is_found():
    out = subprocess.run([sys.executable, "-c", PROGRAM], check=True,
                         capture_output=True, text=True).stdout
    # The plain collection finds only the newer garbage; the older
    # module's exit unfreezes, finds the rest, and freezes again.
    assert out.splitlines() == ["['new']", "['new', 'old']", "True True"]
