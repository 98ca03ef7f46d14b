#!/usr/bin/python3
"""New TCP connections per second, one after the other, for the Flycast
bench (scripts/bench/70_flycast.sh):

  fc_connrate.py serve ADDR PORT     answers each connection with "ok" and
                                     closes it (the server closes first, so
                                     TIME_WAIT stays on its side)
  fc_connrate.py connect ADDR PORT SECONDS
                                     connects, sends, reads the answer and
                                     the close, again and again for SECONDS;
                                     prints connections per second
A connection that fails stops the run with exit 1."""
import socket
import sys
import time


def serve(addr, port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(512)
    while True:
        c, _ = s.accept()
        try:
            c.recv(16)
            c.sendall(b"ok")
        except OSError:
            pass
        c.close()


def connect(addr, port, secs):
    n, end = 0, time.monotonic() + secs
    start = time.monotonic()
    while time.monotonic() < end:
        c = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        c.settimeout(3)
        c.connect((addr, port))
        c.sendall(b"hi")
        if c.recv(16) != b"ok":
            sys.exit("fc_connrate: connection %d got no answer" % n)
        c.recv(16)
        c.close()
        n += 1
    print("%.1f" % (n / (time.monotonic() - start)))


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 4:
        serve(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["connect"] and len(sys.argv) == 5:
        try:
            connect(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
        except OSError as e:
            sys.exit("fc_connrate: %s" % e)
    else:
        sys.exit(__doc__)
