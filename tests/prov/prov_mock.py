"""prov_mock.py - one local HTTPS server that answers as the six providers.

Each test picks a scenario and a provider through the base URL it puts in
pdns.conf:  https://127.0.0.1:PORT/m/<scenario>/<provider>  and the client
appends the provider's own path (/dnsdb/v2/lookup/..., /api/v3/domains/...).
Answers follow the documented formats of ../shared/reference/providers.md
and http-compat.md. Every request is counted per (scenario, provider) and
its authentication checked against the configured secrets (401/403 when
wrong), so tests see both what pdns sent and how often.

Scenarios: ok, empty, paged, auth, quota, malformed, garbage, slow; or
any name a test puts in Mock.datasets: {scenario: {provider: rows}}, rows
as ROWS_OK's tuples, answered like "ok" (a provider not listed has none).
A "dead" server (accepts, never answers) is DeadServer below.
"""

import base64
import hashlib
import http.server
import json
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse

CANARY = "CANARY-9f8e7d"
USER = "analyst@example.org"
KEY_ID = "mock-id-360"

QNAME = "example.com"
QADDR = "93.184.216.34"

# (rrname, rrtype, rdata, first, last, count)
ROWS_OK = [
    (QNAME, "A", QADDR, 1600000000, 1700000000, 5),
    (QNAME, "AAAA", "2606:2800:220:1:248:1893:25c8:1946", 1610000000, 1690000000, 3),
    # answers another question: providers that match either side send it,
    # the client must drop it for an rrset lookup
    ("www.other.test", "CNAME", QNAME, 1500000000, 1550000000, 2),
    ("www.other.test", "A", QADDR, 1580000000, 1590000000, 7),
]
ROWS_PAGED = [(QNAME, "A", "192.0.2.%d" % i, 1600000000 + i, 1700000000 + i, i)
              for i in range(1, 8)]


