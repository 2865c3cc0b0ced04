#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The far end of mwan-agent's DNS and TCP checks, standard library only.

  checksrv.py --log FILE --addr A [A ...] [--dns-port P] [--tcp-port P]

On each address (IPv4 or IPv6; a socket each, so that a DNS response
leaves from the address the query was sent to): answers each DNS query over UDP (the root
with NOERROR and no records, any other name with NXDOMAIN: a response is a
response), and accepts TCP connections and closes them. One log line per
query, "dns PEER QNAME QTYPE", and per connection, "tcp PEER"; FILE.ready
appears once all sockets listen.
"""
import argparse
import selectors
import socket
import struct


def qname(msg):
    """The question's name, "." for the root; None if malformed."""
    labels, i = [], 12
    while i < len(msg):
        n = msg[i]
        if n == 0:
            return ".".join(labels) + "." if labels else ".", i + 1
        if n > 63 or i + 1 + n > len(msg):
            return None, i
        labels.append(msg[i + 1:i + 1 + n].decode("ascii", "replace"))
        i += 1 + n
    return None, i


def answer(msg):
    """The response to query @msg, and what to log of it."""
    if len(msg) < 12:
        return None, None
    ident, flags, qd = struct.unpack("!HHH", msg[:6])
    name, end = qname(msg)
    if flags & 0x8000 or qd != 1 or name is None or end + 4 > len(msg):
        return None, None
    qtype = struct.unpack("!H", msg[end:end + 2])[0]
    rcode = 0 if name == "." else 3
    # QR, the query's opcode and RD, RA; the question echoed
    head = struct.pack("!HHHHHH", ident, 0x8080 | (flags & 0x7900) | rcode,
                       1, 0, 0, 0)
    return head + msg[12:end + 4], "%s %d" % (name, qtype)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--addr", nargs="+", required=True)
    ap.add_argument("--dns-port", type=int, default=53)
    ap.add_argument("--tcp-port", type=int, default=80)
    args = ap.parse_args()
    log = open(args.log, "a", buffering=1)
    sel = selectors.DefaultSelector()
    for addr in args.addr:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        for kind, port in ((socket.SOCK_DGRAM, args.dns_port),
                           (socket.SOCK_STREAM, args.tcp_port)):
            s = socket.socket(fam, kind)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
            if kind == socket.SOCK_STREAM:
                s.listen(128)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, kind)
    with open(args.log + ".ready", "w") as f:
        f.write("ready\n")
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            try:
                if key.data == socket.SOCK_STREAM:
                    c, peer = s.accept()
                    c.close()
                    log.write("tcp %s\n" % peer[0])
                    continue
                msg, peer = s.recvfrom(512)
            except OSError:
                continue
            reply, what = answer(msg)
            if reply:
                s.sendto(reply, peer)
                log.write("dns %s %s\n" % (peer[0], what))


if __name__ == "__main__":
    main()
