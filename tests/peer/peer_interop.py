#!/usr/bin/python3
"""An independent peer protocol implementation, written from
doc/peer-protocol.md alone with python3-msgpack, checked against the C
codec (tests/peer/peer_codec.c) in both directions.

1. The document's examples: this decoder reads each example block to the
   values the text gives, this encoder writes exactly the block's bytes,
   and every "refused" block is refused.
2. Python -> C: random valid messages of every type (packed by msgpack, and
   again in the widest msgpack formats) must decode in C to the same
   canonical text; messages that break a rule of the document must be
   refused by both.
3. C -> Python: `peer_codec gen` messages must decode here to C's text, and
   re-encode here to C's bytes.

Canonical text (the tests' own, not part of the protocol; as
tests/peer/peer_test.h): the type name, ` name=value` per scalar field in
layout order, then ` rows=N` and ` | f1 f2 ...` per row; integers decimal,
bools true/false, bin and str as `h:` + hex, nil as `nil`.

Exit 0 when all agree, 1 on a difference, 77 (skipped) without
python3-msgpack. Usage: peer_interop.py --codec PATH --doc PATH [--seed N]
"""
import argparse
import hashlib
import hmac
import random
import re
import struct
import subprocess
import sys

try:
    import msgpack
except ImportError:
    print("peer_interop: python3-msgpack is missing; skipped", file=sys.stderr)
    sys.exit(77)

# ---- the document's constants (section 7, Limits) ----

VERSION = 1
MSG_MAX = 4 * 1024 * 1024
ROWS_MAX = 10000
ORIGIN_MAX = 32
RDATA_MAX = 4 * 65536 + 1024
TEXT_MAX = 1024
QUERY_MAX = 2048
HOPS_MAX = 8
DEADLINE_MAX = 600000
GROUP_MAX = 63
TLP_MAX = 4
SENSOR_MAX = 16
COMMAND_MAX = 32
REPORT_MAX = 1024 * 1024
U8, U16, U32, U64 = 2**8 - 1, 2**16 - 1, 2**32 - 1, 2**64 - 1
TIME_MAX = 2**63 - 1

# Section 5: per type, the fields after version and type: (name, kind).
# Kinds: uN (integer range), bool, origin (bin 1..32), query (bin 1..2048),
# text (str 0..1024), group (str 1..63, a group name), group0 (the same or
# empty), tlp (integer 0..4), tlp_nil (the same or nil), pseudonym (bin
# 0..16), command (str 1..32), report (str 0..1 MiB), rows8 / rows9.
LAYOUT = {
    1: ("OBS_BATCH", [("origin", "origin"), ("stream", U64), ("seq", U64), ("rows", "rows8"),
                      ("group", "group0"), ("tlp", "tlp_nil"), ("sensor", "pseudonym")]),
    2: ("ACK", [("origin", "origin"), ("stream", U64), ("seq", U64)]),
    3: ("QUERY", [("query_id", U64), ("hop_limit", U8), ("deadline_ms", U32), ("query", "query"),
                  ("providers", "providers"), ("prov_flags", U8)]),
    4: ("QUERY_RESULT", [("query_id", U64), ("part", U32), ("final", "bool"), ("status", U8),
                         ("limited", "bool"), ("rows", "rows9"), ("sources", "sources")]),
    5: ("REPLAY_REQ", [("origin", "origin"), ("stream", U64), ("from_seq", U64), ("group", "group")]),
    6: ("REPLAY_END", [("origin", "origin"), ("stream", U64), ("last_seq", U64), ("group", "group")]),
    7: ("SNAPSHOT_BEGIN", [("origin", "origin"), ("snapshot_id", U64), ("stream", U64), ("seq", U64),
                           ("group", "group"), ("tlp", "tlp")]),
    8: ("SNAPSHOT_ROWS", [("origin", "origin"), ("snapshot_id", U64), ("part", U32), ("rows", "rows8")]),
    9: ("SNAPSHOT_END", [("origin", "origin"), ("snapshot_id", U64), ("parts", U32), ("total_rows", U64)]),
    10: ("ERROR", [("code", U16), ("ref", U64), ("text", "text")]),
    11: ("CONTROL", [("request_id", U64), ("command", "command"), ("argument", "text")]),
    12: ("CONTROL_RESULT", [("request_id", U64), ("ok", "bool"), ("report", "report")]),
}
ROWS_KINDS = ("rows8", "rows9")
# Trailing elements a sender may leave out: QUERY_RESULT's sources (5.4.1),
# QUERY's providers and prov_flags (5.3.2, both or neither).
OPTIONAL = {3: 2, 4: 1}
OPT_NAMES = ("sources", "providers", "prov_flags")
PROVIDERS_MAX = 16
PROV_NO_CACHE = 1
SOURCES_MAX = 64
REASON_MAX = 255
SRC_STATUS_MAX = 4
TYPES = {name: code for code, (name, _) in LAYOUT.items()}


class Refused(Exception):
    pass


def need(cond, why):
    if not cond:
        raise Refused(why)


def is_int(v):
    return type(v) is int  # bool is an int in Python: excluded


# ---- section 2: names and printable text ----

def check_name(b):
    """A lowercased uncompressed wire name exactly filling b."""
    need(type(b) is bytes and 1 <= len(b) <= 255, "name length")
    i = 0
    while True:
        need(i < len(b), "name without root label")
        n = b[i]
        if n == 0:
            need(i + 1 == len(b), "bytes after the root label")
            break
        need(n <= 63, "label type or length")
        need(i + 1 + n < len(b), "label past the end")
        i += 1 + n
    need(not any(0x41 <= c <= 0x5A for c in b), "uppercase in a name")


