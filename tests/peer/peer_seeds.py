#!/usr/bin/python3
"""Write the fuzz seed corpus of the peer protocol (tests/fuzz/corpus/peer):
the document's example messages (every type, a node's and a sensor's
OBS_BATCH), its refused examples, each example in the widest msgpack
formats, small random messages of every type from the C encoder, and a few
hand-made mutations (truncated, trailing byte, bombs, deep nesting, the
group/tlp/sensor rules). Files are named by the SHA-1 of their bytes, as
libFuzzer names its corpus, so a seed already in OUTDIR is not written twice.

Usage: peer_seeds.py --codec build/bin/peer_codec --doc doc/peer-protocol.md OUTDIR
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_interop as P  # noqa: E402  (exits 77 without python3-msgpack)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--codec", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("outdir")
    args = ap.parse_args()
    doc = open(args.doc, encoding="utf-8").read()
    seeds = {}
    for info, hexdump in re.findall(r"\n```hex ([^\n]+)\n(.*?)\n```", doc, re.S):
        name = info.replace("refused:", "refused-").replace(" ", "-")
        seeds[name] = bytes.fromhex(hexdump.replace("\n", " "))
    for name, (t, vals) in P.doc_examples().items():
        seeds["wide-" + name] = P.pack_wide(P.flat(t, vals))
    for name in ("obs_batch", "obs_batch_sensor", "query_result", "snapshot_rows",
                 "snapshot_begin", "control", "control_result"):
        b = seeds[name]
        seeds["truncated-" + name] = b[:len(b) // 2]
        seeds["trailing-" + name] = b + b"\xc0"
    sensor_tail = bytes.fromhex("a0 c0 c4 00")  # group "", tlp nil, sensor b""
    seeds["empty-batch"] = bytes.fromhex("99 01 01 c4 01 41 01 01 90") + sensor_tail
    seeds["empty-node-batch"] = bytes.fromhex("99 01 01 c4 01 41 01 01 90 a1 67 02 c4 08") + bytes(8)
    seeds["rows-of-7"] = bytes.fromhex("99 01 01 c4 01 41 01 01 97 c4 01 00 01 a1 41 01 00 00")
    seeds["rdata-str32-bomb"] = bytes.fromhex(
        "99 01 01 c4 01 41 01 01 98 c4 01 00 01 db ff ff ff ff")
    seeds["rows-array32-bomb"] = bytes.fromhex("99 01 01 c4 01 41 01 01 dd 10 00 00 00")
    seeds["group-str32-bomb"] = bytes.fromhex("99 01 01 c4 01 41 01 01 90 db ff ff ff ff")
    seeds["sensor-bin32-bomb"] = bytes.fromhex("99 01 01 c4 01 41 01 01 90 a0 c0 c6 ff ff ff ff")
    seeds["tlp-without-group"] = bytes.fromhex("99 01 01 c4 01 41 01 01 90 a0 02 c4 00")
    seeds["batch-of-6"] = bytes.fromhex("96 01 01 c4 01 41 01 01 90")
    seeds["report-str32-bomb"] = bytes.fromhex("95 01 0c 01 c3 db ff ff ff ff")
    seeds["control-bad-command"] = bytes.fromhex("95 01 0b 01 a5 50 65 65 72 73 a0")
    seeds["nested-64"] = b"\x91" * 64 + b"\x01"
    seeds["map16-bomb"] = bytes.fromhex("de ff ff")
    out = subprocess.run([args.codec, "gen", "7", "40"], capture_output=True, text=True,
                         check=True).stdout
    for i, line in enumerate(out.split("\n")[:-1]):
        b = bytes.fromhex(line.split("\t", 1)[0])
        if len(b) <= 2048:
            seeds["gen-%02d" % i] = b
    os.makedirs(args.outdir, exist_ok=True)
    new = 0
    for b in sorted(set(seeds.values())):
        path = os.path.join(args.outdir, hashlib.sha1(b).hexdigest())
        if not os.path.exists(path):
            new += 1
            with open(path, "wb") as f:
                f.write(b)
    print("peer_seeds: %d seeds, %d new files in %s" % (len(seeds), new, args.outdir))


if __name__ == "__main__":
    main()
