#!/bin/sh
# dnstap from a real resolver, end to end (root; needs nsd, unbound, tcpdump,
# dig; skipped, exit 77, without them):
#   nsd on 127.0.0.2:53 is a fake root, nsd on 127.0.0.3:53 serves "test.";
#   unbound on 127.0.0.1:5353 iterates from them (and forwards "fwd.test."
#   to 127.0.0.3) with dnstap to pdns-sensor --dnstap-unix, which feeds a
#   pdns-node; tcpdump on lo records the resolver-to-authoritative traffic.
# Queries go through unbound (dig, then dnsperf when installed). The node's
# rows (pdns --node) must equal what pdns-sensor -r reads from the capture
# (--resolver 127.0.0.1: the upstream side only): the same answer keys and
# counts, times within 1 s; authority/additional rows differ only as
# tests/dnstap/compare.py lists (bailiwick: the capture rule against
# query_zone). Also: CLIENT_* frames were discarded, no client address is
# in any row, and unbound's bidirectional handshake was served.
# usage: dnstap_real.sh BINDIR SRCDIR
set -u
BIN=$1
SRC=$2
for t in unbound nsd tcpdump dig; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "# skip: $t not installed (tests/setup.sh installs it)"
		exit 77
	fi
done
if [ "$(id -u)" != 0 ]; then
	echo "# skip: needs root (nsd on port 53, tcpdump on lo)"
	exit 77
fi

SCRATCH=pdns-dnstap
. "$SRC/tests/dnstap/lib.sh"

# ---- zones: a root delegating test. to 127.0.0.3; short TTLs, so the
# second round of queries goes upstream again.
mkdir root tld
cat > root/root.zone <<'EOF'
$TTL 3600
.                   IN SOA a.root-servers.lab. hostmaster.lab. 1 3600 900 604800 300
.                   IN NS  a.root-servers.lab.
a.root-servers.lab. IN A   127.0.0.2
test.               IN NS  ns1.nic.test.
ns1.nic.test.       IN A   127.0.0.3
EOF
cat > tld/test.zone <<'EOF'
$TTL 1
test.               IN SOA ns1.nic.test. hostmaster.nic.test. 1 3600 900 604800 1
test.               IN NS  ns1.nic.test.
ns1.nic.test.       IN A   127.0.0.3
example.test.       IN A   192.0.2.1
example.test.       IN MX  10 mail.example.test.
www.example.test.   IN A   192.0.2.10
www.example.test.   IN AAAA 2001:db8::10
mail.example.test.  IN A   192.0.2.25
alias.example.test. IN CNAME www.example.test.
txt.example.test.   IN TXT "hello passive dns"
www.fwd.test.       IN A   192.0.2.77
EOF
for z in root tld; do
	if [ $z = root ]; then ip=127.0.0.2; zone=.; file=root.zone; else ip=127.0.0.3; zone=test; file=test.zone; fi
	cat > $z/nsd.conf <<EOF
server:
    ip-address: $ip@53
    do-ip6: no
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$T/$z"
    database: ""
    pidfile: "$T/$z/nsd.pid"
    xfrdfile: "$T/$z/xfrd.state"
    zonelistfile: "$T/$z/zone.list"
    logfile: "$T/$z/nsd.log"
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "$zone"
    zonefile: "$file"
EOF
done
cat > root.hints <<'EOF'
.                     3600000 IN NS a.root-servers.lab.
a.root-servers.lab.   3600000 IN A  127.0.0.2
EOF
# unbound as root (username ""): it can reconnect to our root-owned socket;
# iterator only, no trust anchor: nothing leaves the machine.
cat > unbound.conf <<EOF
server:
    interface: 127.0.0.1@5353
    port: 5353
    access-control: 127.0.0.0/8 allow
    do-ip6: no
    num-threads: 1
    so-reuseport: no
    username: ""
    chroot: ""
    directory: "$T"
    pidfile: "$T/unbound.pid"
    use-syslog: no
    logfile: "$T/unbound.log"
    verbosity: 1
    root-hints: "$T/root.hints"
    do-not-query-localhost: no
    module-config: "iterator"
    local-zone: "test." nodefault
remote-control:
    control-enable: no
forward-zone:
    name: "fwd.test."
    forward-addr: 127.0.0.3
