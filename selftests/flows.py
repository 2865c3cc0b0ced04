#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Open many flows and record what the far end saw.

  flows.py serve --log FILE --addr A [A ...] [--port P]
                                            TCP and UDP echo on these addresses
                                            (UDP replies must leave from the
                                            address asked); one log line per TCP
                                            connection and per UDP datagram:
                                            "proto peer port tag", written
                                            before the first echo
  flows.py connect --dst ADDR [--proto tcp|udp] [--port P] [--count N]
                   [--packets K] [--src ADDR ...] [--gap SECONDS] [--tag T]
                   [--parallel] [--mark M] [--sport BASE] [--until FILE]
                                            N flows, K messages each, round-robin
                                            over the source addresses, one after
                                            the other or all at once; prints a
                                            JSON summary with every flow's ports;
                                            --sport gives flow i port BASE+i, so
                                            no flow reuses an old conntrack entry;
                                            --until: more messages until FILE exists
  flows.py stream --dst ADDR --until FILE [--sport P] [--tag T] [--gap SECONDS]
                                            one UDP flow that sends without waiting
                                            for answers until FILE exists; prints
                                            how many datagrams it sent
  flows.py bulk --dst ADDR --port P --rate KIB --until FILE [--src ADDR]
                                            one TCP connection that sends random
                                            data at KIB KiB/s until FILE exists;
                                            prints "BYTES SHA256 SOURCE-ADDRESS"
  flows.py sink --addr ADDR --port P --out FILE
                                            takes one TCP connection, hashes all
                                            it gets, then writes "BYTES SHA256
                                            PEER" to FILE (FILE.ready: listening)
  flows.py wait-ready LOG                   wait until a server is listening
  flows.py eval EXPR JSON                   print the Python expression EXPR of d,
                                            the value of JSON ("\\x1f" for newlines)
  flows.py agent                            run commands read from stdin, each
                                            argument on a line and a line "\\x1e"
                                            after the last; answer with what the
                                            command printed, then "\\x1e" and its
                                            exit status (topo.sh's flows())
  flows.py sysctl NETNS... --set KEY=VALUE...
                                            write the sysctls in each named
                                            network namespace, from here
  flows.py count LOG [--proto P] [--tag T]  JSON {peer address: flows}
  flows.py keys LOG CONNECT.json... --by src|src-dst
                                            JSON {key: [links its flows used]}
  flows.py shares LOG --weights 1:2:3 [--tolerance PCT] [--proto P] [--tag T]
                                            check each link's share of flows

Links are told apart by the address the server sees (topo.sh): the router
masquerades, so 100.64.N.2 and 2001:db8:N::2 are link N.
"""
import argparse
import contextlib
import hashlib
import io
import json
import os
import socket
import sys
import threading
import time
import traceback

PORT = 5001
END = "\x1e"	# ends a request to the agent, and its answer


def log_line(log, lock, text):
    with lock:
        log.write(text + "\n")
        log.flush()


def serve_tcp(sock, log, lock):
    while True:
        conn, peer = sock.accept()
        threading.Thread(target=tcp_echo, args=(conn, peer, log, lock),
                         daemon=True).start()


def tcp_echo(conn, peer, log, lock):
    """The connection is logged as soon as its tag is known, before its
    first echo: a client that has its echo may count on the log line."""
    tag = None
    with conn:
        buf = b""
        while True:
            data = conn.recv(65536)
            if not data:
                break
            if tag is None:
                buf += data
                if b"\n" in buf:
                    tag = buf.split(b"\n", 1)[0].decode(errors="replace")
                    log_line(log, lock,
                             "tcp %s %d %s" % (peer[0], peer[1], tag))
            conn.sendall(data)
    if tag is None:
        log_line(log, lock, "tcp %s %d -" % (peer[0], peer[1]))


def serve_udp(sock, log, lock):
    while True:
        data, peer = sock.recvfrom(65536)
        tag = data.split(b"\n", 1)[0].decode(errors="replace")
        log_line(log, lock, "udp %s %d %s" % (peer[0], peer[1], tag))
        sock.sendto(data, peer)


def serve(args):
    lock = threading.Lock()
    log = open(args.log, "a")
    for addr in args.addr:
        family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        for kind, fn in ((socket.SOCK_STREAM, serve_tcp),
                         (socket.SOCK_DGRAM, serve_udp)):
            s = socket.socket(family, kind)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.bind((addr, args.port))
            if kind == socket.SOCK_STREAM:
                s.listen(1024)
            threading.Thread(target=fn, args=(s, log, lock),
                             daemon=True).start()
    with open(args.log + ".ready", "w") as f:
        f.write("ready\n")
    while True:
        time.sleep(3600)


def one_flow(args, src, n):
    family = socket.AF_INET6 if ":" in args.dst else socket.AF_INET
    kind = socket.SOCK_STREAM if args.proto == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(family, kind)
    s.settimeout(args.timeout)
    if args.mark:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, args.mark)
    if src or args.sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src or "", args.sport + n if args.sport else 0))
    tag = "%s-%d" % (args.tag, n)
    try:
        s.connect((args.dst, args.port))
        port = s.getsockname()[1]
        k = 0
        while k < args.packets or (args.until and
                                   not os.path.exists(args.until)):
            msg = ("%s\n%d\n" % (tag, k)).encode()
            s.send(msg)
            got = b""
            while len(got) < len(msg):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            if got != msg:
                return {"tag": tag, "src": src, "dst": args.dst,
                        "port": port, "ok": False, "error": "bad echo"}
            k += 1
            if args.gap:
                time.sleep(args.gap)
        return {"tag": tag, "src": src, "dst": args.dst, "port": port,
                "ok": True, "messages": k}
    except OSError as e:
        return {"tag": tag, "src": src, "dst": args.dst, "port": None,
                "ok": False, "error": e.strerror or str(e)}
    finally:
        s.close()


def connect(args):
    srcs = args.src or [None]
    flows = [None] * args.count

    def run(i):
        flows[i] = one_flow(args, srcs[i % len(srcs)], i)

    if args.parallel:
        threads = [threading.Thread(target=run, args=(i,))
                   for i in range(args.count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i in range(args.count):
            run(i)
    failed = [f for f in flows if not f["ok"]]
    json.dump({"flows": flows, "ok": len(flows) - len(failed),
               "failed": len(failed)}, sys.stdout)
    print()
    return 0 if not failed else 1


def stream(args):
    family = socket.AF_INET6 if ":" in args.dst else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind(("", args.sport))
    sent = 0
    while not os.path.exists(args.until):
        s.sendto(("%s-0\n%d\n" % (args.tag, sent)).encode(),
                 (args.dst, args.port))
        sent += 1
        time.sleep(args.gap)
    print(sent)
    return 0


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def bulk(args):
    """What a user's download is to mwan: a long TCP transfer whose bytes
    the far end hashes, so that any loss, reordering or corruption a
    change made on the way would show."""
    s = socket.socket(family_of(args.dst), socket.SOCK_STREAM)
    if args.src:
        s.bind((args.src, 0))
    # a stall longer than any storm the tests make is a failure
    s.settimeout(120)
    s.connect((args.dst, args.port))
    rate, chunk = args.rate * 1024, 8192
    h, n, t0 = hashlib.sha256(), 0, time.monotonic()
    while not os.path.exists(args.until):
        d = os.urandom(chunk)
        s.sendall(d)
        h.update(d)
        n += len(d)
        ahead = n / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)	# the sink's close: it has all
    print(n, h.hexdigest(), s.getsockname()[0])
    return 0


def sink(args):
    s = socket.socket(family_of(args.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((args.addr, args.port))
    s.listen(1)
    open(args.out + ".ready", "w").close()
    c, peer = s.accept()
    h, n = hashlib.sha256(), 0
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        h.update(d)
        n += len(d)
    with open(args.out, "w") as f:
        f.write("%d %s %s\n" % (n, h.hexdigest(), peer[0]))
    c.close()
    return 0


def wait_ready(args):
    # a minute: on a debug kernel a server takes seconds to start
    for _ in range(1200):
        if os.path.exists(args.log + ".ready"):
            return 0
        time.sleep(0.05)
    print("server did not start", file=sys.stderr)
    return 1


def link_of(peer):
    if peer.startswith("100.64."):
        return int(peer.split(".")[2])
    if peer.startswith("2001:db8:") and peer.endswith("::2"):
        return int(peer.split(":")[2], 16)
    return 0


def records(args):
    for line in open(args.log):
        proto, peer, _, tag = line.split()
        if args.proto and proto != args.proto:
            continue
        if args.tag and not tag.startswith(args.tag + "-"):
            continue
        yield peer, tag


def count(args):
    seen = {}
    for peer, _ in records(args):
        seen[peer] = seen.get(peer, 0) + 1
    json.dump(seen, sys.stdout)
    print()
    return 0


def keys(args):
    """Join the server's log with the clients' reports on the flow tag."""
    key_of = {}
    for path in args.reports:
        for f in json.load(open(path))["flows"]:
            key = f["src"] if args.by == "src" else f["src"] + "|" + f["dst"]
            key_of[f["tag"]] = key
    used = {}
    for peer, tag in records(args):
        if tag in key_of:
            used.setdefault(key_of[tag], set()).add(link_of(peer))
    json.dump({k: sorted(v) for k, v in used.items()}, sys.stdout)
    print()
    return 0


def shares(args):
    weights = [int(w) for w in args.weights.split(":")]
    flows = {}
    for peer, tag in records(args):
        flows.setdefault(tag, link_of(peer))
    total = len(flows)
    rc = 0 if total else 1
    for n, w in enumerate(weights, 1):
        got = sum(1 for link in flows.values() if link == n)
        share = 100.0 * got / total if total else 0
        want = 100.0 * w / sum(weights)
        bad = abs(share - want) > args.tolerance
        rc |= bad
        print("link %d: %d of %d flows, %.1f%% (target %.1f%%)%s" %
              (n, got, total, share, want, " OFF" if bad else ""))
    return rc


def evaluate(args):
    d = json.loads(args.json.replace("\x1f", "\n"))
    print(eval(args.expr, {"d": d}))
    return 0


CLONE_NEWNET = 0x40000000


def sysctl(args):
    """/proc/sys/net is that of the namespace the opener is in: setns() to
    each in turn costs no program start (ip netns exec and sysctl are two a
    namespace, seconds on a debug kernel). Python 3.11 has no os.setns."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)

    def enter(fd):
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns: " + os.strerror(err))

    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        for ns in args.netns:
            fd = os.open(os.path.join("/run/netns", ns), os.O_RDONLY)
            try:
                enter(fd)
            finally:
                os.close(fd)
            for setting in args.set:
                key, _, value = setting.partition("=")
                with open("/proc/sys/" + key.replace(".", "/"), "w") as f:
                    f.write(value)
    finally:
        enter(home)
        os.close(home)
    return 0


def run(parser, argv):
    try:
        args = parser.parse_args(argv)
        return COMMANDS[args.cmd](args) or 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    except Exception:
        traceback.print_exc()
        return 1


def agent(parser):
    """A selftest keeps one agent a namespace, so that a command costs no
    Python start: a second under emulation, several on a debug kernel."""
    argv = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if line != END:
            argv.append(line)
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = run(parser, argv)
        text = out.getvalue()
        if text and not text.endswith("\n"):
            text += "\n"
        sys.stdout.write("%s%s%d\n" % (text, END, rc))
        sys.stdout.flush()
        argv = []
    return 0


COMMANDS = {"keys": keys, "serve": serve, "connect": connect,
            "stream": stream, "bulk": bulk, "sink": sink,
            "wait-ready": wait_ready, "count": count,
            "shares": shares, "eval": evaluate, "sysctl": sysctl}


def parser():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--log", required=True)
    s.add_argument("--addr", nargs="+", required=True)
    s.add_argument("--port", type=int, default=PORT)
    c = sub.add_parser("connect")
    c.add_argument("--dst", required=True)
    c.add_argument("--proto", choices=("tcp", "udp"), default="tcp")
    c.add_argument("--port", type=int, default=PORT)
    c.add_argument("--count", type=int, default=1)
    c.add_argument("--packets", type=int, default=1)
    c.add_argument("--src", nargs="*")
    c.add_argument("--gap", type=float, default=0)
    c.add_argument("--tag", default="f")
    c.add_argument("--timeout", type=float, default=5)
    c.add_argument("--parallel", action="store_true")
    c.add_argument("--sport", type=int, default=0)
    c.add_argument("--mark", type=lambda v: int(v, 0), default=0)
    c.add_argument("--until")
    t = sub.add_parser("stream")
    t.add_argument("--dst", required=True)
    t.add_argument("--port", type=int, default=PORT)
    t.add_argument("--until", required=True)
    t.add_argument("--sport", type=int, default=0)
    t.add_argument("--tag", default="s")
    t.add_argument("--gap", type=float, default=0.05)
    b = sub.add_parser("bulk")
    b.add_argument("--dst", required=True)
    b.add_argument("--port", type=int, required=True)
    b.add_argument("--rate", type=int, required=True)
    b.add_argument("--until", required=True)
    b.add_argument("--src")
    r = sub.add_parser("sink")
    r.add_argument("--addr", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--out", required=True)
    w = sub.add_parser("wait-ready")
    w.add_argument("log")
    n = sub.add_parser("count")
    n.add_argument("log")
    n.add_argument("--proto")
    n.add_argument("--tag")
    q = sub.add_parser("shares")
    q.add_argument("log")
    q.add_argument("--proto")
    q.add_argument("--tag")
    q.add_argument("--weights", required=True)
    q.add_argument("--tolerance", type=float, default=3.0)
    k = sub.add_parser("keys")
    k.add_argument("log")
    k.add_argument("reports", nargs="+")
    k.add_argument("--by", choices=("src", "src-dst"), required=True)
    k.add_argument("--proto")
    k.add_argument("--tag")
    e = sub.add_parser("eval")
    e.add_argument("expr")
    e.add_argument("json")
    y = sub.add_parser("sysctl")
    y.add_argument("netns", nargs="+")
    y.add_argument("--set", nargs="+", required=True)
    sub.add_parser("agent")
    return p


def main():
    p = parser()
    if sys.argv[1:] == ["agent"]:
        return agent(p)
    return run(p, sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
