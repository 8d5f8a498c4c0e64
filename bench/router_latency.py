#!/usr/bin/env python3
"""Time from a WAN address change on a home router to the authoritative server serving it.

Builds its own network namespaces: `isp`, `router` (Debian's miniupnpd answering NAT-PMP, PCP
and UPnP IGD on its LAN, WAN address 100.128.N.2), a bridge, and `host` (behind the router,
where a private named and the dnsup daemon run, poll interval 1 h, so only the router's
announcement or GENA event can explain a fast update). For each protocol, ROUNDS times: move the
router's WAN address (flush + add, as a DHCP renewal does) and poll named with raw UDP queries
(no process spawns) until the A record shows it. Prints median and max per protocol in ms.

usage: bench/router_latency.py DNSUP KEY_FILE ZONE_FILE [ROUNDS] [--write BENCHMARKS.md]
  e.g. bench/router_latency.py target/x86_64-unknown-linux-gnu/release/dnsup keys.example \\
           zones/example.test.zone 20 --write BENCHMARKS.md
Needs root, iproute2, nftables, miniupnpd-nftables, bind9. The issue's target is a median of
at most 100 ms (the polling updaters take 120 to 300 s). With --write, the section between the
router-latency markers of BENCHMARKS.md is replaced (bench/report.py keeps it when it rewrites
the file).
"""
import os, shutil, socket, statistics, struct, subprocess, sys, tempfile, time

BEGIN = "<!-- router-latency: begin (bench/router_latency.py) -->"
END = "<!-- router-latency: end -->"


