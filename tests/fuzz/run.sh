#!/bin/sh
# Fuzz one target with libFuzzer for SECONDS: tests/fuzz/run.sh TARGET SECONDS
# (dns, frame, peer, dnstap, http, prov_dnsdb, prov_circl, prov_vt, prov_pt,
# prov_mnemonic, prov_360; the prov_* targets use prov.dict)
# Builds a clang libFuzzer+ASan+UBSan tree in build-fuzz/, fuzzes from the
# committed corpus (new inputs land in tests/fuzz/out/TARGET, crashes in
# tests/fuzz/crashes/TARGET), and prints libFuzzer's final stats.
set -eu
target=${1:?usage: run.sh dns|frame SECONDS}
secs=${2:?usage: run.sh dns|frame SECONDS}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build-fuzz
CC=clang cmake -S "$top" -B "$build" -DPDNS_FUZZ=ON -DPDNS_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "fuzz_$target" >/dev/null
dict=
case $target in prov_*) dict=-dict=$top/tests/fuzz/prov.dict ;; esac
mkdir -p "$top/tests/fuzz/out/$target" "$top/tests/fuzz/crashes/$target"
cd "$top/tests/fuzz/crashes/$target"
exec "$build/bin/fuzz_$target" -max_total_time="$secs" -print_final_stats=1 \
	-max_len=65535 -timeout=10 -rss_limit_mb=2048 $dict \
	"$top/tests/fuzz/out/$target" "$top/tests/fuzz/corpus/$target"
