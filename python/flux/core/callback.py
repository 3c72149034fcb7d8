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

A process forked from a callback (os.fork() in a broker module's
handler) is a copy of the module's thread inside its reactor: if it
returned into that reactor, it would read the module's wakeups, which
belong to the broker process, and the module would stop answering.  The
loader marks such a child (forked_child()), and then every trampoline
that is about to return into that reactor ends the child instead
(leave_if_forked()), and Flux.reactor_run() refuses to run it.
"""

import errno
import os
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


# In a child forked from a broker module's thread: (address of the
# module's reactor, the module's name).  None everywhere else, so a
# trampoline tests it before it calls leave_if_forked().
forked = None


def forked_child(reactor, name):
    """Mark this process as forked from the thread of module 'name',
    whose reactor it must not run (called by flux._pyloader in the
    child).
    """
    global forked
    forked = (int(ffi.cast("uintptr_t", reactor)), name)


def _is_parent_reactor(reactor):
    return (forked is not None and reactor is not None
            and int(ffi.cast("uintptr_t", reactor)) == forked[0])


def refuse_if_forked(reactor):
    """Raise RuntimeError if 'reactor' is the reactor of the module this
    process was forked from.
    """
    if _is_parent_reactor(reactor):
        raise RuntimeError(
            f"a process forked by broker module {forked[1]} cannot run "
            "the module's reactor: end the child with os._exit() or exec, "
            "or open a handle of its own with flux.Flux()")


def leave_if_forked(reactor):
    """Called by a trampoline before it returns into 'reactor': in a child
    forked from the module that owns it, report on stderr and exit with
    status 1 (the exception the callback raised, if any, is reported
    first).
    """
    if not _is_parent_reactor(reactor):
        return
    try:
        exc = take()
        text = ""
        if exc is not None:
            # N.B. Imported here, on the one path that needs it: every
            # flux program imports this module.
            import traceback  # pylint: disable=import-outside-toplevel
            text = "".join(traceback.format_exception(exc))
        text += (f"flux-broker: module {forked[1]}: process {os.getpid()}, "
                 "forked by a handler, returned into the module's reactor: "
                 "exiting (end a forked child with os._exit())\n")
        os.write(2, text.encode("utf-8", "replace"))
    finally:
        os._exit(1)
