# SPDX-License-Identifier: LGPL-3.0-or-later
"""loop://, flux-core's test connector: what a handle sends comes back
to it, so one handle plays client and server without a broker.
"""

import errno
import os
import threading

import pytest

import flux
import flux.constants as C
from flux.core.inner import ffi
from flux.future import FutureExt
from flux.message import Message

TIMEOUT = 10.0


@pytest.fixture
def lh():
    return flux.Flux("loop://")


def run_guarded(h, timeout=TIMEOUT):
    fired = []

    def expire(handle, w, revents, args):
        fired.append(True)
        handle.reactor_stop()

    guard = h.timer_watcher_create(timeout, expire)
    guard.start()
    guard.unref()
    try:
        rc = h.reactor_run()
    finally:
        guard.stop()
        guard.destroy()
    assert not fired, f"reactor still running after {timeout}s"
    return rc


def test_open_loop_uris():
    assert flux.Flux("loop://") is not None
    assert flux.Flux("loop://any/path") is not None
    assert flux.Flux("loop://", flags=C.FLUX_O_TEST_NOSUB) is not None


def test_sent_message_comes_back(lh):
    m = Message(C.FLUX_MSGTYPE_EVENT)
    m.topic = "back.to.me"
    m.payload = {"n": 1}
    assert lh.send(m) == 0
    got = lh.recv()
    assert got.type == C.FLUX_MSGTYPE_EVENT
    assert got.topic == "back.to.me"
    assert got.payload == {"n": 1}


def test_messages_come_back_in_order(lh):
    for i in range(5):
        lh.event_send(f"order.{i}")
    assert [lh.recv().topic for _ in range(5)] == \
        [f"order.{i}" for i in range(5)]


def test_sent_message_is_a_copy(lh):
    m = Message(C.FLUX_MSGTYPE_EVENT)
    m.topic = "copy.before"
    lh.send(m)
    m.topic = "copy.after"
    assert lh.recv().topic == "copy.before"


def test_credentials_are_stamped(lh):
    lh.event_send("creds")
    got = lh.recv()
    assert got.userid == os.getuid()
    assert got.rolemask == C.FLUX_ROLE_OWNER


def test_explicit_credentials_are_kept(lh):
    m = Message(C.FLUX_MSGTYPE_EVENT)
    m.topic = "explicit"
    m.userid = 4242
    m.rolemask = C.FLUX_ROLE_USER
    lh.send(m)
    got = lh.recv()
    assert (got.userid, got.rolemask) == (4242, C.FLUX_ROLE_USER)


def test_testing_userid_and_rolemask_options(lh):
    uid = ffi.new("uint32_t *", 5005)
    role = ffi.new("uint32_t *", C.FLUX_ROLE_USER)
    assert lh.flux_opt_set("flux::testing_userid", uid, 4) == 0
    assert lh.flux_opt_set("flux::testing_rolemask", role, 4) == 0
    lh.event_send("as.another.user")
    got = lh.recv()
    assert (got.userid, got.rolemask) == (5005, C.FLUX_ROLE_USER)


def test_unknown_option_is_einval(lh):
    val = ffi.new("uint32_t *", 1)
    with pytest.raises(OSError) as exc:
        lh.flux_opt_set("flux::no_such_option", val, 4)
    assert exc.value.errno == errno.EINVAL


def test_recv_on_empty_queue_is_ewouldblock(lh):
    with pytest.raises(OSError) as exc:
        lh.recv(flags=C.FLUX_O_NONBLOCK)
    assert exc.value.errno in (errno.EWOULDBLOCK, errno.EAGAIN)


def test_recv_match(lh):
    lh.event_send("skip.me")
    lh.event_send("take.me", {"t": 1})
    got = lh.recv(topic_glob="take.*")
    assert got.payload == {"t": 1}
    assert lh.recv().topic == "skip.me"