def is_subdomain(name, zone):
    i = 0
    while True:
        if name[i:] == zone:
            return True
        if name[i] == 0:
            return False
        i += 1 + name[i]


def printable(s, ws=""):
    return all(0x20 <= ord(c) <= 0x7E or c in ws for c in s)


GROUP_FIRST = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
GROUP_CHARS = GROUP_FIRST | set("._-")
COMMAND_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


def group_ok(g, empty_ok):
    """A group name: letters, digits, '.', '_', '-', first a letter or digit."""
    if type(g) is not str or len(g.encode()) > GROUP_MAX:
        return False
    if g == "":
        return empty_ok
    return g[0] in GROUP_FIRST and all(c in GROUP_CHARS for c in g)


def pseudonym(secret, name):
    """Section 3.4: the first 8 octets of HMAC-SHA256(secret, name)."""
    return hmac.new(secret, name, hashlib.sha256).digest()[:8]


# ---- section 5.3.1: the query value ----

def check_query(q):
    need(type(q) is bytes and 1 <= len(q) <= QUERY_MAX, "query length")
    pos = 0

    def take(n):
        nonlocal pos
        need(pos + n <= len(q), "query truncated")
        pos += n
        return q[pos - n:pos]

    def labels_ok(p, root):
        if len(p) == 0 or len(p) > 255:
            return False
        i = 0
        while i < len(p):
            n = p[i]
            i += 1
            if n == 0:
                return root and i == len(p)
            if n > 63 or n > len(p) - i:
                return False
            i += n
        return not root and len(p) < 255

    need(take(1)[0] == 1, "query version")
    kind, match, nlen = take(3)
    name = take(nlen)
    family = take(1)[0]
    alen = {4: 4, 6: 16}.get(family, 0)
    lo, hi = take(alen), take(alen)
    raw_len = struct.unpack(">H", take(2))[0]
    need(raw_len <= 1024, "raw length")
    take(raw_len)
    ntypes = take(1)[0]
    need(ntypes <= 8, "types")
    types = [struct.unpack(">H", take(2))[0] for _ in range(ntypes)]
    blen = take(1)[0]
    bailiwick = take(blen)
    fences = take(1)[0]
    for bit in range(4):
        if fences & (1 << bit):
            take(8)
    sections = take(1)[0]
    take(16)
    need(pos == len(q), "query trailing bytes")
    need(1 <= kind <= 5 and match <= 2 and fences <= 15 and sections & ~0x0E == 0, "query fields")
    if kind in (1, 2, 5):
        need(labels_ok(name, match != 2), "query name")
    else:
        need(match == 0 and nlen == 0, "query name for a kind without one")
    if kind == 3:
        need(alen != 0 and lo <= hi, "query address range")
    else:
        need(family == 0, "query family")
    need(kind == 4 or raw_len == 0, "query raw")
    need(all(t != 0 and not (t == 255 and ntypes > 1) for t in types), "query types")
    need(blen == 0 or labels_ok(bailiwick, True), "query bailiwick")


# ---- the decoder (section 6) ----

def check_row(r, with_origin):
    name, rrtype, rdata, section, tf, tl, count, bw = r[:8]
    need(type(name) is bytes, "rrname not bin")
    need(is_int(rrtype) and 1 <= rrtype <= U16, "rrtype")
    need(type(rdata) is str and len(rdata.encode()) <= RDATA_MAX, "rdata")
    need(printable(rdata), "rdata not printable")
    need(is_int(section) and 1 <= section <= 4, "section")
    need(is_int(tf) and 0 <= tf <= TIME_MAX, "time_first")
    need(is_int(tl) and tf <= tl <= TIME_MAX, "time_last")
    need(is_int(count) and (0 if with_origin else 1) <= count <= U64, "count")
    need(bw is None or type(bw) is bytes, "bailiwick not bin or nil")
    check_name(name)
    need((len(rdata) == 0) == (section == 4), "empty rdata exactly in section 4")
    if bw is not None:
        check_name(bw)
        need(section != 4, "bailiwick in section 4")
        need(is_subdomain(name, bw), "rrname not below bailiwick")
    if with_origin:
        need(type(r[8]) is bytes and 1 <= len(r[8]) <= ORIGIN_MAX, "row origin")


