# SPDX-License-Identifier: LGPL-3.0-or-later
"""The collection a Python module runs as it exits (flux/_pyloader.py,
_Collector): garbage frozen since the module loaded is still found, the
collections stay cheap otherwise, and in a burst of exits they are
paced, every exit's garbage found in the end.

Run in a subprocess each: gc.freeze() is for the whole interpreter.
"""

import subprocess
import sys

# What every program below starts with: garbage that only a collection
# frees and that says so, and a clock that advances STEP seconds each
# time it is read, so that each collection seems to take STEP (the
# collector reads the clock before and after it), and each exit that
# waits takes STEP too.  STEP 0 is a clock that stands still:
# collections cost nothing, and nothing is paced.
PRELUDE = """
import gc
from flux._pyloader import _Collector

STEP = {step}
found = []


class Garbage:
    def __init__(self, name):
        self.name = name
        self.me = self          # a cycle: only the collector frees it

    def __del__(self):
        found.append(self.name)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        self.t += STEP
        return self.t


clock = Clock()
c = _Collector(clock=clock)
"""


def run(body, step=0.0, **fields):
    program = (PRELUDE + body).format(step=step, **fields)
    out = subprocess.run([sys.executable, "-c", program], check=True,
                         capture_output=True, text=True).stdout
    return out.splitlines()


def test_frozen_garbage_of_an_older_module_is_found():
    out = run("""
old = c.enter()                 # a module loaded now...
Garbage("old")                  # ...whose objects the next freeze takes
c.freeze()                      # (the site's .pth files were run)
new = c.enter()                 # a module loaded after the freeze
Garbage("new")
c.collect(new)                  # its exit: a collection of the unfrozen
print(sorted(found))
c.collect(old)                  # the older module's exit: all unfrozen
print(sorted(found))
print(c.epoch() > new, gc.get_freeze_count() > 0)
""")
    # The plain collection finds only the newer garbage; the older
    # module's exit unfreezes, finds the rest, and freezes again.
    assert out == ["['new']", "['new', 'old']", "True True"]


# n modules loaded, then removed one after another; prints which exits
# ran a collection (C) and which left their garbage waiting (.), then
# how much garbage was found and whether it was all of it.
BURST = """
epochs = [c.enter() for _ in range({n})]
ran = []
for i, epoch in enumerate(epochs):
    Garbage(i)
    ran.append(c.collect(epoch))
    {between}
print("".join("C" if r else "." for r in ran))
print(len(found), sorted(found) == list(range({n})))
"""


def burst(step, n, between="pass"):
    return run(BURST, step=step, n=n, between=between)


def test_cheap_collections_run_at_every_exit():
    # 0.1 ms a collection, under the budget of 1 ms per exit.
    assert burst(0.0001, 10) == ["C" * 10, "10 True"]


def test_costly_collections_serve_several_exits_and_miss_none():
    # 5 ms a collection, 20 modules loaded: the first exit collects
    # (nothing to go by yet); the estimate of the next is the last
    # one's time per module it visited (the modules still loaded, and
    # those it collected for) times the modules loaded now, and each
    # exit waits while the exits waiting, at 1 ms each, are worth less.
    # As modules go the waits get shorter, the last exits collect each,
    # and every module's garbage is found by the end.
    assert burst(0.005, 20) == ["C...C...C..C..C.C.CC", "20 True"]


def test_an_exit_after_the_gap_collects():
    # Exits more than GAP (1 s) apart each collect, however costly.
    assert burst(0.005, 6, between="clock.t += 1.5") == ["C" * 6, "6 True"]


def test_waiting_garbage_from_before_a_freeze_gets_a_full_collection():
    out = run("""
epochs = [c.enter() for _ in range(20)]
Garbage("first")
print(c.collect(epochs[0]))     # collects: nothing to go by yet
Garbage("old")
c.freeze()                      # takes "old" and the modules still loaded
print(c.collect(epochs[1]))     # a costly collection is recent: waits
print(sorted(found))
new = c.enter()
Garbage("new")
for epoch in epochs[2:]:
    c.collect(epoch)
c.collect(new)                  # the last exits collect: all unfrozen
print(sorted(found))
""", step=0.005)
    assert out == ["True", "False", "['first']", "['first', 'new', 'old']"]
