# SPDX-License-Identifier: LGPL-3.0-or-later
"""The KVS beyond get/put: watches (the kvs-watch service of the kvs
module and flux.kvs.kvs_watch_async), commit flags (merging, NO_MERGE,
SYNC, TXN_COMPACT), checkpoints, and flux-core's exceptions for bad
input.  The merging of queued commits is tested on the Store alone,
where it is deterministic; everything else against a broker.
"""

import base64
import errno
import hashlib
import os
import subprocess
import sys
import time

import pytest

import flux
import flux.kvs as kvs
from flux.core.inner import check, ffi, lib
from flux.message import Message

from conftest import Runner, load_kvs_module, recv_timeout, response_error

TIMEOUT = 10


M = load_kvs_module("kvs_watch_under_test")


def val(data):
    return {"ver": 1, "type": "val",
            "data": base64.b64encode(data).decode()}


def op(key, dirent, flags=0):
    return {"key": key, "flags": flags, "dirent": dirent}


def commit_req(*ops, flags=0, ns="primary"):
    return {"ops": list(ops), "flags": flags, "namespace": ns}


# Merging queued commits, on the Store ---------------------------------

@pytest.fixture
def store():
    return M.Store(owner=1000)


def prepared(store, *reqs):
    return [store.prepare_commit(r) for r in reqs]


def test_adjacent_commits_with_equal_flags_merge(store):
    results = store.apply_commits(prepared(
        store,
        commit_req(op("a", val(b"1"))),
        commit_req(op("b", val(b"2"))),
        commit_req(op("a", val(b"3")))))
    assert [r["rootseq"] for r in results] == [1, 1, 1]
    assert len({r["rootref"] for r in results}) == 1
    got = store.lookup({"key": "a", "flags": 0, "namespace": "primary"})
    assert got["val"] == val(b"3")


def test_no_merge_commits_each_get_a_root(store):
    nm = M.FLUX_KVS_NO_MERGE
    results = store.apply_commits(prepared(
        store,
        commit_req(op("a", val(b"1")), flags=nm),
        commit_req(op("a", val(b"2")), flags=nm),
        commit_req(op("a", val(b"3")), flags=nm)))
    assert [r["rootseq"] for r in results] == [1, 2, 3]


def test_merging_stops_at_an_unmergeable_commit(store):
    # 1 and 3 must not merge past 2: a=2 would then land after a=3.
    results = store.apply_commits(prepared(
        store,
        commit_req(op("a", val(b"1"))),
        commit_req(op("a", val(b"2")), flags=M.FLUX_KVS_NO_MERGE),
        commit_req(op("a", val(b"3"))),
        commit_req(op("b", val(b"4")))))
    assert [r["rootseq"] for r in results] == [1, 2, 3, 3]
    got = store.lookup({"key": "a", "flags": 0, "namespace": "primary"})
    assert got["val"] == val(b"3")


def test_commits_with_different_flags_do_not_merge(store):
    store.namespace_create({"namespace": "other", "owner": 1000,
                            "flags": 0})
    results = store.apply_commits(prepared(
        store,
        commit_req(op("a", val(b"1"))),
        commit_req(op("a", val(b"2")), flags=8),
        commit_req(op("x", val(b"1")), ns="other"),
        commit_req(op("b", val(b"2")))))
    assert [r["rootseq"] for r in results] == [1, 2, 1, 3]


def test_a_failing_merged_commit_falls_back_to_one_at_a_time(store):
    results = store.apply_commits(prepared(
        store,
        commit_req(op("a", val(b"1"))),
        commit_req(op(".", val(b"x"))),
        commit_req(op("b", val(b"2")))))
    assert results[0]["rootseq"] == 1
    assert isinstance(results[1], M.KVSError)
    assert results[1].errnum == errno.EINVAL
    assert results[2]["rootseq"] == 2
    for key in ("a", "b"):
        store.lookup({"key": key, "flags": 0, "namespace": "primary"})


