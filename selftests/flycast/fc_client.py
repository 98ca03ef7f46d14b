#!/usr/bin/python3
"""A TCP client that holds one connection across an event: fc_client.py
ADDR PORT GO_FILE [WANT]. Connects (with WANT, again from other source
ports until the echo server that answers names itself WANT), sends a line
and prints "before: <answer>", waits until GO_FILE exists, then sends again
and prints "after: ok <answer>", "after: reset" or "after: timeout"."""
import os
import socket
import sys
import time

addr, port, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
want = sys.argv[4] if len(sys.argv) > 4 else None
for sport in range(45001, 45101):
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.settimeout(5)
    s.bind(("::", sport))
    s.connect((addr, port))
    s.sendall(b"one\n")
    got = s.recv(100).decode().split()
    if not want or (got and got[0] == want):
        break
    s.close()
print("before: " + " ".join(got), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
try:
    s.settimeout(6)
    s.sendall(b"two\n")
    data = s.recv(100)
    print("after: " + ("ok " + data.decode().strip() if data else "reset"), flush=True)
except (ConnectionResetError, BrokenPipeError):
    print("after: reset", flush=True)
except socket.timeout:
    print("after: timeout", flush=True)
