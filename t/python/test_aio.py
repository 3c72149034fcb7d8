# SPDX-License-Identifier: LGPL-3.0-or-later
"""Async handlers (flux.aio, flux.brokermod), in a real instance.

Modules are written to tmp_path and loaded with flux module load, as a
user loads them; what they see is reported back through their own
request handlers.  Concurrency is asserted by ordering (every request
of a batch must have entered its handler before any is answered), not
by timings.  The loop's own calls are tested from a script (a plain
flux.Flux handle, flux.aio.run).
"""

import asyncio
import errno
import json
import os
import subprocess
import textwrap
import threading
import time

import pytest

import flux
import flux.aio
import flux.constants as C
import flux.kvs
from flux.brokermod import BrokerModule, HandlerStats, request_handler

from conftest import Runner, unique

TIMEOUT = 30


def flux_cmd(broker_uri, *args, check=True):
    env = dict(os.environ, FLUX_URI=broker_uri)
    return subprocess.run(["flux", *args], env=env, check=check,
                          timeout=60, capture_output=True, text=True)


@pytest.fixture
def load(broker_uri, tmp_path):
    """load(source) writes a module under a unique name and loads it;
    returns the name.  Every module still loaded is removed after the
    test.
    """
    loaded = []

    def _load(source, name=None):
        name = name or unique("aio")
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        flux_cmd(broker_uri, "module", "load", str(path))
        loaded.append(name)
        return name

    yield _load
    listing = flux_cmd(broker_uri, "module", "list").stdout
    for name in loaded:
        if name in listing.split():
            flux_cmd(broker_uri, "module", "remove", name, check=False)


@pytest.fixture
def nopanic(h):
    """A module's runtime failure is logged, the instance lives."""
    h.attr_set("broker.module-nopanic", "1")
    yield
    h.attr_set("broker.module-nopanic", "0")


def get(future, timeout=TIMEOUT):
    """future.get(), failing the test instead of hanging."""
    future.wait_for(timeout)
    return future.get()


def dmesg(broker_uri):
    return flux_cmd(broker_uri, "dmesg").stdout


def wait_unloaded(broker_uri, name, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if name not in flux_cmd(broker_uri, "module", "list").stdout.split():
            return
        time.sleep(0.05)
    pytest.fail(f"module {name} still loaded after {timeout}s")


BACKEND = """\
    import asyncio
    from flux.brokermod import BrokerModule, request_handler

    class Backend(BrokerModule):
        @request_handler("double")
        async def double(self, msg):
            await asyncio.sleep(0.01)
            self.handle.respond(msg, {"x": 2 * msg.payload["x"]})
    """


def test_async_handler_awaits_an_rpc_to_another_module(h, load):
    backend = load(BACKEND)
    front = load(f"""\
        from flux.brokermod import BrokerModule, request_handler

        class Front(BrokerModule):
            @request_handler("call")
            async def call(self, msg):
                resp = await self.handle.rpc("{backend}.double",
                                             {{"x": msg.payload["x"]}})
                try:
                    await self.handle.rpc("{backend}.nonesuch")
                except OSError as exc:
                    err = [exc.errno, exc.strerror]
                self.handle.respond(msg, {{"resp": resp, "err": err}})
        """)
    resp = get(h.rpc(f"{front}.call", {"x": 21}))
    assert resp["resp"] == {"x": 42}
    assert resp["err"][0] == errno.ENOSYS
    assert "nonesuch" in resp["err"][1]


def test_asyncio_sleep_and_loop_time(h, load):
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Sleeper(BrokerModule):
            @request_handler("sleep")
            async def sleep(self, msg):
                loop = asyncio.get_running_loop()
                start = loop.time()
                await asyncio.sleep(0.05)
                self.handle.respond(msg, {
                    "slept": loop.time() - start,
                    "same_loop": loop is self.loop})
        """)
    resp = get(h.rpc(f"{name}.sleep"))
    assert resp["same_loop"] is True
    assert resp["slept"] >= 0.05


def test_many_requests_are_served_concurrently(h, load):
    """Each handler waits until all N requests have entered a handler:
    served one at a time, the first could never finish.
    """
    n = 150
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Gate(BrokerModule):
            def __init__(self, h, *args):
                super().__init__(h, *args)
                self.active = 0
                self.peak = 0
                self.gate = asyncio.Event()

            @request_handler("enter")
            async def enter(self, msg):
                self.active += 1
                self.peak = max(self.peak, self.active)
                if self.active == msg.payload["n"]:
                    self.gate.set()
                await self.gate.wait()
                self.handle.respond(msg, {"peak": self.peak})
                self.active -= 1
        """)
    futures = [h.rpc(f"{name}.enter", {"n": n}) for _ in range(n)]
    peaks = [get(f)["peak"] for f in futures]
    assert peaks == [n] * n


