# SPDX-License-Identifier: LGPL-3.0-or-later
"""kvs: the Flux key-value store, as a Python broker module.

Our own product proves that Python modules are first-class (DESIGN.md):
the KVS that every other part leans on is a BrokerModule subclass, loaded
with `flux module load kvs` like any other module, and it speaks
flux-core's protocol, so flux-core's clients and ours both work against it.

The store.  flux-core keeps the namespace as a hash tree of RFC 11 tree
objects in a content-addressed store: a directory lists its entries, a
subdirectory appears in its parent as a "dirref" naming the blob of the
subdirectory by its hash, and the root is named by one such reference
(rootref), replaced atomically at each commit.  A single broker needs no
content store, so this one keeps the tree in memory as Dir objects and
the leaves (values, symlinks) as their RFC 11 objects.  It still behaves
as a hash tree where a user can see it:

  - A Dir's reference is "sha1-" + the SHA-1 of its RFC 11 encoding with
    its subdirectories written as dirrefs: the same scheme as flux-core,
    so equal trees have equal rootrefs, and a rootref changes exactly
    when something under it does.  References are computed lazily and
    cached: a Dir is never changed once it is part of a root.
  - Commits copy on write.  A transaction copies each directory on the
    path to a key it changes (the first time only) and leaves every
    other subtree shared with the old root.  The old root is untouched
    until the whole transaction applies, which makes a commit atomic:
    any failing operation leaves the namespace as it was.
  - Dirrefs resolve.  Every Dir whose reference was computed is found by
    that reference (a weak map: no Dir outlives all roots that reach
    it), and the last HISTORY roots of each namespace are kept, so
    lookups "at" a recent rootref (flux_kvs_lookupat, `flux kvs get
    --at`) and puts of a dirref tree object (`flux kvs copy`) work.
    Values are stored inline (RFC 11 "val"); valrefs need a content
    store and are refused.

Protocol (flux-core src/modules/kvs/kvs.c, src/common/libkvs):
  kvs.lookup {key, flags, namespace | rootdir}  -> {key, val}
  kvs.commit {ops:[{key, flags, dirent}], namespace, flags}
                                                -> {rootref, rootseq}
  kvs.getroot {namespace}  -> {owner, rootseq, rootref, flags, namespace}
  kvs.wait-version {rootseq, namespace}         -> {rootseq, rootref}
  kvs.namespace-create {namespace, owner, flags, rootref?}
  kvs.namespace-remove {namespace}, kvs.namespace-list -> {namespaces}
  kvs.dropcache
Errors are flux-core's: ENOENT for a missing key, EISDIR for a value
lookup of a directory, ENOTDIR for a directory lookup of a value, EINVAL
for READLINK of a non-link, ELOOP past 10 nested symlinks, ENOTSUP for
an unknown namespace, EPROTO for a malformed request.  Every method is
owner-only (the default of request_handler): a guest gets EPERM.

The Store class below knows nothing of messages, so it can be tested
without a broker; the KVS class maps requests onto it.
"""

import base64
import binascii
import errno
import hashlib
import json
import os
import traceback
import weakref

from flux.brokermod import BrokerModule, request_handler

FLUX_KVS_READDIR = 1
FLUX_KVS_READLINK = 2
FLUX_KVS_TREEOBJ = 16
FLUX_KVS_APPEND = 32

PRIMARY_NAMESPACE = "primary"

# Returned by a Store method whose response is sent later.
_DEFERRED = object()
SYMLINK_CYCLE_LIMIT = 10
HISTORY = 16


class KVSError(Exception):
    """A failure the requester sees as an error response."""

    def __init__(self, errnum, text=None):
        super().__init__(errnum, text or os.strerror(errnum))
        self.errnum = errnum
        self.text = text


def normalize_key(key):
    """flux-core's key normalization: "a..b." -> "a.b"; "" or "." -> "."."""
    if not isinstance(key, str):
        raise KVSError(errno.EPROTO, "key must be a string")
    comps = [c for c in key.split(".") if c]
    return ".".join(comps) if comps else "."


