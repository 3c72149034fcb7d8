# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.future and flux.rpc as flux-core's bindings behave: Future
(then, get, wait_for, is_ready, reset, stop, error_string), RPC (get,
get_str, get_raw, streams, as a context manager), FutureExt and
WaitAllFuture.
"""

import errno
import gc
import inspect
import threading
import time
import weakref

import pytest

import flux
import flux.constants as C
import flux.future
from flux.future import Future, FutureExt
from flux.rpc import RPC
from conftest import run_guarded, unique

TIMEOUT = 10.0


class Service(threading.Thread):
    """A dynamic service on its own handle and thread (so that the test's
    handle may block in get()).  Requests to NAME.echo are answered with
    their payload; NAME.stream with payload {"n": N} gets N responses
    {"i": 0..N-1} then ENODATA; NAME.fail gets EPERM "told to fail";
    NAME.empty no payload; NAME.raw raw bytes; anything else is never
    answered.  NAME.quit ends the thread.
    """

    def __init__(self, uri):
        super().__init__(daemon=True)
        self.uri = uri
        self.name = unique("svc")
        self.ready = threading.Event()
        self.exc = None
        self.start()
        assert self.ready.wait(TIMEOUT), "service did not start"
        if self.exc:
            raise self.exc

    def run(self):
        try:
            h = flux.Flux(self.uri)
            h.service_register(self.name).get()
            w = h.msg_watcher_create(self._cb, C.FLUX_MSGTYPE_REQUEST,
                                     f"{self.name}.*")
            w.start()
            self.held = []
            self.ready.set()
            h.reactor_run()
            w.stop()
            w.destroy()
            h.service_unregister(self.name).get()
        except BaseException as exc:  # pylint: disable=broad-except
            self.exc = exc
            self.ready.set()

    def _cb(self, handle, w, msg, args):
        method = msg.topic.split(".", 1)[1]
        if method == "echo":
            handle.respond(msg, msg.payload_str)
        elif method == "stream":
            for i in range(msg.payload["n"]):
                handle.respond(msg, {"i": i})
            handle.respond_error(msg, errno.ENODATA)
        elif method == "fail":
            handle.respond_error(msg, errno.EPERM, "told to fail")
        elif method == "empty":
            handle.respond(msg)
        elif method == "raw":
            handle.respond(msg, b"raw\x01bytes")
        elif method == "quit":
            handle.respond(msg)
            handle.reactor_stop()
        else:
            self.held.append(msg)

    def topic(self, method):
        return f"{self.name}.{method}"

    def close(self, h):
        h.rpc(self.topic("quit")).get()
        self.join(TIMEOUT)
        assert not self.is_alive()
        if self.exc:
            raise self.exc


@pytest.fixture
def svc(h, broker_uri):
    s = Service(broker_uri)
    yield s
    s.close(h)


# then ------------------------------------------------------------------

def test_then_callback_gets_future_args_and_kwargs(h, svc):
    calls = []

    def cb(f, *args, **kwargs):
        calls.append((f, args, kwargs, f.get()))
        h.reactor_stop()

    f = h.rpc(svc.topic("echo"), {"x": 1})
    assert f.then(cb, 1, "two", key="v") is f
    run_guarded(h)
    assert calls == [(f, (1, "two"), {"key": "v"}, {"x": 1})]


def test_then_on_anonymous_future_is_kept_alive(h, svc):
    got = []

    def cb(f):
        got.append(f.get())
        h.reactor_stop()

    h.rpc(svc.topic("echo"), {"anon": True}).then(cb)
    run_guarded(h)
    assert got == [{"anon": True}]


def test_then_after_blocking_get(h, svc):
    f = h.rpc(svc.topic("echo"), {"late": 1})
    assert f.get() == {"late": 1}
    got = []

    def cb(fut):
        got.append(fut.get())
        h.reactor_stop()

    f.then(cb)
    run_guarded(h)
    assert got == [{"late": 1}]


def test_then_twice_is_eexist(h, svc):
    f = h.rpc(svc.topic("echo"), {})
    f.then(lambda fut: h.reactor_stop())
    with pytest.raises(OSError) as exc:
        f.then(lambda fut: None)
    assert exc.value.errno == errno.EEXIST
    run_guarded(h)


def test_then_none_is_value_error(h, svc):
    f = h.rpc(svc.topic("echo"), {})
    with pytest.raises(ValueError):
        f.then(None)
    # still usable
    assert f.get() == {}


def test_then_timeout_fails_with_etimedout(h, svc):
    got = []

    def cb(f):
        try:
            f.get()
            got.append("ok")
        except OSError as exc:
            got.append((exc.errno, exc.strerror))
        h.reactor_stop()

    h.rpc(svc.topic("hang"), {}).then(cb, timeout=0.1)
    run_guarded(h)
    assert got == [(errno.ETIMEDOUT, "Connection timed out")]


def test_then_signature():
    params = inspect.signature(Future.then).parameters
    assert list(params)[1] == "callback"
    assert params["timeout"].default == -1.0
    assert params["timeout"].kind == inspect.Parameter.KEYWORD_ONLY


def test_exception_in_then_callback_is_raised_by_reactor_run(h, svc):
    def cb(f):
        raise ZeroDivisionError("in then")

    h.rpc(svc.topic("echo"), {}).then(cb)
    with pytest.raises(ZeroDivisionError, match="in then"):
        h.reactor_run()


# get, wait_for, is_ready, error_string ---------------------------------

def test_get_error_response(h, svc):
    f = h.rpc(svc.topic("fail"))
    with pytest.raises(OSError) as exc:
        f.get()
    assert exc.value.errno == errno.EPERM
    assert exc.value.strerror == "told to fail"
    assert f.error_string() == "told to fail"


def test_get_missing_service(h):
    topic = f"{unique()}.x"
    f = h.rpc(topic)
    with pytest.raises(OSError) as exc:
        f.get()
    assert exc.value.errno == errno.ENOSYS
    assert exc.value.strerror == f"No service matching {topic} is registered"
    assert f.error_string() == f"No service matching {topic} is registered"


def test_error_string_of_success_is_none(h, svc):
    f = h.rpc(svc.topic("echo"), {})
    f.get()
    assert f.error_string() is None


def test_is_ready(h, svc):
    f = h.rpc(svc.topic("echo"), {"r": 1})
    assert f.is_ready() is False
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert f.is_ready() is True
    assert f.get() == {"r": 1}


def test_wait_for_returns_self(h, svc):
    f = h.rpc("broker.ping", {"w": 1})
    assert f.wait_for(TIMEOUT) is f
    assert f.is_ready()
    assert f.get()["w"] == 1


def test_wait_for_timeout_is_etimedout(h, svc):
    f = h.rpc(svc.topic("hang"), {})
    with pytest.raises(OSError) as exc:
        f.wait_for(0.1)
    assert exc.value.errno == errno.ETIMEDOUT
    assert not f.is_ready()


def test_wait_for_timeout_text(h, svc):
    # flux-core reports a failed libflux call as "ENAME: strerror"
    f = h.rpc(svc.topic("hang"), {})
    with pytest.raises(OSError) as exc:
        f.wait_for(0.1)
    assert exc.value.strerror == "ETIMEDOUT: Connection timed out"


def test_wait_for_default_timeout():
    assert inspect.signature(Future.wait_for).parameters["timeout"] \
        .default == -1.0


def test_get_flux(h, svc):
    f = h.rpc(svc.topic("echo"), {})
    fh = f.get_flux()
    assert isinstance(fh, flux.Flux)
    assert fh.handle == h.handle
    f.get()


def test_future_rewraps_a_future(h):
    # flux-core: Future(other_future) shares the C future (taking a
    # reference on it)
    f = h.rpc("broker.ping", {"rewrap": 1})
    g = Future(f)
    del f
    g.get()
    assert g.is_ready()


# RPC ---------------------------------------------------------------------

def test_rpc_get_get_str_get_raw(h, svc):
    f = h.rpc(svc.topic("echo"), {"k": [1, 2]})
    assert f.get() == {"k": [1, 2]}
    assert f.get_str() == '{"k": [1, 2]}'
    # a string payload is carried with its terminating NUL (RFC 3)
    assert f.get_raw() == b'{"k": [1, 2]}\x00'
    raw = h.rpc(svc.topic("raw"))
    assert raw.get_raw() == b"raw\x01bytes\x00"


def test_rpc_without_payload(h, svc):
    f = h.rpc(svc.topic("empty"))
    assert f.get() is None
    assert f.get_str() is None
    assert f.get_raw() == b""


def test_rpc_error_from_get_str_and_get_raw(h, svc):
    for meth in ("get_str", "get_raw", "get"):
        f = h.rpc(svc.topic("fail"))
        with pytest.raises(OSError) as exc:
            getattr(f, meth)()
        assert exc.value.errno == errno.EPERM
        assert exc.value.strerror == "told to fail"


def test_rpc_constructor(h, svc):
    f = RPC(h, svc.topic("echo"), {"direct": True})
    assert f.get() == {"direct": True}
    params = inspect.signature(RPC.__init__).parameters
    assert list(params)[1:] == ["flux_handle", "topic", "payload", "nodeid",
                                "flags"]
    assert params["nodeid"].default == C.FLUX_NODEID_ANY


def test_rpc_get_matchtag(h, svc):
    f = h.rpc(svc.topic("echo"), {})
    tag = f.get_matchtag()
    assert isinstance(tag, int)
    assert tag != C.FLUX_MATCHTAG_NONE
    f.get()


def test_rpc_context_manager(h, svc):
    with h.rpc(svc.topic("echo"), {"cm": 1}) as f:
        assert isinstance(f, RPC)
        assert f.get() == {"cm": 1}


def test_rpc_used_after_with_block_raises(h, svc):
    # flux-core: the future is destroyed at the end of the block; any
    # later use raises ValueError (a method bound to a NULL handle)
    with h.rpc(svc.topic("echo"), {"cm": 2}) as f:
        f.get()
    with pytest.raises(ValueError):
        f.get()
    with pytest.raises(ValueError):
        f.is_ready()


def test_rpc_used_after_with_block_raises_something(h, svc):
    with h.rpc(svc.topic("echo"), {"cm": 3}) as f:
        f.get()
    with pytest.raises(Exception):
        f.get()
    with pytest.raises(Exception):
        f.then(lambda fut: None)


# streams, reset, stop --------------------------------------------------

def test_streaming_rpc_reset_until_enodata(h, svc):
    seen = []

    def cb(f):
        try:
            seen.append(f.get())
        except OSError as exc:
            seen.append(exc.errno)
            h.reactor_stop()
            return
        f.reset()

    h.rpc(svc.topic("stream"), {"n": 3}, flags=C.FLUX_RPC_STREAMING).then(cb)
    run_guarded(h)
    assert seen == [{"i": 0}, {"i": 1}, {"i": 2}, errno.ENODATA]


def test_a_finished_anonymous_future_is_collected(h, svc):
    # The table that keeps a future alive while a then() callback is
    # due lets it go once the last one ran (mutation testing: with
    # "count > 0" turned into ">= 0" every future stayed forever).
    refs = []
    done = []

    def finish(name):
        done.append(name)
        if len(done) == 2:
            h.reactor_stop()

    def stream_cb(f):
        try:
            f.get()
        except OSError:
            finish("stream")
            return
        f.reset()

    def echo_cb(f):
        f.get()
        finish("echo")

    f = h.rpc(svc.topic("stream"), {"n": 2}, flags=C.FLUX_RPC_STREAMING)
    refs.append(weakref.ref(f))
    f.then(stream_cb)
    g = h.rpc(svc.topic("echo"), {"once": 1})
    refs.append(weakref.ref(g))
    g.then(echo_cb)
    del f, g
    run_guarded(h)
    gc.collect()
    assert [r() for r in refs] == [None, None]


def test_streaming_rpc_blocking(h, svc):
    # the service answers from the reactor: run it until the stream is
    # in, then read the queued responses with get()/reset()
    f = h.rpc(svc.topic("stream"), {"n": 2}, flags=C.FLUX_RPC_STREAMING)
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    got = []
    while True:
        try:
            got.append(f.get())
        except OSError as exc:
            assert exc.errno == errno.ENODATA
            break
        f.reset()
    assert got == [{"i": 0}, {"i": 1}]


def test_reset_makes_future_not_ready(h, svc):
    f = h.rpc(svc.topic("stream"), {"n": 5}, flags=C.FLUX_RPC_STREAMING)
    f.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert f.is_ready()
    assert f.get() == {"i": 0}
    f.reset()
    # the next response was queued: the future is ready again with it
    assert f.get() == {"i": 1}


def test_stop_ends_callbacks_but_not_the_stream(h, svc):
    seen = []

    def cb(f):
        seen.append(f.get())
        f.stop()
        f.reset()

    f = h.rpc(svc.topic("stream"), {"n": 3}, flags=C.FLUX_RPC_STREAMING)
    f.then(cb)
    h.timer_watcher_create(0.3, lambda handle, *a: handle.reactor_stop()) \
        .start()
    run_guarded(h)
    assert seen == [{"i": 0}]
    assert f.stopped is True
    # the rest of the stream is still there
    assert f.get() == {"i": 1}


# FutureExt -------------------------------------------------------------

def test_future_ext_then(h):
    inits = []
    got = []

    def init_cb(f, *args, **kwargs):
        inits.append((args, kwargs))
        handle = f.get_flux()
        handle.timer_watcher_create(
            0.01, lambda *a: f.fulfill({"answer": 42})).start()

    def then_cb(f):
        got.append(f.get())
        h.reactor_stop()

    f = FutureExt(init_cb, 1, 2, flux_handle=h, key="word")
    assert inits == []  # not called until the result is wanted
    f.then(then_cb)
    run_guarded(h)
    assert inits == [((1, 2), {"key": "word"})]
    assert got == [{"answer": 42}]


def test_future_ext_blocking_get(h):
    inits = []

    def init_cb(f):
        inits.append(f)
        handle = f.get_flux()
        assert handle is not None
        handle.timer_watcher_create(
            0.01, lambda *a: f.fulfill("done")).start()

    f = FutureExt(init_cb, flux_handle=h)
    assert f.get() == "done"
    assert inits == [f]
    # a second get() does not initialize again
    assert f.get() == "done"
    assert len(inits) == 1


def test_future_ext_fulfill_in_init(h):
    f = FutureExt(lambda fut: fut.fulfill([1, "x", None]), flux_handle=h)
    assert f.get() == [1, "x", None]


def test_future_ext_fulfill_none(h):
    f = FutureExt(lambda fut: fut.fulfill(), flux_handle=h)
    assert f.get() is None


def test_future_ext_fulfill_error(h):
    f = FutureExt(lambda fut: fut.fulfill_error(errno.EPERM, "not allowed"),
                  flux_handle=h)
    with pytest.raises(OSError) as exc:
        f.get()
    assert exc.value.errno == errno.EPERM
    assert exc.value.strerror == "not allowed"
    assert f.error_string() == "not allowed"


def test_future_ext_fulfill_error_defaults(h):
    # flux-core: fulfill_error(errnum=2, errstr=NULL)
    f = FutureExt(lambda fut: fut.fulfill_error(), flux_handle=h)
    with pytest.raises(OSError) as exc:
        f.get()
    assert exc.value.errno == errno.ENOENT
    params = inspect.signature(Future.fulfill_error).parameters
    assert params["errnum"].default == errno.ENOENT


def test_future_ext_fulfill_error_in_then(h):
    got = []

    def then_cb(f):
        try:
            f.get()
        except OSError as exc:
            got.append((exc.errno, exc.strerror))
        h.reactor_stop()

    f = FutureExt(lambda fut: fut.fulfill_error(errno.EIO, "io"),
                  flux_handle=h)
    f.then(then_cb)
    run_guarded(h)
    assert got == [(errno.EIO, "io")]


def test_future_ext_results_are_queued(h):
    def init_cb(f):
        f.fulfill(1)
        f.fulfill(2)

    f = FutureExt(init_cb, flux_handle=h)
    assert f.get() == 1
    f.reset()
    assert f.get() == 2


def test_future_ext_set_flux_later(h):
    got = []
    f = FutureExt(lambda fut: fut.fulfill("later"))
    f.set_flux(h)

    def then_cb(fut):
        got.append(fut.get())
        h.reactor_stop()

    f.then(then_cb)
    run_guarded(h)
    assert got == ["later"]


def test_future_ext_exception_in_init_is_raised(h):
    # The init callback runs inside then(), before the reactor: its
    # exception is raised by the next reactor_run(), at once.
    def init_cb(f):
        raise RuntimeError("init failed")

    f = FutureExt(init_cb, flux_handle=h)
    f.then(lambda fut: None)
    guard = h.timer_watcher_create(3.0, lambda hh, *a: hh.reactor_stop())
    guard.start()
    guard.unref()
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="init failed"):
        h.reactor_run()
    guard.stop()
    assert time.monotonic() - t0 < 2.5, "reactor_run did not return at once"


def test_future_ext_stream_with_then(h):
    seen = []

    def init_cb(f):
        def tick(handle, w, revents, args):
            args["n"] += 1
            if args["n"] <= 3:
                f.fulfill(args["n"])
            else:
                f.fulfill_error(errno.ENODATA)
                w.stop()

        f.get_flux().timer_watcher_create(0.01, tick, repeat=0.01,
                                          args={"n": 0}).start()

    def then_cb(f):
        try:
            seen.append(f.get())
        except OSError as exc:
            seen.append(exc.errno)
            h.reactor_stop()
            return
        f.reset()

    FutureExt(init_cb, flux_handle=h).then(then_cb)
    run_guarded(h)
    assert seen == [1, 2, 3, errno.ENODATA]


# WaitAllFuture (flux-core's flux.future.WaitAllFuture) --------------------

def waitall_cls():
    return flux.future.WaitAllFuture


def test_wait_all_future_exists():
    cls = waitall_cls()
    assert issubclass(cls, Future)
    params = inspect.signature(cls.__init__).parameters
    assert list(params)[1:] == ["children"]
    assert params["children"].default is None
    params = inspect.signature(cls.push).parameters
    assert list(params)[1:] == ["child", "name"]
    assert params["name"].default is None


def test_wait_all_future_get(h, svc):
    cls = waitall_cls()
    w = cls()
    assert w.children == []
    children = [h.rpc(svc.topic("echo"), {"n": i}) for i in range(3)]
    for i, child in enumerate(children):
        w.push(child, name=f"child{i}")
    assert w.children == children
    w.then(lambda fut: h.reactor_stop())
    run_guarded(h)
    assert w.get() is None
    assert [c.get() for c in children] == [{"n": 0}, {"n": 1}, {"n": 2}]


def test_wait_all_future_blocking_get(h):
    cls = waitall_cls()
    w = cls()
    for i in range(3):
        w.push(h.rpc("broker.ping", {"seq": i}))
    assert w.get() is None
    assert [c.get()["seq"] for c in w.children] == [0, 1, 2]


def test_wait_all_future_then_called_once_after_all(h, svc):
    cls = waitall_cls()
    calls = []
    w = cls()
    kids = [h.rpc(svc.topic("echo"), {"k": i}) for i in range(2)]
    for k in kids:
        w.push(k)

    def cb(fut):
        calls.append([k.is_ready() for k in kids])
        h.reactor_stop()

    w.then(cb)
    run_guarded(h)
    assert calls == [[True, True]]


def test_wait_all_future_failing_child(h, svc):
    cls = waitall_cls()
    w = cls()
    w.push(h.rpc(svc.topic("echo"), {}))
    w.push(h.rpc(svc.topic("fail"), {}))
    with pytest.raises(OSError) as exc:
        w.get()
    assert exc.value.errno == errno.EPERM


def test_wait_all_future_with_initial_children_list(h):
    cls = waitall_cls()
    existing = []
    w = cls(existing)
    w.push(h.rpc("broker.ping", {}))
    assert w.children is existing
    assert len(existing) == 1
    assert w.get() is None
