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
"""

import errno
import syslog
from collections import namedtuple
from operator import attrgetter

from flux.constants import (FLUX_MSGTYPE_EVENT, FLUX_MSGTYPE_REQUEST,
                            FLUX_ROLE_OWNER, FLUX_ROLE_USER)
from flux.core.inner import check, ffi, lib, to_str

__all__ = ["BrokerModule", "BrokerLogger", "request_handler",
           "event_handler", "resolve_entry_point"]


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
    """
    return _decorate(HandlerSpec(FLUX_MSGTYPE_REQUEST, topic, bool(prefix),
                                 bool(allow_guest)))


def event_handler(topic, prefix=True):
    """Make a method the handler of events NAME.topic, or topic with
    prefix=False (the module subscribes to that topic).  Called as
    method(msg).
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
    bases, and subscribes to the events.
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
        self._register_handlers()

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

    def _register_handlers(self):
        topics = {}
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
            w = self._h.msg_watcher_create(self._dispatch, spec.msgtype,
                                           topic, args=method,
                                           rolemask=rolemask)
            # N.B. The watcher calls method(msg) itself, as _dispatch
            # does, without the call to _dispatch (one Python frame per
            # message); a subclass that overrides _dispatch gets it.
            if type(self)._dispatch is BrokerModule._dispatch:
                w._handler = method
            if spec.msgtype == FLUX_MSGTYPE_EVENT:
                self._h.event_subscribe(topic)
            w.start()
            self._watchers.append(w)

    def _dispatch(self, h, watcher, msg, method):
        # N.B. If method raises, the message watcher answers the request
        # with an error (flux.core.watchers) and the reactor stops.
        method(msg)

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
            self._h.reactor_run()
        except OSError:
            # N.B. errno after flux_reactor_stop_error() is whatever the
            # loop left; stop_error() has one meaning, so one errno.
            if not self._stopped_with_error:
                raise
        if self._stopped_with_error:
            raise OSError(errno.ECANCELED,
                          f"{self._name}: stopped with stop_error()")


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
    return mod_main_synthesized
