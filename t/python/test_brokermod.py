# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.brokermod without a broker: decorators, MRO walking, entry
point rules, BrokerLogger levels, and modules driven through the module
protocol on an interthread channel (conftest.ModulePair).
"""

import errno
import os
import syslog
import types

import pytest

import flux.constants as C
from flux.core.inner import check, lib
from flux.message import Message
from flux.brokermod import (BrokerLogger, BrokerModule, event_handler,
                            handler_specs, request_handler,
                            resolve_entry_point)

from conftest import ModulePair, Runner, recv_timeout, response_error


class Base(BrokerModule):
    @request_handler("hello")
    def hello(self, msg):
        self.handle.respond(msg, {"name": self.name, "from": "base"})

    @request_handler("quit")
    def quit(self, msg):
        self.handle.respond(msg)
        self.stop()


class Derived(Base):
    # An undecorated override keeps the base class's topic.
    def hello(self, msg):
        self.handle.respond(msg, {"name": self.name, "from": "derived"})

    @request_handler("args")
    def args_(self, msg):
        self.handle.respond(msg, {"args": list(self.args)})

    @request_handler("guest", allow_guest=True)
    def guest(self, msg):
        self.handle.respond(msg, {"userid": msg.userid})

    @request_handler("owneronly")
    def owneronly(self, msg):
        self.handle.respond(msg)

    @request_handler("bare.topic", prefix=False)
    def bare(self, msg):
        self.handle.respond(msg, {"topic": msg.topic})

    @request_handler("die")
    def die(self, msg):
        raise RuntimeError("handler died")

    @request_handler("oserror")
    def oserror(self, msg):
        raise OSError(errno.EEXIST, "already there")

    @request_handler("stoperr")
    def stoperr(self, msg):
        self.handle.respond(msg)
        self.stop_error()


class WithEvent(BrokerModule):
    @event_handler("panic")
    def panic(self, msg):
        self.stop_error()

    @event_handler("heartbeat.pulse", prefix=False)
    def pulse(self, msg):
        self.handle.log(syslog.LOG_INFO, f"pulse {msg.payload['n']}")
        if msg.payload["n"] == 2:
            self.stop()


# Decorators and MRO ---------------------------------------------------


def test_decorators_record_specs():
    specs = dict(handler_specs(Derived))
    assert specs["hello"].topic == "hello"
    assert specs["hello"].msgtype == C.FLUX_MSGTYPE_REQUEST
    assert specs["guest"].allow_guest and not specs["owneronly"].allow_guest
    assert specs["bare"].prefix is False
    assert specs["bare"].full_topic("mod") == "bare.topic"
    assert specs["args_"].full_topic("mod") == "mod.args"
    assert set(specs) >= {"hello", "quit", "args_", "die"}
    ev = dict(handler_specs(WithEvent))
    assert ev["panic"].msgtype == C.FLUX_MSGTYPE_EVENT


def test_decorated_function_is_still_callable():
    @request_handler("x")
    def f(a):
        return a + 1

    assert f(1) == 2


def test_empty_topic_is_refused():
    with pytest.raises(ValueError):
        request_handler("")
    with pytest.raises(ValueError):
        event_handler(None)


# resolve_entry_point --------------------------------------------------


def make_module(name, source, extra=None):
    mod = types.ModuleType(name)
    if extra:
        mod.__dict__.update(extra)
    exec(compile(source, f"{name}.py", "exec"), mod.__dict__)
    return mod


def test_entry_point_prefers_mod_main():
    mod = make_module("m1", """
from flux.brokermod import BrokerModule
class A(BrokerModule):
    pass
def mod_main(h, *args):
    return ("mod_main", args)
""")
    assert resolve_entry_point(mod)(None, "a") == ("mod_main", ("a",))


def test_entry_point_single_subclass():
    mod = make_module("m2", """
from flux.brokermod import BrokerModule
class Only(BrokerModule):
    def __init__(self, h, *args):
        self.got = (h, args)
    def run(self):
        RESULT.append(self.got)
""", {"RESULT": []})
    entry = resolve_entry_point(mod)
    entry("H", "x", "y")
    assert mod.RESULT == [("H", ("x", "y"))]
    # A namespace dict works as well as a module.
    assert callable(resolve_entry_point(vars(mod)))


def test_entry_point_ignores_imported_subclasses():
    mod = make_module("m3", """
from flux.brokermod import BrokerModule
class Mine(BrokerModule):
    pass
""", {"Imported": Derived, "AlsoImported": Base})
    entry = resolve_entry_point(mod)
    assert entry.__qualname__ == "Mine.run"


def test_entry_point_several_subclasses():
    mod = make_module("m4", """
