#!/usr/bin/python3
"""compose_check.py - docker/ says what the namespace test says.

No Docker engine runs where the tests run, so the image and the compose
file are checked by reading them (CTest docker_compose_check):

- the node services of docker/compose.yml are exactly the organisations
  of tests/peer/orgs.py, each with the org's host name, its store volume,
  the key volume read-only and a config docker/config/HOST.conf that is
  byte for byte orgs.docker_config(org);
- the keys service makes exactly the key files the namespace test makes
  (orgs.key_plan(), which netlab.make_keys follows): its script is run
  here on a temporary directory, twice (idempotent), with the built
  `pdns` when BUILDDIR is given (then pdns-node --check-config reads the
  configs with those keys), otherwise with a stand-in for keygen;
- every port of orgs.PORTS is the one the configs bind and compose
  exposes (the loopback control socket is not exposed);
- docker/Dockerfile: a debian:bookworm build stage running tests/setup.sh
  (as .ci/run does) and build commands the README or tests/check.sh give,
  a bookworm final stage with the three programs, a non-root user, and,
  when BUILDDIR is given, runtime packages that are exactly the packages
  of the libraries the programs link and whose dependencies cover every
  library `ldd` shows;
- the sensor service is the topology's sensor, sending to its org's node
  on the sensor port, reading what it reads in the namespace test: the
  capture of tests/peer/gen_org_capture.py (written in the image's capture
  stage) with that capture's resolvers as --resolver.

Usage: compose_check.py SRCDIR [BUILDDIR]    TAP on stdout, exit 1 on failure
       compose_check.py --write SRCDIR       rewrite docker/config/ from orgs.py
"""
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlab import TAP, check, note  # noqa: E402
import gen_org_capture  # noqa: E402
import orgs    # noqa: E402

PROGRAMS = ["pdns", "pdns-node", "pdns-sensor"]
# The config key that binds each port of orgs.PORTS.
PORT_KEYS = {"sensor": "sensor-listen", "query": "query-listen", "control": "control",
             "publish": "publish"}
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
# Sanitizer runtimes a PDNS_SANITIZE build links; the image's build is not one.
SANITIZER_LIBS = re.compile(r"^lib(asan|ubsan|tsan|lsan)\.so")


def config_name(org):
    return org["host"] + ".conf"


def write_configs(src):
    d = os.path.join(src, "docker", "config")
    os.makedirs(d, exist_ok=True)
    keep = set()
    for o in orgs.ORGS:
        keep.add(config_name(o))
        with open(os.path.join(d, config_name(o)), "w") as f:
            f.write(orgs.docker_config(o))
    for f in os.listdir(d):
        if f.endswith(".conf") and f not in keep:
            os.remove(os.path.join(d, f))
    print("wrote %s" % ", ".join(sorted(keep)))
    return 0


# ---- reading the files ----

def read(path):
    with open(path) as f:
        return f.read()


def dockerfile_stages(text):
    """[(from_args, [(INSTR, args)])] of a Dockerfile; continuation lines
    joined, comments dropped."""
    lines, cur = [], ""
    for raw in text.splitlines():
        s = raw.strip()
        if not cur and (not s or s.startswith("#")):
            continue
        if cur and s.startswith("#"):
            continue
        if s.endswith("\\"):
            cur += s[:-1] + " "
            continue
        lines.append(cur + s)
        cur = ""
    stages = []
    for line in lines:
        instr, _, args = line.partition(" ")
        instr, args = instr.upper(), " ".join(args.split())
        if instr == "FROM":
            stages.append((args, []))
        elif stages:
            stages[-1][1].append((instr, args))
    return stages


def exec_form(args):
    """The argv of an instruction in JSON form or shell form."""
    if args.startswith("["):
        return yaml.safe_load(args)
    return ["/bin/sh", "-c", args]


def argv_of(svc):
    cmd = svc.get("command")
    if cmd is None:
        return None
    return cmd if isinstance(cmd, list) else shlex.split(cmd)


