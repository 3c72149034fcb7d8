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
None and a ``char *`` result bytes.  A call that fails (a NULL pointer or a
negative integer, with errno set) raises OSError with that errno.

flux.core.inner.raw is the same without a handle: raw.flux_msg_create(t)
and raw.FLUX_MSGTYPE_ANY.

The exceptions are flux-core's: a name that is no libflux function
raises MissingFunctionError, a call with too many or too few arguments
WrongNumArguments (a ValueError), an argument C cannot take (an int
for a ``char *``) InvalidArguments (a ValueError, chained to cffi's
TypeError), a call through an object whose handle is None ValueError.
Unlike flux-core, MissingFunctionError is raised when the attribute is
looked up, not when it is called, and is an AttributeError, so that
hasattr() and getattr(obj, name, default) keep their meaning.

WrapperBase is the class of every object with a C handle (Flux,
Message, Future are); WrapperPimpl is flux-core's base for a class
that keeps its C object in another one, self.pimpl, and whose handle
is the pimpl's.
"""

import errno
import os

from _flux._core import ffi, lib

__all__ = ["Wrapper", "WrapperBase", "WrapperPimpl", "MissingFunctionError",
           "WrongNumArguments", "InvalidArguments", "raw"]

_INT_RESULTS = {ffi.typeof(t) for t in
                ("char", "short", "int", "long", "long long", "int32_t",
                 "int64_t", "ssize_t")}
_CHAR_P = ffi.typeof("char *")


def errno_text(errnum):
    """flux-core's text for a failed libflux call: "ENOENT: No such file
    or directory".
    """
    name = errno.errorcode.get(errnum, f"Errno{errnum}")
    return f"{name}: {os.strerror(errnum)}"


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


class MissingFunctionError(AttributeError):
    """MissingFunctionError(name, c_name, name_list, arguments=None,
    owner=None): no libflux function answers to attribute 'name'.

    c_name is the C name the caller most likely meant, name_list the
    names that were tried, owner the name of the class looked in (None
    for raw).  The attributes of the same names hold them.
    """

    def __init__(self, name, c_name, name_list, arguments=None, owner=None):
        names = " or ".join(name_list)
        if owner is not None:
            text = (f"{owner!r} object has no attribute {name!r} "
                    f"(nor is there a libflux function {names})")
        else:
            text = f"libflux has no function or constant {names}"
        if arguments is not None:
            text += f"; called as {c_name}{tuple(arguments)!r}"
        super().__init__(text)
        self.name = name
        self.c_name = c_name
        self.name_list = list(name_list)
        self.arguments = arguments


def _arguments(count):
    return "1 argument" if count == 1 else f"{count} arguments"


class WrongNumArguments(ValueError):
    """WrongNumArguments(name, signature, ftype, arguments, htype): a
    libflux function called with too many or too few arguments.

    signature is the C type as text, ftype the cffi function type,
    arguments those C would have got (the handle first, when the
    function is called on an object), htype the C type of that handle
    or None.
    """

    def __init__(self, name, signature, ftype, arguments, htype):
        self.name = name
        self.signature = signature
        self.expected = len(ftype.args)
        self.received = len(arguments)
        self.arguments = tuple(arguments)
        self.handle_type = htype
        if htype is None:
            text = (f"{name}() takes {_arguments(self.expected)} "
                    f"({signature}), {self.received} given")
        else:
            text = (f"{name}() takes {_arguments(self.expected - 1)} after "
                    f"the {htype} handle it is called on ({signature}), "
                    f"{self.received - 1} given")
        super().__init__(text)


class InvalidArguments(ValueError):
    """InvalidArguments(name, signature, arguments, reason=None): C
    cannot take one of the arguments (cffi's TypeError is the cause,
    its text the reason)."""

    def __init__(self, name, signature, arguments, reason=None):
        self.name = name
        self.signature = signature
        self.arguments = tuple(arguments)
        text = (f"invalid arguments {self.arguments!r} to {name}() "
                f"({signature})")
        if reason:
            text += f": {reason}"
        super().__init__(text)


class _CFunction:
    """One libflux function, with flux-core's conversions and checks."""

    def __init__(self, name, fun, bound=None, htype=None):
        self.name = name
        self.fun = fun
        self.ctype = ffi.typeof(fun)
        self.bound = bound
        # The C type of the object's handle, when the function takes it.
        self.htype = htype

    def __call__(self, *args_in):
        args = [_c_arg(a) for a in args_in]
        signature = ffi.getctype(self.ctype)
        if self.htype is not None:
            if self.bound is None or self.bound == ffi.NULL:
                raise ValueError(
                    f"cannot call {self.name}(): it takes the object's "
                    f"{self.htype} handle, which is NULL")
            args.insert(0, self.bound)
        if len(args) != len(self.ctype.args):
            raise WrongNumArguments(self.name, signature, self.ctype, args,
                                    self.htype)
        ffi.errno = 0
        try:
            result = self.fun(*args)
        except TypeError as exc:
            raise InvalidArguments(self.name, signature, args_in,
                                   str(exc)) from exc
        errnum = ffi.errno
        rtype = self.ctype.result
        if rtype.kind in ("pointer", "array"):
            if result == ffi.NULL:
                if errnum:
                    raise OSError(errnum, errno_text(errnum))
                return None
            if rtype is _CHAR_P:
                return ffi.string(result)
        elif rtype in _INT_RESULTS and result < 0 and errnum:
            raise OSError(errnum, errno_text(errnum))
        return result

    def __repr__(self):
        return f"<libflux {ffi.getctype(self.ctype, self.name)}>"


