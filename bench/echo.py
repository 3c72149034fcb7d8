# SPDX-License-Identifier: LGPL-3.0-or-later
"""echo.py: a trivial Python handler for the RPC benchmarks.
NAME.echo responds with an empty JSON object.
"""

from flux.brokermod import BrokerModule, request_handler


class Echo(BrokerModule):
    @request_handler("echo")
    def echo(self, msg):
        self.handle.respond(msg, "{}")
