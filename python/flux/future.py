# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.future: results that arrive later (flux_future_t).

Future wraps a C future the caller owns.  One made from a handle (an
RPC, a service registration) also holds a reference on that handle
(flux_incref) until the C future is destroyed, so garbage collection may
free the two in any order.  `with future:` destroys the C future when
the block ends, as flux-core's bindings do.

A future with a pending then() callback must stay alive even if the
caller drops it (h.rpc(...).then(cb) is the common idiom).  _PENDING
counts, per future, the callbacks still expected: then() and reset()
add one, each callback run takes one, and at zero the future may be
collected.  A FutureExt is kept the same way until its init callback
has run (_INIT_PENDING).  Both tables are kept per reactor (then()) and
per thread (a FutureExt's init, which has no reactor yet when it is
made), so that when a broker module ends, the loader drops what its
reactor and its thread still hold (forget_pending()): callbacks that
can never run, since nothing runs that reactor again, which would keep
the module's whole instance alive for as long as the broker runs.

Awaiting.  In a coroutine running on flux.aio's loop (an async handler
of a BrokerModule, or flux.aio.run(h, coro) in a script), ``await
future`` waits without blocking the reactor and gives what get() would
have returned, or raises what it would have raised (OSError for an
error response).  It uses then(), so a future with a then() callback
of its own cannot also be awaited.  ``async for response in future``
reads a stream (an RPC made with FLUX_RPC_STREAMING): one get() per
response, ending at the ENODATA that ends a stream.

