# SPDX-License-Identifier: LGPL-3.0-or-later
"""slowbackend.py: a backend that takes its time, for the aio rows.

slowbackend.wait answers each request DELAY seconds after it came
(default 0.01; the module's first argument), from a reactor timer, so
that it serves any number at once: what is measured is the module that
calls it.  Written with then()-style callbacks only (no asyncio), so
that it runs the same on every side.
"""

from flux.brokermod import BrokerModule, request_handler


class SlowBackend(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.delay = float(args[0]) if args else 0.01

    @request_handler("wait")
    def wait(self, msg):
        def answer(h, watcher, revents, args):
            h.respond(msg, "{}")
            watcher.stop()

        self.handle.timer_watcher_create(self.delay, answer).start()
