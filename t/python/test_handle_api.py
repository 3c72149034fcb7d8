# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.Flux, method by method, as flux-core's handle behaves.

Each test drives one public method of the handle against a real broker
(the `h` fixture) and checks what a caller sees: return values,
exception types and errno, callback arguments and order.
"""

import errno
import inspect
import os
import signal
import socket
import syslog

import pytest

import flux
import flux.constants as C
from flux.core.inner import ffi
from flux.future import Future
from flux.message import Message
from flux.rpc import RPC
from conftest import run_guarded, unique

TIMEOUT = 10.0


class Service:
    """A dynamic service on handle h whose request handler records each
    request and answers it (respond with the request's payload string,
    unless 'reply' decides otherwise).
    """

    def __init__(self, h, reply=None):
        self.h = h
        self.name = unique("svc")
        self.requests = []
        self.reply = reply
        h.service_register(self.name).get()
        self.w = h.msg_watcher_create(self._cb, C.FLUX_MSGTYPE_REQUEST,
                                      f"{self.name}.*")
        self.w.start()

    def _cb(self, handle, w, msg, args):
        self.requests.append({
            "topic": msg.topic,
            "payload_str": msg.payload_str,
            "nodeid": msg.nodeid,
            "noresponse": msg.noresponse,
            "streaming": msg.streaming,
            "userid": msg.userid,
        })
        if msg.noresponse:
            return
        if self.reply is not None:
            self.reply(handle, msg)
        else:
            handle.respond(msg, msg.payload_str)

    def close(self):
        self.w.stop()
        self.w.destroy()
        self.h.service_unregister(self.name).get()


@pytest.fixture
def svc(h):
    s = Service(h)
    yield s
    s.close()


# Construction, URIs, close ---------------------------------------------

def test_constructor_signature_matches_flux_core():
    params = inspect.signature(flux.Flux.__init__).parameters
    assert list(params)[1:] == ["url", "flags", "handle"]
    assert params["flags"].default == 0
    assert params["handle"].default is None


def test_open_by_uri_and_from_environment(broker_uri, monkeypatch):
    assert flux.Flux(broker_uri).get_rank() == 0
    monkeypatch.setenv("FLUX_URI", broker_uri)
    assert flux.Flux().attr_get("rank") == "0"


def test_open_local_uri_to_missing_socket_fails(tmp_path):
    with pytest.raises(OSError) as exc:
        flux.Flux(f"local://{tmp_path}/nosuch")
    assert exc.value.errno in (errno.ENOENT, errno.ECONNREFUSED)
    assert exc.value.strerror.startswith("Unable to connect to Flux")


def test_open_unknown_connector_fails():
    with pytest.raises(OSError) as exc:
        flux.Flux("nosuchconnector://x")
    assert exc.value.strerror.startswith("Unable to connect to Flux")


def test_open_loop_uri():
    lh = flux.Flux("loop://")
    # a message sent on a loop:// handle is received on it
    ev = lh.event_create("loop.hello", {"x": 1})
    lh.send(ev)
    msg = lh.recv()
    assert (msg.topic, msg.payload) == ("loop.hello", {"x": 1})


def test_wrap_existing_handle(h):
    h2 = flux.Flux(handle=h.handle)
    assert h2.get_rank() == 0
    assert h2.attr_get("size") == "1"
    del h2
    # the original handle is still usable once the wrapper is gone
    assert h.rpc("broker.ping", {}).get()["rank"] == 0


def test_close_raises_runtime_error(h):
    with pytest.raises(RuntimeError):
        h.close()
    # and the handle still works
    assert h.get_rank() == 0


# rpc ---------------------------------------------------------------------

def test_rpc_signature_defaults():
    params = inspect.signature(flux.Flux.rpc).parameters
    assert list(params)[1:] == ["topic", "payload", "nodeid", "flags"]
    assert params["payload"].default is None
    assert params["nodeid"].default == C.FLUX_NODEID_ANY
    assert params["flags"].default == 0


def test_rpc_returns_an_rpc_future(h):
    f = h.rpc("broker.ping", {"seq": 1})
    assert isinstance(f, RPC)
    assert isinstance(f, Future)
    assert f.get()["seq"] == 1


@pytest.mark.parametrize("payload,expected", [
    ({"a": 1}, '{"a": 1}'),
    ('{"b": 2}', '{"b": 2}'),
    (b'{"c": 3}', '{"c": 3}'),
    (None, None),
    ([1, "two"], '[1, "two"]'),
])
def test_rpc_payload_types(h, svc, payload, expected):
    f = h.rpc(f"{svc.name}.echo", payload)
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    got = f.get_str()
    assert svc.requests[-1]["payload_str"] == expected
    assert got == expected


def test_rpc_payload_non_ascii(h, svc):
    f = h.rpc(f"{svc.name}.echo", {"name": "h\u00e9llo \u2603"})
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert f.get() == {"name": "h\u00e9llo \u2603"}


def test_rpc_topic_types(h):
    assert h.rpc(b"broker.ping", {}).get()["rank"] == 0
    with pytest.raises(OSError) as exc:
        h.rpc(None)
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(TypeError):
        h.rpc(42)


def test_rpc_missing_service_is_enosys(h):
    topic = f"{unique()}.method"
    with pytest.raises(OSError) as exc:
        h.rpc(topic).get()
    assert exc.value.errno == errno.ENOSYS
    assert exc.value.strerror == f"No service matching {topic} is registered"


def test_rpc_nodeid(h, svc):
    f = h.rpc(f"{svc.name}.echo", "{}", nodeid=0)
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert f.get() == {}
    assert f.get_nodeid() == 0
    assert svc.requests[-1]["nodeid"] == 0
    f = h.rpc(f"{svc.name}.echo", "{}")
    assert f.get_nodeid() == C.FLUX_NODEID_ANY


def test_rpc_to_missing_rank_is_ehostunreach(h):
    with pytest.raises(OSError) as exc:
        h.rpc("broker.ping", {}, nodeid=5).get()
    assert exc.value.errno == errno.EHOSTUNREACH


def test_rpc_flag_noresponse(h, svc):
    f = h.rpc(f"{svc.name}.quiet", {"n": 1}, flags=C.FLUX_RPC_NORESPONSE)
    # no response is expected: the future is fulfilled at once
    assert f.is_ready()
    assert f.get_matchtag() == C.FLUX_MATCHTAG_NONE
    # the request is still delivered, flagged
    g = h.rpc(f"{svc.name}.echo", "{}")
    g.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert [r["topic"] for r in svc.requests] == [f"{svc.name}.quiet",
                                                  f"{svc.name}.echo"]
    assert svc.requests[0]["noresponse"] is True
    assert svc.requests[1]["noresponse"] is False


def test_rpc_flag_streaming_sets_request_flag(h, svc):
    f = h.rpc(f"{svc.name}.echo", "{}", flags=C.FLUX_RPC_STREAMING)
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert svc.requests[-1]["streaming"] is True
    assert f.get() == {}


def test_rpc_bad_flags_is_einval(h):
    with pytest.raises(OSError) as exc:
        h.rpc("broker.ping", {},
              flags=C.FLUX_RPC_NORESPONSE | C.FLUX_RPC_STREAMING)
    assert exc.value.errno == errno.EINVAL


# respond, send, recv -----------------------------------------------------

def test_streaming_service_on_the_same_handle(h):
    def stream(handle, msg):
        for i in range(3):
            handle.respond(msg, {"i": i})
        handle.respond_error(msg, errno.ENODATA)

    s = Service(h, reply=stream)
    seen = []

    def cont(f):
        try:
            seen.append(f.get())
        except OSError as exc:
            seen.append(exc.errno)
            h.reactor_stop()
            return
        f.reset()

    try:
        h.rpc(f"{s.name}.stream", {}, flags=C.FLUX_RPC_STREAMING).then(cont)
        run_guarded(h)
    finally:
        s.close()
    assert seen == [{"i": 0}, {"i": 1}, {"i": 2}, errno.ENODATA]


@pytest.mark.parametrize("payload,expected", [
    ({"r": 1}, {"r": 1}),
    ('{"s": 2}', {"s": 2}),
    (b'{"t": 3}', {"t": 3}),
    (None, None),
])
def test_respond_payload_types(h, payload, expected):
    def reply(handle, msg):
        handle.respond(msg, payload)

    s = Service(h, reply=reply)
    try:
        f = h.rpc(f"{s.name}.x", {})
        f.then(lambda fut: h.reactor_stop())
        run_guarded(h)
        assert f.get() == expected
    finally:
        s.close()


def test_respond_accepts_a_raw_message_pointer(h):
    def reply(handle, msg):
        handle.respond(msg.handle, {"raw": True})

    s = Service(h, reply=reply)
    try:
        f = h.rpc(f"{s.name}.x", {})
        f.then(lambda fut: h.reactor_stop())
        run_guarded(h)
        assert f.get() == {"raw": True}
    finally:
        s.close()


def test_respond_returns_zero(h):
    rcs = []

    def reply(handle, msg):
        rcs.append(handle.respond(msg, {}))

    s = Service(h, reply=reply)
    try:
        f = h.rpc(f"{s.name}.x", {})
        f.then(lambda fut: h.reactor_stop())
        run_guarded(h)
        f.get()
        assert rcs == [0]
    finally:
        s.close()


def test_send_and_recv_a_request(h):
    msg = Message(C.FLUX_MSGTYPE_REQUEST)
    msg.topic = "broker.ping"
    msg.payload = {"by": "hand"}
    msg.matchtag = 7777
    assert h.send(msg) == 0
    resp = h.recv(type_mask=C.FLUX_MSGTYPE_RESPONSE, match_tag=7777)
    assert isinstance(resp, Message)
    assert resp.type == C.FLUX_MSGTYPE_RESPONSE
    assert resp.topic == "broker.ping"
    assert resp.matchtag == 7777
    assert resp.payload["by"] == "hand"


def test_recv_topic_glob(h):
    for tag, topic in ((7801, "broker.ping"), (7802, "attr.list")):
        msg = Message()
        msg.topic = topic
        msg.payload = {}
        msg.matchtag = tag
        h.send(msg)
    resp = h.recv(topic_glob="attr.*")
    assert (resp.topic, resp.matchtag) == ("attr.list", 7802)
    resp = h.recv()
    assert (resp.topic, resp.matchtag) == ("broker.ping", 7801)


def test_recv_signature_defaults():
    params = inspect.signature(flux.Flux.recv).parameters
    assert list(params)[1:] == ["type_mask", "match_tag", "topic_glob",
                                "flags"]
    assert params["type_mask"].default == C.FLUX_MSGTYPE_ANY
    assert params["match_tag"].default == C.FLUX_MATCHTAG_NONE
    assert params["topic_glob"].default is None
    assert params["flags"].default == 0


def test_recv_nonblock_with_nothing_is_eagain(h):
    with pytest.raises(OSError) as exc:
        h.recv(flags=C.FLUX_O_NONBLOCK)
    assert exc.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)


def test_send_accepts_message_pointer(h, broker_uri):
    topic = unique("ev")
    h.event_subscribe(topic)
    other = flux.Flux(broker_uri)
    ev = other.event_create(topic, {"p": 1})
    other.send(ev.handle)
    msg = h.event_recv(topic)
    assert msg.payload == {"p": 1}
    h.event_unsubscribe(topic)


# log -------------------------------------------------------------------

def test_log_reaches_dmesg(h):
    marker = f"{unique('log')} logged from python"
    h.log(syslog.LOG_WARNING, marker)
    lines = []

    def cont(f):
        try:
            lines.append(f.get_raw().rstrip(b"\0").decode())
        except OSError as exc:
            lines.append(exc.errno)
            h.reactor_stop()
            return
        f.reset()

    h.rpc("log.dmesg", {"follow": False}, flags=C.FLUX_RPC_STREAMING).then(cont)
    run_guarded(h)
    assert lines[-1] == errno.ENODATA
    assert any(isinstance(x, str) and x.endswith(marker) for x in lines)


def test_log_accepts_bytes_and_returns_none(h):
    assert h.log(syslog.LOG_INFO, b"bytes message") is None


# events ------------------------------------------------------------------

def test_event_create_returns_event_message(h):
    ev = h.event_create("a.b", {"k": "v"})
    assert isinstance(ev, Message)
    assert ev.type == C.FLUX_MSGTYPE_EVENT
    assert ev.topic == "a.b"
    assert ev.payload == {"k": "v"}
    ev = h.event_create("a.c", "text")
    assert ev.payload_str == "text"
    ev = h.event_create("a.d")
    assert ev.payload_str is None


def test_event_send_recv_and_subscribe(h, broker_uri):
    topic = unique("ev")
    assert h.event_subscribe(topic) == 0
    other = flux.Flux(broker_uri)
    other.event_send(f"{topic}.one", {"n": 1})
    other.event_send(f"{topic}.two", "plain")
    m1 = h.event_recv()
    m2 = h.event_recv(f"{topic}.*")
    assert (m1.topic, m1.payload) == (f"{topic}.one", {"n": 1})
    assert (m2.topic, m2.payload_str) == (f"{topic}.two", "plain")
    assert m1.type == m2.type == C.FLUX_MSGTYPE_EVENT
    assert m2.seq > m1.seq


def test_event_unsubscribe_stops_delivery(h, broker_uri):
    topic = unique("ev")
    h.event_subscribe(topic)
    h.event_unsubscribe(topic)
    other = flux.Flux(broker_uri)
    marker = unique("mark")
    h.event_subscribe(marker)
    other.event_send(f"{topic}.lost")
    other.event_send(marker)
    # only the marker arrives: the first event was not delivered
    assert h.event_recv().topic == marker
    h.event_unsubscribe(marker)


def test_event_subscribe_bad_topics(h):
    with pytest.raises(OSError) as exc:
        h.event_subscribe(None)
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(TypeError):
        h.event_subscribe(3)
    assert h.event_subscribe(b"bytes.topic") == 0
    h.event_unsubscribe(b"bytes.topic")


def test_event_create_bad_topic(h):
    with pytest.raises(OSError) as exc:
        h.event_create(None)
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(TypeError):
        h.event_create(3)


# attributes, config, rank ------------------------------------------------

def test_attr_get(h):
    assert h.attr_get("rank") == "0"
    assert h.attr_get("size") == "1"
    assert isinstance(h.attr_get("broker.pid"), str)
    with pytest.raises(OSError) as exc:
        h.attr_get("no-such-attribute")
    assert exc.value.errno == errno.ENOENT


def test_attr_set_and_remove(h, broker_uri):
    name = f"test.{unique('attr')}"
    assert h.attr_set(name, "one") is None
    assert flux.Flux(broker_uri).attr_get(name) == "one"
    h.attr_set(name, "two")
    assert flux.Flux(broker_uri).attr_get(name) == "two"
    assert h.attr_remove(name) is None
    with pytest.raises(OSError) as exc:
        flux.Flux(broker_uri).attr_get(name)
    assert exc.value.errno == errno.ENOENT


@pytest.mark.parametrize("attr,value", [
    (1, "x"), (b"test.x", "x"), (None, "x"),
    ("test.x", 1), ("test.x", b"x"), ("test.x", None),
])
def test_attr_set_non_str_is_value_error(h, attr, value):
    with pytest.raises(ValueError):
        h.attr_set(attr, value)


@pytest.mark.parametrize("attr", [1, b"test.x", None])
def test_attr_remove_non_str_is_value_error(h, attr):
    with pytest.raises(ValueError):
        h.attr_remove(attr)


def test_attr_set_unknown_attribute_is_enoent(h):
    # flux-core's broker: an attribute name it does not know is ENOENT
    # ("unknown attribute").
    with pytest.raises(OSError) as exc:
        h.attr_set(f"{unique('nosuch')}.attr", "1")
    assert exc.value.errno == errno.ENOENT


def test_attr_set_immutable_attribute_fails(h):
    with pytest.raises(OSError) as exc:
        h.attr_set("rank", "5")
    assert exc.value.errno in (errno.EINVAL, errno.EPERM)
    assert h.attr_get("rank") == "0"


def test_attr_remove_of_unset_name_succeeds(h):
    # flux-core's attr.rm ignores a name that has no value
    assert h.attr_remove(f"test.{unique('never')}") is None


def test_attr_remove_immutable_is_eperm(h):
    with pytest.raises(OSError) as exc:
        h.attr_remove("rank")
    assert exc.value.errno == errno.EPERM
    assert h.attr_get("rank") == "0"


def test_conf_get_signature():
    params = inspect.signature(flux.Flux.conf_get).parameters
    assert list(params)[1:] == ["key", "default", "update"]
    assert params["key"].default is None
    assert params["default"].default is None
    assert params["update"].default is False


def test_conf_get(h):
    conf = h.conf_get()
    assert isinstance(conf, dict)
    assert conf == h.rpc("config.get").get()
    assert h.conf_get("no.such.key") is None
    assert h.conf_get("no.such.key", default="dflt") == "dflt"
    assert h.conf_get("nokey", default=42) == 42
    assert h.conf_get(update=True) == conf


def test_conf_get_caches_until_update(h):
    h._cached_config = {"tbon": {"topo": "kary:2"}, "top": 1}
    assert h.conf_get("tbon.topo") == "kary:2"
    assert h.conf_get("top") == 1
    assert h.conf_get("tbon") == {"topo": "kary:2"}
    assert h.conf_get("tbon.nosuch", default="d") == "d"
    # update=True fetches from the broker again
    assert h.conf_get(update=True) == h.rpc("config.get").get()
    assert h.conf_get("tbon.topo", default="x") == \
        h.rpc("config.get").get().get("tbon", {}).get("topo", "x")


def test_get_rank(h):
    assert h.get_rank() == 0
    assert isinstance(h.get_rank(), int)


# services ----------------------------------------------------------------

def test_service_register_unregister(h):
    name = unique("svc")
    f = h.service_register(name)
    assert isinstance(f, Future)
    assert f.get() is None
    with pytest.raises(OSError) as exc:
        h.service_register(name).get()
    assert exc.value.errno == errno.EEXIST
    u = h.service_unregister(name)
    assert isinstance(u, Future)
    assert u.get() is None
    with pytest.raises(OSError) as exc:
        h.service_unregister(name).get()
    assert exc.value.errno == errno.ENOENT
    with pytest.raises(OSError) as exc:
        h.rpc(f"{name}.x").get()
    assert exc.value.errno == errno.ENOSYS


def test_service_register_then(h):
    name = unique("svc")
    got = []

    def cont(f, tag):
        f.get()
        got.append(tag)
        h.reactor_stop()

    h.service_register(name).then(cont, "registered")
    run_guarded(h)
    assert got == ["registered"]
    h.service_unregister(name).get()


# reactor -----------------------------------------------------------------

def test_reactor_run_returns_zero_when_nothing_left(h):
    calls = []
    t = h.timer_watcher_create(0.01, lambda *a: calls.append(a[2]))
    t.start()
    rc = h.reactor_run()
    assert rc == 0
    assert len(calls) == 1


def test_reactor_stop_from_callback(h):
    order = []

    def first(handle, w, revents, args):
        order.append(args)
        handle.reactor_stop()

    t1 = h.timer_watcher_create(0.01, first, args="first")
    t2 = h.timer_watcher_create(5.0, lambda *a: order.append("late"))
    t1.start()
    t2.start()
    rc = run_guarded(h)
    assert rc >= 0
    assert order == ["first"]
    t2.stop()


def test_reactor_stop_in_nested_run_ends_that_run_only():
    # A callback runs the reactor again; reactor_stop() from a callback
    # of that inner run returns from the inner run, and the outer run
    # goes on until stopped itself.
    lh = flux.Flux("loop://")
    order = []

    def inner_stop(handle, w, revents, args):
        order.append("inner stop")
        handle.reactor_stop()

    def outer_stop(handle, w, revents, args):
        order.append("outer stop")
        handle.reactor_stop()

    def nest(handle, w, revents, args):
        handle.timer_watcher_create(0.01, inner_stop).start()
        handle.reactor_run()
        order.append("inner returned")
        handle.timer_watcher_create(0.01, outer_stop).start()

    keep = lh.timer_watcher_create(30.0, lambda *a: None)
    keep.start()
    lh.timer_watcher_create(0.01, nest).start()
    assert lh.reactor_run() >= 0
    assert order == ["inner stop", "inner returned", "outer stop"]
    keep.stop()


def test_reactor_stop_error_raises_oserror(h):
    def cb(handle, w, revents, args):
        handle.reactor_stop_error()

    t = h.timer_watcher_create(0.01, cb)
    t.start()
    # the loop ends with an error: flux-core raises OSError (or returns
    # a negative count when the C call left errno 0)
    rc = None
    try:
        rc = h.reactor_run()
    except OSError:
        pass
    assert rc is None or rc < 0


def test_reactor_stop_with_explicit_reactor(h):
    def cb(handle, w, revents, args):
        handle.reactor_stop(handle.get_reactor())

    keep = h.timer_watcher_create(30.0, lambda *a: None)
    keep.start()
    h.timer_watcher_create(0.01, cb).start()
    assert h.reactor_run(h.get_reactor()) >= 0
    keep.stop()


def test_reactor_run_reraises_callback_exception(h):
    def cb(handle, w, revents, args):
        raise KeyError("boom")

    h.timer_watcher_create(0.01, cb).start()
    with pytest.raises(KeyError, match="boom"):
        h.reactor_run()
    # the handle is usable afterwards
    assert h.rpc("broker.ping", {}).get()["rank"] == 0


def test_in_reactor_and_reactor_running(h):
    assert flux.Flux.reactor_running() is False
    with h.in_reactor():
        assert h.reactor_running() is True
        with h.in_reactor():
            assert h.reactor_running() is True
        assert h.reactor_running() is True
    assert h.reactor_running() is False
    seen = []
    h.timer_watcher_create(
        0.01, lambda handle, *a: seen.append(handle.reactor_running())
    ).start()
    h.reactor_run()
    assert seen == [True]
    assert h.reactor_running() is False


def test_set_exception_and_raise_if_exception(h):
    assert flux.Flux.set_exception(ValueError("one")) is None
    prev = flux.Flux.set_exception(ValueError("two"))
    assert str(prev) == "one"
    with pytest.raises(ValueError, match="two"):
        flux.Flux.raise_if_exception()
    flux.Flux.raise_if_exception()  # nothing pending: no exception


# watchers ----------------------------------------------------------------

def test_timer_watcher_callback_arguments(h):
    calls = []

    def cb(handle, watcher, revents, args):
        calls.append((handle, watcher, revents, args))

    w = h.timer_watcher_create(0.01, cb, args={"k": 1})
    w.start()
    run_guarded(h)
    assert len(calls) == 1
    handle, watcher, revents, args = calls[0]
    assert handle is h
    assert watcher is w
    assert isinstance(revents, int)
    assert args == {"k": 1}


def test_timer_watcher_repeat(h):
    calls = []

    def cb(handle, watcher, revents, args):
        calls.append(1)
        if len(calls) == 3:
            watcher.stop()

    w = h.timer_watcher_create(0.01, cb, repeat=0.01)
    w.start()
    run_guarded(h)
    assert len(calls) == 3


def test_timer_watcher_create_signature():
    params = inspect.signature(flux.Flux.timer_watcher_create).parameters
    assert list(params)[1:] == ["after", "callback", "repeat", "args"]
    assert params["repeat"].default == 0.0
    assert params["args"].default is None


def test_watcher_factory_signatures():
    sig = inspect.signature
    assert list(sig(flux.Flux.msg_watcher_create).parameters)[1:] == \
        ["callback", "type_mask", "topic_glob", "args", "match_tag",
         "rolemask"]
    assert list(sig(flux.Flux.fd_watcher_create).parameters)[1:] == \
        ["fd_int", "callback", "events", "args"]
    assert list(sig(flux.Flux.signal_watcher_create).parameters)[1:] == \
        ["signum", "callback", "args"]
    assert list(sig(flux.Flux.prepare_watcher_create).parameters)[1:] == \
        ["callback", "args"]
    assert list(sig(flux.Flux.check_watcher_create).parameters)[1:] == \
        ["callback", "args"]
    assert list(sig(flux.Flux.idle_watcher_create).parameters)[1:] == \
        ["callback", "args"]
    assert sig(flux.Flux.idle_watcher_create).parameters["callback"] \
        .default is None


def test_watcher_context_manager_starts_and_stops(h):
    # flux-core: `with watcher:` starts it, and stops it at the end
    calls = []
    w = h.timer_watcher_create(0.01, lambda *a: calls.append(1))
    with w:
        run_guarded(h)
    assert calls == [1]


def test_timer_reset_defaults_to_creation_values(h):
    # flux-core: reset() re-arms with the values given at creation and
    # starts the timer
    calls = []

    def cb(handle, watcher, revents, args):
        calls.append(1)

    w = h.timer_watcher_create(0.01, cb)
    w.reset()
    run_guarded(h)
    assert calls == [1]


def test_fd_watcher(h):
    r, w = os.pipe()
    try:
        calls = []

        def cb(handle, watcher, fd, revents, args):
            calls.append((fd, revents & C.FLUX_POLLIN, args))
            os.read(fd, 100)
            watcher.stop()

        fw = h.fd_watcher_create(r, cb, events=C.FLUX_POLLIN, args="a")
        fw.start()
        os.write(w, b"x")
        run_guarded(h)
        assert calls == [(r, C.FLUX_POLLIN, "a")]
    finally:
        os.close(r)
        os.close(w)


def test_fd_watcher_default_events_include_pollout(h):
    a, b = socket.socketpair()
    try:
        calls = []

        def cb(handle, watcher, fd, revents, args):
            calls.append(revents)
            watcher.stop()

        fw = h.fd_watcher_create(a.fileno(), cb)
        fw.start()
        run_guarded(h)
        assert calls and calls[0] & C.FLUX_POLLOUT
    finally:
        a.close()
        b.close()


def test_signal_watcher(h):
    calls = []

    def cb(handle, watcher, signum, args):
        calls.append((signum, args))
        watcher.stop()

    sw = h.signal_watcher_create(signal.SIGUSR1, cb, args=5)
    sw.start()
    h.timer_watcher_create(
        0.01, lambda *a: os.kill(os.getpid(), signal.SIGUSR1)).start()
    run_guarded(h)
    assert calls == [(signal.SIGUSR1, 5)]


def test_prepare_check_idle_watchers(h):
    order = []

    def prep(handle, watcher, revents, args):
        order.append(args)

    def check(handle, watcher, revents, args):
        order.append(args)
        if len(order) >= 4:
            handle.reactor_stop()

    p = h.prepare_watcher_create(prep, args="prepare")
    c = h.check_watcher_create(check, args="check")
    i = h.idle_watcher_create()  # no callback: keeps the loop from blocking
    for w in (p, c, i):
        w.start()
    run_guarded(h)
    for w in (p, c, i):
        w.stop()
    assert order[:4] == ["prepare", "check", "prepare", "check"]


def test_idle_watcher_with_callback(h):
    calls = []

    def cb(handle, watcher, revents, args):
        calls.append(args)
        watcher.stop()

    h.idle_watcher_create(cb, args="idle").start()
    run_guarded(h)
    assert calls == ["idle"]


def test_msg_watcher_callback_arguments(h, broker_uri):
    topic = unique("ev")
    h.event_subscribe(topic)
    calls = []

    def cb(handle, watcher, msg, args):
        calls.append((handle, watcher, msg.topic, msg.payload, args))
        handle.reactor_stop()

    w = h.msg_watcher_create(cb, C.FLUX_MSGTYPE_EVENT, f"{topic}.*",
                             args=["x"])
    w.start()
    flux.Flux(broker_uri).event_send(f"{topic}.a", {"v": 2})
    run_guarded(h)
    w.stop()
    h.event_unsubscribe(topic)
    assert calls == [(h, w, f"{topic}.a", {"v": 2}, ["x"])]


def test_add_and_del_watcher(h):
    w = h.timer_watcher_create(1.0, lambda *a: None)
    assert h.add_watcher(w) is w
    assert w in h._active_watchers
    h.del_watcher(w)
    assert w not in h._active_watchers
    h.del_watcher(w)  # removing twice is harmless


# libflux functions as methods --------------------------------------------

def test_libflux_functions_as_methods(h):
    rank = ffi.new("uint32_t [1]")
    assert h.flux_get_rank(rank) == 0
    assert rank[0] == 0
    rank[0] = 99
    h.get_rank()  # the Python method
    assert h.flux_attr_get("size") == b"1"
    assert h.attr_get("size") == "1"


def test_libflux_method_failure_is_oserror(h):
    with pytest.raises(OSError) as exc:
        h.flux_attr_get("no-such-attribute")
    assert exc.value.errno == errno.ENOENT


def test_libflux_method_failure_text(h):
    # flux-core's wrapper reports a failed libflux call as
    # "ENAME: strerror"; attr_get goes through it
    with pytest.raises(OSError) as exc:
        h.flux_attr_get("no-such-attribute")
    assert exc.value.strerror == "ENOENT: No such file or directory"
    with pytest.raises(OSError) as exc:
        h.attr_get("no-such-attribute")
    assert exc.value.strerror == "ENOENT: No such file or directory"


def test_attr_get_non_str_is_value_error(h):
    # flux-core: a bad argument to a wrapped libflux function raises
    # InvalidArguments, a ValueError
    with pytest.raises(ValueError):
        h.attr_get(3)


def test_raw_module():
    from flux.core.inner import raw

    assert raw.FLUX_MSGTYPE_ANY == C.FLUX_MSGTYPE_ANY
    ptr = raw.flux_msg_create(C.FLUX_MSGTYPE_EVENT)
    try:
        t = ffi.new("int [1]")
        raw.flux_msg_get_type(ptr, t)
        assert t[0] == C.FLUX_MSGTYPE_EVENT
    finally:
        raw.flux_msg_destroy(ptr)


def test_raw_adds_flux_prefix():
    # flux-core's raw is a wrapper with prefixes flux_ and FLUX_
    from flux.core.inner import raw

    ptr = raw.msg_create(C.FLUX_MSGTYPE_REQUEST)
    raw.msg_destroy(ptr)
    assert raw.MSGTYPE_EVENT == C.FLUX_MSGTYPE_EVENT
