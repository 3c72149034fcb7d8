# SPDX-License-Identifier: LGPL-3.0-or-later
"""Generate the C source of the _flux._core extension (cffi, API mode).

The cdef is assembled from the curated declarations in decl/*.h, one file
per libflux header, plus callbacks.h.  Enum values and struct layouts are
written as "..." so the C compiler, not this file, supplies them: a
declaration that disagrees with flux/core.h fails the build instead of
corrupting memory at run time.

Usage: _core_build.py OUTPUT.c   (meson compiles OUTPUT.c itself)
"""

import os
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


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(f"Usage: {argv[0]} OUTPUT.c\n")
        return 1
    make_ffi().emit_c_code(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