def decode(data):
    """bytes -> (type, {field: value}); raises Refused."""
    need(len(data) <= MSG_MAX, "message too large")
    try:
        m = msgpack.unpackb(data, raw=False, use_list=True, strict_map_key=False)
    except Exception as e:  # truncated, extra data, bad UTF-8, limits
        raise Refused("msgpack: %s" % type(e).__name__)
    need(type(m) is list and len(m) >= 1, "not an array")
    need(is_int(m[0]) and m[0] == VERSION, "unknown version")
    need(len(m) >= 2 and is_int(m[1]) and m[1] in LAYOUT, "type")
    name, fields = LAYOUT[m[1]]
    need(2 + len(fields) - OPTIONAL.get(m[1], 0) <= len(m) <= 2 + len(fields), "element count")
    need(m[1] != 3 or len(m) != 7, "providers without prov_flags")
    out = {}
    for (fname, kind), v in zip(fields, m[2:]):
        if isinstance(kind, int):
            need(is_int(v) and 0 <= v <= kind, fname)
        elif kind == "bool":
            need(type(v) is bool, fname)
        elif kind == "origin":
            need(type(v) is bytes and 1 <= len(v) <= ORIGIN_MAX, fname)
        elif kind == "query":
            check_query(v)
        elif kind == "text":
            need(type(v) is str and len(v.encode()) <= TEXT_MAX and printable(v), fname)
        elif kind in ("group", "group0"):
            need(group_ok(v, kind == "group0"), fname)
        elif kind in ("tlp", "tlp_nil"):
            need((v is None and kind == "tlp_nil") or (is_int(v) and 0 <= v <= TLP_MAX), fname)
        elif kind == "pseudonym":
            need(type(v) is bytes and len(v) <= SENSOR_MAX, fname)
        elif kind == "command":
            need(type(v) is str and 1 <= len(v) <= COMMAND_MAX and
                 all(c in COMMAND_CHARS for c in v), fname)
        elif kind == "report":
            need(type(v) is str and len(v.encode()) <= REPORT_MAX and printable(v, "\n\t"), fname)
        elif kind == "providers":
            need(type(v) is list and len(v) <= PROVIDERS_MAX, "providers")
            for nm in v:
                need(type(nm) is str and 1 <= len(nm.encode()) <= ORIGIN_MAX and printable(nm),
                     "provider")
        elif kind == "sources":
            need(type(v) is list and len(v) % 4 == 0 and len(v) // 4 <= SOURCES_MAX, "sources")
            v = [v[i:i + 4] for i in range(0, len(v), 4)]
            for nm, st, n, why in v:
                need(type(nm) is str and 1 <= len(nm.encode()) <= ORIGIN_MAX and printable(nm),
                     "source name")
                need(is_int(st) and st <= SRC_STATUS_MAX, "source status")
                need(is_int(n) and 0 <= n <= U32, "source rows")
                need(type(why) is str and len(why.encode()) <= REASON_MAX and printable(why),
                     "source reason")
        else:
            k = 9 if kind == "rows9" else 8
            need(type(v) is list and len(v) % k == 0 and len(v) // k <= ROWS_MAX, "rows")
            v = [v[i:i + k] for i in range(0, len(v), k)]
            for r in v:
                check_row(r, k == 9)
        out[fname] = v
    t = m[1]
    if t == 1:
        need(out["stream"] >= 1 and out["seq"] >= 1, "stream or seq 0")
        need((out["group"] == "") == (out["tlp"] is None), "group empty exactly when tlp nil")
    elif t in (2, 6):
        need(out["stream"] >= 1, "stream 0")
    elif t == 5:
        need(out["from_seq"] >= 1, "from_seq 0")
    elif t == 3:
        need(out["query_id"] >= 1 and out["hop_limit"] <= HOPS_MAX, "query id or hops")
        need(1 <= out["deadline_ms"] <= DEADLINE_MAX, "deadline")
        need(out.get("prov_flags", 0) & ~PROV_NO_CACHE == 0, "unknown provider flag")
    elif t == 4:
        need(out["query_id"] >= 1 and out["status"] <= 5, "query id or status")
        need(out["final"] or (out["status"] == 0 and not out["limited"]), "not final")
        need(out["final"] or "sources" not in out, "sources on a part that is not final")
    elif t == 7:
        need(out["snapshot_id"] >= 1 and out["stream"] >= 1, "snapshot id or stream")
    elif t == 8:
        need(out["snapshot_id"] >= 1, "snapshot id")
    elif t == 9:
        need(out["snapshot_id"] >= 1, "snapshot id")
        need(out["total_rows"] <= out["parts"] * ROWS_MAX, "total rows")
    elif t == 10:
        need(out["code"] >= 1, "code 0")
    elif t in (11, 12):
        need(out["request_id"] >= 1, "request id 0")
    return t, out


def encode(t, vals):
    """(type, {field: value}) -> bytes; rows as lists of 8 or 9 fields."""
    m = [VERSION, t]
    for fname, kind in LAYOUT[t][1]:
        if fname in OPT_NAMES and fname not in vals:
            continue  # the optional element left out
        v = vals[fname]
        if kind in ROWS_KINDS or kind == "sources":
            v = [f for r in v for f in r]
        m.append(v)
    return msgpack.packb(m, use_bin_type=True)


def text(t, vals):
    def val(v):
        if v is None:
            return "nil"
        if type(v) is bool:
            return "true" if v else "false"
        if type(v) is bytes:
            return "h:" + v.hex()
        if type(v) is str:
            return "h:" + v.encode().hex()
        return str(v)

    name, fields = LAYOUT[t]
    out = [name]
    rows = None
    for fname, kind in fields:
        if kind in ROWS_KINDS:
            rows = vals[fname]
        elif kind == "providers" and fname in vals:
            out.append("providers=%d" % len(vals[fname]) +
                       "".join(" | " + val(nm) for nm in vals[fname]))
        elif fname == "prov_flags" and fname in vals:
            out.append("prov_flags=%s" % val(vals[fname]))
        elif fname not in OPT_NAMES:
            out.append("%s=%s" % (fname, val(vals[fname])))
    s = " ".join(out)
    if rows is not None:
        s += " rows=%d" % len(rows)
        for r in rows:
            s += " | " + " ".join(val(f) for f in r)
    if "sources" in vals:
        s += " sources=%d" % len(vals["sources"])
        for r in vals["sources"]:
            s += " | " + " ".join(val(f) for f in r)
    return s


# ---- 1. the document ----

def wire(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def doc_examples():
    """The values section 5 gives for each example, from its prose."""
    stream = 0x7A3C19E2B4D05F81
    www, ex = wire("www.example.com"), wire("example.com")
    qid = 0x0F1E2D3C4B5A6978
    group = "first-amber"
    # Section 3.4: sensor-1's pseudonym with the secret 00 01 .. 1f.
    sensor = pseudonym(bytes(range(32)), b"sensor-1")
    www_row = [www, 1, "192.0.2.1", 1, 1700000000, 1700000042, 3, ex]
    query = (bytes([1, 1, 0, 17]) + www + bytes([0]) + struct.pack(">H", 0) + bytes([1]) +
             struct.pack(">H", 1) + bytes([0, 0, 0x02]) + struct.pack(">QQ", 100, 0))
    result_row = [www, 1, "192.0.2.1", 1, 1690000000, 1700000042, 1237, ex]
    return {
        "obs_batch": (1, {"origin": b"node-a", "stream": stream, "seq": 42, "rows": [
            www_row,
            [ex, 2, "ns1.example.com", 2, 1700000000, 1700000000, 1, wire("com")],
            [wire("nx.example.com"), 1, "", 4, 1700000100, 1700000100, 1, None]],
            "group": group, "tlp": 2, "sensor": sensor}),
        "obs_batch_sensor": (1, {"origin": b"sensor-1", "stream": 0xC0FFEE01, "seq": 42,
                                 "rows": [www_row], "group": "", "tlp": None, "sensor": b""}),
        "ack": (2, {"origin": b"sensor-1", "stream": 0xC0FFEE01, "seq": 42}),
        "query": (3, {"query_id": qid, "hop_limit": 2, "deadline_ms": 5000, "query": query}),
        "query_providers": (3, {"query_id": qid, "hop_limit": 0, "deadline_ms": 5000,
                                "query": query, "providers": ["dnsdb", "circl"],
                                "prov_flags": PROV_NO_CACHE}),
        "query_result": (4, {"query_id": qid, "part": 0, "final": True, "status": 0,
                             "limited": False, "rows": [result_row + [b"node-a"]]}),
        "query_result_sources": (4, {"query_id": qid, "part": 1, "final": True, "status": 1,
                                     "limited": False, "rows": [],
                                     "sources": [["node-a", 0, 1, ""],
                                                 ["node-b", 3, 0, "no answer in 4 s"]]}),
        "replay_req": (5, {"origin": b"node-a", "stream": stream, "from_seq": 40, "group": group}),
        "replay_end": (6, {"origin": b"node-a", "stream": stream, "last_seq": 42, "group": group}),
        "snapshot_begin": (7, {"origin": b"node-a", "snapshot_id": 7, "stream": stream, "seq": 42,
                               "group": group, "tlp": 2}),
        "snapshot_rows": (8, {"origin": b"node-a", "snapshot_id": 7, "part": 0, "rows": [result_row]}),
        "snapshot_end": (9, {"origin": b"node-a", "snapshot_id": 7, "parts": 1, "total_rows": 1}),
        "error": (10, {"code": 2, "ref": 0, "text": "unknown protocol version 2; this node speaks 1"}),
        "control": (11, {"request_id": 12345, "command": "peers", "argument": ""}),
        "control_result": (12, {"request_id": 12345, "ok": True,
                                "report": "node-b\tup\tseq 42\nnode-c\tdown\tsince 1700000000\n"}),
    }


def check_doc(path, fail):
    doc = open(path, encoding="utf-8").read()
    blocks = dict(re.findall(r"\n```hex ([^\n]+)\n(.*?)\n```", doc, re.S))
    blocks = {k: bytes.fromhex(v.replace("\n", " ")) for k, v in blocks.items()}
    texts = dict(re.findall(r"\n```hex ([a-z_]+)\n.*?\n```\n\n    ([^\n]+)\n", doc, re.S))
    if "9f 98 69 e2 e9 0b 78 04" not in doc or pseudonym(bytes(range(32)), b"sensor-1").hex() != "9f9869e2e90b7804":
        fail("document: section 3.4's pseudonym example is not HMAC-SHA256's")
    n = 0
    for name, (t, vals) in doc_examples().items():
        if name not in blocks:
            fail("document: no example %s" % name)
            continue
        b = blocks[name]
        try:
            got = decode(b)
        except Refused as e:
            fail("document: example %s refused here: %s" % (name, e))
            continue
        if got != (t, vals):
            fail("document: example %s decodes to %r, the text says %r" % (name, got, vals))
        if encode(t, vals) != b:
            fail("document: example %s: this encoder writes %s" % (name, encode(t, vals).hex()))
        if texts.get(name) != text(t, vals):
            fail("document: example %s: canonical text differs" % name)
        n += 1
    refused = [k for k in blocks if k.startswith("refused:")]
    for k in refused:
        try:
            decode(blocks[k])
            fail("document: %s is accepted here" % k)
        except Refused:
            n += 1
    if len(refused) < 10:
        fail("document: only %d refused examples" % len(refused))
    return n


# ---- 2. random messages (Python side) ----

def rnd_int(rng, lo, hi):
    top = rng.choice([0x7F, 0xFF, 0xFFFF, 0xFFFFFFFF, U64])
    top = min(top, hi)
    if top < lo:
        return lo
    if rng.randrange(8) == 0:
        return top
    return rng.randint(lo, top)


def rnd_name(rng):
    out = b""
    for _ in range(rng.randrange(6) if rng.randrange(20) else 127):
        n = rng.randint(1, 63 if rng.randrange(4) == 0 else 10)
        if len(out) + 1 + n + 1 > 255:
            break
        label = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789-_") if rng.randrange(3)
                      else rng.choice([c for c in range(256) if not 0x41 <= c <= 0x5A])
                      for _ in range(n))
        out += bytes([n]) + label
    return out + b"\0"


def rnd_row(rng, with_origin, big=False):
    name = rnd_name(rng)
    section = rng.randint(1, 4)
    if section == 4:
        rdata = ""
    else:
        n = rng.randint(1, 300 if rng.randrange(4) == 0 else 40)
        if big:
            n = rng.choice([70000, RDATA_MAX])
        rdata = "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(n))
    tf = rnd_int(rng, 0, TIME_MAX)
    tl = tf + rnd_int(rng, 0, TIME_MAX - tf)
    bw = None
    if section != 4 and rng.randrange(2):
        i = 0
        for _ in range(rng.randrange(4)):
            if name[i] == 0:
                break
            i += 1 + name[i]
        bw = name[i:]
    row = [name, rnd_int(rng, 1, U16), rdata, section, tf, tl, rnd_int(rng, 1, U64), bw]
    if with_origin:
        row.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, ORIGIN_MAX))))
    return row


