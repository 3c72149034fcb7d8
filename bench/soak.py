# SPDX-License-Identifier: LGPL-3.0-or-later
"""The soak: an instance kept busy by honest clients while others try
to hurt it, then a count of what happened.

Usage: soak.py SECONDS   (run inside an instance: bench/soak.sh)

For SECONDS, at the same time:
  - owners: 4 threads, each with its own handle, send soakmod.echo
    requests (to a Python module, bench/soakmod.py) and kvs puts one
    after another, and check every answer; a request left unanswered
    for 30 s counts as lost;
  - garbage: 2 raw connections, with a guest's credentials, send random
    bytes, frames with random headers, malformed payloads to every
    service, NORESPONSE floods, long topics to event.subscribe, and
    reconnect whenever the broker closes them;
  - hogs: clients that send requests and never read the replies, and
    clients that announce a frame larger than the broker accepts;
  - crashes: every 15 s a guest's payload without "n" makes soakmod
    raise, and --on-failure=restart brings it back.
Then it prints what was sent, the broker's memory before and after, the
connections the broker cut off and the log lines saying why, the
module's restarts, and whether anything was lost.  It exits 1 if a
request was lost or the broker stopped answering.
"""

import collections
import errno
import json
import os
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time

import flux
import flux.kvs

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "t", "lib"))
import rawwire  # noqa: E402

REQUEST, RESPONSE, EVENT = 1, 2, 4
NORESPONSE = 0x04
ROLE_USER = 2
GUEST_UID = 65534
LOST_AFTER = 30.0

# Topics a guest throws garbage at: the broker's own services and the
# standard modules', whatever a guest may or may not call.  Not
# soakmod.echo: its crashes are the crasher's, few enough that the
# module always comes back (a guest that makes a careless module fail
# more often than broker.module-restart-max allows ends it for good).
TOPICS = ["broker.ping", "attr.get", "attr.list", "attr.set", "module.list",
          "module.load", "module.remove", "log.append", "log.dmesg",
          "event.subscribe", "event.pub", "service.add", "kvs.lookup",
          "kvs.commit", "kvs.get", "kvs.wait-version", "content.load",
          "content.store", "heartbeat.stats-get", "soakmod.stats-get",
          "config.get", "nosuch.service"]


