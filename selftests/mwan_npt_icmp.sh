#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMPv6 errors across mwan's NPTv6, end to end. The router translates
# its LAN's 3d06:bad:b01::/60 to 2600:1700:2f71:c80::/60 on its uplink;
# beyond the ISP, the last link before the server has an MTU of 1400:
#
#   $LAN  lan0 3d06:bad:b01:1::2/64
#     |
#   $RTR  lan0 3d06:bad:b01:1::1   wan0 2001:db8:1::2    mwan link wan1, npt
#     |
#   $ISP  down0 2001:db8:1::1      up0 2001:db8:100::1   drops internal sources
#     |
#   $HOP  down0 2001:db8:100::2    up0 2001:db8:200::1   MTU 1400
#     |
#   $SRV  eth0 2001:db8:200::2 (MTU 1400), srv 2001:db8:ff::1
#
# An error about a LAN host's packet quotes it with the host's external
# address: the router must turn the quoted source back into the internal
# one, or the host's stack cannot match the error to its socket. An error
# about an inbound packet, sent from inside (by the router itself or by a
# LAN host), quotes the internal destination: the router must turn it into
# the external one. Sockets with IPV6_RECVERR check that each error was
# matched by the receiving stack (so its addresses and checksum are right);
# captures at both ends check the bytes: quoted addresses, ICMPv6
# checksums, and the quoted datagrams' own checksums (the end hosts
# compute theirs in software for it).
#
# NPT_MODE=prefix (the default, and mwanctl's: this test gives no mode) or
# rfc6296 (mwan_npt_icmp_rfc6296.sh). A prefix swap changes the quoted
# address's sum, so each error's quoted checksum and ICMPv6 checksum must
# be updated on the way; RFC 6296's mapping leaves them as they are.
# In prefix mode the router also offloads TCP and UDP to an nftables
# flowtable (FLOWTABLE=0 turns it off), so the Packet Too Big is about a
# flow the flowtable carries; the RFC 6296 run forwards plainly.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
checktool "tcpdump --version" "needs tcpdump"
[ "$FLOWTABLE" = 1 ] && require_module nf_flow_table_inet nft_flow_offload

INT_PFX=3d06:bad:b01::/60
EXT_PFX=2600:1700:2f71:c80::/60
NPT_MODE=${NPT_MODE:-prefix}
if [ "$NPT_MODE" = prefix ]; then
	FLOWTABLE=${FLOWTABLE:-1}
else
	FLOWTABLE=${FLOWTABLE:-0}
fi
LAN6=3d06:bad:b01:1::2
SRV6=2001:db8:ff::1
ISP_ADDR=2001:db8:1::1
HOP_ADDR=2001:db8:100::2
RTR_WAN=2001:db8:1::2

helper=$(mktemp)
defer rm -f "$helper"
cat >"$helper" <<'EOF'
"""Probes and packet checks for mwan_npt_icmp.sh."""
import argparse, ctypes, fcntl, ipaddress, json, socket, struct, sys, time

IPV6_RECVERR = 25
IPV6_UNICAST_HOPS = 16
ORIGIN = {0: "none", 1: "local", 2: "icmp", 3: "icmp6"}

def P(s):
    return ipaddress.IPv6Address(s).packed

def A(b):
    return str(ipaddress.IPv6Address(b))

def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s

