#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent's checks, each broken on purpose in the ISP that carries it,
# the link's carrier always up unless said. Three links; the server side
# answers ICMP, DNS (checksrv.py: NOERROR for the root, NXDOMAIN for other
# names) and TCP on port 80 at three IPv4 addresses and one IPv6.
#
#   wan1  icmp T1, dns T2, tcp T3:80, reliability 2: ISP 1 drops what goes
#         to T3: up (2 answer); to T2 as well: down (1 answers); neither:
#         up. Then its carrier goes, seven times: down within 100 ms.
#   wan2  icmp, 8 probes a round, failure-loss 40%, recovery-loss 10%: ISP 2
#         drops exactly 1 echo reply in 4 (25%): stays up; netem adds 60%
#         loss: down; netem gone, 25% again: stays down; no loss: up.
#   wan3  dns and tcp to the IPv6 server, reliability 2: ISP 3 drops UDP
#         port 53 (ICMP still passes): down, then up; then TCP port 80:
#         down, then up; then refuses TCP port 80 with a reset: stays up.
#
# The server must see each link's DNS and TCP probes from that link, and
# each link must go down exactly as often as it was broken (at least as
# often in the debug lane, whose VM stalls for seconds). The router
# starts as DHCP leaves it (a default route per uplink in main): the
# agent's own tables and rules carry the probes.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
source "$(dirname "$0")/agent_lib.sh"

T1=203.0.113.1 T2=203.0.113.2 T3=203.0.113.3
t0=0 t1=0 start=0
TOPO_ROUTES=main topo_create 3
inet ip -batch - <<-EOF
addr add $T2/32 dev srv
addr add $T3/32 dev srv
EOF

srvlog=$tmp/srv.log
inet $PY "$TOPO_DIR/checksrv.py" --log "$srvlog" --addr $T1 $T2 $T3 \
	"$SERVER6" &
defer flows_stop $!
check "the DNS and TCP server listens" slowwait 30 test -e "$srvlog.ready"

