#!/usr/bin/env python3
"""Turn the measurements of bench/run into one table (stdout) and, given a path, BENCHMARKS.md.

Usage: report.py RESULTS.tsv META.tsv [BENCHMARKS.md]

RESULTS.tsv holds `key<TAB>value` lines (a key may repeat: one line per repetition); values are
seconds, KiB, byte counts, "n/a (why)" texts, or the path of a hyperfine JSON export.
"""

import json
import re
import statistics
import sys
from collections import defaultdict


def load(path):
    out = defaultdict(list)
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if "\t" in line:
                k, v = line.split("\t", 1)
                out[k].append(v)
    return out


def hyperfine_medians(paths):
    """Medians per command over the runs of every export (the rounds of one measurement)."""
    times = defaultdict(list)
    for path in paths:
        with open(path) as f:
            for r in json.load(f)["results"]:
                times[r["command"]].extend(r["times"])
    return {c: statistics.median(t) for c, t in times.items()}


def median(values):
    return float(statistics.median(float(v) for v in values))


def ms(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f} ms"
    if seconds >= 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.2f} ms"


def mib(kib):
    return f"{float(kib) / 1024:.1f} MiB"


def size(b):
    b = float(b)
    return f"{b / 1048576:.2f} MiB" if b >= 1048576 else f"{b / 1024:.0f} KiB"


def rate(records, seconds):
    return f"{records / seconds:,.0f} records/s"


def ratio(a, b):
    if not is_ok(a) or not is_ok(b):
        return "–"
    return f"{a / b:.2f}"


class Failed(str):
    """A measurement whose command failed: shown with its time and error, left out of ratios."""


RES = {}


def seconds(values, key=None):
    """The median of a measurement in seconds; a Failed text if the command failed."""
    errors = RES.get(f"{key}.error") if key else None
    if errors:
        return Failed(f"{ms(median(values))}, failed ({'; '.join(errors)})")
    return median(values)


def is_number(v):
    try:
        float(v)
        return True
    except ValueError:
        return False


def shown(v):
    return ms(v) if isinstance(v, float) else v


def with_rate(v, records):
    return f"{ms(v)} = {rate(records, v)}" if isinstance(v, float) else v


def is_ok(v):
    return isinstance(v, float)


# Which run filled each bulk zone (zone name without its repetition number).
ZONE_RUN = {
    "persend-nsupdate": "persend.{srv}.nsupdate",
    "persend-knsupdate": "persend.{srv}.knsupdate",
    "persend-dnsup": "persend.{srv}.dnsup-nsupdate",
    "persend-apply1": "persend.{srv}.dnsup-apply1",
    "persend-knsupdate-tcp": "persend.{srv}.knsupdate-tcp",
    "persend-dnsup-tcp": "persend.{srv}.dnsup-nsupdate-tcp",
    "persend-dnsup-tls": "persend.{srv}.dnsup-nsupdate-tls",
    "bulk-apply": "bulk.{srv}.apply",
    "bulk-nsupdate": "bulk.{srv}.nsupdate",
    "bulk-knsupdate": "bulk.{srv}.knsupdate",
}


def identical(res, srv):
    """Whether every bulk zone holds exactly the records sent; a zone whose run failed is
    named with the failure instead."""
    verdicts = [v.split(": ", 1) for v in res[f"identical.{srv}"]]
    differ = []
    for zone, verdict in verdicts:
        if verdict == "same":
            continue
        run = ZONE_RUN.get(re.sub(r"-\d+$", "", zone), "").format(srv=srv)
        why = " (that run failed)" if f"{run}.error" in res else ""
        differ.append(f"{zone}: {verdict}{why}")
    same = len(verdicts) - len(differ)
    text = f"{same} of {len(verdicts)} zones identical"
    return text + ("" if not differ else "; " + "; ".join(differ))


