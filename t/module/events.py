# SPDX-License-Identifier: LGPL-3.0-or-later
"""Event handlers.

Records the topics and payloads of events NAME.ping-ev (prefixed) and
global-ev (prefix=False).  NAME.received -> {events: [[topic, payload]]}.
The event "shutdown" (prefix=False, as in the spec's example) stops the
module.
"""

from flux.brokermod import BrokerModule, event_handler, request_handler


class Events(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.received = []

    @event_handler("ping-ev")
    def on_ping(self, msg):
        self.received.append([msg.topic, msg.payload_str])

    @event_handler("global-ev", prefix=False)
    def on_global(self, msg):
        self.received.append([msg.topic, msg.payload_str])

    @event_handler("shutdown", prefix=False)
    def on_shutdown(self, msg):
        self.stop()

    @request_handler("received")
    def get_received(self, msg):
        self.handle.respond(msg, {"events": self.received})
