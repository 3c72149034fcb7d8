# SPDX-License-Identifier: LGPL-3.0-or-later
"""kvs_state: a tally that lives in the KVS, so that it survives a reload.

A module's Python objects go away with it (flux module remove, reload, a
restart after a failure).  What must outlast it goes in the KVS: here
each "kvs_state.add" request adds its "n" to a tally kept under the key
"kvs_state.total", committed before the answer, and a new instance of
the module reads the tally back when it starts.  The KVS is itself a
module (kvs, loaded by the instance's rc1): flux.kvs.get() and commit()
are RPCs to it, which block this module's thread only.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/kvs_state.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("kvs_state.add", {"n": 2}).get())'
    {'total': 2}
    $ flux module reload doc/examples/kvs_state.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("kvs_state.add", {"n": 3}).get())'
    {'total': 5}
    $ flux kvs get kvs_state.total
    5
    $ flux module remove kvs_state
    $ flux kvs unlink kvs_state.total
"""

import flux.kvs
from flux.brokermod import BrokerModule, request_handler


class KvsState(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.key = f"{self.name}.total"
        # The tally a previous instance left, or 0 the first time
        # (flux.kvs.get raises FileNotFoundError for a missing key).
        try:
            self.total = flux.kvs.get(h, self.key)
        except FileNotFoundError:
            self.total = 0

    @request_handler("add")
    def add(self, msg):
        total = self.total + int(msg.payload["n"])
        flux.kvs.put(self.handle, self.key, total)
        flux.kvs.commit(self.handle)
        # Answer only once the new tally is committed, and keep it only
        # then: if commit() raised, the caller gets its error instead.
        self.total = total
        self.handle.respond(msg, {"total": total})