class Tally:
    """Counters shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.c = collections.Counter()

    def add(self, key, n=1):
        with self.lock:
            self.c[key] += n


def broker_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def owner(stop, tally, wid):
    h = flux.Flux()
    n = 0
    while not stop.is_set():
        n += 1
        if n % 4:
            topic, payload = "soakmod.echo", {"n": n}
        else:
            topic = "kvs.commit"
            payload = None
        try:
            if topic == "kvs.commit":
                tally.add("owner kvs puts sent")
                flux.kvs.put(h, f"soak.w{wid}.k{n % 64}", n)
                flux.kvs.commit(h)
                tally.add("owner kvs puts committed")
                continue
            tally.add("owner requests sent")
            f = h.rpc(topic, payload)
            f.wait_for(LOST_AFTER)
            if f.get()["n"] != n:
                tally.add("owner wrong answers")
            else:
                tally.add("owner requests answered")
        except OSError as e:
            if e.errno == errno.ETIMEDOUT:
                tally.add("owner requests LOST")
            else:
                tally.add(f"owner errors {errno.errorcode.get(e.errno)}")
        except Exception as e:  # a bug of the soak or of the bindings
            tally.add(f"owner exceptions {type(e).__name__} (LOST)")


def guest_frame(rng, tag):
    kind = rng.randrange(8)
    if kind == 0:                 # random bytes, maybe a whole frame's worth
        return os.urandom(rng.randrange(1, 200))
    if kind == 1:                 # a frame header and a random body
        body = os.urandom(rng.randrange(0, 300))
        return rawwire.MAGIC + struct.pack(">I", len(body)) + body
    topic = rng.choice(TOPICS)
    payloads = [b"", b"{", b"null\0", b"[]\0", b'{"n":"x"}\0', b"{}\0",
                json.dumps({"key": "a" * rng.randrange(1, 4096)}).encode()
                + b"\0", os.urandom(64)]
    flags = NORESPONSE if kind == 2 else 0
    if kind == 3 and topic == "event.subscribe":
        payload = json.dumps({"topic": "x" * 100000}).encode() + b"\0"
    else:
        payload = rng.choice(payloads)
    typ = rng.choice([REQUEST, REQUEST, REQUEST, RESPONSE, EVENT, 0, 7])
    return rawwire.encode(typ, topic, payload, flags=flags, userid=GUEST_UID,
                          rolemask=ROLE_USER, aux2=tag)


def garbage(stop, tally, path, seed):
    rng = random.Random(seed)
    tag = 1
    while not stop.is_set():
        try:
            c = rawwire.Conn(path)
            tally.add("garbage connections")
            for _ in range(rng.randrange(50, 2000)):
                if stop.is_set():
                    break
                data = guest_frame(rng, tag)
                tag += 1
                c.s.sendall(data)
                tally.add("garbage frames sent")
                tally.add("garbage bytes sent", len(data))
                # Read what comes back, without waiting for it.
                c.s.setblocking(False)
                try:
                    while c.s.recv(65536):
                        pass
                except BlockingIOError:
                    pass
                c.s.setblocking(True)
            c.s.close()
        except (BrokenPipeError, ConnectionResetError, EOFError):
            tally.add("garbage connections cut off by the broker")


def crasher(stop, tally, path):
    """A guest whose payload makes soakmod raise, every 15 s: fewer than
    broker.module-restart-max (5) failures within its window (60 s), so
    the module always comes back.
    """
    while not stop.wait(15.0):
        try:
            c = rawwire.Conn(path)
            c.send(rawwire.encode(REQUEST, "soakmod.echo", b"{}\0",
                                  userid=GUEST_UID, rolemask=ROLE_USER,
                                  aux2=1))
            reply = c.recv(timeout=LOST_AFTER)
            tally.add("crash payloads sent")
            if reply is None:
                tally.add("crash payloads LOST")
            c.s.close()
        except (OSError, EOFError):
            tally.add("crash connections cut off")


def never_reads(stop, tally, path):
    """Send 4 KiB requests as fast as possible and never read."""
    while not stop.is_set():
        c = rawwire.Conn(path)
        tally.add("never-reading clients")
        frame = rawwire.encode(REQUEST, "broker.ping",
                               json.dumps({"pad": "p" * 4096}).encode()
                               + b"\0", aux2=1)
        sent = 0
        try:
            c.s.settimeout(5.0)
            while not stop.is_set():
                c.s.sendall(frame)
                sent += 1
        except socket.timeout:
            # The broker stopped reading us without closing: wait for it.
            if c.closed(timeout=10):
                tally.add("never-reading clients cut off")
            else:
                tally.add("never-reading clients still held")
                stop.wait()
        except (BrokenPipeError, ConnectionResetError):
            tally.add("never-reading clients cut off")
        tally.add("never-reading requests sent", sent)
        c.s.close()


def oversize(stop, tally, path):
    """Announce a 64 MiB frame every 2 s: over broker.max-message-size,
    which soak.sh sets to 16M (the default, 1G, is also the protocol's
    largest frame, so a larger one would be refused as a protocol error).
    """
    while not stop.wait(2.0):
        try:
            c = rawwire.Conn(path)
            c.send(rawwire.MAGIC + struct.pack(">I", 64 << 20) + b"x" * 4096)
            tally.add("oversized frames announced")
            if c.closed(timeout=10):
                tally.add("oversized senders cut off")
            c.s.close()
        except (BrokenPipeError, ConnectionResetError):
            tally.add("oversized senders cut off")


def log_lines():
    """The broker's log so far: the file soak.sh gave it, else dmesg."""
    path = os.environ.get("SOAK_LOG")
    if path:
        with open(path, errors="replace") as f:
            return f.read().splitlines()
    return subprocess.run(["flux", "dmesg"], capture_output=True, text=True,
                          check=True).stdout.splitlines()


