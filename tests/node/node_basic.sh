#!/bin/sh
# pdns-node end to end: keys from `pdns keygen`, a node on random loopback
# ports, sensors shipping a capture twice (exactly-once apply: the counts
# equal a store built locally from the same capture twice), pdns --node
# answering as pdns --store does, a sensor key not in the config refused,
# a secret key file of mode 0644 refused, --check-config errors, SIGTERM.
# usage: node_basic.sh BINDIR SAMPLE.pcap
set -u
BIN=$1
PCAP=$2
T=$(mktemp -d)
NODE_PID=
cleanup() {
	[ -n "$NODE_PID" ] && kill "$NODE_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }

. "$(dirname "$0")/node_env.sh"

cd "$T" || exit 1
node_env testnode node s1 c1 rogue || exit 1

# --check-config: a valid file prints nothing and exits 0.
out=$(timeout 10 "$BIN/pdns-node" --check-config --config node.conf 2>&1)
rc=$?
[ $rc = 0 ] && [ -z "$out" ]
check $? "check-config: valid file, silent, exit 0"

# --check-config: FILE:LINE errors and exit 78.
printf '[node]\nname = n\nkey-file = node.key\nbogus = 1\n' > bad.conf
out=$(timeout 10 "$BIN/pdns-node" --check-config --config bad.conf 2>&1)
rc=$?
[ $rc = 78 ] && echo "$out" | grep -q "^bad.conf:4: key 'bogus'"
check $? "check-config: bad file gives FILE:LINE and exit 78 (got $rc: $out)"

start_node() {
	timeout 60 "$BIN/pdns-node" --config node.conf 2> node.log &
	NODE_PID=$!
	i=0
	while ! grep -q '^pdns-node: ready$' node.log 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$NODE_PID" 2>/dev/null; then
			cat node.log
			return 1
		fi
		sleep 0.1
	done
}

start_node
check $? "node: ready"

SENSOR="--node tcp://127.0.0.1:$SP --node-key node.pub"
for i in 1 2; do
	timeout 30 "$BIN/pdns-sensor" -q -r "$PCAP" $SENSOR --key s1.key
	check $? "sensor run $i: every batch acknowledged"
done

# The same capture twice into a local store.
for i in 1 2; do
	timeout 30 "$BIN/pdns-sensor" -q -r "$PCAP" --store "$T/local" || not_ok "local store $i"
done

for q in "-r *.example.com" "-i 192.0.2.0/24" "--nxdomain *.example.com" "-r *.example.com --sections all"; do
	timeout 30 "$BIN/pdns" --node "tcp://127.0.0.1:$QP" --node-key node.pub --key c1.key \
		$q -j > via_node.json 2> via_node.err
	rc=$?
	timeout 30 "$BIN/pdns" --store "$T/local" $q -j > via_store.json 2>/dev/null
	[ $rc = 0 ] && [ -s via_store.json ] && cmp -s via_node.json via_store.json
	check $? "pdns --node $q equals --store (exactly-once counts)"
done
grep -q '"count":12' via_node.json
check $? "counts are doubled by two sensor runs"

# --store keeps working read-only beside the running node.
timeout 30 "$BIN/pdns" --store "$T/store" -r '*.example.com' -j > beside.json 2>/dev/null
cmp -s beside.json via_store.json 2>/dev/null || \
	timeout 30 "$BIN/pdns" --store "$T/local" -r '*.example.com' -j > via_store.json 2>/dev/null
timeout 30 "$BIN/pdns" --store "$T/local" -r '*.example.com' -j > local.json 2>/dev/null
cmp -s beside.json local.json
check $? "pdns --store on the node's store works beside the node"

# A sensor key not in the config: refused, clear message, non-zero exit.
out=$(timeout 20 "$BIN/pdns-sensor" -q -r "$PCAP" $SENSOR --key rogue.key --node-timeout 3 2>&1)
rc=$?
[ $rc = 69 ] && echo "$out" | grep -q "refused our key"
check $? "unknown sensor key refused (exit $rc: $out)"
# A client key not allowed to query.
out=$(timeout 20 "$BIN/pdns" --node "tcp://127.0.0.1:$QP" --node-key node.pub --key s1.key \
	-r '*.example.com' --node-timeout 3 2>&1 >/dev/null)
rc=$?
[ $rc = 69 ] && echo "$out" | grep -q "refused our key"
check $? "sensor key refused on the query socket (exit $rc: $out)"
# A sensor name that is not the one bound to its key.
out=$(timeout 20 "$BIN/pdns-sensor" -q -r "$PCAP" $SENSOR --key s1.key --sensor-name other \
	--node-timeout 5 2>&1)
rc=$?
[ $rc = 69 ] && echo "$out" | grep -q "origin"
check $? "origin not bound to the key refused (exit $rc: $out)"

# SIGTERM: a clean stop, exit 0.
kill -TERM "$NODE_PID"
wait "$NODE_PID"
rc=$?
NODE_PID=
[ $rc = 0 ] && grep -q "zap: refused" node.log && grep -q "^pdns-node: stopped$" node.log
check $? "SIGTERM: clean stop, exit 0, ZAP refusals logged (exit $rc)"

# Restart: the stream state survives; the same counts.
start_node
check $? "node: ready again"
timeout 30 "$BIN/pdns" --node "tcp://127.0.0.1:$QP" --node-key node.pub --key c1.key \
	-r '*.example.com' -j > again.json 2>/dev/null
cmp -s again.json local.json
check $? "after a restart the store answers the same"
kill -TERM "$NODE_PID"
wait "$NODE_PID"
NODE_PID=

# A secret key file readable by others: refused at startup, naming file and mode.
chmod 644 node.key
out=$(timeout 10 "$BIN/pdns-node" --config node.conf 2>&1)
rc=$?
[ $rc = 78 ] && echo "$out" | grep -q "node.key' has mode 0644"
check $? "key file mode 0644 refused (exit $rc: $out)"

if [ $fails -ne 0 ]; then
	echo "# $fails failed"
	cat node.log
	exit 1
fi
echo "# all passed"
