# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module stuck in C code that holds the GIL.

  NAME.match {seconds} -> {n, estimate}
      answers, then runs re.match(r"(a+)+$", "a" * n + "b"): a
      backtracking match whose time doubles with each "a", spent inside
      the regular expression engine, which never releases the GIL nor
      lets an asynchronous exception in.  n is chosen (by timing smaller
      matches first) so that the match takes about 'seconds' here;
      estimate is that time.
"""

import math
import re
import time

from flux.brokermod import BrokerModule, request_handler

PATTERN = re.compile(r"(a+)+$")


def timed_match(n):
    t0 = time.monotonic()
    PATTERN.match("a" * n + "b")
    return time.monotonic() - t0


class Regex(BrokerModule):
    @request_handler("match")
    def match(self, msg):
        seconds = float(msg.payload.get("seconds", 60))
        # Calibrate: the smallest n whose match takes a measurable time,
        # then enough doublings on top of it to last 'seconds'.
        n = 16
        t = timed_match(n)
        while t < 0.2:
            n += 1
            t = timed_match(n)
        extra = max(0, math.ceil(math.log2(seconds / t)))
        self.handle.respond(msg, {"n": n + extra, "estimate": t * 2**extra})
        self.log.info(f"matching {n + extra} characters")
        timed_match(n + extra)
        self.log.info("match ended")


def mod_main(h, *args):
    Regex(h, *args).run()
