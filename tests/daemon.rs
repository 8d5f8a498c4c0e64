//! The daemon against a real named: publish, stay quiet when nothing changed, follow a changed
//! address, never clobber a concurrent edit, recover after the server was unreachable, and
//! survive a restart without extra updates. The address source is a command reading a file
//! the test rewrites.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::daemon::{DaemonSetup, daemon_setup, stdout, wait_for};
use common::*;

/// A config managing `home.example.test` A from a command source that prints `addr_file`.
fn setup(server: SocketAddr, extra: &str) -> DaemonSetup {
    daemon_setup(server, extra, "3s", None)
}

#[test]
fn publishes_then_stays_quiet_then_follows_a_change() {
    let named = Named::start();
    let s = setup(named.addr(), "");
    let out = s.once();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).contains("created 203.0.113.10"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.10"]);

    // Nothing changed: no update, the serial does not move (and nothing is even read).
    let serial = named.soa_serial("example.test");
    let out = s.once();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("unchanged (203.0.113.10)"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.soa_serial("example.test"), serial);

    // The source changes: one update.
    std::fs::write(&s.addr_file, "203.0.113.11\n").unwrap();
    let out = s.once();
    assert!(
        stdout(&out).contains("updated 203.0.113.10 -> 203.0.113.11"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.query("home.example.test", "A"), ["203.0.113.11"]);
    assert_eq!(named.soa_serial("example.test"), serial + 1);
}

#[test]
fn a_restart_with_the_state_file_causes_no_update() {
    let named = Named::start();
    let s = setup(named.addr(), "");
    assert_eq!(s.once().status.code(), Some(0));
    let serial = named.soa_serial("example.test");
    // A new process (a restart) reads the state file and has nothing to do.
    for _ in 0..3 {
        let out = s.once();
        assert!(stdout(&out).contains("unchanged"), "{}", describe(&out));
    }
    assert_eq!(named.soa_serial("example.test"), serial);
}

#[test]
fn an_existing_correct_record_is_confirmed_not_rewritten() {
    let named = Named::start();
    let s = setup(named.addr(), "");
    let script = format!(
        "server 127.0.0.1 {}\nupdate add home.example.test. 60 A 203.0.113.10\nsend\n",
        named.port()
    );
    assert!(
        run_nsupdate(&named, &script, &["-y", &key_arg(key("k-sha256"))])
            .status
            .success()
    );
    let serial = named.soa_serial("example.test");
    let out = s.once();
    assert!(
        stdout(&out).contains("in sync (203.0.113.10)"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.soa_serial("example.test"), serial);
}

#[test]
fn private_addresses_are_refused_unless_allowed() {
    let named = Named::start();
    let s = setup(named.addr(), "");
    std::fs::write(&s.addr_file, "192.168.1.20\n").unwrap();
    let out = s.once();
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    assert!(stdout(&out).contains("private"), "{}", describe(&out));
    assert!(named.query("home.example.test", "A").is_empty());
}

/// A relay in front of named that, when it sees the daemon's UPDATE, first lets a "human"
/// change the record with nsupdate, then forwards the UPDATE: the daemon's guard must fail.
fn meddling_relay(named: &Named) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    let server = named.addr();
    let script = format!(
        "server 127.0.0.1 {}\nupdate delete home.example.test. A\nupdate add home.example.test. 60 A 198.51.100.99\nsend\n",
        named.port()
    );
    let nsupdate = require("nsupdate", "bind9-dnsutils");
    let y = key_arg(key("k-sha512"));
    thread::spawn(move || {
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 65535];
        let mut meddled = false;
        for _ in 0..20 {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                return;
            };
            let opcode = (buf[2] >> 3) & 0x0f;
            if opcode == 5 && !meddled {
                meddled = true;
                let mut child = Command::new(&nsupdate)
                    .args(["-y", &y])
                    .stdin(Stdio::piped())
                    .spawn()
                    .unwrap();
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(script.as_bytes())
                    .unwrap();
                child.wait().unwrap();
            }
            back.send_to(&buf[..n], server).unwrap();
            let mut answer = [0u8; 65535];
            if let Ok(m) = back.recv(&mut answer) {
                front.send_to(&answer[..m], client).unwrap();
            }
        }
    });
    addr
}

