# SPDX-License-Identifier: LGPL-3.0-or-later
"""The handle API over an interthread channel, no broker needed: two
handles on one channel in one process, one of them playing a server.
"""

import errno
import os
import syslog
import uuid

import pytest

import flux
import flux.constants as C
from flux.core.inner import check, ffi, lib
from flux.future import Future
from flux.message import Message

from conftest import Runner, recv_timeout


@pytest.fixture
def pair():
    uri = f"interthread://pytest-{uuid.uuid4()}"
    client = flux.Flux(uri)
    server = flux.Flux(uri)
    return client, server


def share_reactor(a, b):
    """Drive both handles from a's reactor, so one reactor_run serves
    client and server in one thread.
    """
    check(lib.flux_set_reactor(b.handle, a.get_reactor()))


def test_third_open_is_refused(pair):
    uri = f"interthread://pytest-{uuid.uuid4()}"
    a = flux.Flux(uri)
    b = flux.Flux(uri)
    with pytest.raises(OSError) as exc:
        flux.Flux(uri)
    assert exc.value.errno == errno.EADDRINUSE
    assert str(exc.value).find("Unable to connect to Flux") >= 0
    del a, b


def test_bad_uri_says_unable_to_connect():
    with pytest.raises(OSError) as exc:
        flux.Flux("nosuchscheme://x")
    assert "Unable to connect to Flux" in exc.value.strerror


def test_send_recv(pair):
    client, server = pair
    msg = Message()
    msg.topic = "svc.hello"
    msg.payload = {"n": 1}
    client.send(msg)
    got = server.recv(topic_glob="svc.*")
    assert got.topic == "svc.hello"
    assert got.payload == {"n": 1}
    # Unset creds are stamped with the channel's: the owner.
    assert got.userid == os.getuid()
    assert got.rolemask & C.FLUX_ROLE_OWNER


def test_recv_nonblock_raises_eagain(pair):
    client, _ = pair
    with pytest.raises(BlockingIOError):
        client.recv(flags=C.FLUX_O_NONBLOCK)


def test_rpc_through_msg_watcher(pair):
    client, server = pair
    share_reactor(client, server)
    seen = []

    def handler(h, w, msg, args):
        seen.append((h, args, msg.payload))
        h.respond(msg, {"echo": msg.payload["x"], "topic": msg.topic})

    w = server.msg_watcher_create(handler, C.FLUX_MSGTYPE_REQUEST,
                                  "svc.echo", args="myarg")
    w.start()
    results = []

    def cont(f, tag, kw=None):
        results.append((tag, kw, f.get()))
        client.reactor_stop()

    client.rpc("svc.echo", {"x": 42}).then(cont, "tag", kw="kw")
    client.reactor_run()
    assert results == [("tag", "kw", {"echo": 42, "topic": "svc.echo"})]
    assert seen[0][0] is server and seen[0][1] == "myarg"
    assert seen[0][2] == {"x": 42}


def test_rpc_error_carries_the_server_text(pair):
    client, server = pair
    share_reactor(client, server)

    def handler(h, w, msg, args):
        h.respond_error(msg, errno.ENOENT, "no such widget")

    server.msg_watcher_create(handler, C.FLUX_MSGTYPE_REQUEST,
                              "svc.fail").start()
    errors = []

    def cont(f):
        try:
            f.get()
        except OSError as exc:
            errors.append(exc)
        client.reactor_stop()

    client.rpc("svc.fail").then(cont)
    client.reactor_run()
    assert len(errors) == 1
    assert isinstance(errors[0], FileNotFoundError)
    assert errors[0].errno == errno.ENOENT
    assert errors[0].strerror == "no such widget"


def test_streaming_rpc(pair):
    client, server = pair
    share_reactor(client, server)

    def handler(h, w, msg, args):
        for i in range(3):
            h.respond(msg, {"i": i})
        h.respond_error(msg, errno.ENODATA)

    server.msg_watcher_create(handler, C.FLUX_MSGTYPE_REQUEST,
                              "svc.stream").start()
    got = []

    def cont(f):
        try:
            got.append(f.get()["i"])
        except OSError as exc:
            got.append(exc.errno)
            client.reactor_stop()
            return
        f.reset()

    # No reference kept: a future with a pending callback stays alive.
    client.rpc("svc.stream", flags=C.FLUX_RPC_STREAMING).then(cont)
    client.reactor_run()
    assert got == [0, 1, 2, errno.ENODATA]


