#!/bin/sh
# pdns-sensor --spool end to end, on ipc:// endpoints in a temporary
# directory: batches spooled while no node runs survive kill -9 and a
# timeout, and reach the node exactly once at the next start (the counts
# equal a store built locally from the same captures; the same spool sent
# twice changes nothing); a full spool pauses the input until the node is
# back; a node whose store was replaced makes the sensor start a new stream,
# and the new store gets the new batches exactly once.
# usage: sensor_spool.sh BINDIR SAMPLE.pcap
set -u
BIN=$1
PCAP=$2
T=$(mktemp -d)
NODE_PID=
SENSOR_PID=
cleanup() {
	[ -n "$SENSOR_PID" ] && kill -9 "$SENSOR_PID" 2>/dev/null
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }

cd "$T" || exit 1
for k in node s1 c1; do
	timeout 10 "$BIN/pdns" keygen "$k" >/dev/null || { echo "keygen $k failed"; exit 1; }
done
cat > node.conf <<CONF
[node]
name = testnode
key-file = node.key
store = $T/store
sensor-listen = ipc://$T/sensors.ipc
query-listen = ipc://$T/queries.ipc

[sensor s1]
public-key = s1.pub

[client c1]
public-key = c1.pub
CONF

# wait_for FILE PATTERN [PID]: until PATTERN is in FILE (10 s at most,
# and not once PID has ended).
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && return 1
		[ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null && return 1
		sleep 0.1
	done
}

start_node() {
	timeout 120 "$BIN/pdns-node" --config node.conf 2> node.log &
	NODE_PID=$!
	wait_for node.log '^pdns-node: ready$' "$NODE_PID" || { cat node.log; return 1; }
}

stop_node() {
	kill -TERM "$NODE_PID"
	wait "$NODE_PID"
	NODE_PID=
}

# wait_exit PID: its exit code once it ends (30 s at most, then kill -9).
# Background sensors run without timeout(1): kill -9 must reach them.
wait_exit() {
	i=0
	while kill -0 "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			kill -9 "$1"
			wait "$1"
			return 124
		fi
		sleep 0.1
	done
	wait "$1"
}

# The pdns --node answers equal pdns --store $1's (the difference, if not).
same_as() {
	for q in "-r *.example.com" "-i 192.0.2.0/24" "--nxdomain *.example.com"; do
		timeout 30 "$BIN/pdns" --node "ipc://$T/queries.ipc" --node-key node.pub \
			--key c1.key $q -j > via_node.json 2> via_node.err
		rc=$?
		timeout 30 "$BIN/pdns" --store "$1" $q -j > via_store.json 2>/dev/null
		if [ $rc != 0 ] || [ ! -s via_store.json ] || ! cmp -s via_node.json via_store.json
		then
			echo "# pdns $q: --node (exit $rc: $(cat via_node.err)) and --store $1 differ:"
			diff via_node.json via_store.json | head -5 | sed 's/^/# /'
			return 1
		fi
	done
}

batches() { ls "$1" | grep -c '\.batch$'; }

SENSOR="--node ipc://$T/sensors.ipc --node-key node.pub --key s1.key"
# A 1 MB cache flushes several times per copy of the capture: ~19 batches
# for three copies, more than the 2 the window keeps in memory.
SMALL="--cache 1 --node-window 2"
THREE="-r $PCAP -r $PCAP -r $PCAP"