def _canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _blobref(obj):
    digest = hashlib.sha1(_canonical(obj).encode("utf-8")).hexdigest()
    return "sha1-" + digest


def _val_bytes(treeobj):
    return base64.b64decode(treeobj["data"])


def make_val(data):
    return {"ver": 1, "type": "val",
            "data": base64.b64encode(data).decode("ascii")}


def _is_leaf(node, kind):
    return isinstance(node, dict) and node.get("type") == kind


class Dir:
    """A directory: name -> Dir, or an RFC 11 val/symlink object.

    Never changed once reachable from a root (see the module comment);
    only a transaction's own copies are written to.
    """

    __slots__ = ("entries", "_ref", "__weakref__")

    def __init__(self, entries=None):
        self.entries = entries if entries is not None else {}
        self._ref = None

    def treeobj(self, refs):
        """The RFC 11 dir object, subdirectories as dirrefs."""
        data = {}
        for name, node in self.entries.items():
            data[name] = node.dirref(refs) if isinstance(node, Dir) else node
        return {"ver": 1, "type": "dir", "data": data}

    def ref(self, refs):
        if self._ref is None:
            self._ref = _blobref(self.treeobj(refs))
            refs[self._ref] = self
        return self._ref

    def dirref(self, refs):
        return {"ver": 1, "type": "dirref", "data": [self.ref(refs)]}


class Namespace:
    """One namespace: its current root, sequence number and owner."""

    def __init__(self, name, root, owner, flags=0):
        self.name = name
        self.root = root
        self.seq = 0
        self.owner = owner
        self.flags = flags
        self.history = [root]


class Txn:
    """Applies a commit's operations to a copy-on-write view of a root."""

    def __init__(self, store, ns):
        self.store = store
        self.ns = ns
        self.fresh = {}  # id -> Dir created by this transaction
        self.root = self.own(ns.root)

    def own(self, d):
        """A writable version of d: d itself if this txn made it."""
        if id(d) in self.fresh:
            return d
        c = Dir(dict(d.entries))
        self.fresh[id(c)] = c
        return c

    def new_dir(self):
        d = Dir()
        self.fresh[id(d)] = d
        return d

    def link(self, key, node, flags, depth=0):
        """Set key to node (None: unlink), as flux-core's
        kvstxn_link_dirent: missing or non-directory components on the
        way are replaced by directories, symlinks on the way are
        followed, unlinking a missing key is not an error.
        """
        path = normalize_key(key)
        if path == ".":
            raise KVSError(errno.EINVAL, "cannot replace the root directory")
        comps = path.split(".")
        d = self.root
        for i, name in enumerate(comps[:-1]):
            entry = d.entries.get(name)
            if isinstance(entry, Dir):
                sub = self.own(entry)
            elif _is_leaf(entry, "symlink"):
                target, lns = symlink_target(entry)
                if lns is not None and lns != self.ns.name:
                    raise KVSError(errno.EINVAL, f"{path}: a link in the "
                                   "path leads to another namespace")
                if depth >= SYMLINK_CYCLE_LIMIT:
                    raise KVSError(errno.ELOOP)
                rest = ".".join(comps[i + 1:])
                self.link(f"{target}.{rest}", node, flags, depth + 1)
                return
            else:
                if node is None:
                    return
                sub = self.new_dir()
            d.entries[name] = sub
            d = sub
        name = comps[-1]
        if node is None:
            d.entries.pop(name, None)
        elif flags & FLUX_KVS_APPEND:
            self.append(d, name, node)
        else:
            d.entries[name] = node

    def append(self, d, name, node):
        if not _is_leaf(node, "val"):
            raise KVSError(errno.EINVAL, "only a value may be appended")
        entry = d.entries.get(name)
        if entry is None:
            d.entries[name] = node
        elif _is_leaf(entry, "val"):
            d.entries[name] = make_val(_val_bytes(entry) + _val_bytes(node))
        elif _is_leaf(entry, "symlink"):
            raise KVSError(errno.EOPNOTSUPP)
        else:
            raise KVSError(errno.EISDIR)


