#!/usr/bin/env python3
"""Sensor benchmark: prints figures, asserts nothing.

Generates (or reuses) a capture of N DNS responses with Zipf-like name
popularity, then measures in one run, several times each, taking the best:
  - libpcap's raw read rate of the file (pcap_next_ex loop), the baseline;
  - pdns-sensor's rate to COF output (to /dev/null);
  - their ratio, and the sensor's peak resident memory.
Usage: tests/bench/bench_sensor.py [--responses N] [--build DIR] [--runs K]
"""
import argparse
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def timed(cmd, **kw):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    out = subprocess.run(cmd, check=True, **kw)
    return time.monotonic() - t0, out, before


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--responses", type=int, default=1_000_000)
    ap.add_argument("--build", default=os.path.join(TOP, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cache", default="256", help="sensor --cache MB")
    ap.add_argument("--file", help="capture to use (generated if missing)")
    args = ap.parse_args()

    pcap = args.file or "/tmp/pdns-bench-%d.pcap" % args.responses
    if not os.path.exists(pcap):
        gen = subprocess.run([sys.executable, os.path.join(TOP, "tests/gen/gen_bench.py"),
                              "--responses", str(args.responses), "--out", pcap],
                             check=True, capture_output=True, text=True)
        print(gen.stdout.strip())
    size = os.path.getsize(pcap)
    print("capture: %s (%.1f MB)" % (pcap, size / 1e6))
    subprocess.run(["cat", pcap], stdout=subprocess.DEVNULL, check=True)  # page cache

    reader = os.path.join(args.build, "bin", "pcap_read")
    sensor = os.path.join(args.build, "bin", "pdns-sensor")
    best_raw = None
    for _ in range(args.runs):
        out = subprocess.run([reader, pcap], check=True, capture_output=True, text=True)
        n, secs, _ = out.stdout.split()
        rate = int(n) / float(secs)
        best_raw = max(best_raw or 0, rate)
    packets = int(n)

    best = None
    for _ in range(args.runs):
        with open(os.devnull, "w") as null:
            secs, out, _ = timed([sensor, "-r", pcap, "--cache", args.cache], stdout=null,
                                 stderr=subprocess.PIPE, text=True)
        stats = dict(kv.split("=") for kv in out.stderr.strip().split("stats: ")[1].split())
        best = min(best or secs, secs)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    responses = int(stats["responses"])
    print("libpcap raw read: %d packets, %.0f packets/s (best of %d)" % (packets, best_raw, args.runs))
    print("pdns-sensor to COF: %d responses, %s observations, %.0f responses/s (best of %d)"
          % (responses, stats["observations"], responses / best, args.runs))
    print("ratio sensor/libpcap: %.1f%%" % (100.0 * responses / best / best_raw))
    print("peak RSS of children (sensor dominates): %.1f MB with --cache %s"
          % (peak_kb / 1024.0, args.cache))


if __name__ == "__main__":
    main()
