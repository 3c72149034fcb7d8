# SPDX-License-Identifier: LGPL-3.0-or-later
"""The KVS on the content store, against a broker: a transaction is seen
whole by a reader while it is being saved, and content.load/store from a
Python client behave as flux-core's.
"""

import errno
import json
import hashlib
import threading

import pytest

import flux
import flux.kvs as kvs
from flux.core.inner import ffi, lib
from flux.future import Future


@pytest.fixture(scope="module")
def kvs_uri(broker_uri):
    # The instance's rc1 has loaded the content and kvs modules.
    return broker_uri


@pytest.fixture
def kh(kvs_uri):
    return flux.Flux(kvs_uri)


def raw_rpc(h, topic, data):
    """A raw request and its raw response (OSError on an error)."""
    f = Future(lib.flux_rpc_raw(h.handle, topic, data, len(data),
                                lib.FLUX_NODEID_ANY, 0), flux_handle=h)
    p = ffi.new("const void **")
    n = ffi.new("size_t *")
    if lib.flux_rpc_get_raw(f.handle, p, n) < 0:
        raise OSError(ffi.errno, f.error_string())
    return bytes(ffi.buffer(p[0], n[0])) if n[0] else b""


def test_content_store_then_load_from_python(kh):
    blob = b"a blob from python\0with a NUL"
    digest = raw_rpc(kh, b"content.store", blob)
    assert digest == hashlib.sha1(blob).digest()
    assert raw_rpc(kh, b"content.load", digest) == blob


def test_content_load_of_an_unknown_blob_is_enoent(kh):
    with pytest.raises(OSError) as info:
        raw_rpc(kh, b"content.load", hashlib.sha1(b"never stored").digest())
    assert info.value.errno == errno.ENOENT


def test_a_large_value_is_loaded_back_from_its_blob(kh):
    value = "z" * 5000
    kvs.put(kh, "ct.big", value)
    kvs.commit(kh)
    treeobj = kh.rpc("kvs.lookup", {"key": "ct.big", "namespace": "primary",
                                    "flags": kvs.FLUX_KVS_TREEOBJ}).get()
    ref = treeobj["val"]["data"][0]
    assert treeobj["val"]["type"] == "valref"
    # The blob is the value's JSON encoding, as flux.kvs.put wrote it.
    blob = raw_rpc(kh, b"content.load", bytes.fromhex(ref[5:]))
    assert blob.rstrip(b"\0") == f'"{value}"'.encode()
    assert kvs.get(kh, "ct.big") == value


def test_a_transaction_is_seen_whole_by_a_concurrent_reader(kvs_uri):
    # Both keys change in each transaction, to a value that differs from
    # the last one, long enough to be a valref: a reader that reads the
    # two from one root must never see them differ.
    rounds = 200
    done = threading.Event()
    errors = []

    def writer():
        h = flux.Flux(kvs_uri)
        try:
            for i in range(rounds):
                value = f"{i:04d}" + "w" * 100
                txn = kvs.KVSTxn(h)
                txn.put("pair.a", value)
                txn.put("pair.b", value)
                txn.commit()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append(exc)
        finally:
            done.set()

    h = flux.Flux(kvs_uri)
    kvs.put(h, "pair.a", "start")
    kvs.put(h, "pair.b", "start")
    kvs.commit(h)
    thread = threading.Thread(target=writer)
    thread.start()
    seen = set()
    differ = 0
    while not done.is_set():
        root = h.rpc("kvs.getroot", {"namespace": "primary"}).get()
        at = {"ver": 1, "type": "dirref", "data": [root["rootref"]]}
        a, b = (h.rpc("kvs.lookup", {"key": key, "flags": 0,
                                     "namespace": "primary",
                                     "rootdir": at}).get()["val"]
                for key in ("pair.a", "pair.b"))
        if a != b:
            differ += 1
        # One lookup of the directory gives both entries from one root.
        pair = h.rpc("kvs.lookup", {"key": "pair", "namespace": "primary",
                                    "flags": kvs.FLUX_KVS_READDIR}).get()
        entries = pair["val"]["data"]
        if entries["a"] != entries["b"]:
            differ += 1
        seen.add(str(entries["a"]))
    thread.join()
    assert not errors
    assert differ == 0
    assert len(seen) > 2, "the reader saw too few commits to tell"
    assert kvs.get(h, "pair.a") == f"{rounds - 1:04d}" + "w" * 100


def _check_stored_tree(h, ref, seen):
    """Every directory under ref is stored as its canonical RFC 11
    encoding (sorted keys, no spaces) under the SHA-1 of those bytes.
    """
    blob = raw_rpc(h, b"content.load", bytes.fromhex(ref[5:]))
    assert "sha1-" + hashlib.sha1(blob).hexdigest() == ref
    obj = json.loads(blob)
    assert json.dumps(obj, sort_keys=True, separators=(",", ":")) \
        == blob.decode()
    seen.append(obj)
    for entry in obj["data"].values():
        if entry["type"] == "dirref":
            _check_stored_tree(h, entry["data"][0], seen)
    return obj


def test_directory_blobs_stay_canonical_as_entries_change(kh):
    # Each commit changes some entries of directories that earlier
    # commits stored: added, replaced (value, then a directory in its
    # place), removed, made large (a valref), names that need escaping.
    steps = [
        {"enc.a": 1, "enc.b": "two", "enc.sub.x": [1, 2]},
        {"enc.a": 10, "enc.c\u00e9": "accent", 'enc.q"uote': True},
        {"enc.b": None, "enc.sub.y": {"k": "v"}, "enc.big": "v" * 300},
        {"enc.a": None, "enc.sub": None, "enc.z.deep.er": 0},
        {"enc.sub.x": 5, "enc.big": "w" * 300, "enc.Z": "upper"},
    ]
    for step in steps:
        for key, value in step.items():
            if value is None:
                kvs.put_unlink(kh, key)
            else:
                kvs.put(kh, key, value)
        kvs.commit(kh)
        root = kh.rpc("kvs.getroot", {"namespace": "primary"}).get()
        seen = []
        _check_stored_tree(kh, root["rootref"], seen)
        assert len(seen) >= 2
    assert kvs.get(kh, "enc.sub.x") == 5
    assert kvs.get(kh, "enc.c\u00e9") == "accent"
    assert not kvs.exists(kh, "enc.a")
