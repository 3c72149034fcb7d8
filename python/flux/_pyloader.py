# SPDX-License-Identifier: LGPL-3.0-or-later
"""The Python half of pyloader.so: run one broker module on this thread.

pyloader.so (modules/pyloader/pyloader.c) calls run() on the module's
thread, holding the GIL, with the address of the module's flux_t, the
file's path, the module name and the arguments.  run() returns the errno
the module exits with, 0 for success; it never raises.

Loading.  The file is compiled and executed as a module object of its
own, registered in sys.modules as "flux_module_<name>" while it runs and
removed when it exits, so the same file can be loaded under several
names, and removed and loaded again, without sharing or leaking state.
The entry point is mod_main(h, *args), or the one BrokerModule subclass
(flux.brokermod.resolve_entry_point).

Errors.  A failure to load (SyntaxError, ImportError, any exception
while the file runs, no or an ambiguous entry point) fails the load:
EINVAL, or the errno of an OSError.  An exception from the entry point
maps as flux-core's loader does: OSError -> its errno (ECONNRESET if it
has none), ValueError -> EINVAL, anything else -> ECONNRESET.  Either
way the module's error text is the exception's last line with its file
and line (the broker adds the errno's text after it, so `flux module
load` prints e.g. "...(mod.py, line 3): File exists"), and the full
traceback goes to the broker log under the module's name.

Output.  print() and warnings from a module go to the broker log under
the module's name: sys.stdout (at LOG_INFO) and sys.stderr (LOG_ERR)
are replaced, once, by writers that look up the module running on the
calling thread, or the module that started it (threading.Thread.start is
wrapped so a thread inherits its starter's module); other threads, and
threads that outlive their module, write to the original streams.
Warnings are logged at LOG_WARNING.
"""

import _imp
import errno
import gc
import importlib.machinery
# N.B. What importlib.util offers for bytecode files, from the module that
# defines it: importlib.util imports contextlib, which a broker's start
# would otherwise wait for.
from importlib._bootstrap_external import (_RAW_MAGIC_NUMBER, MAGIC_NUMBER,
                                           cache_from_source)
import io
import marshal
import os
import sys
import threading
import types
import warnings
from syslog import LOG_ERR, LOG_INFO, LOG_WARNING

from _flux import _site

from flux.brokermod import resolve_entry_point
from flux.constants import FLUX_MSGTYPE_REQUEST
from flux.core import callback
from flux.core.handle import Flux
from flux.core.inner import ffi, lib

__all__ = ["run", "shutdown", "ModuleInterrupted"]

MODULE_PREFIX = "flux_module_"


class ModuleInterrupted(BaseException):
    """Raised in a module's thread by the broker when the module did not
    exit after it was asked to (flux module remove).  pyloader.so raises
    the class, so the message comes from the default argument.
    """

    def __init__(self, *args):
        super().__init__(*(args or ("the module did not return after "
                                    "shutdown: interrupted by the broker",)))


_tls = threading.local()


class _Context:
    """The module running on a thread: where its output goes.

    Threads the module starts share it (see _start_thread), and may
    outlive the module: once it is closed, which the module's thread
    does before its handle goes away, their output goes to the original
    streams.  The lock keeps close() from passing a write in progress.
    N.B. A write from such a thread sends on the module's handle while
    the module's thread may be using it: the send is thread-safe (the
    channel's queue has a mutex), only the handle's message counters
    may miss a count.
    """

    def __init__(self, c_handle, name, path):
        self.c_handle = c_handle
        self.name = name
        self.path = path
        self.lock = threading.Lock()
        self.closed = False
        self.partial = {}  # (thread id, level) -> text not yet ended
        self.module = None  # the module object running
        self.instance = None  # its BrokerModule, if it is one
        self.thread = None  # ident of the module's own thread
        self.threads = set()  # idents of the threads it started, alive
        self.drain = None  # the watcher of a reload waiting for tasks

    def log(self, level, text):
        """Log text, one entry per line.  False if the module is gone."""
        with self.lock:
            if self.closed:
                return False
            for line in text.splitlines():
                lib.flux_log(self.c_handle, level, b"%s",
                             ffi.new("char[]",
                                     line.encode("utf-8", "replace")))
            return True

    def write(self, level, s):
        """Write s at level; False (nothing written) if the module is
        gone.
        """
        if self.closed:
            return False
        key = (threading.get_ident(), level)
        text = self.partial.pop(key, "") + s
        head, sep, tail = text.rpartition("\n")
        if tail:
            self.partial[key] = tail
        return not sep or self.log(level, head)

    def flush(self, everything=False):
        """Log this thread's unfinished lines (every thread's if
        everything is true).
        """
        me = threading.get_ident()
        for key in sorted(k for k in self.partial
                          if everything or k[0] == me):
            self.log(key[1], self.partial.pop(key))

    def close(self):
        self.flush(everything=True)
        with self.lock:
            self.closed = True

    def set_error(self, text):
        lib.flux_module_set_error(self.c_handle, b"%s",
                                  ffi.new("char[]",
                                          text.encode("utf-8", "replace")))


