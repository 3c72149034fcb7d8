# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.message.Message and flux.constants, no broker needed."""

import errno
import json

import pytest

import flux.constants as C
from flux.core.inner import ffi, lib
from flux.message import Message


def test_constants_match_the_c_library():
    assert C.FLUX_MSGTYPE_REQUEST == 1
    assert C.FLUX_MSGTYPE_RESPONSE == 2
    assert C.FLUX_MSGTYPE_EVENT == 4
    assert C.FLUX_MSGTYPE_ANY == 0x0F
    assert C.FLUX_NODEID_ANY == 0xFFFFFFFF
    assert C.FLUX_ROLE_OWNER == 1 and C.FLUX_ROLE_USER == 2
    assert C.FLUX_RPC_STREAMING == 2
    assert "FLUX_MSGFLAG_STREAMING" in C.__all__
    assert all(name.startswith("FLUX_") for name in C.__all__)


def test_new_request_defaults():
    msg = Message()
    assert msg.type == C.FLUX_MSGTYPE_REQUEST
    assert msg.type_str == "request"
    assert msg.userid == C.FLUX_USERID_UNKNOWN
    assert msg.rolemask == C.FLUX_ROLE_NONE
    assert msg.payload_str is None
    assert msg.payload is None


def test_topic_and_payload_round_trip():
    msg = Message()
    msg.topic = "svc.method"
    msg.payload = {"a": 1, "b": ["x", "y"]}
    assert msg.topic == "svc.method"
    assert json.loads(msg.payload_str) == {"a": 1, "b": ["x", "y"]}
    assert msg.payload == {"a": 1, "b": ["x", "y"]}
    msg.payload_str = "plain text"
    assert msg.payload_str == "plain text"
    msg.payload = None
    assert msg.payload_str is None
    assert msg.decode() == (C.FLUX_MSGTYPE_REQUEST, "svc.method", None)


def test_missing_topic_raises_eproto():
    with pytest.raises(OSError) as exc:
        Message().topic  # pylint: disable=expression-not-assigned
    assert exc.value.errno == errno.EPROTO


def test_creds_settable():
    msg = Message(C.FLUX_MSGTYPE_EVENT)
    msg.userid = 1234
    msg.rolemask = C.FLUX_ROLE_USER
    assert (msg.userid, msg.rolemask) == (1234, C.FLUX_ROLE_USER)
    assert msg.type_str == "event"


def test_from_event_encode():
    msg = Message.from_event_encode("ev.topic", {"k": "v"})
    assert msg.type == C.FLUX_MSGTYPE_EVENT
    assert msg.topic == "ev.topic"
    assert msg.payload == {"k": "v"}
    assert Message.from_event_encode("ev.empty").payload_str is None


def test_wrapping_a_pointer_takes_a_reference():
    owned = lib.flux_msg_create(C.FLUX_MSGTYPE_REQUEST)
    try:
        wrapped = Message(handle=owned)
        assert lib.flux_msg_refcount(owned) == 2
        del wrapped
        assert lib.flux_msg_refcount(owned) == 1
    finally:
        lib.flux_msg_destroy(owned)


def test_null_handle_is_refused():
    with pytest.raises(ValueError):
        Message(handle=ffi.NULL)
