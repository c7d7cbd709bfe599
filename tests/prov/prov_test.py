#!/usr/bin/python3
"""prov_test.py - every provider client against the local HTTPS mock.

    prov_test.py PROV_PROBE

For each of the six providers (all asked at once by one prov_probe run per
scenario): success (rrset and address lookups, fields as the provider's
format says, rows that answer another question dropped), empty, pagination,
row limit and max-pages, auth failure, quota (and the next run within the
backoff sends nothing: the mock counts requests), a daily budget, malformed
and non-JSON bodies, a slow server, a dead one (accepts, never answers), a
refused connection, a CA that does not match, and kinds of query a provider
cannot answer. A canary API key must never appear in the probe's output,
its errors or the state file. Exit 0 when every check holds.
"""

import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prov_mock  # noqa: E402
from prov_mock import CANARY, QADDR, QNAME, ROWS_OK, ROWS_PAGED  # noqa: E402

PROVS = ["dnsdb", "circl", "vt", "pt", "mnemonic", "360"]
NOPAGING = {"pt", "360"}

failures = 0
checks = 0


def check(cond, what):
    global failures, checks
    checks += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", checks, what))
    if not cond:
        failures += 1
    return cond


class Env:
    def __init__(self, probe):
        self.probe = probe
        self.tmp = tempfile.mkdtemp(prefix="prov_test.")
        os.chmod(self.tmp, 0o700)
        self.ca, self.other_ca, cert, key = prov_mock.make_ca(self.tmp)
        self.mock = prov_mock.Mock(cert, key)
        self.dead = prov_mock.DeadServer()
        self.secrets = os.path.join(self.tmp, "secrets")
        with open(self.secrets, "w") as f:
            f.write("[dnsdb]\napi-key = %s\n" % CANARY)
            f.write("[circl]\nuser = %s\napi-key = %s\n" % (prov_mock.USER, CANARY))
            f.write("[vt]\napi-key = %s\n" % CANARY)
            f.write("[pt]\nuser = %s\napi-key = %s\n" % (prov_mock.USER, CANARY))
            f.write("[mnemonic]\napi-key = %s\n" % CANARY)
            f.write("[360]\napi-id = %s\napi-key = %s\n" % (prov_mock.KEY_ID, CANARY))
        os.chmod(self.secrets, 0o600)
        self.outputs = []

    def config(self, name, url=None, ca=None, extra=None, **keys):
        """Write NAME.conf: the six providers at url(prov), state NAME.state."""
        url = url or (lambda p: self.mock.url(name, p))
        path = os.path.join(self.tmp, name + ".conf")
        with open(path, "w") as f:
            f.write("[pdns]\nca-file = %s\nsecrets = %s\nstate = %s.state\ncache = none\n"
                    % (ca or self.ca, self.secrets, name))
            for p in PROVS:
                f.write("\n[provider %s]\nurl = %s\n" % (p, url(p)))
                for k, v in keys.items():
                    f.write("%s = %s\n" % (k.replace("_", "-"), v))
                for k, v in (extra or {}).get(p, {}).items():
                    f.write("%s = %s\n" % (k, v))
        return path

    def run(self, conf, args, provs=PROVS, deadline=None):
        cmd = [self.probe, "--config", conf] + (["--deadline", str(deadline)] if deadline else [])
        t0 = time.monotonic()
        r = subprocess.run(cmd + args + provs, capture_output=True, text=True, timeout=120)
        dt = time.monotonic() - t0
        self.outputs.append((" ".join(args), r.stdout + r.stderr))
        rows = {p: [] for p in provs}
        status = {}
        for line in r.stdout.splitlines():
            f = line.split("\t")
            if f[0] == "row":
                rows[f[1]].append((f[2], f[3], f[4], int(f[5]), int(f[6]), int(f[7])))
            elif f[0] == "status":
                status[f[1]] = {"status": f[2], "rows": int(f[3]), "requests": int(f[4]),
                                "pages": int(f[5]), "retry_at": int(f[6]),
                                "seconds": float(f[7]), "why": f[8]}
        check(r.returncode == 0 and len(status) == len(provs),
              "probe %s: exit 0, a status for each provider (%s)" % (" ".join(args),
                                                                     r.stderr.strip()[:200]))
        return rows, status, dt

    def stop(self):
        self.mock.stop()
        self.dead.stop()


