#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan's NPTv6 in RFC 6296 mode on the wire, with the kernel's own ip6t_NPT
# as the oracle (mwan_npt_prefix_wire.sh does the prefix swap).
# Two routers side by side, wired the same way:
#
#   $OA  a0 --- ra  $ONPT (ip6tables SNPT/DNPT, NOTRACK)  rb --- b0  $OB
#   $MA  a0 --- ra  $RTR  (mwan link "ext" on rb, npt)    rb --- b0  $MB
#
# A Python helper holds a packet socket on each a0 and b0 and sends the
# same crafted IPv6 packet (UDP, TCP with payload, ICMPv6 echo request;
# random flow label, traffic class, ports, payload) into both routers at
# once, then compares what leaves them: the whole IPv6 packet, L4
# checksum included, must be byte for byte the same. Outbound, the source
# is an internal address; inbound, the destination is an external one, and
# for every address an outbound packet was translated to, an inbound
# packet must come back to the original internal address.
#
# Prefix pairs are random (seed printed; MWAN_NPT_SEED=N repeats a run) at
# /48, /56, /60, /64 and some odd lengths, reconfigured live with "mwanctl
# link set ext npt". Addresses include ones whose adjusted word comes out
# 0xffff (written 0x0000, RFC 1071) and, past /48, the all-ones interface
# identifier that cannot be mapped: mwan must drop it, send its sender a
# Parameter Problem (code 0, pointer at the address) quoting the packet as
# it was, and count it in npt_dropped. ip6t_NPT drops it too, but quotes a
# half-rewritten packet: only the drop is compared there.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
checktool "ip6tables -V" "needs ip6tables"
require_module ip6t_NPT xt_CT
modprobe -q ip6table_mangle 2>/dev/null
modprobe -q ip6table_raw 2>/dev/null

SEED=${MWAN_NPT_SEED:-$(( (RANDOM << 15) | RANDOM ))}
echo "seed $SEED (MWAN_NPT_SEED=$SEED repeats this run)"

setup_ns OA ONPT OB MA RTR MB

source "$(dirname "$0")/npt_bench.sh"
wire "$OA" "$ONPT" "$OB"
wire "$MA" "$RTR" "$MB"

# The oracle: no conntrack (ip6t_NPT's man page), its mangle rules come
# from the helper, one pair at a time.
in_ns "$ONPT" ip6tables -t raw -A PREROUTING -j NOTRACK || exit 1
in_ns "$ONPT" ip6tables -t raw -A OUTPUT -j NOTRACK || exit 1

# mwan: one link on rb, the default policy, its routing table.
ip -n "$RTR" -6 route add default via fc00:b::2 dev rb table 101
ip -n "$RTR" -6 rule add pref 900 table main suppress_prefixlength 0
ip -n "$RTR" -6 rule add pref 1001 fwmark 0x100/0x3f00 table 101
check "link add with npt" \
	mwanctl link add ext dev rb id 1 npt fd01:203:405::/48 2001:db8:1::/48 \
	mode rfc6296
mwanctl policy add p member ext
mwanctl globals set default-policy p
check "link show reports the npt counters" test "$(mwanctl -j link show ext |
	pyq '("npt_out" in str(d)) and ("npt_dropped" in str(d))')" = True

res=$(mktemp)
defer rm -f "$res"
start=$SECONDS
$PY - "$SEED" "$OA" "$OB" "$MA" "$MB" "$ONPT" "$RTR" \
	"$MWANCTL" "$res" <<-'EOF'
import ctypes, ipaddress, json, os, random, select, socket, struct, subprocess, sys, time

seed = int(sys.argv[1])
NS = dict(zip(("OA", "OB", "MA", "MB", "ONPT", "RTR"), sys.argv[2:8]))
MWANCTL, RESULT = sys.argv[8], sys.argv[9]
CLONE_NEWNET = 0x40000000
ETH_P_IPV6 = 0x86dd
MAGIC = b"NPTw"
libc = ctypes.CDLL(None, use_errno=True)
rng = random.Random(seed)

def say(*a):
    print(*a, flush=True)