def option(argv, name):
    """The value after the only occurrence of option name, or None."""
    hits = [i for i, a in enumerate(argv or []) if a == name]
    if len(hits) != 1 or hits[0] + 1 >= len(argv):
        return None
    return argv[hits[0] + 1]


def mounts(svc):
    """{target: (source, read_only)} of a service's short-form volumes."""
    out = {}
    for v in svc.get("volumes") or []:
        if not isinstance(v, str):
            out["?"] = (str(v), False)
            continue
        parts = v.split(":")
        ro = len(parts) > 2 and "ro" in parts[2].split(",")
        out[parts[1] if len(parts) > 1 else parts[0]] = (parts[0], ro)
    return out


def config_binds(text):
    """{config key: endpoint} of the bind keys, [(peer, key, endpoint)]."""
    binds, peers, section = {}, [], ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#"):
            k, v = (x.strip() for x in line.split("=", 1))
            if k in PORT_KEYS.values() and (section == "node" or section.startswith("group ")):
                binds[k] = v
            elif section.startswith("peer ") and k in ("endpoint", "query-endpoint"):
                peers.append((section.split()[1], k, v))
    return binds, peers


def host_port(endpoint):
    m = re.fullmatch(r"tcp://(\[[^\]]*\]|[^:]+):(\d+)", endpoint or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def depends(svc, name):
    d = svc.get("depends_on") or {}
    if isinstance(d, list):
        return "service_started" if name in d else None
    return (d.get(name) or {}).get("condition", "service_started") if name in d else None


# ---- the checks ----

def check_nodes(src, comp, nodes, df_cmd):
    hosts = [o["host"] for o in orgs.ORGS]
    check(sorted(nodes) == sorted(hosts), "node services %s are the topology's hosts %s"
          % (sorted(nodes), sorted(hosts)))
    cdir = os.path.join(src, "docker", "config")
    files = sorted(f for f in os.listdir(cdir)) if os.path.isdir(cdir) else []
    check(files == sorted(config_name(o) for o in orgs.ORGS),
          "docker/config holds one config per organisation %s" % files)
    check(df_cmd == ["pdns-node", "--config", orgs.DOCKER_CONFIG],
          "the image runs pdns-node --config %s in the foreground (%s)" % (orgs.DOCKER_CONFIG, df_cmd))
    stores = []
    for o in orgs.ORGS:
        svc = comp["services"].get(o["host"], {})
        h = o["host"]
        check(svc.get("hostname") == h, "%s: hostname %s" % (h, svc.get("hostname")))
        argv = argv_of(svc)
        check(argv is None or argv == ["pdns-node", "--config", orgs.DOCKER_CONFIG],
              "%s: runs the image's pdns-node command (%s)" % (h, argv))
        m = mounts(svc)
        src_conf, ro = m.get(orgs.DOCKER_CONFIG, (None, False))
        check(src_conf == "./config/" + config_name(o) and ro,
              "%s: mounts ./config/%s read-only at %s (%s)"
              % (h, config_name(o), orgs.DOCKER_CONFIG, src_conf))
        path = os.path.join(cdir, config_name(o))
        text = read(path) if os.path.exists(path) else None
        same = text == orgs.docker_config(o)
        check(same, "%s: docker/config/%s is orgs.node_config(%s, %s, %s) byte for byte%s"
              % (h, config_name(o), o["name"], orgs.DOCKER_KEYS, orgs.DOCKER_STORE,
                 "" if same else " (run compose_check.py --write SRCDIR)"))
        keys_src, keys_ro = m.get(orgs.DOCKER_KEYS, (None, False))
        check(keys_src == "keys" and keys_ro, "%s: the key volume read-only at %s"
              % (h, orgs.DOCKER_KEYS))
        store_src, _ = m.get(os.path.dirname(orgs.DOCKER_STORE), (None, False))
        stores.append(store_src)
        check(store_src is not None and not store_src.startswith((".", "/"))
              and store_src in (comp.get("volumes") or {}),
              "%s: a named store volume at %s (%s)"
              % (h, os.path.dirname(orgs.DOCKER_STORE), store_src))
        check(depends(svc, "keys") == "service_completed_successfully",
              "%s: starts once the keys service has completed" % h)
    check(len(set(stores)) == len(stores), "each node has its own store volume %s" % stores)
    nets = comp.get("networks") or {}
    check(len(nets) == 1 and all((n or {}).get("driver", "bridge") == "bridge"
                                 for n in nets.values()),
          "one bridge network %s" % list(nets))
    for name, svc in sorted(comp["services"].items()):
        check(list(svc.get("networks") or []) == list(nets),
              "%s: on the network %s" % (name, list(nets)))


def fake_pdns(bindir):
    """A stand-in for `pdns keygen PREFIX` when no build is given: writes
    PREFIX.key (0600) and PREFIX.pub, refuses existing files."""
    path = os.path.join(bindir, "pdns")
    with open(path, "w") as f:
        f.write('#!/bin/sh\n[ "$1" = keygen ] && [ $# -eq 2 ] || exit 64\n'
                '[ -e "$2.key" ] || [ -e "$2.pub" ] && exit 73\n'
                '(umask 077; echo "secret $2" >"$2.key")\n'
                'echo "public $2" >"$2.pub"; chmod 644 "$2.pub"; echo fakeZ85\n')
    os.chmod(path, 0o755)


def run_keys(script, args, keys, bindir):
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
               PDNS_KEYS_DIR=keys, PDNS_KEYS_OWNER="%d:%d" % (os.getuid(), os.getgid()))
    return subprocess.run(["sh", script] + args, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)


