#!/usr/bin/python3
"""check_cases.py --sensor PATH --dir OUTDIR - run pdns-sensor on every case
written by gen_cases.py and compare with its NAME.expect.json.

Per case:
  1. PATH -r FILE... --sections all --nxdomain TMP ARGS
     stdout: one JSON object per line; objects with the same key are
     partial aggregates and are merged (counts summed, min/max times);
     compared with "obs" exactly, as multisets of whole objects (the
     presence and value of "bailiwick" included). TMP is compared with
     "nxdomain" the same way. The last `pdns-sensor: stats:` line on
     stderr is checked for the counters the case names ("a|b": the sum).
  2. the same without --sections all: only the answer observations.
Both runs must exit 0. Prints a diff per failing case and a closing
"N passed, N failed" line; exits 1 on any failure.
"""

import argparse
import fnmatch
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

OBS_KEYS = {"rrname", "rrtype", "rdata", "time_first", "time_last", "count",
            "section"}
NX_KEYS = {"qname", "qtype", "time_first", "time_last", "count"}
SECTIONS = {"answer", "authority", "additional"}
STATS_RE = re.compile(r"^pdns-sensor: stats:(.*)$")


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_obs_obj(o):
    if not isinstance(o, dict):
        return "not an object"
    keys = set(o)
    extra = keys - OBS_KEYS - {"bailiwick"}
    missing = OBS_KEYS - keys
    if extra or missing:
        return "keys: missing %s extra %s" % (sorted(missing), sorted(extra))
    for k in ("rrname", "rrtype", "rdata", "section"):
        if not isinstance(o[k], str):
            return "%s is not a string" % k
    if "bailiwick" in o and not isinstance(o["bailiwick"], str):
        return "bailiwick is not a string"
    for k in ("time_first", "time_last", "count"):
        if not is_int(o[k]):
            return "%s is not an integer" % k
    if o["section"] not in SECTIONS:
        return "bad section %r" % o["section"]
    if o["count"] < 1 or o["time_first"] > o["time_last"]:
        return "count < 1 or time_first > time_last"
    return None


def check_nx_obj(o):
    if not isinstance(o, dict):
        return "not an object"
    if set(o) != NX_KEYS:
        return "keys %s (want %s)" % (sorted(o), sorted(NX_KEYS))
    if not (isinstance(o["qname"], str) and isinstance(o["qtype"], str)):
        return "qname/qtype not strings"
    for k in ("time_first", "time_last", "count"):
        if not is_int(o[k]):
            return "%s is not an integer" % k
    return None


def obs_key(o):
    return (o["rrname"], o["rrtype"], o["rdata"], o["section"],
            o.get("bailiwick"))


def nx_key(o):
    return (o["qname"], o["qtype"])


def aggregate(objs, keyf):
    agg = {}
    for o in objs:
        k = keyf(o)
        if k in agg:
            f, l, c = agg[k]
            agg[k] = (min(f, o["time_first"]), max(l, o["time_last"]),
                      c + o["count"])
        else:
            agg[k] = (o["time_first"], o["time_last"], o["count"])
    return agg


def parse_lines(text, checker, what, errors):
    objs = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            o = json.loads(line)
        except ValueError as e:
            errors.append("%s line %d is not JSON (%s): %r" %
                          (what, i, e, line[:200]))
            continue
        err = checker(o)
        if err:
            errors.append("%s line %d: %s: %s" % (what, i, err, line[:300]))
            continue
        objs.append(o)
    return objs


def fmt_obs_key(k):
    s = "%s %s %s [%s]" % (k[0], k[1], json.dumps(k[2]), k[3])
    return s + (" bailiwick=%s" % k[4] if k[4] is not None else
                " (no bailiwick)")


def fmt_nx_key(k):
    return "%s %s" % k


def diff(want, got, fmt):
    lines = []
    for k in sorted(set(want) | set(got), key=lambda x: tuple(
            "" if v is None else str(v) for v in x)):
        w, g = want.get(k), got.get(k)
        if w == g:
            continue
        if g is None:
            lines.append("  missing:    %s first=%d last=%d count=%d" %
                         ((fmt(k),) + w))
        elif w is None:
            lines.append("  unexpected: %s first=%d last=%d count=%d" %
                         ((fmt(k),) + g))
        else:
            lines.append("  wrong:      %s want first=%d last=%d count=%d, "
                         "got first=%d last=%d count=%d" %
                         ((fmt(k),) + w + g))
    return lines


