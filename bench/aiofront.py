# SPDX-License-Identifier: LGPL-3.0-or-later
"""aiofront.py: three ways to serve requests that wait on a backend.

Each request to aiofront.X makes one RPC to slowbackend.wait, which
answers after a delay, and is answered when that answer comes:
  async  an async def handler awaiting the RPC (flux.aio): one task per
         request, all waiting at once;
  then   a sync handler that answers from the RPC's then() callback:
         as concurrent, written as callbacks;
  sync   a sync handler that blocks in get(): one request at a time.
"""

from flux.brokermod import BrokerModule, request_handler

BACKEND = "slowbackend.wait"


class AioFront(BrokerModule):
    @request_handler("async")
    async def serve_async(self, msg):
        await self.handle.rpc(BACKEND)
        self.handle.respond(msg, "{}")

    @request_handler("then")
    def serve_then(self, msg):
        def answer(future):
            future.get()
            self.handle.respond(msg, "{}")

        self.handle.rpc(BACKEND).then(answer)

    @request_handler("sync")
    def serve_sync(self, msg):
        self.handle.rpc(BACKEND).get()
        self.handle.respond(msg, "{}")
