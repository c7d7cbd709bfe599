#!/usr/bin/python3
"""gen_cases.py OUTDIR - write the golden test cases for pdns-sensor.

Each case is OUTDIR/NAME.pcap or .pcapng (some cases have several files)
and OUTDIR/NAME.expect.json:
  {"name", "description", "files": [file names, passed with -r in order],
   "args": [extra sensor args], "obs": [observations, all sections],
   "nxdomain": [...], "counters": {name or "a|b" (sum): value},
   "wire_ok": true when every DNS message is well formed (for tshark_check)}

Expectations come from model.py applied to the messages built here; a few
cases also carry literal expectations that the model must reproduce.
"""

import json
import os
import sys

sys.dont_write_bytecode = True  # run from the source tree: leave no cache
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pcapgen import (  # noqa: E402
    CLASS_CH, CLASS_HS, ETH_QINQ, ETH_VLAN, IPV4_OPT_NOP,
    RR, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, Link, Msg, N, Output,
    PcapngWriter, PcapWriter, Question, RawName, ip6_dstopts_pad,
    ip6_hbh_router_alert, ip6_routing_srh, ipv4, ipv4_fragments,
    ipv4_opt_record_route, ipv4_opt_router_alert, ipv6, ipv6_fragments,
    opt_rr, sig0_rr, split_pieces, tcp, tkey_rr, tsig_rr, udp)
import model  # noqa: E402

S = 10 ** 9
MS = 10 ** 6
US = 10 ** 3
T0 = 1700000000 * S  # 2023-11-14T22:13:20Z

AUTH4, RES4 = "198.51.100.53", "192.0.2.53"
AUTH6, RES6 = "2001:db8:100::53", "2001:db8::53"

CASES = []


class Case:
    def __init__(self, name, desc, args=(), counters=None, wire_ok=True):
        self.name = name
        self.desc = desc
        self.args = list(args)
        self.counters = dict(counters or {})
        self.wire_ok = wire_ok
        self.files = []  # (filename, writer)
        self.events = []
        self.literal_obs = None
        self.literal_nx = None
        self.t = T0 + len(CASES) * 3600 * S
        CASES.append(self)

    # files -------------------------------------------------------------
    def pcap(self, linktype=1, nano=False, be=False, snaplen=262144,
             suffix="", **linkkw):
        w = PcapWriter(linktype, nano=nano, big_endian=be, snaplen=snaplen)
        self.files.append((self.name + suffix + ".pcap", w))
        linkkw.setdefault("endian", ">" if be else "<")
        return Output(w, Link(linktype, **linkkw))

    def pcapng(self, be=False, suffix=""):
        w = PcapngWriter(big_endian=be)
        self.files.append((self.name + suffix + ".pcapng", w))
        return w

    def resolvers(self):
        a = self.args
        return [a[i + 1] for i in range(len(a) - 1) if a[i] == "--resolver"]

    def write(self, outdir):
        obs, nx = model.expected(self.events, self.resolvers())
        if self.literal_obs is not None:
            lit = sorted(self.literal_obs, key=_okey)
            if lit != sorted(obs, key=_okey):
                raise SystemExit("case %s: model disagrees with the literal "
                                 "expectation:\nmodel:   %s\nliteral: %s" %
                                 (self.name, json.dumps(sorted(obs, key=_okey)),
                                  json.dumps(lit)))
        if self.literal_nx is not None:
            if sorted(self.literal_nx, key=_nkey) != sorted(nx, key=_nkey):
                raise SystemExit("case %s: nxdomain model/literal differ:\n"
                                 "%s\n%s" % (self.name, nx, self.literal_nx))
        for fname, w in self.files:
            w.write(os.path.join(outdir, fname))
        exp = {"name": self.name, "description": self.desc,
               "files": [f for f, _ in self.files], "args": self.args,
               "obs": obs, "nxdomain": nx, "counters": self.counters,
               "wire_ok": self.wire_ok}
        with open(os.path.join(outdir, self.name + ".expect.json"), "w") as f:
            json.dump(exp, f, indent=1, sort_keys=True)
            f.write("\n")


def _okey(o):
    return (o["section"], o["rrname"], o["rrtype"], o["rdata"],
            o.get("bailiwick", ""), o["time_first"], o["time_last"],
            o["count"])


def _nkey(o):
    return (o["qname"], o["qtype"])


def O(rrname, rrtype, rdata, section, first, last=None, count=1, bw=None):
    """A literal expected observation (times in seconds)."""
    o = {"rrname": rrname, "rrtype": rrtype, "rdata": rdata,
         "time_first": first, "time_last": first if last is None else last,
         "count": count, "section": section}
    if bw is not None:
        o["bailiwick"] = bw
    return o


# ---------------------------------------------------------------------------
# Sending helpers

def _addrs(v, src, dst):
    if src is None:
        src = AUTH4 if v == 4 else AUTH6
    if dst is None:
        dst = RES4 if v == 4 else RES6
    return src, dst


def ip_packet(v, src, dst, proto, l4, ident=0x1000, ipopts=b"", exts=()):
    if v == 4:
        return ipv4(src, dst, proto, l4, ident=ident, options=ipopts)
    return ipv6(src, dst, proto, l4, exts=exts)


def udp_send(case, out, msg, ts, v=4, src=None, dst=None, sport=53,
             dport=33333, csum="ok", ipopts=b"", exts=(), damaged=False,
             caplen_cut=None, ident=0x1000, wire=None):
    """One DNS message in one UDP datagram in one frame."""
    src, dst = _addrs(v, src, dst)
    if wire is None:
        wire = msg.encode()
    l4 = udp(src, dst, sport, dport, wire, csum)
    out.emit(ts, ip_packet(v, src, dst, 17, l4, ident, ipopts, exts),
             caplen_cut=caplen_cut)
    case.events.append(model.Event(ts, msg, sport, dst,
                                   damaged or caplen_cut is not None))


def udp_query(case, out, qname, qtype, ts, v=4, qid=0x1234):
    """The resolver's query (ignored by the sensor)."""
    src, dst = _addrs(v, None, None)
    m = Msg(id=qid, qr=0, ra=0, q=(qname, qtype), ar=[opt_rr()])
    udp_send(case, out, m, ts, v, src=dst, dst=src, sport=33333, dport=53)


def udp_frag(case, out, msg, ts, pieces, order=None, v=4, src=None,
             dst=None, step=10 * MS, ident=None, pre_exts=(), csum="ok"):
    """A DNS response in a fragmented UDP datagram. pieces: (offset, len) of
    the UDP datagram; order: indexes of the pieces to emit, in capture
    order (missing index = lost fragment). Returns the time after the
    last frame. The model: the datagram arrives when the union of arrived
    pieces covers it, unless two pieces overlap (then it is dropped)."""
    src, dst = _addrs(v, src, dst)
    wire = msg.encode()
    l4 = udp(src, dst, 53, 33333, wire, csum)
    if v == 4:
        pkts = ipv4_fragments(src, dst, 17, l4, pieces,
                              ident=ident or 0x4242)
    else:
        pkts = ipv6_fragments(src, dst, 17, l4, pieces,
                              ident=ident or 0x12345678, pre_exts=pre_exts)
    if order is None:
        order = list(range(len(pieces)))
    have = []
    done_ts = None
    dead = False
    t = ts
    for i in order:
        out.emit(t, pkts[i])
        off, ln = pieces[i]
        if not dead and done_ts is None:
            if any(off < o + n and o < off + ln for o, n in have):
                dead = True
            have.append((off, ln))
            if not dead and _covers(have, len(l4)):
                done_ts = t
        t += step
    if done_ts is not None:
        case.events.append(model.Event(done_ts, msg, 53, dst))
    return t


def _covers(pieces, total):
    end = 0
    for off, ln in sorted(pieces):
        if off > end:
            return False
        end = max(end, off + ln)
    return end >= total


