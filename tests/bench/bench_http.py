#!/usr/bin/python3
"""pdns-node's HTTP API under load: many concurrent keep-alive connections
of exact lookups, loopback only, bounded in time.

    bench_http.py --bin BUILD/bin --store DIR [--build-rows N]
                  [--connections 1000] [--seconds 30] [--names 1000] [--rounds 1]

The store is reused as it is (--build-rows N first builds a fresh one of N
rows in DIR with bench_lookup, timed). The names queried are existing exact
names: `bench_lookup --print-targets` regenerates them from the store's
bench_lookup.params without reading the store (--names-file FILE for a
store bench_lookup did not build: one name a line).

The script raises its RLIMIT_NOFILE (the node inherits it), starts
pdns-node with [http] on a free loopback port (an api-keys-file with one
key and a quota that is counted but not reached, max-connections and
max-per-client at 2 x --connections + 64 since every connection comes from
127.0.0.1 and a connection the node closed is counted until libmicrohttpd
has cleaned it up, access-log off unless --access-log), waits for "ready",
and:

 1. records the node's VmRSS and open descriptors at ready;
 2. warms up: --warmup-connections connections query every name
    --warmup-passes times (bounded by --warmup-seconds), so the store's
    block caches (one per [http] thread) hold what the load reads; the
    node's RSS and descriptors then are the baseline (a cache filled by use
    is not a leak);
 3. per round (--rounds): opens --connections connections (at most
    --connect-burst connects in flight; the node's listen backlog is 256),
    then each sends GET /dnsdb/v2/lookup/rrset/name/NAME?limit=10 with
    X-API-Key, one request at a time (no pipelining), the next as soon as
    an answer is whole, for --seconds; answers still due are awaited for
    --drain seconds, then every connection is closed. A connection the
    node closes (an answer with Connection: close, or a close) is reopened
    at once, so the load stays at --connections, and is counted: answers
    with Connection: close are a keep-alive FAIL;
 4. waits 3 s, and at most --settle s until the node's sockets are back at
    the baseline, then records its RSS and descriptors.

Printed: requests, requests/s, p50/p90/p99/max latency (request sent to
answer whole, so with N connections closed-loop it is about N / throughput),
status counts, connection errors, keep-alive, CPU seconds of the node and
of this client, the system's TcpExt ListenOverflows/ListenDrops/
TCPSynRetrans deltas (a full listen queue means SYN retries: seconds of
latency), the node's RSS and descriptors (by kind) at ready / baseline /
peak / after each round, and whether they came back: descriptors exactly,
RSS within max(20 MiB, 10% of the baseline); with --rounds 2 or more, the
RSS growth from round to round (a plateau is the allocator keeping freed
memory, growth a leak). At the end gdb, where installed, calls
malloc_trim(0) in the node and its RSS is judged again: what that gives
back was freed memory glibc kept, not a leak (--no-malloc-trim: not done).
Any status but 200/429/503, or any connection error, prints a FAIL line
(so does an answer with Connection: close: no keep-alive); the exit code
is 0 unless the run itself failed (no node, no names, the node died or did
not stop cleanly). Load average before and after: the machine may be
shared.

One Python thread drives every connection with epoll; the CPU line shows
how much of the machine the client took.
Builds: RelWithDebInfo (not the sanitizer build).
"""
import argparse
import array
import errno
import os
import re
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

KEY = "bench-http-key-0123456789abcdef"
RSS_TOL_MB = 20
RSS_TOL_FRAC = 0.10
CLK_TCK = os.sysconf("SC_CLK_TCK")