def packet_socket(netns, dev):
    """A non-blocking packet socket on dev, opened inside netns."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    there = os.open("/run/netns/" + netns, os.O_RDONLY)
    if libc.setns(there, CLONE_NEWNET):
        raise OSError(ctypes.get_errno(), "setns " + netns)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6))
    s.bind((dev, ETH_P_IPV6))
    s.setblocking(False)
    libc.setns(home, CLONE_NEWNET)
    os.close(there)
    os.close(home)
    return s

def oc_sum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def l4_ok(ip6):
    """The L4 (or ICMPv6) checksum of an IPv6 packet without extension headers verifies."""
    plen = struct.unpack("!H", ip6[4:6])[0]
    seg = ip6[40:40 + plen]
    pseudo = ip6[8:24] + ip6[24:40] + struct.pack("!IxxxB", len(seg), ip6[6])
    return oc_sum(pseudo + seg) == 0xffff

def a2s(b):
    return str(ipaddress.IPv6Address(b))

L4_HDR = {17: 8, 6: 20, 58: 8}
CSUM_AT = {17: 6, 6: 16, 58: 2}
PROTO = {"udp": 17, "tcp": 6, "icmp": 58}

def build(proto, src, dst, tag):
    nh = PROTO[proto]
    payload = MAGIC + struct.pack("!I", tag) + rng.randbytes(rng.randrange(0, 160))
    if nh == 17:
        hdr = struct.pack("!HHHH", rng.randrange(1024, 65536), rng.randrange(1, 65536),
                          8 + len(payload), 0)
    elif nh == 6:
        flags = rng.choice((0x02, 0x18, 0x10))	# SYN, PSH|ACK, ACK
        hdr = struct.pack("!HHIIBBHHH", rng.randrange(1024, 65536), rng.randrange(1, 65536),
                          rng.getrandbits(32), rng.getrandbits(32) if flags != 2 else 0,
                          5 << 4, flags, rng.randrange(1, 65536), 0, 0)
    else:
        hdr = struct.pack("!BBHHH", 128, 0, 0, rng.getrandbits(16), rng.getrandbits(16))
    seg = hdr + payload
    pseudo = src + dst + struct.pack("!IxxxB", len(seg), nh)
    c = 0xffff - oc_sum(pseudo + seg) or (0xffff if nh == 17 else 0)
    at = CSUM_AT[nh]
    seg = seg[:at] + struct.pack("!H", c) + seg[at + 2:]
    first = 6 << 28 | rng.getrandbits(8) << 20 | rng.getrandbits(20)
    return struct.pack("!IHBB", first, len(seg), nh, 64) + src + dst + seg

def tag_of(ip6):
    if len(ip6) < 56:
        return None
    off = L4_HDR.get(ip6[6])
    if off is None or (ip6[6] == 58 and ip6[40] != 128):
        return None
    m = ip6[40 + off:48 + off]
    return struct.unpack("!I", m[4:])[0] if m[:4] == MAGIC else None

def error_tag(ip6):
    """The tag of the packet an ICMPv6 error quotes, or None."""
    if len(ip6) < 88 or ip6[6] != 58 or ip6[40] not in (1, 2, 3, 4):
        return None
    return tag_of(ip6[48:])

class Port:
    def __init__(self, ns, dev):
        self.s = packet_socket(ns, dev)
        self.fwd, self.err = {}, {}

MAC = {"a0": bytes.fromhex("020000000a02"), "ra": bytes.fromhex("020000000a01"),
       "b0": bytes.fromhex("020000000b02"), "rb": bytes.fromhex("020000000b01")}
P = {n: Port(NS[n], "a0" if n[1] == "A" else "b0") for n in ("OA", "OB", "MA", "MB")}
BEYOND_B = ipaddress.IPv6Address("fc00:c::1").packed
ADDR_B = ipaddress.IPv6Address("fc00:b::2").packed

def pump(timeout):
    r, _, _ = select.select([p.s for p in P.values()], [], [], max(timeout, 0))
    for p in P.values():
        if p.s not in r:
            continue
        while True:
            try:
                pkt, sa = p.s.recvfrom(65535)
            except BlockingIOError:
                break
            if sa[2] == socket.PACKET_OUTGOING or pkt[12:14] != b"\x86\xdd":
                continue
            ip6 = pkt[14:]
            if len(ip6) < 40:
                continue
            ip6 = ip6[:40 + struct.unpack("!H", ip6[4:6])[0]]
            t = tag_of(ip6)
            if t is not None:
                p.fwd[t] = ip6
                continue
            t = error_tag(ip6)
            if t is not None:
                p.err.setdefault(t, []).append(ip6)

def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while not pred():
        left = end - time.monotonic()
        if left <= 0:
            return False
        pump(left)
    return True

def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

def mwanctl(*a):
    return run(MWANCTL, "-n", NS["RTR"], *a)

def counters():
    d = json.loads(mwanctl("-j", "link", "show", "ext"))
    if isinstance(d, list):
        d = d[0]
    return {k: d["stats"][k] for k in ("npt_out", "npt_in", "npt_dropped")}

def configure(i, e):
    nt = ("nsenter", "--net=/run/netns/" + NS["ONPT"], "ip6tables", "-t", "mangle")
    run(*nt, "-F")
    run(*nt, "-A", "POSTROUTING", "-o", "rb", "-s", i, "-j", "SNPT",
        "--src-pfx", i, "--dst-pfx", e)
    run(*nt, "-A", "PREROUTING", "-i", "rb", "-d", e, "-j", "DNPT",
        "--src-pfx", e, "--dst-pfx", i)
    mwanctl("link", "set", "ext", "npt", i, e, "mode", "rfc6296")

def rand_prefix(top, topbits, plen):
    v = top << (128 - topbits) | rng.getrandbits(128 - topbits)
    v &= ((1 << plen) - 1) << (128 - plen)
    return v.to_bytes(16, "big")

def with_words(b, words):
    b = bytearray(b)
    for w, v in words.items():
        b[2 * w:2 * w + 2] = struct.pack("!H", v)
    return bytes(b)

def word(b, w):
    return b[2 * w] << 8 | b[2 * w + 1]

def random_in(pfx, plen):
    """A random address in pfx/plen, IID words leaning to 0xffff and 0."""
    a = bytearray((int.from_bytes(pfx, "big") | rng.getrandbits(128 - plen)).to_bytes(16, "big"))
    for w in range(4, 8):
        r = rng.random()
        if r < 0.2:
            a[2 * w:2 * w + 2] = b"\xff\xff"
        elif r < 0.3:
            a[2 * w:2 * w + 2] = b"\x00\x00"
    return bytes(a)

def zeroing_word(frm, to):
    """The word value the adjustment turns into 0xffff, written 0x0000."""
    adj = (oc_sum(frm) + (0xffff - oc_sum(to)))
    while adj >> 16:
        adj = (adj & 0xffff) + (adj >> 16)
    return 0xffff - adj if adj != 0xffff else 0

def specials(frm, to, plen):
    z, ff = zeroing_word(frm, to), 0xffff
    if plen <= 48:
        return [with_words(frm, {3: z, 7: 2}), with_words(frm, {3: ff, 7: 1}),
                with_words(frm, {3: 0, 4: ff, 5: ff, 6: ff, 7: ff})]
    return [with_words(frm, {4: z, 5: 0x1234, 7: 3}),
            with_words(frm, {4: ff, 5: z, 6: 0x1234}),
            with_words(frm, {4: ff, 5: ff, 6: ff, 7: 0}),
            with_words(frm, {4: 0, 5: ff, 6: ff, 7: ff}),
            with_words(frm, {4: ff, 5: ff, 6: ff, 7: ff})]

def adjusted_word(addr, plen):
    if plen <= 48:
        return 3
    for w in range(4, 8):
        if word(addr, w) != 0xffff:
            return w
    return None

def in_prefix(addr, pfx, plen):
    n = ipaddress.IPv6Network((pfx, plen))
    return ipaddress.IPv6Address(addr) in n

R = {k: 0 for k in (
    "out", "in", "out_same", "in_same", "oracle_bad", "mwan_lost", "csum_bad",
    "roundtrip", "roundtrip_bad", "zero_rule", "zero_rule_same", "unmappable",
    "both_dropped", "pp_ok", "pp_bad", "counters_bad", "pairs", "config_bad")}
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

def trial(direction, addr, proto, want=None):
    """Send one packet to both routers; returns the oracle's output or None."""
    global tag
    tag += 1
    out = direction == "out"
    src, dst = (addr, BEYOND_B) if out else (ADDR_B, addr)
    ip6 = build(proto, src, dst, tag)
    if out:
        frame = MAC["ra"] + MAC["a0"] + b"\x86\xdd" + ip6
        tx, rx = ("OA", "MA"), ("OB", "MB")
    else:
        frame = MAC["rb"] + MAC["b0"] + b"\x86\xdd" + ip6
        tx, rx = ("OB", "MB"), ("OA", "MA")
    for n in tx:
        P[n].s.send(frame)
    o, m = P[rx[0]], P[rx[1]]
    what = "%s %s %s (tag %d)" % (direction, proto, a2s(addr), tag)
    plen = cur["plen"]
    # 0xffff and 0x0000 are the same in ones' complement: a /48 subnet
    # 0xffff comes back as 0x0000 (RFC 6296 section 3.4 forbids it)
    if want and plen <= 48 and word(want, 3) == 0xffff:
        want = with_words(want, {3: 0})
    if unmappable(addr, plen):
        R["unmappable"] += 1
        mwan_err = P[tx[1]]
        wait_for(lambda: tag in mwan_err.err, 2)
        pump(0.2)
        if tag not in o.fwd and tag not in m.fwd:
            R["both_dropped"] += 1
        else:
            note("%s: unmappable yet forwarded (oracle %s, mwan %s)" %
                 (what, tag in o.fwd, tag in m.fwd))
        check_pp(what, mwan_err.err.get(tag, []), ip6, out)
        return None
    R[direction] += 1
    wait_for(lambda: tag in o.fwd and tag in m.fwd, 3)
    a, b = o.fwd.get(tag), m.fwd.get(tag)
    if a is None:
        R["oracle_bad"] += 1
        note("%s: ip6t_NPT forwarded nothing" % what)
        return None
    new = a[8:24] if out else a[24:40]
    to_pfx = cur["ext"] if out else cur["int"]
    if not in_prefix(new, to_pfx, plen) or (want and new != want):
        R["oracle_bad"] += 1
        note("%s: ip6t_NPT wrote %s" % (what, a2s(new)))
    if want:
        R["roundtrip"] += 1
        if b is None or b[24:40] != want:
            R["roundtrip_bad"] += 1
            note("%s: mwan did not restore %s" % (what, a2s(want)))
    w = adjusted_word(addr, plen)
    zero = word(new, w) == 0 and word(addr, w) != 0
    R["zero_rule"] += zero
    if b is None:
        R["mwan_lost"] += 1
        note("%s: mwan forwarded nothing" % what)
        return a
    if not (l4_ok(a) and l4_ok(b)):
        R["csum_bad"] += 1
        note("%s: L4 checksum does not verify (oracle %s, mwan %s)" %
             (what, l4_ok(a), l4_ok(b)))
    if a == b:
        R[direction + "_same"] += 1
        R["zero_rule_same"] += zero
    else:
        note("%s: ip6t_NPT %s, mwan %s: %s" % (what, a2s(new),
             a2s(b[8:24] if out else b[24:40]), diff(a, b)))
    return a

