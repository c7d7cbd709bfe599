#!/bin/sh
# pdns-sensor's documented exit codes and one-line errors, for each kind of
# bad input. Usage: exit_codes.sh SENSOR SAMPLE.pcap
set -u
sensor=$1
sample=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0

# expect CODE DESCRIPTION CMD...: exit status CODE and, when non-zero, one
# line on stderr that starts with "pdns-sensor:" (before the stats line).
expect() {
	want=$1 what=$2
	shift 2
	n=$((n + 1))
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	err=$(grep -v ': stats:' "$tmp/err")
	lines=$(printf '%s' "$err" | grep -c '')
	if [ "$got" -ne "$want" ]; then
		echo "not ok $n - $what: exit $got, want $want"; sed 's/^/#   /' "$tmp/err"; fail=1
	elif [ "$want" -ne 0 ] && { [ "$lines" -ne 1 ] || ! printf '%s' "$err" | grep -q '^pdns-sensor: '; }; then
		echo "not ok $n - $what: want one 'pdns-sensor: ...' line, got:"; sed 's/^/#   /' "$tmp/err"; fail=1
	else
		echo "ok $n - $what (exit $got${err:+: $err})"
	fi
}

expect 0 "sample capture" "$sensor" -r "$sample"
expect 64 "no input" "$sensor"
expect 64 "unknown option" "$sensor" --bogus -r "$sample"
expect 64 "bad --format" "$sensor" -r "$sample" --format xml
expect 64 "bad --cache" "$sensor" -r "$sample" --cache 0
expect 64 "bad --resolver" "$sensor" -r "$sample" --resolver 300.1.1.1
expect 64 "both -r and -i" "$sensor" -r "$sample" -i lo
expect 66 "missing file" "$sensor" -r "$tmp/nope.pcap"
expect 66 "a directory" "$sensor" -r "$tmp"
printf 'hello, not a capture\n' >"$tmp/text"
expect 65 "not a capture" "$sensor" -r "$tmp/text"
: >"$tmp/empty"
expect 65 "empty file" "$sensor" -r "$tmp/empty"

# A truncated file: what was read before the damage is printed, then 65.
size=$(wc -c <"$sample")
head -c $((size - 10)) "$sample" >"$tmp/cut.pcap"
expect 65 "truncated capture" "$sensor" -r "$tmp/cut.pcap"
n=$((n + 1))
if [ -s "$tmp/out" ]; then echo "ok $n - truncated capture: rows read before the damage printed"
else echo "not ok $n - truncated capture printed nothing"; fail=1; fi

# An unsupported link type (LINKTYPE_USB_LINUX 189) in a valid pcap header.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\377\377\000\000\275\000\000\000' >"$tmp/usb.pcap"
expect 65 "unsupported link type" "$sensor" -r "$tmp/usb.pcap"

# Several files: a bad one is reported, the good ones are still read.
expect 66 "good file then missing file" "$sensor" -r "$sample" -r "$tmp/nope.pcap"
n=$((n + 1))
if [ -s "$tmp/out" ]; then echo "ok $n - the good file's rows are printed"
else echo "not ok $n - good file's rows lost"; fail=1; fi

expect 73 "cannot create output" "$sensor" -r "$sample" -o "$tmp/no/such/dir/out"
expect 73 "cannot create nxdomain file" "$sensor" -r "$sample" --nxdomain "$tmp/no/such/dir/nx"
if [ -w /dev/full ]; then
	expect 74 "write error on output" "$sensor" -r "$sample" -o /dev/full
fi
expect 69 "no such interface" "$sensor" -i pdns-no-such0
expect 64 "bad --retention" "$sensor" -r "$sample" --store "$tmp/st" --retention soon
expect 64 "--retention without --store" "$sensor" -r "$sample" --retention 30d

# A store held by another writer: a clear error naming the holder. The
# first sensor holds the store while it waits for its input on a FIFO.
mkfifo "$tmp/fifo"
"$sensor" -q -r "$tmp/fifo" --store "$tmp/held" 2>/dev/null &
holder=$!
for _ in $(seq 50); do [ -e "$tmp/held/LOCK" ] && break; sleep 0.1; done
expect 69 "store held by another process" "$sensor" -q -r "$sample" --store "$tmp/held"
n=$((n + 1))
if grep -q "process $holder (pdns-sensor)" "$tmp/err"; then echo "ok $n - the error names the holder"
else echo "not ok $n - holder not named"; sed 's/^/#   /' "$tmp/err"; fail=1; fi
cat "$sample" >"$tmp/fifo"
wait "$holder"
expect 0 "the holder finished normally" "$sensor" -q -r "$sample" --store "$tmp/held"
mkdir "$tmp/notastore" && printf 'junk' >"$tmp/notastore/CURRENT"
expect 65 "a directory that is not a store" "$sensor" -q -r "$sample" --store "$tmp/notastore"

# Permission tests drop privileges, since root reads everything.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	cp "$sample" "$tmp/secret.pcap"
	chmod 600 "$tmp/secret.pcap"
	chmod 755 "$tmp"
	drop="setpriv --reuid=65534 --regid=65534 --clear-groups"
	expect 66 "unreadable file" $drop "$sensor" -r "$tmp/secret.pcap"
	expect 77 "capture without permission" $drop "$sensor" -i lo
	expect 64 "a bad BPF filter" "$sensor" -i lo -b "no such filter"
else
	echo "# skipped permission cases: not root or no setpriv"
fi

echo "1..$n"
exit $fail