FutureExt is a future completed from Python: its init callback starts
whatever will produce the result, and fulfill() delivers it.  Any other
flux_future_* function is a method too (flux.wrapper):
future.fulfill_error(errno.EPERM, "text"), future.incref().
"""

import errno
from _thread import get_ident

from flux.core import callback
from flux.core.inner import (check, decode_json, dumps_json, ffi, lib,
                             raise_errno, to_bytes, to_str)
from flux.wrapper import Wrapper

__all__ = ["Future", "FutureExt", "WaitAllFuture"]

# reactor address -> {future: then() callbacks still expected}
_PENDING = {}
# thread ident -> {FutureExt: 1 until its init callback has run}
_INIT_PENDING = {}


def _reactor_key(reactor):
    """The key of _PENDING for a flux_reactor_t: its address."""
    return int(ffi.cast("uintptr_t", reactor))


def _hold(table, key, future):
    held = table.get(key)
    if held is None:
        held = table[key] = {}
    held[future] = held.get(future, 0) + 1


def _release(table, key, future, everything=False):
    held = table.get(key)
    if held is None:
        return
    count = 0 if everything else held.get(future, 0) - 1
    if count > 0:
        held[future] = count
        return
    held.pop(future, None)
    if not held:
        del table[key]


def forget_pending(reactor, thread):
    """Drop what the futures of 'reactor' (a flux_reactor_t) and the
    FutureExts made on 'thread' (an ident) still hold: a broker module
    has ended, and nothing will run their callbacks.  (The loader calls
    it, flux/_pyloader.py.)
    """
    _PENDING.pop(_reactor_key(reactor), None)
    _INIT_PENDING.pop(thread, None)


@ffi.def_extern()
def continuation_callback(c_future, arg):
    """The C callback of a Future's continuation (cffi extern
    "Python"): calls the function given to then(); an exception it
    raises stops the reactor and is raised by reactor_run().
    """
    future = None
    # N.B. Before the callback, which may destroy the future.
    reactor = lib.flux_future_get_reactor(c_future)
    try:
        future = ffi.from_handle(arg)
        _release(_PENDING, future._pending_key, future)
        if future._aio_future is not None:
            _settle_aio(future, future._aio_future)
        if not future.stopped and future._then_cb is not None:
            future._then_cb(future, *future._then_args, **future._then_kw)
    except BaseException as exc:  # pylint: disable=broad-except
        callback.stash(exc, reactor)
    if callback.forked is not None:
        callback.leave_if_forked(reactor)


@ffi.def_extern()
def init_callback(c_future, arg):
    """The C callback that initializes a Future made with
    FutureExt (cffi extern "Python"): calls its init function.
    """
    try:
        future = ffi.from_handle(arg)
        _release(_INIT_PENDING, future._init_key, future)
        future.init_cb(future, *future.init_args, **future.init_kwargs)
    except BaseException as exc:  # pylint: disable=broad-except
        callback.stash(exc, lib.flux_future_get_reactor(c_future))


def _own(c_future, c_h=None):
    """Take ownership of c_future, and a reference on c_h if given."""
    check(c_future)
    # N.B. A C future holds a reference on the handle it was made with
    # (flux_future_set_flux), so most need no other: only one whose C
    # handle is another (or none) gets a reference of its own here.
    if c_h is None or lib.flux_future_get_flux(c_future) == c_h:
        return ffi.gc(c_future, lib.flux_future_destroy)
    lib.flux_incref(c_h)

    def _destroy(p, c_h=c_h):
        lib.flux_future_destroy(p)
        lib.flux_decref(c_h)

    return ffi.gc(c_future, _destroy)


class Future(Wrapper):
    """Future(future_handle, prefixes=None, pimpl_t=None, flux_handle=None)

    Wraps a flux_future_t the caller owns (the reference is transferred).
    flux_handle: the Flux object the future was made with, if any; it is
    kept alive with the future and returned by get_flux().  prefixes and
    pimpl_t are accepted for flux-core's signature and otherwise unused:
    the C function prefixes of a Future are ``flux_future_`` and ``flux_``.
    """

    _wrapper_prefixes = ("flux_future_", "flux_")
    _wrapper_handle_type = "flux_future_t *"

    # Until then() or stop(): class defaults, so that making a future
    # (one per RPC) stores only what every future has.
    _then_cb = None
    _then_args = ()
    _then_kw = {}
    _cb_handle = None
    _aio_future = None
    _pending_key = None     # where _PENDING holds it (then())
    _init_key = None        # where _INIT_PENDING holds it (FutureExt)
    stopped = False

    def __init__(self, future_handle, prefixes=None, pimpl_t=None,
                 flux_handle=None):
        del prefixes, pimpl_t
        if isinstance(future_handle, Future):
            # Another wrapper of the same C future, with a reference of
            # its own (flux-core allows this).
            other = future_handle
            lib.flux_future_incref(other._live())
            future_handle = other.handle
            if flux_handle is None:
                flux_handle = other._flux
        c_h = flux_handle.handle if flux_handle is not None else None
        self.handle = _own(future_handle, c_h)
        self._flux = flux_handle

    def _live(self):
        if self.handle is None:
            raise ValueError("the future has been destroyed (used after "
                             "its with block?)")
        return self.handle

    def _check(self, rc):
        """check() with the future's error text (the server's words)."""
        return check(rc, self.error_string)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.destroy()

    def destroy(self):
        """Destroy the C future now; the object is unusable after."""
        _release(_PENDING, self._pending_key, self, everything=True)
        _release(_INIT_PENDING, self._init_key, self, everything=True)
        if self.handle is not None:
            handle, self.handle = self.handle, None
            ffi.release(handle)

    def stop(self):
        """Call the then() callback no more (the stream may go on)."""
        self.stopped = True

    def error_string(self):
        """Text of the error the future failed with, or None."""
        if self.handle is None:
            return None
        return to_str(lib.flux_future_error_string(self.handle))

    def then(self, callback, *args, timeout=-1.0, **kwargs):
        """Call ``callback(future, *args, **kwargs)`` in the reactor when
        fulfilled, and again after each reset() (streams).  With timeout
        >= 0, fail the future with ETIMEDOUT if it is not fulfilled in
        time.  Returns self.  A second then() raises OSError(EEXIST);
        a callback of None, ValueError.
        """
        if self._then_cb is not None:
            raise_errno(errno.EEXIST,
                        "then callback already exists for this future")
        if callback is None:
            raise ValueError("Callback cannot be None")
        if self._cb_handle is not None:
            # The continuation is registered already (_await_early):
            # the callback joins it, or runs soon if it has fired; a
            # timeout is the loop's timer, doing what then()'s does.
            self._then_cb = callback
            self._then_args = args
            self._then_kw = kwargs
            loop = self._aio_future.get_loop()
            if self._aio_future.done():
                loop.call_soon(callback, self, *args, **kwargs)
            elif timeout >= 0:
                loop.call_later(float(timeout), self._time_out)
            return self
        self._cb_handle = ffi.new_handle(self)
        self._check(lib.flux_future_then(self._live(), float(timeout),
                                         lib.continuation_callback,
                                         self._cb_handle))
        self._then_cb = callback
        self._then_args = args
        self._then_kw = kwargs
        self._pend()
        return self

    def _pend(self):
        """One more then() callback expected: held in _PENDING, under its
        reactor, until it has run.
        """
        if self._pending_key is None:
            self._pending_key = _reactor_key(
                lib.flux_future_get_reactor(self.handle))
        _hold(_PENDING, self._pending_key, self)

    def _time_out(self):
        """then()'s timeout, for a future registered by _await_early."""
        if self.handle is not None and not self.is_ready():
            lib.flux_future_fulfill_error(self.handle, errno.ETIMEDOUT,
                                          ffi.NULL)

    def _await_early(self, loop):
        """Register the continuation that settles an asyncio future now,
        at the RPC's creation on a running flux.aio loop: the response
        handler of an RPC is made when then() (or get()) is first
        called, and a response that arrives before it is dropped.  A
        future made in a coroutine is often awaited a turn later
        (asyncio.gather() wraps it in a task first), and its response,
        from another module of the broker, has come by then.
        """
        self._aio_future = loop.create_future()
        self._cb_handle = ffi.new_handle(self)
        self._check(lib.flux_future_then(self._live(), -1.0,
                                         lib.continuation_callback,
                                         self._cb_handle))
        self._pend()

    def __await__(self):
        """``await future`` (see the module comment): the result of get(),
        delivered through then() to an asyncio future of the running
        flux.aio loop.  Awaiting it again gives the same result.
        """
        afut = self._aio_future
        if afut is None:
            # N.B. Imported here: asyncio is loaded only by modules and
            # scripts that use it.
            from flux import aio  # pylint: disable=import-outside-toplevel

            loop = aio.loop_for_future(self.get_reactor())
            afut = loop.create_future()
            self._aio_future = afut
            self.then(_settle_aio, afut)
        return afut.__await__()

    def __aiter__(self):
        """``async for payload in future``: each response of a stream,
        until the ENODATA that ends it (see the module comment).
        """
        from flux import aio  # pylint: disable=import-outside-toplevel

        return _Stream(self, aio.loop_for_future(self.get_reactor()))

    def reset(self):
        """Forget the current result so the next one of a stream arrives."""
        lib.flux_future_reset(self._live())
        if self._then_cb is not None:
            self._pend()

    def is_ready(self):
        """True if the result (or error) has arrived: get() would not wait."""
        return bool(lib.flux_future_is_ready(self._live()))

    def fulfill_error(self, errnum=errno.ENOENT, errstr=None):
        """Fail the future with 'errnum' and optional text."""
        lib.flux_future_fulfill_error(self._live(), errnum, to_bytes(errstr))

    def incref(self):
        """Take another reference on the C future, for C code that will
        release it.
        """
        lib.flux_future_incref(self._live())

    def wait_for(self, timeout=-1.0):
        """Block until fulfilled; OSError(ETIMEDOUT) after 'timeout'
        seconds (< 0: forever).  Returns self.
        """
        try:
            check(lib.flux_future_wait_for(self._live(), float(timeout)))
        except OSError:
            self.raise_if_handle_exception()
            raise
        return self

    def get(self):
        """Block until fulfilled; raise OSError (errno and the error text
        the future was failed with) on failure.  Returns None.
        """
        try:
            self._check(lib.flux_future_get(self._live(), ffi.NULL))
        except OSError:
            self.raise_if_handle_exception()
            raise

    def raise_if_handle_exception(self):
        """Raise the exception a callback of this thread left pending."""
        exc = callback.take()
        if exc is not None:
            raise exc

    def get_flux(self):
        """The Flux handle of the current context, or None."""
        if self.handle is None:
            return None
        c_h = lib.flux_future_get_flux(self.handle)
        if c_h == ffi.NULL:
            return None
        if self._flux is not None and self._flux.handle == c_h:
            return self._flux
        from flux.core.handle import Flux  # pylint: disable=import-outside-toplevel

        return Flux(handle=c_h)

    def set_flux(self, flux_handle):
        """Make 'flux_handle' (a Flux) the future's handle and reactor."""
        c_h = flux_handle.handle if flux_handle is not None else ffi.NULL
        lib.flux_future_set_flux(self._live(), c_h)
        if flux_handle is not None:
            self._flux = flux_handle

    def get_reactor(self):
        """The reactor the future's continuation runs on (a cffi pointer)."""
        return lib.flux_future_get_reactor(self._live())


