# SPDX-License-Identifier: LGPL-3.0-or-later
"""Exceptions raised inside callbacks that C calls.

A Python exception must not cross back into C: cffi would print it and
return 0, and the program would go on as if nothing happened.  So every
trampoline (@ffi.def_extern) catches BaseException and calls stash(),
which keeps the exception in a thread-local slot and stops the reactor
that called it with an error.  Flux.reactor_run() then re-raises it in
the thread that ran the loop, with its original traceback.

A request whose handler raised is answered before the exception is
stashed (flux.core.watchers): the sender gets an error response made by
error_response() rather than waiting forever for an answer that will
never come.

The slot is per thread because each thread runs its own reactor (in the
broker, each module has its own thread).  If several callbacks fail
before the loop returns, the first exception is kept: the later ones are
most likely consequences of it.
"""

import errno
import threading

from flux.core.inner import ffi, lib

tls = threading.local()


def stash(exc, reactor):
    """Keep 'exc' for reactor_run() and stop 'reactor' with an error."""
    if getattr(tls, "exception", None) is None:
        tls.exception = exc
    if reactor is not None and reactor != ffi.NULL:
        lib.flux_reactor_stop_error(reactor)


def take():
    """Return and clear this thread's stashed exception (or None)."""
    exc = getattr(tls, "exception", None)
    tls.exception = None
    return exc


def error_response(exc):
    """(errnum, text) of the error response to a request whose handler
    raised exc: an OSError keeps its errno (EINVAL if it has none) and
    its strerror; anything else is EINVAL with "ExceptionType: text".
    """
    if isinstance(exc, OSError):
        return exc.errno or errno.EINVAL, exc.strerror or str(exc) or None
    text = str(exc)
    name = type(exc).__name__
    return errno.EINVAL, f"{name}: {text}" if text else name
