# SPDX-License-Identifier: LGPL-3.0-or-later
"""_flux/_core_build.py keeps the GIL around the C calls that cannot
block, and only those, and keeps their errno handling.
"""

import errno

import pytest

from _flux import _core_build
from flux.core.inner import ffi, lib


def wrapper(name, result="result = "):
    """A wrapper body as cffi's API mode writes it."""
    return (f"_cffi_f_{name}(PyObject *self, PyObject *args)\n{{\n"
            "  Py_BEGIN_ALLOW_THREADS\n"
            "  _cffi_restore_errno();\n"
            f"  {{ {result}{name}(x0, x1); }}\n"
            "  _cffi_save_errno();\n"
            "  Py_END_ALLOW_THREADS\n}\n")


def test_which_functions_keep_the_gil():
    for name in ("flux_msg_get_topic", "flux_msg_handler_stop",
                 "flux_respond", "flux_response_derive", "flux_watcher_start"):
        assert _core_build.keeps_gil(name), name
    for name in ("flux_reactor_run", "flux_recv", "flux_send",
                 "flux_future_get", "flux_future_wait_for", "flux_rpc",
                 "flux_rpc_get", "flux_open"):
        assert not _core_build.keeps_gil(name), name


def test_release_dropped_for_those_only_errno_kept():
    source = (wrapper("flux_msg_get_topic")
              + wrapper("flux_watcher_stop", result="")
              + wrapper("flux_reactor_run"))
    out = _core_build.keep_gil(source, {"flux_msg_get_topic",
                                        "flux_watcher_stop",
                                        "flux_reactor_run"})
    kept, stopped, run = out.split("_cffi_f_")[1:]
    for body in (kept, stopped):
        assert "ALLOW_THREADS" not in body
        assert "_cffi_restore_errno();" in body
        assert "_cffi_save_errno();" in body
    assert "{ result = flux_msg_get_topic(x0, x1); }" in kept
    assert "{ flux_watcher_stop(x0, x1); }" in stopped
    assert run == wrapper("flux_reactor_run")[len("_cffi_f_"):]


def test_a_wrapper_of_another_form_fails_the_build():
    source = wrapper("flux_msg_get_topic").replace(
        "  _cffi_restore_errno();\n", "")
    with pytest.raises(SystemExit, match="flux_msg_get_topic"):
        _core_build.keep_gil(source, {"flux_msg_get_topic"})


def test_the_built_extension_still_sets_errno():
    # flux_msg_get_topic keeps the GIL in the built _core: its failure
    # must still reach ffi.errno (what raise_errno reads).
    topic = ffi.new("const char **")
    ffi.errno = 0
    assert lib.flux_msg_get_topic(ffi.NULL, topic) == -1
    assert ffi.errno == errno.EINVAL
    msg = lib.flux_msg_create(lib.FLUX_MSGTYPE_REQUEST)
    ffi.errno = 0
    assert lib.flux_msg_get_topic(msg, topic) == -1
    assert ffi.errno == errno.EPROTO
    lib.flux_msg_destroy(msg)
