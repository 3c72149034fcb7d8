# SPDX-License-Identifier: LGPL-3.0-or-later
"""fanout: async handlers, which wait for several things at once.

"fanout.lookup" reads the KVS keys it is given, all at once: each
flux.kvs.get_async() is a lookup in flight, asyncio.gather() awaits them
together, and while they are out the module serves other requests.
"fanout.countdown" is an async generator: each value it yields is one
response of a streaming request, and when it ends the module sends the
ENODATA response that ends the stream.  Asked without
FLUX_RPC_STREAMING, it answers with an error that says so.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux kvs put fanout.a=1 fanout.b=2
    $ flux module load doc/examples/fanout.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("fanout.lookup", {"keys": ["fanout.a", "fanout.b", "fanout.c"]}).get())'
    {'fanout.a': 1, 'fanout.b': 2, 'fanout.c': None}
    $ flux python -c 'import flux, flux.constants as C; f = flux.Flux().rpc("fanout.countdown", {"from": 3}, flags=C.FLUX_RPC_STREAMING); [print(f.get()) or f.reset() for _ in range(3)]'
    {'left': 3}
    {'left': 2}
    {'left': 1}
    $ flux python -c 'import flux; flux.Flux().rpc("fanout.countdown", {"from": 3}).get()'
    Traceback (most recent call last):
    ...
    OSError: [Errno 71] fanout.countdown answers with a stream of responses (an async generator): make the request with FLUX_RPC_STREAMING
    $ flux module remove fanout
"""

import asyncio
import errno

import flux.kvs
from flux.brokermod import BrokerModule, request_handler


class Fanout(BrokerModule):
    @request_handler("lookup")
    async def lookup(self, msg):
        keys = msg.payload["keys"]
        lookups = [flux.kvs.get_async(self.handle, key) for key in keys]
        values = await asyncio.gather(*lookups, return_exceptions=True)
        result = {}
        for key, value in zip(keys, values):
            if isinstance(value, OSError) and value.errno == errno.ENOENT:
                value = None  # no such key
            elif isinstance(value, BaseException):
                raise value
            result[key] = value
        self.handle.respond(msg, result)

    @request_handler("countdown")
    async def countdown(self, msg):
        for left in range(msg.payload["from"], 0, -1):
            yield {"left": left}
            await asyncio.sleep(0.01)
