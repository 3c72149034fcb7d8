# SPDX-License-Identifier: LGPL-3.0-or-later
"""The one place where C results become Python values and exceptions.

libflux returns -1 or NULL and sets errno; check() turns that into
OSError(errno, text), so Python's OSError subclasses (FileNotFoundError,
TimeoutError, ...) come for free.  cffi saves errno right after each C
call, per thread, so ffi.errno read here is the one the call set.
"""

import errno
import os

from _flux._core import ffi, lib
from flux.wrapper import errno_text, raw

__all__ = ["ffi", "lib", "raw", "check", "raise_errno", "to_bytes",
           "to_str", "encode_payload", "encode_topic", "new_match",
           "encode_json", "decode_json", "json_encoder", "dumps_json"]


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


# JSON, as json.dumps() and json.loads() give it, at a fraction of their
# cost for the small payloads of most messages, and without importing
# the json package: its decoder and encoder compile six regular
# expressions at import, and with re and enum that is about 9 ms of a
# broker's start, which the first Python module waits for.  These use
# CPython's C accelerator (_json, which json itself uses) directly; json
# is imported only where these hand over to it: a payload the scanner
# does not take whole (white space around the value, bytes, an error to
# word), or a Python without _json.  json.dumps builds a
# new JSONEncoder on every call given any option, and both go through
# several Python frames (and json.loads through two regular expressions)
# around the same C encoder and scanner.
try:
    import _json
except ImportError:  # another Python: json's pure-Python code
    _json = None


def _json_module():
    import json  # pylint: disable=import-outside-toplevel
    return json


def _not_serializable(value):
    # What JSONEncoder.default() raises, in the same words.
    raise TypeError(f"Object of type {value.__class__.__name__} "
                    f"is not JSON serializable")


def json_encoder(ensure_ascii=True, sort_keys=False, separators=None):
    """A function of one value that returns json.dumps(value,
    ensure_ascii=ensure_ascii, sort_keys=sort_keys,
    separators=separators): the same text, or the same error.
    """
    item_sep, key_sep = separators or (", ", ": ")
    if _json is None:
        def dumps_(value):
            return _json_module().dumps(value, ensure_ascii=ensure_ascii,
                                        sort_keys=sort_keys,
                                        separators=(item_sep, key_sep))
        return dumps_
    quote = (_json.encode_basestring_ascii if ensure_ascii
             else _json.encode_basestring)
    # What JSONEncoder.iterencode(value, _one_shot=True) does with these
    # options, with a C encoder kept from an earlier call rather than a
    # new one (making one costs more than most encodings).  Its marker
    # dict (the circular reference check) is empty again after a
    # success.  An encoder is taken out of the pool while in use (a list
    # pop is atomic under the GIL), so that another thread, or a call
    # made meanwhile (a dict subclass's items() may encode), gets one of
    # its own; it is dropped if the encoding fails, which may leave
    # markers behind.  The pool holds as many encoders as calls were
    # ever in progress at once.
    args = (_not_serializable, quote, None, key_sep, item_sep, sort_keys,
            False, True)
    pool = []
    make = _json.make_encoder

    def dumps(value):
        if isinstance(value, str):
            return quote(value)
        try:
            encoder = pool.pop()
        except IndexError:
            encoder = make({}, *args)
        text = "".join(encoder(value, 0))
        pool.append(encoder)
        return text
    return dumps


# json.dumps(value, ensure_ascii=False): what messages carry.
encode_json = json_encoder(ensure_ascii=False)
encode_json.__doc__ = ("json.dumps(value, ensure_ascii=False), the same "
                       "text or error.")

# json.dumps(value) with its defaults: what flux-core's bindings send
# where they call json.dumps (a payload setter, a future's result).
dumps_json = json_encoder()
dumps_json.__doc__ = "json.dumps(value), the same text or error."


class _ScanContext:
    """The attributes _json's scanner reads from a JSONDecoder, as
    JSONDecoder() sets them.
    """
    # pylint: disable=too-few-public-methods
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"),
                      "NaN": float("nan")}.__getitem__


_SCAN = _json.make_scanner(_ScanContext()) if _json is not None else None


def decode_json(s):
    """json.loads(s), the same value or error.

    json.loads skips white space, runs the scanner and requires that
    nothing but white space follows.  Here the scanner runs from the
    start: a syntax error raises the scanner's JSONDecodeError, as in
    json.loads; anything else it does not take as exactly the whole
    string (white space around the value, no value, not a str) goes to
    json.loads, which accepts it or raises its own error for it.
    """
    if _SCAN is not None and isinstance(s, str):
        try:
            value, end = _SCAN(s, 0)
        except StopIteration:
            pass
        else:
            if end == len(s):
                return value
    return _json_module().loads(s)


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
