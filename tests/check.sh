#!/bin/sh
# The test command: a sanitizer build (ASan+UBSan, no recovery) and every
# CTest test at CI size. Usage: tests/check.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build-check}
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DPDNS_SANITIZE=ON \
	-DPDNS_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --output-on-failure -j"$(nproc)"
