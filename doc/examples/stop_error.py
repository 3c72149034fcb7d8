# SPDX-License-Identifier: LGPL-3.0-or-later
r"""stop_error: a module that gives up, saying why, when it cannot go on.

"stop_error.motd" answers with the text of a file, the module's argument.
If the file cannot be read any more, the module cannot do its job: it
logs the reason, answers the request with the error, and calls
stop_error().  The broker then treats it as a module that failed, and
what follows comes from the policy it was loaded with.  With
--on-failure=exit the module is gone and the instance goes on; under the
default, panic, the whole instance would end.

Try it in an instance (build/cmd/flux start), from the top of the tree:

    $ echo "hello, users" >motd
    $ flux module load --on-failure=exit doc/examples/stop_error.py $PWD/motd
    $ flux python -c 'import flux; print(flux.Flux().rpc("stop_error.motd").get())'
    {'motd': 'hello, users\n'}
    $ rm motd
    $ flux python -c 'import flux; print(flux.Flux().rpc("stop_error.motd").get())'
    Traceback (most recent call last):
    ...
    FileNotFoundError: [Errno 2] No such file or directory
    $ flux dmesg | grep "cannot read"
    ... stop_error.err[0]: cannot read .../motd: No such file or directory: stopping

As the module exits, moments later, the broker logs the failure, and
flux module list no longer shows the module:

    broker.crit[0]: stop_error module runtime failure: the module exits, the broker goes on (on-failure=exit)
"""

from typing import cast

from flux.brokermod import BrokerModule, request_handler


class Motd(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.path = args[0]

    @request_handler("motd")
    def motd(self, msg):
        try:
            with open(self.path, encoding="utf-8") as f:
                text = f.read()
        except OSError as exc:
            # Log first: the log line is then in flux dmesg by the time
            # the caller has its answer.
            self.log.error("cannot read %s: %s: stopping", self.path,
                           exc.strerror)
            # (open() always sets errno; to mypy it may be None.)
            self.handle.respond_error(msg, cast(int, exc.errno), exc.strerror)
            self.stop_error()
            return
        self.handle.respond(msg, {"motd": text})
