#!/usr/bin/python3
# Hand-made DNS messages for selftests/dns/test_resolver_strict.sh: the
# malformed ones dig and kdig cannot send. Python standard library only.
#
#   dns_raw.py SRC DST PORT CASE [NAME]
#
# sends message CASE (see CASES) about NAME (default web.internal, AAAA)
# over UDP from SRC to [DST]:PORT and prints the reply in one line:
#
#   rcode=FORMERR id=ok qr=1 opcode=0 aa=0 tc=0 rd=1 ra=0 ad=0 cd=0 qd=1 an=0 ns=0 ar=0 opt=0 tsig=-
#
# (opt: the reply's OPT records; tsig: the reply's TSIG error, or -), or
# "timeout" when nothing came back within 2 s.
#
#   dns_raw.py serve ADDR PORT LOG
#
# is an upstream that answers every query with A 192.0.2.7, AA and RA set
# (an authoritative upstream's flags), and appends the header bits of every
# query it got to LOG: "rd=1 cd=1 ad=0 opt=1", one line each (opt: it had
# an additional record, which is all the resolver ever sends there).
import socket
import struct
import sys

RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
          5: "REFUSED", 9: "NOTAUTH", 16: "BADVERS"}
TSIG_ERRORS = {0: "NOERROR", 16: "BADSIG", 17: "BADKEY", 18: "BADTIME"}
QID = 0x5a17
T_AAAA, T_OPT, T_TSIG = 28, 41, 250


def name(text):
    out = b""
    for label in text.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(qd=1, an=0, ns=0, ar=0, flags=0x0100):
    return struct.pack("!HHHHHH", QID, flags, qd, an, ns, ar)


def question(qname, qtype=T_AAAA, qclass=1):
    return name(qname) + struct.pack("!HH", qtype, qclass)


def rr(owner, rtype, rclass, ttl, rdata):
    return owner + struct.pack("!HHIH", rtype, rclass, ttl, len(rdata)) + rdata


def opt(options=b"", owner=b"\0", size=1232):
    return rr(owner, T_OPT, size, 0, options)


def option(code, data):
    return struct.pack("!HH", code, len(data)) + data


def tsig(key="key.example."):
    # hmac-sha256, time 0, fudge 300, a 32-byte MAC, original ID, no error
    rdata = (name("hmac-sha256") + struct.pack("!HIH", 0, 0, 300) + struct.pack("!H", 32) +
             b"\x11" * 32 + struct.pack("!HHH", QID, 0, 0))
    return rr(name(key), T_TSIG, 255, 0, rdata)


def cases(q):
    qd = question(q)
    return {
        # well-formed controls: these must be answered as usual
        "plain": header() + qd,
        "edns": header(ar=1) + qd + opt(),
        "unknown-option": header(ar=1) + qd + opt(option(65001, b"abcd")),
        "cookie8": header(ar=1) + qd + opt(option(10, b"c" * 8)),
        "cookie16": header(ar=1) + qd + opt(option(10, b"c" * 16)),
        "cookie40": header(ar=1) + qd + opt(option(10, b"c" * 40)),
        # malformed EDNS (RFC 6891 section 6.1, RFC 7873 section 5.2.2)
        "option-overrun": header(ar=1) + qd + opt(struct.pack("!HH", 65001, 8) + b"ab"),
        "option-half": header(ar=1) + qd + opt(b"\xfd\xe9"),
        "cookie5": header(ar=1) + qd + opt(option(10, b"c" * 5)),
        "cookie12": header(ar=1) + qd + opt(option(10, b"c" * 12)),
        "cookie41": header(ar=1) + qd + opt(option(10, b"c" * 41)),
        "opt-owner": header(ar=1) + qd + opt(owner=name("a")),
        "opt-answer": header(an=1) + qd + opt(),
        "opt-authority": header(ns=1) + qd + opt(),
        "two-opt": header(ar=2) + qd + opt() + opt(),
        "trailing": header() + qd + b"\0\0\0",
        "trailing-edns": header(ar=1) + qd + opt() + b"\x01",
        "rdata-overrun": header(ar=1) + qd + rr(name(q), T_AAAA, 1, 0, b"\0" * 17),
        # TSIG (RFC 8945 section 5.2)
        "tsig": header(ar=1) + qd + tsig(),
        "tsig-edns": header(ar=2) + qd + opt() + tsig(),
        "tsig-not-last": header(ar=2) + qd + tsig() + opt(),
        "two-tsig": header(ar=2) + qd + tsig() + tsig(),
        "tsig-answer": header(an=1) + qd + tsig(),
        "tsig-short": header(ar=1) + qd + rr(name("key.example."), T_TSIG, 255, 0,
                                             name("hmac-sha256") + b"\0\0"),
        # AXFR over UDP: a zone transfer is never answered here
        "axfr": header() + question(q, 252),
        # QTYPE OPT: a meta type, never a question (RFC 6891 section 6.1.1)
        "qtype-opt": header() + question(q, T_OPT),
    }


