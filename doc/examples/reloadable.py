# SPDX-License-Identifier: LGPL-3.0-or-later
"""reloadable: a module whose code can be replaced while it serves.

`flux module reload` loads the new code while this instance still runs,
then hands the new instance what state_export() returns here, through
its state_import(); requests sent meanwhile wait in the broker and are
answered by the new instance.  The greeting is the module's argument,
so a reload with a new argument changes it, and the count of greetings
survives the reload.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ flux module load doc/examples/reloadable.py hello
    $ flux python -c 'import flux; print(flux.Flux().rpc("reloadable.greet").get())'
    {'text': 'hello', 'count': 1}
    $ flux module reload doc/examples/reloadable.py bonjour
    $ flux python -c 'import flux; print(flux.Flux().rpc("reloadable.greet").get())'
    {'text': 'bonjour', 'count': 2}
    $ flux dmesg | grep -c "module reloadable reloaded"
    1
    $ flux module remove reloadable
"""

from flux.brokermod import BrokerModule, request_handler


class Reloadable(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.text = args[0] if args else "hello"
        self.count = 0

    @request_handler("greet")
    def greet(self, msg):
        self.count += 1
        self.handle.respond(msg, {"text": self.text, "count": self.count})

    # Called on the old instance once the new code has loaded: what it
    # returns is handed, as is (the same interpreter), to the new one.
    # Plain data is best: the new code may define its classes anew.
    def state_export(self):
        return {"count": self.count}

    # Called on the new instance after __init__, before it serves.
    def state_import(self, state):
        self.count = state["count"]