from flux.brokermod import BrokerModule
class One(BrokerModule):
    pass
class Two(One):
    pass
""")
    with pytest.raises(ValueError) as exc:
        resolve_entry_point(mod)
    assert "One" in str(exc.value) and "Two" in str(exc.value)
    assert "mod_main" in str(exc.value)


def test_entry_point_none():
    mod = make_module("m5", "from flux.brokermod import BrokerModule\n")
    with pytest.raises(ValueError) as exc:
        resolve_entry_point(mod)
    assert str(exc.value) == ("no mod_main() or BrokerModule subclass "
                              "found in the module")


def test_entry_point_mod_main_is_returned_itself():
    mod = make_module("m6", "def mod_main(h, *args):\n    pass\n")
    assert resolve_entry_point(mod) is mod.mod_main


def test_entry_point_imported_subclass_when_none_is_defined():
    # As flux-core: a file may only import its module class.
    mod = make_module("m7", "from flux.brokermod import BrokerModule\n",
                      {"Derived": Derived})
    entry = resolve_entry_point(mod)
    assert entry.__qualname__ == "Derived.run"
    # The same class under two names is one class.
    mod.Again = Derived
    assert resolve_entry_point(mod).__qualname__ == "Derived.run"


def test_entry_point_several_imported_subclasses():
    mod = make_module("m8", "", {"Derived": Derived, "Base": Base})
    with pytest.raises(ValueError) as exc:
        resolve_entry_point(mod)
    assert str(exc.value).startswith(
        "multiple BrokerModule subclasses found (")
    assert "Derived" in str(exc.value) and "Base" in str(exc.value)


# BrokerLogger ---------------------------------------------------------


class FakeHandle:
    def __init__(self):
        self.lines = []

    def log(self, level, msg):
        self.lines.append((level, msg))


def test_logger_default_forwards_everything():
    h = FakeHandle()
    log = BrokerLogger(h)
    log.debug("d")
    log.info("i %s", "x")
    log.notice("n")
    log.warning("w")
    log.error("e")
    log.critical("c")
    log.alert("a")
    log.emerg("m")
    assert h.lines == [
        (syslog.LOG_DEBUG, "d"), (syslog.LOG_INFO, "i x"),
        (syslog.LOG_NOTICE, "n"), (syslog.LOG_WARNING, "w"),
        (syslog.LOG_ERR, "e"), (syslog.LOG_CRIT, "c"),
        (syslog.LOG_ALERT, "a"), (syslog.LOG_EMERG, "m"),
    ]


@pytest.mark.parametrize("value,expected", [
    ("info", syslog.LOG_INFO), ("INFO", syslog.LOG_INFO),
    ("warning", syslog.LOG_WARNING), ("warn", syslog.LOG_WARNING),
    ("err", syslog.LOG_ERR), ("error", syslog.LOG_ERR),
    ("crit", syslog.LOG_CRIT), ("critical", syslog.LOG_CRIT),
    ("emerg", syslog.LOG_EMERG), ("debug", syslog.LOG_DEBUG),
    (0, 0), (7, 7), (syslog.LOG_NOTICE, syslog.LOG_NOTICE),
])
def test_logger_level_accepts(value, expected):
    log = BrokerLogger(FakeHandle())
    log.level = value
    assert log.level == expected


@pytest.mark.parametrize("value,expected,name", [
    (8, 8, "8"), (99, 99, "99"), (-1, -1, "-1"), (3.0, 3, "err"),
    ("3", None, None),
])
def test_logger_level_takes_any_integer(value, expected, name):
    # As flux-core's setter: a str is a name, anything else goes
    # through int().
    log = BrokerLogger(FakeHandle())
    if expected is None:
        with pytest.raises(ValueError):
            log.level = value
        return
    log.level = value
    assert log.level == expected
    assert log.level_name == name


@pytest.mark.parametrize("value", ["verbose", "", None, [1, 2], object()])
def test_logger_level_rejects(value):
    log = BrokerLogger(FakeHandle())
    with pytest.raises(ValueError):
        log.level = value
    assert log.level == syslog.LOG_DEBUG


def test_logger_level_names():
    assert BrokerLogger.LEVEL_NAMES == {
        "emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4,
        "notice": 5, "info": 6, "debug": 7}
    log = BrokerLogger(FakeHandle())
    assert log.level_name == "debug"
    for name, value in BrokerLogger.LEVEL_NAMES.items():
        log.level = value
        assert log.level_name == name
    # An alias reads back as the syslog name.
    log.level = "error"
    assert (log.level, log.level_name) == (syslog.LOG_ERR, "err")
    log.level = "WARN"
    assert log.level_name == "warning"


def test_logger_is_callable_as_level_text():
    h = FakeHandle()
    log = BrokerLogger(h)
    log(syslog.LOG_NOTICE, "as handle.log")
    log.level = "info"
    log(syslog.LOG_DEBUG, "dropped")
    log(syslog.LOG_INFO, "kept")
    log("err", "by name %d", 3)
    assert h.lines == [(syslog.LOG_NOTICE, "as handle.log"),
                       (syslog.LOG_INFO, "kept"),
                       (syslog.LOG_ERR, "by name 3")]
    # A logger stands in for a handle's log method.
    sink = log
    sink(syslog.LOG_WARNING, "through a callable")
    assert h.lines[-1] == (syslog.LOG_WARNING, "through a callable")


def test_logger_call_takes_flux_core_keywords():
    h = FakeHandle()
    log = BrokerLogger(h=h)
    log(level=syslog.LOG_INFO, msg="by keyword")
    assert h.lines == [(syslog.LOG_INFO, "by keyword")]


def test_logger_isenabled():
    log = BrokerLogger(FakeHandle(), level="notice")
    assert log.isenabled(syslog.LOG_NOTICE) and log.isenabled("err")
    assert not log.isenabled("info") and not log.isenabled(8)
    log.level = -1
    assert not log.isenabled(syslog.LOG_EMERG)


def test_logger_level_minus_one_drops_everything():
    h = FakeHandle()
    log = BrokerLogger(h)
    log.level = -1
    log.emerg("no")
    log(syslog.LOG_EMERG, "no")
    assert h.lines == []


def test_logger_threshold_filters():
    h = FakeHandle()
    log = BrokerLogger(h)
    log.level = "warning"
    log.debug("no")
    log.info("no")
    log.notice("no")
    log.warning("yes")
    log.error("yes")
    assert [m for _, m in h.lines] == ["yes", "yes"]


# Modules on an interthread channel -------------------------------------


def start(cls, name="testmod", args=()):
    pair = ModulePair(name, args)
    runner = Runner(lambda: cls(pair.mod, *args).run())
    runner.start()
    return pair, runner


def test_module_name_args_and_handlers():
    pair, runner = start(Derived, args=("--verbose", "--count=4"))
    resp = pair.request("testmod.hello")
    assert response_error(resp) == (0, None)
    assert resp.payload == {"name": "testmod", "from": "derived"}
    assert pair.request("testmod.args").payload == {
        "args": ["--verbose", "--count=4"]}
    assert pair.request("bare.topic").payload == {"topic": "bare.topic"}
    errnum, text = response_error(pair.request("testmod.nosuch"))
    assert errnum == errno.ENOSYS
    assert "testmod.nosuch" in text
    assert response_error(pair.request("testmod.quit")) == (0, None)
    assert runner.finish() is None


def test_guest_allowed_only_where_asked():
    pair, runner = start(Derived)
    guest = os.getuid() + 1000
    resp = pair.request("testmod.guest", userid=guest,
                        rolemask=C.FLUX_ROLE_USER)
    assert response_error(resp) == (0, None)
    assert resp.payload == {"userid": guest}
    errnum, text = response_error(pair.request(
        "testmod.owneronly", userid=guest, rolemask=C.FLUX_ROLE_USER))
    assert errnum == errno.EPERM
    assert text == "Request requires owner credentials"
    pair.request("testmod.quit")
    assert runner.finish() is None


def test_handler_exception_answers_and_ends_run():
    pair, runner = start(Derived)
    errnum, text = response_error(pair.request("testmod.die"))
    assert errnum == errno.EINVAL
    assert text == "RuntimeError: handler died"
    exc = runner.finish()
    assert isinstance(exc, RuntimeError) and str(exc) == "handler died"


def test_handler_oserror_keeps_its_errno():
    pair, runner = start(Derived)
    errnum, text = response_error(pair.request("testmod.oserror"))
    assert (errnum, text) == (errno.EEXIST, "already there")
    exc = runner.finish()
    assert isinstance(exc, FileExistsError)


def test_stop_error_makes_run_raise_oserror():
    pair, runner = start(Derived)
    assert response_error(pair.request("testmod.stoperr")) == (0, None)
    exc = runner.finish()
    assert isinstance(exc, OSError)
    assert "stop_error" in str(exc)


def test_event_handlers_subscribe_and_fire():
    pair = ModulePair("evmod")
    holder = {}

    def construct_and_run():
        holder["mod"] = WithEvent(pair.mod)
        holder["mod"].run()

    runner = Runner(construct_and_run)
    runner.start()
    topics = {pair.answer_subscribe(), pair.answer_subscribe()}
    assert topics == {"evmod.panic", "heartbeat.pulse"}
    for n in (1, 2):
        pair.broker.event_send("heartbeat.pulse", {"n": n})
    assert runner.finish() is None
    assert holder["mod"].name == "evmod"


def test_event_handler_stop_error():
    pair = ModulePair("evmod")
    runner = Runner(lambda: WithEvent(pair.mod).run())
    runner.start()
    pair.answer_subscribe()
    pair.answer_subscribe()
    pair.broker.event_send("evmod.panic")
    assert isinstance(runner.finish(), OSError)


def test_debug_test_and_set_running():
    pair = ModulePair("dbg")
    mod = Base(pair.mod)
    assert mod.debug_test(1) is False
    mod.set_running()
    status = recv_timeout(pair.broker, C.FLUX_MSGTYPE_REQUEST,
                          "module.status")
    assert status.payload["status"] == C.FLUX_MODSTATE_RUNNING


def test_brokermodule_on_a_plain_handle_is_unknown():
    # As flux-core: a handle that is not a module's gives the name
    # "unknown", and the handlers register under it.
    import uuid
    import flux

    uri = f"interthread://pytest-{uuid.uuid4()}"
    a, b = flux.Flux(uri), flux.Flux(uri)
    mod = Base(b)
    assert mod.name == "unknown"
    runner = Runner(mod.run)
    runner.start()
    for topic in ("unknown.hello", "unknown.quit"):
        msg = Message()
        msg.topic = topic
        check(lib.flux_msg_set_matchtag(msg.handle, 4242))
        a.send(msg)
        resp = recv_timeout(a, C.FLUX_MSGTYPE_RESPONSE, topic)
        assert response_error(resp) == (0, None)
        if topic == "unknown.hello":
            assert resp.payload == {"name": "unknown", "from": "base"}
    assert runner.finish() is None


# What the handlers' fast path (the watcher calls the method itself)
# must keep ------------------------------------------------------------


class Keeper(BrokerModule):
    """keep: holds the request unanswered; release: answers every kept
    one (with its own topic and payload, read after the handler that got
    it returned), then itself.
    """

    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.kept = []

    @request_handler("keep")
    def keep(self, msg):
        self.kept.append(msg)

    @request_handler("release")
    def release(self, msg):
        import gc  # pylint: disable=import-outside-toplevel

        gc.collect()
        for old in self.kept:
            self.handle.respond(old, {"topic": old.topic, "n": old.payload})
        self.kept.clear()
        self.handle.respond(msg, {"released": True})

    @request_handler("quit")
    def quit(self, msg):
        self.handle.respond(msg)
        self.stop()


def test_message_kept_past_the_handler_is_answered_later():
    pair, runner = start(Keeper, name="keeper")
    for n in range(3):
        msg = Message()
        msg.topic = "keeper.keep"
        msg.payload = n
        check(lib.flux_msg_set_matchtag(msg.handle, 100 + n))
        pair.broker.send(msg)
    resp = pair.request("keeper.release")
    assert resp.payload == {"released": True}
    answers = sorted((recv_timeout(pair.broker, lib.FLUX_MSGTYPE_RESPONSE,
                                   "keeper.keep").payload for _ in range(3)),
                     key=lambda answer: answer["n"])
    assert answers == [{"topic": "keeper.keep", "n": n} for n in range(3)]
    pair.request("keeper.quit")
    assert runner.finish() is None


class Wrapped(Derived):
    """A subclass that overrides _dispatch sees every message."""

    seen = []

    def _dispatch(self, h, watcher, msg, method):
        Wrapped.seen.append((msg.topic, method.__name__))
        method(msg)


def test_overridden_dispatch_is_called():
    Wrapped.seen = []
    pair, runner = start(Wrapped)
    assert pair.request("testmod.hello").payload == {"name": "testmod",
                                                     "from": "derived"}
    pair.request("testmod.quit")
    assert runner.finish() is None
    assert Wrapped.seen == [("testmod.hello", "hello"),
                            ("testmod.quit", "quit")]


def test_handle_and_name_are_read_only():
    mod = []

    class Probe(Derived):
        def __init__(self, h, *args):
            super().__init__(h, *args)
            mod.append(self)

    probe_pair, probe_runner = start(Probe)
    # Answered: the module object exists.
    assert probe_pair.request("testmod.hello").payload["from"] == "derived"
    probe = mod[0]
    assert probe.handle is probe_pair.mod and probe.name == "testmod"
    with pytest.raises(AttributeError):
        probe.handle = None
    with pytest.raises(AttributeError):
        probe.name = "other"
    probe_pair.request("testmod.quit")
    assert probe_runner.finish() is None
