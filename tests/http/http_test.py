#!/usr/bin/python3
"""pdns-node's HTTP APIs end to end, against Debian's own dnsdbq.

A store is built from the sample capture and a generated one, a node serves
it over HTTP on a random loopback port (API keys and CIRCL users in secret
files), and Debian's dnsdbq 2.6.4, unmodified, is pointed at it for DNSDB
API v2, v1 (-u dnsdb1) and CIRCL (-u circl): every case must print the rows
pdns prints on the same store (compared after stripping trailing dots).
dnsdbq exits 0 on HTTP errors, so its output is what is checked. Then
direct HTTP checks: SAF framing, 401/403/404/405/413/416/429, 414/431 for
oversized requests, rate_limit, ping, /metrics, the per-client connection
cap, slow senders cut, an unbounded wildcard refused and a wide one capped,
a node without keys accepting any key, and rows written through the node
showing up over HTTP.

usage: http_test.py BINDIR SRCDIR       (exit 77: dnsdbq is not installed)
"""
import csv
import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BIN, SRC = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
PCAP = os.path.join(SRC, "tests/data/sample.pcap")
GEN = os.path.join(SRC, "tests/gen/gen_bench.py")
DNSDBQ = shutil.which("dnsdbq")

KEY = "alice-key-0123456789abcdef"        # quota 1000
QKEY = "quota-key-0123456789abcdef"       # quota 7
BAD = "wrong-key-0123456789abcdef"
USER, PASSWORD = "circl", "circl-secret-1"
QUOTA, SMALL_QUOTA = 1000, 7
TIMEOUT = 3                               # [http] timeout
PER_CLIENT = 8
MAX_SCAN = 500                            # [http] max-scan

fails = 0
count = 0


def ok(cond, what):
    global fails, count
    count += 1
    print(("ok %d - " if cond else "not ok %d - ") % count + what.replace("\n", " / "),
          flush=True)
    if not cond:
        fails += 1
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def run(cmd, env=None, timeout=60):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    return r.stdout, r.stderr, r.returncode


# ---- Parsing both programs' outputs into comparable rows ----

def nodot(s):
    return s[:-1] if s and s.endswith(".") and s != "." else s