def parse_stats(stderr):
    stats = None
    for line in stderr.splitlines():
        m = STATS_RE.match(line.strip())
        if m:
            stats = {}
            for tok in m.group(1).split():
                if "=" in tok:
                    k, v = tok.split("=", 1)
                    try:
                        stats[k] = int(v)
                    except ValueError:
                        stats[k] = v
    return stats


def run_sensor(sensor, files, args, sections_all, timeout):
    fd, nxpath = tempfile.mkstemp(prefix="pdns-nx-", suffix=".jsonl")
    os.close(fd)
    os.unlink(nxpath)  # the sensor creates it
    cmd = [sensor]
    for f in files:
        cmd += ["-r", f]
    if sections_all:
        cmd += ["--sections", "all"]
    cmd += ["--nxdomain", nxpath] + list(args)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
        rc, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = "timeout", e.stdout or b"", e.stderr or b""
    nx = None
    if os.path.exists(nxpath):
        with open(nxpath, "rb") as f:
            nx = f.read().decode("utf-8", "replace")
        os.unlink(nxpath)
    return (cmd, rc, out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"), nx)


def check_case(exp, sensor, d, opts):
    problems = []
    files = [os.path.join(d, f) for f in exp["files"]]
    want_obs = aggregate(exp["obs"], obs_key)
    want_nx = aggregate(exp["nxdomain"], nx_key)
    for sections_all in (True, False):
        tag = "" if sections_all else "[answer only] "
        cmd, rc, out, err, nxtext = run_sensor(sensor, files, exp["args"],
                                               sections_all, opts.timeout)
        local = []
        if rc != 0:
            local.append("exit status %s (want 0); stderr: %s" %
                         (rc, err.strip()[-800:]))
        got = aggregate(parse_lines(out, check_obs_obj, "stdout", local),
                        obs_key)
        want = want_obs if sections_all else \
            {k: v for k, v in want_obs.items() if k[3] == "answer"}
        dl = diff(want, got, fmt_obs_key)
        if dl:
            local.append("observations differ:")
            local += dl
        if nxtext is None and want_nx:
            local.append("no NXDOMAIN file written")
        gotnx = aggregate(parse_lines(nxtext or "", check_nx_obj, "nxdomain",
                                      local), nx_key)
        dl = diff(want_nx, gotnx, fmt_nx_key)
        if dl:
            local.append("nxdomain records differ:")
            local += dl
        if sections_all and exp.get("counters"):
            stats = parse_stats(err)
            if stats is None:
                local.append("no 'pdns-sensor: stats:' line on stderr")
            else:
                for name, val in sorted(exp["counters"].items()):
                    # "a|b": the sum of those the sensor prints
                    parts = [p for p in name.split("|") if p in stats]
                    if not parts:
                        if not opts.lenient_counters:
                            local.append("counter %s: not printed" % name)
                        continue
                    have = sum(stats[p] for p in parts
                               if isinstance(stats[p], int))
                    if have != val:
                        local.append("counter %s = %d (want %d)" %
                                     (name, have, val))
        if local:
            problems.append(tag + "command: " + " ".join(cmd))
            problems += [tag + x for x in local]
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sensor", required=True, help="pdns-sensor binary")
    ap.add_argument("--dir", required=True, help="gen_cases.py output")
    ap.add_argument("--case", action="append", default=[],
                    help="only cases matching this glob (repeatable)")
    ap.add_argument("--lenient-counters", action="store_true",
                    help="a counter the sensor does not print is not a "
                    "failure")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("-q", "--quiet", action="store_true",
                    help="print failing cases only")
    opts = ap.parse_args()
    if not os.access(opts.sensor, os.X_OK):
        print("check_cases: %s is not an executable" % opts.sensor)
        return 1
    exps = sorted(glob.glob(os.path.join(opts.dir, "*.expect.json")))
    if not exps:
        print("check_cases: no *.expect.json in %s" % opts.dir)
        return 1
    passed = failed = 0
    for path in exps:
        with open(path) as f:
            exp = json.load(f)
        if opts.case and not any(fnmatch.fnmatch(exp["name"], p)
                                 for p in opts.case):
            continue
        problems = check_case(exp, opts.sensor, opts.dir, opts)
        if problems:
            failed += 1
            print("FAIL %s - %s" % (exp["name"], exp["description"]))
            for p in problems:
                print("    " + p)
        else:
            passed += 1
            if not opts.quiet:
                print("ok   %s" % exp["name"])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
