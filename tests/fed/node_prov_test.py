#!/usr/bin/python3
"""Providers through the node (issue 6; doc/peer-protocol.md 5.3.2).

Node org-a has [node] providers = a pdns.conf-format file naming dnsdb and
circl (the HTTPS mock, serving this test's rows) and "dead" (a server that
accepts and never answers). peer-b subscribes to org-a's group and may ask
it queries. pdns has no provider of its own: it asks through the node with
--sources local,node:dnsdb,node:circl.

Checked:
- rows of both providers arrive with their names as origin, beside the
  node's own sensor row, and a status per provider;
- a second ask is served from the node's store (zero requests to the mock,
  the status says cached); --no-cache asks again and the counts in the
  answer and in the node's store are the providers' own, not doubled;
- a plain lookup of the node (no sources) is enriched by the cached rows;
- peer-b asking org-a gets none of the provider rows, and a peer naming
  providers is refused (status 2, reason); a sensor batch org-a publishes
  after caching reaches peer-b, and peer-b holds none of the provider rows;
- the canary API key is in no node log line and no pdns output;
- the dead provider costs its timeout only, and meanwhile the node keeps
  answering another client's queries at once (its loop is not blocked).

Usage: node_prov_test.py BINDIR SRCDIR
"""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "peer"))
sys.path.insert(0, os.path.join(HERE, "..", "prov"))
import netlab  # noqa: E402
import prov_mock  # noqa: E402
from netlab import check, note  # noqa: E402

try:
    import zmq  # noqa: E402
    import peer_interop as P  # noqa: E402
    from abuse_test import free_port, start_node, wire_name, zpl  # noqa: E402
    from federation_test import Client, netlab_stop, query_value  # noqa: E402
except ImportError as e:
    print("1..0 # SKIP %s" % e)
    sys.exit(77)

# Not a special-use name (example.com is one): the node would not share it.
NAME = "login-verify-acct.com"
OWN = "45.33.32.156"     # not a special-purpose address: the node shares it
DNSDB = [(NAME, "A", "198.51.100.%d" % i, 1600000000 + i, 1650000000 + i, 10 * i)
         for i in (1, 2, 3)]
CIRCL = [(NAME, "A", "198.51.100.3", 1590000000, 1660000000, 4),
         (NAME, "A", "203.0.113.9", 1610000000, 1620000000, 2)]
PROV_RDATA = {r[2] for r in DNSDB + CIRCL}


def node_configs(keys, tmp, ports, provfile):
    a = """[node]
name = org-a
key-file = {k}/org-a.key
store = {t}/org-a-store
sensor-listen = tcp://127.0.0.1:{as_}
query-listen = tcp://127.0.0.1:{aq}
providers = {pf}
[group g]
tlp = amber
publish = tcp://127.0.0.1:{ap}
pseudonym-secret-file = {k}/g.secret
heartbeat = 1
[sensor s-a]
public-key = {k}/s-a.pub
[client analyst]
public-key = {k}/analyst.pub
[client other]
public-key = {k}/other.pub
[peer peer-b]
public-key = {k}/peer-b.pub
groups = g
accept = queries
[http]
listen = tcp://127.0.0.1:{ah}
""".format(k=keys, t=tmp, as_=ports["as"], aq=ports["aq"], ap=ports["ap"], pf=provfile,
           ah=ports["ah"])
    b = """[node]
name = peer-b
key-file = {k}/peer-b.key
store = {t}/peer-b-store
query-listen = tcp://127.0.0.1:{bq}
[group g]
tlp = amber
publish = tcp://127.0.0.1:{bp}
pseudonym-secret-file = {k}/g-b.secret
heartbeat = 1
[client analyst]
public-key = {k}/analyst.pub
[peer org-a]
public-key = {k}/org-a.pub
endpoint = tcp://127.0.0.1:{ap}
query-endpoint = tcp://127.0.0.1:{aq}
groups = g
accept = observations
""".format(k=keys, t=tmp, bq=ports["bq"], bp=ports["bp"], ap=ports["ap"], aq=ports["aq"])
    out = {}
    for n, text in (("org-a", a), ("peer-b", b)):
        out[n] = os.path.join(tmp, n + ".conf")
        with open(out[n], "w") as f:
            f.write(text)
    return out


