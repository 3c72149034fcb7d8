# SPDX-License-Identifier: LGPL-3.0-or-later
"""One BrokerModule subclass and no mod_main: the loader synthesizes
the entry point as Synth(h, *args).run().

  NAME.info -> {name, args, module, synthesized}
"""

from flux.brokermod import BrokerModule, request_handler


class Synth(BrokerModule):
    @request_handler("info")
    def info(self, msg):
        self.handle.respond(msg, {
            "name": self.name,
            "args": list(self.args),
            "module": __name__,
            "synthesized": "mod_main" not in globals(),
        })
