"""pcapgen - build DNS messages, UDP/TCP over IPv4/IPv6, link layers and
pcap / pcapng files, for the pdns-sensor test-data generator.

Python 3 standard library only. Everything here builds bytes; nothing here
knows what the sensor is expected to print (that is model.py).

Names are tuples of labels (bytes), most significant label last:
    N("www.Example.com") == (b"www", b"Example", b"com");  N(".") == ().
RawName(b"...") is put on the wire verbatim (used to build damage).
"""

import socket
import struct
import zlib

# ---------------------------------------------------------------------------
# DNS constants

TYPES = {
    "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16,
    "AAAA": 28, "SRV": 33, "DNAME": 39, "OPT": 41, "SIG": 24, "TKEY": 249,
    "TSIG": 250, "ANY": 255, "CAA": 257,
}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
CLASS_IN, CLASS_CH, CLASS_HS, CLASS_NONE, CLASS_ANY = 1, 3, 4, 254, 255

SEC_AN, SEC_NS, SEC_AR = "answer", "authority", "additional"
SECTIONS = (SEC_AN, SEC_NS, SEC_AR)


def type_code(t):
    if isinstance(t, int):
        return t
    if t.upper().startswith("TYPE"):
        return int(t[4:])
    return TYPES[t.upper()]


# ---------------------------------------------------------------------------
# Names

class RawName:
    """A name written to the wire exactly as given (no checks)."""

    def __init__(self, wire):
        self.wire = bytes(wire)

    def __repr__(self):
        return "RawName(%r)" % (self.wire,)


def N(text):
    """Name from plain dotted text (no escapes). '.' or '' is the root."""
    if isinstance(text, (tuple, RawName)):
        return text
    if isinstance(text, list):
        return tuple(bytes(x) for x in text)
    text = text.rstrip(".") if text not in (".", "") else ""
    if not text:
        return ()
    return tuple(lab.encode("ascii") for lab in text.split("."))


def name_wire_len(name):
    return sum(1 + len(lab) for lab in name) + 1


# ---------------------------------------------------------------------------
# DNS message building

class Question:
    def __init__(self, name, qtype="A", qclass=CLASS_IN):
        self.name = N(name)
        self.qtype = type_code(qtype)
        self.qclass = qclass


class RR:
    """A resource record.

    rdata is semantic, by type:
      A/AAAA: address text; NS/CNAME/PTR/DNAME: name;
      MX: (pref, name); TXT: list of bytes; SOA: (mname, rname, serial,
      refresh, retry, expire, minimum); SRV: (prio, weight, port, target);
      CAA: (flags, tag bytes, value bytes); anything else: raw bytes.
    raw=bytes overrides the rdata wire (for damage). compress=False writes the
    owner name without pointers.
    """

    def __init__(self, name, rtype, rdata=None, ttl=300, rclass=CLASS_IN,
                 raw=None, compress=None, rdlen=None):
        self.name = N(name)
        self.rtype = type_code(rtype)
        self.rdata = rdata
        self.ttl = ttl
        self.rclass = rclass
        self.raw = raw
        self.compress = compress
        self.rdlen = rdlen  # force a wrong rdlength on the wire

    def __repr__(self):
        return "RR(%r, %d, %r)" % (self.name, self.rtype, self.rdata)


def opt_rr(udp_size=1232, ext_rcode=0, version=0, do=False, options=b""):
    ttl = (ext_rcode << 24) | (version << 16) | (0x8000 if do else 0)
    return RR((), "OPT", options, ttl=ttl, rclass=udp_size)


def tsig_rr(keyname, algorithm="hmac-sha256", time_signed=1700000000,
            fudge=300, mac=b"\x11" * 32, orig_id=0x1234, error=0):
    alg = N(algorithm)
    body = b"".join(bytes([len(lab)]) + lab for lab in alg) + b"\x00"
    body += struct.pack("!HIH", time_signed >> 32, time_signed & 0xFFFFFFFF,
                        fudge)
    body += struct.pack("!H", len(mac)) + mac
    body += struct.pack("!HHH", orig_id, error, 0)
    return RR(keyname, "TSIG", body, ttl=0, rclass=CLASS_ANY)