def test_commit_to_a_namespace_removed_while_queued_is_enotsup(store):
    store.namespace_create({"namespace": "gone", "owner": 1000, "flags": 0})
    pending = prepared(store, commit_req(op("a", val(b"1")), ns="gone"),
                       commit_req(op("b", val(b"1")), ns="gone"))
    store.namespace_remove({"namespace": "gone"})
    results = store.apply_commits(pending)
    assert [r.errnum for r in results] == [errno.ENOTSUP, errno.ENOTSUP]


def test_sync_commit_without_backing_store(store):
    store.namespace_create({"namespace": "ns", "owner": 1000, "flags": 0})
    sync = M.FLUX_KVS_SYNC
    with pytest.raises(M.KVSError) as info:
        store.commit(commit_req(op("a", val(b"1")), flags=sync))
    assert info.value.errnum == errno.ENOSYS
    with pytest.raises(M.KVSError) as info:
        store.commit(commit_req(op("a", val(b"1")), flags=sync, ns="ns"))
    assert info.value.errnum == errno.EINVAL
    assert store.namespaces["primary"].seq == 0
    with pytest.raises(M.KVSError) as info:
        store.lookup({"key": "a", "flags": 0, "namespace": "primary"})
    assert info.value.errnum == errno.ENOENT


def test_drop_waiters_forgets_a_gone_senders_wait_version(store):
    got = []
    store.wait_version({"namespace": "primary", "rootseq": 1}, got.append,
                       sender="gone")
    store.wait_version({"namespace": "primary", "rootseq": 1}, got.append,
                       sender="stays")
    store.drop_waiters("gone")
    store.commit(commit_req(op("a", val(b"1"))))
    assert len(got) == 1
    assert not store.waiters


def test_namespace_remove_answers_its_waiters_enotsup(store):
    """flux-core: a wait-version pending on a namespace that is removed
    is answered ENOTSUP; the waiters of other namespaces keep waiting.
    """
    store.namespace_create({"namespace": "gone", "owner": 1000, "flags": 0})
    got = []

    def callback(payload, errnum=0, text=None):
        got.append((payload, errnum))

    store.wait_version({"namespace": "gone", "rootseq": 5}, callback,
                       sender="a")
    store.wait_version({"namespace": "primary", "rootseq": 1}, callback,
                       sender="b")
    store.namespace_remove({"namespace": "gone"})
    assert got == [(None, errno.ENOTSUP)]
    assert [w[0] for w in store.waiters] == ["primary"]
    # Removing it again is not an error (flux-core), nor is the primary
    # namespace removable.
    store.namespace_remove({"namespace": "gone"})
    with pytest.raises(M.KVSError) as info:
        store.namespace_remove({"namespace": "primary"})
    assert info.value.errnum == errno.ENOTSUP


# The module on an interthread channel ------------------------------
#
# The test plays the broker, and the content module: the commits are
# queued in the channel before the module's reactor starts, so they
# reach the module in one turn of its reactor, as commits sent together
# do.

def answer_content(broker, msg):
    """Answer the kvs's content.* request as a new content module does."""
    if msg.topic == "content.checkpoint-get":
        broker.respond_error(msg, errno.ENOENT)
    elif msg.topic == "content.store":
        digest = hashlib.sha1(msg.payload_raw).digest()
        check(lib.flux_respond_raw(broker.handle, msg.handle, digest,
                                   len(digest)))
    else:
        broker.respond(msg, None)


def recv_answering_content(broker, type_mask, topic):
    """The next message 'topic', content requests answered meanwhile."""
    while True:
        msg = recv_timeout(broker, lib.FLUX_MSGTYPE_ANY, None)
        if msg.topic == topic and msg.type & type_mask:
            return msg
        assert msg.topic.startswith("content."), msg.topic
        answer_content(broker, msg)


