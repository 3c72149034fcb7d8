# SPDX-License-Identifier: LGPL-3.0-or-later
"""flux.kvs: the key-value store, as flux-core's flux.kvs presents it.

    import flux, flux.kvs
    h = flux.Flux()
    flux.kvs.put(h, "a.b", {"x": 1})
    flux.kvs.commit(h)
    flux.kvs.get(h, "a.b")          # {'x': 1}
    flux.kvs.get(h, "a")            # a KVSDir

Everything goes through the kvs module's RPCs (kvs.lookup, kvs.commit,
...; see modules/kvs/kvs.py) with h.rpc, so it works from a client and
from inside a broker module (BrokerModule.handle) alike; the kvs module
must be loaded.

Values.  put() stores the bytes of json.dumps(value) (as flux-core's
flux_kvs_txn_put, with no NUL, so appends concatenate), or bytes as they
are (raw=True stores a str or bytes as it is).  get()
reads a value as a C string (up to its first NUL, as flux-core's
flux_kvs_lookup_get does) and returns it JSON-decoded if it is JSON,
else as str if it is UTF-8, else as bytes.  A directory comes back as a
KVSDir.

Transactions.  put(), put_mkdir(), put_unlink() and put_symlink() stage
operations in a transaction kept on the handle (h.aux_txn, as flux-core
does) until commit() sends it in one kvs.commit request: the KVS applies
all of it or none of it.  KVSTxn and KVSDir hold transactions of their
own.  Errors raise OSError with the KVS's errno (ENOENT for a missing
key, EISDIR, ENOTDIR, EPERM for a guest, ...).

Namespaces: namespace=None means $FLUX_KVS_NAMESPACE, else "primary".

Awaiting: get_async(h, key) sends the lookup and returns a future
(KVSLookupFuture) whose get() is the value; in an async handler,
``await flux.kvs.get_async(h, key)`` gives it without blocking the
module (flux.aio).

Watching: kvs_watch_async(h, key) returns a KVSWatchFuture whose get()
gives the key's value, then its value after each commit that writes
it, and None once cancel() has ended the stream.  Commit flags:
FLUX_KVS_NO_MERGE, FLUX_KVS_TXN_COMPACT, FLUX_KVS_SYNC (see below).
kvs_checkpoint_lookup() reads the KVS checkpoints (newest first) from
the content store.
"""

import base64
import collections.abc as abc
import errno
import json
import os
from abc import ABC, abstractmethod

import flux.constants
from flux.core.inner import ffi, lib
from flux.future import Future
from flux.rpc import RPC


# Lookup and watch flags, and commit flags: NO_MERGE keeps a commit from
# being merged with others that reach the KVS with it (each gets a root
# of its own); TXN_COMPACT joins the appends to one key within the
# transaction before it is sent; SYNC checkpoints the commit (primary
# namespace only; this KVS has no backing store, so it fails with ENOSYS
# as flux-core's KVS does without one).  Values from <flux/kvs.h>.
from flux.constants import (
    FLUX_KVS_APPEND, FLUX_KVS_NO_MERGE, FLUX_KVS_READDIR, FLUX_KVS_READLINK,
    FLUX_KVS_STREAM, FLUX_KVS_SYNC, FLUX_KVS_TREEOBJ, FLUX_KVS_TXN_COMPACT,
    FLUX_KVS_WAITCREATE, FLUX_KVS_WATCH, FLUX_KVS_WATCH_APPEND,
    FLUX_KVS_WATCH_FULL, FLUX_KVS_WATCH_INITIAL_SENTINEL, FLUX_KVS_WATCH_UNIQ)

PRIMARY_NAMESPACE = "primary"

__all__ = ["get", "get_async", "KVSLookupFuture", "get_key_direct", "put", "commit", "commit_async",
           "put_mkdir", "put_unlink", "put_symlink", "exists", "isdir",
           "get_dir", "walk", "join", "KVSDir", "KVSTxn", "namespace_create",
           "namespace_remove", "namespace_list", "dropcache",
           "WatchImplementation", "KVSWatchFuture", "kvs_watch_async",
           "kvs_checkpoint_lookup"]


def _namespace(namespace):
    if namespace is not None:
        return namespace
    return os.environ.get("FLUX_KVS_NAMESPACE") or PRIMARY_NAMESPACE


