# SPDX-License-Identifier: LGPL-3.0-or-later
"""Two BrokerModule subclasses resolved by an explicit mod_main, which
runs Second unless the first argument is "first".

  NAME.which -> {class}
"""

from flux.brokermod import BrokerModule, request_handler


class First(BrokerModule):
    @request_handler("which")
    def which(self, msg):
        self.handle.respond(msg, {"class": "First"})


class Second(BrokerModule):
    @request_handler("which")
    def which(self, msg):
        self.handle.respond(msg, {"class": "Second"})


def mod_main(h, *args):
    cls = First if args[:1] == ("first",) else Second
    cls(h, *args).run()