def providers_file(tmp, mock, ca, dead_port):
    d = os.path.join(tmp, "prov")
    os.makedirs(d, mode=0o700)
    secrets = os.path.join(d, "secrets")
    with open(secrets, "w") as f:
        f.write("[dnsdb]\napi-key = %s\n" % prov_mock.CANARY)
        f.write("[circl]\nuser = %s\napi-key = %s\n" % (prov_mock.USER, prov_mock.CANARY))
        f.write("[dead]\napi-key = %s\n" % prov_mock.CANARY)
    os.chmod(secrets, 0o600)
    path = os.path.join(d, "providers.conf")
    with open(path, "w") as f:
        f.write("[pdns]\nca-file = %s\nstate = %s\ncache-ttl = 1h\n"
                % (ca, os.path.join(d, "prov.state")))
        f.write("[provider dnsdb]\nurl = %s\ntimeout = 5\n" % mock.url("np", "dnsdb"))
        f.write("[provider circl]\nurl = %s\ntimeout = 5\n" % mock.url("np", "circl"))
        f.write("[provider dead]\ntype = dnsdb\nurl = https://127.0.0.1:%d\ntimeout = 2\n"
                % dead_port)
    return path, secrets


def rows_of(stdout):
    out = {}
    for line in stdout.splitlines():
        o = json.loads(line)
        out[o["rdata"]] = o
    return out


def peer_rows(ctx, ep, node_pub, keyfile, providers=None):
    """A QUERY as a peer or client (hop 0), optionally naming providers:
    (rdata, origin) rows and the final part."""
    c = Client(ctx, ep, node_pub, keyfile)
    c.next_id += 1
    vals = {"query_id": c.next_id, "hop_limit": 0, "deadline_ms": 5000,
            "query": query_value(NAME)}
    if providers is not None:
        vals.update(providers=providers, prov_flags=0)
    c.s.send(P.encode(3, vals))
    r = c.collect([c.next_id], 7)[c.next_id]
    c.close()
    return r


def batch(ctx, ep, node_pub, keyfile, seq, rdata):
    """Sensor s-a's batch seq: rdata for NAME; True when acknowledged."""
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.curve_serverkey = node_pub
    s.curve_publickey, s.curve_secretkey = zpl(keyfile)
    s.connect(ep)
    w = wire_name(NAME)
    s.send(P.encode(1, {"origin": b"s-a", "stream": 0xF00D, "seq": seq, "group": "",
                        "tlp": None, "sensor": b"",
                        "rows": [[w, 1, rdata, 1, 1700000000, 1700300000, 7, w]]}))
    ok = s.poll(10000) and P.decode(s.recv())[0] == 2
    s.close()
    return ok