def _current():
    return getattr(_tls, "module", None)


class _RoutedStream(io.TextIOBase):
    """sys.stdout/sys.stderr: to the broker log on a module's thread,
    to the original stream elsewhere.  Line-buffered.
    """

    def __init__(self, original, level):
        super().__init__()
        self._original = original
        self._level = level

    @property
    def original(self):
        return self._original

    @property
    def encoding(self):
        return getattr(self._original, "encoding", None) or "utf-8"

    @property
    def errors(self):
        return getattr(self._original, "errors", None) or "strict"

    def writable(self):
        return True

    def isatty(self):
        if _current() is not None or self._original is None:
            return False
        return self._original.isatty()

    def fileno(self):
        if _current() is not None or self._original is None:
            raise io.UnsupportedOperation(
                "a broker module's output goes to the broker log")
        return self._original.fileno()

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not "
                            f"{type(s).__name__}")
        ctx = _current()
        if ctx is not None and ctx.write(self._level, s):
            return len(s)
        if self._original is not None:
            self._original.write(s)
        return len(s)

    def flush(self):
        ctx = _current()
        if ctx is not None and not ctx.closed:
            ctx.flush()
        elif self._original is not None:
            self._original.flush()


_saved = None


def _showwarning(message, category, filename, lineno, file=None,
                 line=None):
    ctx = _current()
    if (ctx is None or file is not None
            or not ctx.log(LOG_WARNING,
                           warnings.formatwarning(message, category,
                                                  filename, lineno, line))):
        _saved["showwarning"](message, category, filename, lineno, file,
                              line)


def _start_thread(thread):
    """threading.Thread.start: a thread started by a module belongs to
    it (its output goes to the module's log), and so do the threads it
    starts in turn.
    """
    ctx = _current()
    if ctx is not None:
        run = thread.run

        def run_in_module():
            # N.B. Not reset when run() ends: threading reports an
            # exception that escapes run() after this returns, and that
            # report is the module's too.
            _tls.module = ctx
            me = threading.get_ident()
            ctx.threads.add(me)
            try:
                run()
            finally:
                ctx.threads.discard(me)

        # An instance attribute shadows run(), even a subclass's.
        thread.run = run_in_module
    return _saved["thread_start"](thread)


def _after_fork_in_child():
    """os.fork() from a module's thread (or one it started): the child
    is no part of the module.  Its output goes to the broker's own
    stdout/stderr (the module's log channel has nobody reading it in the
    child), and it may not return into the module's reactor (see
    flux.core.callback).  pyloader.so has already unblocked the child's
    signals and made it end when the thread that forked it ends.
    """
    ctx = _current()
    if ctx is None:
        return
    _tls.module = None
    # N.B. Another thread of the parent may have held the lock.
    ctx.lock = threading.Lock()
    ctx.closed = True
    callback.forked_child(lib.flux_get_reactor(ctx.c_handle), ctx.name)


def _no_vfork(subprocess):
    """subprocess starts a command with vfork or posix_spawn, which run
    no fork handler: the command would start with the module thread's
    signal mask, every signal blocked, and SIGTERM (Popen.terminate)
    could not end it.  Started with fork, it gets pyloader.so's handler,
    which unblocks them.  (Only modules run in this interpreter.)
    """
    subprocess._USE_VFORK = False
    subprocess._USE_POSIX_SPAWN = False


class _AfterExec:
    """A module's own loader, and after(module) once the module has run;
    anything else is asked of the loader it wraps.
    """

    def __init__(self, loader, after):
        self._loader = loader
        self._after = after

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        self._after(module)


