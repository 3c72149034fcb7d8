# SPDX-License-Identifier: LGPL-3.0-or-later
"""kvs: the Flux key-value store, as a Python broker module.

Our own product proves that Python modules are first-class (DESIGN.md):
the KVS that every other part leans on is a BrokerModule subclass, loaded
with `flux module load kvs` like any other module, and it speaks
flux-core's protocol, so flux-core's clients and ours both work against it.

The store.  As flux-core's, the namespace is a hash tree of RFC 11 tree
objects in the content store (the content module, RFC 10): a directory
lists its entries, a subdirectory appears in its parent as a "dirref"
naming the subdirectory's blob by its hash, a large value as a "valref"
naming its blobs, and the root is named by one such reference (rootref),
replaced atomically at each commit.  In memory the tree is Dir objects,
the leaves their RFC 11 objects:

  - A Dir's reference is "sha1-" + the SHA-1 of its RFC 11 encoding
    (subdirectories as dirrefs): its blobref in the content store, so
    equal trees have equal rootrefs.  A Dir is never changed once it is
    part of a root.
  - Commits copy on write.  A transaction copies each directory on the
    path to a key it changes (the first time only) and leaves every
    other subtree shared with the old root.  The old root is untouched
    until the whole transaction applies, which makes a commit atomic:
    any failing operation leaves the namespace as it was.
  - Then the new directories are stored, children first, and with them
    each val longer than 72 base64 characters, which becomes a valref
    (flux-core's kvstxn_unroll), as does a value built by appends (one
    blob per append).  The module sends the content.store requests and
    the checkpoint of the primary root (content.checkpoint-put
    {value:{version, rootref, sequence, timestamp}}) without waiting,
    and answers the commits when the checkpoint is answered: the
    content module answers in order, so by then every blob is saved.
    One turn of the reactor applies (and merges) all the commits that
    arrived, so a batch of commits costs one checkpoint.  The new root
    is current (lookups see it) from the moment it is applied.
  - At start the module reads the newest checkpoint
    (content.checkpoint-get) and continues from its rootref and
    sequence; directories and valrefs from before are loaded from the
    content store the first time they are used (a synchronous
    content.load, on a cold path).  Without a content service the
    module fails to load, as flux-core's does.
  - FLUX_KVS_SYNC adds content.flush (which syncs the database to disk)
    after the checkpoint; only the primary namespace is checkpointed,
    as in flux-core, so other namespaces do not outlive the instance.
  - Dirrefs resolve: a Dir whose reference was computed is found by
    it (a weak map), the last HISTORY roots of each namespace are kept,
    and any other reference is looked for in the content store, so
    lookups "at" a rootref (flux_kvs_lookupat, `flux kvs get --at`),
    the checkpointed one included, and puts of a dirref tree object
    (`flux kvs copy`) work.

Protocol (flux-core src/modules/kvs/kvs.c, src/common/libkvs):
  kvs.lookup {key, flags, namespace | rootdir}  -> {key, val}
  kvs.commit {ops:[{key, flags, dirent}], namespace, flags}
                                                -> {rootref, rootseq}
  kvs.getroot {namespace}  -> {owner, rootseq, rootref, flags, namespace}
  kvs.wait-version {rootseq, namespace}         -> {rootseq, rootref}
      (ENOTSUP if the namespace is removed first)
  kvs.namespace-create {namespace, owner, flags, rootref?}
  kvs.namespace-remove {namespace}, kvs.namespace-list -> {namespaces}
  kvs.dropcache, kvs.disconnect (drops the sender's wait-version)
  kvs.lookup-plus {as lookup} -> {val | errno, rootseq, rootref}
  kvs.stats-get -> {cache, namespace, transaction-opcount,
                    pending_requests}
  kvs-watch.lookup {key, namespace, flags}      -> {val} ... (streaming)
  kvs-watch.cancel {matchtag}, kvs-watch.disconnect, kvs-watch.stats-get
The module also owns the kvs-watch service (flux-core: a module of its
own).  Commits are queued and applied once per turn of the reactor,
merged as flux-core merges them unless FLUX_KVS_NO_MERGE (see
Store.prepare_commit); FLUX_KVS_SYNC is EINVAL outside the primary
namespace, as in flux-core.
Errors are flux-core's: ENOENT for a missing key, EISDIR for a value
lookup of a directory, ENOTDIR for a directory lookup of a value, EINVAL
for READLINK of a non-link, ELOOP past 10 nested symlinks, ENOTSUP for
an unknown namespace, EPROTO for a malformed request.  Every method but
kvs.stats-get is owner-only (the default of request_handler): a guest
gets EPERM.

The Store class below knows nothing of messages, so it can be tested
without a broker; the KVS class maps requests onto it.
"""

import binascii
import errno
import os
import time
import weakref

from flux.brokermod import BrokerModule, request_handler
from flux.core.inner import decode_json, dumps_json, ffi, json_encoder, lib
from flux.future import Future

# Lookup, watch and commit flags, as libflux's <flux/kvs.h> defines them.
from flux.constants import (
    FLUX_KVS_APPEND,
    FLUX_KVS_NO_MERGE,
    FLUX_KVS_READDIR,
    FLUX_KVS_READLINK,
    FLUX_KVS_STREAM,
    FLUX_KVS_SYNC,
    FLUX_KVS_TREEOBJ,
    FLUX_KVS_WAITCREATE,
    FLUX_KVS_WATCH,
    FLUX_KVS_WATCH_APPEND,
    FLUX_KVS_WATCH_FULL,
    FLUX_KVS_WATCH_INITIAL_SENTINEL,
    FLUX_KVS_WATCH_UNIQ,
)

PRIMARY_NAMESPACE = "primary"

# Returned by a Store method whose response is sent later.
_DEFERRED = object()
SYMLINK_CYCLE_LIMIT = 10
HISTORY = 16

# A val whose base64 data is longer than this is stored as a blob of its
# own and named in its directory by a valref (flux-core kvstxn.c: the
# length of the longest blobref string, BLOBREF_MAX_STRING_SIZE).
VALREF_THRESHOLD = 72


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


# N.B. JSON and base64 by flux.core.inner's helpers and binascii rather
# than the json and base64 packages, which import re (and with it enum):
# the broker's start waits for this module's import.

# json.dumps(obj, sort_keys=True, separators=(",", ":")): the text a
# tree object is stored and hashed as.
_canonical = json_encoder(sort_keys=True, separators=(",", ":"))


def _encode_entry(name, node):
    """One directory entry as _canonical() writes it inside the dir."""
    return dumps_json(name) + ":" + _canonical(node)