def test_async_generator_streams_and_ends_with_enodata(h, load):
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Streamer(BrokerModule):
            @request_handler("count")
            async def count(self, msg):
                for i in range(msg.payload["n"]):
                    await asyncio.sleep(0)
                    yield {"i": i}
        """)
    f = h.rpc(f"{name}.count", {"n": 5}, flags=C.FLUX_RPC_STREAMING)
    got = []
    while True:
        try:
            got.append(get(f)["i"])
        except OSError as exc:
            assert exc.errno == errno.ENODATA
            break
        f.reset()
    assert got == [0, 1, 2, 3, 4]
    # Not streaming: the sender is told how to ask; the module lives.
    with pytest.raises(OSError) as exc:
        get(h.rpc(f"{name}.count", {"n": 5}))
    assert exc.value.errno == errno.EPROTO
    assert "FLUX_RPC_STREAMING" in exc.value.strerror
    f = h.rpc(f"{name}.count", {"n": 1}, flags=C.FLUX_RPC_STREAMING)
    assert get(f) == {"i": 0}


def test_async_event_handler(h, load):
    topic = unique("aioev")
    name = load(f"""\
        import asyncio
        from flux.brokermod import (BrokerModule, event_handler,
                                    request_handler)

        class Listener(BrokerModule):
            seen = []

            @event_handler("{topic}", prefix=False)
            async def poke(self, msg):
                await asyncio.sleep(0.01)
                self.seen.append(msg.topic)

            @request_handler("seen")
            def report(self, msg):
                self.handle.respond(msg, {{"seen": self.seen}})
        """)
    get(h.rpc("event.publish", {"topic": topic, "flags": 0}))
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        seen = get(h.rpc(f"{name}.seen"))["seen"]
        if seen:
            break
        time.sleep(0.02)
    assert seen == [topic]


def test_exception_in_async_handler(h, load, nopanic, broker_uri):
    """As a sync handler's: the errno and text reach the sender, then
    the module exits with a runtime failure logged.
    """
    name = load("""\
        import asyncio, errno
        from flux.brokermod import BrokerModule, request_handler

        class Boom(BrokerModule):
            @request_handler("oserror")
            async def oserror(self, msg):
                await asyncio.sleep(0)
                raise OSError(errno.ENOENT, "no such widget")
        """)
    with pytest.raises(OSError) as exc:
        get(h.rpc(f"{name}.oserror"))
    assert exc.value.errno == errno.ENOENT
    assert exc.value.strerror == "no such widget"
    wait_unloaded(broker_uri, name)
    log = dmesg(broker_uri)
    assert f"{name} module runtime failure" in log
    assert "no such widget" in log


def test_other_exception_text(h, load, nopanic, broker_uri):
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Boom(BrokerModule):
            @request_handler("valueerror")
            async def valueerror(self, msg):
                await asyncio.sleep(0)
                raise ValueError("bad value")
        """)
    with pytest.raises(OSError) as exc:
        get(h.rpc(f"{name}.valueerror"))
    assert exc.value.errno == errno.EINVAL
    assert exc.value.strerror == "ValueError: bad value"
    wait_unloaded(broker_uri, name)


