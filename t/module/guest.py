# SPDX-License-Identifier: LGPL-3.0-or-later
"""Access control of handlers.

  NAME.status (allow_guest=True) -> {running, userid, rolemask}
  NAME.secret (owner only)       -> {secret}
"""

from flux.brokermod import BrokerModule, request_handler


class Guest(BrokerModule):
    @request_handler("status", allow_guest=True)
    def status(self, msg):
        self.handle.respond(msg, {"running": True, "userid": msg.userid,
                                  "rolemask": msg.rolemask})

    @request_handler("secret")
    def secret(self, msg):
        self.handle.respond(msg, {"secret": 42})