def _sha1(data):
    """hashlib.sha1, imported on the first use (its OpenSSL library took
    a fifth of the module's load), after which the name is hashlib's own.
    """
    global _sha1  # pylint: disable=global-statement
    from hashlib import sha1  # pylint: disable=import-outside-toplevel
    _sha1 = sha1
    return sha1(data)


def _format_exception(exc):
    """The traceback of exc, as text; traceback is imported when a bug is
    met, not with the module.
    """
    import traceback  # pylint: disable=import-outside-toplevel
    return "".join(traceback.format_exception(exc))


def _blobref(obj):
    return _blobref_of(_canonical(obj).encode("utf-8"))


def _blobref_of(data):
    """The blobref of raw bytes.  N.B. every new namespace's root is the
    empty directory, whose blobref is known: creating one hashes nothing,
    so the module's load (which creates the primary namespace) does not
    import hashlib and its OpenSSL library.
    """
    if data == _EMPTY_DIR_BLOB:
        return EMPTY_DIR_REF
    return "sha1-" + _sha1(data).hexdigest()


def _digest(ref):
    """The raw digest a blobref names (content.load's request), or
    None for a string that is not a sha1 blobref.
    """
    if (not isinstance(ref, str) or len(ref) != 45
            or not ref.startswith("sha1-")):
        return None
    try:
        return bytes.fromhex(ref[5:])
    except ValueError:
        return None


# The reference of the empty directory.  flux-core's content store
# always holds that blob (the primary namespace starts from it), and its
# clients count on it: flux_kvs_namespace_create sends it as the new
# namespace's rootref.  So every Store resolves it, even once no root
# reaches an empty Dir any more.  It is
# _blobref({"ver": 1, "type": "dir", "data": {}}), written out so that
# loading the module hashes nothing (t/python/test_kvs.py checks it).
EMPTY_DIR_REF = "sha1-c0a9faf907dda6216fd73bf81d0b3b21a1a8cb91"
_EMPTY_DIR_BLOB = b'{"data":{},"type":"dir","ver":1}'


def _val_bytes(treeobj):
    return binascii.a2b_base64(treeobj["data"])  # base64.b64decode()


def make_val(data):
    return {"ver": 1, "type": "val",  # base64.b64encode()
            "data": binascii.b2a_base64(data, newline=False).decode("ascii")}


class AppendedVal(dict):
    """A value built by appends: an RFC 11 val object that remembers
    the length of each piece appended to it.

    flux-core keeps such a value as a valref, one blob per append, and
    kvs-watch's WATCH_APPEND sends each new blob on its own; the pieces
    let this store do the same.  It encodes, hashes and compares as the
    plain val object it is.
    """

    __slots__ = ("chunks",)

    def __init__(self, data, chunks):
        super().__init__(make_val(data))
        self.chunks = chunks

    def pieces(self):
        data = _val_bytes(self)
        offset = 0
        for size in self.chunks:
            yield data[offset:offset + size]
            offset += size


def _is_leaf(node, kind):
    return isinstance(node, dict) and node.get("type") == kind


class ValRef(dict):
    """An RFC 11 valref object: a value kept in the content store, one
    blob per piece (a value built by appends has a piece per append).

    It encodes as the valref object it is.  pieces caches the blobs once
    loaded (None: not loaded yet); pending holds the blobs not sent to
    the content store yet (None: all sent).
    """

    __slots__ = ("pieces", "pending")

    def __init__(self, refs, pieces=None, pending=None):
        super().__init__({"ver": 1, "type": "valref", "data": list(refs)})
        self.pieces = pieces
        self.pending = pending

    @classmethod
    def of_pieces(cls, pieces):
        """A new valref for pieces (bytes), all still to be stored."""
        return cls([_blobref_of(p) for p in pieces], list(pieces),
                   list(pieces))

    def appended(self, more):
        """A new valref: this one with the piece 'more' added."""
        pieces = None if self.pieces is None else self.pieces + [more]
        return ValRef(self["data"] + [_blobref_of(more)], pieces,
                      (self.pending or []) + [more])


class Dir:
    """A directory: name -> Dir, or an RFC 11 val/valref/symlink object.

    Never changed once reachable from a root (see the module comment);
    only a transaction's own copies are written to.  A Dir read back
    from the content store (Dir.unloaded) knows its reference only, and
    loads its entries the first time they are asked for.  'stored' is
    true once its blob is in the content store (or on its way there).
    """

    __slots__ = ("_entries", "_ref", "_loader", "stored", "encoded",
                 "__weakref__")

    def __init__(self, entries=None, encoded=None):
        self._entries = entries if entries is not None else {}
        self._ref = None
        self._loader = None
        self.stored = False
        # name -> (node, '"name":{...}'): each entry's part of the blob,
        # for the node it was made from.  A copy made for a transaction
        # shares its original's (read only): Store._unroll encodes again
        # only the entries whose node changed, instead of the whole
        # directory at each commit.
        self.encoded = encoded

    @classmethod
    def unloaded(cls, ref, loader):
        """The Dir stored under ref; loader(ref) gives its entries."""
        d = cls.__new__(cls)
        d._entries = None
        d._ref = ref
        d._loader = loader
        d.stored = True
        d.encoded = None
        return d

    @property
    def entries(self):
        if self._entries is None:
            # N.B. a synchronous content.load, on the module's thread:
            # only the first use of a directory after a restart pays it.
            # (mypy: unloaded() set _loader with _entries None.)
            self._entries = self._loader(self._ref)  # type: ignore[misc]
            self._loader = None
        return self._entries

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
        c = Dir(dict(d.entries), d.encoded)
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
            old, more = _val_bytes(entry), _val_bytes(node)
            chunks = getattr(entry, "chunks", [len(old)])
            d.entries[name] = AppendedVal(old + more, chunks + [len(more)])
        elif isinstance(entry, ValRef):
            # flux-core's treeobj_append_blobref: one more blob.
            d.entries[name] = entry.appended(_val_bytes(node))
        elif _is_leaf(entry, "symlink"):
            raise KVSError(errno.EOPNOTSUPP)
        else:
            raise KVSError(errno.EISDIR)


def symlink_target(obj):
    data = obj["data"]
    return data["target"], data.get("namespace")


class PendingCommit:
    """A checked kvs.commit, waiting in the queue to be applied."""

    __slots__ = ("ns", "ops", "flags")

    def __init__(self, ns, ops, flags):
        self.ns = ns
        self.ops = ops
        self.flags = flags

    def mergeable(self):
        # N.B. SYNC implies NO_MERGE: the checkpoint is of this commit.
        return not self.flags & (FLUX_KVS_NO_MERGE | FLUX_KVS_SYNC)