def unmappable(addr, plen):
    return plen > 48 and all(word(addr, w) == 0xffff for w in range(4, 8))

def check_pp(what, errs, sent, out):
    """mwan's Parameter Problem: code 0, pointer at the address, sent to
    the sender, quoting the packet as sent (the hop limit may be one less
    going out, as it was forwarded), with a valid ICMPv6 checksum."""
    if not errs:
        R["pp_bad"] += 1
        seen = ["%s (%s -> %s, type %d)" % (n, a2s(x[8:24]), a2s(x[24:40]), x[40])
                for n, p in P.items() for x in p.err.get(tag, [])]
        note("%s: no ICMPv6 error reached the sender; errors seen: %s" %
             (what, ", ".join(seen) or "none"))
        return
    e = errs[0]
    typ, code, ptr = e[40], e[41], struct.unpack("!I", e[44:48])[0]
    quoted = e[48:]
    bad = []
    if (typ, code, ptr) != (4, 0, 8 if out else 24):
        bad.append("type %d code %d pointer %d" % (typ, code, ptr))
    if e[24:40] != sent[8:24]:
        bad.append("sent to %s" % a2s(e[24:40]))
    if not l4_ok(e):
        bad.append("bad ICMPv6 checksum")
    if quoted[:7] + quoted[8:] != sent[:7] + sent[8:] or \
            quoted[7] not in (sent[7], sent[7] - 1):
        bad.append("quotes %s -> %s: %s" % (a2s(quoted[8:24]), a2s(quoted[24:40]),
                                            diff(quoted, sent)))
    if bad:
        R["pp_bad"] += 1
        note("%s: Parameter Problem %s" % (what, "; ".join(bad)))
    else:
        R["pp_ok"] += 1

