#!/usr/bin/python3
"""Refusals and abuse, on loopback, against a real pdns-node:

- 100 connection attempts with keys not on the list, on the query, sensor
  and group sockets, and 100 with a wrong server key: every one refused
  (the CURVE handshake fails, nothing is answered or published to it);
- from a configured peer key: oversized messages, msgpack bombs, truncated
  and trailing-garbage messages, unknown versions, several frames; each
  rejected, the node's memory does not grow, and it still answers;
- a peer flooding at 10x its quota (a Python publisher written from
  doc/peer-protocol.md, which also serves replays and snapshots) is held to
  its quota, while another peer (a real node with a sensor) loses nothing.

Usage: abuse_test.py BINDIR SRCDIR
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import msgpack
import zmq
import zmq.utils.monitor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
from netlab import check  # noqa: E402

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def zpl(path):
    pub = sec = None
    for line in open(path):
        line = line.strip()
        if line.startswith("public-key"):
            pub = line.split("=", 1)[1].strip().strip('"').encode()
        elif line.startswith("secret-key"):
            sec = line.split("=", 1)[1].strip().strip('"').encode()
    return pub, sec


def rss_kb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def wire_name(text):
    return b"".join(bytes([len(l)]) + l.encode() for l in text.split(".")) + b"\0"


def handshake(ctx, kind, ep, server_pub, pub, sec, timeout=3.0):
    """Connect a CURVE client; 'ok', 'auth' (refused by ZAP) or 'failed'."""
    s = ctx.socket(kind)
    s.linger = 0
    s.curve_serverkey, s.curve_publickey, s.curve_secretkey = server_pub, pub, sec
    if kind == zmq.SUB:
        s.setsockopt(zmq.SUBSCRIBE, b"")
    mon = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_HANDSHAKE_FAILED_AUTH |
                               zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_DISCONNECTED)
    s.connect(ep)
    result = "failed"
    end = time.time() + timeout
    while time.time() < end:
        if mon.poll(100):
            ev = zmq.utils.monitor.recv_monitor_message(mon)["event"]
            if ev == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                result = "ok"
                break
            if ev == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                result = "auth"
                break
            if ev in (zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                      zmq.EVENT_DISCONNECTED):
                result = "failed"
                break
    s.disable_monitor()
    mon.close()
    s.close()
    return result


class Flooder:
    """A peer publishing batches far above its quota. It keeps every batch
    it sent, so it can replay any of them, and answers a request without
    state with an empty snapshot at batch 0 (doc/peer-protocol.md 3.2)."""

    def __init__(self, ctx, pub_ep, query_ep, pub, sec, origin, rows_per_batch, rate):
        self.pub = ctx.socket(zmq.PUB)
        self.router = ctx.socket(zmq.ROUTER)
        for s in (self.pub, self.router):
            s.curve_server = True
            s.curve_publickey, s.curve_secretkey = pub, sec
            s.linger = 0
        self.pub.sndhwm = 0
        self.pub.bind(pub_ep)
        self.router.bind(query_ep)
        self.origin = origin
        self.stream = 0x5eed
        self.log = []
        self.rows = rows_per_batch
        self.rate = rate
        self.stop = threading.Event()
        self.sent_rows = 0

    def batch(self, seq):
        rows = []
        for i in range(self.rows):
            name = "h%d-%d.flood-peer.net" % (seq, i)
            rows += [wire_name(name), 1, "151.101.%d.%d" % (seq % 250, i % 250), 1,
                     1760000000 + seq, 1760000000 + seq, 1, wire_name("flood-peer.net")]
        return msgpack.packb([1, 1, self.origin, self.stream, seq, rows, "flood", 2, b""])

    def serve(self):
        while self.router.poll(0):
            ident, data = self.router.recv_multipart()
            m = msgpack.unpackb(data)
            if m[1] != 5:
                continue
            stream, frm = m[3], m[4]
            if stream != self.stream:
                self.router.send_multipart([ident, msgpack.packb([1, 7, self.origin, 77,
                                                                  self.stream, 0, "flood", 2])])
                self.router.send_multipart([ident, msgpack.packb([1, 9, self.origin, 77, 0, 0])])
                continue
            for seq in range(frm, len(self.log) + 1):
                self.router.send_multipart([ident, self.log[seq - 1]])
            self.router.send_multipart([ident, msgpack.packb([1, 6, self.origin, self.stream,
                                                              len(self.log), "flood"])])

    def run(self, seconds):
        start = time.time()
        while not self.stop.is_set() and time.time() - start < seconds:
            due = int((time.time() - start) * self.rate / self.rows) + 1
            while len(self.log) < due:
                msg = self.batch(len(self.log) + 1)
                self.log.append(msg)
                self.pub.send(msg)
                self.sent_rows += self.rows
            self.serve()
            time.sleep(0.005)
        while not self.stop.is_set():
            self.serve()
            time.sleep(0.01)


def main():
    return netlab.loopback_main("pdns-abuse-", run)


def start_node(bindir, conf, log, procs):
    # Under ASan, freed memory waits in a quarantine (256 MB by default) and
    # shows as growth; keep it small so RSS measures what the node holds.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=1").lstrip(":")
    p = subprocess.Popen([os.path.join(bindir, "pdns-node"), "--config", conf],
                         stdout=subprocess.DEVNULL, stderr=open(log, "wb"), env=env)
    procs.append(p)
    ok = netlab.wait_for(log, "pdns-node: ready", 30, p)
    return p, ok


def run(bindir, srcdir, tmp, procs):
    keys = netlab.loopback_keys(bindir, os.path.join(tmp, "keys"),
                                ("b", "a", "flooder", "sensor", "admin", "rogue",
                                 "other-server"), ("a", "b"))
    P = {k: free_port() for k in ("a_sensor", "a_query", "a_pub", "b_query", "b_pub", "b_ctl",
                                  "f_pub", "f_query")}
    conf_a = os.path.join(tmp, "a.conf")
    with open(conf_a, "w") as f:
        f.write("""[node]
