#!/usr/bin/python3
"""oneshot.py - a server that goes away after its first connection.

usage: oneshot.py --target PORT --after hang|down --port-file FILE

Listens on 127.0.0.1 (a port the kernel picks, written to FILE once it
listens) and relays its first connection to 127.0.0.1:PORT (the lab
Postfix) byte for byte, so a client sees a real server once. What comes
next is --after:
  hang  later connections are accepted and never answered: a server that
        hung halfway;
  down  the listener is closed: later connections are refused, a server
        that went down.
tests/versions.bats uses it to show that the connections of --tls-versions,
which follow the probe's own, end by the probe's deadline whatever the
server does. Runs until SIGTERM. Standard library only.
"""
import argparse
import os
import signal
import socket
import threading


def relay(src, dst):
    """copy src to dst until either side closes"""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve_first(conn, target):
    """relay one client to the target, both ways"""
    upstream = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=relay, args=(upstream, conn), daemon=True).start()
    relay(conn, upstream)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", type=int, required=True)
    parser.add_argument("--after", choices=("hang", "down"), required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))

    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(tmp, args.port_file)

    first, _ = lsock.accept()
    threading.Thread(target=serve_first, args=(first, args.target), daemon=True).start()
    if args.after == "down":
        lsock.close()
        signal.pause()
    held = []  # accepted and never answered, until the test ends
    while True:
        conn, _ = lsock.accept()
        held.append(conn)


if __name__ == "__main__":
    main()