class Store:
    """The namespaces and their trees; methods take and return the
    JSON objects of the protocol and raise KVSError.
    """

    def __init__(self, owner, content=None):
        self.refs: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
        self.namespaces: dict[str, Namespace] = {}
        self.owner = owner
        self.listeners = []  # told of setroot, namespace create/remove
        # The content store (ContentClient), or None: the tree lives in
        # memory only (as in tests of the Store without a broker).
        self.content = content
        self.writes = []  # blobs for the content store, in order
        self.checkpoint_due = False  # the primary root changed
        self.sync_due = False  # a FLUX_KVS_SYNC commit was applied
        self._create(PRIMARY_NAMESPACE, Dir(), owner, 0)
        self.waiters = []  # (namespace name, rootseq, callback, sender)

    def _create(self, name, root, owner, flags):
        self._persist(root)
        root.ref(self.refs)
        self.namespaces[name] = Namespace(name, root, owner, flags)

    # The content store -------------------------------------------------
    #
    # With a content store, every directory a root reaches is a blob in
    # it, and so is every large value (flux-core's kvstxn_unroll): when
    # a transaction has been applied, _persist walks the new root down
    # through the directories not stored yet, turns their large vals
    # (and values built by appends) into valrefs, and queues the blobs
    # in self.writes, children before parents.  The module sends them,
    # then the checkpoint of the primary root, and answers the commits
    # once the checkpoint is answered (KVS._send_writes).

    def _persist(self, root):
        if self.content is not None:
            self._unroll(root)

    def _unroll(self, d):
        if d.stored:
            return
        # N.B. one pass builds the dir object and finds what to store:
        # directories are large and this runs at every commit.
        entries = d.entries
        old = d.encoded or {}
        encoded = {}
        for name, node in entries.items():
            if isinstance(node, Dir):
                self._unroll(node)
                part = old.get(name)
                if part is None or part[0] is not node:
                    part = (node, _encode_entry(name,
                                                node.dirref(self.refs)))
                encoded[name] = part
                continue
            if isinstance(node, ValRef):
                if node.pending:
                    self.writes.extend(node.pending)
                    node.pending = None
            elif node["type"] == "val" and (
                    len(node["data"]) > VALREF_THRESHOLD
                    or isinstance(node, AppendedVal)):
                pieces = (list(node.pieces()) if isinstance(node, AppendedVal)
                          else [_val_bytes(node)])
                node = ValRef.of_pieces(pieces)
                self.writes.extend(node.pending)
                node.pending = None
                entries[name] = node
            part = old.get(name)
            if part is None or part[0] is not node:
                part = (node, _encode_entry(name, node))
            encoded[name] = part
        d.encoded = encoded
        # N.B. byte for byte _canonical() of the dir object: its keys
        # "data", "type", "ver" in order, the entries sorted by name.
        blob = ('{"data":{'
                + ",".join(encoded[name][1] for name in sorted(encoded))
                + '},"type":"dir","ver":1}').encode("utf-8")
        d._ref = _blobref_of(blob)  # pylint: disable=protected-access
        self.refs[d._ref] = d  # pylint: disable=protected-access
        d.stored = True
        self.writes.append(blob)

    def take_writes(self):
        """What the content store is owed since the last call:
        (blobs, checkpoint, sync), checkpoint being (rootref, rootseq)
        of the primary namespace if its root changed, else None.
        """
        checkpoint = None
        if self.checkpoint_due:
            ns = self.namespaces[PRIMARY_NAMESPACE]
            checkpoint = (ns.root.ref(self.refs), ns.seq)
        writes, self.writes = self.writes, []
        sync, self.sync_due, self.checkpoint_due = self.sync_due, False, False
        return writes, checkpoint, sync

    def load_dir(self, ref):
        """The entries of the directory stored under ref."""
        obj = self._load_json(ref)
        if not isinstance(obj, dict) or obj.get("type") != "dir":
            raise KVSError(errno.EINVAL, f"{ref}: not a directory object")
        entries = {}
        for name, entry in obj.get("data", {}).items():
            entries[name] = self._stored_node(entry)
        return entries

    def _load_json(self, ref):
        data = self.content.load(ref)
        try:
            # N.B. a blob that is not UTF-8 is no tree object, as
            # flux-core's (jansson) has it: UnicodeDecodeError is a
            # ValueError.
            return decode_json(data.decode("utf-8"))
        except ValueError as exc:
            raise KVSError(errno.EINVAL, f"{ref}: not a tree object") \
                from exc

    def _stored_node(self, obj):
        """A node for a dirent read back from the content store."""
        kind = obj.get("type") if isinstance(obj, dict) else None
        if kind == "dirref":
            return self._stored_dir(obj["data"][0])
        if kind == "valref":
            return ValRef(obj["data"])
        if kind == "dir":
            return Dir({name: self._stored_node(entry)
                        for name, entry in obj["data"].items()})
        if kind in ("val", "symlink"):
            return obj
        raise KVSError(errno.EINVAL, "invalid tree object in the content "
                       "store")

    def _stored_dir(self, ref):
        d = self.refs.get(ref)
        if d is None:
            d = Dir.unloaded(ref, self.load_dir)
            self.refs[ref] = d
        return d

    def restore(self, rootref, seq):
        """Continue the primary namespace from a checkpoint."""
        root = self._stored_dir(rootref)
        root.entries  # pylint: disable=pointless-statement
        ns = self.namespaces[PRIMARY_NAMESPACE]
        ns.root = root
        ns.seq = seq
        ns.history = [root]

    def valref_pieces(self, node):
        """The blobs of a valref, loaded once."""
        if node.pieces is None:
            if self.content is None:
                raise KVSError(errno.ENOTSUP, "valref objects need a "
                               "content store")
            node.pieces = [self.content.load(ref) for ref in node["data"]]
        return node.pieces

    def valref_as_val(self, node):
        """A valref as the val it stands for (an AppendedVal if it has
        several pieces, so that watchers can send them one by one).
        """
        pieces = self.valref_pieces(node)
        data = b"".join(pieces)
        if len(pieces) > 1:
            return AppendedVal(data, [len(p) for p in pieces])
        return make_val(data)

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
            import base64  # pylint: disable=import-outside-toplevel
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
            d = self.resolve(data[0])
            if d is None:
                raise KVSError(errno.ENOENT, f"{data[0]}: unknown reference")
            return d
        if kind == "valref":
            if self.content is None:
                raise KVSError(errno.ENOTSUP, "valref objects need a "
                               "content store, which this KVS does not "
                               "have")
            if (not isinstance(data, list) or not data
                    or any(_digest(ref) is None for ref in data)):
                raise KVSError(errno.EINVAL, "invalid valref object")
            return ValRef(data)
        raise KVSError(errno.EINVAL, "invalid tree object type")

    def _rootdir(self, obj):
        if (not isinstance(obj, dict) or obj.get("type") != "dirref"
                or not isinstance(obj.get("data"), list)
                or len(obj["data"]) != 1):
            raise KVSError(errno.EINVAL, "rootdir must be a dirref")
        d = self.resolve(obj["data"][0])
        if d is None:
            raise KVSError(errno.ENOENT,
                           f"{obj['data'][0]}: unknown root reference")
        return d

    def resolve(self, ref):
        """The Dir named by a reference, or None."""
        d = self.refs.get(ref)
        if d is None and ref == EMPTY_DIR_REF:
            d = Dir()
            d.ref(self.refs)
        if d is None and self.content is not None and _digest(ref):
            # A root older than the history, or one from before a
            # restart: the content store may still have it.
            d = Dir.unloaded(ref, self.load_dir)
            try:
                d.entries  # pylint: disable=pointless-statement
            except KVSError as exc:
                if exc.errnum == errno.ENOENT:
                    return None
                raise
            self.refs[ref] = d
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

    def lookup(self, req):
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
        elif isinstance(node, ValRef):
            if flags & FLUX_KVS_READDIR:
                raise KVSError(errno.ENOTDIR)
            if flags & FLUX_KVS_READLINK:
                raise KVSError(errno.EINVAL)
            val = make_val(b"".join(self.valref_pieces(node)))
        else:  # a symlink, reached only with READLINK
            if flags & FLUX_KVS_READDIR:
                raise KVSError(errno.ENOTDIR)
            val = node
        # N.B. the value only, as flux-core's kvs.lookup response
        # (t/vectors/kvs-get.broker-to-client.bin): no "key".
        return {"val": val}

    # Commit ------------------------------------------------------------
    #
    # As flux-core's KVS, a commit is queued (prepare_commit) and the
    # queue is applied later (apply_commits): the module applies it once
    # per turn of its reactor, so the commits that arrived in one turn
    # are applied together.  Adjacent queued transactions of one
    # namespace with the same flags are merged into one, which makes one
    # new root (one rootseq, one rootref for all their requesters), as
    # flux-core's kvstxn_mgr_merge_ready_transactions does, unless
    # either has FLUX_KVS_NO_MERGE or FLUX_KVS_SYNC.  A merged
    # transaction that fails is applied again one transaction at a time,
    # so that only the failing one fails (flux-core's "fallback").

    def prepare_commit(self, req):
        """Check a kvs.commit request; return what apply_commits takes."""
        ops = req.get("ops")
        ns = self.namespace(req.get("namespace"))
        flags = req.get("flags", 0)
        if not isinstance(ops, list) or not isinstance(flags, int):
            raise KVSError(errno.EPROTO, "commit needs ops and flags")
        for op in ops:
            if (not isinstance(op, dict)
                    or not isinstance(op.get("key"), str)
                    or not isinstance(op.get("flags"), int)
                    or "dirent" not in op):
                raise KVSError(errno.EPROTO, "malformed commit operation")
        return PendingCommit(ns, ops, flags)

    def commit(self, req):
        """Apply one kvs.commit request at once; its response."""
        result = self.apply_commits([self.prepare_commit(req)])[0]
        if isinstance(result, KVSError):
            raise result
        return result

    def apply_commits(self, pending):
        """Apply the PendingCommits in order, merging as flux-core
        does; a response or a KVSError for each, in the same order.
        """
        results = [None] * len(pending)
        queues: dict = {}
        for index, pc in enumerate(pending):
            queues.setdefault(pc.ns.name, []).append(index)
        for indices in queues.values():
            i = 0
            while i < len(indices):
                group = [indices[i]]
                first = pending[indices[i]]
                if first.mergeable():
                    for j in indices[i + 1:]:
                        pc = pending[j]
                        if not pc.mergeable() or pc.flags != first.flags:
                            break
                        group.append(j)
                i += len(group)
                self._apply_group([pending[k] for k in group], group,
                                  results)
        return results

    def _apply_group(self, group, indices, results):
        if len(group) > 1:
            ops = [op for pc in group for op in pc.ops]
            try:
                resp = self._apply(group[0].ns, ops, group[0].flags)
            except KVSError as exc:
                if exc.errnum in (errno.ENOMEM, errno.ENOTSUP):
                    for k in indices:
                        results[k] = exc
                    return
            else:
                for k in indices:
                    results[k] = resp
                return
        for pc, k in zip(group, indices):
            try:
                results[k] = self._apply(pc.ns, pc.ops, pc.flags)
            except KVSError as exc:
                results[k] = exc

    def _apply(self, ns: Namespace, ops, flags):
        if self.namespaces.get(ns.name) is not ns:
            raise KVSError(errno.ENOTSUP,
                           f"namespace {ns.name!r} does not exist")
        if flags & FLUX_KVS_SYNC and ns.name != PRIMARY_NAMESPACE:
            raise KVSError(errno.EINVAL)
        txn = Txn(self, ns)
        for op in ops:
            dirent = op["dirent"]
            node = None if dirent is None else self.to_node(dirent)
            txn.link(op["key"], node, op["flags"])
        if flags & FLUX_KVS_SYNC and self.content is None:
            # N.B. FLUX_KVS_SYNC checkpoints the new root in the backing
            # store; flux-core's content module without a backing store
            # refuses the checkpoint with ENOSYS, which fails the
            # commit.  A Store without a content store is in that case.
            raise KVSError(errno.ENOSYS)
        keys = []
        for op in ops:
            key = normalize_key(op["key"])
            if key not in keys:
                keys.append(key)
        self._persist(txn.root)
        self.setroot(ns, txn.root, keys)
        if ns.name == PRIMARY_NAMESPACE:
            self.checkpoint_due = True
        if flags & FLUX_KVS_SYNC:
            self.sync_due = True
        return {"rootref": ns.root.ref(self.refs), "rootseq": ns.seq}

    def setroot(self, ns, root, keys=()):
        root.ref(self.refs)
        ns.root = root
        ns.seq += 1
        ns.history.append(root)
        del ns.history[:-HISTORY]
        self._wake(ns)
        for listener in list(self.listeners):
            listener.setroot(ns, keys)

    def getroot(self, req):
        ns = self.namespace(req.get("namespace"))
        return {"owner": ns.owner, "rootseq": ns.seq,
                "rootref": ns.root.ref(self.refs), "flags": ns.flags,
                "namespace": ns.name}

    # Waiting for a version ---------------------------------------------

    def wait_version(self, req, callback, sender=None):
        """Call callback(response) once the namespace reaches rootseq,
        or callback(None, errnum, text) if it is removed first.
        sender names the requester for drop_waiters().
        """
        ns = self.namespace(req.get("namespace"))
        seq = req.get("rootseq")
        if not isinstance(seq, int):
            raise KVSError(errno.EPROTO, "wait-version needs rootseq")
        self.waiters.append((ns.name, seq, callback, sender))
        self._wake(ns)
        return _DEFERRED

    def drop_waiters(self, sender):
        """Forget the wait-version requests of a sender that is gone."""
        self.waiters = [w for w in self.waiters if w[3] != sender]

    def fail_waiters(self, nsname, errnum):
        """Answer the wait-version requests on a namespace that is gone
        with errnum: that version will never come (flux-core: ENOTSUP).
        """
        failed = [w for w in self.waiters if w[0] == nsname]
        self.waiters = [w for w in self.waiters if w[0] != nsname]
        for _, _, callback, _ in failed:
            try:
                callback(None, errnum, f"namespace {nsname!r} was removed")
            except OSError:
                pass

    def _wake(self, ns):
        ready = [w for w in self.waiters if w[0] == ns.name and w[1] <= ns.seq]
        if not ready:
            return
        self.waiters = [w for w in self.waiters if w not in ready]
        resp = {"rootseq": ns.seq, "rootref": ns.root.ref(self.refs)}
        for _, _, callback, _ in ready:
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
        for listener in list(self.listeners):
            listener.namespace_created(self.namespaces[name])
        return None

    def namespace_remove(self, req):
        name = req.get("namespace")
        if not isinstance(name, str):
            raise KVSError(errno.EPROTO, "namespace-remove needs namespace")
        # N.B. As flux-core: the primary namespace is ENOTSUP, and a
        # namespace that does not exist is removed without error.
        if name == PRIMARY_NAMESPACE:
            raise KVSError(errno.ENOTSUP)
        if self.namespaces.pop(name, None) is None:
            return None
        self.fail_waiters(name, errno.ENOTSUP)
        for listener in list(self.listeners):
            listener.namespace_removed(name)
        return None

    def namespace_list(self, req):
        return {"namespaces": [
            {"namespace": ns.name, "owner": ns.owner, "flags": ns.flags}
            for ns in self.namespaces.values()]}


