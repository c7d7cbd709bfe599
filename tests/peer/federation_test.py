#!/usr/bin/python3
"""Federated queries between pdns-nodes, on loopback (doc/peer-protocol.md
5.3 and 5.4.1):

- three nodes in a ring, A asking B, B asking C, C asking A, each with
  rows of its own for one name (sent by a Python sensor written from the
  document): a query to A with hop limit 2, 3 and 8 returns every node's
  rows exactly once with its origin, and each source's status; from hop
  limit 3 the query comes back to A, which refuses it as seen (the loop
  ends), and every node logs each query once;
- A restarted asking B, C (whose config takes no queries from A: it
  refuses) and a peer that never answers (a Python CURVE ROUTER that reads
  and stays silent): the answer comes within the deadline with A's and B's
  rows, C reported refused with its reason, the silent peer timed out;
- a peer flooding A with 500 queries over its query-rate of 5/s gets
  refusals ("query rate exceeded") beyond its budget, while a client keeps
  getting full answers; `pdns status` counts the refusals;
- pdns --node (hop limit 0, the node's store alone) still answers as before.

Usage: federation_test.py BINDIR SRCDIR
"""
import os
import re
import struct
import subprocess
import sys
import threading
import time

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
import peer_interop as P  # noqa: E402  (exits 77 without python3-msgpack)
from abuse_test import free_port, start_node, wire_name, zpl  # noqa: E402
from netlab import check, note  # noqa: E402

NAME = "ioc.example.com"
ROWS = {"node-a": ["192.0.2.%d" % i for i in range(1, 6)],
        "node-b": ["198.51.100.%d" % i for i in range(1, 5)],
        "node-c": ["203.0.113.%d" % i for i in range(1, 4)]}
T0 = 1_700_000_000


def query_value(name, rrtype=1, limit=0):
    """A query value (5.3.1): rrset, exact, one type, answer section."""
    w = wire_name(name)
    return (bytes([1, 1, 0, len(w)]) + w + bytes([0]) + struct.pack(">H", 0) + bytes([1]) +
            struct.pack(">H", rrtype) + bytes([0, 0, 0x02]) + struct.pack(">QQ", limit, 0))


def curve(ctx, kind, server_pub, keyfile):
    s = ctx.socket(kind)
    s.linger = 0
    s.curve_serverkey = server_pub
    s.curve_publickey, s.curve_secretkey = zpl(keyfile)
    return s


def feed(ctx, ep, node_pub, keyfile, sensor, rdatas):
    """One OBS_BATCH of sensor's rows; True when it is acknowledged."""
    s = curve(ctx, zmq.DEALER, node_pub, keyfile)
    s.connect(ep)
    rows = [[wire_name(NAME), 1, r, 1, T0, T0 + 60, 7, wire_name("example.com")] for r in rdatas]
    s.send(P.encode(1, {"origin": sensor.encode(), "stream": 0xF00D, "seq": 1, "rows": rows,
                        "group": "", "tlp": None, "sensor": b""}))
    ok = False
    if s.poll(10000):
        t, v = P.decode(s.recv())
        ok = t == 2 and v["seq"] == 1
    s.close()
    return ok


class Client:
    """A DEALER asking one node; QUERY_RESULT parts collected per query id."""

    def __init__(self, ctx, ep, node_pub, keyfile):
        self.s = curve(ctx, zmq.DEALER, node_pub, keyfile)
        self.s.connect(ep)
        self.next_id = int.from_bytes(os.urandom(6), "big") << 8

    def send(self, hop, deadline_ms, limit=0):
        self.next_id += 1
        self.s.send(P.encode(3, {"query_id": self.next_id, "hop_limit": hop,
                                 "deadline_ms": deadline_ms, "query": query_value(NAME, 1, limit)}))
        return self.next_id

    def collect(self, want, timeout):
        """Parts until the final one of every id in want: id -> result."""
        res = {i: {"rows": [], "parts": 0, "final": None} for i in want}
        end = time.time() + timeout
        left = set(want)
        while left and time.time() < end:
            if not self.s.poll(max(1, int((end - time.time()) * 1000))):
                break
            t, v = P.decode(self.s.recv())
            if t != 4 or v["query_id"] not in res:
                continue
            r = res[v["query_id"]]
            r["ok_order"] = r.get("ok_order", True) and v["part"] == r["parts"]
            r["parts"] += 1
            r["rows"] += [(row[2], row[8].decode()) for row in v["rows"]]
            if v["final"]:
                r["final"] = v
                r["at"] = time.time()
                left.discard(v["query_id"])
        return res

    def ask(self, hop, deadline_ms, limit=0):
        t = time.time()
        qid = self.send(hop, deadline_ms, limit)
        r = self.collect([qid], deadline_ms / 1000 + 2)[qid]
        r["elapsed"] = r.get("at", time.time()) - t
        r["id"] = qid
        return r

    def close(self):
        self.s.close()


