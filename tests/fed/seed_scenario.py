"""seed_scenario - the investigator's case of issue 6, as data.

An IOC domain resolves today to a CDN address; before that it lived on
three other addresses, each shared with a few other domains. Six sources
each hold a different, partly overlapping piece of that history: the local
node's sensor, two peer nodes, and three providers (DNSDB, CIRCL,
VirusTotal). Nothing here knows how pdns merges: expected() is an
independent model of the issue's rules (earliest first, latest last,
counts added across distinct sources, a source without counts adds 0 and
its count is null).

Rows are (rrname, rrtype, rdata, first, last, count); count None means the
source reports none (VirusTotal: one date, first = last).
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
from pcapgen import Link, Msg, PcapWriter, Question, RR, ipv4, udp  # noqa: E402

IOC = "login-verify-acct.com"
CDN = "151.101.65.10"                    # shared by many names: not pivoted
OLD1, OLD2, OLD3 = "91.195.240.7", "45.77.12.34", "185.220.101.9"
DAY = 86400
T = {  # 2023-01-01 .. 2026-11-01, day resolution is enough
    "2023-03": 1677628800, "2023-08": 1690848000, "2024-02": 1706745600,
    "2024-06": 1717200000, "2024-09": 1725148800, "2025-01": 1735689600,
    "2025-03": 1740787200, "2025-04": 1743465600, "2025-06": 1748736000,
    "2026-10": 1790812800, "2026-11": 1793491200,
}

# The other domains on the old addresses (what --pivot 2 must find), and
# a few of the CDN's many tenants (what it must not follow).
OTHERS = {
    OLD1: ["paypa1-secure.net", "cdn-update-srv.org"],
    OLD2: ["wallet-sync-app.com"],
    OLD3: ["mail-relay-x.biz"],
}
CDN_TENANTS = ["shop%d.example-retail.com" % i for i in range(40)]

SOURCES = {
    # The local node's own sensor: today's CDN answer and part of 2025.
    "local": [
        (IOC, "A", CDN, T["2026-10"], T["2026-11"], 50),
        (IOC, "A", OLD2, T["2025-03"], T["2025-06"], 20),
    ] + [(n, "A", CDN, T["2026-10"], T["2026-11"], 3) for n in CDN_TENANTS],
    # Peer b saw 2025 too (overlapping local) and the other name on OLD2.
    "peer-b": [
        (IOC, "A", OLD2, T["2025-01"], T["2025-04"], 12),
        ("wallet-sync-app.com", "A", OLD2, T["2025-01"], T["2025-06"], 9),
    ],
    # Peer c saw 2024 and the names on OLD1.
    "peer-c": [
        (IOC, "A", OLD1, T["2024-06"], T["2024-09"], 8),
        ("paypa1-secure.net", "A", OLD1, T["2024-02"], T["2024-09"], 15),
        ("cdn-update-srv.org", "A", OLD1, T["2024-06"], T["2024-06"] + DAY, 2),
    ],
    # DNSDB: the oldest address, and 2024 again (overlapping peer c).
    "dnsdb": [
        (IOC, "A", OLD3, T["2023-03"], T["2023-08"], 7),
        (IOC, "A", OLD1, T["2024-02"], T["2024-06"], 30),
        ("mail-relay-x.biz", "A", OLD3, T["2023-03"], T["2024-02"], 41),
    ],
    # CIRCL: 2024 and today.
    "circl": [
        (IOC, "A", OLD1, T["2024-02"], T["2024-09"], 5),
        (IOC, "A", CDN, T["2026-10"] - 10 * DAY, T["2026-11"] - DAY, 3),
    ],
    # VirusTotal: single dates, no counts.
    "vt": [
        (IOC, "A", OLD3, T["2023-03"] - 5 * DAY, T["2023-03"] - 5 * DAY, None),
        (IOC, "A", OLD2, T["2025-06"] + 3 * DAY, T["2025-06"] + 3 * DAY, None),
    ],
}
PROVIDERS = ("dnsdb", "circl", "vt")
NODES = ("local", "peer-b", "peer-c")


def expected(sources, rrname=None, rdata=None):
    """(rrname, rrtype, rdata) -> dict(first, last, count, sources) merged
    over the named sources, for rows owned by rrname or with rdata."""
    out = {}
    for src in sources:
        for n, t, d, first, last, count in SOURCES[src]:
            if (rrname and n != rrname) or (rdata and d != rdata):
                continue
            r = out.setdefault((n, t, d), {"first": first, "last": last, "count": None,
                                           "sources": {}})
            r["first"], r["last"] = min(r["first"], first), max(r["last"], last)
            if count is not None:
                r["count"] = (r["count"] or 0) + count
            r["sources"][src] = (first, last, count)
    return out


def write_pcap(source, path, resolver="10.9.0.53"):
    """A capture in which an authoritative server answers the resolver so
    that pdns-sensor --resolver RESOLVER keeps exactly SOURCES[source]'s
    answer rows: count packets spread from first to last."""
    pkts = []
    for n, t, d, first, last, count in SOURCES[source]:
        for i in range(count):
            ts = first if count == 1 else first + (last - first) * i // (count - 1)
            msg = Msg(aa=1, ra=0, q=Question(n, t), an=[RR(n, t, d)])
            pkts.append((ts, n, msg))
    pkts.sort(key=lambda p: (p[0], p[1]))
    w, link = PcapWriter(1), Link(1)
    for i, (ts, n, msg) in enumerate(pkts):
        data = udp("193.0.14.129", resolver, 53, 20000 + i % 40000, msg.encode())
        w.packet(ts * 10 ** 9 + i, link.wrap(ipv4("193.0.14.129", resolver, 17, data)))
    w.write(path)


def rows_of(stdout):
    """pdns's NDJSON rows by (rrname, rrtype, rdata)."""
    out = {}
    for line in stdout.splitlines():
        o = json.loads(line)
        out[(o["rrname"], o["rrtype"], o["rdata"])] = o
    return out
