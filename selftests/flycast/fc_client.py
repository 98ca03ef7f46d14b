#!/usr/bin/python3
"""A TCP client that holds one connection across an event: fc_client.py
ADDR PORT GO_FILE [WANT]. The echo server answers a connection with its
name on a line, then echoes each line. Connects (with WANT, again from
other source ports until the server that answers names itself WANT),
sends "one" and reads both lines (the name and the echo: nothing is left
buffered to be taken for a later answer), prints "before: <name>", waits
until GO_FILE exists, then sends "two" and prints "after: ok <echo>",
"after: reset" (RST, or the connection closed) or "after: timeout"."""
import os
import socket
import sys
import time


def read_lines(s, n):
    """The first n lines the peer sends; fewer when it closes first."""
    buf = b""
    while buf.count(b"\n") < n:
        data = s.recv(100)
        if not data:
            break
        buf += data
    return buf.decode().splitlines()[:n]


addr, port, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
want = sys.argv[4] if len(sys.argv) > 4 else None
for sport in range(45001, 45101):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(5)
    s.bind(("::", sport))
    s.connect((addr, port))
    s.sendall(b"one\n")
    got = read_lines(s, 2)
    if not want or (got and got[0] == want):
        break
    s.close()
print("before: " + " ".join(got), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
try:
    s.settimeout(6)
    s.sendall(b"two\n")
    got = read_lines(s, 1)
    print("after: " + ("ok " + got[0] if got else "reset"), flush=True)
except (ConnectionResetError, BrokenPipeError):
    print("after: reset", flush=True)
except socket.timeout:
    print("after: timeout", flush=True)
