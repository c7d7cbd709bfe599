#!/usr/bin/env python3
"""Write the capture of org-a's sensor for the three-organisation test, and
what may leave org-a: an independent model of the export rules.

The capture holds a resolver (10.1.0.53, fd00:1::53) iterating towards
public authoritative servers, and answering its clients (10.1.2.7,
fd00:1::7). The sensor runs with --resolver, so only the upstream view is
kept. Among the answers: ordinary public data (shareable), private,
loopback, link-local, CGNAT and ULA answers with their PTRs, an internal
zone (corp.acme-int.com) reached directly and through a public CNAME,
special-use names, an NXDOMAIN, and a name only clients asked for.

Usage: gen_org_capture.py OUT.pcap EXPECTED.tsv SECRETS.txt [--scale N]
EXPECTED.tsv: rrname, rrtype, section, rdata, first, last, count of every
shareable row (store_dump's columns); SECRETS.txt: one string per line
that must never reach another organisation (names and addresses, text).
"""
import ipaddress
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "gen"))
from pcapgen import Link, Msg, PcapWriter, Question, RR, ipv4, ipv6, udp  # noqa: E402

RES4, RES6 = "10.1.0.53", "fd00:1::53"
CLIENTS = ["10.1.2.7", "fd00:1::7"]
T0 = 1_760_000_000
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}


def rdata_text(rtype, rdata):
    if rtype == "AAAA":
        return str(ipaddress.ip_address(rdata))
    if rtype == "MX":
        return "%d %s" % rdata
    if rtype == "TXT":
        return " ".join('"%s"' % s.decode() for s in rdata)
    if rtype == "SOA":
        return "%s %s %d %d %d %d %d" % rdata
    return rdata


class Model:
    def __init__(self):
        self.rows = {}      # (name, type, section, rdata) -> [first, last, count]
        self.share = {}     # same key -> bool

    def add(self, name, rtype, section, rdata, t, shareable):
        k = (name, TYPES[rtype], section, rdata_text(rtype, rdata))
        r = self.rows.setdefault(k, [t, t, 0])
        r[0], r[1], r[2] = min(r[0], t), max(r[1], t), r[2] + 1
        self.share[k] = shareable


