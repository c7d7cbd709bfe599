#!/bin/sh
# pdns-sensor's dnstap input without a resolver: an fstrm file written by
# dnstap_gen (libfstrm's writer; cases listed in dnstap_gen.c) read with
# --dnstap-file must print exactly cases.cof (CLIENT_* and the other types
# discarded, query_zone as the bailiwick); standard input; damaged,
# truncated, oversized and foreign files; usage errors; then the same file
# sent by fstrm_replay (libfstrm's bidirectional writer) into --dnstap-unix
# and --dnstap-tcp, garbage and too many connections on the TCP listener.
# usage: dnstap_file.sh BINDIR TESTDIR
set -u
BIN=$1
DIR=$2
S=$BIN/pdns-sensor
SCRATCH=pdns-dnstap-file
. "$DIR/lib.sh"

timeout 10 "$BIN/dnstap_gen" cases cases.fstrm && timeout 10 "$BIN/dnstap_gen" oversized big.fstrm
check $? "dnstap_gen writes the files"

# ---- the case file, every section
timeout 20 "$S" --dnstap-file cases.fstrm --sections all --nxdomain nx.json > out.json 2> err
rc=$?
LC_ALL=C sort out.json > sorted.json
[ $rc = 0 ] && cmp -s sorted.json "$DIR/cases.cof"
check $? "--dnstap-file: exactly the expected observations (exit $rc)"
[ $rc = 0 ] || cat err
diff "$DIR/cases.cof" sorted.json
[ "$(cat nx.json)" = '{"qname":"nx.example.test","qtype":"A","time_first":1700000040,"time_last":1700000040,"count":1}' ]
check $? "--nxdomain row from a RESOLVER_RESPONSE"
got=""
for c in dnstap_frames dnstap_resolver dnstap_forwarder dnstap_auth dnstap_client dnstap_other \
	dnstap_empty dnstap_malformed dnstap_oversized responses malformed_ptr drop_bailiwick; do
	got="$got $c=$(stat $c err)"
done
want=" dnstap_frames=16 dnstap_resolver=10 dnstap_forwarder=1 dnstap_auth=0 dnstap_client=2"
want="$want dnstap_other=2 dnstap_empty=2 dnstap_malformed=2 dnstap_oversized=0 responses=7"
want="$want malformed_ptr=1 drop_bailiwick=3"
[ "$got" = "$want" ]
check $? "counters: $got"
! grep -q -e secret -e 198.51.100 -e auth.example out.json nx.json
check $? "CLIENT_* and AUTH_RESPONSE rows absent, no address from the message"

timeout 20 "$S" -q --dnstap-file - --sections all < cases.fstrm | LC_ALL=C sort > stdin.json
cmp -s stdin.json "$DIR/cases.cof"
check $? "--dnstap-file - reads standard input"

timeout 20 "$S" -q --dnstap-file cases.fstrm > answers.json
[ "$(LC_ALL=C sort answers.json)" = "$(grep '"section":"answer"' "$DIR/cases.cof")" ]
check $? "default --sections answer"

timeout 20 "$S" -q --dnstap-file cases.fstrm --sections all \
	--dnstap-types resolver,forwarder,auth > types.json
grep -q '"rrname":"auth.example.test","rrtype":"A","rdata":"192.0.2.200","time_first":1700000032,"time_last":1700000032,"count":1,"section":"answer","bailiwick":"test"' types.json &&
	grep -q '"rrname":"test","rrtype":"NS".*"count":5,' types.json &&
	[ "$(wc -l < types.json)" = 8 ]
check $? "--dnstap-types resolver,forwarder,auth adds AUTH_RESPONSE rows"
timeout 20 "$S" -q --dnstap-file cases.fstrm --sections all --dnstap-types auth > auth.json
[ "$(wc -l < auth.json)" = 2 ] && grep -q auth.example.test auth.json
check $? "--dnstap-types auth alone"

# -r and --dnstap-file in one run.
timeout 20 "$S" -q -r "$DIR/../data/sample.pcap" --dnstap-file cases.fstrm > both.json
rc=$?
[ $rc = 0 ] && grep -q www.fwd.test both.json && [ "$(wc -l < both.json)" -gt 4 ]
check $? "-r and --dnstap-file together (exit $rc)"

# ---- damaged files: what was read before the damage is printed, exit 65
bad() { # bad FILE WANT_EXIT WANT_MESSAGE WANT_ROWS NAME
	timeout 20 "$S" -q --dnstap-file "$1" > bad.json 2> bad.err
	rc=$?
	[ $rc = "$2" ] && grep -q "$3" bad.err && [ "$(wc -l < bad.json)" = "$4" ]
	check $? "$5 (exit $rc: $(cat bad.err))"
}
head -c 2000 cases.fstrm > trunc.fstrm
bad trunc.fstrm 65 "ends inside a frame after 11 frames" 4 "truncated inside a frame"
size=$(wc -c < cases.fstrm)
head -c $((size - 12)) cases.fstrm > nostop.fstrm
bad nostop.fstrm 65 "ends without its STOP frame" 4 "no STOP frame"
bad big.fstrm 65 "a frame of 300000 octets, over the 262144-octet bound, after 1 frames" 1 \
	"a frame over 256 KiB ends the file"
timeout 20 "$S" --dnstap-file big.fstrm > /dev/null 2> big.err
[ "$(stat dnstap_oversized big.err)" = 1 ]
check $? "oversized frame counted"
bad "$DIR/../data/sample.pcap" 65 "not a Frame Streams file of content type protobuf:dnstap.Dnstap" 0 \
	"a pcap is not Frame Streams"
