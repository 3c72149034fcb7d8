# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module whose handlers run the reactor again (a nested run).

  NAME.wait -> {"ticks": N}  runs the reactor from inside the handler
                             until a timer has fired 3 times, the last
                             time stopping it with h.reactor_stop(), then
                             answers
  NAME.block                 runs the reactor from inside the handler and
                             never stops it: only the module's shutdown
                             ends that run (answered once it has)
  NAME.info -> {}            answers at once
"""

from flux.brokermod import BrokerModule, request_handler


class Nested(BrokerModule):
    @request_handler("wait")
    def wait(self, msg):
        h = self.handle
        ticks = []

        def on_timer(h, w, revents, args):
            ticks.append(1)
            if len(ticks) == 3:
                w.stop()
                h.reactor_stop()

        w = h.timer_watcher_create(0.05, on_timer, repeat=0.05)
        w.start()
        h.reactor_run()
        w.destroy()
        h.respond(msg, {"ticks": len(ticks)})

    @request_handler("block")
    def block(self, msg):
        self.log.info("running the reactor from a handler")
        self.handle.reactor_run()
        self.log.info("the nested run ended")
        self.handle.respond(msg, {})

    @request_handler("info")
    def info(self, msg):
        self.handle.respond(msg, {})


def mod_main(h, *args):
    Nested(h, *args).run()