def test_sync_and_async_handlers_in_one_module(h, load):
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Mixed(BrokerModule):
            calls = 0

            @request_handler("sync")
            def sync(self, msg):
                self.calls += 1
                self.handle.respond(msg, {"calls": self.calls})

            @request_handler("async")
            async def async_(self, msg):
                await asyncio.sleep(0.01)
                self.calls += 1
                self.handle.respond(msg, {"calls": self.calls})
        """)
    slow = h.rpc(f"{name}.async")
    # The sync handler answers while the async one sleeps.
    assert get(h.rpc(f"{name}.sync")) == {"calls": 1}
    assert get(slow) == {"calls": 2}
    assert get(h.rpc(f"{name}.sync")) == {"calls": 3}


def test_removal_with_tasks_pending_is_clean(h, load, broker_uri):
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Waiter(BrokerModule):
            entered = 0

            @request_handler("forever")
            async def forever(self, msg):
                self.entered += 1
                await asyncio.Event().wait()

            @request_handler("entered")
            def report(self, msg):
                self.handle.respond(msg, {"n": self.entered})

            @request_handler("stream")
            async def stream(self, msg):
                yield {"first": True}
                await asyncio.sleep(3600)
                yield {"never": True}
        """)
    pending = [h.rpc(f"{name}.forever") for _ in range(5)]
    stream = h.rpc(f"{name}.stream", flags=C.FLUX_RPC_STREAMING)
    assert get(stream) == {"first": True}
    stream.reset()
    deadline = time.monotonic() + TIMEOUT
    while get(h.rpc(f"{name}.entered"))["n"] < 5:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    flux_cmd(broker_uri, "dmesg", "-C")
    flux_cmd(broker_uri, "module", "remove", name)
    for f in pending + [stream]:
        with pytest.raises(OSError) as exc:
            get(f)
        assert exc.value.errno == errno.ECANCELED
    log = dmesg(broker_uri)
    for bad in ("Task was destroyed", "never retrieved", "Traceback",
                "runtime failure", "ignored its cancellation"):
        assert bad not in log


def test_handler_stats(h, load, broker_uri):
    name = load("""\
        import asyncio, errno
        from flux.brokermod import BrokerModule, request_handler

        class Stats(BrokerModule):
            @request_handler("fast")
            def fast(self, msg):
                if msg.payload.get("fail"):
                    self.handle.respond_error(msg, errno.EINVAL, "no")
                else:
                    self.handle.respond(msg)

            @request_handler("slow")
            async def slow(self, msg):
                await asyncio.sleep(0.02)
                self.handle.respond(msg)
        """)
    for _ in range(10):
        get(h.rpc(f"{name}.fast", {}))
    with pytest.raises(OSError):
        get(h.rpc(f"{name}.fast", {"fail": True}))
    for f in [h.rpc(f"{name}.slow") for _ in range(3)]:
        get(f)
    stats = json.loads(flux_cmd(broker_uri, "module", "stats",
                                name).stdout)
    assert stats["rx"]["request"] >= 14
    fast = stats["handlers"][f"{name}.fast"]
    slow = stats["handlers"][f"{name}.slow"]
    assert (fast["type"], fast["count"], fast["errors"]) == ("request", 11, 1)
    assert (slow["count"], slow["errors"]) == (3, 0)
    lat = slow["latency"]
    # From the call to the end of the task: the sleep is in it.
    assert 0.02 <= lat["max"] < 10
    assert lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
    assert lat["p50"] >= 0.02 * 0.75
    assert fast["latency"]["max"] < lat["p50"]
    out = flux_cmd(broker_uri, "module", "stats", "-p", "handlers",
                   name).stdout
    assert json.loads(out)[f"{name}.fast"]["count"] == 11
    flux_cmd(broker_uri, "module", "stats", "--clear", name)
    stats = get(h.rpc(f"{name}.stats-get"))
    for entry in stats["handlers"].values():
        assert entry["count"] == 0 and entry["errors"] == 0
        assert entry["latency"]["max"] == 0
    assert stats["rx"]["request"] <= 2


# In-process checks, on a module's handle with no broker (module_pair).

def test_sync_handlers_keep_the_fast_path(module_pair):
    pair = module_pair("fastpath")

    class Mixed(BrokerModule):
        @request_handler("sync")
        def sync(self, msg):
            pass

        @request_handler("async")
        async def async_(self, msg):
            pass

    mod = Mixed(pair.mod)
    sync_w = [w for w in mod._watchers if w._handler == mod.sync]
    assert len(sync_w) == 1  # the method itself, called with no wrapper
    assert isinstance(sync_w[0]._stats, HandlerStats)
    async_w = [w for w in mod._watchers if w._handler is not None
               and w._handler != mod.sync]
    assert len(async_w) == 1 and async_w[0]._stats is None
    mod.loop.close()


def test_sync_handler_calls_are_sampled_after_the_first(module_pair):
    """Every call counts; the first SAMPLE_ALL are timed, then one in
    SAMPLE_EVERY (flux.core.watchers), so timing stays cheap.
    """
    from flux.core.watchers import SAMPLE_ALL, SAMPLE_EVERY

    pair = module_pair("sampled")

    calls = SAMPLE_ALL + 10 * SAMPLE_EVERY

    class Echo(BrokerModule):
        served = 0

        @request_handler("echo")
        def echo(self, msg):
            self.handle.respond(msg)
            self.served += 1
            if self.served == calls:
                self.stop()

    mod = Echo(pair.mod)
    runner = Runner(mod.run)
    runner.start()
    for _ in range(calls):
        pair.request("sampled.echo")
    assert runner.finish() is None
    s = mod.stats()["handlers"]["sampled.echo"]
    assert s["count"] == calls
    assert s["timed"] == SAMPLE_ALL + 10
    assert s["errors"] == 0


