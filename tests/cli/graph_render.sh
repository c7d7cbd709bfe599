#!/bin/sh
# The pivot graph through Graphviz: test_pivot writes a pivot's DOT (and a
# graph of hostile ids); dot must render each to a PNG without a word on
# standard error, and its plain output must hold exactly the nodes and
# edges written (an escaping mistake merges, splits or drops nodes). The
# GDF's node and edge sections are counted too. TAP output; exit 77
# (skipped) without Graphviz.
# Usage: graph_render.sh TEST_PIVOT
set -u
test_pivot=$1
command -v dot >/dev/null 2>&1 || { echo "1..0 # SKIP no Graphviz dot"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0

check() { # check NAME COMMAND... : ok when the command succeeds
	name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		fail=1
	fi
}

check "test_pivot writes the graphs" sh -c "'$test_pivot' '$tmp' >'$tmp/tap' 2>&1"
for g in pivot escape; do
	check "$g.dot renders to PNG" sh -c "timeout 60 dot -Tpng -o '$tmp/$g.png' '$tmp/$g.dot' 2>'$tmp/$g.err'"
	check "$g.dot: dot says nothing on stderr" test ! -s "$tmp/$g.err"
	check "$g.png is a PNG" sh -c "head -c 8 '$tmp/$g.png' | od -An -tx1 | tr -d ' \n' | grep -qx 89504e470d0a1a0a"
	want_nodes=$(awk -v g="$g" '$1 == g { print $2 }' "$tmp/counts")
	want_edges=$(awk -v g="$g" '$1 == g { print $3 }' "$tmp/counts")
	timeout 60 dot -Tplain "$tmp/$g.dot" >"$tmp/$g.plain" 2>/dev/null
	got_nodes=$(grep -c '^node ' "$tmp/$g.plain")
	got_edges=$(grep -c '^edge ' "$tmp/$g.plain")
	check "$g.dot: dot sees $want_nodes nodes (got $got_nodes)" test "$got_nodes" = "$want_nodes"
	check "$g.dot: dot sees $want_edges edges (got $got_edges)" test "$got_edges" = "$want_edges"
done
# GDF: nodedef first, then one line per node, edgedef, one line per edge.
gdf=$tmp/pivot.gdf
want_nodes=$(awk '$1 == "pivot" { print $2 }' "$tmp/counts")
want_edges=$(awk '$1 == "pivot" { print $3 }' "$tmp/counts")
check "pivot.gdf starts with nodedef>name" sh -c "head -n 1 '$gdf' | grep -q '^nodedef>name VARCHAR,'"
got_nodes=$(awk '/^edgedef>/ { exit } NR > 1 { n++ } END { print n + 0 }' "$gdf")
got_edges=$(awk 'e { n++ } /^edgedef>/ { e = 1 } END { print n + 0 }' "$gdf")
check "pivot.gdf: $want_nodes node lines (got $got_nodes)" test "$got_nodes" = "$want_nodes"
check "pivot.gdf: $want_edges edge lines (got $got_edges)" test "$got_edges" = "$want_edges"
echo "1..$n"
exit $fail
