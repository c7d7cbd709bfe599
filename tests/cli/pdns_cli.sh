#!/bin/sh
# pdns end to end on the sample capture: every option with its exact output,
# and bad arguments with their exit codes and one-line messages.
# Usage: pdns_cli.sh SENSOR PDNS SAMPLE.pcap
set -u
sensor=$1
pdns=$2
sample=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
store=$tmp/store

if ! "$sensor" -r "$sample" --sections all --store "$store" -q 2>"$tmp/err"; then
	echo "Bail out! cannot build the store:"; cat "$tmp/err"
	exit 1
fi

# q CODE STDERR [--sorted] ARGS...: pdns --store STORE ARGS must exit CODE,
# print exactly STDERR ("" for nothing) on standard error and exactly the
# standard input of q on standard output (--sorted: as a set of lines, for
# queries whose row order is the store's index order).
q() {
	want=$1 werr=$2
	shift 2
	sorted=false
	if [ $# -gt 0 ] && [ "$1" = --sorted ]; then sorted=true; shift; fi
	n=$((n + 1))
	cat >"$tmp/want"
	"$pdns" --store "$store" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if $sorted; then
		sort "$tmp/want" >"$tmp/want.s" && mv "$tmp/want.s" "$tmp/want"
		sort "$tmp/out" >"$tmp/out.s" && mv "$tmp/out.s" "$tmp/out"
	fi
	printf '%s' "$werr" >"$tmp/werr"
	[ -n "$werr" ] && echo >>"$tmp/werr"
	if [ "$got" -ne "$want" ]; then
		echo "not ok $n - pdns $*: exit $got, want $want"
		sed 's/^/#   /' "$tmp/err"
		fail=1
	elif ! cmp -s "$tmp/err" "$tmp/werr"; then
		echo "not ok $n - pdns $*: standard error differs"
		diff "$tmp/werr" "$tmp/err" | sed 's/^/#   /'
		fail=1
	elif ! cmp -s "$tmp/out" "$tmp/want"; then
		echo "not ok $n - pdns $*: standard output differs"
		diff "$tmp/want" "$tmp/out" | sed 's/^/#   /'
		fail=1
	else
		echo "ok $n - pdns $*"
	fi
}

# bad CODE MESSAGE ARGS...: exit CODE, nothing on standard output, exactly
# the one line MESSAGE on standard error.
bad() {
	code=$1 msg=$2
	shift 2
	q "$code" "$msg" "$@" </dev/null
}

none="pdns: no results found for query"
web80='{"rrname":"web.example.com","rrtype":"A","rdata":"192.0.2.80","time_first":1700000000,"time_last":1700172807,"count":6,"section":"answer","bailiwick":"example.com"}'
web81='{"rrname":"web.example.com","rrtype":"A","rdata":"192.0.2.81","time_first":1700000000,"time_last":1700000000,"count":1,"section":"answer","bailiwick":"example.com"}'
web82='{"rrname":"web.example.com","rrtype":"A","rdata":"192.0.2.82","time_first":1700086403,"time_last":1700086403,"count":1,"section":"answer","bailiwick":"example.com"}'
web83='{"rrname":"web.example.com","rrtype":"A","rdata":"192.0.2.83","time_first":1700172805,"time_last":1700172805,"count":1,"section":"answer","bailiwick":"example.com"}'
web6='{"rrname":"web.example.com","rrtype":"AAAA","rdata":"2001:db8::80","time_first":1700000001,"time_last":1700172806,"count":3,"section":"answer","bailiwick":"example.com"}'
www='{"rrname":"www.example.com","rrtype":"CNAME","rdata":"web.example.com","time_first":1700000000,"time_last":1700172807,"count":6,"section":"answer","bailiwick":"example.com"}'
mx='{"rrname":"example.com","rrtype":"MX","rdata":"10 mail.example.com","time_first":1700000001,"time_last":1700172806,"count":3,"section":"answer","bailiwick":"example.com"}'
txt='{"rrname":"example.com","rrtype":"TXT","rdata":"\"v=spf1 mx -all\"","time_first":1700000001,"time_last":1700172806,"count":3,"section":"answer","bailiwick":"example.com"}'
ns1='{"rrname":"example.com","rrtype":"NS","rdata":"ns1.example.com","time_first":1700000000,"time_last":1700172806,"count":15,"section":"authority","bailiwick":"example.com"}'
ns2='{"rrname":"example.com","rrtype":"NS","rdata":"ns2.example.net","time_first":1700000000,"time_last":1700172805,"count":3,"section":"authority","bailiwick":"com"}'
glue='{"rrname":"ns1.example.com","rrtype":"A","rdata":"203.0.113.10","time_first":1700000000,"time_last":1700172805,"count":3,"section":"additional","bailiwick":"com"}'
v6='{"rrname":"v6.example.org","rrtype":"AAAA","rdata":"2001:db8:0:1::10","time_first":1700000002,"time_last":1700172807,"count":3,"section":"answer"}'

# -r: exact (text is the default format), case and trailing dot, types.
q 0 "" -r www.example.com <<'EOF'
;; record times: 2023-11-14 22:13:20 .. 2023-11-16 22:13:27
;; count: 6; bailiwick: example.com.
www.example.com.  CNAME  web.example.com

EOF
q 0 "" -r WWW.Example.COM. -j <<EOF
$www
EOF
q 0 "" --rrset www.example.com/CNAME --json <<EOF
$www
EOF
q 0 "$none" -r www.example.com/A -j </dev/null
q 0 "" --sorted -r web.example.com -j <<EOF
$web80
$web81
$web82
$web83
$web6
EOF
q 0 "" --sorted -r web.example.com/AAAA -j <<EOF
$web6
EOF
q 0 "" --sorted -r web.example.com -t a,aaaa -j <<EOF
$web80
$web81
$web82
$web83
$web6
EOF
q 0 "" --sorted -r web.example.com -t ANY -j <<EOF
$web80
$web81
$web82
$web83
$web6
EOF
q 0 "" -r example.com/NS/com --sections all -j <<EOF
$ns2
EOF
q 0 "" -r example.com -t NS -b example.com --sections all -j <<EOF
$ns1
EOF

# -r wildcards: left (names strictly below), right (names starting with).
q 0 "" --sorted -r '*.example.org' -j <<EOF
$v6
EOF
q 0 "" --sorted -r 'web.example.*' -j <<EOF
$web80
$web81
$web82
$web83
$web6
EOF
q 0 "" -r '*.example.com' -V summarize <<'EOF'
;; count: 58; num_results: 46; first: 2023-11-14 22:13:20; last: 2023-11-17 22:13:27
EOF
q 0 "" -r '*.example.com' --sections all -V summarize -j <<'EOF'
{"count":64,"num_results":48,"time_first":1700000000,"time_last":1700259207}
EOF

# -j is exactly pdns-sensor's COF: every row under example.com, both ways.
"$sensor" -r "$sample" --sections all -q | grep '"rrname":"[^"]*\.example\.com"' >"$tmp/cof"
q 0 "" --sorted -r '*.example.com' --sections all -j -l 0 <"$tmp/cof"

# -n: rdata by name, exact and wildcard, sections.
q 0 "" -n web.example.com -j <<EOF
$www
EOF
q 0 "" -n '*.example.com' -t MX -j <<EOF
$mx
EOF
q 0 "" -n ns1.example.com/NS --sections all -j <<EOF
$ns1
EOF
q 0 "$none" -n ns1.example.com -j </dev/null

# -i: address, prefix, ranges, IPv6, sections.
q 0 "" -i 192.0.2.80 -j <<EOF
$web80
EOF
q 0 "" --sorted --rdata-ip 192.0.2.81/31 -j <<EOF
$web80
$web81
EOF
q 0 "" -i 192.0.2.81-192.0.2.82 -p csv -k data <<'EOF'
time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section
2023-11-14 22:13:20,2023-11-14 22:13:20,1,example.com.,web.example.com.,A,192.0.2.81,answer
2023-11-15 22:13:23,2023-11-15 22:13:23,1,example.com.,web.example.com.,A,192.0.2.82,answer
EOF
q 0 "" -i 192.0.2.81,192.0.2.82 -p tsv -k data -S <<'EOF'
time_first	time_last	count	bailiwick	rrname	rrtype	rdata	section
2023-11-15 22:13:23	2023-11-15 22:13:23	1	example.com.	web.example.com.	A	192.0.2.82	answer
2023-11-14 22:13:20	2023-11-14 22:13:20	1	example.com.	web.example.com.	A	192.0.2.81	answer
EOF
q 0 "" --sorted -i 2001:db8::/32 -j <<EOF
$web6
$v6
EOF
q 0 "" -i 2001:db8:0:1::/64 -j <<EOF
$v6
EOF
q 0 "$none" -i 203.0.113.10 -j </dev/null
q 0 "" -i 203.0.113.10 --sections all -j <<EOF
$glue
EOF

# -R and -N: the owner name and the rdata in wire-format hex.
q 0 "" -R 03777777076578616d706c6503636f6d00/CNAME -j <<EOF
$www
EOF
q 0 "" -N C0000250/A -j <<EOF
$web80
EOF

# Time fences: -A/-B (overlap), -c (strict), the four long options, and
# relative times from --now.
q 0 "" -r web.example.com -t A -A 1700086404 -k first -j <<EOF
$web80
$web83
EOF
q 0 "" -r web.example.com -t A -B 1700000000 -k data -j <<EOF
$web80
$web81
EOF
q 0 "" -r web.example.com -t A -c -A 2023-11-14T22:13:20Z -B '2023-11-15 22:13:23' -k data -j <<EOF
$web81
$web82
EOF
q 0 "" -r web.example.com -t A --first-after 1700000001 -k data -j <<EOF
$web82
$web83
EOF
q 0 "" -r web.example.com -t A --first-before 1700000000 --last-after 1700000001 -j <<EOF
$web80
EOF
q 0 "$none" -r web.example.com -t A --last-before 2023-11-14 -j </dev/null
q 0 "" -r web.example.com -t A --last-before 2023-11-15 -j <<EOF
$web81
EOF
q 0 "" -r web.example.com -t A --now 1700172807 -A 1d -k data -j <<EOF
$web80
$web83
EOF
q 0 "" -r web.example.com -t A --now 2023-11-16T22:13:27Z --first-after -1d -j <<EOF
$web83
EOF
q 0 "" -r web.example.com -t A --now 2023-11-16T22:13:27Z --first-after -1d1h -k data -j <<EOF
$web82
$web83
EOF

# Limit, offset, sorting (on the rows returned), and the limit notice.
q 0 "pdns: results limited to 2 rows (use -l N, or -l 0 for all)" \
	-r web.example.com -t A -l 2 -k data -S -j <<EOF
$web81
$web80
EOF
q 0 "" -r web.example.com -t A -k first,data -S -j <<EOF
$web83
$web82
$web81
$web80
EOF
q 0 "" -r web.example.com -k count,data -j <<EOF
$web81
$web82
$web83
$web6
$web80
EOF
q 0 "" -r web.example.com -k duration -s -p csv <<'EOF'
time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section
2023-11-14 22:13:20,2023-11-14 22:13:20,1,example.com.,web.example.com.,A,192.0.2.81,answer
2023-11-15 22:13:23,2023-11-15 22:13:23,1,example.com.,web.example.com.,A,192.0.2.82,answer
2023-11-16 22:13:25,2023-11-16 22:13:25,1,example.com.,web.example.com.,A,192.0.2.83,answer
2023-11-14 22:13:21,2023-11-16 22:13:26,3,example.com.,web.example.com.,AAAA,2001:db8::80,answer
2023-11-14 22:13:20,2023-11-16 22:13:27,6,example.com.,web.example.com.,A,192.0.2.80,answer
EOF
q 0 "" -r '*.example.com' -k name,type,data -S -l 0 -p tsv -t AAAA,CNAME <<'EOF'
time_first	time_last	count	bailiwick	rrname	rrtype	rdata	section
2023-11-14 22:13:20	2023-11-16 22:13:27	6	example.com.	www.example.com.	CNAME	web.example.com	answer
2023-11-14 22:13:21	2023-11-16 22:13:26	3	example.com.	web.example.com.	AAAA	2001:db8::80	answer
EOF
q 0 "" -r many.example.com -l 3 -O 38 -V summarize -j <<'EOF'
{"count":2,"num_results":2,"time_first":1700259207,"time_last":1700259207}
EOF
q 0 "" -r many.example.com -k data -O 38 -p csv <<'EOF'
time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section
2023-11-17 22:13:27,2023-11-17 22:13:27,1,,many.example.com.,A,192.0.2.138,answer
2023-11-17 22:13:27,2023-11-17 22:13:27,1,,many.example.com.,A,192.0.2.139,answer
EOF

# Summarize in every format.
q 0 "" -r web.example.com -V summarize -p csv <<'EOF'
count,num_results,time_first,time_last
12,5,2023-11-14 22:13:20,2023-11-16 22:13:27
EOF
q 0 "" -r web.example.com -V summarize -p xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<summary><count>12</count><num_results>5</num_results><time_first>1700000000</time_first><time_last>1700172807</time_last></summary>
EOF
q 0 "" -r web.example.com --verb lookup -V summarize -p rrset <<'EOF'
{"count":12,"num_results":5,"time_first":1700000000,"time_last":1700172807}
EOF

# The other formats: rrset groups per (rrname, rrtype, bailiwick); xml.
q 0 "" -r example.com --sections all -t NS,SOA -k data -p rrset <<'EOF'
{"rrname":"example.com.","rrtype":"NS","rdata":["ns1.example.com"],"time_first":1700000000,"time_last":1700172806,"count":15,"bailiwick":"example.com."}
{"rrname":"example.com.","rrtype":"SOA","rdata":["ns1.example.com hostmaster.example.com 2024010100 7200 900 1209600 300","ns1.example.com hostmaster.example.com 2024010101 7200 900 1209600 300","ns1.example.com hostmaster.example.com 2024010102 7200 900 1209600 300"],"time_first":1700000001,"time_last":1700172806,"count":3,"bailiwick":"example.com."}
{"rrname":"example.com.","rrtype":"NS","rdata":["ns2.example.net"],"time_first":1700000000,"time_last":1700172805,"count":3,"bailiwick":"com."}
EOF
q 0 "" -r example.com -t TXT --format xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<results>
  <result><rrname>example.com</rrname><rrtype>TXT</rrtype><rdata>&quot;v=spf1 mx -all&quot;</rdata><time_first>1700000001</time_first><time_last>1700172806</time_last><count>3</count><section>answer</section><bailiwick>example.com</bailiwick></result>
</results>
EOF
q 0 "$none" -r nothing.example.com -p xml <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<results>
</results>
EOF
q 0 "" -r example.com -t TXT -p csv <<'EOF'
time_first,time_last,count,bailiwick,rrname,rrtype,rdata,section
2023-11-14 22:13:21,2023-11-16 22:13:26,3,example.com.,example.com.,TXT,"""v=spf1 mx -all""",answer
EOF
q 0 "" -r mail.example.com --sections all -p text <<'EOF'
;; record times: 2023-11-14 22:13:21 .. 2023-11-16 22:13:26
;; count: 3; bailiwick: example.com.
;; section: additional
mail.example.com.  A  192.0.2.25

EOF

# --nxdomain.
q 0 "" --nxdomain nope.example.com -j <<'EOF'
{"qname":"nope.example.com","qtype":"A","time_first":1700000001,"time_last":1700172806,"count":3}
EOF
q 0 "" --nxdomain '*.example.com' <<'EOF'
;; record times: 2023-11-14 22:13:21 .. 2023-11-16 22:13:26
;; count: 3
nope.example.com.  A  NXDOMAIN

EOF
q 0 "$none" --nxdomain www.example.com -j </dev/null

# Wide scans are capped by --max-scan and say so.
q 0 "" --sorted -r '*.example.org' --max-scan 1000 -j <<EOF
$v6
EOF
"$pdns" --store "$store" -r '*.com' --max-scan 3 -j >"$tmp/out" 2>"$tmp/err"
got=$?
n=$((n + 1))
if [ $got -eq 0 ] && grep -q '^pdns: results limited: the scan stopped after' "$tmp/err"; then
	echo "ok $n - --max-scan 3 caps *.com and says so"
else
	echo "not ok $n - --max-scan 3 on *.com:"; sed 's/^/#   /' "$tmp/err"; fail=1
fi

# The store from the environment.
n=$((n + 1))
if PDNS_STORE=$store "$pdns" -r www.example.com -j | grep -qxF "$www"; then
	echo "ok $n - PDNS_STORE names the store"
else
	echo "not ok $n - PDNS_STORE"; fail=1
fi

# Bad arguments: exit 64, one line naming the argument, nothing on stdout.
u=" (see --help)"
bad 64 "pdns: give one lookup: -r, -n, -i, -R, -N or --nxdomain$u"
bad 64 "pdns: give only one lookup (-r, -n, -i, -R, -N, --nxdomain)$u" -r a.example -i 192.0.2.1
bad 64 "pdns: option '--bogus': unknown or missing its argument$u" -r a.example --bogus
bad 64 "pdns: option -x: unknown or missing its argument$u" -r a.example -x
bad 64 "pdns: option -r: unknown or missing its argument$u" -r
bad 64 "pdns: unexpected argument 'extra'$u" -r a.example extra
bad 64 "pdns: -r 'www..example.com': not a domain name (empty label or bad escape)$u" -r www..example.com
bad 64 "pdns: -r 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com': a label is longer than 63 octets$u" \
	-r aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com
bad 64 "pdns: -r '*': a bare wildcard would read every name in the store; give a zone, like *.example.com$u" -r '*'
bad 64 "pdns: -n '*.': a bare wildcard would read every name in the store; give a zone, like *.example.com$u" -n '*.'
bad 64 "pdns: -r '*.example.*': a left and a right wildcard at once are not supported$u" -r '*.example.*'
bad 64 "pdns: -r 'a.example/XYZ': unknown rrtype 'XYZ'$u" -r a.example/XYZ
bad 64 "pdns: -r 'a.example/A/b/c': expected NAME[/TYPE[,TYPE...][/BAILIWICK]]$u" -r a.example/A/b/c
bad 64 "pdns: -t 'A,ANY': ANY cannot be mixed with other rrtypes$u" -r a.example -t A,ANY
bad 64 "pdns: -t 'A,NS,MX,TXT,SOA,PTR,SRV,CAA,AAAA': more than 8 rrtypes$u" -r a.example -t A,NS,MX,TXT,SOA,PTR,SRV,CAA,AAAA
bad 64 "pdns: -t 'A': -r 'a.example/A' names rrtypes already$u" -r a.example/A -t A
bad 64 "pdns: -b 'b.example': -r 'a.example/A/c.example' names a bailiwick already$u" -r a.example/A/c.example -b b.example
bad 64 "pdns: -b 'example.com': a bailiwick applies to -r and -R only$u" -n a.example -b example.com
bad 64 "pdns: -b '*.example': a bailiwick cannot be a wildcard$u" -r a.example -b '*.example'
bad 64 "pdns: -i '300.1.1.1': not an IPv4 or IPv6 address$u" -i 300.1.1.1
bad 64 "pdns: -i '192.0.2.0/33': prefix length 33 is more than 32$u" -i 192.0.2.0/33
bad 64 "pdns: -i '0.0.0.0/0': a /0 would read every address in the store$u" -i 0.0.0.0/0
bad 64 "pdns: -i '::/0': a /0 would read every address in the store$u" -i ::/0
bad 64 "pdns: -i '192.0.2.9-192.0.2.1': the range ends before it starts$u" -i 192.0.2.9-192.0.2.1
bad 64 "pdns: -i '192.0.2.1-2001:db8::1': the two ends of the range are not of one family$u" -i 192.0.2.1-2001:db8::1
bad 64 "pdns: -R '0377': not one uncompressed wire-format name$u" -R 0377
bad 64 "pdns: -N 'c0000': odd number of hex digits$u" -N c0000
bad 64 "pdns: -N 'xyz0': not a hex string$u" -N xyz0
bad 64 "pdns: -A 'yesterday': not a time (epoch seconds, YYYY-MM-DD[THH:MM:SS[Z]], -SECONDS or 1w2d3h4m5s)$u" -r a.example -A yesterday
bad 64 "pdns: -B '2024-02-30': not a time (epoch seconds, YYYY-MM-DD[THH:MM:SS[Z]], -SECONDS or 1w2d3h4m5s)$u" -r a.example -B 2024-02-30
bad 64 "pdns: --last-after '1d1d': not a time (epoch seconds, YYYY-MM-DD[THH:MM:SS[Z]], -SECONDS or 1w2d3h4m5s)$u" -r a.example --last-after 1d1d
bad 64 "pdns: --now 'now': not a time (epoch seconds, YYYY-MM-DD[THH:MM:SS[Z]], -SECONDS or 1w2d3h4m5s)$u" -r a.example --now now
bad 64 "pdns: -A '2024-01-02' is later than -B '2024-01-01'$u" -r a.example -A 2024-01-02 -B 2024-01-01
bad 64 "pdns: -c needs -A or -B$u" -r a.example -c
bad 64 "pdns: a time fence is given twice (-A/-B and a --first-/--last- option)$u" -r a.example -A 1 --last-after 2
bad 64 "pdns: -l '-1': not a number of rows (0..1000000000000)$u" -r a.example -l -1
bad 64 "pdns: -O '1x': not a number of rows (0..1000000000000)$u" -r a.example -O 1x
bad 64 "pdns: --max-scan '': not a number of entries (0..1000000000000)$u" -r a.example --max-scan ''
bad 64 "pdns: -V 'count': expected lookup or summarize$u" -r a.example -V count
bad 64 "pdns: -p 'dns': expected text, json, csv, tsv, rrset, xml, dot or gdf$u" -r a.example -p dns
bad 64 "pdns: -k 'first,nope': unknown sort key 'nope' (expected first, last, duration, count, name, type or data)$u" -r a.example -k first,nope
bad 64 "pdns: --sections 'authority': expected answer or all$u" -r a.example --sections authority

# Store errors: 66 for no store, 64 for none given.
q 66 "pdns: cannot open store '$tmp/nope': No such file or directory" --store "$tmp/nope" -r a.example </dev/null
mkdir "$tmp/empty"
n=$((n + 1))
"$pdns" --store "$tmp/empty" -r a.example >"$tmp/out" 2>"$tmp/err"
got=$?
if [ "$got" -eq 66 ] && [ ! -s "$tmp/out" ] && [ "$(grep -c '' "$tmp/err")" -eq 1 ] &&
   grep -q "^pdns: cannot open store '$tmp/empty': " "$tmp/err"; then
	echo "ok $n - an empty directory is no store (exit 66: $(cat "$tmp/err"))"
else
	echo "not ok $n - empty directory: exit $got"; sed 's/^/#   /' "$tmp/err"; fail=1
fi
n=$((n + 1))
if env -u PDNS_STORE "$pdns" -r a.example >"$tmp/out" 2>"$tmp/err"; then got=0; else got=$?; fi
if [ "$got" -eq 64 ] && [ "$(cat "$tmp/err")" = "pdns: give --store DIR (or set PDNS_STORE) or --node ENDPOINT$u" ]; then
	echo "ok $n - no --store: exit 64"
else
	echo "not ok $n - no --store: exit $got"; sed 's/^/#   /' "$tmp/err"; fail=1
fi

# Help and version go to standard output and exit 0.
n=$((n + 1))
if "$pdns" --help | grep -q '^usage: pdns (--store DIR | --node ENDPOINT' && "$pdns" -v | grep -q '^pdns '; then
	echo "ok $n - --help and -v"
else
	echo "not ok $n - --help and -v"; fail=1
fi

echo "1..$n"
exit $fail