def test_handler_stats_percentiles():
    st = HandlerStats(C.FLUX_MSGTYPE_REQUEST)
    for ns in range(1, 1001):
        st.record(ns * 1000)  # 1 us .. 1 ms
    s = st.summary()
    assert s["timed"] == 1000 and s["errors"] == 0
    lat = s["latency"]
    assert lat["max"] == 1e-3
    for name, true in (("p50", 500e-6), ("p90", 900e-6), ("p99", 990e-6)):
        assert true <= lat[name] <= true * 1.25 + 1e-9, name
    st.count = 1000
    assert st.summary()["count"] == 1000
    st.clear()
    assert st.summary()["count"] == st.summary()["timed"] == 0


# The loop from a script: a plain handle, flux.aio.run().

def test_await_outside_a_module(h, load):
    name = load("""\
        from flux.brokermod import BrokerModule, request_handler

        class Streamer(BrokerModule):
            @request_handler("count")
            async def count(self, msg):
                for i in range(msg.payload["n"]):
                    yield i
        """)

    async def main():
        pong = await h.rpc("broker.ping", {"seq": 1})
        try:
            await h.rpc(unique("nonesuch") + ".x")
        except OSError as exc:
            err = exc.errno
        start = asyncio.get_running_loop().time()
        await asyncio.sleep(0.02)
        slept = asyncio.get_running_loop().time() - start
        stream = [i async for i in h.rpc(f"{name}.count", {"n": 4},
                                         flags=C.FLUX_RPC_STREAMING)]
        return pong, err, slept, stream

    pong, err, slept, stream = flux.aio.run(h, main())
    assert pong["seq"] == 1
    assert err == errno.ENOSYS
    assert slept >= 0.02
    assert stream == [0, 1, 2, 3]


def test_await_kvs_lookup(h):
    key = unique("aiokvs")
    flux.kvs.put(h, key, {"v": 1})
    flux.kvs.commit(h)

    async def main():
        value = await flux.kvs.get_async(h, key)
        try:
            await flux.kvs.get_async(h, key + "x")
        except OSError as exc:
            return value, exc.errno

    assert flux.aio.run(h, main()) == ({"v": 1}, errno.ENOENT)


def test_loop_threads_timers_and_fds(h):
    loop = flux.aio.get_loop(h)
    assert flux.aio.get_loop(flux.Flux(handle=h.handle)) is loop
    order = []

    async def main():
        fut = loop.create_future()
        threading.Thread(
            target=lambda: loop.call_soon_threadsafe(fut.set_result, "t"),
            daemon=True).start()
        order.append(await asyncio.wait_for(fut, TIMEOUT))
        order.append(await loop.run_in_executor(None, lambda: "x"))
        loop.call_later(0.02, order.append, "late")
        loop.call_later(0.01, order.append, "early")
        cancelled = loop.call_later(0.005, order.append, "cancelled")
        cancelled.cancel()
        loop.call_soon(order.append, "soon")
        await asyncio.sleep(0.05)
        r, w = os.pipe()
        got = loop.create_future()
        loop.add_reader(r, lambda: got.done() or got.set_result(
            os.read(r, 10)))
        os.write(w, b"fd")
        order.append(await asyncio.wait_for(got, TIMEOUT))
        assert loop.remove_reader(r) is True
        assert loop.remove_reader(r) is False
        os.close(r)
        os.close(w)
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.sleep(10), 0.01)
        return "done"

    assert flux.aio.run(h, main()) == "done"
    assert order == ["t", "x", "soon", "early", "late", b"fd"]
    loop.close()
    assert loop.is_closed()
    assert flux.aio.get_loop(h) is not loop
    flux.aio.get_loop(h).close()


def test_exception_handler_and_errors(h):
    loop = flux.aio.get_loop(h)
    seen = []
    loop.set_exception_handler(lambda lp, ctx: seen.append(ctx["message"]))

    def bad():
        raise RuntimeError("in a callback")

    async def main():
        loop.call_soon(bad)
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    flux.aio.run(h, main())
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="awaited"):
        h.rpc("broker.ping").__await__()
    loop.close()
    with pytest.raises(RuntimeError, match="closed"):
        loop.call_soon(bad)


