#!/usr/bin/python3
"""The export settings that withhold ordinary data, and the receiver's
clock-skew check, on loopback:

- min-count 2 and time-granularity 1h on the publisher: after one sensor
  run, the receiver holds exactly the keys seen at least twice (nothing
  seen once), with times rounded outward to the hour; after a second run
  of the same capture every key qualifies, and a key that crossed the
  threshold arrives with its whole aggregate, not just the second delta;
  at each step the receiver equals store_dump --export of the publisher;
- a peer (a Python publisher written from doc/peer-protocol.md) sending a
  row dated a day ahead: that row is dropped and counted (max-future-skew),
  the other rows of its batch are stored.

Usage: policy_test.py BINDIR SRCDIR
"""
import os
import signal
import subprocess
import sys
import time

import msgpack
import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
from abuse_test import free_port, start_node, wire_name, zpl  # noqa: E402
from netlab import check  # noqa: E402


def wait_equal(bindir, store, origin, want, timeout=30):
    got = {}
    end = time.time() + timeout
    while time.time() < end:
        got = netlab.dump(bindir, store, origin)
        if got == want:
            break
        time.sleep(0.3)
    return got


def main():
    return netlab.loopback_main("pdns-policy-", run)


def run(bindir, srcdir, tmp, procs):
    keys = netlab.loopback_keys(bindir, os.path.join(tmp, "keys"),
                                ("a", "b", "p", "sensor", "admin"), ("a",))
    P = {k: free_port() for k in ("s", "aq", "ap", "bq", "bc", "pp", "pq")}
    conf_a = os.path.join(tmp, "a.conf")
    with open(conf_a, "w") as f:
        f.write("""[node]
name = org-a
key-file = {k}/a.key
store = {t}/a-store
sensor-listen = tcp://127.0.0.1:{s}
query-listen = tcp://127.0.0.1:{aq}
[group g]
publish = tcp://127.0.0.1:{ap}
pseudonym-secret-file = {k}/a.secret
heartbeat = 1
[export]
min-count = 2
time-granularity = 1h
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
query-listen = tcp://127.0.0.1:{bq}
control = tcp://127.0.0.1:{bc}
[client admin]
public-key = {k}/admin.pub
control = yes
[peer org-a]
public-key = {k}/a.pub
endpoint = tcp://127.0.0.1:{ap}
query-endpoint = tcp://127.0.0.1:{aq}
[peer p]
public-key = {k}/p.pub
endpoint = tcp://127.0.0.1:{pp}
query-endpoint = tcp://127.0.0.1:{pq}
""".format(k=keys, t=tmp, **P))
    node_a, ok = start_node(bindir, conf_a, os.path.join(tmp, "a.log"), procs)
    check(ok, "org-a: ready")
    node_b, ok = start_node(bindir, conf_b, os.path.join(tmp, "b.log"), procs)
    check(ok, "org-b: ready")
    cap = os.path.join(tmp, "a.pcap")
    subprocess.run([sys.executable, os.path.join(srcdir, "tests/peer/gen_org_capture.py"), cap,
                    os.path.join(tmp, "exp.tsv"), os.path.join(tmp, "sec.txt")], check=True)
    sensor = [os.path.join(bindir, "pdns-sensor"), "-q", "-r", cap, "--resolver", "10.1.0.53",
              "--resolver", "fd00:1::53", "--node", "tcp://127.0.0.1:%d" % P["s"],
              "--node-key", os.path.join(keys, "a.pub"), "--key",
              os.path.join(keys, "sensor.key")]
    once = {}
    for run_no in (1, 2):
        r = subprocess.run(sensor, stderr=subprocess.PIPE, timeout=60)
        check(r.returncode == 0, "sensor run %d acknowledged" % run_no)
        local = netlab.dump(bindir, os.path.join(tmp, "a-store"), "local")
        want = netlab.dump(bindir, os.path.join(tmp, "a-store"), "local", export=conf_a)
        got = wait_equal(bindir, os.path.join(tmp, "b-store"), "org-a/g", want)
        check(got == want and len(want) > 20, "run %d: org-b equals org-a's shared rows "
              "(%d keys)" % (run_no, len(want)))
        singles = [k for k, v in local.items() if v[2] == 1]
        if run_no == 1:
            once = {k: local[k] for k in singles}
            check(len(once) > 5 and not [k for k in once if k in got],
                  "run 1: %d keys seen once stay home (min-count 2)" % len(once))
            check(all(v[0] % 3600 == 0 and v[1] % 3600 == 0 for v in got.values()),
                  "times leave rounded to the hour")
        else:
            full = [k for k in once if k in got and got[k][2] == local[k][2] == 2]
            check(len(full) == len(once), "run 2: the %d keys that reached the threshold "
                  "arrived with their whole count (%d)" % (len(once), len(full)))
    # A peer's row from the future.
    ctx = zmq.Context()
    pk = zpl(os.path.join(keys, "p.key"))
    pub = ctx.socket(zmq.PUB)
    router = ctx.socket(zmq.ROUTER)
    for s in (pub, router):
        s.curve_server = True
        s.curve_publickey, s.curve_secretkey = pk
        s.linger = 0
    pub.bind("tcp://127.0.0.1:%d" % P["pp"])
    router.bind("tcp://127.0.0.1:%d" % P["pq"])
    now = int(time.time())
    rows = []
    for name, t in (("now.peer-p.net", now - 60), ("later.peer-p.net", now + 86400)):
        rows += [wire_name(name), 1, "151.101.77.1", 1, t, t, 1, wire_name("peer-p.net")]
    stream = 0x77
    batch = msgpack.packb([1, 1, b"p", stream, 1, rows, "pg", 1, b""])
    end = time.time() + 30
    applied = {}
    while time.time() < end and not applied:
        pub.send(batch)
        while router.poll(200):
            ident, data = router.recv_multipart()
            m = msgpack.unpackb(data)
            if m[1] == 5 and m[3] != stream:  # no state yet: a snapshot at batch 0
                router.send_multipart([ident, msgpack.packb([1, 7, b"p", 9, stream, 0, "pg", 1])])
                router.send_multipart([ident, msgpack.packb([1, 9, b"p", 9, 0, 0])])
            elif m[1] == 5:
                router.send_multipart([ident, batch])
                router.send_multipart([ident, msgpack.packb([1, 6, b"p", stream, 1, "pg"])])
        applied = netlab.dump(bindir, os.path.join(tmp, "b-store"), "p/pg")
    names = sorted(k[0] for k in applied)
    check(names == ["now.peer-p.net"], "a row dated a day ahead is dropped, the other stored "
          "(%s)" % names)
    r = subprocess.run([os.path.join(bindir, "pdns"), "peers", "--node",
                        "tcp://127.0.0.1:%d" % P["bc"], "--node-key", os.path.join(keys, "b.pub"),
                        "--key", os.path.join(keys, "admin.key")], stdout=subprocess.PIPE,
                       text=True, timeout=30)
    check("future rows 1," in r.stdout, "and counted (pdns peers: future rows 1)")
    for p in (node_a, node_b):
        p.send_signal(signal.SIGTERM)
        check(p.wait(30) == 0, "SIGTERM: exit 0")


if __name__ == "__main__":
    sys.exit(main())
