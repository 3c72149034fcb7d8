# SPDX-License-Identifier: LGPL-3.0-or-later
"""Python threads and the module's place in the interpreter.

  NAME.info  -> {main_is_current, modules, threading_ok}
             modules: the flux_module_* entries of sys.modules
  NAME.spawn {daemon} starts a thread that waits forever (it never ends)
  NAME.worker -> {result}  runs a function on a new threading.Thread
             that prints and joins it
"""

import sys
import threading

from flux.brokermod import BrokerModule, request_handler

forever = threading.Event()


class Threads(BrokerModule):
    @request_handler("info")
    def info(self, msg):
        self.handle.respond(msg, {
            "main_is_current":
                threading.main_thread() is threading.current_thread(),
            "modules": sorted(k for k in sys.modules
                              if k.startswith("flux_module_")),
        })

    @request_handler("spawn")
    def spawn(self, msg):
        t = threading.Thread(target=forever.wait,
                             daemon=bool(msg.payload["daemon"]))
        t.start()
        self.handle.respond(msg, {"alive": t.is_alive()})

    @request_handler("worker")
    def worker(self, msg):
        result = []
        t = threading.Thread(target=lambda: result.append(sum(range(100))))
        t.start()
        t.join()
        self.handle.respond(msg, {"result": result[0]})