def run_kvs_with_queued_commits(module_pair, flags_list):
    pair = module_pair("kvs")

    def module_main():
        # kvs.shutdown, as the loader registers it, stops the module.
        check(lib.flux_module_register_default_methods(
            pair.mod.handle, b"kvs", ffi.NULL))
        M.KVS(pair.mod).run()

    runner = Runner(module_main)
    runner.start()
    service = recv_answering_content(pair.broker, lib.FLUX_MSGTYPE_REQUEST,
                                     "service.add")
    for i, flags in enumerate(flags_list):
        msg = Message()
        msg.topic = "kvs.commit"
        msg.payload = commit_req(op("q.k", val(str(i).encode())),
                                 flags=flags)
        check(lib.flux_msg_set_matchtag(msg.handle, 100 + i))
        pair.broker.send(msg)
    pair.broker.respond(service)
    seqs = {}
    for _ in flags_list:
        resp = recv_answering_content(pair.broker, lib.FLUX_MSGTYPE_RESPONSE,
                                      "kvs.commit")
        assert response_error(resp) == (0, None)
        tag = ffi.new("uint32_t *")
        check(lib.flux_msg_get_matchtag(resp.handle, tag))
        seqs[tag[0] - 100] = resp.payload["rootseq"]
    stop = Message()
    stop.topic = "kvs.shutdown"
    check(lib.flux_msg_set_noresponse(stop.handle))
    pair.broker.send(stop)
    assert runner.finish() is None
    return [seqs[i] for i in range(len(flags_list))]


def test_module_merges_commits_that_arrive_together(module_pair):
    assert run_kvs_with_queued_commits(module_pair, [0, 0, 0]) == [1, 1, 1]


def test_module_keeps_no_merge_commits_apart(module_pair):
    nm = M.FLUX_KVS_NO_MERGE
    assert run_kvs_with_queued_commits(module_pair, [nm, nm, 0, 0]) == [
        1, 2, 3, 3]


# Against a broker ----------------------------------------------------

@pytest.fixture(scope="module")
def kvs_uri(broker_uri):
    # The instance's rc1 has loaded the kvs module.
    return broker_uri


@pytest.fixture
def kh(kvs_uri):
    return flux.Flux(kvs_uri)


def put(h, key, value, **kw):
    kvs.put(h, key, value, **kw)
    kvs.commit(h)


def nxt(future):
    """The next value of a watch future, failing the test after TIMEOUT."""
    future.wait_for(TIMEOUT)
    return future.get()


def watch_rpc(h, key, flags, ns="primary", streaming=True):
    return h.rpc("kvs-watch.lookup", {"key": key, "namespace": ns,
                                      "flags": flags},
                 flags=lib.FLUX_RPC_STREAMING if streaming else 0)


def response(rpc):
    """The next response of a raw watch RPC: (bytes of val) or None for
    an empty response; raises OSError for an error response.
    """
    rpc.wait_for(TIMEOUT)
    try:
        payload = rpc.get()
    finally:
        rpc.reset()
    if payload is None:
        return None
    assert payload["val"]["type"] == "val"
    return base64.b64decode(payload["val"]["data"])


def error_of(fn, *args):
    with pytest.raises(OSError) as info:
        fn(*args)
    return info.value.errno, info.value.strerror


def watchers(h):
    return h.rpc("kvs-watch.stats-get").get()["watchers"]


def test_watch_gives_the_value_then_each_change_of_the_key(kh):
    put(kh, "wa.k", 1)
    f = kvs.kvs_watch_async(kh, "wa.k")
    assert nxt(f) == 1
    put(kh, "wa.other", "x")  # does not name the key: no response
    put(kh, "wa.k", {"two": 2})
    assert nxt(f) == {"two": 2}
    put(kh, "wa.k", "three")
    assert nxt(f) == "three"
    f.cancel()
    assert nxt(f) is None


def test_watch_of_a_missing_key_is_enoent(kh):
    f = kvs.kvs_watch_async(kh, "wm.nosuch")
    assert error_of(nxt, f)[0] == errno.ENOENT