class TcpConv:
    """One TCP connection client (resolver) <-> server (port 53), with a
    model of the server-to-client byte stream: a DNS message is delivered
    at the timestamp of the segment that completes the contiguous stream
    up to its end."""

    def __init__(self, case, out, v=4, client=None, server=None,
                 cport=40000, c_isn=1000, s_isn=5000):
        self.case, self.out, self.v = case, out, v
        self.server, self.client = _addrs(v, server, client)
        self.cport = cport
        self.c_next = c_isn
        self.s_isn = s_isn
        self.s_base = (s_isn + 1) & 0xFFFFFFFF  # sequence of stream byte 0
        self.data = bytearray()
        self.msgs = []  # (end offset, msg)
        self.delivered = 0
        self.have = []

    def _emit(self, ts, to_server, seq, ack, flags, payload=b""):
        if to_server:
            src, dst, sp, dp = self.client, self.server, self.cport, 53
        else:
            src, dst, sp, dp = self.server, self.client, 53, self.cport
        seg = tcp(src, dst, sp, dp, seq, ack, flags, payload)
        self.out.emit(ts, ip_packet(self.v, src, dst, 6, seg))

    def handshake(self, ts, step=MS):
        self._emit(ts, True, self.c_next, 0, TCP_SYN)
        self._emit(ts + step, False, self.s_isn, self.c_next + 1,
                   TCP_SYN | TCP_ACK)
        self.c_next += 1
        self._emit(ts + 2 * step, True, self.c_next, self.s_base, TCP_ACK)
        return ts + 3 * step

    def query(self, ts, qname, qtype="A", qid=0x2222):
        m = Msg(id=qid, qr=0, ra=0, q=(qname, qtype))
        w = m.encode()
        data = len(w).to_bytes(2, "big") + w
        self._emit(ts, True, self.c_next, self.s_base + len(self.data),
                   TCP_ACK | TCP_PSH, data)
        self.c_next += len(data)

    def add(self, msg, damaged=False, raw=None):
        """Queue a response on the server stream (not sent yet)."""
        w = raw if raw is not None else msg.encode()
        self.data += len(w).to_bytes(2, "big") + w
        self.msgs.append((len(self.data), msg, damaged))
        return len(self.data)

    def send(self, ts, start, end):
        """Emit server stream bytes [start, end) as one segment."""
        self._emit(ts, False, self.s_base + start, self.c_next,
                   TCP_ACK | TCP_PSH, bytes(self.data[start:end]))
        self.have.append((start, end - start))
        prefix = _prefix(self.have)
        while self.delivered < len(self.msgs) and \
                self.msgs[self.delivered][0] <= prefix:
            _, m, dmg = self.msgs[self.delivered]
            self.case.events.append(model.Event(ts, m, 53, self.client,
                                                dmg, "tcp"))
            self.delivered += 1

    def ack(self, ts):
        self._emit(ts, True, self.c_next, self.s_base + _prefix(self.have),
                   TCP_ACK)

    def close(self, ts, step=MS):
        end = self.s_base + len(self.data)
        self._emit(ts, False, end, self.c_next, TCP_FIN | TCP_ACK)
        self._emit(ts + step, True, self.c_next, end + 1, TCP_FIN | TCP_ACK)
        self._emit(ts + 2 * step, False, end + 1, self.c_next + 1, TCP_ACK)


def _prefix(have):
    end = 0
    for off, ln in sorted(have):
        if off > end:
            break
        end = max(end, off + ln)
    return end


# ---------------------------------------------------------------------------
# Standard content

def std_v4(tag, qid=0x1001):
    z = tag + ".example"
    return Msg(id=qid, aa=1, q=("www." + z, "A"),
               an=[RR("www." + z, "CNAME", "web." + z),
                   RR("web." + z, "A", "192.0.2.10"),
                   RR("web." + z, "A", "192.0.2.11")],
               ns=[RR(z, "NS", "ns1." + z), RR(z, "NS", "ns.dns-host.net")],
               ar=[RR("ns1." + z, "A", "192.0.2.1"),
                   RR("ns.dns-host.net", "A", "203.0.113.1"),  # out
                   opt_rr()])


def std_v6(tag, qid=0x1002):
    z = tag + ".example"
    return Msg(id=qid, aa=0, q=("v6." + z, "AAAA"),
               an=[RR("v6." + z, "AAAA", "2001:db8:0:0:1:0:0:1")],
               ns=[RR(z, "NS", "ns6." + z)],
               ar=[RR("ns6." + z, "AAAA", "2001:db8::1:1")])


def std_pair(case, out, tag, t, versions=(4, 6), queries=True, **kw):
    """A query+response per IP version; returns the time after."""
    for v in versions:
        m = std_v4(tag) if v == 4 else std_v6(tag)
        if queries:
            udp_query(case, out, m.q[0].name, m.q[0].qtype, t, v)
        udp_send(case, out, m, t + 20 * MS, v, **kw)
        t += 1200 * MS
    return t


def control(case, out, t, tag="control", v=4):
    """A plain valid response (shows the sensor carries on after damage)."""
    z = tag + "." + case.name.replace("_", "-") + ".example"
    m = Msg(id=0x0C0C, aa=1, q=(z, "A"), an=[RR(z, "A", "192.0.2.200")])
    udp_send(case, out, m, t, v)


# ---------------------------------------------------------------------------
# Link types and capture file variants

def cases_links():
    for nano in (False, True):
        for be in (False, True):
            name = "pcap_%s_%s_eth" % ("ns" if nano else "us",
                                        "be" if be else "le")
            c = Case(name, "classic pcap, %s timestamps, %s-endian, Ethernet"
                     % ("nanosecond" if nano else "microsecond",
                        "big" if be else "little"),
                     counters={"packets": 4, "responses": 2})
            out = c.pcap(1, nano=nano, be=be)
            # a sub-second timestamp just below a second boundary
            std_pair(c, out, name.replace("_", "-"), c.t + 999_999_000)

    c = Case("eth_vlan", "Ethernet with an 802.1Q tag")
    std_pair(c, c.pcap(1, vlans=[(ETH_VLAN, 100)]), "eth-vlan", c.t)

    c = Case("eth_qinq", "Ethernet with QinQ tags (0x88a8 then 0x8100)")
    std_pair(c, c.pcap(1, vlans=[(ETH_QINQ, 0x0123), (ETH_VLAN, 0x2064)]),
             "eth-qinq", c.t)

    c = Case("eth_fcs", "Ethernet frames with a 4-byte FCS trailer after the "
             "IP packet (not DNS trailing bytes)",
             counters={"trailing_bytes": 0})
    std_pair(c, c.pcap(1, fcs=True), "eth-fcs", c.t)

    c = Case("eth_vlan_fcs", "802.1Q tag and FCS trailer together")
    std_pair(c, c.pcap(1, vlans=[(ETH_VLAN, 7)], fcs=True), "eth-vlan-fcs",
             c.t)

    c = Case("sll", "Linux cooked capture v1 (DLT 113), IPv4 and IPv6")
    std_pair(c, c.pcap(113), "sll", c.t)

    c = Case("sll2", "Linux cooked capture v2 (DLT 276), IPv4 and IPv6")
    std_pair(c, c.pcap(276), "sll2", c.t)

    for lt in (12, 14, 101):
        c = Case("raw_%d" % lt, "raw IP, link type %d, IPv4 and IPv6" % lt)
        std_pair(c, c.pcap(lt), "raw%d" % lt, c.t)

    c = Case("raw_ipv4_228", "raw IPv4 only (link type 228)")
    std_pair(c, c.pcap(228), "ipv4-228", c.t, versions=(4,))

    c = Case("raw_ipv6_229", "raw IPv6 only (link type 229)")
    std_pair(c, c.pcap(229), "ipv6-229", c.t, versions=(6,))

    for be in (False, True):
        name = "null_%s" % ("be" if be else "le")
        c = Case(name, "NULL/loopback (DLT 0), AF in the writer's byte order "
                 "(%s-endian file); IPv6 as AF 24, 28 and 30" %
                 ("big" if be else "little"))
        t = c.t
        out = c.pcap(0, be=be)
        t = std_pair(c, out, name.replace("_", "-"), t, versions=(4,))
        for af in (24, 28, 30):
            o = Output(out.writer, Link(0, endian=">" if be else "<", af6=af))
            m = std_v6("%s-af%d" % (name.replace("_", "-"), af))
            udp_send(c, o, m, t, 6)
            t += S

    c = Case("loop_108", "LOOP (DLT 108), AF in network byte order; IPv6 as "
             "AF 24 and 30")
    out = c.pcap(108)
    t = std_pair(c, out, "loop", c.t, versions=(4,))
    for af in (24, 30):
        o = Output(out.writer, Link(108, af6=af))
        udp_send(c, o, std_v6("loop-af%d" % af), t, 6)
        t += S

    # pcapng ---------------------------------------------------------------
    c = Case("pcapng_multi_if", "pcapng (little-endian) with four interfaces "
             "of different link types and if_tsresol (default 10^-6, 10^-9, "
             "2^-20, 10^-3), plus NRB, ISB and a packet comment")
    w = c.pcapng()
    i0 = w.interface(1, None, name="eth0")
    i1 = w.interface(228, ("dec", 9), name="ipv4only")
    i2 = w.interface(276, ("bin", 20), name="any")
    i3 = w.interface(0, ("dec", 3), name="lo0")
    w.name_resolution([(AUTH4, "ns.example")])
    t = c.t + 999_000_000
    t = std_pair(c, Output(w, Link(1), i0), "ng-eth", t)
    t = std_pair(c, Output(w, Link(228), i1), "ng-ipv4", t + 999_999_998,
                 versions=(4,))
    t = std_pair(c, Output(w, Link(276), i2), "ng-sll2", t + 999_990_000)
    t = std_pair(c, Output(w, Link(0, endian="<", af6=30), i3), "ng-null",
                 t + 998 * MS)
    w.stats(i0, t, received=9)

    c = Case("pcapng_be", "big-endian pcapng: Ethernet 10^-9, NULL (AF in "
             "big-endian) 2^-10, raw IP 101 default resolution")
    w = c.pcapng(be=True)
    i0 = w.interface(1, ("dec", 9))
    i1 = w.interface(0, ("bin", 10))
    i2 = w.interface(101)
    t = c.t + 500 * MS
    t = std_pair(c, Output(w, Link(1), i0), "ngbe-eth", t)
    t = std_pair(c, Output(w, Link(0, endian=">", af6=24), i1), "ngbe-null",
                 t + 999 * MS)
    t = std_pair(c, Output(w, Link(101), i2), "ngbe-raw", t + 999_999 * US)

    c = Case("pcapng_same_link", "pcapng with three Ethernet interfaces of "
             "different if_tsresol (10^-6 default, 10^-9, 2^-24); what "
             "libpcap itself can read")
    w = c.pcapng()
    ifs = [w.interface(1, None), w.interface(1, ("dec", 9)),
           w.interface(1, ("bin", 24))]
    t = c.t + 999_999_999
    for k, i in enumerate(ifs):
        t = std_pair(c, Output(w, Link(1), i), "ngsame%d" % k, t) + 999 * MS

    c = Case("multi_file", "two input files (-r twice): a pcap whose times "
             "are later and a pcapng whose times are earlier; the same "
             "records aggregate across files")
    out1 = c.pcap(1, suffix="_1")
    w = c.pcapng(suffix="_2")
    out2 = Output(w, Link(113), w.interface(113, ("dec", 9)))
    std_pair(c, out1, "multi", c.t + 50 * S)
    std_pair(c, out2, "multi", c.t + 5 * S)
    c.literal_obs = None


