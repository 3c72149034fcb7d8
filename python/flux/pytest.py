# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.pytest: a pytest plugin for testing broker modules against a
real instance (doc/testing-modules.rst).

Enable it with ``pytest -p flux.pytest``, or in a conftest.py with
``pytest_plugins = ["flux.pytest"]``.  It adds these fixtures:

flux_instance (session)
    A broker started with ``flux start`` (the flux command of
    ``--flux-cmd``, else ``$FLUX_PYTEST_FLUX``, else the one on PATH),
    with ``-Sbroker.module-nopanic=1`` so that a module that fails does
    not end the instance: the failure is the test's.  A FluxInstance:
    its uri, rpc(), stream(), dmesg(), wait_for_log(), run().
flux_handle
    A flux.Flux handle connected to that instance.
load_module
    A function: ``load_module(path, *args, name=None)`` loads the module
    at path (relative paths are relative to the test file's folder) and
    returns a LoadedModule.  At the end of the test each module it
    loaded is removed, and the test fails if one had exited with a
    runtime error (its log lines are shown).
flux_module
    The module named by the test's ``flux_module`` mark, loaded as
    load_module does: ``@pytest.mark.flux_module("mymod.py", "arg")``.

N.B. The name of this module is that of the pytest package, but it is
flux.pytest, a submodule: ``import pytest`` below is the real pytest
(imports are absolute).
"""

from __future__ import annotations

import errno
import os
import re
import selectors
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional, Union

import pytest

import flux
from flux.constants import FLUX_NODEID_ANY, FLUX_RPC_STREAMING

__all__ = [
    "FluxInstance",
    "LoadedModule",
    "LogLine",
    "flux_instance",
    "flux_handle",
    "load_module",
    "flux_module",
]

# flux dmesg's names of the syslog severities.
_SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info",
               "debug")
# An RFC 5424 line as the broker's log.dmesg gives it:
# <PRI>1 TIMESTAMP HOSTNAME(rank) APPNAME PROCID MSGID SD MESSAGE
_RFC5424 = re.compile(
    r"<(?P<pri>\d+)>1 (?P<ts>\S+) (?P<rank>\S+) (?P<app>\S+) \S+ \S+ "
    r"(?:-|\[.*?\]) ?(?P<msg>.*)", re.DOTALL)
_LOG_INFO = 6

PathLike = Union[str, "os.PathLike[str]"]


def _timeout_factor() -> float:
    """FLUX_TEST_TIMEOUT_FACTOR (as the sharness helpers read it): every
    time limit here is multiplied by it (1 by default)."""
    try:
        return max(1.0, float(os.environ.get("FLUX_TEST_TIMEOUT_FACTOR",
                                             "1")))
    except ValueError:
        return 1.0


def _scaled(seconds: float) -> float:
    return seconds * _timeout_factor()


class LogLine:
    """One line of the broker's log: timestamp, appname, severity (an
    int, 0-7), rank (str), message; str() is the line as ``flux dmesg``
    prints it, "TIMESTAMP APPNAME.SEVERITY[RANK]: MESSAGE".
    """

    __slots__ = ("timestamp", "appname", "severity", "rank", "message")

    def __init__(self, raw: bytes) -> None:
        text = raw.rstrip(b"\0").decode("utf-8", errors="replace")
        match = _RFC5424.match(text)
        if match is None:
            self.timestamp, self.appname, self.severity = "", "", 6
            self.rank, self.message = "", text
        else:
            self.timestamp = match["ts"]
            self.appname = match["app"]
            # PRI is severity * 8 (flux-core's encoding, libflux/flog.c).
            self.severity = min(int(match["pri"]) >> 3, 7)
            self.rank = match["rank"]
            self.message = match["msg"]

    @property
    def text(self) -> str:
        """The line without its timestamp: "APPNAME.SEVERITY[RANK]:
        MESSAGE", what wait_for_log() matches."""
        return (f"{self.appname}.{_SEVERITIES[self.severity]}"
                f"[{self.rank}]: {self.message}")

    def __str__(self) -> str:
        return f"{self.timestamp} {self.text}"

    def __repr__(self) -> str:
        return f"LogLine({str(self)!r})"


def rpc(h: flux.Flux, topic: str, payload: Any = None,
        nodeid: int = FLUX_NODEID_ANY, timeout: float = 30.0) -> Any:
    """Send a request and return the decoded response payload (None if
    it has none).  An error response raises OSError (its errno and
    text); no response within timeout seconds, TimeoutError."""
    return h.rpc(topic, payload, nodeid).wait_for(_scaled(timeout)).get()