def test_watch_ends_with_enoent_when_the_key_is_removed(kh):
    put(kh, "wr.k", 1)
    f = kvs.kvs_watch_async(kh, "wr.k")
    assert nxt(f) == 1
    kvs.put_unlink(kh, "wr.k")
    kvs.commit(kh)
    assert error_of(nxt, f)[0] == errno.ENOENT


def test_waitcreate_waits_for_the_key(kh):
    f = kvs.kvs_watch_async(kh, "wc.k", waitcreate=True)
    put(kh, "wc.unrelated", 0)
    assert not f.is_ready()
    put(kh, "wc.k", "born")
    assert nxt(f) == "born"
    put(kh, "wc.k", "again")
    assert nxt(f) == "again"
    f.cancel()
    assert nxt(f) is None


def test_uniq_gives_only_values_that_differ(kh):
    put(kh, "wu.k", 1)
    plain = kvs.kvs_watch_async(kh, "wu.k")
    uniq = kvs.kvs_watch_async(kh, "wu.k", uniq=True)
    assert nxt(plain) == 1 and nxt(uniq) == 1
    put(kh, "wu.k", 1)
    put(kh, "wu.k", 2)
    assert nxt(plain) == 1
    assert nxt(plain) == 2
    assert nxt(uniq) == 2
    for f in (plain, uniq):
        f.cancel()
        assert nxt(f) is None


def test_full_sees_a_change_above_the_key(kh):
    put(kh, "wf.d.k", 1)
    full = kvs.kvs_watch_async(kh, "wf.d.k", full=True)
    plain = kvs.kvs_watch_async(kh, "wf.d.k")
    assert nxt(full) == 1 and nxt(plain) == 1
    kvs.put_unlink(kh, "wf.d")
    kvs.commit(kh)
    assert error_of(nxt, full)[0] == errno.ENOENT
    # The plain watch never saw the directory go; it sees the key again.
    put(kh, "wf.d.k", 5)
    assert nxt(plain) == 5
    plain.cancel()
    assert nxt(plain) is None


def test_full_with_uniq_ignores_commits_that_leave_the_value(kh):
    put(kh, "wfu.k", "v")
    f = kvs.kvs_watch_async(kh, "wfu.k", full=True, uniq=True)
    assert nxt(f) == "v"
    put(kh, "wfu.other", 1)
    put(kh, "wfu.k", "w")
    assert nxt(f) == "w"
    f.cancel()
    assert nxt(f) is None


def test_cancel_ends_the_stream_with_enodata(kh):
    put(kh, "wx.k", 1)
    before = watchers(kh)
    rpc = watch_rpc(kh, "wx.k", kvs.FLUX_KVS_WATCH)
    assert response(rpc) == b"1"
    assert watchers(kh) == before + 1
    kh.rpc("kvs-watch.cancel", {"matchtag": 999999},
           flags=lib.FLUX_RPC_NORESPONSE)  # another watch: none
    assert watchers(kh) == before + 1
    kh.rpc("kvs-watch.cancel", {"matchtag": rpc.get_matchtag()},
           flags=lib.FLUX_RPC_NORESPONSE)
    assert error_of(response, rpc)[0] == errno.ENODATA
    assert watchers(kh) == before


def test_cancel_with_stop_calls_the_callback_no_more(kh):
    put(kh, "ws.k", 1)
    f = kvs.kvs_watch_async(kh, "ws.k")
    seen = []
    keep = []

    def cb(future):
        value = future.get()
        seen.append(value)
        if value == 1:
            kvs.put(kh, "ws.k", 2)
            keep.append(kvs.commit_async(kh))
        elif value == 2:
            future.cancel(stop=True)
            # Time for the ENODATA that ends the stream to arrive.
            kh.timer_watcher_create(0.5, lambda *a: kh.reactor_stop()).start()

    f.then(cb)
    guard = kh.timer_watcher_create(TIMEOUT, lambda *a: kh.reactor_stop())
    guard.start()
    kh.reactor_run()
    guard.stop()
    # Without stop, the end of the stream would call cb: get() -> None.
    assert seen == [1, 2]


