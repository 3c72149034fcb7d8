# SPDX-License-Identifier: LGPL-3.0-or-later
"""What the spec promises a module gets, and the handle's watchers.

  NAME.types -> {h_is_flux, handle_is_h, msg_class, log_class, args}
             h: the handle mod_main got; msg_class: the class of a
             handler's msg ("module.Class"); log_class: of self.log
  NAME.fd {text}   writes text into a pipe; an fd watcher reads it and
                   responds {read: text}
  NAME.then        responds later, from the continuation of an
                   asynchronous RPC to broker.ping: {route}
  NAME.idle        an idle watcher responds {idle: true} and stops
  NAME.event {topic} subscribes to topic through the handle; a
                   message watcher of "topic.*" responds {event: the
                   topic received} when such an event arrives
"""

import os

import flux
import flux.constants as C
from flux.brokermod import BrokerModule, request_handler


def qualname(obj):
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


class SpecTypes(BrokerModule):
    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.main_h = h
        self.keep = []

    @request_handler("types")
    def types(self, msg):
        self.handle.respond(msg, {
            "h_is_flux": isinstance(self.main_h, flux.Flux),
            "handle_is_h": self.handle is self.main_h,
            "msg_class": qualname(msg),
            "log_class": qualname(self.log),
            "args": list(self.args),
        })

    @request_handler("fd")
    def fd(self, msg):
        rfd, wfd = os.pipe()
        os.write(wfd, msg.payload["text"].encode())
        os.close(wfd)

        def on_readable(h, w, fd, revents, request):
            data = os.read(fd, 1024).decode()
            w.destroy()
            os.close(fd)
            self.keep.remove(w)
            h.respond(request, {"read": data})

        w = self.handle.fd_watcher_create(rfd, on_readable,
                                          events=C.FLUX_POLLIN, args=msg)
        w.start()
        self.keep.append(w)

    @request_handler("then")
    def then(self, msg):
        def on_pong(f, request):
            self.handle.respond(request, {"route": f.get()["route"]})

        self.keep.append(self.handle.rpc("broker.ping", {}).then(on_pong,
                                                                 msg))

    @request_handler("idle")
    def idle(self, msg):
        def on_idle(h, w, revents, request):
            w.stop()
            self.keep.remove(w)
            h.respond(request, {"idle": True})

        w = self.handle.idle_watcher_create(on_idle, args=msg)
        w.start()
        self.keep.append(w)

    @request_handler("event")
    def event(self, msg):
        topic = msg.payload["topic"]

        def on_event(h, w, ev, request):
            w.stop()
            h.respond(request, {"event": ev.topic})

        w = self.handle.msg_watcher_create(on_event, C.FLUX_MSGTYPE_EVENT,
                                           f"{topic}.*", args=msg)
        self.handle.event_subscribe(topic)
        w.start()
        self.keep.append(w)


def mod_main(h, *args):
    SpecTypes(h, *args).run()