dnstap:
    dnstap-enable: yes
    dnstap-bidirectional: yes
    dnstap-socket-path: "$T/dnstap.sock"
    dnstap-send-identity: yes
    dnstap-send-version: yes
    dnstap-log-client-query-messages: yes
    dnstap-log-client-response-messages: yes
    dnstap-log-resolver-query-messages: yes
    dnstap-log-resolver-response-messages: yes
    dnstap-log-forwarder-query-messages: yes
    dnstap-log-forwarder-response-messages: yes
EOF

# ---- a node with throw-away keys on random loopback ports
node_env dnstapnode node s1 c1 || exit 1
bg "$BIN/pdns-node" --config node.conf 2> node.log
NODE=$LAST
wait_for 100 grep -q '^pdns-node: ready$' node.log
check $? "pdns-node ready"

# ---- the authoritative servers, the capture, the sensor, the resolver
bg nsd -d -c root/nsd.conf
ROOT=$LAST
bg nsd -d -c tld/nsd.conf
TLD=$LAST
wait_for 50 dig +time=1 +tries=1 +norec @127.0.0.2 . SOA
check $? "nsd: fake root on 127.0.0.2:53"
wait_for 50 dig +time=1 +tries=1 +norec @127.0.0.3 test. SOA
check $? "nsd: test. on 127.0.0.3:53"

bg tcpdump -i lo -n -U -w above.pcap \
	'(udp port 53 or tcp port 53) and (host 127.0.0.2 or host 127.0.0.3)' 2> tcpdump.log
TCPDUMP=$LAST
bg "$BIN/pdns-sensor" --dnstap-unix "$T/dnstap.sock" --flush 2 \
	--node "tcp://127.0.0.1:$SP" --node-key node.pub --key s1.key 2> sensor.log
SENSOR=$LAST
wait_for 50 test -S "$T/dnstap.sock"
check $? "pdns-sensor listens on the dnstap socket"
wait_for 50 grep -q 'listening on lo' tcpdump.log
sleep 0.5 # let tcpdump attach

bg unbound -d -c unbound.conf
UNBOUND=$LAST
# unbound connects its dnstap output before serving; no query until the
# handshake is done, so every upstream response is on both sides.
wait_for 100 sh -c "ss -x state established | grep -qF '$T/dnstap.sock'"
check $? "unbound connected to the sensor's dnstap socket"
wait_for 100 dig +time=1 +tries=1 @127.0.0.1 -p 5353 ns1.nic.test A
check $? "unbound answers on 127.0.0.1:5353"

# ---- traffic: two rounds of dig (TTL 1: the second goes upstream again),
# then dnsperf for 3 s when it is installed.
NAMES="www.example.test/A mail.example.test/A alias.example.test/A nx.example.test/A
example.test/MX www.example.test/AAAA txt.example.test/TXT www.fwd.test/A nx2.example.test/AAAA"
for round in 1 2; do
	for q in $NAMES; do
		timeout 5 dig +time=2 +tries=1 @127.0.0.1 -p 5353 "${q%/*}" "${q#*/}" > "dig.$round" 2>&1 ||
			echo "# dig ${q%/*} ${q#*/} failed"
	done
	timeout 5 dig +tcp +time=2 +tries=1 @127.0.0.1 -p 5353 txt.example.test TXT >/dev/null 2>&1
	sleep 1.5
done
answer=$(timeout 5 dig +short +time=2 +tries=1 @127.0.0.1 -p 5353 www.fwd.test A)
[ "$answer" = 192.0.2.77 ]
check $? "the forward zone resolves through 127.0.0.3 ($answer)"
if command -v dnsperf >/dev/null 2>&1; then
	for q in $NAMES; do echo "${q%/*} ${q#*/}"; done > queries.txt
	timeout 20 dnsperf -s 127.0.0.1 -p 5353 -d queries.txt -l 3 -Q 100 -c 2 > dnsperf.log 2>&1
	check $? "dnsperf: 3 s at 100 queries/s through unbound"
else
	echo "# dnsperf not installed: dig only"
fi
sleep 2 # unbound writes its dnstap frames asynchronously

