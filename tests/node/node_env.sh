# node_env.sh - sourced by tests that run a pdns-node on loopback with
# throw-away keys. free_port prints a free TCP port of 127.0.0.1.
# node_env NAME KEY... makes the keys (pdns keygen KEY, in the current
# directory) and node.conf: node NAME with key node.key, store ./store,
# sensor-listen and query-listen on free ports ($SP, $QP), [sensor s1] and
# [client c1] (so KEY... holds node, s1 and c1). Needs $BIN.

free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

node_env() {
	_name=$1
	shift
	for _k in "$@"; do
		timeout 10 "$BIN/pdns" keygen "$_k" >/dev/null || { echo "keygen $_k failed"; return 1; }
	done
	SP=$(free_port)
	QP=$(free_port)
	while [ "$QP" = "$SP" ]; do QP=$(free_port); done
	cat > node.conf <<CONF
[node]
name = $_name
key-file = node.key
store = $PWD/store
sensor-listen = tcp://127.0.0.1:$SP
query-listen = tcp://127.0.0.1:$QP

[sensor s1]
public-key = s1.pub

[client c1]
public-key = c1.pub
CONF
}
