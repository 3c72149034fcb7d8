# SPDX-License-Identifier: LGPL-3.0-or-later
"""set_running(): tell the broker the module runs before the reactor.

mod_main sleeps 2 s before it runs the reactor; with the argument
--set-running it calls set_running() first, so flux module load
returns at once.  NAME.hello -> {name}.
"""

import time

from flux.brokermod import BrokerModule, request_handler


class SlowStart(BrokerModule):
    @request_handler("hello")
    def hello(self, msg):
        self.handle.respond(msg, {"name": self.name})


def mod_main(h, *args):
    mod = SlowStart(h, *args)
    if "--set-running" in args:
        mod.set_running()
    time.sleep(2)
    mod.run()
