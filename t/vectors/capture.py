#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-3.0-or-later
"""Record one client connection to a Flux broker, byte for byte.

Usage: capture.py BROKER-SOCKET RELAY-SOCKET NAME

Listens on RELAY-SOCKET, accepts one connection, connects to the broker's
local socket BROKER-SOCKET (the path of its local:// URI) and relays
bytes both ways until either side closes.  Everything the client wrote
goes to NAME.client-to-broker.bin, everything the broker wrote (its
one-byte auth answer first) to NAME.broker-to-client.bin, in the
current directory.  Point the client at the relay with
FLUX_URI=local://RELAY-SOCKET.  The relay prints "ready" on stdout once
it listens, and exits after the one connection.
"""

import os
import selectors
import socket
import sys


def relay(client, broker, to_broker, to_client):
    """Copy bytes between the two sockets until one of them closes."""
    sel = selectors.DefaultSelector()
    sel.register(client, selectors.EVENT_READ, (broker, to_broker))
    sel.register(broker, selectors.EVENT_READ, (client, to_client))
    while True:
        for key, _ in sel.select():
            peer, log = key.data
            data = key.fileobj.recv(65536)
            if not data:
                return
            log.write(data)
            peer.sendall(data)


def main(argv):
    if len(argv) != 4:
        sys.exit("Usage: capture.py BROKER-SOCKET RELAY-SOCKET NAME")
    broker_path, relay_path, name = argv[1:]
    try:
        os.unlink(relay_path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(relay_path)
    listener.listen(1)
    print("ready", flush=True)
    client, _ = listener.accept()
    listener.close()
    os.unlink(relay_path)
    broker = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    broker.connect(broker_path)
    with open(name + ".client-to-broker.bin", "wb") as to_broker, open(
        name + ".broker-to-client.bin", "wb"
    ) as to_client:
        relay(client, broker, to_broker, to_client)
    client.close()
    broker.close()


if __name__ == "__main__":
    main(sys.argv)
