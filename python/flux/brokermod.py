# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.brokermod: write a broker module as a class.

A module is a BrokerModule subclass whose methods are marked with
@request_handler or @event_handler; BrokerModule(h, *args) registers
them on the module's handle and run() runs the reactor.  See
doc/guide and spec/python-broker-modules.rst.

Failure in a handler.  If a handler raises, and the message was a
request that expects a response (and was not answered yet), the sender
gets an error response: the errno of an OSError (EINVAL if it has none)
with its strerror text, and for any other exception EINVAL with
"ExceptionType: text" (flux.core.watchers, as for any message watcher
of a flux.Flux handle).  Then the reactor stops and run() re-raises the exception, so the module exits
with an error and the broker logs "module runtime failure".

Async handlers.  A handler may be a coroutine function (async def): each
message it gets runs as an asyncio Task on the module's flux.aio loop,
which the module's own reactor drives (no thread of its own), so many
requests are served at once while each awaits something: a Flux future
(``await self.handle.rpc(...)``), asyncio.sleep(), a KVS lookup
(flux.kvs.get_async).  A request handler may also be an async generator:
each value it yields is one response of a streaming request, and its end
sends the ENODATA response that ends a stream; a request that was not
made streaming (FLUX_RPC_STREAMING) gets EPROTO saying so.  An
exception escaping an async handler is answered and stops the module
exactly as above.  When the reactor stops, the tasks still pending are
cancelled (a request they had not answered gets ECANCELED) and the loop
is closed.  See doc/async-handlers.rst.

