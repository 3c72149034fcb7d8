# SPDX-License-Identifier: LGPL-3.0-or-later
"""What the fast message path must keep as it was.

- JSON: encode_json/decode_json give exactly what json.dumps(...,
  ensure_ascii=False) and json.loads give, the same text, value or
  error (type, message, position), for good and for malformed input,
  and json_encoder() what json.dumps gives with its options;
  a malformed payload raises at the same point it did (msg.payload,
  rpc.get()), not when the message arrives.
- A handler's Message borrows the dispatcher's C message: one that the
  handler keeps (the Message, or only its handle) must stay valid after
  the handler returned, and one it drops must be freed.
- answered after respond() is read lazily: True for a plain request,
  False for a streaming one, True after respond_error().
"""

import errno
import gc
import json

import pytest

import flux.constants as C
from flux.core.inner import (check, decode_json, dumps_json, encode_json,
                             encode_payload, ffi, json_encoder, lib)
from flux.message import Message

from conftest import recv_timeout, response_error
from conftest import send_request as conftest_send_request
from conftest import serve as conftest_serve

TOPIC = "fast.x"

GOOD = [
    "{}", "[]", '{"a": 1}', '{"a":[1,2.5,-3e2,true,false,null]}', '"s"',
    "0", "-0.5", "1e400", "NaN", "-Infinity", '{"é": "\u2028"}',
    '{"a": {"b": {"c": []}}}', '"\\ud800"',
]
BAD = [
    "", " ", "{", "}", '{"a": }', '{"a" 1}', "[1,]", "{} {}", "{}x",
    "nul", "tru", "01", '"unterminated', '{"a": 1,}', "\ufeff{}",
    "[1] 2", "\x00",
]
SPACED = [" {}", "{} ", "\n[1]\t", " 3 "]


def outcome(fn, arg):
    try:
        return ("ok", fn(arg))
    except Exception as exc:  # pylint: disable=broad-except
        return ("raised", type(exc), str(exc), getattr(exc, "pos", None))


@pytest.mark.parametrize("text", GOOD + BAD + SPACED)
def test_decode_json_is_json_loads(text):
    got = outcome(decode_json, text)
    want = outcome(json.loads, text)
    if got[0] == "ok" and isinstance(got[1], float) and got[1] != got[1]:
        assert want[0] == "ok" and want[1] != want[1]  # NaN
    else:
        assert got == want


def test_decode_json_takes_what_json_loads_takes():
    assert decode_json(b'{"a": 1}') == {"a": 1}
    assert outcome(decode_json, 42) == outcome(json.loads, 42)


class Unencodable:
    pass


@pytest.mark.parametrize("value", [
    {}, [], {"a": 1}, {"a": [1, 2.5, None, True]}, "s", "é\u2028", 1,
    2.5, float("inf"), {"k": float("nan")}, {1: "int key"},
    {"nested": {"x": ["y", {"z": "é"}]}}, (1, 2),
])
def test_encode_json_is_json_dumps(value):
    assert encode_json(value) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("value", [
    {"a": Unencodable()}, {(1, 2): "tuple key"}, {1, 2}, b"bytes",
])
def test_encode_json_fails_as_json_dumps(value):
    got = outcome(encode_json, value)
    want = outcome(lambda v: json.dumps(v, ensure_ascii=False), value)
    assert got[0] == "raised" and got[:3] == want[:3]


OPTIONS = [
    {}, {"ensure_ascii": False}, {"sort_keys": True},
    {"separators": (",", ":")},
    {"sort_keys": True, "separators": (",", ":")},
    {"ensure_ascii": False, "sort_keys": True, "separators": (";", "=")},
]
VALUES = [
    {}, [], {"b": 1, "a": [1, 2.5, None, True]}, "s", "é\u2028\ud800", 1,
    2.5, float("-inf"), {"k": float("nan")}, {2: "int", 1: "keys"},
    {"nested": {"y": ["z", {"é": "x"}], "x": ()}}, (1, 2),
]


