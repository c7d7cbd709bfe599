#!/usr/bin/python3
"""Peer sharing, end to end: observations per second from a sensor's batches
into node A, published over CURVE PUB/SUB on loopback, into node B's store.

    bench_peer.py --bin BUILD/bin [--plain-bin PLAIN/bin] [--rows N]

A Python sensor sends N distinct, shareable observations in batches of
10,000 (built before the clock starts) to A, keeping 64 batches unacknowledged;
the clock stops when B's control socket reports N rows applied from A.
Prints rows/s, the CPU seconds and peak RSS of both nodes. With --plain-bin
(a build configured with -DPDNS_BENCH_PLAINTEXT=ON) the same pipeline runs
again without CURVE, and the ratio of the two rates is printed: the cost of
encryption measured in the same run, on the same machine.
Builds: RelWithDebInfo (not the sanitizer build).
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import msgpack
import zmq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peer"))
import netlab  # noqa: E402

BATCH = 10000


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def zpl(path):
    keys = {}
    for line in open(path):
        line = line.strip()
        for k in ("public-key", "secret-key"):
            if line.startswith(k):
                keys[k] = line.split("=", 1)[1].strip().strip('"').encode()
    return keys.get("public-key"), keys.get("secret-key")


def wire(name):
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"


def batches(n, stream):
    out = []
    for b in range((n + BATCH - 1) // BATCH):
        rows = []
        for i in range(min(BATCH, n - b * BATCH)):
            k = b * BATCH + i
            zone = "bench-%d.com" % (k % 997)
            rows += [wire("h%d.%s" % (k, zone)), 1, "151.%d.%d.%d" % (k >> 16 & 255, k >> 8 & 255,
                                                                     k & 255), 1,
                     1760000000 + b, 1760000000 + b, 1, wire(zone)]
        out.append(msgpack.packb([1, 1, b"s", stream, b + 1, rows, "", None, b""]))
    return out


def cpu_seconds(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0


def run(bindir, plain, rows, msgs):
    tmp = tempfile.mkdtemp(prefix="pdns-bench-peer-")
    procs = []
    try:
        keys = netlab.loopback_keys(bindir, os.path.join(tmp, "keys"),
                                    ("a", "b", "s", "admin"), ("g",))
        P = {k: free_port() for k in ("s", "aq", "ap", "bq", "bc")}
        conf = {
            "a": """[node]
name = org-a
key-file = {k}/a.key
store = {t}/a
sensor-listen = tcp://127.0.0.1:{s}
query-listen = tcp://127.0.0.1:{aq}
[group g]
publish = tcp://127.0.0.1:{ap}
pseudonym-secret-file = {k}/g.secret
heartbeat = 1
[sensor s]
public-key = {k}/s.pub
[peer org-b]
public-key = {k}/b.pub
accept = none
groups = g
""",
            "b": """[node]
name = org-b
key-file = {k}/b.key
store = {t}/b
sensor-listen = none
query-listen = tcp://127.0.0.1:{bq}
control = tcp://127.0.0.1:{bc}
[client admin]
public-key = {k}/admin.pub
control = yes
[peer org-a]
public-key = {k}/a.pub
endpoint = tcp://127.0.0.1:{ap}
query-endpoint = tcp://127.0.0.1:{aq}
rate = 10000000
"""}
        pids = {}
        for n in ("b", "a"):
            path = os.path.join(tmp, n + ".conf")
            with open(path, "w") as f:
                f.write(conf[n].format(k=keys, t=tmp, **P))
            log = os.path.join(tmp, n + ".log")
            p = subprocess.Popen([os.path.join(bindir, "pdns-node"), "--config", path],
                                 stderr=open(log, "wb"))
            procs.append(p)
            if not netlab.wait_for(log, "pdns-node: ready", 30, p):
                raise RuntimeError("node %s did not start: %s" % (n, open(log).read()))
            pids[n] = p.pid
        ctx = zmq.Context()

        def client(ep, server, key):
            d = ctx.socket(zmq.DEALER)
            d.linger = 0
            if not plain:
                pub, sec = zpl(os.path.join(keys, key + ".key"))
                d.curve_serverkey = zpl(os.path.join(keys, server + ".pub"))[0]
                d.curve_publickey, d.curve_secretkey = pub, sec
            d.connect(ep)
            return d

        ctl = client("tcp://127.0.0.1:%d" % P["bc"], "b", "admin")

        def applied():
            ctl.send(msgpack.packb([1, 11, 1, "peers", ""]))
            if not ctl.poll(10000):
                raise RuntimeError("no answer from B's control socket")
            report = msgpack.unpackb(ctl.recv())[4]
            for line in report.splitlines():
                if line.startswith("peer org-a:"):
                    return int(line.split(" batches (")[1].split(" rows")[0])
            return 0

        # B subscribes, sees the first heartbeat and takes its (empty) snapshot.
        end = time.time() + 20
        while "snapshot of 0 rows" not in open(os.path.join(tmp, "b.log")).read():
            if time.time() > end:
                raise RuntimeError("B took no first snapshot")
            time.sleep(0.1)
        sensor = client("tcp://127.0.0.1:%d" % P["s"], "a", "s")
        cpu0 = {n: cpu_seconds(pid) for n, pid in pids.items()}
        t0 = time.time()
        sent = acked = 0
        while acked < len(msgs):
            while sent < len(msgs) and sent - acked < 64:
                sensor.send(msgs[sent])
                sent += 1
            if sensor.poll(30000):
                m = msgpack.unpackb(sensor.recv())
                if m[1] == 2:
                    acked = max(acked, m[4])
            else:
                raise RuntimeError("A stopped acknowledging at %d" % acked)
        t_ack = time.time()
        while applied() < rows:
            if time.time() - t0 > 600:
                raise RuntimeError("B did not apply every row in 600 s")
            time.sleep(0.05)
        t1 = time.time()
        cpu = {n: cpu_seconds(pid) - cpu0[n] for n, pid in pids.items()}
        rss = {n: peak_rss_mb(pid) for n, pid in pids.items()}
        for p in procs:
            p.send_signal(signal.SIGTERM)
            p.wait(60)
        return {"seconds": t1 - t0, "ack_seconds": t_ack - t0, "rate": rows / (t1 - t0),
                "cpu": cpu, "rss": rss}
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def show(name, r, rows):
    print("%-10s %9d rows in %6.2f s (A acknowledged all after %5.2f s): %9.0f obs/s; "
          "CPU A %.1f s, B %.1f s; peak RSS A %.0f MB, B %.0f MB"
          % (name, rows, r["seconds"], r["ack_seconds"], r["rate"], r["cpu"]["a"],
             r["cpu"]["b"], r["rss"]["a"], r["rss"]["b"]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--plain-bin")
    ap.add_argument("--rows", type=int, default=2000000)
    ap.add_argument("--runs", type=int, default=1)
    a = ap.parse_args()
    t = time.time()
    msgs = batches(a.rows, 0x5eed)
    print("built %d batches of %d rows in %.1f s" % (len(msgs), BATCH, time.time() - t))
    for i in range(a.runs):
        curve = run(a.bin, False, a.rows, msgs)
        show("CURVE", curve, a.rows)
        if a.plain_bin:
            plain = run(a.plain_bin, True, a.rows, msgs)
            show("plaintext", plain, a.rows)
            print("CURVE / plaintext: %.1f%%" % (100 * curve["rate"] / plain["rate"]))


if __name__ == "__main__":
    main()
