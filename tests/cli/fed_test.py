#!/usr/bin/python3
"""fed_test.py - pdns --sources: the local store and mocked providers in one
answer (issue 6).

    fed_test.py PDNS PDNS_SENSOR [BINDIR]

A store built by pdns-sensor from a generated capture holds part of
example.com's history; the HTTPS provider mock (tests/prov/prov_mock.py)
answers as DNSDB, CIRCL and VirusTotal, a quota-exhausted PassiveTotal, a
Mnemonic that accepts and never answers, and a 360 on a closed port.

Checked: every row of the merged answer is the merge of what each source
gives alone (counts added across sources, null when no source has one,
earliest first, latest last), with its sources listed; the per-source
status lines and --status-file; the provider cache (a second run is served
from it without one request, --no-cache asks again, and refreshing never
doubles a count); one failing or silent source costs its status, not the
others' rows, and at most its timeout; exit 69 when every source fails;
without --sources the output is byte for byte the plain one; the canary
API key never shows. With BINDIR (pdns-node there, python3-zmq and
msgpack here), three loopback nodes in a ring (tests/peer/federation_test.py's)
answer through --node: every node's rows with its origin, one status per
node, merged with a provider's.
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "prov"))
sys.path.insert(0, os.path.join(HERE, "..", "fed"))
import prov_mock  # noqa: E402
import prov_test  # noqa: E402
import seed_scenario  # noqa: E402
from prov_mock import CANARY, QADDR, QNAME  # noqa: E402
from prov_test import check  # noqa: E402

PDNS, SENSOR = sys.argv[1], sys.argv[2]
outputs = []  # every stdout, stderr and status file, for the canary check


# The store's part: the mock's address seen locally in a later window (it
# overlaps the providers'), and an address only the store knows.
LOCAL_ROWS = [
    (QNAME, "A", QADDR, 1650000000, 1750000000, 3),
    (QNAME, "A", "192.0.2.1", 1755000000, 1755000100, 2),
]


def pdns(tmp, args, sources=None, conf=None, extra=(), store=True):
    """Run pdns; returns (exit, stdout, stderr, status dict or None, seconds)."""
    status = os.path.join(tmp, "status.json")
    if os.path.exists(status):
        os.unlink(status)
    cmd = [PDNS] + (["--store", os.path.join(tmp, "store")] if store else [])
    if conf:
        cmd += ["--config", conf]
    if sources:
        cmd += ["--sources", sources, "--status-file", status]
    cmd += list(extra) + args
    env = dict(os.environ, HOME=os.path.join(tmp, "home"))
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    took = time.monotonic() - t0
    st = None
    if os.path.exists(status):
        with open(status) as f:
            text = f.read()
        outputs.append(text)
        st = json.loads(text)
    outputs.extend([r.stdout, r.stderr])
    return r.returncode, r.stdout, r.stderr, st, took


rows_of = seed_scenario.rows_of


def merge_model(alone):
    """The issue's rules over {source: rows alone}: an independent model."""
    out = {}
    for src, rows in alone.items():
        for key, o in rows.items():
            r = out.setdefault(key, {"first": None, "last": None, "count": None,
                                     "sources": {}})
            s = o["sources"][0]
            if s["time_first"] and (r["first"] is None or s["time_first"] < r["first"]):
                r["first"] = s["time_first"]
            r["last"] = s["time_last"] if r["last"] is None else max(r["last"],
                                                                     s["time_last"])
            if s["count"] is not None:
                r["count"] = (r["count"] or 0) + s["count"]
            r["sources"][src] = (s["time_first"], s["time_last"], s["count"])
    return out


