# SPDX-License-Identifier: LGPL-3.0-or-later
"""Reads the instance configuration with h.conf_get().

  NAME.get {key?} -> {"value": h.conf_get(key)} (the whole dict if no key)
"""

from flux.brokermod import BrokerModule, request_handler


class ConfPy(BrokerModule):
    @request_handler("get")
    def get(self, msg):
        key = msg.payload.get("key") if msg.payload else None
        self.handle.respond(msg, {"value": self.handle.conf_get(key)})