def main():
    res = load(sys.argv[1])
    RES.update(res)
    meta = {k: v[0] for k, v in load(sys.argv[2]).items()}
    out_path = sys.argv[3] if len(sys.argv) > 3 else None
    n = int(meta["records"])
    runs = meta["runs"]
    reps = int(meta["reps"])
    rows = []  # (#, measurement, server, dnsup, peer, peer value, dnsup/peer, target)
    targets = []  # (text, holds: bool or None, detail)
    servers = {"bind": "BIND", "knot": "Knot"}

    # 1. one-shot latency
    for srv, name in servers.items():
        m = hyperfine_medians(res[f"oneshot.{srv}"])
        d = m["dnsup"]
        what = f"one signed update, whole process, wall (median of {runs})"
        for peer in ("nsupdate", "knsupdate"):
            target = "≤ 0.50" if peer == "knsupdate" else ""
            rows.append(("1", what, name, f"`dnsup add` {ms(d)}", peer, ms(m[peer]),
                         ratio(d, m[peer]), target))
        if "dnsup-static" in m:
            rows.append(("1", what, name, f"`dnsup add`, static build {ms(m['dnsup-static'])}",
                         "knsupdate", ms(m["knsupdate"]), ratio(m["dnsup-static"], m["knsupdate"]),
                         "≤ 0.50"))
        if "dnsup-dot" in m:
            rows.append(("1", f"{what}, over DoT (new TLS session) vs UDP", name,
                         f"`dnsup add --tls` {ms(m['dnsup-dot'])}", "`dnsup add` over UDP",
                         ms(d), ratio(m["dnsup-dot"], d), ""))
        rows.append(("1", what, name, f"`dnsup nsupdate` {ms(m['dnsup-nsupdate'])}",
                     "nsupdate", ms(m["nsupdate"]), ratio(m["dnsup-nsupdate"], m["nsupdate"]), ""))
        for label, key in (("`cargo build --release`", "dnsup"), ("static build", "dnsup-static")):
            if key in m:
                r = m[key] / m["knsupdate"]
                targets.append((f"one-shot wall time at most half of knsupdate's ({name}, {label})",
                                r <= 0.5,
                                f"dnsup {ms(m[key])} vs knsupdate {ms(m['knsupdate'])}: {r:.2f}"))

    # 2a. a send per record
    for srv, name in servers.items():
        pn = int(res[f"persend.{srv}.records"][0])
        what = f"{pn:,} records, an nsupdate script with a send per record"
        d = seconds(res[f"persend.{srv}.dnsup-nsupdate"])
        for peer in ("nsupdate", "knsupdate"):
            p = seconds(res[f"persend.{srv}.{peer}"], f"persend.{srv}.{peer}")
            target = "≤ 1.00" if peer == "knsupdate" and srv == "bind" else ""
            rows.append(("2a", what, name, f"`dnsup nsupdate` {shown(d)}", peer, shown(p),
                         ratio(d, p), target))
        # Over TCP and DoT (BIND only): dnsup -v and -S against knsupdate -v (no TLS in it).
        for key, how in (("dnsup-nsupdate-tcp", "`dnsup nsupdate -v` (TCP)"),
                         ("dnsup-nsupdate-tls", "`dnsup nsupdate -S` (DoT)")):
            if f"persend.{srv}.{key}" not in res:
                continue
            d2 = seconds(res[f"persend.{srv}.{key}"])
            p = seconds(res[f"persend.{srv}.knsupdate-tcp"], f"persend.{srv}.knsupdate-tcp")
            rows.append(("2a", what, name, f"{how} {shown(d2)}", "knsupdate -v (TCP)", shown(p),
                         ratio(d2, p), "≤ 1.00"))
            if is_ok(p):
                targets.append((f"a send per record at most knsupdate's time ({name}, {how})",
                                d2 <= p, f"{shown(d2)} vs {shown(p)}: {d2 / p:.2f}"))
        p = seconds(res[f"persend.{srv}.knsupdate"], f"persend.{srv}.knsupdate")
        if srv == "bind" and is_ok(p):
            targets.append((f"a send per record at most knsupdate's time ({name}, UDP)",
                            d <= p, f"{shown(d)} vs {shown(p)}: {d / p:.2f}"))
        a = seconds(res[f"persend.{srv}.dnsup-apply1"])
        p = seconds(res[f"persend.{srv}.nsupdate"], f"persend.{srv}.nsupdate")
        rows.append(("2a", f"{pn:,} records, one record per message", name,
                     f"`dnsup apply --batch-size 1` {shown(a)} (pipelined)", "nsupdate",
                     shown(p), ratio(a, p), ""))

    # 2b. one logical change
    max_records = int(res["max.records"][0])
    for srv, name in servers.items():
        what = f"{n:,} records as one logical change (median of {reps})"
        d = median(res[f"bulk.{srv}.apply"])
        for peer, how in (("nsupdate", "nsupdate -v"), ("knsupdate", "knsupdate -v")):
            p = seconds(res[f"bulk.{srv}.{peer}"], f"bulk.{srv}.{peer}")
            rows.append(("2b", what, name, f"`dnsup apply` {ms(d)} = {rate(n, d)}",
                         f"{how}, sends of 2,000", with_rate(p, n), ratio(d, p),
                         "≥ 20,000 records/s" if srv == "bind" else ""))
        ma = median(res[f"max.{srv}.apply"])
        mn = seconds(res[f"max.{srv}.nsupdate"], f"max.{srv}.nsupdate")
        rows.append(("2b", f"one maximal TCP update ({max_records:,} records, one message)",
                     name, f"`dnsup apply` {ms(ma)} = {rate(max_records, ma)}",
                     "nsupdate -v, one send", with_rate(mn, max_records),
                     ratio(ma, mn), ""))
        ceiling = max(max_records / ma, max_records / mn if is_ok(mn) else 0)
        rows.append(("2b", f"{n:,} records as one change vs the ceiling", name,
                     rate(n, d), "one maximal update (faster of the two)",
                     f"{ceiling:,.0f} records/s", f"{(n / d) / ceiling:.2f} of it", ""))
        rows.append(("2b", "zones identical after every bulk run", name,
                     identical(res, srv), "", "", "", ""))
        if srv == "bind":
            targets.append((f"{n:,} records as one logical change at 20,000 records/s or more on BIND",
                            n / d >= 20000,
                            f"{rate(n, d)} ({ms(d)}); one maximal TCP update runs at "
                            f"{ceiling:,.0f} records/s"))

    # 3. memory
    mem = {t: median(res[f"mem.{t}"])
           for t in ("dnsup", "dnsup-static", "dnsup-nsupdate", "nsupdate", "knsupdate")
           if f"mem.{t}" in res}
    for peer in ("nsupdate", "knsupdate"):
        rows.append(("3", "peak memory (max RSS) of one signed update, median of 5", "BIND",
                     f"`dnsup add` {mib(mem['dnsup'])}", peer, mib(mem[peer]),
                     ratio(mem["dnsup"], mem[peer]), "< 1.00"))
    if "dnsup-static" in mem:
        rows.append(("3", "peak memory (max RSS) of one signed update, median of 5", "BIND",
                     f"`dnsup add`, static build {mib(mem['dnsup-static'])}", "knsupdate",
                     mib(mem["knsupdate"]), ratio(mem["dnsup-static"], mem["knsupdate"]), "< 1.00"))
    rows.append(("3", "peak memory (max RSS) of one signed update, median of 5", "BIND",
                 f"`dnsup nsupdate` {mib(mem['dnsup-nsupdate'])}", "nsupdate",
                 mib(mem["nsupdate"]), ratio(mem["dnsup-nsupdate"], mem["nsupdate"]), ""))
    targets.append(("one-shot peak memory below both peers",
                    mem["dnsup"] < mem["nsupdate"] and mem["dnsup"] < mem["knsupdate"],
                    f"dnsup {mib(mem['dnsup'])}, nsupdate {mib(mem['nsupdate'])}, "
                    f"knsupdate {mib(mem['knsupdate'])}"))
    if "mem.apply-plan" in res:
        rows.append(("3", f"peak memory reading and splitting {n:,} records (apply --dry-run)", "",
                     mib(median(res["mem.apply-plan"])), "", "", "", ""))
    if "mem.apply-million" in res:
        rows.append(("3", "peak memory reading and splitting 1,000,000 records (apply --dry-run)",
                     "", f"{mib(median(res['mem.apply-million']))} in "
                     f"{median(res['time.apply-million']):.1f} s", "", "", "", "< 64 MiB"))
    for count in ("1", "100"):
        dn = res[f"daemon.dnsup.{count}"][0]
        for peer in ("ddclient", "inadyn"):
            v = res[f"daemon.{peer}.{count}"][0]
            ok = is_number(dn) and is_number(v)
            rows.append(("3", f"daemon resident memory, idle, {count} record{'s' if count != '1' else ''}",
                         "", f"`dnsup run` {mib(dn)}" if is_number(dn) else dn, peer,
                         mib(v) if is_number(v) else v,
                         ratio(float(dn), float(v)) if ok else "", ""))

    # 4. size and start-up
    sz = {t: res[f"size.{t}"][0].split()
          for t in ("dnsup", "dnsup-static", "nsupdate", "knsupdate") if f"size.{t}" in res}
    what = "binary size (stripped release); with the shared libraries it loads"
    for peer in ("nsupdate", "knsupdate"):
        rows.append(("4", what, "", f"{size(sz['dnsup'][0])}; {size(sz['dnsup'][1])}", peer,
                     f"{size(sz[peer][0])}; {size(sz[peer][1])}",
                     f"{ratio(float(sz['dnsup'][1]), float(sz[peer][1]))} (with libraries)", ""))
    if "dnsup-static" in sz:
        rows.append(("4", what, "", f"static build: {size(sz['dnsup-static'][0])} (no libraries)",
                     "knsupdate", f"{size(sz['knsupdate'][0])}; {size(sz['knsupdate'][1])}",
                     f"{ratio(float(sz['dnsup-static'][1]), float(sz['knsupdate'][1]))} "
                     "(with libraries)", ""))
    st = hyperfine_medians(res["start"])
    for peer, flag in (("nsupdate", "-V"), ("knsupdate", "-V")):
        rows.append(("4", f"start-up: `--version`, whole process (median of {runs})", "",
                     ms(st["dnsup"]), f"{peer} {flag}", ms(st[peer]),
                     ratio(st["dnsup"], st[peer]), ""))
    if "dnsup-static" in st:
        rows.append(("4", f"start-up: `--version`, whole process (median of {runs})", "",
                     f"static build {ms(st['dnsup-static'])}", "knsupdate -V", ms(st["knsupdate"]),
                     ratio(st["dnsup-static"], st["knsupdate"]), ""))

    header = ["#", "measurement", "server", "dnsup", "peer", "peer's value", "dnsup / peer", "target"]
    table = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for r in rows:
        table.append("| " + " | ".join(str(c) for c in r) + " |")
    table = "\n".join(table)
    target_lines = "\n".join(
        f"- {'**holds**' if ok else '**does not hold**'}: {text} — {detail}"
        for text, ok, detail in targets)
    machine = "\n".join(f"- {k}: {meta[k]}" for k in ("date", "cpu", "os", "load", "dnsup", "bind",
                                                       "knot", "ddclient", "inadyn", "hyperfine"))
    print(f"dnsup benchmarks, {meta['date']}\n{machine}\n\n{table}\n\nTargets:\n{target_lines}")
    if out_path:
        # Sections written by other scripts are kept: the router-latency section (between its
        # markers) and everything after KEEP (bench/notify_idle, bench/arm_footprint).
        kept = ""
        try:
            with open(out_path) as f:
                old = f.read()
            begin, end = "<!-- router-latency: begin", "<!-- router-latency: end -->"
            if begin in old and end in old and (KEEP not in old or old.index(begin) < old.index(KEEP)):
                kept += "\n" + old[old.index(begin):old.index(end) + len(end)] + "\n"
            if KEEP in old:
                kept += "\n" + old[old.index(KEEP):]
        except OSError:
            pass
        with open(out_path, "w") as f:
            f.write(BENCHMARKS.format(machine=machine, table=table, targets=target_lines,
                                      runs=runs, reps=reps, n=f"{n:,}", dir=meta["dir"],
                                      persend_knot=f"{int(res['persend.knot.records'][0]):,}"))
            f.write(kept)


