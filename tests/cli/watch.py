#!/usr/bin/python3
"""watch.py - pdns-sensor --watch DIR end to end.

    watch.py --sensor BIN --gen tests/gen/gen_bench.py --sample sample.pcap
             --store-dump BIN [--seed N] [--only LIST]

Rotated captures are written into directories over time while a watcher
runs, and what it wrote is compared with `pdns-sensor -r` on each file
(--watch reads every file alone, as -r FILE does):

 1. print: order-based and --settle-based finishing (a newest file is read
    no sooner than --settle seconds after its last change), a file grown in
    steps never read before it is finished, SIGTERM and restarts (no file
    twice, none skipped), a truncated file and a file that is not a
    capture (reported, the watch goes on), a late file (reported once,
    skipped), a last file changed after it was read (reported once), hidden
    and non-capture names never read, -o and --nxdomain appended to;
 2. name order (dns.pcap9 before dns.pcap10), the default names, --pattern;
 3. --store with kill -9 at random times: the store ends up exactly as
    with -r on each file once (no batch lost or counted twice);
 4. --node: SIGTERM and a restart in the middle; the node's store ends up
    as with -r on each file once;
 5. usage and state errors: exit codes and one-line messages.

TAP output; exit 0 when every check passed. Bounded in time: every wait
has a deadline, every process started is ended by its pid, temporary
directories are removed (kept with PDNS_KEEP=1 in the environment).
--only print,names,store,node,errors runs some of the scenarios.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SETTLE = 2
n_checks = 0
failed = 0
procs = []


def check(ok, what, detail=""):
    global n_checks, failed
    n_checks += 1
    if ok:
        print(f"ok {n_checks} - {what}")
    else:
        failed += 1
        print(f"not ok {n_checks} - {what}")
        for line in str(detail).splitlines()[:30]:
            print(f"#   {line}")
    sys.stdout.flush()
    return ok


def gen(args, out, responses, seed):
    subprocess.run([sys.executable, args.gen, "--responses", str(responses),
                    "--out", out, "--seed", str(seed)],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def cof(path):
    """COF rows of a file, summed per key: key -> [count, first, last]."""
    rows = {}
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            key = tuple(o.get(k) for k in ("rrname", "qname", "rrtype", "qtype",
                                            "rdata", "section"))
            r = rows.setdefault(key, [0, o["time_first"], o["time_last"]])
            r[0] += o["count"]
            r[1] = min(r[1], o["time_first"])
            r[2] = max(r[2], o["time_last"])
    return rows


def merge(into, rows):
    for k, (c, a, b) in rows.items():
        r = into.setdefault(k, [0, a, b])
        r[0] += c
        r[1] = min(r[1], a)
        r[2] = max(r[2], b)
    return into


def reference(args, tmp, files):
    """Rows and NXDOMAIN rows of -r on each file alone, added up."""
    obs, nxd = {}, {}
    for i, f in enumerate(files):
        o, n = f"{tmp}/ref{i}.json", f"{tmp}/ref{i}.nxd"
        subprocess.run([args.sensor, "-q", "-r", f, "-o", o, "--nxdomain", n],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        merge(obs, cof(o))
        merge(nxd, cof(n))
    return obs, nxd


def diff(a, b):
    keys = set(a) | set(b)
    bad = [f"{k}: watch {a.get(k)} reference {b.get(k)}"
           for k in sorted(keys, key=str) if a.get(k) != b.get(k)]
    return f"{len(bad)} keys differ ({len(a)} vs {len(b)} keys)\n" + "\n".join(bad[:10])


class Watcher:
    """One pdns-sensor --watch process, its stderr in a log file."""

    def __init__(self, args, log, *opts):
        self.log = log
        self.t0 = time.monotonic()
        self.start = os.path.getsize(log) if os.path.exists(log) else 0
        self.err = open(log, "a")
        self.p = subprocess.Popen([args.sensor, *opts], stdout=subprocess.DEVNULL,
                                  stderr=self.err)
        procs.append(self.p)

    def text(self):
        """What this process wrote to the log."""
        with open(self.log) as f:
            f.seek(self.start)
            return f.read()

    def wait_for(self, *needles, timeout=10):
        """Seconds since start when one of needles showed up in the log, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            exited = self.p.poll() is not None
            if any(n in self.text() for n in needles):
                return time.monotonic() - self.t0
            if exited:
                return None
            time.sleep(0.05)
        return None

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.err.close()
        procs.remove(self.p)
        return rc