def test_synchronous_get_with_server_thread(pair):
    client, server = pair

    def serve():
        def handler(h, w, msg, args):
            h.respond(msg, msg.payload_str)
            h.reactor_stop()

        server.msg_watcher_create(handler, C.FLUX_MSGTYPE_REQUEST,
                                  "svc.sync").start()
        server.reactor_run()

    t = Runner(serve)
    t.start()
    f = client.rpc("svc.sync", "just a string")
    assert f.get_str() == "just a string"
    assert f.is_ready()
    assert t.finish() is None


def test_wait_for_times_out(pair):
    client, _ = pair
    f = client.rpc("svc.nobody")
    with pytest.raises(TimeoutError):
        f.wait_for(0.05)
    assert not f.is_ready()


def test_then_timeout(pair):
    client, _ = pair
    errs = []

    def cont(f):
        try:
            f.get()
        except OSError as exc:
            errs.append(exc.errno)
        client.reactor_stop()

    client.rpc("svc.nobody").then(cont, timeout=0.05)
    client.reactor_run()
    assert errs == [errno.ETIMEDOUT]


def test_second_then_raises_eexist(pair):
    client, _ = pair
    f = client.rpc("svc.nobody")
    f.then(lambda f: None)
    with pytest.raises(FileExistsError):
        f.then(lambda f: None)


def test_exception_in_continuation_is_reraised(pair):
    client, server = pair
    share_reactor(client, server)
    server.msg_watcher_create(lambda h, w, msg, a: h.respond(msg),
                              C.FLUX_MSGTYPE_REQUEST, "svc.x").start()

    def cont(f):
        raise ZeroDivisionError("in continuation")

    client.rpc("svc.x").then(cont)
    with pytest.raises(ZeroDivisionError, match="in continuation"):
        client.reactor_run()


def test_exception_in_msg_handler_is_reraised(pair):
    client, server = pair
    share_reactor(client, server)

    def handler(h, w, msg, args):
        raise KeyError("in handler")

    server.msg_watcher_create(handler, C.FLUX_MSGTYPE_REQUEST,
                              "svc.x").start()
    client.rpc("svc.x")
    with pytest.raises(KeyError, match="in handler"):
        client.reactor_run()
    # The stash is cleared: the next run is not haunted by it.
    t = client.timer_watcher_create(0.01, lambda h, *a: h.reactor_stop())
    t.start()
    assert client.reactor_run() >= 0


def test_timer_fires_repeats_and_resets(pair):
    client, _ = pair
    ticks = []

    def cb(h, w, revents, args):
        ticks.append(args)
        if len(ticks) in (3, 4):
            w.stop()
            h.reactor_stop()

    w = client.timer_watcher_create(0.01, cb, repeat=0.01, args="t")
    w.start()
    assert w.is_active()
    client.reactor_run()
    assert ticks == ["t", "t", "t"]
    assert not w.is_active()
    w.reset(0.01)
    w.start()
    client.reactor_run()
    assert len(ticks) == 4
    w.destroy()
    with pytest.raises(ValueError):
        w.start()


def test_exception_in_timer_is_reraised_with_traceback(pair):
    client, _ = pair

    def cb(h, w, revents, args):
        raise RuntimeError("boom")

    client.timer_watcher_create(0.0, cb).start()
    with pytest.raises(RuntimeError, match="boom") as exc:
        client.reactor_run()
    assert any(entry.name == "cb" for entry in exc.traceback)


def test_reactor_stop_error_raises_oserror(pair):
    client, _ = pair

    def cb(h, w, revents, args):
        h.reactor_stop_error()

    client.timer_watcher_create(0.0, cb).start()
    with pytest.raises(OSError):
        client.reactor_run()


