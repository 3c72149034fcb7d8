# SPDX-License-Identifier: LGPL-3.0-or-later
"""The example modules (doc/examples) tested with flux.pytest, the pytest
plugin for module authors, and the plugin itself: only its fixtures
(flux_instance, flux_handle, load_module, flux_module) are used here,
none of conftest.py's.  The plugin is also run as an author runs it,
`pytest -p flux.pytest`, on doc/examples/tests (the example in
doc/testing-modules.rst) and on tests that must fail.
"""
import errno
import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

pytest_plugins = ["flux.pytest"]

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "doc",
                        "examples")


def example(name):
    return os.path.join(EXAMPLES, name)


def poll(fn, timeout=10.0):
    """fn() until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def test_import_pytest_in_the_plugin_is_the_real_pytest():
    import flux.pytest as flux_pytest  # pylint: disable=import-outside-toplevel

    assert flux_pytest.pytest is pytest
    assert not pytest.__file__.startswith(
        os.path.dirname(flux_pytest.__file__))


def test_hello(load_module):
    hello = load_module(example("hello.py"))
    assert hello.name == "hello"
    assert hello.rpc("greet") == {"greeting": "hello, world"}
    assert hello.rpc("greet", {"name": "Ada"}) == {"greeting": "hello, Ada"}


def test_counter_counts_and_resets(load_module):
    counter = load_module(example("counter.py"), 0.05)
    assert poll(lambda: counter.rpc("get")["count"] >= 2)
    assert counter.rpc("reset") == {"count": 0, "period": 0.05}


def test_listener_hears_events(load_module, flux_handle):
    listener = load_module(example("listener.py"))
    flux_handle.event_send("news", {"text": "rain today"})
    flux_handle.event_send("news", {"text": "sun tomorrow"})
    heard = poll(lambda: len(listener.rpc("heard")["heard"]) == 2
                 and listener.rpc("heard")["heard"])
    assert heard == [{"text": "rain today"}, {"text": "sun tomorrow"}]


def test_caller_calls_hello_and_fails_without_it(load_module):
    hello = load_module(example("hello.py"))
    caller = load_module(example("caller.py"))
    assert caller.rpc("greet", {"name": "Ada"}) == {
        "greeting": "HELLO, ADA", "from": "hello"}
    hello.remove()
    with pytest.raises(OSError) as info:
        caller.rpc("greet", {"name": "Ada"})
    assert info.value.errno == errno.ENOSYS


def test_kvs_state_survives_a_reload(load_module, flux_instance):
    first = load_module(example("kvs_state.py"))
    assert first.rpc("add", {"n": 2}) == {"total": 2}
    first.remove()
    second = load_module(example("kvs_state.py"))
    assert second.rpc("add", {"n": 3}) == {"total": 5}
    second.remove()
    out = flux_instance.run("kvs", "get", "kvs_state.total").stdout
    assert out.strip() == "5"
    flux_instance.run("kvs", "unlink", "kvs_state.total")


def test_stop_error_fails_and_says_why(load_module, tmp_path):
    motd = tmp_path / "motd"
    motd.write_text("hello, users\n")
    mod = load_module(example("stop_error.py"), motd)
    assert mod.rpc("motd") == {"motd": "hello, users\n"}
    motd.unlink()
    with pytest.raises(FileNotFoundError):
        mod.rpc("motd")
    line = mod.wait_for_log(r"^stop_error\.err\[0\]: cannot read .*: "
                            r"stopping$")
    assert str(motd) in line.message
    mod.wait_for_log(r"stop_error module runtime failure")
    mod.wait_gone()
    assert mod.failure() is not None
    # What the plugin checks at the end of the test: a failure expected.
    mod.expect_failure = True


def test_log_helpers(flux_instance):
    mark = flux_instance.mark_log("log helpers")
    flux_instance.handle.log(4, "flux.pytest test line")
    line = flux_instance.wait_for_log(r"\.warning\[0\]: flux\.pytest test "
                                      r"line$", since=mark)
    assert line.severity == 4
    assert str(flux_instance.dmesg(since=mark)[-1]).endswith(
        " flux.pytest test line")


def test_stream_helper(load_module, tmp_path):
    (tmp_path / "counting.py").write_text(textwrap.dedent("""\
        import errno
        from flux.brokermod import BrokerModule, request_handler

        class Counting(BrokerModule):
            @request_handler("upto")
            def upto(self, msg):
                if not isinstance(msg.payload, dict) or "n" not in msg.payload:
                    self.handle.respond_error(msg, errno.EPROTO, "no n")
                    return
                for i in range(msg.payload["n"]):
                    self.handle.respond(msg, {"i": i})
                self.handle.respond_error(msg, errno.ENODATA)
        """))
    mod = load_module(tmp_path / "counting.py")
    assert list(mod.stream("upto", {"n": 3})) == [{"i": 0}, {"i": 1},
                                                  {"i": 2}]
    assert list(mod.stream("upto", {"n": 0})) == []
    with pytest.raises(OSError) as info:
        list(mod.stream("upto", {}))
    assert info.value.errno == errno.EPROTO
    assert info.value.strerror == "no n"


def run_pytest(*args, cwd=None, env=None):
    """pytest -p flux.pytest ARGS in a new process (its own instance)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-p", "flux.pytest", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=240,
        check=False)


