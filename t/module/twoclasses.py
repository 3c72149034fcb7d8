# SPDX-License-Identifier: LGPL-3.0-or-later
"""Two BrokerModule subclasses and no mod_main: ambiguous, the load
fails.
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
