#!/usr/bin/python3
"""Three organisations as three network namespaces (tests/peer/orgs.py),
each with a pdns-node; org-a's sensor reads a capture with client traffic,
private answers, an internal zone and ordinary public records
(gen_org_capture.py). Checks:

- org-b and org-c end up with exactly the shareable observations (keys,
  counts, first/last), as origin org-a/first-amber, and the set is not
  empty; org-a keeps everything, suppressed rows included;
- nothing else crossed: a listening peer in org-a's group records every
  message (plaintext) and a byte search of it, of the wire (tcpdump on the
  bridge) and of org-b's and org-c's stores finds no client or resolver
  address, no sensor name and no suppressed name;
- no re-sharing: org-c holds nothing from org-b (org-b has no sensor);
- pdns peers / status / purge on the control socket, then purge --origin.

Usage: orgs_test.py BINDIR SRCDIR   (root; exit 77 when it cannot run)
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
from netlab import TAP, check  # noqa: E402
import orgs    # noqa: E402

def z85_of(path):
    for line in open(path):
        if line.strip().startswith("public-key"):
            return line.split("=", 1)[1].strip().strip('"')
    raise RuntimeError("no public key in " + path)


def wait_equal(bindir, store, origin, want, timeout):
    end = time.time() + timeout
    got = {}
    while time.time() < end:
        try:
            got = netlab.dump(bindir, store, origin)
        except RuntimeError:
            got = {}
        if got == want:
            return got
        time.sleep(0.5)
    return got


def main():
    bindir, srcdir = sys.argv[1], sys.argv[2]
    why = netlab.can_run()
    if why:
        print("1..0 # SKIP " + why)
        return 77
    tmp = tempfile.mkdtemp(prefix="pdns-orgs-")
    lab = netlab.Lab(bindir, tmp)
    try:
        return run(lab, bindir, srcdir, tmp)
    finally:
        lab.cleanup()
        if not TAP.fails:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("# kept %s" % tmp)


def run(lab, bindir, srcdir, tmp):
    keys = os.path.join(tmp, "keys")
    netlab.make_keys(bindir, keys)
    netlab.keygen(bindir, os.path.join(keys, "recorder"))
    cap, exp_path, sec_path = (os.path.join(tmp, f) for f in ("a.pcap", "exp.tsv", "sec.txt"))
    subprocess.run([sys.executable, os.path.join(srcdir, "tests/peer/gen_org_capture.py"),
                    cap, exp_path, sec_path], check=True)
    want = {}
    for line in open(exp_path):
        n, t, s, rd, f, la, c = line.rstrip("\n").split("\t")
        want[(n, int(t), int(s), rd)] = (int(f), int(la), int(c))
    check(len(want) > 50, "the capture has shareable rows (%d)" % len(want))
    lab.setup()
    nodes, logs, confs = {}, {}, {}
    for o in orgs.ORGS:
        d = os.path.join(tmp, o["name"])
        os.makedirs(d)
        text = orgs.node_config(o, keys, os.path.join(d, "store"), heartbeat="1")
        if o["name"] == "org-a":
            text += ("\n[peer recorder]\npublic-key = %s/recorder.pub\naccept = none\n"
                     "groups = %s\n" % (keys, orgs.GROUP))
        confs[o["name"]] = os.path.join(d, "node.conf")
        with open(confs[o["name"]], "w") as f:
            f.write(text)
        r = subprocess.run([os.path.join(bindir, "pdns-node"), "--check-config", "--config",
                            confs[o["name"]]], stderr=subprocess.PIPE, text=True)
        check(r.returncode == 0 and r.stderr == "", "%s: config valid %s" % (o["name"], r.stderr))
        logs[o["name"]] = os.path.join(d, "node.log")
        nodes[o["name"]] = lab.spawn(o["name"], [os.path.join(bindir, "pdns-node"), "--config",
                                                 confs[o["name"]]], logs[o["name"]])
    for o in orgs.ORGS:
        check(netlab.wait_for(logs[o["name"]], "pdns-node: ready", 30, nodes[o["name"]]),
              "%s: ready" % o["name"])
    wire = os.path.join(tmp, "wire.pcap")
    dumper = None
    if shutil.which("tcpdump"):
        dumper = lab.spawn(None, ["tcpdump", "-i", "br0", "-w", wire, "-U", "-s", "0"],
                           os.path.join(tmp, "tcpdump.log"))
        time.sleep(1)
    a_pub = z85_of(os.path.join(keys, "org-a.pub"))
    rec_out = os.path.join(tmp, "recorded.bin")
    recorder = lab.spawn(None, ["/usr/bin/python3", os.path.join(srcdir, "tests/peer/recorder.py"),
                                "--publish", "tcp://10.99.0.1:%d" % orgs.PORTS["publish"],
                                "--query", "tcp://10.99.0.1:%d" % orgs.PORTS["query"],
                                "--server-key", a_pub, "--key", os.path.join(keys, "recorder.key"),
                                "--origin", "org-a", "--group", orgs.GROUP, "--out", rec_out,
                                "--seconds", "25"], os.path.join(tmp, "recorder.log"))
    time.sleep(2)
    r = lab.run("org-a", [os.path.join(bindir, "pdns-sensor"), "-q", "-r", cap,
                          "--resolver", "10.1.0.53", "--resolver", "fd00:1::53",
                          "--node", "tcp://127.0.0.1:%d" % orgs.PORTS["sensor"],
                          "--node-key", os.path.join(keys, "org-a.pub"),
                          "--key", os.path.join(keys, orgs.SENSOR + ".key")], timeout=60)
    check(r.returncode == 0, "sensor: every batch acknowledged by org-a (%s)" % r.stderr.decode()[-300:])
    origin = "org-a/" + orgs.GROUP
    for org in ("org-b", "org-c"):
        got = wait_equal(bindir, os.path.join(tmp, org, "store"), origin, want, 30)
        check(got == want, "%s holds exactly the shareable rows of org-a (%d rows, want %d)"
              % (org, len(got), len(want)))
        if got != want:
            for k in sorted(set(got) | set(want))[:400]:
                if got.get(k) != want.get(k):
                    print("#   %s got %s want %s" % (k, got.get(k), want.get(k)))
    a_all = netlab.dump(bindir, os.path.join(tmp, "org-a", "store"), "local")
    check(set(want) < set(a_all) and len(a_all) - len(want) >= 10,
          "org-a keeps the suppressed rows locally (%d rows, %d shareable)" % (len(a_all), len(want)))
    for org in ("org-b", "org-c"):
        other = [o for o in ("org-b", "org-c") if o != org][0]
        rows = netlab.dump(bindir, os.path.join(tmp, org, "store"), other + "/" + orgs.GROUP)
        check(rows == {}, "%s holds nothing from %s (no re-sharing; it has no sensor)" % (org, other))
    recorder.wait(40)
    check(recorder.returncode == 0, "the listening peer got a snapshot")
    if dumper is not None:
        lab.stop(dumper)

    # Byte search of everything that crossed.
    secrets = [s for s in open(sec_path).read().split("\n") if s] + [orgs.SENSOR]
    # Text forms everywhere; binary forms (addresses, wire names) only in
    # the plaintext messages, where 4 random octets cannot match by chance
    # as they could in ciphertext or compressed store blocks.
    text_needles, bin_needles = [], []
    for s in secrets:
        text_needles.append(s.encode())
        try:
            bin_needles.append(socket.inet_pton(socket.AF_INET6 if ":" in s else socket.AF_INET,
                                                s))
        except OSError:
            if "." in s:
                bin_needles.append(b"".join(bytes([len(l)]) + l.encode() for l in s.split(".")))
    blobs = {"recorded messages": open(rec_out, "rb").read()}
    if dumper is not None and os.path.exists(wire):
        blobs["the wire (tcpdump on the bridge)"] = open(wire, "rb").read()
    for org in ("org-b", "org-c"):
        blob = b""
        for root, _, files in os.walk(os.path.join(tmp, org, "store")):
            for f in files:
                blob += open(os.path.join(root, f), "rb").read()
        blobs[org + "'s store files"] = blob
    check(len(blobs["recorded messages"]) > 1000, "the listening peer recorded %d bytes"
          % len(blobs["recorded messages"]))
    check(b"www.shop-1" in blobs["recorded messages"] or b"\x03www\x06shop-1" in
          blobs["recorded messages"], "the recording holds shared names (the search can find)")
    for what, blob in blobs.items():
        needles = text_needles + (bin_needles if what == "recorded messages" else [])
        found = [n for n in needles if n in blob]
        check(not found, "no client/resolver address, sensor name or suppressed name in %s %s"
              % (what, found[:5]))

    # Administration over the control socket.
    admin = ["--node", "tcp://127.0.0.1:%d" % orgs.PORTS["control"], "--node-key",
             os.path.join(keys, "org-b.pub"), "--key", os.path.join(keys, orgs.ADMIN + ".key")]
    r = lab.run("org-b", [os.path.join(bindir, "pdns"), "peers"] + admin)
    out = r.stdout.decode()
    check(r.returncode == 0 and "peer org-a group first-amber: stream" in out,
          "pdns peers lists org-a's stream on org-b")
    r = lab.run("org-a", [os.path.join(bindir, "pdns"), "status"] + admin[:2] +
                ["--node-key", os.path.join(keys, "org-a.pub")] + admin[4:])
    out = r.stdout.decode()
    check(r.returncode == 0 and "group first-amber: TLP:amber" in out and
          "special_address" in out, "pdns status on org-a shows the group and what it withheld")
    r = lab.run("org-b", [os.path.join(bindir, "pdns"), "purge", "--origin", "org-a"] + admin)
    check(r.returncode == 0 and b"purged" in r.stdout, "pdns purge --origin org-a on org-b (%s)"
          % r.stderr.decode().strip())
    time.sleep(0.5)
    rows = netlab.dump(bindir, os.path.join(tmp, "org-b", "store"), origin)
    check(rows == {} or rows == want, "after the purge org-b holds none of org-a's rows, or a "
          "fresh snapshot of them (%d rows)" % len(rows))
    got = wait_equal(bindir, os.path.join(tmp, "org-b", "store"), origin, want, 30)
    check(got == want, "org-a still in the config: a new snapshot brings the same rows back")
    r = lab.run("org-b", [os.path.join(bindir, "pdns"), "purge", "--origin", "nosuch"] + admin)
    check(r.returncode == 66, "purge of an unknown origin: exit 66 (%d)" % r.returncode)
    for o in orgs.ORGS:
        code = lab.stop(nodes[o["name"]])
        check(code == 0, "%s: SIGTERM, exit 0" % o["name"])
    return TAP.done()


if __name__ == "__main__":
    sys.exit(main())
