#!/bin/sh
# pdns keygen end to end: both files with their modes whatever the umask,
# the Z85 public key printed matches the .pub file, nothing is ever
# overwritten (exit 73), bad usage exits 64. TAP output.
# Usage: keygen.sh PDNS
set -u
pdns=$1
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

z85_key() { # exactly 40 characters of the Z85 alphabet
	printf '%s\n' "$1" | LC_ALL=C grep -Eq '^[][0-9a-zA-Z.:+=^!/*?&<>(){}@%$#-]{40}$'
}

pub_of() { # the public-key value of a ZPL file
	sed -n 's/^    public-key = "\(.*\)"$/\1/p' "$1"
}

mode_of() {
	stat -c %a "$1"
}

# A pair with a permissive umask, another with a strict one.
(umask 000 && "$pdns" keygen "$tmp/node" >"$tmp/out" 2>"$tmp/err")
check "keygen exits 0" [ $? -eq 0 ]
check "nothing on stderr" [ ! -s "$tmp/err" ]
check "one line on stdout" [ "$(wc -l <"$tmp/out")" -eq 1 ]
pub=$(cat "$tmp/out")
check "stdout is 40 Z85 characters" z85_key "$pub"
check "the .pub file holds that key" [ "$(pub_of "$tmp/node.pub")" = "$pub" ]
check "the .key file holds that key" [ "$(pub_of "$tmp/node.key")" = "$pub" ]
check "the .key file holds a secret-key" grep -Eq '^    secret-key = ".{40}"$' "$tmp/node.key"
check "the .pub file holds no secret-key" sh -c "! grep -q secret-key '$tmp/node.pub'"
check "the secret is not printed" sh -c "! grep -q secret '$tmp/out'"
check ".key is 0600 (umask 000)" [ "$(mode_of "$tmp/node.key")" = 600 ]
check ".pub is 0644 (umask 000)" [ "$(mode_of "$tmp/node.pub")" = 644 ]
(umask 077 && "$pdns" keygen "$tmp/strict" >/dev/null 2>&1)
check "keygen exits 0 (umask 077)" [ $? -eq 0 ]
check ".key is 0600 (umask 077)" [ "$(mode_of "$tmp/strict.key")" = 600 ]
check ".pub is 0644 (umask 077)" [ "$(mode_of "$tmp/strict.pub")" = 644 ]
check "two runs give two keys" [ "$(pub_of "$tmp/strict.pub")" != "$pub" ]

# Never overwrite.
cp "$tmp/node.key" "$tmp/key.before"
cp "$tmp/node.pub" "$tmp/pub.before"
"$pdns" keygen "$tmp/node" >"$tmp/out" 2>"$tmp/err"
check "existing pair: exit 73" [ $? -eq 73 ]
check "existing pair: nothing on stdout" [ ! -s "$tmp/out" ]
check "existing pair: one line on stderr" [ "$(wc -l <"$tmp/err")" -eq 1 ]
check "existing pair: the message" [ "$(cat "$tmp/err")" = \
	"pdns keygen: cannot create '$tmp/node.key': File exists (not overwriting)" ]
check "existing pair: .key unchanged" cmp -s "$tmp/node.key" "$tmp/key.before"
check "existing pair: .pub unchanged" cmp -s "$tmp/node.pub" "$tmp/pub.before"
check "existing pair: .key still 0600" [ "$(mode_of "$tmp/node.key")" = 600 ]
echo mine >"$tmp/half.pub"
"$pdns" keygen "$tmp/half" >"$tmp/out" 2>"$tmp/err"
check "existing .pub alone: exit 73" [ $? -eq 73 ]
check "existing .pub alone: no .key left behind" [ ! -e "$tmp/half.key" ]
check "existing .pub alone: .pub unchanged" [ "$(cat "$tmp/half.pub")" = mine ]
check "existing .pub alone: the message" [ "$(cat "$tmp/err")" = \
	"pdns keygen: cannot create '$tmp/half.pub': File exists (not overwriting)" ]
"$pdns" keygen "$tmp/no/such/dir" >/dev/null 2>"$tmp/err"
check "missing directory: exit 73" [ $? -eq 73 ]
check "missing directory: the message" [ "$(cat "$tmp/err")" = \
	"pdns keygen: cannot create '$tmp/no/such/dir.key': No such file or directory" ]

# Usage.
"$pdns" keygen >/dev/null 2>"$tmp/err"
check "no PREFIX: exit 64" [ $? -eq 64 ]
check "no PREFIX: one line" [ "$(wc -l <"$tmp/err")" -eq 1 ]
"$pdns" keygen a b >/dev/null 2>&1
check "two PREFIXes: exit 64" [ $? -eq 64 ]
"$pdns" keygen "$tmp/x.key" >/dev/null 2>&1
check "PREFIX ending in .key: exit 64" [ $? -eq 64 ]
check "PREFIX ending in .key: nothing written" [ ! -e "$tmp/x.key.key" ]
"$pdns" keygen --bogus >/dev/null 2>&1
check "an option: exit 64" [ $? -eq 64 ]
"$pdns" keygen --help >"$tmp/out" 2>&1
check "--help: exit 0" [ $? -eq 0 ]
check "--help: usage" grep -q '^usage: pdns keygen PREFIX' "$tmp/out"

echo "1..$n"
exit $fail
