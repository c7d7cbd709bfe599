"""model - what pdns-sensor should print, computed from the semantic DNS
messages that pcapgen put on the wire (an implementation of the rules that
shares no code with the sensor).

An Event is one DNS message that reached the end of the transport layer
(reassembled if needed) with the facts the rules need: timestamp of the
frame that completed it, UDP/TCP source port, destination address, and
whether the wire form was damaged on purpose.
"""

import socket
import struct

from pcapgen import (CLASS_IN, SEC_AN, SEC_NS, SECTIONS, TYPE_NAMES,
                     RawName)

META_TYPES = {41, 249, 250}  # OPT, TKEY, TSIG; SIG(0) handled below
NAME_SPECIALS = set(b'.()";@$\\')


# ---------------------------------------------------------------------------
# Presentation

def lower_label(lab):
    return bytes(c + 32 if 0x41 <= c <= 0x5A else c for c in lab)


def name_text(name):
    if isinstance(name, RawName):
        raise ValueError("no presentation for a raw (damaged) name")
    if not name:
        return "."
    out = []
    for lab in name:
        s = []
        for c in lower_label(lab):
            if c in NAME_SPECIALS:
                s.append("\\" + chr(c))
            elif c <= 0x20 or c >= 0x7F:
                s.append("\\%03d" % c)
            else:
                s.append(chr(c))
        out.append("".join(s))
    return ".".join(out)


def quoted(data):
    s = ['"']
    for c in data:
        if c == 0x22 or c == 0x5C:
            s.append("\\" + chr(c))
        elif c < 0x20 or c >= 0x7F:
            s.append("\\%03d" % c)
        else:
            s.append(chr(c))
    s.append('"')
    return "".join(s)


def ipv6_text(b):
    """RFC 5952 text of 16 bytes (no embedded-IPv4 forms are generated)."""
    w = struct.unpack("!8H", b)
    best, blen, i = -1, 0, 0
    while i < 8:
        if w[i] == 0:
            j = i
            while j < 8 and w[j] == 0:
                j += 1
            if j - i > blen:
                best, blen = i, j - i
            i = j
        else:
            i += 1
    if blen < 2:
        return ":".join("%x" % x for x in w)
    left = ":".join("%x" % x for x in w[:best])
    right = ":".join("%x" % x for x in w[best + blen:])
    return left + "::" + right


def type_text(t):
    if t in TYPE_NAMES:
        return TYPE_NAMES[t]
    return "TYPE%d" % t


def rdata_text(rr):
    t, d = rr.rtype, rr.rdata
    if rr.raw is not None:
        raise ValueError("raw rdata in a message the model should read")
    if t == 1:
        return ".".join(str(x) for x in socket.inet_pton(socket.AF_INET, d))
    if t == 28:
        return ipv6_text(socket.inet_pton(socket.AF_INET6, d))
    if t in (2, 5, 12, 39):
        return name_text(_n(d))
    if t == 15:
        return "%d %s" % (d[0], name_text(_n(d[1])))
    if t == 16:
        return " ".join(quoted(s) for s in d)
    if t == 6:
        return "%s %s %d %d %d %d %d" % ((name_text(_n(d[0])),
                                          name_text(_n(d[1]))) + tuple(d[2:7]))
    if t == 33:
        return "%d %d %d %s" % (d[0], d[1], d[2], name_text(_n(d[3])))
    if t == 257:
        return "%d %s %s" % (d[0], d[1].decode("ascii"), quoted(d[2]))
    data = d or b""
    if not data:
        return "\\# 0"
    return "\\# %d %s" % (len(data), data.hex().upper())


def _n(x):
    from pcapgen import N
    return N(x)


# ---------------------------------------------------------------------------
# Name relations (label-wise, ASCII case-insensitive)

def canon(name):
    return tuple(lower_label(lab) for lab in name)


def is_at_or_below(name, zone):
    n, z = canon(name), canon(zone)
    return len(n) >= len(z) and n[len(n) - len(z):] == z