def tkey_rr(keyname, algorithm="gss-tsig", mode=3, key=b"\x22" * 16):
    alg = N(algorithm)
    body = b"".join(bytes([len(lab)]) + lab for lab in alg) + b"\x00"
    body += struct.pack("!IIHH", 1700000000, 1700086400, mode, 0)
    body += struct.pack("!H", len(key)) + key + struct.pack("!H", 0)
    return RR(keyname, "TKEY", body, ttl=0, rclass=CLASS_ANY)


def sig0_rr(signer, sig=b"\x33" * 64):
    """SIG(0): a SIG record covering type 0, class ANY, in additional."""
    sn = N(signer)
    body = struct.pack("!HBBIIIH", 0, 13, 0, 0, 1700086400, 1700000000, 4242)
    body += b"".join(bytes([len(lab)]) + lab for lab in sn) + b"\x00"
    body += sig
    return RR((), "SIG", body, ttl=0, rclass=CLASS_ANY)


class Layout:
    """Offsets inside an encoded message (for damage patches)."""

    def __init__(self):
        self.questions = []  # offset of each question name
        self.rrs = {s: [] for s in SECTIONS}  # dicts name/type/rdlen/rdata/end


class Encoder:
    def __init__(self, compress=True):
        self.buf = bytearray()
        self.table = {}
        self.compress = compress

    def name(self, name, compress=None):
        if isinstance(name, RawName):
            self.buf += name.wire
            return
        use = self.compress if compress is None else compress
        labels = tuple(name)
        for i in range(len(labels)):
            suffix = labels[i:]
            if use and suffix in self.table:
                self.buf += struct.pack("!H", 0xC000 | self.table[suffix])
                return
            off = len(self.buf)
            if off < 0x3FFF and suffix not in self.table:
                self.table[suffix] = off
            lab = labels[i]
            if len(lab) > 63:
                raise ValueError("label too long; use RawName for damage")
            self.buf.append(len(lab))
            self.buf += lab
        self.buf.append(0)

    def rdata(self, rr):
        t, d = rr.rtype, rr.rdata
        b = self.buf
        if rr.raw is not None:
            b += rr.raw
        elif t == 1:
            b += socket.inet_pton(socket.AF_INET, d)
        elif t == 28:
            b += socket.inet_pton(socket.AF_INET6, d)
        elif t in (2, 5, 12):
            self.name(N(d))
        elif t == 39:  # DNAME: no compression (RFC 6672)
            self.name(N(d), compress=False)
        elif t == 15:
            b += struct.pack("!H", d[0])
            self.name(N(d[1]))
        elif t == 16:
            for s in d:
                b.append(len(s))
                b += s
        elif t == 6:
            self.name(N(d[0]))
            self.name(N(d[1]))
            b += struct.pack("!5I", *d[2:7])
        elif t == 33:  # SRV target never compressed (RFC 2782)
            b += struct.pack("!3H", d[0], d[1], d[2])
            self.name(N(d[3]), compress=False)
        elif t == 257:
            b.append(d[0])
            b.append(len(d[1]))
            b += d[1] + d[2]
        else:
            b += d if d is not None else b""


