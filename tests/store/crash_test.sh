#!/bin/sh
# crash_test.sh - kill pdns-sensor while it writes a store, then check what
# the store holds.
#
# Usage: crash_test.sh --sensor PATH --check PATH [--kills N] [--responses N]
#            [--universe N] [--batch ROWS] [--seed S] [--resume-every N]
#            [--work DIR] [--keep]
#
#   CI size (CTest, sanitizer build; the defaults): --kills 6
#       --responses 100000 --universe 50000 (about 63,000 keys: a 128-batch
#       flush; each check replays the killed run's WAL twice, which ASan's
#       memcmp interceptor makes slow, so CI stays below 200,000 keys)
#   Full size (release build, about 190,000 keys, 380 batches):
#       tests/store/crash_test.sh --sensor build-rel/bin/pdns-sensor \
#           --check build-rel/bin/crash_check --kills 25 \
#           --responses 300000 --universe 150000
#
# Design: one killed ingest on top of a known store, so the check is exact.
#
# 1. tests/gen/gen_bench.py writes a capture of many distinct responses.
# 2. `pdns-sensor -r CAP --cache 1024 -q` prints every key once (the cache
#    holds them all until the end of the file): ref.cof, the reference.
#    `pdns-sensor -r CAP --store ref_wal -v --batch B --cache 1024 -q` is
#    one complete ingest into an empty store; its stderr tells when the
#    end-of-file flush starts (the first "committed" line) and how long it
#    takes, and its last "(T in all)" is the number of keys T. A copy,
#    ref, is opened once more as a writer (a store whose writer left rows
#    in the WAL has them moved into tables); crash_check --dump of ref must
#    equal ref.cof line for line.
# 3. Each kill starts from a fresh copy of that store (k = 1 complete
#    ingest; odd kills copy ref_wal, the store exactly as the sensor left
#    it, even kills copy ref, reopened once) and
#    ingests the same capture again with --batch B --cache 1024, so every
#    key is written exactly once and goes from count c to 2c. SIGKILL comes
#    at a random moment: 80% from this run's first "committed" line, after
#    a random fraction of 1.1 times the reference flush (first to last
#    commit line; the 10% more lands some kills in the close), 20%
#    anywhere from the start. M is the last "committed N rows (M in all)"
#    the run printed, read from its stderr file after the kill.
# 4. crash_check (tests/store/crash_check.c, lookups through the store
#    API) then checks: the store opens read-only and as a writer with the
#    same rows; time_first <= time_last; exactly the reference's keys, each
#    at c ("before") or 2c ("after"), with the reference's times and
#    bailiwick; the rdata index agrees with the rrset index; after >= M,
#    and after is M or M + B (or T): one written batch may miss its line.
# 5. Every --resume-every'th kill (default 6; 0: never), the killed store
#    then gets one more complete ingest: every key must be 2c or 3c, with
#    exactly `after` keys at 3c (a recovered store takes writes, and the
#    killed run's batches count once).
#
# Prints one line per kill: when, exit status, M, after, verdict. Exits 1
# on any violation, 2 when the test could not run.
set -u

sensor='' check='' kills=6 responses=100000 universe=50000 batch=500 seed=1
resume_every=6 work='' keep=0
top=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3

usage() {
	sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 64
}

while [ $# -gt 0 ]; do
	case $1 in
	--sensor) sensor=$2; shift ;;
	--check) check=$2; shift ;;
	--kills) kills=$2; shift ;;
	--responses) responses=$2; shift ;;
	--universe) universe=$2; shift ;;
	--batch) batch=$2; shift ;;
	--seed) seed=$2; shift ;;
	--resume-every) resume_every=$2; shift ;;
	--work) work=$2; shift ;;
	--keep) keep=1 ;;
	*) usage ;;
	esac
	shift
done
if [ -z "$sensor" ] || [ -z "$check" ]; then
	usage
fi
if [ ! -x "$sensor" ] || [ ! -x "$check" ]; then
	echo "crash_test: $sensor or $check is not a program" >&2
	exit 2