def snapshot(keys):
    out = {}
    for f in sorted(os.listdir(keys)):
        p = os.path.join(keys, f)
        out[f] = (stat.S_IMODE(os.stat(p).st_mode), open(p, "rb").read())
    return out


def check_keys(src, comp, df, build):
    svc = comp["services"].get("keys", {})
    argv = argv_of(svc) or []
    want = [n + ".key" if kind == "pair" else n for kind, n in orgs.key_plan()]
    check(argv[:1] == ["pdns-keys"] and sorted(argv[1:]) == sorted(want),
          "keys: makes exactly orgs.key_plan() %s (compose says %s)" % (want, argv[1:]))
    final = df[-1][1] if df else []
    copied = [a.split() for i, a in final if i == "COPY"]
    check(["docker/entrypoint-keys.sh", "/usr/local/bin/pdns-keys"] in copied,
          "keys: the image holds docker/entrypoint-keys.sh as pdns-keys")
    env = svc.get("environment") or {}
    m = mounts(svc)
    check(m.get(orgs.DOCKER_KEYS) == ("keys", False) and env.get("PDNS_KEYS_DIR") == orgs.DOCKER_KEYS,
          "keys: writes the key volume at %s" % orgs.DOCKER_KEYS)
    user = [a for i, a in final if i == "USER"]
    check(str(svc.get("user")) in ("0", "0:0", "root") and user and
          env.get("PDNS_KEYS_OWNER") == "%s:%s" % (user[-1], user[-1]),
          "keys: runs as root and gives the files to the image's user %s (%s)"
          % (user[-1:], env.get("PDNS_KEYS_OWNER")))
    # Run the script itself, as the service would, on a temporary directory.
    tmp = tempfile.mkdtemp(prefix="pdns-compose-keys-")
    try:
        bindir = os.path.join(tmp, "bin")
        os.makedirs(bindir)
        real = build and all(os.path.exists(os.path.join(build, "bin", p)) for p in PROGRAMS)
        if real:
            os.symlink(os.path.abspath(os.path.join(build, "bin", "pdns")), os.path.join(bindir, "pdns"))
            note("keys script run with %s/bin/pdns" % build)
        else:
            fake_pdns(bindir)
            note("keys script run with a stand-in for pdns keygen (no BUILDDIR)")
        keys = os.path.join(tmp, "keys")
        script = os.path.join(src, "docker", "entrypoint-keys.sh")
        r = run_keys(script, argv[1:], keys, bindir)
        made = sorted(os.listdir(keys)) if os.path.isdir(keys) else []
        check(r.returncode == 0 and made == sorted(orgs.key_plan_files()),
              "keys: the script leaves exactly the namespace test's key files %s (exit %d %s)"
              % (made, r.returncode, r.stderr.strip()[-200:]))
        need = set()
        for o in orgs.ORGS:
            need.update(orgs.key_files(o))
        need.update([orgs.SENSOR + ".key", orgs.ADMIN + ".key"])
        check(need <= set(made), "keys: every file the configs, the sensor and the admin "
              "client name is there (missing %s)" % sorted(need - set(made)))
        first = snapshot(keys) if made else {}
        bad = [f for f, (mode, _) in first.items()
               if mode != (0o644 if f.endswith(".pub") else 0o600)]
        check(made and not bad, "keys: secrets mode 0600, public keys 0644 (wrong: %s)" % bad)
        short = [f for f, (_, data) in first.items() if f.endswith(".secret") and len(data) < 32]
        check(made and not short, "keys: group secrets of 32 bytes at least (short: %s)" % short)
        r = run_keys(script, argv[1:], keys, bindir)
        check(r.returncode == 0 and snapshot(keys) == first,
              "keys: a second run keeps every file as it is (exit %d %s)"
              % (r.returncode, r.stderr.strip()[-200:]))
        if real:
            # The configs, with this key directory for /keys, as the node reads them.
            for o in orgs.ORGS:
                conf = os.path.join(tmp, config_name(o))
                with open(conf, "w") as f:
                    f.write(orgs.node_config(o, keys, os.path.join(tmp, "store-" + o["host"])))
                r = subprocess.run([os.path.join(build, "bin", "pdns-node"), "--check-config",
                                    "--config", conf], stderr=subprocess.PIPE, text=True)
                check(r.returncode == 0, "keys: pdns-node --check-config takes %s's config with "
                      "these keys (%s)" % (o["name"], r.stderr.strip()[-300:]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_ports(comp, nodes):
    check(sorted(orgs.PORTS) == sorted(PORT_KEYS), "orgs.PORTS %s are the ports this check "
          "knows the config keys of %s" % (sorted(orgs.PORTS), sorted(PORT_KEYS)))
    for o in orgs.ORGS:
        h = o["host"]
        svc = comp["services"].get(h, {})
        binds, peers = config_binds(orgs.docker_config(o))
        outside = set()
        for name, port in sorted(orgs.PORTS.items()):
            bhost, bport = host_port(binds.get(PORT_KEYS.get(name)))
            check(bport == port, "%s: %s binds port %d (%s)"
                  % (h, PORT_KEYS.get(name), port, binds.get(PORT_KEYS.get(name))))
            if bhost not in LOOPBACK:
                outside.add(port)
        exposed = {int(str(p).split("/")[0]) for p in svc.get("expose") or []}
        check(exposed == outside, "%s: exposes exactly the ports bound beyond loopback %s (%s)"
              % (h, sorted(outside), sorted(exposed)))
        published = [int(str(p).rsplit(":", 1)[-1].split("/")[0]) for p in svc.get("ports") or []]
        check(set(published) <= outside, "%s: publishes only ports it binds beyond loopback %s"
              % (h, published))
        for peer, key, ep in peers:
            phost, pport = host_port(ep)
            want = orgs.PORTS["publish" if key == "endpoint" else "query"]
            check(phost in nodes and pport == want and
                  pport in {int(str(p)) for p in comp["services"][phost].get("expose") or []},
                  "%s: peer %s %s %s is a node service's exposed port" % (h, peer, key, ep))
        hc = (svc.get("healthcheck") or {}).get("test") or []
        check(option(hc, "--node") == "tcp://127.0.0.1:%d" % orgs.PORTS["control"] and
              option(hc, "--node-key") == "%s/%s.pub" % (orgs.DOCKER_KEYS, o["name"]) and
              option(hc, "--key") == "%s/%s.key" % (orgs.DOCKER_KEYS, orgs.ADMIN),
              "%s: the health check asks the control socket with %s's key as %s"
              % (h, o["name"], orgs.ADMIN))


def words_in(text):
    return " ".join(text.split())


def ldd(path):
    """{soname: resolved path} of a program."""
    r = subprocess.run(["ldd", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (\S+)", line)
        if m:
            out[m.group(1)] = m.group(2)
        else:
            m = re.match(r"\s*(/\S+) \(", line)
            if m:
                out[os.path.basename(m.group(1))] = m.group(1)
    return out


def needed(path):
    r = subprocess.run(["readelf", "-d", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)


def package_of(path):
    """The Debian package holding a library (usrmerge: /lib is /usr/lib)."""
    tries = [path, os.path.realpath(path)]
    for p in list(tries):
        tries.append("/usr" + p if p.startswith("/lib") else re.sub(r"^/usr(/lib)", r"\1", p))
    for p in tries:
        r = subprocess.run(["dpkg-query", "-S", p], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True)
        if r.returncode == 0 and r.stdout:
            return r.stdout.split(":")[0].split(",")[0].strip()
    return None


def depends_closure(pkgs):
    """pkgs and everything they depend on (first of each alternative), as
    this Debian 12 machine's dpkg database says."""
    seen, todo = set(), list(pkgs)
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        r = subprocess.run(["dpkg-query", "-W", "-f", "${Depends}, ${Pre-Depends}", p],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for dep in r.stdout.split(","):
            first = dep.split("|")[0].strip().split(" ")[0].split(":")[0]
            if first:
                todo.append(first)
    return seen


def apt_packages(stage):
    pkgs = []
    for instr, args in stage:
        if instr != "RUN":
            continue
        for cmd in args.split("&&"):
            w = cmd.split()
            if w[:1] == ["apt-get"] and "install" in w:
                pkgs += [x for x in w[w.index("install") + 1:] if not x.startswith("-")]
    return pkgs


def check_dockerfile(src, df, build):
    check(len(df) >= 2, "docker/Dockerfile has a build stage and a final stage (%d)" % len(df))
    if len(df) < 2:
        return None
    (b_from, b), (f_from, f) = df[0], df[-1]
    check(re.fullmatch(r"debian:bookworm AS build", b_from, re.I) is not None,
          "build stage: FROM debian:bookworm AS build (%s)" % b_from)
    runs = [a for i, a in b if i == "RUN"]
    ci = read(os.path.join(src, ".ci", "run")).splitlines()
    check("tests/setup.sh" in [ln.strip() for ln in ci] and "tests/setup.sh" in runs,
          "build stage runs tests/setup.sh, the dependency script .ci/run runs")
    readme = words_in(read(os.path.join(src, "README.md")))
    checksh = words_in(read(os.path.join(src, "tests", "check.sh")))
    for r in runs:
        # The whole command, not the start of a longer word (-j is not -j4).
        whole = re.compile(r"(^|[\s&;`(])" + re.escape(words_in(r)) + r"($|[\s&;`)])")
        check(whole.search(readme) is not None or whole.search(checksh) is not None,
              "build stage: `%s` is a command of README.md or tests/check.sh" % r)
    build_dirs = [m.group(1) for r in runs for m in [re.search(r"cmake (?:-S \S+ )?-B (\S+)", r)] if m]
    check(len(build_dirs) == 1 and any("cmake --build " + build_dirs[0] in r for r in runs),
          "build stage: one cmake configure and build of %s" % build_dirs)
    workdir = ([a for i, a in b if i == "WORKDIR"] or ["/"])[-1]
    bindir = os.path.join(workdir, build_dirs[0] if build_dirs else "?", "bin")
    check(["COPY", ". ."] in [[i, a] for i, a in b], "build stage: copies the source tree")
    ign = os.path.join(src, "docker", "Dockerfile.dockerignore")
    ignored = read(ign).split() if os.path.exists(ign) else []
    check(any(x in ignored for x in ("build*", "/build*")),
          "docker/Dockerfile.dockerignore keeps local build trees out of the image's build")
    check(f_from in ("debian:bookworm-slim", "debian:bookworm"),
          "final stage: FROM %s (Debian 12)" % f_from)
    copies = [a.split() for i, a in f if i == "COPY"]
    progs = [c for c in copies if c[:1] == ["--from=build"]]
    got = sorted(os.path.join(c[-1], os.path.basename(s)) for c in progs for s in c[1:-1])
    check(got == sorted("/usr/local/bin/" + p for p in PROGRAMS) and
          all(s.startswith(bindir + "/") for c in progs for s in c[1:-1]),
          "final stage: copies %s from %s into /usr/local/bin (%s)" % (PROGRAMS, bindir, got))
    users = [a for i, a in f if i == "USER"]
    made = any("useradd" in a and a.split()[-1] == (users or ["?"])[-1]
               for i, a in f if i == "RUN" for a in a.split("&&"))
    check(bool(users) and users[-1] not in ("root", "0") and made,
          "final stage: runs as the non-root user it creates (%s)" % users)
    vol = [a for i, a in f if i == "VOLUME"]
    check(os.path.dirname(orgs.DOCKER_STORE) in " ".join(vol),
          "final stage: %s is a volume" % os.path.dirname(orgs.DOCKER_STORE))
    sample = [c[-1] for c in copies if c[:1] == ["tests/data/sample.pcap"]]
    check(len(sample) == 1, "final stage: holds tests/data/sample.pcap (%s)" % sample)
    # The capture stage: FROM build, gen_org_capture.py writes the capture.
    made, capture = {}, None
    for st_from, st in df[1:-1]:
        alias = st_from.split()[-1] if re.search(r" AS ", st_from, re.I) else None
        for i, a in st:
            w = a.split()
            if i == "RUN" and w[:2] == ["python3", "tests/peer/gen_org_capture.py"] and len(w) >= 5:
                made[(alias, w[2])] = st_from.split()[0]
    for c in copies:
        if len(c) == 3 and c[0].startswith("--from=") and (c[0][7:], c[1]) in made:
            capture = c[2] if made[(c[0][7:], c[1])] == "build" else None
    check(capture is not None, "final stage: holds the namespace test's org-a capture, written by "
          "tests/peer/gen_org_capture.py in a stage FROM build (%s)" % capture)
    cmd = [a for i, a in f if i in ("CMD", "ENTRYPOINT")]
    check_runtime(f, build)
    return {"cmd": exec_form(cmd[-1]) if cmd else None, "capture": capture}


def check_runtime(final, build):
    pkgs = apt_packages(final)
    progs = [os.path.join(build or "", "bin", p) for p in PROGRAMS]
    if not build or not all(os.path.exists(p) for p in progs):
        check(True, "runtime packages %s # SKIP no BUILDDIR with %s given" % (pkgs, PROGRAMS))
        return
    if shutil.which("dpkg-query") is None or shutil.which("readelf") is None:
        check(True, "runtime packages # SKIP needs dpkg-query and readelf")
        return
    cache = os.path.join(build, "CMakeCache.txt")
    sanitized = os.path.exists(cache) and "PDNS_SANITIZE:BOOL=ON" in read(cache)
    if sanitized:
        note("%s is a sanitizer build: its sanitizer runtimes are not the image's" % build)
    direct, every, unknown = set(), set(), []
    for p in progs:
        libs = ldd(p)
        for soname, path in libs.items():
            if sanitized and SANITIZER_LIBS.match(soname):
                continue
            pkg = package_of(path)
            if pkg is None:
                if not soname.startswith(("ld-linux", "linux-vdso")):
                    unknown.append(path)
                continue
            every.add(pkg)
            if soname in needed(p):
                direct.add(pkg)
    check(not unknown, "every library the programs load belongs to a package (not: %s)" % unknown)
    check(sorted(direct) == sorted(set(pkgs)),
          "final stage installs exactly the packages of the libraries the programs link %s (%s)"
          % (sorted(direct), pkgs))
    missing = every - depends_closure(pkgs)
    check(not missing, "the runtime packages' dependencies bring every library `ldd` shows "
          "(missing %s)" % sorted(missing))


def check_sensor(comp, nodes, image):
    with_sensor = [o for o in orgs.ORGS
                   if "[sensor %s]" % orgs.SENSOR in orgs.docker_config(o)]
    sensors = {n: s for n, s in comp["services"].items()
               if (argv_of(s) or [None])[0] == "pdns-sensor"}
    check(len(with_sensor) == 1 and len(sensors) == 1,
          "one sensor service %s for the one org with [sensor %s] %s"
          % (sorted(sensors), orgs.SENSOR, [o["name"] for o in with_sensor]))
    if len(with_sensor) != 1 or len(sensors) != 1:
        return
    o, (name, svc) = with_sensor[0], next(iter(sensors.items()))
    argv = argv_of(svc)
    check(option(argv, "--node") == "tcp://%s:%d" % (o["host"], orgs.PORTS["sensor"]),
          "%s: sends to %s's sensor-listen tcp://%s:%d (%s)"
          % (name, o["name"], o["host"], orgs.PORTS["sensor"], option(argv, "--node")))
    check(option(argv, "--node-key") == "%s/%s.pub" % (orgs.DOCKER_KEYS, o["name"]),
          "%s: --node-key is %s's public key" % (name, o["name"]))
    key = option(argv, "--key") or ""
    sname = option(argv, "--sensor-name") or os.path.basename(key)[:-4]
    check(key == "%s/%s.key" % (orgs.DOCKER_KEYS, orgs.SENSOR) and sname == orgs.SENSOR,
          "%s: is sensor %s with its key (%s)" % (name, orgs.SENSOR, key))
    check(option(argv, "-r") is not None and option(argv, "-r") == image["capture"],
          "%s: reads the namespace test's capture the image holds (%s)" % (name, option(argv, "-r")))
    res = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--resolver"]
    want = [gen_org_capture.RES4, gen_org_capture.RES6]
    check(res == want, "%s: --resolver %s, the capture's resolvers as in the namespace test (%s)"
          % (name, want, res))
    check(mounts(svc).get(orgs.DOCKER_KEYS) == ("keys", True),
          "%s: the key volume read-only at %s" % (name, orgs.DOCKER_KEYS))
    check(depends(svc, o["host"]) == "service_healthy",
          "%s: starts once %s answers its health check" % (name, o["host"]))


def main(argv):
    if len(argv) == 3 and argv[1] == "--write":
        return write_configs(argv[2])
    if len(argv) not in (2, 3):
        print("usage: compose_check.py SRCDIR [BUILDDIR] | --write SRCDIR", file=sys.stderr)
        return 64
    src, build = argv[1], (argv[2] if len(argv) == 3 else None)
    comp = yaml.safe_load(read(os.path.join(src, "docker", "compose.yml")))
    df = dockerfile_stages(read(os.path.join(src, "docker", "Dockerfile")))
    services = comp.get("services") or {}
    comp["services"] = services
    nodes = sorted(n for n, s in services.items()
                   if orgs.DOCKER_CONFIG in mounts(s) or argv_of(s) is None)
    known = set(nodes) | {"keys"} | {n for n, s in services.items()
                                      if (argv_of(s) or [None])[0] == "pdns-sensor"}
    check(set(services) == known, "compose.yml: nodes, keys and sensors only (other: %s)"
          % sorted(set(services) - known))
    image = check_dockerfile(src, df, build) or {"cmd": None, "capture": None}
    check_nodes(src, comp, nodes, image["cmd"])
    check_keys(src, comp, df, build)
    check_ports(comp, nodes)
    check_sensor(comp, nodes, image)
    return TAP.done()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
