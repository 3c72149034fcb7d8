# SPDX-License-Identifier: LGPL-3.0-or-later
"""soakmod.py: the module the soak (bench/soak.py) keeps busy.

soakmod.echo answers {"n": N} with the same N, and admits guests.  It is
careless on purpose, as a module written in a hurry is: a payload
without "n" raises KeyError, and with the broker's default failure
policy that exception would end the instance.  The soak loads it with
--on-failure=restart and expects it back.
"""

from flux.brokermod import BrokerModule, request_handler


class Soak(BrokerModule):
    @request_handler("echo", allow_guest=True)
    def echo(self, msg):
        self.handle.respond(msg, {"n": msg.payload["n"]})