conf=$tmp/mwan.conf
# Rounds every 100 ms, 50 ms while failing, 300 ms for answers, down
# after 3 failed (the messages below say so): the DNS
# and TCP server is a Python program in a VM that shares its host. The
# debug lane's kernel makes every packet and program up to ten times as
# slow: there the rounds, and the waits that count them, take three times
# as long.
slow=1
[ "${MWAN_TEST_SCALE:-100}" -ge 100 ] || slow=3
tmo=$((300 * slow))
fast="interval $((100 * slow))ms failure-interval $((50 * slow))ms"
fast+=" recovery-interval $((100 * slow))ms timeout ${tmo}ms down 3"
nap_ms() { local s; printf -v s '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); nap "$s"; }
# hold MS: MS milliseconds of rounds, times $slow
hold() { nap_ms $(($1 * slow)); }
cat >"$conf" <<EOF2
# written by mwan_agent_checks.sh
link add wan1 dev wan1 id 1
link add wan2 dev wan2 id 2
link add wan3 dev wan3 id 3
policy add balanced member wan1 member wan2 member wan3
globals set default-policy balanced
check wan1 icmp $T1 dns $T2 tcp $T3:80 reliability 2 $fast
check wan2 icmp $SERVER4 count 8 failure-loss 40% recovery-loss 10% $fast
check wan3 dns $SERVER6 tcp [$SERVER6]:80 reliability 2 dns-name probe.example $fast
EOF2
check "mwan-agent --check accepts the file" \
	"$AGENT" -n "$RTR" --check "$conf"

events_start
agent_run "$conf"
check "the agent applies the file: three links, up" \
	slowwait 10 links_up wan1 wan2 wan3
now_us start
# what the far end saw of each link: the router masquerades, so the
# source is the link's address
seen() { grep -q "^$1\$" "$srvlog"; }
check "the server sees wan1's DNS probes ask for the root, from wan1" \
	slowwait 10 seen "dns 100.64.1.2 . 2"
check "the server sees wan1's TCP probes, from wan1" \
	slowwait 10 seen "tcp 100.64.1.2"
check "the server sees wan3's DNS probes ask for probe.example, from wan3" \
	slowwait 10 seen "dns 2001:db8:3::2 probe.example. 2"
check "the server sees wan3's TCP probes, from wan3" \
	slowwait 10 seen "tcp 2001:db8:3::2"
hold 1000
downs "wan1 wan2 wan3" 0
check "NXDOMAIN is an answer, and nothing is broken yet: no link went down" \
	test "$DOWNS" -eq 0
fds_before=$(ls "/proc/$agent/fd" | wc -l)

# A fault table in ISPs 1 and 3, and ISP 2's loss table, each fed
# through a pipe; ISP 1's carrier by a pipe to ip.
for i in 1 2 3; do
	isp "$i" nft -f - <<-NFT
	table inet fault {
		chain forward {
			type filter hook forward priority -10;
		}
	}
	NFT
done
feeder "$(isp_ns 1)" nft -i
nft1=$fd
feeder "$(isp_ns 2)" nft -i
nft2=$fd
feeder "$(isp_ns 3)" nft -i
nft3=$fd
feeder "$(isp_ns 1)" ip -force -batch -
ip1=$fd
dropped() { isp "$1" nft list chain inet fault forward | nft_packets; }
# ms_since T_US STAMP_US
ms() { echo $((($2 - $1) / 1000)); }

# reliability 2 of 3
now_us t0
echo "add rule inet fault forward ip daddr $T3 counter drop" >&"$nft1"
hold 1500
check "reliability 2: T3 silent, T1 and T2 answer: wan1 stays up" \
	none_went wan1 down "$t0"
check "T3's probes were dropped meanwhile" test "$(dropped 1)" -gt 0
now_us t0
echo "add rule inet fault forward ip daddr $T2 counter drop" >&"$nft1"
if await wan1 down "$t0"; then
	down=$AWAITED
	echo "reliability: wan1 down $(ms "$t0" "$down") ms after only T1 answered"
	check "reliability 2: only T1 answers: wan1 down" true
else
	check "reliability 2: only T1 answers: wan1 down" false
fi
check "the agent logs why, and who was silent" grep -q \
	"wan1: up -> down: 3 rounds failed (last: 1 of 3 targets answered, 2 needed); no answer from dns $T2, tcp $T3:80" \
	"$tmp/agent.log"
now_us t0
echo "flush chain inet fault forward" >&"$nft1"
check "all three answer again: wan1 up" await wan1 up "$t0"

# loss: exactly 1 echo reply in 4 is lost, between the thresholds
loss_ppm() { mwanctl link show wan2 | sed -n 's/.* loss \([0-9]*\).*/\1/p'; }
now_us t0
echo "add rule inet fault forward icmp type echo-reply numgen inc mod 4 0 counter drop" >&"$nft2"
# The kernel's loss is over the last 16 rounds, pushed once a second; 20%
# and more means 13 rounds or more at 25%, where 3 failed ones would have
# taken wan2 down.
loss_seen() { ((${ppm:-0} >= 200000 && ${ppm:-0} <= 300000)); }
for ((i = 0; i < 20 * slow; i++)); do
	nap 0.5
	ppm=$(loss_ppm)
	loss_seen && break
done
now_us t1
echo "wan2 loss the kernel shows: ${ppm:-none} ppm after $(ms "$t0" "$t1") ms"
check "the kernel shows wan2's loss, about 25%" loss_seen
check "25% loss, below failure-loss 40%: wan2 stays up" \
	none_went wan2 down "$t0"
now_us t0
isp 2 tc qdisc add dev down0 root netem loss 60%
if await wan2 down "$t0"; then
	down=$AWAITED
	echo "loss: wan2 down $(ms "$t0" "$down") ms after netem's 60% came on top"
	check "loss above failure-loss: wan2 down" true
else
	check "loss above failure-loss: wan2 down" false
fi
check "the agent logs why" grep -q \
	"wan2: up -> down: 3 rounds failed (last: 0 of 1 targets good, 1 needed)" \
	"$tmp/agent.log"
isp 2 tc qdisc del dev down0 root
now_us t0
hold 2000
check "25% loss again, above recovery-loss 10%: wan2 stays down" \
	none_went wan2 up "$t0"
now_us t0
echo "flush chain inet fault forward" >&"$nft2"
if await wan2 up "$t0"; then
	up=$AWAITED
	echo "loss: wan2 up $(ms "$t0" "$up") ms after the loss ended"
	check "no loss, below recovery-loss: wan2 up" true
else
	check "no loss, below recovery-loss: wan2 up" false
fi

# silent_named LINK TARGET SKIP: past the log's first SKIP lines, LINK
# went down and named TARGET ("dns ADDR") among those that did not answer
silent_named() {
	awk -v l="$1: up -> down: " -v t="$2" -v skip="$3" '
		NR > skip && index($0, l) && (i = index($0, "; no answer from ")) {
			n = split(substr($0, i + 17), w, ", ")
			for (k = 1; k <= n; k++)
				if (w[k] == t)
					found = 1
		}
		END { exit !found }' "$tmp/agent.log"
}

# DNS and TCP: the service stops answering, the host does not
ping3() { rtr ping -6 -q -c 1 -W 2 -m $((3 << 8)) -I wan3 "$SERVER6" >/dev/null; }
for what in "dns udp 53" "tcp tcp 80"; do
	read -r method proto port <<<"$what"
	logged=$(wc -l <"$tmp/agent.log")
	now_us t0
	echo "add rule inet fault forward $proto dport $port counter drop" >&"$nft3"
	if await wan3 down "$t0"; then
		down=$AWAITED
		echo "$method: wan3 down $(ms "$t0" "$down") ms after its port was dropped"
		check "$method check: port $port dropped: wan3 down" true
	else
		check "$method check: port $port dropped: wan3 down" false
	fi
	target="$method $SERVER6"
	[ "$method" = tcp ] && target="tcp [$SERVER6]:80"
	check "the agent logs the silent $method target" \
		silent_named wan3 "$target" "$logged"
	check "$method check: ICMP through ISP 3 still answered" ping3
	now_us t0
	echo "flush chain inet fault forward" >&"$nft3"
	check "$method check: port $port back: wan3 up" await wan3 up "$t0"
done

# a refused connection is an answer: the target's reset came back by the
# link (here ISP 3 refuses for it, as a closed port would)
now_us t0
echo "add rule inet fault forward tcp dport 80 counter reject with tcp reset" >&"$nft3"
hold 1000
check "tcp check: connections refused: wan3 stays up" \
	none_went wan3 down "$t0"
check "the connections were refused meanwhile" test "$(dropped 3)" -gt 0
echo "flush chain inet fault forward" >&"$nft3"

# carrier: ISP 1's side of wan1 goes down, with probes of every method
# in flight. A time measured in the VM also holds the host's hiccups (its
# CPUs are shared): the median is the agent's; the worst must still beat
# what probes could do (3 lost rounds take 900 ms at least), by far.
times=()
n=$(scaled 7)
for ((k = 0; k < n; k++)); do
	now_us t0
	echo "link set down0 down" >&"$ip1"
	await wan1 down "$t0" || break
	down=$AWAITED
	times+=("$(ms "$t0" "$down")")
	now_us t0
	echo "link set down0 up" >&"$ip1"
	await wan1 up "$t0" || break
done
check "carrier lost $n times: wan1 down and back up each time" \
	test "${#times[@]}" -eq "$n"
if ((${#times[@]})); then
	read -r median worst < <(printf '%s\n' "${times[@]}" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }')
	echo "carrier loss: down after $median ms (median of ${#times[@]}, worst $worst ms: ${times[*]})"
	# the debug lane (every program ten times as slow) measures it but
	# cannot hold the agent to a time
	if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
		check "carrier loss: down within 100 ms" test "$median" -le 100
		check "carrier loss: down before probes could, every time" \
			test "$worst" -lt 450
	fi
fi
check "the agent logs why" grep -q "wan1: up -> down: carrier lost$" \
	"$tmp/agent.log"

downs=
for i in 1 2 3; do
	went "wan$i" down "$start"
	downs+="${downs:+ }$WENT"
done
echo "downs of wan1, wan2, wan3: $downs"
want="$((1 + ${#times[@]})) 1 2"
if ((slow == 1)); then
	check "each link went down exactly as often as it was broken" \
		test "$downs" = "$want"
else
	# the debug lane's VM can stall for seconds (kmemleak scans on its
	# one CPU), every link's probes with it: it holds each fault seen
	check "each link went down at least as often as it was broken" \
		awk -v d="$downs" -v w="$want" 'BEGIN { split(d, a); split(w, b)
			exit !(a[1] >= b[1] && a[2] >= b[2] && a[3] >= b[3]) }'
fi
fds=$(ls "/proc/$agent/fd" | wc -l)
echo "agent's open files: $fds_before after start, $fds at the end"
# a round's: wan1 and wan3 have two DNS or TCP targets each, with the
# default count of 3 probes a socket each
check "the probes' sockets are closed: no more open files than after start plus a round's" \
	test "$fds" -le $((fds_before + 2 * 2 * 3))

agent_stop
exit $rc