def _check_key(key):
    """key as str; as flux-core's C API under its Python one, None or
    "" is OSError(EINVAL) and a key that is not a string TypeError.
    """
    if isinstance(key, bytes):
        key = key.decode("utf-8")
    if key is None or key == "":
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
    if not isinstance(key, str):
        raise TypeError(f"a key must be str, not {type(key).__name__}")
    return key


def _treeobj_val(data):
    return {"ver": 1, "type": "val",
            "data": base64.b64encode(data).decode("ascii")}


def _lookup_payload(key, flags, namespace):
    return {"key": _check_key(key), "flags": flags,
            "namespace": _namespace(namespace)}


def _lookup_val(resp):
    """The RFC 11 object in a kvs.lookup response."""
    val = resp.get("val") if isinstance(resp, dict) else None
    if not isinstance(val, dict):
        raise OSError(errno.EPROTO, "kvs.lookup: malformed response")
    return val


def _lookup(flux_handle, key, flags=0, namespace=None):
    """The RFC 11 object kvs.lookup returns for key."""
    return _lookup_val(flux_handle.rpc(
        "kvs.lookup", _lookup_payload(key, flags, namespace)).get())


def _val_data(val):
    """The value of a val object, decoded (see the module comment)."""
    try:
        data = base64.b64decode(val["data"])
    except (KeyError, TypeError, ValueError) as exc:
        raise OSError(errno.EPROTO, "kvs.lookup: malformed value") from exc
    if not data:
        return None  # flux-core's flux_kvs_lookup_get gives NULL
    return _decode_value(data)


def _decode_value(data):
    s = data.split(b"\0", 1)[0]
    try:
        text = s.decode("utf-8")
    except UnicodeDecodeError:
        return s
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def get_key_direct(flux_handle, key, namespace=None):
    """The value of key; OSError(EISDIR) if it is a directory."""
    return _val_data(_lookup(flux_handle, key, 0, namespace))


class KVSLookupFuture(RPC):
    """KVSLookupFuture(flux_handle, key, namespace=None): the kvs.lookup
    of key in flight (get_async() makes one).  get() gives the value,
    decoded as get() decodes it, or raises OSError: ENOENT for a missing
    key, EISDIR for a directory (read it with get_dir()).  Awaitable in
    a coroutine on flux.aio's loop, as any Future.
    """

    def __init__(self, flux_handle, key, namespace=None):
        super().__init__(flux_handle, "kvs.lookup",
                         _lookup_payload(key, 0, namespace))

    def get(self):
        """The value of the key (blocks until the lookup is answered)."""
        return _val_data(_lookup_val(super().get()))


def get_async(flux_handle, key, namespace=None):
    """Look key up without waiting: a KVSLookupFuture, whose get() is
    get_key_direct()'s value.  In an async handler,
    ``value = await flux.kvs.get_async(self.handle, "a.b")``.
    """
    return KVSLookupFuture(flux_handle, key, namespace)


def _kind(flux_handle, key, namespace):
    """None if key does not exist, else "dir" or "val"."""
    try:
        get_key_direct(flux_handle, key, namespace=namespace)
    except OSError as err:
        if err.errno == errno.ENOENT:
            return None
        if err.errno == errno.EISDIR:
            return "dir"
        raise
    return "val"


def exists(flux_handle, key, namespace=None):
    """True if key exists (a value or a directory)."""
    return _kind(flux_handle, key, namespace) is not None


def isdir(flux_handle, key, namespace=None):
    """True if key is a directory."""
    return _kind(flux_handle, key, namespace) == "dir"


def get_dir(flux_handle, key=".", namespace=None, _kvstxn=None):
    """The directory key as a KVSDir (OSError(ENOTDIR) for a value)."""
    return KVSDir(flux_handle, key, namespace=namespace, _kvstxn=_kvstxn)


def get(flux_handle, key, namespace=None, _kvstxn=None):
    """The value of key (see the module comment), or a KVSDir."""
    try:
        return get_key_direct(flux_handle, key, namespace=namespace)
    except OSError as err:
        if err.errno != errno.EISDIR:
            raise
    return get_dir(flux_handle, key, namespace=namespace, _kvstxn=_kvstxn)


