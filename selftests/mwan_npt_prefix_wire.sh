#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan's NPTv6 prefix swap (the default mode) on the wire, with nftables'
# prefix NAT ("snat ip6 prefix to", "dnat ip6 prefix to": the same
# addresses, but stateful, through conntrack) as the oracle. Two routers
# side by side, wired the same way:
#
#   $OA  a0 --- ra  $ONAT (nft snat/dnat ip6 prefix)        rb --- b0  $OB
#   $MA  a0 --- ra  $RTR  (mwan link "ext" on rb, npt)      rb --- b0  $MB
#
# A Python helper holds packet sockets on each a0 and b0 and sends the
# same crafted IPv6 packet into both routers at once, then compares what
# leaves them: the whole IPv6 packet, addresses and L4 checksum included,
# must be byte for byte the same, and its checksum must verify.
#
#   - UDP, UDP-Lite, TCP (SYN, ACK, PSH|ACK with payload), ICMPv6 echo
#     request, from random internal addresses out and to random external
#     ones in; random flow label, traffic class, ports, payload; the
#     all-ones and all-zero IIDs among them (no address is unmappable);
#   - the same with a checksum left to offload (CHECKSUM_PARTIAL, sent
#     through PACKET_VNET_HDR): the field must hold the new pseudo-header
#     sum, as the oracle's;
#   - ICMPv6 errors (Packet Too Big, Time Exceeded, Port Unreachable)
#     coming in about a packet that went out, and going out about one
#     that came in: outer address, quoted address, quoted checksum and
#     ICMPv6 checksum as the oracle writes them (it finds them related
#     to the flow in conntrack; mwan needs no state);
#   - what the oracle cannot judge (its conntrack refuses a UDP datagram
#     without checksum): mwan translates it and leaves it without one.
#
# Prefix pairs are random (seed printed; MWAN_NPT_SEED=N repeats a run) at
# /48, /56, /60, /64 and odd lengths, reconfigured live with "mwanctl link
# set ext npt"; the first pair is the seed's AT&T one. The counters must
# account for every packet.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
require_module nf_nat nft_chain_nat nft_nat

SEED=${MWAN_NPT_SEED:-$(( (RANDOM << 15) | RANDOM ))}
echo "seed $SEED (MWAN_NPT_SEED=$SEED repeats this run)"

setup_ns OA ONAT OB MA RTR MB

source "$(dirname "$0")/npt_bench.sh"
wire "$OA" "$ONAT" "$OB" 3d06::/16	# the seed's internal prefix
wire "$MA" "$RTR" "$MB" 3d06::/16
# conntrack checks a UDP-Lite checksum with UDP's pseudo-header (6.1's
# udplite_error() passes IPPROTO_UDP), calls every right one invalid and
# leaves it untranslated: the oracle takes checksums on trust.
in_ns "$ONAT" sysctl -qw net.netfilter.nf_conntrack_checksum=0

# mwan: one link on rb, the default policy, its routing table.
ip -n "$RTR" -6 route add default via fc00:b::2 dev rb table 101
ip -n "$RTR" -6 rule add pref 900 table main suppress_prefixlength 0
ip -n "$RTR" -6 rule add pref 1001 fwmark 0x100/0x3f00 table 101
check "link add with npt (no mode)" \
	mwanctl link add ext dev rb id 1 npt 3d06:bad:b01::/60 2600:1700:2f71:c80::/60
mwanctl policy add p member ext
mwanctl globals set default-policy p
check "the link swaps prefixes" \
	test "$(mwanctl -j link show ext | pyq 'd[0]["npt"]["mode"]')" = prefix

res=$(mktemp)
defer rm -f "$res"
start=$SECONDS
$PY - "$SEED" "$OA" "$OB" "$MA" "$MB" "$ONAT" "$RTR" \
	"$MWANCTL" "$res" "$(scaled 100)" <<-'EOF'
import ctypes, ipaddress, json, os, random, select, socket, struct, subprocess, sys, time

