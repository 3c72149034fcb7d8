# SPDX-License-Identifier: LGPL-3.0-or-later
"""A message watcher whose callback raises: the request it was handling
is answered with an error carrying the exception's text (so the sender
does not wait forever), then reactor_run() re-raises the exception.

This is what a mod_main-style module sees (its handlers are plain
msg_watcher_create callbacks) and what BrokerModule handlers rely on.
The server runs its reactor on a thread of its own, as a module does;
the client sends raw requests so every response that comes back is
seen, including one that should not have been sent.
"""

import errno

import pytest

import flux.constants as C
from flux.core.inner import lib

from conftest import Runner, recv_timeout, response_error
from conftest import send_request as conftest_send_request
from conftest import serve as conftest_serve

TOPIC = "svc.x"


def serve(server, handler):
    return conftest_serve(server, handler, TOPIC)


def send_request(client, **kwargs):
    conftest_send_request(client, TOPIC, **kwargs)


def no_more_messages(client):
    with pytest.raises(BlockingIOError):
        client.recv(flags=C.FLUX_O_NONBLOCK)
    return True


def test_exception_text_reaches_the_sender(pair):
    client, server = pair

    def handler(h, w, msg, args):
        raise RuntimeError("raw handler exploded")

    runner = serve(server, handler)
    send_request(client)
    resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert response_error(resp) == (errno.EINVAL,
                                    "RuntimeError: raw handler exploded")
    exc = runner.finish()
    assert isinstance(exc, RuntimeError)
    assert str(exc) == "raw handler exploded"


def test_oserror_keeps_its_errno_and_text(pair):
    client, server = pair

    def handler(h, w, msg, args):
        raise OSError(errno.ENOENT, "no such widget")

    runner = serve(server, handler)
    send_request(client)
    resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert response_error(resp) == (errno.ENOENT, "no such widget")
    assert isinstance(runner.finish(), FileNotFoundError)


def test_exception_without_text_is_named(pair):
    client, server = pair

    def handler(h, w, msg, args):
        raise KeyboardInterrupt

    runner = serve(server, handler)
    send_request(client)
    resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert response_error(resp) == (errno.EINVAL, "KeyboardInterrupt")
    assert isinstance(runner.finish(), KeyboardInterrupt)


def test_answered_request_gets_no_second_response(pair):
    client, server = pair

    def handler(h, w, msg, args):
        h.respond(msg, {"ok": True})
        raise RuntimeError("after responding")

    runner = serve(server, handler)
    send_request(client)
    resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert response_error(resp) == (0, None)
    assert resp.payload == {"ok": True}
    assert isinstance(runner.finish(), RuntimeError)
    assert no_more_messages(client)


def test_error_answered_request_gets_no_second_response(pair):
    client, server = pair

    def handler(h, w, msg, args):
        h.respond_error(msg, errno.EPERM, "go away")
        raise RuntimeError("after responding")

    runner = serve(server, handler)
    send_request(client)
    resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert response_error(resp) == (errno.EPERM, "go away")
    assert isinstance(runner.finish(), RuntimeError)
    assert no_more_messages(client)


def test_streaming_request_is_ended_with_the_error(pair):
    client, server = pair

    def handler(h, w, msg, args):
        h.respond(msg, {"n": 1})
        raise ValueError("stream broke")

    runner = serve(server, handler)
    send_request(client, flags=[lib.flux_msg_set_streaming])
    first = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert first.payload == {"n": 1}
    last = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert response_error(last) == (errno.EINVAL, "ValueError: stream broke")
    assert isinstance(runner.finish(), ValueError)


def test_noresponse_request_gets_nothing(pair):
    client, server = pair

    def handler(h, w, msg, args):
        raise RuntimeError("nobody is listening")

    runner = serve(server, handler)
    send_request(client, flags=[lib.flux_msg_set_noresponse])
    assert isinstance(runner.finish(), RuntimeError)
    assert no_more_messages(client)


def test_event_handler_exception_sends_nothing(pair):
    client, server = pair

    def handler(h, w, msg, args):
        raise RuntimeError("bad event")

    server.msg_watcher_create(handler, C.FLUX_MSGTYPE_EVENT, "ev.x").start()
    runner = Runner(server.reactor_run)
    runner.start()
    client.event_send("ev.x")
    assert isinstance(runner.finish(), RuntimeError)
    assert no_more_messages(client)