def _settle_aio(future, afut):
    """then() callback of an awaited future: complete afut with what
    get() gives (a task that stopped waiting has cancelled afut).
    """
    if afut.done():
        return
    try:
        result = future.get()
    except Exception as exc:  # pylint: disable=broad-except
        afut.set_exception(exc)
        # N.B. Marked as seen: an RPC made on the loop gets its afut at
        # once (_await_early) and may be read with get() or then()
        # instead, and asyncio would log its error as never retrieved.
        # An await still raises it.
        afut.exception()
    else:
        afut.set_result(result)


class _Stream:
    """The async iterator over a streaming future's responses: then()
    queues each result (and resets the future for the next), and
    __anext__ waits for the queue to hold one.
    """

    __slots__ = ("_future", "_loop", "_items", "_waiter")

    def __init__(self, future, loop):
        self._future = future
        self._loop = loop
        self._items = []
        self._waiter = None
        future.then(self._on_response)

    def _on_response(self, future):
        try:
            item = (future.get(), None)
        except OSError as exc:
            # ENODATA is how a stream ends (RFC 6); any other error ends
            # it too, raised by the __anext__ that reaches it.
            item = (None, StopAsyncIteration() if exc.errno == errno.ENODATA
                    else exc)
        except Exception as exc:  # pylint: disable=broad-except
            item = (None, exc)
        else:
            future.reset()
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self):
        return self

    async def __anext__(self):
        while not self._items:
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        value, exc = self._items.pop(0)
        if exc is not None:
            self._items.insert(0, (None, exc))  # ended: stays ended
            raise exc
        return value


