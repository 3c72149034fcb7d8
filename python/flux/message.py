# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.message.Message: an RFC 3 message (flux_msg_t).

A Message always holds its own reference on the C message: a new one is
created owned, and one that wraps a pointer from C takes a reference with
flux_msg_incref, so it stays valid for as long as Python keeps the
object.  The reference is dropped when the object is collected.

The message a handler is called with is the exception, for speed: the
dispatcher holds the C message while the handler runs, so the Message
borrows it (made with no reference by the message watcher's trampoline,
flux.core.watchers.message_handler_wrapper), and takes a reference only
if it, or its handle, outlives the call (Message._outlive).

Any flux_msg_* function is a method too (flux.wrapper): msg.route_push(id).
MessageWatcher is importable from here, as in flux-core.
"""

import os
import weakref

from flux.core.inner import (check, decode_json, dumps_json, encode_payload,
                             encode_topic, ffi, lib, to_bytes, to_str)
from flux.wrapper import Wrapper


_RESPONDED = object()


def msg_typestr(msg_type):
    """"request", "response", "event", "control" or "unknown"."""
    return to_str(lib.flux_msg_typestr(msg_type))


class Message(Wrapper):
    """A Flux message.

    Message(type_id=FLUX_MSGTYPE_REQUEST) creates an empty message;
    Message(handle=ptr) wraps an existing flux_msg_t pointer (borrowed:
    a reference is taken).
    """

    _wrapper_prefixes = ("flux_msg_", "flux_")
    _wrapper_handle_type = "flux_msg_t *"

    # What answered reads: False, True, or _RESPONDED after
    # Flux.respond(), which is final unless the request is streaming.
    _answered = False

    def __init__(self, type_id=lib.FLUX_MSGTYPE_REQUEST, handle=None):
        if handle is None:
            ptr = check(lib.flux_msg_create(type_id))
            self.handle = ffi.gc(ptr, lib.flux_msg_destroy)
        else:
            if handle == ffi.NULL:
                raise ValueError("Message handle is NULL")
            ptr = ffi.cast("flux_msg_t *", handle)
            lib.flux_msg_incref(ptr)
            self.handle = ffi.gc(ptr, lib.flux_msg_decref)

    @property
    def answered(self):
        """True once a final response to this request was sent with
        Flux.respond() or Flux.respond_error().  A handler that raises
        after answering is then not answered a second time (a second
        response could reach a later RPC that reuses the matchtag).
        """
        answered = self._answered
        if answered is _RESPONDED:
            # N.B. Read here, not at every respond(): it matters only
            # when a handler fails.
            return not self.streaming
        return answered

    @answered.setter
    def answered(self, value):
        self._answered = value

    def _outlive(self, ptr):
        """The borrowed C message 'ptr' (this object's handle, unless
        the handler replaced it) is referenced beyond the handler's
        call: take a reference for as long as the cdata lives, whoever
        holds it (this object, or code that kept msg.handle).
        """
        lib.flux_msg_incref(ptr)
        fin = weakref.finalize(ptr, lib.flux_msg_decref,
                               ffi.cast("flux_msg_t *", ptr))
        fin.atexit = False

    def __exit__(self, type_arg, value, last):
        """Free the C message now, as Wrapper does; a borrowed one (a
        handler's, see above) has nothing of its own to free.
        """
        handle, self.handle = self.handle, None
        if handle is not None:
            try:
                ffi.release(handle)
            except ValueError:
                pass  # a borrowed pointer (not from ffi.gc)

    @classmethod
    def from_owned(cls, ptr):
        """Wrap a message the caller owns (e.g. from flux_recv): the
        reference is transferred to the new object.
        """
        obj = cls.__new__(cls)
        obj.handle = ffi.gc(check(ptr), lib.flux_msg_destroy)
        return obj

    @classmethod
    def from_event_encode(cls, topic, payload=None):
        """An event message with 'topic' and a str/bytes/JSON payload."""
        return cls.from_owned(lib.flux_event_encode(
            encode_topic(topic), encode_payload(payload)))

    @property
    def topic(self):
        """The message's topic string."""
        topic = ffi.new("const char **")
        check(lib.flux_msg_get_topic(self.handle, topic))
        return to_str(topic[0])

    @topic.setter
    def topic(self, value):
        check(lib.flux_msg_set_topic(self.handle, encode_topic(value)))

    @property
    def payload_str(self):
        """The payload as str, or None if the message has none."""
        s = ffi.new("const char **")
        check(lib.flux_msg_get_string(self.handle, s))
        return to_str(s[0])

    @payload_str.setter
    def payload_str(self, value):
        check(lib.flux_msg_set_string(self.handle, to_bytes(value)))

    @property
    def payload(self):
        """The JSON-decoded payload, or None if the message has none."""
        s = self.payload_str
        return None if s is None else decode_json(s)

    @payload.setter
    def payload(self, value):
        if value is None:
            check(lib.flux_msg_set_payload(self.handle, ffi.NULL, 0))
        elif isinstance(value, (str, bytes)):
            self.payload_str = value
        else:
            self.payload_str = dumps_json(value)

    @property
    def type(self):
        """The message type: FLUX_MSGTYPE_REQUEST, _RESPONSE, _EVENT or
        _CONTROL.
        """
        t = ffi.new("int *")
        check(lib.flux_msg_get_type(self.handle, t))
        return t[0]

    @type.setter
    def type(self, value):
        check(lib.flux_msg_set_type(self.handle, value))

    @property
    def type_str(self):
        """The message type as a word ("request", "response", ...)."""
        return to_str(lib.flux_msg_typestr(self.type))

    @property
    def userid(self):
        """The userid of the sender, as the broker stamped it."""
        v = ffi.new("uint32_t *")
        check(lib.flux_msg_get_userid(self.handle, v))
        return v[0]

    @userid.setter
    def userid(self, value):
        check(lib.flux_msg_set_userid(self.handle, value))

    @property
    def rolemask(self):
        """The roles of the sender (FLUX_ROLE_OWNER, FLUX_ROLE_USER), as
        the broker stamped them.
        """
        v = ffi.new("uint32_t *")
        check(lib.flux_msg_get_rolemask(self.handle, v))
        return v[0]

    @rolemask.setter
    def rolemask(self, value):
        check(lib.flux_msg_set_rolemask(self.handle, value))

    @property
    def payload_raw(self):
        """The payload as bytes (b"" if the message has none)."""
        if not lib.flux_msg_has_payload(self.handle):
            return b""
        data = ffi.new("const void **")
        size = ffi.new("size_t *")
        check(lib.flux_msg_get_payload(self.handle, data, size))
        if data[0] == ffi.NULL:
            return b""
        return bytes(ffi.buffer(data[0], size[0]))

    @payload_raw.setter
    def payload_raw(self, value):
        if value is None:
            check(lib.flux_msg_set_payload(self.handle, ffi.NULL, 0))
            return
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise TypeError("raw payload must be bytes-like, not "
                            + type(value).__name__)
        data = bytes(value)
        check(lib.flux_msg_set_payload(self.handle, data, len(data)))

    @property
    def has_payload(self):
        """True if the message carries a payload."""
        return bool(lib.flux_msg_has_payload(self.handle))

    def _get_u32(self, getter):
        v = ffi.new("uint32_t *")
        check(getter(self.handle, v))
        return v[0]

    @property
    def flags(self):
        """The FLUX_MSGFLAG_* bits."""
        v = ffi.new("uint8_t *")
        check(lib.flux_msg_get_flags(self.handle, v))
        return v[0]

    @flags.setter
    def flags(self, value):
        check(lib.flux_msg_set_flags(self.handle, value))

    @property
    def nodeid(self):
        """The rank a request is for (FLUX_NODEID_ANY: any); OSError
        EPROTO on other types.
        """
        return self._get_u32(lib.flux_msg_get_nodeid)

    @nodeid.setter
    def nodeid(self, value):
        check(lib.flux_msg_set_nodeid(self.handle, value))

    @property
    def matchtag(self):
        """The matchtag of a request or response (FLUX_MATCHTAG_NONE:
        none); OSError EPROTO on other types.
        """
        return self._get_u32(lib.flux_msg_get_matchtag)

    @matchtag.setter
    def matchtag(self, value):
        check(lib.flux_msg_set_matchtag(self.handle, value))

    @property
    def seq(self):
        """The sequence number the broker gave an event; OSError EPROTO
        on other types.
        """
        return self._get_u32(lib.flux_msg_get_seq)

    @seq.setter
    def seq(self, value):
        check(lib.flux_msg_set_seq(self.handle, value))

    @property
    def errnum(self):
        """The error number of a response (0: success)."""
        v = ffi.new("int *")
        check(lib.flux_msg_get_errnum(self.handle, v))
        return v[0]

    @errnum.setter
    def errnum(self, value):
        check(lib.flux_msg_set_errnum(self.handle, value))

    @property
    def private(self):
        """True for an event only its sender's user and the owner see."""
        return bool(lib.flux_msg_is_private(self.handle))

    @property
    def route_count(self):
        """How many route ids the message carries (-1: routing off)."""
        return lib.flux_msg_route_count(self.handle)

    @property
    def route_first(self):
        """The first route id (where a request came from), or None."""
        return to_str(lib.flux_msg_route_first(self.handle))

    @property
    def route_last(self):
        """The last route id pushed, or None."""
        return to_str(lib.flux_msg_route_last(self.handle))

    @property
    def route_string(self):
        """The route ids joined by "!" (first hop first), or None."""
        p = lib.flux_msg_route_string(self.handle)
        if p == ffi.NULL:
            return None
        try:
            return to_str(p)
        finally:
            lib.free(p)

    @property
    def noresponse(self):
        """True if the sender wants no response (FLUX_MSGFLAG_NORESPONSE)."""
        return bool(lib.flux_msg_is_noresponse(self.handle))

    @property
    def streaming(self):
        """True if the request asks for a stream of responses
        (FLUX_RPC_STREAMING).
        """
        return bool(lib.flux_msg_is_streaming(self.handle))

    def decode(self):
        """Return (type, topic, payload_str).  An error response raises
        OSError with its errnum (and the error text as strerror).
        """
        if self.type == lib.FLUX_MSGTYPE_RESPONSE and self.errnum != 0:
            errnum = self.errnum
            text = self.payload_str
            raise OSError(errnum, text or os.strerror(errnum))
        return self.type, self.topic, self.payload_str

    def __repr__(self):
        try:
            topic = self.topic
        except OSError:
            topic = None
        return f"<Message {self.type_str} topic={topic!r}>"


def __getattr__(name):
    # MessageWatcher lives in flux.core.watchers, which imports Message
    # from here: resolved on first use to break the cycle.
    if name == "MessageWatcher":
        from flux.core.watchers import MessageWatcher  # pylint: disable=import-outside-toplevel

        return MessageWatcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