def call_with_timeout(fn, timeout=5.0):
    """fn() on a thread; fail the test if it does not return in time."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        except BaseException as exc:  # pylint: disable=broad-except
            result["exc"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        pytest.fail(f"call did not return within {timeout}s")
    if "exc" in result:
        raise result["exc"]
    return result["value"]


def test_rank_without_a_broker():
    # flux-core's loop connector fakes rank 0 of an instance of size 1
    h = flux.Flux("loop://")
    assert call_with_timeout(h.get_rank) == 0


def test_size_without_a_broker():
    h = flux.Flux("loop://")
    assert call_with_timeout(lambda: h.attr_get("size")) == "1"


def test_rpc_served_by_the_same_handle(lh):
    seen = []

    def server(handle, w, msg, args):
        seen.append((msg.topic, msg.payload, msg.userid, msg.rolemask))
        handle.respond(msg, {"echo": msg.payload["x"]})

    w = lh.msg_watcher_create(server, C.FLUX_MSGTYPE_REQUEST, "loop.echo")
    w.start()
    got = []

    def cont(f, tag):
        got.append((tag, f.get()))
        lh.reactor_stop()

    lh.rpc("loop.echo", {"x": 7}).then(cont, "t")
    run_guarded(lh)
    w.stop()
    assert seen == [("loop.echo", {"x": 7}, os.getuid(), C.FLUX_ROLE_OWNER)]
    assert got == [("t", {"echo": 7})]


def test_rpc_error_response(lh):
    def server(handle, w, msg, args):
        handle.respond_error(msg, errno.EPERM, "not on loop")

    lh.msg_watcher_create(server, C.FLUX_MSGTYPE_REQUEST, "loop.fail").start()
    got = []

    def cont(f):
        try:
            f.get()
        except OSError as exc:
            got.append((exc.errno, exc.strerror))
        lh.reactor_stop()

    lh.rpc("loop.fail").then(cont)
    run_guarded(lh)
    assert got == [(errno.EPERM, "not on loop")]


def test_unmatched_request_gets_enosys(lh):
    got = []

    def cont(f):
        try:
            f.get()
            got.append("ok")
        except OSError as exc:
            got.append(exc.errno)
        lh.reactor_stop()

    lh.rpc("nobody.home").then(cont)
    run_guarded(lh)
    assert got == [errno.ENOSYS]


def test_streaming_rpc_until_enodata(lh):
    def server(handle, w, msg, args):
        assert msg.streaming
        for i in range(msg.payload["n"]):
            handle.respond(msg, {"i": i})
        handle.respond_error(msg, errno.ENODATA)

    lh.msg_watcher_create(server, C.FLUX_MSGTYPE_REQUEST,
                          "loop.stream").start()
    seen = []

    def cont(f):
        try:
            seen.append(f.get()["i"])
        except OSError as exc:
            seen.append(exc.errno)
            lh.reactor_stop()
            return
        f.reset()

    lh.rpc("loop.stream", {"n": 4}, flags=C.FLUX_RPC_STREAMING).then(cont)
    run_guarded(lh)
    assert seen == [0, 1, 2, 3, errno.ENODATA]


def test_noresponse_rpc_is_delivered(lh):
    seen = []

    def server(handle, w, msg, args):
        seen.append(msg.noresponse)
        handle.reactor_stop()

    lh.msg_watcher_create(server, C.FLUX_MSGTYPE_REQUEST, "loop.quiet").start()
    f = lh.rpc("loop.quiet", {}, flags=C.FLUX_RPC_NORESPONSE)
    assert f.is_ready()
    run_guarded(lh)
    assert seen == [True]


def test_event_watcher_on_loop(lh):
    got = []

    def cb(handle, w, msg, args):
        got.append((msg.topic, msg.payload))
        handle.reactor_stop()

    w = lh.msg_watcher_create(cb, C.FLUX_MSGTYPE_EVENT, "loop.ev.*")
    w.start()
    lh.event_send("loop.ev.one", {"e": 1})
    run_guarded(lh)
    w.stop()
    assert got == [("loop.ev.one", {"e": 1})]


def test_event_subscribe_is_a_noop_with_test_nosub():
    h = flux.Flux("loop://", flags=C.FLUX_O_TEST_NOSUB)
    assert h.event_subscribe("anything") == 0
    assert h.event_unsubscribe("anything") == 0
    # nothing was sent
    with pytest.raises(OSError):
        h.recv(flags=C.FLUX_O_NONBLOCK)


def test_future_ext_on_loop(lh):
    def init_cb(f):
        f.get_flux().timer_watcher_create(
            0.01, lambda *a: f.fulfill({"loop": True})).start()

    got = []

    def cont(f):
        got.append(f.get())
        lh.reactor_stop()

    FutureExt(init_cb, flux_handle=lh).then(cont)
    run_guarded(lh)
    assert got == [{"loop": True}]


def test_service_handlers_blocking_get_on_two_loop_handles():
    # two loop handles are independent: what one sends, the other does
    # not see
    a = flux.Flux("loop://")
    b = flux.Flux("loop://")
    a.event_send("only.a")
    with pytest.raises(OSError):
        b.recv(flags=C.FLUX_O_NONBLOCK)
    assert a.recv().topic == "only.a"