def inner(prefix, rounds):
    """In the host namespace: ask the router namespace to move the WAN address, poll named."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", 53))
    s.settimeout(0.2)
    msg = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\x04home\x07example\x04test\x00" + struct.pack(">HH", 1, 1)
    for i in range(rounds):
        addr = f"100.128.{(i + 1) % 2}.2"
        subprocess.run(["ip", "-n", f"{prefix}-router", "addr", "flush", "dev", "wan0"], check=True)
        t0 = time.monotonic()
        subprocess.run(["ip", "-n", f"{prefix}-router", "addr", "add", f"{addr}/24", "dev", "wan0"], check=True)
        while True:
            if time.monotonic() - t0 > 30:
                print("timeout", flush=True)
                sys.exit(1)
            try:
                s.send(msg)
                d = s.recv(512)
            except socket.timeout:
                continue
            at = len(msg) + 2 + 4 + 4 + 2
            if struct.unpack(">H", d[6:8])[0] and socket.inet_ntoa(d[at:at + 4]) == addr:
                break
        print(f"{(time.monotonic() - t0) * 1000:.1f}", flush=True)
        time.sleep(1.0)


if len(sys.argv) > 1 and sys.argv[1] == "--inner":
    inner(sys.argv[2], int(sys.argv[3]))
    sys.exit(0)

args = [a for a in sys.argv[1:]]
write = None
if "--write" in args:
    i = args.index("--write")
    write = args[i + 1]
    del args[i:i + 2]
dnsup, key_file, zone_file = [os.path.abspath(a) for a in args[:3]]
rounds = int(args[3]) if len(args) > 3 else 20
prefix = f"dnsup-rbench-{os.getpid()}"
names = ["isp", "router", "switch", "host"]


def run(*cmd):
    subprocess.run(cmd, check=True)


def ip(ns, *a):
    run("ip", "-n", f"{prefix}-{ns}", *a)


def in_ns(ns, *cmd, **kw):
    return subprocess.Popen(["ip", "netns", "exec", f"{prefix}-{ns}", *cmd], **kw)


def measure(kind, tmp):
    """One protocol: a fresh miniupnpd, named and daemon; ROUNDS changes; the samples."""
    procs = []
    try:
        ip("router", "addr", "flush", "dev", "wan0")
        ip("router", "addr", "add", "100.128.0.2/24", "dev", "wan0")
        mu = in_ns("router", shutil.which("miniupnpd") or "/usr/sbin/miniupnpd", "-P", f"{tmp}/mu.pid", "-d", "-f",
                   f"{tmp}/miniupnpd.conf", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(mu)
        named = shutil.which("named") or "/usr/sbin/named"
        procs.append(in_ns("host", named, "-g", "-c", f"{tmp}/named.conf",
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with open(f"{tmp}/dnsup-{kind}.toml", "w") as f:
            f.write(f'''interval = "1h"
state_file = "{tmp}/state-{kind}.json"
[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:53"]
key_file = "{tmp}/k.key"
[sources.router]
type = "{kind}"
[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv4 = ["router"]
ttl = 60
''')
        time.sleep(1.0)
        procs.append(in_ns("host", dnsup, "-v", "run", "-c", f"{tmp}/dnsup-{kind}.toml",
                           stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/daemon-{kind}.log", "w")))
        time.sleep(3.0)  # the first pass, and the UPnP subscription with its initial event
        out = subprocess.run(["ip", "netns", "exec", f"{prefix}-host", sys.executable, __file__,
                              "--inner", prefix, str(rounds)],
                             capture_output=True, text=True, timeout=60 + 35 * rounds)
        if out.returncode != 0:
            sys.exit(f"{kind}: a change was not served within 30 s; see {tmp}/daemon-{kind}.log")
        return [float(x) for x in out.stdout.split()]
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


tmp = tempfile.mkdtemp(prefix="dnsup-rlat-")
results = {}
start_load_text = " ".join(open("/proc/loadavg").read().split()[:3])
try:
    for n in names:
        run("ip", "netns", "add", f"{prefix}-{n}")
        ip(n, "link", "set", "lo", "up")
    run("ip", "link", "add", "wan0", "netns", f"{prefix}-router", "type", "veth", "peer", "name", "isp0",
        "netns", f"{prefix}-isp")
    ip("switch", "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
    run("ip", "link", "add", "lan0", "netns", f"{prefix}-router", "type", "veth", "peer", "name", "lanp0",
        "netns", f"{prefix}-switch")
    run("ip", "link", "add", "eth0", "netns", f"{prefix}-host", "type", "veth", "peer", "name", "hostp",
        "netns", f"{prefix}-switch")
    for port in ["lanp0", "hostp"]:
        ip("switch", "link", "set", port, "master", "br0", "up")
    ip("switch", "link", "set", "br0", "up")
    ip("isp", "addr", "add", "100.128.0.1/24", "dev", "isp0")
    ip("isp", "addr", "add", "100.128.1.1/24", "dev", "isp0")
    ip("isp", "link", "set", "isp0", "up")
    ip("router", "link", "set", "wan0", "up")
    ip("router", "addr", "add", "192.168.77.1/24", "dev", "lan0")
    ip("router", "link", "set", "lan0", "up")
    ip("host", "addr", "add", "192.168.77.10/24", "dev", "eth0")
    ip("host", "link", "set", "eth0", "up")
    ip("host", "route", "add", "default", "via", "192.168.77.1")
    with open(f"{tmp}/nft.conf", "w") as f:
        f.write("table inet filter {\n chain miniupnpd {\n }\n chain prerouting_miniupnpd {\n }\n"
                " chain postrouting_miniupnpd {\n }\n}\n")
    run("ip", "netns", "exec", f"{prefix}-router", "nft", "-f", f"{tmp}/nft.conf")
    with open(f"{tmp}/miniupnpd.conf", "w") as f:
        f.write("ext_ifname=wan0\nlisten" + "ing_ip=lan0\nport=0\nenable_natpmp=yes\nenable_upnp=yes\n"
                "secure_mode=yes\nsystem_uptime=yes\nipv6_disable=yes\n"
                "uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b\n"
                "allow 1024-65535 192.168.77.0/24 1024-65535\ndeny 0-65535 0.0.0.0/0 0-65535\n")
    shutil.copy(zone_file, f"{tmp}/zone")
    shutil.copy(key_file, f"{tmp}/k.key")
    os.chmod(f"{tmp}/k.key", 0o600)
    with open(f"{tmp}/named.conf", "w") as f:
        f.write(f'''include "{tmp}/k.key";
options {{ directory "{tmp}"; pid-file "{tmp}/p"; session-keyfile "{tmp}/s.key";
  listen-on port 53 {{ 127.0.0.1; }}; listen-on-v6 {{ none; }}; recursion no; notify no; }};
controls {{ }};
zone "example.test" {{ type primary; file "{tmp}/zone"; allow-update {{ key "dnsup-demo"; }}; }};
''')
    for kind in ["natpmp", "pcp", "upnp"]:
        samples = measure(kind, tmp)
        results[kind] = samples
        print(f"{kind}: {len(samples)} changes, median {statistics.median(samples):.1f} ms, "
              f"max {max(samples):.1f} ms", flush=True)
finally:
    for n in names:
        subprocess.run(["ip", "netns", "del", f"{prefix}-{n}"], stderr=subprocess.DEVNULL)
    shutil.rmtree(tmp, ignore_errors=True)

if write:
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    # From the path, or BENCH_BUILD=release for a release binary copied elsewhere.
    build = "release" if "/release/" in dnsup or os.environ.get("BENCH_BUILD") == "release" else "debug"
    start_load = start_load_text
    rows = "\n".join(
        f"| `{k}` | {len(v)} | {statistics.median(v):.1f} ms | {max(v):.1f} ms |" for k, v in results.items())
    section = f"""{BEGIN}
## Behind a home router: WAN change -> served record

`bench/router_latency.py` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {build} build, load {start_load} -> {load} on
{os.cpu_count()} cores): Debian's
miniupnpd as the router in network namespaces, named and the dnsup daemon behind it with a
one-hour poll interval; the router's WAN address moves (flush + add) and named is polled with
raw UDP queries until it serves the new A record. Target: median ≤ 100 ms (polling peers:
120-300 s).

| source | changes | median | max |
|---|---|---|---|
{rows}
{END}"""
    text = open(write).read()
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(write, "w") as f:
        f.write(text)