def main():
    out, expected, secrets = sys.argv[1:4]
    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    w = PcapWriter(1)
    link = Link(1)
    model = Model()
    clock = [T0 * 10 ** 9]

    def packet(src, dst, msg, to_resolver):
        data = udp(src, dst, 53, 40000 + (clock[0] // 10 ** 6) % 20000, msg.encode())
        ip = ipv6(src, dst, 17, data) if ":" in src else ipv4(src, dst, 17, data)
        w.packet(clock[0], link.wrap(ip))
        clock[0] += 37_000_000

    def answer(zone, qname, qtype, an, shareable=True, server_v6=False, nx=False):
        """An authoritative answer to the resolver; the model adds what the
        sensor keeps: answers, and the zone's NS (or SOA) in authority."""
        t = clock[0] // 10 ** 9
        auth = [RR(zone, "NS", "ns1.dnsprov.net")]
        if nx:
            soa = ("ns1.dnsprov.net", "hostmaster.dnsprov.net", 2025010100, 7200, 900,
                   1209600, 300)
            auth = [RR(zone, "SOA", soa)]
        msg = Msg(aa=1, ra=0, rcode=3 if nx else 0, q=Question(qname, qtype),
                  an=[RR(n, ty, rd) for n, ty, rd in an], ns=auth)
        h = sum(zone.encode())
        server = ("2600:3c00::%x" % (h % 65536 + 1) if server_v6 else
                  "45.79.%d.%d" % (h % 250 + 1, 10))
        packet(server, RES6 if server_v6 else RES4, msg, True)
        for n, ty, rd in an:
            ok = shareable if not callable(shareable) else shareable(n, ty, rd)
            model.add(n, ty, 1, rd, t, ok)
        for rr in auth:
            ty = "SOA" if nx else "NS"
            model.add(zone, ty, 2, soa if nx else "ns1.dnsprov.net", t, zone_shareable(zone))

    def client(qname, qtype, an):
        """The resolver answering a client: never kept by the sensor."""
        for c in CLIENTS:
            msg = Msg(q=Question(qname, qtype), an=[RR(n, ty, rd) for n, ty, rd in an])
            packet(RES6 if ":" in c else RES4, c, msg, False)

    def zone_shareable(zone):
        # The internal zone, special-use names, and RFC 6303 reverse zones.
        return not (zone.endswith("acme-int.com") or zone.endswith("example.com") or
                    zone.endswith(".test") or zone == "10.in-addr.arpa")

    for rnd in range(3 * scale):
        for k in range(12):
            z = "shop-%d.com" % k
            answer(z, "www." + z, "A", [("www." + z, "A", "151.101.%d.%d" % (k, 1 + rnd % 4))],
                   server_v6=(k % 3 == 0))
            answer(z, "www." + z, "AAAA", [("www." + z, "AAAA", "2a04:4e42:%x::%x" % (k, 1 + rnd % 2))])
            answer(z, z, "MX", [(z, "MX", (10, "mail." + z))])
            answer(z, "cdn." + z, "A", [("cdn." + z, "CNAME", "c%d.edgecdn.net" % k),
                                        ("c%d.edgecdn.net" % k, "A", "104.16.%d.9" % k)])
            answer(z, z, "TXT", [(z, "TXT", [b"v=spf1 include:mail.shop-%d.com -all" % k])])
            client("www." + z, "A", [("www." + z, "A", "151.101.%d.1" % k)])
        # Private and special-purpose answers: kept at org-a only.
        z = "shop-0.com"
        for n, ty, rd in [("intranet.shop-0.com", "A", "10.20.30.40"),
                          ("db.shop-0.com", "A", "192.168.1.5"),
                          ("lo.shop-0.com", "A", "127.0.0.1"),
                          ("ll.shop-0.com", "A", "169.254.7.7"),
                          ("cgn.shop-0.com", "A", "100.64.1.1"),
                          ("ula.shop-0.com", "AAAA", "fd12:3456::1")]:
            answer(z, n, ty, [(n, ty, rd)], shareable=False)
        answer("10.in-addr.arpa", "40.30.20.10.in-addr.arpa", "PTR",
               [("40.30.20.10.in-addr.arpa", "PTR", "intranet.shop-0.com")], shareable=False)
        # The internal zone, directly and behind a public CNAME.
        answer("corp.acme-int.com", "wiki.corp.acme-int.com", "A",
               [("wiki.corp.acme-int.com", "A", "151.101.200.1")], shareable=False)
        answer("shop-1.com", "vpn.shop-1.com", "CNAME",
               [("vpn.shop-1.com", "CNAME", "gw.corp.acme-int.com")], shareable=False)
        # Special-use names.
        answer("example.com", "www.example.com", "A",
               [("www.example.com", "A", "93.184.216.34")], shareable=False)
        answer("shop.test", "www.shop.test", "A", [("www.shop.test", "A", "151.101.99.1")],
               shareable=False)
        # An NXDOMAIN: its SOA may leave, the nxdomain row never.
        answer("shop-2.com", "nope.shop-2.com", "A", [], nx=True)
        # A name only clients asked for.
        client("secret-client-only.shop-3.com", "A",
               [("secret-client-only.shop-3.com", "A", "151.101.3.99")])
        clock[0] += 3_600 * 10 ** 9
    w.write(out)
    with open(expected, "w") as f:
        for k in sorted(model.rows):
            if model.share[k]:
                r = model.rows[k]
                f.write("%s\t%d\t%d\t%s\t%d\t%d\t%d\n" % (k + tuple(r)))
    with open(secrets, "w") as f:
        for s in [RES4, RES6] + CLIENTS + ["intranet.shop-0.com", "db.shop-0.com",
                                          "10.20.30.40", "192.168.1.5", "fd12:3456::1",
                                          "100.64.1.1", "169.254.7.7", "acme-int",
                                          "secret-client-only", "www.example.com",
                                          "www.shop.test", "40.30.20.10.in-addr",
                                          "nope.shop-2.com"]:
            f.write(s + "\n")


if __name__ == "__main__":
    main()
