#!/usr/bin/python3
"""bench_fed.py - latency of one federated lookup: a node with three peers
and three mocked HTTPS providers, and where the time goes.

    bench_fed.py --bin build-rel/bin [--rows 2000] [--runs 30]

Node org-a asks peers p1, p2, p3 (loopback pdns-nodes, each with a store
of its own rows for the name); pdns asks org-a (hop limit 1) and the mock's
DNSDB, CIRCL and VirusTotal at once. Each of the six sources holds --rows
rows for the name (VirusTotal at most 400: 40 a page, 10 pages), half of
them shared with the next source, so the merge has work to do.

Printed per configuration, over --runs runs: wall time of the pdns
process (p50, p90, max), the slowest source's time (waiting), the merge
time pdns reports (--status-file merge_seconds), and their shares of the
wall time. Baselines measured in the same run: pdns on the node alone
(--sources local, no forwarding) and pdns on the providers alone, so the
federated figure reads as a ratio, not as an absolute on a shared machine.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for sub in ("../fed", "../peer", "../prov"):
    sys.path.insert(0, os.path.join(HERE, sub))
import netlab  # noqa: E402
import prov_mock  # noqa: E402
import seed_scenario as S  # noqa: E402
from abuse_test import free_port, start_node  # noqa: E402

NAME = "bench-fed-target.com"
NODES = ("org-a", "p1", "p2", "p3")
PROVS = ("dnsdb", "circl", "vt")


def rows_for(i, n, rows):
    """Source i's rows: addresses i*n/2 .. i*n/2+n-1, so neighbours share half."""
    base = i * rows // 2
    out = []
    for k in range(base, base + n):
        addr = "100.%d.%d.%d" % (128 + (k >> 16) % 64, (k >> 8) & 255, k & 255)
        first = 1700000000 + k * 60
        out.append((NAME, "A", addr, first, first + 3600 * (1 + k % 50), 1 + k % 7))
    return out


def setup(args, tmp, procs):
    keys = netlab.loopback_keys(args.bin, os.path.join(tmp, "keys"), list(NODES) + ["cli"], ())
    ports = {"%s/%s" % (n, k): free_port() for n in NODES for k in "sq"}
    for i, n in enumerate(NODES):
        S.SOURCES[n] = rows_for(i, args.rows, args.rows)
        cap = os.path.join(tmp, n + ".pcap")
        S.write_pcap(n, cap, "10.9.0.53")
        subprocess.run([os.path.join(args.bin, "pdns-sensor"), "-r", cap, "--resolver",
                        "10.9.0.53", "--store", os.path.join(tmp, n + "-store"), "-q"],
                       check=True, timeout=300)
        text = ("[node]\nname = {n}\nkey-file = {k}/{n}.key\nstore = {t}/{n}-store\n"
                "sensor-listen = tcp://127.0.0.1:{s}\nquery-listen = tcp://127.0.0.1:{q}\n"
                .format(n=n, k=keys, t=tmp, s=ports[n + "/s"], q=ports[n + "/q"]))
        if n == "org-a":
            text += "[client cli]\npublic-key = {k}/cli.pub\n".format(k=keys)
            for p in NODES[1:]:
                text += ("[peer {p}]\npublic-key = {k}/{p}.pub\nquery-endpoint = "
                         "tcp://127.0.0.1:{q}\naccept = none\nquery-rate = 1000\n"
                         .format(p=p, k=keys, q=ports[p + "/q"]))
        else:
            text += ("[peer org-a]\npublic-key = {k}/org-a.pub\naccept = queries\n"
                     "query-rate = 1000\n".format(k=keys))
        conf = os.path.join(tmp, n + ".conf")
        with open(conf, "w") as f:
            f.write(text)
        _, ok = start_node(args.bin, conf, os.path.join(tmp, n + ".log"), procs)
        if not ok:
            raise RuntimeError("%s did not start (see %s.log)" % (n, n))
    ca, _, cert, key = prov_mock.make_ca(tmp)
    mock = prov_mock.Mock(cert, key)
    mock.datasets["bench"] = {p: rows_for(len(NODES) + i, args.rows if p != "vt" else
                                          min(args.rows, 400), args.rows)
                              for i, p in enumerate(PROVS)}
    secrets = os.path.join(tmp, "secrets")
    with open(secrets, "w") as f:
        # the mock checks the keys it knows
        f.write("[dnsdb]\napi-key = {k}\n[circl]\nuser = {u}\napi-key = {k}\n"
                "[vt]\napi-key = {k}\n".format(k=prov_mock.CANARY, u=prov_mock.USER))
    os.chmod(secrets, 0o600)
    cfg = os.path.join(tmp, "pdns.conf")
    with open(cfg, "w") as f:
        f.write("[pdns]\nca-file = %s\nsecrets = %s\nstate = %s/prov.state\ncache = none\n"
                "deadline = 20\nhop-limit = 1\n" % (ca, secrets, tmp))
        for p in PROVS:
            f.write("\n[provider %s]\nurl = %s\nlimit = %d\nmax-pages = 10\n"
                    % (p, mock.url("bench", p), args.rows if p != "vt" else 40))
    base = [os.path.join(args.bin, "pdns"), "--config", cfg, "--node",
            "tcp://127.0.0.1:%d" % ports["org-a/q"], "--node-key",
            os.path.join(keys, "org-a.pub"), "--key", os.path.join(keys, "cli.key"),
            "-r", NAME, "-j", "-l", "0"]
    return mock, base


