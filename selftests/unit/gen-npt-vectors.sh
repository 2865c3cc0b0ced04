#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Usage: selftests/unit/gen-npt-vectors.sh [OUTPUT]
#
# Record NPTv6 oracle vectors from the kernel's own ip6t_NPT and write them
# to OUTPUT (default: npt-vectors.txt next to this script), the fixture
# test_npt.c checks kmod/npt.c against. Run on the host, it boots a VM with
# selftests/vm/run-vm.sh and runs itself there with --guest.
#
# In the guest, three namespaces:
#
#   A (inside)  a0 fc00:a::2 --- ra fc00:a::1  R  rb fc00:b::1 --- b0 fc00:b::2  B (outside)
#
# R translates with ip6tables -t mangle: SNPT in POSTROUTING on the way out
# to B, DNPT in PREROUTING on the way in from B, one rule pair per prefix
# pair. A Python helper holds a packet socket on a0 and one on b0. For each
# input address it sends a UDP datagram in at one end (source = the input,
# going out; destination = the input, coming in), reads the forwarded
# packet at the other end and prints the address R wrote, or "drop" if
# nothing came (an ICMPv6 error R sent instead is noted as a comment). It
# also checks that every forwarded UDP checksum still verifies: NPTv6 is
# meant to be checksum-neutral.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)

host_main() {
	local out=${1:-$HERE/npt-vectors.txt} tmp
	tmp=$(mktemp)
	# No mwan.ko in the guest: only the kernel's own modules are used.
	VM_MODULES='' "$HERE/../vm/run-vm.sh" --timeout 600 "$HERE/gen-npt-vectors.sh" \
		--guest >"$tmp"
	if ! grep -q '^# END$' "$tmp"; then
		cat "$tmp" >&2
		rm -f "$tmp"
		echo "gen-npt-vectors: the guest produced no vectors" >&2
		exit 1
	fi
	sed -n '/^# BEGIN$/,/^# END$/{/^# BEGIN$/d;/^# END$/d;p}' "$tmp" >"$out"
	rm -f "$tmp"
	echo "gen-npt-vectors: $(grep -c '^\(in\|out\) ' "$out") vectors in $out" >&2
}

# Prefix pairs: lengths up to /48 adjust word 3, longer ones the first IID
# word that is not 0xffff; odd lengths cut words (and bytes) in two. The
# /48 pair is RFC 6296's own example.
PAIRS="
fd01:203:405::/48 2001:db8:1::/48
fd20:9b7e::/32 2a02:61f0::/32
fd21:c4d3:5ea8::/45 2a03:7705:1b30::/45
fd22:37a1:e6c4:b000::/52 2a04:e0c9:20f3:6000::/52
fd23:8a6e:13d5:7c00::/56 2a05:41b2:9f07:ee00::/56
fd24:5bd0:c817:2380::/57 2a06:d93c:6a52:8f00::/57
fd25:f2a9:0c4e:71d0::/60 2a07:1e85:b3fa:4c60::/60
fd26:6c13:a8f2:5e9a::/63 2a08:b4e7:02c9:d35c::/63
fd27:0e58:d9b3:a461::/64 2a09:7f2d:86e1:0bc5::/64
"

ns() { ip netns exec "$@"; }

guest_setup() {
	local int ext
	modprobe ip6t_NPT
	modprobe ip6table_mangle 2>/dev/null || true
	for n in A R B; do
		ip netns add $n
		ip -n $n link set lo up
	done
	ip link add a0 netns A address 02:00:00:00:0a:02 type veth \
		peer name ra netns R address 02:00:00:00:0a:01
	ip link add b0 netns B address 02:00:00:00:0b:02 type veth \
		peer name rb netns R address 02:00:00:00:0b:01
	ns R sysctl -qw net.ipv6.conf.all.forwarding=1 \
		net.ipv6.icmp.ratelimit=0
	ns A ip addr add fc00:a::2/64 dev a0 nodad
	ns R ip addr add fc00:a::1/64 dev ra nodad
	ns R ip addr add fc00:b::1/64 dev rb nodad
	ns B ip addr add fc00:b::2/64 dev b0 nodad
	for d in "A a0" "R ra" "R rb" "B b0"; do
		# shellcheck disable=SC2086 # namespace and device
		set -- $d
		ns "$1" ip link set "$2" up
	done
	# Outbound packets go to fc00:c::1 beyond B; anything else R does
	# not know (the external side, where its ICMPv6 errors may go) too.
	ns R ip -6 route add fc00:c::/64 via fc00:b::2
	ns R ip -6 route add default via fc00:b::2
	echo "$PAIRS" | while read -r int ext; do
		[ -n "$int" ] || continue
		ns R ip -6 route add "$int" via fc00:a::2
		ns R ip6tables -t mangle -A POSTROUTING -o rb -s "$int" \
			-j SNPT --src-pfx "$int" --dst-pfx "$ext"
		ns R ip6tables -t mangle -A PREROUTING -i rb -d "$ext" \
			-j DNPT --src-pfx "$ext" --dst-pfx "$int"
	done
	# Let R learn both neighbours before the first datagram.
	ns R ping -6 -c1 -W5 fc00:a::2 >/dev/null
	ns R ping -6 -c1 -W5 fc00:b::2 >/dev/null
}