# ---- stop: the resolver first (its STOP, our FINISH), then the capture,
# then the sensor (SIGTERM: held rows go to the node, acknowledged).
stop "$UNBOUND" TERM
stop "$TCPDUMP" INT
stop "$SENSOR" TERM
[ "$RC" = 0 ]
check $? "pdns-sensor: SIGTERM, everything acknowledged, exit 0 (exit $RC)"
grep 'stats:' sensor.log | tr ' ' '\n' | grep '^dnstap_' | tr '\n' ' '
echo
[ "$(stat dnstap_client sensor.log)" -gt 0 ] && [ "$(stat dnstap_resolver sensor.log)" -gt 0 ] &&
	[ "$(stat dnstap_forwarder sensor.log)" -gt 0 ] && [ "$(stat dnstap_other sensor.log)" -gt 0 ]
check $? "resolver and forwarder responses kept, CLIENT_* and queries discarded"
[ "$(stat dnstap_malformed sensor.log)" = 0 ] && [ "$(stat dnstap_oversized sensor.log)" = 0 ] &&
	[ "$(stat dnstap_refused sensor.log)" = 0 ] && [ "$(stat dnstap_connections sensor.log)" -ge 1 ]
check $? "no malformed, oversized or refused frames; unbound's handshake served"

# ---- the capture, read by the sensor: upstream responses only
timeout 30 "$BIN/pdns-sensor" -r above.pcap --resolver 127.0.0.1 --sections all \
	-o pcap.json --nxdomain pcap_nx.json 2> pcap.log
check $? "pdns-sensor -r above.pcap"

# ---- what the node holds, through pdns --node
Q="timeout 30 $BIN/pdns --node tcp://127.0.0.1:$QP --node-key node.pub --key c1.key -j -l 0"
: > node.json
for n in . '*.lab' test '*.test'; do
	$Q -r "$n" --sections all >> node.json 2>> query.log ||
		not_ok "pdns --node -r $n"
done
$Q --nxdomain '*.test' > node_nx.json 2>> query.log || not_ok "pdns --node --nxdomain"
stop "$NODE" TERM

/usr/bin/python3 "$SRC/tests/dnstap/compare.py" --pcap pcap.json --dnstap node.json \
	--pcap-nx pcap_nx.json --dnstap-nx node_nx.json --min-answers 8
check $? "the node's rows equal the capture's (answers exactly; listed bailiwick differences)"
! grep -q '127\.0\.0\.1"' node.json node_nx.json
check $? "no client or resolver address in any row"

# ---- the same resolver with dnstap over TCP to --dnstap-tcp (COF output)
DP=$(free_port)
bg "$BIN/pdns-sensor" --dnstap-tcp "127.0.0.1:$DP" --sections all -o tcp.json 2> sensor_tcp.log
SENSOR=$LAST
wait_for 50 sh -c "ss -ltn | grep -q '127.0.0.1:$DP '"
check $? "pdns-sensor listens on TCP 127.0.0.1:$DP"
sed -e "s|dnstap-socket-path: .*|dnstap-ip: 127.0.0.1@$DP\n    dnstap-tls: no|" \
	-e "s|unbound.pid|unbound2.pid|" unbound.conf > unbound_tcp.conf
bg unbound -d -c unbound_tcp.conf
UNBOUND=$LAST
wait_for 100 sh -c "ss -tn state established | grep -q '127.0.0.1:$DP '"
check $? "unbound connected to the sensor's dnstap TCP port"
wait_for 100 dig +time=1 +tries=1 @127.0.0.1 -p 5353 www.example.test A
timeout 5 dig +time=2 +tries=1 @127.0.0.1 -p 5353 www.fwd.test A >/dev/null 2>&1
sleep 2
stop "$UNBOUND" TERM
stop "$SENSOR" TERM
[ "$RC" = 0 ] &&
	grep -q '"rrname":"www.example.test","rrtype":"A","rdata":"192.0.2.10",.*"section":"answer","bailiwick":"test"' tcp.json &&
	grep -q '"rrname":"www.fwd.test","rrtype":"A","rdata":"192.0.2.77",.*"bailiwick":"fwd.test"' tcp.json &&
	grep -q ' dnstap_connections=1 dnstap_refused=0 ' sensor_tcp.log
check $? "dnstap over TCP: resolver and forwarder rows printed, handshake served (exit $RC)"

[ $fails -ne 0 ] && tail -n 5 sensor.log node.log unbound.log tcpdump.log query.log 2>/dev/null
finish