Statistics.  NAME.stats-get (flux module stats NAME) is answered here:
the handle's message counters, as every module's, plus "handlers", per
handler topic: its count of messages, errors (requests it answered with
an error response before it returned, and exceptions it raised),
and latency p50, p90, p99 and max in seconds, from the call of the
handler to its return (for an async handler, to the end of its task).
The percentiles come from a log-scale histogram with four buckets per
power of two, so they are within 25% of the true value.  A sync
handler's first 64 calls are timed, then one in 16 ("timed" says how
many), which keeps the cost under the noise of the RPC rate; an async
handler's are all timed.  NAME.stats-clear resets them with the
counters.
"""

import errno
import syslog
from collections import namedtuple
from operator import attrgetter
from time import perf_counter_ns

from flux.constants import (FLUX_MSGTYPE_EVENT, FLUX_MSGTYPE_REQUEST,
                            FLUX_ROLE_OWNER, FLUX_ROLE_USER)
from flux.core import callback
from flux.core.inner import check, dumps_json, ffi, lib, to_str
from flux.core.watchers import _answer_failed_request

__all__ = ["BrokerModule", "BrokerLogger", "HandlerStats",
           "request_handler", "event_handler", "resolve_entry_point"]


# N.B. A named tuple, not a frozen dataclass: as immutable and
# comparable, and importing dataclasses (with inspect) was a third of
# what the first Python module cost the broker to load.
class HandlerSpec(namedtuple("HandlerSpec",
                             ["msgtype", "topic", "prefix", "allow_guest"],
                             defaults=(True, False))):
    """What a decorator records on a method."""

    __slots__ = ()

    def full_topic(self, name):
        """The topic the handler is registered for in a module named name."""
        return f"{name}.{self.topic}" if self.prefix else self.topic


_SPEC_ATTR = "_flux_handler"


def _decorate(spec):
    if not isinstance(spec.topic, str) or not spec.topic:
        raise ValueError("handler topic must be a non-empty string")

    def decorator(func):
        if not callable(func):
            raise TypeError("a handler must be a method")
        setattr(func, _SPEC_ATTR, spec)
        return func

    return decorator


def request_handler(topic, prefix=True, allow_guest=False):
    """Make a method the handler of requests to NAME.topic, or to topic
    itself with prefix=False.  Only the instance owner may call it unless
    allow_guest=True, which also admits other users (FLUX_ROLE_USER).
    The method is called as method(msg) with a flux.message.Message.
    It may be an ``async def`` method (run as a task) or an async
    generator (each yielded payload is one response of a stream).
    """
    return _decorate(HandlerSpec(FLUX_MSGTYPE_REQUEST, topic, bool(prefix),
                                 bool(allow_guest)))


def event_handler(topic, prefix=True):
    """Make a method the handler of events NAME.topic, or topic with
    prefix=False (the module subscribes to that topic).  Called as
    method(msg); it may be an ``async def`` method (run as a task).
    """
    return _decorate(HandlerSpec(FLUX_MSGTYPE_EVENT, topic, bool(prefix)))


def handler_specs(cls):
    """[(attribute name, HandlerSpec)] for cls and its bases.

    A decorated method anywhere in the MRO counts; the most derived
    decorated definition of a name decides its topic, and the method
    called is the one the instance resolves (an undecorated override
    keeps the base class's topic).
    """
    seen = set()
    specs = []
    for klass in cls.__mro__:
        for attr, value in vars(klass).items():
            if attr in seen:
                continue
            spec = getattr(value, _SPEC_ATTR, None)
            if isinstance(spec, HandlerSpec):
                seen.add(attr)
                specs.append((attr, spec))
    return specs


# co_flags of a code object (inspect's CO_COROUTINE and
# CO_ASYNC_GENERATOR; read directly, since importing inspect costs a
# module's load more than the rest of this file).
_CO_COROUTINE = 0x80
_CO_ASYNC_GENERATOR = 0x200


def _async_kind(method):
    """"coroutine", "asyncgen" or None for a (bound) handler method."""
    func = getattr(method, "__func__", method)
    code = getattr(func, "__code__", None)
    if code is None:
        return None
    if code.co_flags & _CO_ASYNC_GENERATOR:
        return "asyncgen"
    if code.co_flags & _CO_COROUTINE:
        return "coroutine"
    return None


# Latency histogram: a duration of ns nanoseconds (ns >= 8) with
# b = ns.bit_length() goes to bucket 4*b + (its top three bits - 4), so
# each power of two has four buckets, each at most 25% of its values
# wide; ns < 8 counts in bucket ns.  flux.core.watchers inlines the
# same arithmetic in its trampoline for sync handlers.
_HIST_SIZE = 4 * 68


def _bucket_upper(i):
    """The largest duration (ns) that bucket i holds."""
    if i < 8:
        return i
    b, k = i >> 2, i & 3
    return ((5 + k) << (b - 3)) - 1


class HandlerStats:
    """Count, errors and latency histogram of one handler.

    count and errors are incremented by the caller (the message
    trampoline of flux.core.watchers for a sync handler, the task of an
    async one); record(ns) adds a call timed at ns nanoseconds to the
    histogram; summary() gives the dict flux module stats shows.  A
    sync handler's calls are timed each for the first SAMPLE_ALL (64),
    then one in SAMPLE_EVERY (16) (flux.core.watchers): timing each one
    would cost a trivial handler's module several percent of its rate.
    An async handler's are all timed: a task costs much more than that.
    """

    __slots__ = ("type", "count", "hist", "max_ns", "errors")

    def __init__(self, msgtype):
        self.type = "event" if msgtype == FLUX_MSGTYPE_EVENT else "request"
        self.count = 0
        self.hist = [0] * _HIST_SIZE
        self.max_ns = 0
        self.errors = 0

    def record(self, ns):
        """Count one call that took ns nanoseconds."""
        b = ns.bit_length()
        self.hist[(b << 2) + (ns >> (b - 3)) - 4 if b > 3 else ns] += 1
        if ns > self.max_ns:
            self.max_ns = ns

    def clear(self):
        """Forget every call counted."""
        self.count = 0
        self.hist = [0] * _HIST_SIZE
        self.max_ns = 0
        self.errors = 0

    def summary(self):
        """{"type", "count", "errors", "timed", "latency": {p50, p90,
        p99, max}}: the latencies in seconds (0.0 before the first
        call), from the "timed" calls (record()).
        """
        hist = self.hist
        count = sum(hist)
        latency = {}
        for name, q in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99)):
            value = 0
            if count:
                # The smallest bucket holding the ceil(q*count)th call.
                rank = max(1, -(-int(q * count * 1000) // 1000))
                seen = 0
                for i, n in enumerate(hist):
                    seen += n
                    if seen >= rank:
                        value = min(_bucket_upper(i), self.max_ns)
                        break
            latency[name] = value / 1e9
        latency["max"] = self.max_ns / 1e9
        return {"type": self.type, "count": self.count,
                "errors": self.errors, "timed": count, "latency": latency}


# The syslog(3) severity names, as flux-core's BrokerLogger.LEVEL_NAMES
# has them; a threshold may also be given by one of the aliases below.
LEVEL_NAMES = {
    "emerg": syslog.LOG_EMERG,
    "alert": syslog.LOG_ALERT,
    "crit": syslog.LOG_CRIT,
    "err": syslog.LOG_ERR,
    "warning": syslog.LOG_WARNING,
    "notice": syslog.LOG_NOTICE,
    "info": syslog.LOG_INFO,
    "debug": syslog.LOG_DEBUG,
}

_ALIASES = {
    "emergency": syslog.LOG_EMERG, "panic": syslog.LOG_EMERG,
    "critical": syslog.LOG_CRIT,
    "error": syslog.LOG_ERR,
    "warn": syslog.LOG_WARNING,
}

_LEVELS = {**LEVEL_NAMES, **_ALIASES}

_NAME_OF_LEVEL = {value: name for name, value in LEVEL_NAMES.items()}


def _level_from_name(name):
    try:
        return _LEVELS[name.strip().lower()]
    except KeyError:
        raise ValueError(f"invalid log level {name!r}: expected one of "
                         + ", ".join(sorted(_LEVELS))) from None


def parse_level(level):
    """The severity of one message: a name (case-insensitive) or an int
    0-7 -> int 0-7.  Anything else raises ValueError.
    """
    if isinstance(level, str):
        return _level_from_name(level)
    if isinstance(level, int) and not isinstance(level, bool):
        if syslog.LOG_EMERG <= level <= syslog.LOG_DEBUG:
            return level
        raise ValueError(f"invalid log level {level!r}: must be 0-7")
    raise ValueError(f"invalid log level {level!r}: expected a name "
                     f"or 0-7")


def parse_threshold(value):
    """A threshold: a name (case-insensitive), or anything int() takes,
    as flux-core's level setter does (-1 drops every message, a number
    above 7 passes them all).  Anything else raises ValueError.
    """
    if isinstance(value, str):
        return _level_from_name(value)
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"invalid log level {value!r}") from exc


class BrokerLogger:
    """Log to the broker (flux dmesg) at syslog severities.

    Call it as log(level, text), as a handle's log() is called, or use
    the methods named after the severities.  Messages take optional
    %-style args, as the logging module does.

    level: the threshold, the least severe level sent.  The default,
    debug, sends everything and leaves filtering to the broker's
    log-level, as a C module does.  Set it to a name ("info",
    "warning", ...) or a number; it reads back as the number, and
    level_name gives its name.
    """

    LEVEL_NAMES = LEVEL_NAMES

    def __init__(self, h, level=syslog.LOG_DEBUG):
        self._h = h
        self._level = parse_threshold(level)

    @property
    def level(self):
        """The threshold, an int (syslog.LOG_*)."""
        return self._level

    @level.setter
    def level(self, value):
        self._level = parse_threshold(value)

    @property
    def level_name(self):
        """The threshold's name ("info", "err", ...), or its number as
        a string if it has none.
        """
        return _NAME_OF_LEVEL.get(self._level, str(self._level))

    def isenabled(self, severity):
        """True if a message at severity (a number or a name) would be
        sent.
        """
        if isinstance(severity, str):
            severity = _level_from_name(severity)
        return severity <= self._level

    def log(self, level, msg, *args):
        """Send msg (formatted with args, if any) at severity level,
        unless the threshold drops it.  level: 0-7 or a name.
        """
        level = parse_level(level)
        if level > self._level:
            return
        if args:
            msg = msg % args
        self._h.log(level, str(msg))

    __call__ = log

    def debug(self, msg, *args):
        """Log msg % args at LOG_DEBUG."""
        self.log(syslog.LOG_DEBUG, msg, *args)

    def info(self, msg, *args):
        """Log msg % args at LOG_INFO."""
        self.log(syslog.LOG_INFO, msg, *args)

    def notice(self, msg, *args):
        """Log msg % args at LOG_NOTICE."""
        self.log(syslog.LOG_NOTICE, msg, *args)

    def warning(self, msg, *args):
        """Log msg % args at LOG_WARNING."""
        self.log(syslog.LOG_WARNING, msg, *args)

    def error(self, msg, *args):
        """Log msg % args at LOG_ERR."""
        self.log(syslog.LOG_ERR, msg, *args)

    def critical(self, msg, *args):
        """Log msg % args at LOG_CRIT."""
        self.log(syslog.LOG_CRIT, msg, *args)

    def alert(self, msg, *args):
        """Log msg % args at LOG_ALERT."""
        self.log(syslog.LOG_ALERT, msg, *args)

    def emerg(self, msg, *args):
        """Log msg % args at LOG_EMERG."""
        self.log(syslog.LOG_EMERG, msg, *args)


def module_name(h):
    """The module name the broker gave handle h (from its welcome)."""
    name = to_str(lib.flux_module_name(h.handle))
    if name is None:
        aux = lib.flux_aux_get(h.handle, b"flux::name")
        if aux != ffi.NULL:
            name = to_str(ffi.cast("const char *", aux))
    return name


class BrokerModule:
    """Base class of a Python broker module.

    ``BrokerModule(h, *args)``: h is the module's flux.Flux handle, args the
    module arguments.  Registers (and starts) a message watcher for every
    @request_handler and @event_handler method in the class and its
    bases, and subscribes to the events; and the NAME.stats-get and
    NAME.stats-clear handlers that report per-handler statistics.
    """

    def __init__(self, h, *args):
        self._h = h
        self._args = tuple(args)
        # N.B. On a handle that is not a module's, the name is
        # "unknown", as in flux-core: handlers register as unknown.TOPIC.
        self._name = module_name(h) or "unknown"
        self.log = BrokerLogger(h)
        self._watchers = []
        self._stopped_with_error = False
        self._loop = None
        self._tasks = set()
        self._handler_stats = {}
        self._register_handlers()
        self._register_stats()

    # N.B. Read-only properties whose getter is a C function: handlers
    # read self.handle on every message, and a getter written in Python
    # costs a frame each time.
    handle = property(attrgetter("_h"), doc="The module's flux.Flux handle.")

    name = property(attrgetter("_name"),
                    doc="The module name (the file's basename, or --name).")

    @property
    def args(self):
        """The module arguments, a tuple of str."""
        return self._args

    @property
    def loop(self):
        """The module's asyncio loop (flux.aio.FluxEventLoop), driven by
        its reactor; made at first use (async handlers make it when the
        module starts).  Use it to start tasks of your own:
        self.loop.create_task(coro).
        """
        if self._loop is None:
            # N.B. Imported here: a module without async handlers never
            # loads asyncio.
            from flux import aio  # pylint: disable=import-outside-toplevel

            self._loop = aio.get_loop(self._h)
        return self._loop

    @property
    def handler_stats(self):
        """{topic: HandlerStats} of the module's handlers."""
        return self._handler_stats

    def _register_handlers(self):
        # (msgtype, topic) -> attribute name, for _register_stats too.
        topics = self._handled = {}
        for attr, spec in handler_specs(type(self)):
            topic = spec.full_topic(self._name)
            key = (spec.msgtype, topic)
            if key in topics:
                raise ValueError(f"{attr} and {topics[key]} both handle "
                                 f"{topic!r}")
            topics[key] = attr
            rolemask = None
            if spec.allow_guest:
                rolemask = FLUX_ROLE_OWNER | FLUX_ROLE_USER
            method = getattr(self, attr)
            stats = HandlerStats(spec.msgtype)
            key = (topic if topic not in self._handler_stats
                   else f"{topic} (event)")
            self._handler_stats[key] = stats
            kind = _async_kind(method)
            if kind is not None:
                method = self._task_starter(method, kind, spec, topic, stats)
            w = self._h.msg_watcher_create(self._dispatch, spec.msgtype,
                                           topic, args=method,
                                           rolemask=rolemask)
            # N.B. The watcher calls method(msg) itself, as _dispatch
            # does, without the call to _dispatch (one Python frame per
            # message); a subclass that overrides _dispatch gets it.
            if type(self)._dispatch is BrokerModule._dispatch:
                w._handler = method
            if kind is None:
                # The trampoline times the call (flux.core.watchers); an
                # async handler's task records its own end.
                w._stats = stats
            if spec.msgtype == FLUX_MSGTYPE_EVENT:
                self._h.event_subscribe(topic)
            w.start()
            self._watchers.append(w)

    def _dispatch(self, h, watcher, msg, method):
        # N.B. If method raises, the message watcher answers the request
        # with an error (flux.core.watchers) and the reactor stops.
        method(msg)

    # Async handlers ----------------------------------------------------

    def _task_starter(self, method, kind, spec, topic, stats):
        """The callable(msg) the watcher calls for an async handler: it
        starts the task that runs method(msg).
        """
        if kind == "asyncgen" and spec.msgtype != FLUX_MSGTYPE_REQUEST:
            raise TypeError(f"{topic}: an event handler cannot be an async "
                            "generator (events have no responses)")
        create_task = self.loop.create_task
        serve = self._serve_stream if kind == "asyncgen" else self._serve
        tasks = self._tasks

        def start(msg):
            task = create_task(serve(method, msg, stats), name=topic)
            tasks.add(task)

        start.__qualname__ = f"{type(self).__name__}.{method.__name__}"
        return start

    def _fail(self, msg, exc):
        """An async handler raised exc on msg: what a sync handler's
        exception does (flux.core.watchers): answer the request with the
        error, then stop the reactor with exc, which run() raises.
        """
        _answer_failed_request(self._h, msg, exc)
        callback.stash(exc, self._h.get_reactor())

    def _cancelled(self, msg):
        """The task of msg was cancelled (the module is stopping): a
        request it had not answered learns why, rather than waiting.
        """
        if (msg.type == FLUX_MSGTYPE_REQUEST and not msg.noresponse
                and not msg.answered):
            try:
                self._h.respond_error(msg, errno.ECANCELED,
                                      f"{self._name}: the module stopped "
                                      "before answering")
            except OSError:
                pass

    async def _serve(self, method, msg, stats):
        """The task of one message to an async def handler."""
        stats.count += 1
        start = perf_counter_ns()
        try:
            await method(msg)
            if msg._answered is True:  # by respond_error()
                stats.errors += 1
        except BaseException as exc:  # pylint: disable=broad-except
            if isinstance(exc, _aio_cancelled()):
                self._cancelled(msg)
                raise
            stats.errors += 1
            self._fail(msg, exc)
        finally:
            stats.record(perf_counter_ns() - start)
            self._tasks.discard(_current_task())

    async def _serve_stream(self, method, msg, stats):
        """The task of one request to an async generator handler: each
        value yielded is a response, and the end of the generator sends
        ENODATA, which ends a stream (RFC 6).
        """
        stats.count += 1
        start = perf_counter_ns()
        h = self._h
        try:
            if not msg.streaming:
                text = (f"{msg.topic} answers with a stream of responses "
                        "(an async generator): make the request with "
                        "FLUX_RPC_STREAMING")
                stats.errors += 1
                self.log.error("%s", text)
                if not msg.noresponse:
                    h.respond_error(msg, errno.EPROTO, text)
                return
            async for payload in method(msg):
                h.respond(msg, payload)
            h.respond_error(msg, errno.ENODATA)
        except BaseException as exc:  # pylint: disable=broad-except
            if isinstance(exc, _aio_cancelled()):
                self._cancelled(msg)
                raise
            stats.errors += 1
            self._fail(msg, exc)
        finally:
            stats.record(perf_counter_ns() - start)
            self._tasks.discard(_current_task())

    # Statistics --------------------------------------------------------

    def _register_stats(self):
        """NAME.stats-get and NAME.stats-clear, started after the C
        module's (libflux/module.c), so that they are the ones called
        (the newest handler of a topic wins).  A module that handles one
        of them itself keeps its own.
        """
        for msgtype, method, cb, rolemask in (
                (FLUX_MSGTYPE_REQUEST, "stats-get", self._stats_get,
                 lib.FLUX_ROLE_ALL),
                (FLUX_MSGTYPE_REQUEST, "stats-clear", self._stats_clear,
                 None),
                (FLUX_MSGTYPE_EVENT, "stats-clear", self._stats_clear,
                 None)):
            topic = f"{self._name}.{method}"
            if (msgtype, topic) in self._handled:
                continue
            w = self._h.msg_watcher_create(cb, msgtype, topic,
                                           rolemask=rolemask)
            w.start()
            self._watchers.append(w)

    def stats(self):
        """What NAME.stats-get answers: {"tx": {...}, "rx": {...}} (the
        handle's message counters, as libflux reports them) and
        "handlers": {topic: HandlerStats.summary()}.
        """
        mcs = ffi.new("struct flux_msgcounters *")
        lib.flux_get_msgcounters(self._h.handle, mcs)
        return {
            "tx": {"request": mcs.request_tx, "response": mcs.response_tx,
                   "event": mcs.event_tx, "control": mcs.control_tx},
            "rx": {"request": mcs.request_rx, "response": mcs.response_rx,
                   "event": mcs.event_rx, "control": mcs.control_rx},
            "handlers": {topic: st.summary()
                         for topic, st in self._handler_stats.items()},
        }

    def _stats_get(self, h, watcher, msg, args):
        h.respond(msg, dumps_json(self.stats()))

    def _stats_clear(self, h, watcher, msg, args):
        lib.flux_clr_msgcounters(h.handle)
        for st in self._handler_stats.values():
            st.clear()
        if msg.type == FLUX_MSGTYPE_REQUEST:
            h.respond(msg)

    def set_running(self):
        """Tell the broker the module is running now (flux module load
        returns), before entering the reactor.
        """
        check(lib.flux_module_set_running(self._h.handle))

    def debug_test(self, flag, clear=False):
        """True if 'flag' is set in the module's debug flags (set with
        flux module debug); with clear=True, also clear it.
        """
        return bool(lib.flux_module_debug_test(self._h.handle, flag,
                                               bool(clear)))

    def stop(self):
        """Stop the reactor: run() returns normally (also from inside a
        nested reactor_run(), which Flux.reactor_stop() would end alone).
        """
        lib.flux_reactor_stop(self._h.get_reactor())

    def stop_error(self):
        """Stop the reactor with an error: run() raises OSError."""
        self._stopped_with_error = True
        self._h.reactor_stop_error()

    def run(self):
        """Run the reactor until stop(), stop_error() or a handler fails.

        Raises OSError after stop_error(), or re-raises the exception a
        handler raised.
        """
        self._stopped_with_error = False
        try:
            try:
                if self._loop is None:
                    self._h.reactor_run()
                else:
                    self._loop.run_forever()
            finally:
                if self._loop is not None:
                    self._close_loop()
        except OSError:
            # N.B. errno after flux_reactor_stop_error() is whatever the
            # loop left; stop_error() has one meaning, so one errno.
            if not self._stopped_with_error:
                raise
        if self._stopped_with_error:
            raise OSError(errno.ECANCELED,
                          f"{self._name}: stopped with stop_error()")

    def _close_loop(self):
        """The reactor has stopped: with the handlers stopped, cancel the
        tasks still pending and close the loop
        (flux.aio.FluxEventLoop.close_module()).  The loop ran as the
        reactor's run_forever(), so asyncio.get_running_loop() worked
        anywhere in the module.
        """
        for w in self._watchers:
            w.stop()
        self._loop.close_module()