guest_main() {
	guest_setup
	echo "# BEGIN"
	cat <<-EOF
	# NPTv6 oracle vectors for selftests/unit/test_npt.c, recorded by
	# selftests/unit/gen-npt-vectors.sh from the kernel's ip6t_NPT
	# ($(ip6tables -V), SNPT in mangle POSTROUTING, DNPT in
	# mangle PREROUTING) on $(uname -r), $(uname -v).
	#
	# Regenerate with: selftests/unit/gen-npt-vectors.sh (boots a VM).
	#
	# "npt INTERNAL/LEN EXTERNAL/LEN" starts a prefix pair. Then
	# "out A B": a packet from A left with source B; "in A B": a packet
	# to A came in with destination B; "drop": the kernel refused it.
	# An indented comment after a vector is an ICMPv6 error seen then.
	EOF
	/usr/bin/python3 - "$PAIRS" <<-'EOF'
	import ctypes, ipaddress, os, random, select, socket, struct, sys

	CLONE_NEWNET = 0x40000000
	ETH_P_IPV6 = 0x86dd
	PORT = 6296
	MAGIC = b"NPTv"
	libc = ctypes.CDLL(None, use_errno=True)

	def packet_socket(netns, dev):
	    """A packet socket on dev, opened inside netns."""
	    home = os.open("/proc/self/ns/net", os.O_RDONLY)
	    there = os.open("/run/netns/" + netns, os.O_RDONLY)
	    if libc.setns(there, CLONE_NEWNET):
	        raise OSError(ctypes.get_errno(), "setns " + netns)
	    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
	                      socket.htons(ETH_P_IPV6))
	    s.bind((dev, ETH_P_IPV6))
	    libc.setns(home, CLONE_NEWNET)
	    os.close(there)
	    os.close(home)
	    return s

	def oc_fold(s):
	    while s >> 16:
	        s = (s & 0xffff) + (s >> 16)
	    return s

	def oc_sum(data):
	    return oc_fold(sum(struct.unpack("!%dH" % (len(data) // 2), data)))

	def frame(dst_mac, src_mac, src, dst, tag):
	    payload = MAGIC + struct.pack("!I", tag) + bytes(24)
	    ulen = 8 + len(payload)
	    udp = struct.pack("!HHHH", PORT, PORT, ulen, 0) + payload
	    pseudo = src + dst + struct.pack("!IxxxB", ulen, 17)
	    csum = 0xffff - oc_sum(pseudo + udp) or 0xffff
	    udp = udp[:6] + struct.pack("!H", csum) + udp[8:]
	    ip6 = struct.pack("!IHBB", 6 << 28, ulen, 17, 64) + src + dst
	    return dst_mac + src_mac + struct.pack("!H", ETH_P_IPV6) + ip6 + udp

	def parse(pkt):
	    """(kind, tag or None, src, dst, extra) of a frame we care about."""
	    if len(pkt) < 54 or pkt[12:14] != b"\x86\xdd":
	        return None
	    ip6 = pkt[14:]
	    nh, src, dst = ip6[6], ip6[8:24], ip6[24:40]
	    if nh == 17 and ip6[48:52] == MAGIC:
	        ulen = struct.unpack("!H", ip6[44:46])[0]
	        pseudo = src + dst + struct.pack("!IxxxB", ulen, 17)
	        ok = oc_sum(pseudo + ip6[40:40 + ulen]) == 0xffff
	        return ("udp", struct.unpack("!I", ip6[52:56])[0], src, dst, ok)
	    if nh == 58 and ip6[40] in (1, 4) and len(ip6) >= 88:
	        inner = ip6[48:88]
	        return ("icmp", None, src, dst,
	                "type %d code %d pointer %d, quoting %s -> %s" %
	                (ip6[40], ip6[41], struct.unpack("!I", ip6[44:48])[0],
	                 a2s(inner[8:24]), a2s(inner[24:40])))
	    return None

	def a2s(b):
	    return str(ipaddress.IPv6Address(b))

	def net(p):
	    n = ipaddress.IPv6Network(p)
	    return n.network_address.packed, n.prefixlen

	def word(b, w):
	    return b[2 * w] << 8 | b[2 * w + 1]

	def with_words(b, words):
	    b = bytearray(b)
	    for w, v in words.items():
	        b[2 * w:2 * w + 2] = struct.pack("!H", v)
	    return bytes(b)

	def random_in(rng, pfx, plen):
	    """A random address in pfx/plen; IID words lean to 0xffff and 0
	    so that the word selection gets exercised."""
	    host = rng.getrandbits(128 - plen)
	    a = bytearray((int.from_bytes(pfx, "big") | host).to_bytes(16, "big"))
	    for w in range(4, 8):
	        r = rng.random()
	        if r < 0.2:
	            a[2 * w:2 * w + 2] = b"\xff\xff"
	        elif r < 0.3:
	            a[2 * w:2 * w + 2] = b"\x00\x00"
	    return bytes(a)

	def zeroing_word(frm, to):
	    """The word value that the adjustment turns into 0xffff, which is
	    then written as 0x0000: the RFC 1071 rule."""
	    adj = oc_fold(oc_sum(frm) + (0xffff - oc_sum(to)))
	    return 0xffff - adj if adj != 0xffff else 0

	def specials(frm, to, plen):
	    z = zeroing_word(frm, to)
	    if plen <= 48:
	        return [with_words(frm, {3: 0xffff, 7: 1}),
	                with_words(frm, {3: z, 7: 2}),
	                with_words(frm, {3: 0, 4: 0xffff, 5: 0xffff,
	                                 6: 0xffff, 7: 0xffff})]
	    ff = 0xffff
	    return [with_words(frm, {4: z, 5: 0x1234, 7: 3}),
	            with_words(frm, {4: ff, 5: z, 6: 0x1234}),
	            with_words(frm, {4: ff, 5: ff, 6: 0x00ab, 7: 4}),
	            with_words(frm, {4: ff, 5: ff, 6: ff, 7: 0}),
	            with_words(frm, {4: ff, 5: ff, 6: ff, 7: 0xfffe}),
	            with_words(frm, {4: 0, 5: ff, 6: ff, 7: ff}),
	            with_words(frm, {4: ff, 5: ff, 6: ff, 7: ff})]

	MAC = {n: bytes.fromhex(m) for n, m in (
	    ("a0", "020000000a02"), ("ra", "020000000a01"),
	    ("b0", "020000000b02"), ("rb", "020000000b01"))}
	A0 = packet_socket("A", "a0")
	B0 = packet_socket("B", "b0")
	ADDR_A = ipaddress.IPv6Address("fc00:a::2").packed
	BEYOND_B = ipaddress.IPv6Address("fc00:c::1").packed
	ADDR_B = ipaddress.IPv6Address("fc00:b::2").packed
	tag = 0
	bad_csum = 0

	def drain(socks, want, timeout):
	    """Read until the datagram tagged want shows up (its address) or
	    timeout; note any ICMPv6 error seen on the way."""
	    global bad_csum
	    notes = []
	    deadline = timeout
	    while True:
	        r, _, _ = select.select(socks, [], [], deadline)
	        if not r:
	            return None, notes
	        for s in r:
	            pkt, sa = s.recvfrom(2048)
	            if sa[2] == socket.PACKET_OUTGOING:
	                continue
	            p = parse(pkt)
	            if p is None:
	                continue
	            if p[0] == "icmp":
	                notes.append("%s -> %s: ICMPv6 %s" %
	                             (a2s(p[2]), a2s(p[3]), p[4]))
	            elif p[1] == want:
	                bad_csum += not p[4]
	                return p, notes
	        deadline = 0.5 if notes else timeout

	def run(direction, addr):
	    global tag
	    tag += 1
	    if direction == "out":
	        f = frame(MAC["ra"], MAC["a0"], addr, BEYOND_B, tag)
	        A0.send(f)
	        p, notes = drain([B0, A0], tag, 2.0)
	        got = p and p[2]
	    else:
	        f = frame(MAC["rb"], MAC["b0"], ADDR_B, addr, tag)
	        B0.send(f)
	        p, notes = drain([A0, B0], tag, 2.0)
	        got = p and p[3]
	    print("%s %s %s" % (direction, a2s(addr), a2s(got) if got else "drop"))
	    for n in notes:
	        print("#   " + n)

	rng = random.Random(6296)
	pairs = [l.split() for l in sys.argv[1].splitlines() if l.strip()]
	for int_p, ext_p in pairs:
	    (ip, plen), (ep, _) = net(int_p), net(ext_p)
	    print("\nnpt %s %s" % (int_p, ext_p))
	    if plen == 48 and int_p.startswith("fd01:203:405:"):
	        run("out", ipaddress.IPv6Address("fd01:203:405:1::1234").packed)
	        run("in", ipaddress.IPv6Address("2001:db8:1:d550::1234").packed)
	    for direction, frm, to in (("out", ip, ep), ("in", ep, ip)):
	        for a in specials(frm, to, plen):
	            run(direction, a)
	        for _ in range(14):
	            run(direction, random_in(rng, frm, plen))
	print("\n# %d datagrams; forwarded UDP checksums that failed to verify: %d"
	      % (tag, bad_csum))
	EOF
	echo "# END"
}

if [ "${1:-}" = --guest ]; then
	guest_main
else
	host_main "$@"
fi
