# SPDX-License-Identifier: LGPL-3.0-or-later
"""What the per-handler statistics cost a sync handler, per message.

Usage: stats_cost.py [COUNT]
Calls the message trampoline of flux.core.watchers (what the dispatcher
calls for each message) COUNT times (default 300000) with a request to
a BrokerModule handler that does nothing, with the handler's
HandlerStats on and then off, seven times each in turn, and prints the
median time per message of each and the difference.  No broker and no
thread: the figure is the Python work alone, which the RPC rate rows of
bench/run measure only within their noise.
"""

import statistics
import sys
import time
import uuid

import flux
from flux.brokermod import BrokerModule, request_handler
from flux.core import watchers
from flux.core.inner import ffi, lib
from flux.message import Message

ROUNDS = 7


class Nothing(BrokerModule):
    @request_handler("nothing", prefix=False)
    def nothing(self, msg):
        pass


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300000
    h = flux.Flux(f"interthread://stats-cost-{uuid.uuid4()}")
    mod = Nothing(h)
    w = next(w for w in mod._watchers if w._handler is not None)
    stats = w._stats
    msg = Message()
    msg.topic = "nothing"
    lib.flux_msg_set_noresponse(msg.handle)
    trampoline = watchers.message_handler_wrapper
    args = (h.handle, ffi.NULL, msg.handle, w._cb_handle)

    def per_message(st):
        w._stats = st
        start = time.perf_counter()
        for _ in range(count):
            trampoline(*args)
        return (time.perf_counter() - start) / count * 1e9

    off, on = [], []
    for _ in range(ROUNDS):
        off.append(per_message(None))
        on.append(per_message(stats))
    off_ns, on_ns = statistics.median(off), statistics.median(on)
    print(f"per message: stats off {off_ns:.0f} ns, on {on_ns:.0f} ns, "
          f"cost {on_ns - off_ns:.0f} ns")


if __name__ == "__main__":
    main()