def sources(final):
    return {s[0]: (s[1], s[2], s[3]) for s in (final or {}).get("sources", [])}


def expected(*nodes):
    return sorted((r, n) for n in nodes for r in ROWS[n])


def status_count(bindir, keys, port, what):
    """The number before `what` in node-a's `pdns status`, or -1."""
    r = subprocess.run([os.path.join(bindir, "pdns"), "status", "--node",
                        "tcp://127.0.0.1:%d" % port, "--node-key", os.path.join(keys, "a.pub"),
                        "--key", os.path.join(keys, "cli.key")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    m = re.search(r"(\d+) %s" % re.escape(what), r.stdout)
    return int(m.group(1)) if r.returncode == 0 and m else -1


def log_count(path, text):
    with open(path, errors="replace") as f:
        return f.read().count(text)


class Silent:
    """A peer's query socket that reads every query and never answers."""

    def __init__(self, ctx, ep, keyfile):
        self.s = ctx.socket(zmq.ROUTER)
        self.s.linger = 0
        self.s.curve_server = True
        self.s.curve_publickey, self.s.curve_secretkey = zpl(keyfile)
        self.s.bind(ep)
        self.got = 0
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            if self.s.poll(100):
                self.s.recv_multipart()
                self.got += 1

    def close(self):
        self.stop = True
        self.t.join(5)
        self.s.close()


def main():
    return netlab.loopback_main("pdns-fed-", run)


def configs(keys, tmp, P_, second):
    """The ring's configs; second: A also asks C and the silent peer, and
    takes queries from the flooder."""
    conf = {}
    nodes = {"a": ("b", "c"), "b": ("c", "a"), "c": ("a", "b")}  # asks, is asked by
    for n, (asks, asked_by) in nodes.items():
        text = """[node]
name = node-{n}
key-file = {k}/{n}.key
store = {t}/{n}-store
sensor-listen = tcp://127.0.0.1:{s}
query-listen = tcp://127.0.0.1:{q}
control = tcp://127.0.0.1:{c}
[sensor s-{n}]
public-key = {k}/s-{n}.pub
[client cli]
public-key = {k}/cli.pub
control = yes
[peer node-{asks}]
public-key = {k}/{asks}.pub
query-endpoint = tcp://127.0.0.1:{aq}
accept = none
[peer node-{by}]
public-key = {k}/{by}.pub
accept = queries
""".format(n=n, k=keys, t=tmp, s=P_[n + "s"], q=P_[n + "q"], c=P_[n + "c"], asks=asks,
           aq=P_[asks + "q"], by=asked_by)
        if n == "a" and second:
            text += """query-endpoint = tcp://127.0.0.1:{cq}
[peer silent]
public-key = {k}/silent.pub
query-endpoint = tcp://127.0.0.1:{sq}
accept = none
[peer flood]
public-key = {k}/flood.pub
accept = queries
query-rate = 5
forward = no
""".format(k=keys, cq=P_["cq"], sq=P_["silent"])
        conf[n] = os.path.join(tmp, "%s%s.conf" % (n, "2" if second and n == "a" else ""))
        with open(conf[n], "w") as f:
            f.write(text)
    return conf


def run(bindir, srcdir, tmp, procs):
    keys = netlab.loopback_keys(bindir, os.path.join(tmp, "keys"),
                                ("a", "b", "c", "s-a", "s-b", "s-c", "cli", "silent", "flood"),
                                ())
    P_ = {k: free_port() for k in ("as", "aq", "ac", "bs", "bq", "bc", "cs", "cq", "cc",
                                   "silent")}
    conf = configs(keys, tmp, P_, False)
    nodes, logs = {}, {}
    for n in "abc":
        logs[n] = os.path.join(tmp, n + ".log")
        nodes[n], ok = start_node(bindir, conf[n], logs[n], procs)
        check(ok, "node-%s: ready" % n)
    pubs = {n: zpl(os.path.join(keys, n + ".pub"))[0] for n in "abc"}
    ctx = zmq.Context()
    for n in "abc":
        check(feed(ctx, "tcp://127.0.0.1:%d" % P_[n + "s"], pubs[n],
                   os.path.join(keys, "s-%s.key" % n), "s-" + n, ROWS["node-" + n]),
              "node-%s: its sensor's %d rows acknowledged" % (n, len(ROWS["node-" + n])))
    cli = Client(ctx, "tcp://127.0.0.1:%d" % P_["aq"], pubs["a"], os.path.join(keys, "cli.key"))

    # Hop limit 0 through pdns --node: A's store alone, as before.
    r = subprocess.run([os.path.join(bindir, "pdns"), "--node", "tcp://127.0.0.1:%d" % P_["aq"],
                        "--node-key", os.path.join(keys, "a.pub"), "--key",
                        os.path.join(keys, "cli.key"), "-r", NAME, "-t", "A", "-j"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
    got = sorted(re.findall(r'"rdata":"([0-9.]+)"', r.stdout))
    check(r.returncode == 0 and got == sorted(ROWS["node-a"]),
          "pdns --node (hop limit 0): node-a's own %d rows (%s)" % (len(got), r.stderr.strip()))

    # The ring, hop limits 2, 3 and 8 (the most): the query goes round
    # once at most.
    seen_before = status_count(bindir, keys, P_["ac"], "seen before")
    for hop in (2, 3, 8):
        res = cli.ask(hop, 5000)
        fin = res["final"]
        check(fin is not None and fin["status"] == 0 and res["ok_order"],
              "hop %d: a final part, status ok, parts in order (%d parts)" % (hop, res["parts"]))
        check(sorted(res["rows"]) == expected("node-a", "node-b", "node-c"),
              "hop %d: every node's rows exactly once with its origin (%d rows)"
              % (hop, len(res["rows"])))
        src = sources(fin)
        check(src.get("node-a") == (0, 5, "") and src.get("node-b", (9,))[0] == 0 and
              src.get("node-c") == (0, 3, "") and len(src) == 3,
              "hop %d: sources a answered 5, b answered, c answered 3: %r" % (hop, src))
        check(res["elapsed"] < 3.0, "hop %d: answered in %.2f s" % (hop, res["elapsed"]))
        qid = "%016x" % res["id"]
        time.sleep(0.3)
        counts = [log_count(logs[n], "queries: %s from" % qid) for n in "abc"]
        check(counts == [1, 1, 1], "hop %d: each node answered query %s once %r"
              % (hop, qid, counts))
        seen = status_count(bindir, keys, P_["ac"], "seen before")
        check(seen - seen_before == (0 if hop == 2 else 1),
              "hop %d: the query came back to node-a %d times and was refused as seen"
              % (hop, seen - seen_before))
        seen_before = seen
    # A repeated id is refused with its reason, not answered twice.
    cli.next_id -= 1
    res = cli.ask(2, 3000)
    src = sources(res["final"])
    check(res["final"] is not None and res["final"]["status"] == 2 and not res["rows"] and
          src.get("node-a", (0, 0, ""))[2].startswith("query already answered here"),
          "a query id seen before is refused at once: %r" % src)
    cli.close()

    # A asks B, C (which takes no queries from A) and a silent peer.
    netlab_stop(nodes["a"])
    conf2 = configs(keys, tmp, P_, True)
    silent = Silent(ctx, "tcp://127.0.0.1:%d" % P_["silent"], os.path.join(keys, "silent.key"))
    logs["a"] = os.path.join(tmp, "a2.log")
    nodes["a"], ok = start_node(bindir, conf2["a"], logs["a"], procs)
    check(ok, "node-a: ready again, asking node-b, node-c and a silent peer")
    time.sleep(0.5)  # the DEALERs connect
    cli = Client(ctx, "tcp://127.0.0.1:%d" % P_["aq"], pubs["a"], os.path.join(keys, "cli.key"))
    res = cli.ask(1, 3000)
    fin = res["final"]
    src = sources(fin)
    check(fin is not None and fin["status"] == 1, "status 1 (partial): a peer timed out")
    check(res["elapsed"] <= 3.0, "the silent peer cost at most the deadline (%.2f s of 3)"
          % res["elapsed"])
    check(sorted(res["rows"]) == expected("node-a", "node-b"),
          "node-a's and node-b's rows arrived (%d)" % len(res["rows"]))
    check(src.get("silent", (9,))[0] == 3 and silent.got >= 1,
          "the silent peer (asked %d times) is reported timed out: %r" % (silent.got,
                                                                           src.get("silent")))
    check(src.get("node-c", (9, 0, ""))[0] == 2 and "not accepted" in src["node-c"][2],
          "node-c (accept without queries) is reported refused, with its reason: %r"
          % (src.get("node-c"),))
    check(src.get("node-b") == (0, 4, "") and src.get("node-a") == (0, 5, ""),
          "node-a and node-b answered: %r" % src)

    # The same through cli_node_query_fed, the API pdns uses.
    def fed_query(key, hop, deadline):
        t = time.time()
        r = subprocess.run([os.path.join(bindir, "fed_query"), "tcp://127.0.0.1:%d" % P_["aq"],
                            os.path.join(keys, "a.pub"), os.path.join(keys, key), NAME, "1",
                            str(hop), str(deadline)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        lines = [l.split("\t") for l in r.stdout.splitlines()]
        return (r, time.time() - t, sorted((l[1], l[2]) for l in lines if l[0] == "row"),
                {l[1]: (l[2], int(l[3]), l[4]) for l in lines if l[0] == "source"})
    r, took, rows, src = fed_query("cli.key", 1, 3000)
    check(r.returncode == 0 and rows == expected("node-a", "node-b") and
          "end\tpartial=1" in r.stdout and took < 3.6,
          "cli_node_query_fed: %d rows with origins, partial, in %.2f s (%s)"
          % (len(rows), took, r.stderr.strip()))
    check(src.get("node-a") == ("answered", 5, "") and src.get("node-b") == ("answered", 4, "")
          and src.get("node-c", ("",))[0] == "refused" and
          src.get("silent", ("",))[0] == "timed out",
          "cli_node_query_fed: each source's status: %r" % src)
    r, took, rows, src = fed_query("silent.key", 1, 3000)
    check(r.returncode == 1 and "the node refused the query: queries not accepted" in r.stderr,
          "cli_node_query_fed: a peer without accept = queries is refused with the reason (%s)"
          % r.stderr.strip())
    silent.close()

    # A flood from a peer over its query-rate, a client asking meanwhile.
    flood = Client(ctx, "tcp://127.0.0.1:%d" % P_["aq"], pubs["a"], os.path.join(keys, "flood.key"))
    time.sleep(0.3)
    t0 = time.time()
    ids, asked = [], []
    for i in range(500):  # over about 2 s, a client query every 100
        ids.append(flood.send(0, 10000))
        if i % 100 == 50:
            asked.append(cli.send(0, 5000))
        time.sleep(0.004)
    spent = time.time() - t0
    answers = cli.collect(asked, 10)
    client_ok = [a["final"] is not None and a["final"]["status"] == 0 and
                 sorted(a["rows"]) == expected("node-a") for a in answers.values()]
    got = flood.collect(ids, 30)
    finals = [g["final"] for g in got.values() if g["final"] is not None]
    answered = [f for f in finals if f["status"] == 0]
    refused = [f for f in finals if f["status"] == 2 and
               sources(f).get("node-a", (0, 0, ""))[2].startswith("query rate exceeded")]
    # A burst of 5, then 5 a second: at least what the sending time
    # allows, at most what the time until the last answer allows.
    last = max([g.get("at", t0) for g in got.values()] + [t0 + spent])
    budget = 5 + 5 * (last - t0) + 1
    check(len(finals) == 500, "the flooder got an answer to each of its 500 queries (%d)"
          % len(finals))
    check(len(answered) + len(refused) == len(finals) and
          5 + 5 * (spent - 0.5) <= len(answered) <= budget,
          "%d answered within its budget (burst 5 + 5/s: <= %.0f in %.1f s), %d refused as "
          "over its query-rate" % (len(answered), budget, spent, len(refused)))
    check(len(client_ok) == 5 and all(client_ok),
          "the client's %d queries during the flood got node-a's full answer" % len(client_ok))
    over = status_count(bindir, keys, P_["ac"], "over a peer's query-rate")
    check(over == len(refused), "pdns status counts %d refusals over the query-rate" % over)
    note("flood: %d answered, %d refused in %.1f s" % (len(answered), len(refused), spent))
    flood.close()
    cli.close()
    for n in "abc":
        netlab_stop(nodes[n])
        check(nodes[n].returncode == 0, "node-%s: stops cleanly (exit %s)" % (n, nodes[n].returncode))
    ctx.term()


def netlab_stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


if __name__ == "__main__":
    sys.exit(main())