#[test]
fn a_concurrent_edit_is_not_clobbered() {
    let named = Named::start();
    let relay = meddling_relay(&named);
    let s = setup(relay, "");
    let out = s.once();
    assert_eq!(out.status.code(), Some(3), "a conflict: {}", describe(&out));
    assert!(
        stdout(&out).contains("conflict, not changed"),
        "{}",
        describe(&out)
    );
    assert_eq!(named.query("home.example.test", "A"), ["198.51.100.99"]);
}

/// A relay that drops everything while `down` is set.
fn switchable_relay(server: SocketAddr, down: Arc<AtomicBool>) -> SocketAddr {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = front.local_addr().unwrap();
    front
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    thread::spawn(move || {
        let back = UdpSocket::bind("127.0.0.1:0").unwrap();
        back.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let mut buf = [0u8; 65535];
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            let Ok((n, client)) = front.recv_from(&mut buf) else {
                continue;
            };
            if down.load(Ordering::SeqCst) {
                continue;
            }
            back.send_to(&buf[..n], server).unwrap();
            let mut answer = [0u8; 65535];
            if let Ok(m) = back.recv(&mut answer) {
                let _ = front.send_to(&answer[..m], client);
            }
        }
    });
    addr
}

#[test]
fn recovers_after_the_server_was_unreachable() {
    let named = Named::start();
    let down = Arc::new(AtomicBool::new(true));
    let relay = switchable_relay(named.addr(), down.clone());
    let s = setup(relay, "");
    let (_running, log) = s.spawn();
    // While the server is unreachable the daemon fails and backs off; nothing is published.
    wait_for("a failure in the log", Duration::from_secs(20), || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .contains("failed")
    });
    assert!(named.query("home.example.test", "A").is_empty());
    down.store(false, Ordering::SeqCst);
    wait_for("the record after recovery", Duration::from_secs(30), || {
        named.query("home.example.test", "A") == ["203.0.113.10"]
    });
    let text = std::fs::read_to_string(&log).unwrap();
    let updates = text.matches("created 203.0.113.10").count();
    assert_eq!(
        updates, 1,
        "exactly one update once the server is back:\n{text}"
    );
}

#[test]
fn detect_and_plan_show_without_changing() {
    let named = Named::start();
    let s = setup(named.addr(), "");
    let out = Command::new(dnsup_bin())
        .args(["detect", "--config"])
        .arg(&s.config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.contains("file (command cat"), "{text}");
    assert!(text.contains("ipv4: 203.0.113.10"), "{text}");
    assert!(
        text.contains("home.example.test./A: would publish 203.0.113.10"),
        "{text}"
    );

    let serial = named.soa_serial("example.test");
    let out = Command::new(dnsup_bin())
        .args(["plan", "--config"])
        .arg(&s.config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(8),
        "changes pending: {}",
        describe(&out)
    );
    assert!(
        stdout(&out).contains("would create 203.0.113.10"),
        "{}",
        describe(&out)
    );
    assert!(named.query("home.example.test", "A").is_empty());
    assert_eq!(named.soa_serial("example.test"), serial);
    assert!(
        !s.dir.path().join("state.json").exists(),
        "plan must not write state"
    );
}

#[test]
fn check_config_accepts_the_example_and_names_bad_lines() {
    let example = repo_root().join("contrib/dnsup.toml");
    let out = Command::new(dnsup_bin())
        .args(["check-config", "--config"])
        .arg(&example)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        stdout(&out).contains("ok (1 records, 1 providers, 3 sources"),
        "{}",
        describe(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    let text = std::fs::read_to_string(&example)
        .unwrap()
        .replace("ttl = 60", "ttl = 60\nsecret = \"c2VjcmV0\"");
    std::fs::write(&bad, text).unwrap();
    let out = Command::new(dnsup_bin())
        .args(["check-config", "--config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = 1 + std::fs::read_to_string(&bad)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("secret"))
        .unwrap();
    assert!(
        err.contains(&format!("bad.toml:{line}: unknown field `secret`")),
        "{err}"
    );
    assert!(!err.contains("c2VjcmV0"), "{err}");
}
