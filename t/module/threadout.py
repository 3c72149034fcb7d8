# SPDX-License-Identifier: LGPL-3.0-or-later
"""Output from threads a module starts itself.

  NAME.print {text}  a threading.Thread prints text, prints "text on
                     stderr" to sys.stderr, warns "text warned", and
                     starts a thread of its own that prints "text
                     nested"; all joined before the response
  NAME.raise         a thread raises RuntimeError("thread failed");
                     threading reports it on sys.stderr
  NAME.pool {text}   a concurrent.futures pool thread prints text
  NAME.linger {text} a daemon thread prints text 0.5 s later (after
                     the module is removed, if the test removes it)
"""

import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

from flux.brokermod import BrokerModule, request_handler


class ThreadOut(BrokerModule):
    @request_handler("print")
    def do_print(self, msg):
        text = msg.payload["text"]

        def nested():
            print(f"{text} nested")

        def body():
            print(text)
            print(f"{text} on stderr", file=sys.stderr)
            warnings.warn(f"{text} warned", UserWarning)
            inner = threading.Thread(target=nested)
            inner.start()
            inner.join()

        t = threading.Thread(target=body)
        t.start()
        t.join()
        self.handle.respond(msg, {})

    @request_handler("raise")
    def do_raise(self, msg):
        def body():
            raise RuntimeError("thread failed")

        t = threading.Thread(target=body)
        t.start()
        t.join()
        self.handle.respond(msg, {})

    @request_handler("pool")
    def do_pool(self, msg):
        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(print, msg.payload["text"]).result()
        self.handle.respond(msg, {})

    @request_handler("linger")
    def do_linger(self, msg):
        text = msg.payload["text"]

        def body():
            time.sleep(0.5)
            print(text, flush=True)

        threading.Thread(target=body, daemon=True).start()
        self.handle.respond(msg, {})