: > empty.fstrm
bad empty.fstrm 65 "empty file" 0 "an empty file"
bad missing.fstrm 66 "No such file" 0 "a missing file"

# ---- usage errors
usage() { # usage NAME ARGS...
	name=$1
	shift
	out=$(timeout 10 "$S" "$@" 2>&1 >/dev/null)
	rc=$?
	[ $rc = 64 ]
	check $? "usage: $name (exit $rc: $out)"
}
usage "--dnstap-tcp without a port" --dnstap-tcp 127.0.0.1
usage "--dnstap-tcp IPv6 without brackets" --dnstap-tcp ::1:6000
usage "--dnstap-types client" --dnstap-file cases.fstrm --dnstap-types client
usage "--dnstap-types without dnstap input" -r cases.fstrm --dnstap-types resolver
usage "-i with --dnstap-unix" -i lo --dnstap-unix "$T/x.sock"
usage "-r with --dnstap-unix" -r cases.fstrm --dnstap-unix "$T/x.sock"
usage "no input" --sections all
: > regular
out=$(timeout 10 "$S" -q --dnstap-unix "$T/regular" 2>&1)
rc=$?
[ $rc = 69 ] && echo "$out" | grep -q "exists and is not a socket" && [ -f regular ]
check $? "--dnstap-unix on a regular file: refused, file kept (exit $rc: $out)"
out=$(timeout 10 "$S" -q --dnstap-unix "$T/no/such/dir.sock" 2>&1)
rc=$?
[ $rc = 69 ]
check $? "--dnstap-unix in a missing directory (exit $rc: $out)"

if ! command -v fstrm_replay >/dev/null 2>&1; then
	echo "# fstrm_replay not installed (fstrm-bin): socket tests skipped"
else
	# ---- unix socket: the file replayed gives the same rows
	bg "$S" --dnstap-unix "$T/s.sock" --sections all -o unix.json 2> unix.err
	SP=$LAST
	wait_for 50 test -S "$T/s.sock"
	check $? "--dnstap-unix listens"
	out=$(timeout 10 "$S" -q --dnstap-unix "$T/s.sock" 2>&1)
	rc=$?
	[ $rc = 69 ] && echo "$out" | grep -q "another process listens on it"
	check $? "a second listener on the same socket is refused (exit $rc: $out)"
	timeout 20 fstrm_replay -t protobuf:dnstap.Dnstap -u "$T/s.sock" -r cases.fstrm > replay.log 2>&1
	check $? "fstrm_replay into the unix socket"
	stop "$SP" TERM
	rc=$RC
	LC_ALL=C sort unix.json > unix.sorted
	[ $rc = 0 ] && cmp -s unix.sorted "$DIR/cases.cof" && [ ! -e "$T/s.sock" ]
	check $? "unix socket: the file's rows, SIGTERM exit 0, socket removed (exit $rc)"
	# Two connections: the second listener's probe, and fstrm_replay.
	[ "$(stat dnstap_connections unix.err)" = 2 ] && [ "$(stat dnstap_refused unix.err)" = 0 ] &&
		[ "$(stat dnstap_frames unix.err)" = 16 ]
	check $? "unix socket: handshake served, 16 frames, nothing refused"

	# ---- TCP: the file and the oversized file (skipped on a socket),
	# garbage, and more connections than the limit
	P=$(free_port)
	bg "$S" --dnstap-tcp "127.0.0.1:$P" --sections all -o tcp.json 2> tcp.err
	SP=$LAST
	wait_for 50 sh -c "ss -ltn | grep -q '127.0.0.1:$P '"
	check $? "--dnstap-tcp listens"
	# One connection for both files.
	timeout 20 fstrm_replay -t protobuf:dnstap.Dnstap -a 127.0.0.1 -p "$P" -r cases.fstrm \
		-r big.fstrm > replay.log 2>&1
	check $? "fstrm_replay into the TCP port"
	timeout 20 /usr/bin/python3 - "$P" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
# A control frame longer than 512 octets: closed at once.
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"\0\0\0\0\0\0\x10\0" + b"x" * 64)
s.settimeout(5)
assert s.recv(100) == b"", "garbage connection not closed"
s.close()
# 70 silent connections: 64 are held (handshake pending), 6 closed.
conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(70)]
time.sleep(1)
closed = 0
for c in conns:
    c.setblocking(False)
    try:
        if c.recv(1) == b"":
            closed += 1
    except BlockingIOError:
        pass
for c in conns:
    c.close()
print("# closed over the limit: %d" % closed)
sys.exit(0 if closed == 6 else 1)
EOF
	check $? "TCP: garbage closed; 64 connections at most"
	stop "$SP" TERM
	rc=$RC
	[ $rc = 0 ] &&
		grep -q '"rrname":"www.example.test","rrtype":"A","rdata":"192.0.2.10","time_first":1700000005,"time_last":1700000010,"count":3,' tcp.json &&
		grep -q '"rrname":"nozone.example.test",.*"count":2,' tcp.json &&
		[ "$(stat dnstap_oversized tcp.err)" = 1 ] && [ "$(stat dnstap_refused tcp.err)" = 7 ] &&
		[ "$(stat dnstap_connections tcp.err)" = 66 ]
	check $? "TCP: both files' rows, the oversized frame skipped, 7 refused (exit $rc)"
	grep stats: tcp.err | tr ' ' '\n' | grep dnstap_ | tr '\n' ' '
	echo
fi

finish
