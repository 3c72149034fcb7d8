# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.future.Future: a result that arrives later (flux_future_t).

A Future owns its C future.  One created from a handle (an RPC, a
service registration) also holds a reference on that handle (flux_incref)
until the C future is destroyed, so garbage collection may free the two
in any order.

A future with a pending then() callback must stay alive even if the
caller drops it (h.rpc(...).then(cb) is the common idiom).  _PENDING
counts, per future, the callbacks still expected: then() and reset()
add one, each callback run takes one, and at zero the future may be
collected.
"""

import errno

from flux.core import callback
from flux.core.inner import check, ffi, lib, raise_errno, to_str

_PENDING = {}


@ffi.def_extern()
def continuation_callback(c_future, arg):
    try:
        future = ffi.from_handle(arg)
        count = _PENDING.get(future, 0) - 1
        if count > 0:
            _PENDING[future] = count
        else:
            _PENDING.pop(future, None)
        future._then_cb(future, *future._then_args, **future._then_kw)
    except BaseException as exc:  # pylint: disable=broad-except
        callback.stash(exc, lib.flux_future_get_reactor(c_future))


def _own(c_future, c_h=None):
    """Take ownership of c_future, and a reference on c_h if given."""
    check(c_future)
    if c_h is None:
        return ffi.gc(c_future, lib.flux_future_destroy)
    lib.flux_incref(c_h)

    def _destroy(p, c_h=c_h):
        lib.flux_future_destroy(p)
        lib.flux_decref(c_h)

    return ffi.gc(c_future, _destroy)


class Future:
    """Wraps a flux_future_t the caller owns (reference transferred).

    flux_handle: the Flux object the future was made with, if any; it is
    kept alive with the future and returned by get_flux().
    """

    def __init__(self, future_handle, flux_handle=None):
        c_h = flux_handle.handle if flux_handle is not None else None
        self.handle = _own(future_handle, c_h)
        self._flux = flux_handle
        self._then_cb = None
        self._then_args = ()
        self._then_kw = {}
        self._cb_handle = None

    def _check(self, rc):
        """check() with the future's error text (the server's words)."""
        return check(rc, self.error_string)

    def error_string(self):
        """Text of the error the future failed with, or None."""
        return to_str(lib.flux_future_error_string(self.handle))

    def then(self, cb, *args, timeout=-1.0, **kw):
        """Call cb(future, *args, **kw) in the reactor when fulfilled, and
        again after each reset() (streams).  With timeout >= 0, fail the
        future with ETIMEDOUT if it is not fulfilled in time.
        Returns self.  A second then() raises OSError(EEXIST).
        """
        if self._then_cb is not None:
            raise_errno(errno.EEXIST, "then callback already set")
        if cb is None:
            raise ValueError("callback cannot be None")
        self._cb_handle = ffi.new_handle(self)
        self._check(lib.flux_future_then(self.handle, float(timeout),
                                         lib.continuation_callback,
                                         self._cb_handle))
        self._then_cb = cb
        self._then_args = args
        self._then_kw = kw
        _PENDING[self] = _PENDING.get(self, 0) + 1
        return self

    def reset(self):
        """Forget the current result so the next one of a stream arrives."""
        lib.flux_future_reset(self.handle)
        if self._then_cb is not None:
            _PENDING[self] = _PENDING.get(self, 0) + 1

    def is_ready(self):
        return bool(lib.flux_future_is_ready(self.handle))

    def wait_for(self, timeout=-1.0):
        """Block until fulfilled; OSError(ETIMEDOUT) after 'timeout'
        seconds (< 0: forever).  Returns self.
        """
        check(lib.flux_future_wait_for(self.handle, float(timeout)))
        return self

    def get(self):
        """Block until fulfilled; raise OSError (errno and the error text
        the future was failed with) on failure.  Returns None.
        """
        self._check(lib.flux_future_get(self.handle, ffi.NULL))

    def get_flux(self):
        """The Flux handle of the current context, or None."""
        c_h = lib.flux_future_get_flux(self.handle)
        if c_h == ffi.NULL:
            return None
        if self._flux is not None and self._flux.handle == c_h:
            return self._flux
        from flux.core.handle import Flux  # pylint: disable=import-outside-toplevel

        return Flux(handle=c_h)

    def get_reactor(self):
        return lib.flux_future_get_reactor(self.handle)
