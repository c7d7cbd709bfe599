#!/bin/sh
# Live capture end to end into a node: in a network namespace made here
# (pdnsL$$, a veth pair inside it, IPv6 off so nothing but the replay is on
# the link) a pdns-node with throw-away keys (pdns keygen, node_env.sh's
# config) listens for sensors on ipc://; pdns-sensor -i on one veth end
# ships to it over CURVE while tcpreplay, bounded with --pps, replays a
# capture onto the other end.
# After SIGTERM (the sensor flushes, waits for every ACK, exits 0) the
# node's store (store_dump --origin local: keys and counts; times are the
# replay's) must equal a store built by `pdns-sensor -r CAPTURE --store`.
# Done for tests/data/sample.pcap and a capture from gen/gen_bench.py.
#
# Kernel drops: pdns-sensor prints "pdns-sensor: IFACE: kernel dropped N
# packets, interface M" at the end of a live capture only when N or M is
# not zero, so zero drops = that line absent from its standard error
# (which must hold its final "pdns-sensor: stats:" line, proving it was
# read). Stronger still, the live stats line must count as many packets as
# the capture holds, and tcpreplay must report every packet sent.
#
# Usage: live_node.sh BINDIR SRCDIR   (root, ip and tcpreplay; else exit 77)
set -u
BIN=$1
SRC=$2
PPS=2000
if [ "$(id -u)" -ne 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
	echo "skip: needs root, ip and tcpreplay"
	exit 77
fi
NS=pdnsL$$
A=lrA$$ B=lrB$$ # tcpreplay sends on A, the sensor listens on B
T=$(mktemp -d)
NODE_PID= SENSOR_PID=
stop() { # PID: SIGTERM it (a timeout(1) forwards it to its child), reap it
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
reap() { # what a case left running when it gave up early
	[ -n "$SENSOR_PID" ] && stop "$SENSOR_PID"
	[ -n "$NODE_PID" ] && stop "$NODE_PID"
	SENSOR_PID= NODE_PID=
}
cleanup() {
	reap
	ip netns del "$NS" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; return 1; fi; }
nsx() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" || { echo "skip: cannot create a network namespace"; exit 77; }
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add "$A" type veth peer name "$B" || { echo "skip: cannot create veth"; exit 77; }
ip -n "$NS" link set "$A" up && ip -n "$NS" link set "$B" up || { echo "not ok - veth up"; exit 1; }

timeout 60 /usr/bin/python3 "$SRC/tests/gen/gen_bench.py" --responses 3000 --out "$T/gen.pcap" >/dev/null 2>&1 ||
	{ echo "not ok - gen_bench.py"; exit 1; }

. "$SRC/tests/node/node_env.sh"

# rows STORE: name, type, section, rdata and count of every row of origin
# local, sorted (no times: the live ones are the replay's).
rows() {
	timeout 30 "$BIN/store_dump" --store "$1" --origin local 2>/dev/null | cut -f2-5,8 | LC_ALL=C sort
}
total() { rows "$1" | awk -F'\t' '{ n += $5 } END { print n + 0 }'; }
stat_of() { # FIELD FILE: a field of the sensor's final stats line
	sed -n 's/^pdns-sensor: stats:.* '"$1"'=\([0-9]*\).*/\1/p' "$2" | tail -n 1
}

# awaits TRIES PID CMD...: CMD true within TRIES tenths of a second while
# PID lives.
awaits() {
	_n=$1 _p=$2
	shift 2
	until "$@"; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] && kill -0 "$_p" 2>/dev/null || return 1
		sleep 0.1
	done
}
node_ready() { grep -q '^pdns-node: ready$' node.log 2>/dev/null; }
# The capture is open once the interface is in promiscuous mode (libpcap
# adds a packet socket membership: "promiscuity 1", no PROMISC flag).
capturing() { ip -n "$NS" -d link show "$B" | grep -q 'promiscuity [1-9]'; }

# live CASE CAPTURE FLUSHED: node and sensor in the namespace, the capture
# replayed; FLUSHED=yes: the replay outlasts --flush 1, so rows must reach
# the node before the stop. (Not so for a replay of a few milliseconds:
# on an idle link pcap_dispatch does not return, so rows still held when
# the traffic stopped wait for the next packet or the stop.)
live() {
	c=$1 cap=$2 flushed=$3 d=$T/$1
	mkdir -p "$d" && cd "$d" || return 1
	# node.conf from node_env.sh (keys node, s1, c1), listening on ipc://.
	node_env "live$c" node s1 c1 || { not_ok "$c: keys and node.conf"; return 1; }
	sed -i "s|^sensor-listen = .*|sensor-listen = ipc://$d/sensors.ipc|
		s|^query-listen = .*|query-listen = ipc://$d/queries.ipc|" node.conf
	timeout 120 ip netns exec "$NS" "$BIN/pdns-node" --config node.conf 2>node.log &
	NODE_PID=$!
	awaits 150 "$NODE_PID" node_ready && grep -q '^pdns-node: sensors: listening on ipc://' node.log
	check $? "$c: node ready in the namespace (sensors on ipc://)" ||
		{ sed 's/^/#   /' node.log; return 1; }

	# Reference: the same capture in file mode into a local store.
	timeout 60 "$BIN/pdns-sensor" -r "$cap" --sections all --store "$d/ref" 2>file.err
	check $? "$c: pdns-sensor -r into a store"
	ref_total=$(total "$d/ref")

	timeout 90 ip netns exec "$NS" "$BIN/pdns-sensor" -i "$B" --flush 1 --sections all \
		--node "ipc://$d/sensors.ipc" --node-key node.pub --key s1.key 2>live.err &
	SENSOR_PID=$!
	awaits 100 "$SENSOR_PID" capturing || { not_ok "$c: sensor capturing on $B"; sed 's/^/#   /' live.err; return 1; }
	sleep 0.5
	timeout 60 ip netns exec "$NS" tcpreplay -i "$A" --pps "$PPS" "$cap" >tcpreplay.out 2>&1
	rc=$?
	sent=$(sed -n 's/^[[:space:]]*Actual: \([0-9]*\) packets.*/\1/p' tcpreplay.out)
	fp=$(stat_of packets file.err)
	[ $rc = 0 ] && [ -n "$fp" ] && [ "$sent" = "$fp" ] &&
		grep -q '^[[:space:]]*Failed packets:[[:space:]]*0$' tcpreplay.out
	check $? "$c: tcpreplay --pps $PPS sent ${sent:-?} of the capture's $fp packets, none failed (exit $rc)"
	[ $rc = 0 ] || sed 's/^/#   /' tcpreplay.out

	# Wait until the node's total count holds still for 1.5 s (2 s at
	# least, 20 s at most) before the stop: the stop must not cut off
	# packets still in the ring. (Not waited for: the file mode's total, as
	# the last rows stay held on the now idle link until the stop.)
	i=0 still=0 before=0
	while [ $i -lt 40 ] && [ $still -lt 3 ] && kill -0 "$SENSOR_PID" 2>/dev/null; do
		sleep 0.5
		i=$((i + 1))
		now=$(total "$d/store")
		if [ "$now" = "$before" ] && [ $i -ge 4 ]; then still=$((still + 1)); else still=0; fi
		before=$now
	done
	if [ "$flushed" = yes ]; then
		[ "$before" -gt 0 ]
		check $? "$c: rows at the node before the stop (--flush 1): count $before of $ref_total"
	fi

	stop "$SENSOR_PID"
	rc=$?
	SENSOR_PID=
	check $rc "$c: sensor exits 0 on SIGTERM after every batch is acknowledged (exit $rc)"
	[ $rc = 0 ] || sed 's/^/#   /' live.err

	stop "$NODE_PID"
	rc=$?
	NODE_PID=
	[ $rc = 0 ] && grep -q '^pdns-node: stopped$' node.log
	check $? "$c: node stops cleanly on SIGTERM (exit $rc)"

	rows "$d/ref" >file.rows
	rows "$d/store" >live.rows
	[ -s file.rows ] && cmp -s live.rows file.rows
	check $? "$c: node store equals file mode: $(wc -l <file.rows) keys, total count $ref_total"
	diff live.rows file.rows | head -20 | sed 's/^/#   /'

	# Zero kernel drops: the stats line is there, the drop line is not,
	# and every packet of the capture was seen.
	grep -q '^pdns-sensor: stats: ' live.err && ! grep -q 'kernel dropped' live.err
	check $? "$c: no kernel drops reported"
	grep 'kernel dropped' live.err | sed 's/^/#   /'
	lp=$(stat_of packets live.err)
	[ -n "$fp" ] && [ "$lp" = "$fp" ]
	check $? "$c: live capture saw every packet ($lp of $fp)"
	diffs=
	for f in responses records nxdomain queries tcp_messages; do
		[ -n "$(stat_of $f file.err)" ] && [ "$(stat_of $f live.err)" = "$(stat_of $f file.err)" ] ||
			diffs="$diffs $f: live $(stat_of $f live.err) file $(stat_of $f file.err);"
	done
	[ -z "$diffs" ]
	check $? "$c: live counters equal file mode's (responses records nxdomain queries tcp_messages)$diffs"
	cd "$T" || return 1
}

live sample "$SRC/tests/data/sample.pcap" no
reap
live gen "$T/gen.pcap" yes # 3000 packets at --pps 2000: 1.5 s
reap

# The comparison tells captures apart: one capture's live rows are not the
# other's file rows.
[ -s "$T/sample/live.rows" ] && [ -s "$T/gen/file.rows" ] && ! cmp -s "$T/sample/live.rows" "$T/gen/file.rows"
check $? "the comparison tells the two captures apart"

if [ $fails -ne 0 ]; then
	echo "# $fails failed"
	for c in sample gen; do
		[ -f "$T/$c/node.log" ] && sed "s/^/# $c node: /" "$T/$c/node.log"
		[ -f "$T/$c/live.err" ] && sed "s/^/# $c sensor: /" "$T/$c/live.err"
	done
	exit 1
fi
echo "# all passed"