class _Ops(list):
    """A transaction's operations: [{key, flags, dirent}] (RFC 11)."""

    def add(self, key, dirent, flags=0):
        self.append({"key": _check_key(key), "flags": flags,
                     "dirent": dirent})

    def compacted(self):
        """The operations with the appends to each key joined into one
        (FLUX_KVS_TXN_COMPACT, as flux-core's txn_compact): the joined
        append takes the place of the first; OSError(EINVAL) if a key
        that was appended to is written otherwise later in the
        transaction.
        """
        out = []
        appends = {}  # key -> (index in out, [data])
        for op in self:
            key = op["key"]
            if key in appends:
                if op["flags"] != FLUX_KVS_APPEND:
                    raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
                appends[key][1].append(base64.b64decode(
                    op["dirent"]["data"]))
            elif op["flags"] == FLUX_KVS_APPEND:
                appends[key] = (len(out), [base64.b64decode(
                    op["dirent"]["data"])])
                out.append(dict(op))
            else:
                out.append(op)
        for index, pieces in appends.values():
            if len(pieces) > 1 and any(pieces):
                out[index]["dirent"] = _treeobj_val(b"".join(pieces))
        return _Ops(out)


def _get_kvstxn(flux_handle, _kvstxn):
    if _kvstxn is None:
        if getattr(flux_handle, "aux_txn", None) is None:
            flux_handle.aux_txn = _Ops()
        return flux_handle.aux_txn
    if isinstance(_kvstxn, KVSTxn):
        return _kvstxn.txn
    return _kvstxn


def _encode(value, raw):
    """The bytes put() stores, with flux-core's exceptions: with raw, a
    value that is neither bytes nor str raises AttributeError (flux-core
    calls value.encode()); without, a value json.dumps refuses raises
    TypeError unless it is bytes.
    """
    if raw:
        if isinstance(value, bytes):
            return value
        if not isinstance(value, str):
            raise AttributeError(f"'{type(value).__name__}' object has "
                                 "no attribute 'encode'")
        return value.encode("utf-8")
    try:
        return json.dumps(value).encode("utf-8")
    except TypeError:
        if isinstance(value, bytes):
            return value
        raise


def put(flux_handle, key, value, _kvstxn=None, raw=False, append=False):
    """Stage key = value (see the module comment) until commit().
    append=True (not in flux-core's flux.kvs) appends to the key's
    current value (FLUX_KVS_APPEND).
    """
    data = _encode(value, raw)
    _get_kvstxn(flux_handle, _kvstxn).add(
        key, _treeobj_val(data), FLUX_KVS_APPEND if append else 0)


def put_mkdir(flux_handle, key, _kvstxn=None):
    """Stage the creation of an empty directory key."""
    _get_kvstxn(flux_handle, _kvstxn).add(
        key, {"ver": 1, "type": "dir", "data": {}})


def put_unlink(flux_handle, key, _kvstxn=None):
    """Stage the removal of key (a value, link, or a whole directory)."""
    _get_kvstxn(flux_handle, _kvstxn).add(key, None)


def put_symlink(flux_handle, key, target, _kvstxn=None, namespace=None):
    """Stage key as a symbolic link to target (in namespace, if given:
    not in flux-core's flux.kvs).
    """
    if target is None:
        raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
    if not isinstance(target, str):
        raise TypeError(f"a target must be str, not {type(target).__name__}")
    data = {"target": target}
    if namespace is not None:
        data["namespace"] = namespace
    _get_kvstxn(flux_handle, _kvstxn).add(
        key, {"ver": 1, "type": "symlink", "data": data})


def _commit_rpc(flux_handle, ops, flags, namespace):
    if flags & FLUX_KVS_TXN_COMPACT:
        ops = ops.compacted() if isinstance(ops, _Ops) \
            else _Ops(ops).compacted()
        flags &= ~FLUX_KVS_TXN_COMPACT
    return flux_handle.rpc("kvs.commit", {
        "ops": list(ops), "flags": flags, "namespace": _namespace(namespace),
    })


def commit(flux_handle, flags=0, namespace=None, _kvstxn=None):
    """Send the staged operations in one transaction and wait for it.
    The handle's transaction is emptied whether or not it succeeds.
    """
    if _kvstxn is None:
        ops = getattr(flux_handle, "aux_txn", None)
        if ops is None:
            return
        future = _commit_rpc(flux_handle, ops, flags, namespace)
        flux_handle.aux_txn = None
    else:
        ops = _get_kvstxn(flux_handle, _kvstxn)
        future = _commit_rpc(flux_handle, ops, flags, namespace)
    future.get()