def expected(p, rows, query):
    """What provider p must give for the mock's rows, in the client's form."""
    out = []
    for (n, t, d, first, last, count) in rows:
        if query == "name" and n != QNAME:
            continue
        if query == "addr" and d != QADDR:
            continue
        if p == "vt":
            if t not in ("A", "AAAA"):
                continue
            first, count = last, 0          # one date, no count
        elif p == "pt":
            count = 0                       # no count
        out.append((n, t, d, first, last, count))
    return sorted(out)


def test_success(env):
    conf = env.config("ok")
    rows, st, _ = env.run(conf, ["-r", QNAME])
    for p in PROVS:
        check(st[p]["status"] == "answered" and st[p]["requests"] == 1,
              "%s ok: answered in one request (%s)" % (p, st[p]["why"]))
        want = expected(p, ROWS_OK, "name")
        check(sorted(rows[p]) == want, "%s ok: rows %s" % (p, sorted(rows[p])))
        check(st[p]["rows"] == len(want), "%s ok: status counts %d rows" % (p, len(want)))
    rows, st, _ = env.run(conf, ["-i", QADDR])
    for p in PROVS:
        want = expected(p, ROWS_OK, "addr")
        check(st[p]["status"] == "answered" and sorted(rows[p]) == want,
              "%s ok: address lookup gives %s (%s)" % (p, sorted(rows[p]), st[p]["why"]))
    rows, st, _ = env.run(conf, ["-r", QNAME, "-t", "AAAA"])
    for p in PROVS:
        check([r[1] for r in rows[p]] == ["AAAA"], "%s ok: -t AAAA keeps the AAAA row" % p)


def test_empty(env):
    rows, st, _ = env.run(env.config("empty"), ["-r", QNAME])
    for p in PROVS:
        check(st[p]["status"] == "answered" and st[p]["rows"] == 0 and not rows[p] and
              st[p]["requests"] == 1, "%s empty: answered, 0 rows (%s)" % (p, st[p]["why"]))