def rnd_query(rng):
    name = rnd_name(rng)
    types = [rng.randint(1, 254) for _ in range(rng.randrange(3))]
    return (bytes([1, 1, 0, len(name)]) + name + bytes([0]) + struct.pack(">H", 0) +
            bytes([len(types)]) + b"".join(struct.pack(">H", t) for t in types) +
            bytes([0, 0, 0x02]) + struct.pack(">QQ", rnd_int(rng, 0, U64), 0))


def rnd_text(rng, n, ws=""):
    abc = [chr(c) for c in range(0x20, 0x7F)] + list(ws) * 6
    return "".join(rng.choice(abc) for _ in range(n))


def rnd_group(rng):
    n = GROUP_MAX if rng.randrange(4) == 0 else rng.randint(1, 20 if rng.randrange(2) else GROUP_MAX)
    return rng.choice(sorted(GROUP_FIRST)) + "".join(rng.choice(sorted(GROUP_CHARS))
                                                     for _ in range(n - 1))


def rnd_message(rng, t, big=False):
    origin = bytes(rng.randrange(256) for _ in range(rng.randint(1, ORIGIN_MAX)))
    nrows = rng.randrange(13)
    if t in (1, 8):
        rows = [rnd_row(rng, False, big and i == 0) for i in range(nrows)]
    elif t == 4:
        rows = [rnd_row(rng, True, big and i == 0) for i in range(nrows)]
    if t == 1:
        # Half a sensor's batch (no group, tlp nil), half a node's.
        node = rng.randrange(2) == 1
        slen = rng.randint(0, SENSOR_MAX) if rng.randrange(3) == 0 else 8 if node else 0
        return {"origin": origin, "stream": rnd_int(rng, 1, U64), "seq": rnd_int(rng, 1, U64),
                "rows": rows, "group": rnd_group(rng) if node else "",
                "tlp": rng.randint(0, TLP_MAX) if node else None,
                "sensor": bytes(rng.randrange(256) for _ in range(slen))}
    if t == 2:
        return {"origin": origin, "stream": rnd_int(rng, 1, U64), "seq": rnd_int(rng, 0, U64)}
    if t == 6:
        return {"origin": origin, "stream": rnd_int(rng, 1, U64), "last_seq": rnd_int(rng, 0, U64),
                "group": rnd_group(rng)}
    if t == 3:
        m = {"query_id": rnd_int(rng, 1, U64), "hop_limit": rng.randint(0, HOPS_MAX),
                "deadline_ms": rnd_int(rng, 1, DEADLINE_MAX), "query": rnd_query(rng)}
        if rng.randrange(3) == 0:
            m["providers"] = [rnd_text(rng, rng.randint(1, ORIGIN_MAX))
                              for _ in range(rng.randint(0, PROVIDERS_MAX))]
            m["prov_flags"] = rng.randint(0, 1)
        return m
    if t == 4:
        final = rng.randrange(2) == 1
        m = {"query_id": rnd_int(rng, 1, U64), "part": rnd_int(rng, 0, U32), "final": final,
                "status": rng.randint(0, 5) if final else 0,
                "limited": final and rng.randrange(2) == 1, "rows": rows}
        if final and rng.randrange(2) == 1:
            m["sources"] = [[rnd_text(rng, rng.randint(1, ORIGIN_MAX)), rng.randint(0, SRC_STATUS_MAX),
                             rnd_int(rng, 0, U32), rnd_text(rng, rng.randint(0, REASON_MAX))]
                            for _ in range(rng.randint(0, 4))]
        return m
    if t == 5:
        return {"origin": origin, "stream": rnd_int(rng, 0, U64), "from_seq": rnd_int(rng, 1, U64),
                "group": rnd_group(rng)}
    if t == 7:
        return {"origin": origin, "snapshot_id": rnd_int(rng, 1, U64), "stream": rnd_int(rng, 1, U64),
                "seq": rnd_int(rng, 0, U64), "group": rnd_group(rng), "tlp": rng.randint(0, TLP_MAX)}
    if t == 8:
        return {"origin": origin, "snapshot_id": rnd_int(rng, 1, U64), "part": rnd_int(rng, 0, U32),
                "rows": rows}
    if t == 9:
        parts = rnd_int(rng, 0, U32)
        return {"origin": origin, "snapshot_id": rnd_int(rng, 1, U64), "parts": parts,
                "total_rows": rnd_int(rng, 0, parts * ROWS_MAX)}
    if t == 10:
        return {"code": rnd_int(rng, 1, U16), "ref": rnd_int(rng, 0, U64),
                "text": rnd_text(rng, rng.randrange(TEXT_MAX + 1))}
    if t == 11:
        n = rng.randint(1, COMMAND_MAX if rng.randrange(4) == 0 else 12)
        return {"request_id": rnd_int(rng, 1, U64),
                "command": "".join(rng.choice(sorted(COMMAND_CHARS)) for _ in range(n)),
                "argument": rnd_text(rng, rng.randrange(TEXT_MAX + 1))}
    n = rng.choice([70000, REPORT_MAX]) if big else rng.randrange(4000)
    return {"request_id": rnd_int(rng, 1, U64), "ok": rng.randrange(2) == 1,
            "report": rnd_text(rng, n, "\n\t")}


