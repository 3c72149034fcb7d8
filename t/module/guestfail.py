# SPDX-License-Identifier: LGPL-3.0-or-later
"""A service for guests whose handler fails on a payload it does not
expect, as a module's handler does when nobody checked for the case.

  NAME.count (allow_guest=True) {"n": INT} -> {"n": INT + 1, "instance": ID}
      any other payload raises in the handler: the caller gets an
      error, then the module fails at run time
  NAME.instance -> {"instance": ID}
ID is new for each instance, so a test sees that the module restarted.
"""

import uuid

from flux.brokermod import BrokerModule, request_handler


class GuestFail(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.instance = uuid.uuid4().hex

    @request_handler("count", allow_guest=True)
    def count(self, msg):
        # No check of the payload on purpose: {"n": "x"} raises TypeError,
        # a missing "n" KeyError, a payload that is not an object
        # TypeError.
        n = msg.payload["n"] + 1
        self.handle.respond(msg, {"n": n, "instance": self.instance})

    @request_handler("instance")
    def which(self, msg):
        self.handle.respond(msg, {"instance": self.instance})


def mod_main(h, *args):
    GuestFail(h, *args).run()
