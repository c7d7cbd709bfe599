#!/bin/bash
# bench_pdns_run.sh - wall time of whole `pdns` runs, start-up included.
#
# Prints figures, asserts nothing. Runs `pdns --store DIR ARGS -j` RUNS
# times for each kind of lookup (exact name, left wildcard, one IPv4, a /24),
# with existing targets from a store built by `bench_lookup --build-rows`
# (or names given with --name, exact lookups only), and prints p50/p90/p99/max
# in milliseconds. With --cold, the page cache is dropped once first
# (sync; echo 3 > /proc/sys/vm/drop_caches, when permitted) and that first
# run is reported apart. Output goes to /dev/null; failed runs are counted.
# On a shared machine, run it under `chrt -f 10` (root) as well: the
# difference is other processes' load, not pdns.
#
# Usage: tests/bench/bench_pdns_run.sh --store DIR [--runs N] [--build DIR]
#        [--name NAME ...] [--cold]
set -u
set -f # targets such as *.example.com are arguments, not globs

top=$(cd "$(dirname "$0")/../.." && pwd)
store=
runs=50
build=$top/build-rel
cold=0
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--store) store=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--build) build=$2; shift 2 ;;
	--name) names+=("$2"); shift 2 ;;
	--cold) cold=1; shift ;;
	-h|--help) sed -n '2,15p' "$0"; exit 0 ;;
	*) echo "bench_pdns_run: unknown option '$1'" >&2; exit 64 ;;
	esac
done
[ -n "$store" ] || { echo "bench_pdns_run: give --store DIR" >&2; exit 64; }
pdns=$build/bin/pdns
if [ ! -x "$pdns" ]; then
	echo "bench_pdns_run: no $pdns yet (the pdns CLI is not built); nothing run" >&2
	exit 69
fi
case $runs in ''|*[!0-9]*) echo "bench_pdns_run: --runs takes a number" >&2; exit 64 ;; esac
if [ "$runs" -lt 1 ] || [ "$runs" -gt 10000 ]; then
	echo "bench_pdns_run: --runs 1..10000" >&2
	exit 64
fi

# "kind pdns-arguments" lines, one per run.
targets=$(mktemp)
trap 'rm -f "$targets"' EXIT
if [ ${#names[@]} -gt 0 ]; then
	i=0
	while [ $i -lt "$runs" ]; do
		echo "exact -r ${names[$((i % ${#names[@]}))]}"
		i=$((i + 1))
	done >"$targets"
elif [ -x "$build/bin/bench_lookup" ] && [ -f "$store/bench_lookup.params" ]; then
	"$build/bin/bench_lookup" --store "$store" --print-targets "$runs" >"$targets" || exit 1
else
	echo "bench_pdns_run: give --name NAME, or a store built by bench_lookup" >&2
	exit 64
fi

# Milliseconds of one run (bash's $EPOCHREALTIME: no fork to read the clock).
one_run() {
	local t0 t1 rc
	t0=$EPOCHREALTIME
	"$pdns" --store "$store" "$@" -j >/dev/null 2>>"$errlog"
	rc=$?
	t1=$EPOCHREALTIME
	[ $rc -eq 0 ] || echo "exit $rc: pdns $*" >>"$errlog"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

summary() { # label, file of milliseconds
	sort -n "$2" | awk -v label="$1" '
		{ v[NR] = $1; sum += $1 }
		function pct(p,  r) { r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; return v[r] }
		END { if (NR) printf "  %-22s runs %4d  p50 %8.1f ms  p90 %8.1f ms  p99 %8.1f ms  max %8.1f ms  mean %8.1f ms\n",
		      label, NR, pct(50), pct(90), pct(99), v[NR], sum / NR }'
}

errlog=$(mktemp)
trap 'rm -f "$targets" "$errlog" "$targets".*' EXIT
echo "pdns runs: $pdns --store $store ... -j ($runs per kind; load average $(cut -d' ' -f1-3 /proc/loadavg))"
if [ $cold -eq 1 ]; then
	sync
	if echo 3 2>/dev/null >/proc/sys/vm/drop_caches; then
		read -r kind args <"$targets"
		# shellcheck disable=SC2086
		ms=$(one_run $args)
		echo "  cold first run ($kind $args): $ms ms (page cache dropped)"
	else
		echo "  cold: drop_caches not permitted, skipped"
	fi
fi
while read -r kind args; do
	# shellcheck disable=SC2086
	one_run $args >>"$targets.$kind"
done <"$targets"
for kind in exact left ip cidr; do
	case $kind in
	exact) label="exact name (-r)" ;;
	left) label="left wildcard (-r *.)" ;;
	ip) label="IPv4 (-i)" ;;
	cidr) label="/24 CIDR (-i)" ;;
	esac
	[ -f "$targets.$kind" ] && summary "$label" "$targets.$kind"
done
echo "  failed runs: $(grep -c '^exit ' "$errlog")$( [ -s "$errlog" ] && printf ' (first: %s)' "$(head -1 "$errlog")")"