def oc_sum(b):
    if len(b) % 2:
        b += b"\0"
    return fold(sum(struct.unpack("!%dH" % (len(b) // 2), b)))

def l4_ok(src, dst, nh, seg):
    return oc_sum(src + dst + struct.pack("!IxxxB", len(seg), nh) + seg) == 0xffff

def npt_map(addr, frm, to, plen):
    """RFC 6296 as ip6t_NPT does it (checked against npt-vectors.txt)."""
    mask = ((1 << plen) - 1) << (128 - plen)
    n = (int.from_bytes(addr, "big") & ~mask) | (int.from_bytes(to, "big") & mask)
    a = bytearray(n.to_bytes(16, "big"))
    adj = fold(oc_sum(frm) + (0xffff - oc_sum(to)))
    words = [3] if plen <= 48 else [w for w in range(4, 8) if a[2 * w:2 * w + 2] != b"\xff\xff"]
    w = words[0]
    v = fold((a[2 * w] << 8 | a[2 * w + 1]) + adj)
    a[2 * w:2 * w + 2] = struct.pack("!H", 0 if v == 0xffff else v)
    return bytes(a)

def swap_map(addr, to, plen):
    mask = ((1 << plen) - 1) << (128 - plen)
    n = (int.from_bytes(addr, "big") & ~mask) | (int.from_bytes(to, "big") & mask)
    return n.to_bytes(16, "big")

def image(args):
    i, e = ipaddress.IPv6Network(args.internal), ipaddress.IPv6Network(args.external)
    if args.mode == "prefix":
        print(A(swap_map(P(args.addr), e.network_address.packed, i.prefixlen)))
        return
    print(A(npt_map(P(args.addr), i.network_address.packed, e.network_address.packed,
                    i.prefixlen)))

def tx_csum_off(args):
    """Checksum in software on DEV (ethtool -K DEV tx off), so what it
    sends carries complete checksums, also when quoted in an error."""
    ev = ctypes.create_string_buffer(struct.pack("=II", 0x17, 0), 8)	# ETHTOOL_STXCSUM
    ifr = struct.pack("16sP", args.dev.encode(), ctypes.addressof(ev))
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    fcntl.ioctl(s, 0x8946, ifr)	# SIOCETHTOOL

def sink(args):
    """Count one TCP connection's bytes; answer with the count."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", args.port))
    s.listen(1)
    open(args.ready, "w").close()
    c, peer = s.accept()
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b"%d\n" % n)
    c.close()
    print(json.dumps({"peer": peer[0], "bytes": n}), flush=True)

def upload(args):
    s = socket.create_connection((args.dst, args.port), timeout=args.timeout)
    s.sendall(b"x" * args.bytes)
    s.shutdown(socket.SHUT_WR)
    print(s.makefile().readline().strip() or "none")

def probe(args):
    """One UDP datagram; print the ICMPv6 error the stack queued for it."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVERR, 1)
    if args.hops:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_UNICAST_HOPS, args.hops)
    if args.src or args.sport:
        s.bind((args.src or "::", args.sport or 0))
    s.connect((args.dst, args.port))
    s.send(b"probe\n")
    if args.ready:
        open(args.ready, "w").close()
    end = time.monotonic() + args.wait
    res = {"error": None}
    while time.monotonic() < end:
        try:
            _, anc, _, _ = s.recvmsg(512, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
        except BlockingIOError:
            time.sleep(0.05)
            continue
        for level, typ, data in anc:
            if level == socket.IPPROTO_IPV6 and typ == IPV6_RECVERR:
                errno, origin, t, code = struct.unpack("=IBBB", data[:7])
                res = {"error": errno, "origin": ORIGIN.get(origin, origin),
                       "type": t, "code": code, "offender": A(data[16 + 8:16 + 24])}
        break
    print(json.dumps(res))

def craft_te(args):
    """Send a Time Exceeded behind a Destination Options header, quoting a
    UDP datagram inner-src -> inner-dst (sport, dport, "probe\\n")."""
    isrc, idst = P(args.inner_src), P(args.inner_dst)
    payload = b"probe\n"
    udp = struct.pack("!HHHH", args.sport, args.dport, 8 + len(payload), 0) + payload
    c = 0xffff - oc_sum(isrc + idst + struct.pack("!IxxxB", len(udp), 17) + udp) or 0xffff
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    inner = struct.pack("!IHBB", 6 << 28, len(udp), 17, 1) + isrc + idst + udp
    src, dst = P(args.src), P(args.dst)
    icmp = struct.pack("!BBHI", 3, 0, 0, 0) + inner
    c = 0xffff - oc_sum(src + dst + struct.pack("!IxxxB", len(icmp), 58) + icmp)
    icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
    dopt = struct.pack("!BB", 58, 0) + b"\x01\x04\0\0\0\0"	# PadN
    pkt = struct.pack("!IHBB", 6 << 28, len(dopt) + len(icmp), 60, 64) + src + dst + dopt + icmp
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(pkt, (args.dst, 0))

EXT = {0, 43, 60}	# hop-by-hop, routing, destination options

def errors(args):
    """The ICMPv6 errors in a pcap (Ethernet), one JSON object each."""
    data = open(args.pcap, "rb").read()
    le = data[:4] == b"\xd4\xc3\xb2\xa1"
    off, out = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack("<I" if le else ">I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if frame[12:14] != b"\x86\xdd":
            continue
        ip = frame[14:]
        ip = ip[:40 + struct.unpack("!H", ip[4:6])[0]]
        nh, at, exts = ip[6], 40, []
        while nh in EXT and at + 8 <= len(ip):
            exts.append(nh)
            nh, at = ip[at], at + 8 + 8 * ip[at + 1]
        if nh != 58 or at + 48 > len(ip) or ip[at] >= 128:
            continue
        icmp = ip[at:]
        q = icmp[8:]
        e = {"src": A(ip[8:24]), "dst": A(ip[24:40]), "ext": exts,
             "type": icmp[0], "code": icmp[1],
             "info": struct.unpack("!I", icmp[4:8])[0],
             "csum_ok": l4_ok(ip[8:24], ip[24:40], 58, icmp),
             "inner_src": A(q[8:24]), "inner_dst": A(q[24:40]), "inner_nh": q[6]}
        qlen = struct.unpack("!H", q[4:6])[0]
        if q[6] in (6, 17, 58) and len(q) >= 40 + qlen:
            e["inner_l4_ok"] = l4_ok(q[8:24], q[24:40], q[6], q[40:40 + qlen])
        out.append(e)
    print(json.dumps(out))

ap = argparse.ArgumentParser()
sub = ap.add_subparsers(dest="cmd", required=True)
p = sub.add_parser("image"); p.add_argument("addr"); p.add_argument("internal"); p.add_argument("external")
p.add_argument("--mode", choices=("prefix", "rfc6296"), required=True)
p = sub.add_parser("tx-csum-off"); p.add_argument("dev")
p = sub.add_parser("sink"); p.add_argument("--port", type=int, required=True); p.add_argument("--ready", required=True)
p = sub.add_parser("upload"); p.add_argument("--dst", required=True); p.add_argument("--port", type=int, required=True)
p.add_argument("--bytes", type=int, required=True); p.add_argument("--timeout", type=float, default=30)
p = sub.add_parser("probe"); p.add_argument("--dst", required=True); p.add_argument("--port", type=int, required=True)
p.add_argument("--hops", type=int); p.add_argument("--src"); p.add_argument("--sport", type=int); p.add_argument("--wait", type=float, default=3)
p.add_argument("--ready")
p = sub.add_parser("craft-te")
for a in ("--src", "--dst", "--inner-src", "--inner-dst"):
    p.add_argument(a, required=True)
p.add_argument("--sport", type=int, required=True); p.add_argument("--dport", type=int, required=True)
p = sub.add_parser("errors"); p.add_argument("pcap")
args = ap.parse_args()
{"image": image, "sink": sink, "upload": upload, "probe": probe, "craft-te": craft_te,
 "errors": errors, "tx-csum-off": tx_csum_off}[args.cmd](args)
EOF
py() { $PY "$helper" "$@"; }

LAN_EXT=$(py image --mode "$NPT_MODE" "$LAN6" "$INT_PFX" "$EXT_PFX")
echo "NPT mode $NPT_MODE: the LAN host $LAN6 is $LAN_EXT outside"

setup_ns LAN RTR ISP HOP SRV
hop() { in_ns "$HOP" "$@"; }
srv() { in_ns "$SRV" "$@"; }
isp() { in_ns "$ISP" "$@"; }
for ns in "$LAN" "$RTR" "$ISP" "$HOP" "$SRV"; do
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.icmp.ratelimit=0
done
for ns in "$RTR" "$ISP" "$HOP"; do
	in_ns "$ns" sysctl -qw net.ipv6.conf.all.forwarding=1
done
veth "$LAN" lan0 "$RTR" lan0
veth "$RTR" wan0 "$ISP" down0
veth "$ISP" up0 "$HOP" down0
veth "$HOP" up0 "$SRV" eth0
hop ip link set up0 mtu 1400
srv ip link set eth0 mtu 1400
lan $PY "$helper" tx-csum-off lan0 || exit 1
srv $PY "$helper" tx-csum-off eth0 || exit 1
addr "$LAN" lan0 "$LAN6/64"
addr "$RTR" lan0 3d06:bad:b01:1::1/64
addr "$RTR" wan0 "$RTR_WAN/64"
addr "$ISP" down0 "$ISP_ADDR/64"
addr "$ISP" up0 2001:db8:100::1/64
addr "$HOP" down0 "$HOP_ADDR/64"
addr "$HOP" up0 2001:db8:200::1/64
addr "$SRV" eth0 2001:db8:200::2/64
srv ip link add srv type dummy
srv ip link set srv up
addr "$SRV" srv "$SRV6/128"
lan ip -6 route add default via 3d06:bad:b01:1::1
# The router: the LAN first, the rest of its /60 nowhere, the uplink's
# table for what mwan marks; failed neighbour lookups give up quickly.
rtr ip -6 route add unreachable "$INT_PFX"
rtr ip -6 route add default via "$ISP_ADDR"
rtr ip -6 route add default via "$ISP_ADDR" table 101
rtr ip -6 rule add pref 900 table main suppress_prefixlength 0
rtr ip -6 rule add pref 1001 fwmark 0x100/0x3f00 table 101
rtr sysctl -qw net.ipv6.neigh.lan0.mcast_solicit=2 \
	net.ipv6.neigh.lan0.retrans_time_ms=250
isp ip -6 route add "$EXT_PFX" via "$RTR_WAN"
isp ip -6 route add default via "$HOP_ADDR"
hop ip -6 route add default via 2001:db8:100::1
hop ip -6 route add "$SRV6/128" via 2001:db8:200::2
# The server's link is 1400 but it advertises a 1440-byte MSS, as if its
# own LAN were bigger: the LAN host's full-size segments meet the hop's
# 1400 and must learn it from a Packet Too Big.
srv ip -6 route add default via 2001:db8:200::1 advmss 1440
# Like a real ISP, this one drops what comes from the router with a source
# outside the router's external prefix and link; count what was internal.
isp nft -f - <<-NFT
table inet bcp38 {
	chain forward {
		type filter hook forward priority 0;
		iifname "down0" ip6 saddr $INT_PFX counter drop
		iifname "down0" ip6 saddr != { $EXT_PFX, 2001:db8:1::/64 } counter drop
	}
}
NFT
if [ "$FLOWTABLE" = 1 ]; then
	rtr nft -f - <<-NFT
	table inet fw4 {
		flowtable ft {
			hook ingress priority filter;
			devices = { lan0, wan0 };
		}
		chain forward {
			type filter hook forward priority filter;
			tcp dport 5001 counter comment "upload"
			meta l4proto { tcp, udp } flow add @ft
		}
	}
	NFT
	echo "router offloads TCP and UDP to flowtable ft"
fi
# The server drops datagrams to port 7777 instead of answering them.
srv nft add table inet f
srv nft add chain inet f in '{ type filter hook input priority 0; }'
srv nft add rule inet f in udp dport 7777 drop

if [ "$NPT_MODE" = prefix ]; then
	mwanctl link add wan1 dev wan0 id 1 npt "$INT_PFX" "$EXT_PFX" || exit 1
else
	mwanctl link add wan1 dev wan0 id 1 npt "$INT_PFX" "$EXT_PFX" \
		mode "$NPT_MODE" || exit 1
fi
check "the link translates in mode $NPT_MODE" \
	test "$(mwanctl -j link show wan1 | pyq 'd[0]["npt"]["mode"]')" = "$NPT_MODE"
mwanctl policy add p member wan1
mwanctl globals set default-policy p

# npt_stat NAME: a counter of link wan1
npt_stat() { mwanctl -j link show wan1 | pyq "(d[0] if isinstance(d, list) else d)['stats']['$1']"; }

tmp=$(mktemp -d)
defer rm -rf "$tmp"
defer stop_captures
CAP_PIDS=
# ip netns exec, not in_ns: libpcap looks the device up in /sys/class/net.
# --immediate-mode: each packet is written as it comes, not when the
# kernel hands over its buffer block (up to a second later, when the
# capture may have been stopped already).
capture() { # capture NS DEV FILE: ICMPv6 and anything behind extension headers
	ip netns exec "$1" tcpdump --immediate-mode -i "$2" -Z root -U -n \
		-w "$3" 'ip6 and not tcp' \
		2>"$3.log" &
	CAP_PIDS="$CAP_PIDS $!"
	slowwait 10 grep -q "listening on" "$3.log"
}
stop_captures() {
	[ -n "$CAP_PIDS" ] || return 0
	# shellcheck disable=SC2086 # a list of pids
	kill $CAP_PIDS 2>/dev/null
	# shellcheck disable=SC2086 # a list of pids
	wait $CAP_PIDS 2>/dev/null
	CAP_PIDS=
}
capture "$LAN" lan0 "$tmp/lan.pcap"
capture "$SRV" eth0 "$tmp/srv.pcap"

# ok JSON EXPR: EXPR, over the JSON as d, is true
ok() { [ "$(echo "$1" | pyq "bool($2)" 2>/dev/null)" = True ]; }

out0=$(npt_stat npt_out)
in0=$(npt_stat npt_in)

# 1. Path MTU discovery through the translation.
srv $PY "$helper" sink --port 5001 --ready "$tmp/sink.ready" \
	>"$tmp/sink.json" &
sink_pid=$!
slowwait 10 test -e "$tmp/sink.ready"
got=$(lan $PY "$helper" upload --dst "$SRV6" --port 5001 --bytes 1000000)
wait $sink_pid
check "a 1 MB upload crosses the 1400-byte link (server got $got bytes)" \
	test "$got" = 1000000
if [ "$FLOWTABLE" = 1 ]; then
	n=$(rtr nft list chain inet fw4 forward | nft_packets upload)
	echo "packets of the upload that crossed the forward chain: $n"
	check "the flowtable carried the upload" test "$n" -lt 50
fi
check "the server saw the LAN host as its external image $LAN_EXT" \
	test "$(pyq 'd["peer"]' <"$tmp/sink.json")" = "$LAN_EXT"
route=$(lan ip -6 route get "$SRV6")
echo "LAN host: $route"
check "the LAN host learned the path MTU 1400 for the server" \
	grep -q 'mtu 1400' <<<"$route"

# 2. Traceroute style: hop limit 2 expires at the ISP router.
udp_te=$(lan $PY "$helper" probe --dst "$SRV6" --port 33434 --hops 2)
echo "UDP probe, hop limit 2: $udp_te"
check "UDP probe: the LAN host's socket got Time Exceeded from the ISP" \
	ok "$udp_te" "d['origin'] == 'icmp6' and d['type'] == 3 and d['code'] == 0 and d['offender'] == '$ISP_ADDR'"
ping_out=$(lan ping -6 -c 1 -t 2 -W 3 "$SRV6" 2>&1)
echo "$ping_out" | sed -n 2p
check "ICMP probe: ping with hop limit 2 reports Time exceeded from the ISP" \
	grep -q "From $ISP_ADDR.*Time exceeded" <<<"$ping_out"

# 3. Errors the router sends from inside about inbound packets.
img_ghost=2600:1700:2f71:c81::99	# a LAN address nobody has
img_nowhere=2600:1700:2f71:c85::1	# in the /60, not routed inside
ghost=$(srv $PY "$helper" probe --src "$SRV6" --dst "$img_ghost" --port 9 --wait 5)
echo "to $img_ghost: $ghost"
check "no LAN host: the server got Address Unreachable from the router" \
	ok "$ghost" "d['type'] == 1 and d['code'] == 3 and d['offender'] == '$RTR_WAN'"
nowhere=$(srv $PY "$helper" probe --src "$SRV6" --dst "$img_nowhere" --port 9)
echo "to $img_nowhere: $nowhere"
check "no route inside: the server got No Route from the router" \
	ok "$nowhere" "d['type'] == 1 and d['code'] == 0 and d['offender'] == '$RTR_WAN'"
expired=$(srv $PY "$helper" probe --src "$SRV6" --dst "$LAN_EXT" --port 9 --hops 3)
echo "to $LAN_EXT, hop limit 3: $expired"
check "hop limit expiring at the router: the server got its Time Exceeded" \
	ok "$expired" "d['type'] == 3 and d['code'] == 0 and d['offender'] == '$RTR_WAN'"
# ... and one a LAN host sends: nothing listens on its port 9
refused=$(srv $PY "$helper" probe --src "$SRV6" --dst "$LAN_EXT" --port 9)
echo "to $LAN_EXT port 9: $refused"
check "closed port on the LAN host: the server got Port Unreachable from $LAN_EXT" \
	ok "$refused" "d['type'] == 1 and d['code'] == 4 and d['offender'] == '$LAN_EXT'"

# 4. An error behind a Destination Options header, about a LAN datagram.
# The probe gives it up to a minute: the crafter is a Python start away,
# seconds on the debug kernel.
in_before=$(npt_stat npt_in)
lan $PY "$helper" probe --dst "$SRV6" --port 7777 --sport 40000 \
	--wait 60 --ready "$tmp/dopt.ready" >"$tmp/dopt.json" &
probe_pid=$!
slowwait 10 test -e "$tmp/dopt.ready"
sleep 0.5
isp $PY "$helper" craft-te --src "$ISP_ADDR" --dst "$LAN_EXT" \
	--inner-src "$LAN_EXT" --inner-dst "$SRV6" --sport 40000 --dport 7777
wait $probe_pid
dopt=$(cat "$tmp/dopt.json")
echo "Time Exceeded behind Destination Options: $dopt"
check "the LAN host's socket matched it to its datagram" \
	ok "$dopt" "d['type'] == 3 and d['code'] == 0 and d['offender'] == '$ISP_ADDR'"
check "npt_in counted it" test "$(npt_stat npt_in)" -gt "$in_before"

sleep 0.5
stop_captures
lan_err=$(py errors "$tmp/lan.pcap")
srv_err=$(py errors "$tmp/srv.pcap")
echo "$lan_err" | pyq '"\n".join("LAN got %(type)d/%(code)d %(src)s -> %(dst)s ext %(ext)s quoting %(inner_src)s -> %(inner_dst)s csum %(csum_ok)s" % e for e in d)'
echo "$srv_err" | pyq '"\n".join("server got %(type)d/%(code)d %(src)s -> %(dst)s quoting %(inner_src)s -> %(inner_dst)s csum %(csum_ok)s" % e for e in d)'

# on_wire PCAP-JSON EXPR: some error e in the capture has EXPR
on_wire() { ok "$1" "any($2 for e in d)"; }
# all_ok PCAP-JSON: every error's ICMPv6 checksum verifies
all_ok() { ok "$1" "d and all(e['csum_ok'] for e in d)"; }
# quotes_ok PCAP-JSON N: at least N errors quote a whole TCP, UDP or ICMPv6
# packet (not cut short), and each quote's own checksum verifies
quotes_ok() {
	local q
	q=$(echo "$1" | pyq '[e["inner_l4_ok"] for e in d if "inner_l4_ok" in e]')
	echo "quoted checksums that verify: $q"
	ok "$1" "sum('inner_l4_ok' in e for e in d) >= $2 and all(e.get('inner_l4_ok', True) for e in d)"
}
int_q="e['dst'] == '$LAN6' and e['inner_src'] == '$LAN6' and e['inner_dst'] == '$SRV6'"
check "LAN: Packet Too Big (mtu 1400) from the hop, quoting the internal source" \
	on_wire "$lan_err" "e['type'] == 2 and e['info'] == 1400 and e['src'] == '$HOP_ADDR' and $int_q"
check "LAN: Time Exceeded from the ISP, quoting the internal source" \
	on_wire "$lan_err" "e['type'] == 3 and e['ext'] == [] and e['inner_nh'] == 17 and e['src'] == '$ISP_ADDR' and $int_q"
check "LAN: the ICMP probe's Time Exceeded quotes the internal source" \
	on_wire "$lan_err" "e['type'] == 3 and e['inner_nh'] == 58 and $int_q"
check "LAN: Time Exceeded behind Destination Options, quoting the internal source" \
	on_wire "$lan_err" "e['type'] == 3 and e['ext'] == [60] and $int_q"
check "LAN: the quoted datagram's UDP checksum still verifies there" \
	on_wire "$lan_err" "e['ext'] == [60] and e.get('inner_l4_ok')"
check "LAN: every error's ICMPv6 checksum verifies" all_ok "$lan_err"
check "LAN: the UDP, ICMPv6 and crafted quotes' own checksums verify" \
	quotes_ok "$lan_err" 3
ext_q() { echo "e['dst'] == '$SRV6' and e['inner_src'] == '$SRV6' and e['inner_dst'] == '$1'"; }
check "server: Address Unreachable quotes the external $img_ghost" \
	on_wire "$srv_err" "e['type'] == 1 and e['code'] == 3 and $(ext_q "$img_ghost")"
check "server: No Route quotes the external $img_nowhere" \
	on_wire "$srv_err" "e['type'] == 1 and e['code'] == 0 and $(ext_q "$img_nowhere")"
check "server: the router's Time Exceeded quotes the external $LAN_EXT" \
	on_wire "$srv_err" "e['type'] == 3 and e['src'] == '$RTR_WAN' and $(ext_q "$LAN_EXT")"
check "server: Port Unreachable comes from and quotes $LAN_EXT" \
	on_wire "$srv_err" "e['type'] == 1 and e['code'] == 4 and e['src'] == '$LAN_EXT' and $(ext_q "$LAN_EXT")"
check "server: every error's ICMPv6 checksum verifies" all_ok "$srv_err"
check "server: the quoted probes' UDP checksums verify" quotes_ok "$srv_err" 4
check "no error quotes or carries an internal address outside" \
	ok "$srv_err" "not any(a.startswith('3d06:') for e in d for a in (e['src'], e['inner_dst']))"

out1=$(npt_stat npt_out)
in1=$(npt_stat npt_in)
echo "npt_out $out0 -> $out1, npt_in $in0 -> $in1, npt_dropped $(npt_stat npt_dropped)"
check "npt_out and npt_in moved" test "$out1" -gt "$out0" -a "$in1" -gt "$in0"
check "npt_dropped stayed 0" test "$(npt_stat npt_dropped)" = 0
leaked=$(isp nft list chain inet bcp38 forward |
	awk '/3d06/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }')
check "the ISP never saw an internal source address ($leaked)" test "$leaked" = 0
exit $rc
