#!/usr/bin/env python3
"""Time from an address change on an interface to the authoritative server serving it.

Runs inside a network namespace this script creates (its own loopback and a veth pair):
a private named and the dnsup daemon (poll interval 1 h, so only kernel events can explain a
fast update). For each round it adds a new address to the interface and polls named with raw
UDP queries (no process spawns) until the A record shows it. Prints the median in ms.

usage: bench/daemon_latency.py target/x86_64-unknown-linux-gnu/release/dnsup keys.example zones/example.test.zone [ROUNDS]
Needs root (ip netns), iproute2 and named. Prints the median in milliseconds; the issue's target
is 50 ms (the polling updaters take 120 to 300 s).
"""
import os, shutil, socket, statistics, struct, subprocess, sys, tempfile, time

def inner(rounds):
    """Inside the namespace: change the address, poll named until it serves it."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect(("127.0.0.1", 53))
    s.settimeout(0.2)
    msg = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"\x04home\x07example\x04test\x00" + struct.pack(">HH", 1, 1)
    prev = None
    for i in range(rounds):
        addr = f"203.0.113.{10 + i}"
        if prev:
            subprocess.run(["ip", "addr", "del", f"{prev}/24", "dev", "d0"], check=True)
        t0 = time.monotonic()
        subprocess.run(["ip", "addr", "add", f"{addr}/24", "dev", "d0"], check=True)
        while True:
            try:
                s.send(msg)
                d = s.recv(512)
            except socket.timeout:
                continue
            # The first answer's rdata: after the header, the question and the answer's
            # compressed owner (2), type, class (4), TTL (4) and RDLENGTH (2).
            at = len(msg) + 2 + 4 + 4 + 2
            if struct.unpack(">H", d[6:8])[0] and socket.inet_ntoa(d[at:at + 4]) == addr:
                break
        print(f"{(time.monotonic() - t0) * 1000:.1f}", flush=True)
        prev = addr
        time.sleep(0.3)

if sys.argv[1] == "--inner":
    inner(int(sys.argv[2]))
    sys.exit(0)

dnsup, key_file, zone_file = sys.argv[1:4]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 10
ns = f"dnsup-bench-{os.getpid()}"
tmp = tempfile.mkdtemp(prefix="dnsup-lat-")
procs = []

def ip(*args):
    subprocess.run(["ip", "-n", ns, *args], check=True)

def query(sock, name):
    qid = os.getpid() & 0xFFFF
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.strip(".").split("."):
        msg += bytes([len(label)]) + label.encode()
    msg += b"\0" + struct.pack(">HH", 1, 1)
    sock.send(msg)
    data = sock.recv(512)
    an = struct.unpack(">H", data[6:8])[0]
    if an == 0:
        return None
    return socket.inet_ntoa(data[-4:])

def in_ns(*cmd, **kw):
    return subprocess.Popen(["ip", "netns", "exec", ns, *cmd], **kw)

try:
    subprocess.run(["ip", "netns", "add", ns], check=True)
    ip("link", "set", "lo", "up")
    ip("link", "add", "d0", "type", "veth", "peer", "name", "d1")
    ip("link", "set", "d0", "up")
    ip("link", "set", "d1", "up")
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
    named = shutil.which("named") or "/usr/sbin/named"
    procs.append(in_ns(named, "-g", "-c", f"{tmp}/named.conf", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    with open(f"{tmp}/dnsup.toml", "w") as f:
        f.write(f'''interval = "1h"
state_file = "{tmp}/state.json"
[providers.lab]
type = "rfc2136"
servers = ["127.0.0.1:53"]
key_file = "{tmp}/k.key"
[sources.d0]
type = "interface"
name = "d0"
[[records]]
name = "home.example.test"
zone = "example.test"
provider = "lab"
ipv4 = ["d0"]
ttl = 60
allow = ["documentation"]
''')
    time.sleep(0.5)
    procs.append(in_ns(dnsup, "run", "-c", f"{tmp}/dnsup.toml", stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/daemon.log", "w")))
    time.sleep(1.0)
    # The measuring loop runs inside the namespace (its socket and `ip` calls live there).
    out = subprocess.run(["ip", "netns", "exec", ns, sys.executable, __file__, "--inner", str(rounds)],
                         check=True, capture_output=True, text=True, timeout=120)
    samples = [float(x) for x in out.stdout.split()]
    print(f"{statistics.median(samples):.1f}")
finally:
    for p in procs:
        p.kill()
    subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
    shutil.rmtree(tmp, ignore_errors=True)