CLIENT = """
import os, sys, flux, flux.kvs as kvs
h = flux.Flux()
f = kvs.kvs_watch_async(h, "wd.k")
g = kvs.kvs_watch_async(h, "wd.k", waitcreate=True, full=True)
assert f.get() == 1 and g.get() == 1
print("ready", flush=True)
sys.stdin.read()
os._exit(0)  # no cancel: the broker sees the client go
"""


def test_a_disconnecting_client_loses_its_watches(kh, kvs_uri):
    put(kh, "wd.k", 1)
    before = watchers(kh)
    proc = subprocess.Popen([sys.executable, "-c", CLIENT],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=dict(os.environ,
                                                FLUX_URI=kvs_uri))
    try:
        assert proc.stdout.readline().strip() == "ready"
        assert watchers(kh) == before + 2
    finally:
        proc.stdin.close()
        assert proc.wait(TIMEOUT) == 0
    deadline = time.monotonic() + TIMEOUT
    while watchers(kh) != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert watchers(kh) == before
    put(kh, "wd.k", 2)  # nothing left to answer


def test_namespace_removal_ends_its_watches_with_enotsup(kh):
    kvs.namespace_create(kh, "wns")
    try:
        put_ns = kvs.KVSTxn(kh, namespace="wns")
        put_ns.put("k", 1)
        put_ns.commit()
        f = kvs.kvs_watch_async(kh, "k", namespace="wns")
        assert nxt(f) == 1
    finally:
        kvs.namespace_remove(kh, "wns")
    assert error_of(nxt, f)[0] == errno.ENOTSUP


def test_watch_in_a_missing_namespace(kh):
    f = kvs.kvs_watch_async(kh, "k", namespace="wns-none")
    assert error_of(nxt, f)[0] == errno.ENOTSUP
    f = kvs.kvs_watch_async(kh, "k", namespace="wns-later", waitcreate=True)
    kvs.namespace_create(kh, "wns-later")
    try:
        assert not f.is_ready()
        txn = kvs.KVSTxn(kh, namespace="wns-later")
        txn.put("k", "here")
        txn.commit()
        assert nxt(f) == "here"
        f.cancel()
        assert nxt(f) is None
    finally:
        kvs.namespace_remove(kh, "wns-later")


@pytest.mark.parametrize("flags,streaming,errnum,text", [
    (4, False, errno.EPROTO,
     "KVS watch request rejected without streaming RPC flag"),
    (512, False, errno.EPROTO,
     "KVS stream request rejected without streaming RPC flag"),
    (4 | 512, True, errno.EINVAL,
     "Cannot KVS watch and stream at the same time"),
    (128, True, errno.EINVAL,
     "Must set KVS watch flag with other watch flags"),
    (4 | 1024, True, errno.EINVAL,
     "Must set KVS watch append flag with initial sentinel flag"),
])
def test_watch_request_errors_as_flux_core(kh, flags, streaming, errnum,
                                           text):
    put(kh, "we.k", 1)
    rpc = watch_rpc(kh, "we.k", flags, streaming=streaming)
    assert error_of(response, rpc) == (errnum, text)


def test_malformed_watch_request_is_eproto(kh):
    rpc = kh.rpc("kvs-watch.lookup", {"key": "a", "flags": 4},
                 flags=lib.FLUX_RPC_STREAMING)
    assert error_of(response, rpc)[0] == errno.EPROTO


def test_watch_of_a_directory_is_eisdir(kh):
    put(kh, "wdir.d.k", 1)
    f = kvs.kvs_watch_async(kh, "wdir.d")
    assert error_of(nxt, f)[0] == errno.EISDIR


