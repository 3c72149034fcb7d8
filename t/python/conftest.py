# SPDX-License-Identifier: LGPL-3.0-or-later
"""Fixtures for the flux package tests.

broker_uri / h: a real instance started with `flux start` (the flux
command on PATH; meson puts the build tree's first), with the standard
modules its rc1 loads (kvs, heartbeat), whose initial program prints
$FLUX_URI and waits on stdin.  Closing stdin ends it.

pair: (client, server), two handles on one interthread channel; with
serve() (the server's reactor on a thread of its own, as a module's)
and send_request() (a raw request, so that every response is seen).

module_pair: a broker module's view without a broker.  An interthread
channel has two ends: the test plays the broker on one, sends the
welcome, and flux_module_initialize() runs on the other, exactly as a
module thread starts.
"""

import importlib.util
import json
import os
import selectors
import shutil
import subprocess
import threading
import uuid

import pytest

import flux
from flux.core.inner import check, ffi, lib
from flux.message import Message

START_TIMEOUT = 30


@pytest.fixture(scope="session")
def broker_uri():
    flux_cmd = shutil.which("flux")
    if flux_cmd is None:
        pytest.fail("the flux command is not on PATH")
    env = dict(os.environ)
    env.pop("FLUX_URI", None)
    proc = subprocess.Popen(
        [flux_cmd, "start", "sh", "-c", 'echo "$FLUX_URI"; exec cat'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    uri = ""
    if sel.select(timeout=START_TIMEOUT):
        uri = proc.stdout.readline().strip()
    sel.close()
    if not uri:
        proc.kill()
        proc.wait()
        pytest.fail(f"flux start printed no FLUX_URI (exit {proc.returncode})")
    yield uri
    proc.stdin.close()
    rc = proc.wait(timeout=START_TIMEOUT)
    assert rc == 0, f"flux start exited with {rc}"


@pytest.fixture
def h(broker_uri):
    return flux.Flux(broker_uri)


class ModulePair:
    """The broker's end (self.broker) and a module's end (self.mod) of
    an interthread channel, the module end initialized from a welcome.
    """

    def __init__(self, name, args=(), conf=None):
        uri = f"interthread://pytest-{uuid.uuid4()}"
        self.broker = flux.Flux(uri)
        self.mod = flux.Flux(uri)
        welcome = Message()
        welcome.topic = "welcome"
        welcome.payload = {
            "name": name,
            "uuid": str(uuid.uuid4()),
            "path": f"/nonexistent/{name}.py",
            "args": list(args),
            "attrs": {"rank": "0", "size": "1"},
            "conf": conf if conf is not None else {},
        }
        check(lib.flux_msg_set_noresponse(welcome.handle))
        self.broker.send(welcome)
        error = ffi.new("flux_error_t *")
        check(lib.flux_module_initialize(self.mod.handle, ffi.NULL, error))

    def answer_subscribe(self, timeout=10):
        """Play event.subscribe for the module; return the topic."""
        msg = recv_timeout(self.broker, lib.FLUX_MSGTYPE_REQUEST,
                           "event.subscribe", timeout)
        topic = msg.payload["topic"]
        self.broker.respond(msg)
        return topic

    def request(self, topic, payload=None, userid=None, rolemask=None):
        """Send a request from the broker end with explicit creds (or
        the channel's); return the response Message.
        """
        msg = Message()
        msg.topic = topic
        if payload is not None:
            msg.payload = payload
        if userid is not None:
            msg.userid = userid
        if rolemask is not None:
            msg.rolemask = rolemask
        check(lib.flux_msg_set_matchtag(msg.handle, 4242))
        self.broker.send(msg)
        return recv_timeout(self.broker, lib.FLUX_MSGTYPE_RESPONSE, topic)


def recv_timeout(h, type_mask, topic_glob, timeout=10):
    """h.recv() that fails the test instead of hanging forever."""
    deadline = threading.Event()
    result = {}

    def waiter():
        try:
            result["msg"] = h.recv(type_mask=type_mask, topic_glob=topic_glob)
        except BaseException as exc:  # pylint: disable=broad-except
            result["exc"] = exc
        deadline.set()

    t = threading.Thread(target=waiter, daemon=True)
    t.start()
    if not deadline.wait(timeout):
        pytest.fail(f"no {topic_glob} message within {timeout}s")
    if "exc" in result:
        raise result["exc"]
    return result["msg"]


def response_error(msg):
    """(errnum, text) of a response Message; (0, None) on success."""
    errnum = ffi.new("int *")
    check(lib.flux_msg_get_errnum(msg.handle, errnum))
    if errnum[0] == 0:
        return 0, None
    return errnum[0], msg.payload_str


@pytest.fixture
def module_pair():
    return ModulePair


class Runner(threading.Thread):
    """Run fn(*args) on a thread (as the broker runs a module) and keep
    its result or exception.
    """

    def __init__(self, fn, *args):
        super().__init__(daemon=True)
        self.fn = fn
        self.args = args
        self.result = None
        self.exc = None

    def run(self):
        try:
            self.result = self.fn(*self.args)
        except BaseException as exc:  # pylint: disable=broad-except
            self.exc = exc

    def finish(self, timeout=10):
        self.join(timeout)
        assert not self.is_alive(), "module thread did not return"
        return self.exc


@pytest.fixture
def pair():
    uri = f"interthread://pytest-{uuid.uuid4()}"
    return flux.Flux(uri), flux.Flux(uri)


def serve(server, handler, topic):
    """Run 'handler' for requests to 'topic' on a thread; returns the
    Runner (finish() gives the exception reactor_run raised, or None).
    """
    server.msg_watcher_create(handler, lib.FLUX_MSGTYPE_REQUEST,
                              topic).start()
    runner = Runner(server.reactor_run)
    runner.start()
    return runner


def send_request(client, topic, payload=None, matchtag=7, flags=()):
    """Send a raw request; flags: functions setting flags on it
    (lib.flux_msg_set_streaming, ...).
    """
    msg = Message()
    msg.topic = topic
    if payload is not None:
        msg.payload = payload
    check(lib.flux_msg_set_matchtag(msg.handle, matchtag))
    for flag in flags:
        check(flag(msg.handle))
    client.send(msg)


def dumps(obj):
    return json.dumps(obj, sort_keys=True)


def unique(prefix="pytest"):
    """A name no other test uses (a service, an event topic)."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def run_guarded(h, timeout=10.0):
    """h.reactor_run(), failing the test instead of hanging: a timer,
    which alone does not keep the loop running, stops it after
    'timeout' seconds.
    """
    fired = []

    def expire(handle, w, revents, args):
        fired.append(True)
        handle.reactor_stop()

    guard = h.timer_watcher_create(timeout, expire)
    guard.start()
    guard.unref()
    try:
        rc = h.reactor_run()
    finally:
        guard.stop()
        guard.destroy()
    assert not fired, f"reactor still running after {timeout}s"
    return rc


def load_kvs_module(name):
    """modules/kvs/kvs.py imported as module 'name', to test its parts
    without a broker.
    """
    src = os.environ.get("FLUX_SOURCE_DIR",
                         os.path.join(os.path.dirname(__file__), "..", ".."))
    path = os.path.join(src, "modules", "kvs", "kvs.py")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod
