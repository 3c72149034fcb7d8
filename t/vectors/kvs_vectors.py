#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
"""Compare KVS exchanges with the flux-core captures in this folder.

Usage:
  kvs_vectors.py requests REF OURS
      REF and OURS name captures (PATH/NAME, without the
      .client-to-broker.bin suffix).  Succeeds if the client of OURS sent
      what the client of REF sent: the same messages, in the same order,
      with the same type, flags, nodeid, topic and JSON payload.
      Matchtags, and the timestamp of an eventlog entry, are not compared
      (they differ from run to run); a kvs-watch.cancel must name the
      matchtag of the request it cancels.
  kvs_vectors.py replay SOCKET REF [--after N COMMAND]
      Connects to the broker's local SOCKET and sends the requests of the
      capture REF one at a time, each once the responses to the one
      before have come, as the client did.  Succeeds if every request is
      answered as flux-core's broker answered it: the same number of
      responses, each with the same type, flags, errnum and topic, and a
      payload of the same structure (keys and JSON types; the RFC 11
      "type" and "ver" of tree objects exactly).  --after N runs the shell
      COMMAND once N responses have come (the second writer of a watch).
Each failure prints what differs, and the exit code is 1.
"""

import base64
import json
import os
import struct
import subprocess
import sys

# The raw wire client shared by the tests (split_parts, Conn), beside
# this folder in t/lib: standard library only, as this script is.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import rawwire  # noqa: E402
from rawwire import split_parts  # noqa: E402

FLUX_MSGTYPE_REQUEST = 1
FLUX_MSGFLAG_TOPIC = 0x01
FLUX_MSGFLAG_PAYLOAD = 0x02
FLUX_MSGFLAG_NORESPONSE = 0x04
FLUX_MSGFLAG_ROUTE = 0x08
FLUX_MSGFLAG_STREAMING = 0x40


class Mismatch(Exception):
    pass


def decode(body):
    """One message (a frame's body) as a dict."""
    parts = split_parts(body)
    proto = parts.pop()
    typ, flags = proto[2], proto[3]
    _, _, aux1, aux2 = struct.unpack(">IIII", proto[4:20])
    m = {"type": typ, "flags": flags, "aux1": aux1, "matchtag": aux2,
         "topic": None, "payload": None, "raw": None}
    if flags & FLUX_MSGFLAG_ROUTE:
        parts = parts[parts.index(b"") + 1:]
    if flags & FLUX_MSGFLAG_TOPIC:
        m["topic"] = parts.pop(0).decode()
    if flags & FLUX_MSGFLAG_PAYLOAD:
        m["raw"] = parts.pop(0)
        try:
            m["payload"] = json.loads(m["raw"].rstrip(b"\0"))
        except ValueError:
            pass
    return m


def frames(data):
    """The frames of a byte stream, as (body, frame bytes)."""
    i = 0
    while i + 8 <= len(data):
        n = struct.unpack(">I", data[i + 4:i + 8])[0]
        yield data[i + 8:i + 8 + n], data[i:i + 8 + n]
        i += 8 + n


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise Mismatch(f"cannot read {path}: {e.strerror}") from e


def load(name, direction):
    """The messages of capture NAME in DIRECTION, with their bytes."""
    data = read(f"{name}.{direction}.bin")
    if direction == "broker-to-client":
        data = data[1:]  # the answer to the connection
    return [(decode(body), raw) for body, raw in frames(data)]


def _eventlog_entry(data):
    """An eventlog entry with its timestamp made comparable."""
    try:
        entry = json.loads(base64.b64decode(data))
    except ValueError:
        return data
    if isinstance(entry, dict) and isinstance(entry.get("timestamp"),
                                              (int, float)):
        entry["timestamp"] = "<timestamp>"
    return entry


def normalized_requests(name):
    msgs = [m for m, _ in load(name, "client-to-broker")]
    out = []
    for i, m in enumerate(msgs):
        payload = m["payload"]
        if m["topic"] == "kvs.commit" and isinstance(payload, dict):
            for op in payload.get("ops", []):
                dirent = op.get("dirent")
                if op.get("flags", 0) & 32 and isinstance(dirent, dict):
                    # FLUX_KVS_APPEND of an eventlog entry.
                    dirent["data"] = _eventlog_entry(dirent.get("data"))
        if m["topic"] == "kvs-watch.cancel" and isinstance(payload, dict):
            # The matchtag of the watch being cancelled, as the index of
            # the latest request sent with it.
            tag = payload.get("matchtag")
            sent = [j for j in range(i) if msgs[j]["matchtag"] == tag]
            payload["matchtag"] = f"<request {sent[-1]}>" if sent else tag
        out.append({"type": m["type"], "flags": m["flags"],
                    "nodeid": m["aux1"], "topic": m["topic"],
                    "payload": payload if payload is not None else m["raw"]})
    return out


def compare_requests(ref, ours):
    theirs, mine = normalized_requests(ref), normalized_requests(ours)
    tname, oname = os.path.basename(ref), os.path.basename(ours)
    for i in range(max(len(theirs), len(mine))):
        t = theirs[i] if i < len(theirs) else None
        o = mine[i] if i < len(mine) else None
        if t != o:
            raise Mismatch(f"request {i}: {oname} sent {json.dumps(o)}\n"
                           f"  flux-core ({tname}) sent {json.dumps(t)}")
    print(f"{oname}: {len(mine)} request(s) as flux-core's client sent")


