# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.message.Message: an RFC 3 message (flux_msg_t).

A Message always holds its own reference on the C message: a new one is
created owned, and one that wraps a pointer from C (e.g. the message a
handler is called with) takes a reference with flux_msg_incref, so it
stays valid for as long as Python keeps the object.  The reference is
dropped when the object is collected.
"""

import json

from flux.core.inner import check, encode_payload, ffi, lib, to_bytes, to_str


class Message:
    """A Flux message.

    Message(type_id=FLUX_MSGTYPE_REQUEST) creates an empty message;
    Message(handle=ptr) wraps an existing flux_msg_t pointer (borrowed:
    a reference is taken).
    """

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
            to_bytes(topic), encode_payload(payload)))

    @property
    def topic(self):
        topic = ffi.new("const char **")
        check(lib.flux_msg_get_topic(self.handle, topic))
        return to_str(topic[0])

    @topic.setter
    def topic(self, value):
        check(lib.flux_msg_set_topic(self.handle, to_bytes(value)))

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
        return None if s is None else json.loads(s)

    @payload.setter
    def payload(self, value):
        if value is None:
            check(lib.flux_msg_set_payload(self.handle, ffi.NULL, 0))
        elif isinstance(value, (str, bytes)):
            self.payload_str = value
        else:
            self.payload_str = json.dumps(value)

    @property
    def type(self):
        t = ffi.new("int *")
        check(lib.flux_msg_get_type(self.handle, t))
        return t[0]

    @type.setter
    def type(self, value):
        check(lib.flux_msg_set_type(self.handle, value))

    @property
    def type_str(self):
        return to_str(lib.flux_msg_typestr(self.type))

    @property
    def userid(self):
        v = ffi.new("uint32_t *")
        check(lib.flux_msg_get_userid(self.handle, v))
        return v[0]

    @userid.setter
    def userid(self, value):
        check(lib.flux_msg_set_userid(self.handle, value))

    @property
    def rolemask(self):
        v = ffi.new("uint32_t *")
        check(lib.flux_msg_get_rolemask(self.handle, v))
        return v[0]

    @rolemask.setter
    def rolemask(self, value):
        check(lib.flux_msg_set_rolemask(self.handle, value))

    @property
    def noresponse(self):
        """True if the sender wants no response (FLUX_MSGFLAG_NORESPONSE)."""
        return bool(lib.flux_msg_is_noresponse(self.handle))

    @property
    def streaming(self):
        return bool(lib.flux_msg_is_streaming(self.handle))

    def decode(self):
        """Return (type, topic, payload_str)."""
        return self.type, self.topic, self.payload_str

    def __repr__(self):
        try:
            topic = self.topic
        except OSError:
            topic = None
        return f"<Message {self.type_str} topic={topic!r}>"
