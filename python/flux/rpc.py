# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.rpc.RPC: a request whose response(s) fulfil a Future.

An error response fails the future: get()/get_str() raise OSError with
the response's errnum and the server's error text.  For a streaming RPC
(flags=FLUX_RPC_STREAMING), call get() then reset() for each response;
the stream ends with OSError(ENODATA).
"""

import sys

from flux.core.inner import (check, decode_json, encode_payload,
                             encode_topic, ffi, lib, raise_errno)
from flux.future import Future


class RPC(Future):
    """RPC(flux_handle, topic, payload=None, nodeid=FLUX_NODEID_ANY,
    flags=0).  payload: None, str, bytes, or anything json.dumps takes;
    topic: str or bytes (else TypeError).  `with h.rpc(...) as f:`
    destroys the RPC at the end of the block.  flux_rpc_* functions are
    methods too (f.get_matchtag()).
    """

    _wrapper_prefixes = ("flux_rpc_", "flux_future_", "flux_")

    def __init__(self, flux_handle, topic, payload=None,
                 nodeid=lib.FLUX_NODEID_ANY, flags=0):
        # N.B. encode_topic() and encode_payload() for a str, and check(),
        # inlined: one RPC is made per request.
        if type(topic) is not str:
            topic = encode_topic(topic)
        else:
            topic = topic.encode("utf-8")
        if type(payload) is str:
            payload = payload.encode("utf-8", errors="surrogateescape")
        else:
            payload = encode_payload(payload)
        c_future = lib.flux_rpc(flux_handle.handle, topic, payload, nodeid,
                                flags)
        if c_future == ffi.NULL:
            raise_errno(ffi.errno)
        # N.B. What Future.__init__ does, less what an RPC needs not: the
        # C future holds a reference on the handle (see future._own).
        self.handle = ffi.gc(c_future, lib.flux_future_destroy)
        self._flux = flux_handle
        self.flux_handle = flux_handle
        # On a running flux.aio loop of this reactor, the response must
        # not be missed (Future._await_early).  N.B. asyncio is looked up,
        # not imported: a program that never uses it pays nothing.
        aio = sys.modules.get("flux.aio")
        if aio is not None and not flags & lib.FLUX_RPC_STREAMING:
            loop = aio.running_loop_of(flux_handle)
            if loop is not None:
                self._await_early(loop)

    def get_str(self):
        """The response payload as str, or None if it has none."""
        s = ffi.new("const char **")
        handle = self.handle
        if handle is None:
            self._live()  # raises
        if lib.flux_rpc_get(handle, s) < 0:
            # As check(): the errno, and the server's text if any; but an
            # exception a callback left pending goes first.
            errnum = ffi.errno
            text = self.error_string()
            self.raise_if_handle_exception()
            raise_errno(errnum, text)
        p = s[0]
        if p == ffi.NULL:
            return None
        return ffi.string(p).decode("utf-8", errors="replace")

    def get(self):
        """The JSON-decoded response payload, or None if it has none."""
        s = self.get_str()
        return None if s is None else decode_json(s)

    def get_raw(self):
        """The response payload as bytes (b"" if it has none)."""
        data = ffi.new("const void **")
        size = ffi.new("size_t *")
        try:
            self._check(lib.flux_rpc_get_raw(self._live(), data, size))
        except OSError:
            self.raise_if_handle_exception()
            raise
        if data[0] == ffi.NULL:
            return b""
        return bytes(ffi.buffer(data[0], size[0]))

    def get_matchtag(self):
        """The matchtag that pairs this RPC's responses with its request."""
        return lib.flux_rpc_get_matchtag(self._live())

    def get_nodeid(self):
        """The rank the request was sent to (FLUX_NODEID_ANY if any)."""
        return lib.flux_rpc_get_nodeid(self._live())
