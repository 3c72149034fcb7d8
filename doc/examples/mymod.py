# SPDX-License-Identifier: LGPL-3.0-or-later
"""An example Python broker module: the one the README loads.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/mymod.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("mymod.info").get())'
    {'name': 'mymod', 'args': []}
    $ flux module remove mymod
"""
from flux.brokermod import BrokerModule, event_handler, request_handler


class MyModule(BrokerModule):
    @request_handler("info")
    def info(self, msg):
        self.handle.respond(msg, {"name": self.name, "args": list(self.args)})

    @request_handler("status", allow_guest=True)
    def status(self, msg):
        self.handle.respond(msg, {"running": True})

    @event_handler("shutdown", prefix=False)
    def on_shutdown(self, msg):
        self.stop()