# Watching (the kvs-watch service) ----------------------------------------
#
# flux-core runs this in a module of its own, kvs-watch, which follows
# the KVS through its setroot events and looks keys up again with
# kvs.lookup-plus.  Here the store tells the watches of each new root
# directly (Store.listeners), on the same thread, so a watcher sees the
# roots in commit order and never a lookup that raced a commit.  What a
# watcher sees is flux-core's (src/modules/kvs-watch/kvs-watch.c):
#
#   - The first response is the value at the current root.  A missing
#     key ends the watch with ENOENT, or with FLUX_KVS_WAITCREATE waits
#     for a commit that creates it; a missing namespace is ENOTSUP, or
#     with WAITCREATE waits for namespace-create.
#   - After that, a commit whose operations name the key itself causes
#     a new lookup and a response (FLUX_KVS_WATCH_FULL: every commit);
#     with FLUX_KVS_WATCH_UNIQ or FULL only a value that differs from
#     the last one sent is sent.  A lookup that fails (the key was
#     removed: ENOENT) ends the watch with that error.
#   - FLUX_KVS_WATCH_APPEND sends the value, then only what each append
#     adds (one response per appended piece); an overwrite or a shorter
#     value ends it with EINVAL.  FLUX_KVS_WATCH_INITIAL_SENTINEL (with
#     WATCH_APPEND) sends an empty response once the initial value is
#     out.  FLUX_KVS_STREAM (without WATCH) sends the value in its
#     pieces, then ENODATA.
#   - WAITCREATE without WATCH or STREAM answers once, when the key
#     exists.
#   - kvs-watch.cancel {matchtag} ends the matching watch with ENODATA;
#     the sender's kvs-watch.disconnect drops its watches silently;
#     namespace-remove ends the namespace's watches with ENOTSUP.

