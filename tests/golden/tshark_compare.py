#!/usr/bin/env python3
"""Compare pdns-sensor's answer observations with tshark references.

For every capture in --dir with a FILE.tshark.txt beside it: take the
distinct (rrname, rrtype, rdata) of the answer lines of each response whose
'# msg' line carries no exception=, count the responses carrying each key,
and compare with the sensor's answer rows (counts summed over partial
aggregates). Pooled recall and precision over (key, count) pairs must be at
least --min (0.995). Known, explained differences are listed in
tests/golden/tshark_known.txt as 'FILE|rrname|rrtype|why'; they are reported
and excluded from the score.
"""
import argparse
import collections
import json
import os
import subprocess
import sys


def reference(path):
    """(key -> count) for clean responses in a tshark-reference.sh file."""
    counts = collections.Counter()
    cur = None
    clean = False

    def close():
        if cur is not None and clean:
            for k in cur:
                counts[k] += 1

    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# msg "):
                close()
                cur = set()
                clean = " exception=" not in line
                continue
            if line.startswith("#") or not line:
                continue
            parts = line.split("|", 5)
            if len(parts) != 6 or cur is None:
                continue
            _qname, section, rrname, rrtype, _ttl, rdata = parts
            if section == "answer":
                cur.add((rrname, rrtype, rdata))
    close()
    return counts


def sensor(binary, pcap):
    out = subprocess.run([binary, "-q", "-r", pcap], capture_output=True)
    if out.returncode not in (0, 65):
        raise SystemExit("%s: sensor exited %d: %s" % (pcap, out.returncode,
                                                       out.stderr.decode(errors="replace")))
    counts = collections.Counter()
    for line in out.stdout.decode("utf-8", "surrogateescape").splitlines():
        o = json.loads(line)
        if o["section"] != "answer":
            raise SystemExit("%s: non-answer row without --sections all: %s" % (pcap, line))
        counts[(o["rrname"], o["rrtype"], o["rdata"])] += o["count"]
    return counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sensor", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--min", type=float, default=0.995)
    args = ap.parse_args()
    if not os.path.isdir(args.dir):
        print("skip: no reference captures at %s" % args.dir)
        return 77
    known = {}
    kpath = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tshark_known.txt")
    if os.path.exists(kpath):
        for line in open(kpath, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                f, rrname, rrtype, why = line.rstrip("\n").split("|", 3)
                known[(f, rrname, rrtype)] = why
    tp = fn = fp = 0
    explained = 0
    files = sorted(f for f in os.listdir(args.dir)
                   if os.path.exists(os.path.join(args.dir, f + ".tshark.txt")))
    for f in files:
        ref = reference(os.path.join(args.dir, f + ".tshark.txt"))
        got = sensor(args.sensor, os.path.join(args.dir, f))
        for k in sorted(set(ref) | set(got)):
            r, g = ref.get(k, 0), got.get(k, 0)
            if r == g:
                tp += 1
                continue
            why = known.get((f, k[0], k[1]))
            if why is not None:
                explained += 1
                print("explained %s: %s %s %r ref=%d sensor=%d (%s)" % (f, k[0], k[1], k[2], r, g, why))
                continue
            print("DIFF %s: %s %s %r ref=%d sensor=%d" % (f, k[0], k[1], k[2], r, g))
            if r:
                fn += 1
            if g:
                fp += 1
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    print("files=%d matched=%d missed=%d extra=%d explained=%d recall=%.4f precision=%.4f"
          % (len(files), tp, fn, fp, explained, recall, precision))
    return 0 if recall >= args.min and precision >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())