def parent(name):
    return tuple(name[1:]) if name else ()


# ---------------------------------------------------------------------------
# Rules

def is_meta(rr):
    if rr.rtype in META_TYPES:
        return True
    if rr.rtype == 24:  # SIG(0): type covered 0
        d = rr.raw if rr.raw is not None else rr.rdata
        return len(d) >= 2 and d[0] == 0 and d[1] == 0
    return False


def zone_cut(msg):
    """Z: the longest ancestor-or-self of the qname owning an IN NS or SOA in
    the authority section, or None."""
    if not msg.q:
        return None
    qn = msg.q[0].name
    z = None
    for rr in msg.sections[SEC_NS]:
        if rr.rtype in (2, 6) and rr.rclass == CLASS_IN and \
                is_at_or_below(qn, rr.name):
            if z is None or len(rr.name) > len(z):
                z = rr.name
    return z


def observe(msg):
    """Set of (rrname, rrtype, rdata, section, bailiwick-or-None) of one
    accepted response."""
    z = zone_cut(msg)
    bw = None
    if z is not None:
        bw = name_text(z if msg.aa else parent(z))
    out = set()
    for sec in SECTIONS:
        for rr in msg.sections[sec]:
            if is_meta(rr) or rr.rclass != CLASS_IN:
                continue
            inside = z is not None and is_at_or_below(rr.name, z)
            if sec != SEC_AN and not inside:
                continue
            out.add((name_text(rr.name), type_text(rr.rtype), rdata_text(rr),
                     sec, bw if inside else None))
    return out


class Event:
    def __init__(self, ts_ns, msg, sport=53, dst=None, damaged=False,
                 transport="udp"):
        self.ts_ns = ts_ns
        self.msg = msg
        self.sport = sport
        self.dst = dst
        self.damaged = damaged
        self.transport = transport


def accepted(ev, resolvers):
    m = ev.msg
    if ev.sport != 53 or m.qr != 1 or m.opcode != 0:
        return False
    if resolvers and canon_addr(ev.dst) not in resolvers:
        return False
    return not ev.damaged


def canon_addr(a):
    fam = socket.AF_INET6 if ":" in a else socket.AF_INET
    return socket.inet_ntop(fam, socket.inet_pton(fam, a))


def expected(events, resolvers=()):
    """(observations, nxdomain) lists as the sensor should print them,
    aggregated over all events."""
    res = {canon_addr(a) for a in resolvers}
    obs, nx, bws = {}, {}, {}
    for ev in events:
        if not accepted(ev, res):
            continue
        sec = ev.ts_ns // 10 ** 9
        for (name, typ, rd, section, bw) in observe(ev.msg):
            key = (name, typ, rd, section)
            if key in bws and bws[key] != bw:
                raise ValueError("test design error: %r seen with bailiwick "
                                 "%r and %r" % (key, bws[key], bw))
            bws[key] = bw
            _agg(obs, key, sec)
        if ev.msg.rcode == 3 and ev.msg.q:
            q = ev.msg.q[0]
            _agg(nx, (name_text(q.name), type_text(q.qtype)), sec)
    olist = []
    for key, (first, last, count) in obs.items():
        o = {"rrname": key[0], "rrtype": key[1], "rdata": key[2],
             "time_first": first, "time_last": last, "count": count,
             "section": key[3]}
        if bws[key] is not None:
            o["bailiwick"] = bws[key]
        olist.append(o)
    nlist = [{"qname": k[0], "qtype": k[1], "time_first": v[0],
              "time_last": v[1], "count": v[2]} for k, v in nx.items()]
    olist.sort(key=lambda o: (o["section"], o["rrname"], o["rrtype"],
                              o["rdata"]))
    nlist.sort(key=lambda o: (o["qname"], o["qtype"]))
    return olist, nlist


def _agg(d, key, sec):
    if key in d:
        f, l, c = d[key]
        d[key] = (min(f, sec), max(l, sec), c + 1)
    else:
        d[key] = (sec, sec, 1)