_WATCH_ONLY_FLAGS = (FLUX_KVS_WATCH_FULL | FLUX_KVS_WATCH_UNIQ
                     | FLUX_KVS_WATCH_APPEND
                     | FLUX_KVS_WATCH_INITIAL_SENTINEL)
_LOOKUP_FLAGS = FLUX_KVS_READDIR | FLUX_KVS_READLINK | FLUX_KVS_TREEOBJ


class Watcher:
    """One kvs-watch.lookup request and what has been sent for it."""

    # pylint: disable=too-many-instance-attributes

    def __init__(self, key, nsname, flags, sender, matchtag, reply):
        self.key = normalize_key(key)
        self.nsname = nsname
        self.flags = flags
        self.sender = sender
        self.matchtag = matchtag
        self.reply = reply  # reply(payload) or reply(None, errnum, text)
        self.rootseq = -1  # root of the last lookup
        self.looked_up = False
        self.responded = False
        self.sentinel_sent = False
        self.finished = False
        self.prev = None  # last value sent (FULL, UNIQ)
        self.end = -1  # index of the last piece sent (APPEND, STREAM)

    def send(self, val):
        self.reply({"val": val})
        self.responded = True

    def fail(self, errnum, text=None):
        self.finished = True
        self.reply(None, errnum, text)

    def sentinel(self):
        if (self.flags & FLUX_KVS_WATCH_INITIAL_SENTINEL
                and not self.sentinel_sent):
            self.sentinel_sent = True
            self.reply(None)