seed = int(sys.argv[1])
NS = dict(zip(("OA", "OB", "MA", "MB", "ONAT", "RTR"), sys.argv[2:8]))
MWANCTL, RESULT, SCALE = sys.argv[8], sys.argv[9], int(sys.argv[10])
CLONE_NEWNET = 0x40000000
ETH_P_IPV6 = 0x86dd
SOL_PACKET, PACKET_AUXDATA, PACKET_VNET_HDR = 263, 8, 15
TP_STATUS_CSUMNOTREADY = 1 << 3
MAGIC = b"NPTp"
libc = ctypes.CDLL(None, use_errno=True)
rng = random.Random(seed)

def say(*a):
    print(*a, flush=True)

def in_netns(netns, fn):
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open("/run/netns/" + netns, os.O_RDONLY)
    if libc.setns(there, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + netns)
    try:
        return fn()
    finally:
        libc.setns(home, CLONE_NEWNET)
        os.close(there)
        os.close(home)

def packet_socket(netns, dev, vnet=False):
    """A non-blocking packet socket on dev in netns; with vnet, what it
    sends starts with a virtio_net_hdr (checksum offload requests)."""
    def make():
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
        if vnet:
            s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
        else:
            s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        s.bind((dev, ETH_P_IPV6))
        s.setblocking(False)
        return s
    return in_netns(netns, make)

