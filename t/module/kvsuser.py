# SPDX-License-Identifier: LGPL-3.0-or-later
"""kvsuser.py: a Python module that uses flux.kvs through self.handle,
while the kvs module (another Python module) runs in the same broker.

  kvsuser.putget {key, value} -> {value}  put + commit, then get, in the
                                          handler (synchronous RPCs to kvs)
  kvsuser.get {key}           -> {value}  a value, or {dir: [names]}

The synchronous RPCs block only this module's thread; the kvs module
answers them from its own.
"""

import flux.kvs
from flux.brokermod import BrokerModule, request_handler


class KvsUser(BrokerModule):
    @request_handler("putget")
    def putget(self, msg):
        key = msg.payload["key"]
        flux.kvs.put(self.handle, key, msg.payload["value"])
        flux.kvs.commit(self.handle)
        self.handle.respond(msg, {"value": flux.kvs.get(self.handle, key)})

    @request_handler("get")
    def get(self, msg):
        try:
            value = flux.kvs.get(self.handle, msg.payload["key"])
        except OSError as exc:
            self.handle.respond_error(msg, exc.errno, exc.strerror)
            return
        if isinstance(value, flux.kvs.KVSDir):
            value = {"dir": list(value)}
        self.handle.respond(msg, {"value": value})