class WrapperBase:
    """An object with a C handle: self.handle, the C pointer, or None.

    Passed to a libflux function through the wrappers, the object
    stands for its handle.
    """

    handle = None


class WrapperPimpl(WrapperBase):
    """An object whose C object lives in another, self.pimpl: its
    handle is self.pimpl.handle (None while there is no pimpl), and
    setting it sets the pimpl's.  Leaving a with block on the object
    leaves it on the pimpl, if the pimpl has __exit__.
    """

    pimpl = None

    def __init__(self):
        super().__init__()
        self.pimpl = None

    @property
    def handle(self):
        """The C object (a cffi pointer) of the wrapped implementation,
        or None.
        """
        if self.pimpl is None:
            return None
        return self.pimpl.handle

    @handle.setter
    def handle(self, handle):
        if self.pimpl is None:
            raise AttributeError(
                f"{type(self).__name__!r} object has no pimpl to hold "
                "its handle")
        self.pimpl.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, type_arg, value, last):
        leave = getattr(self.pimpl, "__exit__", None)
        if leave is not None:
            leave(type_arg, value, last)


class Wrapper(WrapperBase):
    """Mixin: unknown attributes are libflux functions (see module doc).

    Subclasses set _wrapper_prefixes (tried in order, then the bare
    name) and _wrapper_handle_type (the C type of self.handle, e.g.
    ``"flux_t *"``); self.handle is the C pointer.
    """

    _wrapper_prefixes = ("flux_",)
    _wrapper_handle_type = None

    def __enter__(self):
        return self

    def __exit__(self, type_arg, value, last):
        """Free the C object now, as flux-core's wrapper does: a class's
        own destroy() if it has one, else the handle's destructor (the
        one given to ffi.gc when it was adopted).
        """
        # N.B. looked up on the class: self.destroy would find the
        # libflux function (e.g. flux_msg_destroy) through __getattr__,
        # and free the C object behind ffi.gc's back.
        destroy = getattr(type(self), "destroy", None)
        if destroy is not None:
            destroy(self)
        elif self.handle is not None:
            handle, self.handle = self.handle, None
            ffi.release(handle)

    def __getattr__(self, name):
        # Only called for names the object does not have; private names
        # and the handle itself must not recurse into libflux.
        if name.startswith("_") or name == "handle":
            raise AttributeError(name)
        tried = [p + name for p in self._wrapper_prefixes
                 if not name.startswith(p)] + [name]
        cname, fun = _lookup(tried)
        if fun is None:
            raise MissingFunctionError(name, tried[0], tried,
                                       owner=type(self).__name__)
        if not callable(fun):
            return fun
        ctype = ffi.typeof(fun)
        if (self._wrapper_handle_type is not None and ctype.args
                and ctype.args[0] is ffi.typeof(self._wrapper_handle_type)):
            return _CFunction(cname, fun, self.handle,
                              self._wrapper_handle_type)
        return _CFunction(cname, fun)


class _Raw:
    """libflux's functions (checked as above) and constants, unbound:
    raw.flux_msg_create(t), or without the prefix, raw.msg_create(t) and
    raw.MSGTYPE_EVENT, as flux-core's.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        tried = [name]
        if not name.lower().startswith("flux_"):
            tried += ["flux_" + name, "FLUX_" + name]
        cname, fun = _lookup(tried)
        if fun is None:
            raise MissingFunctionError(name, name, tried)
        if not callable(fun):
            return fun
        return _CFunction(cname, fun)


raw = _Raw()
