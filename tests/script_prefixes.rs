//! Every truncated prefix of a valid command, run through the dnsup binary as `nsupdate` and as
//! `knsupdate`, exits with status 0 or 1: never a crash, never a hang, never the "update failed"
//! status 2 (BIND's own nsupdate tests hold nsupdate to the same). And a whole script against a
//! live named, cut after every byte, does the same.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

/// One valid line of each command and form, in both dialects where they share the syntax.
const NSUPDATE_LINES: &[&str] = &[
    "server 127.0.0.1 5353",
    "local 127.0.0.1 5353",
    "local ::1",
    "zone example.test.",
    "class IN",
    "ttl 3600",
    "ttl none",
    "key hmac-sha256:k-sha256 Cx54BblfuCmURoPzf+19Bzfb2YLvOr/Zf0BEWXf7V0w=",
    "key k-md5 bzb/Qgxbemxp2a650akAWw==",
    "check-names off",
    "prereq nxdomain a.example.test.",
    "prereq yxdomain a.example.test.",
    "nxrrset a.example.test. IN A",
    "yxrrset a.example.test. A",
    "prereq yxrrset a.example.test. IN TXT \"v=spf1 -all\"",
    "update add a.example.test. 300 IN A 192.0.2.1",
    "add a.example.test. 300 AAAA 2001:db8::1",
    "add a.example.test. 300 MX 10 mail.example.test.",
    "add _s._tcp.example.test. 300 SRV 0 5 5060 sip.example.test.",
    "add example.test. 300 SOA ns1. host. 1 1h 10m 1w 300",
    "add a.example.test. 300 TXT \"a;b\" \"c\\\"d\" e\\059f",
    "add a.example.test. 300 CAA 0 issue \"letsencrypt.org\"",
    "add a.example.test. 300 DS 1 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE4E8AD0C3E9C9B6C6E26C1B3E",
    "add a.example.test. 300 DNSKEY 257 3 13 AwEAAQ==",
    "add a.example.test. 300 HTTPS 1 . alpn=h2",
    "add a.example.test. 300 TYPE65280 \\# 3 abcdef",
    "del a.example.test.",
    "delete a.example.test. 300 IN A",
    "update delete a.example.test. A 192.0.2.1",
    "show",
    "answer",
    "send",
    "help",
    "version",
    "debug",
    "quit",
    "; comment",
];

/// knsupdate's own forms.
const KNSUPDATE_LINES: &[&str] = &[
    "origin example.test.",
    "add a 1h30m IN TXT x",
    "add a A 192.0.2.1",
    "exit",
];

/// A symlink to dnsup named as the tool, so dnsup runs in that tool's mode.
fn link(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::os::unix::fs::symlink(dnsup_bin(), &path).expect("symlink");
    path
}

