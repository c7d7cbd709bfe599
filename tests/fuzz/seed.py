#!/usr/bin/env python3
"""Seed the fuzz corpora from capture files.

corpus/frame gets each capture as fuzz_frame's input format (per frame: link
type selector, flags, 2-byte length, bytes); corpus/dns gets the UDP payloads
from port 53 of Ethernet/IPv4 frames (enough to start from; libFuzzer finds
the rest). Usage: seed.py OUTDIR CAPTURE...

corpus/peer is not seeded from captures: tests/peer/peer_seeds.py writes it
from doc/peer-protocol.md's examples and the C encoder (every message type).
"""
import hashlib
import os
import struct
import sys

LINKS = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]


def frames(path):
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return  # pcapng seeds come from the generator's classic files
    link = struct.unpack(e + "I", data[20:24])[0] & 0xffff
    pos = 24
    while pos + 16 <= len(data):
        _, _, cap, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
        yield link, data[pos + 16:pos + 16 + cap]
        pos += 16 + cap


def save(d, blob):
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(blob).hexdigest()
    with open(os.path.join(d, name), "wb") as f:
        f.write(blob)


def main():
    out = sys.argv[1]
    for path in sys.argv[2:]:
        seq = b""
        for link, fr in frames(path):
            if link not in LINKS:
                continue
            seq += bytes([LINKS.index(link), 0]) + struct.pack(">H", len(fr)) + fr
            if link == 1 and len(fr) > 42 and fr[12:14] == b"\x08\x00" and fr[23] == 17:
                ihl = (fr[14] & 15) * 4
                udp = fr[14 + ihl:]
                if len(udp) > 8 and udp[0:2] == b"\x00\x35":
                    save(os.path.join(out, "dns"), udp[8:])
        if seq:
            save(os.path.join(out, "frame"), seq[:65536])


if __name__ == "__main__":
    main()