def stream(h: flux.Flux, topic: str, payload: Any = None,
           nodeid: int = FLUX_NODEID_ANY,
           timeout: float = 30.0) -> Iterator[Any]:
    """Send a streaming request (FLUX_RPC_STREAMING) and yield each
    response payload until the stream ends (ENODATA).  An error
    response raises OSError; each response must come within timeout
    seconds (TimeoutError)."""
    f = h.rpc(topic, payload, nodeid, FLUX_RPC_STREAMING)
    while True:
        try:
            value = f.wait_for(_scaled(timeout)).get()
        except OSError as exc:
            if exc.errno == errno.ENODATA:
                return
            raise
        yield value
        f.reset()


def dmesg(h: flux.Flux, timeout: float = 30.0) -> list[LogLine]:
    """The broker's log ring buffer (log.dmesg), oldest line first."""
    f = h.rpc("log.dmesg", {"follow": False, "nobacklog": False},
              FLUX_NODEID_ANY, FLUX_RPC_STREAMING)
    lines: list[LogLine] = []
    while True:
        try:
            raw = f.wait_for(_scaled(timeout)).get_raw()
        except OSError as exc:
            if exc.errno == errno.ENODATA:
                return lines
            raise
        lines.append(LogLine(raw))
        f.reset()


def _since(lines: list[LogLine], mark: Optional[str]) -> list[LogLine]:
    """The lines after the last that carries mark (all if none does)."""
    if mark is None:
        return lines
    for i in range(len(lines) - 1, -1, -1):
        if mark in lines[i].message:
            return lines[i + 1:]
    return lines


def _format(lines: list[LogLine]) -> str:
    return "\n".join(str(line) for line in lines) or "(no log lines)"


