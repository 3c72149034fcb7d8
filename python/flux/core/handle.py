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

Any libflux function whose first argument is a flux_t * is also a method
(h.flux_get_rank(p), h.event_unsubscribe(topic)), as with flux-core's
handle: see flux.wrapper.
"""

import errno
import os
import threading

from flux.core import callback
from flux.core.inner import (check, decode_json, encode_payload, encode_topic,
                             ffi, lib, new_match, raise_errno, to_bytes,
                             to_str)
from flux.core.watchers import (CheckWatcher, FDWatcher, IdleWatcher,
                                MessageWatcher, PrepareWatcher,
                                SignalWatcher, TimerWatcher)
from flux.future import Future
from flux.message import _RESPONDED, Message
from flux.rpc import RPC
from flux.wrapper import Wrapper


def _signal():
    # signal is imported when a reactor runs on the main thread, not with
    # flux: it imports enum, which a broker's start would wait for.
    import signal  # pylint: disable=import-outside-toplevel
    return signal


class _InReactor:
    """The context of Flux.in_reactor()."""

    __slots__ = ("h",)

    def __init__(self, h):
        self.h = h

    def __enter__(self):
        self.h.reactor_enter()

    def __exit__(self, *exc_info):
        self.h.reactor_exit()


class _Run:
    """One reactor_run() in progress on this thread."""

    __slots__ = ("reactor", "stopped")

    def __init__(self, reactor):
        self.reactor = reactor
        self.stopped = False  # reactor_stop() was meant for this run


class Flux(Wrapper):
    """Flux(url=None, flags=0, handle=None)

    url: a broker URI (local://PATH, interthread://NAME, loop://); None
    uses $FLUX_URI.  On failure raises OSError "Unable to connect to
    Flux: ...".
    handle: an existing flux_t * cdata to wrap (borrowed; see above).
    """

    _wrapper_prefixes = ("flux_",)
    _wrapper_handle_type = "flux_t *"

    # Per-thread state shared by all handles: the exception a callback
    # stashed, and how deeply this thread is nested in reactor_run().
    tls = callback.tls

    def __init__(self, url=None, flags=0, handle=None):
        self._active_watchers = set()
        self._cached_config = None
        self._cached_conf_ref = None
        if url is ffi.NULL:
            url = None
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
        """Refuse: a handle is closed when it is garbage-collected (a
        module's handle, never).  Raises RuntimeError.
        """
        raise RuntimeError("a Flux handle is closed when the object is "
                           "garbage-collected; do not close it by hand")

    # Messages ----------------------------------------------------------

    @staticmethod
    def _msg_ptr(msg):
        return msg.handle if isinstance(msg, Message) else msg

    def send(self, message, flags=0):
        """Send a Message (or a flux_msg_t * cdata)."""
        return check(lib.flux_send(self.handle, self._msg_ptr(message),
                                   flags))

    def recv(self, type_mask=lib.FLUX_MSGTYPE_ANY,
             match_tag=lib.FLUX_MATCHTAG_NONE, topic_glob=None, flags=0):
        """Receive the first message matching; blocks unless flags has
        FLUX_O_NONBLOCK.  Returns a Message.
        """
        match, _glob = new_match(type_mask, match_tag, topic_glob)
        return Message.from_owned(lib.flux_recv(self.handle, match[0],
                                                flags))

    def rpc(self, topic, payload=None, nodeid=lib.FLUX_NODEID_ANY, flags=0):
        """Send a request; returns an RPC (a Future)."""
        return RPC(self, topic, payload, nodeid, flags)

    def respond(self, message, payload=None):
        """Respond to request 'message' (a Message or ``flux_msg_t *``) with a
        None/str/bytes/JSON payload.
        """
        # N.B. _msg_ptr(), encode_payload() for a str and check() inlined:
        # this runs once per request a module answers.
        is_message = isinstance(message, Message)
        if type(payload) is str:
            data = payload.encode("utf-8", errors="surrogateescape")
        else:
            data = encode_payload(payload)
        rc = lib.flux_respond(self.handle,
                              message.handle if is_message else message,
                              data)
        if rc < 0:
            raise_errno(ffi.errno)
        if is_message:
            # answered reads the streaming flag, if ever asked.
            message._answered = _RESPONDED
        return rc

    def respond_error(self, message, errnum, errstr=None):
        """Respond to request 'message' with an error (errnum 0 -> EINVAL)."""
        rc = check(lib.flux_respond_error(self.handle,
                                          self._msg_ptr(message), errnum,
                                          to_bytes(errstr)))
        if isinstance(message, Message):
            message.answered = True
        return rc

    # Events ------------------------------------------------------------

    def event_subscribe(self, topic):
        """Subscribe to events whose topic starts with 'topic' (str or
        bytes: None raises OSError(EINVAL), another type TypeError).
        """
        return check(lib.flux_event_subscribe(self.handle,
                                              encode_topic(topic)))

    def event_unsubscribe(self, topic):
        """Stop receiving the events whose topic begins with topic.
        Raises OSError.
        """
        return check(lib.flux_event_unsubscribe(self.handle,
                                                encode_topic(topic)))

    @staticmethod
    def event_create(topic, payload=None):
        """A new event Message with topic and payload (a dict or str, or
        None), to publish with send().
        """
        return Message.from_event_encode(topic, payload)

    def event_send(self, topic, payload=None):
        """Publish an event by sending it (no sequence number, no reply)."""
        return self.send(self.event_create(topic, payload))

    def event_recv(self, topic=None):
        """Wait for the next event (whose topic matches the glob topic, if
        given) and return it as a Message; other messages stay queued.
        """
        return self.recv(type_mask=lib.FLUX_MSGTYPE_EVENT, topic_glob=topic)

    # Watchers ----------------------------------------------------------

    def add_watcher(self, watcher):
        """Keep a reference to 'watcher' so that it is not collected."""
        self._active_watchers.add(watcher)
        return watcher

    def del_watcher(self, watcher):
        """Drop the reference add_watcher() took."""
        self._active_watchers.discard(watcher)

    def msg_watcher_create(self, callback,
                           type_mask=lib.FLUX_MSGTYPE_ANY, topic_glob="*",
                           args=None, match_tag=lib.FLUX_MATCHTAG_NONE,
                           rolemask=None):
        """callback(h, watcher, msg, args).  Created stopped.
        rolemask: roles allowed in addition to the owner.
        """
        return MessageWatcher(self, type_mask, callback, topic_glob,
                              match_tag, rolemask, args)

    def timer_watcher_create(self, after, callback, repeat=0.0,
                             args=None):
        """A TimerWatcher calling callback(handle, watcher, revents, args)
        after seconds, then every repeat seconds if repeat > 0.  Start it
        with start().
        """
        return TimerWatcher(self, after, callback, repeat, args)

    def fd_watcher_create(self, fd_int, callback, events=None, args=None):
        """An FDWatcher calling callback(handle, watcher, fd, revents, args)
        when descriptor fd_int is ready for events (FLUX_POLLIN,
        FLUX_POLLOUT, FLUX_POLLERR; all three by default).
        """
        if events is None:
            events = lib.FLUX_POLLIN | lib.FLUX_POLLOUT | lib.FLUX_POLLERR
        return FDWatcher(self, fd_int, events, callback, args)

    def signal_watcher_create(self, signum, callback, args=None):
        """A SignalWatcher calling callback(handle, watcher, signum, args)
        when signal signum arrives (in a client; a module's signals belong
        to the broker).
        """
        return SignalWatcher(self, signum, callback, args)

    def prepare_watcher_create(self, callback, args=None):
        """A PrepareWatcher calling callback(handle, watcher, revents, args)
        each time the reactor is about to wait.
        """
        return PrepareWatcher(self, callback, args)

    def check_watcher_create(self, callback, args=None):
        """A CheckWatcher calling callback(handle, watcher, revents, args)
        each time the reactor has finished waiting.
        """
        return CheckWatcher(self, callback, args)

    def idle_watcher_create(self, callback=None, args=None):
        """An IdleWatcher: while it is started, the reactor does not block
        waiting for events (callback, if given, runs on each turn).
        """
        return IdleWatcher(self, callback, args)

    # Reactor -----------------------------------------------------------

    def get_reactor(self):
        """The handle's reactor, as a cffi pointer (``flux_reactor_t *``)."""
        return check(lib.flux_get_reactor(self.handle))

    @classmethod
    def reactor_running(cls):
        """True if this thread is inside reactor_run()."""
        return getattr(cls.tls, "reactor_depth", 0) > 0

    @classmethod
    def reactor_enter(cls):
        """Count one more reactor run on this thread (reactor_run() calls
        it; with reactor_exit() it tells nested runs apart).
        """
        cls.tls.reactor_depth = getattr(cls.tls, "reactor_depth", 0) + 1

    @classmethod
    def reactor_exit(cls):
        """Count one reactor run on this thread as ended."""
        cls.tls.reactor_depth -= 1

    def in_reactor(self):
        """Count the block as running in the reactor (reactor_running()
        is True inside it), as reactor_run() does.
        """
        return _InReactor(self)

    @classmethod
    def set_exception(cls, exception):
        """Set this thread's pending callback exception (None clears
        it), to be raised by raise_if_exception() or reactor_run();
        returns the one it replaces.
        """
        prev = getattr(cls.tls, "exception", None)
        cls.tls.exception = exception
        return prev

    @classmethod
    def raise_if_exception(cls):
        """Raise and clear this thread's pending callback exception."""
        exc = callback.take()
        if exc is not None:
            raise exc

    @staticmethod
    def _owns_sigint():
        # Only where Python itself handles SIGINT (the main thread of a
        # normal interpreter): libev allows one watcher per signal per
        # process, and an embedding program (the broker) owns signals.
        if threading.current_thread() is not threading.main_thread():
            return False
        signal = _signal()
        return signal.getsignal(signal.SIGINT) is signal.default_int_handler

    def reactor_run(self, reactor=None, flags=0):
        """Run the reactor until it has nothing to do or is stopped.

        Returns the number of active watchers.  Re-raises the first
        exception a callback raised; raises OSError if the loop was
        stopped with reactor_stop_error().  In the main thread, Ctrl-C
        stops the loop and raises KeyboardInterrupt.

        Runs nest: a callback may run the reactor again (e.g. to wait for
        an answer), and reactor_stop() from a callback of that inner run
        ends the inner run only.  A stop from C (a broker module's
        shutdown) or reactor_stop_error() ends every run.
        """
        if reactor is None:
            reactor = self.get_reactor()
        callback.refuse_if_forked(reactor)
        # A callback that raised while no loop ran (e.g. a FutureExt init
        # callback called by then()) could not stop one: raise it now.
        self.raise_if_exception()
        tls = self.tls
        runs = tls.__dict__.setdefault("runs", [])
        nested = any(r.reactor == reactor for r in runs)
        run = _Run(reactor)
        self.reactor_enter()
        runs.append(run)
        interrupted = []
        sigw = None
        try:
            if tls.reactor_depth == 1 and self._owns_sigint():

                def on_sigint(h, w, signum, args):
                    interrupted.append(signum)
                    lib.flux_reactor_stop(reactor)

                sigw = SignalWatcher(self, _signal().SIGINT, on_sigint)
                sigw.unref()
                sigw.start()
            rc = lib.flux_reactor_run(reactor, flags)
            errnum = ffi.errno
            if nested and run.stopped and rc >= 0:
                self._resume_outer_run(reactor)
        finally:
            runs.pop()
            self.reactor_exit()
            if sigw is not None:
                sigw.destroy()
                # Stopping libev's watcher reset SIGINT to SIG_DFL.
                signal = _signal()
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

    @staticmethod
    def _resume_outer_run(reactor):
        """After reactor_stop() ended a nested run: let the run it is
        nested in go on.

        flux_reactor_stop() breaks every run of the loop (libev's
        EVBREAK_ALL, as in flux-core), so the outer run would return as
        soon as the callback that ran the inner one returns, and a broker
        module would end without a word.  A non-blocking run starts by
        cancelling any pending break; it then dispatches what is ready,
        and if one of those callbacks stops the reactor (the module's
        shutdown), that break stands and the outer runs end.
        N.B. A shutdown handled inside the inner run's last iteration,
        together with the callback that stopped it, is cancelled with
        it; the broker then interrupts the module after
        broker.module-remove-timeout.
        """
        rc = lib.flux_reactor_run(reactor, lib.FLUX_REACTOR_NOWAIT)
        if rc < 0:
            # A callback stopped it with an error: the outer runs must
            # see it, and the run above consumed it.
            lib.flux_reactor_stop_error(reactor)

    def reactor_stop(self, reactor=None):
        """Make reactor_run() return (this handle's reactor by default):
        the innermost run of this thread if it runs that reactor, every
        run of it otherwise.
        """
        if reactor is None:
            reactor = self.get_reactor()
        runs = getattr(self.tls, "runs", None)
        if runs and runs[-1].reactor == reactor:
            runs[-1].stopped = True
        lib.flux_reactor_stop(reactor)

    def reactor_stop_error(self, reactor=None):
        """Make reactor_run() return with an error (it raises OSError);
        every run of the reactor on this thread ends.
        """
        lib.flux_reactor_stop_error(reactor if reactor is not None
                                    else self.get_reactor())

    # Broker services ---------------------------------------------------

    def log(self, level, fstring):
        """Log 'fstring' at syslog 'level' to the broker (printf
        characters in it are not interpreted).
        """
        text = ffi.new("char[]", to_bytes(str(fstring)))
        check(lib.flux_log(self.handle, level, b"%s", text))

    def attr_get(self, attr_name):
        """The value (str) of broker attribute 'attr_name'; OSError
        ENOENT if it has none, ValueError if the name is not a str.
        """
        if not isinstance(attr_name, (str, bytes)):
            raise ValueError("Attribute name must be a string")
        return to_str(check(lib.flux_attr_get(self.handle,
                                              to_bytes(attr_name))))

    def attr_set(self, attr, value):
        """Set broker attribute 'attr' to 'value'.  Both must be str
        (ValueError otherwise); OSError if the broker refuses.
        """
        if not isinstance(attr, str):
            raise ValueError("Attribute name must be a string")
        if not isinstance(value, str):
            raise ValueError("Attribute value must be a string")
        check(lib.flux_attr_set(self.handle, attr.encode("utf-8"),
                                value.encode("utf-8")))

    def attr_remove(self, attr):
        """Remove broker attribute 'attr' (str, else ValueError) with an
        attr.rm RPC; OSError if the broker refuses.
        """
        if not isinstance(attr, str):
            raise ValueError("Attribute name must be a string")
        self.rpc("attr.rm", {"name": attr}).get()

    def conf_get(self, key=None, default=None, update=False):
        """The instance configuration.  key: a dotted path ("tbon.topo")
        to return one value, or 'default' if it is not set; None: the
        whole dict.

        In a broker module it is the configuration cached on the
        module's handle, which the broker's config-reload requests
        update: so it is always the current one.  Elsewhere it is
        fetched from the broker (config.get) on first use and cached in
        this object; update=True fetches it again.
        """
        if lib.flux_module_name(self.handle) != ffi.NULL:
            conf = self._module_conf()
        else:
            if update or self._cached_config is None:
                self._cached_config = self.rpc("config.get").get()
            conf = self._cached_config
        if key is None:
            return conf
        # N.B. imported here: flux.util is slow to import, and most
        # handles never read the configuration.
        from flux.util import get_treedict  # pylint: disable=import-outside-toplevel

        return get_treedict(conf, key, default)

    def _module_conf(self):
        """The config object cached on the C handle, as a dict, decoded
        again only when the handle holds a new one.  The reference kept
        on the one decoded last means its address cannot be reused by a
        newer one, so comparing addresses is enough.
        """
        c_conf = lib.flux_get_conf(self.handle)
        if c_conf == ffi.NULL:
            raise_errno(ffi.errno)
        if self._cached_conf_ref is None or c_conf != self._cached_conf_ref:
            obj = ffi.new("json_t **")
            check(lib.flux_conf_unpack(c_conf, ffi.NULL, b"o", obj))
            text = lib.json_dumps(obj[0], 0)
            if text == ffi.NULL:
                raise_errno(errno.ENOMEM)
            try:
                self._cached_config = decode_json(
                    ffi.string(text).decode("utf-8"))
            finally:
                lib.free(text)
            self._cached_conf_ref = ffi.gc(lib.flux_conf_incref(c_conf),
                                           lib.flux_conf_decref)
        return self._cached_config

    def get_rank(self):
        """The rank of the broker this handle is connected to."""
        rank = ffi.new("uint32_t *")
        check(lib.flux_get_rank(self.handle, rank))
        return rank[0]

    def service_register(self, name):
        """Register dynamic service 'name'; returns a Future (get() raises
        OSError EEXIST if the name is taken).
        """
        return Future(lib.flux_service_register(self.handle, to_bytes(name)),
                      flux_handle=self)

    def service_unregister(self, name):
        """Remove service name, registered with service_register(); returns
        a Future fulfilled when the broker has removed it.
        """
        return Future(lib.flux_service_unregister(self.handle,
                                                  to_bytes(name)),
                      flux_handle=self)