def setup():
    """The store, and prov_test's mock, dead server, CA and secrets."""
    env = prov_test.Env(None)
    tmp, mock, dead, ca, secrets = env.tmp, env.mock, env.dead, env.ca, env.secrets
    os.mkdir(os.path.join(tmp, "home"))
    seed_scenario.SOURCES["fed_test"] = LOCAL_ROWS
    seed_scenario.write_pcap("fed_test", os.path.join(tmp, "local.pcap"))
    subprocess.run([SENSOR, "-r", os.path.join(tmp, "local.pcap"), "--resolver", "10.9.0.53",
                    "--store", os.path.join(tmp, "store"), "-q"], check=True, timeout=60)
    closed = prov_mock.closed_port()
    urls = {"dnsdb": mock.url("ok", "dnsdb"), "circl": mock.url("ok", "circl"),
            "vt": mock.url("ok", "vt"), "pt": mock.url("quota", "pt"),
            "mnemonic": "https://127.0.0.1:%d/m/ok/mnemonic" % dead.port,
            "360": "https://127.0.0.1:%d/m/ok/360" % closed}

    def config(name, pdns_extra="", cache=None):
        path = os.path.join(tmp, name + ".conf")
        with open(path, "w") as f:
            f.write("[pdns]\nca-file = %s\nsecrets = %s\nstate = %s.state\n"
                    "cache = %s\ncache-ttl = 1h\ndeadline = 20\n%s"
                    % (ca, secrets, name, cache or os.path.join(tmp, name + ".cache"),
                       pdns_extra))
            for p, u in urls.items():
                f.write("\n[provider %s]\nurl = %s\n" % (p, u))
                if p == "mnemonic":
                    f.write("timeout = 2\n")
        return path
    return env, tmp, mock, config


def status_lines(stderr):
    """{source: the rest of its 'pdns: source NAME: ...' line}."""
    out = {}
    for line in stderr.splitlines():
        if line.startswith("pdns: source "):
            name, rest = line[len("pdns: source "):].split(": ", 1)
            out[name] = rest
    return out


def test_merge_and_cache(tmp, mock, config):
    conf = config("merge")
    q = ["-r", QNAME, "-j", "-k", "data", "-s"]
    alone = {}
    for src in ("local", "dnsdb", "circl", "vt"):
        code, out, err, st, _ = pdns(tmp, q, sources=src, conf=conf, extra=["--no-cache"])
        check(code == 0 and st["sources"][src]["status"] == "answered",
              "%s alone: answered (exit %d, %s)" % (src, code, err.strip()))
        alone[src] = rows_of(out)
        check(len(alone[src]) > 0, "%s alone: %d rows" % (src, len(alone[src])))
    reqs = {p: mock.count("ok", p) for p in ("dnsdb", "circl", "vt")}

    # One run over all four: the cache is fresh from the runs above, so
    # this is served from it; --no-cache asks again. Both must agree.
    code, cached_out, err, st, _ = pdns(tmp, q, sources="local,dnsdb,circl,vt", conf=conf)
    lines = status_lines(err)
    check(code == 0, "merged run: exit 0 (%s)" % err.strip())
    for p in ("dnsdb", "circl", "vt"):
        check(lines.get(p, "").startswith("cached ") and st["sources"][p]["status"] == "cached",
              "%s: served from the cache (%s)" % (p, lines.get(p)))
        check(mock.count("ok", p) == reqs[p], "%s: no request while cached" % p)
    check(lines.get("local", "").startswith("answered %d rows in " % len(alone["local"])),
          "local: status line 'answered N rows in S s' (%s)" % lines.get("local"))

    code, fresh_out, err, st, _ = pdns(tmp, q, sources="local,dnsdb,circl,vt", conf=conf,
                                       extra=["--no-cache"])
    lines = status_lines(err)
    for p in ("dnsdb", "circl", "vt"):
        check(lines.get(p, "").startswith("answered ") and mock.count("ok", p) > reqs[p],
              "%s --no-cache: asked again (%s)" % (p, lines.get(p)))
    check(fresh_out == cached_out and fresh_out != "",
          "cached and fetched answers print the same rows")
    check(0 < st["merge_seconds"] < st["seconds"] and
          st["seconds"] >= max(v["seconds"] for v in st["sources"].values()),
          "status file: the lookup's time and its merging share (%.6f of %.3f s)"
          % (st["merge_seconds"], st["seconds"]))
    code, again_out, err, st, _ = pdns(tmp, q, sources="local,dnsdb,circl,vt", conf=conf)
    check(again_out == fresh_out and "cached" in status_lines(err).get("dnsdb", ""),
          "refreshing the cache doubles no count (cached again, same rows)")

    merged = rows_of(fresh_out)
    model = merge_model(alone)
    check(set(merged) == set(model), "the merged answer has every source's rows, once each")
    bad = []
    for key, m in model.items():
        o = merged.get(key)
        if o is None:
            continue
        got_src = {s["origin"]: (s["time_first"], s["time_last"], s["count"])
                   for s in o["sources"]}
        if (o["time_first"], o["time_last"], o["count"]) != (m["first"], m["last"],
                                                             m["count"]) \
                or got_src != m["sources"]:
            bad.append((key, o, m))
    check(not bad, "every row: min first, max last, counts added, sources listed %s"
          % (bad[:1],))
    shared = merged.get((QNAME, "A", QADDR))
    check(shared is not None and [s["origin"] for s in shared["sources"]] ==
          ["local", "dnsdb", "circl", "vt"],
          "the shared address lists its four sources in order")
    check(shared is not None and any(s["count"] is None for s in shared["sources"])
          and shared["count"] is not None, "vt's count is null, the row's is not")
    vt_only = [o for o in merged.values() if [s["origin"] for s in o["sources"]] == ["vt"]]
    check(all(o["count"] is None for o in vt_only),
          "a row only VirusTotal knows has count null (%d such)" % len(vt_only))

    code, text, err, _, _ = pdns(tmp, ["-r", QNAME, "-k", "data", "-s"],
                                 sources="local,dnsdb,circl,vt", conf=conf)
    check(";; sources: local, dnsdb, circl, vt\n" in text, "text: a ';; sources:' line")
    code, csv, err, _, _ = pdns(tmp, ["-r", QNAME, "-p", "csv"], sources="local,vt",
                                conf=conf)
    check(csv.splitlines()[0].endswith(",section,sources") and '"local, vt"' in csv,
          "csv: a sources column")


