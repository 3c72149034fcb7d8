# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module stuck in Python.

  NAME.spin  responds, then loops forever in `while True: pass`: it never
             sees NAME.shutdown, so only the loader's interrupt stops it.
With the argument --spin-at-start, mod_main loops before any reactor
(after set_running, so the load succeeds).
"""

from flux.brokermod import BrokerModule, request_handler


class Stuck(BrokerModule):
    @request_handler("spin")
    def spin(self, msg):
        self.handle.respond(msg, {})
        self.log.info("spinning")
        while True:
            pass


def mod_main(h, *args):
    mod = Stuck(h, *args)
    if "--spin-at-start" in args:
        mod.set_running()
        mod.log.info("spinning")
        while True:
            pass
    mod.run()
