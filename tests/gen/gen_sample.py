#!/usr/bin/env python3
"""Write tests/data/sample.pcap: the capture the README's examples use.

A resolver at 192.0.2.53 / 2001:db8::53 resolving a few names: a referral
from the com servers (NS and glue), authoritative answers (A, AAAA, CNAME,
MX, TXT), an NXDOMAIN with the zone's SOA, a large answer over TCP, and the
resolver answering a client at 198.51.100.7 (which --resolver filters out).
Usage: gen_sample.py OUT.pcap
"""
import sys

from pcapgen import (Link, Msg, PcapWriter, Question, RR, ipv4, ipv6, tcp, udp)

T0 = 1_700_000_000 * 10 ** 9
RES4, RES6, CLIENT = "192.0.2.53", "2001:db8::53", "198.51.100.7"
COM, AUTH = "192.5.6.30", "203.0.113.10"


def main():
    w = PcapWriter(1)
    link = Link(1)
    t = [T0]

    def send(src, dst, msg, sport=53, dport=40000):
        data = udp(src, dst, sport, dport, msg.encode())
        ip = ipv4(src, dst, 17, data) if ":" not in src else ipv6(src, dst, 17, data)
        w.packet(t[0], link.wrap(ip))
        t[0] += 250_000_000

    def query(src, dst, name, qtype):
        send(src, dst, Msg(qr=0, rd=0, q=Question(name, qtype)), sport=40000, dport=53)

    for day in range(3):
        query(RES4, COM, "www.example.com", "A")
        send(COM, RES4, Msg(aa=0, ra=0, q=Question("www.example.com", "A"),
                            ns=[RR("example.com", "NS", "ns1.example.com", 172800),
                                RR("example.com", "NS", "ns2.example.net", 172800)],
                            ar=[RR("ns1.example.com", "A", AUTH, 172800),
                                RR("ns2.example.net", "A", "198.51.100.99", 172800)]))
        query(RES4, AUTH, "www.example.com", "A")
        send(AUTH, RES4, Msg(aa=1, ra=0, q=Question("www.example.com", "A"),
                             an=[RR("www.example.com", "CNAME", "web.example.com"),
                                 RR("web.example.com", "A", "192.0.2.80"),
                                 RR("web.example.com", "A", "192.0.2.%d" % (81 + day))],
                             ns=[RR("example.com", "NS", "ns1.example.com")]))
        send(AUTH, RES4, Msg(aa=1, ra=0, q=Question("web.example.com", "AAAA"),
                             an=[RR("web.example.com", "AAAA", "2001:db8::80")],
                             ns=[RR("example.com", "NS", "ns1.example.com")]))
        send(AUTH, RES4, Msg(aa=1, ra=0, q=Question("example.com", "MX"),
                             an=[RR("example.com", "MX", (10, "mail.example.com"))],
                             ns=[RR("example.com", "NS", "ns1.example.com")],
                             ar=[RR("mail.example.com", "A", "192.0.2.25")]))
        send(AUTH, RES4, Msg(aa=1, ra=0, q=Question("example.com", "TXT"),
                             an=[RR("example.com", "TXT", [b"v=spf1 mx -all"])],
                             ns=[RR("example.com", "NS", "ns1.example.com")]))
        send(AUTH, RES4, Msg(aa=1, ra=0, rcode=3, q=Question("nope.example.com", "A"),
                             ns=[RR("example.com", "SOA", ("ns1.example.com",
                                                           "hostmaster.example.com",
                                                           2024010100 + day, 7200, 900,
                                                           1209600, 300), 300)]))
        send("2001:db8::10", RES6, Msg(aa=1, ra=0, q=Question("v6.example.org", "AAAA"),
                                       an=[RR("v6.example.org", "AAAA", "2001:db8:0:1::10")]))
        # The resolver answering its client: not what a sharing sensor keeps.
        send(RES4, CLIENT, Msg(q=Question("www.example.com", "A"),
                               an=[RR("www.example.com", "CNAME", "web.example.com"),
                                   RR("web.example.com", "A", "192.0.2.80")]))
        t[0] += 86400 * 10 ** 9

    # A large answer over TCP (the server's side of one stream).
    big = Msg(aa=1, ra=0, q=Question("many.example.com", "A"),
              an=[RR("many.example.com", "A", "192.0.2.%d" % i) for i in range(100, 140)])
    wire = big.encode()
    stream = len(wire).to_bytes(2, "big") + wire
    seq = 1000
    for i in range(0, len(stream), 300):
        seg = tcp(AUTH, RES4, 53, 40001, seq + i, 1, 0x18, stream[i:i + 300])
        w.packet(t[0], link.wrap(ipv4(AUTH, RES4, 6, seg)))
        t[0] += 1_000_000
    w.write(sys.argv[1])


if __name__ == "__main__":
    main()
