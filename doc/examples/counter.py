# SPDX-License-Identifier: LGPL-3.0-or-later
"""counter: a count that a timer advances, read and reset by requests.

The reactor that runs the module's handlers also runs its watchers: here
a timer that fires every PERIOD seconds (the module's argument, default
1) and adds one to the count.  Requests read the count ("counter.get")
and set it back to zero ("counter.reset").  The callbacks run one at a
time, on the module's thread, so they share self.count without a lock.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/counter.py 0.1
    $ sleep 1
    $ flux python -c 'import flux; print(flux.Flux().rpc("counter.get").get())'
    {'count': ..., 'period': 0.1}
    $ flux python -c 'import flux; print(flux.Flux().rpc("counter.reset").get())'
    {'count': 0, 'period': 0.1}
    $ flux module remove counter
"""

from flux.brokermod import BrokerModule, request_handler


class Counter(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.count = 0
        self.period = float(args[0]) if args else 1.0
        # after=period, repeat=period: the first tick comes one period
        # after the load, then one every period, until self.timer.stop().
        self.timer = h.timer_watcher_create(self.period, self.tick,
                                            repeat=self.period)
        self.timer.start()

    def tick(self, h, watcher, revents, args):
        self.count += 1

    def answer(self, msg):
        self.handle.respond(msg, {"count": self.count, "period": self.period})

    @request_handler("get")
    def get(self, msg):
        self.answer(msg)

    @request_handler("reset")
    def reset(self, msg):
        self.count = 0
        self.answer(msg)
