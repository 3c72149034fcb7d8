# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.rpc.RPC: a request whose response(s) fulfil a Future.

An error response fails the future: get()/get_str() raise OSError with
the response's errnum and the server's error text.  For a streaming RPC
(flags=FLUX_RPC_STREAMING), call get() then reset() for each response;
the stream ends with OSError(ENODATA).
"""

import json

from flux.core.inner import encode_payload, encode_topic, ffi, lib, to_str
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
        c_future = lib.flux_rpc(flux_handle.handle, encode_topic(topic),
                                encode_payload(payload), nodeid, flags)
        super().__init__(c_future, flux_handle=flux_handle)
        self.flux_handle = flux_handle

    def get_str(self):
        """The response payload as str, or None if it has none."""
        s = ffi.new("const char **")
        try:
            self._check(lib.flux_rpc_get(self._live(), s))
        except OSError:
            self.raise_if_handle_exception()
            raise
        return to_str(s[0])

    def get(self):
        """The JSON-decoded response payload, or None if it has none."""
        s = self.get_str()
        return None if s is None else json.loads(s)

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
        return lib.flux_rpc_get_matchtag(self._live())

    def get_nodeid(self):
        return lib.flux_rpc_get_nodeid(self._live())
