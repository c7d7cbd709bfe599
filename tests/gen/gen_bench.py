#!/usr/bin/python3
"""gen_bench.py --responses N --out FILE [--seed S] [--zipf-s 1.1]
             [--universe U] [--rate R]

Writes a classic pcap (Ethernet / IPv4 / UDP, microsecond, little-endian)
of N DNS responses only (no queries). Names are drawn with Zipf-like
popularity (exponent s, default 1.1) over a universe of max(N/4, 1000)
names; each name has a fixed set of 1-3 answer records (A, AAAA or CNAME +
A), and an EDNS OPT record in additional, as real responses do. A tenth of
the CNAME names rotate between two addresses (two packet variants).

Speed: each (name, variant) frame is built once, the first time it is
drawn; every packet after that only gets a new DNS ID and timestamp.

Prints on stdout: responses written, records, distinct (rrname, rrtype,
rdata) keys and the share keys / records. Every record is in the answer
section, so the sensor should print exactly `keys` observations whose
counts sum to `records`.
"""

import argparse
import itertools
import random
import struct
import sys
import time

SYL = ["ka", "lo", "mi", "ne", "ra", "to", "shi", "vu", "pe", "do", "fa",
       "gri", "zen", "bar", "qui", "mon", "tel", "sta", "ix", "or", "an",
       "web", "net", "cloud", "app", "data", "shop", "news", "mail", "cdn"]
TLD = [b"com", b"com", b"com", b"net", b"org", b"de", b"io", b"uk", b"fr",
       b"example", b"info", b"nl"]
HOSTS = [b"www", b"www", b"www", b"api", b"cdn", b"img", b"static", b"m",
         b"login", b"mail", b"ads", b"edge", b"", b""]
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"

ETH = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x53\x08\x00"
RESOLVERS = [bytes([192, 0, 2, 53]), bytes([192, 0, 2, 54]),
             bytes([198, 51, 100, 10])]
OPT = b"\x00\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00"  # 1232, no options
FLAGS = b"\x81\x80"  # QR RD RA, NOERROR


def mix(i, seed):
    """A cheap 64-bit hash of a name index."""
    x = (i * 0x9E3779B97F4A7C15 + seed * 0xBF58476D1CE4E5B9) & (2 ** 64 - 1)
    x ^= x >> 31
    x = (x * 0x94D049BB133111EB) & (2 ** 64 - 1)
    return x ^ (x >> 29)


def b36(i):
    s = ""
    while True:
        i, r = divmod(i, 36)
        s = B36[r] + s
        if not i:
            return s


def name_labels(i, h):
    word = SYL[h % 30] + SYL[(h >> 5) % 30]
    if (h >> 10) % 3 == 0:
        word += SYL[(h >> 12) % 30]
    labels = []
    host = HOSTS[(h >> 17) % len(HOSTS)]
    if host:
        labels.append(host)
    labels.append((word + b36(i)).encode())
    labels.append(TLD[(h >> 21) % len(TLD)])
    return labels


def wire(labels):
    return b"".join(bytes([len(x)]) + x for x in labels) + b"\x00"


def text(labels):
    return b".".join(labels).decode()