def pack_wide(v):
    """msgpack in the widest formats (section 2: decoders accept them)."""
    if v is None:
        return b"\xc0"
    if type(v) is bool:
        return b"\xc3" if v else b"\xc2"
    if type(v) is int:
        return b"\xcf" + struct.pack(">Q", v) if v > 2**63 - 1 else b"\xd3" + struct.pack(">q", v)
    if type(v) is bytes:
        return b"\xc6" + struct.pack(">I", len(v)) + v
    if type(v) is str:
        b = v.encode()
        return b"\xdb" + struct.pack(">I", len(b)) + b
    return b"\xdd" + struct.pack(">I", len(v)) + b"".join(pack_wide(x) for x in v)


def flat(t, vals):
    m = [VERSION, t]
    for fname, kind in LAYOUT[t][1]:
        if fname in OPT_NAMES and fname not in vals:
            continue
        v = vals[fname]
        m.append([f for r in v for f in r] if kind in ROWS_KINDS or kind == "sources" else v)
    return m


def rows_at(t):
    """The position of a type's rows in the message array."""
    return 2 + [k for _, k in LAYOUT[t][1]].index("rows9" if t == 4 else "rows8")


def invalid_messages(rng, ex):
    """Messages that break one rule of the document each: (what, bytes)."""
    out = []

    def mut(what, t, f):
        m = flat(t, {k: (list(map(list, v)) if isinstance(v, list) else v)
                     for k, v in ex[t].items()})
        f(m)
        out.append((what, msgpack.packb(m, use_bin_type=True)))

    def setrow(i, v):
        def f(m):
            m[rows_at(m[1])][i] = v
        return f

    def setel(i, v):
        def f(m):
            m[i] = v
        return f

    mut("version 2", 2, setel(0, 2))
    mut("version as str", 2, setel(0, "1"))
    mut("type 13", 2, setel(1, 13))
    mut("type CONTROL with ACK's elements", 2, setel(1, 11))
    mut("type 0", 2, setel(1, 0))
    mut("an extra element", 2, lambda m: m.append(None))
    mut("a missing element", 2, lambda m: m.pop())
    mut("negative seq", 2, setel(4, -1))
    mut("seq as float", 2, setel(4, 42.0))
    mut("seq as bool", 2, setel(4, True))
    mut("origin empty", 2, setel(2, b""))
    mut("origin of 33", 2, setel(2, b"x" * 33))
    mut("origin as str", 2, setel(2, "sensor-1"))
    mut("ACK stream 0", 2, setel(3, 0))
    mut("batch stream 0", 1, setel(3, 0))
    mut("batch seq 0", 1, setel(4, 0))
    mut("batch seq 2^64", 1, setel(4, 2**64 - 1))  # valid: kept as a control below
    out.pop()
    mut("rrname uppercase", 1, setrow(0, wire("WWW.example.com")))
    mut("rrname without root", 1, setrow(0, b"\x03www"))
    mut("rrname with a pointer", 1, setrow(0, b"\x03www\xc0\x0c"))
    mut("rrname label 64", 1, setrow(0, b"\x40" + b"a" * 64 + b"\0"))
    mut("rrname as str", 1, setrow(0, "www.example.com"))
    mut("rrtype 0", 1, setrow(1, 0))
    mut("rrtype 65536", 1, setrow(1, 65536))
    mut("rdata with a newline", 1, setrow(2, "a\nb"))
    mut("rdata not ASCII", 1, setrow(2, "caf\u00e9"))
    mut("rdata as bin", 1, setrow(2, b"192.0.2.1"))
    mut("rdata empty in the answer section", 1, setrow(2, ""))
    mut("section 5", 1, setrow(3, 5))
    mut("section 0", 1, setrow(3, 0))
    mut("time_first after time_last", 1, setrow(4, 1700000043))
    mut("negative time_first", 1, setrow(4, -5))
    mut("time_last 2^63", 1, setrow(5, 2**63))
    mut("count 0", 1, setrow(6, 0))
    mut("bailiwick not above", 1, setrow(7, wire("example.org")))
    mut("bailiwick as str", 1, setrow(7, "example.com"))
    mut("nxdomain with rdata", 1, lambda m: m[5].__setitem__(18, "x"))
    mut("nxdomain with bailiwick", 1, lambda m: m[5].__setitem__(23, wire("com")))
    mut("rows not a multiple of 8", 1, lambda m: m[5].pop())
    mut("a row field as a nested array", 1, setrow(0, [wire("www.example.com")]))
    mut("rows as a map", 1, lambda m: m.__setitem__(5, {1: 2}))
    mut("hop limit 9", 3, setel(3, 9))
    mut("deadline 0", 3, setel(4, 0))
    mut("deadline 600001", 3, setel(4, 600001))
    mut("query bytes garbage", 3, setel(5, b"\x01\x07"))
    mut("query with trailing bytes", 3, lambda m: m.__setitem__(5, m[5] + b"\0"))
    mut("query id 0", 3, setel(2, 0))
    mut("status 6", 4, setel(5, 6))
    mut("status on a part not final", 4, lambda m: (m.__setitem__(4, False), m.__setitem__(5, 1)))
    mut("final as int", 4, setel(4, 1))
    mut("row origin missing", 4, lambda m: m[7].pop())
    srcs = ["node-a", 0, 1, "", "node-b", 3, 0, "no answer"]
    mut("sources on a part not final", 4,
        lambda m: (m.__setitem__(4, False), m.__setitem__(5, 0), m.append(list(srcs))))
    mut("source status 5", 4, lambda m: m.append(srcs[:5] + [5] + srcs[6:]))
    mut("sources of 3 elements", 4, lambda m: m.append(srcs[:3]))
    mut("source name as bin", 4, lambda m: m.append([b"node-a"] + srcs[1:4]))
    mut("source reason with a newline", 4, lambda m: m.append(srcs[:3] + ["a\nb"]))
    mut("65 sources", 4, lambda m: m.append(["n", 0, 0, ""] * 65))
    mut("a tenth element", 4, lambda m: m.extend([list(srcs), []]))
    mut("providers without prov_flags", 3, lambda m: m.append(["dnsdb"]))
    mut("17 providers", 3, lambda m: m.extend([["p"] * 17, 0]))
    mut("provider name empty", 3, lambda m: m.extend([[""], 0]))
    mut("provider name as bin", 3, lambda m: m.extend([[b"dnsdb"], 0]))
    mut("provider flag 2", 3, lambda m: m.extend([["dnsdb"], 2]))
    mut("a ninth element", 3, lambda m: m.extend([["dnsdb"], 0, 0]))
    # Section 5.1's group, tlp and sensor (the example is a node's batch).
    mut("batch without group, tlp, sensor (6 elements)", 1, lambda m: m.__delitem__(slice(6, None)))
    mut("batch group with tlp nil", 1, setel(7, None))
    mut("batch tlp without a group", 1, setel(6, ""))
    mut("batch tlp 5", 1, setel(7, 5))
    mut("batch tlp as bool", 1, setel(7, True))
    mut("batch tlp negative", 1, setel(7, -1))
    mut("batch group starting with '-'", 1, setel(6, "-amber"))
    mut("batch group starting with '.'", 1, setel(6, ".amber"))
    mut("batch group with a blank", 1, setel(6, "first amber"))
    mut("batch group with a '+'", 1, setel(6, "amber+strict"))
    mut("batch group not ASCII", 1, setel(6, "gr\u00fcn"))
    mut("batch group of 64", 1, setel(6, "g" * 64))
    mut("batch group as bin", 1, setel(6, b"first-amber"))
    mut("batch group as nil", 1, setel(6, None))
    mut("batch sensor of 17", 1, setel(8, b"s" * 17))
    mut("batch sensor as str", 1, setel(8, "sensor"))
    mut("batch sensor as nil", 1, setel(8, None))
    mut("replay request without group", 5, lambda m: m.pop())
    mut("replay request group empty", 5, setel(5, ""))
    mut("replay request group with a '/'", 5, setel(5, "a/b"))
    mut("replay end group empty", 6, setel(5, ""))
    mut("snapshot group empty", 7, setel(6, ""))
    mut("snapshot tlp nil", 7, setel(7, None))
    mut("snapshot tlp 5", 7, setel(7, 5))
    mut("snapshot without group and tlp", 7, lambda m: m.__delitem__(slice(6, None)))
    mut("control request id 0", 11, setel(2, 0))
    mut("control command empty", 11, setel(3, ""))
    mut("control command in capitals", 11, setel(3, "Peers"))
    mut("control command with '_'", 11, setel(3, "peer_list"))
    mut("control command of 33", 11, setel(3, "a" * 33))
    mut("control command as bin", 11, setel(3, b"peers"))
    mut("control argument with a newline", 11, setel(4, "a\nb"))
    mut("control argument of 1025", 11, setel(4, "x" * 1025))
    mut("control argument as nil", 11, setel(4, None))
    mut("control result request id 0", 12, setel(2, 0))
    mut("control result ok as int", 12, setel(3, 1))
    mut("control result report with CR", 12, setel(4, "a\r\n"))
    mut("control result report with ESC", 12, setel(4, "\x1b[1m"))
    mut("control result report not ASCII", 12, setel(4, "caf\u00e9"))
    mut("control result report of 1 MiB + 1", 12, setel(4, "x" * (REPORT_MAX + 1)))
    mut("replay from 0", 5, setel(4, 0))
    mut("snapshot id 0", 7, setel(3, 0))
    mut("snapshot total over parts", 9, setel(5, 10001))
    mut("error code 0", 10, setel(2, 0))
    mut("error text with ESC", 10, setel(4, "\x1b[31m"))
    mut("error text of 1025", 10, setel(4, "x" * 1025))
    out.append(("top level a map", msgpack.packb({1: 2})))
    ack = encode(2, ex[2])
    out.append(("trailing byte", ack + b"\xc0"))
    out.append(("truncated", ack[:-1]))
    out.append(("array32 bomb", b"\xdd\x10\x00\x00\x00"))
    out.append(("bin32 bomb", b"\x99\x01\x01\xc6\xff\xff\xff\xff\x01\x01"))
    out.append(("nested arrays", b"\x91" * 64 + b"\x01"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--codec", required=True)
    ap.add_argument("--doc", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300, help="messages each way")
    args = ap.parse_args()
    failures = []

    def fail(msg):
        failures.append(msg)
        if len(failures) <= 20:
            print("FAIL: " + msg[:2000])

    n_doc = check_doc(args.doc, fail)

    # 2. Python -> C.
    rng = random.Random(args.seed)
    cases = []  # (hex, expected text or None for refused, what)
    for i in range(args.count):
        t = 1 + i % len(LAYOUT)
        vals = rnd_message(rng, t, big=(i % 40 == 39))
        b = encode(t, vals)
        try:
            if decode(b) != (t, vals):
                fail("python: message %d does not survive its own decoder" % i)
        except Refused as e:
            fail("python: message %d refused by its own decoder: %s" % (i, e))
        cases.append((b.hex(), text(t, vals), "random %s" % LAYOUT[t][0]))
        if i % 3 == 0:
            cases.append((pack_wide(flat(t, vals)).hex(), text(t, vals),
                          "widest formats %s" % LAYOUT[t][0]))
    # By type; for OBS_BATCH, the node's batch (not obs_batch_sensor).
    ex = {t: vals for name, (t, vals) in doc_examples().items()
          if name not in ("obs_batch_sensor", "query_result_sources", "query_providers")}
    for what, b in invalid_messages(rng, ex):
        try:
            decode(b)
            fail("python accepts what the document refuses: %s" % what)
        except Refused:
            pass
        cases.append((b.hex(), None, what))
    # Controls: valid edge values must be accepted.
    edge = dict(ex[1], seq=2**64 - 1)
    cases.append((encode(1, edge).hex(), text(1, edge), "seq 2^64-1"))
    for what, t, vals in [
            ("a sensor's batch", 1, dict(ex[1], group="", tlp=None, sensor=b"")),
            ("a sensor's batch with a pseudonym", 1, dict(ex[1], group="", tlp=None)),
            ("batch tlp 0 and 4", 1, dict(ex[1], tlp=0)),
            ("batch tlp 4", 1, dict(ex[1], tlp=4)),
            ("batch group with '.', '_', '-', capitals", 1, dict(ex[1], group="First.amber_2-x")),
            ("batch group of 63", 1, dict(ex[1], group="g" * 63)),
            ("batch sensor of 16", 1, dict(ex[1], sensor=b"s" * 16)),
            ("snapshot tlp 4", 7, dict(ex[7], tlp=4)),
            ("control command of 32 with digits and '-'", 11, dict(ex[11], command="-" + "a1" * 15 + "z")),
            ("control argument empty", 11, dict(ex[11], argument="")),
            ("control result not ok, one line", 12, dict(ex[12], ok=False, report="no such group")),
            ("control result report of 1 MiB", 12, dict(ex[12], report="\t" * REPORT_MAX))]:
        cases.append((encode(t, vals).hex(), text(t, vals), what))

    res = subprocess.run([args.codec, "decode"], input="".join(h + "\n" for h, _, _ in cases),
                         capture_output=True, text=True, check=False)
    lines = res.stdout.split("\n")[:-1]
    if res.returncode != 0 or len(lines) != len(cases):
        fail("peer_codec decode: exit %d, %d lines for %d messages: %s" %
             (res.returncode, len(lines), len(cases), res.stderr.strip()))
    n_py_c = 0
    for (h, want, what), got in zip(cases, lines):
        if want is None:
            if not got.startswith("ERR "):
                fail("C accepts %s: %s" % (what, got[:200]))
        elif got != want:
            fail("C decodes %s differently:\n  C:      %s\n  Python: %s" % (what, got[:300], want[:300]))
        n_py_c += 1

    # 3. C -> Python.
    res = subprocess.run([args.codec, "gen", str(args.seed), str(args.count)],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        fail("peer_codec gen: exit %d: %s" % (res.returncode, res.stderr.strip()))
    n_c_py = 0
    for line in res.stdout.split("\n")[:-1]:
        h, want = line.split("\t", 1)
        b = bytes.fromhex(h)
        try:
            t, vals = decode(b)
        except Refused as e:
            fail("Python refuses C's %s: %s" % (want[:60], e))
            continue
        if text(t, vals) != want:
            fail("Python decodes C's message differently:\n  C:      %s\n  Python: %s" %
                 (want[:300], text(t, vals)[:300]))
        if encode(t, vals) != b:
            fail("Python re-encodes C's %s to other bytes" % want[:60])
        n_c_py += 1

    print("peer_interop: document %d checks, Python->C %d messages, C->Python %d messages, "
          "%d failures" % (n_doc, n_py_c, n_c_py, len(failures)))
    return 1 if failures or n_c_py < args.count else 0


if __name__ == "__main__":
    sys.exit(main())
