# SPDX-License-Identifier: LGPL-3.0-or-later
"""BrokerModule.handle is a full flux.Flux handle.

  NAME.attr {name}   -> {value}   self.handle.attr_get(name)
  NAME.rpc {topic}   -> {response} a synchronous RPC from inside a handler
  NAME.later {delay} -> {delayed}  responds from a timer watcher
  NAME.is-flux       -> {isflux}   isinstance(self.handle, flux.Flux)
"""

import flux
from flux.brokermod import BrokerModule, request_handler


class HandleApi(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.timers = []

    @request_handler("attr")
    def attr(self, msg):
        name = msg.payload["name"]
        self.handle.respond(msg, {"value": self.handle.attr_get(name)})

    @request_handler("rpc")
    def rpc(self, msg):
        resp = self.handle.rpc(msg.payload["topic"], {}).get()
        self.handle.respond(msg, {"response": resp})

    @request_handler("later")
    def later(self, msg):
        delay = float(msg.payload["delay"])

        def on_timer(h, w, revents, arg):
            h.respond(arg, {"delayed": delay})
            self.timers.remove(w)

        w = self.handle.timer_watcher_create(delay, on_timer, args=msg)
        w.start()
        self.timers.append(w)

    @request_handler("is-flux")
    def is_flux(self, msg):
        self.handle.respond(msg, {"isflux": isinstance(self.handle,
                                                       flux.Flux)})