def test_paged(env):
    conf = env.config("paged", limit=3)
    rows, st, _ = env.run(conf, ["-r", QNAME])
    want = sorted((n, t, d, f, l, c) for (n, t, d, f, l, c) in ROWS_PAGED)
    for p in PROVS:
        if p == "pt":  # no paging: all at once
            check(st[p]["status"] == "answered" and len(rows[p]) == 7 and st[p]["requests"] == 1,
                  "pt paged: 7 rows in its one request")
        elif p == "360":  # count=limit in the path, no paging: a full page is "limited"
            check(st[p]["status"] == "limited" and len(rows[p]) == 3 and st[p]["requests"] == 1,
                  "360 paged: 3 rows (count/3/), limited (%s)" % st[p]["why"])
        else:
            w = expected(p, want, "name")
            check(st[p]["status"] == "answered" and sorted(rows[p]) == w and
                  st[p]["requests"] == 3 and st[p]["pages"] == 3,
                  "%s paged: 7 rows over 3 pages of 3 (%s, %d requests)" %
                  (p, st[p]["status"], st[p]["requests"]))
    # pages really asked for the next part
    sent = [r[2] for r in env.mock.requests if r[0] == "paged"]
    check(any("offset=3" in s and "/dnsdb/" in s for s in sent), "dnsdb page 2 sent offset=3")
    check(any("offset=6" in s and "/pdns/v3/" in s for s in sent), "mnemonic page 3 sent offset=6")
    check(any("cursor=" in s and "/api/v3/" in s for s in sent), "vt page 2 sent its cursor")
    hdrs = [r[3] for r in env.mock.requests if r[0] == "paged" and r[1] == "circl"]
    check(any(h.get("dribble-paginate-cursor") == "3" for h in hdrs),
          "circl page 2 sent dribble-paginate-cursor: 3")

    # a row limit below what exists: stop, say limited
    rows, st, _ = env.run(env.config("paged-l", url=lambda p: env.mock.url("paged", p),
                                     limit=3), ["-r", QNAME, "-l", "5"])
    for p in PROVS:
        n = 3 if p == "360" else 5
        check(st[p]["status"] == "limited" and len(rows[p]) == n,
              "%s -l 5: %d rows, limited (%s)" % (p, len(rows[p]), st[p]["why"]))
    # an offset: sent to dnsdb and mnemonic, skipped by the client for the others;
    # at the limit no further page is asked for
    rows, st, _ = env.run(env.config("paged-o", url=lambda p: env.mock.url("paged", p),
                                     limit=3), ["-r", QNAME, "-O", "2", "-l", "3"])
    for p in PROVS:
        # 360 has no paging: its one page of limit = 3 rows holds only row 3,
        # and one RRset object (times and counts of the set): compare rdata
        if p == "360":
            got, w = [r[2] for r in rows[p]], ["192.0.2.3"]
        else:
            got, w = sorted(rows[p]), expected(p, ROWS_PAGED[2:5], "name")
        check(got == w and st[p]["status"] == "limited" and
              st[p]["requests"] <= 2,
              "%s -O 2 -l 3: rows 3 to 5 of 7, limited, %d requests (%s)" %
              (p, st[p]["requests"], st[p]["why"]))
    check(st["dnsdb"]["requests"] == 1, "dnsdb -O 2 -l 3: one request")
    # max-pages
    rows, st, _ = env.run(env.config("paged-m", url=lambda p: env.mock.url("paged", p),
                                     limit=3, max_pages=2), ["-r", QNAME])
    for p in ("dnsdb", "circl", "vt", "mnemonic"):
        check(st[p]["status"] == "limited" and len(rows[p]) == 6 and st[p]["requests"] == 2,
              "%s max-pages 2: 6 rows, limited (%s)" % (p, st[p]["why"]))


def test_auth(env):
    rows, st, _ = env.run(env.config("auth"), ["-r", QNAME])
    for p in PROVS:
        check(st[p]["status"] == "refused" and st[p]["rows"] == 0 and st[p]["requests"] == 1,
              "%s auth: refused: %s" % (p, st[p]["why"]))
        # every mock error body echoes the key; the reason keeps the text, masked
        check("***" in st[p]["why"], "%s auth: the echoed key is masked" % p)


def test_quota(env):
    conf = env.config("quota")
    now = int(time.time())
    rows, st, _ = env.run(conf, ["-r", QNAME])
    for p in PROVS:
        check(st[p]["status"] == "quota exceeded" and st[p]["retry_at"] > now,
              "%s quota: quota exceeded, backoff until +%ds (%s)" %
              (p, st[p]["retry_at"] - now, st[p]["why"]))
    check(abs(st["dnsdb"]["retry_at"] - (now + 120)) <= 5, "dnsdb quota: Retry-After 120 honoured")
    check(abs(st["circl"]["retry_at"] - (now + 300)) <= 5,
          "circl quota: Retry-After as an HTTP date honoured")
    check(abs(st["vt"]["retry_at"] - (now + 60)) <= 5, "vt quota: no hint, 60 s")
    check(abs(st["mnemonic"]["retry_at"] - (now + 90)) <= 5,
          "mnemonic quota: millisUntilResourcesAvailable 90000 honoured")
    before = {p: env.mock.count("quota", p) for p in PROVS}
    rows, st, _ = env.run(conf, ["-r", QNAME])
    for p in PROVS:
        check(st[p]["status"] == "backoff" and st[p]["requests"] == 0 and
              env.mock.count("quota", p) == before[p] == 1,
              "%s quota: the next run sends nothing (%s)" % (p, st[p]["why"]))
    state = os.path.join(env.tmp, "quota.state")
    mode = os.stat(state).st_mode & 0o777
    text = open(state).read()
    check(mode == 0o600, "state file mode 0600 (%o)" % mode)
    check(all(("\n%s " % p) in text for p in PROVS), "state file names each provider")
    env.outputs.append(("state file", text))


