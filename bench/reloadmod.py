# SPDX-License-Identifier: LGPL-3.0-or-later
"""reloadmod.py: the module bench/reload.py reloads under load.

NAME.get answers {"count": N}, N the requests answered so far by every
instance since the first load: each instance hands its count to the
next with state_export() and state_import().
"""

from flux.brokermod import BrokerModule, request_handler


class ReloadMod(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.count = 0

    @request_handler("get")
    def get(self, msg):
        self.count += 1
        self.handle.respond(msg, {"count": self.count})

    def state_export(self):
        return self.count

    def state_import(self, state):
        self.count = state
