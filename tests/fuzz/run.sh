#!/bin/sh
# Fuzz one target with libFuzzer for SECONDS: tests/fuzz/run.sh dns|frame SECONDS
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
mkdir -p "$top/tests/fuzz/out/$target" "$top/tests/fuzz/crashes/$target"
cd "$top/tests/fuzz/crashes/$target"
exec "$build/bin/fuzz_$target" -max_total_time="$secs" -print_final_stats=1 \
	-max_len=65535 -timeout=10 -rss_limit_mb=2048 \
	"$top/tests/fuzz/out/$target" "$top/tests/fuzz/corpus/$target"