def commit_async(flux_handle, flags=0, namespace=None, _kvstxn=None):
    """As commit(), but return the kvs.commit RPC (a Future) at once;
    its get() gives {"rootref", "rootseq"} or raises OSError.
    """
    if _kvstxn is None:
        ops = getattr(flux_handle, "aux_txn", None) or _Ops()
        future = _commit_rpc(flux_handle, ops, flags, namespace)
        flux_handle.aux_txn = None
        return future
    ops = _get_kvstxn(flux_handle, _kvstxn)
    return _commit_rpc(flux_handle, ops, flags, namespace)


def namespace_create(flux_handle, namespace, owner=None, flags=0):
    """Create a namespace owned by owner (default: the caller's uid)."""
    if owner is None:
        owner = os.getuid()
    flux_handle.rpc("kvs.namespace-create", {
        "namespace": namespace, "owner": owner, "flags": flags}).get()


def namespace_remove(flux_handle, namespace):
    """Remove KVS namespace and everything in it.  Raises OSError
    (ENOTSUP for the primary namespace).
    """
    flux_handle.rpc("kvs.namespace-remove", {"namespace": namespace}).get()


def namespace_list(flux_handle):
    """The names of the namespaces."""
    resp = flux_handle.rpc("kvs.namespace-list").get()
    return [ns["namespace"] for ns in resp["namespaces"]]


def dropcache(flux_handle):
    """Ask the KVS to drop the values it caches.  Raises OSError."""
    flux_handle.rpc("kvs.dropcache").get()


class KVSTxn:
    """A transaction of its own, optionally relative to a base path.

    with KVSTxn(h, "basedir") as txn:    # commits on exit
        txn.put("a", 1)                  # basedir.a = 1
    """

    def __init__(self, flux_handle=None, path=".", namespace=None):
        self.fhdl = flux_handle
        self.path = path
        if not path or path == ".":
            self._path = ""
        else:
            self._path = path if path[-1] == "." else path + "."
        self.namespace = namespace
        self.txn = _Ops()

    def commit(self, flags=0):
        """Commit the staged operations (nothing to do if none)."""
        if not self.txn:
            return
        try:
            commit(self.fhdl, flags=flags, namespace=self.namespace,
                   _kvstxn=self)
        finally:
            self.clear()

    def commit_async(self, flags=0):
        """Send the transaction's operations to the KVS and start a new
        empty transaction; returns a Future fulfilled when the commit is
        done.
        """
        future = commit_async(self.fhdl, flags=flags,
                              namespace=self.namespace, _kvstxn=self)
        self.clear()
        return future

    def put(self, key, value, raw=False):
        """Add: set key to value (JSON-encoded, or bytes as they are with
        raw=True).
        """
        put(self.fhdl, self._path + key, value, raw=raw, _kvstxn=self)

    def mkdir(self, key):
        """Add: make key an empty directory."""
        put_mkdir(self.fhdl, self._path + key, _kvstxn=self)

    def unlink(self, key):
        """Add: remove key (a directory with all it holds)."""
        put_unlink(self.fhdl, self._path + key, _kvstxn=self)

    def symlink(self, key, target):
        """Add: make key a symbolic link to target."""
        put_symlink(self.fhdl, self._path + key, target, _kvstxn=self)

    def clear(self):
        """Drop the operations not yet committed."""
        # N.B. A new list: a commit_async() RPC already holds the old one.
        self.txn = _Ops()

    def __enter__(self):
        return self

    def __exit__(self, type_arg, value, tb):
        self.commit()
        return False


