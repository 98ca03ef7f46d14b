#!/usr/bin/python3
"""The TXT names of Fly's private DNS, asked and parsed the way Fly's clients
parse them, independent of sixpn's C: a stub query (UDP with EDNS, TCP when
truncated) whose reply is read byte by byte here, then each record's
character-strings concatenated (as Go's net.LookupTXT does) and split:

  vms.<app>, all.vms.<app>            "<id> <region>,<id> <region>"
  regions.<app>, all.regions.<app>    "ams,ord"
  _instances, all._instances          "instance=<id>,app=<app>,ip=<addr>,region=<r>"
                                      joined by ';'

fly_txt.py SERVER KIND NAME prints one JSON document: the parsed entries
(sorted), the character-string lengths per record, and "errors" for every
way the answer breaks the format (an empty list when it is right). KIND is
vms, regions or instances."""
import ipaddress
import json
import random
import re
import socket
import struct
import sys

LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MACHINE_ID = re.compile(r"^[0-9a-f]{14}$")


def query(name, qtype=16, edns=1232):
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1 if edns else 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
    if edns:
        q += b"\0" + struct.pack(">HHIH", 41, edns, 0, 0)
    return qid, q


def ask(server, name):
    qid, q = query(name)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (server, 53))
    r = s.recv(65535)
    s.close()
    if struct.unpack(">H", r[2:4])[0] & 0x0200:  # TC: again over TCP
        t = socket.create_connection((server, 53), timeout=2)
        t.sendall(struct.pack(">H", len(q)) + q)
        buf = b""
        while len(buf) < 2 or len(buf) < 2 + struct.unpack(">H", buf[:2])[0]:
            chunk = t.recv(65535)
            if not chunk:
                break
            buf += chunk
        t.close()
        r = buf[2:]
    if struct.unpack(">H", r[:2])[0] != qid:
        raise SystemExit("reply ID mismatch")
    return r


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def txt_records(msg):
    """The TXT records of the answer section: a list of lists of bytes."""
    rcode = msg[3] & 0x0F
    qd, an = struct.unpack(">HH", msg[4:8])
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    out = []
    for _ in range(an):
        off = skip_name(msg, off)
        rtype, _cls, _ttl, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        rd, off = msg[off:off + rdlen], off + rdlen
        if rtype != 16:
            continue
        strings, i = [], 0
        while i < len(rd):
            n = rd[i]
            strings.append(rd[i + 1:i + 1 + n])
            i += 1 + n
        out.append(strings)
    return rcode, out


def parse(kind, records):
    errors, entries = [], []
    for strings in records:
        # Every string but a record's last is a full 255 bytes: the text is
        # cut, not broken at entry boundaries.
        for s in strings[:-1]:
            if len(s) != 255:
                errors.append("a character-string of %d bytes before the record's last" % len(s))
        text = b"".join(strings).decode("ascii")
        if kind == "instances":
            for entry in text.split(";"):
                kv = dict(p.split("=", 1) for p in entry.split(",") if "=" in p)
                if sorted(kv) != ["app", "instance", "ip", "region"] or len(entry.split(",")) != 4:
                    errors.append("entry not instance=,app=,ip=,region=: %r" % entry)
                    continue
                if list(k.split("=")[0] for k in entry.split(",")) != ["instance", "app", "ip", "region"]:
                    errors.append("entry fields out of order: %r" % entry)
                if not MACHINE_ID.match(kv["instance"]) or not LABEL.match(kv["app"]) or not LABEL.match(kv["region"]):
                    errors.append("bad field in %r" % entry)
                try:
                    ip = ipaddress.IPv6Address(kv["ip"])
                    if str(ip) != kv["ip"]:
                        errors.append("ip not in its canonical form: %r" % kv["ip"])
                except ValueError:
                    errors.append("ip is no IPv6 address: %r" % kv["ip"])
                entries.append(kv)
        elif kind == "vms":
            for entry in text.split(","):
                parts = entry.split(" ")
                if len(parts) != 2 or not MACHINE_ID.match(parts[0]) or not LABEL.match(parts[1]):
                    errors.append("entry not '<id> <region>': %r" % entry)
                    continue
                entries.append({"id": parts[0], "region": parts[1]})
        else:
            for entry in text.split(","):
                if not LABEL.match(entry):
                    errors.append("region not a label: %r" % entry)
                entries.append(entry)
    if kind == "regions" and len(set(entries)) != len(entries):
        errors.append("a region listed twice")
    return errors, sorted(entries, key=lambda e: json.dumps(e, sort_keys=True))


def main():
    server, kind, name = sys.argv[1:4]
    rcode, records = txt_records(ask(server, name))
    errors, entries = parse(kind, records) if records else ([], [])
    print(json.dumps({"rcode": rcode, "entries": entries, "errors": errors,
                      "strings": [[len(s) for s in r] for r in records]}, sort_keys=True))


if __name__ == "__main__":
    main()