class Watches:
    """The kvs-watch service over a Store (see the comment above)."""

    def __init__(self, store, log=None):
        self.store = store
        self.log = log  # log(text) for a bug met while updating a watch
        self.watchers = []  # in the order they arrived
        store.listeners.append(self)

    def lookup(self, req, streaming, sender, matchtag, reply):
        """Start a watch for a kvs-watch.lookup request; raises
        KVSError for a request that is answered with an error at once.
        """
        nsname = req.get("namespace")
        key = req.get("key")
        flags = req.get("flags")
        if (not isinstance(nsname, str) or not isinstance(key, str)
                or not isinstance(flags, int)):
            raise KVSError(errno.EPROTO, "kvs-watch.lookup needs "
                           "namespace, key and flags")
        if flags & FLUX_KVS_WATCH and not streaming:
            raise KVSError(errno.EPROTO, "KVS watch request rejected "
                           "without streaming RPC flag")
        if flags & FLUX_KVS_STREAM and not streaming:
            raise KVSError(errno.EPROTO, "KVS stream request rejected "
                           "without streaming RPC flag")
        if flags & FLUX_KVS_WATCH and flags & FLUX_KVS_STREAM:
            raise KVSError(errno.EINVAL, "Cannot KVS watch and stream at "
                           "the same time")
        if not flags & FLUX_KVS_WATCH and flags & _WATCH_ONLY_FLAGS:
            raise KVSError(errno.EINVAL, "Must set KVS watch flag with "
                           "other watch flags")
        if (not flags & FLUX_KVS_WATCH_APPEND
                and flags & FLUX_KVS_WATCH_INITIAL_SENTINEL):
            raise KVSError(errno.EINVAL, "Must set KVS watch append flag "
                           "with initial sentinel flag")
        ns = self.store.namespaces.get(nsname)
        if ns is None and not flags & FLUX_KVS_WAITCREATE:
            raise KVSError(errno.ENOTSUP)
        w = Watcher(key, nsname, flags, sender, matchtag, reply)
        self.watchers.append(w)
        if ns is not None:
            self._update(w, ns, None)
        self._sweep()
        return _DEFERRED

    def cancel(self, sender, matchtag):
        """kvs-watch.cancel: end the sender's watch matchtag (ENODATA)."""
        for w in self.watchers:
            if (not w.finished and w.sender == sender
                    and w.matchtag == matchtag):
                w.fail(errno.ENODATA)
        self._sweep()

    def disconnect(self, sender):
        """kvs-watch.disconnect: drop the sender's watches, no answer."""
        for w in self.watchers:
            if w.sender == sender:
                w.finished = True
        self._sweep()

    def stop(self, errnum, text):
        """End every watch (the module is going away)."""
        for w in self.watchers:
            if not w.finished:
                w.fail(errnum, text)
        self._sweep()

    def stats(self):
        namespaces: dict = {}
        for w in self.watchers:
            ns = self.store.namespaces.get(w.nsname)
            entry = namespaces.setdefault(w.nsname, {
                "owner": ns.owner if ns else -1,
                "rootseq": ns.seq if ns else -1,
                "rootref": ns.root.ref(self.store.refs) if ns else "(null)",
                "watchers": 0})
            entry["watchers"] += 1
        return {"watchers": len(self.watchers),
                "namespace-count": len(namespaces),
                "namespaces": namespaces}

    # Store listener ----------------------------------------------------

    def setroot(self, ns, keys):
        for w in list(self.watchers):
            if w.nsname != ns.name:
                continue
            try:
                self._update(w, ns, keys)
            except Exception as exc:  # pylint: disable=broad-except
                # N.B. A bug here must fail this watch only, never the
                # commit that is being applied.
                if self.log:
                    self.log(_format_exception(exc))
                if not w.finished:
                    w.fail(errno.ENOTRECOVERABLE,
                           f"kvs-watch: internal error: {exc}")
        self._sweep()

    def namespace_created(self, ns):
        self.setroot(ns, None)

    def namespace_removed(self, name):
        for w in self.watchers:
            if w.nsname == name and not w.finished:
                w.fail(errno.ENOTSUP)
        self._sweep()

    # Sending -----------------------------------------------------------

    def _sweep(self):
        self.watchers = [w for w in self.watchers if not w.finished]

    def _update(self, w, ns, keys):
        """Look the key up again at ns's root if this root concerns w."""
        if w.finished or ns.seq <= w.rootseq:
            return
        if not (w.rootseq == -1 or w.flags & FLUX_KVS_WATCH_FULL
                or (keys and w.key in keys)):
            return
        initial = not w.looked_up
        w.looked_up = True
        w.rootseq = ns.seq
        flags = w.flags & _LOOKUP_FLAGS
        if w.flags & (FLUX_KVS_WATCH_APPEND | FLUX_KVS_STREAM):
            flags |= FLUX_KVS_TREEOBJ
        try:
            val = self.store.lookup({"key": w.key, "flags": flags,
                                     "namespace": ns.name})["val"]
        except KVSError as exc:
            if (exc.errnum == errno.ENOENT and initial
                    and w.flags & FLUX_KVS_WAITCREATE and not w.responded):
                w.sentinel()
                return
            w.fail(exc.errnum)
            return
        if w.flags & (FLUX_KVS_WATCH_APPEND | FLUX_KVS_STREAM):
            if isinstance(val, ValRef):
                # N.B. flux-core's kvs-watch sends a valref blob by blob.
                val = self.store.valref_as_val(val)
            self._send_appended(w, val)
        elif (not initial and w.responded
              and w.flags & (FLUX_KVS_WATCH_FULL | FLUX_KVS_WATCH_UNIQ)):
            if val != w.prev:
                w.prev = val
                w.send(val)
        else:
            w.prev = val
            w.send(val)
            w.sentinel()
        if w.finished:
            return
        if w.flags & FLUX_KVS_STREAM and w.responded:
            w.fail(errno.ENODATA)
        elif (w.responded and w.flags & FLUX_KVS_WAITCREATE
              and not w.flags & (FLUX_KVS_WATCH | FLUX_KVS_STREAM)):
            w.finished = True

    @staticmethod
    def _send_appended(w, val):
        """WATCH_APPEND and STREAM: send the pieces not sent yet."""
        what = ("cannot be watched with WATCH_APPEND"
                if w.flags & FLUX_KVS_WATCH_APPEND else "cannot be streamed")
        if not _is_leaf(val, "val"):
            kind = val.get("type") if isinstance(val, dict) else "?"
            errnum = errno.EISDIR if kind in ("dir", "dirref") \
                else errno.EINVAL
            if w.responded:
                w.fail(errno.EINVAL, "value of key watched with "
                       "WATCH_APPEND overwritten")
            else:
                w.fail(errnum, f"{kind} {what}")
            return
        chunked = isinstance(val, AppendedVal)
        pieces = list(val.pieces()) if chunked else [_val_bytes(val)]
        if w.responded:
            if not chunked:
                w.fail(errno.EINVAL, "value of key watched with "
                       "WATCH_APPEND overwritten")
                return
            if len(pieces) - 1 < w.end:
                w.fail(errno.EINVAL, "key watched with WATCH_APPEND "
                       "shortened")
                return
        for piece in pieces[w.end + 1:]:
            w.send(make_val(piece))
        w.end = len(pieces) - 1
        w.sentinel()


# The content service, as the KVS uses it ----------------------------------

