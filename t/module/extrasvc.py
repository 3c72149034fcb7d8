# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module that registers a second service, svc9, at load, and fails.

  extrasvc.fail   raises OSError(EIO) from the handler: a runtime failure
  svc9.ping       answers {} (proves svc9 is routed here while it runs)
Arguments: --fail-at-load: register svc9, then raise before the reactor
runs (the load fails).
"""

import errno
import os

from flux.brokermod import BrokerModule, request_handler


class ExtraSvc(BrokerModule):
    @request_handler("fail")
    def fail(self, msg):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    @request_handler("svc9.ping", prefix=False)
    def ping(self, msg):
        self.handle.respond(msg, {})


def mod_main(h, *args):
    # N.B. registered by hand, so the broker (not the module) is the
    # only one that can take it away when the module ends.
    h.service_register("svc9").get()
    if "--fail-at-load" in args:
        raise OSError(errno.EIO, "failing at load after registering svc9")
    ExtraSvc(h, *args).run()
