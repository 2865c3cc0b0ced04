#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mwan-agent as a systemd Type=notify service, against a stand-in for
# systemd's notify socket (notify_sock.py). Two links, each checked every
# 100 ms. NOTIFY_SOCKET is an abstract name in this namespace, while the
# agent works in the router's (-n); WATCHDOG_USEC=200000.
#   - READY=1 comes once, from the agent's own pid (what systemd accepts),
#     and only when the kernel has the file: the stand-in stops the agent
#     on READY=1 and looks at the kernel's links;
#   - STATUS= names the links: "wan1 up, wan2 up" with READY=1; ISP 2
#     drops what it forwards: "wan1 up, wan2 down", the kernel agreeing;
#     the ISP back: "wan1 up, wan2 up"; wan2's carrier lost: "wan1 up,
#     wan2 down (no carrier)", back: "wan1 up, wan2 down", after its good
#     rounds "wan1 up, wan2 up". Nothing else, no repeats;
#   - WATCHDOG=1 at half of WATCHDOG_USEC, never WATCHDOG_USEC apart
#     while the links are steady;
#   - SIGTERM: STOPPING=1 last, exit status 0.
# Then with a socket path, and WATCHDOG_PID naming another process:
# READY=1, no WATCHDOG=1 (that watchdog is not the agent's).

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/topo.sh"
topo_require
source "$(dirname "$0")/agent_lib.sh"

topo_create 2
topo_server

conf=$tmp/mwan.conf
{
	echo "link add wan1 dev wan1 id 1"
	echo "link add wan2 dev wan2 id 2"
	echo "policy add balanced member wan1 member wan2"
	echo "globals set default-policy balanced"
	for i in 1 2; do
		echo "check wan$i icmp $SERVER4 $SERVER6 interval 100ms" \
			"failure-interval 50ms recovery-interval 100ms" \
			"timeout 150ms down 3 up 3"
	done
} >"$conf"

# field KEY: each value of KEY= the stand-in got, one per line, in order
field() {
	awk -v k="$1=" '$1 ~ /^[0-9]+$/ {
		sub(/^[0-9]+ [0-9]+ /, "")
		n = split($0, f, "|")
		for (i = 1; i <= n; i++)
			if (index(f[i], k) == 1)
				print substr(f[i], length(k) + 1)
	}' "$notify"
}
got() { grep -q "$1" "$notify"; }
status_is() { [ "$(field STATUS | tail -n1)" = "$1" ]; }
# listen ADDRESS [CMD...]: a stand-in, its lines in $notify
listens=0
listen() {
	notify=$tmp/notify.$((++listens))
	$PY "$TOPO_DIR/notify_sock.py" "$@" >"$notify" 2>&1 &
	defer flows_stop $!
	slowwait 20 got '^listening'
}

name="@mwan-notify-$$-$SRANDOM"
listen "$name" "$MWANCTL" -n "$RTR" link show
NOTIFY_SOCKET=$name WATCHDOG_USEC=200000 \
	"$AGENT" -n "$RTR" -c "$conf" 2>"$tmp/agent.log" &
agent=$!
defer flows_stop "$agent"

check "READY=1 arrives" slowwait 30 got ' READY=1'
slowwait 20 got '^ready-checked'
check "at READY=1 the kernel has the file's links" \
	test "$(grep -cE '^ready-check: link wan[12] id [12] ' "$notify")" -eq 2
check "READY=1 comes with the links' states" \
	got ' READY=1|STATUS=wan1 up, wan2 up$'

# From READY=1 to the end, a shell that wakes every 10 ms notes when it
# could not (the VM did not run, its host busy): a watchdog ping is
# excused that much lateness.
stall_watch "$tmp/quiet.end"
stalls=$STALL_PID

# ISP 2 drops what it forwards, its carrier up
now_us t0
isp 2 nft -f - <<-NFT
table inet fault {
	chain forward {
		type filter hook forward priority -10; policy drop;
	}
}
NFT
check "STATUS= changes when wan2 goes down" \
	slowwait 10 status_is "wan1 up, wan2 down"
down=$(awk '/STATUS=wan1 up, wan2 down$/ { print $1; exit }' "$notify")
echo "wan2 down in STATUS= $(((down - t0) / 1000)) ms after the fault"
check "and the kernel has wan2 down" \
	sh -c "$MWANCTL -n $RTR link show wan2 | grep -q ' state down'"
isp 2 nft delete table inet fault
check "STATUS= changes when wan2 is back up" \
	slowwait 10 status_is "wan1 up, wan2 up"
# wan2's carrier goes, and comes back
isp 2 ip link set down0 down
check "STATUS= says when a link has no carrier" \
	slowwait 10 status_is "wan1 up, wan2 down (no carrier)"
isp 2 ip link set down0 up
check "STATUS= with the carrier back: wan2 down, then up" \
	slowwait 10 status_is "wan1 up, wan2 up"
