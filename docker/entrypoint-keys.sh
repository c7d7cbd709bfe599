#!/bin/sh
# pdns-keys FILE... - the one-shot `keys` service of docker/compose.yml:
# makes the topology's key files in the shared key volume, as
# tests/peer/netlab.py's make_keys does for the namespace test (the list of
# FILEs is compose.yml's `command`, checked against tests/peer/orgs.py by
# tests/peer/compose_check.py).
#
#   NAME.key     `pdns keygen DIR/NAME`: NAME.key (mode 0600) and NAME.pub
#   NAME.secret  a group's pseudonym secret: 32 bytes of /dev/urandom, 0600
#
# Files that exist are kept (a second `docker compose up` changes nothing),
# so the keys live as long as the volume. Everything is then given to the
# user the nodes run as, since pdns-node refuses secret files of another
# user. Runs as root. Environment: PDNS_KEYS_DIR (default /keys),
# PDNS_KEYS_OWNER (default pdns:pdns).
set -eu
dir=${PDNS_KEYS_DIR:-/keys}
owner=${PDNS_KEYS_OWNER:-pdns:pdns}
[ $# -gt 0 ] || { echo "usage: pdns-keys NAME.key|NAME.secret ..." >&2; exit 64; }
umask 077
mkdir -p "$dir"
for f in "$@"; do
	case $f in
	*/* | .* | "") echo "pdns-keys: $f: a file name in $dir, please" >&2; exit 64 ;;
	*.key)
		p=$dir/${f%.key}
		if [ -e "$p.key" ] && [ -e "$p.pub" ]; then
			echo "pdns-keys: $p.key: kept"
			continue
		fi
		if [ -e "$p.key" ] || [ -e "$p.pub" ]; then
			echo "pdns-keys: only one of $p.key and $p.pub exists; remove it" >&2
			exit 1
		fi
		pub=$(pdns keygen "$p")
		echo "pdns-keys: $p.key: made, public key $pub"
		;;
	*.secret)
		p=$dir/$f
		if [ -e "$p" ]; then
			echo "pdns-keys: $p: kept"
			continue
		fi
		head -c 32 /dev/urandom >"$p.tmp"
		mv "$p.tmp" "$p"
		echo "pdns-keys: $p: made"
		;;
	*) echo "pdns-keys: $f: neither NAME.key nor NAME.secret" >&2; exit 64 ;;
	esac
done
chown "$owner" "$dir"
chmod 0755 "$dir"
for f in "$@"; do
	case $f in
	*.key) chown "$owner" "$dir/$f" "$dir/${f%.key}.pub"
		chmod 0600 "$dir/$f"; chmod 0644 "$dir/${f%.key}.pub" ;;
	*) chown "$owner" "$dir/$f"; chmod 0600 "$dir/$f" ;;
	esac
done
