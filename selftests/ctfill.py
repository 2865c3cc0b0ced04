#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Fill this namespace's conntrack table through ctnetlink, fast.

  ctfill.py COUNT --marks M[,M...] [--timeout SECONDS]

Creates COUNT UDP entries 10.N.N.N:P -> 198.18.N.N:53, each with the next
mark of the list in turn, in batches of messages per send (conntrack -I
would start one process per entry). Prints how many it made; exits 1 if
the kernel refused any.
"""
import argparse
import os
import socket
import struct
import sys

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL = 1, 4, 0x400, 0x200
NLMSG_ERROR = 2
NLA_F_NESTED = 0x8000
CTA_TUPLE_ORIG, CTA_TUPLE_REPLY, CTA_TIMEOUT, CTA_MARK = 1, 2, 7, 8
CTA_TUPLE_IP, CTA_TUPLE_PROTO = 1, 2
CTA_IP_V4_SRC, CTA_IP_V4_DST = 1, 2
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
BATCH = 200


def attr(kind, payload, nested=False):
    head = struct.pack("=HH", 4 + len(payload),
                       kind | (NLA_F_NESTED if nested else 0))
    return head + payload + b"\0" * (-len(payload) % 4)


def tuple_attr(kind, src, dst, sport, dport):
    ip = attr(CTA_IP_V4_SRC, src) + attr(CTA_IP_V4_DST, dst)
    proto = (attr(CTA_PROTO_NUM, bytes([socket.IPPROTO_UDP])) +
             attr(CTA_PROTO_SRC_PORT, struct.pack(">H", sport)) +
             attr(CTA_PROTO_DST_PORT, struct.pack(">H", dport)))
    return attr(kind, attr(CTA_TUPLE_IP, ip, True) +
                attr(CTA_TUPLE_PROTO, proto, True), True)


def entry(i, mark, timeout, seq, ack):
    client = struct.pack(">I", (10 << 24) | (i >> 14) + 1)
    server = struct.pack(">I", (198 << 24) | (18 << 16) | (i & 0xffff))
    sport = 1024 + (i & 0x3fff)
    body = (struct.pack("=BBH", socket.AF_INET, 0, 0) +
            tuple_attr(CTA_TUPLE_ORIG, client, server, sport, 53) +
            tuple_attr(CTA_TUPLE_REPLY, server, client, 53, sport) +
            attr(CTA_TIMEOUT, struct.pack(">I", timeout)) +
            attr(CTA_MARK, struct.pack(">I", mark)))
    flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | (NLM_F_ACK if ack else 0)
    return struct.pack("=IHHII", 16 + len(body),
                       (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW,
                       flags, seq, 0) + body


def answers(data):
    """(sequence number, errno) of each error message in DATA; acks: 0."""
    out = []
    while len(data) >= 16:
        length, kind, _, seq = struct.unpack_from("=IHHI", data)
        if kind == NLMSG_ERROR:
            out.append((seq, -struct.unpack_from("=i", data, 16)[0]))
        data = data[(length + 3) & ~3:]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("count", type=int)
    p.add_argument("--marks", required=True)
    p.add_argument("--timeout", type=int, default=600)
    a = p.parse_args()
    marks = [int(m, 0) for m in a.marks.split(",")]
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind((0, 0))
    refused = 0
    for start in range(0, a.count, BATCH):
        end = min(start + BATCH, a.count)
        # the last message of a batch asks for an ack: its answer says
        # the kernel is through with the batch, errors come before it
        s.send(b"".join(entry(i, marks[i % len(marks)], a.timeout, i,
                              i == end - 1) for i in range(start, end)))
        done = False
        while not done:
            for seq, err in answers(s.recv(1 << 20)):
                if err:
                    refused += 1
                    if refused == 1:
                        print("ctfill: %s" % os.strerror(err),
                              file=sys.stderr)
                done |= seq == end - 1
    print(a.count - refused)
    if refused:
        print("ctfill: %d entries refused" % refused, file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
