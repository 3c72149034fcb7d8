# SPDX-License-Identifier: LGPL-3.0-or-later
"""A handler that blocks its module's thread.

  NAME.sleep {seconds} -> {slept}  time.sleep(seconds), then responds
  NAME.now             -> {time}   time.time()
"""

import time

from flux.brokermod import BrokerModule, request_handler


class Sleeper(BrokerModule):
    @request_handler("sleep")
    def sleep(self, msg):
        seconds = float(msg.payload["seconds"])
        time.sleep(seconds)
        self.handle.respond(msg, {"slept": seconds, "time": time.time()})

    @request_handler("now")
    def now(self, msg):
        self.handle.respond(msg, {"time": time.time()})