def test_fd_watcher(pair):
    client, _ = pair
    rfd, wfd = os.pipe()
    try:
        got = []

        def cb(h, w, fd, revents, args):
            got.append((fd, revents & C.FLUX_POLLIN, os.read(fd, 10)))
            w.stop()
            h.reactor_stop()

        w = client.fd_watcher_create(rfd, cb, events=C.FLUX_POLLIN)
        w.start()
        os.write(wfd, b"ping")
        client.reactor_run()
        assert got == [(rfd, C.FLUX_POLLIN, b"ping")]
    finally:
        os.close(rfd)
        os.close(wfd)


def test_prepare_check_idle(pair):
    client, _ = pair
    calls = []

    def idle(h, w, revents, args):
        calls.append("idle")
        if calls.count("idle") == 2:
            for x in watchers:
                x.stop()
            h.reactor_stop()

    watchers = [
        client.prepare_watcher_create(lambda h, w, r, a: calls.append(a),
                                      args="prepare"),
        client.check_watcher_create(lambda h, w, r, a: calls.append(a),
                                    args="check"),
        client.idle_watcher_create(idle),
    ]
    for x in watchers:
        x.start()
    client.reactor_run()
    assert "prepare" in calls and "check" in calls
    assert calls.count("idle") == 2


def test_log_sends_text_verbatim(pair):
    client, server = pair
    # flux_log asks the broker for the rank (HOSTNAME): give it from the
    # cache, as a module's welcome does, since no broker answers here.
    check(lib.flux_attr_set_cacheonly(client.handle, b"rank", b"0"))
    client.log(syslog.LOG_WARNING, "100% literal %s %d")
    msg = recv_timeout(server, C.FLUX_MSGTYPE_REQUEST, "log.append")
    assert msg.topic == "log.append"
    line = payload_bytes(msg).decode()
    assert line.endswith("100% literal %s %d")
    assert line.startswith(f"<{syslog.LOG_WARNING * 8}>1 ")


def payload_bytes(msg):
    """The raw payload, copied (a log line carries no trailing NUL)."""
    data = ffi.new("const void **")
    size = ffi.new("size_t *")
    check(lib.flux_msg_get_payload(msg.handle, data, size))
    return bytes(ffi.buffer(data[0], size[0]))


def test_pure_future_fulfilled_with_error():
    f = Future(lib.flux_future_create(ffi.NULL, ffi.NULL))
    assert not f.is_ready()
    lib.flux_future_fulfill_error(f.handle, errno.ENOENT, b"nothing here")
    assert f.is_ready()
    assert f.error_string() == "nothing here"
    with pytest.raises(FileNotFoundError, match="nothing here"):
        f.get()


def test_pure_future_then_in_reactor(pair):
    client, _ = pair
    f = Future(lib.flux_future_create(ffi.NULL, ffi.NULL))
    lib.flux_future_set_reactor(f.handle, client.get_reactor())
    lib.flux_future_set_flux(f.handle, client.handle)
    got = []
    def cont(fut, x):
        got.append((fut.get(), x, fut.get_flux()))
        client.reactor_stop()

    f.then(cont, 7)
    lib.flux_future_fulfill(f.handle, ffi.NULL, ffi.NULL)
    client.reactor_run()
    assert got[0][:2] == (None, 7)
    assert got[0][2].handle == client.handle


def test_wrapping_a_borrowed_handle_does_not_close_it(pair):
    client, server = pair
    borrowed = flux.Flux(handle=client.handle)
    del borrowed
    # Still usable after the wrapper is gone.
    msg = Message()
    msg.topic = "svc.after"
    client.send(msg)
    assert server.recv().topic == "svc.after"
    with pytest.raises(RuntimeError):
        client.close()


def test_sigint_in_main_thread_raises_keyboardinterrupt(pair):
    client, _ = pair
    import signal

    def cb(h, w, revents, args):
        os.kill(os.getpid(), signal.SIGINT)

    client.timer_watcher_create(0.0, cb).start()
    # A watcher that would keep the loop running forever.
    client.timer_watcher_create(60.0, lambda *a: None).start()
    with pytest.raises(KeyboardInterrupt):
        client.reactor_run()
    # Python's own Ctrl-C handling is back once the loop has returned.
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
