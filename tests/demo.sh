#!/bin/sh
# The README's first command: a pdns-node with its own store, fed the sample
# capture by a pdns-sensor over CURVE, answering a lookup from pdns --node.
# Keys and config are made on the spot in a new directory under /tmp, which
# is kept (its path is printed) so the store can be looked at afterwards.
# Usage: tests/demo.sh [BUILD_DIR]     (default: build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$top/build}/bin" && pwd)
d=$(mktemp -d /tmp/pdns-demo-XXXXXX)
node=
cleanup() {
	[ -n "$node" ] && kill "$node" 2>/dev/null && wait "$node" 2>/dev/null
	true
}
trap cleanup EXIT INT TERM

for k in node sensor1 me; do
	"$bin/pdns" keygen "$d/$k" >/dev/null
done
cat >"$d/node.conf" <<CONF
[node]
name = demo
key-file = node.key
store = store
sensor-listen = ipc://$d/sensors.ipc
query-listen = ipc://$d/queries.ipc

[sensor sensor1]
public-key = sensor1.pub

[client me]
public-key = me.pub
CONF
"$bin/pdns-node" --config "$d/node.conf" 2>"$d/node.log" &
node=$!
i=0
until grep -q '^pdns-node: ready$' "$d/node.log"; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$node" 2>/dev/null; then
		cat "$d/node.log" >&2
		exit 69
	fi
	sleep 0.1
done
"$bin/pdns-sensor" -q -r "$top/tests/data/sample.pcap" --node "ipc://$d/sensors.ipc" \
	--node-key "$d/node.pub" --key "$d/sensor1.key"
echo "pdns --node ... -r '*.example.com':"
"$bin/pdns" --node "ipc://$d/queries.ipc" --node-key "$d/node.pub" --key "$d/me.key" \
	-r '*.example.com'
kill "$node"
wait "$node" || true
node=
echo "node log, keys, config and store: $d"