def test_watch_append_sends_what_each_append_adds(kh):
    put(kh, "wap.log", "a", raw=True)
    rpc = watch_rpc(kh, "wap.log",
                    kvs.FLUX_KVS_WATCH | kvs.FLUX_KVS_WATCH_APPEND)
    assert response(rpc) == b"a"
    put(kh, "wap.log", "b", raw=True, append=True)
    assert response(rpc) == b"b"
    kvs.put(kh, "wap.log", "c", raw=True, append=True)
    kvs.put(kh, "wap.log", "d", raw=True, append=True)
    kvs.commit(kh)
    assert response(rpc) == b"c"
    assert response(rpc) == b"d"
    put(kh, "wap.log", "new", raw=True)
    assert error_of(response, rpc) == (
        errno.EINVAL, "value of key watched with WATCH_APPEND overwritten")


def test_watch_append_of_an_appended_value_sends_its_pieces(kh):
    put(kh, "wap2.log", "x", raw=True)
    put(kh, "wap2.log", "y", raw=True, append=True)
    rpc = watch_rpc(kh, "wap2.log",
                    kvs.FLUX_KVS_WATCH | kvs.FLUX_KVS_WATCH_APPEND)
    assert response(rpc) == b"x"
    assert response(rpc) == b"y"
    kh.rpc("kvs-watch.cancel", {"matchtag": rpc.get_matchtag()},
           flags=lib.FLUX_RPC_NORESPONSE)
    assert error_of(response, rpc)[0] == errno.ENODATA


def test_watch_append_of_a_value_rewritten_shorter(kh):
    put(kh, "wap4.log", "a", raw=True)
    for piece in ("b", "c"):
        put(kh, "wap4.log", piece, raw=True, append=True)
    rpc = watch_rpc(kh, "wap4.log",
                    kvs.FLUX_KVS_WATCH | kvs.FLUX_KVS_WATCH_APPEND)
    assert [response(rpc) for _ in range(3)] == [b"a", b"b", b"c"]
    kvs.put(kh, "wap4.log", "x", raw=True)
    kvs.put(kh, "wap4.log", "y", raw=True, append=True)
    kvs.commit(kh)
    assert error_of(response, rpc) == (
        errno.EINVAL, "key watched with WATCH_APPEND shortened")


def test_watch_append_of_a_directory(kh):
    put(kh, "wap3.d.k", 1)
    rpc = watch_rpc(kh, "wap3.d",
                    kvs.FLUX_KVS_WATCH | kvs.FLUX_KVS_WATCH_APPEND)
    assert error_of(response, rpc) == (
        errno.EISDIR, "dirref cannot be watched with WATCH_APPEND")


def test_initial_sentinel_follows_the_initial_value(kh):
    flags = (kvs.FLUX_KVS_WATCH | kvs.FLUX_KVS_WATCH_APPEND
             | kvs.FLUX_KVS_WATCH_INITIAL_SENTINEL)
    put(kh, "wsn.log", "x", raw=True)
    put(kh, "wsn.log", "y", raw=True, append=True)
    rpc = watch_rpc(kh, "wsn.log", flags)
    assert [response(rpc) for _ in range(3)] == [b"x", b"y", None]
    put(kh, "wsn.log", "z", raw=True, append=True)
    assert response(rpc) == b"z"
    # A key that does not exist yet: the sentinel comes at once.
    later = watch_rpc(kh, "wsn.later", flags | kvs.FLUX_KVS_WAITCREATE)
    assert response(later) is None
    put(kh, "wsn.later", "first", raw=True)
    assert response(later) == b"first"


def test_stream_sends_the_pieces_then_enodata(kh):
    put(kh, "wst.log", "p1", raw=True)
    put(kh, "wst.log", "p2", raw=True, append=True)
    before = watchers(kh)
    rpc = watch_rpc(kh, "wst.log", kvs.FLUX_KVS_STREAM)
    assert response(rpc) == b"p1"
    assert response(rpc) == b"p2"
    assert error_of(response, rpc)[0] == errno.ENODATA
    assert watchers(kh) == before


