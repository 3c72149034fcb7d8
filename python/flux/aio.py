# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.aio: an asyncio event loop driven by a Flux reactor.

A broker module's thread runs one loop, the Flux reactor of its handle.
asyncio needs a loop too, and a second one (asyncio.run() on another
thread, or one polled from a timer) would mean locks, or latency, or
both.  So FluxEventLoop is an asyncio.AbstractEventLoop whose every
event is a watcher of the handle's reactor:

- call_soon() queues a callback; while the queue holds any, an idle
  watcher keeps the reactor from blocking and a check watcher (run on
  every turn, after the reactor has polled) runs the callbacks that
  were queued when it started, as asyncio's own loop does each turn.
  Both are stopped while the queue is empty, so a loop that has nothing
  to do costs the reactor nothing.
- call_later()/call_at() are reactor timer watchers, one per callback.
- call_soon_threadsafe() (and so run_in_executor() and
  asyncio.run_coroutine_threadsafe()) queue the callback and write a
  byte to a pipe that a reactor fd watcher reads: the only way to wake
  a reactor that another thread may be blocked in.
- add_reader()/add_writer() are reactor fd watchers.

The handle's own descriptor is never polled from asyncio: it is
edge-triggered, and the reactor's handle watcher already reads it.
Messages reach Python through message watchers, as in any module; a
handler that is a coroutine function runs as a Task on this loop
(flux.brokermod), and a flux.future.Future is awaitable on it.

Running.  The loop does not run the reactor by itself: whoever runs the
reactor (BrokerModule.run(), h.reactor_run(), loop.run_forever() or
run_until_complete()) runs the loop.  In a script::

    import flux, flux.aio
    h = flux.Flux()
    async def main():
        return await h.rpc("broker.ping", {})
    print(flux.aio.run(h, main()))

asyncio.get_running_loop() gives the loop inside its callbacks and
tasks, and, in a BrokerModule whose loop exists, anywhere in the
module's thread while it runs.

Not provided: sockets, transports, subprocesses and signal handlers
(create_connection(), subprocess_exec(), add_signal_handler(), ...);
they raise NotImplementedError, as asyncio.AbstractEventLoop's
defaults do.  A module talks to the world through Flux messages, and a
module's signals belong to the broker.
"""

import asyncio
import collections
import concurrent.futures
import os
import sys
import threading
import time
import weakref
from syslog import LOG_ERR
from asyncio import events

from flux.core import callback
from flux.core.inner import ffi, lib

__all__ = ["FluxEventLoop", "get_loop", "run"]

# reactor address -> its loop (one loop per reactor).
_LOOPS = {}

# How long close_module() gives cancelled tasks to finish (seconds).
SHUTDOWN_GRACE = 2.0


def _reactor_key(h):
    return int(ffi.cast("uintptr_t", h.get_reactor()))


def get_loop(h):
    """The FluxEventLoop of h's reactor, made at the first call.

    Every Flux object on the same reactor gets the same loop (one loop
    per reactor).  In a mod_main() module, call it to use asyncio: e.g.
    flux.aio.get_loop(h).create_task(coro) before h.reactor_run() (or
    loop.run_forever()), and loop.close_module() after it returns, which
    cancels the tasks left and frees the loop (a BrokerModule does both).
    """
    key = _reactor_key(h)
    loop = _LOOPS.get(key)
    if loop is None:
        loop = FluxEventLoop(h)
    return loop


def run(h, coro):
    """Run coroutine coro to completion on h's loop, running the reactor
    until it is done; return its result (or raise its exception).
    Returns with the loop open: h's other watchers keep their state.
    """
    return get_loop(h).run_until_complete(coro)


def _loop_of_reactor(reactor):
    return _LOOPS.get(int(ffi.cast("uintptr_t", reactor)))


def running_loop_of(h):
    """The FluxEventLoop running now on h's reactor, or None."""
    running = events._get_running_loop()
    if (isinstance(running, FluxEventLoop)
            and int(ffi.cast("uintptr_t", h.get_reactor())) == running._key):
        return running
    return None


