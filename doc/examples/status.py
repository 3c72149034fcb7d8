# SPDX-License-Identifier: LGPL-3.0-or-later
"""status: a service that guests may call, and one request they may not.

By default only the instance owner may call a handler.  With
allow_guest=True, "status.get" also answers guests, the other users an
instance lets in (flux-core's access.allow-guest-user); msg.userid says
who asked.  A guest may send anything: the handler checks the payload
before it uses it, and answers a bad one with an error (an exception
would fail the module).  "status.reset" stays owner-only: a guest's
request gets EPERM, and the handler never sees it.  Load a guest-facing
module with --on-failure=restart, so that a failure that slips through
costs a restart, not the instance.

Try it in an instance (build/cmd/flux start), from the top of the tree.
The owner may send requests with another user's credentials
(FLUX_HANDLE_USERID, and FLUX_HANDLE_ROLEMASK=2, the user role a guest
has), which shows what a guest sees:

    $ flux module load --on-failure=restart doc/examples/status.py
    $ flux python -c 'import flux; print(flux.Flux().rpc("status.get").get())'
    {'size': 1, 'served': 1, 'userid': ...}
    $ export FLUX_HANDLE_USERID=65534 FLUX_HANDLE_ROLEMASK=2
    $ flux python -c 'import flux; print(flux.Flux().rpc("status.get", {"item": "served"}).get())'
    {'served': 2}
    $ flux python -c 'import flux; print(flux.Flux().rpc("status.get", {"item": 7}).get())'
    Traceback (most recent call last):
    ...
    OSError: [Errno 22] expected {"item": NAME}, NAME one of: served, size, userid
    $ flux python -c 'import flux; print(flux.Flux().rpc("status.reset").get())'
    Traceback (most recent call last):
    ...
    PermissionError: [Errno 1] Request requires owner credentials
    $ unset FLUX_HANDLE_USERID FLUX_HANDLE_ROLEMASK
    $ flux python -c 'import flux; print(flux.Flux().rpc("status.reset").get())'
    {'served': 0}
    $ flux module remove status
"""

import errno

from flux.brokermod import BrokerModule, request_handler


class Status(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.served = 0

    @request_handler("get", allow_guest=True)
    def get(self, msg):
        self.served += 1
        status = {"size": int(self.handle.attr_get("size")),
                  "served": self.served, "userid": msg.userid}
        try:
            query = msg.payload  # None, or {"item": NAME} for one item
        except ValueError:
            query = "not JSON"
        if query is None:
            self.handle.respond(msg, status)
        elif (isinstance(query, dict) and isinstance(query.get("item"), str)
              and query["item"] in status):
            self.handle.respond(msg, {query["item"]: status[query["item"]]})
        else:
            names = ", ".join(sorted(status))
            self.handle.respond_error(msg, errno.EINVAL, "expected "
                                      f'{{"item": NAME}}, NAME one of: {names}')

    @request_handler("reset")
    def reset(self, msg):
        self.served = 0
        self.handle.respond(msg, {"served": self.served})