class _AfterImport:
    """First on sys.meta_path until module 'name' is imported: finds it as
    the path finder does, with _AfterExec around its loader.  Every other
    name is left to the finders after it.
    """

    def __init__(self, name, after):
        self._name = name
        self._after = after

    def find_spec(self, name, path=None, target=None):
        if name != self._name:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _AfterExec(spec.loader, self._after)
        return spec


def _after_import(name, after):
    """after(module) now if module 'name' was imported, else when it is:
    what the loader sets up for a module the broker's modules may never
    use costs nothing until one does (importing subprocess with the
    loader made the first module's load some 5 ms slower, for the few
    modules that start commands).
    """
    if name in sys.modules:
        after(sys.modules[name])
    else:
        sys.meta_path.insert(0, _AfterImport(name, after))


def _install_streams():
    """Route sys.stdout, sys.stderr and warnings by thread (once)."""
    global _saved
    if _saved is not None:
        return
    # N.B. Installed with the streams, once: a hook cannot be removed.
    os.register_at_fork(after_in_child=_after_fork_in_child)
    _after_import("subprocess", _no_vfork)
    _after_import("logging", _route_logging)
    _saved = {
        "stdout": sys.stdout,
        "stderr": sys.stderr,
        "showwarning": warnings.showwarning,
        "thread_start": threading.Thread.start,
    }
    sys.stdout = _RoutedStream(sys.stdout, LOG_INFO)
    sys.stderr = _RoutedStream(sys.stderr, LOG_ERR)
    warnings.showwarning = _showwarning
    threading.Thread.start = _start_thread


# The module running on each module thread, by thread ident (stack()).
_by_thread = {}


def stack(ident):
    """Where each thread of the module running on thread 'ident' is: the
    module's own thread, then those it started, each as a traceback
    (most recent call last).  Called by pyloader.so on its own thread
    for `flux module stack` (module_stack.c), with the GIL.
    """
    import traceback  # pylint: disable=import-outside-toplevel
    ctx = _by_thread.get(ident)
    frames = sys._current_frames()  # pylint: disable=protected-access
    names = {t.ident: t.name for t in threading.enumerate()}
    idents = [ident]
    if ctx is not None:
        idents += sorted(t for t in ctx.threads if t != ident)
    parts = []
    for t in idents:
        frame = frames.get(t)
        if frame is None:
            continue
        if t == ident:
            what = f"module {ctx.name}" if ctx is not None else "module"
        else:
            what = f"thread {names.get(t, '?')!r}"
        parts.append(f"Thread {t:#x} ({what}), most recent call last:\n"
                     + "".join(traceback.format_stack(frame)))
    return "\n".join(parts)


# logging levels -> syslog severities (anything between two goes to the
# lower one's: a level 25 is info).
_LOGGING_SEVERITIES = ((50, 2), (40, 3), (30, 4), (20, 6), (0, 7))


def _severity(levelno):
    for least, severity in _LOGGING_SEVERITIES:
        if levelno >= least:
            return severity
    return 7


def _route_logging(logging):
    """Python's logging on a module's thread (or one it started) goes to
    the broker log: a handler on the root logger sends each record under
    the module's name, at the matching syslog severity, as "LOGGER:
    message" (with the traceback of logger.exception(), one entry per
    line).  On any other thread it goes where logging's last resort
    sends it (stderr).  Levels are the loggers' own: Python's root logger
    passes WARNING and above unless the module sets it lower.
    """

    class BrokerLogHandler(logging.Handler):
        def emit(self, record):
            try:
                text = f"{record.name}: {self.format(record)}"
            except Exception:  # pylint: disable=broad-except
                self.handleError(record)
                return
            ctx = _current()
            if ctx is None or not ctx.log(_severity(record.levelno), text):
                last = logging.lastResort
                if last is not None and record.levelno >= last.level:
                    last.handle(record)

    logging.getLogger().addHandler(BrokerLogHandler())


def shutdown():
    """Give back the original streams (called before Python finalizes)."""
    global _saved
    if _saved is None:
        return
    if isinstance(sys.stdout, _RoutedStream):
        sys.stdout = _saved["stdout"]
    if isinstance(sys.stderr, _RoutedStream):
        sys.stderr = _saved["stderr"]
    if warnings.showwarning is _showwarning:
        warnings.showwarning = _saved["showwarning"]
    if threading.Thread.start is _start_thread:
        threading.Thread.start = _saved["thread_start"]
    _saved = None


