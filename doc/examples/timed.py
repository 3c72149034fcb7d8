# SPDX-License-Identifier: LGPL-3.0-or-later
"""timed: what flux module stats tells of each handler.

flux module stats NAME shows, for a Python module, the message counters
every module has and "handlers": for each handler's topic, how many
messages it got, how many it answered with an error (or raised on), and
its latency percentiles (p50, p90, p99) and max, in seconds, from the
call of the handler to its return, or for an async handler to the end
of its task.  "timed.slow" sleeps for 50 ms, which its latency shows;
"timed.check" answers a request without a "value" with an error.
flux module stats --clear sets it all back to zero.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/timed.py
    $ flux python -c 'import flux; h = flux.Flux(); [h.rpc("timed.check", {"value": i}).get() for i in range(5)]; h.rpc("timed.slow").get()'
    $ flux python -c 'import flux; flux.Flux().rpc("timed.check", {}).get()'
    Traceback (most recent call last):
    ...
    OSError: [Errno 22] timed.check: expected {"value": ...}
    $ flux module stats -p handlers timed | flux python doc/examples/timed.py
    timed.check: 6 messages, 1 errors, max under 50 ms: True
    timed.slow: 1 messages, 0 errors, max under 50 ms: False
    $ flux module stats --clear timed
    $ flux module stats -p handlers timed | flux python doc/examples/timed.py
    timed.check: 0 messages, 0 errors, max under 50 ms: True
    timed.slow: 0 messages, 0 errors, max under 50 ms: True
    $ flux module remove timed

Run as a script (the last commands), it reads the "handlers" object on
its standard input and prints one line per handler.
"""

import asyncio
import errno

from flux.brokermod import BrokerModule, request_handler


class Timed(BrokerModule):
    @request_handler("check")
    def check(self, msg):
        if "value" not in msg.payload:
            self.handle.respond_error(msg, errno.EINVAL,
                                      f'{msg.topic}: expected {{"value": ...}}')
            return
        self.handle.respond(msg, {"value": msg.payload["value"]})

    @request_handler("slow")
    async def slow(self, msg):
        await asyncio.sleep(0.05)
        self.handle.respond(msg)


if __name__ == "__main__":
    import json
    import sys

    for topic, entry in sorted(json.load(sys.stdin).items()):
        print(f"{topic}: {entry['count']} messages, {entry['errors']} errors, "
              f"max under 50 ms: {entry['latency']['max'] < 0.05}")
