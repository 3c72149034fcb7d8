#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
"""Write the fuzzers' seed corpora and dictionary from the wire captures.

Usage: make-seeds.py VECTORS_DIR OUT_DIR

The seeds are the bytes flux-core's clients and broker exchanged
(t/vectors/*.bin, described in t/vectors/README.md), cut the way each
target reads its input:

  OUT_DIR/decode/   the body of every frame (what flux_msg_decode gets),
                    and the same body with every part's size written in
                    the 5-byte form (accepted, but not what an encoder
                    writes, so the round-trip check sees both forms)
  OUT_DIR/framing/  every whole stream and every single frame, each
                    behind the two bytes that choose how fuzz_framing
                    cuts it into writes (one write, single bytes,
                    pieces of up to 7 and up to 1900 bytes), and each
                    frame with a string payload made over 12 kB long
  OUT_DIR/flux.dict the frame magic, PROTO's first bytes, and every
                    topic and route id seen in the captures

File names are content hashes, so re-running it is harmless.  It is
run by scripts/fuzz before each run: the corpora are never copied by
hand into the tree.
"""
import hashlib
import os
import struct
import sys

MAGIC = struct.pack("<I", 0xFFEE0012)
FLAG_TOPIC, FLAG_PAYLOAD, FLAG_ROUTE = 0x01, 0x02, 0x08
# The two leading bytes of a framing seed (see cutter_init in
# fuzz/fuzz_framing.c): mode in the top 2 bits of the first byte.
CUTS = [b"\x00\x00", b"\x40\x00", b"\x80\x06", b"\xe0\x1d"]


def frames(data):
    """The bodies of the frames of a stream."""
    out = []
    while len(data) >= 8:
        if data[:4] != MAGIC:
            raise ValueError("bad frame magic")
        n = struct.unpack(">I", data[4:8])[0]
        out.append(data[8:8 + n])
        data = data[8 + n:]
    if data:
        raise ValueError("%d bytes after the last frame" % len(data))
    return out


def parts(body):
    out = []
    while body:
        n = body[0]
        if n == 0xFF:
            n = struct.unpack(">I", body[1:5])[0]
            body = body[5:]
        else:
            body = body[1:]
        out.append(body[:n])
        body = body[n:]
    return out


def long_form(body):
    return b"".join(b"\xff" + struct.pack(">I", len(p)) + p
                    for p in parts(body))


def words(body):
    """Topic and route ids of a message, from its PROTO flags."""
    ps = parts(body)
    flags = ps[-1][3]
    found = []
    i = 0
    if flags & FLAG_ROUTE:
        while ps[i]:
            found.append(ps[i])
            i += 1
        i += 1
    if flags & FLAG_TOPIC:
        found.append(ps[i])
    return found


def enlarge(body):
    """The message with its string payload repeated to over 12 kB, so
    the framing target has frames bigger than its first receive buffer;
    None if it has no string payload."""
    ps = parts(body)
    flags = ps[-1][3]
    if not flags & FLAG_PAYLOAD or not ps[-2].endswith(b"\0") \
            or len(ps[-2]) < 2:
        return None
    text = ps[-2][:-1]
    ps[-2] = text * (12000 // len(text) + 1) + b"\0"
    return b"".join(part_bytes(p) for p in ps)


def part_bytes(p):
    if len(p) < 0xFF:
        return bytes([len(p)]) + p
    return b"\xff" + struct.pack(">I", len(p)) + p


def write(folder, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def dict_entry(b):
    return '"' + "".join("\\x%02x" % c for c in b) + '"\n'


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-seeds.py VECTORS_DIR OUT_DIR")
    vectors, out = sys.argv[1:]
    for sub in ("decode", "framing"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    names = sorted(f for f in os.listdir(vectors) if f.endswith(".bin"))
    if not names:
        sys.exit("make-seeds.py: no .bin captures in " + vectors)
    dictionary = {MAGIC, b"\x8e\x01", b"\xff\x00\x00\x01\x00"}
    nframes = 0
    for name in names:
        with open(os.path.join(vectors, name), "rb") as f:
            stream = f.read()
        # A broker's stream starts with its one-byte answer to the
        # connection, which the listener writes, not recvfd reads.
        if ".broker-to-client." in name:
            stream = stream[1:]
        try:
            bodies = frames(stream)
        except ValueError as e:
            sys.exit("make-seeds.py: %s: %s" % (name, e))
        if not bodies:
            continue  # a broker stream of its answer byte only
        for cut in CUTS:
            write(os.path.join(out, "framing"), cut + stream)
        for body in bodies:
            nframes += 1
            write(os.path.join(out, "decode"), body)
            write(os.path.join(out, "decode"), long_form(body))
            frame = MAGIC + struct.pack(">I", len(body)) + body
            write(os.path.join(out, "framing"), CUTS[2] + frame)
            dictionary.update(w for w in words(body) if w)
            big = enlarge(body)
            if big:
                frame = MAGIC + struct.pack(">I", len(big)) + big
                write(os.path.join(out, "framing"), CUTS[3] + frame)
    with open(os.path.join(out, "flux.dict"), "w") as f:
        for w in sorted(dictionary):
            f.write(dict_entry(w))
    print("make-seeds.py: %d captures, %d frames -> %s" %
          (len(names), nframes, out))


if __name__ == "__main__":
    main()