LENS = [48, 56, 60, 64, 45, 57, 63]
cur = {}
for plen in LENS:
    ip, ep = rand_prefix(0xfd, 8, plen), rand_prefix(1, 3, plen)
    i, e = "%s/%d" % (a2s(ip), plen), "%s/%d" % (a2s(ep), plen)
    try:
        configure(i, e)
        before = counters()
    except (subprocess.CalledProcessError, KeyError, ValueError) as ex:
        R["config_bad"] += 1
        note("configuring /%d: %s %s" % (plen, ex, getattr(ex, "stderr", "")))
        before = None
    R["pairs"] += 1
    cur.update(int=ip, ext=ep, plen=plen)
    start = dict(R)
    say("# npt %s %s" % (i, e))
    outs = specials(ip, ep, plen) + [random_in(ip, plen) for _ in range(6)]
    back = []
    for a in outs:
        for proto in ("udp", "tcp", "icmp"):
            r = trial("out", a, proto)
            if r is not None and proto == "udp":
                back.append((r[8:24], a))
    for ext_addr, orig in back:
        for proto in ("udp", "tcp", "icmp"):
            trial("in", ext_addr, proto, want=orig)
    for a in specials(ep, ip, plen) + [random_in(ep, plen) for _ in range(4)]:
        for proto in ("udp", "tcp", "icmp"):
            trial("in", a, proto)
    if before is not None:
        after = counters()
        got = {k: after[k] - before[k] for k in after}
        want = {"npt_out": R["out"] - start["out"], "npt_in": R["in"] - start["in"],
                "npt_dropped": R["unmappable"] - start["unmappable"]}
        if got != want:
            R["counters_bad"] += 1
            note("/%d counters moved by %s, expected %s" % (plen, got, want))

