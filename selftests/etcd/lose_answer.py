#!/usr/bin/python3
"""A TCP relay in front of one real etcd member that loses the answer to
the first transaction, as a member does that dies between applying a
write and answering it (selftests/etcd/test_etcd_exactly_once.sh).

    lose_answer.py LISTEN_PORT MEMBER_HOST:PORT die|resend READY_FILE

HTTP/1.1 requests pass through unchanged on kept-alive connections until
the first POST /v3/kv/txn: that one reaches etcd and etcd's answer is read
in full (so etcd applied it, or refused it), then the relay closes the
client's connection without a byte of it (a clean FIN, as a killed
process's socket sends). Then
  die     the listening socket closes too: the member is gone, a new
          connection is refused;
  resend  it keeps relaying, so a client that sends the transaction again
          on a new connection gets etcd's answer to the copy.
Prints "lost" on stdout once the answer was lost, and exits when the
client's connections are closed (or after 60 s)."""
import socket
import sys
import threading


def read_message(f, request):
    """One HTTP/1.1 message from file f as bytes, or b"" at EOF."""
    head = b""
    while True:
        line = f.readline()
        if not line:
            return b""
        head += line
        if line in (b"\r\n", b"\n"):
            break
    body, length, chunked = b"", None, False
    for h in head.split(b"\r\n")[1:]:
        name, _, value = h.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size_line = f.readline()
            body += size_line
            n = int(size_line.split(b";")[0].strip(), 16)
            body += f.read(n + 2)
            if n == 0:
                break
    elif length is not None:
        body = f.read(length)
    elif not request:
        body = f.read()   # an answer to the end of the connection
    return head + body


def main():
    port, member, mode, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    host, mport = member.rsplit(":", 1)
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(16)
    ls.settimeout(60)
    lost = threading.Event()
    open(ready, "w").close()

    def relay(c):
        up = socket.create_connection((host, int(mport)), timeout=30)
        cf, uf = c.makefile("rb"), up.makefile("rb")
        try:
            while True:
                req = read_message(cf, True)
                if not req:
                    return
                up.sendall(req)
                ans = read_message(uf, False)
                if req.startswith(b"POST /v3/kv/txn ") and not lost.is_set():
                    lost.set()
                    print("lost", flush=True)
                    if mode == "die":
                        ls.shutdown(socket.SHUT_RDWR)   # wakes accept()
                        ls.close()
                    return
                c.sendall(ans)
        finally:
            c.shutdown(socket.SHUT_RDWR)
            c.close()
            up.close()

    threads = []
    while True:
        try:
            c, _ = ls.accept()
        except OSError:   # closed ("die") or nobody came for 60 s
            break
        t = threading.Thread(target=relay, args=(c,), daemon=True)
        t.start()
        threads.append(t)
        if lost.is_set() and mode == "resend":
            ls.settimeout(2)   # the copy's connection has come
    for t in threads:
        t.join(60)


if __name__ == "__main__":
    main()
