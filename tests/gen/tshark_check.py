#!/usr/bin/python3
"""tshark_check.py --dir OUTDIR - cross-check the generated captures with
tshark (a developer tool; not needed by the golden test).

For every case whose DNS messages are all well formed ("wire_ok"), tshark
must decode the files without malformed-packet or error expert items, and
every expected observation's owner name (plain names only) must appear
among the DNS names tshark decoded. For damaged cases it reports whether
tshark also saw a problem (information only: Wireshark is lenient about
some damage, e.g. forward pointers).
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys


def tshark(path, fields, dfilter=None):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=\t",
           "-o", "ip.defragment:TRUE", "-o", "tcp.desegment_tcp_streams:TRUE",
           "-o", "tcp.reassemble_out_of_order:TRUE"]
    if dfilter:
        cmd += ["-Y", dfilter]
    for f in fields:
        cmd += ["-e", f]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    if r.returncode != 0:
        raise RuntimeError("tshark failed on %s: %s" % (path, r.stderr))
    return [ln.split("\t") for ln in r.stdout.splitlines() if ln.strip()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    a = ap.parse_args()
    if not shutil.which("tshark"):
        print("tshark not installed; skipped")
        return 0
    bad = 0
    for ef in sorted(glob.glob(os.path.join(a.dir, "*.expect.json"))):
        with open(ef) as f:
            exp = json.load(f)
        problems, names = [], set()
        for fn in exp["files"]:
            p = os.path.join(a.dir, fn)
            problems += tshark(p, ["frame.number"],
                               "_ws.malformed || _ws.expert.severity == error")
            for row in tshark(p, ["dns.qry.name", "dns.resp.name"], "dns"):
                for col in row:
                    names.update(x.lower() for x in col.split(",") if x)
        # tshark shows SRV owners split (dns.srv.service/proto/name)
        want = {o["rrname"] for o in exp["obs"]
                if "\\" not in o["rrname"] and o["rrname"] != "." and
                o["rrtype"] != "SRV"}
        missing = sorted(want - names)
        if exp["wire_ok"]:
            ok = not problems and not missing
            if not ok:
                bad += 1
            print("%-4s %-32s %s%s" % ("ok" if ok else "FAIL", exp["name"],
                                       "problem frames %s " %
                                       [r[0] for r in problems]
                                       if problems else "",
                                       "names not decoded %s" % missing
                                       if missing else ""))
        else:
            print("%-4s %-32s damaged on purpose; tshark %s%s" % (
                "ok" if not missing else "FAIL", exp["name"],
                "flags frames %s" % [r[0] for r in problems] if problems
                else "sees no error", "; names not decoded %s" % missing
                if missing else ""))
            if missing:
                bad += 1
    print("tshark_check: %d case(s) with problems" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
