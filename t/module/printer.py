# SPDX-License-Identifier: LGPL-3.0-or-later
"""print() and warnings from a module.

  NAME.print {text}  print(text), then print("partial ", end="") and
                     print("line") (one line in two writes), and
                     print(text, file=sys.stderr)
  NAME.warn {text}   warnings.warn(text, UserWarning)
At load, prints "printer loaded" before the reactor starts.
"""

import sys
import warnings

from flux.brokermod import BrokerModule, request_handler


class Printer(BrokerModule):
    @request_handler("print")
    def do_print(self, msg):
        text = msg.payload["text"]
        print(text)
        print("partial ", end="")
        print("line")
        print(f"{text} on stderr", file=sys.stderr)
        self.handle.respond(msg, {"isatty": sys.stdout.isatty()})

    @request_handler("warn")
    def do_warn(self, msg):
        warnings.warn(msg.payload["text"], UserWarning)
        self.handle.respond(msg, {})


def mod_main(h, *args):
    print("printer loaded")
    Printer(h, *args).run()