def reads(log_text):
    """Names of the 'read' lines, in order."""
    return re.findall(r"watch: read '([^']+)'", log_text)


def write_growing(src, dst, steps, pause, check_fn):
    """Write src to dst in `steps` chunks, `pause` seconds apart."""
    data = open(src, "rb").read()
    cut = [len(data) * i // steps for i in range(steps + 1)]
    with open(dst, "wb") as f:
        for i in range(steps):
            f.write(data[cut[i]:cut[i + 1]])
            f.flush()
            if i + 1 < steps:
                time.sleep(pause)
                check_fn()
    return time.monotonic()


def scenario_print(args, tmp):
    d, out, nxd, log = f"{tmp}/p", f"{tmp}/p.json", f"{tmp}/p.nxd", f"{tmp}/p.log"
    os.mkdir(d)
    src = f"{tmp}/src"
    os.mkdir(src)
    for i in range(1, 12):
        gen(args, f"{src}/g{i}.pcap", 1500 + 100 * i, 100 + i)
    shutil.copy(args.sample, f"{d}/cap-001.pcap")
    shutil.copy(f"{src}/g1.pcap", f"{d}/cap-002.pcap")
    # Never read: hidden, not a capture name, a directory with a capture name.
    shutil.copy(args.sample, f"{d}/.hidden.pcap")
    shutil.copy(args.sample, f"{d}/notes.txt")
    os.mkdir(f"{d}/sub.pcap")
    opts = ["--watch", d, "--settle", str(SETTLE), "-v", "-o", out, "--nxdomain", nxd]

    w = Watcher(args, log, *opts)
    t1 = w.wait_for("read 'cap-001.pcap'", timeout=10)
    t2 = w.wait_for("read 'cap-002.pcap'", timeout=10)
    check(t1 is not None and t1 < SETTLE,
          "a file with a later file beside it is read without waiting for --settle",
          f"read after {t1} s\n{w.text()}")
    check(t2 is not None and t2 >= SETTLE - 0.1,
          f"the newest file is read only after --settle {SETTLE} s", f"read after {t2} s")

    # A file grown in steps for longer than --settle is not read before it is finished.
    early = []

    def not_yet():
        if "cap-003.pcap" in w.text():
            early.append(w.text())
    t_last = write_growing(f"{src}/g2.pcap", f"{d}/cap-003.pcap", 8, 0.5, not_yet)
    check(not early, "a file being written (8 steps over 3.5 s) is not read meanwhile",
          early[0] if early else "")
    t3 = w.wait_for("read 'cap-003.pcap'", timeout=10)
    t3 = t3 is not None and t3 - (t_last - w.t0)
    check(t3 is not False and SETTLE - 0.1 <= t3 <= SETTLE + 4,
          "the grown file is read --settle seconds after its last change",
          f"read {t3} s after the last write")

    # Damaged files are reported in one line each and the watch goes on.
    data = open(f"{src}/g3.pcap", "rb").read()
    open(f"{d}/cap-004.pcap", "wb").write(data[:len(data) * 2 // 3 + 7])
    open(f"{d}/cap-005.pcap", "w").write("this is a text file, not a capture at all\n")
    shutil.copy(f"{src}/g4.pcap", f"{d}/cap-006.pcap")
    shutil.copy(f"{src}/g5.pcap", f"{d}/cap-007.pcap")
    w.wait_for("read 'cap-006.pcap'", timeout=10)
    text = w.text()
    check(re.search(r"file '[^']*/cap-004\.pcap': truncated .* kept; going on", text),
          "a truncated file: one line saying what, where and that the watch goes on", text)
    check(re.search(r"file '[^']*/cap-005\.pcap': not a pcap or pcapng file", text),
          "a file that is not a capture: one line", text)
    # SIGTERM while the newest file settles: exit 0, it is not recorded.
    rc = w.stop()
    check(rc == 0, "SIGTERM: exit 0", f"exit {rc}\n{w.text()}")
    state = open(f"{d}/.pdns-sensor.state").read()
    check("\ndone cap-006.pcap " in state,
          "the state names the last file read, not the one still settling", state)

    # While stopped: a new file; then a restart reads cap-007, cap-008.
    shutil.copy(f"{src}/g6.pcap", f"{d}/cap-008.pcap")
    w = Watcher(args, log, *opts)
    w.wait_for("read 'cap-008.pcap'", timeout=15)
    # A late file (sorts before the last read) is reported once and skipped.
    shutil.copy(f"{src}/g7.pcap", f"{d}/cap-000.pcap")
    time.sleep(2.5)
    n_late = w.text().count("'cap-000.pcap' appeared after 'cap-008.pcap' was read")
    check(n_late == 1, "a late file is reported once", f"{n_late} lines\n{w.text()}")
    # The last file changes after it was read: reported once.
    with open(f"{d}/cap-008.pcap", "ab") as f:
        f.write(b"\0" * 100)
    time.sleep(2.5)
    n_changed = w.text().count("'cap-008.pcap' changed after it was read")
    check(n_changed == 1, "a file changed after it was read is reported once",
          f"{n_changed} lines\n{w.text()}")

    # A backlog, with SIGTERM at random times: no file twice, none skipped.
    for i in range(9, 25):
        shutil.copy(f"{src}/g{8 + i % 4}.pcap" if i % 3 else args.sample,
                    f"{d}/cap-{i:03d}.pcap")
    rng = random.Random(args.seed)
    rc = w.stop()
    stops = [rc]
    for _ in range(4):
        w = Watcher(args, log, *opts)
        time.sleep(rng.uniform(0.1, 1.0))
        stops.append(w.stop())
    check(stops == [0] * len(stops), "every SIGTERM exits 0", str(stops))
    w = Watcher(args, log, *opts)
    done = w.wait_for("read 'cap-024.pcap'", timeout=30)
    check(done is not None, "a restarted watcher finishes the backlog", w.text())
    rc = w.stop()
    text = open(log).read()
    names = reads(text)
    want = [f"cap-{i:03d}.pcap" for i in range(1, 25)]
    check(sorted(names) == want,
          "over 7 runs every file was read exactly once, in name order per run",
          f"read: {names}")
    runs = text.split("watch: following")
    check(all(reads(r) == sorted(reads(r)) for r in runs), "each run reads in name order",
          "\n".join(str(reads(r)) for r in runs))
    check(not any(n in text for n in ("'.hidden.pcap'", "'notes.txt'", "sub.pcap",
                                      "read 'cap-000.pcap'")),
          "hidden, non-capture and late files and directories are never read", text)
    files = [f"{d}/cap-{i:03d}.pcap" for i in range(1, 25)]
    ref_obs, ref_nxd = reference(args, tmp, files)
    got_obs, got_nxd = cof(out), cof(nxd)
    check(got_obs == ref_obs and len(ref_obs) > 1000,
          f"-o after restarts equals -r on each file ({len(ref_obs)} keys)",
          diff(got_obs, ref_obs))
    check(got_nxd == ref_nxd and len(ref_nxd) > 0,
          f"--nxdomain after restarts equals -r on each file ({len(ref_nxd)} keys)",
          diff(got_nxd, ref_nxd))
    # Literally `pdns-sensor -r` over all the files at once: the generated
    # captures are UDP only, so reading them in one run gives the same rows.
    gen_files = [f for f in files if os.path.getsize(f) > 10000 and "004" not in f]
    subprocess.run([args.sensor, "-q", *sum((["-r", f] for f in gen_files), []),
                    "-o", f"{tmp}/all.json"], stderr=subprocess.DEVNULL)
    one_run = cof(f"{tmp}/all.json")
    check(one_run == reference(args, tmp, gen_files)[0],
          "for the generated files, -r over all of them in one run agrees",
          diff(one_run, reference(args, tmp, gen_files)[0]))


def scenario_names(args, tmp):
    d, log = f"{tmp}/n", f"{tmp}/n.log"
    os.mkdir(d)
    names = ["A.PCAPNG", "dns.pcap", "dns.pcap1", "dns.pcap2", "dns.pcap9", "dns.pcap10",
             "dns.pcap11", "log.cap.1700000000"]
    for n in names + ["dns.pcap.gz", "dns.pcapx", "README"]:
        shutil.copy(args.sample, f"{d}/{n}")
    w = Watcher(args, log, "--watch", d, "--settle", "1", "-v", "-o", f"{tmp}/n.json")
    w.wait_for(f"read '{names[-1]}'", timeout=10)
    time.sleep(1.2)
    w.stop()
    got = reads(w.text())
    check(got == names, "default names, read in numeric-aware name order",
          f"read {got}\nwant {names}")
    d2, log2 = f"{tmp}/n2", f"{tmp}/n2.log"
    os.mkdir(d2)
    for n in ["cap-2.dmp", "cap-10.dmp", "x.pcap", "cap-3.txt"]:
        shutil.copy(args.sample, f"{d2}/{n}")
    w = Watcher(args, log2, "--watch", d2, "--settle", "1", "-v", "--pattern", "cap-*.dmp",
                "-o", f"{tmp}/n2.json")
    w.wait_for("read 'cap-10.dmp'", timeout=10)
    time.sleep(1.2)
    w.stop()
    got = reads(w.text())
    check(got == ["cap-2.dmp", "cap-10.dmp"], "--pattern chooses the names", f"read {got}")


def dump(args, store):
    p = subprocess.run([args.store_dump, "--store", store], capture_output=True, text=True)
    return p.returncode, sorted(p.stdout.splitlines())


def scenario_store(args, tmp):
    d, st, ref, log = f"{tmp}/s", f"{tmp}/s.store", f"{tmp}/s.ref", f"{tmp}/s.log"
    os.mkdir(d)
    files = []
    for i in range(1, 7):
        files.append(f"{d}/s-{i:02d}.pcap")
        gen(args, files[-1], 20000, 200 + i)
    files.append(f"{d}/s-07.pcap")
    shutil.copy(args.sample, files[-1])
    # Small batches: most of a file's time goes to its batches, where kills land.
    opts = ["--watch", d, "--settle", "1", "-v", "--store", st, "--batch", "2"]
    rng = random.Random(args.seed + 1)
    kills = 0
    open(log, "w").close()
    # Every other kill lands inside a file's batches (after a random number
    # of -v "committed" lines since the last file), the others at random.
    while kills < 8 and "read 's-06.pcap'" not in open(log).read():
        w = Watcher(args, log, *opts)
        if kills % 2 == 0:
            want, end = rng.randint(1, 1500), time.monotonic() + 30
            while time.monotonic() < end and w.p.poll() is None:
                since = re.split(r"watch: (?:read|following) [^\n]*\n", w.text())[-1]
                if since.count("committed") >= want:
                    break
                time.sleep(0.005)
        else:
            time.sleep(rng.uniform(1.0, 3.0))  # the second listing comes after 1 s
        w.stop(signal.SIGKILL)
        kills += 1
    text = open(log).read()
    check("are in the store and are left out" in text,
          f"a restart after kill -9 inside a file left out its stored batches ({kills} kills)",
          "\n".join(line for line in text.splitlines() if "committed" not in line)[-3000:])
    w = Watcher(args, log, *opts)
    done = w.wait_for("read 's-07.pcap'", "following '" + os.path.realpath(d) +
                      "' after 's-07.pcap'", timeout=40)
    rc = w.stop()
    check(done is not None and rc == 0, "the last run reads every file and exits 0",
          f"exit {rc}\n{w.text()[-2000:]}")
    check(not os.path.exists(f"{d}/.pdns-sensor.state"),
          "with --store no state file is written in DIR", os.listdir(d))
    for f in files:
        subprocess.run([args.sensor, "-q", "-r", f, "--store", ref, "--batch", "2"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc1, got = dump(args, st)
    rc2, want = dump(args, ref)
    bad = [x for x in set(got) ^ set(want)][:10]
    check(rc1 == 0 and rc2 == 0 and got == want and len(want) > 10000,
          f"after {kills} kill -9 the store equals -r on each file once "
          f"({len(want)} rows)", f"dump exits {rc1} {rc2}, {len(got)} vs {len(want)} rows\n"
          + "\n".join(bad))


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scenario_node(args, tmp):
    """--node: a file's rows are acknowledged by the node before it counts as
    read; SIGTERM and a restart in the middle; the node's store equals -r."""
    bindir = os.path.dirname(args.sensor)
    nd, d, log = f"{tmp}/node", f"{tmp}/nw", f"{tmp}/nw.log"
    os.mkdir(nd)
    os.mkdir(d)
    for k in ("node", "s1"):
        subprocess.run([f"{bindir}/pdns", "keygen", f"{nd}/{k}"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sp, qp = free_port(), free_port()
    with open(f"{nd}/node.conf", "w") as f:
        f.write(f"[node]\nname = n\nkey-file = {nd}/node.key\nstore = {nd}/store\n"
                f"sensor-listen = tcp://127.0.0.1:{sp}\nquery-listen = tcp://127.0.0.1:{qp}\n"
                f"\n[sensor s1]\npublic-key = {nd}/s1.pub\n")
    node_log = open(f"{nd}/node.log", "w")
    node = subprocess.Popen([f"{bindir}/pdns-node", "--config", f"{nd}/node.conf"],
                            stdout=subprocess.DEVNULL, stderr=node_log)
    procs.append(node)
    end = time.monotonic() + 20
    while time.monotonic() < end and "ready" not in open(f"{nd}/node.log").read():
        time.sleep(0.1)
    files = []
    for i in range(1, 6):
        files.append(f"{d}/n-{i}.pcap")
        gen(args, files[-1], 3000, 300 + i)
    opts = ["--watch", d, "--settle", "1", "-v", "--node", f"tcp://127.0.0.1:{sp}",
            "--node-key", f"{nd}/node.pub", "--key", f"{nd}/s1.key"]
    w = Watcher(args, log, *opts)
    w.wait_for("read 'n-2.pcap'", timeout=15)
    rc1 = w.stop()
    w = Watcher(args, log, *opts)
    done = w.wait_for("read 'n-5.pcap'", timeout=20)
    rc2 = w.stop()
    names = reads(open(log).read())
    check(rc1 == 0 and rc2 == 0 and done is not None and names == [os.path.basename(f)
                                                                      for f in files],
          "--node: two runs read every file once, exit 0", f"exits {rc1} {rc2}: {names}\n"
          + open(log).read()[-2000:])
    node.send_signal(signal.SIGTERM)
    node.wait(30)
    procs.remove(node)
    node_log.close()
    ref = f"{tmp}/nref"
    for f in files:
        subprocess.run([args.sensor, "-q", "-r", f, "--store", ref],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc1, got = dump(args, f"{nd}/store")
    rc2, want = dump(args, ref)
    got = sorted(line.split("\t", 1)[1] for line in got)
    want = sorted(line.split("\t", 1)[1] for line in want)
    check(rc1 == 0 and got == want and len(want) > 1000,
          f"--node: the node's store equals -r on each file ({len(want)} rows)",
          f"dump exit {rc1}, {len(got)} vs {len(want)} rows\n"
          + "\n".join(list(set(got) ^ set(want))[:10]))


def expect(args, tmp, code, what, *argv, message=None):
    p = subprocess.run([args.sensor, *argv], capture_output=True, text=True, timeout=20)
    lines = [x for x in p.stderr.splitlines() if ": stats:" not in x and "watch: " not in x]
    ok = p.returncode == code and (code == 0 or (
        len(lines) == 1 and lines[0].startswith("pdns-sensor: ")
        and (message is None or re.search(message, lines[0]))))
    check(ok, f"{what}: exit {code}", f"exit {p.returncode}\n{p.stderr}")


def scenario_errors(args, tmp):
    d = f"{tmp}/e"
    os.mkdir(d)
    shutil.copy(args.sample, f"{d}/a.pcap")
    expect(args, tmp, 64, "--settle 0", "--watch", d, "--settle", "0")
    expect(args, tmp, 64, "--settle without --watch", "-r", args.sample, "--settle", "5")
    expect(args, tmp, 64, "--state without --watch", "-r", args.sample, "--state", "x")
    expect(args, tmp, 64, "--watch with -r", "--watch", d, "-r", args.sample)
    expect(args, tmp, 64, "--state with --store", "--watch", d, "--store", f"{tmp}/es",
           "--state", f"{tmp}/x")
    expect(args, tmp, 66, "--watch of a missing directory", "--watch", f"{tmp}/nope",
           message="No such file")
    expect(args, tmp, 66, "--watch of a file", "--watch", args.sample,
           message="not a directory")
    expect(args, tmp, 73, "a state that cannot be created", "--watch", d, "--state",
           f"{tmp}/no/such/dir/state", message="cannot create")
    open(f"{tmp}/bad.state", "w").write("hello\n")
    expect(args, tmp, 65, "a state that is not a state", "--watch", d, "--state",
           f"{tmp}/bad.state", message="not a pdns-sensor watch state")
    open(f"{tmp}/other.state", "w").write("pdns-sensor watch state 1\ndir /elsewhere\n")
    expect(args, tmp, 65, "a state of another directory", "--watch", d, "--state",
           f"{tmp}/other.state", message="follows directory '/elsewhere'")
    open(f"{tmp}/garbled.state", "w").write(
        f"pdns-sensor watch state 1\ndir {os.path.realpath(d)}\ndone a.pcap x 1 2\n")
    expect(args, tmp, 65, "a garbled state line", "--watch", d, "--state",
           f"{tmp}/garbled.state", message="line 3: bad 'done' line")
    w = Watcher(args, f"{tmp}/e.log", "--watch", d, "--settle", "60", "-q")
    w.wait_for("never", timeout=1)
    expect(args, tmp, 69, "a second watcher on the same state", "--watch", d,
           message=f"used by another pdns-sensor \\(process {w.p.pid}\\)")
    rc = w.stop()
    check(rc == 0, "the first watcher stops with exit 0 (nothing read: a-.pcap settles 60 s)",
          f"exit {rc}")
    check("done" not in open(f"{d}/.pdns-sensor.state").read()
          if os.path.exists(f"{d}/.pdns-sensor.state") else True,
          "a newest file that has not settled is not recorded")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sensor", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--sample", required=True)
    ap.add_argument("--store-dump", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", default="print,names,store,node,errors")
    args = ap.parse_args()
    args.sensor = os.path.abspath(args.sensor)
    tmp = tempfile.mkdtemp(prefix="pdns-watch-")
    try:
        for name in args.only.split(","):
            globals()[f"scenario_{name}"](args, tmp)
    finally:
        for p in list(procs):
            p.kill()
            p.wait()
        if not os.environ.get("PDNS_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{n_checks}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