class Msg:
    """A DNS message. counts=(qd, an, ns, ar) overrides the header counts;
    trailing is appended after the last record; patch(wire, layout) may
    return damaged bytes."""

    def __init__(self, id=0x1234, qr=1, opcode=0, aa=0, tc=0, rd=1, ra=1,
                 ad=0, cd=0, rcode=0, q=None, an=(), ns=(), ar=(),
                 counts=None, trailing=b"", compress=True, patch=None):
        self.id = id
        self.qr, self.opcode, self.aa, self.tc = qr, opcode, aa, tc
        self.rd, self.ra, self.ad, self.cd, self.rcode = rd, ra, ad, cd, rcode
        if q is None:
            q = []
        elif isinstance(q, tuple):
            q = [Question(*q)]
        elif isinstance(q, Question):
            q = [q]
        self.q = list(q)
        self.sections = {SEC_AN: list(an), SEC_NS: list(ns),
                         SEC_AR: list(ar)}
        self.counts = counts
        self.trailing = trailing
        self.compress = compress
        self.patch = patch

    def flags(self):
        return ((self.qr << 15) | (self.opcode << 11) | (self.aa << 10) |
                (self.tc << 9) | (self.rd << 8) | (self.ra << 7) |
                (self.ad << 5) | (self.cd << 4) | self.rcode)

    def encode(self, with_layout=False):
        e = Encoder(self.compress)
        counts = self.counts or (len(self.q), len(self.sections[SEC_AN]),
                                 len(self.sections[SEC_NS]),
                                 len(self.sections[SEC_AR]))
        e.buf += struct.pack("!6H", self.id, self.flags(), *counts)
        lay = Layout()
        for q in self.q:
            lay.questions.append(len(e.buf))
            e.name(q.name)
            e.buf += struct.pack("!HH", q.qtype, q.qclass)
        for sec in SECTIONS:
            for rr in self.sections[sec]:
                ent = {"name": len(e.buf)}
                e.name(rr.name, rr.compress)
                ent["type"] = len(e.buf)
                e.buf += struct.pack("!HHI", rr.rtype, rr.rclass, rr.ttl)
                ent["rdlen"] = len(e.buf)
                e.buf += b"\x00\x00"
                start = len(e.buf)
                ent["rdata"] = start
                e.rdata(rr)
                n = len(e.buf) - start
                if rr.rdlen is not None:
                    n = rr.rdlen
                struct.pack_into("!H", e.buf, start - 2, n)
                ent["end"] = len(e.buf)
                lay.rrs[sec].append(ent)
        lay.end_records = len(e.buf)
        e.buf += self.trailing
        wire = bytes(e.buf)
        if self.patch is not None:
            wire = self.patch(wire, lay)
        return (wire, lay) if with_layout else wire


# ---------------------------------------------------------------------------
# Checksums, IP, UDP, TCP

def inet_csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip_version(addr):
    return 6 if ":" in addr else 4


def ip_bytes(addr):
    return socket.inet_pton(socket.AF_INET6 if ":" in addr else socket.AF_INET,
                            addr)


def pseudo_header(src, dst, proto, length):
    if ip_version(src) == 4:
        return ip_bytes(src) + ip_bytes(dst) + struct.pack("!BBH", 0, proto,
                                                           length)
    return ip_bytes(src) + ip_bytes(dst) + struct.pack("!I3xB", length, proto)


def udp(src, dst, sport, dport, payload, csum="ok"):
    """UDP datagram. csum: 'ok', 'zero' or 'bad'."""
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    if csum == "zero":
        return hdr + payload
    c = inet_csum(pseudo_header(src, dst, 17, length) + hdr + payload)
    if c == 0:
        c = 0xFFFF
    if csum == "bad":
        c = (c + 0x1111) & 0xFFFF or 1
    return hdr[:6] + struct.pack("!H", c) + payload


TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 1, 2, 4, 8, 16


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b"", window=65535,
        options=b""):
    options = options + b"\x00" * (-len(options) % 4)
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, off << 4, flags, window, 0, 0) + options
    c = inet_csum(pseudo_header(src, dst, 6, len(hdr) + len(payload)) + hdr +
                  payload)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload


# IPv4 options
def ipv4_opt_router_alert():
    return b"\x94\x04\x00\x00"


def ipv4_opt_record_route(slots=2):
    return bytes([7, 3 + 4 * slots, 4]) + b"\x00" * (4 * slots)


IPV4_OPT_NOP = b"\x01"