def loop_for_future(reactor):
    """The loop on which a Flux future whose continuation runs on
    'reactor' can be awaited: the running loop, which must be that
    reactor's FluxEventLoop.  Raises RuntimeError otherwise (then()
    would never run: no loop runs that reactor).
    """
    running = events._get_running_loop()
    if running is None:
        raise RuntimeError("a flux Future is awaited in a coroutine that "
                           "runs on flux.aio's loop (flux.aio.run(h, coro), "
                           "or an async handler)")
    if (not isinstance(running, FluxEventLoop)
            or int(ffi.cast("uintptr_t", reactor)) != running._key):
        raise RuntimeError("a flux Future can be awaited only on the "
                           "flux.aio loop of its handle's reactor, not "
                           f"on {running!r}")
    return running


def _release(handle):
    """Destroy the C watcher of a timer or fd handle now (also from its
    own callback, which libflux allows), and break the cycle between the
    handle and the ffi handle that points back at it.
    """
    w, handle._watcher = handle._watcher, None
    handle._cdata = None
    if w is not None:
        ffi.release(w)


class _TimerHandle(asyncio.TimerHandle):
    """A TimerHandle that is also the reactor timer watcher's target."""

    __slots__ = ("_watcher", "_cdata")

    def _dispatch(self, revents):
        # Called by the watcher trampoline (flux.core.watchers).
        self._loop._timer_fired(self)


class _FdHandle(asyncio.Handle):
    """The callback of add_reader/add_writer, target of its fd watcher."""

    __slots__ = ("_watcher", "_cdata")

    def _dispatch(self, revents):
        if self._cancelled:
            return
        loop = self._loop
        prev = events._get_running_loop()
        events._set_running_loop(loop)
        try:
            self._run()
        finally:
            events._set_running_loop(prev)


class _Waker:
    """Target of the fd watcher on the read end of the wakeup pipe."""

    __slots__ = ("loop",)

    def __init__(self, loop):
        self.loop = loop

    def _dispatch(self, revents):
        loop = self.loop
        try:
            while os.read(loop._wake_r, 4096):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        if loop._ready:
            loop._arm()


class _Runner:
    """Target of the check watcher: runs the queued callbacks."""

    __slots__ = ("loop",)

    def __init__(self, loop):
        self.loop = loop

    def _dispatch(self, revents):
        self.loop._run_ready()


class _Noop:
    """Target of the idle watcher, which is there only so that the
    reactor polls without blocking while callbacks wait.
    """

    __slots__ = ()

    def _dispatch(self, revents):
        pass


