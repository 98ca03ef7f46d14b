#!/usr/bin/python3
"""Sends one DNS query every INTERVAL seconds for DURATION seconds and logs
every send and every answer, for selftests/agent/test_faults.sh to measure
outages with:

  S <unix time> <id>           a query sent
  R <unix time> <id> <rcode>   an answer received

Usage: probe_dns.py SERVER NAME QTYPE DURATION INTERVAL
A fresh ID per query, one unconnected socket (an ICMP error from a server
that is down does not stop the probe); answers are read until 0.5 s after
the last query.
"""
import select
import socket
import struct
import sys
import time


def query(qid, name, qtype):
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.strip(".").split("."))
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + b"\0" + struct.pack("!HH", qtype, 1)


def main():
    server, name, qtype = sys.argv[1], sys.argv[2], int(sys.argv[3])
    duration, interval = float(sys.argv[4]), float(sys.argv[5])
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setblocking(False)
    out = sys.stdout
    start = time.time()
    stop, drain = start + duration, start + duration + 0.5
    due, qid = start, 0
    while True:
        now = time.time()
        if now >= drain:
            break
        if now >= due and now < stop:
            try:
                s.sendto(query(qid & 0xFFFF, name, qtype), (server, 53))
                out.write(f"S {now:.6f} {qid & 0xFFFF}\n")
            except OSError:
                pass
            qid += 1
            due += interval
        wake = min(due, drain) if time.time() < stop else drain
        ready, _, _ = select.select([s], [], [], max(0.0, wake - time.time()))
        while ready:
            try:
                data = s.recv(4096)
            except OSError:
                break
            if len(data) >= 4:
                out.write(f"R {time.time():.6f} {struct.unpack('!H', data[:2])[0]} {data[3] & 15}\n")
    out.flush()


if __name__ == "__main__":
    main()