name = org-a
key-file = {k}/a.key
store = {t}/a-store
sensor-listen = tcp://127.0.0.1:{a_sensor}
query-listen = tcp://127.0.0.1:{a_query}
[group g]
publish = tcp://127.0.0.1:{a_pub}
pseudonym-secret-file = {k}/a.secret
heartbeat = 1
[sensor sensor]
public-key = {k}/sensor.pub
[peer org-b]
public-key = {k}/b.pub
accept = none
groups = g
""".format(k=keys, t=tmp, **P))
    conf_b = os.path.join(tmp, "b.conf")
    with open(conf_b, "w") as f:
        f.write("""[node]
name = org-b
key-file = {k}/b.key
store = {t}/b-store
sensor-listen = none
query-listen = tcp://127.0.0.1:{b_query}
control = tcp://127.0.0.1:{b_ctl}
[limits]
max-message-size = 64k
[group g]
publish = tcp://127.0.0.1:{b_pub}
pseudonym-secret-file = {k}/b.secret
[client admin]
public-key = {k}/admin.pub
control = yes
[peer org-a]
public-key = {k}/a.pub
endpoint = tcp://127.0.0.1:{a_pub}
query-endpoint = tcp://127.0.0.1:{a_query}
rate = 1000000
[peer flooder]
public-key = {k}/flooder.pub
endpoint = tcp://127.0.0.1:{f_pub}
query-endpoint = tcp://127.0.0.1:{f_query}
groups = g
rate = 2000
""".format(k=keys, t=tmp, **P))
    node_b, ok = start_node(bindir, conf_b, os.path.join(tmp, "b.log"), procs)
    check(ok, "org-b: ready")
    ctx = zmq.Context()
    b_pub = zpl(os.path.join(keys, "b.pub"))[0]
    other = zpl(os.path.join(keys, "other-server.pub"))[0]
    flood_keys = zpl(os.path.join(keys, "flooder.key"))

    # 100 unknown keys per socket, 100 with a wrong server key.
    for what, kind, port in (("query", zmq.DEALER, P["b_query"]), ("group", zmq.SUB, P["b_pub"]),
                             ("control", zmq.DEALER, P["b_ctl"])):
        results = {}
        for i in range(100):
            pub, sec = zmq.curve_keypair()
            r = handshake(ctx, kind, "tcp://127.0.0.1:%d" % port, b_pub, pub, sec, 2.0)
            results[r] = results.get(r, 0) + 1
        check(results == {"auth": 100}, "%s socket: 100 unknown keys refused by ZAP %s"
              % (what, results))
    results = {}
    for i in range(100):
        r = handshake(ctx, zmq.DEALER, "tcp://127.0.0.1:%d" % P["b_query"], other,
                      flood_keys[0], flood_keys[1], 1.0)
        results[r] = results.get(r, 0) + 1
    check(results.get("ok", 0) == 0, "100 connections with a wrong server key: none completes "
          "the handshake %s" % results)
    check(handshake(ctx, zmq.DEALER, "tcp://127.0.0.1:%d" % P["b_query"], b_pub,
                    flood_keys[0], flood_keys[1]) == "ok", "a configured peer key is let in")
    admin = zpl(os.path.join(keys, "admin.key"))
    check(handshake(ctx, zmq.SUB, "tcp://127.0.0.1:%d" % P["b_pub"], b_pub, admin[0],
                    admin[1]) == "auth", "a client key is refused on a group's PUB socket")

    # Bad messages from a configured peer key.
    d = ctx.socket(zmq.DEALER)
    d.linger = 0
    d.curve_serverkey, d.curve_publickey, d.curve_secretkey = b_pub, flood_keys[0], flood_keys[1]
    d.connect("tcp://127.0.0.1:%d" % P["b_query"])
    good = msgpack.packb([1, 5, b"org-b", 0, 1, "g"])
    bad = [bytes.fromhex("dd10000000"), bytes.fromhex("df01000000"),
           bytes.fromhex("960101c6ffffffff"), bytes.fromhex("9501020208"),
           good + b"\xc0", good[:-3], msgpack.packb([2, 5, b"org-b", 0, 1, "g"]),
           msgpack.packb([1, 5, b"org-b", 0, 1, "g", 7]), b"", b"\x00" * 1000,
           msgpack.packb([1, 1, b"x", 1, 1, [b"\x01a\x00"] * 9000, "", None, b""])]
    errors = 0
    for rnd in range(330):
        if rnd == 30:  # after warming up: buffers touched, allocator settled
            before = rss_kb(node_b.pid)
        for m in bad:
            d.send(m)
        d.send_multipart([good, good])
        while d.poll(0):
            d.recv()
            errors += 1
    time.sleep(1)
    while d.poll(200):
        d.recv()
        errors += 1
    after = rss_kb(node_b.pid)
    check(errors > 0, "bad messages answered with ERROR (%d replies, at most 100/s)" % errors)
    check(after - before < 8192, "no memory growth from 3,600 bad messages (RSS %d -> %d kB)"
          % (before, after))
    big = os.urandom(100 * 1024)
    d.send(big)
    time.sleep(0.5)
    check(node_b.poll() is None, "an oversized message (100 KiB > max-message-size 64k) "
          "is dropped and the node lives")
    d.close()
    q = ctx.socket(zmq.DEALER)
    q.linger = 0
    q.curve_serverkey, q.curve_publickey, q.curve_secretkey = b_pub, flood_keys[0], flood_keys[1]
    q.connect("tcp://127.0.0.1:%d" % P["b_query"])
    q.send(good)
    got = q.poll(5000) and msgpack.unpackb(q.recv())
    check(bool(got) and got[1] in (7, 6), "the node still answers a valid request (type %s)"
          % (got[1] if got else None))
    q.close()

    # The flood, beside a real peer.
    node_a, ok = start_node(bindir, conf_a, os.path.join(tmp, "a.log"), procs)
    check(ok, "org-a: ready")
    fl = Flooder(ctx, "tcp://127.0.0.1:%d" % P["f_pub"], "tcp://127.0.0.1:%d" % P["f_query"],
                 flood_keys[0], flood_keys[1], b"flooder", 100, 20000)
    ft = threading.Thread(target=fl.run, args=(12,))
    ft.start()
    cap = os.path.join(tmp, "feed.pcap")
    subprocess.run([sys.executable, os.path.join(srcdir, "tests/gen/gen_bench.py"),
                    "--responses", "30000", "--out", cap], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctl = [os.path.join(bindir, "pdns"), "peers", "--node", "tcp://127.0.0.1:%d" % P["b_ctl"],
           "--node-key", os.path.join(keys, "b.pub"), "--key", os.path.join(keys, "admin.key")]

    def flooder_rows():
        r = subprocess.run(ctl, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=30)
        for line in r.stdout.splitlines():
            if line.startswith("peer flooder:"):
                return int(line.split("applied ")[1].split(" batches (")[1].split(" rows")[0])
        return -1

    time.sleep(3)
    r0, t0 = flooder_rows(), time.time()
    for i in range(2):
        r = subprocess.run([os.path.join(bindir, "pdns-sensor"), "-q", "-r", cap, "--cache", "1",
                            "--node", "tcp://127.0.0.1:%d" % P["a_sensor"], "--node-key",
                            os.path.join(keys, "a.pub"), "--key",
                            os.path.join(keys, "sensor.key")], stderr=subprocess.PIPE,
                           timeout=120)
        check(r.returncode == 0, "org-a's sensor pass %d acknowledged %s"
              % (i + 1, r.stderr.decode()[-300:]))
    time.sleep(max(0.0, 8 - (time.time() - t0)))
    r1, t1 = flooder_rows(), time.time()
    rate = (r1 - r0) / (t1 - t0)
    check(1000 <= rate <= 2600, "the flooder (sending %d rows/s, 10x) is held to its quota of "
          "2000/s: %.0f rows/s applied" % (fl.rate, rate))
    fl.stop.set()
    ft.join(30)
    want = netlab.dump(bindir, os.path.join(tmp, "a-store"), "local",
                       export=conf_a)
    got = {}
    end = time.time() + 30
    while time.time() < end:
        got = netlab.dump(bindir, os.path.join(tmp, "b-store"), "org-a/g")
        if got == want:
            break
        time.sleep(0.5)
    check(len(want) > 100 and got == want, "org-a's rows on org-b are complete and exact during "
          "the flood (%d keys; %d differ)" % (len(want), len([k for k in set(got) | set(want)
                                                            if got.get(k) != want.get(k)])))
    with open(os.path.join(tmp, "b.log"), errors="replace") as f:
        text = f.read()
    check("over its quota" in text and text.count("over its quota") < 20,
          "the throttled peer is logged, at most once per interval (%d lines)"
          % text.count("over its quota"))
    for p in (node_a, node_b):
        p.send_signal(signal.SIGTERM)
        check(p.wait(30) == 0, "SIGTERM: exit 0")


if __name__ == "__main__":
    sys.exit(main())