def ipv4(src, dst, proto, payload, ident=0, ttl=64, df=False, mf=False,
         frag_off=0, options=b"", tos=0, total_len=None):
    opts = options + b"\x00" * (-len(options) % 4)
    ihl = 5 + len(opts) // 4
    total = total_len if total_len is not None else ihl * 4 + len(payload)
    fl = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag_off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total, ident, fl, ttl,
                    proto, 0, ip_bytes(src), ip_bytes(dst)) + opts
    return h[:10] + struct.pack("!H", inet_csum(h)) + h[12:] + payload


# IPv6 extension headers: list of (type, data) where data follows the two
# bytes next-header/length; data is padded so the header is 8k octets.
IP6_HBH, IP6_ROUTING, IP6_FRAG, IP6_DSTOPTS = 0, 43, 44, 60


def ip6_hbh_router_alert():
    return (IP6_HBH, b"\x05\x02\x00\x00" + b"\x01\x00")  # RA + PadN(0)


def ip6_dstopts_pad(n=6):
    # PadN option filling the header: total 8 octets by default
    return (IP6_DSTOPTS, b"\x01" + bytes([n - 2]) + b"\x00" * (n - 2))


def ip6_routing_srh(segment="2001:db8::fe"):
    # Segment Routing Header (type 4), segments left 0, one segment.
    return (IP6_ROUTING, bytes([4, 0, 0, 0]) + b"\x00\x00" + ip_bytes(segment))