def test_waitcreate_without_watch_answers_once(kh):
    put(kh, "wo.k", "now")
    before = watchers(kh)
    rpc = watch_rpc(kh, "wo.k", kvs.FLUX_KVS_WAITCREATE, streaming=False)
    assert response(rpc) == b'"now"'
    rpc = watch_rpc(kh, "wo.later", kvs.FLUX_KVS_WAITCREATE, streaming=False)
    assert watchers(kh) == before + 1
    put(kh, "wo.later", "then")
    assert response(rpc) == b'"then"'
    assert watchers(kh) == before


def test_no_merge_commits_each_get_a_rootseq_and_a_watch_sees_each(kh):
    put(kh, "wn.k", -1)
    f = kvs.kvs_watch_async(kh, "wn.k")
    assert nxt(f) == -1
    futures = []
    for i in range(8):
        txn = kvs.KVSTxn(kh)
        txn.put("wn.k", i)
        futures.append(txn.commit_async(flags=kvs.FLUX_KVS_NO_MERGE))
    seqs = [fut.get()["rootseq"] for fut in futures]
    assert seqs == list(range(seqs[0], seqs[0] + 8))
    assert [nxt(f) for _ in range(8)] == list(range(8))
    f.cancel()
    assert nxt(f) is None


def test_commits_sent_together_end_with_the_last_value(kh):
    futures = []
    for i in range(8):
        txn = kvs.KVSTxn(kh)
        txn.put("wm2.k", i)
        futures.append(txn.commit_async())
    seqs = [fut.get()["rootseq"] for fut in futures]
    assert seqs == sorted(seqs)
    assert kvs.get(kh, "wm2.k") == 7


def test_sync_commit_is_checkpointed_in_the_primary_namespace_only(kh):
    kvs.put(kh, "wsync.k", 1)
    kvs.commit(kh, kvs.FLUX_KVS_SYNC)
    assert kvs.get(kh, "wsync.k") == 1
    newest = kvs.kvs_checkpoint_lookup(kh)[0]
    assert newest["rootref"] == kh.rpc("kvs.getroot", {
        "namespace": "primary"}).get()["rootref"]
    kvs.namespace_create(kh, "wsyncns")
    try:
        kvs.put(kh, "k", 1)
        assert error_of(kvs.commit, kh, kvs.FLUX_KVS_SYNC,
                        "wsyncns")[0] == errno.EINVAL
    finally:
        kvs.namespace_remove(kh, "wsyncns")


def test_txn_compact_joins_appends_to_a_key(kh):
    put(kh, "wcp.log", "0", raw=True)
    rpc = watch_rpc(kh, "wcp.log",
                    kvs.FLUX_KVS_WATCH | kvs.FLUX_KVS_WATCH_APPEND)
    assert response(rpc) == b"0"
    for piece in ("a", "b", "c"):
        kvs.put(kh, "wcp.log", piece, raw=True, append=True)
    kvs.put(kh, "wcp.other", 1)
    kvs.commit(kh, flags=kvs.FLUX_KVS_TXN_COMPACT)
    assert response(rpc) == b"abc"  # one piece, not three
    assert kvs.get(kh, "wcp.log") == "0abc"
    assert kvs.get(kh, "wcp.other") == 1


def test_txn_compact_refuses_a_write_after_an_append(kh):
    txn = kvs.KVSTxn(kh)
    txn.put("wcp2.k", "a", raw=True)
    kvs.put(kh, "wcp2.k", "b", raw=True, append=True, _kvstxn=txn)
    txn.put("wcp2.k", "c", raw=True)
    assert error_of(txn.commit, kvs.FLUX_KVS_TXN_COMPACT)[0] == errno.EINVAL
    assert not kvs.exists(kh, "wcp2.k")