def rows_json(text):
    """NDJSON (COF, or DNSDB objects with rdata arrays) -> sorted row tuples."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        rd = o["rdata"]
        for r in (rd if isinstance(rd, list) else [rd]):
            out.append((nodot(o["rrname"]), o["rrtype"], r, o["time_first"], o["time_last"],
                        o["count"], nodot(o.get("bailiwick", ""))))
    return sorted(out)


def rows_text(text):
    """dnsdbq's (and pdns's) text blocks -> sorted row tuples."""
    out, times, cnt, bail = [], None, None, ""
    for line in text.splitlines():
        m = re.match(r";; record times: (.+?) \.\. (.+?)( \(.*\))?$", line)
        if m:
            times = (m.group(1), m.group(2))
            continue
        m = re.match(r";; count: (\d+)(; bailiwick: (.*))?$", line)
        if m:
            cnt, bail = int(m.group(1)), nodot(m.group(3) or "")
            continue
        if not line.strip() or line.startswith(";;"):
            continue
        name, rtype, rdata = line.split(None, 2)
        out.append((nodot(name), rtype, rdata, times[0], times[1], cnt, bail))
    return sorted(out)


def rows_csv(text):
    out = []
    for r in csv.DictReader(io.StringIO(text)):
        out.append((nodot(r["rrname"]), r["rrtype"], r["rdata"], r["time_first"],
                     r["time_last"], int(r["count"]), nodot(r["bailiwick"])))
    return sorted(out)


# ---- The node ----

class Node:
    def __init__(self, tmp, name, store, http_lines, sensor_pub=None):
        self.tmp, self.store = tmp, store
        self.port, sp, qp = free_port(), free_port(), free_port()
        conf = os.path.join(tmp, name + ".conf")
        with open(conf, "w") as f:
            f.write("[node]\nname = %s\nkey-file = node.key\nstore = %s\n"
                    "sensor-listen = tcp://127.0.0.1:%d\nquery-listen = tcp://127.0.0.1:%d\n\n"
                    "[http]\nlisten = tcp://127.0.0.1:%d\n%s\n"
                    % (name, store, sp, qp, self.port, http_lines))
            if sensor_pub:
                f.write("[sensor s1]\npublic-key = %s\n" % sensor_pub)
        self.conf, self.sensor_port = conf, sp
        self.log = open(os.path.join(tmp, name + ".log"), "w+")
        self.proc = subprocess.Popen([os.path.join(BIN, "pdns-node"), "--config", conf],
                                     stderr=self.log, cwd=tmp)
        deadline = time.time() + 30
        while time.time() < deadline:
            self.log.seek(0)
            if "pdns-node: ready\n" in self.log.read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.log.seek(0)
        sys.exit("node did not start:\n" + self.log.read())

    def stop(self):
        self.proc.terminate()
        rc = self.proc.wait(30)
        self.log.seek(0)
        return rc, self.log.read()

    def get(self, path, headers=None, method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body


def dnsdbq(node, args, system=None, key=KEY, circl_auth=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DNSDBQ_CONFIG_FILE": "/dev/null",
           "DNSDB_SERVER": "http://127.0.0.1:%d" % node.port, "DNSDB_API_KEY": key,
           "HOME": node.tmp}
    if system == "circl":
        env["CIRCL_SERVER"] = "http://127.0.0.1:%d/pdns/query" % node.port
        env["CIRCL_AUTH"] = circl_auth or "%s:%s" % (USER, PASSWORD)
    cmd = [DNSDBQ] + (["-u", system] if system else []) + args
    return run(cmd, env=env)


def pdns(store, args):
    # The node's [http] max-scan is 1000: pdns reads as far, so wide
    # wildcards are cut at the same row in both.
    return run([os.path.join(BIN, "pdns"), "--store", store, "--max-scan", str(MAX_SCAN)] + args)


def compare(node, store, label, dq_args, pd_args, system=None, fmt="text"):
    out, err, _ = dnsdbq(node, dq_args, system)
    ref, _, rc = pdns(store, pd_args + (["-j"] if fmt == "json" else
                                       ["-p", "csv"] if fmt == "csv" else []))
    parse = {"json": rows_json, "text": rows_text, "csv": rows_csv}[fmt]
    try:
        got, want = parse(out), parse(ref)
    except Exception as e:  # noqa: BLE001 - report whatever broke the parse
        return ok(False, "%s: cannot parse (%s): %r / %r" % (label, e, out[:300], err[:300]))
    return ok(rc == 0 and len(want) > 0 and got == want,
              "%s: dnsdbq %s prints pdns's %d rows (%s)%s" % (
                  label, " ".join(dq_args), len(want), fmt,
                  "" if got == want else "\n# got  %r\n# want %r\n# err %r" % (
                      got[:5], want[:5], err[:300])))


def saf_ok(body):
    """SAF framing: every line newline-terminated JSON, none blank, begin
    first, exactly one terminator last. Returns (ok, objs, last cond)."""
    text = body.decode()
    if not text.endswith("\n"):
        return False, [], None
    lines = text[:-1].split("\n")
    try:
        objs = [json.loads(x) for x in lines]
    except ValueError:
        return False, [], None
    if not lines or any(not x.strip() for x in lines):
        return False, [], None
    conds = [o.get("cond") for o in objs]
    good = conds[0] == "begin" and conds[-1] in ("succeeded", "limited", "failed") and \
        all(c is None for c in conds[1:-1]) and all("obj" in o for o in objs[1:-1])
    return good, [o["obj"] for o in objs[1:-1]], objs[-1]


def metric(text, name):
    m = re.search(r"^%s (\d+)$" % re.escape(name), text, re.M)
    return int(m.group(1)) if m else None


def secret_file(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def main():
    if DNSDBQ is None:
        print("# dnsdbq is not installed (tests/setup.sh installs it); skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="pdns-http-")
    try:
        return test(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test(tmp):
    store = os.path.join(tmp, "store")
    gen = os.path.join(tmp, "gen.pcap")
    subprocess.run(["/usr/bin/python3", GEN, "--responses", "20000", "--out", gen, "--seed", "3"],
                   check=True, capture_output=True)
    for cap in (PCAP, gen):
        subprocess.run([os.path.join(BIN, "pdns-sensor"), "-q", "-r", cap, "--store", store],
                       check=True)
    for k in ("node", "s1"):
        subprocess.run([os.path.join(BIN, "pdns"), "keygen", os.path.join(tmp, k)], check=True,
                       capture_output=True)
    secret_file(os.path.join(tmp, "keys"),
                "# name:key quota\nalice:%s %d\nquota:%s %d\n" % (KEY, QUOTA, QKEY, SMALL_QUOTA))
    secret_file(os.path.join(tmp, "users"), "%s:%s\n" % (USER, PASSWORD))
    http_lines = ("api-keys-file = keys\nbasic-auth-file = users\nmax-per-client = %d\n"
                  "max-connections = 32\ntimeout = %d\nmax-request-size = 8k\nthreads = 2\n"
                  "max-scan = %d\n" % (PER_CLIENT, TIMEOUT, MAX_SCAN))

    # --check-config: the section's errors.
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("[node]\nname = b\nkey-file = node.key\n[http]\nlisten = tcp://0.0.0.0:1\n"
                "quota = x\n")
    _, err, rc = run([os.path.join(BIN, "pdns-node"), "--check-config", "--config", bad])
    ok(rc == 78 and "quota" in err and "not a loopback address: give api-keys-file" in err,
       "check-config: a bad [http] section (%d: %s)" % (rc, err.strip()))
    os.chmod(os.path.join(tmp, "users"), 0o644)
    with open(bad, "w") as f:
        f.write("[node]\nname = b\nkey-file = node.key\n[http]\nlisten = tcp://127.0.0.1:1\n"
                "basic-auth-file = users\n")
    _, err, rc = run([os.path.join(BIN, "pdns-node"), "--check-config", "--config", bad])
    ok(rc == 78 and "mode 0644" in err and PASSWORD not in err,
       "check-config: a readable credential file is refused, its secrets unsaid (%s)"
       % err.strip())
    os.chmod(os.path.join(tmp, "users"), 0o600)

    node = Node(tmp, "n1", store, http_lines, sensor_pub="s1.pub")
    try:
        test_dnsdbq(node, store)
        test_direct(node, store)
        test_limits(node)
        test_fresh(node, store, tmp)
    finally:
        rc, log = node.stop()
    ok(rc == 0, "node: SIGTERM stops it cleanly (exit %d)" % rc)
    ok(KEY not in log and QKEY not in log and PASSWORD not in log and BAD not in log,
       "access log: no key or password")
    ok(re.search(r'http: 127\.0\.0\.1 "GET /dnsdb/v2/lookup/rrset/name/[^"]*" 200 rows=\d+ '
                 r'bytes=\d+ ms=\d+ key=alice', log) is not None, "access log: one line per "
       "request with the key's name")

    # No keys configured: a loopback API lets any key in.
    small = os.path.join(tmp, "small")
    subprocess.run([os.path.join(BIN, "pdns-sensor"), "-q", "-r", PCAP, "--store", small],
                   check=True)
    node = Node(tmp, "n2", small, "")
    try:
        out, err, _ = dnsdbq(node, ["-r", "web.example.com", "-j"], key="anything")
        ref, _, _ = pdns(small, ["-r", "web.example.com", "-j"])
        ok(rows_json(out) == rows_json(ref) and rows_json(ref),
           "no api-keys-file: any key is accepted on loopback")
        st, _, body = node.get("/pdns/query/web.example.com")
        ok(st == 200 and rows_json(body.decode()) == rows_json(ref),
           "no credentials at all: CIRCL without authentication")
    finally:
        node.stop()
    print("1..%d" % count)
    print("%d passed, %d failed" % (count - fails, fails))
    return 1 if fails else 0


def test_dnsdbq(node, store):
    cases = [
        ("-r NAME", ["-r", "web.example.com"], None),
        ("-r NAME/TYPE", ["-r", "web.example.com/A"], None),
        ("-r *.zone", ["-r", "*.example.com"], None),
        ("-r zone.*", ["-r", "www.example.*"], None),
        ("-n NAME", ["-n", "web.example.com"], None),
        ("-i IP", ["-i", "192.0.2.80"], None),
        ("-i CIDR", ["-i", "192.0.2.0/24"], None),
        ("-i A-B", ["-i", "192.0.2.81-192.0.2.120"], None),
        ("-R HEX", ["-R", "03776562076578616d706c6503636f6d00"], None),
        ("-A", ["-r", "*.example.com", "-A", "1700086400"], None),
        ("-B", ["-r", "*.example.com", "-B", "1700086400"], None),
        ("-A -B", ["-r", "*.example.com", "-A", "1700000001", "-B", "1700172806"], None),
        ("-A -B -c", ["-r", "*.example.com", "-A", "1700000001", "-B", "1700172806", "-c"],
         None),
        ("-A -c", ["-r", "*.example.com", "-A", "1700086400", "-c"], None),
        ("-l", ["-r", "*.example.com", "-l", "5"], None),
        ("-O", ["-r", "*.example.com", "-O", "7"], None),
        ("-l -O", ["-i", "192.0.2.0/24", "-l", "4", "-O", "3"], None),
        ("wide -r *.com", ["-r", "*.com"], None),
        ("v1 -r", ["-r", "web.example.com"], "dnsdb1"),
        ("v1 -r NAME/TYPE", ["-r", "web.example.com/AAAA"], "dnsdb1"),
        ("v1 -n", ["-n", "web.example.com"], "dnsdb1"),
        ("v1 -i IP", ["-i", "192.0.2.80"], "dnsdb1"),
        ("v1 -i CIDR", ["-i", "192.0.2.0/24"], "dnsdb1"),
        ("circl -r", ["-r", "web.example.com"], "circl"),
        ("circl -i", ["-i", "192.0.2.80"], "circl"),
    ]
    for label, args, system in cases:
        for fmt in ("text", "json"):
            compare(node, store, label, args + (["-j"] if fmt == "json" else []), args,
                    system, fmt)
    compare(node, store, "-p csv", ["-r", "*.example.com", "-p", "csv"], ["-r", "*.example.com"],
            None, "csv")
    compare(node, store, "-p csv -i", ["-i", "192.0.2.0/24", "-p", "csv"], ["-i", "192.0.2.0/24"],
            None, "csv")

    # -V summarize.
    for args in (["-r", "*.example.com"], ["-i", "192.0.2.0/24"], ["-r", "web.example.com"]):
        out, err, _ = dnsdbq(node, ["-V", "summarize", "-j"] + args)
        ref, _, _ = pdns(store, ["-V", "summarize", "-j"] + args)
        got = json.loads(out) if out.strip() else None
        ok(got is not None and got == json.loads(ref),
           "-V summarize %s: %s equals pdns's %s (%s)" % (" ".join(args), out.strip(),
                                                          ref.strip(), err.strip()[:200]))
    out, _, _ = dnsdbq(node, ["-V", "summarize"] + ["-r", "*.example.com"])
    ref, _, _ = pdns(store, ["-V", "summarize", "-j", "-r", "*.example.com"])
    want = json.loads(ref)
    ok("count: %d; num_results: %d" % (want["count"], want["num_results"]) in out,
       "-V summarize (text): %s" % out.strip().replace("\n", " / "))

    # -I against the configured quota: 3 lookups with the quota key, then -I.
    for _ in range(3):
        dnsdbq(node, ["-r", "web.example.com"], key=QKEY)
    for system in (None, "dnsdb1"):
        out, err, _ = dnsdbq(node, ["-I"], system, key=QKEY)
        ok(re.search(r"limit: %d\b" % SMALL_QUOTA, out) is not None and
           re.search(r"remaining: %d\b" % (SMALL_QUOTA - 3), out) is not None and
           re.search(r"reset: \d+", out) is not None,
           "-I%s: limit %d, remaining %d (%s)" % (" -u " + system if system else "",
                                                   SMALL_QUOTA, SMALL_QUOTA - 3,
                                                   out.strip().replace("\n", " / ")))
    out, _, _ = dnsdbq(node, ["-I"])
    ok(re.search(r"limit: %d\b" % QUOTA, out) is not None, "-I: the other key's own quota")
    # CIRCL's other refusals, as dnsdbq shows them.
    out, err, _ = dnsdbq(node, ["-r", "web.example.com", "-j"], "circl",
                         circl_auth="%s:wrong-password" % USER)
    ok(out == "", "circl: a wrong password prints nothing (401)")
    out, err, _ = dnsdbq(node, ["-i", "192.0.2.0/24"], "circl")
    ok(out == "" and "CIDR" in err, "circl: a CIDR gets a clear error (%s)" % err.strip()[:200])
    out, err, _ = dnsdbq(node, ["-r", "web.example.com"], key=BAD)
    ok(out == "" and "403" in err and "Bad API key" in err, "a wrong key: 403 (%s)"
       % err.strip()[:200])


def test_direct(node, store):
    H = {"X-API-Key": KEY, "Accept": "application/x-ndjson"}
    st, hd, body = node.get("/dnsdb/v2/lookup/rrset/name/%2A.example.com?limit=3", H)
    good, objs, last = saf_ok(body)
    ok(st == 200 and good and len(objs) == 3 and last == {"cond": "limited",
                                                           "msg": "Result limit reached"} and
       hd.get("content-type") == "application/x-ndjson",
       "SAF: begin, 3 obj lines, limited with a msg, every line ends with a newline")
    ok(all(o["rrname"].endswith(".") and o.get("bailiwick", ".").endswith(".") and
           isinstance(o["rdata"], list) and len(o["rdata"]) == 1 for o in objs),
       "SAF: trailing dots on rrname and bailiwick, rdata an array of one")
    st, _, body = node.get("/dnsdb/v2/lookup/rrset/name/nosuch.example.com", H)
    good, objs, last = saf_ok(body)
    ok(st == 200 and good and not objs and last == {"cond": "succeeded"},
       "SAF: no result is begin and succeeded, 200")
    st, _, body = node.get("/dnsdb/v2/lookup/rrset/name/web.example.com/ANY/example.com", H)
    good, objs, _ = saf_ok(body)
    ref, _, _ = pdns(store, ["-r", "web.example.com", "-b", "example.com", "-j"])
    ok(good and sorted(json.dumps(o, sort_keys=True) for o in objs) and
       len(objs) == len(rows_json(ref)), "ANY/BAILIWICK path segments")
    st, _, body = node.get("/dnsdb/v2/lookup/rrset/name/web.example.com?time_last_after=-60", H)
    good, objs, _ = saf_ok(body)
    ok(st == 200 and good and not objs, "a negative (relative) time fence")
    st, _, body = node.get("/dnsdb/v2/lookup/rrset/name/web.example.com?aggr=f&humantime=t", H)
    good, objs, _ = saf_ok(body)
    ok(good and objs and all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", o["time_first"])
                             for o in objs), "aggr=f and humantime=t")
    st, _, body = node.get("/dnsdb/v2/summarize/rrset/name/%2A.example.com?max_count=3", H)
    good, objs, _ = saf_ok(body)
    ok(good and len(objs) == 1 and objs[0]["count"] >= 3 and objs[0]["num_results"] < 10,
       "summarize with max_count stops at the count (%r)" % objs)
    st, _, body = node.get("/dnsdb/v2/rate_limit", H)
    rate = json.loads(body)["rate"]
    ok(st == 200 and body.endswith(b"\n") and rate["limit"] == QUOTA and
       isinstance(rate["reset"], int) and rate["results_max"] > 0, "rate_limit: %s"
       % body.decode().strip())
    st, _, body = node.get("/dnsdb/v2/ping", {})
    ok(st == 200 and json.loads(body) == {"ping": "ok"}, "ping")

    # Refusals, each a one-line body.
    for path, hdrs, want, what in [
        ("/dnsdb/v2/lookup/rrset/name/web.example.com", {}, 403, "no key"),
        ("/dnsdb/v2/lookup/rrset/name/web.example.com", {"X-API-Key": BAD}, 403, "bad key"),
        ("/metrics", {"X-API-Key": BAD}, 403, "/metrics with a bad key"),
        ("/pdns/query/web.example.com", {}, 401, "CIRCL without credentials"),
        ("/dnsdb/v2/lookup/rrset/name/*", H, 400, "an unbounded wildcard"),
        ("/dnsdb/v2/lookup/rrset/name/*.", H, 400, "the root's wildcard"),
        ("/dnsdb/v2/lookup/rdata/ip/10.0.0.0,0", H, 400, "a /0"),
        ("/dnsdb/v2/lookup/rrset/name/a..b", H, 400, "a bad name"),
        ("/dnsdb/v2/lookup/rrset/name/web.example.com/NOPE", H, 400, "an unknown type"),
        ("/dnsdb/v2/lookup/rrset/name/x?limit=abc", H, 400, "a bad limit"),
        ("/dnsdb/v2/lookup/rrset/name/x%00y", H, 400, "%00"),
        ("/dnsdb/v2/lookup/rrset/name/x?offset=99999999999", H, 416, "an offset past the max"),
        ("/dnsdb/v2/lookup/nope/name/x", H, 404, "an unknown path"),
        ("/nothing/here", H, 404, "an unknown API"),
        ("/lookup/rrset/name/nosuch.example.com", H, 404, "v1: no result"),
    ]:
        st, hd, body = node.get(path, hdrs)
        ok(st == want and body.startswith(b"Error: ") and body.endswith(b"\n") and
           body.count(b"\n") == 1, "%s: %d, one line (%d: %r)" % (what, want, st, body[:100]))
    st, _, body = node.get("/lookup/rrset/name/nosuch.example.com", H)
    ok(body == b"Error: no results found for query.\n", "v1: the DNSDB 404 text")
    st, hd, _ = node.get("/pdns/query/web.example.com", {})
    ok(st == 401 and hd.get("www-authenticate", "").startswith("Basic"),
       "CIRCL: 401 with a Basic challenge")
    auth = {"Authorization": "Basic " + __import__("base64").b64encode(
        ("%s:%s" % (USER, PASSWORD)).encode()).decode()}
    st, _, body = node.get("/pdns/query/nosuch.example.com", auth)
    ok(st == 200 and body == b"", "CIRCL: no result is 200 with an empty body")
    st, _, body = node.get("/pdns/query/web.example.com", {"Authorization": KEY})
    ref, _, _ = pdns(store, ["-r", "web.example.com", "-j"])
    ok(st == 200 and body.decode() == ref, "CIRCL: an API key as the Authorization token; "
       "lines are pdns -j's, byte for byte")
    st, hd, _ = node.get("/dnsdb/v2/lookup/rrset/name/web.example.com", H, method="POST")
    ok(st == 405 and "GET" in hd.get("allow", ""), "POST: 405")

    # Quota: the quota key has 7 queries a period; 3 went to -I's test.
    for i in range(SMALL_QUOTA - 3):
        st, hd, _ = node.get("/dnsdb/v2/lookup/rrset/name/web.example.com", {"X-API-Key": QKEY})
    ok(st == 200 and hd.get("x-ratelimit-remaining") == "0" and
       hd.get("x-ratelimit-limit") == str(SMALL_QUOTA), "quota: X-RateLimit headers")
    st, hd, body = node.get("/dnsdb/v2/lookup/rrset/name/web.example.com", {"X-API-Key": QKEY})
    ok(st == 429 and int(hd.get("retry-after", "0")) > 0 and b"quota" in body,
       "quota used up: 429 with Retry-After (%r)" % body)
    st, _, body = node.get("/dnsdb/v2/rate_limit", {"X-API-Key": QKEY})
    ok(json.loads(body)["rate"]["remaining"] == 0, "rate_limit: remaining 0")

    st, hd, body = node.get("/metrics", {"X-API-Key": KEY})
    text = body.decode()
    ok(st == 200 and hd.get("content-type", "").startswith("text/plain; version=0.0.4"),
       "/metrics: Prometheus text format")
    for name, cond in [
        ('pdns_http_queries_total{api="dnsdb_v2"}', lambda v: v > 10),
        ('pdns_http_queries_total{api="dnsdb_v1"}', lambda v: v > 0),
        ('pdns_http_queries_total{api="circl"}', lambda v: v > 0),
        ('pdns_drops_total{source="http",reason="auth"}', lambda v: v >= 3),
        ('pdns_drops_total{source="http",reason="quota"}', lambda v: v >= 1),
        ('pdns_drops_total{source="http",reason="bad_request"}', lambda v: v >= 5),
        ('pdns_drops_total{source="http",reason="query_refused"}', lambda v: v >= 0),
        ("pdns_store_size_bytes", lambda v: v > 100000),
        ("pdns_ingest_rows_total", lambda v: v >= 0),
        ('pdns_queries_total{api="zmq"}', lambda v: v >= 0),
    ]:
        v = metric(text, name)
        ok(v is not None and cond(v), "/metrics: %s %s" % (name, v))
    ok(all(re.match(r"^(# (HELP|TYPE) \S+ .+|[a-z_]+(\{[^}]*\})? -?\d+)$", x)
           for x in text.splitlines()), "/metrics: every line well formed")


def raw(node, data, wait=5.0):
    """Send data on a fresh connection; the reply's status line (or '')."""
    s = socket.create_connection(("127.0.0.1", node.port), timeout=wait)
    try:
        s.sendall(data)
        reply = b""
        while b"\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply.split(b"\r\n", 1)[0].decode(errors="replace")
    except OSError:
        return ""
    finally:
        s.close()