# (a) No node: every batch goes to the spool; kill -9 while waiting.
"$BIN/pdns-sensor" -q $THREE $SENSOR $SMALL --spool spool --node-timeout 50 2> a.err &
SENSOR_PID=$!
wait_for a.err "waiting for node" "$SENSOR_PID"
check $? "no node: the sensor waits for acknowledgements ($(cat a.err))"
n_a=$(batches spool)
[ "$n_a" -gt 2 ]
check $? "no node: more batches in the spool than the window ($n_a)"
kill -9 "$SENSOR_PID"
wait "$SENSOR_PID" 2>/dev/null
SENSOR_PID=
modes=$(stat -c '%a' spool spool/state spool/*.batch | sort | uniq -c | tr -s ' ')
[ "$(stat -c '%a' spool)" = 700 ] && [ "$(stat -c '%a' spool/state)" = 600 ] &&
	[ "$(stat -c '%a' spool/*.batch | sort -u)" = 600 ] && [ "$(batches spool)" = "$n_a" ]
check $? "after kill -9: the spool (0700) keeps its $n_a batch files (0600) ($modes)"

# A spool others may write is refused.
mkdir -m 777 open
timeout 20 "$BIN/pdns-sensor" -q -r "$PCAP" $SENSOR --spool open > open.out 2>&1
rc=$?
[ $rc = 77 ] && grep -q "'open' has mode 0777" open.out
check $? "a spool of mode 0777 refused (exit $rc: $(cat open.out))"

# A second run, still no node: it resumes the stream, adds its batches and
# gives up after --node-timeout, leaving them all in the spool (exit 69).
timeout 60 "$BIN/pdns-sensor" -q -r "$PCAP" $SENSOR $SMALL --spool spool --node-timeout 2 \
	2> a2.err
rc=$?
n_a2=$(batches spool)
[ $rc = 69 ] && grep -q "resuming stream .* with $n_a unacknowledged" a2.err &&
	grep -q "$n_a2 batches stay in the spool 'spool'" a2.err && [ "$n_a2" -gt "$n_a" ]
check $? "timeout: exit 69, the $n_a2 batches stay in the spool (exit $rc: $(cat a2.err))"
cp -rp spool spool.copy

# (d) A full spool: input waits, the sensor stays up, at most one batch more.
"$BIN/pdns-sensor" -q $THREE $SENSOR $SMALL --spool full --spool-max 1k 2> d.err &
SENSOR_PID=$!
wait_for d.err "spool 'full' is full" "$SENSOR_PID"
check $? "a full spool says so ($(cat d.err))"
sleep 1
kill -0 "$SENSOR_PID" 2>/dev/null && [ "$(batches full)" -le 2 ]
check $? "a full spool pauses the input ($(batches full) batch files)"

# (b) The node comes: the waiting sensor goes on and ends; the spool alone
# is sent by a sensor with no input. Seven copies in all, each once.
start_node
check $? "node: ready"
wait_exit "$SENSOR_PID"
rc=$?
SENSOR_PID=
[ $rc = 0 ] && [ "$(batches full)" = 0 ]
check $? "the paused sensor resumes once the node is back, and ends (exit $rc)"
timeout 60 "$BIN/pdns-sensor" $SENSOR --spool spool --node-timeout 20 2> b.err
rc=$?
[ $rc = 0 ] && grep -q "resuming stream .* with $n_a2 unacknowledged" b.err &&
	[ "$(batches spool)" = 0 ]
check $? "the spool alone is sent and emptied (exit $rc: $(cat b.err))"

# The same runs into a local store: one run counts a TCP answer seen again
# in the next copy as a retransmission, so the runs matter, not the copies.
for r in "$THREE" "-r $PCAP" "$THREE"; do
	timeout 30 "$BIN/pdns-sensor" -q $r --cache 1 --store "$T/local7" ||
		not_ok "local store: $r"
done
same_as "$T/local7"
check $? "the node holds the spooled and the paused batches exactly once"

# The same batches again (a copy of the spool): duplicates, nothing added.
timeout 60 "$BIN/pdns-sensor" -q $SENSOR --spool spool.copy --node-timeout 20 2> dup.err
rc=$?
same_as "$T/local7"
r2=$?
[ $rc = 0 ] && [ $r2 = 0 ] && [ "$(batches spool.copy)" = 0 ]
check $? "a spool sent twice is applied once (exit $rc: $(cat dup.err))"

# (c) The node loses its store: the sensor that resumes its stream finds
# its batches acknowledged 0, starts a new stream and sends them once.
stop_node
mv store store.lost
start_node
check $? "node: ready on an empty store"
timeout 60 "$BIN/pdns-sensor" -q -r "$PCAP" $SENSOR $SMALL --spool spool --node-timeout 20 \
	2> c.err
rc=$?
[ $rc = 0 ] && [ "$(grep -c 'has lost the state of stream' c.err)" = 1 ] &&
	grep -q "acknowledges seq 0 after $n_a2, so $n_a2 batches it had acknowledged are lost" \
		c.err
check $? "node lost state: one line, a new stream (exit $rc: $(cat c.err))"
timeout 30 "$BIN/pdns-sensor" -q -r "$PCAP" --store "$T/local1" || not_ok "local store of one copy"
same_as "$T/local1"
check $? "the new store holds the new batches exactly once"
[ "$(grep -c "sensor 's1' started stream" node.log)" = 1 ]
check $? "the node saw one new stream ($(grep 'started stream' node.log))"

# Again, with the batches spooled while the node is away: 19 held, 17 of
# them only on disk (the window keeps 2), all renumbered into a new stream.
stop_node
mv store store.lost2
timeout 60 "$BIN/pdns-sensor" -q $THREE $SENSOR $SMALL --spool spool --node-timeout 1 \
	2> c2a.err
n_c2=$(batches spool)
start_node
check $? "node: ready on an empty store again"
timeout 60 "$BIN/pdns-sensor" -q $SENSOR $SMALL --spool spool --node-timeout 20 2> c2.err
rc=$?
[ $rc = 0 ] && [ "$n_c2" -gt 2 ] && [ "$(batches spool)" = 0 ] &&
	grep -q "the $n_c2 held go again as batches 1..$n_c2 of new stream" c2.err
check $? "node lost state with $n_c2 batches spooled: renumbered (exit $rc: $(cat c2.err))"
timeout 30 "$BIN/pdns-sensor" -q $THREE --cache 1 --store "$T/local3" ||
	not_ok "local store of three copies"
same_as "$T/local3"
check $? "the new store holds the renumbered batches exactly once"

stop_node
if [ $fails -ne 0 ]; then
	echo "# $fails failed"
	cat node.log
	exit 1
fi
echo "# all passed"