def _ext_chain(exts, final_nh):
    out = b""
    for i, (typ, data) in enumerate(exts):
        nh = exts[i + 1][0] if i + 1 < len(exts) else final_nh
        if typ == IP6_FRAG:
            out += bytes([nh]) + data  # data is the 7 fixed bytes
            continue
        body = data + b"\x00" * (-(len(data) + 2) % 8)
        if typ in (IP6_HBH, IP6_DSTOPTS) and len(body) > len(data):
            # pad with a PadN option so the options stay well formed
            padn = len(body) - len(data)
            pad = b"\x00" if padn == 1 else bytes([1, padn - 2]) + b"\x00" * (padn - 2)
            body = data + pad
        out += bytes([nh, (len(body) + 2) // 8 - 1]) + body
    return out


def ipv6(src, dst, nh, payload, exts=(), hlim=64, flow=0):
    ext = _ext_chain(list(exts), nh)
    first = exts[0][0] if exts else nh
    hdr = struct.pack("!IHBB", (6 << 28) | flow, len(ext) + len(payload),
                      first, hlim) + ip_bytes(src) + ip_bytes(dst)
    return hdr + ext + payload


def ipv4_fragments(src, dst, proto, l4, pieces, ident=0x4242, ttl=64,
                   options=b""):
    """Fragments of an IPv4 datagram whose payload is l4. pieces is a list of
    (offset, length) in bytes (offsets multiple of 8). MF is set on every
    piece that does not reach the end. Returns IP packets in piece order."""
    out = []
    for off, ln in pieces:
        chunk = l4[off:off + ln]
        mf = off + ln < len(l4)
        out.append(ipv4(src, dst, proto, chunk, ident=ident, ttl=ttl, mf=mf,
                        frag_off=off, options=options if off == 0 else b""))
    return out


def ipv6_fragments(src, dst, nh, l4, pieces, ident=0x12345678,
                   pre_exts=()):
    """Fragments of an IPv6 packet: pre_exts (unfragmentable part, e.g.
    hop-by-hop) then a Fragment header in each piece."""
    out = []
    for off, ln in pieces:
        chunk = l4[off:off + ln]
        m = 1 if off + ln < len(l4) else 0
        frag = (IP6_FRAG, struct.pack("!BHI", 0, (off // 8) << 3 | m, ident))
        out.append(ipv6(src, dst, nh, chunk, exts=list(pre_exts) + [frag]))
    return out


def split_pieces(total, size):
    """(offset, length) pieces of `size` bytes (multiple of 8)."""
    assert size % 8 == 0
    return [(o, min(size, total - o)) for o in range(0, total, size)]


# ---------------------------------------------------------------------------
# Link layers

ETH_IP4, ETH_IP6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8


class Link:
    """Wraps IP packets into frames of one link type.

    linktype: 1 Ethernet (vlans=[(tpid, tci), ...], fcs=True adds a 4-byte
    FCS trailer), 113 SLL, 276 SLL2, 12/14/101/228/229 raw, 0 NULL (AF in
    the writer's byte order `endian` '<' or '>'), 108 LOOP (network order).
    af6 is the AF value for IPv6 on NULL/LOOP (24, 28 or 30).
    """

    def __init__(self, linktype, vlans=(), fcs=False, endian="<", af6=24,
                 eth_src=b"\x02\x00\x00\x00\x00\x53",
                 eth_dst=b"\x02\x00\x00\x00\x00\x01", sll_pkttype=0):
        self.linktype = linktype
        self.vlans = list(vlans)
        self.fcs = fcs
        self.endian = endian
        self.af6 = af6
        self.eth_src, self.eth_dst = eth_src, eth_dst
        self.sll_pkttype = sll_pkttype

    def wrap(self, ip):
        v = ip[0] >> 4
        et = ETH_IP4 if v == 4 else ETH_IP6
        lt = self.linktype
        if lt == 1:
            f = self.eth_dst + self.eth_src
            for tpid, tci in self.vlans:
                f += struct.pack("!HH", tpid, tci)
            f += struct.pack("!H", et) + ip
            if self.fcs:
                f += struct.pack("<I", zlib.crc32(f) & 0xFFFFFFFF)
            return f
        if lt == 113:
            return struct.pack("!HHH", self.sll_pkttype, 1, 6) + \
                self.eth_src + b"\x00\x00" + struct.pack("!H", et) + ip
        if lt == 276:
            return struct.pack("!HHIHBB", et, 0, 2, 1, self.sll_pkttype, 6) + \
                self.eth_src + b"\x00\x00" + ip
        if lt in (12, 14, 101, 228, 229):
            return ip
        if lt == 0:
            return struct.pack(self.endian + "I", 2 if v == 4 else self.af6) + ip
        if lt == 108:
            return struct.pack(">I", 2 if v == 4 else self.af6) + ip
        raise ValueError("link type %d" % lt)


# ---------------------------------------------------------------------------
# Capture file writers (timestamps are integer nanoseconds since the epoch)

class PcapWriter:
    def __init__(self, linktype, nano=False, big_endian=False,
                 snaplen=262144):
        self.e = ">" if big_endian else "<"
        self.nano = nano
        self.linktype = linktype
        magic = 0xA1B23C4D if nano else 0xA1B2C3D4
        self.parts = [struct.pack(self.e + "IHHiIII", magic, 2, 4, 0, 0,
                                  snaplen, linktype)]
        self.count = 0

    def packet(self, ts_ns, data, orig_len=None, caplen=None):
        """caplen < len(data) truncates what is saved (orig_len defaults to
        the full length)."""
        if orig_len is None:
            orig_len = len(data)
        if caplen is not None:
            data = data[:caplen]
        sec, frac = divmod(ts_ns, 10 ** 9)
        if not self.nano:
            frac //= 1000
        self.parts.append(struct.pack(self.e + "IIII", sec, frac, len(data),
                                      orig_len) + data)
        self.count += 1

    def getvalue(self):
        return b"".join(self.parts)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.getvalue())


def _pad4(b):
    return b + b"\x00" * (-len(b) % 4)


class PcapngWriter:
    """One section; interfaces added with interface() before their packets.

    tsresol: None (no option: 10^-6), ('dec', n) for 10^-n, ('bin', n) for
    2^-n.
    """

    def __init__(self, big_endian=False, shb_options=None):
        self.e = ">" if big_endian else "<"
        self.parts = []
        self.ifaces = []
        opts = [(4, b"pdns-sensor tests/gen")]  # shb_userappl
        if shb_options:
            opts += shb_options
        body = struct.pack(self.e + "IHHq", 0x1A2B3C4D, 1, 0, -1) + \
            self._opts(opts)
        self._block(0x0A0D0D0A, body)
        self.count = 0

    def _opts(self, opts):
        if not opts:
            return b""
        out = b""
        for code, val in opts:
            out += struct.pack(self.e + "HH", code, len(val)) + _pad4(val)
        return out + struct.pack(self.e + "HH", 0, 0)

    def _block(self, btype, body):
        body = _pad4(body)
        n = 12 + len(body)
        self.parts.append(struct.pack(self.e + "II", btype, n) + body +
                          struct.pack(self.e + "I", n))

    def interface(self, linktype, tsresol=None, snaplen=262144, name=None,
                  fcslen=None):
        opts = []
        if name:
            opts.append((2, name.encode()))
        if tsresol is not None:
            kind, n = tsresol
            opts.append((9, bytes([n if kind == "dec" else 0x80 | n])))
        if fcslen is not None:
            opts.append((13, bytes([fcslen])))
        body = struct.pack(self.e + "HHI", linktype, 0, snaplen) + \
            self._opts(opts)
        self._block(1, body)
        self.ifaces.append(tsresol)
        return len(self.ifaces) - 1

    def _units(self, ifid, ts_ns):
        r = self.ifaces[ifid]
        if r is None:
            return ts_ns // 1000
        kind, n = r
        if kind == "dec":
            return ts_ns * 10 ** n // 10 ** 9
        return ts_ns * (1 << n) // 10 ** 9

    def packet(self, ifid, ts_ns, data, orig_len=None, caplen=None,
               comment=None):
        if orig_len is None:
            orig_len = len(data)
        if caplen is not None:
            data = data[:caplen]
        u = self._units(ifid, ts_ns)
        body = struct.pack(self.e + "IIIII", ifid, u >> 32, u & 0xFFFFFFFF,
                           len(data), orig_len) + _pad4(data)
        if comment:
            body += self._opts([(1, comment.encode())])
        self._block(6, body)
        self.count += 1

    def stats(self, ifid, ts_ns, received=0, dropped=0):
        """Interface Statistics Block (a non-packet block to skip)."""
        u = self._units(ifid, ts_ns)
        opts = [(4, struct.pack(self.e + "Q", received)),
                (5, struct.pack(self.e + "Q", dropped))]
        self._block(5, struct.pack(self.e + "III", ifid, u >> 32,
                                   u & 0xFFFFFFFF) + self._opts(opts))

    def name_resolution(self, entries):
        """Name Resolution Block: entries [(ipv4 text, name)]."""
        body = b""
        for addr, name in entries:
            v = ip_bytes(addr) + name.encode() + b"\x00"
            body += struct.pack(self.e + "HH", 1 if ":" not in addr else 2,
                                len(v)) + _pad4(v)
        body += struct.pack(self.e + "HH", 0, 0)
        self._block(4, body)

    def getvalue(self):
        return b"".join(self.parts)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(self.getvalue())


class Output:
    """Where frames go: a writer (and interface id for pcapng) plus a Link."""

    def __init__(self, writer, link, ifid=None):
        self.writer = writer
        self.link = link
        self.ifid = ifid

    def emit(self, ts_ns, ip, caplen_cut=None):
        """Write one frame carrying the IP packet ip. caplen_cut: save only
        the first len(frame)-caplen_cut bytes (snap length damage)."""
        frame = self.link.wrap(ip)
        caplen = None if caplen_cut is None else len(frame) - caplen_cut
        if self.ifid is None:
            self.writer.packet(ts_ns, frame, caplen=caplen)
        else:
            self.writer.packet(self.ifid, ts_ns, frame, caplen=caplen)
