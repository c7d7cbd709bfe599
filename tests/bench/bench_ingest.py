#!/usr/bin/python3
"""Store ingest benchmark: prints figures, asserts nothing.

Generates (or reuses, in /tmp) a capture of N DNS responses with
tests/gen/gen_bench.py, then measures in one run, for each sensor --cache
setting (default 256 and 1024 MB), best of K runs each:
  - the baseline: pdns-sensor's rate to COF output (stdout to /dev/null);
  - pdns-sensor --store DIR into a fresh store directory each run: responses/s
    and rows committed, and the ratio store/COF (the goal is >= 50%);
  - the store's size on disk after the run (allocated blocks of every file,
    split into WAL .log, .sst and the rest) and per million rows committed;
  - the peak RSS and the CPU time (user + system, all threads) of each child
    process (wait4, per process). CPU time does not depend on what else the
    machine runs; on a shared machine compare it with the wall-clock rates,
    or run the whole script under `chrt -f 10` (as root).
The sensor runs without -q so that its one stats line at exit gives the
response and row counts; nothing else is printed while it runs.

Usage: tests/bench/bench_ingest.py [--responses N] [--build DIR] [--runs K]
       [--caches 256,1024] [--file PCAP] [--keep DIR]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"


def run_child(cmd, stdout):
    """Run cmd; return (seconds, peak RSS in kB, CPU seconds, stderr text, exit code)."""
    with tempfile.TemporaryFile(mode="w+") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdout=stdout, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        secs = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return secs, ru.ru_maxrss, ru.ru_utime + ru.ru_stime, err.read(), p.returncode


def stats_of(stderr):
    for line in stderr.splitlines():
        if "stats: " in line:
            return dict(kv.split("=", 1) for kv in line.split("stats: ", 1)[1].split())
    raise SystemExit("bench_ingest: no stats line from the sensor:\n" + stderr)


def du(path):
    """Allocated bytes of the directory's files: (total, wal, sst, other, files)."""
    wal = sst = other = files = 0
    for root, _, names in os.walk(path):
        for n in names:
            st = os.stat(os.path.join(root, n))
            b = st.st_blocks * 512
            files += 1
            if n.endswith(".log") and n[0].isdigit():
                wal += b
            elif n.endswith(".sst"):
                sst += b
            else:
                other += b
    return wal + sst + other, wal, sst, other, files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--responses", type=int, default=5_000_000)
    ap.add_argument("--build", default=os.path.join(TOP, "build-rel"))
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--caches", default="256,1024", help="sensor --cache MB values")
    ap.add_argument("--file", help="capture to use (generated if missing)")
    ap.add_argument("--keep", help="leave the last store of the run at this path")
    args = ap.parse_args()

    sensor = os.path.join(args.build, "bin", "pdns-sensor")
    if not os.access(sensor, os.X_OK):
        raise SystemExit("bench_ingest: no %s (build it first)" % sensor)
    pcap = args.file or "/tmp/pdns-bench-%d.pcap" % args.responses
    gen_txt = pcap + ".gen.txt"
    st = shutil.disk_usage("/tmp")
    print("disk: /tmp has %.1f GB free" % (st.free / 1e9))
    if not os.path.exists(pcap):
        need = args.responses * 140 * 1.2  # about 132 bytes a response
        if st.free < need + 2e9:
            raise SystemExit("bench_ingest: need about %.1f GB free in /tmp" % ((need + 2e9) / 1e9))
        part = pcap + ".part"
        gen = subprocess.run([PYTHON, os.path.join(TOP, "tests/gen/gen_bench.py"),
                              "--responses", str(args.responses), "--out", part],
                             check=True, capture_output=True, text=True)
        os.rename(part, pcap)
        with open(gen_txt, "w") as f:
            f.write(gen.stdout)
    if os.path.exists(gen_txt):
        print(open(gen_txt).read().strip())
    print("capture: %s (%.1f MB)" % (pcap, os.path.getsize(pcap) / 1e6))
    subprocess.run(["cat", pcap], stdout=subprocess.DEVNULL, check=True)  # page cache
    print("load average before: %.2f %.2f %.2f (2 cores here; other work skews rates)"
          % os.getloadavg())

    for cache in [c.strip() for c in args.caches.split(",") if c.strip()]:
        print("--- pdns-sensor --cache %s" % cache)
        best_cof = None
        for _ in range(args.runs):
            with open(os.devnull, "w") as null:
                secs, rss, cpu, err, rc = run_child([sensor, "-r", pcap, "--cache", cache], null)
            if rc != 0:
                raise SystemExit("bench_ingest: sensor failed (%d):\n%s" % (rc, err))
            s = stats_of(err)
            if best_cof is None or secs < best_cof[0]:
                best_cof = (secs, rss, cpu, s)
        secs, rss, cof_cpu, s = best_cof
        responses = int(s["responses"])
        cof_rate = responses / secs
        print("COF (baseline): %d responses, %s rows printed, %.2f s, %.0f responses/s, "
              "CPU %.2f s, peak RSS %.1f MB (best of %d)"
              % (responses, s["observations"], secs, cof_rate, cof_cpu, rss / 1024.0, args.runs))

        best = None
        for i in range(args.runs):
            d = tempfile.mkdtemp(prefix="pdns-bench-ingest-", dir="/tmp")
            store = os.path.join(d, "store")
            with open(os.devnull, "w") as null:
                secs, rss, cpu, err, rc = run_child([sensor, "-r", pcap, "--cache", cache,
                                                     "--store", store], null)
            if rc != 0:
                shutil.rmtree(d, ignore_errors=True)
                raise SystemExit("bench_ingest: sensor --store failed (%d):\n%s" % (rc, err))
            s = stats_of(err)
            size = du(store)
            print("  store run %d: %.2f s, %.0f responses/s, %s rows committed, CPU %.2f s, "
                  "peak RSS %.1f MB" % (i + 1, secs, int(s["responses"]) / secs,
                                        s["observations"], cpu, rss / 1024.0))
            if best is None or secs < best[0]:
                best = (secs, rss, cpu, s, size)
            if args.keep and i == args.runs - 1:
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.move(store, args.keep)
            shutil.rmtree(d, ignore_errors=True)
        secs, rss, cpu, s, (total, wal, sst, other, files) = best
        rows = int(s["observations"])
        rate = int(s["responses"]) / secs
        print("store ingest: %d responses, %d rows committed, %.2f s, %.0f responses/s, "
              "%.0f rows/s, CPU %.2f s, peak RSS %.1f MB (best of %d)"
              % (int(s["responses"]), rows, secs, rate, rows / secs, cpu, rss / 1024.0, args.runs))
        print("ratio store/COF: %.1f%% by wall clock, %.1f%% by CPU time (goal >= 50%%)"
              % (100.0 * rate / cof_rate, 100.0 * cof_cpu / cpu))
        print("store size: %.1f MB in %d files (WAL .log %.1f MB, .sst %.1f MB, other %.1f MB), "
              "%.1f MB per million rows" % (total / 1e6, files, wal / 1e6, sst / 1e6, other / 1e6,
                                            total / 1e6 / (rows / 1e6) if rows else 0.0))
    print("load average after: %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
