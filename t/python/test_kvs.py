# SPDX-License-Identifier: LGPL-3.0-or-later
"""The KVS: the kvs module's Store on its own, and flux.kvs against a
broker with the kvs module loaded.
"""

import base64
import errno
import hashlib
import sys

import pytest

import flux
import flux.kvs as kvs
from conftest import load_kvs_module


M = load_kvs_module("kvs_module_under_test")


def val(data):
    return {"ver": 1, "type": "val",
            "data": base64.b64encode(data).decode()}


def op(key, dirent, flags=0):
    return {"key": key, "flags": flags, "dirent": dirent}


def link(target, namespace=None):
    data = {"target": target}
    if namespace:
        data["namespace"] = namespace
    return {"ver": 1, "type": "symlink", "data": data}


class StoreClient:
    """Store requests as a client would make them (no broker)."""

    def __init__(self):
        self.store = M.Store(owner=1000)

    def commit(self, *ops, ns="primary"):
        return self.store.commit({"ops": list(ops), "flags": 0,
                                  "namespace": ns})

    def lookup(self, key, flags=0, ns="primary", **kw):
        req = {"key": key, "flags": flags, "namespace": ns}
        req.update(kw)
        return self.store.lookup(req)["val"]

    def value(self, key, **kw):
        return base64.b64decode(self.lookup(key, **kw)["data"])

    def errno_of(self, fn, *args, **kw):
        with pytest.raises(M.KVSError) as info:
            fn(*args, **kw)
        return info.value.errnum


@pytest.fixture
def sc():
    return StoreClient()


# The Store, without a broker -----------------------------------------

@pytest.mark.parametrize("key,norm", [
    ("a", "a"), ("a.b", "a.b"), ("a..b", "a.b"), (".a.b.", "a.b"),
    (".", "."), ("", "."), ("...", "."),
])
def test_normalize_key(key, norm):
    assert M.normalize_key(key) == norm


def test_commit_then_lookup(sc):
    resp = sc.commit(op("a.b.c", val(b"1")), op("x", val(b"hello")))
    assert resp["rootseq"] == 1
    assert resp["rootref"].startswith("sha1-")
    assert sc.value("a.b.c") == b"1"
    assert sc.value("a..b.c.") == b"1"
    assert sc.value("x") == b"hello"


def test_lookup_errors_as_flux_core(sc):
    sc.commit(op("d.v", val(b"1")), op("l", link("d")))
    assert sc.errno_of(sc.lookup, "nosuch") == errno.ENOENT
    assert sc.errno_of(sc.lookup, "d.v.below") == errno.ENOENT
    assert sc.errno_of(sc.lookup, "d") == errno.EISDIR
    assert sc.errno_of(sc.lookup, "d.v", M.FLUX_KVS_READDIR) == errno.ENOTDIR
    assert sc.errno_of(sc.lookup, "d.v", M.FLUX_KVS_READLINK) == errno.EINVAL
    assert sc.errno_of(sc.lookup, "d", M.FLUX_KVS_READLINK) == errno.EINVAL
    assert sc.errno_of(sc.lookup, "a", ns="nons") == errno.ENOTSUP
    assert sc.errno_of(sc.store.lookup, {"key": "a", "flags": 0}) \
        == errno.EPROTO


def test_readdir_gives_one_level_with_dirrefs(sc):
    sc.commit(op("d.sub.v", val(b"1")), op("d.w", val(b"2")))
    d = sc.lookup("d", M.FLUX_KVS_READDIR)
    assert d["type"] == "dir"
    assert d["data"]["w"] == val(b"2")
    assert d["data"]["sub"]["type"] == "dirref"
    root = sc.lookup(".", M.FLUX_KVS_READDIR)
    assert set(root["data"]) == {"d"}


def test_treeobj_and_readlink(sc):
    sc.commit(op("t.v", val(b"v")), op("ln", link("t.v")))
    assert sc.lookup("ln", M.FLUX_KVS_READLINK) == link("t.v")
    assert sc.lookup("ln", M.FLUX_KVS_TREEOBJ) == link("t.v")
    assert sc.value("ln") == b"v"
    assert sc.lookup("t", M.FLUX_KVS_TREEOBJ)["type"] == "dirref"


