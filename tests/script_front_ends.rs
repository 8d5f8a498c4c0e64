//! The nsupdate and knsupdate front ends where dnsup differs from the real tools on purpose, or
//! where the corpus (`nsupdate_compat.rs`, `knsupdate_compat.rs`) cannot show it: the
//! `dnsup nsupdate` / `dnsup knsupdate` form, secrets kept out of messages, GSS-TSIG refused
//! clearly, failover over the local addresses of `-l`, Knot 3.4's `-T`, and the interactive
//! prompt with line editing on a terminal.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn link(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::os::unix::fs::symlink(dnsup_bin(), &path).expect("symlink");
    path
}

fn run(tool: &Path, args: &[&str], input: &str) -> std::process::Output {
    run_with_timeout(
        Command::new(tool).args(args),
        input.as_bytes(),
        CLIENT_TIMEOUT,
    )
}

#[test]
fn dnsup_nsupdate_and_knsupdate_subcommands_run_scripts() {
    let named = Named::start();
    let y = key_arg(key("k-sha256"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("script.txt");
    std::fs::write(
        &file,
        format!(
            "server 127.0.0.1 {}\nzone example.test\nadd sub.example.test. 300 A 192.0.2.1\nsend\nanswer\n",
            named.port()
        ),
    )
    .unwrap();
    let out = run(
        &dnsup_bin(),
        &["nsupdate", "-y", &y, "-t", "5", file.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Answer:\n"));
    assert_eq!(named.query("sub.example.test", "A"), ["192.0.2.1"]);

    let knot = Knot::start();
    let script = format!(
        "server 127.0.0.1 {}\nzone example.test\nadd sub.example.test. A 192.0.2.2\nsend\n",
        knot.port()
    );
    let out = run(&dnsup_bin(), &["knsupdate", "-y", &y], &script);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(knot.query("sub.example.test", "A"), ["192.0.2.2"]);
}

/// nsupdate and knsupdate print a key argument whose secret does not decode, secret and all;
/// dnsup names the key instead.
#[test]
fn a_bad_secret_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let nsupdate = link(dir.path(), "nsupdate");
    let knsupdate = link(dir.path(), "knsupdate");
    let secret = "Zm9v!!bad-secret-text!!";
    let out = run(&nsupdate, &[], &format!("key hmac-sha256:mykey {secret}\n"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(
        err,
        "could not create key from mykey: bad base64 encoding\nsyntax error\n"
    );
    let out = run(
        &nsupdate,
        &["-y", &format!("hmac-sha256:mykey:{secret}")],
        "",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        err,
        "could not create key from mykey: bad base64 encoding\n"
    );
    let out = run(
        &knsupdate,
        &["-y", &format!("hmac-sha256:mykey:{secret}")],
        "",
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(err, ";; ERROR: failed to parse key 'mykey'\n");
    let out = run(&knsupdate, &[], &format!("key mykey {secret}\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("bad-secret"));
}

/// The GSS-TSIG commands and options parse as in BIND's nsupdate: same status, same stderr.
/// (Updates with GSS-TSIG against real servers: tests/gss_tsig.rs.)
#[test]
fn gss_tsig_commands_and_options_as_nsupdate() {
    let dir = tempfile::tempdir().unwrap();
    let ours = link(dir.path(), "nsupdate");
    let bind = require("nsupdate", "bind9-dnsutils");
    let long = "A".repeat(1200);
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec![], "gsstsig\n".into()),
        (vec![], "oldgsstsig\n".into()),
        (vec!["-g"], String::new()),
        (vec!["-o"], String::new()),
        (vec![], "realm EXAMPLE.TEST\n".into()),
        (vec![], "realm\n".into()),
        (vec![], format!("realm {long}\n")),
        (vec![], format!("realm {}\n", "B".repeat(1022))),
        (vec![], format!("realm {}\n", "B".repeat(1023))),
        (vec!["-g", "-y", "hmac-sha256:k:AAAA"], String::new()),
    ];
    for (args, script) in cases {
        let theirs = run(&bind, &args, &script);
        let mine = run(&ours, &args, &script);
        assert_eq!(
            mine.status.code(),
            theirs.status.code(),
            "{args:?} {script:.40}\n{}",
            describe(&mine)
        );
        assert_eq!(
            String::from_utf8_lossy(&mine.stderr).replace(&ours.display().to_string(), "nsupdate"),
            String::from_utf8_lossy(&theirs.stderr)
                .replace(&bind.display().to_string(), "nsupdate"),
            "{args:?} {script:.40}"
        );
    }
}

/// `-l` sends to ::1 and 127.0.0.1 in turn. With `zone` given the update itself fails over;
/// BIND 9.18's nsupdate resends it without its zone section there (FORMERR), dnsup sends the
/// same update to the next address.
#[test]
fn local_mode_fails_over_from_ipv6_to_ipv4_loopback() {
    let zone_dir = tempfile::tempdir().unwrap();
    let zone_path = zone_dir.path().join("session.test.zone");
    std::fs::write(
        &zone_path,
        "$TTL 300\n@ IN SOA localhost. h.session.test. 1 3600 600 86400 300\n@ IN NS localhost.\n",
    )
    .unwrap();
    let named = Named::start_with(ServerOptions::default().named_extra(&format!(
        "zone \"session.test\" {{ type primary; file \"{}\"; update-policy local; }};",
        zone_path.display()
    )));
    let dir = tempfile::tempdir().unwrap();
    let nsupdate = link(dir.path(), "nsupdate");
    let session_key = named.dir().join("session.key");
    let port = named.port().to_string();
    let args = ["-l", "-p", &port, "-k", session_key.to_str().unwrap()];
    let out = run(
        &nsupdate,
        &args,
        "zone session.test\nadd a.session.test. 300 A 192.0.2.1\nsend\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("; Communication with ::1#{port} failed: connection refused\n")
    );
    assert_eq!(named.query("a.session.test", "A"), ["192.0.2.1"]);
}

/// Knot 3.4 spells TCP `-T` / `--tcp` (3.2 only `-v`); dnsup takes all three.
#[test]
fn knsupdate_takes_knot_3_4_tcp_options() {
    let knot = Knot::start();
    let dir = tempfile::tempdir().unwrap();
    let knsupdate = link(dir.path(), "knsupdate");
    let y = key_arg(key("k-sha256"));
    for (i, flag) in ["-T", "--tcp", "-v"].iter().enumerate() {
        let script = format!(
            "server 127.0.0.1 {}\nzone example.test\nadd t{i}.example.test. A 192.0.2.{i}\nsend\n",
            knot.port()
        );
        let out = run(&knsupdate, &[flag, "-y", &y], &script);
        assert!(out.status.success(), "{flag}: {}", describe(&out));
        assert_eq!(
            knot.query(&format!("t{i}.example.test"), "A"),
            [format!("192.0.2.{i}")]
        );
    }
}

/// Reads what the child wrote so far, without blocking forever.
fn wait_for(out: &mut impl Read, seen: &mut String, needle_count: usize, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut buf = [0u8; 4096];
    while seen.matches(needle).count() < needle_count {
        assert!(
            Instant::now() < deadline,
            "no prompt {needle_count}; got {seen:?}"
        );
        match out.read(&mut buf) {
            Ok(0) => panic!("the session ended early: {seen:?}"),
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
            Err(e) => panic!("reading the terminal: {e}"),
        }
    }
}

/// On a terminal, nsupdate and knsupdate prompt with "> " and edit lines (rustyline); each line
/// is typed after its prompt, as a user would.
#[test]
fn a_terminal_gets_a_prompt_and_line_editing() {
    let script_tool = require("script", "bsdutils");
    let named = Named::start();
    let knot = Knot::start();
    let dir = tempfile::tempdir().unwrap();
    let y = key_arg(key("k-sha256"));
    for (tool, port, lines) in [
        (
            "nsupdate",
            named.port(),
            vec![
                "zone example.test",
                "add tty.example.test. 300 A 192.0.2.7",
                "send",
            ],
        ),
        (
            "knsupdate",
            knot.port(),
            vec![
                "zone example.test",
                "add tty.example.test. A 192.0.2.7",
                "send",
            ],
        ),
    ] {
        let link = link(dir.path(), tool);
        let command = format!("{} -y {y}", link.display());
        let mut child = Command::new(&script_tool)
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting script(1)");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = String::new();
        let mut all = vec![format!("server 127.0.0.1 {port}")];
        all.extend(lines.iter().map(|l| l.to_string()));
        // "uit", then Ctrl-A (start of line) and "q": "quit" only with line editing (a
        // terminal's own canonical mode would pass Ctrl-A through and the tool would go on
        // waiting).
        all.push("uit\u{1}q".to_string());
        for (n, line) in all.iter().enumerate() {
            wait_for(&mut stdout, &mut seen, n + 1, "> ");
            stdin.write_all(format!("{line}\r").as_bytes()).unwrap();
            stdin.flush().unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "{tool} did not quit: {seen:?}");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "{tool}: {status} {seen:?}");
        let server: &dyn Server = if tool == "nsupdate" { &named } else { &knot };
        assert_eq!(
            server.query("tty.example.test", "A"),
            ["192.0.2.7"],
            "{tool}"
        );
    }
}