def test_failures(tmp, mock, config):
    conf = config("fail")
    q = ["-r", QNAME, "-j"]
    code, local_out, _, _, _ = pdns(tmp, q, sources="local", conf=conf)
    code, out, err, st, took = pdns(tmp, q, sources="local,pt,mnemonic,360", conf=conf)
    lines = status_lines(err)
    check(code == 0, "local answered, three providers failed: exit 0 (%d)" % code)
    check(out == local_out and out != "", "the store's rows still print, unchanged")
    check(lines.get("pt", "").startswith("quota exceeded") and
          st["sources"]["pt"]["status"] == "quota exceeded",
          "pt: quota exceeded (%s)" % lines.get("pt"))
    check(lines.get("mnemonic", "").startswith("timed out"),
          "mnemonic (never answers): timed out (%s)" % lines.get("mnemonic"))
    check(lines.get("360", "").startswith("error") and
          st["sources"]["360"]["status"] == "error",
          "360 (closed port): error (%s)" % lines.get("360"))
    check(took < 12, "a silent provider costs its timeout, not more (%.1f s)" % took)
    check(st["exit"] == 0 and st["rows"] == len(local_out.splitlines()),
          "status file: rows and exit")
    n = mock.count("quota", "pt")
    code, out, err, st, _ = pdns(tmp, q, sources="local,pt", conf=conf)
    check(status_lines(err).get("pt", "").startswith("backoff") and
          mock.count("quota", "pt") == n, "pt in backoff: not asked again")

    code, out, err, st, _ = pdns(tmp, q, sources="360", conf=conf)
    check(code == 69 and out == "" and "every source failed" in err,
          "every source failed: exit 69 (%d)" % code)
    check(st is not None and st["exit"] == 69, "status file written with exit 69")


def test_plain(tmp, config):
    conf = config("plain")
    for args in (["-r", QNAME], ["-r", QNAME, "-j"], ["-i", QADDR, "-p", "csv"]):
        c1, o1, e1, _, _ = pdns(tmp, args)
        c2, o2, e2, _, _ = pdns(tmp, args, conf=conf)
        check((c1, o1, e1) == (c2, o2, e2) and "sources" not in o1 and o1 != "",
              "no --sources: output byte for byte the plain one (%s)" % " ".join(args))
    conf = config("dflt", pdns_extra="sources = local,dnsdb\n")
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME, "-j"], conf=conf)
    lines = status_lines(err)
    check(code == 0 and "local" in lines and "dnsdb" in lines and '"sources":[' in out,
          "pdns.conf sources = local,dnsdb is the default (%s)" % sorted(lines))
    same = config("same", cache=os.path.join(tmp, "store"))
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME, "-j"], sources="local,dnsdb", conf=same)
    check(code == 0 and "provider cache '%s' not used: it is the local store" %
          os.path.join(tmp, "store") in err and '"origin":"dnsdb"' in out,
          "a cache that is the local store is not used (dnsdb still asked)")
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME, "-j"], sources="local", conf=same)
    check(code == 0 and '"origin":"dnsdb"' not in out and out != "",
          "and no provider row went into the local store")
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME], conf=os.path.join(tmp, "none.conf"))
    check(code == 66 and err.count("\n") == 1 and "none.conf" in err,
          "a missing --config: exit 66, one line (%s)" % err.strip())
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[pdns]\nbogus = 1\n")
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME], conf=bad)
    check(code == 78 and err.count("\n") == 1 and "bad.conf:2" in err,
          "a bad pdns.conf: exit 78, FILE:LINE (%s)" % err.strip())
    open_secrets = os.path.join(tmp, "open-secrets")
    with open(open_secrets, "w") as f:
        f.write("[dnsdb]\napi-key = %s\n" % CANARY)
    os.chmod(open_secrets, 0o644)
    with open(bad, "w") as f:
        f.write("[pdns]\nsecrets = %s\n[provider dnsdb]\n" % open_secrets)
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME], sources="dnsdb", conf=bad)
    check(code == 78 and "0644" in err, "secrets readable by others: exit 78 (%s)"
          % err.strip())
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME], sources="bogus", conf=conf)
    check(code == 64 and "'bogus'" in err, "an unknown source: exit 64 (%d)" % code)