class KVSDir(abc.MutableMapping):
    """A directory of the KVS as a mapping.

    The names are those of the directory when the KVSDir was made;
    reading an item looks it up afresh (a subdirectory comes back as a
    KVSDir sharing this one's transaction).  Assignments and deletions
    are staged in one transaction, committed by commit() or on leaving
    a with block.
    """

    # pylint: disable=too-many-ancestors

    def __init__(self, flux_handle=None, path=".", handle=None,
                 namespace=None, _kvstxn=None):
        if flux_handle is None:
            raise ValueError("flux_handle must be a Flux handle")
        self.fhdl = flux_handle
        self.path = path
        if not path or path == ".":
            self._path = ""
        else:
            self._path = path if path[-1] == "." else path + "."
        self.namespace = namespace
        if handle is None:
            handle = _lookup(flux_handle, path or ".", FLUX_KVS_READDIR,
                             namespace)
        if not isinstance(handle, dict) or handle.get("type") != "dir" \
                or not isinstance(handle.get("data"), dict):
            raise OSError(errno.EPROTO, f"{path}: not a directory object")
        self._entries = handle["data"]
        # Paths in the shared transaction are absolute: subdirectories
        # reached through this one write to the right place.
        self.kvstxn = _kvstxn if _kvstxn else KVSTxn(self.fhdl, ".",
                                                     namespace=namespace)

    def commit(self, flags=0):
        """Commit what was written through this directory (and start an
        empty transaction, even if the commit fails).  Raises OSError.
        """
        try:
            self.kvstxn.commit(flags=flags)
        finally:
            self.kvstxn.clear()

    def commit_async(self, flags=0):
        """Commit what was written through this directory; returns a
        Future.
        """
        return self.kvstxn.commit_async(flags=flags)

    def key_at(self, key):
        """The full key of name 'key' in this directory."""
        return self._path + key

    def exists(self, name):
        """True if name exists in this directory."""
        return exists(self.fhdl, self._path + name, namespace=self.namespace)

    def _isdir(self, name):
        entry = self._entries.get(name)
        return isinstance(entry, dict) and entry.get("type") in ("dir",
                                                                 "dirref")

    def __getitem__(self, key):
        try:
            return get(self.fhdl, self.key_at(key), namespace=self.namespace,
                       _kvstxn=self.kvstxn)
        except OSError as exc:
            raise KeyError(f"{key} not found under directory "
                           f"{self.key_at('') or '.'}") from exc

    def __setitem__(self, key, value):
        self.kvstxn.put(self._path + key, value)

    def __delitem__(self, key):
        self.kvstxn.unlink(self._path + key)

    def __iter__(self):
        return iter(sorted(self._entries))

    def __len__(self):
        return len(self._entries)

    def fill(self, contents):
        """Stage every key = value of the dict contents, then commit."""
        if contents is None:
            raise ValueError("contents must be non-None")
        try:
            for key, val in contents.items():
                self[key] = val
        finally:
            self.commit()

    def mkdir(self, key, contents=None):
        """Create subdirectory key (committed at once), optionally
        filled with contents.
        """
        self.kvstxn.mkdir(self._path + key)
        self.commit()
        if contents is not None:
            KVSDir(self.fhdl, self._path + key,
                   namespace=self.namespace).fill(contents)

    def files(self):
        """Names of the entries that are not directories."""
        return [k for k in self if not self._isdir(k)]

    def directories(self):
        """Names of the subdirectories."""
        return [k for k in self if self._isdir(k)]

    def list_all(self):
        """The directory's (files, directories): two lists of names."""
        return (self.files(), self.directories())

    def __enter__(self):
        return self

    def __exit__(self, type_arg, value, tb):
        self.commit()
        return False


def join(*args):
    """Join key components, as os.path.join does for paths."""
    return ".".join(a for a in args if a)


def _inner_walk(kvsdir, curr_dir, topdown, namespace):
    if topdown:
        yield (curr_dir, kvsdir.directories(), kvsdir.files())
    for directory in kvsdir.directories():
        path = join(curr_dir, directory)
        sub = get_dir(kvsdir.fhdl, kvsdir.key_at(directory),
                      namespace=namespace)
        yield from _inner_walk(sub, path, topdown, namespace)
    if not topdown:
        yield (curr_dir, kvsdir.directories(), kvsdir.files())


def walk(directory, topdown=False, flux_handle=None, namespace=None):
    """Walk a directory as os.walk() does: yield (path, dirs, files)
    with path relative to directory ("" for itself).

    directory: a KVSDir, or a key (then flux_handle is required).
    """
    if not isinstance(directory, KVSDir):
        if flux_handle is None:
            raise ValueError("If directory is a key, flux_handle must be "
                             "specified")
        directory = KVSDir(flux_handle, directory, namespace=namespace)
    return _inner_walk(directory, "", topdown, namespace)


# Watching -------------------------------------------------------------
#
# A watch is a streaming kvs-watch.lookup {key, namespace, flags} RPC
# (served by the kvs module): each response carries the key's value
# {"val": treeobj}; kvs-watch.cancel {matchtag} (no response) makes the
# stream end with ENODATA.


