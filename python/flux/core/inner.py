# SPDX-License-Identifier: LGPL-3.0-or-later
"""The one place where C results become Python values and exceptions.

libflux returns -1 or NULL and sets errno; check() turns that into
OSError(errno, text), so Python's OSError subclasses (FileNotFoundError,
TimeoutError, ...) come for free.  cffi saves errno right after each C
call, per thread, so ffi.errno read here is the one the call set.
"""

import errno
import json
import os

from _flux._core import ffi, lib
from flux.wrapper import errno_text, raw

__all__ = ["ffi", "lib", "raw", "check", "raise_errno", "to_bytes",
           "to_str", "encode_payload", "encode_topic", "new_match",
           "encode_json", "decode_json"]


def raise_errno(errnum=None, text=None):
    """Raise OSError for errnum (default: the C errno) with text
    (default: errno_text()).
    """
    if errnum is None:
        errnum = ffi.errno
    if not text:
        text = errno_text(errnum)
    raise OSError(errnum, text)


def check(rc, text=None):
    """Return rc unless it signals failure (-1, any negative int, NULL).

    On failure raise OSError with the C errno and 'text' (a str, or a
    callable giving one, evaluated only on failure), else strerror.
    """
    if isinstance(rc, int):
        failed = rc < 0
    else:
        failed = rc == ffi.NULL
    if failed:
        errnum = ffi.errno
        if callable(text):
            text = text()
        raise_errno(errnum, text)
    return rc


def to_bytes(s):
    """str -> UTF-8 bytes; bytes pass; None -> NULL."""
    if s is None:
        return ffi.NULL
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, bytes):
        return s
    raise TypeError(f"expected str or bytes, not {type(s).__name__}")


def to_str(p):
    """const char * cdata -> str, or None for NULL."""
    if p == ffi.NULL:
        return None
    return ffi.string(p).decode("utf-8", errors="replace")


# JSON, as json.dumps(value, ensure_ascii=False) and json.loads(s) give
# it, at a fraction of their cost for the small payloads of most
# messages: json.dumps builds a new JSONEncoder on every call given any
# option, and both go through several Python frames (and json.loads
# through two regular expressions) around the C encoder and scanner.
_ENCODER = json.JSONEncoder(ensure_ascii=False)
_C_MAKE_ENCODER = json.encoder.c_make_encoder  # None without _json
_SCAN = json.JSONDecoder().scan_once


def encode_json(value):
    """json.dumps(value, ensure_ascii=False), the same text or error."""
    if _C_MAKE_ENCODER is None or isinstance(value, str):
        return _ENCODER.encode(value)
    # What JSONEncoder.iterencode(value, _one_shot=True) does with these
    # options, with a C encoder kept from an earlier call rather than a
    # new one (making one costs more than most encodings).  Its marker
    # dict (the circular reference check) is empty again after a
    # success.  An encoder is taken out of the pool while in use (a list
    # pop is atomic under the GIL), so that another thread, or a call
    # made meanwhile (a dict subclass's items() may encode), gets one of
    # its own; it is dropped if the encoding fails, which may leave
    # markers behind.
    try:
        encoder = _ENCODER_POOL.pop()
    except IndexError:
        encoder = _C_MAKE_ENCODER({}, *_ENCODER_ARGS)
    text = "".join(encoder(value, 0))
    _ENCODER_POOL.append(encoder)
    return text


# The C encoder's arguments after its marker dict, looked up once.
_ENCODER_ARGS = (_ENCODER.default, json.encoder.encode_basestring, None,
                 _ENCODER.key_separator, _ENCODER.item_separator, False,
                 False, True)
# Encoders not in use: as many as calls were ever in progress at once.
_ENCODER_POOL = []


def decode_json(s):
    """json.loads(s), the same value or error.

    json.loads skips white space, runs the scanner and requires that
    nothing but white space follows.  Here the scanner runs from the
    start: a syntax error raises the scanner's JSONDecodeError, as in
    json.loads; anything else it does not take as exactly the whole
    string (white space around the value, no value, not a str) goes to
    json.loads, which accepts it or raises its own error for it.
    """
    if isinstance(s, str):
        try:
            value, end = _SCAN(s, 0)
        except StopIteration:
            pass
        else:
            if end == len(s):
                return value
    return json.loads(s)


def encode_payload(payload):
    """A payload as flux-core's bindings take it: None (no payload), str
    or bytes (sent as a string), or anything json.dumps accepts.
    """
    if payload is None or payload is ffi.NULL:
        return ffi.NULL
    if isinstance(payload, str):
        return payload.encode("utf-8", errors="surrogateescape")
    if isinstance(payload, bytes):
        return payload
    return encode_json(payload).encode("utf-8", errors="surrogateescape")


def encode_topic(topic):
    """A topic as flux-core's bindings take it: str or bytes.  None is
    OSError(EINVAL); any other type TypeError.
    """
    if topic is None or topic is ffi.NULL:
        raise OSError(errno.EINVAL, "Topic must not be None/NULL")
    if isinstance(topic, str):
        return topic.encode("utf-8")
    if not isinstance(topic, bytes):
        raise TypeError(errno.EINVAL,
                        f"Topic must be a string, not {type(topic)}")
    return topic


def new_match(type_mask, match_tag, topic_glob):
    """A struct flux_match * for flux_recv or a message handler, and the
    char[] its topic_glob points to: the struct does not keep it alive,
    so the caller holds the second value as long as it uses the first.
    """
    match = ffi.new("struct flux_match *")
    match.typemask = type_mask
    match.matchtag = match_tag
    glob = ffi.new("char[]", to_bytes(topic_glob)) if topic_glob \
        else ffi.NULL
    match.topic_glob = glob
    return match, glob