fi
if [ -z "$work" ]; then
	work=$(mktemp -d /tmp/pdns-crash-XXXXXX) || exit 2
fi
mkdir -p "$work" || exit 2
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

fail() {
	echo "crash_test: $*" >&2
	exit 2
}

now() {
	date +%s.%N
}

# elapsed START [END]: seconds between two `now` stamps (END: now).
elapsed() {
	awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'
}

# The last acknowledged total in a stderr file, 0 if none.
acked() {
	sed -n 's/^pdns-sensor: committed [0-9]* rows (\([0-9]*\) in all)$/\1/p' "$1" | tail -n 1 |
		grep . || echo 0
}

# ingest STORE ERRFILE: start the sensor in the background; pid in $spid.
# ERRFILE is emptied first: the child truncates it only once it runs, and
# wait_first_commit must not see the previous run's lines meanwhile.
ingest() {
	: > "$2"
	"$sensor" -r "$work/cap.pcap" --store "$1" -v --batch "$batch" --cache 1024 -q 2> "$2" &
	spid=$!
}

# Wait (polling) until ERRFILE shows a commit or the sensor ended.
wait_first_commit() {
	while kill -0 "$spid" 2>/dev/null; do
		grep -q committed "$1" && return 0
		sleep 0.01
	done
}

# --- 1. the capture ----------------------------------------------------------
t=$(now)
"$py" "$top/tests/gen/gen_bench.py" --responses "$responses" --universe "$universe" \
	--zipf-s 0.3 --seed "$seed" --out "$work/cap.pcap" > "$work/gen.out" 2> "$work/gen.err" ||
	fail "gen_bench.py failed: $(cat "$work/gen.err")"
echo "# capture: $responses responses, $(sed -n 's/^distinct.*: //p' "$work/gen.out") keys ($(elapsed "$t") s)"

# --- 2. the references -------------------------------------------------------
"$sensor" -r "$work/cap.pcap" --cache 1024 -q > "$work/ref.cof" 2> "$work/cof.err" ||
	fail "pdns-sensor (COF) failed: $(cat "$work/cof.err")"
