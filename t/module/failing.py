# SPDX-License-Identifier: LGPL-3.0-or-later
"""Ways for a module to fail.

  NAME.stop-error      responds, then stop_error(): run() raises OSError
  NAME.oserror {errno} raises OSError(errno) from the handler
  NAME.valueerror      raises ValueError from the handler
Arguments: --run-oserror: run() is overridden to report RUNNING and
raise OSError(ENOTSUP) at once; --valueerror: mod_main raises ValueError
before the reactor runs.
"""

import errno
import os

from flux.brokermod import BrokerModule, request_handler


class Failing(BrokerModule):
    @request_handler("stop-error")
    def stop_with_error(self, msg):
        self.handle.respond(msg, {})
        self.stop_error()

    @request_handler("oserror")
    def oserror(self, msg):
        num = int(msg.payload["errno"])
        raise OSError(num, os.strerror(num))

    @request_handler("valueerror")
    def valueerror(self, msg):
        raise ValueError("bad value in handler")


class RunFails(Failing):
    def run(self):
        self.set_running()
        raise OSError(errno.ENOTSUP, "run() refuses to run")


def mod_main(h, *args):
    if "--valueerror" in args:
        raise ValueError("bad module arguments")
    cls = RunFails if "--run-oserror" in args else Failing
    cls(h, *args).run()