# ---------------------------------------------------------------------------
# IP layer

def big_response(tag, n_a=40, n_txt=12):
    """A response of about 1.3 KB (so that it needs fragments)."""
    z = tag + ".example"
    an = [RR("big." + z, "A", "10.0.%d.%d" % (i // 250, i % 250 + 1))
          for i in range(n_a)]
    an += [RR("big." + z, "TXT", [("chunk %02d " % i).encode() + b"x" * 60])
           for i in range(n_txt)]
    return Msg(id=0x0B16, aa=1, q=("big." + z, "ANY"), an=an,
               ns=[RR(z, "NS", "ns1." + z)],
               ar=[RR("ns1." + z, "A", "192.0.2.1")])


def cases_ip():
    c = Case("ipv4_options", "IPv4 headers with options: router alert "
             "(IHL 6) and record route + NOP (IHL 8)")
    out = c.pcap(1)
    udp_send(c, out, std_v4("ipopt-ra"), c.t, ipopts=ipv4_opt_router_alert())
    udp_send(c, out, std_v4("ipopt-rr"), c.t + S,
             ipopts=ipv4_opt_record_route(2) + IPV4_OPT_NOP)

    c = Case("ipv6_ext_headers", "IPv6 with hop-by-hop, routing (SRH, "
             "segments left 0) and destination options before UDP; and one "
             "with destination options only")
    out = c.pcap(1)
    udp_send(c, out, std_v6("ip6ext-all"), c.t, 6,
             exts=[ip6_hbh_router_alert(), ip6_routing_srh(),
                   ip6_dstopts_pad()])
    udp_send(c, out, std_v6("ip6ext-dst"), c.t + S, 6,
             exts=[ip6_dstopts_pad(14)])

    c = Case("udp_checksums", "UDP checksums are not verified: zero (IPv4), "
             "wrong (IPv4) and wrong (IPv6)")
    out = c.pcap(1)
    udp_send(c, out, std_v4("csum-zero"), c.t, csum="zero")
    udp_send(c, out, std_v4("csum-bad4"), c.t + S, csum="bad")
    udp_send(c, out, std_v6("csum-bad6"), c.t + 2 * S, 6, csum="bad")

    for v in (4, 6):
        ipn = "ipv%d" % v
        pre = (ip6_hbh_router_alert(),) if v == 6 else ()
        m = big_response(ipn + "-frag-inorder")
        n = len(m.encode()) + 8
        pieces = split_pieces(n, 512)
        c = Case(ipn + "_frag_inorder", "%s fragments in order (3 pieces), "
                 "last fragment after a second boundary" % ipn,
                 counters={"frag_reassembled": 1})
        out = c.pcap(1)
        udp_frag(c, out, m, c.t + 990 * MS, pieces, v=v)

        m = big_response(ipn + "-frag-rev")
        pieces = split_pieces(len(m.encode()) + 8, 400)
        c = Case(ipn + "_frag_reversed", "%s fragments in reverse order%s" %
                 (ipn, " with a hop-by-hop header before the fragment "
                  "header" if v == 6 else ""),
                 counters={"frag_reassembled": 1})
        out = c.pcap(1)
        udp_frag(c, out, m, c.t + 995 * MS, pieces,
                 order=list(reversed(range(len(pieces)))), v=v, pre_exts=pre)

        m = big_response(ipn + "-frag-overlap")
        n = len(m.encode()) + 8
        # A [0,512) C [1024,n) then B [496,1032): B fills the gap but
        # overlaps both neighbours -> the datagram is dropped
        pieces = [(0, 512), (1024, n - 1024), (496, 536)]
        c = Case(ipn + "_frag_overlap", "%s fragments whose last piece "
                 "fills the gap but overlaps both neighbours: dropped" % ipn,
                 counters={"frag_overlap": 1, "frag_reassembled": 0},
                 wire_ok=False)
        out = c.pcap(1)
        t = udp_frag(c, out, m, c.t, pieces, order=[0, 1, 2], v=v)
        control(c, out, t + S, v=v)

        m = big_response(ipn + "-frag-missing")
        pieces = split_pieces(len(m.encode()) + 8, 400)
        c = Case(ipn + "_frag_missing", "%s fragments with the second piece "
                 "never captured: nothing (a control response follows 600 s "
                 "later, past any reassembly timeout)" % ipn,
                 counters={"frag_incomplete": 1, "frag_reassembled": 0},
                 wire_ok=False)
        out = c.pcap(1)
        keep = [i for i in range(len(pieces)) if i != 1]
        t = udp_frag(c, out, m, c.t, pieces, order=keep, v=v)
        control(c, out, t + 600 * S, v=v)

        c = Case(ipn + "_frag_interleaved", "fragments of two %s datagrams "
                 "(same addresses, different identification) interleaved"
                 % ipn, counters={"frag_reassembled": 2})
        out = c.pcap(1)
        ma = big_response(ipn + "-frag-ila")
        mb = big_response(ipn + "-frag-ilb", n_a=30)
        pa = split_pieces(len(ma.encode()) + 8, 512)
        pb = split_pieces(len(mb.encode()) + 8, 512)
        _interleave(c, out, v, (ma, pa, 0x1111), (mb, pb, 0x2222), c.t)


def cases_ip_more():
    m = big_response("frag-tiny")
    n = len(m.encode()) + 8
    c = Case("ipv4_frag_tiny_first", "IPv4 fragments where the first "
             "carries only the 8-byte UDP header, the second everything else",
             counters={"frag_reassembled": 1})
    out = c.pcap(1)
    udp_frag(c, out, m, c.t, [(0, 8), (8, n - 8)])

    c = Case("ipv4_frag_options", "IPv4 fragments, the first with a router "
             "alert option (IHL 6), the others without")
    out = c.pcap(1)
    m = big_response("frag-opts")
    src, dst = AUTH4, RES4
    l4 = udp(src, dst, 53, 33333, m.encode())
    pk = ipv4_fragments(src, dst, 17, l4, split_pieces(len(l4), 600),
                        ident=0x5151, options=ipv4_opt_router_alert())
    assert pk[0][0] == 0x46 and pk[1][0] == 0x45
    t = c.t
    for p in pk:
        out.emit(t, p)
        t += 300 * MS
    c.events.append(model.Event(t - 300 * MS, m, 53, dst))

    c = Case("ipv6_atomic_fragment", "an IPv6 'atomic fragment' (Fragment "
             "header with offset 0 and M=0) is a whole datagram")
    out = c.pcap(1)
    m = std_v6("atomic-frag")
    udp_frag(c, out, m, c.t, [(0, len(m.encode()) + 8)], v=6)


def _interleave(case, out, v, a, b, t):
    """Emit fragments of two datagrams alternately (a0 b0 a1 b1 ...)."""
    streams = []
    for m, pieces, ident in (a, b):
        src, dst = _addrs(v, None, None)
        l4 = udp(src, dst, 53, 33333, m.encode())
        if v == 4:
            pk = ipv4_fragments(src, dst, 17, l4, pieces, ident=ident)
        else:
            pk = ipv6_fragments(src, dst, 17, l4, pieces, ident=ident)
        streams.append((m, pk, dst))
    n = max(len(s[1]) for s in streams)
    for i in range(n):
        for m, pk, dst in streams:
            if i < len(pk):
                out.emit(t, pk[i])
                if i == len(pk) - 1:
                    case.events.append(model.Event(t, m, 53, dst))
                t += 5 * MS


# ---------------------------------------------------------------------------
# TCP

def tcp_msg(tag, i, extra=0):
    z = tag + ".example"
    an = [RR("m%d.%s" % (i, z), "A", "192.0.2.%d" % (100 + i))]
    an += [RR("m%d.%s" % (i, z), "TXT", [b"pad %d " % k + b"y" * 40])
           for k in range(extra)]
    return Msg(id=0x5000 + i, aa=1, q=("m%d.%s" % (i, z), "A"), an=an,
               ns=[RR(z, "NS", "ns." + z)], ar=[RR("ns." + z, "A",
                                                     "192.0.2.2")])


def cases_tcp():
    c = Case("tcp_multi_per_segment", "DNS over TCP: three responses in one "
             "segment, a query on the client side, and a partial fourth "
             "message cut by FIN (yields nothing)",
             counters={"tcp_messages": 3})
    out = c.pcap(1)
    tc = TcpConv(c, out)
    t = tc.handshake(c.t)
    tc.query(t, "m0.tcp-multi.example")
    for i in range(3):
        tc.add(tcp_msg("tcp-multi", i))
    end = len(tc.data)
    tc.send(t + 20 * MS, 0, end)
    tc.ack(t + 21 * MS)
    w = tcp_msg("tcp-multi", 3).encode()
    tc.data += len(w).to_bytes(2, "big") + w
    tc._emit(t + 30 * MS, False, tc.s_base + end, tc.c_next, TCP_ACK,
             bytes(tc.data[end:end + 2 + len(w) // 2]))
    tc.data = tc.data[:end + 2 + len(w) // 2]
    tc.close(t + 40 * MS)

    c = Case("tcp_split_3_segments", "one TCP response over three segments; "
             "the first carries one byte of the length prefix; frames at "
             "x.9, x+1.4 and x+2.1 s (message time = last frame)",
             counters={"tcp_messages": 1})
    out = c.pcap(1, nano=True)
    tc = TcpConv(c, out, cport=40001)
    t = tc.handshake(c.t + 800 * MS)
    end = tc.add(tcp_msg("tcp-split", 0, extra=3))
    tc.send(c.t + 900 * MS, 0, 1)
    tc.send(c.t + 1400 * MS, 1, 120)
    tc.send(c.t + 2100 * MS, 120, end)
    tc.ack(c.t + 2101 * MS)
    tc.close(c.t + 2200 * MS)

    c = Case("tcp_out_of_order", "TCP segments captured out of order (3rd, "
             "1st, 2nd) carrying two responses; both complete with the 2nd "
             "segment", counters={"tcp_messages": 2})
    out = c.pcap(1)
    tc = TcpConv(c, out, cport=40002)
    tc.handshake(c.t + 100 * MS)
    e1 = tc.add(tcp_msg("tcp-ooo", 0, extra=2))
    e2 = tc.add(tcp_msg("tcp-ooo", 1, extra=2))
    b1, b2 = 60, e1 + 30
    tc.send(c.t + 500 * MS, b2, e2)
    tc.send(c.t + 1500 * MS, 0, b1)
    tc.send(c.t + 2500 * MS, b1, b2)
    tc.ack(c.t + 2600 * MS)
    tc.close(c.t + 2700 * MS)

    c = Case("tcp_retransmission", "a TCP segment retransmitted (same bytes "
             "twice) and the first segment again after the messages "
             "completed: each message counted once",
             counters={"tcp_messages": 2})
    out = c.pcap(1)
    tc = TcpConv(c, out, cport=40003)
    tc.handshake(c.t)
    e1 = tc.add(tcp_msg("tcp-retrans", 0, extra=1))
    e2 = tc.add(tcp_msg("tcp-retrans", 1, extra=1))
    tc.send(c.t + 100 * MS, 0, 50)
    tc.send(c.t + 200 * MS, 50, e1 + 10)
    tc.send(c.t + 1200 * MS, 50, e1 + 10)  # retransmission
    tc.send(c.t + 2200 * MS, e1 + 10, e2)
    tc.send(c.t + 3200 * MS, 0, 50)  # late retransmission
    tc.close(c.t + 3300 * MS)

    c = Case("tcp_partial_overlap", "TCP segments that overlap partly: "
             "[0,50) then [40,100) then [90,end): the repeated bytes are "
             "used once", counters={"tcp_messages": 2})
    out = c.pcap(1)
    tc = TcpConv(c, out, cport=40007)
    tc.handshake(c.t)
    tc.add(tcp_msg("tcp-overlap", 0, extra=1))
    e2 = tc.add(tcp_msg("tcp-overlap", 1, extra=1))
    tc.send(c.t + 100 * MS, 0, 50)
    tc.send(c.t + 1100 * MS, 40, 100)
    tc.send(c.t + 2100 * MS, 90, e2)
    tc.close(c.t + 2200 * MS)

    c = Case("tcp_no_handshake", "TCP stream captured without its SYN "
             "handshake (starts at a message boundary, arbitrary sequence)",
             counters={"tcp_messages": 2})
    out = c.pcap(1)
    tc = TcpConv(c, out, cport=40004, c_isn=777777, s_isn=123456789)
    tc.c_next += 1
    e1 = tc.add(tcp_msg("tcp-nosyn", 0))
    e2 = tc.add(tcp_msg("tcp-nosyn", 1))
    tc.send(c.t + 100 * MS, 0, e1 + 5)
    tc.ack(c.t + 101 * MS)
    tc.send(c.t + 200 * MS, e1 + 5, e2)
    tc.close(c.t + 300 * MS)

    c = Case("tcp_seq_wrap", "TCP stream whose server sequence numbers wrap "
             "past 2^32 inside a message", counters={"tcp_messages": 2})
    out = c.pcap(1)
    tc = TcpConv(c, out, cport=40005, s_isn=0xFFFFFFFF - 40)
    tc.handshake(c.t)
    e1 = tc.add(tcp_msg("tcp-wrap", 0, extra=1))
    e2 = tc.add(tcp_msg("tcp-wrap", 1))
    tc.send(c.t + 10 * MS, 0, 30)
    tc.send(c.t + 20 * MS, 30, e1)
    tc.send(c.t + 30 * MS, e1, e2)
    tc.close(c.t + 40 * MS)

    c = Case("tcp_ipv6", "DNS over TCP over IPv6 with handshake",
             counters={"tcp_messages": 1})
    out = c.pcap(1)
    tc = TcpConv(c, out, v=6, cport=40006)
    t = tc.handshake(c.t)
    tc.query(t, "m0.tcp-v6.example")
    e = tc.add(tcp_msg("tcp-v6", 0, extra=2))
    tc.send(t + 10 * MS, 0, 80)
    tc.send(t + 20 * MS, 80, e)
    tc.close(t + 30 * MS)

    c = Case("tcp_interleaved", "two TCP connections (different client "
             "ports) whose segments interleave", counters={"tcp_messages": 4})
    out = c.pcap(1)
    a = TcpConv(c, out, cport=40010, s_isn=10000)
    b = TcpConv(c, out, cport=40011, s_isn=10000)
    a.handshake(c.t)
    b.handshake(c.t + 5 * MS)
    ea = [a.add(tcp_msg("tcp-ila", i, extra=1)) for i in range(2)]
    eb = [b.add(tcp_msg("tcp-ilb", i, extra=1)) for i in range(2)]
    a.send(c.t + 100 * MS, 0, 40)
    b.send(c.t + 110 * MS, 0, eb[0] + 3)
    a.send(c.t + 120 * MS, 40, ea[1])
    b.send(c.t + 130 * MS, eb[0] + 3, eb[1])
    a.close(c.t + 200 * MS)
    b.close(c.t + 210 * MS)

    c = Case("tcp_damaged_message", "two responses on one TCP stream, the "
             "first with rdlength past its end: only the second is kept",
             counters={"tcp_messages": 2, "malformed_trunc": 1},
             wire_ok=False)
    out = c.pcap(1)
    tc = TcpConv(c, out, cport=40012)
    tc.handshake(c.t)
    bad = tcp_msg("tcp-damaged", 0)
    bad.patch = patch_rdlen(SEC_AR_LAST, +20)
    tc.add(bad, damaged=True)
    e = tc.add(tcp_msg("tcp-damaged", 1))
    tc.send(c.t + 10 * MS, 0, e)
    tc.close(c.t + 20 * MS)


# ---------------------------------------------------------------------------
# DNS content

def cases_dns():
    # all record types, with literal expectations -----------------------
    c = Case("types_all", "every rdata form the generator covers: A, AAAA "
             "(RFC 5952 zero-run ties), NS, CNAME, PTR, MX, TXT, SOA, SRV, "
             "CAA, TYPE65280 (and empty)")
    out = c.pcap(1)
    z = "types.example"
    m = Msg(aa=1, q=(z, "ANY"),
            an=[RR(z, "A", "192.0.2.1"),
                RR(z, "AAAA", "2001:db8:0:0:1:0:0:1"),
                RR(z, "AAAA", "2001:db8:0:1:0:0:0:1"),
                RR(z, "AAAA", "2001:0DB8:AAAA:0:0:0:0:0"),
                RR(z, "NS", "NS1.Types.Example"),
                RR("alias.types.example", "CNAME", "types.example"),
                RR("1.2.0.192.in-addr.arpa", "PTR", "host.types.example"),
                RR(z, "MX", (10, "mx.types.example")),
                RR(z, "TXT", [b"v=spf1 -all"]),
                RR(z, "TXT", [b"a", b"b"]),
                RR(z, "TXT", [b""]),
                RR(z, "SOA", ("ns1.types.example", "hostmaster.Types.example",
                              2023111401, 7200, 3600, 1209600, 300)),
                RR("_sip._udp.types.example", "SRV",
                   (20, 5, 5060, "sip.types.example")),
                RR(z, "CAA", (0, b"issue", b"ca.example")),
                RR(z, "CAA", (128, b"iodef", b"mailto:sec@types.example")),
                RR(z, "TXT", [b"L" * 255, b"x"]),
                RR(z, 65280, b"\xab\xcd\xef"),
                RR(z, 65280, b"")],
            ns=[RR(z, "NS", "ns1.types.example")])
    udp_send(c, out, m, c.t + 123 * MS)
    s = c.t // S
    bw = "types.example"
    c.literal_obs = [
        O(z, "A", "192.0.2.1", "answer", s, bw=bw),
        O(z, "AAAA", "2001:db8::1:0:0:1", "answer", s, bw=bw),
        O(z, "AAAA", "2001:db8:0:1::1", "answer", s, bw=bw),
        O(z, "AAAA", "2001:db8:aaaa::", "answer", s, bw=bw),
        O(z, "NS", "ns1.types.example", "answer", s, bw=bw),
        O("alias.types.example", "CNAME", "types.example", "answer", s,
          bw=bw),
        O("1.2.0.192.in-addr.arpa", "PTR", "host.types.example", "answer", s),
        O(z, "MX", "10 mx.types.example", "answer", s, bw=bw),
        O(z, "TXT", '"v=spf1 -all"', "answer", s, bw=bw),
        O(z, "TXT", '"a" "b"', "answer", s, bw=bw),
        O(z, "TXT", '""', "answer", s, bw=bw),
        O(z, "SOA", "ns1.types.example hostmaster.types.example 2023111401 "
          "7200 3600 1209600 300", "answer", s, bw=bw),
        O("_sip._udp.types.example", "SRV", "20 5 5060 sip.types.example",
          "answer", s, bw=bw),
        O(z, "CAA", '0 issue "ca.example"', "answer", s, bw=bw),
        O(z, "CAA", '128 iodef "mailto:sec@types.example"', "answer", s,
          bw=bw),
        O(z, "TXT", '"' + "L" * 255 + '" "x"', "answer", s, bw=bw),
        O(z, "TYPE65280", "\\# 3 ABCDEF", "answer", s, bw=bw),
        O(z, "TYPE65280", "\\# 0", "answer", s, bw=bw),
        O(z, "NS", "ns1.types.example", "authority", s, bw=bw),
    ]

    c = Case("compression_pointers", "names compressed with pointers into "
             "the middle of earlier names and pointer chains (a label then a "
             "pointer to a name that itself ends in a pointer), in owners "
             "and in NS/MX/CNAME/SOA rdata")
    out = c.pcap(1)
    z = "cmp.example"
    m = Msg(aa=1, q=("a.b." + z, "A"),
            an=[RR("a.b." + z, "CNAME", "c.a.b." + z),
                RR("c.a.b." + z, "CNAME", "x.c.a.b." + z),
                RR("x.c.a.b." + z, "A", "192.0.2.33"),
                RR("b." + z, "MX", (5, "b." + z))],
            ns=[RR(z, "NS", "ns.b." + z),
                RR(z, "SOA", ("ns.b." + z, "root.a.b." + z, 1, 2, 3, 4, 5))],
            ar=[RR("ns.b." + z, "A", "192.0.2.34")])
    udp_send(c, out, m, c.t)
    plain = Msg(aa=1, q=m.q, an=m.sections["answer"],
                ns=m.sections["authority"], ar=m.sections["additional"],
                compress=False)
    assert len(plain.encode()) - len(m.encode()) > 100

    c = Case("no_compression", "the same kind of response with no "
             "compression pointers at all")
    out = c.pcap(1)
    m = std_v4("nocomp")
    packed = len(m.encode())
    m.compress = False
    udp_send(c, out, m, c.t)
    assert len(m.encode()) > packed + 20

    c = Case("escaped_names", "names and TXT with bytes that need escapes: "
             "space, '.' inside a label, 0xff, tab, 0x7f, ( ) \" ; @ $ \\, "
             "upper case; a CNAME target with escapes")
    out = c.pcap(1)
    weird = (b"a b", b"dot.inside", b"\xffbin", b'q"(x);@$\\', b"Tab\tDel\x7f",
             b"Esc", b"example")
    target = (b"T A R", b"esc", b"example")
    m = Msg(aa=1, q=Question(weird, "A"),
            an=[RR(weird, "CNAME", target), RR(target, "A", "192.0.2.44"),
                RR("txt.esc.example", "TXT",
                   [b'say "hi"', b"back\\slash", b"tab\there", b"\x00\xff",
                    b"semi;colon @ok (x)", b"MixedCase"])],
            ns=[RR("esc.example", "NS", "ns.esc.example")])
    udp_send(c, out, m, c.t)
    s = c.t // S
    wn = 'a\\032b.dot\\.inside.\\255bin.q\\"\\(x\\)\\;\\@\\$\\\\.tab\\009del\\127.esc.example'
    c.literal_obs = [
        O(wn, "CNAME", "t\\032a\\032r.esc.example", "answer", s,
          bw="esc.example"),
        O("t\\032a\\032r.esc.example", "A", "192.0.2.44", "answer", s,
          bw="esc.example"),
        O("txt.esc.example", "TXT", '"say \\"hi\\"" "back\\\\slash" '
          '"tab\\009here" "\\000\\255" "semi;colon @ok (x)" "MixedCase"',
          "answer", s, bw="esc.example"),
        O("esc.example", "NS", "ns.esc.example", "authority", s,
          bw="esc.example"),
    ]

    c = Case("root_name", "the root name '.': priming response (AA=1, NS "
             "for '.' in answer and authority, glue) and an NXDOMAIN from "
             "the root with the root SOA", counters={"nxdomain": 1})
    out = c.pcap(1)
    m = Msg(aa=1, q=(".", "NS"),
            an=[RR(".", "NS", "a.root-servers.net", ttl=518400),
                RR(".", "NS", "b.root-servers.net", ttl=518400)],
            ns=[RR(".", "NS", "a.root-servers.net")],
            ar=[RR("a.root-servers.net", "A", "198.41.0.4"),
                RR("a.root-servers.net", "AAAA", "2001:503:ba3e::2:30"),
                opt_rr()])
    udp_send(c, out, m, c.t)
    m = Msg(aa=1, rcode=3, q=("no-such-tld", "A"),
            ns=[RR(".", "SOA", ("a.root-servers.net",
                                "nstld.verisign-grs.com", 2023111400, 1800,
                                900, 604800, 86400))])
    udp_send(c, out, m, c.t + S)
    s = c.t // S
    c.literal_obs = [
        O(".", "NS", "a.root-servers.net", "answer", s, bw="."),
        O(".", "NS", "b.root-servers.net", "answer", s, bw="."),
        O(".", "NS", "a.root-servers.net", "authority", s, bw="."),
        O("a.root-servers.net", "A", "198.41.0.4", "additional", s, bw="."),
        O("a.root-servers.net", "AAAA", "2001:503:ba3e::2:30", "additional",
          s, bw="."),
        O(".", "SOA", "a.root-servers.net nstld.verisign-grs.com 2023111400 "
          "1800 900 604800 86400", "authority", s + 1, bw="."),
    ]
    c.literal_nx = [{"qname": "no-such-tld", "qtype": "A",
                     "time_first": s + 1, "time_last": s + 1, "count": 1}]

    c = Case("name_len_255", "an owner name of exactly 255 octets (valid)")
    out = c.pcap(1)
    long = (b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 61)
    assert sum(len(x) + 1 for x in long) + 1 == 255
    m = Msg(q=Question(long, "A"), an=[RR(long, "A", "192.0.2.55")])
    udp_send(c, out, m, c.t)

    c = Case("mixed_case_0x20", "three responses whose qname uses different "
             "case (0x20 randomisation); owners compressed against the "
             "question keep that case; all merge into one key, count 3")
    out = c.pcap(1)
    for i, qn in enumerate(["www.case.example", "WwW.cAsE.ExAmPlE",
                            "WWW.CASE.EXAMPLE"]):
        m = Msg(id=0x3000 + i, aa=1, q=(qn, "A"),
                an=[RR(qn, "CNAME", "Target.CASE.example"),
                    RR("TARGET.case.EXAMPLE", "A", "192.0.2.66")],
                ns=[RR(qn.split(".", 1)[1], "NS", "NS.Case.Example")])
        udp_send(c, out, m, c.t + i * 700 * MS)
    s = c.t // S
    c.literal_obs = [
        O("www.case.example", "CNAME", "target.case.example", "answer", s,
          s + 1, 3, bw="case.example"),
        O("target.case.example", "A", "192.0.2.66", "answer", s, s + 1, 3,
          bw="case.example"),
        O("case.example", "NS", "ns.case.example", "authority", s, s + 1, 3,
          bw="case.example"),
    ]

    c = Case("duplicate_in_response", "the same record twice in the answer "
             "(second with other TTL and owner case) and once in additional: "
             "count 1 per section")
    out = c.pcap(1)
    m = Msg(aa=1, q=("dup.example", "A"),
            an=[RR("dup.example", "A", "192.0.2.7", ttl=60),
                RR("DUP.Example", "A", "192.0.2.7", ttl=30),
                RR("dup.example", "A", "192.0.2.8")],
            ns=[RR("dup.example", "NS", "ns.dup.example")],
            ar=[RR("dup.example", "A", "192.0.2.7")])
    udp_send(c, out, m, c.t)

    c = Case("class_non_in", "records of class CH and HS are not "
             "observations; the IN records of the same message are",
             counters={"drop_class": 2})
    out = c.pcap(1)
    m = Msg(q=("cls.example", "A"),
            an=[RR("cls.example", "A", "192.0.2.9"),
                RR("cls.example", "TXT", [b"chaos"], rclass=CLASS_CH),
                RR("cls.example", "A", "192.0.2.10", rclass=CLASS_HS)])
    udp_send(c, out, m, c.t)

    c = Case("opt_tsig", "OPT and TSIG (last, owner in bailiwick) in "
             "additional are never observations", counters={"drop_meta": 2})
    out = c.pcap(1)
    z = "meta.example"
    m = Msg(aa=1, q=("www." + z, "A"), an=[RR("www." + z, "A", "192.0.2.77")],
            ns=[RR(z, "NS", "ns." + z)],
            ar=[RR("ns." + z, "A", "192.0.2.78"), opt_rr(4096, do=True),
                tsig_rr("key." + z)])
    udp_send(c, out, m, c.t)

    c = Case("tkey_sig0", "a TKEY in the answer and a SIG(0) in additional "
             "are never observations", counters={"drop_meta": 2})
    out = c.pcap(1)
    z = "tkey.example"
    m = Msg(aa=1, q=("key." + z, "TKEY"),
            an=[tkey_rr("key." + z), RR("key." + z, "A", "192.0.2.79")],
            ns=[RR(z, "NS", "ns." + z)],
            ar=[sig0_rr(z)])
    udp_send(c, out, m, c.t)

    c = Case("tc_bit", "TC=1 responses (one with a partial answer, one "
             "empty) are responses like any other")
    out = c.pcap(1)
    m = Msg(tc=1, aa=1, q=("tc.example", "TXT"),
            an=[RR("tc.example", "TXT", [b"part one"])])
    udp_send(c, out, m, c.t)
    udp_send(c, out, Msg(tc=1, q=("tc2.example", "A")), c.t + S)

    c = Case("rcodes", "any RCODE counts: SERVFAIL with an answer, REFUSED "
             "with none, FORMERR with an answer")
    out = c.pcap(1)
    udp_send(c, out, Msg(rcode=2, q=("sf.example", "A"),
                         an=[RR("sf.example", "A", "192.0.2.90")]), c.t)
    udp_send(c, out, Msg(rcode=5, q=("rf.example", "A")), c.t + S)
    udp_send(c, out, Msg(rcode=1, q=("fe.example", "A"),
                         an=[RR("fe.example", "A", "192.0.2.91")]), c.t + 2 * S)

    c = Case("nxdomain", "NXDOMAIN responses: same (qname, qtype) twice "
             "(second in upper case, 3.5 s later), another qtype, and one "
             "with AA=0 and no authority; the SOA is an observation",
             counters={"nxdomain": 4})
    out = c.pcap(1)
    soa = RR("nx.example", "SOA", ("ns1.nx.example", "hostmaster.nx.example",
                                   7, 3600, 600, 86400, 300))
    udp_send(c, out, Msg(aa=1, rcode=3, q=("nope.nx.example", "A"),
                         ns=[soa]), c.t + 600 * MS)
    udp_send(c, out, Msg(aa=1, rcode=3, q=("NOPE.NX.example", "A"),
                         ns=[soa]), c.t + 4100 * MS)
    udp_send(c, out, Msg(aa=1, rcode=3, q=("nope.nx.example", "AAAA"),
                         ns=[soa]), c.t + 5 * S)
    udp_send(c, out, Msg(aa=0, rcode=3, q=("other.nx.example", "MX")),
             c.t + 9 * S)
    s = c.t // S
    c.literal_obs = [O("nx.example", "SOA", "ns1.nx.example "
                       "hostmaster.nx.example 7 3600 600 86400 300",
                       "authority", s, s + 5, 3, bw="nx.example")]
    c.literal_nx = [
        {"qname": "nope.nx.example", "qtype": "A", "time_first": s,
         "time_last": s + 4, "count": 2},
        {"qname": "nope.nx.example", "qtype": "AAAA", "time_first": s + 5,
         "time_last": s + 5, "count": 1},
        {"qname": "other.nx.example", "qtype": "MX", "time_first": s + 9,
         "time_last": s + 9, "count": 1}]

    c = Case("trailing_bytes", "bytes after the last record are allowed",
             counters={"trailing_bytes": 1})
    out = c.pcap(1)
    m = std_v4("trailing")
    m.trailing = b"\x00\x01garbage"
    udp_send(c, out, m, c.t)

    c = Case("time_aggregation", "five responses with sub-second timestamps "
             "(x.000001, x.999999999, x+1.5, x+7.25, x+7.999999); one record "
             "in all five, one only in the 3rd and 4th",
             counters={"responses": 5})
    out = c.pcap(1, nano=True)
    offs = [1 * US, 999_999_999, 1500 * MS, 7250 * MS, 7_999_999 * US]
    for i, off in enumerate(offs):
        an = [RR("agg.example", "A", "192.0.2.111")]
        if i in (2, 3):
            an.append(RR("agg.example", "A", "192.0.2.112"))
        udp_send(c, out, Msg(id=i, q=("agg.example", "A"), an=an), c.t + off)
    s = c.t // S
    c.literal_obs = [
        O("agg.example", "A", "192.0.2.111", "answer", s, s + 7, 5),
        O("agg.example", "A", "192.0.2.112", "answer", s + 1, s + 7, 2)]


def cases_dns_more():
    c = Case("no_question", "a response with QDCOUNT 0: answers are kept "
             "(no bailiwick), authority and additional are dropped (no qname, "
             "so no Z)")
    out = c.pcap(1)
    m = Msg(q=None, an=[RR("noq.example", "A", "192.0.2.140")],
            ns=[RR("noq.example", "NS", "ns.noq.example")],
            ar=[RR("ns.noq.example", "A", "192.0.2.141")])
    udp_send(c, out, m, c.t)

    c = Case("two_questions", "QDCOUNT 2: Z comes from the first question "
             "only (q1 under q1.example, q2 under q2.example)")
    out = c.pcap(1)
    m = Msg(aa=1, q=[Question("www.q1.example", "A"),
                     Question("www.q2.example", "A")],
            an=[RR("www.q1.example", "A", "192.0.2.142"),
                RR("www.q2.example", "A", "192.0.2.143")],
            ns=[RR("q1.example", "NS", "ns.q1.example"),
                RR("q2.example", "NS", "ns.q2.example")],
            ar=[RR("ns.q1.example", "A", "192.0.2.144"),
                RR("ns.q2.example", "A", "192.0.2.145")])
    udp_send(c, out, m, c.t)
    s = c.t // S
    c.literal_obs = [
        O("www.q1.example", "A", "192.0.2.142", "answer", s, bw="q1.example"),
        O("www.q2.example", "A", "192.0.2.143", "answer", s),
        O("q1.example", "NS", "ns.q1.example", "authority", s,
          bw="q1.example"),
        O("ns.q1.example", "A", "192.0.2.144", "additional", s,
          bw="q1.example")]

    c = Case("port_53_to_53", "a response from port 53 to port 53 "
             "(server to server) counts")
    out = c.pcap(1)
    udp_send(c, out, std_v4("p53to53"), c.t, dport=53)

    c = Case("same_key_udp_tcp", "the same records over UDP/IPv4, "
             "UDP/IPv6 and TCP merge into one key per section")
    out = c.pcap(1)
    z = "mixed-transport.example"

    def mk():
        return Msg(aa=1, q=("www." + z, "A"),
                   an=[RR("www." + z, "A", "192.0.2.146")],
                   ns=[RR(z, "NS", "ns." + z)])
    udp_send(c, out, mk(), c.t)
    udp_send(c, out, mk(), c.t + S, 6)
    tc = TcpConv(c, out, cport=40030)
    tc.handshake(c.t + 2 * S)
    e = tc.add(mk())
    tc.send(c.t + 3 * S, 0, e)
    tc.close(c.t + 3 * S + MS)
    s = c.t // S
    c.literal_obs = [
        O("www." + z, "A", "192.0.2.146", "answer", s, s + 3, 3, bw=z),
        O(z, "NS", "ns." + z, "authority", s, s + 3, 3, bw=z)]


def cases_bailiwick():
    c = Case("bailiwick_aa", "AA=1 answer: NS in authority defines Z = "
             "bw-aa.example; in-zone glue kept with bailiwick Z, "
             "out-of-zone glue dropped", counters={"drop_bailiwick": 1})
    out = c.pcap(1)
    z = "bw-aa.example"
    m = Msg(aa=1, q=("www." + z, "A"), an=[RR("www." + z, "A", "192.0.2.80")],
            ns=[RR(z, "NS", "ns1." + z), RR(z, "NS", "ns.other-dns.net")],
            ar=[RR("ns1." + z, "A", "192.0.2.81"),
                RR("ns.other-dns.net", "A", "203.0.113.5"),
                RR("ns1." + z, "AAAA", "2001:db8::81")])
    udp_send(c, out, m, c.t)

    c = Case("bailiwick_referral", "AA=0 referral for bw-ref.example: "
             "bailiwick is the parent 'example'; glue in the zone kept, "
             "glue and NS outside dropped; a second referral where the qname "
             "is the cut itself", counters={"drop_bailiwick": 3})
    out = c.pcap(1)
    z = "bw-ref.example"
    m = Msg(aa=0, q=("www.shop." + z, "A"),
            ns=[RR(z, "NS", "ns1." + z), RR(z, "NS", "ns2.elsewhere.net"),
                RR("evil.example", "NS", "ns.evil.example")],
            ar=[RR("ns1." + z, "A", "192.0.2.82"),
                RR("ns2.elsewhere.net", "A", "203.0.113.6"),
                RR("ns.evil.example", "A", "203.0.113.66"),
                RR("www." + z, "A", "192.0.2.83")])
    udp_send(c, out, m, c.t)
    m = Msg(aa=0, q=("bw-self.example", "NS"),
            ns=[RR("bw-self.example", "NS", "ns.bw-self.example")],
            ar=[RR("ns.bw-self.example", "A", "192.0.2.84")])
    udp_send(c, out, m, c.t + S)
    s = c.t // S
    c.literal_obs = [
        O(z, "NS", "ns1." + z, "authority", s, bw="example"),
        O(z, "NS", "ns2.elsewhere.net", "authority", s, bw="example"),
        O("ns1." + z, "A", "192.0.2.82", "additional", s, bw="example"),
        O("www." + z, "A", "192.0.2.83", "additional", s, bw="example"),
        O("bw-self.example", "NS", "ns.bw-self.example", "authority", s + 1,
          bw="example"),
        O("ns.bw-self.example", "A", "192.0.2.84", "additional", s + 1,
          bw="example"),
    ]

    c = Case("bailiwick_tld", "AA=0 referral to the TLD 'test': bailiwick "
             "'.'; glue under test kept, other glue dropped",
             counters={"drop_bailiwick": 1})
    out = c.pcap(1)
    m = Msg(aa=0, q=("foo.bar.test", "A"),
            ns=[RR("test", "NS", "ns.nic.test"),
                RR("test", "NS", "a.tld-servers.net")],
            ar=[RR("ns.nic.test", "A", "192.0.2.85"),
                RR("a.tld-servers.net", "A", "203.0.113.7")])
    udp_send(c, out, m, c.t)

    c = Case("bailiwick_longest", "AA=1 with NS for bw-long.example and for "
             "sub.bw-long.example: Z is the longest ancestor of the qname "
             "(sub...); records of the shorter zone are dropped; an answer "
             "outside Z has no bailiwick key", counters={"drop_bailiwick": 3})
    out = c.pcap(1)
    z0 = "bw-long.example"
    z = "sub." + z0
    m = Msg(aa=1, q=("www." + z, "A"),
            an=[RR("www." + z, "CNAME", "cdn.cdn-provider.net"),
                RR("cdn.cdn-provider.net", "A", "198.51.100.200")],
            ns=[RR(z0, "NS", "ns." + z0), RR(z, "NS", "ns." + z),
                RR("other." + z0, "NS", "ns.other." + z0)],
            ar=[RR("ns." + z, "A", "192.0.2.86"),
                RR("ns." + z0, "A", "192.0.2.87")])
    udp_send(c, out, m, c.t)
    s = c.t // S
    c.literal_obs = [
        O("www." + z, "CNAME", "cdn.cdn-provider.net", "answer", s, bw=z),
        O("cdn.cdn-provider.net", "A", "198.51.100.200", "answer", s),
        O(z, "NS", "ns." + z, "authority", s, bw=z),
        O("ns." + z, "A", "192.0.2.86", "additional", s, bw=z),
    ]

    c = Case("bailiwick_none", "no NS or SOA in authority: every authority "
             "and additional record is dropped; answers have no bailiwick",
             counters={"drop_bailiwick": 2})
    out = c.pcap(1)
    m = Msg(aa=1, q=("www.bw-none.example", "A"),
            an=[RR("www.bw-none.example", "A", "192.0.2.88")],
            ns=[RR("www.bw-none.example", "A", "192.0.2.89")],
            ar=[RR("ns1.bw-none.example", "A", "192.0.2.90")])
    udp_send(c, out, m, c.t)

    c = Case("bailiwick_soa_nodata", "AA=1 NODATA: the SOA in authority "
             "defines Z; kept with bailiwick Z")
    out = c.pcap(1)
    m = Msg(aa=1, q=("www.bw-soa.example", "AAAA"),
            ns=[RR("bw-soa.example", "SOA", ("ns.bw-soa.example",
                                             "dns.bw-soa.example", 9, 10, 11,
                                             12, 13))])
    udp_send(c, out, m, c.t)

    c = Case("bailiwick_nxdomain_referral", "NXDOMAIN with AA=0 and an SOA "
             "of the parent zone: bailiwick is the parent of Z",
             counters={"nxdomain": 1})
    out = c.pcap(1)
    m = Msg(aa=0, rcode=3, q=("gone.bw-nx.example", "TXT"),
            ns=[RR("bw-nx.example", "SOA", ("ns.bw-nx.example",
                                            "dns.bw-nx.example", 1, 2, 3, 4,
                                            5))])
    udp_send(c, out, m, c.t)


# ---------------------------------------------------------------------------
# What is not a response

def cases_filter():
    args = ["--resolver", RES4, "--resolver", "2001:DB8:0::53"]
    c = Case("resolver_filter", "--resolver 192.0.2.53 --resolver "
             "2001:DB8:0::53: responses to those addresses count (UDP v4/v6, "
             "TCP), responses to other addresses (and the resolver's own "
             "answers to its clients) are dropped", args=args,
             counters={"drop_resolver": 3})
    out = c.pcap(1)
    t = c.t
    udp_send(c, out, std_v4("res-ok4"), t)
    udp_send(c, out, std_v4("res-no4"), t + S, dst="192.0.2.99")
    udp_send(c, out, std_v6("res-ok6"), t + 2 * S, 6)
    udp_send(c, out, std_v6("res-no6"), t + 3 * S, 6, dst="2001:db8::99")
    udp_send(c, out, std_v4("res-client"), t + 4 * S, src=RES4,
             dst="203.0.113.77")
    tc = TcpConv(c, out, cport=40020)
    tc.handshake(t + 5 * S)
    e = tc.add(tcp_msg("res-tcp", 0))
    tc.send(t + 5 * S + 10 * MS, 0, e)
    tc.close(t + 5 * S + 20 * MS)

    c = Case("query_ignored", "QR=0 messages are ignored: a normal query, "
             "and a QR=0 message from port 53 carrying answer records")
    out = c.pcap(1)
    udp_query(c, out, "www.q-ign.example", "A", c.t)
    m = Msg(qr=0, q=("www.q-ign.example", "A"),
            an=[RR("www.q-ign.example", "A", "192.0.2.120")])
    udp_send(c, out, m, c.t + S, src=AUTH4, dst="198.51.100.54", dport=53)
    control(c, out, c.t + 2 * S)

    c = Case("port_not_53", "responses not from port 53 are ignored: mDNS "
             "from 5353, and QR=1 from a high port to port 53")
    out = c.pcap(1)
    m = Msg(id=0, aa=1, rd=0, ra=0, q=None,
            an=[RR("printer.local", "A", "192.0.2.121")])
    udp_send(c, out, m, c.t, src="192.0.2.121", dst="224.0.0.251",
             sport=5353, dport=5353)
    m = Msg(q=("hp.port.example", "A"),
            an=[RR("hp.port.example", "A", "192.0.2.122")])
    udp_send(c, out, m, c.t + S, sport=40000, dport=53)
    control(c, out, c.t + 2 * S)

    c = Case("opcode_not_query", "QR=1 with opcode NOTIFY (4) and UPDATE "
             "(5) from port 53 are ignored", counters={"drop_opcode": 2})
    out = c.pcap(1)
    soa = RR("op.example", "SOA", ("ns.op.example", "h.op.example", 1, 2, 3,
                                   4, 5))
    udp_send(c, out, Msg(opcode=4, aa=1, q=("op.example", "SOA"), an=[soa]),
             c.t)
    udp_send(c, out, Msg(opcode=5, q=("op.example", "SOA"),
                         an=[RR("upd.op.example", "A", "192.0.2.123")]),
             c.t + S)
    control(c, out, c.t + 2 * S)


# ---------------------------------------------------------------------------
# Malformed messages: valid records first, then one kind of damage

SEC_AR_LAST = ("additional", -1)


def damaged_msg(tag, last=None):
    """A response with valid answer, authority and additional records;
    `last` (if given) is appended as the last additional record."""
    z = tag + ".example"
    ar = [RR("ns1." + z, "A", "192.0.2.131")]
    if last is not None:
        ar.append(last)
    return Msg(aa=1, q=("kept." + z, "A"),
               an=[RR("kept." + z, "A", "192.0.2.130"),
                   RR("kept." + z, "TXT", [b"must not appear"])],
               ns=[RR(z, "NS", "ns1." + z)], ar=ar)


def patch_rdlen(where, delta):
    def p(wire, lay):
        ent = lay.rrs[where[0]][where[1]]
        w = bytearray(wire)
        n = int.from_bytes(w[ent["rdlen"]:ent["rdlen"] + 2], "big") + delta
        w[ent["rdlen"]:ent["rdlen"] + 2] = n.to_bytes(2, "big")
        return bytes(w)
    return p


def patch_owner_ptr(where, target):
    """Make the owner of record `where` (a 2-byte RawName placeholder) a
    pointer to target(lay, own_offset)."""
    def p(wire, lay):
        ent = lay.rrs[where[0]][where[1]]
        off = target(lay, ent["name"])
        w = bytearray(wire)
        w[ent["name"]:ent["name"] + 2] = (0xC000 | off).to_bytes(2, "big")
        return bytes(w)
    return p


def mal_case(name, desc, counter, msg, t_off=0, out_kw=None, **send_kw):
    c = Case(name, desc, counters={counter: 1}, wire_ok=False)
    out = c.pcap(1, **(out_kw or {}))
    control(c, out, c.t)
    udp_send(c, out, msg, c.t + S + t_off, damaged=True, **send_kw)
    control(c, out, c.t + 2 * S, tag="after")
    return c


def cases_malformed():
    ph = RawName(b"\xc0\x00")  # placeholder for a patched pointer

    m = damaged_msg("mal-ptr-loop", RR(ph, "A", "192.0.2.132"))
    m.patch = patch_owner_ptr(SEC_AR_LAST, lambda lay, own: own)
    mal_case("mal_ptr_loop", "compression pointer pointing to itself",
             "malformed_ptr", m)

    m = damaged_msg("mal-ptr-loop2", RR(RawName(b"\x04loop\xc0\x00"), "A",
                                        "192.0.2.132"))

    def loop2(wire, lay):
        own = lay.rrs["additional"][-1]["name"]
        w = bytearray(wire)
        w[own + 5:own + 7] = (0xC000 | own).to_bytes(2, "big")
        return bytes(w)
    m.patch = loop2
    mal_case("mal_ptr_loop_label", "a label followed by a pointer back to "
             "the start of the same name (infinite name)", "malformed_ptr",
             m)

    z = "mal-ptr-fwd.example"
    m = damaged_msg("mal-ptr-fwd", RR(ph, "A", "192.0.2.132"))
    m.sections["additional"].append(RR("later." + z, "A", "192.0.2.133",
                                       compress=False))
    m.patch = patch_owner_ptr(("additional", -2),
                              lambda lay, own: lay.rrs["additional"][-1]["name"])
    mal_case("mal_ptr_forward", "compression pointer to a valid name later "
             "in the message (forward pointer)", "malformed_ptr", m)

    m = damaged_msg("mal-ptr-beyond", RR(ph, "A", "192.0.2.132"))
    m.patch = patch_owner_ptr(SEC_AR_LAST, lambda lay, own: 0x3000)
    mal_case("mal_ptr_beyond", "compression pointer past the end of the "
             "message", "malformed_ptr", m)

    m = damaged_msg("mal-label40", RR(RawName(b"\x03bad\x41\x07example\x00"),
                                      "A", "192.0.2.132"))
    mal_case("mal_label_0x40", "label type 0x40 (extended label) in an owner "
             "name", "malformed_label", m)

    m = damaged_msg("mal-label80", RR(RawName(b"\x03bad\x80\x07example\x00"),
                                      "A", "192.0.2.132"))
    mal_case("mal_label_0x80", "label type 0x80 (reserved) in an owner name",
             "malformed_label", m)

    long = b"".join(b"\x3f" + bytes([0x61 + i]) * 63 for i in range(5)) + b"\0"
    m = damaged_msg("mal-namelen", RR(RawName(long), "A", "192.0.2.132"))
    mal_case("mal_name_len", "owner name of 321 octets (five 63-byte labels)",
             "malformed_name_len", m)

    # > 255 only through a pointer: 200-octet name earlier, then 2 labels of
    # 40 + pointer to it (each piece alone is fine)
    base = tuple(bytes([0x6B + i]) * 48 for i in range(4)) + (b"example",)
    assert sum(len(x) + 1 for x in base) + 1 == 205
    m = damaged_msg("mal-namelen-ptr")
    m.sections["additional"].append(RR(base, "A", "192.0.2.134"))
    m.sections["additional"].append(RR(ph, "A", "192.0.2.135"))

    def namelen_ptr(wire, lay):
        ents = lay.rrs["additional"]
        tgt = ents[-2]["name"]
        own = ents[-1]["name"]
        new = b"\x28" + b"x" * 40 + b"\x28" + b"y" * 40 + \
            (0xC000 | tgt).to_bytes(2, "big")
        return wire[:own] + new + wire[own + 2:]
    m.patch = namelen_ptr
    mal_case("mal_name_len_ptr", "name of 287 octets made of two 40-byte "
             "labels and a pointer to an earlier 205-octet name",
             "malformed_name_len", m)

    m = damaged_msg("mal-rdlen", RR("x.mal-rdlen.example", "TXT",
                                    [b"twenty bytes short"]))
    m.patch = patch_rdlen(SEC_AR_LAST, +20)
    mal_case("mal_rdlength_past_end", "last record's rdlength runs 20 bytes "
             "past the end of the message", "malformed_trunc", m)

    m = damaged_msg("mal-counts")
    m.counts = (1, 2, 1, 2)  # additional has 1 record
    mal_case("mal_counts", "ARCOUNT one larger than the records present",
             "malformed_trunc", m)

    m = damaged_msg("mal-a5", RR("x.mal-a5.example", "A", raw=b"\xc0\x00\x02"
                                 b"\x01\x07"))
    mal_case("mal_rdata_a_len5", "A record with rdlength 5",
             "malformed_rdata", m)

    m = damaged_msg("mal-aaaa", RR("x.mal-aaaa.example", "AAAA",
                                   raw=b"\x20\x01\x0d\xb8" + b"\0" * 8))
    mal_case("mal_rdata_aaaa_len12", "AAAA record with rdlength 12",
             "malformed_rdata", m)

    m = damaged_msg("mal-mx", RR("x.mal-mx.example", "MX",
                                 raw=b"\x00\x0a\x02mx\x00\x00\x00"))
    mal_case("mal_rdata_mx_extra", "MX whose rdlength has 2 bytes more than "
             "preference + exchange", "malformed_rdata", m)

    m = damaged_msg("mal-cname", RR("x.mal-cname.example", "CNAME",
                                    raw=b"\x06target\x07example\x00",
                                    rdlen=7))
    m.sections["additional"].append(RR("y.mal-cname.example", "A",
                                       "192.0.2.136"))
    mal_case("mal_rdata_name_overrun", "CNAME whose target name runs past "
             "its rdlength (rdlength 7, name 16)",
             "malformed_rdata", m)

    m = damaged_msg("mal-txt", RR("x.mal-txt.example", "TXT",
                                  raw=b"\x10short"))
    mal_case("mal_rdata_txt", "TXT string length byte (16) past the rdata "
             "end (rdlength 6)", "malformed_rdata", m)

    m = damaged_msg("mal-soa", RR("mal-soa.example", "SOA",
                                  raw=b"\x02ns\x00\x01h\x00" + b"\0" * 16))
    mal_case("mal_rdata_soa_short", "SOA with 16 of its 20 numeric bytes",
             "malformed_rdata", m)

    m = damaged_msg("mal-qname")
    m.q = [Question(RawName(b"\x05kept1\x80\x00"), "A")]
    m.compress = False
    mal_case("mal_qname_label", "bad label type in the question name; the "
             "records after it are valid", "malformed_label", m)

    c = Case("mal_header", "a UDP payload of 7 bytes from port 53",
             counters={"malformed_header": 1}, wire_ok=False)
    out = c.pcap(1)
    control(c, out, c.t)
    hdr = Msg(q=None).encode()[:7]
    udp_send(c, out, Msg(), c.t + S, damaged=True, wire=hdr)
    control(c, out, c.t + 2 * S, tag="after")

    # snap length: the file's snaplen is 110, the damaged frame is cut
    c = Case("mal_snaplen", "file snaplen 110: a response whose frame is "
             "longer is cut (caplen < length); small responses around it "
             "are complete", counters={"malformed_snaplen": 1},
             wire_ok=False)
    out = c.pcap(1, snaplen=110)
    control(c, out, c.t)
    m = damaged_msg("mal-snap")
    frame_len = 14 + 20 + 8 + len(m.encode())
    assert frame_len > 110
    udp_send(c, out, m, c.t + S, caplen_cut=frame_len - 110)
    control(c, out, c.t + 2 * S, tag="after")


# ---------------------------------------------------------------------------
# Self-checks of the presentation model (hand-computed values)

def self_test():
    n = model.name_text
    assert n(()) == "."
    assert n(N("WWW.Example.COM")) == "www.example.com"
    assert n((b"a b", b"c")) == "a\\032b.c"
    assert n((b"a.b", b"c")) == "a\\.b.c"
    assert n((b"\xff",)) == "\\255"
    assert n((b'()";@$\\',)) == '\\(\\)\\"\\;\\@\\$\\\\'
    assert n((b"\xc4",)) == "\\196"  # not ASCII: no case folding
    assert model.quoted(b'a"b\\c\x01\x7f ;') == '"a\\"b\\\\c\\001\\127 ;"'
    v6 = model.ipv6_text
    import socket
    for text, want in [("2001:db8::", "2001:db8::"), ("::", "::"),
                       ("::1", "::1"), ("1::", "1::"),
                       ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
                       ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
                       ("2001:db8:1:2:3:4:5:0", "2001:db8:1:2:3:4:5:0"),
                       ("FE80::ABCD", "fe80::abcd")]:
        got = v6(socket.inet_pton(socket.AF_INET6, text))
        assert got == want, (text, got, want)
    z = model.zone_cut(Msg(q=("a.b.c", "A"), ns=[RR("c", "NS", "x"),
                                                 RR("B.C", "SOA", ("x", "y", 1,
                                                                  2, 3, 4, 5)),
                                                 RR("d.b.c", "NS", "x")]))
    assert z == N("B.C"), z
    assert model.is_at_or_below(N("A.b.C"), N("b.c"))
    assert not model.is_at_or_below(N("xb.c"), N("b.c"))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_cases.py OUTDIR | --list")
    self_test()
    build_all()
    if sys.argv[1] == "--list":
        for c in sorted(CASES, key=lambda c: c.name):
            print("%-28s %s%s" % (c.name, c.desc, " [counters: %s]" % ", ".join(
                "%s=%d" % kv for kv in sorted(c.counters.items()))
                if c.counters else ""))
        return
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        if f.endswith((".pcap", ".pcapng", ".expect.json")):
            os.unlink(os.path.join(outdir, f))
    names = set()
    for c in CASES:
        assert c.name not in names, c.name
        names.add(c.name)
        c.write(outdir)
    print("gen_cases: %d cases written to %s" % (len(CASES), outdir))


def build_all():
    cases_links()
    cases_ip()
    cases_ip_more()
    cases_tcp()
    cases_dns()
    cases_dns_more()
    cases_bailiwick()
    cases_filter()
    cases_malformed()


if __name__ == "__main__":
    main()