class WatchImplementation(Future, ABC):
    """A Future for a stream of KVS-based values: get() returns the
    next value, or None once the stream has ended (ENODATA).
    Subclasses implement watch_get(future) and watch_cancel(future).
    """

    def __init__(self, future_handle, flux_handle=None):
        super().__init__(future_handle, flux_handle=flux_handle)
        self.needs_cancel = True

    def __del__(self):
        if getattr(self, "needs_cancel", False):
            try:
                self.cancel()
            except Exception:  # pylint: disable=broad-except
                pass  # N.B. a destructor: the handle may be gone too

    @abstractmethod
    def watch_get(self, future):
        """The next value of the watched key (None for the initial
        sentinel).
        """
        pass

    @abstractmethod
    def watch_cancel(self, future):
        """Stop watching: the stream ends with ENODATA."""
        pass

    def get(self, autoreset=True):
        """The next value, or None if the stream has ended.  The future
        is reset unless autoreset=False, so the next get() waits for the
        next value.  A watch that fails raises OSError (its errno and
        text) and is over.
        """
        try:
            self.wait_for()
            ret = self.watch_get(self)
        except OSError as exc:
            self.needs_cancel = False
            if exc.errno == errno.ENODATA:
                return None
            # An exception a callback left pending comes first.
            self.raise_if_handle_exception()
            raise
        if autoreset is True:
            self.reset()
        return ret

    def cancel(self, stop=False):
        """Cancel the stream: it ends with ENODATA (get() gives None).
        With stop=True, also call the then() callback no more.
        """
        self.watch_cancel(self)
        self.needs_cancel = False
        if stop:
            self.stop()


class KVSWatchFuture(WatchImplementation):
    """The future kvs_watch_async() returns; get() gives each value
    as flux.kvs.get() decodes it.
    """

    def __init__(self, flux_handle, key, flags, namespace=None):
        payload = json.dumps({"key": key, "namespace": _namespace(namespace),
                              "flags": flags})
        c_future = lib.flux_rpc(flux_handle.handle, b"kvs-watch.lookup",
                                payload.encode("utf-8"), lib.FLUX_NODEID_ANY,
                                lib.FLUX_RPC_STREAMING)
        super().__init__(c_future, flux_handle)
        self.fhdl = flux_handle
        self.key = key
        self.flags = flags

    def watch_get(self, future):
        """The next value of the watched key, decoded as get() decodes it,
        or None for the sentinel of a watch made with
        FLUX_KVS_WAITCREATE.  Raises OSError (ENODATA when the watch ended).
        """
        s = ffi.new("const char **")
        self._check(lib.flux_rpc_get(self.handle, s))
        if s[0] == ffi.NULL:
            return None  # FLUX_KVS_WATCH_INITIAL_SENTINEL
        resp = json.loads(ffi.string(s[0]).decode("utf-8"))
        val = resp.get("val") if isinstance(resp, dict) else None
        if not isinstance(val, dict) or val.get("type") != "val":
            raise OSError(errno.EPROTO, "kvs-watch.lookup: malformed value")
        return _decode_value(base64.b64decode(val["data"]))

    def watch_cancel(self, future):
        """Cancel the watch: the stream then ends with ENODATA."""
        self.fhdl.rpc("kvs-watch.cancel",
                      {"matchtag": lib.flux_rpc_get_matchtag(self.handle)},
                      flags=lib.FLUX_RPC_NORESPONSE)


def kvs_watch_async(flux_handle, key, namespace=None, waitcreate=False,
                    uniq=False, full=False):
    """Watch key: a KVSWatchFuture whose get() gives its value now,
    then after each commit that writes it, until cancel().

    - waitcreate: if the key (or its namespace) does not exist yet,
      wait for it instead of failing with ENOENT (ENOTSUP).
    - uniq: give only values that differ from the last one.
    - full: look at every commit, not only those that name the key, so
      that a change to a directory above it is seen too.
    """
    key = _check_key(key)
    flags = FLUX_KVS_WATCH
    if waitcreate:
        flags |= FLUX_KVS_WAITCREATE
    if uniq:
        flags |= FLUX_KVS_WATCH_UNIQ
    if full:
        flags |= FLUX_KVS_WATCH_FULL
    return KVSWatchFuture(flux_handle, key, flags, namespace=namespace)


def kvs_checkpoint_lookup(flux_handle, cache_bypass=False):
    """The KVS checkpoints, a list of dicts ({"version", "rootref",
    "sequence", "timestamp"}), newest first, from content.checkpoint-get
    (with cache_bypass, from the backing store: content-backing).
    """
    topic = "content.checkpoint-get"
    if cache_bypass:
        topic = "content-backing.checkpoint-get"
    value = RPC(flux_handle, topic).get()["value"]
    if isinstance(value, dict):
        return [value]
    return value
