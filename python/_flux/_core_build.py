# SPDX-License-Identifier: LGPL-3.0-or-later
"""Generate the C source of the _flux._core extension (cffi, API mode).

The cdef is assembled from the curated declarations in decl/*.h, one file
per libflux header, plus callbacks.h.  Enum values and struct layouts are
written as "..." so the C compiler, not this file, supplies them: a
declaration that disagrees with flux/core.h fails the build instead of
corrupting memory at run time.

Functions that cannot block are called with the GIL kept (keeps_gil(),
keep_gil()).

Usage: _core_build.py OUTPUT.c   (meson compiles OUTPUT.c itself)
"""

import os
import re
import sys

import cffi

# Order matters: a file may use types declared by an earlier one.
DECLS = [
    "types",
    "message",
    "reactor",
    "watcher",
    "handle",
    "msg_handler",
    "request",
    "response",
    "future",
    "rpc",
    "event",
    "flog",
    "attr",
    "service",
    "module",
    "conf",
    "kvs",
    "version",
    "sync",
    "msglist",
    "control",
    "msgflags",
    "event_ex",
    "hosts",
]

HERE = os.path.dirname(os.path.abspath(__file__))


def cdef_text():
    parts = []
    for name in DECLS:
        with open(os.path.join(HERE, "decl", name + ".h"), encoding="utf-8") as f:
            parts.append(f.read())
    with open(os.path.join(HERE, "callbacks.h"), encoding="utf-8") as f:
        parts.append(f.read())
    return "\n".join(parts)


def make_ffi():
    ffi = cffi.FFI()
    ffi.cdef(cdef_text())
    ffi.set_source("_flux._core",
                   "#include <flux/core.h>\n#include <jansson.h>\n")
    return ffi


def keeps_gil(name):
    """Whether the wrapper of C function 'name' keeps the GIL.

    cffi releases the GIL around every call, which costs a drop and a
    take of it, about 800 instructions (callgrind): more than most of
    these functions do.  Kept for the ones that only work on memory:
    messages and their fields, message handlers, watchers started and
    stopped, response encoding, and flux_respond*, whose send never
    blocks on a module's handle (an interthread channel is unbounded;
    on a local connector it would wait only while the broker's socket
    is full).  Anything that may wait (a reactor run, a receive, a
    future's get, an RPC's send) still lets other threads run.
    """
    if name.startswith("flux_msg_"):
        return True
    return name in {
        "flux_respond", "flux_respond_raw", "flux_respond_error",
        "flux_response_derive", "flux_response_decode",
        "flux_response_decode_raw", "flux_response_decode_error",
        "flux_response_encode", "flux_response_encode_raw",
        "flux_response_encode_error",
        "flux_watcher_start", "flux_watcher_stop", "flux_future_is_ready",
        "flux_get_reactor", "flux_aux_get",
    }


_RELEASE = re.compile(
    r"  Py_BEGIN_ALLOW_THREADS\n"
    r"  _cffi_restore_errno\(\);\n"
    r"(  \{ (?:result = )?(\w+)\(.*\); \}\n)"
    r"  _cffi_save_errno\(\);\n"
    r"  Py_END_ALLOW_THREADS\n")


def keep_gil(source, names):
    """The generated C 'source' with the GIL kept around calls to the
    functions among 'names' for which keeps_gil() is true.  A wrapper
    not in the form expected (another cffi) fails the build: silently
    keeping the release would only lose speed, but silently dropping the
    errno handling would not.
    """
    wanted = {n for n in names if keeps_gil(n)}
    done = set()

    def edit(m):
        if m.group(2) not in wanted:
            return m.group(0)
        done.add(m.group(2))
        return ("  _cffi_restore_errno();\n" + m.group(1)
                + "  _cffi_save_errno();\n")

    source = _RELEASE.sub(edit, source)
    if done != wanted:
        raise SystemExit("_core_build.py: no GIL release found to drop in"
                         f" the wrappers of {sorted(wanted - done)}")
    return source


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(f"Usage: {argv[0]} OUTPUT.c\n")
        return 1
    ffi = make_ffi()
    ffi.emit_c_code(argv[1])
    with open(argv[1], encoding="utf-8") as f:
        source = f.read()
    names = set(re.findall(r"^_cffi_f_(\w+)\(", source, re.M))
    with open(argv[1], "w", encoding="utf-8") as f:
        f.write(keep_gil(source, names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