def test_checkpoint_lookup_gives_the_newest_primary_root_first(kh):
    kvs.put(kh, "wckpt.k", 1)
    kvs.commit(kh)
    root = kh.rpc("kvs.getroot", {"namespace": "primary"}).get()
    newest = kvs.kvs_checkpoint_lookup(kh)[0]
    assert newest["version"] == 1
    assert (newest["rootref"], newest["sequence"]) == (root["rootref"],
                                                       root["rootseq"])
    # The content module is also the backing store: cache_bypass asks
    # content-backing, which answers the same.
    assert kvs.kvs_checkpoint_lookup(kh, True)[0] == newest


def test_bad_input_raises_as_flux_core(kh):
    with pytest.raises(AttributeError):
        kvs.put(kh, "bad.k", 1, raw=True)
    with pytest.raises(AttributeError):
        kvs.put(kh, "bad.k", bytearray(b"x"), raw=True)
    with pytest.raises(TypeError):
        kvs.put(kh, "bad.k", object())
    with pytest.raises(TypeError):
        kvs.put(kh, "bad.k", bytearray(b"x"))
    with pytest.raises(TypeError):
        kvs.put(kh, 5, "v")
    for key in ("", None):
        assert error_of(kvs.put, kh, key, 1)[0] == errno.EINVAL
        assert error_of(kvs.get, kh, key)[0] == errno.EINVAL
        assert error_of(kvs.kvs_watch_async, kh, key)[0] == errno.EINVAL
        assert error_of(kvs.put_mkdir, kh, key)[0] == errno.EINVAL
        assert error_of(kvs.put_unlink, kh, key)[0] == errno.EINVAL
    with pytest.raises(TypeError):
        kvs.kvs_watch_async(kh, 5)
    assert error_of(kvs.put_symlink, kh, "bad.l", None)[0] == errno.EINVAL
    kvs.commit(kh)  # nothing bad was staged
    assert not kvs.exists(kh, "bad")


def test_raw_bytes_and_str_and_an_empty_value(kh):
    put(kh, "raw.b", b"\x00\x01", raw=True)
    put(kh, "raw.s", "text", raw=True)
    put(kh, "raw.e", "", raw=True)
    assert kvs.get(kh, "raw.s") == "text"
    assert kvs.get(kh, "raw.e") is None


def test_flags_have_flux_core_values():
    assert (kvs.FLUX_KVS_READDIR, kvs.FLUX_KVS_READLINK, kvs.FLUX_KVS_WATCH,
            kvs.FLUX_KVS_WAITCREATE, kvs.FLUX_KVS_TREEOBJ,
            kvs.FLUX_KVS_APPEND, kvs.FLUX_KVS_WATCH_FULL,
            kvs.FLUX_KVS_WATCH_UNIQ, kvs.FLUX_KVS_WATCH_APPEND,
            kvs.FLUX_KVS_STREAM, kvs.FLUX_KVS_WATCH_INITIAL_SENTINEL) == (
        1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
    assert (kvs.FLUX_KVS_NO_MERGE, kvs.FLUX_KVS_TXN_COMPACT,
            kvs.FLUX_KVS_SYNC) == (1, 2, 4)


def test_module_removal_ends_pending_requests(kh, kvs_uri):
    # Last: it reloads the module.
    put(kh, "wrm.k", 1)
    f = kvs.kvs_watch_async(kh, "wrm.k")
    assert nxt(f) == 1
    version = kh.rpc("kvs.wait-version", {"namespace": "primary",
                                          "rootseq": 1 << 30})
    env = dict(os.environ, FLUX_URI=kvs_uri)
    subprocess.run(["flux", "module", "remove", "kvs"], env=env, check=True)
    try:
        assert error_of(nxt, f) == (errno.ENOSYS,
                                    "the kvs module was removed")
        version.wait_for(TIMEOUT)
        assert error_of(version.get) == (errno.ENOSYS,
                                         "the kvs module was removed")
    finally:
        subprocess.run(["flux", "module", "load", "kvs"], env=env,
                       check=True)
