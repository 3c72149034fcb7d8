# SPDX-License-Identifier: LGPL-3.0-or-later
"""self.log at every severity.

  NAME.log {level?}  sets self.log.level if given, then logs
                     "logger says LEVEL" at each of the eight levels
                     and responds {level: self.log.level}
An argument --level=NAME sets self.log.level at start.
"""

from flux.brokermod import BrokerModule, request_handler

LEVELS = ["debug", "info", "notice", "warning", "error", "critical",
          "alert", "emerg"]


class Logger(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        for arg in args:
            if arg.startswith("--level="):
                self.log.level = arg.split("=", 1)[1]

    @request_handler("log")
    def log_all(self, msg):
        level = (msg.payload or {}).get("level")
        if level is not None:
            self.log.level = level
        for name in LEVELS:
            getattr(self.log, name)(f"logger says {name}")
        self.handle.respond(msg, {"level": self.log.level})