def _aio_cancelled():
    """asyncio.CancelledError (asyncio is loaded once a task runs)."""
    # N.B. sys.modules lookup, not an import statement: cheap, and only
    # reached from a running task.
    from asyncio import CancelledError  # pylint: disable=import-outside-toplevel
    return CancelledError


def _current_task():
    from asyncio import current_task  # pylint: disable=import-outside-toplevel
    return current_task()


def _subclasses(ns, modname=None):
    """The BrokerModule subclasses in namespace ns, each once, in
    definition order; only those defined in module modname if given.
    """
    found = {}
    for value in ns.values():
        if (isinstance(value, type) and issubclass(value, BrokerModule)
                and value is not BrokerModule
                and (modname is None or value.__module__ == modname)):
            found[id(value)] = value
    return list(found.values())


def resolve_entry_point(mod):
    """The callable the loader runs as entry(h, *args).

    mod: a module object (or its namespace dict).  Returns its mod_main
    if it has one.  Else the one BrokerModule subclass it holds makes
    the entry point, a function running cls(h, *args).run(): the one
    the module defines itself, or, if it defines none, the one it
    imported (so a file may just import its module class from a
    package).  Raises ValueError if there is none, or several to
    choose from.
    """
    if isinstance(mod, dict):
        ns = mod
        mod_main = ns.get("mod_main")
    else:
        ns = vars(mod)
        mod_main = getattr(mod, "mod_main", None)
    if mod_main is not None:
        if not callable(mod_main):
            raise ValueError("mod_main is not a function")
        return mod_main
    modname = ns.get("__name__")
    classes = _subclasses(ns, modname) if modname is not None else []
    if not classes:
        classes = _subclasses(ns)
    if not classes:
        raise ValueError("no mod_main() or BrokerModule subclass found "
                         "in the module")
    if len(classes) > 1:
        names = ", ".join(c.__name__ for c in classes)
        raise ValueError(f"multiple BrokerModule subclasses found "
                         f"({names}): define mod_main() to choose one")
    cls = classes[0]

    def mod_main_synthesized(h, *args):
        cls(h, *args).run()

    mod_main_synthesized.__qualname__ = f"{cls.__name__}.run"
    # N.B. The loader makes the instance itself from module_class, which
    # gives it the object whose state_export()/state_import() hooks a
    # reload calls (flux/_pyloader.py); it does what this function does.
    mod_main_synthesized.module_class = cls
    return mod_main_synthesized