def test_the_documented_example_passes():
    proc = run_pytest(os.path.join(EXAMPLES, "tests"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout


def test_a_module_that_fails_fails_the_test(tmp_path):
    (tmp_path / "crash.py").write_text(textwrap.dedent("""\
        from flux.brokermod import BrokerModule, request_handler

        class Crash(BrokerModule):
            @request_handler("die")
            def die(self, msg):
                raise RuntimeError("crash was asked to die")
        """))
    (tmp_path / "test_crash.py").write_text(textwrap.dedent("""\
        import pytest

        @pytest.mark.flux_module("crash.py")
        def test_crash(flux_module):
            with pytest.raises(OSError):
                flux_module.rpc("die")

        def test_log_timeout(flux_instance):
            flux_instance.wait_for_log("no such line, ever", timeout=0.5)

        def test_no_such_module(load_module):
            load_module("nosuch.py")
        """))
    proc = run_pytest("-rA", str(tmp_path / "test_crash.py"))
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "module crash exited with a runtime error" in out
    assert "crash: RuntimeError: crash was asked to die" in out
    assert "no log line matched 'no such line, ever' within 0.5s" in out
    assert "load_module: no such module file:" in out
    assert "2 failed, 1 passed, 1 error" in out


def test_the_flux_command_options(tmp_path):
    """--flux-cmd, else $FLUX_PYTEST_FLUX, else PATH; --flux-start-arg
    reaches flux start; a flux command that is not there fails."""
    (tmp_path / "test_attr.py").write_text(textwrap.dedent("""\
        def test_attr(flux_instance, flux_handle):
            assert flux_handle.attr_get("log-ring-size") == "77"
            assert flux_instance.flux_cmd.endswith("/flux")
        """))
    flux_cmd = shutil.which("flux")
    assert flux_cmd is not None
    env = dict(os.environ)
    # Without flux on PATH: only FLUX_PYTEST_FLUX names it.
    env["PATH"] = os.pathsep.join(
        p for p in env["PATH"].split(os.pathsep)
        if not os.path.exists(os.path.join(p, "flux")))
    env["FLUX_PYTEST_FLUX"] = flux_cmd
    proc = run_pytest("--flux-start-arg=-Slog-ring-size=77",
                      str(tmp_path / "test_attr.py"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    del env["FLUX_PYTEST_FLUX"]
    proc = run_pytest("--flux-start-arg=-Slog-ring-size=77",
                      f"--flux-cmd={flux_cmd}",
                      str(tmp_path / "test_attr.py"), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_pytest("--flux-cmd=/nonexistent/flux",
                      str(tmp_path / "test_attr.py"), env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert ("flux.pytest: the flux command '/nonexistent/flux' is not "
            "found") in proc.stdout
