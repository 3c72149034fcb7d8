# SPDX-License-Identifier: LGPL-3.0-or-later
"""C functions of libflux as Python methods, as flux-core's bindings allow.

Code written for flux-core often calls libflux directly through an
object: h.flux_get_rank(rank), msg.flux_msg_get_topic(p), or the same
names without their prefix (h.get_rank(rank) where no Python method of
that name exists).  Wrapper gives a class that: an attribute the class
does not define is looked up in libflux as PREFIX + name (or name
itself) for each of the class's prefixes, and if the C function's first
parameter has the type of the object's handle, the handle is passed
first.

Arguments and results are converted as flux-core does: str becomes
UTF-8 bytes, None becomes NULL, an object with a C handle (a Flux,
Message, Future) becomes that handle; a NULL pointer result becomes
None and a char * result bytes.  A call that fails (a NULL pointer or a
negative integer, with errno set) raises OSError with that errno.

flux.core.inner.raw is the same without a handle: raw.flux_msg_create(t)
and raw.FLUX_MSGTYPE_ANY.
"""

import os

from _flux._core import ffi, lib

__all__ = ["Wrapper", "raw"]

_INT_RESULTS = {ffi.typeof(t) for t in
                ("char", "short", "int", "long", "long long", "int32_t",
                 "int64_t", "ssize_t")}
_CHAR_P = ffi.typeof("char *")


def _lookup(names):
    """The first libflux function or constant among 'names', or None."""
    for name in names:
        obj = getattr(lib, name, None)
        if obj is not None:
            return name, obj
    return None, None


def _c_arg(value):
    if value is None:
        return ffi.NULL
    if isinstance(value, str):
        return value.encode("utf-8", errors="surrogateescape")
    handle = getattr(value, "handle", None)
    if handle is not None and isinstance(handle, ffi.CData):
        return handle
    return value


class _CFunction:
    """One libflux function, with flux-core's conversions and checks."""

    def __init__(self, name, fun, bound=None):
        self.name = name
        self.fun = fun
        self.ctype = ffi.typeof(fun)
        self.bound = bound

    def __call__(self, *args):
        args = [_c_arg(a) for a in args]
        if self.bound is not None:
            args.insert(0, self.bound)
        if len(args) != len(self.ctype.args):
            raise TypeError(
                f"{self.name}() takes {len(self.ctype.args)} arguments "
                f"({ffi.getctype(self.ctype)}), {len(args)} given")
        ffi.errno = 0
        result = self.fun(*args)
        errnum = ffi.errno
        rtype = self.ctype.result
        if rtype.kind in ("pointer", "array"):
            if result == ffi.NULL:
                if errnum:
                    raise OSError(errnum, os.strerror(errnum))
                return None
            if rtype is _CHAR_P:
                return ffi.string(result)
        elif rtype in _INT_RESULTS and result < 0 and errnum:
            raise OSError(errnum, os.strerror(errnum))
        return result

    def __repr__(self):
        return f"<libflux {ffi.getctype(self.ctype, self.name)}>"


class Wrapper:
    """Mixin: unknown attributes are libflux functions (see module doc).

    Subclasses set _wrapper_prefixes (tried in order, then the bare
    name) and _wrapper_handle_type (the C type of self.handle, e.g.
    "flux_t *"); self.handle is the C pointer.
    """

    _wrapper_prefixes = ("flux_",)
    _wrapper_handle_type = None

    def __getattr__(self, name):
        # Only called for names the object does not have; private names
        # and the handle itself must not recurse into libflux.
        if name.startswith("_") or name == "handle":
            raise AttributeError(name)
        cname, fun = _lookup([p + name for p in self._wrapper_prefixes
                              if not name.startswith(p)] + [name])
        if fun is None:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r} "
                f"(nor is there a libflux function "
                f"{' or '.join(p + name for p in self._wrapper_prefixes)})")
        if not callable(fun):
            return fun
        ctype = ffi.typeof(fun)
        bound = None
        if (self._wrapper_handle_type is not None and ctype.args
                and ctype.args[0] is ffi.typeof(self._wrapper_handle_type)):
            bound = self.handle
        return _CFunction(cname, fun, bound)


class _Raw:
    """libflux's functions (checked as above) and constants, unbound."""

    def __getattr__(self, name):
        fun = getattr(lib, name)
        if not callable(fun):
            return fun
        return _CFunction(name, fun)


raw = _Raw()