def closed_soon(s, seconds):
    """Whether the server closes s within seconds."""
    s.settimeout(seconds)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_limits(node):
    H = {"X-API-Key": KEY}
    # Oversized requests: the request line, the headers.
    line = raw(node, b"GET /dnsdb/v2/lookup/rrset/name/" + b"a" * 20000 + b" HTTP/1.1\r\n"
               b"Host: x\r\n\r\n")
    ok(line.split(" ")[1:2] in (["414"], ["431"], ["400"]) or line == "",
       "a 20 kB request line is refused (%s)" % (line or "closed"))
    line = raw(node, b"GET /dnsdb/v2/ping HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"j" * 20000 +
               b"\r\n\r\n")
    ok(line.split(" ")[1:2] in (["431"], ["413"], ["400"]) or line == "",
       "20 kB of headers are refused (%s)" % (line or "closed"))
    line = raw(node, b"GET /dnsdb/v2/ping HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello")
    ok(line.endswith("413 Payload Too Large") or " 413 " in line + " ",
       "a request body: 413 (%s)" % line)
    st, _, _ = node.get("/dnsdb/v2/ping")
    ok(st == 200, "the server still answers")

    # Keep-alive: several requests on one connection (dnsdbq's libcurl and
    # the load benchmark rely on it).
    c = http.client.HTTPConnection("127.0.0.1", node.port, timeout=10)
    answers, first = [], None
    for _ in range(3):
        c.request("GET", "/dnsdb/v2/ping", headers=H)
        r = c.getresponse()
        r.read()
        answers.append((r.status, r.getheader("Connection")))
        first = first or c.sock
    ok(answers == [(200, None)] * 3 or all(a[0] == 200 and a[1] != "close" for a in answers)
       and c.sock is first, "three requests on one kept-alive connection %s" % answers)
    c.close()

    # The per-client cap: PER_CLIENT + 1 idle connections from one address;
    # the server may take them in any order (a loaded machine), so exactly
    # one of them, whichever, must be closed and the others kept.
    socks = []
    for _ in range(PER_CLIENT + 1):
        socks.append(socket.create_connection(("127.0.0.1", node.port)))
        time.sleep(0.1)
    time.sleep(0.5)  # well within [http] timeout, which closes idle ones too
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            closed += s.recv(1) == b""
        except BlockingIOError:
            pass
        except ConnectionResetError:
            closed += 1
    ok(closed == 1, "of %d connections from one address, exactly one is refused (%d)"
       % (PER_CLIENT + 1, closed))
    for s in socks:
        s.close()
    time.sleep(0.5)

    # A slow sender: a request that never ends is cut after [http] timeout
    # although bytes keep coming.
    s = socket.create_connection(("127.0.0.1", node.port))
    s.sendall(b"GET /dnsdb/v2/ping HTTP/1.1\r\n")
    t0, cut = time.time(), False
    while time.time() - t0 < TIMEOUT + 6:
        try:
            s.sendall(b"X-Slow: 1\r\n")
        except OSError:
            cut = True
            break
        if closed_soon(s, 0.5):
            cut = True
            break
    took = time.time() - t0
    s.close()
    ok(cut and took < TIMEOUT + 4, "a slow sender is cut after about %d s (%.1f s)"
       % (TIMEOUT, took))
    st, hd, body = node.get("/metrics", H)
    text = body.decode()
    for reason in ("max_per_client", "slow_request"):
        v = metric(text, 'pdns_drops_total{source="http",reason="%s"}' % reason)
        ok(v is not None and v >= 1, "/metrics: refusals counted: %s %s" % (reason, v))

    # A wide wildcard: the scan cap cuts it, SAF says limited and why.
    st, _, body = node.get("/dnsdb/v2/lookup/rrset/name/%2A.com?limit=0", H)
    good, objs, last = saf_ok(body)
    ok(good and last.get("cond") == "limited" and "max-scan" in last.get("msg", ""),
       "a wildcard wider than max-scan: limited with a message (%r)" % last)


def test_fresh(node, store, tmp):
    """Rows a sensor sends through the node show up over HTTP within seconds."""
    before, _, _ = pdns(store, ["-r", "web.example.com", "-j"])
    r = subprocess.run([os.path.join(BIN, "pdns-sensor"), "-q", "-r", PCAP, "--node",
                        "tcp://127.0.0.1:%d" % node.sensor_port, "--node-key", "node.pub",
                        "--key", "s1.key"], cwd=tmp, capture_output=True, text=True, timeout=60)
    ok(r.returncode == 0, "a sensor feeds the running node (%s)" % r.stderr.strip()[:200])
    want, _, _ = pdns(store, ["-r", "web.example.com", "-j"])
    deadline, got = time.time() + 10, None
    while time.time() < deadline:
        out, _, _ = dnsdbq(node, ["-r", "web.example.com", "-j"])
        got = rows_json(out)
        if got == rows_json(want):
            break
        time.sleep(0.3)
    ok(want != before and got == rows_json(want),
       "new rows are served over HTTP within seconds of their write")


if __name__ == "__main__":
    sys.exit(main())