def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def oc_sum(data):
    if len(data) % 2:
        data += b"\0"
    return fold(sum(struct.unpack("!%dH" % (len(data) // 2), data)))

def pseudo(src, dst, n, nh):
    return src + dst + struct.pack("!IxxxB", n, nh)

def a2s(b):
    return str(ipaddress.IPv6Address(b))

UDP, TCP, ICMP, UDPLITE = 17, 6, 58, 136
L4_HDR = {UDP: 8, UDPLITE: 8, TCP: 20, ICMP: 8}
CSUM_AT = {UDP: 6, UDPLITE: 6, TCP: 16, ICMP: 2}
PROTO = {"udp": UDP, "udplite": UDPLITE, "tcp": TCP, "icmp": ICMP}

def l4_ok(ip6):
    """The L4 checksum of a packet without extension headers verifies."""
    nh, seg = ip6[6], ip6[40:]
    if nh == UDP and seg[6:8] == b"\0\0":
        return False
    return oc_sum(pseudo(ip6[8:24], ip6[24:40], len(seg), nh) + seg) == 0xffff

def partial_ok(ip6):
    """A checksum left to offload holds the pseudo-header sum."""
    nh, seg = ip6[6], ip6[40:]
    at = CSUM_AT[nh]
    want = oc_sum(pseudo(ip6[8:24], ip6[24:40], len(seg), nh))
    return struct.unpack("!H", seg[at:at + 2])[0] in (want, 0 if want == 0xffff else -1)

def with_csum(seg, nh, src, dst, partial=False, zero=False):
    at = CSUM_AT[nh]
    seg = seg[:at] + b"\0\0" + seg[at + 2:]
    if zero:
        c = 0
    elif partial:
        c = oc_sum(pseudo(src, dst, len(seg), nh))
    else:
        c = 0xffff - oc_sum(pseudo(src, dst, len(seg), nh) + seg)
        if c == 0 and nh in (UDP, UDPLITE):
            c = 0xffff
    return seg[:at] + struct.pack("!H", c) + seg[at + 2:]

def ip6hdr(nh, plen, src, dst, hops=64):
    first = 6 << 28 | rng.getrandbits(8) << 20 | rng.getrandbits(20)
    return struct.pack("!IHBB", first, plen, nh, hops) + src + dst

def build(proto, src, dst, tag, partial=False, zero=False):
    nh = PROTO[proto]
    payload = MAGIC + struct.pack("!I", tag) + rng.randbytes(rng.randrange(0, 160))
    if nh in (UDP, UDPLITE):
        # UDP-Lite: checksum coverage 0, the whole datagram
        ln = 8 + len(payload) if nh == UDP else 0
        hdr = struct.pack("!HHHH", rng.randrange(1024, 65536), rng.randrange(1, 65536), ln, 0)
    elif nh == TCP:
        flags = rng.choice((0x02, 0x18, 0x10))
        hdr = struct.pack("!HHIIBBHHH", rng.randrange(1024, 65536), rng.randrange(1, 65536),
                          rng.getrandbits(32), rng.getrandbits(32) if flags != 2 else 0,
                          5 << 4, flags, rng.randrange(1, 65536), 0, 0)
    else:
        hdr = struct.pack("!BBHHH", 128, 0, 0, rng.getrandbits(16), rng.getrandbits(16))
    seg = with_csum(hdr + payload, nh, src, dst, partial, zero)
    return ip6hdr(nh, len(seg), src, dst) + seg

def error(typ, code, info, src, dst, quoted):
    """An ICMPv6 error from src to dst quoting the packet quoted."""
    body = struct.pack("!BBHI", typ, code, 0, info) + quoted[:1232]
    body = with_csum(body, ICMP, src, dst)
    return ip6hdr(ICMP, len(body), src, dst) + body

def tag_of(ip6):
    off = L4_HDR.get(ip6[6])
    if off is None or len(ip6) < 48 + off or (ip6[6] == ICMP and ip6[40] != 128):
        return None
    m = ip6[40 + off:48 + off]
    return struct.unpack("!I", m[4:])[0] if m[:4] == MAGIC else None

def error_tag(ip6):
    if len(ip6) < 88 or ip6[6] != ICMP or ip6[40] not in (1, 2, 3, 4):
        return None
    t = tag_of(ip6[48:])
    return None if t is None else ("err", t)

class Port:
    def __init__(self, ns, dev):
        self.s = packet_socket(ns, dev)
        self.v = packet_socket(ns, dev, vnet=True)
        self.got = {}

MAC = {"a0": bytes.fromhex("020000000a02"), "ra": bytes.fromhex("020000000a01"),
       "b0": bytes.fromhex("020000000b02"), "rb": bytes.fromhex("020000000b01")}
P = {n: Port(NS[n], "a0" if n[1] == "A" else "b0") for n in ("OA", "OB", "MA", "MB")}
BEYOND_B = ipaddress.IPv6Address("2001:db8:ff::1").packed
HOP_B = ipaddress.IPv6Address("2001:db8:99::1").packed

def pump(timeout):
    r, _, _ = select.select([p.s for p in P.values()], [], [], max(timeout, 0))
    for p in P.values():
        if p.s not in r:
            continue
        while True:
            try:
                pkt, anc, _, sa = p.s.recvmsg(65535, 512)
            except BlockingIOError:
                break
            if sa[2] == socket.PACKET_OUTGOING or pkt[12:14] != b"\x86\xdd":
                continue
            partial = any(l == SOL_PACKET and t == PACKET_AUXDATA and
                          struct.unpack("=I", d[:4])[0] & TP_STATUS_CSUMNOTREADY
                          for l, t, d in anc)
            ip6 = pkt[14:]
            if len(ip6) < 40:
                continue
            ip6 = ip6[:40 + struct.unpack("!H", ip6[4:6])[0]]
            t = error_tag(ip6)
            if t is None:
                t = tag_of(ip6)
            if t is not None:
                p.got[t] = (ip6, partial)

def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while not pred():
        left = end - time.monotonic()
        if left <= 0:
            return False
        pump(left)
    return True

def run(*cmd, stdin=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          input=stdin).stdout

def mwanctl(*a):
    return run(MWANCTL, "-n", NS["RTR"], *a)

def counters():
    d = json.loads(mwanctl("-j", "link", "show", "ext"))[0]
    return {k: d["stats"][k] for k in ("npt_out", "npt_in", "npt_dropped")}

def configure(i, e):
    nft = ("nsenter", "--net=/run/netns/" + NS["ONAT"], "nft", "-f", "-")
    run(*nft, stdin="""
table ip6 npt
delete table ip6 npt
table ip6 npt {
    chain post {
        type nat hook postrouting priority srcnat;
        oifname "rb" ip6 saddr %s snat ip6 prefix to %s
    }
    chain pre {
        type nat hook prerouting priority dstnat;
        iifname "rb" ip6 daddr %s dnat ip6 prefix to %s
    }
}
""" % (i, e, e, i))
    mwanctl("link", "set", "ext", "npt", i, e)

def rand_prefix(top, topbits, plen):
    v = top << (128 - topbits) | rng.getrandbits(128 - topbits)
    v &= ((1 << plen) - 1) << (128 - plen)
    return v.to_bytes(16, "big")

def random_in(pfx, plen):
    a = bytearray((int.from_bytes(pfx, "big") | rng.getrandbits(128 - plen)).to_bytes(16, "big"))
    r = rng.random()
    if r < 0.15:
        a[8:] = b"\xff" * 8
    elif r < 0.25:
        a[8:] = b"\0" * 8
    return bytes(a)

def swap(addr, to, plen):
    """What the prefix swap must write, computed here."""
    mask = ((1 << plen) - 1) << (128 - plen)
    n = (int.from_bytes(addr, "big") & ~mask) | (int.from_bytes(to, "big") & mask)
    return n.to_bytes(16, "big")

R = {k: 0 for k in (
    "sent", "same", "oracle_bad", "mwan_lost", "csum_bad", "addr_bad", "partial",
    "partial_same", "partial_bad", "errors", "errors_same", "zero", "zero_ok",
    "counters_bad", "pairs", "config_bad", "udplite", "udplite_same")}
notes = []

def note(msg):
    if len(notes) < 30:
        notes.append(msg)
        say("# " + msg)

def diff(a, b):
    if a is None or b is None:
        return "missing"
    if len(a) != len(b):
        return "length %d vs %d" % (len(a), len(b))
    return "bytes differ at " + ",".join(str(i) for i in range(len(a)) if a[i] != b[i])[:80]

tag = 0
cur = {}
moved = {"npt_out": 0, "npt_in": 0}

def send(out, ip6, vnet=None):
    """Into both routers; vnet: (csum_start, csum_offset) to offload."""
    if out:
        frame = MAC["ra"] + MAC["a0"] + b"\x86\xdd" + ip6
        tx = ("OA", "MA")
    else:
        frame = MAC["rb"] + MAC["b0"] + b"\x86\xdd" + ip6
        tx = ("OB", "MB")
    for n in tx:
        if vnet:
            hdr = struct.pack("=BBHHHH", 1, 0, 0, 0, 14 + vnet[0], vnet[1])
            P[n].v.send(hdr + frame)
        else:
            P[n].s.send(frame)
    moved["npt_out" if out else "npt_in"] += 1
    return ("OB", "MB") if out else ("OA", "MA")

def compare(what, key, rx, addr_want, addr_at):
    """The two routers' copies of packet key: returns both or None."""
    o, m = P[rx[0]], P[rx[1]]
    wait_for(lambda: key in o.got and key in m.got, 3)
    a, b = o.got.get(key), m.got.get(key)
    if a is None:
        R["oracle_bad"] += 1
        note("%s: the nft oracle forwarded nothing" % what)
        return None
    if b is None:
        R["mwan_lost"] += 1
        note("%s: mwan forwarded nothing" % what)
        return None
    if a[0][addr_at:addr_at + 16] != addr_want:
        R["oracle_bad"] += 1
        note("%s: oracle wrote %s, want %s" % (what, a2s(a[0][addr_at:addr_at + 16]), a2s(addr_want)))
    if b[0][addr_at:addr_at + 16] != addr_want:
        R["addr_bad"] += 1
        note("%s: mwan wrote %s, want %s" % (what, a2s(b[0][addr_at:addr_at + 16]), a2s(addr_want)))
    return a, b

def trial(out, proto, addr, partial=False):
    """One packet; returns what the oracle forwarded, or None."""
    global tag
    tag += 1
    src, dst = (addr, BEYOND_B) if out else (BEYOND_B, addr)
    ip6 = build(proto, src, dst, tag, partial)
    nh = PROTO[proto]
    rx = send(out, ip6, (40, CSUM_AT[nh]) if partial else None)
    plen = cur["plen"]
    want = swap(addr, cur["ext"] if out else cur["int"], plen)
    what = "%s %s%s %s (tag %d)" % ("out" if out else "in", proto,
                                   " partial" if partial else "", a2s(addr), tag)
    r = compare(what, tag, rx, want, 8 if out else 24)
    if r is None:
        return None
    (a, a_part), (b, b_part) = r
    if partial:
        R["partial"] += 1
        ok = a_part and b_part and partial_ok(a) and partial_ok(b)
        R["partial_bad"] += not ok
        if not ok:
            note("%s: offloaded checksum (oracle %s %s, mwan %s %s)" %
                 (what, a_part, partial_ok(a), b_part, partial_ok(b)))
        R["partial_same"] += a == b
    else:
        R["sent"] += 1
        if not (l4_ok(a) and l4_ok(b)):
            R["csum_bad"] += 1
            note("%s: L4 checksum does not verify (oracle %s, mwan %s)" % (what, l4_ok(a), l4_ok(b)))
        if nh == UDPLITE:
            R["udplite"] += 1
            R["udplite_same"] += a == b
        R["same"] += a == b
    if a != b:
        note("%s: %s" % (what, diff(a, b)))
    return a

def error_trial(out, fwd, typ, code, info):
    """An error about packet fwd (as forwarded by the oracle, the other
    way): from outside about an outbound packet, or from the internal
    host about an inbound one."""
    if out:
        # the host answers the packet that reached it: fwd's dst is its address
        host = fwd[24:40]
        ip6 = error(typ, code, info, host, fwd[8:24], fwd)
        want = swap(host, cur["ext"], cur["plen"])
    else:
        ip6 = error(typ, code, info, HOP_B, fwd[8:24], fwd)
        want = swap(fwd[8:24], cur["int"], cur["plen"])
    key = ("err", tag_of(fwd))
    for p in P.values():
        p.got.pop(key, None)
    rx = send(out, ip6)
    what = "%s error %d/%d about tag %d (%d)" % ("out" if out else "in", typ, code, key[1], fwd[6])
    r = compare(what, key, rx, want, 8 if out else 24)
    if r is None:
        return
    (a, _), (b, _) = r
    R["errors"] += 1
    # the quote is the packet as the other side sent it: its address back,
    # and its checksum right for it
    qat = 48 + (24 if out else 8)
    for who, x in (("oracle", a), ("mwan", b)):
        if x[qat:qat + 16] != want or not l4_ok(x) or not l4_ok(x[48:]):
            R["csum_bad"] += 1
            note("%s: %s quotes %s, ICMPv6 checksum %s, quoted checksum %s" %
                 (what, who, a2s(x[qat:qat + 16]), l4_ok(x), l4_ok(x[48:])))
    if a == b:
        R["errors_same"] += 1
    else:
        note("%s: %s" % (what, diff(a, b)))

def zero_trial(addr):
    """UDP without checksum: mwan only (the oracle's conntrack calls it
    invalid and does not translate it)."""
    global tag
    tag += 1
    ip6 = build("udp", addr, BEYOND_B, tag, zero=True)
    send(True, ip6)
    R["zero"] += 1
    m = P["MB"]
    wait_for(lambda: tag in m.got, 3)
    b = m.got.get(tag)
    want = swap(addr, cur["ext"], cur["plen"])
    if b and b[0][8:24] == want and b[0][46:48] == b"\0\0" and b[0][24:] == ip6[24:]:
        R["zero_ok"] += 1
    else:
        note("UDP without checksum from %s: %s" % (a2s(addr), b and a2s(b[0][8:24])))

# Per pair: this many addresses each way; every protocol for each.
N = max(2, 5 * SCALE // 100)
PAIRS = [("3d06:bad:b01::", "2600:1700:2f71:c80::", 60)] + \
    [(None, None, l) for l in (48, 56, 64, 45, 57, 63)]
for i_s, e_s, plen in PAIRS:
    ip = ipaddress.IPv6Address(i_s).packed if i_s else rand_prefix(0xfd, 8, plen)
    ep = ipaddress.IPv6Address(e_s).packed if e_s else rand_prefix(1, 3, plen)
    i, e = "%s/%d" % (a2s(ip), plen), "%s/%d" % (a2s(ep), plen)
    try:
        configure(i, e)
        before = counters()
    except (subprocess.CalledProcessError, KeyError, ValueError) as ex:
        R["config_bad"] += 1
        note("configuring /%d: %s %s" % (plen, ex, getattr(ex, "stderr", "")))
        continue
    R["pairs"] += 1
    cur.update(int=ip, ext=ep, plen=plen)
    for k in moved:
        moved[k] = 0
    say("# npt %s %s" % (i, e))
    seed_pair = i_s is not None
    outs = [random_in(ip, plen) for _ in range(N)]
    if seed_pair:
        outs.insert(0, ipaddress.IPv6Address("3d06:bad:b01:1::100").packed)
    for a in outs:
        fwd = {}
        for proto in ("udp", "tcp", "icmp", "udplite"):
            fwd[proto] = trial(True, proto, a)
        for proto in ("udp", "tcp"):
            trial(True, proto, a, partial=True)
        for (proto, typ, code, info) in (("udp", 3, 0, 0), ("tcp", 2, 0, 1280),
                                         ("icmp", 1, 0, 0)):
            if fwd[proto] is not None:
                error_trial(False, fwd[proto], typ, code, info)
        zero_trial(a)
    ins = [random_in(ep, plen) for _ in range(N)]
    if seed_pair:
        ins.insert(0, ipaddress.IPv6Address("2600:1700:2f71:c81::100").packed)
    for a in ins:
        fwd = {}
        for proto in ("udp", "tcp", "icmp", "udplite"):
            fwd[proto] = trial(False, proto, a)
        trial(False, "tcp", a, partial=True)
        if fwd["udp"] is not None:
            error_trial(True, fwd["udp"], 1, 4, 0)
        if fwd["tcp"] is not None:
            error_trial(True, fwd["tcp"], 1, 1, 0)
    after = counters()
    got = {k: after[k] - before[k] for k in after}
    want = dict(moved, npt_dropped=0)
    if got != want:
        R["counters_bad"] += 1
        note("/%d counters moved by %s, expected %s" % (plen, got, want))

R["notes"] = notes
say("# %s" % json.dumps({k: v for k, v in R.items() if k != "notes"}))
with open(RESULT, "w") as f:
    json.dump(R, f)
EOF
echo "helper done in $((SECONDS - start)) s"

r() { pyq "d.get('$1', -1)" <"$res"; }
[ -s "$res" ] || { echo "FAIL: the helper produced no result"; exit 1; }
check "the $(r pairs) prefix pairs configured on both routers" \
	test "$(r config_bad)" = 0 -a "$(r pairs)" = 7
check "the nft oracle translated every packet" test "$(r oracle_bad)" = 0
check "mwan forwarded every packet" test "$(r mwan_lost)" = 0
check "mwan wrote the prefix-swapped address every time" test "$(r addr_bad)" = 0
check "mwan's packets byte-identical to nft's ($(r same)/$(r sent))" \
	test "$(r same)" = "$(r sent)" -a "$(r sent)" -gt 0
check "... UDP-Lite among them ($(r udplite_same)/$(r udplite))" \
	test "$(r udplite_same)" = "$(r udplite)" -a "$(r udplite)" -gt 0
check "L4 and ICMPv6 checksums verify after translation" test "$(r csum_bad)" = 0
check "checksums left to offload hold the new pseudo-header sum ($(r partial))" \
	test "$(r partial_bad)" = 0 -a "$(r partial)" -gt 0
check "... byte-identical to nft's ($(r partial_same)/$(r partial))" \
	test "$(r partial_same)" = "$(r partial)"
check "ICMPv6 errors both ways byte-identical to nft's ($(r errors_same)/$(r errors))" \
	test "$(r errors_same)" = "$(r errors)" -a "$(r errors)" -gt 0
check "UDP without checksum translated and left without ($(r zero_ok)/$(r zero))" \
	test "$(r zero_ok)" = "$(r zero)" -a "$(r zero)" -gt 0
check "npt_out and npt_in count exactly what was sent, npt_dropped 0" \
	test "$(r counters_bad)" = 0
exit $rc