# Every top-level zone of an owner or a target: the checker lists below them.
zones=$("$py" -c '
import json, sys
z = set()
for line in open(sys.argv[1]):
    o = json.loads(line)
    z.add(o["rrname"].rsplit(".", 1)[-1])
    if o["rrtype"] in ("NS", "CNAME", "DNAME", "PTR"):
        z.add(o["rdata"].rsplit(".", 1)[-1])
    elif o["rrtype"] in ("MX", "KX", "AFSDB", "SRV"):
        z.add(o["rdata"].rsplit(" ", 1)[-1].rsplit(".", 1)[-1])
print(",".join(sorted(x for x in z if x)))' "$work/ref.cof") || fail "cannot list zones"

t=$(now)
ingest "$work/ref_wal" "$work/ref.err"
wait_first_commit "$work/ref.err"
t_first=$(elapsed "$t")
# The flush ends with the last commit line, before the store is closed.
t_last=$t_first n=0
while kill -0 "$spid" 2>/dev/null; do
	c=$(grep -c committed "$work/ref.err")
	if [ "$c" != "$n" ]; then
		n=$c t_last=$(elapsed "$t")
	fi
	sleep 0.01
done
wait "$spid" || fail "the reference ingest failed: $(cat "$work/ref.err")"
t_full=$(elapsed "$t")
keys=$(acked "$work/ref.err")
flush=$(awk -v a="$t_first" -v b="$t_last" 'BEGIN { printf "%.3f", b - a }')
[ "$keys" -gt 0 ] || fail "the reference ingest committed nothing"
echo "# reference ingest: $keys keys in $(grep -c committed "$work/ref.err") batches of $batch;" \
	"first commit at $t_first s, last at $t_last s (flush $flush s), exit at $t_full s"

cp -a "$work/ref_wal" "$work/ref" || fail "cannot copy the store"
"$check" --recover --store "$work/ref" || fail "the reference store does not reopen"
"$check" --dump --store "$work/ref" --zones "$zones" | sort > "$work/ref.dump" ||
	fail "cannot dump the reference store"
sort "$work/ref.cof" | cmp -s - "$work/ref.dump" ||
	fail "the reference store differs from the sensor's own output" \
		"(diff $work/ref.cof $work/ref.dump; run with --keep)"
[ "$(wc -l < "$work/ref.dump")" -eq "$keys" ] ||
	fail "the reference store has $(wc -l < "$work/ref.dump") rows, the sensor acknowledged $keys"
echo "# reference store = the sensor's COF output ($keys rows); zones: $zones"

# --- 3-5. the kills -----------------------------------------------------------
bad=0 in_flush=0 resumed=0
i=1
while [ "$i" -le "$kills" ]; do
	run="$work/run"
	rm -rf "$run"
	if [ $((i % 2)) = 1 ]; then base=ref_wal; else base=ref; fi
	cp -a "$work/$base" "$run" || fail "cannot copy the store"
	# where: u < 0.8 inside the flush, else anywhere; d the delay
	# shellcheck disable=SC2046 # two words wanted
	set -- $(awk -v s="$seed" -v i="$i" -v f="$flush" -v t1="$t_full" 'BEGIN {
		srand(s * 7919 + i); u = rand(); w = rand()
		if (u < 0.8) printf "flush %.3f\n", w * f * 1.1
		else printf "start %.3f\n", w * t1 }')
	from=$1 delay=$2
	t=$(now)
	ingest "$run" "$work/run.err"
	[ "$from" = flush ] && wait_first_commit "$work/run.err"
	sleep "$delay"
	kill -KILL "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	status=$?
	at=$(elapsed "$t")
	m=$(acked "$work/run.err")
	out=$("$check" --ref "$work/ref" --store "$run" --zones "$zones" --acked "$m" \
		--batch "$batch" --k 1 2> "$work/check.err")
	rc=$?
	after=$(echo "$out" | sed -n 's/.* after=\([0-9]*\) .*/\1/p')
	verdict=ok
	if [ "$rc" != 0 ]; then
		verdict="VIOLATION"
		bad=$((bad + 1))
	fi
	if [ -n "$after" ] && [ "$after" -gt 0 ] && [ "$after" -lt "$keys" ]; then
		in_flush=$((in_flush + 1))
	fi
	extra=
	[ -n "$after" ] && [ "$after" != "$m" ] && extra=" (+$((after - m)), a batch written but not yet acknowledged)"
	echo "kill $i/$kills: base $base, at $at s ($from + $delay s), exit $status," \
		"acked $m, after ${after:-?} of $keys$extra: $verdict"
	[ "$rc" = 0 ] || sed 's/^/#   /' "$work/check.err"
	if [ "$rc" = 0 ] && [ "$resume_every" -gt 0 ] && [ $((i % resume_every)) = 0 ]; then
		ingest "$run" "$work/resume.err"
		if wait "$spid"; then
			out=$("$check" --ref "$work/ref" --store "$run" --zones "$zones" --acked 0 \
				--k 2 --expect-after "$after" 2> "$work/check.err")
			rc=$?
		else
			rc=1
			echo "#   the ingest after the kill failed: $(tail -n 1 "$work/resume.err")" > "$work/check.err"
		fi
		resumed=$((resumed + 1))
		if [ "$rc" = 0 ]; then
			echo "  resumed: one more complete ingest: every key 2c or 3c, $after at 3c: ok"
		else
			echo "  resumed: one more complete ingest: VIOLATION"
			sed 's/^/#   /' "$work/check.err"
			bad=$((bad + 1))
		fi
	fi
	i=$((i + 1))
done

echo "crash_test: $kills kills ($in_flush inside the flush), $resumed resumed, $keys keys," \
	"batch $batch: $bad violations"
[ "$bad" = 0 ] || exit 1
exit 0