statuses=$(field STATUS | paste -sd/)
echo "STATUS= sent: $statuses"
check "STATUS= on each change only" test "$statuses" = "$(paste -sd/ <<-EOF
	wan1 up, wan2 up
	wan1 up, wan2 down
	wan1 up, wan2 up
	wan1 up, wan2 down (no carrier)
	wan1 up, wan2 down
	wan1 up, wan2 up
	EOF
)"

# three seconds more of watchdog pings, with nothing else going on
now_us quiet
sleep 3
touch "$tmp/quiet.end"
wait "$stalls"
kill -TERM "$agent"
wait "$agent"
check "SIGTERM: the agent exits with status 0" test $? -eq 0
check "SIGTERM: STOPPING=1, the last message" \
	slowwait 5 sh -c "tail -n1 $notify | grep -q ' STOPPING=1$'"
check "READY=1 once, and all from the agent's own pid" test "$(awk -v p="$agent" '
	$1 ~ /^[0-9]+$/ { bad += $2 != p }
	/[ |]READY=1(\||$)/ { n++ }
	END { print n + 0, bad + 0 }' "$notify")" = "1 0"

# The watchdog pings from READY=1 (once the stand-in let the agent go on)
# to STOPPING=1: their gaps in ms, and those of the quiet end alone. While
# a link changes, the agent waits for the kernel, which waits for RTNL:
# under emulation on a busy host that can take a few hundred ms.
gaps() {
	awk -v t="$1" '/ READY=1/ { on = 1; next }
		/ STOPPING=1/ { on = 0 }
		on && / WATCHDOG=1$/ {
			if (last && $1 >= t) print ($1 - last) / 1000
			last = $1
		}' "$notify" | sort -n
}
# the quiet end's pings that came 200 ms or more after the one before,
# less the time the VM stood still in between
late_pings() {
	awk -v t="$quiet" 'FILENAME == ARGV[1] { from[NR] = $1; to[NR] = $2; n = NR; next }
		/ READY=1/ { on = 1; next }
		/ STOPPING=1/ { on = 0 }
		on && / WATCHDOG=1$/ {
			if (last && $1 >= t) {
				stood = 0
				for (i = 1; i <= n; i++) {
					a = from[i] > last ? from[i] : last
					b = to[i] < $1 ? to[i] : $1
					if (b > a)
						stood += b - a
				}
				if ($1 - last - stood >= 200000) {
					late++
					printf "# late ping: %d ms after the last, the VM stood still %d ms\n", ($1 - last) / 1000, stood / 1000 >"/dev/stderr"
				}
			}
			last = $1
		}
		END { print late + 0 }' "$tmp/stalls" "$notify"
}
stats() { awk '{ g[NR] = $1; s += $1 } END { print NR, g[int((NR + 1) / 2)], g[NR], s }'; }
read -r n median max span < <(gaps 0 | stats)
read -r qn _ qmax _ < <(gaps "$quiet" | stats)
echo "watchdog: $n gaps over $span ms, median $median ms, longest $max ms; quiet end: $qn gaps, longest $qmax ms"
stood=$(awk '{ s += $2 - $1 } END { print int(s / 1000) }' "$tmp/stalls")
echo "the VM stood still $stood ms of them"
check "WATCHDOG=1 every 100 ms (half of WATCHDOG_USEC) while the VM ran" \
	awk -v m="$median" -v n="$n" -v s="$span" -v v="$stood" \
	'BEGIN { exit !(n >= 20 && m >= 90 && m <= 110 && n * 100 >= (s - v) * 0.9) }'
# a debug kernel, everything ten times as slow, cannot hold the agent to
# the time; it still measures it
if [ "${MWAN_TEST_SCALE:-100}" -ge 100 ]; then
	check "WATCHDOG=1 never WATCHDOG_USEC (200 ms) apart while links are steady, but for the VM's stalls" \
		test "$(late_pings)" = 0
fi

# A socket path; the watchdog is another process's
listen "$tmp/notify.sock"
NOTIFY_SOCKET=$tmp/notify.sock WATCHDOG_USEC=200000 WATCHDOG_PID=1 \
	"$AGENT" -n "$RTR" -c "$conf" 2>>"$tmp/agent.log" &
agent=$!
defer flows_stop "$agent"
check "socket path: READY=1 arrives" slowwait 30 got ' READY=1|STATUS='
sleep 1
check "WATCHDOG_PID of another process: no WATCHDOG=1 in a second" \
	test "$(field READY)/$(field WATCHDOG | wc -l)" = 1/0
kill -TERM "$agent"
wait "$agent"
check "socket path: STOPPING=1 on SIGTERM" \
	slowwait 5 got " $agent STOPPING=1$"

echo "agent log:"
sed 's/^/  /' "$tmp/agent.log"
exit $rc
