#!/bin/sh
# Live capture end to end: tcpreplay sends a capture onto one end of a veth
# pair, pdns-sensor -i listens on the other; after SIGTERM its rows must be
# exactly the file mode's rows (keys and counts; times are the replay's).
# Also checks the --flush interval prints while running.
# Usage: live_capture.sh SENSOR CAPTURE   (root, ip and tcpreplay; else skip 77)
set -u
sensor=$1
capture=$2
if [ "$(id -u)" -ne 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
	echo "skip: needs root, ip and tcpreplay"
	exit 77
fi
tmp=$(mktemp -d)
a=pdnsA$$ b=pdnsB$$
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null
	ip link del "$a" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip link add "$a" type veth peer name "$b" || { echo "skip: cannot create veth"; exit 77; }
ip link set "$a" up && ip link set "$b" up
# No IPv6 autoconfiguration chatter on the test link.
sysctl -qw "net.ipv6.conf.$b.disable_ipv6=1" "net.ipv6.conf.$a.disable_ipv6=1" 2>/dev/null

"$sensor" -i "$b" --flush 1 --sections all -o "$tmp/live.json" 2>"$tmp/live.err" &
pid=$!
# Wait until the capture is open (the interface is in promiscuous mode).
for _ in $(seq 50); do
	ip link show "$b" | grep -q PROMISC && break
	sleep 0.1
done
sleep 0.5
tcpreplay -q -i "$a" --mbps 10 "$capture" >/dev/null 2>&1 || { echo "not ok - tcpreplay failed"; exit 1; }
sleep 2
lines_before_stop=$(wc -l <"$tmp/live.json")
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
"$sensor" -q -r "$capture" --sections all >"$tmp/file.json"

/usr/bin/python3 - "$tmp/live.json" "$tmp/file.json" "$rc" "$lines_before_stop" <<'PY'
import collections, json, sys
def load(p):
    c = collections.Counter()
    for line in open(p):
        o = json.loads(line)
        c[(o["rrname"], o["rrtype"], o["rdata"], o["section"])] += o["count"]
    return c
live, ref = load(sys.argv[1]), load(sys.argv[2])
rc, before = int(sys.argv[3]), int(sys.argv[4])
ok = True
def check(cond, what):
    global ok
    print(("ok" if cond else "not ok") + " - " + what)
    ok &= cond
check(rc == 0, "sensor exits 0 on SIGTERM (got %d)" % rc)
check(before > 0, "rows printed by the 1 s flush interval before the stop (%d lines)" % before)
check(live == ref, "live rows equal file rows: %d keys, %d sightings" % (len(ref), sum(ref.values())))
if live != ref:
    for k in sorted(set(live) | set(ref)):
        if live[k] != ref[k]:
            print("#   %r live=%d file=%d" % (k, live[k], ref[k]))
sys.exit(0 if ok else 1)
PY
