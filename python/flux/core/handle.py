# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.Flux: a handle on a broker (flux_t).

Ownership.  Flux(url) opens a handle and owns it: it is closed when the
object is collected.  Flux(handle=ptr) wraps a handle someone else owns
(in a broker module, the broker's): it takes its own reference with
flux_incref and gives it back with flux_decref, so garbage collection
never closes a handle it did not open.  Objects that point into the
handle from C (message handlers, futures) hold references too.

Errors.  Every failing C call raises OSError(errno, text); see
flux.core.inner.check().  Exceptions raised by callbacks are stashed and
re-raised by reactor_run() (flux.core.callback).
"""

import errno
import os
import signal
import threading

from flux.core import callback
from flux.core.inner import (check, encode_payload, ffi, lib, raise_errno,
                             to_bytes, to_str)
from flux.core.watchers import (CheckWatcher, FDWatcher, IdleWatcher,
                                MessageWatcher, PrepareWatcher,
                                SignalWatcher, TimerWatcher)
from flux.future import Future
from flux.message import Message
from flux.rpc import RPC


class Flux:
    """Flux(url=None, flags=0, handle=None)

    url: a broker URI (local://PATH, interthread://NAME); None uses
    $FLUX_URI.  On failure raises OSError "Unable to connect to Flux: ...".
    handle: an existing flux_t * cdata to wrap (borrowed; see above).
    """

    # Per-thread state shared by all handles: the exception a callback
    # stashed, and how deeply this thread is nested in reactor_run().
    tls = callback.tls

    def __init__(self, url=None, flags=0, handle=None):
        self._active_watchers = set()
        if handle is not None:
            if handle == ffi.NULL:
                raise ValueError("Flux handle is NULL")
            c_h = check(lib.flux_incref(ffi.cast("flux_t *", handle)))
            self.handle = ffi.gc(c_h, lib.flux_decref)
            return
        error = ffi.new("flux_error_t *")
        c_h = lib.flux_open_ex(to_bytes(url), flags, error)
        if c_h == ffi.NULL:
            errnum = ffi.errno
            text = ffi.string(error.text).decode("utf-8", errors="replace")
            raise OSError(errnum, "Unable to connect to Flux: "
                          + (text or os.strerror(errnum)))
        self.handle = ffi.gc(c_h, lib.flux_close)

    def close(self):
        raise RuntimeError("a Flux handle is closed when the object is "
                           "garbage-collected; do not close it by hand")

    # Messages ----------------------------------------------------------

    def send(self, msg, flags=0):
        check(lib.flux_send(self.handle, msg.handle, flags))

    def recv(self, type_mask=lib.FLUX_MSGTYPE_ANY,
             match_tag=lib.FLUX_MATCHTAG_NONE, topic_glob=None, flags=0):
        """Receive the first message matching; blocks unless flags has
        FLUX_O_NONBLOCK.  Returns a Message.
        """
        match = ffi.new("struct flux_match *")
        match.typemask = type_mask
        match.matchtag = match_tag
        glob = ffi.new("char[]", to_bytes(topic_glob)) if topic_glob \
            else ffi.NULL
        match.topic_glob = glob
        return Message.from_owned(lib.flux_recv(self.handle, match[0], flags))

    def rpc(self, topic, payload=None, nodeid=lib.FLUX_NODEID_ANY, flags=0):
        """Send a request; returns an RPC (a Future)."""
        return RPC(self, topic, payload, nodeid, flags)

    def respond(self, msg, payload=None):
        """Respond to request 'msg' with a str/bytes/JSON payload."""
        check(lib.flux_respond(self.handle, msg.handle,
                               encode_payload(payload)))
        if not msg.streaming:
            msg._flux_answered = True

    def respond_error(self, msg, errnum, errstr=None):
        """Respond to request 'msg' with an error (errnum 0 -> EINVAL)."""
        check(lib.flux_respond_error(self.handle, msg.handle, errnum,
                                     to_bytes(errstr)))
        msg._flux_answered = True

    # Events ------------------------------------------------------------

    def event_subscribe(self, topic):
        """Subscribe to events whose topic starts with 'topic'."""
        check(lib.flux_event_subscribe(self.handle, to_bytes(topic)))

    def event_unsubscribe(self, topic):
        check(lib.flux_event_unsubscribe(self.handle, to_bytes(topic)))

    @staticmethod
    def event_create(topic, payload=None):
        return Message.from_event_encode(topic, payload)

    def event_send(self, topic, payload=None):
        """Publish an event by sending it (no sequence number, no reply)."""
        self.send(self.event_create(topic, payload))

    def event_recv(self, topic=None):
        return self.recv(type_mask=lib.FLUX_MSGTYPE_EVENT, topic_glob=topic)

    # Watchers ----------------------------------------------------------

    def msg_watcher_create(self, callback_fn,
                           type_mask=lib.FLUX_MSGTYPE_ANY, topic_glob="*",
                           args=None, match_tag=lib.FLUX_MATCHTAG_NONE,
                           rolemask=None):
        """callback_fn(h, watcher, msg, args).  Created stopped.
        rolemask: roles allowed in addition to the owner.
        """
        return MessageWatcher(self, type_mask, callback_fn, topic_glob,
                              match_tag, rolemask, args)

    def timer_watcher_create(self, after, callback_fn, repeat=0.0,
                             args=None):
        return TimerWatcher(self, after, callback_fn, repeat, args)

    def fd_watcher_create(self, fd, callback_fn, events=None, args=None):
        if events is None:
            events = lib.FLUX_POLLIN | lib.FLUX_POLLOUT | lib.FLUX_POLLERR
        return FDWatcher(self, fd, events, callback_fn, args)

    def signal_watcher_create(self, signum, callback_fn, args=None):
        return SignalWatcher(self, signum, callback_fn, args)

    def prepare_watcher_create(self, callback_fn, args=None):
        return PrepareWatcher(self, callback_fn, args)

    def check_watcher_create(self, callback_fn, args=None):
        return CheckWatcher(self, callback_fn, args)

    def idle_watcher_create(self, callback_fn, args=None):
        return IdleWatcher(self, callback_fn, args)

    # Reactor -----------------------------------------------------------

    def get_reactor(self):
        return check(lib.flux_get_reactor(self.handle))

    @classmethod
    def reactor_running(cls):
        """True if this thread is inside reactor_run()."""
        return getattr(cls.tls, "reactor_depth", 0) > 0

    @staticmethod
    def _owns_sigint():
        # Only where Python itself handles SIGINT (the main thread of a
        # normal interpreter): libev allows one watcher per signal per
        # process, and an embedding program (the broker) owns signals.
        return (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT)
                is signal.default_int_handler)

    def reactor_run(self, reactor=None, flags=0):
        """Run the reactor until it has nothing to do or is stopped.

        Returns the number of active watchers.  Re-raises the first
        exception a callback raised; raises OSError if the loop was
        stopped with reactor_stop_error().  In the main thread, Ctrl-C
        stops the loop and raises KeyboardInterrupt.
        """
        if reactor is None:
            reactor = self.get_reactor()
        tls = self.tls
        tls.reactor_depth = getattr(tls, "reactor_depth", 0) + 1
        interrupted = []
        sigw = None
        try:
            if tls.reactor_depth == 1 and self._owns_sigint():

                def on_sigint(h, w, signum, args):
                    interrupted.append(signum)
                    lib.flux_reactor_stop(reactor)

                sigw = SignalWatcher(self, signal.SIGINT, on_sigint)
                sigw.unref()
                sigw.start()
            rc = lib.flux_reactor_run(reactor, flags)
            errnum = ffi.errno
        finally:
            tls.reactor_depth -= 1
            if sigw is not None:
                sigw.destroy()
                # Stopping libev's watcher reset SIGINT to SIG_DFL.
                signal.signal(signal.SIGINT, signal.default_int_handler)
        exc = callback.take()
        if exc is not None:
            raise exc
        if interrupted:
            raise KeyboardInterrupt
        if rc < 0:
            raise_errno(errnum or errno.ECANCELED,
                        "reactor stopped with an error")
        return rc

    def reactor_stop(self, reactor=None):
        lib.flux_reactor_stop(reactor if reactor is not None
                              else self.get_reactor())

    def reactor_stop_error(self, reactor=None):
        lib.flux_reactor_stop_error(reactor if reactor is not None
                                    else self.get_reactor())

    # Broker services ---------------------------------------------------

    def log(self, level, msg):
        """Log 'msg' at syslog 'level' to the broker (printf characters
        in msg are not interpreted).
        """
        text = ffi.new("char[]", to_bytes(str(msg)))
        check(lib.flux_log(self.handle, level, b"%s", text))

    def attr_get(self, name):
        return to_str(check(lib.flux_attr_get(self.handle, to_bytes(name))))

    def attr_set(self, name, value):
        check(lib.flux_attr_set(self.handle, to_bytes(name),
                                to_bytes(str(value))))

    def attr_remove(self, name):
        check(lib.flux_attr_set(self.handle, to_bytes(name), ffi.NULL))

    def get_rank(self):
        rank = ffi.new("uint32_t *")
        check(lib.flux_get_rank(self.handle, rank))
        return rank[0]

    def service_register(self, name):
        """Register dynamic service 'name'; returns a Future."""
        return Future(lib.flux_service_register(self.handle, to_bytes(name)),
                      self)

    def service_unregister(self, name):
        return Future(lib.flux_service_unregister(self.handle,
                                                  to_bytes(name)), self)