/// Runs every case, `jobs` at a time, with a 30 s limit each; returns the failures (a run that
/// did not exit 0 or 1, or that panicked).
///
/// The runs are started by `jobs` native shells, not forked one by one from this test process:
/// under qemu-user (scripts/cross --test) the test process is itself emulated and many-threaded,
/// and qemu emulates each fork by forking the whole emulator, where a child forked while another
/// thread holds qemu's internal locks can wait 16 s or more before it execs. A shell forks
/// natively, and each dnsup it starts is a fresh process (a fresh qemu). On x86_64 nothing
/// changes but who forks. Each case's input, output and exit status are files in a temporary
/// directory, so a failure is reported with all three.
fn run_all(cases: Vec<(PathBuf, Vec<String>, String)>, jobs: usize) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let timeout = require("timeout", "coreutils");
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let mut scripts = vec![String::new(); jobs];
    for (i, (tool, args, input)) in cases.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i}.in")), input).unwrap();
        let mut line = format!(
            "{} -k 5 30 {}",
            quote(&timeout.display().to_string()),
            quote(&tool.display().to_string())
        );
        for arg in args {
            line.push(' ');
            line.push_str(&quote(arg));
        }
        line.push_str(&format!(
            " <{i}.in >{i}.out 2>{i}.err; echo $? >{i}.status\n"
        ));
        scripts[i % jobs].push_str(&line);
    }
    let shells: Vec<_> = scripts
        .iter()
        .enumerate()
        .map(|(j, script)| {
            let file = format!("job{j}.sh");
            std::fs::write(dir.path().join(&file), script).unwrap();
            Command::new("/bin/sh")
                .arg(file)
                .current_dir(dir.path())
                .spawn()
                .expect("starting /bin/sh")
        })
        .collect();
    for mut shell in shells {
        let status = shell.wait().expect("waiting for /bin/sh");
        assert!(status.success(), "the shell running the cases: {status}");
    }
    let read = |i: usize, ext: &str| {
        String::from_utf8_lossy(&std::fs::read(dir.path().join(format!("{i}.{ext}"))).unwrap())
            .into_owned()
    };
    let mut failures = Vec::new();
    for (i, (_, _, input)) in cases.iter().enumerate() {
        let status = read(i, "status");
        let stderr = read(i, "err");
        let ok = matches!(status.trim(), "0" | "1") && !stderr.contains("panicked");
        if !ok {
            let why = match status.trim() {
                "124" | "137" => "did not finish within 30 s".to_string(),
                s => format!("exit status {s}"),
            };
            failures.push(format!(
                "{input:?}: {why}\nstdout:\n{}\nstderr:\n{stderr}",
                read(i, "out")
            ));
        }
    }
    failures
}

fn prefixes(line: &str) -> impl Iterator<Item = &str> {
    line.char_indices()
        .map(|(i, _)| &line[..i])
        .chain(std::iter::once(line))
}

#[test]
fn every_prefix_of_every_command_exits_0_or_1() {
    let dir = tempfile::tempdir().unwrap();
    let nsupdate = link(dir.path(), "nsupdate");
    let knsupdate = link(dir.path(), "knsupdate");
    // No server is ever reached: nothing is pending when a complete `send` line comes.
    let empty_resolv = dir.path().join("resolv.conf");
    std::fs::write(&empty_resolv, "").unwrap();
    let mut cases = Vec::new();
    for line in NSUPDATE_LINES {
        for prefix in prefixes(line) {
            for ending in ["", "\n"] {
                let input = format!("{prefix}{ending}");
                let args = vec![
                    "-t".to_string(),
                    "1".into(),
                    "-C".into(),
                    empty_resolv.display().to_string(),
                ];
                cases.push((nsupdate.clone(), args.clone(), input.clone()));
                cases.push((knsupdate.clone(), vec!["-t".into(), "1".into()], input));
            }
        }
    }
    for line in KNSUPDATE_LINES {
        for prefix in prefixes(line) {
            cases.push((knsupdate.clone(), Vec::new(), format!("{prefix}\n")));
        }
    }
    let total = cases.len();
    let failures = run_all(cases, 4);
    assert!(
        failures.is_empty(),
        "{} of {total} runs did not exit 0 or 1:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_whole_script_cut_after_every_byte_exits_0_or_1() {
    let server = Named::start();
    let dir = tempfile::tempdir().unwrap();
    let nsupdate = link(dir.path(), "nsupdate");
    let script = format!(
        "server 127.0.0.1 {}\nzone example.test\nprereq nxrrset cut.example.test. TXT\nupdate add cut.example.test. 300 TXT \"cut\"\nupdate delete cut.example.test. A\nshow\nsend\nanswer\nquit\n",
        server.port()
    );
    let y = key_arg(key("k-sha256"));
    let cases = (0..=script.len())
        .filter(|i| script.is_char_boundary(*i))
        .map(|i| {
            // Each run first clears the name, so every cut sees the same zone.
            let input = format!(
                "server 127.0.0.1 {}\nzone example.test\ndel cut.example.test.\nsend\n{}",
                server.port(),
                &script[..i]
            );
            (nsupdate.clone(), vec!["-y".to_string(), y.clone()], input)
        })
        .collect();
    // One after the other: every run changes the same name.
    let failures = run_all(cases, 1);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
