# SPDX-License-Identifier: LGPL-3.0-or-later
"""caller: a module that calls another module (hello.py) to answer.

"caller.greet" forwards its payload to "hello.greet", another module's
service, and answers with hello's greeting shouted.  It does not wait
for hello: rpc() sends the request and returns a future, and then()
runs a callback in this module's reactor when the answer arrives, so
the module goes on serving meanwhile (rpc(...).get() would block it
until hello answered).  If the request to hello fails (hello is not
loaded, or answers with an error), the caller gets that error.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/hello.py
    $ flux module load doc/examples/caller.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("caller.greet", {"name": "Ada"}).get())'
    {'greeting': 'HELLO, ADA', 'from': 'hello'}
    $ flux module remove hello
    $ flux python -c 'import flux; print(flux.Flux().rpc("caller.greet", {"name": "Ada"}).get())'
    Traceback (most recent call last):
    ...
    OSError: [Errno 38] No service matching hello.greet is registered
    $ flux module remove caller
"""

from typing import cast

from flux.brokermod import BrokerModule, request_handler


class Caller(BrokerModule):
    @request_handler("greet")
    def greet(self, msg):
        # then() keeps the future alive until its callback has run.
        self.handle.rpc("hello.greet", msg.payload).then(self.answer, msg)

    def answer(self, future, msg):
        try:
            greeting = future.get()["greeting"]
        except OSError as exc:
            # Pass hello's error on to our caller.  (An error response
            # always has an errno; to mypy, OSError.errno may be None.)
            self.handle.respond_error(msg, cast(int, exc.errno), exc.strerror)
            return
        self.handle.respond(msg, {"greeting": greeting.upper(),
                                  "from": "hello"})