def _where(exc, path):
    """'(file.py, line N)' of the innermost frame of exc in the module
    file, else of its innermost frame, else ''.
    """
    # N.B. traceback is imported where an error is reported, not when
    # the loader is: the first module's load was waiting for it.
    import traceback  # pylint: disable=import-outside-toplevel
    found = None
    last = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        last = (frame.f_code.co_filename, lineno)
        if frame.f_code.co_filename == path:
            found = last
    where = found or last
    if where is None:
        return ""
    return f" ({os.path.basename(where[0])}, line {where[1]})"


def describe(exc, path):
    """One line a user sees: 'Type: text (file.py, line N)'."""
    name = type(exc).__name__
    text = str(exc)
    line = f"{name}: {text}" if text else name
    # SyntaxError's text already ends with "(file.py, line N)".
    if not isinstance(exc, SyntaxError):
        line += _where(exc, path)
    return line.replace("\n", " ")


def _strip_loader_frames(exc):
    """Drop the loader's own frames from the top of exc's traceback: the
    user's traceback starts in the user's code.
    """
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    exc.__traceback__ = tb


def _report(ctx, exc):
    """The exception's line is the module's error; its traceback goes to
    the broker log.
    """
    import traceback  # pylint: disable=import-outside-toplevel
    _strip_loader_frames(exc)
    ctx.set_error(describe(exc, ctx.path))
    text = "".join(traceback.format_exception(exc))
    if not ctx.log(LOG_ERR, text):
        sys.stderr.write(text)  # in a child the module forked


def _report_entry_point(ctx, exc):
    """No usable entry point: the file is at fault, not a line of code."""
    text = f"{type(exc).__name__}: {exc} ({os.path.basename(ctx.path)})"
    ctx.set_error(text)
    ctx.log(LOG_ERR, text)


def load_errnum(exc):
    """The errno of a module that failed to load."""
    if isinstance(exc, OSError) and exc.errno:
        return exc.errno
    if isinstance(exc, ModuleInterrupted):
        return errno.ECANCELED
    return errno.EINVAL


def main_errnum(exc):
    """The errno of a module whose entry point raised exc."""
    if isinstance(exc, OSError):
        return exc.errno or errno.ECONNRESET
    if isinstance(exc, ValueError):
        return errno.EINVAL
    if isinstance(exc, ModuleInterrupted):
        return errno.ECANCELED
    return errno.ECONNRESET


# The code of the files loaded last, by path: (source, code).  Loading
# the same file again (1,000 modules from one file, a module removed and
# loaded again) runs the code already compiled, if the file's bytes are
# the same.  A code object is immutable, so modules can share it.
_code_cache = {}
_CODE_CACHE_MAX = 32


def _bytecode(path, source):
    """The code in path's checked-hash __pycache__ file, if there is one
    and it was made from these very bytes (the build and the installation
    write them: scripts/bytecompile), else None.  A timestamp-based or
    unchecked one is not trusted: it says nothing of these bytes.
    """
    try:
        with open(cache_from_source(path), "rb") as f:
            data = f.read()
    except (OSError, ValueError, NotImplementedError):
        return None
    if (data[:4] != MAGIC_NUMBER
            or int.from_bytes(data[4:8], "little") != 0b11
            or data[8:16] != _imp.source_hash(_RAW_MAGIC_NUMBER, source)):
        return None
    try:
        code = marshal.loads(data[16:])
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, types.CodeType):
        return None
    # Tracebacks name the file as loaded (the cache may have been
    # written through another path to it), as importlib's loader does.
    _imp._fix_co_filename(code, path)
    return code


def _compiled(path, source):
    cached = _code_cache.get(path)
    if cached is not None and cached[0] == source:
        return cached[1]
    code = _bytecode(path, source)
    if code is None:
        code = compile(source, path, "exec", dont_inherit=True)
    _code_cache.pop(path, None)
    if len(_code_cache) >= _CODE_CACHE_MAX:
        del _code_cache[next(iter(_code_cache))]  # the oldest
    _code_cache[path] = (source, code)
    return code


