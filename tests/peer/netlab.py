"""netlab.py - organisations as network namespaces, for pdns-node tests.

A hub namespace holds a bridge; each organisation gets a namespace with a
veth into the bridge, the address of its topology entry (orgs.py) and an
/etc/netns/NS/hosts naming every node, so the configs use host names as in
docker/. Everything is named with a per-run suffix and removed by
cleanup(), which also stops every process the lab started (by PID).
Needs root (exit 77 in the tests otherwise).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import orgs


class Tap:
    """TAP output for the peer tests: one line per check, a plan at the end."""

    def __init__(self):
        self.n = 0
        self.fails = []

    def check(self, cond, what):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, what), flush=True)
        if not cond:
            self.fails.append(what)

    def note(self, text):
        print("# %s" % text, flush=True)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.fails else 0


TAP = Tap()
check, note = TAP.check, TAP.note


def loopback_main(prefix, run):
    """main() of a loopback test: run(bindir, srcdir, tmp, procs) with a new
    temporary directory; every process left in procs is killed, and the
    directory removed unless a check failed."""
    bindir, srcdir = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix=prefix)
    procs = []
    try:
        run(bindir, srcdir, tmp, procs)
    finally:
        for p in procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait(5)
        if not TAP.fails:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("# kept %s" % tmp)
    return TAP.done()


def sh(*argv, check=True):
    r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(argv), r.stderr.strip()))
    return r


def can_run():
    if os.geteuid() != 0:
        return "needs root for network namespaces"
    if shutil.which("ip") is None:
        return "needs iproute2"
    return None


class Lab:
    def __init__(self, bindir, tmp):
        self.bin = bindir
        self.tmp = tmp
        self.tag = "%x" % (os.getpid() & 0xfffff)
        self.hub = "pdnshub" + self.tag
        self.ns = {}
        self.procs = []
        self.made = []

    # ---- namespaces ----

    def setup(self):
        # A test stopped by SIGTERM (CTest's timeout) still runs its finally
        # blocks, so namespaces and processes never outlive it.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
        sh("ip", "netns", "add", self.hub)
        self.made.append(self.hub)
        sh("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.hub, "addr", "add", "10.99.0.254/24", "dev", "br0")
        sh("ip", "-n", self.hub, "link", "set", "br0", "up")
        sh("ip", "-n", self.hub, "link", "set", "lo", "up")
        for i, o in enumerate(orgs.ORGS):
            ns = "pdns%d%s" % (i, self.tag)
            self.ns[o["name"]] = ns
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            os.makedirs("/etc/netns/" + ns, exist_ok=True)
            with open("/etc/netns/%s/hosts" % ns, "w") as f:
                f.write(orgs.hosts_file())
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "link", "add", "pv%d%s" % (i, self.tag), "netns", ns, "type", "veth",
               "peer", "name", "ph%d%s" % (i, self.tag), "netns", self.hub)
            sh("ip", "-n", ns, "addr", "add", o["ip"] + "/24", "dev", "pv%d%s" % (i, self.tag))
            sh("ip", "-n", ns, "link", "set", "pv%d%s" % (i, self.tag), "up")
            sh("ip", "-n", self.hub, "link", "set", "ph%d%s" % (i, self.tag), "master", "br0")
            sh("ip", "-n", self.hub, "link", "set", "ph%d%s" % (i, self.tag), "up")
        with open(os.path.join(self.tmp, "hub.hosts"), "w") as f:
            f.write(orgs.hosts_file())

    def link(self, org, up):
        """Cut or restore an organisation's link to the others."""
        i = [o["name"] for o in orgs.ORGS].index(org)
        sh("ip", "-n", self.hub, "link", "set", "ph%d%s" % (i, self.tag), "up" if up else "down")

    # ---- processes ----

    def spawn(self, org, argv, log, env=None):
        """Start argv in org's namespace (or the hub's, org None)."""
        ns = self.ns[org] if org else self.hub
        f = open(log, "ab")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=f, stderr=f,
                             env=env, start_new_session=True)
        f.close()
        self.procs.append(p)
        return p

    def run(self, org, argv, timeout=60, **kw):
        ns = self.ns[org] if org else self.hub
        return subprocess.run(["ip", "netns", "exec", ns] + argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout, **kw)

    def stop(self, p, sig=signal.SIGTERM, timeout=20):
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        return p.returncode

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(5)
        for ns in self.made:
            sh("ip", "netns", "del", ns, check=False)
            if os.path.isdir("/etc/netns/" + ns):
                shutil.rmtree("/etc/netns/" + ns, ignore_errors=True)


def wait_for(path, text, timeout=30, proc=None):
    """Wait until the file at path contains text; False on timeout or when
    proc has exited."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path, errors="replace") as f:
                if text in f.read():
                    return True
        except FileNotFoundError:
            pass
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def keygen(bindir, prefix):
    r = subprocess.run([os.path.join(bindir, "pdns"), "keygen", prefix],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError("keygen %s: %s" % (prefix, r.stderr))
    return r.stdout.strip()


def loopback_keys(bindir, keys, pairs, secrets):
    """A key directory (0700) for a loopback test: `pdns keygen` for each
    name of pairs, 32 random bytes (mode 0600) in NAME.secret for each name
    of secrets. Returns keys."""
    os.makedirs(keys, mode=0o700)
    for k in pairs:
        keygen(bindir, os.path.join(keys, k))
    for g in secrets:
        fd = os.open(os.path.join(keys, g + ".secret"), os.O_WRONLY | os.O_CREAT | os.O_EXCL,
                     0o600)
        os.write(fd, os.urandom(32))
        os.close(fd)
    return keys


def make_keys(bindir, keys):
    """Every key and secret of the topology (orgs.key_plan()) into the
    directory keys."""
    os.makedirs(keys, mode=0o700, exist_ok=True)
    for kind, name in orgs.key_plan():
        if kind == "pair":
            keygen(bindir, os.path.join(keys, name))
            continue
        fd = os.open(os.path.join(keys, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32))
        os.close(fd)


def dump(bindir, store, origin=None, export=None):
    """Rows of a store as a dict (origin, name, type, section, rdata) ->
    (first, last, count), from tests' store_dump."""
    argv = [os.path.join(bindir, "store_dump"), "--store", store]
    if origin:
        argv += ["--origin", origin]
    if export:
        argv += ["--export", export]
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=120)
    if r.returncode != 0:
        raise RuntimeError("store_dump %s: %s" % (store, r.stderr.strip()))
    rows = {}
    for line in r.stdout.splitlines():
        o, name, t, sec, rdata, first, last, count = line.split("\t")
        rows[(name, int(t), int(sec), rdata)] = (int(first), int(last), int(count))
    return rows
