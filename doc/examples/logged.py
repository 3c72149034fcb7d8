# SPDX-License-Identifier: LGPL-3.0-or-later
"""logged: Python logging from a module, and its stack from outside.

A record logged with the logging package goes to the broker log under
the module's name, at the matching severity, as "LOGGER: message".  The
root logger passes WARNING and above, as in any Python program: this
module lowers its own logger to INFO.  `flux module stack` shows where
the module's thread is (here, waiting in its reactor) without asking
the module.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/logged.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("logged.put", {"fill": 93}).get())'
    {'stored': True}
    $ flux dmesg | grep -o "logged.*store.*"
    logged.info[0]: logged.store: storing 1 item(s)
    logged.warning[0]: logged.store: store is 93% full
    $ flux module stack logged | head -1
    Thread 0x... (module logged), most recent call last:
    $ flux module stack logged | grep -c "in reactor_run"
    1
    $ flux module remove logged
"""

import logging

from flux.brokermod import BrokerModule, request_handler

log = logging.getLogger("logged.store")
log.setLevel(logging.INFO)


class Logged(BrokerModule):
    @request_handler("put")
    def put(self, msg):
        log.info("storing %d item(s)", 1)
        fill = msg.payload.get("fill", 0)
        if fill > 90:
            log.warning("store is %d%% full", fill)
        self.handle.respond(msg, {"stored": True})