def _load(path, modname):
    """Execute the file as a new module registered as sys.modules[modname]."""
    with open(path, "rb") as f:
        source = f.read()
    # N.B. compile() rather than importlib's loader: no __pycache__ is
    # written next to the module file (one that is there is read).
    code = _compiled(path, source)
    module = types.ModuleType(modname)
    module.__file__ = path
    module.__builtins__ = __builtins__
    sys.modules[modname] = module
    exec(code, module.__dict__)
    return module


def _own_module_dirs():
    """The broker's own module folders (module_path, built in), real."""
    value = lib.flux_conf_builtin_get(b"module_path", lib.FLUX_CONF_AUTO)
    if value == ffi.NULL:
        return frozenset()
    return frozenset(os.path.realpath(d)
                     for d in os.fsdecode(ffi.string(value)).split(":") if d)


_OWN_MODULE_DIRS = _own_module_dirs()


def _needs_site(path):
    """Whether the module at 'path' may need the site packages' .pth
    files: any module but the broker's own (see _flux/_site.py).
    """
    return os.path.dirname(os.path.realpath(path)) not in _OWN_MODULE_DIRS


class _Collector:
    """The collection each module runs as it exits, kept cheap.

    pyloader.so freezes (gc.freeze) what exists once the loader is
    imported, so that a module's collection does not visit the
    interpreter's own objects.  What the site's .pth files import, when
    the first module of the user's is loaded (_flux/_site.py), is as
    long-lived; it is frozen too (freeze()), or every later module exit
    visited it all again: about 4,000 objects with this machine's .pth
    file, 0.5 to 1.6 ms of each removal.

    But a freeze takes every object then alive, the other modules'
    included, and cyclic garbage in the frozen set is never collected.
    So each module notes the freeze count when it loads (epoch()), and a
    module that was loaded before the latest freeze collects with
    everything unfrozen, then freezes again what is left (collect()):
    its garbage is found, at the price of one full collection.

    A lock keeps the collections one at a time: CPython's collect()
    returns at once, having collected nothing, while another thread
    collects, which left the garbage of many modules removed together
    waiting (1,000 removals at once kept 50-110 MB, growing round after
    round).  And a module whose garbage a collection started since has
    already covered does not collect again: with many modules exiting at
    once, one collection serves them all, instead of one each, every one
    visiting all the modules still loaded.  (That collection may run on
    another module's thread, while this one waits for the lock: its
    handle is still open and its thread does nothing meanwhile.)

    Every exit that no collection covered collects, although a
    collection visits every module still loaded, so that modules
    removed one after another take time quadratic in their number
    (1,000 one at a time: 6.7 s; 10,000, 8 in flight: 11 minutes).
    Leaving an exit's garbage to a later exit's collection was tried
    (doc/design.md, "paced collections tried"), and is wrong as long
    as the module's thread goes on using its handle after Python
    returns (flux_module_finalize, flux_close): the later collection,
    on another thread, would destroy the module's message handlers,
    futures and watchers while that thread still uses the handle, whose
    reference counts and matchtags are not shared safely between
    threads.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._freezes = 0       # freezes since Python started
        self._collections = 0   # collections started, of either kind
        self._full = 0          # of them, with everything unfrozen

    def epoch(self):
        return self._freezes

    def freeze(self):
        with self._lock:
            gc.freeze()
            self._freezes += 1

    def collect(self, epoch):
        """Collect the garbage of a module that loaded at 'epoch' and
        has just dropped its last references.
        """
        seen, seen_full = self._collections, self._full
        with self._lock:
            if epoch == self._freezes:
                if self._collections > seen:
                    return
                self._collections += 1
                gc.collect()
                return
            if self._full > seen_full:
                return
            self._collections += 1
            self._full += 1
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self._freezes += 1


_collector = _Collector()


class _Handoff:
    """What a module's old instance prepared for its new one at a reload
    (module.reload, broker/module_reload.c): the new code, run and its
    entry point resolved, and the old instance's state_export(), for the
    instance the broker starts with this uuid.
    """

    __slots__ = ("uuid", "path", "module", "entry", "state", "has_state")

    def __init__(self, uuid, path, module, entry):
        self.uuid = uuid
        self.path = path
        self.module = module
        self.entry = entry
        self.state = None
        self.has_state = False


# Module name -> _Handoff, from a reload-prepare to the new instance's
# start.  One left by a reload the broker gave up is dropped by the next
# instance of that name, whose uuid is not the one it was meant for.
_handoffs = {}


def _module_uuid(c_handle):
    aux = lib.flux_aux_get(c_handle, b"flux::uuid")
    return None if aux == ffi.NULL else ffi.string(ffi.cast("char *", aux))


def _prepare_reload(h, watcher, msg, ctx):
    """NAME.reload-prepare {path, uuid}: check the new code on this (the
    old instance's) thread, so that code that does not load leaves this
    instance running and says why; then take its state, answer, and stop
    the reactor: the broker holds requests until the new one runs.
    """
    try:
        payload = msg.payload
        path = payload["path"]
        uuid = payload["uuid"].encode()
    except (TypeError, KeyError, AttributeError, ValueError):
        h.respond_error(msg, errno.EPROTO, "malformed reload-prepare")
        return
    modname = MODULE_PREFIX + ctx.name
    try:
        module = _load(path, modname)
    except BaseException as exc:  # pylint: disable=broad-except
        _restore_module(modname, ctx.module)
        h.respond_error(msg, load_errnum(exc), _reload_error(ctx, exc, path))
        return
    try:
        handoff = _Handoff(uuid, path, module, resolve_entry_point(module))
    except ValueError as exc:
        _restore_module(modname, ctx.module)
        text = f"{exc} ({os.path.basename(path)})"
        ctx.log(LOG_ERR, f"reload: {text}")
        h.respond_error(msg, errno.EINVAL, text)
        return
    # N.B. Async handlers still running (BrokerModule._tasks) finish in
    # this instance first: the broker holds what comes from now on, and
    # a task cancelled by the stop would answer its request ECANCELED.
    # Their state is exported once they are done, after the answer.
    tasks = getattr(ctx.instance, "_tasks", None)
    if tasks:
        h.respond(msg)
        _drain_then_stop(h, ctx, handoff, tasks)
        return
    try:
        _export_state(ctx, handoff)
    except BaseException as exc:  # pylint: disable=broad-except
        _restore_module(modname, ctx.module)
        h.respond_error(msg, main_errnum(exc),
                        "state_export() failed: "
                        + _reload_error(ctx, exc, ctx.path))
        return
    _handoffs[ctx.name] = handoff
    h.respond(msg)
    lib.flux_reactor_stop(h.get_reactor())


def _export_state(ctx, handoff):
    """handoff.state from the instance's state_export(), if it has one."""
    exporter = getattr(ctx.instance, "state_export", None)
    if exporter is not None:
        handoff.state = exporter()
        handoff.has_state = True


def _drain_then_stop(h, ctx, handoff, tasks):
    """Once no task is left: export the state, leave it for the new
    instance and stop.  Each task gets a done callback (the last to end
    finishes the reload), and a check watcher gives one to the tasks
    started meanwhile by requests that were in the queue before the
    broker began holding.  The reload was answered already, so a
    state_export() that raises now is logged, and the new instance
    starts without the state.  A task that never ends is stopped with
    the module, past broker.module-remove-timeout.
    """
    seen = set()
    finished = False

    def finish():
        nonlocal finished
        finished = True
        ctx.drain.stop()
        try:
            _export_state(ctx, handoff)
        except BaseException as exc:  # pylint: disable=broad-except
            _reload_error(ctx, exc, ctx.path)
            ctx.log(LOG_ERR, "reload: state_export() failed: the new "
                             "instance starts without the state")
        _handoffs[ctx.name] = handoff
        lib.flux_reactor_stop(h.get_reactor())

    def maybe_finish(*_):
        if finished:
            return
        if not tasks:
            finish()
            return
        for task in tasks - seen:
            seen.add(task)
            task.add_done_callback(maybe_finish)

    # Kept by ctx: a watcher object that is collected stops.
    ctx.drain = h.check_watcher_create(lambda *_: maybe_finish())
    ctx.drain.start()
    maybe_finish()


def _restore_module(modname, module):
    if module is not None:
        sys.modules[modname] = module
    else:
        sys.modules.pop(modname, None)


def _reload_error(ctx, exc, path):
    """Log exc's traceback under the module's name; its one line."""
    import traceback  # pylint: disable=import-outside-toplevel
    _strip_loader_frames(exc)
    ctx.log(LOG_ERR, "reload: " + "".join(traceback.format_exception(exc)))
    return describe(exc, path)


def _run(ctx, addr, args):
    modname = MODULE_PREFIX + ctx.name
    try:
        # N.B. _site.pending() first: once the .pth files have run, no
        # module needs to know where it lives (realpath: 4 stat calls).
        if _site.pending() and _needs_site(ctx.path) and _site.finish():
            _collector.freeze()
        h = Flux(handle=ffi.cast("flux_t *", addr))
        handoff = _handoffs.pop(ctx.name, None)
        if (handoff is not None
                and (handoff.path != ctx.path
                     or handoff.uuid != _module_uuid(ctx.c_handle))):
            handoff = None
        if handoff is not None:
            module = handoff.module
            sys.modules[modname] = module
        else:
            module = _load(ctx.path, modname)
        ctx.module = module
    except BaseException as exc:
        _report(ctx, exc)
        return load_errnum(exc)
    try:
        entry = (handoff.entry if handoff is not None
                 else resolve_entry_point(module))
    except ValueError as exc:
        _report_entry_point(ctx, exc)
        return errno.EINVAL
    try:
        prepare = h.msg_watcher_create(_prepare_reload, FLUX_MSGTYPE_REQUEST,
                                       f"{ctx.name}.reload-prepare",
                                       args=ctx)
        prepare.start()
        cls = getattr(entry, "module_class", None)
        if cls is None:
            entry(h, *args)
        else:
            # A BrokerModule: made here, so a reload can reach its hooks.
            ctx.instance = cls(h, *args)
            if handoff is not None and handoff.has_state:
                importer = getattr(ctx.instance, "state_import", None)
                if importer is not None:
                    importer(handoff.state)
            del handoff
            ctx.instance.run()
    except BaseException as exc:
        _report(ctx, exc)
        return main_errnum(exc)
    finally:
        ctx.instance = None
    return 0


def _forget_thread():
    """Drop the threading record of this (non-threading) thread, so
    module threads that come and go leave nothing behind.
    """
    dummy = getattr(threading, "_DummyThread", None)
    active = getattr(threading, "_active", None)
    lock = getattr(threading, "_active_limbo_lock", None)
    if dummy is None or active is None or lock is None:
        return
    with lock:
        t = active.get(threading.get_ident())
        if isinstance(t, dummy):
            del active[threading.get_ident()]


def run(addr, path, name, args):
    """Run the module file 'path' as module 'name' on the handle at
    address 'addr' with 'args' (a tuple of str).  Returns its errno.
    """
    _install_streams()
    epoch = _collector.epoch()
    ctx = _Context(ffi.cast("flux_t *", addr), name, path)
    _tls.module = ctx
    ctx.thread = threading.get_ident()
    _by_thread[ctx.thread] = ctx
    modname = MODULE_PREFIX + name
    pid = os.getpid()
    try:
        errnum = _run(ctx, addr, tuple(args))
    except BaseException as exc:  # only if reporting itself failed
        errnum = main_errnum(exc)
    finally:
        if os.getpid() != pid:
            # A child forked by the module, whose code returned: it must
            # not go on as the module's thread (finalize the module,
            # close the broker's handle).
            os.write(2, f"flux-broker: module {name}: process "
                        f"{os.getpid()}, forked by the module, returned "
                        "from it: exiting\n".encode())
            os._exit(1)
        try:
            ctx.close()
        finally:
            _tls.module = None
            _by_thread.pop(ctx.thread, None)
            # N.B. The module's entry, unless a reload put the new code
            # there already.
            if (ctx.module is not None
                    and sys.modules.get(modname) is ctx.module):
                del sys.modules[modname]
            ctx.module = None
            # N.B. Callbacks that can no longer run (then() on a future
            # never fulfilled, a FutureExt never started) held their
            # futures, and through them the module, for good.
            future = sys.modules.get("flux.future")
            if future is not None:
                future.forget_pending(lib.flux_get_reactor(ctx.c_handle),
                                      ctx.thread)
            # N.B. The module's objects form cycles (functions and their
            # globals); collect them now, on this thread, while the
            # handle is still open, so no watcher or handle reference is
            # released later by another thread.
            _collector.collect(epoch)
            _forget_thread()
    return errnum


# vi: ts=4 sw=4 expandtab