@pytest.mark.parametrize("options", OPTIONS)
def test_json_encoder_is_json_dumps(options):
    dumps = json_encoder(**options)
    for value in VALUES:
        assert dumps(value) == json.dumps(value, **options)


def test_dumps_json_is_json_dumps():
    for value in VALUES:
        assert dumps_json(value) == json.dumps(value)


@pytest.mark.parametrize("options", OPTIONS)
@pytest.mark.parametrize("value", [
    {"a": Unencodable()}, {(1, 2): "tuple key"}, {1, 2}, b"bytes",
    {"a": 1, 2: "mixed keys"},
])
def test_json_encoder_fails_as_json_dumps(options, value):
    got = outcome(json_encoder(**options), value)
    want = outcome(lambda v: json.dumps(v, **options), value)
    if got[0] == "ok":  # mixed keys sort only with sort_keys
        assert got == want
    else:
        assert got[:3] == want[:3]


def test_json_encoder_is_reentrant():
    """An encoding made while another is in progress (a dict subclass
    whose items() encodes) gets an encoder of its own.
    """
    dumps = json_encoder(sort_keys=True)

    class Encodes(dict):
        def items(self):
            return [("inner", dumps({"b": 2, "a": 1}))]

    assert dumps([Encodes(x=1), {"z": 0}]) == json.dumps(
        [{"inner": '{"a": 1, "b": 2}'}, {"z": 0}])


def test_encode_json_after_a_failure_is_not_circular():
    """A failed encoding leaves no marker behind for the next one."""
    shared = {"x": 1}
    with pytest.raises(TypeError):
        encode_json({"a": shared, "b": Unencodable()})
    assert encode_json({"a": shared}) == '{"a": {"x": 1}}'
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected"):
        encode_json(loop)


def test_encode_payload_bytes_are_utf8():
    assert encode_payload({"é": 1}) == '{"é": 1}'.encode()


def test_malformed_payload_raises_when_read():
    msg = Message()
    msg.payload_str = '{"a": }'
    with pytest.raises(json.JSONDecodeError) as info:
        msg.payload  # pylint: disable=pointless-statement
    assert (info.value.msg, info.value.pos) == ("Expecting value", 6)


def serve(server, handler):
    return conftest_serve(server, handler, TOPIC)


def send_request(client, **kwargs):
    conftest_send_request(client, TOPIC, **kwargs)


def test_kept_message_is_answered_later(pair):
    """Requests kept by the handler (whole, or only their handle) and
    answered by a later one: each still reads as itself, after every
    other reference the dispatcher had is gone.
    """
    client, server = pair
    kept, handles = [], []

    def handler(h, w, msg, args):
        n = msg.payload["n"]
        if n == 0:
            kept.append(msg)
        elif n == 1:
            handles.append(msg.handle)
        else:
            gc.collect()
            for old in kept:
                h.respond(old, {"n": old.payload["n"], "topic": old.topic})
            for old in handles:
                h.respond(old, {"kept": "handle"})
            h.respond(msg, {"n": n})
            h.reactor_stop()

    runner = serve(server, handler)
    for n in range(3):
        send_request(client, payload={"n": n}, matchtag=10 + n)
    got = sorted(json.dumps(recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE,
                                         TOPIC).payload, sort_keys=True)
                 for _ in range(3))
    assert got == sorted(['{"n": 0, "topic": "fast.x"}',
                          '{"kept": "handle"}', '{"n": 2}'])
    assert runner.finish() is None
    assert kept[0].topic == TOPIC and kept[0].payload == {"n": 0}


# Messages destroyed so far, by the name of an aux item set on them.
_destroyed = []


@ffi.callback("void(void *)")
def _on_destroy(arg):
    _destroyed.append(ffi.string(ffi.cast("char *", arg)).decode())


_names = {}


def tag(msg, name):
    """Record in _destroyed when the C message is destroyed."""
    _names[name] = ffi.new("char[]", name.encode())
    check(lib.flux_msg_aux_set(msg.handle, name.encode(), _names[name],
                               _on_destroy))


def test_dropped_and_kept_messages_are_freed(pair):
    """A message the handler drops is destroyed when the handler
    returns; one it keeps (the Message or only its handle) lives while
    Python refers to it, and is destroyed once nothing does.
    """
    client, server = pair
    kept = {}

    def handler(h, w, msg, args):
        how = msg.payload["how"]
        tag(msg, how)
        if how == "message":
            kept[how] = msg
        elif how == "handle":
            kept[how] = msg.handle
        h.respond(msg, {})
        if how == "last":
            h.reactor_stop()

    del _destroyed[:]
    runner = serve(server, handler)
    for how in ("drop", "message", "handle", "last"):
        send_request(client, payload={"how": how})
        recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert runner.finish() is None
    assert "drop" in _destroyed and "last" in _destroyed
    assert "message" not in _destroyed and "handle" not in _destroyed
    assert kept["message"].payload == {"how": "message"}
    del kept["message"]
    gc.collect()
    assert "message" in _destroyed and "handle" not in _destroyed
    del kept["handle"]
    gc.collect()
    assert "handle" in _destroyed


def test_with_block_on_handler_message(pair):
    """`with msg:` in a handler ends the object's use of the message."""
    client, server = pair

    def handler(h, w, msg, args):
        topic = msg.topic
        h.respond(msg, {"topic": topic})
        with msg:
            pass
        assert msg.handle is None
        h.reactor_stop()

    runner = serve(server, handler)
    send_request(client)
    resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
    assert resp.payload == {"topic": TOPIC}
    assert runner.finish() is None


def test_answered_is_read_lazily(pair):
    client, server = pair
    seen = []

    def handler(h, w, msg, args):
        seen.append(msg.answered)
        if msg.payload["how"] == "error":
            h.respond_error(msg, errno.EPERM, "no")
        else:
            h.respond(msg, {})
        seen.append(msg.answered)
        if len(seen) == 6:
            h.reactor_stop()

    runner = serve(server, handler)
    send_request(client, payload={"how": "plain"}, matchtag=31)
    send_request(client, payload={"how": "stream"}, matchtag=32,
                 flags=[lib.flux_msg_set_streaming])
    send_request(client, payload={"how": "error"}, matchtag=33)
    for _ in range(3):
        resp = recv_timeout(client, C.FLUX_MSGTYPE_RESPONSE, TOPIC)
        assert response_error(resp)[0] in (0, errno.EPERM)
    assert runner.finish() is None
    assert seen == [False, True, False, False, False, True]


def test_answered_can_be_set():
    msg = Message()
    assert msg.answered is False
    msg.answered = True
    assert msg.answered is True
    msg.answered = False
    assert msg.answered is False


class ItemsEncodes(dict):
    """A dict whose items() encodes another value while it is encoded."""

    def items(self):
        self.inner = encode_json({"inner": [1, {"b": 2}]})
        return super().items()


def test_encode_json_nested_and_threaded_calls_each_get_their_own():
    value = ItemsEncodes(a=1)
    assert encode_json({"x": value}) == '{"x": {"a": 1}}'
    assert value.inner == '{"inner": [1, {"b": 2}]}'

    import threading  # pylint: disable=import-outside-toplevel

    results, failures = [], []

    def worker(n):
        try:
            for i in range(2000):
                got = encode_json({"n": n, "i": i, "l": [n] * 3})
                if got != json.dumps({"n": n, "i": i, "l": [n] * 3}):
                    failures.append(got)
            results.append(n)
        except Exception as exc:  # pylint: disable=broad-except
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and sorted(results) == [0, 1, 2, 3]