def classify(lines, pattern):
    """Count lines matching 'pattern', with uuids and numbers blanked."""
    counts = collections.Counter()
    for line in lines:
        if re.search(pattern, line, re.I):
            text = line.split(": ", 1)[-1]
            text = re.sub(r"\b[0-9a-f]{8}-[0-9a-f-]{27}\b", "UUID", text)
            text = re.sub(r"\bclient [0-9a-f]{8}\b", "client UUID", text)
            text = re.sub(r"\d+(\.\d+)?", "N", text)
            counts[text] += 1
    return counts


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    h = flux.Flux()
    path = h.attr_get("local-uri").split("://", 1)[1]
    pid = int(h.attr_get("broker.pid"))
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["flux", "module", "load", "--on-failure=restart",
                    os.path.join(here, "soakmod.py")], check=True)
    log_start = len(log_lines())
    for _ in range(200):        # warm up before the first measure
        h.rpc("soakmod.echo", {"n": 1}).get()
    rss_before = broker_rss_kb(pid)

    stop = threading.Event()
    tally = Tally()
    # SOAK_PARTS=owner,garbage,... runs only those (to find which one a
    # change in memory comes from); all by default.
    parts = os.environ.get("SOAK_PARTS",
                           "owner,garbage,crasher,never_reads,oversize")
    parts = parts.split(",")
    threads = []
    if "owner" in parts:
        threads += [threading.Thread(target=owner, args=(stop, tally, i))
                    for i in range(4)]
    if "garbage" in parts:
        threads += [threading.Thread(target=garbage,
                                     args=(stop, tally, path, i))
                    for i in range(2)]
    threads += [threading.Thread(target=f, args=(stop, tally, path))
                for f in (crasher, never_reads, oversize)
                if f.__name__ in parts]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    rss_peak = rss_before
    rss_marks = []      # at each quarter: memory that keeps growing is a leak
    while time.monotonic() - t0 < seconds:
        time.sleep(1.0)
        rss = broker_rss_kb(pid)
        rss_peak = max(rss_peak, rss)
        if len(rss_marks) < int(4 * (time.monotonic() - t0) / seconds):
            rss_marks.append(rss)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0

    time.sleep(1.0)
    rss_after = broker_rss_kb(pid)
    alive = serving = True
    try:
        h.rpc("broker.ping", {}).wait_for(10).get()
    except OSError:
        alive = False
    try:
        h.rpc("soakmod.echo", {"n": 7}).wait_for(10).get()
    except OSError:
        serving = False
    lines = log_lines()[log_start:]
    stats = json.loads(subprocess.run(
        ["flux", "module", "stats", "soakmod"], capture_output=True,
        text=True).stdout or "{}")

    print(f"soak: {elapsed:.0f} s")
    for key in sorted(tally.c):
        print(f"  {key}: {tally.c[key]}")
    print(f"  broker RSS: before {rss_before} kB, peak {rss_peak} kB, "
          f"after {rss_after} kB; at each quarter: "
          + ", ".join(f"{kb} kB" for kb in rss_marks))
    print("  connections cut off, by the broker's log line:")
    for text, n in classify(lines, r"dropping client|disconnect|cut off|limit").most_common():
        print(f"    {n} x {text}")
    print("  module failures and restarts, by the broker's log line:")
    for text, n in classify(lines, r"restart|runtime failure").most_common():
        print(f"    {n} x {text}")
    print(f"  soak module stats: {json.dumps(stats)}")
    lost = sum(n for k, n in tally.c.items() if "LOST" in k)
    print(f"  lost: {lost}; at the end the broker answers: {alive}, "
          f"the module answers: {serving}")
    subprocess.run(["flux", "module", "remove", "soakmod"], check=False)
    return 0 if alive and serving and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
