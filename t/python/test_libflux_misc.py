# SPDX-License-Identifier: LGPL-3.0-or-later
"""The cffi declarations of the libflux helpers flux-core's modules use:
message lists and disconnect matching, control messages, single message
flags, the future-returning event subscriptions and the host look-ups.
Their behaviour is tested in C (libflux/test/msglist.c, libmisc.c);
this checks that Python reaches them with the right types.
"""

import errno

from _flux._core import ffi, lib


def request(topic, sender=None, userid=100, matchtag=0):
    msg = ffi.gc(lib.flux_request_encode(topic.encode(), ffi.NULL),
                 lib.flux_msg_destroy)
    assert lib.flux_msg_set_matchtag(msg, matchtag) == 0
    if sender:
        lib.flux_msg_route_enable(msg)
        assert lib.flux_msg_route_push(msg, sender.encode()) == 0
    assert lib.flux_msg_set_userid(msg, userid) == 0
    assert lib.flux_msg_set_rolemask(msg, lib.FLUX_ROLE_USER) == 0
    return msg


def topic(msg):
    t = ffi.new("char **")
    assert lib.flux_msg_get_topic(msg, ffi.cast("const char **", t)) == 0
    return ffi.string(t[0]).decode()


def test_msglist_and_disconnect():
    lst = ffi.gc(lib.flux_msglist_create(), lib.flux_msglist_destroy)
    a = request("a", sender="c1", matchtag=1)
    b = request("b", sender="c2", matchtag=2)
    assert lib.flux_msglist_append(lst, a) == 0
    assert lib.flux_msglist_push(lst, b) == 0
    assert lib.flux_msglist_count(lst) == 2
    assert topic(lib.flux_msglist_first(lst)) == "b"
    assert topic(lib.flux_msglist_next(lst)) == "a"
    assert lib.flux_msglist_next(lst) == ffi.NULL
    assert topic(lib.flux_msglist_last(lst)) == "a"

    disc = request("svc.disconnect", sender="c1")
    assert lib.flux_disconnect_match(disc, a)
    assert not lib.flux_disconnect_match(disc, b)
    assert lib.flux_msglist_disconnect(lst, disc) == 1
    assert lib.flux_msglist_count(lst) == 1

    cancel = request("svc.cancel", sender="c2")
    assert lib.flux_msg_set_string(cancel, b'{"matchtag":2}') == 0
    assert lib.flux_cancel_match(cancel, b)
    popped = lib.flux_msglist_pop(lst)
    assert popped == b
    lib.flux_msg_decref(popped)
    assert lib.flux_msglist_count(lst) == 0


def test_control():
    msg = ffi.gc(lib.flux_control_encode(5, 6), lib.flux_msg_destroy)
    typ = ffi.new("int *")
    status = ffi.new("int *")
    assert lib.flux_control_decode(msg, typ, status) == 0
    assert (typ[0], status[0]) == (5, 6)
    assert lib.flux_control_decode(request("x"), typ, status) == -1
    assert ffi.errno == errno.EPROTO


def test_flags_and_local():
    msg = request("x")
    assert not lib.flux_msg_has_flag(msg, lib.FLUX_MSGFLAG_USER1)
    assert lib.flux_msg_set_flag(msg, lib.FLUX_MSGFLAG_USER1) == 0
    assert lib.flux_msg_has_flag(msg, lib.FLUX_MSGFLAG_USER1)
    assert lib.flux_msg_set_flag(msg, 0x100) == -1
    assert ffi.errno == errno.EINVAL
    assert not lib.flux_msg_is_local(msg)
    assert lib.flux_msg_set_rolemask(msg, lib.FLUX_ROLE_LOCAL) == 0
    assert lib.flux_msg_is_local(msg)


def test_event_subscribe_ex_and_hosts():
    uri = b"interthread://test-libflux-misc"
    h1 = ffi.gc(lib.flux_open(uri, 0), lib.flux_close)
    h2 = ffi.gc(lib.flux_open(uri, 0), lib.flux_close)
    f = ffi.gc(lib.flux_event_subscribe_ex(h1, b"foo.", 0),
               lib.flux_future_destroy)
    assert f != ffi.NULL
    match = ffi.new("struct flux_match *")
    match.typemask = lib.FLUX_MSGTYPE_REQUEST
    match.matchtag = 0
    match.topic_glob = ffi.NULL
    req = lib.flux_recv(h2, match[0], lib.FLUX_O_NONBLOCK)
    assert req != ffi.NULL
    req = ffi.gc(req, lib.flux_msg_destroy)
    assert topic(req) == "event.subscribe"
    assert lib.flux_respond(h2, req, ffi.NULL) == 0
    assert lib.flux_future_get(f, ffi.NULL) == 0
    assert lib.flux_event_unsubscribe_ex(ffi.NULL, b"x", 0) == ffi.NULL

    assert lib.flux_attr_set_cacheonly(h1, b"size", b"2") == 0
    assert lib.flux_attr_set_cacheonly(h1, b"hostlist", b"n[0-1]") == 0
    size = ffi.new("uint32_t *")
    assert lib.flux_get_size(h1, size) == 0
    assert size[0] == 2
    assert ffi.string(lib.flux_get_hostbyrank(h1, 1)) == b"n1"
    assert lib.flux_get_rankbyhost(h1, b"n1") == 1
