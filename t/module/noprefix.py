# SPDX-License-Identifier: LGPL-3.0-or-later
"""prefix=False: topics used as given.

The module registers the service "npsvc" and handles "npsvc.hello"
without the module-name prefix; "hello" is also handled with the
prefix (NAME.hello).  The event "np-stop" (prefix=False) stops the
module; an event "NAME.np-stop" does not.
"""

from flux.brokermod import BrokerModule, event_handler, request_handler


class NoPrefix(BrokerModule):
    def __init__(self, h, *args):
        h.service_register("npsvc").get()
        super().__init__(h, *args)

    @request_handler("npsvc.hello", prefix=False)
    def raw_hello(self, msg):
        self.handle.respond(msg, {"topic": msg.topic, "prefixed": False})

    @request_handler("hello")
    def hello(self, msg):
        self.handle.respond(msg, {"topic": msg.topic, "prefixed": True})

    @event_handler("np-stop", prefix=False)
    def on_stop(self, msg):
        self.log.info("np-stop event: stopping")
        self.stop()