def csum(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def build(i, variant, seed):
    """(frame bytes before the DNS ID, frame bytes after it, record keys).
    Compression as servers do it: owners point at the question, the A
    records of a CNAME target point at the target in the CNAME rdata."""
    h = mix(i, seed)
    labels = name_labels(i, h)
    qn = wire(labels)
    kind = (h >> 25) % 100
    ttl = struct.pack("!I", (60, 300, 3600, 86400)[(h >> 32) % 4])
    ans = []
    keys = []
    owner = text(labels)

    def a_addr(k):
        x = mix(i * 8 + k, seed + 1)
        return bytes([(x >> 8) % 223 + 1, (x >> 16) & 255, (x >> 24) & 255,
                      (x >> 32) % 254 + 1])

    def aaaa_addr(k):
        x = mix(i * 8 + k, seed + 2)
        return b"\x20\x01\x0d\xb8" + struct.pack("!HHHHI", x & 0xFFFF,
                                                  (x >> 16) & 0xFFFF, 0, 0,
                                                  (x >> 32) & 0xFFFF)

    if kind < 65:  # A, one or two (50% + 15%)
        qtype = 1
        for k in range(1 if kind < 50 else 2):
            ad = a_addr(k)
            ans.append(b"\xc0\x0c\x00\x01\x00\x01" + ttl + b"\x00\x04" + ad)
            keys.append((owner, "A", ".".join(map(str, ad))))
    elif kind < 80:  # AAAA, one or two
        qtype = 28
        for k in range(1 if kind < 75 else 2):
            ad = aaaa_addr(k)
            assert len(ad) == 16
            ans.append(b"\xc0\x0c\x00\x1c\x00\x01" + ttl + b"\x00\x10" + ad)
            keys.append((owner, "AAAA", ad.hex()))
    else:  # CNAME to a CDN edge, then one or two A
        qtype = 1
        edge = [b"e" + b36(h % 9973).encode(), b"cdn" + b36(h % 7).encode(),
                b"net"]
        tw = wire(edge)
        ans.append(b"\xc0\x0c\x00\x05\x00\x01" + ttl +
                   struct.pack("!H", len(tw)) + tw)
        keys.append((owner, "CNAME", text(edge)))
        # the target starts after header(12) + question + this RR's 12 bytes
        tptr = struct.pack("!H", 0xC000 | (12 + len(qn) + 4 + 12))
        rot = 1 if kind >= 90 else 0
        for k in range(1 if kind < 95 else 2):
            ad = a_addr(k + 2 * variant * rot)
            ans.append(tptr + b"\x00\x01\x00\x01\x00\x00\x00\x14\x00\x04" + ad)
            keys.append((text(edge), "A", ".".join(map(str, ad))))
    dns_rest = FLAGS + struct.pack("!HHHH", 1, len(ans), 0, 1) + qn + \
        struct.pack("!HH", qtype, 1) + b"".join(ans) + OPT
    dlen = 2 + len(dns_rest)
    src = bytes([203, 0, 113, h % 250 + 1])
    dst = RESOLVERS[(h >> 40) % len(RESOLVERS)]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + dlen, 0, 0x4000, 57,
                     17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    udph = struct.pack("!HHHH", 53, 1024 + h % 60000, 8 + dlen, 0)
    return ETH + ip + udph, dns_rest, keys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--responses", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--zipf-s", type=float, default=1.1)
    ap.add_argument("--universe", type=int, default=0,
                    help="number of names (default max(N/4, 1000))")
    ap.add_argument("--rate", type=float, default=20000.0,
                    help="mean responses per second of capture time")
    a = ap.parse_args()
    n = a.responses
    u = a.universe or max(n // 4, 1000)
    t0 = time.time()
    rng = random.Random(a.seed)
    cum = list(itertools.accumulate(1.0 / (r ** a.zipf_s)
                                    for r in range(1, u + 1)))
    idx = range(u)
    ids = [struct.pack("!H", k) for k in range(65536)]
    rng.shuffle(ids)  # DNS IDs in a random order, cycled
    # inter-arrival times in microseconds, cycled (mean 1e6/rate)
    mean = 1e6 / a.rate
    gaps = [int(rng.expovariate(1.0 / mean)) for _ in range(4099)]
    templates = {}
    keyset = set()
    uses = {}
    ts = 1700000000 * 1000000
    records = 0
    pack = struct.Struct("<IIII").pack
    with open(a.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        done = 0
        gi = 0
        while done < n:
            batch = min(100000, n - done)
            picks = rng.choices(idx, cum_weights=cum, k=batch)
            vbytes = rng.randbytes(batch)
            parts = []
            app = parts.append
            for j, i in enumerate(picks):
                key = (i << 1) | (vbytes[j] & 1)
                tpl = templates.get(key)
                if tpl is None:
                    pre, post, keys = build(i, key & 1, a.seed)
                    keyset.update(keys)
                    tpl = (pre, post, 2 + len(pre) + len(post), len(keys))
                    templates[key] = tpl
                ts += gaps[gi]
                gi = gi + 1 if gi < 4098 else 0
                sec, usec = divmod(ts, 1000000)
                app(pack(sec, usec, tpl[2], tpl[2]))
                app(tpl[0])
                app(ids[(done + j) & 0xFFFF])
                app(tpl[1])
                records += tpl[3]
            f.write(b"".join(parts))
            done += batch
    keys = len(keyset)
    print("responses written: %d" % n)
    print("records: %d" % records)
    print("distinct (rrname,rrtype,rdata) keys: %d" % keys)
    print("share of distinct keys (keys/records): %.6f" %
          (keys / records if records else 0.0))
    print("gen_bench: %s, %d names in the universe, %d frames built, "
          "%.1f s" % (a.out, u, len(templates), time.time() - t0),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