def shape(value, key=None):
    """The structure of a JSON value: keys and types, some values."""
    if key in ("type", "ver"):
        return value
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return ["list", sorted({json.dumps(shape(v)) for v in value})]
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def expects_response(m):
    return not m["flags"] & FLUX_MSGFLAG_NORESPONSE


def is_final(m, request):
    """Whether response M ends the exchange of REQUEST."""
    return not request["flags"] & FLUX_MSGFLAG_STREAMING or m["aux1"] != 0


def assign(requests, responses):
    """Responses of a capture, grouped by the request they answer: each
    goes to the earliest request with its matchtag still open."""
    groups = [[] for _ in requests]
    open_ = [expects_response(r) for r in requests]
    for m in responses:
        for i, r in enumerate(requests):
            if open_[i] and r["matchtag"] == m["matchtag"]:
                groups[i].append(m)
                if is_final(m, r):
                    open_[i] = False
                break
        else:
            raise Mismatch(f"capture: response {m['topic']} matches no "
                           "request")
    return groups


class Conn(rawwire.Conn):
    def recv(self, timeout):
        """The next message (as decode() gives it), or None after TIMEOUT
        seconds.
        """
        try:
            body = self.recv_body(timeout)
        except EOFError:
            raise Mismatch("the broker closed the connection") from None
        return None if body is None else decode(body)


def compare_response(what, got, want):
    for k in ("type", "topic", "aux1", "flags"):
        if got[k] != want[k]:
            label = "errnum" if k == "aux1" else k
            text = got["raw"].rstrip(b"\0").decode(errors="replace") \
                if got["raw"] and got["payload"] is None else ""
            raise Mismatch(f"{what}: {label} is {got[k]!r}, flux-core's "
                           f"was {want[k]!r} {text}".rstrip())
    if want["raw"] is None:
        return
    if want["payload"] is None or got["payload"] is None:
        if (want["payload"] is None) != (got["payload"] is None):
            raise Mismatch(f"{what}: payload {got['raw']!r}, flux-core's "
                           f"was {want['raw']!r}")
        return
    a, b = shape(got["payload"]), shape(want["payload"])
    if a != b:
        raise Mismatch(f"{what}: payload {json.dumps(got['payload'])}\n"
                       f"  has structure {json.dumps(a)}\n"
                       f"  flux-core's {json.dumps(want['payload'])}\n"
                       f"  has structure {json.dumps(b)}")


def replay(sockpath, ref, after=None):
    reqs = load(ref, "client-to-broker")
    resps = [m for m, _ in load(ref, "broker-to-client")]
    expected = assign([m for m, _ in reqs], resps)
    auth = read(f"{ref}.broker-to-client.bin")[:1]
    name = os.path.basename(ref)
    c = Conn(sockpath)
    if c.auth != auth:
        raise Mismatch(f"{name}: connection answered {c.auth!r}")
    got = [[] for _ in reqs]
    count = 0
    hook_done = after is None

    def wait_for(i, n, timeout=10):
        # Read until request I has N responses; others are kept too.
        nonlocal count, hook_done
        while len(got[i]) < n:
            m = c.recv(timeout)
            if m is None:
                raise Mismatch(f"{name}: request {i} ({reqs[i][0]['topic']})"
                               f": {len(got[i])} response(s) in {timeout} s, "
                               f"flux-core's broker gave {len(expected[i])}")
            for j, (r, _) in enumerate(reqs[:sent]):
                if (r["matchtag"] == m["matchtag"] and expects_response(r)
                        and not (got[j] and is_final(got[j][-1], r))):
                    got[j].append(m)
                    break
            else:
                raise Mismatch(f"{name}: unexpected response "
                               f"{m['topic']} errnum {m['aux1']}")
            count += 1
            if not hook_done and count >= after[0]:
                hook_done = True
                subprocess.run(after[1], shell=True, check=True)

    sent = 0
    for i, (r, raw) in enumerate(reqs):
        c.s.sendall(raw)
        sent += 1
        # A streaming request's last response (its end) may come only
        # after a later request (a cancel): wait here for the others.
        n = len(expected[i])
        if r["flags"] & FLUX_MSGFLAG_STREAMING and n and expected[i][-1][
                "aux1"] != 0:
            n -= 1
        wait_for(i, n)
    for i in range(len(reqs)):
        wait_for(i, len(expected[i]))
    extra = c.recv(0.5)
    if extra is not None:
        raise Mismatch(f"{name}: unexpected extra message {extra['topic']}")
    for i, (want_list, got_list) in enumerate(zip(expected, got)):
        for k, (want, have) in enumerate(zip(want_list, got_list)):
            compare_response(f"{name}: request {i} ({reqs[i][0]['topic']}) "
                             f"response {k}", have, want)
    print(f"{name}: {len(resps)} response(s) as flux-core's broker gave")


def main(argv):
    try:
        if len(argv) == 4 and argv[1] == "requests":
            compare_requests(argv[2], argv[3])
        elif len(argv) in (4, 7) and argv[1] == "replay":
            after = None
            if len(argv) == 7:
                if argv[4] != "--after":
                    sys.exit(__doc__)
                after = (int(argv[5]), argv[6])
            replay(argv[2], argv[3], after)
        else:
            sys.exit(__doc__)
    except Mismatch as e:
        print(f"kvs_vectors: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv)