def make_ca(tmp):
    """A CA and a server certificate for 127.0.0.1, made with openssl."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for ca in ("ca", "other-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=pdns test %s" % ca, "-keyout", ca + ".key", "-out", ca + ".pem")
    with open(tmp + "/ext.cnf", "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    return tmp + "/ca.pem", tmp + "/other-ca.pem", tmp + "/server.pem", tmp + "/server.key"


def utc(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def select(rows, path_value):
    """Rows a provider that matches either side would return."""
    return [r for r in rows if path_value in (r[0], r[2])]


class Mock:
    def __init__(self, certfile, keyfile):
        self.counts = {}
        self.datasets = {}   # scenario -> {provider: rows}, set by tests
        self.requests = []   # (scenario, provider, path, headers) for tests
        self.lock = threading.Lock()
        self.slow_s = 4.0
        # scenario -> {provider: rows}: tests with histories of their own
        # (tests/fed/seed_test.py) serve them under /m/<scenario>/<provider>
        self.datasets = {}
        mock = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # headers and body go out in two writes: without this, Nagle and
            # the client's delayed ACK add 40 ms to every keep-alive request
            disable_nagle_algorithm = True

            def log_message(self, *a):
                pass

            def do_GET(self):
                mock.handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        # clients that give up (the slow scenario) are expected, not errors
        self.httpd.handle_error = lambda request, address: None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(certfile, keyfile)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, scenario, prov):
        return "https://127.0.0.1:%d/m/%s/%s" % (self.port, scenario, prov)

    def count(self, scenario, prov):
        with self.lock:
            return self.counts.get((scenario, prov), 0)

    # ---- dispatch ---------------------------------------------------------

    def handle(self, h):
        parts = h.path.split("/", 4)  # '', 'm', scenario, prov, rest
        if len(parts) < 5 or parts[1] != "m":
            return self.send(h, 404, "text/plain", "no such mock\n")
        scen, prov = parts[2], parts[3]
        rest = "/" + parts[4]
        u = urllib.parse.urlsplit(rest)
        path = urllib.parse.unquote(u.path)
        qs = urllib.parse.parse_qs(u.query)
        with self.lock:
            self.counts[(scen, prov)] = self.counts.get((scen, prov), 0) + 1
            self.requests.append((scen, prov, rest, dict(h.headers)))
        if scen == "slow":
            time.sleep(self.slow_s)
        auth_ok = self.auth_ok(h, prov, u.path)
        fn = getattr(self, "p_" + {"360": "q360"}.get(prov, prov))
        if scen == "auth" or not auth_ok:
            return self.auth_fail(h, prov)
        if scen == "quota":
            return self.quota(h, prov)
        if scen == "garbage":
            return self.send(h, 200, "text/html", "<html><body>Service Unavailable</body>")
        if scen in self.datasets:
            return fn(h, path, qs, self.datasets[scen].get(prov, []))
        if scen in self.datasets:
            rows = self.datasets[scen].get(prov, [])
        else:
            rows = {"ok": ROWS_OK, "slow": ROWS_OK, "empty": [], "paged": ROWS_PAGED,
                    "malformed": [(QNAME, "A", CANARY, 1, 2, 3)]}.get(scen)
        if rows is None:
            return self.send(h, 404, "text/plain", "no such scenario\n")
        return fn(h, path, qs, rows)

    def send(self, h, code, ctype, body, headers=()):
        data = body.encode()
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def auth_ok(self, h, prov, raw_path):
        basic = "Basic " + base64.b64encode(("%s:%s" % (USER, CANARY)).encode()).decode()
        g = h.headers.get
        if prov == "dnsdb":
            return g("X-API-Key") == CANARY
        if prov == "circl" or prov == "pt":
            return g("Authorization") == basic
        if prov == "vt":
            return g("x-apikey") == CANARY
        if prov == "mnemonic":
            return g("Argus-API-Key") == CANARY
        if prov == "360":
            want = hashlib.md5((raw_path + CANARY).encode()).hexdigest()
            return g("X-BashTokid") == KEY_ID and g("X-BashToken") == want
        return False

    # ---- errors, echoing what was sent (the client must not repeat it) ----

    def auth_fail(self, h, prov):
        k = CANARY
        if prov == "dnsdb":
            return self.send(h, 403, "text/plain", "Error: API key %s not valid\n" % k)
        if prov == "circl":
            return self.send(h, 401, "text/plain", "Not authenticated: %s\n" % k)
        if prov == "vt":
            return self.send(h, 401, "application/json", json.dumps(
                {"error": {"code": "WrongCredentialsError", "message": "Wrong API key " + k}}))
        if prov == "pt":
            return self.send(h, 401, "application/json",
                             json.dumps({"message": "invalid credentials " + k}))
        if prov == "mnemonic":
            return self.send(h, 401, "application/json", json.dumps(
                {"responseCode": 401, "limit": 0, "offset": 0, "count": 0, "metaData": {},
                 "messages": [{"message": "bad key " + k, "type": "ACTION_ERROR"}],
                 "data": [], "size": 0}))
        return self.send(h, 401, "application/json", json.dumps({"err": "bad token " + k}))

    def quota(self, h, prov):
        if prov == "dnsdb":
            return self.send(h, 429, "text/plain", "Error: rate limit exceeded\n",
                             [("Retry-After", "120")])
        if prov == "circl":  # Retry-After as an HTTP date, 5 minutes ahead
            when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 300))
            return self.send(h, 429, "text/plain", "Rate Limit Exceeded",
                             [("Retry-After", when)])
        if prov == "vt":
            return self.send(h, 429, "application/json", json.dumps(
                {"error": {"code": "QuotaExceededError", "message": "Quota exceeded"}}))
        if prov == "pt":
            return self.send(h, 403, "application/json", json.dumps(
                {"message": "quota_exceeded: monthly query limit reached"}))
        if prov == "mnemonic":
            return self.send(h, 402, "application/json", json.dumps(
                {"responseCode": 402, "limit": 0, "offset": 0, "count": 0,
                 "metaData": {"millisUntilResourcesAvailable": 90000},
                 "messages": [{"message": "Resource limit exceeded", "type": "ACTION_ERROR"}],
                 "data": [], "size": 0}))
        return self.send(h, 204, "application/json", "")

    # ---- the providers ----------------------------------------------------

    @staticmethod
    def value(path, marker):
        rest = path.split(marker, 1)[1]
        return rest.split("/")[0]

    def p_dnsdb(self, h, path, qs, rows):
        if "/lookup/rrset/name/" in path:
            v = self.value(path, "/lookup/rrset/name/")
            sel = [r for r in rows if r[0] == v]
        elif "/lookup/rdata/ip/" in path:
            v = self.value(path, "/lookup/rdata/ip/")
            sel = [r for r in rows if r[2] == v]
        else:
            return self.send(h, 404, "text/plain", "Error: unknown path\n")
        limit = int(qs.get("limit", ["10000"])[0])
        offset = int(qs.get("offset", ["0"])[0])
        page = sel[offset:offset + limit]
        out = ['{"cond":"begin"}']
        for r in page:
            out.append(json.dumps({"obj": {"count": r[5], "time_first": r[3], "time_last": r[4],
                                           "rrname": r[0] + ".", "rrtype": r[1],
                                           "bailiwick": ".".join(r[0].split(".")[-2:]) + ".",
                                           "rdata": [r[2]]}}))
        if offset + limit < len(sel):
            out.append('{"cond":"limited","msg":"Result limit reached"}')
        else:
            out.append('{"cond":"succeeded"}')
        return self.send(h, 200, "application/x-ndjson", "\n".join(out) + "\n")

    def p_circl(self, h, path, qs, rows):
        v = self.value(path, "/pdns/query/")
        sel = select(rows, v)
        size = int(h.headers.get("dribble-paginate-count", "0") or 0)
        cur = int(h.headers.get("dribble-paginate-cursor", "0") or 0)
        hdrs = []
        if size:
            page = sel[cur:cur + size]
            if cur + size < len(sel):
                hdrs.append(("x-dribble-cursor", str(cur + size)))
        else:
            page = sel
        body = "".join(json.dumps({"count": r[5], "origin": "https://www.circl.lu/pdns/",
                                   "time_first": r[3], "rrtype": r[1], "rrname": r[0],
                                   "rdata": r[2], "time_last": r[4]}) + "\n" for r in page)
        return self.send(h, 200, "application/json", body, hdrs)

    def p_vt(self, h, path, qs, rows):
        if path.startswith("/api/v3/domains/"):
            v = self.value(path, "/api/v3/domains/")
            sel = [r for r in rows if r[0] == v and r[1] in ("A", "AAAA")]
        elif path.startswith("/api/v3/ip_addresses/"):
            v = self.value(path, "/api/v3/ip_addresses/")
            sel = [r for r in rows if r[2] == v and r[1] in ("A", "AAAA")]
        else:
            return self.send(h, 404, "application/json", json.dumps(
                {"error": {"code": "NotFoundError", "message": "no such path"}}))
        limit = min(int(qs.get("limit", ["10"])[0]), 40)
        cursor = qs.get("cursor", [""])[0]
        offset = int(base64.b64decode(cursor).decode()) if cursor else 0
        page = sel[offset:offset + limit]
        meta = {"count": len(sel)}
        if offset + limit < len(sel):
            meta["cursor"] = base64.b64encode(str(offset + limit).encode()).decode()
        data = [{"type": "resolution", "id": r[2] + r[0],
                 "attributes": {"date": r[4], "host_name": r[0], "ip_address": r[2],
                                "resolver": "VirusTotal",
                                "host_name_last_analysis_stats": {"harmless": 77}},
                 "links": {"self": "https://www.virustotal.com/api/v3/resolutions/x"}}
                for r in page]
        return self.send(h, 200, "application/json",
                         json.dumps({"meta": meta, "data": data, "links": {"self": path}}))

    def p_pt(self, h, path, qs, rows):
        v = qs.get("query", [""])[0]
        sel = select(rows, v)
        res = [{"firstSeen": utc(r[3]), "lastSeen": utc(r[4]), "source": ["riskiq", "pingly"],
                "value": r[0], "collected": utc(r[4]), "recordType": r[1], "resolve": r[2],
                "resolveType": "ip" if r[1] in ("A", "AAAA") else "domain",
                "recordHash": "6a4b"} for r in sel]
        return self.send(h, 200, "application/json", json.dumps(
            {"pager": None, "queryValue": v, "queryType": "domain", "firstSeen": None,
             "lastSeen": None, "totalRecords": len(res), "results": res}))

    def p_mnemonic(self, h, path, qs, rows):
        v = self.value(path, "/pdns/v3/")
        sel = select(rows, v)
        types = [t.upper() for t in qs.get("rrType", [])]
        if types:
            sel = [r for r in sel if r[1] in types]
        limit = int(qs.get("limit", ["25"])[0])
        offset = int(qs.get("offset", ["0"])[0])
        page = sel[offset:offset + limit] if limit else sel[offset:]
        data = [{"query": r[0], "answer": r[2], "rrtype": r[1].lower(), "rrclass": "in",
                 "minTtl": 300, "maxTtl": 3600, "times": r[5], "tlp": "white",
                 "firstSeenTimestamp": r[3] * 1000 + 123, "lastSeenTimestamp": r[4] * 1000 + 999,
                 "createdTimestamp": 0, "lastUpdatedTimestamp": 0} for r in page]
        return self.send(h, 200, "application/json", json.dumps(
            {"responseCode": 200, "limit": limit, "offset": offset, "count": len(sel),
             "metaData": {}, "messages": [], "size": len(data), "data": data}))

    def p_q360(self, h, path, qs, rows):
        parts = path.strip("/").split("/")  # api, rrset|rdata, keyword, V, count, N
        if len(parts) != 6 or parts[0] != "api" or parts[2] != "keyword":
            return self.send(h, 404, "application/json", json.dumps({"err": "bad path"}))
        v, n = parts[3], int(parts[5])
        if parts[1] == "rrset":
            sel = [r for r in rows if r[0] == v]
        else:
            sel = [r for r in rows if r[2] == v]
        # one object per RRset: rdata values joined by ';'
        sets = {}
        for r in sel[:n]:
            s = sets.setdefault((r[0], r[1]), [r[0], r[1], [], r[3], r[4], 0])
            s[2].append(r[2])
            s[3], s[4], s[5] = min(s[3], r[3]), max(s[4], r[4]), s[5] + r[5]
        out = [{"rrname": s[0], "rrtype": s[1], "rdata": ";".join(s[2]) + ";",
                "time_first": s[3], "time_last": s[4], "count": s[5]} for s in sets.values()]
        return self.send(h, 200, "application/json", json.dumps(out))


class DeadServer:
    """Accepts TCP connections and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stopped = False
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while not self.stopped:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def stop(self):
        self.stopped = True
        self.sock.close()
        for c in self.conns:
            c.close()


def closed_port():
    """A loopback port nothing listens on (connection refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