def test_symlinks_in_path_are_followed_both_ways(sc):
    sc.commit(op("real.x", val(b"1")), op("alias", link("real")))
    sc.commit(op("alias.y", val(b"2")))
    assert sc.value("real.y") == b"2"
    assert sc.value("alias.x") == b"1"


def test_symlink_loop_is_eloop(sc):
    sc.commit(op("l1", link("l2")), op("l2", link("l1")))
    assert sc.errno_of(sc.lookup, "l1.x") == errno.ELOOP
    assert sc.errno_of(sc.commit, op("l1.x", val(b"1"))) == errno.ELOOP


def test_commit_is_atomic(sc):
    before = sc.store.getroot({"namespace": "primary"})
    assert sc.errno_of(sc.commit, op("ok", val(b"1")),
                       op(".", val(b"2"))) == errno.EINVAL
    assert sc.errno_of(sc.commit, op("ok", val(b"1")),
                       op("bad", {"ver": 1, "type": "val",
                                  "data": "!!"})) == errno.EINVAL
    assert sc.store.getroot({"namespace": "primary"}) == before
    assert sc.errno_of(sc.lookup, "ok") == errno.ENOENT


def test_put_replaces_values_on_the_path(sc):
    sc.commit(op("a", val(b"1")))
    sc.commit(op("a.b", val(b"2")))
    assert sc.value("a.b") == b"2"


def test_unlink(sc):
    sc.commit(op("u.a", val(b"1")), op("u.b", val(b"2")))
    sc.commit(op("u.a", None), op("missing.key", None), op("u.b.c", None))
    assert sc.errno_of(sc.lookup, "u.a") == errno.ENOENT
    assert sc.value("u.b") == b"2"
    sc.commit(op("u", None))
    assert sc.errno_of(sc.lookup, "u") == errno.ENOENT


def test_append(sc):
    sc.commit(op("log", val(b"a"), M.FLUX_KVS_APPEND))
    sc.commit(op("log", val(b"b"), M.FLUX_KVS_APPEND),
              op("log", val(b"c"), M.FLUX_KVS_APPEND))
    assert sc.value("log") == b"abc"
    sc.commit(op("dir.x", val(b"1")))
    assert sc.errno_of(sc.commit, op("dir", val(b"1"), M.FLUX_KVS_APPEND)) \
        == errno.EISDIR


def test_rootref_is_a_hash_of_content(sc):
    other = StoreClient()
    r1 = sc.commit(op("a.b", val(b"1")), op("c", val(b"2")))["rootref"]
    r2 = other.commit(op("c", val(b"2")), op("a.b", val(b"1")))["rootref"]
    assert r1 == r2
    r3 = sc.commit(op("c", val(b"2")))["rootref"]
    assert r3 == r1
    r4 = sc.commit(op("c", val(b"3")))["rootref"]
    assert r4 != r1


def test_old_roots_stay_readable_by_rootdir(sc):
    old = sc.commit(op("k", val(b"old")))["rootref"]
    sc.commit(op("k", val(b"new")))
    rootdir = {"ver": 1, "type": "dirref", "data": [old]}
    assert sc.value("k", rootdir=rootdir) == b"old"
    assert sc.value("k") == b"new"
    bogus = {"ver": 1, "type": "dirref", "data": ["sha1-" + "0" * 40]}
    assert sc.errno_of(sc.lookup, "k", rootdir=bogus) == errno.ENOENT


def test_dirref_put_copies_a_directory(sc):
    sc.commit(op("src.a", val(b"1")), op("src.b.c", val(b"2")))
    ref = sc.lookup("src", M.FLUX_KVS_TREEOBJ)
    sc.commit(op("dst", ref))
    sc.commit(op("dst.a", val(b"changed")))
    assert sc.value("dst.b.c") == b"2"
    assert sc.value("src.a") == b"1"