def run(bindir, srcdir, tmp, procs):
    pdns = os.path.join(bindir, "pdns")
    os.chmod(tmp, 0o700)
    keys = netlab.loopback_keys(bindir, os.path.join(tmp, "keys"),
                                ("org-a", "peer-b", "s-a", "analyst", "other"), ("g", "g-b"))
    ports = {k: free_port() for k in ("as", "aq", "ap", "bq", "bp", "ah")}
    ca, _, cert, key = prov_mock.make_ca(tmp)
    mock = prov_mock.Mock(cert, key)
    mock.datasets["np"] = {"dnsdb": DNSDB, "circl": CIRCL}
    dead = prov_mock.DeadServer()
    outputs = []
    try:
        provfile, secrets = providers_file(tmp, mock, ca, dead.port)
        conf = node_configs(keys, tmp, ports, provfile)

        # An open secrets file keeps the node from starting, as pdns refuses it.
        os.chmod(secrets, 0o644)
        r = subprocess.run([os.path.join(bindir, "pdns-node"), "--config", conf["org-a"]],
                           capture_output=True, text=True, timeout=30)
        check(r.returncode != 0 and "secrets" in r.stderr,
              "a secrets file others may read is refused (%s)" % r.stderr.strip()[-160:])
        os.chmod(secrets, 0o600)

        logs = {n: os.path.join(tmp, n + ".log") for n in conf}
        nodes = {}
        for n in ("org-a", "peer-b"):
            nodes[n], ok = start_node(bindir, conf[n], logs[n], procs)
            check(ok, "%s: ready" % n)
        ctx = zmq.Context()
        a_pub = zpl(os.path.join(keys, "org-a.pub"))[0]
        a_ep = "tcp://127.0.0.1:%d" % ports["aq"]
        check(batch(ctx, "tcp://127.0.0.1:%d" % ports["as"], a_pub,
                    os.path.join(keys, "s-a.key"), 1, OWN),
              "org-a's sensor row stored")

        pconf = os.path.join(tmp, "pdns.conf")
        with open(pconf, "w") as f:
            f.write("[pdns]\ncache = none\ndeadline = 10\n")
        base = [pdns, "--config", pconf, "--node", a_ep,
                "--node-key", os.path.join(keys, "org-a.pub"),
                "--key", os.path.join(keys, "analyst.key")]
        status = os.path.join(tmp, "status.json")

        def ask(args, timeout=60):
            t0 = time.monotonic()
            r = subprocess.run(base + args, capture_output=True, text=True, timeout=timeout)
            outputs.extend([r.stdout, r.stderr])
            st = {}
            if os.path.exists(status):
                with open(status) as f:
                    text = f.read()
                outputs.append(text)
                st = json.loads(text).get("sources", {})
                os.unlink(status)
            return r, st, time.monotonic() - t0

        via = ["--sources", "local,node:dnsdb,node:circl", "--status-file", status,
               "-r", NAME, "-t", "A", "-j"]

        # 1. Through the node: its own row, both providers' rows and statuses.
        r, st, _ = ask(via)
        got = rows_of(r.stdout) if r.returncode == 0 else {}
        origins = {rd: sorted(s["origin"] for s in o.get("sources", []))
                   for rd, o in got.items()}
        check(r.returncode == 0 and set(got) == PROV_RDATA | {OWN},
              "pdns via the node: the node's row and every provider row (%s; %s)"
              % (sorted(got), r.stderr.strip()[-300:]))
        check(origins.get("198.51.100.3") == ["circl", "dnsdb"] and
              origins.get("198.51.100.1") == ["dnsdb"] and origins.get(OWN) == ["org-a"],
              "each row lists its sources by provider name (%s)" % origins)
        check(got.get("198.51.100.3", {}).get("count") == 34,
              "counts add across providers (30 + 4 = %s)"
              % got.get("198.51.100.3", {}).get("count"))
        check(all(str(st.get(p, {}).get("status", "")).startswith("answered")
                  for p in ("dnsdb", "circl")),
              "a status per provider, answered: %s" % {k: v.get("status") for k, v in
                                                        st.items()})
        n1 = (mock.count("np", "dnsdb"), mock.count("np", "circl"))
        check(n1 == (1, 1), "the node asked each provider once (%s)" % (n1,))

        # 2. Again: from the node's store, no request to the mock.
        r, st, _ = ask(via)
        got2 = rows_of(r.stdout) if r.returncode == 0 else {}
        n2 = (mock.count("np", "dnsdb"), mock.count("np", "circl"))
        check(n2 == n1 and set(got2) == set(got) and
              all(got2[k]["count"] == got[k]["count"] for k in got),
              "a second ask is served from the node's cache: %s requests, same rows and counts"
              % ((n2[0] - n1[0]) + (n2[1] - n1[1])))
        check("cached" in json.dumps(st.get("dnsdb", {})),
              "and dnsdb's status says cached (%s)" % st.get("dnsdb"))

        # 3. --no-cache: asked again, nothing doubles.
        r, st, _ = ask(via + ["--no-cache"])
        got3 = rows_of(r.stdout) if r.returncode == 0 else {}
        n3 = (mock.count("np", "dnsdb"), mock.count("np", "circl"))
        check(n3 == (n1[0] + 1, n1[1] + 1), "--no-cache asks each provider again (%s)" % (n3,))
        check(set(got3) == set(got) and all(got3[k]["count"] == got[k]["count"] for k in got),
              "with the same counts as the first answer (%s)"
              % {k: got3[k]["count"] for k in got3})
        r, st, _ = ask(via)
        got4 = rows_of(r.stdout) if r.returncode == 0 else {}
        check(mock.count("np", "dnsdb") == n3[0] and
              all(got4.get(k, {}).get("count") == got[k]["count"] for k in got),
              "and the store's copy was refreshed, not doubled (cached again: %s)"
              % {k: got4.get(k, {}).get("count") for k in got})

        # 4. Enriched: a plain lookup of the node has the providers' rows.
        r, _, _ = ask(["-r", NAME, "-t", "A", "-j"])
        plain = rows_of(r.stdout) if r.returncode == 0 else {}
        check(r.returncode == 0 and PROV_RDATA <= set(plain),
              "a plain lookup of the node is enriched by the cached rows (%s)" % sorted(plain))

        # 4b. Nor does the HTTP API hand them on ([http] provider-rows = no).
        # Its read-only store handles catch up at most once a second.
        time.sleep(1.2)
        req = urllib.request.Request("http://127.0.0.1:%d/dnsdb/v2/lookup/rrset/name/%s/A"
                                     % (ports["ah"], NAME), headers={"X-API-Key": "any"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            saf = [json.loads(ln) for ln in resp.read().decode().splitlines() if ln.strip()]
        rd = {d for o in saf if "obj" in o for d in o["obj"]["rdata"]}
        check(OWN in rd and not (rd & PROV_RDATA),
              "the node's HTTP API serves its own row and no cached provider row (%s)"
              % sorted(rd))

        # 5. Peers get none of it.
        b_key = os.path.join(keys, "peer-b.key")
        res = peer_rows(ctx, a_ep, a_pub, b_key)
        rd = {x[0] for x in res["rows"]}
        check(res["final"] is not None and OWN in rd and not (rd & PROV_RDATA),
              "peer-b asking org-a gets its own row and no provider row (%s)" % sorted(rd))
        res = peer_rows(ctx, a_ep, a_pub, b_key, providers=["dnsdb"])
        fin = res["final"] or {}
        srcs = fin.get("sources", [])
        check(fin.get("status") == 2 and not res["rows"] and srcs and
              "clients only" in srcs[0][3],
              "a peer naming providers is refused: status %s, %s" % (fin.get("status"), srcs))
        check(batch(ctx, "tcp://127.0.0.1:%d" % ports["as"], a_pub,
                    os.path.join(keys, "s-a.key"), 2, "45.33.32.157"),
              "org-a takes a second sensor batch after caching (and publishes it)")
        b_ep = "tcp://127.0.0.1:%d" % ports["bq"]
        b_pub = zpl(os.path.join(keys, "peer-b.pub"))[0]
        an_key = os.path.join(keys, "analyst.key")
        rd = set()
        end = time.time() + 20
        while time.time() < end and "45.33.32.157" not in rd:
            rd = {x[0] for x in peer_rows(ctx, b_ep, b_pub, an_key)["rows"]}
            time.sleep(0.3)
        check("45.33.32.157" in rd and not (rd & PROV_RDATA),
              "peer-b's copy of org-a has the published batch and no provider row (%s)"
              % sorted(rd))

        # 6. A dead provider costs its timeout; the loop keeps answering.
        done = {}

        def slow():
            done["r"] = ask(["--sources", "node:all", "--status-file", status, "-r", NAME,
                             "-t", "A", "-j"])
        t = threading.Thread(target=slow)
        t.start()
        time.sleep(0.3)
        lat = []
        o_key = os.path.join(keys, "other.key")
        while t.is_alive() and len(lat) < 50:
            t0 = time.monotonic()
            res = peer_rows(ctx, a_ep, a_pub, o_key)
            if res["final"] is not None and OWN in {x[0] for x in res["rows"]}:
                lat.append(time.monotonic() - t0)
            time.sleep(0.05)
        t.join(30)
        r, st, took = done.get("r", (None, {}, 99))
        check(len(lat) >= 3 and max(lat) < 1.0,
              "while the dead provider is asked, another client's %d queries are answered, "
              "slowest in %.3f s" % (len(lat), max(lat) if lat else -1))
        check(r is not None and "timed out" in str(st.get("dead", {}).get("status")) and
              took < 2 + 4,
              "node:all: the dead provider is reported timed out after %.1f s (timeout 2 s; %s)"
              % (took, st.get("dead")))
        got5 = rows_of(r.stdout) if r is not None and r.returncode == 0 else {}
        check(set(got5) == PROV_RDATA and all("cached" in str(st.get(p, {}).get("why"))
                                              for p in ("dnsdb", "circl")),
              "and the other two answer from the node's cache, their rows only (%s)"
              % sorted(got5))
        res = peer_rows(ctx, a_ep, a_pub, o_key, providers=["nosuch"])
        srcs = {x[0]: x for x in (res["final"] or {}).get("sources", [])}
        check(srcs.get("nosuch", [0, 0])[1] == 2 and "no such provider" in srcs["nosuch"][3],
              "a provider the node does not have is reported refused (%s)" % srcs.get("nosuch"))

        for n in nodes:
            netlab_stop(nodes[n])
        text = "".join(open(logs[n], errors="replace").read() for n in logs)
        note("org-a's provider lines:\n" + "\n".join(
            "  " + ln for ln in text.splitlines() if "provider" in ln)[:1500])
        check(prov_mock.CANARY not in text and not any(prov_mock.CANARY in o for o in outputs),
              "the canary API key is in no node log line and no pdns output")
        check("Sanitizer" not in text and "runtime error" not in text,
              "no sanitizer report from either node (workers joined, jobs freed)")
        # The node's store: provider rows under prov:NAME, counts not doubled.
        rows = netlab.dump(bindir, os.path.join(tmp, "org-a-store"), origin="prov:dnsdb")
        cnt = {k[3]: v[2] for k, v in rows.items()}
        check(cnt == {r[2]: r[5] for r in DNSDB},
              "org-a's store keeps dnsdb's rows under prov:dnsdb with its counts (%s)" % cnt)
        shared = netlab.dump(bindir, os.path.join(tmp, "peer-b-store"))
        check(not ({k[3] for k in shared} & PROV_RDATA),
              "peer-b's store holds no provider row (%d rows)" % len(shared))
    finally:
        mock.stop()
        dead.stop()


if __name__ == "__main__":
    sys.exit(netlab.loopback_main("pdns-node-prov-", run))