def measure(base, sources, runs, tmp):
    status = os.path.join(tmp, "status.json")
    wall, wait, merge, rows, per = [], [], [], 0, {}
    for _ in range(runs):
        t0 = time.monotonic()
        r = subprocess.run(base + ["--sources", sources, "--status-file", status],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        wall.append(time.monotonic() - t0)
        with open(status) as f:
            st = json.load(f)
        bad = {k: v["status"] for k, v in st["sources"].items() if v["status"] != "answered"}
        if r.returncode != 0 or bad:
            raise RuntimeError("%s: exit %d, %s: %s" % (sources, r.returncode, bad,
                                                       r.stderr.strip()[-300:]))
        wait.append(max(v["seconds"] for v in st["sources"].values()))
        merge.append(st.get("merge_seconds", 0.0))
        for k, v in st["sources"].items():
            per.setdefault(k, []).append(v["seconds"])
        rows = st["rows"]
    return wall, wait, merge, rows, per


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_fed.")
    procs = []
    mock = None
    try:
        mock, base = setup(args, tmp, procs)
        results = {}
        for label, sources in (("node alone", "local"),
                               ("providers alone", ",".join(PROVS)),
                               ("node + 3 peers + 3 providers", "local,peers," +
                                ",".join(PROVS))):
            measure(base, sources, 2, tmp)  # warm the caches
            results[label] = measure(base, sources, args.runs, tmp)
        print("federated lookup latency, %d runs each, %d rows per source "
              "(load %.1f)" % (args.runs, args.rows, os.getloadavg()[0]))
        ref = statistics.median(results["node alone"][0])
        for label, (wall, wait, merge, rows, per) in results.items():
            w = statistics.median(wall)
            print("  %-30s %6d rows  wall p50 %6.1f ms p90 %6.1f max %6.1f  "
                  "slowest source %6.1f ms (%4.1f%%)  merge %5.1f ms (%4.1f%%)  "
                  "x%.2f of node alone" % (
                      label, rows, w * 1e3, pct(wall, 0.9) * 1e3, max(wall) * 1e3,
                      statistics.median(wait) * 1e3, 100 * statistics.median(wait) / w,
                      statistics.median(merge) * 1e3, 100 * statistics.median(merge) / w,
                      w / ref))
            print("  %-30s each source's p50: %s" % ("", ", ".join(
                "%s %.1f ms" % (k, statistics.median(v) * 1e3) for k, v in per.items())))
    finally:
        if mock:
            mock.stop()
        for p in procs:
            p.terminate()
            p.wait(20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