def test_pivot(tmp, mock, config):
    """--pivot over the store and a provider: the provider's other name on the
    shared address is found, rows keep their sources, the graph renders."""
    conf = config("pivot")
    code, out, err, st, _ = pdns(tmp, ["-r", QNAME, "-t", "A", "-j", "--pivot", "2"],
                                 sources="local,dnsdb", conf=conf)
    got = rows_of(out)
    other = [k for k in got if k[0] != QNAME]
    check(code == 0 and other and all(
              [s["origin"] for s in got[k]["sources"]] == ["dnsdb"] for k in other),
          "--pivot 2: other names on the address, from dnsdb (%s)" % sorted(other))
    shared = got.get((QNAME, "A", QADDR), {"sources": []})
    check([s["origin"] for s in shared["sources"]] == ["local", "dnsdb"] and
          shared["count"] == sum(s["count"] for s in shared["sources"]),
          "a row reached twice keeps one entry per source, counts not doubled (%r)"
          % shared.get("count"))
    lines = status_lines(err)
    check(code == 0 and "lookups)" in lines.get("dnsdb", "") and
          st["sources"]["dnsdb"]["lookups"] >= 2 and
          st["sources"]["dnsdb"]["answered"] == st["sources"]["dnsdb"]["lookups"],
          "one status line per source over the pivot's lookups (%s)" % lines.get("dnsdb"))
    check("pdns: pivot done:" in err, "progress on standard error")
    code, dot, err, st, _ = pdns(tmp, ["-r", QNAME, "-t", "A", "-p", "dot", "--pivot", "2"],
                                 sources="local,dnsdb", conf=conf)
    ok = code == 0 and dot.startswith("digraph") and '"%s"' % QADDR in dot
    try:
        r = subprocess.run(["dot", "-Tpng"], input=dot.encode(), capture_output=True,
                           timeout=60)
        ok = ok and r.returncode == 0 and r.stdout[:4] == b"\x89PNG"
        how = "rendered by dot -Tpng"
    except FileNotFoundError:
        how = "no Graphviz here to render it"
    check(ok, "-p dot: the pivot's graph (%s)" % how)
    code, gdf, err, st, _ = pdns(tmp, ["-r", QNAME, "-p", "gdf"])
    check(code == 0 and gdf.startswith("nodedef>") and "edgedef>" in gdf,
          "-p gdf without --pivot: the answer's graph")
    code, out, err, _, _ = pdns(tmp, ["-r", QNAME, "--pivot-budget", "3"])
    check(code == 64, "--pivot-budget without --pivot: exit 64")