KEEP = "<!-- sections below are written by other bench scripts; bench/run keeps them -->"


BENCHMARKS = """# Benchmarks

dnsup next to its peers, measured in one run on one machine by `bench/run` (this file is
rewritten by it; do not edit by hand). Run it yourself on a fresh Debian 12, as root:

```sh
bench/run              # installs the peers if missing, prints the table, rewrites this file
bench/run --no-write   # the table only
```

It installs `bind9 bind9-dnsutils knot knot-dnsutils hyperfine time` (and `ddclient`, `inadyn`)
when missing, builds dnsup with the release profile, starts its own `named` and `knotd` on free
127.0.0.1 ports (files in a temporary directory under {dir}, removed at the end) and takes a
few minutes on 2 cores. Ratios are dnsup / peer: below 1 means dnsup is faster or smaller.

## Machine and versions

{machine}

## Results

{table}

## Targets

{targets}
- release profile: LTO, one codegen unit, symbols stripped, `panic = "abort"` (Cargo.toml).

The release build is linked statically, glibc's `crt-static` (a static PIE; .cargo/config.toml
builds for an explicit host target, so the binary is in `target/x86_64-unknown-linux-gnu/release/`).
It skips the dynamic loader's work at every start. Without that file the build is dynamically
linked, and the "static build" rows compare it with
`RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --target x86_64-unknown-linux-gnu`.

## How it is measured

1. **One-shot**: one TSIG-signed (hmac-sha256) update adding the same A record, the whole
   process from exec to exit, with `hyperfine -N`: {runs} runs of each command in 5 rounds
   that take turns (so a busy moment of the machine hits every tool alike), each round after
   5 warm-up runs; the median over all runs. `dnsup add` takes the zone, server and key file as
   options; `dnsup nsupdate`, `nsupdate` and `knsupdate` read the same four-line script
   (`server`, `zone`, `update add`, `send`).
2. **Bulk**, {n} A records at distinct names in an empty zone, each run into a fresh zone:
   (a) a script with a `send` after every record, run once per tool, and `dnsup apply
   --batch-size 1` (one record per message, pipelined over one TCP connection). Knot takes
   about 10 ms per UPDATE whoever sends it, so it gets {persend_knot} records here;
   (b) one logical change: `dnsup apply FILE` (messages of at most 60,000 bytes, 4 in flight
   on one TCP connection) against the peers' best by hand, a script with a `send` every 2,000
   records over TCP (`-v`), {reps} runs each, median. A single `send` of all records fails in
   both peers (64 KiB message limit). The ceiling is one maximal TCP update (as many records as
   dnsup puts in one message) by dnsup and by nsupdate, whole process. After the runs every
   bulk zone is transferred (AXFR) and compared, owner names relative to the zone, SOA left
   out: they must be identical.
3. **Memory**: peak resident memory (`/usr/bin/time -f %M`, max RSS) of the one-shot runs,
   median of 5. Daemons: resident memory (VmRSS) one second after their first update cycle, with
   1 and 100 names. `dnsup run` updates our named with RFC 2136 from a `static` address source;
   ddclient updates it through nsupdate (its RFC 2136 support) with the address given in its
   configuration; inadyn has no RFC 2136, so it talks dyndns2 over HTTP to a local stub and
   gets the address from a command. All three run offline.
4. **Size and start-up**: the size of the binary as built (the release profile strips it),
   and with the shared libraries it loads (`ldd`); `--version` (`-V`) whole process with
   `hyperfine -N`.

A peer run that fails is shown with its time and its last error line and left out of the
ratios (nsupdate now and then gets no answer to one of thousands of UDP updates and reports
`timed out`; the zone it filled then lacks that record).

The servers keep their files on {dir} so that the disk's fsync speed does not decide the
per-record figures (both servers write a journal for every update). Tests never assert
timings; this file is the place for them.
"""

if __name__ == "__main__":
    main()