class ContentClient:
    """content.* requests from the KVS module (the content module's
    protocol, flux-core src/common/libcontent and libkvs/kvs_checkpoint).

    Loads are synchronous: they happen only when a directory or value
    that came from before a restart is first used, a cold path.  Stores
    and checkpoints are sent without waiting; the content module answers
    in order, so the last response of a batch stands for all of them.
    """

    def __init__(self, h):
        self.h = h

    def _raw_rpc(self, topic, data):
        c_future = lib.flux_rpc_raw(self.h.handle, topic, data, len(data),
                                    lib.FLUX_NODEID_ANY, 0)
        return Future(c_future, flux_handle=self.h)

    def load(self, ref):
        """The blob named by ref; KVSError if the store has none."""
        digest = _digest(ref)
        if digest is None:
            raise KVSError(errno.EINVAL, f"{ref}: not a sha1 blobref")
        f = self._raw_rpc(b"content.load", digest)
        data = ffi.new("const void **")
        size = ffi.new("size_t *")
        try:
            if lib.flux_rpc_get_raw(f.handle, data, size) < 0:
                errnum = ffi.errno
                raise KVSError(errnum, f"content.load {ref}: "
                               f"{f.error_string() or os.strerror(errnum)}")
            return bytes(ffi.buffer(data[0], size[0])) if size[0] else b""
        finally:
            f.destroy()

    def store(self, data):
        """Send content.store; returns the Future."""
        return self._raw_rpc(b"content.store", data)

    def checkpoint_put(self, rootref, seq):
        """Send content.checkpoint-put (kvs_checkpoint_commit's payload)."""
        return self.h.rpc("content.checkpoint-put", {"value": {
            "version": 1, "rootref": rootref, "sequence": seq,
            "timestamp": time.time()}})

    def flush(self):
        return self.h.rpc("content.flush")

    def checkpoint_get(self):
        """The newest checkpoint {version, rootref, sequence?,
        timestamp?}, or None if there is none; OSError from the service
        otherwise (ENOSYS: no content module).
        """
        try:
            value = self.h.rpc("content.checkpoint-get").get()["value"]
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise
        # N.B. flux-core's content-sqlite answers a list, newest first;
        # older backing stores answered the one checkpoint.
        if isinstance(value, list):
            value = value[0] if value else None
        return value


class WriteBatch:
    """The content requests of one turn of the reactor and the commits
    they make durable: the commits are answered when the last request
    is, with the first error any request met.
    """

    def __init__(self, futures, replies):
        self.futures = futures
        self.replies = replies  # [(reply, result)]
        self.unanswered = len(futures)
        self.done = False

    def error(self):
        for f in self.futures:
            if lib.flux_future_get(f.handle, ffi.NULL) < 0:
                errnum = ffi.errno
                return errnum, (f.error_string() or os.strerror(errnum))
        return None

    def finish(self):
        if self.done:
            return
        self.done = True
        failed = self.error()
        for f in self.futures:
            f.destroy()
        for reply, result in self.replies:
            if isinstance(result, KVSError):
                reply(None, result.errnum, result.text)
            elif failed:
                reply(None, failed[0], "kvs: the commit is applied but "
                      f"the content store failed to save it: {failed[1]}")
            else:
                reply(result)


class TStat:
    """Count, min, max, mean and standard deviation of a series, kept
    as it grows (Welford's method), as flux-core's tstat_t.
    """

    def __init__(self):
        self.count = 0
        self.min = 0
        self.max = 0
        self._mean = 0.0
        self._m2 = 0.0

    def push(self, x):
        self.count += 1
        if self.count == 1:
            self.min = self.max = x
        self.min = min(self.min, x)
        self.max = max(self.max, x)
        delta = x - self._mean
        self._mean += delta / self.count
        self._m2 += delta * (x - self._mean)

    def json(self):
        stddev = (self._m2 / (self.count - 1)) ** 0.5 if self.count > 1 \
            else 0.0
        return {"count": self.count, "min": self.min, "mean": self._mean,
                "stddev": stddev, "max": self.max}