def test_budget(env):
    conf = env.config("budget", url=lambda p: env.mock.url("paged", p), limit=3,
                      daily_budget=2)
    rows, st, _ = env.run(conf, ["-r", QNAME], provs=["vt"])
    check(st["vt"]["status"] == "limited" and st["vt"]["requests"] == 2 and len(rows["vt"]) == 6,
          "daily-budget 2: two requests, 6 rows, limited (%s)" % st["vt"]["why"])
    n = env.mock.count("paged", "vt")
    rows, st, _ = env.run(conf, ["-r", QNAME], provs=["vt"])
    check(st["vt"]["status"] == "backoff" and st["vt"]["requests"] == 0 and
          env.mock.count("paged", "vt") == n, "daily-budget used: next run sends nothing (%s)"
          % st["vt"]["why"])
    env.outputs.append(("state file", open(os.path.join(env.tmp, "budget.state")).read()))
    # runs at the same time share one count (flock, and each adds its own)
    conf = env.config("shared", url=lambda p: env.mock.url("ok", p), daily_budget=100)
    procs = [subprocess.Popen([env.probe, "--config", conf, "-r", QNAME, "vt", "dnsdb"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(6)]
    outs = [p.communicate(timeout=60)[0] for p in procs]
    env.outputs += [("parallel run", o) for o in outs]
    text = open(os.path.join(env.tmp, "shared.state")).read()
    counts = {f[0]: int(f[3]) for f in (ln.split() for ln in text.splitlines())
              if f and f[0] != "#"}
    check(counts == {"vt": 6, "dnsdb": 6} and all(p.returncode == 0 for p in procs),
          "six runs at once: the state counts 6 requests each (%s)" % counts)


def test_malformed(env):
    for scen in ("malformed", "garbage"):
        rows, st, _ = env.run(env.config(scen), ["-r", QNAME])
        for p in PROVS:
            ok = st[p]["status"] == "error" and st[p]["why"] and not rows[p]
            if scen == "malformed":
                ok = ok and "***" in st[p]["why"]  # the parser quoted the key: masked
            check(ok, "%s %s: error, no rows: %s" % (p, scen, st[p]["why"]))


def test_slow_dead(env):
    # the library's own clock says what each provider cost (no process start-up);
    # the probe's wall time stays far below the 8 s the slow mock takes
    env.mock.slow_s = 8.0
    conf = env.config("slow", timeout=1)
    rows, st, dt = env.run(conf, ["-r", QNAME])
    worst = max(st[p]["seconds"] for p in PROVS)
    check(all(st[p]["status"] == "timed out" for p in PROVS) and worst < 1.25 and dt < 5,
          "slow (answers after 8 s), timeout 1 s: all six timed out, at most %.2f s each, "
          "%.2f s in all" % (worst, dt))
    conf = env.config("slow-d", url=lambda p: env.mock.url("slow", p))
    rows, st, dt = env.run(conf, ["-r", QNAME], deadline=1200)
    worst = max(st[p]["seconds"] for p in PROVS)
    check(all(st[p]["status"] == "timed out" for p in PROVS) and worst < 1.45 and dt < 5,
          "slow, --deadline 1200 ms (timeouts 20 s): all timed out, at most %.2f s each" % worst)
    dead = "https://127.0.0.1:%d/m/dead" % env.dead.port
    conf = env.config("dead", url=lambda p: dead + "/" + p, timeout=1)
    rows, st, dt = env.run(conf, ["-r", QNAME])
    worst = max(st[p]["seconds"] for p in PROVS)
    check(all(st[p]["status"] == "timed out" for p in PROVS) and worst < 1.25 and dt < 5,
          "dead (accepts, never answers): all six timed out, at most %.2f s each, %.2f s in all"
          % (worst, dt))
    port = prov_mock.closed_port()
    conf = env.config("refused", url=lambda p: "https://127.0.0.1:%d" % port, timeout=5)
    rows, st, dt = env.run(conf, ["-r", QNAME])
    check(all(st[p]["status"] == "error" and "onnect" in st[p]["why"] for p in PROVS) and dt < 3,
          "refused connection: error at once (%.2f s): %s" % (dt, st["dnsdb"]["why"]))
    # one dead provider costs the others nothing
    conf = env.config("mixed", url=lambda p: (dead + "/" + p) if p == "vt" else env.mock.url("ok", p),
                      timeout=1)
    rows, st, dt = env.run(conf, ["-r", QNAME])
    check(st["vt"]["status"] == "timed out" and
          all(st[p]["status"] == "answered" and rows[p] for p in PROVS if p != "vt"),
          "one dead provider: the other five answered (%.2f s)" % dt)


def test_tls(env):
    conf = env.config("wrongca", url=lambda p: env.mock.url("ok", p), ca=env.other_ca)
    rows, st, _ = env.run(conf, ["-r", QNAME])
    check(all(st[p]["status"] == "error" and ("SSL" in st[p]["why"] or "certificate" in st[p]["why"])
              for p in PROVS), "a CA that did not sign the server: TLS error (%s)" % st["dnsdb"]["why"])


def test_unsupported(env):
    conf = env.config("ok")
    n0 = {p: env.mock.count("ok", p) for p in PROVS}
    rows, st, _ = env.run(conf, ["-r", "*." + QNAME])
    check(st["dnsdb"]["requests"] == 1 and
          all(st[p]["status"] == "unsupported" and st[p]["requests"] == 0 for p in PROVS[1:]),
          "left wildcard: only dnsdb is asked (%s)" % st["vt"]["why"])
    rows, st, _ = env.run(conf, ["-i", "93.184.216.0/24"])
    check(all(st[p]["status"] == "unsupported" for p in PROVS[1:]) and
          sorted(rows["dnsdb"]) == [], "CIDR: only dnsdb is asked (%s)" % st["circl"]["why"])
    rows, st, _ = env.run(conf, ["-n", QNAME])
    check(st["vt"]["status"] == "unsupported" and st["pt"]["status"] == "unsupported",
          "rdata name: vt and pt cannot (%s)" % st["vt"]["why"])
    check(rows["circl"] == [("www.other.test", "CNAME", QNAME, 1500000000, 1550000000, 2)],
          "rdata name: circl keeps only the row whose rdata is the name")
    check(env.mock.count("ok", "vt") == n0["vt"] + 0 and env.mock.count("ok", "pt") == n0["pt"],
          "unsupported providers got no request")


def main():
    if len(sys.argv) != 2:
        print("usage: prov_test.py PROV_PROBE", file=sys.stderr)
        return 64
    env = Env(sys.argv[1])
    try:
        for t in (test_success, test_empty, test_paged, test_auth, test_quota, test_budget,
                  test_malformed, test_slow_dead, test_tls, test_unsupported):
            print("# " + t.__name__)
            t(env)
        leaks = [what for what, text in env.outputs if CANARY in text]
        check(not leaks and len(env.outputs) > 20,
              "the canary key is in none of %d outputs and state files%s" %
              (len(env.outputs), (": " + ", ".join(leaks)) if leaks else ""))
    finally:
        env.stop()
        subprocess.run(["rm", "-rf", env.tmp])
    print("1..%d" % checks)
    if failures:
        print("# %d of %d failed" % (failures, checks))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