def test_a_module_may_answer_stats_get_itself(h, load):
    name = load("""\
        from flux.brokermod import BrokerModule, request_handler

        class OwnStats(BrokerModule):
            @request_handler("stats-get")
            def stats_get(self, msg):
                self.handle.respond(msg, {"mine": True})
        """)
    assert get(h.rpc(f"{name}.stats-get")) == {"mine": True}
    # Its stats-clear is still the Python one, which answers.
    assert get(h.rpc(f"{name}.stats-clear")) is None


def test_mod_main_module_uses_the_loop(h, load, broker_uri):
    name = unique("aiomain")
    load(f"""\
        import asyncio
        import flux.aio
        import flux.constants as C

        def mod_main(h, *args):
            loop = flux.aio.get_loop(h)
            ticks = [0]

            async def ticker():
                try:
                    while True:
                        await asyncio.sleep(0.005)
                        ticks[0] += 1
                except asyncio.CancelledError:
                    h.log(5, "ticker cancelled")
                    raise

            def get(h, watcher, msg, arg):
                async def answer():
                    start = ticks[0]
                    while ticks[0] < start + 2:
                        await asyncio.sleep(0.005)
                    h.respond(msg, {{"ticks": ticks[0]}})
                loop.create_task(answer())

            h.msg_watcher_create(get, C.FLUX_MSGTYPE_REQUEST,
                                 "{name}.get").start()
            loop.create_task(ticker())
            try:
                loop.run_forever()
            finally:
                loop.close_module()
        """, name=name)
    assert get(h.rpc(f"{name}.get"))["ticks"] >= 2
    flux_cmd(broker_uri, "dmesg", "-C")
    flux_cmd(broker_uri, "module", "remove", name)
    log = dmesg(broker_uri)
    assert "ticker cancelled" in log  # by close_module()
    for bad in ("Task was destroyed", "never retrieved", "Traceback"):
        assert bad not in log


def test_run_waits_for_a_thread_with_nothing_else_to_wait_on(h):
    """Only a job in the executor is pending, no watcher of the reactor
    is: the run goes on until the job's result arrives (asyncio's loops
    do not end for want of work either).
    """
    async def main():
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: time.sleep(0.2) or "slept")

    assert flux.aio.run(h, main()) == "slept"


def test_rpcs_answered_before_they_are_awaited(h, load):
    # A broker service answers within a turn of the loop: before
    # asyncio.gather() (which awaits a turn later) or an await after a
    # sleep gets to the future.  Each response must still be there.
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Early(BrokerModule):
            @request_handler("gather")
            async def gather(self, msg):
                fs = [self.handle.rpc("broker.ping", {})
                      for _ in range(msg.payload["n"])]
                self.handle.respond(msg, {"n": len(await asyncio.gather(*fs))})

            @request_handler("late")
            async def late(self, msg):
                f = self.handle.rpc("broker.ping", {})
                await asyncio.sleep(0.1)
                await f
                self.handle.respond(msg, {"ok": True})
        """)
    for n in (2, 50):
        assert get(h.rpc(f"{name}.gather", {"n": n})) == {"n": n}
    assert get(h.rpc(f"{name}.late")) == {"ok": True}


def test_then_with_a_timeout_on_an_rpc_made_in_a_task(h, load, broker_uri):
    # The RPC's continuation is registered when it is made on the loop;
    # a then() after it still gets its callback and its timeout, and the
    # error read in the callback is not logged as never retrieved.
    name = load("""\
        import asyncio
        from flux.brokermod import BrokerModule, request_handler

        class Later(BrokerModule):
            @request_handler("go")
            async def go(self, msg):
                done = asyncio.get_running_loop().create_future()
                def cb(f):
                    try:
                        f.get()
                        done.set_result(0)
                    except OSError as exc:
                        done.set_result(exc.errno)
                self.handle.rpc(f"{self.name}.never").then(cb, timeout=0.1)
                self.handle.respond(msg, {"errno": await done})

            @request_handler("never")
            def never(self, msg):
                pass
        """)
    assert get(h.rpc(f"{name}.go")) == {"errno": errno.ETIMEDOUT}
    dmesg = flux_cmd(broker_uri, "dmesg").stdout
    assert "never retrieved" not in dmesg
