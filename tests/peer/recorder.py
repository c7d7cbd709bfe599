#!/usr/bin/python3
"""A listening peer: subscribes to a node's group and asks it for a
snapshot, writing every message it receives (plaintext, after CURVE) to a
file, so a test can search all of it. Written from doc/peer-protocol.md.

Usage: recorder.py --publish EP --query EP --server-key Z85 --key FILE
                   --origin NAME --group NAME --out FILE --seconds N
Each message goes to FILE as a 4-octet big-endian length and the octets.
Exit 0 after N seconds (or SIGTERM) with at least one SNAPSHOT_END seen,
1 otherwise.
"""
import argparse
import signal
import struct
import sys
import time

import msgpack
import zmq


def read_zpl_keys(path):
    pub = sec = None
    for line in open(path):
        line = line.strip()
        if line.startswith("public-key"):
            pub = line.split("=", 1)[1].strip().strip('"')
        elif line.startswith("secret-key"):
            sec = line.split("=", 1)[1].strip().strip('"')
    return pub.encode(), sec.encode()


def main():
    ap = argparse.ArgumentParser()
    for a in ("publish", "query", "server-key", "key", "origin", "group", "out"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    pub, sec = read_zpl_keys(a.key)
    ctx = zmq.Context()
    socks = []
    for kind, ep in ((zmq.SUB, a.publish), (zmq.DEALER, a.query)):
        s = ctx.socket(kind)
        s.curve_serverkey = a.server_key.encode()
        s.curve_publickey = pub
        s.curve_secretkey = sec
        s.linger = 0
        if kind == zmq.SUB:
            s.setsockopt(zmq.SUBSCRIBE, b"")
        s.connect(ep)
        socks.append(s)
    sub, dealer = socks
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    out = open(a.out, "wb")
    poller = zmq.Poller()
    poller.register(sub, zmq.POLLIN)
    poller.register(dealer, zmq.POLLIN)
    end = time.time() + a.seconds
    asked = 0
    snapshots = 0
    while not stop and time.time() < end:
        if time.time() - asked > 5:
            # No state: stream 0 asks for a snapshot (section 3.2).
            dealer.send(msgpack.packb([1, 5, a.origin.encode(), 0, 1, a.group]))
            asked = time.time()
        for s, _ in poller.poll(200):
            data = s.recv()
            out.write(struct.pack(">I", len(data)) + data)
            m = msgpack.unpackb(data, raw=True)
            if s is dealer and m[1] == 9:
                snapshots += 1
    out.close()
    print("recorder: %d snapshot(s)" % snapshots, file=sys.stderr)
    return 0 if snapshots > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
