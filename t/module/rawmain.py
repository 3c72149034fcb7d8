# SPDX-License-Identifier: LGPL-3.0-or-later
"""mod_main without BrokerModule: the module runs its own reactor.

  NAME.args -> {args: [...], types: [...]}  (the args tuple mod_main got)
  NAME.quit    stops the reactor: mod_main returns normally
"""

import flux.constants as c
from flux.brokermod import module_name


def mod_main(h, *args):
    def on_args(h, w, msg, arg):
        h.respond(msg, {"args": list(args),
                        "types": [type(a).__name__ for a in args],
                        "tuple": isinstance(args, tuple)})

    def on_quit(h, w, msg, arg):
        h.respond(msg, {})
        h.reactor_stop()

    name = module_name(h)
    watchers = [
        h.msg_watcher_create(on_args, c.FLUX_MSGTYPE_REQUEST, f"{name}.args"),
        h.msg_watcher_create(on_quit, c.FLUX_MSGTYPE_REQUEST, f"{name}.quit"),
    ]
    for w in watchers:
        w.start()
    h.reactor_run()
