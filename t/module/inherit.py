# SPDX-License-Identifier: LGPL-3.0-or-later
"""Handlers inherited from base classes.

Common is a mixin (not a BrokerModule) with handlers "base" and
"override"; Child overrides "override" with its own decorated method and
adds "child".  Only Child is a BrokerModule subclass, so the entry point
is synthesized.

  NAME.base -> {from: Common}, NAME.override -> {from: Child},
  NAME.child -> {from: Child}
"""

from flux.brokermod import BrokerModule, request_handler


class Common:
    @request_handler("base")
    def base(self, msg):
        self.handle.respond(msg, {"from": "Common"})

    @request_handler("override")
    def override(self, msg):
        self.handle.respond(msg, {"from": "Common"})


class Child(Common, BrokerModule):
    @request_handler("override")
    def override(self, msg):
        self.handle.respond(msg, {"from": "Child"})

    @request_handler("child")
    def child(self, msg):
        self.handle.respond(msg, {"from": "Child"})
