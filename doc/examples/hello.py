# SPDX-License-Identifier: LGPL-3.0-or-later
"""hello: the smallest module, answering one request.

A Python module is a file that defines one BrokerModule subclass.  The
module's name is the file's name ("hello"), and a method marked with
@request_handler("greet") answers the requests sent to "hello.greet".

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/hello.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("hello.greet").get())'
    {'greeting': 'hello, world'}
    $ flux python -c 'import flux; print(flux.Flux().rpc("hello.greet", {"name": "Ada"}).get())'
    {'greeting': 'hello, Ada'}
    $ flux module remove hello
"""

from flux.brokermod import BrokerModule, request_handler


class Hello(BrokerModule):
    @request_handler("greet")
    def greet(self, msg):
        # msg.payload is the request's JSON payload, decoded (None if
        # the request has none).
        name = (msg.payload or {}).get("name", "world")
        self.handle.respond(msg, {"greeting": f"hello, {name}"})
