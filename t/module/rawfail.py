# SPDX-License-Identifier: LGPL-3.0-or-later
"""A mod_main-style module (no BrokerModule) that fails while running.

  NAME.boom      the message watcher raises RuntimeError
  NAME.oserror   the message watcher raises OSError(EPERM, "not today")
  NAME.quit      responds, stops the reactor; mod_main then raises
                 KeyError("after the reactor") (a module that fails
                 after its reactor returned)
"""

import errno

import flux.constants as C
from flux.brokermod import module_name


def mod_main(h, *args):
    def on_boom(h, w, msg, arg):
        raise RuntimeError("raw handler exploded")

    def on_oserror(h, w, msg, arg):
        raise OSError(errno.EPERM, "not today")

    def on_quit(h, w, msg, arg):
        h.respond(msg, {})
        h.reactor_stop()

    name = module_name(h)
    watchers = [
        h.msg_watcher_create(on_boom, C.FLUX_MSGTYPE_REQUEST, f"{name}.boom"),
        h.msg_watcher_create(on_oserror, C.FLUX_MSGTYPE_REQUEST,
                             f"{name}.oserror"),
        h.msg_watcher_create(on_quit, C.FLUX_MSGTYPE_REQUEST, f"{name}.quit"),
    ]
    for w in watchers:
        w.start()
    h.reactor_run()
    raise KeyError("after the reactor")