class FluxEventLoop(asyncio.AbstractEventLoop):
    """FluxEventLoop(h): an asyncio loop on the reactor of Flux handle h.

    Use get_loop(h), which makes one per reactor, rather than this
    constructor (a second loop on one reactor raises RuntimeError).
    The loop belongs to the thread that made it, as the reactor does;
    only call_soon_threadsafe() may be called from another thread.
    """

    def __init__(self, h):
        key = _reactor_key(h)
        if key in _LOOPS:
            raise RuntimeError("the reactor already has a FluxEventLoop: "
                               "use flux.aio.get_loop(h)")
        self._h = h
        self._key = key
        self._reactor = h.get_reactor()
        self._thread_id = threading.get_ident()
        self._ready = collections.deque()
        self._armed = False
        self._timers = set()
        self._readers = {}
        self._writers = {}
        self._closed = False
        self._debug = False
        self._exception_handler = None
        self._task_factory = None
        self._executor = None
        self._run_depth = 0
        self._asyncgens = weakref.WeakSet()
        self._asyncgens_shutdown = False
        # The C watchers call back through the watcher trampoline, whose
        # argument is an ffi handle of an object with _dispatch().
        self._targets = []
        self._idle = self._watcher(lib.flux_idle_watcher_create, _Noop())
        self._check = self._watcher(lib.flux_check_watcher_create,
                                    _Runner(self))
        self._wake_r, self._wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._waker = self._watcher(
            lambda r, cb, arg: lib.flux_fd_watcher_create(
                r, self._wake_r, lib.FLUX_POLLIN, cb, arg), _Waker(self))
        # N.B. Unreferenced: the pipe must not keep reactor_run() from
        # returning when nothing else is left to do.
        lib.flux_watcher_unref(self._waker)
        lib.flux_watcher_start(self._waker)
        self._old_agen_hooks = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(firstiter=self._asyncgen_firstiter,
                               finalizer=self._asyncgen_finalizer)
        _LOOPS[key] = self

    def _watcher(self, create, target):
        """A C watcher created with create(reactor, cb, arg) whose
        callback calls target._dispatch(revents).
        """
        cdata = ffi.new_handle(target)
        self._targets.append(cdata)
        w = create(self._reactor, lib.watcher_wrapper, cdata)
        if w == ffi.NULL:
            raise OSError(ffi.errno, os.strerror(ffi.errno))
        return ffi.gc(w, lib.flux_watcher_destroy)

    def __repr__(self):
        return (f"<FluxEventLoop closed={self._closed} "
                f"ready={len(self._ready)} timers={len(self._timers)}>")

    # Running -----------------------------------------------------------

    def run_forever(self):
        """Run the reactor (and so the loop) until stop().

        While it runs, the wakeup pipe's watcher is referenced: as with
        asyncio's loops, the run does not end for want of watchers while
        a thread may still call call_soon_threadsafe() (a job of
        run_in_executor(), say).  h.reactor_run() alone returns as soon
        as no referenced watcher is left.
        """
        self._check_closed()
        if self._run_depth == 0:
            lib.flux_watcher_ref(self._waker)
        self._run_depth += 1
        prev = events._get_running_loop()
        events._set_running_loop(self)
        try:
            self._h.reactor_run()
        finally:
            events._set_running_loop(prev)
            self._run_depth -= 1
            if self._run_depth == 0 and not self._closed:
                lib.flux_watcher_unref(self._waker)

    def run_until_complete(self, future):
        """Run the reactor until future (a coroutine or future) is done;
        return its result.  RuntimeError if the reactor stopped first
        (a reactor_stop() meant for another run).
        """
        self._check_closed()
        future = asyncio.ensure_future(future, loop=self)

        def done(fut):
            self.stop()

        future.add_done_callback(done)
        try:
            self.run_forever()
        except BaseException:
            if future.done() and not future.cancelled():
                # Its exception was the one that stopped the reactor.
                future.exception()
            raise
        finally:
            future.remove_done_callback(done)
        if not future.done():
            raise RuntimeError("the reactor stopped before the future "
                               "completed")
        return future.result()

    def stop(self):
        """Make the innermost reactor run of this thread return."""
        self._h.reactor_stop()

    def is_running(self):
        """True while the reactor runs the loop (run_forever(), or the
        reactor run of a BrokerModule with async handlers).
        """
        return self._run_depth > 0

    def is_closed(self):
        """True after close()."""
        return self._closed

    def close(self):
        """Drop every queued callback, timer and fd watcher, stop the
        executor (without waiting for it) and forget the loop; h's
        reactor is left as it was.  Pending tasks are not run again:
        cancel them and let them finish first (close_module() does).
        """
        if self.is_running():
            raise RuntimeError("cannot close a running event loop")
        if self._closed:
            return
        self._closed = True
        self._disarm()
        self._ready.clear()
        for handle in list(self._timers):
            handle.cancel()
        for table in (self._readers, self._writers):
            for handle in list(table.values()):
                handle.cancel()
                _release(handle)
            table.clear()
        lib.flux_watcher_stop(self._waker)
        os.close(self._wake_r)
        os.close(self._wake_w)
        if sys.get_asyncgen_hooks() == (self._asyncgen_firstiter,
                                        self._asyncgen_finalizer):
            sys.set_asyncgen_hooks(*self._old_agen_hooks)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        if _LOOPS.get(self._key) is self:
            del _LOOPS[self._key]

    async def shutdown_asyncgens(self):
        """Close the asynchronous generators still suspended."""
        self._asyncgens_shutdown = True
        agens = list(self._asyncgens)
        self._asyncgens.clear()
        results = await asyncio.gather(*[ag.aclose() for ag in agens],
                                       return_exceptions=True)
        for result, agen in zip(results, agens):
            if isinstance(result, Exception):
                self.call_exception_handler({
                    "message": f"an error occurred closing {agen!r}",
                    "exception": result, "asyncgen": agen})

    async def shutdown_default_executor(self, timeout=None):
        """Wait (in a thread, so the reactor goes on) for the default
        executor's jobs to end, then shut it down.
        """
        executor, self._executor = self._executor, None
        if executor is None:
            return
        waiter = self.create_future()

        def join():
            executor.shutdown(wait=True)
            self.call_soon_threadsafe(
                lambda: waiter.done() or waiter.set_result(None))

        thread = threading.Thread(target=join, daemon=True)
        thread.start()
        await asyncio.wait_for(waiter, timeout)

    def _asyncgen_firstiter(self, agen):
        if not self._asyncgens_shutdown:
            self._asyncgens.add(agen)

    def _asyncgen_finalizer(self, agen):
        self._asyncgens.discard(agen)
        if not self._closed:
            self.call_soon_threadsafe(self.create_task, agen.aclose())

    # Callbacks ---------------------------------------------------------

    def _check_closed(self):
        if self._closed:
            raise RuntimeError("Event loop is closed")

    def _check_thread(self):
        if threading.get_ident() != self._thread_id:
            raise RuntimeError("a FluxEventLoop is used from the thread "
                               "that made it; use call_soon_threadsafe()")

    def _arm(self):
        """Keep the reactor from blocking, and run the queue each turn."""
        if not self._armed and not self._closed:
            self._armed = True
            lib.flux_watcher_start(self._idle)
            lib.flux_watcher_start(self._check)

    def _disarm(self):
        if self._armed:
            self._armed = False
            lib.flux_watcher_stop(self._idle)
            lib.flux_watcher_stop(self._check)

    def call_soon(self, callback, *args, context=None):
        """Run ``callback(*args)`` on the reactor's next turn, in order."""
        if self._closed:
            raise RuntimeError("Event loop is closed")
        if self._debug:
            self._check_thread()
        handle = events.Handle(callback, args, self, context)
        self._ready.append(handle)
        if not self._armed:
            self._arm()
        return handle

    def call_soon_threadsafe(self, callback, *args, context=None):
        """call_soon() from any thread: wakes the reactor through the
        loop's pipe.
        """
        self._check_closed()
        handle = events.Handle(callback, args, self, context)
        self._ready.append(handle)
        try:
            os.write(self._wake_w, b"\0")
        except BlockingIOError:
            pass  # the pipe is full: the reactor has a wakeup already
        return handle

    def _run_ready(self):
        """Run the callbacks queued before this turn; those they queue
        wait for the next turn (the reactor polls in between, so
        messages and timers are not starved by a busy loop).
        """
        ready = self._ready
        count = len(ready)
        prev = events._get_running_loop()
        events._set_running_loop(self)
        try:
            while count > 0 and ready:
                count -= 1
                handle = ready.popleft()
                if not handle._cancelled:
                    handle._run()
        finally:
            events._set_running_loop(prev)
            if not ready:
                self._disarm()

    def time(self):
        """The loop's clock: time.monotonic(), the clock of the
        reactor's timers.
        """
        return time.monotonic()

    def call_later(self, delay, callback, *args, context=None):
        """Run ``callback(*args)`` after delay seconds (a reactor timer)."""
        return self.call_at(self.time() + delay, callback, *args,
                            context=context)

    def call_at(self, when, callback, *args, context=None):
        """Run ``callback(*args)`` at loop time 'when' (a reactor timer)."""
        self._check_closed()
        if self._debug:
            self._check_thread()
        handle = _TimerHandle(when, callback, args, self, context)
        handle._cdata = ffi.new_handle(handle)
        # N.B. The reactor's clock is cached at the start of its turn:
        # brought up to date, the timer is measured from now.
        lib.flux_reactor_now_update(self._reactor)
        w = lib.flux_timer_watcher_create(self._reactor,
                                          max(when - self.time(), 0.0), 0.0,
                                          lib.watcher_wrapper, handle._cdata)
        if w == ffi.NULL:
            raise OSError(ffi.errno, os.strerror(ffi.errno))
        handle._watcher = ffi.gc(w, lib.flux_watcher_destroy)
        handle._scheduled = True
        self._timers.add(handle)
        lib.flux_watcher_start(w)
        return handle

    def _timer_fired(self, handle):
        remaining = handle._when - self.time()
        if remaining > 0:
            lib.flux_timer_watcher_reset(handle._watcher, remaining, 0.0)
            lib.flux_watcher_start(handle._watcher)
            return
        self._timers.discard(handle)
        handle._scheduled = False
        _release(handle)
        if handle._cancelled:
            return
        prev = events._get_running_loop()
        events._set_running_loop(self)
        try:
            handle._run()
        finally:
            events._set_running_loop(prev)

    def _timer_handle_cancelled(self, handle):
        # Called by TimerHandle.cancel().
        if handle in self._timers:
            self._timers.discard(handle)
            handle._scheduled = False
            _release(handle)

    # Futures and tasks -------------------------------------------------

    def create_future(self):
        """An asyncio.Future on this loop."""
        return asyncio.Future(loop=self)

    def create_task(self, coro, *, name=None, context=None):
        """Schedule coroutine coro as a Task on this loop."""
        self._check_closed()
        if self._task_factory is None:
            return asyncio.Task(coro, loop=self, name=name, context=context)
        if context is None:
            task = self._task_factory(self, coro)
        else:
            task = self._task_factory(self, coro, context=context)
        if name is not None:
            task.set_name(name)
        return task

    def set_task_factory(self, factory):
        """factory(loop, coro[, context=]) makes the tasks; None: Task."""
        if factory is not None and not callable(factory):
            raise TypeError("task factory must be a callable or None")
        self._task_factory = factory

    def get_task_factory(self):
        """The task factory, or None."""
        return self._task_factory

    # Threads -----------------------------------------------------------

    def run_in_executor(self, executor, func, *args):
        """Run ``func(*args)`` in executor (None: the loop's thread pool);
        returns an asyncio future, completed through
        call_soon_threadsafe().
        """
        self._check_closed()
        if executor is None:
            executor = self._executor
            if executor is None:
                executor = concurrent.futures.ThreadPoolExecutor(
                    thread_name_prefix="flux-aio")
                self._executor = executor
        return asyncio.wrap_future(executor.submit(func, *args), loop=self)

    def set_default_executor(self, executor):
        """Make executor the one run_in_executor(None, ...) uses."""
        self._executor = executor

    async def getaddrinfo(self, host, port, *, family=0, type=0, proto=0,
                          flags=0):
        """socket.getaddrinfo() in the executor."""
        import socket  # pylint: disable=import-outside-toplevel
        return await self.run_in_executor(None, socket.getaddrinfo, host,
                                          port, family, type, proto, flags)

    async def getnameinfo(self, sockaddr, flags=0):
        """socket.getnameinfo() in the executor."""
        import socket  # pylint: disable=import-outside-toplevel
        return await self.run_in_executor(None, socket.getnameinfo,
                                          sockaddr, flags)

    # Descriptors -------------------------------------------------------

    def _add_fd(self, table, fd, events_mask, callback, args):
        self._check_closed()
        if not isinstance(fd, int):
            fd = fd.fileno()
        self._remove_fd(table, fd)
        handle = _FdHandle(callback, args, self, None)
        handle._cdata = ffi.new_handle(handle)
        w = lib.flux_fd_watcher_create(self._reactor, fd, events_mask,
                                       lib.watcher_wrapper, handle._cdata)
        if w == ffi.NULL:
            raise OSError(ffi.errno, os.strerror(ffi.errno))
        handle._watcher = ffi.gc(w, lib.flux_watcher_destroy)
        table[fd] = handle
        lib.flux_watcher_start(w)

    def _remove_fd(self, table, fd):
        if not isinstance(fd, int):
            fd = fd.fileno()
        handle = table.pop(fd, None)
        if handle is None:
            return False
        handle.cancel()
        _release(handle)
        return True

    def add_reader(self, fd, callback, *args):
        """Call ``callback(*args)`` whenever fd is readable."""
        self._add_fd(self._readers, fd, lib.FLUX_POLLIN, callback, args)

    def remove_reader(self, fd):
        """Stop watching fd for reading; True if it was watched."""
        return self._remove_fd(self._readers, fd)

    def add_writer(self, fd, callback, *args):
        """Call ``callback(*args)`` whenever fd is writable."""
        self._add_fd(self._writers, fd, lib.FLUX_POLLOUT, callback, args)

    def remove_writer(self, fd):
        """Stop watching fd for writing; True if it was watched."""
        return self._remove_fd(self._writers, fd)

    # Errors and debugging ----------------------------------------------

    def get_exception_handler(self):
        """The exception handler set, or None."""
        return self._exception_handler

    def set_exception_handler(self, handler):
        """handler(loop, context) gets what call_exception_handler()
        is given; None restores the default (log to the broker).
        """
        if handler is not None and not callable(handler):
            raise TypeError("the exception handler must be callable")
        self._exception_handler = handler

    def default_exception_handler(self, context):
        """Log context's message and exception: to the broker (flux
        dmesg) at LOG_ERR through the handle, or to stderr if that fails.
        """
        message = context.get("message") or "unhandled exception in loop"
        exc = context.get("exception")
        lines = [message]
        for key in sorted(context):
            if key not in ("message", "exception"):
                lines.append(f"{key}: {context[key]!r}")
        if exc is not None:
            import traceback  # pylint: disable=import-outside-toplevel
            lines.extend(traceback.format_exception(exc))
        text = "\n".join(line.rstrip("\n") for line in lines)
        try:
            self._h.log(LOG_ERR, text)
        except Exception:  # pylint: disable=broad-except
            sys.stderr.write(text + "\n")

    def call_exception_handler(self, context):
        """Give context (a dict: message, exception, ...) to the
        exception handler.
        """
        if self._exception_handler is None:
            self.default_exception_handler(context)
            return
        try:
            self._exception_handler(self, context)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException as exc:  # pylint: disable=broad-except
            self.default_exception_handler({
                "message": "the exception handler raised",
                "exception": exc, "context": context})

    def get_debug(self):
        """True if debug mode is on (thread checks in call_soon)."""
        return self._debug

    def set_debug(self, enabled):
        """Turn debug mode on or off."""
        self._debug = bool(enabled)

    # The end of a module ----------------------------------------------

    def close_module(self, grace=SHUTDOWN_GRACE):
        """Cancel the loop's pending tasks, run the reactor until they
        have finished (at most 'grace' seconds), then close the loop.

        BrokerModule.run() calls it when the reactor has stopped.  A task
        that outlives the grace is logged and abandoned without asyncio's
        "Task was destroyed but it is pending" warning.
        """
        if self._closed:
            return
        tasks = [t for t in asyncio.all_tasks(self) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            waiter = asyncio.wait(tasks, timeout=grace)
            try:
                self.run_until_complete(waiter)
            except BaseException:  # pylint: disable=broad-except
                # The reactor stopped with an error meanwhile: what
                # matters now is to end cleanly.
                callback.take()
            for task in tasks:
                if not task.done():
                    task._log_destroy_pending = False
                    try:
                        self._h.log(LOG_ERR, f"task {task.get_name()} ignored "
                                       "its cancellation: abandoned")
                    except OSError:
                        pass
                elif not task.cancelled():
                    task.exception()  # retrieved: no "never retrieved"
        try:
            if self._asyncgens:
                self.run_until_complete(self.shutdown_asyncgens())
        except BaseException:  # pylint: disable=broad-except
            callback.take()
        self.close()

