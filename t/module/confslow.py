# SPDX-License-Identifier: LGPL-3.0-or-later
"""Overrides config-reload and answers it only when told to, so a test
can hold a configuration update open.

  NAME.config-reload  kept, unanswered
  NAME.pending        -> {"pending": true if one is kept}
  NAME.release {errnum?, text?}
                      answers the kept one: success, or an error (a
                      refusal) with errnum and text
"""

from flux.brokermod import BrokerModule, request_handler


class ConfSlow(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.kept = None

    @request_handler("config-reload")
    def config_reload(self, msg):
        self.kept = msg

    @request_handler("pending")
    def pending(self, msg):
        self.handle.respond(msg, {"pending": self.kept is not None})

    @request_handler("release")
    def release(self, msg):
        kept, self.kept = self.kept, None
        errnum = msg.payload.get("errnum") if msg.payload else None
        if errnum:
            self.handle.respond_error(kept, errnum, msg.payload.get("text"))
        else:
            self.handle.respond(kept, None)
        self.handle.respond(msg, {})
