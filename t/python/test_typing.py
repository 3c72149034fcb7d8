# SPDX-License-Identifier: LGPL-3.0-or-later
"""Type checking (doc/typing.rst): mypy, with the project's mypy.ini, is
clean on the stubs of the flux package, our own Python modules and the
examples; stubtest finds the stubs true to the modules they describe
(with stubtest-allowlist.txt); and the stubs are in force, not all Any:
code that misuses the API is reported.

mypy is a test requirement (scripts/install-deps installs it): where it
is missing these tests fail, they are not skipped.
"""
import os
import re
import subprocess
import sys
import textwrap

SRC = os.environ.get("FLUX_SOURCE_DIR",
                     os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("FLUX_BUILD_DIR", os.path.join(SRC, "build"))
# The cache lives in the build tree, not the source tree.
CACHE = os.path.join(BUILD, "mypy-cache")
CONFIG = os.path.join(SRC, "mypy.ini")


def run(*args, cwd=SRC):
    proc = subprocess.run([sys.executable, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=280,
                          check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_mypy_is_installed():
    rc, out = run("-m", "mypy", "--version")
    assert rc == 0, ("mypy is missing (scripts/install-deps installs it): "
                     + out)


def test_mypy_is_clean_on_the_stubs_modules_and_examples():
    rc, out = run("-m", "mypy", "--config-file", CONFIG,
                  "--cache-dir", CACHE)
    assert rc == 0, out
    assert out.startswith("Success: no issues found"), out


def mypy_version():
    rc, out = run("-c", "import mypy.version; print(mypy.version.__version__)")
    assert rc == 0, out
    return tuple(int(x) for x in out.split("+")[0].split(".")[:2])


def test_stubtest_finds_the_stubs_true():
    allow = ["--allowlist", os.path.join(SRC, "stubtest-allowlist.txt")]
    if mypy_version() == (1, 0):
        # Debian 12's: the false positives of its stubtest (see the file).
        allow += ["--allowlist",
                  os.path.join(SRC, "stubtest-allowlist-mypy1.0.txt")]
    rc, out = run("-m", "mypy.stubtest", "flux",
                  "--mypy-config-file", CONFIG, *allow)
    assert rc == 0, out
    assert "Success: no issues found" in out, out


def test_the_stubs_are_in_force(tmp_path):
    """A module that misuses the API: mypy reports each misuse, on its
    line, with the types of the stubs."""
    bad = tmp_path / "badmod.py"
    bad.write_text(textwrap.dedent("""\
        import flux
        from flux.brokermod import BrokerModule, request_handler
        from flux.idset import IDset
        from flux.message import Message

        class Bad(BrokerModule):
            @request_handler("info")
            def info(self, msg: Message) -> None:
                self.handle.respond(msg, {"rank": self.handle.get_rank()})
                self.handle.respond_error(msg, "ENOENT")
                n = msg.topic + 1
                self.log.info("got %s", msg.payload)
                self.handle.rpc(42)
                IDset("0-3").encode(flags="range")
                self.name = "other"


        def main():
            h = flux.Flux()
            matchtag: str = h.rpc("a.b").get_matchtag()
            h.timer_watcher_create(1.0, tick)

        def tick(h, watcher):
            pass
        """))
    rc, out = run("-m", "mypy", "--config-file", CONFIG,
                  "--cache-dir", CACHE, str(bad))
    assert rc == 1, out
    expected = [
        ":10: error: Argument 2 to \"respond_error\" of \"Flux\" has "
        "incompatible type \"str\"; expected \"int\"",
        ":11: error: Unsupported operand types for + (\"str\" and \"int\")",
        ":13: error: Argument 1 to \"rpc\" of \"Flux\" has incompatible "
        "type \"int\"",
        ":14: error: Argument \"flags\" to \"encode\" of \"IDset\" has "
        "incompatible type \"str\"",
        ":15: error: Property \"name\" defined in \"BrokerModule\" is "
        "read-only",
        ":20: error: Incompatible types in assignment (expression has type "
        "\"int\", variable has type \"str\")",
        ":21: error: Argument 2 to \"timer_watcher_create\" of \"Flux\" has "
        "incompatible type",
    ]
    for text in expected:
        assert text in out, f"{text!r} not in:\n{out}"
    assert out.count(": error:") == len(expected), out


def test_what_a_user_sees(tmp_path):
    """The types mypy gives a user's code: from the stubs, and from the
    annotations of flux.pytest."""
    code = tmp_path / "user.py"
    code.write_text(textwrap.dedent("""\
        import flux, flux.kvs
        from flux.pytest import LoadedModule
        h = flux.Flux()
        reveal_type(h.rpc("a.b"))
        reveal_type(h.rpc("a.b").get_matchtag())
        reveal_type(h.recv().topic)
        reveal_type(flux.kvs.get_dir(h))
        reveal_type(LoadedModule.dmesg)
        reveal_type(h.flux_get_size)
        """))
    rc, out = run("-m", "mypy", "--config-file", CONFIG,
                  "--cache-dir", CACHE, str(code))
    assert rc == 0, out
    # N.B. mypy 1.0 (Debian 12's) writes "builtins.int" where 1.11 and
    # later write "int".
    for line, text in ((4, r"flux\.rpc\.RPC"), (5, r"(builtins\.)?int"),
                       (6, r"(builtins\.)?str"), (7, r"flux\.kvs\.KVSDir"),
                       (8, r"def \(self: flux\.pytest\.LoadedModule\) -> "
                           r"(builtins\.)?list\[flux\.pytest\.LogLine\]"),
                       # a libflux function through the wrapper: Any
                       (9, r"Any")):
        assert re.search(f':{line}: note: Revealed type is "{text}"\n',
                         out), f"line {line}: {text!r} not in:\n{out}"
