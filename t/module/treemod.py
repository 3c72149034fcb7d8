# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module for the tree of brokers: what a module on any rank sees, and
requests it sends up the tree and to other ranks.

  NAME.where            -> {"rank": its broker's rank, "size": size}
  NAME.ask {"nodeid": N, "topic": T, "payload"?: {}}
                        sends T to rank N (or "upstream"), answers with
                        {"answer": its payload} or the error it got
  NAME.hold             kept unanswered (a request in flight to a broker
                        that is then killed)
"""

import flux.constants
from flux.brokermod import BrokerModule, request_handler


class TreeMod(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.held = []

    @request_handler("where")
    def where(self, msg):
        self.handle.respond(msg, {"rank": self.handle.get_rank(),
                                  "size": int(self.handle.attr_get("size"))})

    @request_handler("ask")
    def ask(self, msg):
        nodeid = msg.payload["nodeid"]
        if nodeid == "upstream":
            nodeid = flux.constants.FLUX_NODEID_UPSTREAM
        f = self.handle.rpc(msg.payload["topic"], msg.payload.get("payload"),
                            nodeid=nodeid)

        def answered(f):
            try:
                self.handle.respond(msg, {"answer": f.get()})
            except OSError as e:
                self.handle.respond_error(msg, e.errno, e.strerror)

        f.then(answered)

    @request_handler("hold")
    def hold(self, msg):
        self.held.append(msg)
