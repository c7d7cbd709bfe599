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
    """Wall and CPU (user+system) seconds of one child run."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    out = subprocess.run(cmd, check=True, **kw)
    wall = time.monotonic() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, out


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
    # Runs alternate between the two programs so both see the same load;
    # the best of each is kept, by wall clock and by CPU time (the CPU
    # figures hold up better on a shared machine).
    raw_wall = raw_cpu = sen_wall = sen_cpu = None
    for _ in range(args.runs):
        wall, cpu, out = timed([reader, pcap], capture_output=True, text=True)
        packets = int(out.stdout.split()[0])
        raw_wall = min(raw_wall or wall, wall)
        raw_cpu = min(raw_cpu or cpu, cpu)
        with open(os.devnull, "w") as null:
            wall, cpu, out = timed([sensor, "-r", pcap, "--cache", args.cache], stdout=null,
                                   stderr=subprocess.PIPE, text=True)
        stats = dict(kv.split("=") for kv in out.stderr.strip().split("stats: ")[1].split())
        sen_wall = min(sen_wall or wall, wall)
        sen_cpu = min(sen_cpu or cpu, cpu)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    responses = int(stats["responses"])
    print("libpcap raw read (pcap_next_ex loop): %d packets, %.0f packets/s wall, %.0f/s CPU (best of %d)"
          % (packets, packets / raw_wall, packets / raw_cpu, args.runs))
    print("pdns-sensor to COF: %d responses, %s observations, %.0f responses/s wall, %.0f/s CPU (best of %d)"
          % (responses, stats["observations"], responses / sen_wall, responses / sen_cpu, args.runs))
    print("ratio sensor/libpcap: %.1f%% wall, %.1f%% CPU"
          % (100.0 * (responses / sen_wall) / (packets / raw_wall),
             100.0 * (responses / sen_cpu) / (packets / raw_cpu)))
    print("peak RSS of children (sensor dominates): %.1f MB with --cache %s"
          % (peak_kb / 1024.0, args.cache))


if __name__ == "__main__":
    main()