def test_namespaces(sc):
    st = sc.store
    st.namespace_create({"namespace": "ns1", "owner": 5, "flags": 0})
    with pytest.raises(M.KVSError) as info:
        st.namespace_create({"namespace": "ns1", "owner": 5, "flags": 0})
    assert info.value.errnum == errno.EEXIST
    sc.commit(op("k", val(b"in-ns1")), ns="ns1")
    assert sc.value("k", ns="ns1") == b"in-ns1"
    assert sc.errno_of(sc.lookup, "k") == errno.ENOENT
    sc.commit(op("cross", link("k", "ns1")))
    assert sc.value("cross") == b"in-ns1"
    names = [n["namespace"] for n in st.namespace_list({})["namespaces"]]
    assert sorted(names) == ["ns1", "primary"]
    st.namespace_remove({"namespace": "ns1"})
    assert sc.errno_of(sc.lookup, "k", ns="ns1") == errno.ENOTSUP


class _NoHashlib:
    """A finder that fails any import of hashlib."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "hashlib":
            raise AssertionError("hashlib imported")
        return None


def test_a_new_store_hashes_nothing(monkeypatch):
    """The primary namespace's empty root has the known EMPTY_DIR_REF:
    creating a Store (as the module's load does) imports no hashlib,
    whose OpenSSL library was a tenth of flux start's time.
    """
    monkeypatch.delitem(sys.modules, "hashlib", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_NoHashlib] + sys.meta_path)
    fresh = load_kvs_module("kvs_fresh")
    st = fresh.Store(owner=1)
    assert st.getroot({"namespace": "primary"})["rootref"] == \
        fresh.EMPTY_DIR_REF


def test_namespace_from_the_empty_directory_ref(sc):
    """flux-core's flux_kvs_namespace_create names the empty directory
    as the rootref; it resolves even after the roots that had an empty
    directory are gone from the history.
    """
    assert M.EMPTY_DIR_REF == ("sha1-c0a9faf907dda6216fd73bf81d0b3b21"
                               "a1a8cb91")
    empty_dir = {"ver": 1, "type": "dir", "data": {}}
    assert M._canonical(empty_dir).encode() == M._EMPTY_DIR_BLOB
    assert M.EMPTY_DIR_REF == "sha1-" + hashlib.sha1(
        M._EMPTY_DIR_BLOB).hexdigest()
    assert M.EMPTY_DIR_REF == M._blobref(empty_dir)
    for i in range(M.HISTORY + 2):
        sc.commit(op("k", val(str(i).encode())))
    st = sc.store
    st.namespace_create({"namespace": "fresh", "owner": 5, "flags": 0,
                         "rootref": M.EMPTY_DIR_REF})
    assert st.getroot({"namespace": "fresh"})["rootref"] == M.EMPTY_DIR_REF
    assert sc.lookup(".", flags=M.FLUX_KVS_READDIR, ns="fresh") == {
        "ver": 1, "type": "dir", "data": {}}
    empty = {"ver": 1, "type": "dirref", "data": [M.EMPTY_DIR_REF]}
    assert sc.lookup(".", flags=M.FLUX_KVS_READDIR,
                     rootdir=empty)["data"] == {}
    with pytest.raises(M.KVSError) as info:
        st.namespace_create({"namespace": "other", "owner": 5, "flags": 0,
                             "rootref": "sha1-" + "0" * 40})
    assert info.value.errnum == errno.ENOENT


def test_wait_version(sc):
    got = []
    sc.store.wait_version({"namespace": "primary", "rootseq": 2},
                          got.append)
    assert not got
    sc.commit(op("a", val(b"1")))
    assert not got
    sc.commit(op("a", val(b"2")))
    assert [g["rootseq"] for g in got] == [2]
    sc.store.wait_version({"namespace": "primary", "rootseq": 1},
                          got.append)
    assert len(got) == 2


def test_invalid_tree_objects(sc):
    bad = [
        {"ver": 2, "type": "val", "data": ""},
        {"ver": 1, "type": "nosuch", "data": ""},
        {"ver": 1, "type": "symlink", "data": "old-style"},
        {"ver": 1, "type": "dir", "data": {"a.b": val(b"1")}},
        {"ver": 1, "type": "valref", "data": ["sha1-" + "0" * 40]},
        "string",
    ]
    for dirent in bad:
        assert sc.errno_of(sc.commit, op("k", dirent)) in (errno.EINVAL,
                                                           errno.ENOTSUP)


# flux.kvs against a broker -------------------------------------------

@pytest.fixture(scope="module")
def kvs_uri(broker_uri):
    # The instance's rc1 has loaded the kvs module.
    return broker_uri


@pytest.fixture
def kh(kvs_uri):
    return flux.Flux(kvs_uri)


def test_put_get_types(kh):
    values = {"t.int": 42, "t.float": 1.5, "t.str": "hello",
              "t.list": [1, "a", None], "t.dict": {"k": {"n": [1]}},
              "t.true": True, "t.none": None}
    for key, value in values.items():
        kvs.put(kh, key, value)
    kvs.put(kh, "t.bytes", b"\xff\xfe")
    kvs.put(kh, "t.rawstr", "not json", raw=True)
    kvs.commit(kh)
    for key, value in values.items():
        assert kvs.get(kh, key) == value
    assert kvs.get(kh, "t.bytes") == b"\xff\xfe"
    assert kvs.get(kh, "t.rawstr") == "not json"


def test_get_missing_raises_enoent(kh):
    with pytest.raises(FileNotFoundError):
        kvs.get(kh, "missing.key")
    with pytest.raises(OSError) as info:
        kvs.get(kh, "")
    assert info.value.errno == errno.EINVAL


def test_commit_without_puts_is_a_noop(kh):
    kvs.commit(kh)


def test_exists_isdir(kh):
    kvs.put(kh, "e.v", 1)
    kvs.commit(kh)
    assert kvs.exists(kh, "e") and kvs.exists(kh, "e.v")
    assert not kvs.exists(kh, "e.nope")
    assert kvs.isdir(kh, "e") and not kvs.isdir(kh, "e.v")
    assert not kvs.isdir(kh, "e.nope")


def test_mkdir_unlink_symlink(kh):
    kvs.put_mkdir(kh, "m.empty")
    kvs.put(kh, "m.target.v", "tv")
    kvs.put_symlink(kh, "m.ln", "m.target")
    kvs.commit(kh)
    assert list(kvs.get(kh, "m.empty")) == []
    assert kvs.get(kh, "m.ln.v") == "tv"
    kvs.put_unlink(kh, "m.target")
    kvs.commit(kh)
    assert not kvs.exists(kh, "m.target")
    with pytest.raises(FileNotFoundError):
        kvs.get(kh, "m.ln.v")


def test_commit_async_returns_root(kh):
    kvs.put(kh, "async.k", 1)
    resp = kvs.commit_async(kh).get()
    assert resp["rootref"].startswith("sha1-")
    assert kvs.get(kh, "async.k") == 1
    assert kh.rpc("kvs.getroot", {"namespace": "primary"}).get()[
        "rootseq"] == resp["rootseq"]


def test_failed_commit_empties_the_handle_txn(kh):
    kvs.put(kh, ".", 1)
    with pytest.raises(OSError) as info:
        kvs.commit(kh)
    assert info.value.errno == errno.EINVAL
    kvs.put(kh, "after.failure", 2)
    kvs.commit(kh)
    assert kvs.get(kh, "after.failure") == 2


def test_kvstxn_context_manager(kh):
    with kvs.KVSTxn(kh, "txn.base") as txn:
        txn.put("a", 1)
        txn.mkdir("d")
        txn.symlink("l", "txn.base.a")
        assert not kvs.exists(kh, "txn.base.a")
    assert kvs.get(kh, "txn.base.a") == 1
    assert kvs.get(kh, "txn.base.l") == 1
    assert kvs.isdir(kh, "txn.base.d")


def test_kvsdir_mapping(kh):
    with kvs.get_dir(kh) as root:
        root["kd.x"] = 1
        root["kd.y"] = "two"
    d = kvs.KVSDir(kh, "kd")
    assert sorted(d) == ["x", "y"]
    assert len(d) == 2
    assert d["x"] == 1
    assert d.key_at("x") == "kd.x"
    with pytest.raises(KeyError):
        d["nope"]
    del d["x"]
    d["z"] = [3]
    d.commit()
    assert sorted(kvs.KVSDir(kh, "kd")) == ["y", "z"]


def test_kvsdir_subdirs_share_one_transaction(kh):
    kvs.put_mkdir(kh, "share.sub")
    kvs.commit(kh)
    root = kvs.KVSDir(kh, "share")
    root["sub"]["leaf"] = "via-subdir"
    root["top"] = 1
    root.commit()
    assert kvs.get(kh, "share.sub.leaf") == "via-subdir"
    assert kvs.get(kh, "share.top") == 1


def test_kvsdir_fill_mkdir_files_directories(kh):
    d = kvs.KVSDir(kh)
    d.mkdir("fm", {"a": 1, "b.c": 2})
    fm = kvs.KVSDir(kh, "fm")
    assert fm.files() == ["a"]
    assert fm.directories() == ["b"]
    assert fm.list_all() == (["a"], ["b"])


def test_kvsdir_of_a_value_raises(kh):
    kvs.put(kh, "notdir", 1)
    kvs.commit(kh)
    with pytest.raises(NotADirectoryError):
        kvs.KVSDir(kh, "notdir")


def test_walk(kh):
    kvs.put(kh, "w.a", 1)
    kvs.put(kh, "w.s.b", 2)
    kvs.put(kh, "w.s.t.c", 3)
    kvs.commit(kh)
    top = list(kvs.walk("w", flux_handle=kh, topdown=True))
    assert top == [("", ["s"], ["a"]), ("s", ["t"], ["b"]),
                   ("s.t", [], ["c"])]
    bottom = list(kvs.walk("w", flux_handle=kh))
    assert bottom[-1] == ("", ["s"], ["a"])
    with pytest.raises(ValueError):
        list(kvs.walk("w"))


def test_namespace_env_and_api(kh, monkeypatch):
    kvs.namespace_create(kh, "pyns")
    try:
        assert "pyns" in kvs.namespace_list(kh)
        kvs.put(kh, "nk", "in-pyns")
        kvs.commit(kh, namespace="pyns")
        assert kvs.get(kh, "nk", namespace="pyns") == "in-pyns"
        assert not kvs.exists(kh, "nk")
        monkeypatch.setenv("FLUX_KVS_NAMESPACE", "pyns")
        assert kvs.get(kh, "nk") == "in-pyns"
    finally:
        monkeypatch.delenv("FLUX_KVS_NAMESPACE", raising=False)
        kvs.namespace_remove(kh, "pyns")
    with pytest.raises(OSError) as info:
        kvs.get(kh, "nk", namespace="pyns")
    assert info.value.errno == errno.ENOTSUP


def test_append_via_put(kh):
    kvs.put(kh, "ap", "x", raw=True)
    kvs.commit(kh)
    kvs.put(kh, "ap", "y", raw=True, append=True)
    kvs.commit(kh)
    assert kvs.get(kh, "ap") == "xy"


def test_a_bug_is_logged_with_its_traceback():
    """What the module logs when a request meets a bug (traceback is
    imported then, not when the module loads): the whole traceback,
    down to the line that raised.
    """
    def broken():
        raise KeyError("lost")

    try:
        broken()
    except KeyError as exc:
        text = M._format_exception(exc)
    assert text.startswith("Traceback (most recent call last):\n")
    assert ", in broken\n" in text
    assert text.endswith("KeyError: 'lost'\n")


def test_blobrefs_are_sha1_of_the_bytes():
    """hashlib is imported on the first blobref: the first and the next
    are both the SHA-1 of the bytes.
    """
    assert M._blobref_of(b"abc") == \
        "sha1-a9993e364706816aba3e25717850c26c9cd0d89d"
    assert M._blobref_of(b"") == \
        "sha1-da39a3ee5e6b4b0d3255bfef95601890afd80709"
