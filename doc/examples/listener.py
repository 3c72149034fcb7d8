# SPDX-License-Identifier: LGPL-3.0-or-later
"""listener: keeps the events it hears, and tells them on request.

@event_handler("news", prefix=False) subscribes the module to the events
whose topic is "news" (without prefix=False it would be "listener.news")
and calls the method for each one.  The module keeps the last few, and
"listener.heard" answers with them, oldest first.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/listener.py
    $ flux event pub news '{"text": "rain today"}'
    $ flux event pub news '{"text": "sun tomorrow"}'
    $ flux python -c 'import flux; print(flux.Flux().rpc("listener.heard").get())'
    {'heard': [{'text': 'rain today'}, {'text': 'sun tomorrow'}]}
    $ flux module remove listener
"""

from collections import deque

from flux.brokermod import BrokerModule, event_handler, request_handler


class Listener(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        # The last 10 payloads: a deque drops the oldest when full.
        self.heard: deque = deque(maxlen=10)

    @event_handler("news", prefix=False)
    def news(self, msg):
        self.heard.append(msg.payload)

    @request_handler("heard")
    def tell(self, msg):
        self.handle.respond(msg, {"heard": list(self.heard)})
