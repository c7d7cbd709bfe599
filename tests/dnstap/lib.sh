# lib.sh - sourced by the dnstap test scripts: a scratch directory $T (the
# current directory from here on, removed at exit with every process bg
# started), TAP lines and a failure count, polling, counters.
# usage: SCRATCH=NAME; . lib.sh   (NAME: the scratch directory's prefix)
. "$(dirname "$0")/../node/node_env.sh"

T=$(mktemp -d "/tmp/${SCRATCH:?}.XXXXXX") && [ -d "$T" ] || exit 1
PIDS=
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$T" || exit 1
fails=0
ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; fails=$((fails + 1)); }
check() { if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi; }
# bg COMMAND...: run it in the background, bounded in time; its PID in $LAST.
bg() {
	timeout 150 "$@" &
	LAST=$!
	PIDS="$PIDS $LAST"
}
# stop PID SIGNAL: signal one of ours and wait for it; its status in $RC.
stop() {
	kill "-$2" "$1" 2>/dev/null
	wait "$1"
	RC=$?
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}
# wait_for TENTHS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -le 0 ] && return 1
		sleep 0.1
	done
}
# stat NAME FILE: counter NAME of the last pdns-sensor stats line in FILE.
stat() { grep 'stats:' "$2" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$1=//p"; }
# finish: the summary line and the exit status.
finish() {
	if [ $fails -ne 0 ]; then
		echo "# $fails failed"
		exit 1
	fi
	echo "# all passed"
	exit 0
}