def say(*a):
    print(*a, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def loadavg():
    return "%.2f %.2f %.2f" % os.getloadavg()


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
            soft = hard = need
        except (ValueError, OSError) as e:
            sys.exit("bench_http: RLIMIT_NOFILE hard limit %d < %d needed and cannot be raised "
                     "(%s)" % (hard, need, e))
    want = hard if hard == resource.RLIM_INFINITY or hard > soft else soft
    if want == resource.RLIM_INFINITY:
        want = max(need, soft)
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def build_store(bindir, store, rows):
    bl = os.path.join(bindir, "bench_lookup")
    say("building a store of %d rows in %s (bench_lookup --build-rows) ..." % (rows, store))
    t = time.monotonic()
    r = subprocess.run([bl, "--store", store, "--build-rows", str(rows)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    took = time.monotonic() - t
    lines = r.stdout.strip().splitlines()
    for line in lines[-3:]:
        say("  " + line)
    if r.returncode != 0:
        sys.exit("bench_http: bench_lookup --build-rows failed (exit %d)" % r.returncode)
    say("store built: %d rows in %.1f s (%.0f rows/s)" % (rows, took, rows / took))


def sample_names(bindir, store, n, names_file):
    if names_file:
        with open(names_file) as f:
            names = [line.strip() for line in f if line.strip()]
        return names[:n], "from %s" % names_file
    params = os.path.join(store, "bench_lookup.params")
    if not os.path.exists(params):
        sys.exit("bench_http: %s has no bench_lookup.params: give --names-file" % store)
    with open(params) as f:
        info = dict(line.split(None, 1) for line in f if line.strip())
    r = subprocess.run([os.path.join(bindir, "bench_lookup"), "--store", store,
                        "--print-targets", str(n)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("bench_http: bench_lookup --print-targets failed: " + r.stderr.strip())
    names = [line.split(None, 2)[2] for line in r.stdout.splitlines()
             if line.startswith("exact -r ")]
    return names, "bench_lookup --print-targets (store of %s rows)" % info.get(
        "rows", "?").strip()


# ---- The node ----

class Node:
    def __init__(self, bindir, store, tmp, a):
        self.tmp = tmp
        subprocess.run([os.path.join(bindir, "pdns"), "keygen", os.path.join(tmp, "node")],
                       check=True, capture_output=True)
        keys = os.path.join(tmp, "keys")
        with open(keys, "w") as f:
            f.write("bench:%s %s\n" % (KEY, a.quota))
        os.chmod(keys, 0o600)
        self.http = ("listen = tcp://127.0.0.1:*\napi-keys-file = keys\nmax-connections = %d\n"
                     "max-per-client = %d\nthreads = %d\naccess-log = %s\n"
                     % (a.max_connections, a.max_connections, a.threads,
                        "yes" if a.access_log else "no"))
        conf = os.path.join(tmp, "node.conf")
        with open(conf, "w") as f:
            f.write("[node]\nname = bench\nkey-file = node.key\nstore = %s\n"
                    "sensor-listen = tcp://127.0.0.1:%d\nquery-listen = tcp://127.0.0.1:%d\n\n"
                    "[http]\n%s" % (os.path.abspath(store), free_port(), free_port(), self.http))
        self.logpath = os.path.join(tmp, "node.log")
        self.log = open(self.logpath, "w+")
        t = time.monotonic()
        env = dict(os.environ)
        env.update(kv.split("=", 1) for kv in a.node_env)
        self.proc = subprocess.Popen([os.path.join(bindir, "pdns-node"), "--config", conf],
                                     stderr=self.log, stdout=subprocess.DEVNULL, cwd=tmp,
                                     env=env)
        self.pid = self.proc.pid
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text = self.logtext()
            if "pdns-node: ready\n" in text:
                m = re.search(r"http: listening on \S+ \(port (\d+);", text)
                if m is None:
                    self.stop()
                    sys.exit("bench_http: the node did not say its HTTP port:\n" + text)
                self.port = int(m.group(1))
                self.start_s = time.monotonic() - t
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        text = self.logtext()
        self.stop()
        sys.exit("bench_http: the node did not start:\n" + text[-3000:])

    def logtext(self):
        self.log.seek(0)
        return self.log.read()

    def alive(self):
        return self.proc.poll() is None

    def fds(self):
        """What each open descriptor of the node points at."""
        d = "/proc/%d/fd" % self.pid
        out = []
        for fd in os.listdir(d):
            try:
                out.append(os.readlink(os.path.join(d, fd)))
            except OSError:
                pass
        return out

    def fd_kinds(self):
        """The node's open descriptors by kind: socket, pipe, anon (eventfd,
        epoll), file (the store's files, the log)."""
        kinds = {}
        for t in self.fds():
            k = ("socket" if t.startswith("socket:") else "pipe" if t.startswith("pipe:")
                 else "anon" if t.startswith("anon_inode:") else "file")
            kinds[k] = kinds.get(k, 0) + 1
        return kinds

    def files(self):
        """The files the node holds open (paths, with repeats)."""
        return sorted(t for t in self.fds()
                      if not t.startswith(("socket:", "pipe:", "anon_inode:")))

    def malloc_trim(self):
        """malloc_trim(0) inside the node, through gdb: what RSS the allocator
        gives back shows how much of the growth was freed memory kept."""
        gdb = shutil.which("gdb")
        if gdb is None:
            return "gdb is not installed"
        r = subprocess.run([gdb, "-p", str(self.pid), "-batch", "-nx",
                            "-ex", "call (int) malloc_trim(0)"],
                           capture_output=True, text=True, timeout=120)
        m = re.search(r"\$1 = (\d+)", r.stdout)
        return None if m else "gdb: " + (r.stderr.strip().splitlines() or ["?"])[-1]

    def mem(self):
        """(VmRSS KiB, VmHWM KiB, open fds, CPU seconds), or None once gone."""
        try:
            rss = hwm = 0
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
            fds = len(os.listdir("/proc/%d/fd" % self.pid))
            with open("/proc/%d/stat" % self.pid) as f:
                st = f.read().rsplit(")", 1)[1].split()
            cpu = (int(st[11]) + int(st[12])) / CLK_TCK
            return rss, hwm, fds, cpu
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            return None

    def get(self, path):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: %s\r\n"
                   "Connection: close\r\n\r\n" % (path, KEY)).encode())
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body.decode(errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# ---- The load: one thread, epoll, many keep-alive connections ----

class Conn:
    __slots__ = ("sock", "fd", "state", "buf", "sent", "out", "nreq")

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.fd = self.sock.fileno()
        self.state = "connecting"   # connecting, idle, waiting, done
        self.buf = b""
        self.sent = 0.0
        self.out = b""
        self.nreq = 0


class Load:
    """Closed-loop load: each open connection has one request outstanding."""

    def __init__(self, port, requests, sample=None):
        self.port = port
        self.requests = requests
        self.nreqs = len(requests)
        self.next_req = 0
        self.sample = sample          # called about twice a second
        self.ep = select.epoll()
        self.conns = {}
        self.lat = array.array("d")
        self.status = {}
        self.errors = {}
        self.with_rows = 0
        self.server_closes = 0
        self.answer_close = 0     # answers with Connection: close (no keep-alive)
        self.reconnects = 0
        self.opened = 0
        self.sending = False
        self.end_at = 0.0

    def err(self, what):
        self.errors[what] = self.errors.get(what, 0) + 1

    def open(self):
        c = Conn()
        e = c.sock.connect_ex(("127.0.0.1", self.port))
        if e not in (0, errno.EINPROGRESS):
            self.err("connect: " + os.strerror(e))
            c.sock.close()
            return None
        self.conns[c.fd] = c
        self.ep.register(c.fd, select.EPOLLOUT)
        self.opened += 1
        return c

    def close(self, c):
        try:
            self.ep.unregister(c.fd)
        except (OSError, ValueError):
            pass
        c.sock.close()
        self.conns.pop(c.fd, None)
        c.state = "done"

    def send(self, c):
        if not self.sending or time.monotonic() >= self.end_at:
            c.state = "idle"
            self.ep.modify(c.fd, select.EPOLLIN)
            return
        c.out = self.requests[self.next_req]
        self.next_req = (self.next_req + 1) % self.nreqs
        c.state = "waiting"
        c.sent = time.perf_counter()
        c.nreq += 1
        try:
            n = c.sock.send(c.out)
        except (BlockingIOError, InterruptedError):
            n = 0
        except OSError as e:
            self.err("send: " + os.strerror(e.errno))
            self.lost(c)
            return
        c.out = c.out[n:]
        self.ep.modify(c.fd, select.EPOLLIN | (select.EPOLLOUT if c.out else 0))

    def lost(self, c):
        """The server closed (or reset) a connection: reconnect while sending."""
        self.close(c)
        if self.sending and time.monotonic() < self.end_at:
            self.reconnects += 1
            self.open()

    def on_event(self, fd, ev):
        c = self.conns.get(fd)
        if c is None:
            return
        if c.state == "connecting":
            e = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if e != 0:
                self.err("connect: " + os.strerror(e))
                self.close(c)
                return
            c.state = "idle"
            if self.sending:
                self.send(c)
            else:
                self.ep.modify(fd, select.EPOLLIN)
            return
        if ev & select.EPOLLOUT and c.out:
            try:
                n = c.sock.send(c.out)
                c.out = c.out[n:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError as e:
                self.err("send: " + os.strerror(e.errno))
                self.lost(c)
                return
            if not c.out:
                self.ep.modify(fd, select.EPOLLIN)
        if not ev & (select.EPOLLIN | select.EPOLLERR | select.EPOLLHUP):
            return
        try:
            data = c.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as e:
            self.err("recv: " + os.strerror(e.errno))
            self.lost(c)
            return
        if not data:
            self.server_closes += 1
            if c.state == "waiting":
                self.err("closed by the node with a request unanswered")
            elif c.nreq == 0:
                self.err("closed by the node before any request (refused at accept?)")
            else:
                self.err("keep-alive connection closed by the node while idle")
            self.lost(c)
            return
        if c.state != "waiting":
            self.err("bytes from the node with no request outstanding")
            self.lost(c)
            return
        c.buf += data
        hend = c.buf.find(b"\r\n\r\n")
        if hend < 0:
            return
        head = c.buf[:hend]
        m = re.search(rb"\r\ncontent-length: *(\d+)", head, re.I)
        if m is None:
            self.err("an answer without Content-Length")
            self.lost(c)
            return
        total = hend + 4 + int(m.group(1))
        if len(c.buf) < total:
            return
        now = time.perf_counter()
        body = c.buf[hend + 4:total]
        rest = c.buf[total:]
        c.buf = b""
        if rest:
            self.err("bytes after an answer")
        try:
            st = int(head[9:12])
        except ValueError:
            st = -1
        self.status[st] = self.status.get(st, 0) + 1
        self.lat.append(now - c.sent)
        if st == 200 and b'{"obj":' in body:
            self.with_rows += 1
        if re.search(rb"\r\nconnection: *close", head, re.I):
            self.answer_close += 1
            self.server_closes += 1
            self.lost(c)
            return
        self.send(c)

    def poll(self, timeout, until):
        last = time.monotonic()
        while True:
            now = time.monotonic()
            if until(now):
                return
            if self.sample and now - last >= 0.5:
                self.sample()
                last = now
            for fd, ev in self.ep.poll(timeout):
                self.on_event(fd, ev)

    def connect(self, n, burst, deadline_s):
        """n connections, at most burst connects in flight."""
        deadline = time.monotonic() + deadline_s
        while self.opened < n and time.monotonic() < deadline:
            pending = sum(1 for c in self.conns.values() if c.state == "connecting")
            for _ in range(min(burst - pending, n - self.opened)):
                self.open()
            for fd, ev in self.ep.poll(0.05):
                self.on_event(fd, ev)
        self.poll(0.05, lambda now: now >= deadline or all(
            c.state != "connecting" for c in self.conns.values()))
        for c in list(self.conns.values()):
            if c.state == "connecting":
                self.err("connect: not done within %d s" % deadline_s)
                self.close(c)
        return len(self.conns)

    def run(self, seconds, drain):
        self.sending = True
        t0 = time.monotonic()
        self.end_at = t0 + seconds
        for c in list(self.conns.values()):
            if c.state == "idle":
                self.send(c)
        self.poll(0.1, lambda now: now >= self.end_at or not self.conns)
        t1 = time.monotonic()
        n_at_end = len(self.lat)
        self.poll(0.1, lambda now: now >= t1 + drain or all(
            c.state != "waiting" for c in self.conns.values()))
        unanswered = sum(1 for c in self.conns.values() if c.state == "waiting")
        if unanswered:
            self.errors["unanswered after the %g s drain" % drain] = unanswered
        return t1 - t0, n_at_end

    def close_all(self):
        for c in list(self.conns.values()):
            self.close(c)
        self.ep.close()


def pct(sorted_lat, p):
    if not sorted_lat:
        return float("nan")
    i = min(len(sorted_lat) - 1, max(0, int(round(p / 100.0 * len(sorted_lat))) - 1))
    return sorted_lat[i]


def request_bytes(names, host):
    out = []
    for n in names:
        path = "/dnsdb/v2/lookup/rrset/name/%s?limit=10" % urllib.parse.quote(n, safe=".-_")
        out.append(("GET %s HTTP/1.1\r\nHost: %s\r\nX-API-Key: %s\r\n"
                    "Accept: application/x-ndjson\r\n\r\n" % (path, host, KEY)).encode())
    return out


def mb(kib):
    return kib / 1024.0


def tcp_counters():
    """System-wide TcpExt counters that show a listen queue overflowing."""
    want = ("ListenOverflows", "ListenDrops", "TCPSynRetrans")
    out = {}
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
    except OSError:
        return out
    for head, vals in zip(lines[::2], lines[1::2]):
        if head.startswith("TcpExt:"):
            for k, v in zip(head.split()[1:], vals.split()[1:]):
                if k in want:
                    out[k] = int(v)
    return out


def warm_up(node, a, requests):
    """Every name --warmup-passes times on a few connections (bounded)."""
    w = Load(node.port, requests)
    w.connect(a.warmup_connections, a.connect_burst, 30)
    want = len(requests) * a.warmup_passes
    t = time.monotonic()
    w.sending = True
    w.end_at = t + a.warmup_seconds
    for c in list(w.conns.values()):
        w.send(c)
    w.poll(0.1, lambda now: len(w.lat) >= want or now >= w.end_at or not w.conns)
    w.sending = False
    w.poll(0.1, lambda now: now >= w.end_at + a.drain or all(
        c.state != "waiting" for c in w.conns.values()))
    w.close_all()
    say("warm-up: %d lookups (%d passes over the names) in %.1f s on %d connections, "
        "%d with rows, statuses %s%s"
        % (len(w.lat), a.warmup_passes, time.monotonic() - t, a.warmup_connections,
           w.with_rows, dict(sorted(w.status.items())),
           "" if not w.errors else ", errors %s" % w.errors))
    if w.with_rows < len(w.lat):
        say("note: %d lookups gave no row" % (len(w.lat) - w.with_rows))


def files_text(these, but_not):
    """The files in these and not in but_not, by name, with counts."""
    left = list(but_not)
    extra = {}
    for f in these:
        if f in left:
            left.remove(f)
        else:
            extra[os.path.basename(f)] = extra.get(os.path.basename(f), 0) + 1
    if not extra:
        return "none"
    names = sorted(extra)
    text = ", ".join(n + (" x%d" % extra[n] if extra[n] > 1 else "") for n in names[:8])
    return "%d: %s%s" % (sum(extra.values()), text,
                         ", ... (%d names in all)" % len(names) if len(names) > 8 else "")


def kinds_text(kinds):
    return " ".join("%s %d" % kv for kv in sorted(kinds.items()))


def settle(node, sockets, at_least, at_most):
    """Wait at_least seconds, then until the node's sockets are down to
    sockets (its store files come and go on their own)."""
    t = time.monotonic()
    time.sleep(at_least)
    while time.monotonic() < t + at_most:
        if not node.alive() or node.fd_kinds().get("socket", 0) <= sockets:
            break
        time.sleep(0.2)
    return node.mem(), time.monotonic() - t


def load_round(node, a, requests, base, base_kinds, peak, label):
    """One round of the load; prints its figures; returns (after, ok)."""
    def sample():
        m = node.mem()
        if m is not None:
            peak["rss"] = max(peak["rss"], m[0])
            peak["fds"] = max(peak["fds"], m[2])

    load = Load(node.port, requests, sample)
    tcp0 = tcp_counters()
    t = time.monotonic()
    n = load.connect(a.connections, a.connect_burst, 30)
    say("%sconnected: %d of %d in %.2f s%s" % (label, n, a.connections, time.monotonic() - t,
                                               "" if not load.errors else
                                               ", errors %s" % load.errors))
    sample()
    cpu0, mycpu0 = node.mem()[3], sum(os.times()[:2])
    elapsed, n_at_end = load.run(a.seconds, a.drain)
    sample()
    during = node.mem()
    cpu1, mycpu1 = (during[3] if during else cpu0), sum(os.times()[:2])
    load.close_all()
    tcp1 = tcp_counters()
    alive = node.alive()
    after, settle_s = settle(node, base_kinds.get("socket", 0), 3, a.settle)

    lat = sorted(load.lat)
    nreq = len(lat)
    say("%srequests: %d answered in %.1f s (%d within the %g s, the rest during the drain): "
        "%.0f requests/s" % (label, nreq, elapsed, n_at_end, a.seconds, n_at_end / elapsed))
    say("%slatency: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
        % ((label,) + tuple(1000 * pct(lat, p) for p in (50, 90, 99, 100))))
    say("%sstatus: %s; answers with rows: %d of %d 200s"
        % (label, ", ".join("%d: %d" % kv for kv in sorted(load.status.items())) or "none",
           load.with_rows, load.status.get(200, 0)))
    say("%sconnections: %d opened (%d reopened after the node closed one), %d closed by "
        "the node" % (label, load.opened, load.reconnects, load.server_closes))
    say("%serrors: %s" % (label, "none" if not load.errors else "; ".join(
        "%s: %d" % kv for kv in sorted(load.errors.items()))))
    say("%scpu during the load: node %.1f s (%.0f%% of one core), this client %.1f s (%.0f%%)"
        % (label, cpu1 - cpu0, 100 * (cpu1 - cpu0) / elapsed, mycpu1 - mycpu0,
           100 * (mycpu1 - mycpu0) / elapsed))
    say("%sTCP (system-wide, loopback included): %s" % (label, ", ".join(
        "%s +%d" % (k, tcp1[k] - tcp0.get(k, 0)) for k in sorted(tcp1)) or "n/a"))

    ok = True
    bad = {s: k for s, k in load.status.items() if s not in (200, 429, 503)}
    if bad:
        say("%sFAIL: statuses other than 200/429/503: %s" % (label, bad))
        ok = False
    if load.errors:
        say("%sFAIL: connection errors: %s" % (label, load.errors))
        ok = False
    if nreq == 0:
        say("%sFAIL: no answer at all" % label)
        ok = False
    elif not bad and not load.errors:
        say("%sOK: statuses only %s, no connection error" % (
            label, "/".join(str(s) for s in sorted(load.status))))
    if load.answer_close:
        say("%sFAIL: keep-alive: %d of %d answers said Connection: close and the node closed "
            "the connection (each was reopened, so the load ran, as one connection per "
            "request)" % (label, load.answer_close, nreq))
    elif nreq:
        say("%sOK: keep-alive: %.1f requests per connection on average"
            % (label, nreq / max(1, load.opened)))
    if after is None or not alive:
        return None, False
    say("%snode after: VmRSS %.1f MiB (%+.1f MiB on the baseline), %d fds (%s; %.1f s "
        "after closing)" % (label, mb(after[0]), mb(after[0] - base[0]), after[2],
                            kinds_text(node.fd_kinds()), settle_s))
    return after, ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True,
                    help="the build's bin/ (pdns-node, pdns, bench_lookup)")
    ap.add_argument("--store", required=True,
                    help="the store (reused; built first with --build-rows)")
    ap.add_argument("--build-rows", type=int, default=0,
                    help="build a fresh store of N rows first")
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--rounds", type=int, default=1,
                    help="load rounds on the same node (RSS after each: growth per round)")
    ap.add_argument("--names", type=int, default=1000, help="distinct existing names to query")
    ap.add_argument("--names-file",
                    help="names to query, one a line (a store bench_lookup did not build)")
    ap.add_argument("--threads", type=int, default=2, help="[http] threads")
    ap.add_argument("--quota", default="1000000000", help="the key's quota per day")
    ap.add_argument("--max-connections", type=int,
                    help="[http] max-connections and max-per-client (default 2 x --connections "
                    "+ 64: a connection the node closed is counted until libmicrohttpd has "
                    "cleaned it up, which may be after the client has reopened it)")
    ap.add_argument("--access-log", action="store_true", help="keep [http] access-log on")
    ap.add_argument("--connect-burst", type=int, default=128, help="connects in flight at once")
    ap.add_argument("--warmup-connections", type=int, default=8)
    ap.add_argument("--warmup-passes", type=int, default=3)
    ap.add_argument("--warmup-seconds", type=float, default=30)
    ap.add_argument("--drain", type=float, default=10,
                    help="seconds to await answers due at the end")
    ap.add_argument("--settle", type=float, default=10,
                    help="seconds at most for the sockets to come back")
    ap.add_argument("--node-env", action="append", default=[], metavar="NAME=VALUE",
                    help="extra environment for the node (e.g. MALLOC_ARENA_MAX=2)")
    ap.add_argument("--no-malloc-trim", action="store_true",
                    help="do not call malloc_trim(0) in the node through gdb at the end")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (node log)")
    a = ap.parse_args()
    if a.max_connections is None:
        a.max_connections = min(100000, 2 * a.connections + 64)

    bindir = os.path.abspath(a.bin)
    lim = raise_nofile(a.connections + a.max_connections + 1024)
    say("bench_http: %d connections, %g s x %d round(s), exact lookups (limit=10); "
        "RLIMIT_NOFILE %s/%s" % (a.connections, a.seconds, a.rounds, lim[0], lim[1]))
    say("load average before: %s (%d CPUs)" % (loadavg(), os.cpu_count()))
    if a.build_rows:
        build_store(bindir, a.store, a.build_rows)
    if not os.path.isdir(a.store):
        sys.exit("bench_http: no store at %s" % a.store)
    names, how = sample_names(bindir, a.store, a.names, a.names_file)
    if not names:
        sys.exit("bench_http: no names to query")
    say("names: %d distinct exact names, %s; e.g. %s" % (len(names), how, names[0]))

    tmp = tempfile.mkdtemp(prefix="pdns-bench-http-")
    node = None
    rc = 0
    try:
        node = Node(bindir, a.store, tmp, a)
        say("node: pid %d, ready in %.1f s, HTTP on 127.0.0.1:%d; [http] %s%s"
            % (node.pid, node.start_s, node.port,
               ", ".join(node.http.strip().splitlines()[1:]),
               "; env " + " ".join(a.node_env) if a.node_env else ""))
        ready = node.mem()
        ready_kinds = node.fd_kinds()
        st, body = node.get("/dnsdb/v2/lookup/rrset/name/%s?limit=10"
                            % urllib.parse.quote(names[0], safe=".-_"))
        say("probe: %s -> %d, %d object line(s)" % (names[0], st, body.count('{"obj":')))
        if st != 200:
            say("FAIL: the probe lookup answered %d: %s" % (st, body.strip()[:200]))
            return 1
        requests = request_bytes(names, "127.0.0.1:%d" % node.port)
        warm_up(node, a, requests)
        base, _ = settle(node, ready_kinds.get("socket", 0), 1, a.settle)
        base_kinds = node.fd_kinds()
        base_files = node.files()
        say("baseline (after the warm-up): VmRSS %.1f MiB, %d fds (%s) (at ready: %.1f MiB, "
            "%d fds)" % (mb(base[0]), base[2], kinds_text(base_kinds), mb(ready[0]), ready[2]))

        peak = {"rss": base[0], "fds": base[2]}
        afters = []
        all_ok = True
        for r in range(a.rounds):
            label = "" if a.rounds == 1 else "round %d: " % (r + 1)
            say("")
            after, ok = load_round(node, a, requests, base, base_kinds, peak, label)
            if after is None:
                say("FAIL: the node died (exit %s); log tail:\n%s"
                    % (node.proc.poll(), node.logtext()[-2000:]))
                return 1
            afters.append(after)
            all_ok = all_ok and ok

        after = afters[-1]
        say("")
        say("node memory: VmRSS at ready %.1f MiB, baseline %.1f MiB, peak %.1f MiB "
            "(VmHWM %.1f MiB), after %s MiB"
            % (mb(ready[0]), mb(base[0]), mb(peak["rss"]), mb(after[1]),
               " / ".join("%.1f" % mb(x[0]) for x in afters)))
        say("node fds: at ready %d, baseline %d, peak %d, after %s"
            % (ready[2], base[2], peak["fds"], " / ".join(str(x[2]) for x in afters)))
        after_kinds = node.fd_kinds()
        socks_ok = after_kinds.get("socket", 0) == base_kinds.get("socket", 0)
        say("%s: fds %s the baseline (%d vs %d; after: %s; baseline: %s)"
            % ("OK" if after[2] == base[2] else "FAIL" if not socks_ok else "NOTE",
               "back at" if after[2] == base[2] else "not back at", after[2], base[2],
               kinds_text(after_kinds), kinds_text(base_kinds)))
        if after[2] != base[2] and socks_ok:
            files = node.files()
            say("NOTE: the sockets are back exactly (%d); the difference is in the files, the "
                "store's (RocksDB compacts and reopens on its own): opened %s; closed %s"
                % (after_kinds.get("socket", 0), files_text(files, base_files),
                   files_text(base_files, files)))
        tol = max(RSS_TOL_MB * 1024, RSS_TOL_FRAC * base[0])
        rss_ok = after[0] - base[0] <= tol
        say("%s: RSS %s the baseline within max(%d MiB, %d%%) = %.1f MiB (%.1f vs %.1f MiB: "
            "%+.1f MiB; %+.1f MiB on ready)"
            % ("OK" if rss_ok else "FAIL", "back at" if rss_ok else "not back at",
               RSS_TOL_MB, RSS_TOL_FRAC * 100, mb(tol), mb(after[0]), mb(base[0]),
               mb(after[0] - base[0]), mb(after[0] - ready[0])))
        if len(afters) > 1:
            say("RSS after each round: %s MiB; growth from round 1 to %d: %+.1f MiB"
                % (" / ".join("%.1f" % mb(x[0]) for x in afters), len(afters),
                   mb(afters[-1][0] - afters[0][0])))
        if not a.no_malloc_trim:
            err = node.malloc_trim()
            m = node.mem() if not err else None
            if err or m is None:
                say("malloc_trim: %s" % (err or "the node is gone"))
            else:
                trim_ok = m[0] - base[0] <= tol
                say("after malloc_trim(0) in the node (gdb): VmRSS %.1f MiB (%+.1f MiB on the "
                    "baseline): %.1f MiB of the growth was freed memory glibc's allocator kept"
                    % (mb(m[0]), mb(m[0] - base[0]), mb(after[0] - m[0])))
                say("%s: after malloc_trim, RSS %s the baseline within %.1f MiB%s"
                    % ("OK" if trim_ok else "FAIL", "is back at" if trim_ok else "is not back at",
                       mb(tol), "" if rss_ok or not trim_ok else
                       ": the growth was kept by the allocator, not leaked"))
        if not all_ok:
            say("FAIL: see the FAIL lines above")

        try:
            st, metrics = node.get("/metrics")
            keep = [line for line in metrics.splitlines()
                    if line.startswith(("pdns_http_requests_total", "pdns_http_responses_total"))
                    or (line.startswith("pdns_drops_total") and 'source="http"' in line
                        and not line.endswith(" 0"))]
            say("node /metrics: " + ("; ".join(keep) if keep else "(nothing)"))
        except OSError as e:
            say("node /metrics: %s" % e)
    finally:
        if node is not None:
            nrc = node.stop()
            if nrc != 0:
                say("FAIL: the node exited %s on SIGTERM; log tail:\n%s"
                    % (nrc, node.logtext()[-2000:]))
                rc = 1
            else:
                say("node: stopped cleanly (exit 0)")
        say("load average after: %s" % loadavg())
        if a.keep:
            say("kept: %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
