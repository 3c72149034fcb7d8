# SPDX-License-Identifier: LGPL-3.0-or-later
"""Watchers: Python callbacks run by a handle's reactor.

Each watcher owns its C object (destroyed by destroy(), or when the
Python object is collected) and the ffi.new_handle() cdata that C passes
back to the trampoline, so the handle lives exactly as long as the C
watcher can call it.  A started watcher is also referenced from its
Flux object, so it keeps running even if the caller drops it, until it
is stopped or destroyed.

Callback signatures follow flux-core:
  timer, prepare, check, idle:  cb(h, watcher, revents, args)
  fd:                           cb(h, watcher, fd, revents, args)
  signal:                       cb(h, watcher, signum, args)
  message:                      cb(h, watcher, msg, args)

If a message callback raises while handling a request, the request is
answered with an error before the exception stops the reactor.
"""

from sys import getrefcount
from time import perf_counter_ns as _now

from flux.core import callback
from flux.core.inner import check, ffi, lib, new_match
from flux.message import Message


@ffi.def_extern()
def watcher_wrapper(reactor, c_watcher, revents, arg):
    """The C callback of every reactor watcher (cffi extern "Python"):
    calls the watcher's callback; an exception it raises stops the
    reactor and is raised by reactor_run().
    """
    try:
        ffi.from_handle(arg)._dispatch(revents)
    except BaseException as exc:  # pylint: disable=broad-except
        callback.stash(exc, reactor)
    if callback.forked is not None:
        callback.leave_if_forked(reactor)


# Per-handler statistics (a MessageWatcher's _stats) time each of the
# first SAMPLE_ALL calls, then one call in SAMPLE_EVERY (a power of two).
SAMPLE_ALL = 64
SAMPLE_EVERY = 16
_SAMPLE_MASK = SAMPLE_EVERY - 1

_new_message = Message.__new__
_MSG_T = ffi.typeof("flux_msg_t *")


@ffi.def_extern()
def message_handler_wrapper(c_h, c_mh, c_msg, arg):
    """The C callback of every message watcher (cffi extern "Python"):
    calls the watcher's callback with the Message; a request the
    callback raised on is answered with an error.
    """
    # N.B. The whole dispatch of a message is here, in the trampoline's
    # own frame, rather than in methods it calls: this runs once per
    # message a handler gets, and every Python frame costs.
    #
    # The Message borrows the dispatcher's reference on the C message
    # (flux.message): whatever refers to it, or to its handle, after the
    # callback (the handler kept it to answer later, or an exception's
    # traceback does) makes it take a reference of its own.  Counting
    # references is how the two are told apart: the counts taken here,
    # before the callback, are what this frame alone holds.
    try:
        watcher = ffi.from_handle(arg)
        msg = _new_message(Message)
        msg.handle = ptr = ffi.cast(_MSG_T, c_msg)
        msg_refs = getrefcount(msg)
        ptr_refs = getrefcount(ptr)
        stats = watcher._stats
        try:
            handler = watcher._handler
            if stats is not None:
                # The first SAMPLE_ALL calls, then one in SAMPLE_EVERY,
                # are timed (flux.brokermod.HandlerStats): two clock
                # reads and a histogram update on every message cost a
                # trivial handler's module ~8% of its rate.
                count = stats.count = stats.count + 1
                timed = count & _SAMPLE_MASK == 1 or count <= SAMPLE_ALL
                if timed:
                    start = _now()
            if handler is not None:
                handler(msg)
            else:
                watcher.callback(watcher.flux_handle, watcher, msg,
                                 watcher.args)
            if stats is not None:
                if timed:
                    stats.record(_now() - start)
                if msg._answered is True:  # by respond_error()
                    stats.errors += 1
        except BaseException as exc:
            if stats is not None:
                stats.errors += 1
            msg._outlive(ptr)
            _answer_failed_request(watcher.flux_handle, msg, exc)
            raise
        if getrefcount(msg) != msg_refs or getrefcount(ptr) != ptr_refs:
            msg._outlive(ptr)
    except BaseException as exc:  # pylint: disable=broad-except
        callback.stash(exc, lib.flux_get_reactor(c_h))
    if callback.forked is not None:
        callback.leave_if_forked(lib.flux_get_reactor(c_h))


