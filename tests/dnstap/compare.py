#!/usr/bin/python3
"""Compare observations from a capture with observations from dnstap.

usage: compare.py --pcap PCAP.json --dnstap DNSTAP.json
                  [--pcap-nx NX.json --dnstap-nx NX.json]

Both sides are COF lines (pdns-sensor output or `pdns -j`), aggregated per
key (section, rrname, rrtype, rdata). Answer rows must have the same keys
and counts, with time_first and time_last within 1 second. Authority and
additional rows must agree too, except for the differences listed in
EXPECTED below, which come only from the two bailiwick rules (the capture
rule finds the zone in the authority section; dnstap takes the resolver's
query_zone). Each listed difference must have exactly the size its rule
predicts, read from the answer rows both sides agree on. NXDOMAIN rows
(qname, qtype) must match like answer rows. Prints every difference with
its reason; exit 0 when all is as expected, 1 otherwise.
"""
import argparse
import json
import sys

# (section, rrname, rrtype, rdata): (sign, answer key whose count is the
# size of the difference, reason). sign +1: dnstap has more, -1: fewer.
PRIMING = ("answer", ".", "NS", "a.root-servers.lab")
FORWARDED = ("answer", "www.fwd.test", "A", "192.0.2.77")
EXPECTED = {
    ("additional", "a.root-servers.lab", "A", "127.0.0.2"): (
        +1, PRIMING,
        "priming response (. NS): the root's NS is in the answer section, so "
        "the capture rule finds no zone and keeps no additional record; "
        "dnstap's query_zone '.' keeps the glue"),
    ("authority", "test", "NS", "ns1.nic.test"): (
        -1, FORWARDED,
        "forwarded responses: query_zone is the forward zone 'fwd.test', and "
        "test. NS is above it; the capture rule takes 'test' from that NS"),
    ("additional", "ns1.nic.test", "A", "127.0.0.3"): (
        -1, FORWARDED,
        "forwarded responses: ns1.nic.test is outside query_zone 'fwd.test'; "
        "the capture rule keeps it below 'test'"),
}
# Bailiwick values (not part of the key) that differ for the same reasons.
EXPECTED_BAILIWICK = {
    PRIMING: (None, ".", "priming response: no zone by the capture rule"),
    FORWARDED: ("test", "fwd.test", "forwarded: the forward zone"),
}


def load(path, nx):
    rows = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            o = json.loads(line)
            if nx:
                k = (o["qname"], o["qtype"])
                bw = None
            else:
                k = (o["section"], o["rrname"], o["rrtype"], o["rdata"])
                bw = o.get("bailiwick")
            r = rows.get(k)
            if r is None:
                rows[k] = [o["count"], o["time_first"], o["time_last"], bw]
            else:
                r[0] += o["count"]
                r[1] = min(r[1], o["time_first"])
                r[2] = max(r[2], o["time_last"])
                if bw is not None and (r[3] is None or len(bw) > len(r[3])):
                    r[3] = bw
    return rows


def fmt(k):
    return " ".join(k)


def compare(pcap, dt, nx, problems, notes):
    answers_agree = {}
    for k in sorted(set(pcap) | set(dt)):
        p, d = pcap.get(k), dt.get(k)
        section = "nxdomain" if nx else k[0]
        if k in EXPECTED and not nx:
            continue
        if p is None or d is None:
            problems.append("%s: only in %s (count %d)" % (
                fmt(k), "pcap" if d is None else "dnstap", (p or d)[0]))
            continue
        if p[0] != d[0]:
            problems.append("%s: count pcap=%d dnstap=%d" % (fmt(k), p[0], d[0]))
            continue
        if abs(p[1] - d[1]) > 1 or abs(p[2] - d[2]) > 1:
            problems.append("%s: times pcap=%d..%d dnstap=%d..%d" % (
                fmt(k), p[1], p[2], d[1], d[2]))
            continue
        if section == "answer":
            answers_agree[k] = p[0]
        if not nx and p[3] != d[3]:
            exp = EXPECTED_BAILIWICK.get(k)
            if exp is not None and (p[3], d[3]) == exp[:2]:
                notes.append("%s: bailiwick pcap=%s dnstap=%s (listed: %s)" % (
                    fmt(k), p[3], d[3], exp[2]))
            else:
                problems.append("%s: bailiwick pcap=%s dnstap=%s, not listed" % (
                    fmt(k), p[3], d[3]))
    if nx:
        return
    for k, (sign, basis, why) in EXPECTED.items():
        pc = pcap.get(k, [0])[0]
        dc = dt.get(k, [0])[0]
        size = answers_agree.get(basis, 0)
        if dc - pc != sign * size:
            problems.append("%s: pcap=%d dnstap=%d, listed difference %+d (%s) "
                            "expected" % (fmt(k), pc, dc, sign * size, why))
        else:
            notes.append("%s: pcap=%d dnstap=%d (listed: %s)" % (fmt(k), pc, dc, why))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--dnstap", required=True)
    ap.add_argument("--pcap-nx")
    ap.add_argument("--dnstap-nx")
    ap.add_argument("--min-answers", type=int, default=1)
    a = ap.parse_args()

    problems, notes = [], []
    pcap, dt = load(a.pcap, False), load(a.dnstap, False)
    compare(pcap, dt, False, problems, notes)
    answers = sum(1 for k in pcap if k[0] == "answer")
    if answers < a.min_answers:
        problems.append("only %d answer keys from the capture (want %d or more)" % (
            answers, a.min_answers))
    if a.pcap_nx and a.dnstap_nx:
        compare(load(a.pcap_nx, True), load(a.dnstap_nx, True), True, problems, notes)
    print("# %d keys from the capture (%d answers, %d responses' worth of counts), "
          "%d from dnstap" % (len(pcap), answers,
                              sum(v[0] for k, v in pcap.items() if k[0] == "answer"),
                              len(dt)))
    for n in notes:
        print("# difference: " + n)
    for p in problems:
        print("not ok: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