def test_node(bindir, tmp, config):
    """pdns --node --sources local,peers,dnsdb over a ring of three nodes."""
    try:
        sys.path.insert(0, os.path.join(HERE, "..", "peer"))
        import zmq
        import federation_test as F
        import netlab
    except (ImportError, SystemExit) as e:  # peer_interop exits without msgpack
        print("# the node part is skipped: %s" % e)
        return
    keys = netlab.loopback_keys(bindir, os.path.join(tmp, "keys"),
                                ("a", "b", "c", "s-a", "s-b", "s-c", "cli", "silent", "flood"),
                                ())
    ports = {k: F.free_port() for k in ("as", "aq", "ac", "bs", "bq", "bc", "cs", "cq", "cc",
                                        "silent")}
    conf = F.configs(keys, tmp, ports, False)
    rows = {"a": [QADDR, "192.0.2.10"], "b": [QADDR, "192.0.2.11"], "c": ["192.0.2.12"]}
    procs, ctx = [], zmq.Context()
    try:
        for n in "abc":
            _, ok = F.start_node(bindir, conf[n], os.path.join(tmp, n + ".log"), procs)
            check(ok, "node-%s: ready" % n)
        F.NAME = QNAME  # feed() sends its rows for F.NAME
        for n in "abc":
            pub = F.zpl(os.path.join(keys, n + ".pub"))[0]
            check(F.feed(ctx, "tcp://127.0.0.1:%d" % ports[n + "s"], pub,
                         os.path.join(keys, "s-%s.key" % n), "s-" + n, rows[n]),
                  "node-%s: its rows stored" % n)
        node = ["--node", "tcp://127.0.0.1:%d" % ports["aq"], "--node-key",
                os.path.join(keys, "a.pub"), "--key", os.path.join(keys, "cli.key")]
        nconf = config("node", pdns_extra="hop-limit = 2\n")
        q = ["-r", QNAME, "-t", "A", "-j"]
        code, out, err, st, _ = pdns(tmp, q, sources="dnsdb", conf=nconf, store=False)
        dnsdb = rows_of(out)
        code, out, err, st, _ = pdns(tmp, q, sources="local,peers,dnsdb", conf=nconf,
                                     extra=node + ["--no-cache"], store=False)
        lines = status_lines(err)
        check(code == 0 and all(lines.get(n, "").startswith("answered") for n in
                                ("node-a", "node-b", "node-c", "dnsdb")),
              "--node, hop limit 2: node-a, node-b, node-c and dnsdb answered (%s)"
              % err.strip())
        got = rows_of(out)
        want = {}
        for n, rds in rows.items():
            for rd in rds:
                want.setdefault((QNAME, "A", rd), set()).add("node-" + n)
        for key in dnsdb:
            want.setdefault(key, set()).add("dnsdb")
        check({k: {s["origin"] for s in o["sources"]} for k, o in got.items()} == want,
              "every node's rows with their origins, and dnsdb's: %r"
              % sorted((k[2], sorted(v)) for k, v in want.items()))
        shared = got.get((QNAME, "A", QADDR), {})
        d = dnsdb.get((QNAME, "A", QADDR), {"count": 0, "time_first": 0})
        check(shared.get("count") == 7 + 7 + d["count"] and
              shared.get("time_first") == min(F.T0, d["time_first"]),
              "the shared address: node-a's, node-b's and dnsdb's counts added (%r)"
              % shared.get("count"))
        code, out, err, st, _ = pdns(tmp, q, sources="peers", conf=nconf, extra=node,
                                     store=False)
        lines = status_lines(err)
        got = rows_of(out)
        check(code == 0 and "node-a" not in lines and "node-b" in lines and
              {k[2]: [s["origin"] for s in o["sources"]] for k, o in got.items()} ==
              {QADDR: ["node-b"], "192.0.2.11": ["node-b"], "192.0.2.12": ["node-c"]},
              "--sources peers: the peers' rows and statuses, not the node's own (%s)"
              % sorted(lines))
        code, out, err, st, _ = pdns(tmp, q, sources="local", conf=nconf, extra=node,
                                     store=False)
        check(code == 0 and sorted(k[2] for k in rows_of(out)) == sorted(rows["a"]) and
              status_lines(err).get("node", "").startswith("answered 2 rows"),
              "--sources local with --node: the node's own rows, hop limit 0 (%s)"
              % err.strip())
    finally:
        for p in procs:
            F.netlab_stop(p)
        ctx.term()


def main():
    env, tmp, mock, config = setup()
    try:
        test_merge_and_cache(tmp, mock, config)
        test_failures(tmp, mock, config)
        test_plain(tmp, config)
        test_pivot(tmp, mock, config)
        if len(sys.argv) > 3:
            test_node(sys.argv[3], tmp, config)
        check(not any(CANARY in o for o in outputs),
              "the canary API key appears in no output, error or status file")
    finally:
        env.stop()
        subprocess.run(["rm", "-rf", tmp])
    print("1..%d" % prov_test.checks)
    return 1 if prov_test.failures else 0


if __name__ == "__main__":
    sys.exit(main())
