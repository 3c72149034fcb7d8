# SPDX-License-Identifier: LGPL-3.0-or-later
"""testmod.py: flux-core's Python test module (t/module/testmod.py).

  testmod.hello        -> {name}
  testmod.debug_check {flag, clear?} -> {set: debug_test(flag, clear)}
  testmod.die          raises RuntimeError (a runtime failure)
  event testmod.panic  stop_error() (a runtime failure)

Arguments: --init-failure makes mod_main raise RuntimeError before the
reactor runs; --oserror-failure raises OSError(EEXIST).
"""

import errno
import os

from flux.brokermod import BrokerModule, event_handler, request_handler


class TestMod(BrokerModule):
    @request_handler("hello")
    def hello(self, msg):
        self.handle.respond(msg, {"name": self.name})

    @request_handler("debug_check")
    def debug_check(self, msg):
        payload = msg.payload
        flag = payload["flag"]
        clear = payload.get("clear", False)
        self.handle.respond(msg, {"set": self.debug_test(flag, clear)})

    @request_handler("die")
    def die(self, msg):
        raise RuntimeError("testmod was asked to die")

    @event_handler("panic")
    def panic(self, msg):
        self.log.error("panic event: stopping with an error")
        self.stop_error()


def mod_main(h, *args):
    if "--init-failure" in args:
        raise RuntimeError("initialization failed as requested")
    if "--oserror-failure" in args:
        raise OSError(errno.EEXIST, os.strerror(errno.EEXIST))
    TestMod(h, *args).run()