# npt off: the link leaves sources alone again
R["off_ok"] = 0
try:
    mwanctl("link", "set", "ext", "npt", "off")
    addr = random_in(cur["int"], cur["plen"])
    tag += 1
    ip6 = build("udp", addr, BEYOND_B, tag)
    P["MA"].s.send(MAC["ra"] + MAC["a0"] + b"\x86\xdd" + ip6)
    wait_for(lambda: tag in P["MB"].fwd, 3)
    got = P["MB"].fwd.get(tag)
    R["off_ok"] = int(got is not None and got[8:] == ip6[8:])
    if not R["off_ok"]:
        note("npt off: %s" % ("nothing forwarded" if got is None else a2s(got[8:24])))
except subprocess.CalledProcessError as ex:
    note("npt off: %s" % ex.stderr)

R["notes"] = notes
say("# %s" % json.dumps({k: v for k, v in R.items() if k != "notes"}))
with open(RESULT, "w") as f:
    json.dump(R, f)
EOF
echo "helper done in $((SECONDS - start)) s"

r() { pyq "d.get('$1', -1)" <"$res"; }
[ -s "$res" ] || { echo "FAIL: the helper produced no result"; exit 1; }
pairs=$(r pairs)
check "the $pairs prefix pairs configured on both routers" test "$(r config_bad)" = 0
check "ip6t_NPT translated every mappable packet ($(r out) out, $(r in) in)" \
	test "$(r oracle_bad)" = 0
check "mwan forwarded every mappable packet" test "$(r mwan_lost)" = 0
check "outbound: mwan's packets byte-identical to ip6t_NPT's ($(r out_same)/$(r out))" \
	test "$(r out_same)" = "$(r out)" -a "$(r out)" -gt 0
check "inbound: mwan's packets byte-identical to ip6t_NPT's ($(r in_same)/$(r in))" \
	test "$(r in_same)" = "$(r in)" -a "$(r in)" -gt 0
check "L4 checksums verify after translation" test "$(r csum_bad)" = 0
check "inbound to an outbound packet's external source restores it ($(r roundtrip))" \
	test "$(r roundtrip_bad)" = 0 -a "$(r roundtrip)" -gt 0
check "the 0xffff -> 0x0000 rule was hit and matched ($(r zero_rule_same)/$(r zero_rule))" \
	test "$(r zero_rule_same)" = "$(r zero_rule)" -a "$(r zero_rule)" -ge "$pairs"
check "unmappable addresses dropped by both routers ($(r both_dropped)/$(r unmappable))" \
	test "$(r both_dropped)" = "$(r unmappable)" -a "$(r unmappable)" -gt 0
check "mwan answered each with a Parameter Problem quoting the original ($(r pp_ok))" \
	test "$(r pp_bad)" = 0 -a "$(r pp_ok)" = "$(r unmappable)"
check "npt_out, npt_in and npt_dropped count exactly what was sent" \
	test "$(r counters_bad)" = 0
check "npt off: sources leave untranslated" test "$(r off_ok)" = 1
exit $rc
