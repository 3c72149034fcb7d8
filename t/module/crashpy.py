# SPDX-License-Identifier: LGPL-3.0-or-later
"""crashpy.py: a Python module that can end its own process.

  crashpy.pid        -> {pid} the process the module runs in
  crashpy.segfault   the process dies of SIGSEGV (no response)
  crashpy.exit {code?}  the process calls os._exit(code) (default 3)

For t0097-module-exec.t: loaded with --exec, either costs only the
module; loaded in the broker, either would end the broker.
"""

import os
import signal

from flux.brokermod import BrokerModule, request_handler


class CrashPy(BrokerModule):
    @request_handler("pid")
    def pid(self, msg):
        self.handle.respond(msg, {"pid": os.getpid()})

    @request_handler("segfault")
    def segfault(self, msg):
        # The default action of SIGSEGV, as a stray pointer in a C
        # extension would cause.
        os.kill(os.getpid(), signal.SIGSEGV)

    @request_handler("exit")
    def exit(self, msg):
        os._exit(msg.payload.get("code", 3) if msg.payload else 3)


def mod_main(h, *args):
    CrashPy(h, *args).run()