def _answer_failed_request(h, msg, exc):
    """The handler of 'msg' raised 'exc': if msg is a request that still
    expects an answer, send the error response (see
    callback.error_response), so the sender learns why instead of
    hanging.  A request already answered (Flux.respond of a non-streaming
    request, or respond_error) is left alone: a second response could
    reach a later RPC that reuses the matchtag.
    """
    try:
        if (msg.type != lib.FLUX_MSGTYPE_REQUEST or msg.noresponse
                or msg.answered):
            return
        errnum, text = callback.error_response(exc)
        h.respond_error(msg, errnum, text)
    except OSError:
        pass  # the reactor stops with exc anyway


class Watcher:
    """Base class: start/stop/destroy, ref/unref, context manager."""

    def __init__(self, flux_handle, callback, args=None):
        self.flux_handle = flux_handle
        self.callback = callback
        self.args = args
        self._cb_handle = ffi.new_handle(self)
        self.handle = None

    def _adopt(self, c_watcher):
        check(c_watcher)
        self.handle = ffi.gc(c_watcher, lib.flux_watcher_destroy)

    def _reactor(self):
        return self.flux_handle.get_reactor()

    def _dispatch(self, revents):
        # An idle watcher may have no callback (it only keeps the
        # reactor from blocking).
        if self.callback is not None:
            self.callback(self.flux_handle, self, revents, self.args)

    def _live(self):
        if self.handle is None:
            raise ValueError("watcher has been destroyed")
        return self.handle

    def start(self):
        """Start watching; returns the watcher."""
        lib.flux_watcher_start(self._live())
        self.flux_handle._active_watchers.add(self)
        return self

    def stop(self):
        """Stop watching (it may be started again); returns the watcher."""
        if self.handle is not None:
            lib.flux_watcher_stop(self.handle)
        self.flux_handle._active_watchers.discard(self)
        return self

    def is_active(self):
        """True if the watcher is started."""
        return self.handle is not None and bool(
            lib.flux_watcher_is_active(self.handle))

    def ref(self):
        """Make the watcher keep the reactor running again (the default),
        after unref(); returns the watcher.
        """
        lib.flux_watcher_ref(self._live())
        return self

    def unref(self):
        """Let the reactor return while only unreferenced watchers are
        started; returns the watcher.
        """
        lib.flux_watcher_unref(self._live())
        return self

    def destroy(self):
        """Stop and free the C watcher now; the object is unusable after."""
        self.flux_handle._active_watchers.discard(self)
        if self.handle is not None:
            handle, self.handle = self.handle, None
            ffi.release(handle)

    def __enter__(self):
        """`with w:` runs the watcher for the block, as flux-core's."""
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()


class TimerWatcher(Watcher):
    def __init__(self, flux_handle, after, callback, repeat=0.0,
                 args=None):
        super().__init__(flux_handle, callback, args)
        self._after, self._repeat = float(after), float(repeat)
        self._adopt(lib.flux_timer_watcher_create(
            self._reactor(), float(after), float(repeat),
            lib.watcher_wrapper, self._cb_handle))

    def reset(self, after=None, repeat=None):
        """Re-arm and start: fire after 'after' seconds, then every
        'repeat' (None: the values it was created or last reset with).
        """
        if after is None:
            after = self._after
        if repeat is None:
            repeat = self._repeat
        self._after, self._repeat = float(after), float(repeat)
        lib.flux_timer_watcher_reset(self._live(), self._after,
                                     self._repeat)
        self.start()
        return self

    def again(self):
        """Restart a repeating timer so that it next fires repeat seconds
        from now; returns the watcher.
        """
        lib.flux_timer_watcher_again(self._live())
        return self