class FluxInstance:
    """A broker started with ``flux start`` for the test session (the
    flux_instance fixture); ended by stop()."""

    def __init__(self, flux_cmd: str, start_args: list[str],
                 timeout: float = 30.0) -> None:
        self.flux_cmd = flux_cmd
        self.timeout = timeout
        env = dict(os.environ)
        env.pop("FLUX_URI", None)
        # The initial program prints the URI and then waits for stdin to
        # close: stop() closes it, and the instance exits.
        self._proc = subprocess.Popen(
            [flux_cmd, "start", "-Sbroker.module-nopanic=1", *start_args,
             "sh", "-c", 'echo "$FLUX_URI"; exec cat'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env=env)
        assert self._proc.stdout is not None
        uri = ""
        with selectors.DefaultSelector() as sel:
            sel.register(self._proc.stdout, selectors.EVENT_READ)
            if sel.select(timeout=_scaled(timeout)):
                uri = self._proc.stdout.readline().strip()
        if not uri:
            self._proc.kill()
            rc = self._proc.wait()
            raise RuntimeError(f"{flux_cmd} start printed no FLUX_URI "
                               f"(exit code {rc})")
        self.uri = uri
        self.handle = flux.Flux(uri)

    def stop(self) -> int:
        """End the instance; returns the exit code of ``flux start``."""
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        try:
            return self._proc.wait(timeout=_scaled(self.timeout))
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
            raise

    def connect(self) -> flux.Flux:
        """A new flux.Flux handle connected to the instance."""
        return flux.Flux(self.uri)

    def rpc(self, topic: str, payload: Any = None,
            nodeid: int = FLUX_NODEID_ANY, timeout: float = 30.0) -> Any:
        """flux.pytest.rpc() on the instance's own handle."""
        return rpc(self.handle, topic, payload, nodeid, timeout)

    def stream(self, topic: str, payload: Any = None,
               nodeid: int = FLUX_NODEID_ANY,
               timeout: float = 30.0) -> Iterator[Any]:
        """flux.pytest.stream() on the instance's own handle."""
        return stream(self.handle, topic, payload, nodeid, timeout)

    def run(self, *args: str, check: bool = True,
            timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``flux ARGS...`` in the instance (FLUX_URI set) and return
        its CompletedProcess (text stdout and stderr); with check, a
        non-zero exit fails the test with its stderr."""
        env = dict(os.environ, FLUX_URI=self.uri)
        proc = subprocess.run([self.flux_cmd, *args], env=env, text=True,
                              capture_output=True, timeout=_scaled(timeout),
                              check=False)
        if check and proc.returncode != 0:
            pytest.fail(f"flux {' '.join(args)} exited with "
                        f"{proc.returncode}: {proc.stderr.strip()}")
        return proc

    def mark_log(self, text: str = "mark") -> str:
        """Log a unique line and return its mark: dmesg(since=mark) and
        wait_for_log(since=mark) then see only what came after it."""
        mark = f"flux.pytest: {text} {uuid.uuid4()}"
        self.handle.log(_LOG_INFO, mark)
        return mark

    def dmesg(self, since: Optional[str] = None) -> list[LogLine]:
        """The broker's log lines (after mark 'since', if given)."""
        return _since(dmesg(self.handle), since)

    def wait_for_log(self, pattern: Union[str, re.Pattern[str]],
                     timeout: float = 10.0,
                     since: Optional[str] = None) -> LogLine:
        """Wait until a log line (after mark 'since') matches the regular
        expression pattern (re.search on "APPNAME.SEVERITY[RANK]:
        MESSAGE", the line without its timestamp); return it.  Fails the
        test after timeout seconds, showing the lines it saw."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + _scaled(timeout)
        while True:
            lines = self.dmesg(since)
            for line in lines:
                if regex.search(line.text):
                    return line
            if time.monotonic() >= deadline:
                pytest.fail(f"no log line matched {regex.pattern!r} within "
                            f"{timeout}s; the log:\n{_format(lines)}")
            time.sleep(0.1)

    def module_names(self) -> list[str]:
        """The names of the loaded modules (module.list)."""
        mods = self.rpc("module.list").get("mods", [])
        return [m["name"] for m in mods]


class LoadedModule:
    """A module load_module() loaded: name, path, args, and handle (a
    flux.Flux connected to the instance)."""

    def __init__(self, instance: FluxInstance, path: str, args: list[str],
                 name: Optional[str] = None) -> None:
        self.instance = instance
        self.path = path
        self.args = args
        self.name = name or os.path.basename(path).split(".", 1)[0]
        self.handle = instance.connect()
        self.expect_failure = False
        self._mark = instance.mark_log(f"loading {self.name}")
        payload: dict[str, Any] = {"path": path, "args": args}
        if name is not None:
            payload["name"] = name
        try:
            rpc(self.handle, "module.load", payload, timeout=instance.timeout)
        except OSError as exc:
            pytest.fail(f"flux module load {path}: {exc.strerror}\n"
                        f"{_format(self.dmesg())}")
        self.removed = False

    def rpc(self, method: str, payload: Any = None,
            nodeid: int = FLUX_NODEID_ANY, timeout: float = 30.0) -> Any:
        """Request NAME.method of the module; the response payload."""
        return rpc(self.handle, f"{self.name}.{method}", payload, nodeid,
                   timeout)

    def stream(self, method: str, payload: Any = None,
               nodeid: int = FLUX_NODEID_ANY,
               timeout: float = 30.0) -> Iterator[Any]:
        """A streaming request to NAME.method; yields each response."""
        return stream(self.handle, f"{self.name}.{method}", payload, nodeid,
                      timeout)

    def dmesg(self) -> list[LogLine]:
        """The broker's log lines since the module was loaded."""
        return self.instance.dmesg(since=self._mark)

    def wait_for_log(self, pattern: Union[str, re.Pattern[str]],
                     timeout: float = 10.0) -> LogLine:
        """FluxInstance.wait_for_log() on the lines since the load."""
        return self.instance.wait_for_log(pattern, timeout, since=self._mark)

    def is_loaded(self) -> bool:
        """Whether the broker still lists the module."""
        return self.name in self.instance.module_names()

    def failure(self) -> Optional[list[LogLine]]:
        """The module's log lines since its load if it exited with an
        error, else None.  The module's own "module exiting abnormally"
        (logged as its main function returns an error, also when that
        happens while a remove is under way, which the broker then does
        not count as a runtime failure) or the broker's "NAME module
        runtime failure" say so.  Once the module is gone (remove() or
        wait_gone() returned), both are in the log already."""
        lines = self.dmesg()
        for line in lines:
            if ((line.appname == self.name
                 and line.message == "module exiting abnormally")
                    or line.message.startswith(
                        f"{self.name} module runtime failure")):
                return lines
        return None

    def wait_gone(self, timeout: float = 10.0) -> None:
        """Wait until the module has exited and the broker dropped it;
        fails the test after timeout seconds."""
        deadline = time.monotonic() + _scaled(timeout)
        while self.is_loaded():
            if time.monotonic() >= deadline:
                pytest.fail(f"module {self.name} still loaded after "
                            f"{timeout}s")
            time.sleep(0.1)

    def remove(self) -> None:
        """Remove the module (if it is still loaded), then fail the test
        if it had exited with a runtime error, unless expect_failure is
        set (then fail if it had not)."""
        if self.removed:
            return
        self.removed = True
        if self.is_loaded():
            try:
                rpc(self.handle, "module.remove",
                    {"name": self.name, "cancel": False},
                    timeout=self.instance.timeout)
            except FileNotFoundError:
                pass  # it exited meanwhile
            except OSError as exc:
                pytest.fail(f"flux module remove {self.name}: "
                            f"{exc.strerror}\n{_format(self.dmesg())}")
        lines = self.failure()
        if lines is not None and not self.expect_failure:
            pytest.fail(f"module {self.name} exited with a runtime error; "
                        f"its log since it was loaded:\n{_format(lines)}",
                        pytrace=False)
        if lines is None and self.expect_failure:
            pytest.fail(f"module {self.name} was expected to fail, and did "
                        "not", pytrace=False)


def _resolve(request: pytest.FixtureRequest, path: PathLike) -> str:
    """path, absolute; a relative one is taken from the test file's
    folder."""
    p = Path(path)
    if not p.is_absolute():
        p = Path(request.path).parent / p
    if not p.exists():
        pytest.fail(f"load_module: no such module file: {p}")
    return str(p.resolve())


def pytest_addoption(parser: pytest.Parser) -> None:
    """pytest hook: the plugin's command-line options (--flux-cmd...)."""
    group = parser.getgroup("flux", "broker modules (flux.pytest)")
    group.addoption(
        "--flux-cmd", default=None, metavar="PATH",
        help="the flux command that starts the instance (default: "
        "$FLUX_PYTEST_FLUX, else flux on PATH)")
    group.addoption(
        "--flux-start-arg", action="append", default=[], metavar="ARG",
        help="an argument for flux start (before the initial program), "
        "e.g. -Slog-stderr-level=7; may be repeated")


def pytest_configure(config: pytest.Config) -> None:
    """pytest hook: declare the flux_module marker."""
    config.addinivalue_line(
        "markers", "flux_module(path, *args, name=None): the module the "
        "flux_module fixture loads (flux.pytest)")


def _flux_cmd(config: pytest.Config) -> str:
    cmd = (config.getoption("--flux-cmd")
           or os.environ.get("FLUX_PYTEST_FLUX") or "flux")
    found = shutil.which(cmd)
    if found is None:
        pytest.fail(f"flux.pytest: the flux command {cmd!r} is not found "
                    "(give --flux-cmd or $FLUX_PYTEST_FLUX, or put it on "
                    "PATH)", pytrace=False)
    return found


@pytest.fixture(scope="session")
def flux_instance(pytestconfig: pytest.Config) -> Iterator[FluxInstance]:
    """A broker started with flux start for the whole session."""
    try:
        instance = FluxInstance(_flux_cmd(pytestconfig),
                                list(pytestconfig.getoption(
                                    "--flux-start-arg")))
    except RuntimeError as exc:
        pytest.fail(f"flux.pytest: {exc}", pytrace=False)
    yield instance
    rc = instance.stop()
    if rc != 0:
        pytest.fail(f"flux.pytest: flux start exited with {rc}",
                    pytrace=False)


@pytest.fixture
def flux_handle(flux_instance: FluxInstance) -> flux.Flux:
    """A flux.Flux handle connected to the session's instance."""
    return flux_instance.connect()


LoadModule = Callable[..., LoadedModule]


@pytest.fixture
def load_module(flux_instance: FluxInstance,
                request: pytest.FixtureRequest) -> Iterator[LoadModule]:
    """load_module(path, *args, name=None) -> LoadedModule; each module
    is removed at the end of the test, which fails if it had exited with
    a runtime error."""
    loaded: list[LoadedModule] = []

    def load(path: PathLike, *args: Any,
             name: Optional[str] = None) -> LoadedModule:
        mod = LoadedModule(flux_instance, _resolve(request, path),
                           [str(a) for a in args], name)
        loaded.append(mod)
        return mod

    yield load
    for mod in reversed(loaded):
        mod.remove()


@pytest.fixture
def flux_module(load_module: LoadModule,
                request: pytest.FixtureRequest) -> LoadedModule:
    """The module of the test's flux_module mark, loaded."""
    mark = request.node.get_closest_marker("flux_module")
    if mark is None or not mark.args:
        pytest.fail("the flux_module fixture needs a mark: "
                    "@pytest.mark.flux_module(PATH, *ARGS)", pytrace=False)
    return load_module(*mark.args, **mark.kwargs)
