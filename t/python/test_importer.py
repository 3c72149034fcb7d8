# SPDX-License-Identifier: LGPL-3.0-or-later
"""The package's plumbing, no broker needed: flux.importer (plugins from
a package or a file), flux.memoized_property, and flux.wrapper's
classes and exceptions for code written against flux-core's
(WrapperBase, WrapperPimpl, MissingFunctionError, WrongNumArguments,
InvalidArguments)."""

import importlib
import os
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

import flux.constants as C
import flux.wrapper
from flux.core.inner import ffi, lib, raw
from flux.future import Future
from flux.importer import import_path, import_plugins, import_plugins_pkg
from flux.memoized_property import memoized_property
from flux.message import Message
from flux.wrapper import (InvalidArguments, MissingFunctionError,
                          WrapperBase, WrapperPimpl, WrongNumArguments)


def write(path, text=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def pkg_name():
    """A package name no other test uses; its modules are forgotten
    after the test."""
    name = "plug_" + uuid.uuid4().hex[:8]
    yield name
    for mod in [m for m in sys.modules if m == name or
                m.startswith(name + ".")]:
        del sys.modules[mod]


@pytest.fixture
def plugin_dirs(tmp_path, pkg_name, monkeypatch):
    """An installed namespace package (on sys.path) with plugins one and
    two, and a plugin folder with its own two and a three."""
    installed = tmp_path / "site"
    extra = tmp_path / "extra"
    write(installed / pkg_name / "one.py", "WHERE = 'site'\n")
    write(installed / pkg_name / "two.py", "WHERE = 'site'\n")
    write(extra / pkg_name / "two.py", "WHERE = 'extra'\n")
    write(extra / pkg_name / "three.py", "WHERE = 'extra'\n")
    # Installed: after sys.path[0], the script's folder.
    monkeypatch.setattr(sys, "path",
                        sys.path[:1] + [str(installed)] + sys.path[1:])
    return installed, extra


# flux.importer.import_plugins


def test_import_plugins_of_an_installed_package(pkg_name, plugin_dirs):
    plugins = import_plugins(pkg_name)
    assert sorted(plugins) == ["one", "two"]
    assert plugins["two"].WHERE == "site"
    assert plugins["one"].__name__ == f"{pkg_name}.one"


def test_import_plugins_pluginpath_comes_first(pkg_name, plugin_dirs):
    _, extra = plugin_dirs
    before = list(sys.path)
    plugins = import_plugins(pkg_name, [str(extra)])
    assert sorted(plugins) == ["one", "three", "two"]
    assert plugins["two"].WHERE == "extra"
    assert plugins["one"].WHERE == "site"
    assert sys.path == before


def test_import_plugins_pluginpath_may_be_one_path(pkg_name, plugin_dirs):
    _, extra = plugin_dirs
    before = list(sys.path)
    plugins = import_plugins(pkg_name, extra)  # a Path, not a list
    assert plugins["three"].WHERE == "extra"
    assert sys.path == before


def test_import_plugins_only_from_pluginpath(pkg_name, tmp_path):
    write(tmp_path / pkg_name / "solo.py", "X = 1\n")
    before = list(sys.path)
    plugins = import_plugins(pkg_name, [str(tmp_path)])
    assert list(plugins) == ["solo"]
    assert plugins["solo"].X == 1
    assert sys.path == before


def test_import_plugins_sees_plugins_added_since(pkg_name, tmp_path):
    folder = tmp_path / pkg_name
    write(folder / "early.py", "X = 1\n")
    assert list(import_plugins(pkg_name, [str(tmp_path)])) == ["early"]
    stamp = os.stat(folder)
    write(folder / "late.py", "X = 2\n")
    # The same mtime as before, so only a fresh look finds late.py.
    os.utime(folder, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    plugins = import_plugins(pkg_name, [str(tmp_path)])
    assert sorted(plugins) == ["early", "late"]
    assert plugins["late"].X == 2


def test_import_plugins_of_a_missing_package(pkg_name, tmp_path):
    before = list(sys.path)
    assert import_plugins(pkg_name) == {}
    assert import_plugins(pkg_name, [str(tmp_path)]) == {}
    assert import_plugins(pkg_name + ".sub", [str(tmp_path)]) == {}
    assert sys.path == before


def test_import_plugins_of_an_empty_folder(pkg_name, tmp_path):
    (tmp_path / pkg_name).mkdir()
    assert import_plugins(pkg_name, [str(tmp_path)]) == {}


def test_import_plugins_a_broken_plugin(pkg_name, plugin_dirs):
    installed, extra = plugin_dirs
    write(extra / pkg_name / "bad.py", "import no_such_module_x1\n")
    before = list(sys.path)
    with pytest.raises(ImportError) as exc:
        import_plugins(pkg_name, [str(extra)])
    assert str(exc.value) == (
        "failed to import bad plugin: No module named 'no_such_module_x1'")
    assert sys.path == before


def test_import_plugins_a_package_that_fails_to_import(pkg_name, tmp_path):
    # Not "no such package": the package is there, its import is broken.
    write(tmp_path / pkg_name / "__init__.py", "import no_such_module_x2\n")
    before = list(sys.path)
    with pytest.raises(ModuleNotFoundError, match="no_such_module_x2"):
        import_plugins(pkg_name, [str(tmp_path)])
    assert sys.path == before


def test_import_plugins_of_a_regular_package(pkg_name, tmp_path,
                                             monkeypatch):
    write(tmp_path / pkg_name / "__init__.py", "")
    write(tmp_path / pkg_name / "a.py", "NAME = 'a'\n")
    write(tmp_path / pkg_name / "sub" / "__init__.py", "NAME = 'sub'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins = import_plugins(pkg_name)
    assert {k: v.NAME for k, v in plugins.items()} == {"a": "a",
                                                       "sub": "sub"}


def test_import_plugins_pkg_takes_the_package(pkg_name, plugin_dirs):
    pkg = importlib.import_module(pkg_name)
    plugins = import_plugins_pkg(pkg)
    assert sorted(plugins) == ["one", "two"]
    assert plugins["one"] is sys.modules[f"{pkg_name}.one"]


# flux.importer.import_path


def test_import_path(tmp_path):
    path = write(tmp_path / "happy.py", """\
        import os
        VALUE = 6 * 7
        def where():
            return __name__
        """)
    mod = import_path(str(path))
    assert mod.VALUE == 42
    assert mod.where() == "happy"  # flux-core's would say "ha"
    assert mod.__file__ == str(path)
    assert "happy" not in sys.modules
    assert import_path(path) is not mod  # a Path too; run again


def test_import_path_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        import_path(str(tmp_path / "nothere.py"))


def test_import_path_not_python(tmp_path):
    path = write(tmp_path / "notes.txt", "X = 1\n")
    with pytest.raises(ImportError) as exc:
        import_path(str(path))
    assert str(exc.value) == f"{path}: not a Python source file"


def test_import_path_error_in_the_file(tmp_path):
    path = write(tmp_path / "oops.py", "1 / 0\n")
    with pytest.raises(ZeroDivisionError):
        import_path(str(path))


# flux.memoized_property


class Lazy:
    def __init__(self):
        self.calls = 0

    @memoized_property
    def answer(self):
        """The answer, worked out once."""
        self.calls += 1
        return [42]

    @memoized_property
    def nothing(self):
        self.calls += 1
        return None


def test_memoized_property_runs_the_getter_once():
    obj = Lazy()
    assert obj.calls == 0
    first = obj.answer
    assert first == [42]
    assert obj.answer is first
    assert obj.calls == 1
    assert obj.nothing is None and obj.nothing is None
    assert obj.calls == 2


def test_memoized_property_per_instance():
    one, two = Lazy(), Lazy()
    assert one.answer is not two.answer
    assert (one.calls, two.calls) == (1, 1)


def test_memoized_property_keeps_the_value_as_underscore_name():
    obj = Lazy()
    assert not hasattr(obj, "_answer")
    value = obj.answer
    assert obj._answer is value
    del obj._answer
    assert obj.answer == [42]
    assert obj.calls == 2
    obj._answer = "preset"
    assert obj.answer == "preset"


def test_memoized_property_is_read_only_and_documented():
    assert isinstance(Lazy.answer, property)
    assert Lazy.answer.__doc__ == "The answer, worked out once."
    assert Lazy.answer.fget.__name__ == "answer"
    with pytest.raises(AttributeError):
        Lazy().answer = 1


def test_memoized_property_getter_errors_are_not_kept():
    class Flaky:
        tries = 0

        @memoized_property
        def value(self):
            self.tries += 1
            if self.tries == 1:
                raise RuntimeError("not yet")
            return "ok"

    obj = Flaky()
    with pytest.raises(RuntimeError, match="not yet"):
        obj.value
    assert obj.value == "ok"


# flux.wrapper: names a missing libflux function


def test_missing_function_error():
    msg = Message()
    with pytest.raises(MissingFunctionError) as exc:
        msg.no_such_function_at_all("stuff")
    assert str(exc.value) == (
        "'Message' object has no attribute 'no_such_function_at_all' (nor "
        "is there a libflux function flux_msg_no_such_function_at_all or "
        "flux_no_such_function_at_all or no_such_function_at_all)")
    assert exc.value.name == "no_such_function_at_all"
    assert exc.value.name_list == ["flux_msg_no_such_function_at_all",
                                   "flux_no_such_function_at_all",
                                   "no_such_function_at_all"]
    assert exc.value.c_name == "flux_msg_no_such_function_at_all"


def test_missing_function_error_is_an_attribute_error():
    msg = Message()
    assert issubclass(MissingFunctionError, AttributeError)
    assert not hasattr(msg, "no_such_function_at_all")
    assert getattr(msg, "no_such_function_at_all", 5) == 5


def test_missing_function_error_from_raw():
    with pytest.raises(MissingFunctionError) as exc:
        raw.flux_no_such_thing()
    assert str(exc.value) == (
        "libflux has no function or constant flux_no_such_thing")
    assert raw.FLUX_MSGTYPE_ANY == C.FLUX_MSGTYPE_ANY


def test_missing_function_error_with_arguments():
    err = MissingFunctionError("foo", "flux_foo", ["flux_foo"], (1, "a"))
    assert str(err) == ("libflux has no function or constant flux_foo; "
                        "called as flux_foo(1, 'a')")
    assert err.arguments == (1, "a")


# flux.wrapper: WrongNumArguments


def test_wrong_number_of_arguments():
    msg = Message()
    with pytest.raises(WrongNumArguments) as exc:
        msg.request_encode("topic")
    assert isinstance(exc.value, ValueError)
    assert not isinstance(exc.value, TypeError)
    assert str(exc.value) == (
        "flux_request_encode() takes 2 arguments "
        "(struct flux_msg *(*)(char *, char *)), 1 given")
    assert (exc.value.expected, exc.value.received) == (2, 1)
    assert exc.value.handle_type is None


def test_wrong_number_of_arguments_to_a_bound_function():
    msg = Message()
    with pytest.raises(WrongNumArguments) as exc:
        msg.get_topic()
    assert str(exc.value) == (
        "flux_msg_get_topic() takes 1 argument after the flux_msg_t * "
        "handle it is called on (int(*)(struct flux_msg *, char * *)), "
        "0 given")
    assert exc.value.handle_type == "flux_msg_t *"
    with pytest.raises(WrongNumArguments, match="2 given"):
        msg.get_topic(ffi.new("char **"), 1)


def test_wrong_number_of_arguments_through_raw():
    with pytest.raises(WrongNumArguments,
                       match=r"^flux_msg_create\(\) takes 1 argument "):
        raw.flux_msg_create()


# flux.wrapper: InvalidArguments


def test_invalid_arguments():
    msg = Message()
    with pytest.raises(InvalidArguments) as exc:
        msg.request_encode("topic", 15)
    assert isinstance(exc.value, ValueError)
    assert isinstance(exc.value.__cause__, TypeError)
    assert str(exc.value).startswith(
        "invalid arguments ('topic', 15) to flux_request_encode() "
        "(struct flux_msg *(*)(char *, char *)): ")
    assert str(exc.value.__cause__) in str(exc.value)
    assert exc.value.arguments == ("topic", 15)


def test_invalid_arguments_through_raw():
    with pytest.raises(InvalidArguments, match="flux_msg_create"):
        raw.flux_msg_create("request")


def test_valid_calls_still_work():
    msg = Message()
    msg.set_topic("a.b")
    topic = ffi.new("char **")
    assert msg.get_topic(topic) == 0
    assert ffi.string(topic[0]) == b"a.b"


def test_bound_function_on_a_null_handle():
    msg = Message.__new__(Message)  # no handle yet
    with pytest.raises(ValueError) as exc:
        msg.get_topic(ffi.new("char **"))
    assert str(exc.value) == ("cannot call flux_msg_get_topic(): it takes "
                              "the object's flux_msg_t * handle, which is "
                              "NULL")


# flux.wrapper: WrapperBase, WrapperPimpl


def test_wrapper_base():
    obj = WrapperBase()
    assert obj.handle is None
    msg = Message()
    obj.handle = msg.handle
    kind = ffi.new("int *")
    assert raw.flux_msg_get_type(obj, kind) == 0  # obj stands for handle
    assert kind[0] == C.FLUX_MSGTYPE_REQUEST


def test_our_objects_are_wrapper_bases():
    fut = Future(lib.flux_future_create(ffi.NULL, ffi.NULL))
    for obj in (Message(), fut):
        assert isinstance(obj, WrapperBase)
        assert isinstance(obj, flux.wrapper.Wrapper)
    assert issubclass(flux.Flux, WrapperBase)


class Holder(WrapperPimpl):
    def __init__(self, pimpl=None):
        super().__init__()
        self.pimpl = pimpl


def test_wrapper_pimpl_handle_is_the_pimpls():
    msg = Message()
    holder = Holder(msg)
    assert isinstance(holder, WrapperBase)
    assert holder.handle is msg.handle
    other = Message(C.FLUX_MSGTYPE_EVENT)
    holder.handle = other.handle
    assert msg.handle is other.handle
    kind = ffi.new("int *")
    assert raw.flux_msg_get_type(holder, kind) == 0
    assert kind[0] == C.FLUX_MSGTYPE_EVENT


def test_wrapper_pimpl_without_pimpl():
    holder = Holder()
    assert holder.pimpl is None
    assert holder.handle is None
    with pytest.raises(AttributeError,
                       match="'Holder' object has no pimpl to hold"):
        holder.handle = ffi.NULL
    with holder as entered:  # nothing to leave
        assert entered is holder


def test_wrapper_pimpl_with_block_leaves_the_pimpl():
    fut = Future(lib.flux_future_create(ffi.NULL, ffi.NULL))
    holder = Holder(fut)
    with holder as entered:
        assert entered is holder
        assert holder.handle is not None
    assert fut.handle is None  # Future.__exit__ destroyed it
    assert holder.handle is None


def test_wrapper_pimpl_with_block_keeps_exceptions():
    fut = Future(lib.flux_future_create(ffi.NULL, ffi.NULL))
    with pytest.raises(KeyError):
        with Holder(fut):
            raise KeyError("x")
    assert fut.handle is None


def test_wrapper_exports():
    for name in ("Wrapper", "WrapperBase", "WrapperPimpl",
                 "MissingFunctionError", "WrongNumArguments",
                 "InvalidArguments"):
        assert name in flux.wrapper.__all__
    assert Path(flux.wrapper.__file__).name == "wrapper.py"
