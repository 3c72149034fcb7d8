# SPDX-License-Identifier: LGPL-3.0-or-later
"""A module that takes requests and does not answer them.

  NAME.hold          keeps the request (streaming or not) unanswered;
                     logs "holding N" with the number held
  NAME.sleep         logs "sleeping forever", then blocks its thread in
                     time.sleep(): it never sees NAME.shutdown, and the
                     loader's interrupt cannot end a sleep
  NAME.fail          responds, then stop_error(): the module fails with
                     the requests it holds unanswered
"""

import time

from flux.brokermod import BrokerModule, request_handler


class Holder(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        # Kept so that the messages live on; never answered.
        self.held = []

    @request_handler("hold")
    def hold(self, msg):
        self.held.append(msg)
        self.log.info(f"holding {len(self.held)}")

    @request_handler("sleep")
    def sleep(self, msg):
        self.log.info("sleeping forever")
        while True:
            time.sleep(3600)

    @request_handler("fail")
    def fail(self, msg):
        self.handle.respond(msg, {})
        self.stop_error()