def skip_name(m, i):
    while True:
        n = m[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += 1 + n


def parse(m):
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
    i = 12
    for _ in range(qd):
        i = skip_name(m, i) + 4
    n_opt, tsig_err, rcode_hi = 0, "-", 0
    for k in range(an + ns + ar):
        i = skip_name(m, i)
        rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", m[i:i + 10])
        i += 10
        rdata = m[i:i + rdlen]
        i += rdlen
        if rtype == T_OPT:
            n_opt += 1
            rcode_hi = ttl >> 24
        elif rtype == T_TSIG:
            j = skip_name(rdata, 0) + 8          # algorithm, time, fudge
            j += 2 + struct.unpack("!H", rdata[j:j + 2])[0] + 2  # MAC, original ID
            e = struct.unpack("!H", rdata[j:j + 2])[0]
            tsig_err = TSIG_ERRORS.get(e, str(e))
    rcode = (rcode_hi << 4) | (flags & 0xF)
    bits = {"qr": 15, "aa": 10, "tc": 9, "rd": 8, "ra": 7, "ad": 5, "cd": 4}
    out = ["rcode=%s" % RCODES.get(rcode, str(rcode)), "id=%s" % ("ok" if qid == QID else "bad"),
           "qr=%d" % (flags >> 15), "opcode=%d" % ((flags >> 11) & 0xF)]
    out += ["%s=%d" % (b, (flags >> s) & 1) for b, s in bits.items() if b != "qr"]
    out += ["qd=%d" % qd, "an=%d" % an, "ns=%d" % ns, "ar=%d" % ar, "opt=%d" % n_opt,
            "tsig=%s" % tsig_err]
    return " ".join(out)


def serve(addr, port, log):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    print("ready", flush=True)
    while True:
        m, peer = s.recvfrom(65535)
        qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", m[:12])
        if flags & 0x8000 or qd != 1:
            continue
        end = skip_name(m, 12) + 4
        with open(log, "a") as f:
            f.write("rd=%d cd=%d ad=%d opt=%d\n" % ((flags >> 8) & 1, (flags >> 4) & 1,
                                                 (flags >> 5) & 1, min(ar, 1)))
        rflags = 0x8000 | 0x0400 | (flags & 0x0100) | 0x0080  # QR AA RD RA
        s.sendto(struct.pack("!HHHHHH", qid, rflags, 1, 1, 0, 0) + m[12:end] +
                 b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([192, 0, 2, 7]), peer)


def main():
    if sys.argv[1] == "serve":
        serve(*sys.argv[2:5])
        return
    src, dst, port, case = sys.argv[1:5]
    q = sys.argv[5] if len(sys.argv) > 5 else "web.internal"
    msg = cases(q)[case]
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind((src, 0))
    s.settimeout(2)
    s.sendto(msg, (dst, int(port)))
    try:
        print(parse(s.recv(65535)))
    except socket.timeout:
        print("timeout")


if __name__ == "__main__":
    main()
