# SPDX-License-Identifier: LGPL-3.0-or-later
"""A raw client of the broker's local socket, for tests that write and
read flux-core's wire format by hand (forged route stacks, broken
frames): encode() and decode() a message, frames() of a byte stream,
and Conn, one connection.  Only the standard library: a test copies it
beside its script, which may run as another uid under the system
python3.
"""
import select
import socket
import struct

MAGIC = struct.pack("<I", 0xFFEE0012)


def part(b):
    if len(b) < 255:
        return bytes([len(b)]) + b
    return b"\xff" + struct.pack(">I", len(b)) + b


def encode(typ, topic=None, payload=None, flags=0, userid=0xFFFFFFFF,
           rolemask=0, aux1=0xFFFFFFFF, aux2=1, route=None):
    parts = []
    if route is not None:
        flags |= 0x08
        parts += [r.encode() for r in route] + [b""]
    if topic is not None:
        flags |= 0x01
        parts.append(topic.encode())
    if payload is not None:
        flags |= 0x02
        parts.append(payload)
    proto = bytes([0x8E, 1, typ, flags]) + struct.pack(
        ">IIII", userid, rolemask, aux1, aux2)
    body = b"".join(part(p) for p in parts) + part(proto)
    return MAGIC + struct.pack(">I", len(body)) + body


def split_parts(b):
    out, i = [], 0
    while i < len(b):
        n = b[i]
        i += 1
        if n == 255:
            n = struct.unpack(">I", b[i:i + 4])[0]
            i += 4
        out.append(b[i:i + n])
        i += n
    return out


def decode(body):
    parts = split_parts(body)
    proto = parts.pop()
    typ, flags = proto[2], proto[3]
    userid, rolemask, aux1, aux2 = struct.unpack(">IIII", proto[4:20])
    m = dict(type=typ, flags=flags, userid=userid, rolemask=rolemask,
             aux1=aux1, aux2=aux2, route=None, topic=None, payload=None)
    if flags & 0x08:
        i = parts.index(b"")
        m["route"] = [p.decode() for p in parts[:i]]
        parts = parts[i + 1:]
    if flags & 0x01:
        m["topic"] = parts.pop(0).decode()
    if flags & 0x02:
        m["payload"] = parts.pop(0)
    return m


def frames(data):
    i = 0
    while i + 8 <= len(data):
        n = struct.unpack(">I", data[i + 4:i + 8])[0]
        yield data[i + 8:i + 8 + n]
        i += 8 + n


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(path)
        self.auth = self.s.recv(1)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def fill(self, n, timeout):
        while len(self.buf) < n:
            r, _, _ = select.select([self.s], [], [], timeout)
            if not r:
                return False
            try:
                chunk = self.s.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                raise EOFError
            self.buf += chunk
        return True

    def recv_body(self, timeout=10):
        """The next frame's body, or None after 'timeout' seconds;
        EOFError if the broker closed the connection.
        """
        if not self.fill(8, timeout):
            return None
        n = struct.unpack(">I", self.buf[4:8])[0]
        if not self.fill(8 + n, timeout):
            return None
        body, self.buf = self.buf[8:8 + n], self.buf[8 + n:]
        return body

    def recv(self, timeout=10):
        body = self.recv_body(timeout)
        return None if body is None else decode(body)

    def closed(self, timeout=10):
        try:
            while self.recv(timeout) is not None:
                pass
            return False
        except EOFError:
            return True
