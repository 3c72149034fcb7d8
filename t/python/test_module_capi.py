# SPDX-License-Identifier: LGPL-3.0-or-later
"""The C module API through the cffi bindings (_flux._core): what
flux_module_initialize leaves on a module's handle (config, attribute
cache), read back with flux-core's functions.
"""

from flux.core.inner import ffi, lib


def test_conf_from_welcome(module_pair):
    pair = module_pair("capi", conf={"tbon": {"fanout": 3}})
    conf = lib.flux_get_conf(pair.mod.handle)
    assert conf != ffi.NULL
    fanout = ffi.new("int *")
    error = ffi.new("flux_error_t *")
    # N.B. variadic arguments need C types, and the buffers must stay
    # referenced for the call
    tbon = ffi.new("char[]", b"tbon")
    key = ffi.new("char[]", b"fanout")
    rc = lib.flux_conf_unpack(conf, error, b"{s:{s:i}}",
                              ffi.cast("char *", tbon),
                              ffi.cast("char *", key), fanout)
    assert rc == 0
    assert fanout[0] == 3


def test_conf_unpack_missing_key_text(module_pair):
    pair = module_pair("capi")
    conf = lib.flux_get_conf(pair.mod.handle)
    value = ffi.new("int *")
    error = ffi.new("flux_error_t *")
    key = ffi.new("char[]", b"nokey")
    rc = lib.flux_conf_unpack(conf, error, b"{s:i}", ffi.cast("char *", key),
                              value)
    assert rc == -1
    assert ffi.errno == 22
    assert ffi.string(error.text) == b"Object item not found: nokey"


def test_attr_cache_iteration(module_pair):
    pair = module_pair("capi")
    names = []
    name = lib.flux_attr_cache_first(pair.mod.handle)
    while name != ffi.NULL:
        names.append(ffi.string(name).decode())
        name = lib.flux_attr_cache_next(pair.mod.handle)
    assert names == ["rank", "size"]
    size = ffi.new("uint32_t *")
    assert lib.flux_get_size(pair.mod.handle, size) == 0
    assert size[0] == 1


def test_conf_refcount_and_set(module_pair):
    pair = module_pair("capi")
    mine = lib.flux_conf_create()
    assert mine != ffi.NULL
    assert lib.flux_set_conf_new(pair.mod.handle, mine) == 0
    assert lib.flux_get_conf(pair.mod.handle) == mine
    copy = lib.flux_conf_copy(mine)
    assert copy != ffi.NULL and copy != mine
    lib.flux_conf_decref(copy)