class KVS(BrokerModule):
    """The kvs service: requests kvs.* onto a Store."""

    def __init__(self, h, *args):
        super().__init__(h, *args)
        self.content = ContentClient(h)
        self.store = self._open_store()
        self.watches = Watches(self.store, log=lambda text: self.log.error(
            "kvs-watch: %s", text.rstrip()))
        # Commits wait here until the next turn of the reactor, so that
        # those that arrive together can be merged (Store.apply_commits).
        self._commits = []
        self._commit_check = h.check_watcher_create(self._apply_commits)
        self._commit_idle = h.idle_watcher_create(lambda *args: None)
        self._commit_opcount = TStat()  # ops per kvs.commit (stats-get)
        self._batches = []  # WriteBatches not answered yet, oldest first
        self._draining = False
        self._send_writes([])  # the blob of the empty root directory
        # N.B. flux-core serves watches from a kvs-watch module; here
        # the store that commits is the one that notifies watchers.
        h.service_register("kvs-watch").get()

    def _open_store(self):
        """The Store, continuing from the content store's checkpoint if
        there is one (flux-core kvs.c mod_main: checkpoint_get).
        """
        try:
            checkpoint = self.content.checkpoint_get()
        except OSError as exc:
            if exc.errno == errno.ENOSYS:
                raise OSError(errno.ENOSYS, "kvs: there is no content "
                              "service: load the content module before "
                              "the kvs (flux module load content)") from exc
            raise
        store = Store(owner=os.getuid(), content=self.content)
        if checkpoint is not None:
            rootref = checkpoint.get("rootref") if isinstance(
                checkpoint, dict) else None
            seq = checkpoint.get("sequence", 0) if rootref else 0
            if not isinstance(rootref, str) or not isinstance(seq, int):
                raise OSError(errno.EINVAL, "kvs: the content store's "
                              f"checkpoint is not valid: {checkpoint!r}")
            try:
                store.restore(rootref, seq)
            except KVSError as exc:
                raise OSError(exc.errnum, "kvs: cannot restore the "
                              f"checkpoint {rootref}: {exc.text or ''}") \
                    from exc
            stamp = checkpoint.get("timestamp")
            when = (time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(stamp))
                    if isinstance(stamp, (int, float)) and stamp > 0
                    else "N/A")
            self.log.info("restored KVS from checkpoint on %s", when)
        return store

    def _send_writes(self, replies):
        """Send what the store owes the content store (blobs, then the
        primary checkpoint, then a flush for FLUX_KVS_SYNC), and answer
        'replies' [(reply, result)] once the content store has answered.
        """
        blobs, checkpoint, sync = self.store.take_writes()
        futures = []
        try:
            for blob in blobs:
                futures.append(self.content.store(blob))
            if checkpoint is not None:
                futures.append(self.content.checkpoint_put(*checkpoint))
            if sync:
                futures.append(self.content.flush())
        except OSError as exc:
            self.log.error("content: %s", exc)
        batch = WriteBatch(futures, replies)
        if not futures:
            batch.finish()
            return
        self._batches.append(batch)
        for f in futures:
            f.then(self._answered, batch)

    def _answered(self, future, batch):
        del future
        batch.unanswered -= 1
        # N.B. commits are answered in the order they were applied: a
        # batch waits for the older ones (the content module answers in
        # order anyway).
        while self._batches and not self._batches[0].unanswered:
            self._batches.pop(0).finish()
        if self._draining and not self._batches:
            self.handle.reactor_stop()

    def run(self):
        try:
            super().run()
        finally:
            # Every request is answered: commits already accepted are
            # applied and saved, watches and wait-version requests end.
            self._apply_commits()
            self._drain()
            self.watches.stop(errno.ENOSYS, "the kvs module was removed")
            waiters, self.store.waiters = self.store.waiters, []
            for _, _, reply, _ in waiters:
                reply(None, errno.ENOSYS, "the kvs module was removed")

    def _drain(self):
        """Wait (up to 10 s) for the content store to answer what was
        sent, then answer those commits.
        """
        if not self._batches:
            return
        self._draining = True
        guard = self.handle.timer_watcher_create(
            10.0, lambda *args: self.handle.reactor_stop())
        guard.start()
        try:
            self.handle.reactor_run()
        finally:
            guard.stop()
        batches, self._batches = self._batches, []
        for batch in batches:
            for reply, _ in batch.replies:
                reply(None, errno.ENOSYS, "the kvs module was removed "
                      "before the content store saved the commit")

    def _reply_to(self, msg):
        """A function answering msg: reply(payload) or
        reply(None, errnum, text).  A requester that is gone is not an
        error.
        """
        def reply(payload, errnum=0, text=None):
            try:
                if errnum:
                    self.handle.respond_error(msg, errnum, text)
                else:
                    self.handle.respond(msg, payload)
            except OSError:
                pass

        return reply

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
            self.log.error("%s: %s", msg.topic,
                           _format_exception(exc).rstrip())
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
        def queue(payload):
            pending = self.store.prepare_commit(payload)
            self._commit_opcount.push(len(pending.ops))
            self._commits.append((msg, pending))
            if not self._commit_check.is_active():
                self._commit_check.start()
                self._commit_idle.start()
            return _DEFERRED

        self._serve(msg, queue)

    def _apply_commits(self, *args):
        self._commit_check.stop()
        self._commit_idle.stop()
        queued, self._commits = self._commits, []
        if not queued:
            return
        try:
            results = self.store.apply_commits([pc for _, pc in queued])
        except Exception as exc:  # pylint: disable=broad-except
            self.log.error("commit: %s", _format_exception(exc).rstrip())
            results = [KVSError(errno.ENOTRECOVERABLE,
                                f"kvs: internal error: {exc}")] * len(queued)
        self._send_writes([(self._reply_to(msg), result)
                           for (msg, _), result in zip(queued, results)])

    @request_handler("getroot")
    def getroot(self, msg):
        self._serve(msg, self.store.getroot)

    @request_handler("wait-version")
    def wait_version(self, msg):
        # The response may come later, from the commit that reaches the
        # version: the store keeps the callback, not the request.
        self._serve(msg, lambda payload: self.store.wait_version(
            payload, self._reply_to(msg), sender=_sender(msg)))

    @request_handler("disconnect")
    def disconnect(self, msg):
        self.store.drop_waiters(_sender(msg))

    @request_handler("lookup-plus")
    def lookup_plus(self, msg):
        self._serve(msg, self._lookup_plus)

    def _lookup_plus(self, payload):
        """kvs.lookup-plus: kvs.lookup that also names the root looked
        at, and answers a missing key with {errno: ENOENT} instead of
        an error (flux-core's kvs-watch uses it).
        """
        if "rootdir" in payload:
            ns = self.store.namespace(payload.get("namespace",
                                                  PRIMARY_NAMESPACE))
            root = self.store._rootdir(payload["rootdir"])
            rootref = root.ref(self.store.refs)
        else:
            ns = self.store.namespace(payload.get("namespace"))
            rootref = ns.root.ref(self.store.refs)
        rootseq = ns.seq
        try:
            val = self.store.lookup(payload)["val"]
        except KVSError as exc:
            if exc.errnum != errno.ENOENT:
                raise
            return {"errno": errno.ENOENT, "rootseq": rootseq,
                    "rootref": rootref}
        return {"val": val, "rootseq": rootseq, "rootref": rootref}

    # N.B. As flux-core's (FLUX_ROLE_USER), and as the module's default
    # stats-get this replaces: a guest may read the statistics.
    @request_handler("stats-get", allow_guest=True)
    def stats_get(self, msg):
        self._serve(msg, lambda payload: self._stats())

    def _stats(self):
        """kvs.stats-get, in flux-core's form.  This store keeps no
        cache of blobs apart from the tree itself: the cache figures
        are those of an empty cache.
        """
        namespaces = {}
        for ns in self.store.namespaces.values():
            queued = sum(1 for _, pc in self._commits if pc.ns is ns)
            namespaces[ns.name] = {
                "#versionwaiters": sum(1 for w in self.store.waiters
                                       if w[0] == ns.name),
                "#no-op stores": 0,
                "#transactions": queued,
                "#readytransactions": queued,
                "store revision": ns.seq,
            }
        cache = {"obj size total (MiB)": 0.0,
                 "obj size (KiB)": TStat().json(),
                 "#obj dirty": 0,
                 "#obj incomplete": 0,
                 "#faults": 0}
        return {"cache": cache,
                "namespace": namespaces,
                "transaction-opcount": {"commit": self._commit_opcount.json()},
                "pending_requests": len(self.store.waiters)
                + len(self._commits)}

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

    # kvs-watch ---------------------------------------------------------

    @request_handler("kvs-watch.lookup", prefix=False)
    def watch_lookup(self, msg):
        self._serve(msg, lambda payload: self.watches.lookup(
            payload, msg.streaming, _sender(msg), _matchtag(msg),
            self._reply_to(msg)))

    @request_handler("kvs-watch.cancel", prefix=False)
    def watch_cancel(self, msg):
        # N.B. Sent with FLUX_RPC_NORESPONSE: only the watch answers.
        payload = msg.payload
        if isinstance(payload, dict) and isinstance(payload.get("matchtag"),
                                                    int):
            self.watches.cancel(_sender(msg), payload["matchtag"])

    @request_handler("kvs-watch.disconnect", prefix=False)
    def watch_disconnect(self, msg):
        self.watches.disconnect(_sender(msg))

    @request_handler("kvs-watch.stats-get", prefix=False)
    def watch_stats(self, msg):
        self._serve(msg, lambda payload: self.watches.stats())


def _sender(msg):
    """The uuid of the original sender of a request."""
    uuid = lib.flux_msg_route_first(msg.handle)
    return None if uuid == ffi.NULL else ffi.string(uuid).decode()


def _matchtag(msg):
    tag = ffi.new("uint32_t *")
    if lib.flux_msg_get_matchtag(msg.handle, tag) < 0:
        return None
    return tag[0]
