# SPDX-License-Identifier: LGPL-3.0-or-later
"""The flux package against a real broker (flux start, see conftest)."""

import errno
import os
import subprocess
import syslog
import textwrap
import uuid

import pytest

import flux
import flux.constants as C


def test_flux_uri_from_environment(broker_uri, monkeypatch):
    monkeypatch.setenv("FLUX_URI", broker_uri)
    assert flux.Flux().attr_get("rank") == "0"


def test_unable_to_connect(tmp_path, monkeypatch):
    monkeypatch.setenv("FLUX_LOCAL_CONNECTOR_RETRY_COUNT", "0")
    with pytest.raises(OSError) as exc:
        flux.Flux(f"local://{tmp_path}/nosocket")
    assert exc.value.strerror.startswith("Unable to connect to Flux")


def test_ping_broker(h):
    resp = h.rpc("broker.ping", {"seq": 7, "pad": ""}).get()
    assert resp["seq"] == 7
    assert resp["userid"] == os.getuid()
    assert resp["rolemask"] & C.FLUX_ROLE_OWNER
    assert "route" in resp


def test_attr_get(h):
    assert h.attr_get("rank") == "0"
    assert h.get_rank() == 0
    resp = h.rpc("attr.get", {"name": "size"}).get()
    assert resp["value"] == "1"
    with pytest.raises(FileNotFoundError):
        h.attr_get("no-such-attribute")


def test_unknown_service_error_text(h):
    with pytest.raises(OSError) as exc:
        h.rpc("nosuch.method").get()
    assert exc.value.errno == errno.ENOSYS
    assert exc.value.strerror == \
        "No service matching nosuch.method is registered"


def test_log_and_streaming_dmesg(h):
    marker = f"pytest-{uuid.uuid4()} 100% %s %d"
    h.log(syslog.LOG_NOTICE, marker)
    lines = []
    end = []

    def cont(f):
        try:
            # A raw log line, with or without a trailing NUL.
            lines.append(f.get_raw().rstrip(b"\0").decode())
        except OSError as exc:
            end.append(exc.errno)
            h.reactor_stop()
            return
        f.reset()

    h.rpc("log.dmesg", {"follow": False},
          flags=C.FLUX_RPC_STREAMING).then(cont)
    h.reactor_run()
    assert end == [errno.ENODATA]
    assert any(line.endswith(marker) for line in lines)


def test_dynamic_service_with_msg_watcher(h):
    name = f"pysvc{os.getpid()}"
    h.service_register(name).get()

    def echo(handle, w, msg, args):
        if msg.payload.get("fail"):
            handle.respond_error(msg, errno.EPROTO, "asked to fail")
        else:
            handle.respond(msg, {"echo": msg.payload["x"]})

    w = h.msg_watcher_create(echo, C.FLUX_MSGTYPE_REQUEST, f"{name}.echo")
    w.start()
    got = []

    def cont(f, tag):
        try:
            got.append((tag, f.get()))
        except OSError as exc:
            got.append((tag, exc.errno, exc.strerror))
        if len(got) == 2:
            h.reactor_stop()

    h.rpc(f"{name}.echo", {"x": 1}).then(cont, "ok")
    h.rpc(f"{name}.echo", {"fail": True}).then(cont, "fail")
    h.reactor_run()
    assert sorted(got, key=lambda g: g[0]) == [
        ("fail", errno.EPROTO, "asked to fail"),
        ("ok", {"echo": 1}),
    ]
    w.destroy()
    h.service_unregister(name).get()
    with pytest.raises(OSError) as exc:
        h.rpc(f"{name}.echo", {"x": 1}).get()
    assert exc.value.errno == errno.ENOSYS
    with pytest.raises(FileNotFoundError):
        h.service_unregister(name).get()


def test_service_name_with_dot_is_einval(h):
    with pytest.raises(OSError) as exc:
        h.service_register("bad.name").get()
    assert exc.value.errno == errno.EINVAL


def test_events_recv_and_watcher(h, broker_uri):
    topic = f"pytest{os.getpid()}"
    h.event_subscribe(topic)
    other = flux.Flux(broker_uri)
    other.event_send(f"{topic}.one", {"a": 1})
    msg = h.event_recv()
    assert (msg.topic, msg.payload) == (f"{topic}.one", {"a": 1})
    assert msg.type_str == "event"

    got = []

    def on_event(handle, w, m, args):
        got.append(m.topic)
        handle.reactor_stop()

    w = h.msg_watcher_create(on_event, C.FLUX_MSGTYPE_EVENT, f"{topic}.*")
    w.start()
    other.event_send(f"{topic}.two")
    h.reactor_run()
    assert got == [f"{topic}.two"]
    w.destroy()
    h.event_unsubscribe(topic)


def test_callback_exception_reraised_by_reactor_run(h):
    def cont(f):
        raise LookupError("from continuation")

    h.rpc("broker.ping", {}).then(cont)
    with pytest.raises(LookupError, match="from continuation"):
        h.reactor_run()


def test_python_module_load(h, broker_uri, tmp_path):
    """A BrokerModule subclass loaded with flux module load answers its
    topics and is removed cleanly.
    """
    path = tmp_path / "pytestmod.py"
    path.write_text(textwrap.dedent("""\
        from flux.brokermod import BrokerModule, request_handler

        class PyTestMod(BrokerModule):
            @request_handler("info")
            def info(self, msg):
                self.handle.respond(msg, {"name": self.name,
                                          "args": list(self.args)})
        """))
    env = dict(os.environ, FLUX_URI=broker_uri)
    subprocess.run(["flux", "module", "load", str(path), "a", "b"],
                   env=env, check=True, timeout=60)
    try:
        resp = h.rpc("pytestmod.info").get()
        assert resp == {"name": "pytestmod", "args": ["a", "b"]}
    finally:
        subprocess.run(["flux", "module", "remove", "pytestmod"],
                       env=env, check=True, timeout=60)
    with pytest.raises(OSError) as exc:
        h.rpc("pytestmod.info").get()
    assert exc.value.errno == errno.ENOSYS
