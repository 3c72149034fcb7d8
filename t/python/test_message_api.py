# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.message: Message and its properties, msg_typestr, MessageWatcher
and events as a subscriber sees them, as flux-core's bindings behave.
"""

import base64
import errno
import inspect
import os
import uuid

import pytest

import flux
import flux.constants as C
from flux.core.inner import ffi
from flux.message import Message, msg_typestr


def unique(prefix="pymsg"):
    return f"{prefix}{uuid.uuid4().hex[:10]}"


# construction ------------------------------------------------------------

def test_constructor_signature():
    params = inspect.signature(Message.__init__).parameters
    assert list(params)[1:] == ["type_id", "handle"]
    assert params["type_id"].default == C.FLUX_MSGTYPE_REQUEST
    assert params["handle"].default is None


@pytest.mark.parametrize("type_id,name", [
    (C.FLUX_MSGTYPE_REQUEST, "request"),
    (C.FLUX_MSGTYPE_RESPONSE, "response"),
    (C.FLUX_MSGTYPE_EVENT, "event"),
    (C.FLUX_MSGTYPE_CONTROL, "control"),
])
def test_type_and_type_str(type_id, name):
    m = Message(type_id)
    assert m.type == type_id
    assert m.type_str == name
    assert msg_typestr(type_id) == name


def test_msg_typestr_unknown():
    assert msg_typestr(0) == "unknown"


def test_type_setter():
    m = Message()
    assert m.type == C.FLUX_MSGTYPE_REQUEST
    m.type = C.FLUX_MSGTYPE_EVENT
    assert m.type == C.FLUX_MSGTYPE_EVENT
    assert m.type_str == "event"


def test_wrap_a_pointer_shares_the_message():
    m = Message(C.FLUX_MSGTYPE_EVENT)
    m.topic = "shared.topic"
    w = Message(handle=m.handle)
    assert w.topic == "shared.topic"
    w.topic = "changed"
    assert m.topic == "changed"
    del m
    assert w.topic == "changed"


def test_from_event_encode():
    ev = Message.from_event_encode("ev.topic", {"a": [1]})
    assert ev.type == C.FLUX_MSGTYPE_EVENT
    assert ev.topic == "ev.topic"
    assert ev.payload == {"a": [1]}
    ev = Message.from_event_encode("ev.plain", "text")
    assert ev.payload_str == "text"
    ev = Message.from_event_encode("ev.none")
    assert ev.payload_str is None


# topic -------------------------------------------------------------------

def test_topic_round_trip():
    m = Message()
    m.topic = "a.b.c"
    assert m.topic == "a.b.c"
    m.topic = b"bytes.topic"
    assert m.topic == "bytes.topic"
    m.topic = "unicod\u00e9"
    assert m.topic == "unicod\u00e9"


def test_topic_unset_is_eproto():
    with pytest.raises(OSError) as exc:
        Message().topic
    assert exc.value.errno == errno.EPROTO


def test_topic_setter_bad_types():
    m = Message()
    with pytest.raises(OSError) as exc:
        m.topic = None
    assert exc.value.errno == errno.EINVAL
    with pytest.raises(TypeError):
        m.topic = 3


# payload -----------------------------------------------------------------

def test_payload_json_round_trip():
    m = Message()
    m.payload = {"k": [1, 2, {"x": None}], "s": "\u2603"}
    assert m.payload == {"k": [1, 2, {"x": None}], "s": "\u2603"}
    assert m.payload_str is not None
    assert m.has_payload is True


def test_payload_setter_str_and_bytes():
    m = Message()
    m.payload = '{"from": "str"}'
    assert m.payload_str == '{"from": "str"}'
    assert m.payload == {"from": "str"}
    m.payload = b'{"from": "bytes"}'
    assert m.payload == {"from": "bytes"}


def test_payload_str_round_trip():
    m = Message()
    m.payload_str = "plain text"
    assert m.payload_str == "plain text"


def test_payload_none_clears():
    m = Message()
    m.payload = {"a": 1}
    m.payload = None
    assert m.payload_str is None
    assert m.has_payload is False


def test_payload_str_of_empty_message_is_none():
    assert Message().payload_str is None


def test_payload_raw():
    m = Message()
    m.payload_raw = b"\x00\x01binary\xff"
    assert m.payload_raw == b"\x00\x01binary\xff"
    assert m.has_payload
    m.payload_raw = bytearray(b"ba")
    assert m.payload_raw == b"ba"
    with pytest.raises(TypeError):
        m.payload_raw = "not bytes"
    m.payload_raw = None
    assert not m.has_payload


def test_payload_raw_without_payload_is_empty_bytes():
    # documented: b"" if the message has none
    assert Message().payload_raw == b""


def test_payload_raw_of_a_string_payload_includes_nul():
    m = Message()
    m.payload_str = "abc"
    assert m.payload_raw == b"abc\x00"


# credentials, flags, ids -------------------------------------------------

def test_userid_rolemask():
    m = Message()
    assert m.userid == C.FLUX_USERID_UNKNOWN
    assert m.rolemask == C.FLUX_ROLE_NONE
    m.userid = 1234
    m.rolemask = C.FLUX_ROLE_USER
    assert (m.userid, m.rolemask) == (1234, C.FLUX_ROLE_USER)


def test_flags():
    m = Message()
    assert m.flags == 0
    m.flags = C.FLUX_MSGFLAG_NORESPONSE
    assert m.flags == C.FLUX_MSGFLAG_NORESPONSE
    assert m.noresponse is True
    m.flags = C.FLUX_MSGFLAG_STREAMING
    assert m.streaming is True
    assert m.noresponse is False
    m.payload = {"p": 1}
    assert m.flags & C.FLUX_MSGFLAG_PAYLOAD


def test_nodeid():
    m = Message()
    assert m.nodeid == C.FLUX_NODEID_ANY
    m.nodeid = 3
    assert m.nodeid == 3


def test_nodeid_of_event_is_eproto():
    with pytest.raises(OSError) as exc:
        Message(C.FLUX_MSGTYPE_EVENT).nodeid
    assert exc.value.errno == errno.EPROTO


def test_matchtag():
    m = Message()
    assert m.matchtag == C.FLUX_MATCHTAG_NONE
    m.matchtag = 42
    assert m.matchtag == 42
    r = Message(C.FLUX_MSGTYPE_RESPONSE)
    r.matchtag = 43
    assert r.matchtag == 43


def test_matchtag_of_event_is_eproto():
    with pytest.raises(OSError) as exc:
        Message(C.FLUX_MSGTYPE_EVENT).matchtag
    assert exc.value.errno == errno.EPROTO


def test_seq():
    m = Message(C.FLUX_MSGTYPE_EVENT)
    m.seq = 17
    assert m.seq == 17


def test_seq_of_request_is_eproto():
    with pytest.raises(OSError) as exc:
        Message().seq
    assert exc.value.errno == errno.EPROTO


def test_errnum():
    r = Message(C.FLUX_MSGTYPE_RESPONSE)
    assert r.errnum == 0
    r.errnum = errno.EPERM
    assert r.errnum == errno.EPERM


def test_private_event():
    ev = Message(C.FLUX_MSGTYPE_EVENT)
    assert ev.private is False
    ev.flags = C.FLUX_MSGFLAG_PRIVATE
    assert ev.private is True


# routes ------------------------------------------------------------------

def test_routes():
    m = Message()
    assert m.route_count == -1  # routing not enabled
    assert m.route_string is None
    m.route_enable()
    assert m.route_count == 0
    assert m.route_string == ""
    assert m.route_first is None
    m.route_push("first")
    m.route_push("second")
    assert m.route_count == 2
    assert m.route_first == "first"
    assert m.route_last == "second"
    assert m.route_string == "first!second"
    m.route_delete_last()
    assert m.route_count == 1
    assert m.route_last == "first"
    m.route_clear()
    assert m.route_count == 0
    m.route_disable()
    assert m.route_count == -1


def test_route_count_method_without_routes_is_eproto():
    m = Message()
    with pytest.raises(OSError) as exc:
        m.flux_msg_route_count()
    assert exc.value.errno == errno.EPROTO


def test_route_of_a_received_request(h):
    resp = h.rpc("broker.ping", {}).get()
    assert resp["route"].count("!") >= 1


# libflux functions as methods --------------------------------------------

def test_msg_functions_as_methods():
    m = Message()
    assert m.set_topic("via.wrapper") == 0
    assert m.topic == "via.wrapper"
    t = ffi.new("const char *[1]")
    assert m.flux_msg_get_topic(t) == 0
    assert ffi.string(t[0]) == b"via.wrapper"
    assert m.is_streaming() is False or m.is_streaming() == 0
    cpy = m.copy(True)
    assert Message(handle=cpy).topic == "via.wrapper"


def test_msg_method_failure_is_oserror():
    m = Message()
    with pytest.raises(OSError) as exc:
        m.get_seq(ffi.new("uint32_t [1]"))
    assert exc.value.errno == errno.EPROTO


def test_raw_msg_function_failure_text():
    # flux-core's raw wrapper reports a failed call as "ENAME: strerror"
    from flux.core.inner import raw

    m = Message()
    with pytest.raises(OSError) as exc:
        raw.flux_msg_get_seq(m.handle, ffi.new("uint32_t [1]"))
    assert exc.value.errno == errno.EPROTO
    assert exc.value.strerror == "EPROTO: Protocol error"


# decode ------------------------------------------------------------------

def test_decode():
    m = Message()
    m.topic = "dec.req"
    m.payload = {"d": 1}
    t, topic, payload = m.decode()
    assert (t, topic, payload) == (C.FLUX_MSGTYPE_REQUEST, "dec.req",
                                   '{"d": 1}')
    ev = Message.from_event_encode("dec.ev")
    assert ev.decode() == (C.FLUX_MSGTYPE_EVENT, "dec.ev", None)


def test_decode_error_response():
    r = Message(C.FLUX_MSGTYPE_RESPONSE)
    r.topic = "dec.resp"
    r.errnum = errno.ENOENT
    with pytest.raises(OSError) as exc:
        r.decode()
    assert exc.value.errno == errno.ENOENT


# MessageWatcher ----------------------------------------------------------

def test_message_watcher_importable_from_flux_message():
    from flux.message import MessageWatcher
    from flux.core.watchers import Watcher

    assert issubclass(MessageWatcher, Watcher)
    params = inspect.signature(MessageWatcher.__init__).parameters
    assert list(params)[1:] == ["flux_handle", "type_mask", "callback",
                                "topic_glob", "match_tag", "rolemask",
                                "args"]


def test_message_watcher_direct(h, broker_uri):
    from flux.message import MessageWatcher

    topic = unique("mw")
    h.event_subscribe(topic)
    got = []

    def cb(handle, watcher, msg, args):
        got.append((msg.topic, msg.payload, args, watcher))
        handle.reactor_stop()

    w = MessageWatcher(h, C.FLUX_MSGTYPE_EVENT, cb, topic_glob=f"{topic}*",
                       args="arg")
    w.start()
    flux.Flux(broker_uri).event_send(f"{topic}.x", {"y": 2})
    h.reactor_run()
    w.stop()
    h.event_unsubscribe(topic)
    assert got == [(f"{topic}.x", {"y": 2}, "arg", w)]


def test_message_watcher_bad_topic_glob(h):
    from flux.message import MessageWatcher

    with pytest.raises(TypeError):
        MessageWatcher(h, C.FLUX_MSGTYPE_EVENT, lambda *a: None,
                       topic_glob=3)


def test_request_message_in_handler(h):
    name = unique("svc")
    h.service_register(name).get()
    seen = []

    def cb(handle, watcher, msg, args):
        seen.append({
            "type": msg.type,
            "topic": msg.topic,
            "payload": msg.payload,
            "userid": msg.userid,
            "rolemask": msg.rolemask,
            "matchtag": msg.matchtag,
            "route_count": msg.route_count,
        })
        handle.respond(msg, {})

    w = h.msg_watcher_create(cb, C.FLUX_MSGTYPE_REQUEST, f"{name}.*")
    w.start()
    f = h.rpc(f"{name}.look", {"q": 1})
    f.then(lambda fut: fut.get_flux().reactor_stop())
    h.reactor_run()
    w.destroy()
    h.service_unregister(name).get()
    assert len(seen) == 1
    s = seen[0]
    assert s["type"] == C.FLUX_MSGTYPE_REQUEST
    assert s["topic"] == f"{name}.look"
    assert s["payload"] == {"q": 1}
    assert s["userid"] == os.getuid()
    assert s["rolemask"] & C.FLUX_ROLE_OWNER
    assert s["matchtag"] == f.get_matchtag()
    assert s["route_count"] >= 1


# events as a subscriber sees them ----------------------------------------

def test_event_carries_sequence_number(h, broker_uri):
    topic = unique("seq")
    h.event_subscribe(topic)
    other = flux.Flux(broker_uri)
    other.event_send(f"{topic}.a")
    other.event_send(f"{topic}.b")
    a = h.event_recv()
    b = h.event_recv()
    assert a.seq > 0
    assert b.seq > a.seq
    h.event_unsubscribe(topic)


def test_event_publish_seq_matches_received(h, broker_uri):
    topic = unique("pub")
    h.event_subscribe(topic)
    payload = base64.b64encode(b'{"z": 9}\x00').decode()
    resp = flux.Flux(broker_uri).rpc(
        "event.publish", {"topic": topic, "flags": 0,
                          "payload": payload}).get()
    msg = h.event_recv()
    assert msg.topic == topic
    assert msg.seq == resp["seq"]
    assert msg.payload == {"z": 9}
    assert msg.userid == os.getuid()
    h.event_unsubscribe(topic)


def test_event_recv_topic_filter(h, broker_uri):
    topic = unique("flt")
    h.event_subscribe(topic)
    other = flux.Flux(broker_uri)
    other.event_send(f"{topic}.skip")
    other.event_send(f"{topic}.want")
    msg = h.event_recv(f"{topic}.want")
    assert msg.topic == f"{topic}.want"
    # the skipped one is still queued
    assert h.event_recv().topic == f"{topic}.skip"
    h.event_unsubscribe(topic)
