#!/usr/bin/python3 -S
# SPDX-License-Identifier: GPL-2.0
"""A stand-in for systemd's notify socket, as sd_notify(3) describes it.

Usage: notify_sock.py ADDRESS [CMD...]

Binds an AF_UNIX datagram socket at ADDRESS (a path, or @NAME for an
abstract one, in this network namespace), prints "listening" once it can
be sent to, then one line per datagram:

    TIME_US PID KEY=VALUE|KEY=VALUE...

when it was sent, on the wall clock in microseconds (as bash's
$EPOCHREALTIME; the kernel stamps it, so that how late this program gets
to it does not count), the sender's pid from the kernel's credentials
(what systemd holds against the service's main pid), and the datagram's
lines joined by '|'.

With CMD: the first datagram with READY=1 stops its sender (SIGSTOP)
while CMD runs, its output printed as "ready-check: LINE", then lets it
go on. What CMD sees is what was true when the sender said it was ready,
however soon after that it would have changed it.
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

CREDS = struct.Struct("iII")   # struct ucred: pid, uid, gid
TIMESPEC = struct.Struct("qq")
SO_TIMESTAMPNS = 35            # <asm-generic/socket.h>, not in Python's


def bind(address):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    if address.startswith("@"):
        sock.bind("\0" + address[1:])
    else:
        sock.bind(address)
    return sock


def sender(ancdata):
    """The sender's pid and when it sent, in microseconds"""
    pid, sent = 0, time.time_ns() // 1000
    for level, kind, data in ancdata:
        if level != socket.SOL_SOCKET:
            continue
        if kind == socket.SCM_CREDENTIALS:
            pid = CREDS.unpack(data[:CREDS.size])[0]
        elif kind == SO_TIMESTAMPNS:
            sec, nsec = TIMESPEC.unpack(data[:TIMESPEC.size])
            sent = sec * 1000000 + nsec // 1000
    return pid, sent


def ready_check(pid, cmd):
    os.kill(pid, signal.SIGSTOP)
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT).stdout
    finally:
        os.kill(pid, signal.SIGCONT)
    for line in out.decode(errors="replace").splitlines():
        print("ready-check:", line)
    print("ready-checked", flush=True)


def main():
    sock = bind(sys.argv[1])
    cmd = sys.argv[2:]
    print("listening", flush=True)
    while True:
        data, anc, _, _ = sock.recvmsg(
            65536, socket.CMSG_SPACE(CREDS.size) +
            socket.CMSG_SPACE(TIMESPEC.size))
        pid, sent = sender(anc)
        text = data.decode(errors="replace")
        print(sent, pid, text.replace("\n", "|"), flush=True)
        if cmd and pid and "READY=1" in text.split("\n"):
            ready_check(pid, cmd)
            cmd = None


if __name__ == "__main__":
    main()
