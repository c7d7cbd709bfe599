#!/bin/sh
# Every example command in the README works when pasted: each indented
# `build/bin/pdns...` line (but pdns-sensor -i: live captures need an interface) runs
# from the top of the tree, with build/bin replaced by the tested binaries,
# in README order, and must exit 0.
# Usage: readme_examples.sh TOP BINDIR
set -u
top=$1
bindir=$2
cd "$top" || exit 1
fail=0
n=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
grep -E '^    build/bin/pdns(-sensor)? ' README.md | grep -vE 'pdns-sensor.* -i ' >"$tmp"
[ -s "$tmp" ] || { echo "not ok - no examples found in README.md"; exit 1; }
rm -rf /tmp/pdns-sample
while IFS= read -r line; do
	n=$((n + 1))
	cmd=$(printf '%s' "$line" | sed "s#^    build/bin/#$bindir/#")
	if sh -c "$cmd" >/dev/null 2>"$tmp.err"; then
		echo "ok $n - $line"
	else
		echo "not ok $n - $line"
		sed 's/^/#   /' "$tmp.err"
		fail=1
	fi
done <"$tmp"
rm -f "$tmp.err"
echo "1..$n"
exit $fail