def symlink_target(obj):
    data = obj["data"]
    return data["target"], data.get("namespace")


class Store:
    """The namespaces and their trees; methods take and return the
    JSON objects of the protocol and raise KVSError.
    """

    def __init__(self, owner):
        self.refs = weakref.WeakValueDictionary()
        self.namespaces = {}
        self.owner = owner
        self._create(PRIMARY_NAMESPACE, Dir(), owner, 0)
        self.waiters = []  # (namespace name, rootseq, callback)

    def _create(self, name, root, owner, flags):
        root.ref(self.refs)
        self.namespaces[name] = Namespace(name, root, owner, flags)

    def namespace(self, name):
        if not isinstance(name, str):
            raise KVSError(errno.EPROTO, "namespace must be a string")
        ns = self.namespaces.get(name)
        if ns is None:
            raise KVSError(errno.ENOTSUP,
                           f"namespace {name!r} does not exist")
        return ns

    # Decoding RFC 11 objects from requests -----------------------------

    def to_node(self, obj, depth=0):
        """A dirent from a commit -> Dir or a validated leaf object."""
        if not isinstance(obj, dict) or obj.get("ver") != 1:
            raise KVSError(errno.EINVAL, "invalid tree object")
        kind = obj.get("type")
        data = obj.get("data")
        if kind == "val":
            if not isinstance(data, str):
                raise KVSError(errno.EINVAL, "val data must be base64")
            try:
                base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise KVSError(errno.EINVAL, "val data must be base64") \
                    from exc
            return {"ver": 1, "type": "val", "data": data}
        if kind == "symlink":
            if (not isinstance(data, dict)
                    or not isinstance(data.get("target"), str)
                    or not data["target"]
                    or not isinstance(data.get("namespace", ""), str)
                    or set(data) - {"target", "namespace"}):
                raise KVSError(errno.EINVAL, "invalid symlink object")
            return {"ver": 1, "type": "symlink", "data": dict(data)}
        if kind == "dir":
            if not isinstance(data, dict) or depth > 64:
                raise KVSError(errno.EINVAL, "invalid dir object")
            d = Dir()
            for name, entry in data.items():
                if not name or "." in name:
                    raise KVSError(errno.EINVAL,
                                   f"invalid directory entry name {name!r}")
                d.entries[name] = self.to_node(entry, depth + 1)
            return d
        if kind == "dirref":
            if (not isinstance(data, list) or len(data) != 1
                    or not isinstance(data[0], str)):
                raise KVSError(errno.EINVAL, "invalid dirref object")
            d = self.refs.get(data[0])
            if d is None:
                raise KVSError(errno.ENOENT, f"{data[0]}: unknown reference")
            return d
        if kind == "valref":
            raise KVSError(errno.ENOTSUP, "valref objects need a content "
                           "store, which this KVS does not have")
        raise KVSError(errno.EINVAL, "invalid tree object type")

    def _rootdir(self, obj):
        if (not isinstance(obj, dict) or obj.get("type") != "dirref"
                or not isinstance(obj.get("data"), list)
                or len(obj["data"]) != 1):
            raise KVSError(errno.EINVAL, "rootdir must be a dirref")
        d = self.refs.get(obj["data"][0])
        if d is None:
            raise KVSError(errno.ENOENT,
                           f"{obj['data'][0]}: unknown root reference")
        return d

    # Lookup ------------------------------------------------------------

    def walk(self, ns, root, path, flags, depth=0):
        """The node at path under root, or None (flux-core lookup.c)."""
        if path == ".":
            return root
        comps = path.split(".")
        node = root
        last = len(comps) - 1
        for i, name in enumerate(comps):
            if not isinstance(node, Dir):
                return None
            node = node.entries.get(name)
            if node is None:
                return None
            if _is_leaf(node, "symlink") and (
                    i < last
                    or not flags & (FLUX_KVS_READLINK | FLUX_KVS_TREEOBJ)):
                if depth >= SYMLINK_CYCLE_LIMIT:
                    raise KVSError(errno.ELOOP)
                target, lns = symlink_target(node)
                tns, troot = ns, root
                if lns is not None and lns != ns.name:
                    tns = self.namespace(lns)
                    troot = tns.root
                node = self.walk(tns, troot, normalize_key(target), 0,
                                 depth + 1)
                if node is None:
                    return None
        return node

    def lookup(self, req, userid=None):
        key = req.get("key")
        flags = req.get("flags", 0)
        if not isinstance(key, str) or not key or not isinstance(flags, int):
            raise KVSError(errno.EPROTO, "lookup needs key and flags")
        if "rootdir" in req:
            root = self._rootdir(req["rootdir"])
            ns = self.namespace(req.get("namespace", PRIMARY_NAMESPACE))
        elif "namespace" in req:
            ns = self.namespace(req["namespace"])
            root = ns.root
        else:
            raise KVSError(errno.EPROTO, "lookup needs namespace or rootdir")
        node = self.walk(ns, root, normalize_key(key), flags)
        if node is None:
            raise KVSError(errno.ENOENT)
        if flags & FLUX_KVS_TREEOBJ:
            val = node.dirref(self.refs) if isinstance(node, Dir) else node
        elif isinstance(node, Dir):
            if flags & FLUX_KVS_READLINK:
                raise KVSError(errno.EINVAL)
            if not flags & FLUX_KVS_READDIR:
                raise KVSError(errno.EISDIR)
            val = node.treeobj(self.refs)
        elif _is_leaf(node, "val"):
            if flags & FLUX_KVS_READDIR:
                raise KVSError(errno.ENOTDIR)
            if flags & FLUX_KVS_READLINK:
                raise KVSError(errno.EINVAL)
            val = node
        else:  # a symlink, reached only with READLINK
            if flags & FLUX_KVS_READDIR:
                raise KVSError(errno.ENOTDIR)
            val = node
        return {"key": key, "val": val}

    # Commit ------------------------------------------------------------

    def commit(self, req):
        ops = req.get("ops")
        ns = self.namespace(req.get("namespace"))
        if not isinstance(ops, list) or not isinstance(req.get("flags", 0),
                                                       int):
            raise KVSError(errno.EPROTO, "commit needs ops and flags")
        txn = Txn(self, ns)
        for op in ops:
            if (not isinstance(op, dict)
                    or not isinstance(op.get("key"), str)
                    or not isinstance(op.get("flags"), int)
                    or "dirent" not in op):
                raise KVSError(errno.EPROTO, "malformed commit operation")
            dirent = op["dirent"]
            node = None if dirent is None else self.to_node(dirent)
            txn.link(op["key"], node, op["flags"])
        self.setroot(ns, txn.root)
        return {"rootref": ns.root.ref(self.refs), "rootseq": ns.seq}

    def setroot(self, ns, root):
        root.ref(self.refs)
        ns.root = root
        ns.seq += 1
        ns.history.append(root)
        del ns.history[:-HISTORY]
        self._wake(ns)

    def getroot(self, req):
        ns = self.namespace(req.get("namespace"))
        return {"owner": ns.owner, "rootseq": ns.seq,
                "rootref": ns.root.ref(self.refs), "flags": ns.flags,
                "namespace": ns.name}

    # Waiting for a version ---------------------------------------------

    def wait_version(self, req, callback):
        """Call callback(response) once the namespace reaches rootseq."""
        ns = self.namespace(req.get("namespace"))
        seq = req.get("rootseq")
        if not isinstance(seq, int):
            raise KVSError(errno.EPROTO, "wait-version needs rootseq")
        self.waiters.append((ns.name, seq, callback))
        self._wake(ns)
        return _DEFERRED

    def _wake(self, ns):
        ready = [w for w in self.waiters if w[0] == ns.name and w[1] <= ns.seq]
        if not ready:
            return
        self.waiters = [w for w in self.waiters if w not in ready]
        resp = {"rootseq": ns.seq, "rootref": ns.root.ref(self.refs)}
        for _, _, callback in ready:
            try:
                callback(resp)
            except OSError:
                pass  # the waiter went away; the commit still stands

    # Namespaces --------------------------------------------------------

    def namespace_create(self, req):
        name = req.get("namespace")
        owner = req.get("owner", self.owner)
        flags = req.get("flags", 0)
        if (not isinstance(name, str) or not name
                or not isinstance(owner, int) or not isinstance(flags, int)):
            raise KVSError(errno.EPROTO, "namespace-create needs namespace, "
                           "owner and flags")
        if name in self.namespaces:
            raise KVSError(errno.EEXIST)
        if owner in (-1, 0xFFFFFFFF):
            owner = self.owner
        root = Dir()
        if "rootref" in req:
            root = self._rootdir({"type": "dirref", "data": [req["rootref"]]})
        self._create(name, root, owner, flags)
        return None

    def namespace_remove(self, req):
        name = req.get("namespace")
        if not isinstance(name, str):
            raise KVSError(errno.EPROTO, "namespace-remove needs namespace")
        if name == PRIMARY_NAMESPACE:
            raise KVSError(errno.EINVAL, "the primary namespace cannot be "
                           "removed")
        if self.namespaces.pop(name, None) is None:
            raise KVSError(errno.ENOTSUP,
                           f"namespace {name!r} does not exist")
        return None

    def namespace_list(self, req):
        return {"namespaces": [
            {"namespace": ns.name, "owner": ns.owner, "flags": ns.flags}
            for ns in self.namespaces.values()]}


