#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Is RTNL free while conntrack entries are being removed?

  rtnl_probe.py BELOW NAME

Waits (up to a minute) until this namespace's conntrack count drops below
BELOW, i.e. until a walk that removes entries has begun, then creates a
dummy device NAME over rtnetlink, which takes RTNL and runs the netdevice
notifiers. Prints "watching" once it watches, then "COUNT-BEFORE
COUNT-AFTER MICROSECONDS": how many entries
were left when the device was asked for and when it was there, and how long
that took. Exit status 1 if the walk never began or the device failed.
"""
import socket
import struct
import sys
import time

COUNT = "/proc/sys/net/netfilter/nf_conntrack_count"
RTM_NEWLINK = 16
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL = 1, 4, 0x400, 0x200
IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND = 3, 18, 1


def attr(kind, payload):
    return (struct.pack("=HH", 4 + len(payload), kind) + payload +
            b"\0" * (-len(payload) % 4))


def count():
    with open(COUNT) as f:
        return int(f.read())


def main():
    below, name = int(sys.argv[1]), sys.argv[2]
    body = (struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) +
            attr(IFLA_IFNAME, name.encode() + b"\0") +
            attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, b"dummy")))
    msg = struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK,
                      NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                      1, 0) + body
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    print("watching", flush=True)
    deadline = time.monotonic() + 60
    while count() >= below:
        if time.monotonic() > deadline:
            print("rtnl_probe: no walk began", file=sys.stderr)
            return 1
    before = count()
    t0 = time.monotonic()
    s.send(msg)
    err = struct.unpack_from("=i", s.recv(65536), 16)[0]
    t1 = time.monotonic()
    print(before, count(), int((t1 - t0) * 1e6))
    return 1 if err else 0


if __name__ == "__main__":
    sys.exit(main())