class FutureExt(Future):
    """``FutureExt(init_cb, *args, flux_handle=None, **kwargs)``

    A future fulfilled from Python.  ``init_cb(future, *args, **kwargs)`` is
    called when the result is first wanted in a context: at then(), or
    at a blocking get()/wait_for() (then with a handle of its own, so
    use future.get_flux() there).  It starts the work whose end calls
    future.fulfill(result) or future.fulfill_error(errnum, text).
    Without flux_handle, call set_flux() before then() or get().
    """

    def __init__(self, init_cb, *args, flux_handle=None, **kwargs):
        if not callable(init_cb):
            raise ValueError("init_cb must be callable")
        self.init_cb = init_cb
        self.init_args = args
        self.init_kwargs = kwargs
        self._results = []
        self._init_handle = ffi.new_handle(self)
        c_future = lib.flux_future_create(lib.init_callback,
                                          self._init_handle)
        super().__init__(c_future)
        # The init callback may run long after the caller dropped us.
        self._init_key = get_ident()
        _hold(_INIT_PENDING, self._init_key, self)
        if flux_handle is not None:
            self.set_flux(flux_handle)

    def fulfill(self, result=None):
        """Fulfil with 'result', anything json.dumps() takes."""
        payload = ffi.new("char[]", dumps_json(result).encode(
            "utf-8", errors="surrogateescape"))
        # Kept until the future goes: C holds only the pointer.
        self._results.append(payload)
        lib.flux_future_fulfill(self._live(), payload, ffi.NULL)

    def get(self):
        """Block until fulfilled; the result fulfill() gave (None for
        none), or OSError for fulfill_error().
        """
        result = ffi.new("void **")
        try:
            self._check(lib.flux_future_get(self._live(), result))
        except OSError:
            self.raise_if_handle_exception()
            raise
        if result[0] == ffi.NULL:
            return None
        return decode_json(
            ffi.string(ffi.cast("char *", result[0])).decode("utf-8"))


class WaitAllFuture(Future):
    """WaitAllFuture(children=None)

    A future fulfilled when every child pushed on it is, or failed with
    the errno of a child that failed.  get() returns None: read each
    result from its child (self.children, in push order).  As with
    flux-core's, 'children' becomes self.children, the list push()
    appends to; only pushed futures are waited for.
    """

    def __init__(self, children=None):
        super().__init__(lib.flux_future_wait_all_create())
        self.children = children if children is not None else []

    def push(self, child, name=None):
        """Add Future 'child' (under 'name'; None: its position).  The
        composite's handle is the child's if it has none yet.  OSError
        EEXIST if the name is taken.
        """
        if self.get_flux() is None and child.get_flux() is not None:
            self.set_flux(child.get_flux())
        # The composite destroys the children it holds: give it a
        # reference of its own, so Python's stays valid too.
        lib.flux_future_incref(child._live())
        try:
            check(lib.flux_future_push(self._live(), to_bytes(name),
                                       child.handle))
        except OSError:
            lib.flux_future_decref(child.handle)
            raise
        self.children.append(child)