class KVS(BrokerModule):
    """The kvs service: requests kvs.* onto a Store."""

    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.store = Store(owner=os.getuid())

    def _serve(self, msg, method):
        try:
            try:
                payload = msg.payload
            except (ValueError, OSError) as exc:
                raise KVSError(errno.EPROTO, "payload is not JSON") from exc
            if payload is None:
                payload = {}
            if not isinstance(payload, dict):
                raise KVSError(errno.EPROTO, "payload must be a JSON object")
            resp = method(payload)
        except KVSError as exc:
            self.handle.respond_error(msg, exc.errnum, exc.text)
            return
        except Exception as exc:  # pylint: disable=broad-except
            # N.B. A bug here must not take the store down with it: log
            # the traceback and fail this request only.
            self.log.error("%s: %s", msg.topic, "".join(
                traceback.format_exception(exc)).rstrip())
            self.handle.respond_error(msg, errno.ENOTRECOVERABLE,
                                      f"kvs: internal error: {exc}")
            return
        if resp is not _DEFERRED:
            self.handle.respond(msg, resp)

    @request_handler("lookup")
    def lookup(self, msg):
        self._serve(msg, self.store.lookup)

    @request_handler("commit")
    def commit(self, msg):
        self._serve(msg, self.store.commit)

    @request_handler("getroot")
    def getroot(self, msg):
        self._serve(msg, self.store.getroot)

    @request_handler("wait-version")
    def wait_version(self, msg):
        # The response may come later, from the commit that reaches the
        # version: the store keeps the callback, not the request.
        def respond(resp):
            self.handle.respond(msg, resp)

        self._serve(msg, lambda payload: self.store.wait_version(payload,
                                                                 respond))

    @request_handler("namespace-create")
    def namespace_create(self, msg):
        self._serve(msg, self.store.namespace_create)

    @request_handler("namespace-remove")
    def namespace_remove(self, msg):
        self._serve(msg, self.store.namespace_remove)

    @request_handler("namespace-list")
    def namespace_list(self, msg):
        self._serve(msg, self.store.namespace_list)

    @request_handler("dropcache")
    def dropcache(self, msg):
        # Nothing is cached apart from the store itself.
        self._serve(msg, lambda payload: None)