class FDWatcher(Watcher):
    def __init__(self, flux_handle, fd, events, callback, args=None):
        super().__init__(flux_handle, callback, args)
        self.fd = fd
        self._adopt(lib.flux_fd_watcher_create(
            self._reactor(), fd, events, lib.watcher_wrapper,
            self._cb_handle))

    def _dispatch(self, revents):
        self.callback(self.flux_handle, self, self.fd, revents, self.args)


class SignalWatcher(Watcher):
    def __init__(self, flux_handle, signum, callback, args=None):
        super().__init__(flux_handle, callback, args)
        self.signum = signum
        self._adopt(lib.flux_signal_watcher_create(
            self._reactor(), signum, lib.watcher_wrapper, self._cb_handle))

    def _dispatch(self, revents):
        self.callback(self.flux_handle, self, self.signum, self.args)


class PrepareWatcher(Watcher):
    def __init__(self, flux_handle, callback, args=None):
        super().__init__(flux_handle, callback, args)
        self._adopt(lib.flux_prepare_watcher_create(
            self._reactor(), lib.watcher_wrapper, self._cb_handle))


class CheckWatcher(Watcher):
    def __init__(self, flux_handle, callback, args=None):
        super().__init__(flux_handle, callback, args)
        self._adopt(lib.flux_check_watcher_create(
            self._reactor(), lib.watcher_wrapper, self._cb_handle))


class IdleWatcher(Watcher):
    def __init__(self, flux_handle, callback, args=None):
        super().__init__(flux_handle, callback, args)
        self._adopt(lib.flux_idle_watcher_create(
            self._reactor(), lib.watcher_wrapper, self._cb_handle))


class MessageWatcher(Watcher):
    """A message handler (flux_msg_handler_t) behind the watcher API.
    Its messages are dispatched by message_handler_wrapper above.

    The C handler points at the handle, so it holds a reference on it
    (flux_incref) that is dropped after the handler is destroyed: in
    whatever order garbage collection frees the two, the handle outlives
    its handlers.
    """

    # A callable(msg) called instead of callback(h, watcher, msg, args)
    # when set: BrokerModule's handlers, one call less per message.
    _handler = None
    # A flux.brokermod.HandlerStats when set: the trampoline times each
    # call into it.
    _stats = None

    def __init__(self, flux_handle, type_mask, callback, topic_glob="*",
                 match_tag=lib.FLUX_MATCHTAG_NONE, rolemask=None, args=None):
        super().__init__(flux_handle, callback, args)
        self._active = False
        # N.B. _glob is held for the create call, which copies the glob.
        match, _glob = new_match(type_mask, match_tag, topic_glob)
        c_h = flux_handle.handle
        mh = check(lib.flux_msg_handler_create(
            c_h, match[0], lib.message_handler_wrapper, self._cb_handle))
        lib.flux_incref(c_h)

        def _destroy(p, c_h=c_h):
            lib.flux_msg_handler_destroy(p)
            lib.flux_decref(c_h)

        self.handle = ffi.gc(mh, _destroy)
        if rolemask is not None:
            lib.flux_msg_handler_allow_rolemask(self.handle, rolemask)

    def start(self):
        """Start delivering matching messages to the callback; returns the
        watcher.
        """
        lib.flux_msg_handler_start(self._live())
        self._active = True
        self.flux_handle._active_watchers.add(self)
        return self

    def stop(self):
        """Stop delivering messages (they wait, or go to another matching
        watcher); returns the watcher.
        """
        if self.handle is not None:
            lib.flux_msg_handler_stop(self.handle)
        self._active = False
        self.flux_handle._active_watchers.discard(self)
        return self

    def is_active(self):
        """True if the watcher is started."""
        return self.handle is not None and self._active

    def ref(self):
        """Not for message watchers: raises NotImplementedError."""
        raise NotImplementedError("message watchers are not reactor watchers")

    unref = ref
